"""The eligibility engine: three-valued evaluation, question choice, explanations and free-text answers.

Pure: no I/O. See ``README.md`` in this folder.
"""

from .assessment import Assessment, Reason, assess
from .coercion import coerce_answer, coerce_answers
from .errors import InvalidAnswer, InvalidCriterion
from .evaluation import Verdict, evaluate
from .parse import parse_answer, parse_choice, parse_date, parse_district, parse_number, parse_yes_no
from .questions import next_question, open_questions

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
