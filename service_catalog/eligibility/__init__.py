"""The eligibility engine: three-valued evaluation, question choice, explanations and free-text answers.

Pure: no I/O. See ``README.md`` in this folder.
"""

from .assessment import Assessment, Reason, assess
from .coercion import coerce_answer, coerce_answers
from .errors import InvalidAnswer, InvalidCriterion
from .evaluation import Verdict, evaluate
from .parse import (
    CONFIDENT,
    Reading,
    Turn,
    parse_answer,
    parse_choice,
    parse_date,
    parse_district,
    parse_number,
    parse_yes_no,
    read_answer,
    said_phrase,
    understand_turn,
)
from .questions import next_question, open_questions
from .subjects import RELATIONS, SELF, Person, person, question_text

__all__ = [
    "CONFIDENT",
    "RELATIONS",
    "SELF",
    "Assessment",
    "InvalidAnswer",
    "InvalidCriterion",
    "Person",
    "Reading",
    "Reason",
    "Turn",
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
    "person",
    "question_text",
    "read_answer",
    "said_phrase",
    "understand_turn",
]
