"""The catalogue exported from GSA-TTS/usagov-benefits-eligibility.

Texts are ``{"en": ..., "es": ...}``; question types are boolean, radio,
select, date and location (asked by the source, used by no criterion: read as
a text question, which the bank cannot hold). Several *date* values on one
criterion must all hold ("18 to 64 years").
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from service_catalog.model import Criterion

from ._criteria import benefit_criteria, criterion, english, get_field, unique
from ._matching import NO, YES, slug
from .errors import RulesetInvalid
from .ruleset import ImportedBenefit, ImportedOption, ImportedQuestion, ImportedRuleset, ImportedType

__all__ = ["convert_usagov", "is_usagov"]


def is_usagov(data: Mapping[str, Any]) -> bool:
    """True for data in this format."""
    questions = data.get("questions")
    return (
        isinstance(data.get("life_events"), list)
        and isinstance(questions, list)
        and all(isinstance(q, Mapping) and isinstance(q.get("question"), Mapping) for q in questions)
    )


def _usagov_question(raw: Any, index: int) -> ImportedQuestion:
    where = f"questions[{index}]"
    key = get_field(raw, "key", str, where)
    text = english(raw.get("question")) or key
    source_type = str(raw.get("type", "")).lower()
    options_raw = raw.get("options")
    labels = [str(o).strip() for o in (options_raw.get("en") if isinstance(options_raw, Mapping) else None) or []]
    kind: ImportedType
    if source_type in ("boolean", "radio") and {label.lower() for label in labels} <= YES | NO:
        kind, labels = "boolean", []
    elif source_type in ("select", "radio"):
        kind = "choice"
    elif source_type == "date":
        kind = "date"
    else:
        kind = "text"  # "location": asked by the source, used by no criterion
    options = tuple(ImportedOption(slug(label, where), label) for label in labels)
    return ImportedQuestion(slug(key, where), key, kind, text, "", options)


def convert_usagov(data: Mapping[str, Any]) -> ImportedRuleset:
    """The ruleset (no scenarios); ``RulesetInvalid`` for data not in this shape."""
    questions = unique([_usagov_question(q, i) for i, q in enumerate(get_field(data, "questions", list, "$"))])
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
            accepted = crit.get("acceptable_values")
            values = accepted.get("en") if isinstance(accepted, Mapping) else crit.get("raw_acceptable_values")
            if not isinstance(values, list):
                raise RulesetInvalid(f"{here}.acceptable_values: missing", field=here)
            criteria.append(criterion(question, values, english(crit.get("label")), here, True, warnings))
        benefits.append(
            ImportedBenefit(
                bid,
                english(raw.get("title")) or bid,
                benefit_criteria(criteria),
                english(raw.get("agency")),
                english(raw.get("application_url")),
            )
        )
    source = data.get("source")
    return ImportedRuleset(
        "usagov-benefits-eligibility",
        dict(source) if isinstance(source, Mapping) else {},
        questions,
        tuple(benefits),
        (),
        tuple(warnings),
    )
