"""Three-valued evaluation of a service's criteria over partial answers (pure: no I/O).

A service's criteria (:data:`~service_catalog.model.Criterion`) are evaluated
over *partial* answers: a question that has not been answered is unknown, and
``all``/``any``/``not`` follow Kleene's three-valued logic, so a verdict is
reached as soon as the known answers settle it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from enum import StrEnum
from typing import Any

from ..model import AllOf, AnyOf, Condition, Criterion
from ._values import DATE_OPS, as_date, is_number
from .errors import InvalidAnswer, InvalidCriterion

__all__ = ["Tri", "Verdict", "condition_truth", "evaluate", "truth"]

Tri = bool | None
"""True / False / unknown."""


class Verdict(StrEnum):
    """The outcome of an eligibility check."""

    ELIGIBLE = "eligible"
    INELIGIBLE = "ineligible"
    UNKNOWN = "unknown"


def evaluate(criterion: Criterion | None, answers: Mapping[str, Any], today: dt.date) -> Verdict:
    """Evaluate criteria over partial answers with Kleene's three-valued logic.

    Args:
        criterion: The criteria tree; None means "no criteria" (eligible).
        answers: Question id to answer; a missing id (or None) is unknown. Date
            answers are ``datetime.date`` or ISO ``yyyy-mm-dd`` strings.
        today: The evaluation date for the date operators.

    Returns:
        ELIGIBLE or INELIGIBLE once the known answers settle it, else UNKNOWN.

    Raises:
        InvalidAnswer: An answer cannot be compared as its condition needs.
        InvalidCriterion: A condition's value does not suit its operator.
    """
    if criterion is None:
        return Verdict.ELIGIBLE
    return _verdict(truth(criterion, answers, today))


def _verdict(value: Tri) -> Verdict:
    if value is None:
        return Verdict.UNKNOWN
    return Verdict.ELIGIBLE if value else Verdict.INELIGIBLE


def truth(node: Criterion, answers: Mapping[str, Any], today: dt.date) -> Tri:
    """The three-valued truth of a criteria (sub)tree: True, False or None (unknown).

    Raises:
        InvalidAnswer: An answer cannot be compared as its condition needs.
        InvalidCriterion: A condition's value does not suit its operator.
    """
    if isinstance(node, Condition):
        return condition_truth(node, answers, today)
    if isinstance(node, AllOf):
        values = [truth(child, answers, today) for child in node.all]
        if False in values:
            return False
        return None if None in values else True
    if isinstance(node, AnyOf):
        values = [truth(child, answers, today) for child in node.any]
        if True in values:
            return True
        return None if None in values else False
    inner = truth(node.not_, answers, today)
    return None if inner is None else not inner


def condition_truth(cond: Condition, answers: Mapping[str, Any], today: dt.date) -> Tri:
    """Whether one condition holds; None while its question is unanswered.

    Raises:
        InvalidAnswer: An answer cannot be compared as the condition needs.
        InvalidCriterion: The condition's value does not suit its operator.
    """
    answer = answers.get(cond.q)
    if answer is None:
        return None
    return _holds(cond, answer, today)


def _holds(cond: Condition, answer: Any, today: dt.date) -> bool:
    op, value = cond.op, cond.value
    if op in DATE_OPS:
        day = _answer_date(cond.q, answer)
        count = value
        if isinstance(count, bool) or not isinstance(count, int) or count < 0:
            raise InvalidCriterion(f"{op} on {cond.q} needs a whole number of days or years, not {value!r}", field=cond.q)
        if op == "within_days":
            return 0 <= (today - day).days <= count
        if op == "before_days":
            return (today - day).days >= count
        if day > today:
            return False
        years = _whole_years(day, today)
        return years < count if op == "within_years" else years >= count
    if op in ("in", "not_in"):
        if not isinstance(value, list):
            raise InvalidCriterion(f"{op} on {cond.q} needs a list of values, not {value!r}", field=cond.q)
        member = any(_equal(answer, item) for item in value)
        return member if op == "in" else not member
    if op in ("eq", "ne"):
        same = _equal(answer, value)
        return same if op == "eq" else not same
    left, right = _ordered(cond, answer)
    if op == "lt":
        return bool(left < right)
    if op == "le":
        return bool(left <= right)
    if op == "gt":
        return bool(left > right)
    return bool(left >= right)


def _answer_date(qid: str, answer: Any) -> dt.date:
    day = as_date(answer)
    if day is None:
        raise InvalidAnswer(f"the answer to {qid} must be a date (yyyy-mm-dd), not {answer!r}", field=qid)
    return day


def _whole_years(born: dt.date, today: dt.date) -> int:
    """Whole years from ``born`` to ``today``, counted as an age is."""
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def _equal(answer: Any, value: Any) -> bool:
    if isinstance(answer, bool) or isinstance(value, bool):
        return isinstance(answer, bool) and isinstance(value, bool) and answer == value
    if is_number(answer) and is_number(value):
        return bool(answer == value)
    left, right = as_date(answer), as_date(value)
    if left is not None and right is not None:
        return left == right
    if isinstance(answer, str) and isinstance(value, str):
        return answer == value
    return False


def _ordered(cond: Condition, answer: Any) -> tuple[Any, Any]:
    value = cond.value
    if is_number(value):
        if not is_number(answer):
            raise InvalidAnswer(f"the answer to {cond.q} must be a number, not {answer!r}", field=cond.q)
        return answer, value
    limit = as_date(value)
    if limit is None:
        raise InvalidCriterion(f"{cond.op} on {cond.q} needs a number or an ISO date, not {value!r}", field=cond.q)
    return _answer_date(cond.q, answer), limit
