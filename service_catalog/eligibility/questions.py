"""Choice of the next question: ask only what can still change the outcome (pure: no I/O).

:func:`open_questions` lists the unanswered questions in undecided parts of
the criteria tree; :func:`next_question` picks the one that ends the check
soonest, looking ahead over the answers each question allows.
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from ..model import AllOf, AnyOf, Condition, Criterion, NotOf, Question
from ._tree import conditions
from ._values import DATE_OPS, as_date, flat, is_number
from .errors import InvalidAnswer, InvalidCriterion
from .evaluation import condition_truth, truth

__all__ = ["next_question", "open_conditions", "open_questions"]


def open_conditions(node: Criterion, answers: Mapping[str, Any], today: dt.date) -> Iterator[Condition]:
    """The unknown conditions inside undecided parts of the tree, in order."""
    if truth(node, answers, today) is not None:
        return
    if isinstance(node, Condition):
        yield node
    elif isinstance(node, AllOf):
        for child in node.all:
            yield from open_conditions(child, answers, today)
    elif isinstance(node, AnyOf):
        for child in node.any:
            yield from open_conditions(child, answers, today)
    else:
        yield from open_conditions(node.not_, answers, today)


def open_questions(criterion: Criterion | None, answers: Mapping[str, Any], today: dt.date) -> list[str]:
    """The unanswered questions that can still change the verdict, in order of appearance.

    Args:
        criterion: The criteria tree (None: no criteria).
        answers: The answers so far.
        today: The evaluation date.

    Returns:
        Question ids; empty once the verdict is decided.
    """
    if criterion is None:
        return []
    return list(dict.fromkeys(cond.q for cond in open_conditions(criterion, answers, today)))


def next_question(
    criterion: Criterion | None,
    answers: Mapping[str, Any],
    today: dt.date,
    *,
    bank: Mapping[str, Question] | None = None,
) -> str | None:
    """The question to ask next, or None when the verdict is decided.

    Only an unanswered question from an undecided part of the tree is chosen.
    Among those, a question that alone can settle the whole check comes first;
    then the one leaving the fewest questions on the shortest path to a
    decision; ties go to the earliest question in the criteria.

    Args:
        criterion: The criteria tree (None: no criteria).
        answers: The answers so far.
        today: The evaluation date.
        bank: Optional question bank; with it, only answers the question allows
            (its options, min and max) are considered when looking ahead.

    Returns:
        A question id, or None.
    """
    candidates = open_questions(criterion, answers, today)
    if criterion is None or not candidates:
        return None
    best: tuple[int, int] | None = None
    chosen: str | None = None
    for index, qid in enumerate(candidates):
        question = bank.get(qid) if bank is not None else None
        key = (_steps_after(criterion, answers, today, qid, question), index)
        if best is None or key < best:
            best, chosen = key, qid
    return chosen


def _steps_after(criterion: Criterion, answers: Mapping[str, Any], today: dt.date, qid: str, question: Question | None) -> int:
    """Fewest further questions to a decision, over the possible answers to ``qid``."""
    fewest = math.inf
    for value in _probe_values(criterion, qid, today, question):
        trial = {**answers, qid: value}
        try:
            if truth(criterion, trial, today) is not None:
                return 0
            yes, no = _witnesses(criterion, trial, today)
        except (InvalidAnswer, InvalidCriterion):
            continue
        for witness in (yes, no):
            if witness is not None:
                fewest = min(fewest, len(witness))
    return int(fewest) if fewest != math.inf else 1_000_000


def _witnesses(node: Criterion, answers: Mapping[str, Any], today: dt.date) -> tuple[frozenset[str] | None, frozenset[str] | None]:
    """Smallest sets of unknown questions that could make ``node`` true / false (None: impossible)."""
    if isinstance(node, Condition):
        value = condition_truth(node, answers, today)
        if value is None:
            return frozenset({node.q}), frozenset({node.q})
        return (frozenset(), None) if value else (None, frozenset())
    if isinstance(node, NotOf):
        yes, no = _witnesses(node.not_, answers, today)
        return no, yes
    children = [_witnesses(child, answers, today) for child in (node.all if isinstance(node, AllOf) else node.any)]
    to_true = [yes for yes, _ in children]
    to_false = [no for _, no in children]
    if isinstance(node, AllOf):  # true needs every child true; false needs one child false
        return _union(to_true), _smallest(to_false)
    return _smallest(to_true), _union(to_false)


def _union(sets: Sequence[frozenset[str] | None]) -> frozenset[str] | None:
    if any(s is None for s in sets):
        return None
    return frozenset().union(*[s for s in sets if s is not None])


def _smallest(sets: Sequence[frozenset[str] | None]) -> frozenset[str] | None:
    found = [s for s in sets if s is not None]
    return min(found, key=len) if found else None


def _probe_values(criterion: Criterion, qid: str, today: dt.date, question: Question | None) -> list[Any]:
    """Answers to ``qid`` that together reach every outcome of its conditions."""
    leaves = [cond for cond in conditions(criterion) if cond.q == qid]
    kind = question.type if question is not None else _guess_type(leaves)
    if kind == "boolean":
        return [True, False]
    if kind == "choice":
        if question is not None:
            return [option.value for option in question.options]
        seen = [v for cond in leaves for v in flat(cond.value) if isinstance(v, str)]
        return [*dict.fromkeys(seen), "\x00other"]
    if kind == "date":
        return _date_probes(leaves, today)
    numbers = sorted({float(v) for cond in leaves for v in flat(cond.value) if is_number(v)})
    points = {p for n in numbers for p in (n - 1, n, n + 1)}
    points.update((a + b) / 2 for a, b in itertools.pairwise(numbers))
    low = question.min if question is not None else None
    high = question.max if question is not None else None
    points.update(p for p in (low, high) if p is not None)
    kept = sorted(p for p in points if (low is None or p >= low) and (high is None or p <= high)) or [0.0]
    return [int(p) if float(p).is_integer() else p for p in kept]


def _guess_type(leaves: Sequence[Condition]) -> str:
    values = [v for cond in leaves for v in flat(cond.value)]
    if any(cond.op in DATE_OPS for cond in leaves) or any(as_date(v) is not None for v in values):
        return "date"
    if any(isinstance(v, bool) for v in values):
        return "boolean"
    if any(is_number(v) for v in values):
        return "number"
    return "choice"


def _years_before(today: dt.date, years: int) -> dt.date:
    try:
        return today.replace(year=today.year - years)
    except ValueError:  # 29 February in a common year
        return today.replace(year=today.year - years, day=28)


def _date_probes(leaves: Sequence[Condition], today: dt.date) -> list[dt.date]:
    edges = {today}
    for cond in leaves:
        for v in flat(cond.value):
            try:
                if cond.op in ("within_days", "before_days") and is_number(v):
                    edges.add(today - dt.timedelta(days=int(v)))
                elif cond.op in ("within_years", "before_years") and is_number(v):
                    edges.add(_years_before(today, int(v)))
                elif (day := as_date(v)) is not None:
                    edges.add(day)
            except (OverflowError, ValueError):
                continue  # a limit beyond the calendar: today's neighbours already cover it
    one = dt.timedelta(days=1)
    probes: set[dt.date] = set()
    for edge in edges:
        for step in (-one, dt.timedelta(0), one):
            try:
                probes.add(edge + step)
            except OverflowError:
                continue
    return sorted(probes)
