"""Three general rules of the yes/no reader found missing by the written dev set (evaluation/written/dev):
answers in traditional characters, a space between Chinese words as a comma, and a leading "no" that
answers the question rather than negating the situation after it. The sentences here are new, not the set's."""

from __future__ import annotations

import datetime as dt

import pytest

from service_catalog.catalogue import Catalogue
from service_catalog.eligibility import read_answer

TODAY = dt.date(2026, 12, 1)


@pytest.mark.parametrize(
    ("question", "answer", "expected"),
    [
        ("has_residence_permit", "居住證過期了", False),  # traditional characters read as simplified
        ("has_driving_licence", "有駕照", True),
        ("has_driving_licence", "没有 还在学车呢", False),  # the space ends the clause: 没有 does not negate 还在学车
        ("registered_unemployed", "没呢 还没登记", False),
        ("settling_abroad", "no just visiting my aunt for a month", False),  # the leading no answers; "visiting" is not negated
        ("owns_dog", "nope only cats at home", False),
    ],
)
def test_general_reading_rules(catalogue: Catalogue, question: str, answer: str, expected: bool) -> None:
    reading = read_answer(catalogue.questions[question], answer, TODAY)
    assert reading is not None and reading.value is expected and reading.confident, (answer, reading)


def test_a_negation_in_the_same_clause_still_flips(catalogue: Catalogue) -> None:
    """The space rule only splits between Chinese words; "没有养狗" stays one clause and reads no."""
    reading = read_answer(catalogue.questions["owns_dog"], "没有养狗", TODAY)
    assert reading is not None and reading.value is False
