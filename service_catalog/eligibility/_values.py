"""Answer and criterion values as the engine reads them: dates, numbers, lists (pure: no I/O)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

__all__ = ["DATE_OPS", "ISO_DATE", "as_date", "flat", "is_number", "number_text"]

ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
"""An ISO ``yyyy-mm-dd`` date string (not yet checked against the calendar)."""

DATE_OPS = frozenset({"within_days", "before_days", "within_years", "before_years"})
"""Operators that count days or years back from the evaluation date."""


def as_date(value: Any) -> dt.date | None:
    """``value`` as a date: a ``date``, a ``datetime`` (its day) or a valid ISO string; else None."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str) and ISO_DATE.match(value):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            return None
    return None


def is_number(value: Any) -> bool:
    """True for an ``int`` or ``float`` that is not a ``bool``."""
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def flat(value: Any) -> list[Any]:
    """A criterion value as a list: the list itself, or the single value in one."""
    return list(value) if isinstance(value, list) else [value]


def number_text(value: Any) -> str:
    """A number as people write it: ``60`` for ``60.0``; anything else as ``str``."""
    if is_number(value) and float(value).is_integer():
        return str(int(value))
    return str(value)
