"""The catalogue's typed data model (pure: no I/O).

Field names follow the EU Core Public Service Vocabulary (CPSV-AP) and
schema.org ``GovernmentService`` where one exists; ``docs/cpsv-mapping.md``
has the table. A human-readable text carries ``zh`` and ``en``; a one-language
catalogue (only English, or only Chinese) gives one of them and the other reads
the same text, so every consumer can ask for either language and gets the one
the catalogue has. Shanghai-specific fields (districts, cost in yuan, processing
days, legal basis) are optional: ``None`` means "the catalogue does not say".
"""

from __future__ import annotations

import datetime as dt
import re
import string
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator

__all__ = [
    "PERSON_PLACEHOLDERS",
    "AllOf",
    "AnyOf",
    "Audience",
    "Centre",
    "Channels",
    "Choice",
    "Condition",
    "Cost",
    "Criterion",
    "District",
    "Event",
    "LocalizedList",
    "LocalizedText",
    "NotOf",
    "Question",
    "Service",
    "Step",
]

SLUG = re.compile(r"^[a-z0-9]+(?:[-_][a-z0-9]+)*$")
Audience = Literal["individual", "enterprise"]
HAN = re.compile(r"[\u4e00-\u9fff]")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class _Copied(str):
    """A text filled in from the other language (a one-language catalogue)."""

    __slots__ = ()


def _one_language(data: Any) -> Any:
    """Fill a missing or empty language from the other one (a one-language catalogue)."""
    if isinstance(data, dict):
        zh, en = data.get("zh"), data.get("en")
        if zh in (None, "", []) and en not in (None, "", []):
            data = {**data, "zh": _Copied(en) if isinstance(en, str) else en}
        elif en in (None, "", []) and zh not in (None, "", []):
            data = {**data, "en": _Copied(zh) if isinstance(zh, str) else zh}
    return data


class LocalizedText(_Strict):
    """A text in both languages, or in one: the missing language reads the same text.

    The zh text must contain Chinese unless it was filled in from the English one (a
    catalogue that has only English); the catalogue reports a text that lacks a language
    in a bilingual catalogue (``catalogue.py``).
    """

    zh: Annotated[str, Field(min_length=1, max_length=4000)]
    en: Annotated[str, Field(min_length=1, max_length=4000)]

    @model_validator(mode="before")
    @classmethod
    def _fill(cls, data: Any) -> Any:
        return _one_language(data)

    @field_validator("zh", mode="before")
    @classmethod
    def _zh_is_chinese(cls, v: Any) -> Any:
        given = isinstance(v, str) and not isinstance(v, _Copied) and v.strip()
        if given and not HAN.search(v) and not re.fullmatch(r"[\d\s.,:+\-/()]+", v.strip()):
            raise ValueError("the zh text contains no Chinese characters")
        return str(v) if isinstance(v, _Copied) else v

    @field_validator("en", mode="before")
    @classmethod
    def _plain(cls, v: Any) -> Any:
        return str(v) if isinstance(v, _Copied) else v

    @property
    def langs(self) -> tuple[str, ...]:
        """The languages the text really has (one when both read the same)."""
        if self.zh != self.en:
            return ("zh", "en")
        return ("zh",) if HAN.search(self.zh) else ("en",)

    def get(self, lang: str) -> str:
        """The text in ``lang`` (``zh`` or ``en``), English for anything else."""
        return self.zh if lang == "zh" else self.en


class LocalizedList(_Strict):
    """A list of short texts per language (keywords, phrasings)."""

    zh: list[Annotated[str, Field(min_length=1, max_length=300)]] = Field(default_factory=list)
    en: list[Annotated[str, Field(min_length=1, max_length=300)]] = Field(default_factory=list)

    def get(self, lang: str) -> list[str]:
        """The entries in ``lang``; those of the other language when a one-language catalogue has none."""
        return (self.zh or self.en) if lang == "zh" else (self.en or self.zh)


class Choice(_Strict):
    value: Annotated[str, Field(pattern=SLUG.pattern)]
    label: LocalizedText


class Question(_Strict):
    """One entry of the shared eligibility question bank."""

    id: Annotated[str, Field(pattern=SLUG.pattern)]
    type: Literal["boolean", "number", "choice", "date"]
    text: LocalizedText
    # The question asked about someone else (a parent, a child: issue 14), with the person as
    # placeholders: {who} "your mother"/"您母亲", {whose} "your mother's"/"您母亲的", {their},
    # {them}, {they} (eligibility/subjects.py fills them). Without it, the text is prefixed.
    text_other: LocalizedText | None = None
    why: LocalizedText
    options: list[Choice] = Field(default_factory=list)
    unit: LocalizedText | None = None
    min: float | None = None
    max: float | None = None
    # For yes/no questions: words that describe the situation behind a "yes" or a "no"
    # ("laid off" / "自己辞职" to "did your job end against your will?"), so that an answer is
    # read for its meaning against this question, not by its surface 是/不/no (eligibility/parse).
    yes_when: LocalizedList | None = None
    no_when: LocalizedList | None = None

    @model_validator(mode="after")
    def _shape(self) -> Question:
        if self.type != "boolean" and (self.yes_when or self.no_when):
            raise ValueError("yes_when and no_when only apply to boolean questions")
        if self.type == "choice" and len(self.options) < 2:
            raise ValueError("a choice question needs at least two options")
        if self.type != "choice" and self.options:
            raise ValueError(f"options only apply to choice questions, not {self.type}")
        if self.type != "number" and (self.min is not None or self.max is not None or self.unit):
            raise ValueError("unit, min and max only apply to number questions")
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError(f"min {self.min} is above max {self.max}")
        if self.text_other is not None:
            for lang in ("zh", "en"):
                _check_person_placeholders(self.text_other.get(lang), lang)
        return self


PERSON_PLACEHOLDERS = frozenset({"who", "whose", "their", "them", "they"})
"""The placeholders a question's ``text_other`` may use for the person it is asked about."""


def _check_person_placeholders(text: str, lang: str) -> None:
    try:
        fields = {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}
    except ValueError as exc:
        raise ValueError(f"text_other.{lang} is not a valid template ({exc}); write a literal brace as {{{{ or }}}}") from None
    unknown = sorted(fields - PERSON_PLACEHOLDERS)
    if unknown:
        raise ValueError(f"text_other.{lang} uses unknown placeholders {unknown}; valid: {', '.join(sorted(PERSON_PLACEHOLDERS))}")


Operator = Literal["eq", "ne", "lt", "le", "gt", "ge", "in", "not_in", "within_days", "before_days", "within_years", "before_years"]


class Condition(_Strict):
    """A comparison of one answer with a value.

    ``within_days``/``before_days`` compare a date answer with the evaluation
    date: the date lies at most / at least ``value`` days in the past.
    ``within_years``/``before_years`` count whole years (as an age is counted):
    fewer than / at least ``value`` whole years have passed since the date.
    ``lt``/``le``/``gt``/``ge``/``eq``/``ne`` also compare a date answer with an
    ISO date value (``"2020-05-20"``).
    """

    q: Annotated[str, Field(pattern=SLUG.pattern)]
    op: Operator = "eq"
    value: bool | int | float | str | list[str] | list[int] | list[float]
    label: LocalizedText | None = None


class AllOf(_Strict):
    all: list[Criterion] = Field(min_length=1)
    label: LocalizedText | None = None


class AnyOf(_Strict):
    any: list[Criterion] = Field(min_length=1)
    label: LocalizedText | None = None


class NotOf(_Strict):
    not_: Criterion = Field(alias="not")
    label: LocalizedText | None = None
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


Criterion = Condition | AllOf | AnyOf | NotOf
AllOf.model_rebuild()
AnyOf.model_rebuild()
NotOf.model_rebuild()


class Step(_Strict):
    """One step of an event's checklist: a service, its place in the order, what must come first.

    ``after`` lists the ``order`` numbers of the steps that must be done before this one (the
    birth certificate before the birth registration); steps with the same prerequisites can be
    done in any order. ``note`` says when or why (optional).
    """

    order: int = Field(ge=1, le=99)
    service: Annotated[str, Field(pattern=SLUG.pattern)]
    after: list[int] = Field(default_factory=list)
    note: LocalizedText | None = None
    optional: bool = False


class Event(_Strict):
    """A life or business event: a label, what it is about, and its checklist (一件事).

    ``summary`` and ``phrasings`` are how people describe the situation ("just had a baby",
    孩子出生了要办什么): search matches a question against them as well as against services.
    ``steps`` are the services the situation needs, in the order they are done; an event
    without steps lists the services tagged with it. The catalogue checks the steps (each
    service exists, each order is used once, ``after`` names earlier steps) with file and line.
    """

    id: Annotated[str, Field(pattern=SLUG.pattern)]
    kind: Literal["life", "business"]
    label: LocalizedText
    summary: LocalizedText | None = None
    phrasings: LocalizedList = Field(default_factory=LocalizedList)
    steps: list[Step] = Field(default_factory=list)

    def ordered_steps(self) -> list[Step]:
        """The steps by their order."""
        return sorted(self.steps, key=lambda s: s.order)


class Centre(_Strict):
    """A service centre (CPSV-AP ``Channel`` of type physical)."""

    id: Annotated[str, Field(pattern=SLUG.pattern)]
    name: LocalizedText
    address: LocalizedText
    hours: LocalizedText
    phone: Annotated[str, Field(pattern=r"^[0-9+\- ]{5,20}$")]
    lat: float | None = Field(default=None, ge=30.0, le=32.0)
    lon: float | None = Field(default=None, ge=120.5, le=122.5)


class District(_Strict):
    id: Annotated[str, Field(pattern=SLUG.pattern)]
    name: LocalizedText
    centres: list[Centre] = Field(min_length=1)


class Cost(_Strict):
    """``free: true``, or an amount in CNY with an optional note."""

    free: bool
    amount_cny: float | None = Field(default=None, ge=0)
    note: LocalizedText | None = None

    @model_validator(mode="after")
    def _amount(self) -> Cost:
        if not self.free and self.amount_cny is None:
            raise ValueError("a cost that is not free needs amount_cny")
        if self.free and self.amount_cny:
            raise ValueError("a free service cannot have amount_cny")
        return self


class Channels(_Strict):
    online_url: Annotated[str, Field(pattern=r"^https://[^\s]+$")] | None = None
    centres: list[Annotated[str, Field(pattern=SLUG.pattern)]] = Field(default_factory=list)
    hotline: Annotated[str, Field(pattern=r"^[0-9\-]{3,20}$")] = "12345"


class Service(_Strict):
    """A public service (CPSV-AP ``PublicService``, schema.org ``GovernmentService``)."""

    id: Annotated[str, Field(pattern=SLUG.pattern, max_length=80)]
    sample_data: Literal[True] = True
    audience: Audience = "individual"
    theme: Annotated[str, Field(pattern=SLUG.pattern)] = "general"
    title: LocalizedText
    summary: LocalizedText
    description: LocalizedText
    events: list[Annotated[str, Field(pattern=SLUG.pattern)]] = Field(default_factory=list)
    competent_authority: LocalizedText | None = None
    keywords: LocalizedList = Field(default_factory=LocalizedList)
    phrasings: LocalizedList = Field(default_factory=LocalizedList)
    documents: list[LocalizedText] = Field(default_factory=list)
    cost: Cost | None = None
    processing_days: int | None = Field(default=None, ge=0, le=365)
    legal_basis: LocalizedText | None = None
    channels: Channels = Field(default_factory=Channels)
    districts: Literal["all"] | list[Annotated[str, Field(pattern=SLUG.pattern)]] = "all"
    eligibility: Criterion | None = None
    last_reviewed: dt.date | None = None

    @model_validator(mode="before")
    @classmethod
    def _description_defaults_to_summary(cls, data: Any) -> Any:
        if isinstance(data, dict) and data.get("description") in (None, "", {}) and data.get("summary"):
            data = {**data, "description": data["summary"]}
        return data

    @field_validator("phrasings")
    @classmethod
    def _three_phrasings(cls, v: LocalizedList) -> LocalizedList:
        # A language may have none (a one-language catalogue; the catalogue checks that a
        # bilingual one has both), but a few are no basis for matching how people ask.
        for lang, given in (("zh", v.zh), ("en", v.en)):
            if 0 < len(given) < 3:
                raise ValueError(f"at least 3 example phrasings are needed in {lang}")
        return v

    @field_validator("channels")
    @classmethod
    def _url_names_service(cls, v: Channels, info: ValidationInfo) -> Channels:
        # A field validator (not a model validator) so that the error is located at channels, with its line.
        sid = info.data.get("id")
        if v.online_url is not None and sid is not None and sid not in v.online_url:
            raise ValueError(f"online_url must contain the service id {sid!r}")
        return v

    def text(self, field: str, lang: str) -> str:
        value: Any = getattr(self, field)
        return str(value.get(lang))
