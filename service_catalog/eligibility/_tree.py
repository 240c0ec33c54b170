"""Walking a criteria tree (pure: no I/O)."""

from __future__ import annotations

from collections.abc import Iterator

from ..model import AllOf, AnyOf, Condition, Criterion

__all__ = ["conditions", "conditions_with_polarity"]


def conditions(node: Criterion) -> Iterator[Condition]:
    """Every condition of the tree, in order."""
    if isinstance(node, Condition):
        yield node
    elif isinstance(node, AllOf):
        for child in node.all:
            yield from conditions(child)
    elif isinstance(node, AnyOf):
        for child in node.any:
            yield from conditions(child)
    else:
        yield from conditions(node.not_)


def conditions_with_polarity(node: Criterion, negated: bool = False) -> Iterator[tuple[Condition, bool]]:
    """Every condition with whether an odd number of ``not`` nodes lies above it."""
    if isinstance(node, Condition):
        yield node, negated
    elif isinstance(node, AllOf):
        for child in node.all:
            yield from conditions_with_polarity(child, negated)
    elif isinstance(node, AnyOf):
        for child in node.any:
            yield from conditions_with_polarity(child, negated)
    else:
        yield from conditions_with_polarity(node.not_, not negated)
