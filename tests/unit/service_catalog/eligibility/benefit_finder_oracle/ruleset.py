"""What the oracle reads GSA's rules into: questions, benefits, scenarios, and answers in our terms."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from service_catalog.eligibility import InvalidAnswer, Verdict, evaluate
from service_catalog.model import Choice, Criterion, LocalizedText, Question

from ._matching import flag, option_for
from .errors import RulesetInvalid

__all__ = [
    "EN_ONLY_MARK",
    "ImportedBenefit",
    "ImportedCase",
    "ImportedOption",
    "ImportedQuestion",
    "ImportedRuleset",
    "ImportedType",
    "convert_answers",
    "en_only",
]

EN_ONLY_MARK = "【仅有英文】"
"""Prefix of a Chinese text that only repeats the English source."""

ImportedType = Literal["boolean", "number", "choice", "date", "text"]


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
            text=en_only(self.text),
            why=en_only(why),
            options=[Choice(value=o.value, label=en_only(o.label)) for o in self.options],
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
        format: The name of the format read: ``px-benefit-finder`` or ``usagov-benefits-eligibility``.
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
        return convert_answers(self.questions, raw)

    def evaluate(self, answers: Mapping[str, Any], today: dt.date) -> dict[str, Verdict]:
        """The verdict for every benefit, over answers already converted.

        Args:
            answers: Our question id to value (see :meth:`convert_answers`).
            today: The evaluation date.

        Returns:
            Benefit id to verdict; UNKNOWN is the source's "more information needed".
        """
        return {b.id: evaluate(b.criteria, answers, today) for b in self.benefits}


def en_only(text: str) -> LocalizedText:
    """An English-only source text, its Chinese side marked with :data:`EN_ONLY_MARK`."""
    return LocalizedText(zh=f"{EN_ONLY_MARK}{text}", en=text)


def convert_answers(questions: Mapping[str, ImportedQuestion], raw: Mapping[str, Any]) -> dict[str, Any]:
    """Answers in the source's format as our ids and values (see :meth:`ImportedRuleset.convert_answers`)."""
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
            return flag(value, qid)
        except RulesetInvalid:
            raise InvalidAnswer(f"{qid} is a yes/no question, not {value!r}", field=qid) from None
    if question.type == "choice":
        chosen, _ = option_for(question, str(value))
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
