"""The oracle's one error."""

from __future__ import annotations

__all__ = ["RulesetInvalid"]


class RulesetInvalid(ValueError):
    """A rules file that does not have the expected shape; ``field`` names where."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field
