"""The flattened "death of a loved one" catalogue of GSA/px-benefit-finder, with GSA's test scenarios.

Questions have ``key``/``question``/``type`` (Date, Radio, Select); a Radio
or Select question whose options are Yes and No is a yes/no question.
Benefits list criteria with ``acceptable_values``; several acceptable values
on one criterion are alternatives. GSA's scenarios are the ``cases``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from service_catalog.model import Criterion

from ._criteria import benefit_criteria, criterion, english, get_field, unique
from ._matching import slug
from .errors import RulesetInvalid
from .ruleset import ImportedBenefit, ImportedCase, ImportedOption, ImportedQuestion, ImportedRuleset, ImportedType, convert_answers

__all__ = ["convert_px", "is_px"]

_PX_TYPES: dict[str, ImportedType] = {"date": "date", "radio": "choice", "select": "choice"}


def is_px(data: Mapping[str, Any]) -> bool:
    """True for data in this format."""
    questions = data.get("questions")
    return (
        isinstance(questions, list)
        and isinstance(data.get("benefits"), list)
        and all(isinstance(q, Mapping) and isinstance(q.get("question"), str) for q in questions)
    )


def _px_question(raw: Any, index: int) -> ImportedQuestion:
    where = f"questions[{index}]"
    key = get_field(raw, "key", str, where)
    text = get_field(raw, "question", str, where).strip() or key
    kind = _PX_TYPES.get(str(raw.get("type", "")).lower())
    if kind is None:
        raise RulesetInvalid(f"{where}: unknown question type {raw.get('type')!r}", field=where)
    labels = [str(o).strip() for o in raw.get("options") or []]
    if kind == "choice" and {label.lower() for label in labels} == {"yes", "no"}:
        kind, labels = "boolean", []
    options = tuple(ImportedOption(slug(label, where), label) for label in labels)
    return ImportedQuestion(slug(key, where), key, kind, text, str(raw.get("hint") or "").strip(), options)


def convert_px(data: Mapping[str, Any]) -> ImportedRuleset:
    """The ruleset, with GSA's scenarios; ``RulesetInvalid`` for data not in this shape."""
    questions = unique([_px_question(q, i) for i, q in enumerate(get_field(data, "questions", list, "$"))])
    by_key = {q.source_key: q for q in questions.values()}
    warnings: list[str] = []
    benefits: list[ImportedBenefit] = []
    for i, raw in enumerate(get_field(data, "benefits", list, "$")):
        where = f"benefits[{i}]"
        bid = slug(get_field(raw, "id", str, where), where)
        criteria: list[Criterion] = []
        for j, crit in enumerate(raw.get("eligibility") or []):
            here = f"{bid}.eligibility[{j}]"
            question = by_key.get(get_field(crit, "key", str, here))
            if question is None:
                raise RulesetInvalid(f"{here}: unknown question {crit['key']!r}", field=here)
            values = get_field(crit, "acceptable_values", list, here)
            criteria.append(criterion(question, values, english(crit.get("label")), here, False, warnings))
        benefits.append(
            ImportedBenefit(
                bid,
                english(raw.get("title")) or bid,
                benefit_criteria(criteria),
                english(raw.get("agency")),
                english(raw.get("application_url")),
            )
        )
    cases = tuple(_px_case(questions, raw, i) for i, raw in enumerate(data.get("cases") or []))
    source = data.get("source")
    return ImportedRuleset(
        "px-benefit-finder",
        dict(source) if isinstance(source, Mapping) else {},
        questions,
        tuple(benefits),
        cases,
        tuple(warnings),
    )


def _px_case(questions: Mapping[str, ImportedQuestion], raw: Any, index: int) -> ImportedCase:
    where = f"cases[{index}]"
    expected = get_field(raw, "expected", Mapping, where)
    try:
        when = dt.date.fromisoformat(get_field(raw, "evaluation_date", str, where))
    except ValueError:
        raise RulesetInvalid(f"{where}.evaluation_date: not an ISO date", field=where) from None
    more = expected.get("more_information_needed_count")
    return ImportedCase(
        id=str(raw.get("case") or where),
        evaluation_date=when,
        answers=convert_answers(questions, get_field(raw, "answers", Mapping, where)),
        expected_eligible=int(get_field(expected, "eligible_count", int, f"{where}.expected")),
        expected_more_information_needed=int(more) if isinstance(more, int) else None,
        eligible_ids_stated=tuple(str(x) for x in expected.get("eligible_ids_stated_by_gsa") or ()),
        note=str(raw.get("note") or ""),
    )
