"""A free-text answer to a question of the bank, read by the question's type (pure: no I/O)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ...model import Question
from .choices import parse_choice
from .dates import parse_date
from .numbers import parse_number
from .yes_no import parse_yes_no, restates_question

__all__ = ["parse_answer"]


def parse_answer(question: Question, text: str, today: dt.date) -> Any | None:
    """Understand a free-text answer to ``question``.

    Args:
        question: The question that was asked.
        text: What the citizen typed, in Chinese or English.
        today: The date that relative answers ("yesterday", "上周") count from.

    Returns:
        ``bool``, ``int``/``float``, an option value, or ``datetime.date``;
        None when the text could not be understood. Numbers are not checked
        against the question's min and max here.
    """
    if question.type == "boolean":
        answer = parse_yes_no(text)
        return answer if answer is not None else restates_question(question, text)
    if question.type == "number":
        return parse_number(text)
    if question.type == "choice":
        return parse_choice(question, text)
    return parse_date(text, today)
