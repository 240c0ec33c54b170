"""The eligibility engine: three-valued evaluation, question choice, explanations and free-text answers.

Pure: no I/O. See ``README.md`` in this folder.
"""

from .engine import (
    Assessment,
    InvalidAnswer,
    InvalidCriterion,
    Reason,
    Verdict,
    assess,
    coerce_answer,
    coerce_answers,
    evaluate,
    next_question,
    open_questions,
)
from .parse import parse_answer, parse_choice, parse_date, parse_district, parse_number, parse_yes_no

__all__ = [
    "Assessment",
    "InvalidAnswer",
    "InvalidCriterion",
    "Reason",
    "Verdict",
    "assess",
    "coerce_answer",
    "coerce_answers",
    "evaluate",
    "next_question",
    "open_questions",
    "parse_answer",
    "parse_choice",
    "parse_date",
    "parse_district",
    "parse_number",
    "parse_yes_no",
]
