"""The catalogue's typed data model (pure: no I/O).

Field names follow the EU Core Public Service Vocabulary (CPSV-AP) and
schema.org ``GovernmentService`` where one exists; ``docs/cpsv-mapping.md``
has the table. Every human-readable text carries both ``zh`` and ``en``.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator

__all__ = [
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
]

SLUG = re.compile(r"^[a-z0-9]+(?:[-_][a-z0-9]+)*$")
Audience = Literal["individual", "enterprise"]
HAN = re.compile(r"[\u4e00-\u9fff]")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class LocalizedText(_Strict):
    """A text in both languages; neither may be empty."""

    zh: Annotated[str, Field(min_length=1, max_length=4000)]
    en: Annotated[str, Field(min_length=1, max_length=4000)]

    @field_validator("zh")
    @classmethod
    def _zh_is_chinese(cls, v: str) -> str:
        if not HAN.search(v) and not re.fullmatch(r"[\d\s.,:+\-/()]+", v):
            raise ValueError("the zh text contains no Chinese characters")
        return v

    def get(self, lang: str) -> str:
        """The text in ``lang`` (``zh`` or ``en``), English for anything else."""
        return self.zh if lang == "zh" else self.en


class LocalizedList(_Strict):
    """A list of short texts per language (keywords, phrasings)."""

    zh: list[Annotated[str, Field(min_length=1, max_length=300)]] = Field(default_factory=list)
    en: list[Annotated[str, Field(min_length=1, max_length=300)]] = Field(default_factory=list)

    def get(self, lang: str) -> list[str]:
        return self.zh if lang == "zh" else self.en


class Choice(_Strict):
    value: Annotated[str, Field(pattern=SLUG.pattern)]
    label: LocalizedText


class Question(_Strict):
    """One entry of the shared eligibility question bank."""

    id: Annotated[str, Field(pattern=SLUG.pattern)]
    type: Literal["boolean", "number", "choice", "date"]
    text: LocalizedText
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
        return self


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


class Event(_Strict):
    """A life or business event of the controlled vocabulary."""

    id: Annotated[str, Field(pattern=SLUG.pattern)]
    kind: Literal["life", "business"]
    label: LocalizedText


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
    sample_data: Literal[True]
    audience: Audience
    theme: Annotated[str, Field(pattern=SLUG.pattern)]
    title: LocalizedText
    summary: LocalizedText
    description: LocalizedText
    events: list[Annotated[str, Field(pattern=SLUG.pattern)]] = Field(min_length=1)
    competent_authority: LocalizedText
    keywords: LocalizedList
    phrasings: LocalizedList
    documents: list[LocalizedText] = Field(default_factory=list)
    cost: Cost
    processing_days: int = Field(ge=0, le=365)
    legal_basis: LocalizedText
    channels: Channels
    districts: Literal["all"] | list[Annotated[str, Field(pattern=SLUG.pattern)]] = "all"
    eligibility: Criterion | None = None
    last_reviewed: dt.date

    @field_validator("keywords")
    @classmethod
    def _keywords_both(cls, v: LocalizedList) -> LocalizedList:
        if not v.zh or not v.en:
            raise ValueError("keywords need at least one entry in both zh and en")
        return v

    @field_validator("phrasings")
    @classmethod
    def _three_phrasings(cls, v: LocalizedList) -> LocalizedList:
        for lang in ("zh", "en"):
            if len(v.get(lang)) < 3:
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
