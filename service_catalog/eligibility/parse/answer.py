"""A free-text answer to a question of the bank, read by the question's type (pure: no I/O)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ...model import Question
from .reading import read_answer

__all__ = ["parse_answer"]


def parse_answer(question: Question, text: str, today: dt.date) -> Any | None:
    """Understand a free-text answer to ``question``.

    Args:
        question: The question that was asked.
        text: What the citizen typed, in Chinese or English.
        today: The date that relative answers ("yesterday", "上周") count from.

    Returns:
        ``bool``, ``int``/``float`` (in the question's unit: "about 3 years" to a
        question in months is 36), an option value, or ``datetime.date``; None
        when the text could not be understood. Numbers are not checked against
        the question's min and max here. :func:`~.reading.read_answer` also says
        how the words were read and whether to confirm.
    """
    reading = read_answer(question, text, today)
    return reading.value if reading is not None else None
