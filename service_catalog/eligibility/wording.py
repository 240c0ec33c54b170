"""Bilingual wording of conditions: what a condition requires and what was answered (pure: no I/O).

The sentences themselves are data, in :mod:`~service_catalog.eligibility._templates`;
this module chooses a template for a condition and fills in the question's
words, its unit, option labels and dates as a citizen would read them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from ..model import Condition, Question
from ._templates import END_MARKS, Wording, wording
from ._values import DATE_OPS, as_date, flat, number_text
from .subjects import Person, question_text

__all__ = ["fix_text", "reason_text"]

_NEGATION = {
    "eq": "ne",
    "ne": "eq",
    "lt": "ge",
    "ge": "lt",
    "le": "gt",
    "gt": "le",
    "in": "not_in",
    "not_in": "in",
}


def reason_text(cond: Condition, negated: bool, question: Question, answer: Any, lang: str, who: Person | None = None) -> str:
    """A condition and the answer given, e.g. "How old are you? Must be at least 60 years (you said 58)".

    Args:
        cond: The condition.
        negated: True when the condition sits under an odd number of ``not``.
        question: The question the condition is about.
        answer: The answer given, or None.
        lang: ``"zh"`` for Chinese; anything else gives English.
        who: The person the check is for, when not the citizen: the question is worded for them.

    Returns:
        The sentence: the condition's label if it has one, else the question and its requirement.
    """
    w = wording(lang)
    said = _said(question, answer, w)
    if cond.label is not None:
        label = cond.label.get(w.lang).rstrip("。.")
        if negated:
            label = w.not_the_case.format(label=label)
        return w.reason_label.format(label=label, said=said)
    need = _requirement(cond, negated, question, w)
    asked = question_text(question, who, w.lang)
    template = w.reason_question if asked.endswith(END_MARKS) else w.reason_statement
    return template.format(asked=asked, need=need, said=said)


def fix_text(cond: Condition, negated: bool, question: Question, answer: Any, lang: str, who: Person | None = None) -> str:
    """A failed condition that would have to change, e.g. "This would have to be true: ...".

    Args:
        cond: The condition.
        negated: True when the condition must become false for the check to pass.
        question: The question the condition is about.
        answer: The answer given.
        lang: ``"zh"`` for Chinese; anything else gives English.
        who: The person the check is for, when not the citizen.

    Returns:
        One sentence, ending with a full stop.
    """
    w = wording(lang)
    said = _said(question, answer, w)
    if cond.label is not None:
        label = cond.label.get(w.lang).rstrip("。.")
        return (w.fix_false if negated else w.fix_true).format(label=label, said=said)
    need = _requirement(cond, negated, question, w)
    asked = question_text(question, who, w.lang)
    return w.fix_question.format(asked=asked, need=need, said=said)


def _date_text(day: dt.date, w: Wording) -> str:
    return w.date.format(year=day.year, month=w.months[day.month - 1], day=day.day)


def _value_text(question: Question, value: Any, w: Wording) -> str:
    """An answer or criterion value as the citizen would say it."""
    if isinstance(value, bool):
        return w.yes if value else w.no
    if question.type == "choice":
        for option in question.options:
            if option.value == value:
                return option.label.get(w.lang)
        return str(value)
    day = as_date(value)
    if day is not None:
        return _date_text(day, w)
    return number_text(value)


def _join(items: Sequence[str], w: Wording) -> str:
    if len(items) == 1:
        return items[0]
    return w.list_sep.join(items[:-1]) + w.last_sep + items[-1]


def _requirement(cond: Condition, negated: bool, question: Question, w: Wording) -> str:
    """What the answer must be, e.g. "at least 60 years" / "不低于60岁"."""
    op: str = cond.op
    if op in DATE_OPS:
        count = number_text(cond.value)
        plural = 0 if count == "1" else 1
        return w.span[(op, negated)].format(c=count, days=w.day_words[plural], years=w.year_words[plural])
    if negated:
        op = _NEGATION[op]
    value = cond.value
    if op in ("in", "not_in") and isinstance(value, list) and len(value) == 1:
        op, value = ("eq" if op == "in" else "ne"), value[0]
    if isinstance(value, bool) and op == "ne":
        op, value = "eq", not value
    if op in ("in", "not_in"):
        shown = [w.quote.format(text=_value_text(question, v, w)) for v in flat(value)]
        return (w.one_of if op == "in" else w.none_of).format(values=_join(shown, w))
    if isinstance(value, bool) or (question.type == "choice" and op in ("eq", "ne")) or isinstance(value, list):
        shown_one = w.quote.format(text=_value_text(question, value, w))
        return (w.equals if op == "eq" else w.other_than).format(value=shown_one)
    day = as_date(value)
    if day is not None and question.type != "number":
        return w.date_compare[op].format(d=_date_text(day, w))
    amount = number_text(value)
    if question.unit is not None:
        amount = w.unit.format(amount=amount, unit=question.unit.get(w.lang))
    return w.compare[op].format(n=amount)


def _said(question: Question, answer: Any, w: Wording) -> str:
    if answer is None:
        return w.not_answered
    return w.you_said.format(value=_value_text(question, answer, w))
