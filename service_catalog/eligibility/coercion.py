"""Answer coercion: a JSON value checked and converted for its question (pure: no I/O)."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from typing import Any

from ..model import Question
from ._values import ISO_DATE, is_number, number_text
from .errors import InvalidAnswer

__all__ = ["coerce_answer", "coerce_answers"]

_TRUE_WORDS = frozenset({"true", "yes"})
_FALSE_WORDS = frozenset({"false", "no"})


def coerce_answer(question: Question, raw: Any) -> Any:
    """Validate and convert a JSON value given as the answer to ``question``.

    Args:
        question: The question answered.
        raw: The value: a boolean (or "true"/"false"/"yes"/"no"), a number
            within the question's min and max, one of its option values, or an
            ISO ``yyyy-mm-dd`` date (a ``datetime.date`` is accepted too).

    Returns:
        ``bool``, ``int``/``float``, the option value, or ``datetime.date``.

    Raises:
        InvalidAnswer: The value does not fit; ``field`` is the question id.
    """
    qid = question.id
    if question.type == "boolean":
        if isinstance(raw, bool):
            return raw
        word = raw.strip().lower() if isinstance(raw, str) else None
        if word in _TRUE_WORDS:
            return True
        if word in _FALSE_WORDS:
            return False
        raise InvalidAnswer(f"{qid} is a yes/no question: answer true or false, not {raw!r}", field=qid)
    if question.type == "number":
        if not is_number(raw) or not math.isfinite(raw):
            raise InvalidAnswer(f"{qid} needs a number, not {raw!r}", field=qid)
        if question.min is not None and raw < question.min:
            raise InvalidAnswer(f"{qid} must be at least {number_text(question.min)}, not {raw!r}", field=qid)
        if question.max is not None and raw > question.max:
            raise InvalidAnswer(f"{qid} must be at most {number_text(question.max)}, not {raw!r}", field=qid)
        return raw
    if question.type == "choice":
        options = [option.value for option in question.options]
        if isinstance(raw, str) and raw in options:
            return raw
        raise InvalidAnswer(f"{qid} must be one of {', '.join(options)}, not {raw!r}", field=qid)
    if isinstance(raw, dt.datetime):
        return raw.date()
    if isinstance(raw, dt.date):
        return raw
    if isinstance(raw, str) and ISO_DATE.match(raw.strip()):
        try:
            return dt.date.fromisoformat(raw.strip())
        except ValueError:
            raise InvalidAnswer(f"{qid} needs a real calendar date, not {raw!r}", field=qid) from None
    raise InvalidAnswer(f"{qid} needs a date as yyyy-mm-dd, not {raw!r}", field=qid)


def coerce_answers(bank: Mapping[str, Question], raw: Mapping[str, Any]) -> dict[str, Any]:
    """Coerce a whole answer mapping; None values stay None (unknown).

    Args:
        bank: The question bank.
        raw: Question id to JSON value.

    Returns:
        Question id to coerced value.

    Raises:
        InvalidAnswer: An id is not in the bank, or a value does not fit.
    """
    out: dict[str, Any] = {}
    for qid, value in raw.items():
        question = bank.get(qid)
        if question is None:
            raise InvalidAnswer(f"unknown question id {qid!r}", field=str(qid))
        out[qid] = None if value is None else coerce_answer(question, value)
    return out
