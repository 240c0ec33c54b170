"""Shared test data for the eligibility tests: a small question bank and the residence-permit criteria.

Plain module-level constants, never mutated by a test.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import TypeAdapter

from service_catalog.model import Condition, Criterion, Question

__all__ = ["BANK", "RESIDENCE", "TODAY", "c", "crit", "question"]

TODAY = dt.date(2025, 6, 15)


def c(q: str, op: str, value: Any, **kw: Any) -> Condition:
    return Condition.model_validate({"q": q, "op": op, "value": value, **kw})


_CRITERION: TypeAdapter[Criterion] = TypeAdapter(Criterion)


def crit(data: Any) -> Criterion:
    """A criterion from its YAML-like dict form."""
    return _CRITERION.validate_python(data)


def question(data: dict[str, Any]) -> Question:
    base = {"text": {"zh": "问题？", "en": "Question?"}, "why": {"zh": "原因。", "en": "Why."}}
    return Question.model_validate({**base, **data})


BANK: dict[str, Question] = {
    q.id: q
    for q in [
        question(
            {
                "id": "age",
                "type": "number",
                "text": {"zh": "您今年多少岁？", "en": "How old are you?"},
                "unit": {"zh": "岁", "en": "years"},
                "min": 0,
                "max": 130,
            }
        ),
        question(
            {
                "id": "hukou_shanghai",
                "type": "boolean",
                "text": {"zh": "您是否有本市户籍？", "en": "Is your hukou in Shanghai?"},
            }
        ),
        question(
            {
                "id": "lived_in_city_months",
                "type": "number",
                "text": {"zh": "您在本市连续居住了多少个月？", "en": "How many months have you lived in the city?"},
                "unit": {"zh": "个月", "en": "months"},
                "min": 0,
                "max": 1200,
            }
        ),
        question(
            {
                "id": "has_legal_residence",
                "type": "boolean",
                "text": {"zh": "您是否有合法稳定的住所？", "en": "Do you have a lawful, stable home here?"},
            }
        ),
        question(
            {
                "id": "employment_status",
                "type": "choice",
                "text": {"zh": "您目前的就业状况是？", "en": "What is your current work situation?"},
                "options": [
                    {"value": "employed", "label": {"zh": "在职", "en": "Employed"}},
                    {"value": "self_employed", "label": {"zh": "个体经营", "en": "Self-employed"}},
                    {"value": "unemployed", "label": {"zh": "失业", "en": "Unemployed"}},
                    {"value": "student", "label": {"zh": "在校学生", "en": "Student"}},
                    {"value": "retired", "label": {"zh": "已退休", "en": "Retired"}},
                ],
            }
        ),
        question(
            {
                "id": "date_of_death",
                "type": "date",
                "text": {"zh": "去世日期是哪一天？", "en": "What was the date of death?"},
            }
        ),
    ]
}

RESIDENCE = crit(
    {
        "all": [
            {"q": "hukou_shanghai", "op": "eq", "value": False},
            {"q": "lived_in_city_months", "op": "ge", "value": 6},
            {
                "any": [
                    {"q": "employment_status", "op": "in", "value": ["employed", "self_employed", "student"]},
                    {"q": "has_legal_residence", "op": "eq", "value": True},
                ]
            },
        ]
    }
)
