"""Importers for eligibility rules written by others: GSA's USAGov Benefit Finder.

Two formats are registered in :data:`FORMATS`, like add-ons:

``px-benefit-finder``
    The flattened "death of a loved one" catalogue of GSA/px-benefit-finder
    (questions with ``key``/``question``/``type`` Date|Radio|Select, benefits
    whose criteria list ``acceptable_values``, and GSA's test scenarios as
    ``cases``). Several acceptable values on one criterion are alternatives.
``usagov-benefits-eligibility``
    The catalogue exported from GSA-TTS/usagov-benefits-eligibility (texts as
    ``{"en": ..., "es": ...}``, question types boolean|radio|select|date|location).
    Several *date* values on one criterion must all hold ("18 to 64 years").

Both become an :class:`ImportedRuleset`: questions by id, and benefits whose
criteria are our :data:`~service_catalog.model.Criterion` (all of the benefit's
criteria; acceptable values become ``in``/``eq``). Encoded date rules become
date conditions: ``<2years`` → ``within_years 2``, ``>=60years`` and
``>60years`` → ``before_years 60`` (age at least 60; USAGov's labels read
``>`` that way), ``>=05-20-2020`` → ``ge "2020-05-20"``. Whole years are
counted as an age is, so a rule and GSA's own code can differ on the
anniversary day itself, never otherwise.

The sources are English only. The imported structures carry plain strings;
where our model needs a :class:`~service_catalog.model.LocalizedText` (a
condition's label, :meth:`ImportedQuestion.to_question`), the Chinese side
repeats the English after :data:`EN_ONLY_MARK`.

Errors::

    CatalogError
    ├── CatalogInvalid(ValueError)     422 catalog_invalid
    │   └── RulesetInvalid             422 ruleset_invalid
    └── InvalidRequest(ValueError)     400
        └── InvalidAnswer              400 invalid_answer   (an answer in a source's format)
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from ..eligibility.engine import InvalidAnswer, Verdict, evaluate
from ..errors import CatalogError, CatalogInvalid
from ..model import SLUG, AllOf, AnyOf, Choice, Condition, Criterion, LocalizedText, Operator, Question

__all__ = [
    "EN_ONLY_MARK",
    "FORMATS",
    "ImportedBenefit",
    "ImportedCase",
    "ImportedOption",
    "ImportedQuestion",
    "ImportedRuleset",
    "RulesetFormat",
    "RulesetInvalid",
    "load_ruleset",
    "parse_ruleset",
    "register_format",
]

EN_ONLY_MARK = "【仅有英文】"
"""Prefix of a Chinese text that only repeats the English source."""

ImportedType = Literal["boolean", "number", "choice", "date", "text"]

_SLUG_RUN = re.compile(r"[^a-z0-9]+")
_DATE_RULE = re.compile(r"^(>=|<=|>|<|=)\s*(?:(\d+)\s*years?|(\d{1,2})-(\d{1,2})-(\d{4}))$")
_FIXED_DATE_OPS: dict[str, Operator] = {">=": "ge", ">": "gt", "<": "lt", "<=": "le", "=": "eq"}
_STOP_WORDS = frozenset({"a", "an", "the", "of", "or", "and"})
# Acceptable values that name an option by another word.
_SYNONYMS = {"unmarried": "not married", "not married": "unmarried"}
_YES = frozenset({"yes", "true"})
_NO = frozenset({"no", "false"})


class RulesetInvalid(CatalogInvalid):
    """An imported rules file that does not have the expected shape."""

    code = "ruleset_invalid"

    def __init__(self, message: str, *, field: str | None = None) -> None:
        CatalogError.__init__(self, message, field=field)


@dataclass(frozen=True)
class ImportedOption:
    """One option of an imported choice question.

    Attributes:
        value: Our slug for the option.
        label: The source's text, shown to people.
    """

    value: str
    label: str


@dataclass(frozen=True)
class ImportedQuestion:
    """A question of an imported ruleset, in the source's (English) words.

    Attributes:
        id: Our id (a slug of ``source_key``).
        source_key: The source's key, used in its answers.
        type: boolean, number, choice, date, or text (a kind our engine does not evaluate).
        text: The question.
        hint: The source's help text, possibly empty.
        options: For choice questions.
    """

    id: str
    source_key: str
    type: ImportedType
    text: str
    hint: str = ""
    options: tuple[ImportedOption, ...] = ()

    def to_question(self) -> Question:
        """This question as a bank :class:`Question`, zh marked with :data:`EN_ONLY_MARK`.

        Raises:
            RulesetInvalid: For a text question, which the bank cannot hold.
        """
        if self.type == "text":
            raise RulesetInvalid(f"{self.id} is a free-text question; the question bank has none", field=self.id)
        why = self.hint or "Asked by the USAGov Benefit Finder."
        return Question(
            id=self.id,
            type=self.type,
            text=_en_only(self.text),
            why=_en_only(why),
            options=[Choice(value=o.value, label=_en_only(o.label)) for o in self.options],
        )


@dataclass(frozen=True)
class ImportedBenefit:
    """A benefit of an imported ruleset.

    Attributes:
        id: The source's id (a slug).
        title: The English title.
        criteria: Our criteria tree; None when the source lists none.
        agency: The agency, when given.
        url: The application or information link, when given.
    """

    id: str
    title: str
    criteria: Criterion | None
    agency: str = ""
    url: str = ""


@dataclass(frozen=True)
class ImportedCase:
    """A test scenario published with the rules (px-benefit-finder only).

    Attributes:
        id: The scenario name.
        evaluation_date: The date the expectation holds on.
        answers: Answers converted to our ids and values.
        expected_eligible: How many benefits the source expects to be eligible.
        expected_more_information_needed: How many need more information, when stated.
        eligible_ids_stated: Benefits the source names as eligible.
        note: The source's note.
    """

    id: str
    evaluation_date: dt.date
    answers: Mapping[str, Any]
    expected_eligible: int
    expected_more_information_needed: int | None
    eligible_ids_stated: tuple[str, ...]
    note: str = ""


@dataclass(frozen=True)
class ImportedRuleset:
    """Questions and benefits imported from another project.

    Attributes:
        format: The name of the format read (a key of :data:`FORMATS`).
        source: The source's provenance block (repository, commit, licence...).
        questions: Question id to question.
        benefits: The benefits, in the source's order.
        cases: The source's test scenarios, if any.
        warnings: Values read loosely or left unmatched, one sentence each.
    """

    format: str
    source: Mapping[str, Any]
    questions: Mapping[str, ImportedQuestion]
    benefits: tuple[ImportedBenefit, ...]
    cases: tuple[ImportedCase, ...] = ()
    warnings: tuple[str, ...] = field(default=())

    def bank(self) -> dict[str, Question]:
        """The questions our engine can ask, as bank :class:`Question` objects (zh marked English)."""
        return {qid: q.to_question() for qid, q in self.questions.items() if q.type != "text"}

    def convert_answers(self, raw: Mapping[str, Any]) -> dict[str, Any]:
        """Answers in the source's format (keys and values) as our ids and values.

        Args:
            raw: Source key (or our id) to value: "Yes"/"No"/true/false, an
                option's text, ``{"year", "month", "day"}`` or an ISO date.

        Returns:
            Our question id to a ``bool``, option slug or ``datetime.date``.

        Raises:
            InvalidAnswer: An unknown key or a value the question does not allow.
        """
        return _convert_answers(self.questions, raw)

    def evaluate(self, answers: Mapping[str, Any], today: dt.date) -> dict[str, Verdict]:
        """The verdict for every benefit, over answers already converted.

        Args:
            answers: Our question id to value (see :meth:`convert_answers`).
            today: The evaluation date.

        Returns:
            Benefit id to verdict; UNKNOWN is the source's "more information needed".
        """
        return {b.id: evaluate(b.criteria, answers, today) for b in self.benefits}


@dataclass(frozen=True)
class RulesetFormat:
    """A registered import format.

    Attributes:
        name: The format's name.
        detect: True for data in this format.
        convert: Data to ruleset; raises :class:`RulesetInvalid`.
    """

    name: str
    detect: Callable[[Mapping[str, Any]], bool]
    convert: Callable[[Mapping[str, Any]], ImportedRuleset]


FORMATS: dict[str, RulesetFormat] = {}
"""The registered formats by name; :func:`register_format` adds one."""


def register_format(fmt: RulesetFormat) -> RulesetFormat:
    """Register an import format (a later registration of the same name replaces it).

    Args:
        fmt: The format.

    Returns:
        The same format, so this can wrap a module-level definition.
    """
    FORMATS[fmt.name] = fmt
    return fmt


def parse_ruleset(data: Mapping[str, Any], *, format: str | None = None) -> ImportedRuleset:
    """Convert already-decoded JSON data into an :class:`ImportedRuleset`.

    Args:
        data: The decoded file.
        format: A key of :data:`FORMATS`; detected from the data when None.

    Returns:
        The ruleset.

    Raises:
        RulesetInvalid: Unknown format, or data not in the format's shape.
    """
    if not isinstance(data, Mapping):
        raise RulesetInvalid("a rules file must hold a JSON object")
    if format is not None:
        fmt = FORMATS.get(format)
        if fmt is None:
            raise RulesetInvalid(f"unknown format {format!r}; known formats: {', '.join(sorted(FORMATS))}")
        return fmt.convert(data)
    for fmt in FORMATS.values():
        if fmt.detect(data):
            return fmt.convert(data)
    raise RulesetInvalid(f"not a format we can import; known formats: {', '.join(sorted(FORMATS))}")


def load_ruleset(path: str | Path, *, format: str | None = None) -> ImportedRuleset:
    """Read a JSON rules file and convert it (see :func:`parse_ruleset`).

    Args:
        path: The file.
        format: A key of :data:`FORMATS`; detected when None.

    Returns:
        The ruleset.

    Raises:
        RulesetInvalid: Unreadable JSON or data not in a known format.
        OSError: The file cannot be read.
    """
    text = Path(path).read_text(encoding="utf-8")
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise RulesetInvalid(f"{path}: not valid JSON ({exc})") from None
    return parse_ruleset(data, format=format)


# --------------------------------------------------------------------------- shared helpers


def _slug(text: str, where: str) -> str:
    """``text`` itself when it is already one of our ids, else lower case with ``_`` between words."""
    if SLUG.fullmatch(text):
        return text
    slug = _SLUG_RUN.sub("_", text.lower()).strip("_")
    if not slug:
        raise RulesetInvalid(f"{where}: {text!r} gives an empty id", field=where)
    return slug


def _en_only(text: str) -> LocalizedText:
    return LocalizedText(zh=f"{EN_ONLY_MARK}{text}", en=text)


def _words(text: str) -> frozenset[str]:
    return frozenset(re.findall(r"[a-z0-9]+", text.lower())) - _STOP_WORDS


def _squash(text: str) -> str:
    return " ".join(text.lower().split())


def _get(data: Mapping[str, Any], key: str, kind: type | tuple[type, ...], where: str) -> Any:
    value = data.get(key) if isinstance(data, Mapping) else None
    if not isinstance(value, kind):
        raise RulesetInvalid(f"{where}.{key}: missing or of the wrong type", field=f"{where}.{key}")
    return value


def _text(value: Any) -> str:
    """A plain or ``{"en": ...}`` text as a string (English)."""
    if isinstance(value, Mapping):
        value = value.get("en")
    return value.strip() if isinstance(value, str) else ""


def _option_for(question: ImportedQuestion, raw: str) -> tuple[str | None, str | None]:
    """(option value, how it was read) for a source value; (None, None) when no option fits."""
    by_label = {_squash(o.label): o.value for o in question.options}
    by_value = {o.value: o.value for o in question.options}
    key = _squash(raw)
    if key in by_label:
        return by_label[key], None
    if key in by_value:
        return by_value[key], None
    synonym = _SYNONYMS.get(key)
    if synonym is not None and synonym in by_label:
        return by_label[synonym], f"read {raw!r} as the option {synonym!r}"
    words = _words(raw)
    near = [o for o in question.options if _words(o.label) and _words(o.label) <= words]
    if len(near) == 1:
        return near[0].value, f"read {raw!r} as the option {near[0].label!r}"
    return None, None


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


def _criterion(
    question: ImportedQuestion,
    values: Sequence[Any],
    label_text: str,
    where: str,
    dates_all: bool,
    warnings: list[str],
) -> Criterion:
    """One source criterion (a question and its acceptable values) as our criterion."""
    label = _en_only(label_text) if label_text else None
    qid = question.id
    if not values:
        raise RulesetInvalid(f"{where}: no acceptable values", field=where)
    if question.type == "date":
        conditions: list[Criterion] = [_date_condition(qid, str(v), label, where) for v in values]
        if len(conditions) == 1:
            return conditions[0]
        return AllOf(all=conditions, label=label) if dates_all else AnyOf(any=conditions, label=label)
    if question.type == "boolean":
        flags = sorted({_flag(v, where) for v in values})
        if len(flags) == 1:
            return Condition(q=qid, op="eq", value=flags[0], label=label)
        return AnyOf(any=[Condition(q=qid, op="eq", value=f, label=label) for f in flags], label=label)
    if question.type == "choice":
        chosen: list[str] = []
        for v in values:
            value, how = _option_for(question, str(v))
            if value is None:
                value = _slug(str(v), where)
                warnings.append(f"{where}: {v!r} is not an option of {qid}; it can never be met")
            elif how is not None:
                warnings.append(f"{where}: {how}")
            chosen.append(value)
        return Condition(q=qid, op="in", value=list(dict.fromkeys(chosen)), label=label)
    raise RulesetInvalid(f"{where}: criteria on the {question.type} question {qid} are not supported", field=where)


def _flag(value: Any, where: str) -> bool:
    if isinstance(value, bool):
        return value
    word = str(value).strip().lower()
    if word in _YES:
        return True
    if word in _NO:
        return False
    raise RulesetInvalid(f"{where}: {value!r} is not a yes/no value", field=where)


def _benefit_criteria(criteria: list[Criterion]) -> Criterion | None:
    if not criteria:
        return None
    return criteria[0] if len(criteria) == 1 else AllOf(all=criteria)


def _unique(questions: list[ImportedQuestion]) -> dict[str, ImportedQuestion]:
    out: dict[str, ImportedQuestion] = {}
    for q in questions:
        if q.id in out:
            raise RulesetInvalid(f"questions {out[q.id].source_key!r} and {q.source_key!r} both become the id {q.id!r}", field=q.id)
        out[q.id] = q
    return out


def _convert_answers(questions: Mapping[str, ImportedQuestion], raw: Mapping[str, Any]) -> dict[str, Any]:
    by_key = {q.source_key: q for q in questions.values()}
    out: dict[str, Any] = {}
    for key, value in raw.items():
        question = by_key.get(key) or questions.get(key)
        if question is None:
            raise InvalidAnswer(f"unknown question {key!r}", field=str(key))
        if value is None:
            continue
        out[question.id] = _convert_value(question, value)
    return out


def _convert_value(question: ImportedQuestion, value: Any) -> Any:
    qid = question.id
    if question.type == "boolean":
        try:
            return _flag(value, qid)
        except RulesetInvalid:
            raise InvalidAnswer(f"{qid} is a yes/no question, not {value!r}", field=qid) from None
    if question.type == "choice":
        chosen, _ = _option_for(question, str(value))
        if chosen is None:
            labels = ", ".join(o.label for o in question.options)
            raise InvalidAnswer(f"{qid} must be one of: {labels}; not {value!r}", field=qid)
        return chosen
    if question.type == "date":
        try:
            if isinstance(value, Mapping):
                return dt.date(int(value["year"]), int(value["month"]), int(value["day"]))
            if isinstance(value, dt.date):
                return value
            return dt.date.fromisoformat(str(value))
        except (KeyError, TypeError, ValueError):
            raise InvalidAnswer(f"{qid} needs a date ({{year, month, day}} or yyyy-mm-dd), not {value!r}", field=qid) from None
    if question.type == "number":
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise InvalidAnswer(f"{qid} needs a number, not {value!r}", field=qid)
        return value
    return str(value)


# --------------------------------------------------------------------------- px-benefit-finder

_PX_TYPES: dict[str, ImportedType] = {"date": "date", "radio": "choice", "select": "choice"}


def _is_px(data: Mapping[str, Any]) -> bool:
    questions = data.get("questions")
    return (
        isinstance(questions, list)
        and isinstance(data.get("benefits"), list)
        and all(isinstance(q, Mapping) and isinstance(q.get("question"), str) for q in questions)
    )


def _px_question(raw: Any, index: int) -> ImportedQuestion:
    where = f"questions[{index}]"
    key = _get(raw, "key", str, where)
    text = _get(raw, "question", str, where).strip() or key
    kind = _PX_TYPES.get(str(raw.get("type", "")).lower())
    if kind is None:
        raise RulesetInvalid(f"{where}: unknown question type {raw.get('type')!r}", field=where)
    labels = [str(o).strip() for o in raw.get("options") or []]
    if kind == "choice" and {label.lower() for label in labels} == {"yes", "no"}:
        kind, labels = "boolean", []
    options = tuple(ImportedOption(_slug(label, where), label) for label in labels)
    return ImportedQuestion(_slug(key, where), key, kind, text, str(raw.get("hint") or "").strip(), options)


def _convert_px(data: Mapping[str, Any]) -> ImportedRuleset:
    questions = _unique([_px_question(q, i) for i, q in enumerate(_get(data, "questions", list, "$"))])
    by_key = {q.source_key: q for q in questions.values()}
    warnings: list[str] = []
    benefits: list[ImportedBenefit] = []
    for i, raw in enumerate(_get(data, "benefits", list, "$")):
        where = f"benefits[{i}]"
        bid = _slug(_get(raw, "id", str, where), where)
        criteria: list[Criterion] = []
        for j, crit in enumerate(raw.get("eligibility") or []):
            here = f"{bid}.eligibility[{j}]"
            question = by_key.get(_get(crit, "key", str, here))
            if question is None:
                raise RulesetInvalid(f"{here}: unknown question {crit['key']!r}", field=here)
            values = _get(crit, "acceptable_values", list, here)
            criteria.append(_criterion(question, values, _text(crit.get("label")), here, False, warnings))
        benefits.append(
            ImportedBenefit(
                bid,
                _text(raw.get("title")) or bid,
                _benefit_criteria(criteria),
                _text(raw.get("agency")),
                _text(raw.get("application_url")),
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
    expected = _get(raw, "expected", Mapping, where)
    try:
        when = dt.date.fromisoformat(_get(raw, "evaluation_date", str, where))
    except ValueError:
        raise RulesetInvalid(f"{where}.evaluation_date: not an ISO date", field=where) from None
    more = expected.get("more_information_needed_count")
    return ImportedCase(
        id=str(raw.get("case") or where),
        evaluation_date=when,
        answers=_convert_answers(questions, _get(raw, "answers", Mapping, where)),
        expected_eligible=int(_get(expected, "eligible_count", int, f"{where}.expected")),
        expected_more_information_needed=int(more) if isinstance(more, int) else None,
        eligible_ids_stated=tuple(str(x) for x in expected.get("eligible_ids_stated_by_gsa") or ()),
        note=str(raw.get("note") or ""),
    )


# --------------------------------------------------------------------------- usagov-benefits-eligibility


def _is_usagov(data: Mapping[str, Any]) -> bool:
    questions = data.get("questions")
    return (
        isinstance(data.get("life_events"), list)
        and isinstance(questions, list)
        and all(isinstance(q, Mapping) and isinstance(q.get("question"), Mapping) for q in questions)
    )


def _usagov_question(raw: Any, index: int) -> ImportedQuestion:
    where = f"questions[{index}]"
    key = _get(raw, "key", str, where)
    text = _text(raw.get("question")) or key
    source_type = str(raw.get("type", "")).lower()
    options_raw = raw.get("options")
    labels = [str(o).strip() for o in (options_raw.get("en") if isinstance(options_raw, Mapping) else None) or []]
    kind: ImportedType
    if source_type in ("boolean", "radio") and {label.lower() for label in labels} <= _YES | _NO:
        kind, labels = "boolean", []
    elif source_type in ("select", "radio"):
        kind = "choice"
    elif source_type == "date":
        kind = "date"
    else:
        kind = "text"  # "location": asked by the source, used by no criterion
    options = tuple(ImportedOption(_slug(label, where), label) for label in labels)
    return ImportedQuestion(_slug(key, where), key, kind, text, "", options)


def _convert_usagov(data: Mapping[str, Any]) -> ImportedRuleset:
    questions = _unique([_usagov_question(q, i) for i, q in enumerate(_get(data, "questions", list, "$"))])
    by_key = {q.source_key: q for q in questions.values()}
    warnings: list[str] = []
    benefits: list[ImportedBenefit] = []
    for i, raw in enumerate(_get(data, "benefits", list, "$")):
        where = f"benefits[{i}]"
        bid = _slug(_get(raw, "id", str, where), where)
        criteria: list[Criterion] = []
        for j, crit in enumerate(raw.get("eligibility") or []):
            here = f"{bid}.eligibility[{j}]"
            question = by_key.get(_get(crit, "key", str, here))
            if question is None:
                raise RulesetInvalid(f"{here}: unknown question {crit['key']!r}", field=here)
            accepted = crit.get("acceptable_values")
            values = accepted.get("en") if isinstance(accepted, Mapping) else crit.get("raw_acceptable_values")
            if not isinstance(values, list):
                raise RulesetInvalid(f"{here}.acceptable_values: missing", field=here)
            criteria.append(_criterion(question, values, _text(crit.get("label")), here, True, warnings))
        benefits.append(
            ImportedBenefit(
                bid,
                _text(raw.get("title")) or bid,
                _benefit_criteria(criteria),
                _text(raw.get("agency")),
                _text(raw.get("application_url")),
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


register_format(RulesetFormat("px-benefit-finder", _is_px, _convert_px))
register_format(RulesetFormat("usagov-benefits-eligibility", _is_usagov, _convert_usagov))
