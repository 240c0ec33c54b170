"""A free-text answer with its reading: the value, how it was read, and whether to confirm it (pure: no I/O).

:func:`read_answer` is what the chatbot and the agent console use: besides the value it
says how the words were read, in both languages ("about 3 years, counted as 36 months"),
how sure the reading is, and, when it is not sure enough, the question that confirms it
("36 months — is that right?"). The reading is shown in the verdict's reasons, so a wrong
one can be seen and corrected.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from ...model import Question
from ._text import normalize
from .choices import parse_choice
from .dates import parse_date
from .durations import CALENDAR_YEARS, Duration, duration_unit, find_duration, hedge_of
from .meaning import CONFIDENT, read_yes_no
from .numbers import _number_candidates, parse_number

__all__ = ["CONFIDENT", "Reading", "read_answer", "said_phrase"]

_EN_UNIT = {"year": "years", "month": "months", "week": "weeks", "day": "days"}
_ZH_UNIT = {"year": "年", "month": "个月", "week": "周", "day": "天"}
_HEDGE_CONFIDENCE = {"exact": 0.95, "about": 0.7, "more": 0.7, "almost": 0.6, "range": 0.5}


@dataclass(frozen=True)
class Reading:
    """How an answer was understood.

    Attributes:
        value: ``bool``, ``int``/``float`` in the question's unit, an option value, or a date.
        confidence: Between 0 and 1; below :data:`CONFIDENT` the reading is confirmed.
        text: The reading worded per language ("about 3 years, counted as 36 months").
        confirm: The confirmation question per language when the reading is uncertain, else None.
        high: For a range ("3-4 years"), the upper end in the question's unit; the value is the lower end.
    """

    value: Any
    confidence: float
    text: dict[str, str]
    confirm: dict[str, str] | None = None
    high: float | None = None

    @property
    def confident(self) -> bool:
        return self.confidence >= CONFIDENT

    def to_json(self) -> dict[str, Any]:
        value = self.value.isoformat() if isinstance(self.value, dt.date) else self.value
        return {"value": value, "confidence": round(self.confidence, 2), "uncertain": not self.confident,
                "reading": self.text, "confirm": self.confirm, "high": self.high}  # fmt: skip


def _fmt(number: float) -> str:
    rounded = round(number, 2)
    return str(int(rounded)) if float(rounded).is_integer() else f"{rounded:g}"


def _whole(value: float, unit_is_whole: bool) -> int | float:
    rounded = round(value) if unit_is_whole else round(value, 2)
    return int(rounded) if float(rounded).is_integer() else rounded


def _in_unit(question: Question, value: float, lang: str) -> str:
    unit = question.unit.get(lang) if question.unit else ""
    if lang == "en" and value == 1 and unit.endswith("s"):
        unit = unit[:-1]  # "1 month", not "1 months"
    return f"{_fmt(value)}{unit}" if lang == "zh" else f"{_fmt(value)} {unit}".strip()


def _said(d: Duration, lang: str) -> str:
    """The amount as said, in ``lang``: "半年", "1年半", "half a year", "1.5 years"."""
    whole, half = divmod(d.amount, 1)
    if half == 0.5 and d.unit in ("year", "month"):
        if lang == "zh":
            return f"半{_ZH_UNIT[d.unit].lstrip('个')}" if not whole else f"{_fmt(whole)}{_ZH_UNIT[d.unit]}半"
        if not whole:
            return f"half a {d.unit}"
    years, months = divmod(round(d.months), 12)
    if d.unit == "year" and months and half != 0.5 and abs(d.months - round(d.months)) < 1e-6:
        # "3 years and 6 months", 一年零三个月, "since March 2024": years and months, not "2.75 years"
        if lang == "zh":
            return f"{years}年{months}个月" if years else f"{months}个月"
        return f"{_counted(years, 'year')} {_counted(months, 'month')}" if years else _counted(months, "month")
    if lang == "zh":
        return f"{_fmt(d.amount)}{_ZH_UNIT[d.unit]}"
    return _counted(d.amount, d.unit)


def _counted(amount: float, unit: str) -> str:
    """ "1 year", "3 years", "1.5 years" """
    return f"{_fmt(amount)} {unit if amount == 1 else _EN_UNIT[unit]}"


def _confirm(question: Question, reading: dict[str, str]) -> dict[str, str]:
    return {"zh": f"{reading['zh']}，对吗？", "en": f"{reading['en']} — is that right?"}


def _read_duration(question: Question, d: Duration) -> Reading:
    unit = duration_unit(question)
    assert unit is not None
    whole = d.unit != unit and unit in ("month", "day", "week")  # "26 weeks" → 6 months; "两个半月" stays 2.5
    low = d.convert(unit)
    high = d.convert(unit, high=True) if d.high else None
    if d.hedge == "almost":
        low = max(0.0, low - 1) if whole else low
    value = _whole(low, whole)
    shown = {lang: _in_unit(question, value, lang) for lang in ("zh", "en")}
    said = {lang: _said(d, lang) for lang in ("zh", "en")}
    converted = d.unit != unit
    if d.hedge == "exact":
        text = {"zh": f"{said['zh']}，即{shown['zh']}", "en": f"{said['en']}, that is {shown['en']}"} if converted else shown
    elif d.hedge == "about":
        text = {"zh": f"大约{said['zh']}，按{shown['zh']}计", "en": f"about {said['en']}, counted as {shown['en']}"}
    elif d.hedge == "more":
        text = {"zh": f"{said['zh']}多，按至少{shown['zh']}计", "en": f"more than {said['en']}, counted as at least {shown['en']}"}
    elif d.hedge == "almost":
        limit = {lang: _in_unit(question, _whole(d.convert(unit), whole), lang) for lang in ("zh", "en")}
        text = {"zh": f"将近{said['zh']}，按不到{limit['zh']}（{shown['zh']}）计",
                "en": f"almost {said['en']}, counted as just under {limit['en']} ({shown['en']})"}  # fmt: skip
    else:
        top = {lang: _in_unit(question, _whole(high or low, whole), lang) for lang in ("zh", "en")}
        text = {"zh": f"{shown['zh']}到{top['zh']}之间，按较少的{shown['zh']}计",
                "en": f"between {shown['en']} and {top['en']}, counted as the lower end, {shown['en']}"}  # fmt: skip
    confidence = _HEDGE_CONFIDENCE[d.hedge] - (0.05 if converted and d.hedge == "exact" else 0.0)
    reading = Reading(value, confidence, text, high=_whole(high, whole) if high is not None else None)
    return reading if reading.confident else Reading(value, confidence, text, _confirm(question, text), reading.high)


_MONTHS_EN = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_CALENDAR = re.compile(rf"(?:(?P<mon1>{'|'.join(_MONTHS_EN)})[a-z]*\.?\s+)?(?<!\d)(?P<year>(?:19|20)\d\d)(?!\d)(?:\s*年\s*(?:(?P<mon2>\d{{1,2}})\s*月)?)?")


def _since(text: str, today: dt.date) -> Duration | None:
    """A year of the calendar said to a question of duration ("since 2020", "2019年来的上海", "since March
    2024"): the time from then to today. A year alone is a range (from its last month to its first),
    counted as the lower end; with its month, about that long. Either is asked back."""
    m = _CALENDAR.search(normalize(text))
    if m is None or not (CALENDAR_YEARS[0] <= int(m.group("year")) <= today.year):
        return None
    year = int(m.group("year"))
    month = _MONTHS_EN.index(m.group("mon1")) + 1 if m.group("mon1") else int(m.group("mon2")) if m.group("mon2") else None
    if month is not None and not 1 <= month <= 12:
        return None

    def since(mon: int) -> float:
        return float(max(0, (today.year - year) * 12 + today.month - mon))

    if month is not None:
        low = since(month)
        return Duration(low / 12 if low >= 12 else low, "year" if low >= 12 else "month", low, low * 30, None, "about")
    low, high = since(12), since(1)
    return Duration(low, "month", low, low * 30, (high, high * 30), "range")


def _read_number(question: Question, text: str, today: dt.date) -> Reading | None:
    if duration_unit(question) is not None:
        d = find_duration(text) or _since(text, today)
        if d is not None:
            return _read_duration(question, d)
    value = parse_number(text)
    if value is None:
        return None
    norm = normalize(text)
    at = next((pos for pos, v, _ in _number_candidates(norm) if v == value), 0)
    hedge = hedge_of(norm, at, at + 1)
    if hedge == "almost" and float(value).is_integer():
        value = int(value) - 1
    shown = {lang: _in_unit(question, value, lang) for lang in ("zh", "en")}
    if hedge == "exact":
        return Reading(value, 0.95, shown)
    words = {"about": ("大约", "about "), "more": ("至少", "at least "), "almost": ("不到", "just under "), "range": ("", "")}[hedge]
    text_ = {"zh": f"按{words[0]}{shown['zh']}计", "en": f"counted as {words[1]}{shown['en']}"}
    if hedge == "almost":
        text_ = {"zh": f"按{shown['zh']}计（将近{_fmt(value + 1)}）", "en": f"counted as {shown['en']} (almost {_fmt(value + 1)})"}
    confidence = _HEDGE_CONFIDENCE[hedge]
    return Reading(value, confidence, text_, _confirm(question, text_) if confidence < CONFIDENT else None)


def read_answer(question: Question, text: str, today: dt.date) -> Reading | None:
    """Understand a free-text answer to ``question`` and say how it was read.

    Args:
        question: The question that was asked.
        text: What the person said, in Chinese or English.
        today: The date relative answers ("上周") count from.

    Returns:
        The :class:`Reading`, or None when the text could not be understood. Numbers are
        not checked against the question's min and max here (``coerce_answer`` does).
    """
    if question.type == "boolean":
        found = read_yes_no(question, text)
        if found is None:
            return None
        value, confidence = found
        words = {"zh": "是" if value else "否", "en": "yes" if value else "no"}
        text_ = {"zh": f"理解为“{words['zh']}”", "en": f"read as “{words['en']}”"}
        if confidence >= CONFIDENT:
            return Reading(value, confidence, text_)
        confirm = {"zh": f"我理解为“{words['zh']}”：{question.text.zh} 对吗？", "en": f"I understood “{words['en']}” to: {question.text.en} Is that right?"}
        return Reading(value, confidence, text_, confirm)
    if question.type == "number":
        return _read_number(question, text, today)
    if question.type == "choice":
        option = parse_choice(question, text)
        if option is None:
            return None
        label = next(o.label for o in question.options if o.value == option)
        return Reading(option, 0.9, {"zh": f"理解为“{label.zh}”", "en": f"read as “{label.en}”"})
    date = parse_date(text, today)
    if date is None:
        return None
    return Reading(date, 0.9, {"zh": f"理解为{date.year}年{date.month}月{date.day}日", "en": f"read as {date.isoformat()}"})


def said_phrase(question: Question, said: str, value: Any, lang: str, today: dt.date) -> str:
    """How the person's words for ``question`` were read, for the verdict's reasons.

    The words are read again; when they give the answer that was kept, the reading is
    added ("you said “about 3 years” — about 3 years, counted as 36 months"), else
    only the words (the answer was confirmed or corrected in other words).
    """
    said = " ".join(said.split())[:80]
    reading = read_answer(question, said, today)
    kept = value.isoformat() if isinstance(value, dt.date) else value
    read = None if reading is None else reading.to_json()["value"]
    if lang == "zh":
        return f"您说“{said}”——{reading.text['zh']}" if reading is not None and read == kept else f"您说“{said}”"
    return f"you said “{said}” — {reading.text['en']}" if reading is not None and read == kept else f"you said “{said}”"
