"""A source's benefit criteria as our criteria: acceptable values become ``in``/``eq``, date rules date conditions."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from typing import Any

from service_catalog.model import AllOf, AnyOf, Condition, Criterion, LocalizedText, Operator

from ._matching import flag, option_for, slug
from .errors import RulesetInvalid
from .ruleset import ImportedQuestion, en_only

__all__ = ["benefit_criteria", "criterion", "english", "get_field", "unique"]

_DATE_RULE = re.compile(r"^(>=|<=|>|<|=)\s*(?:(\d+)\s*years?|(\d{1,2})-(\d{1,2})-(\d{4}))$")
_FIXED_DATE_OPS: dict[str, Operator] = {">=": "ge", ">": "gt", "<": "lt", "<=": "le", "=": "eq"}


def get_field(data: Mapping[str, Any], key: str, kind: type | tuple[type, ...], where: str) -> Any:
    """``data[key]`` when it is a ``kind``; ``RulesetInvalid`` naming ``where`` otherwise."""
    value = data.get(key) if isinstance(data, Mapping) else None
    if not isinstance(value, kind):
        raise RulesetInvalid(f"{where}.{key}: missing or of the wrong type", field=f"{where}.{key}")
    return value


def english(value: Any) -> str:
    """A plain or ``{"en": ...}`` text as a string (English)."""
    if isinstance(value, Mapping):
        value = value.get("en")
    return value.strip() if isinstance(value, str) else ""


def _date_condition(qid: str, rule: str, label: LocalizedText | None, where: str) -> Condition:
    match = _DATE_RULE.match(rule.strip())
    if match is None:
        raise RulesetInvalid(f"{where}: {rule!r} is not a date rule we know (like <2years or >=05-20-2020)", field=where)
    sign, years, month, day, year = match.groups()
    if years is not None:
        if sign == "=":
            raise RulesetInvalid(f"{where}: {rule!r}: an exact age in years is not supported", field=where)
        span: Operator = "within_years" if sign in ("<", "<=") else "before_years"
        return Condition(q=qid, op=span, value=int(years), label=label)
    try:
        limit = dt.date(int(year), int(month), int(day))
    except ValueError:
        raise RulesetInvalid(f"{where}: {rule!r} is not a real date", field=where) from None
    return Condition(q=qid, op=_FIXED_DATE_OPS[sign], value=limit.isoformat(), label=label)


def criterion(
    question: ImportedQuestion,
    values: Sequence[Any],
    label_text: str,
    where: str,
    dates_all: bool,
    warnings: list[str],
) -> Criterion:
    """One source criterion (a question and its acceptable values) as our criterion."""
    label = en_only(label_text) if label_text else None
    qid = question.id
    if not values:
        raise RulesetInvalid(f"{where}: no acceptable values", field=where)
    if question.type == "date":
        conditions: list[Criterion] = [_date_condition(qid, str(v), label, where) for v in values]
        if len(conditions) == 1:
            return conditions[0]
        return AllOf(all=conditions, label=label) if dates_all else AnyOf(any=conditions, label=label)
    if question.type == "boolean":
        flags = sorted({flag(v, where) for v in values})
        if len(flags) == 1:
            return Condition(q=qid, op="eq", value=flags[0], label=label)
        return AnyOf(any=[Condition(q=qid, op="eq", value=f, label=label) for f in flags], label=label)
    if question.type == "choice":
        chosen: list[str] = []
        for v in values:
            value, how = option_for(question, str(v))
            if value is None:
                value = slug(str(v), where)
                warnings.append(f"{where}: {v!r} is not an option of {qid}; it can never be met")
            elif how is not None:
                warnings.append(f"{where}: {how}")
            chosen.append(value)
        return Condition(q=qid, op="in", value=list(dict.fromkeys(chosen)), label=label)
    raise RulesetInvalid(f"{where}: criteria on the {question.type} question {qid} are not supported", field=where)


def benefit_criteria(criteria: list[Criterion]) -> Criterion | None:
    """All of a benefit's criteria must hold; None when it lists none."""
    if not criteria:
        return None
    return criteria[0] if len(criteria) == 1 else AllOf(all=criteria)


def unique(questions: list[ImportedQuestion]) -> dict[str, ImportedQuestion]:
    """Questions by id; ``RulesetInvalid`` when two source keys give the same id."""
    out: dict[str, ImportedQuestion] = {}
    for q in questions:
        if q.id in out:
            raise RulesetInvalid(f"questions {out[q.id].source_key!r} and {q.source_key!r} both become the id {q.id!r}", field=q.id)
        out[q.id] = q
    return out
