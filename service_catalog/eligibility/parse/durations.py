"""Durations in free text: "about 3 years", "一年半", "十五年多", "2 years and 3 months", "3-4 years" (pure: no I/O).

A number question whose unit is a duration (years, months, weeks, days: read from its
``unit`` text in either language) gets answers in any duration unit, converted to its own:
"about 3 years" to a question in months is 36. How sure the words are is kept as a
:class:`Hedge`, so the reading can be stated and confirmed:

- ``about``: "about", "around", "大概", "左右" — the number as said.
- ``more``: "more than 2 years", "半年多", "十五年多", "over a year" — counted as the amount
  said (at least that much).
- ``almost``: "almost 3 years", "快两年", "将近" — just under: one of the question's units less.
- ``range``: "3-4 years", "两三年", "三到四年" — counted as the lower end (the amount that
  is sure); both ends are kept in the reading.

Conversions: a year is 12 months, 52 weeks or 365 days; a month is 30 days; a week 7 days.
A whole-number question unit (months, days) gets a rounded value when weeks or days are
converted to it ("26 weeks" → 6 months).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from ...model import Question
from ._numerals import ARABIC, CN_CHARS, CN_DIGITS, EN_SCALES, EN_UNITS, cn_to_number, en_words_to_number
from ._text import normalize

__all__ = ["CALENDAR_YEARS", "Duration", "Hedge", "Unit", "duration_unit", "find_duration", "hedge_of"]

CALENDAR_YEARS = (1900, 2100)
"""A whole number in this range, said with 年 or to a question of duration, is a year of the calendar."""

Unit = Literal["year", "month", "week", "day"]
Hedge = Literal["exact", "about", "more", "almost", "range"]

_DAYS: dict[Unit, float] = {"year": 365.0, "month": 30.0, "week": 7.0, "day": 1.0}
_MONTHS: dict[Unit, float] = {"year": 12.0, "month": 1.0, "week": 12 / 52, "day": 1 / 30}
_UNIT_WORDS: dict[Unit, tuple[str, ...]] = {
    "year": ("years", "year", "yrs", "yr", "周岁", "年", "岁"),
    "month": ("months", "month", "mos", "mo", "个月", "月"),
    "week": ("weeks", "week", "wks", "wk", "个星期", "个礼拜", "星期", "礼拜", "周"),
    "day": ("days", "day", "天", "日"),
}
_WORD_TO_UNIT = {w: u for u, words in _UNIT_WORDS.items() for w in words}
_UNIT_RE = "|".join(sorted((re.escape(w) for w in _WORD_TO_UNIT), key=len, reverse=True))
_EN_WORDS = "|".join(sorted([*EN_UNITS, *EN_SCALES], key=len, reverse=True))
_NUM = rf"{ARABIC}|[{CN_CHARS}]+|(?:(?:{_EN_WORDS})(?:[\s-]+(?:and\s+)?(?:{_EN_WORDS}))*)|an?"
# One amount with its unit: "3 years", "一年半", "两个半月", "one and a half years", "a year and a half", "半年".
_AMOUNT = re.compile(
    rf"(?<![a-z0-9])(?P<num>{_NUM})?(?P<mark>多|来|几|余|\+|ish)?\s*(?P<half1>and\s+a\s+half|个半|半)?\s*(?:个(?=\s*(?:月|星期|礼拜)))?\s*"
    rf"(?P<unit>{_UNIT_RE})(?![a-z])(?P<half2>\s*and\s+a\s+half|半)?"
)
_HALF_A = re.compile(rf"\bhalf\s+an?\s+(?P<unit>{_UNIT_RE})\b")
_RANGE = re.compile(
    rf"(?P<lo>{ARABIC}|[{CN_CHARS}]+|{_EN_WORDS})\s*(?:-|–|—|~|～|to|or|到|至|或)\s*(?P<hi>{_NUM})\s*(?:个(?=\s*[月星礼]))?\s*(?P<unit>{_UNIT_RE})"
)
_CN_PAIR = re.compile(rf"(?P<pair>一两|两三|二三|三四|四五|五六|六七|七八|八九)\s*(?:个(?=\s*[月星礼]))?\s*(?P<unit>{_UNIT_RE})")
# After the number, before the unit: 十多年, 二十几年, 十来年, "3+ years", "3ish years".
_MARK_HEDGE: dict[str, Hedge] = {"多": "more", "几": "more", "余": "more", "+": "more", "来": "about", "ish": "about"}
# Everyday words for an amount, said as the number they mean ("a couple of years", "a decade", 俩月).
_SAID_AS = (
    (re.compile(r"\ba couple of\b|\ba couple\b"), "about 2"),
    (re.compile(r"\b(?:a|one)\s+decade\b"), "10 years"),
    (re.compile(r"(?<=[a-z])-(?=[a-z])"), " "),  # "two-and-a-half years"
    (re.compile(r"(?<=\d)\s*y\b"), " years"),  # "3y"; only after a digit ("any" is no "an y")
    (re.compile(r"个([多来几])(?=\s*(?:月|星期|礼拜))"), r"\1个"),  # 一个多月 → 一多个月: the 多 marks the number
    (re.compile(r"个把(?=\s*(?:月|星期|礼拜))"), "一来个"),  # 个把月: a month or so
    (re.compile(r"俩(?=\s*个?\s*(?:月|年|星期|礼拜|周|天))"), "两"),
    (re.compile(r"仨(?=\s*个?\s*(?:月|年|星期|礼拜|周|天))"), "三"),
)
_JOINER = re.compile(r"^\s*(?:,|，|and|又|零|plus)?\s*$")
_MORE = re.compile(r"more than|over|at least|upwards of|\bplus\b|\+|超过|不止|以上|多|不少于|起码|至少")
_ALMOST = re.compile(r"almost|nearly|just under|not quite|close to|快|将近|接近|不到|差不多满|差一点")
_ABOUT = re.compile(r"about|around|roughly|approximately|approx|\bor so\b|\bish\b|~|大概|大约|左右|差不多|估计|约|上下|吧")


@dataclass(frozen=True)
class Duration:
    """A duration found in an answer, before conversion.

    Attributes:
        amount: How much, in ``unit`` (the lower end of a range).
        unit: The unit it was said in (the largest one of "2 years and 3 months").
        months: The whole duration in months.
        days: The whole duration in days.
        high: For a range, the upper end as (months, days); else None.
        hedge: How sure the words are.
    """

    amount: float
    unit: Unit
    months: float
    days: float
    high: tuple[float, float] | None
    hedge: Hedge

    def convert(self, to: Unit, *, high: bool = False) -> float:
        """The duration (or the upper end of a range) in ``to`` units."""
        months, days = self.high if high and self.high is not None else (self.months, self.days)
        return {"year": months / 12, "month": months, "week": days / 7, "day": days}[to]


def _span(amount: float, unit: Unit) -> tuple[float, float]:
    return amount * _MONTHS[unit], amount * _DAYS[unit]


def duration_unit(question: Question) -> Unit | None:
    """The duration unit a number question counts in ("个月"/"months" → month), or None."""
    if question.type != "number" or question.unit is None:
        return None
    for text in (question.unit.en, question.unit.zh):
        unit = _WORD_TO_UNIT.get(normalize(text).strip())
        if unit is not None:
            return unit
    return None


def _number(token: str | None) -> float | None:
    if token is None or not token.strip():
        return None
    token = token.strip()
    if token in ("a", "an"):
        return 1.0
    if re.fullmatch(ARABIC, token):
        return float(token.replace(",", ""))
    if token[0] in CN_CHARS:
        return cn_to_number(token)
    return en_words_to_number(token)


def _amounts(norm: str) -> list[tuple[int, int, float, Unit, str | None]]:
    """(start, end, amount, unit, mark) for each amount with a unit in the text; ``mark`` is what stands
    between the number and the unit (多 in 十多年), if anything."""
    found: list[tuple[int, int, float, Unit, str | None]] = []
    for m in _HALF_A.finditer(norm):
        found.append((m.start(), m.end(), 0.5, _WORD_TO_UNIT[m.group("unit")], None))
    for m in _AMOUNT.finditer(norm):
        if any(s <= m.start() < e for s, e, _, _, _ in found):
            continue
        unit = _WORD_TO_UNIT[m.group("unit")]
        num = m.group("num")
        half = bool(m.group("half1") or m.group("half2"))
        if num and num.strip() in ("a", "an") and re.search(r"(?:\d|\d[kw]|yuan|rmb|元|块)\s*$", norm[: m.start()]):
            continue  # "1.5k a month" is a rate, not a duration
        value = _number(num)
        if value is None:
            if not half or (num and num.strip()):
                continue  # "last month", "this year": no amount
            value = 0.0  # "半年"
        if unit == "month" and m.group("unit") == "月" and "个" not in m.group() and not half and value > 12 - 1e-9:
            continue  # "12月" alone is December, not a duration
        if unit == "month" and m.group("unit") == "月" and "个" not in m.group() and re.search(r"\d{4}\s*年\s*$", norm[: m.start()]):
            continue  # "2018年3月" is a month of the calendar
        if unit == "year" and m.group("unit") == "年" and value >= CALENDAR_YEARS[0]:
            continue  # "2019年" is a year of the calendar, not 2019 years
        found.append((m.start(), m.end(), value + (0.5 if half else 0.0), unit, m.group("mark")))
    return sorted(found)


def hedge_of(norm: str, start: int, end: int) -> Hedge:
    """The hedge around the amount at ``norm[start:end]``: words just before it and just after."""
    before, after = norm[max(0, start - 14) : start], norm[end : end + 6]
    if _ALMOST.search(before) or before.endswith("小"):  # 小半年: not quite half a year
        return "almost"
    if _MORE.search(before.replace("差不多", "")) or before.endswith("大") or re.match(r"\s*(?:多|以上|plus|\+|or more|and more|and counting)", after):
        return "more"
    if _ABOUT.search(before) or re.match(r"\s*(?:左右|上下|or so|ish|吧)", after):
        return "about"
    return "exact"


def find_duration(text: str) -> Duration | None:
    """Find the duration a citizen meant, with how sure the words are.

    Args:
        text: The citizen's words ("about 3 years", "一年零两个月", "两三年").

    Returns:
        The :class:`Duration`, or None when no amount with a duration unit is said.
    """
    norm = normalize(text)
    for pattern, said in _SAID_AS:
        norm = pattern.sub(said, norm)
    # "十五年多": the 多 belongs to the amount; "三年多" likewise. Keep it visible to hedge_of.
    rng = _RANGE.search(norm)
    if rng is not None:
        lo, hi, unit = _number(rng.group("lo")), _number(rng.group("hi")), _WORD_TO_UNIT[rng.group("unit")]
        if lo is not None and hi is not None and lo < hi:
            return Duration(lo, unit, *_span(lo, unit), _span(hi, unit), "range")
    pair = _CN_PAIR.search(norm)
    if pair is not None:
        lo = float(CN_DIGITS[pair.group("pair")[0]])
        unit = _WORD_TO_UNIT[pair.group("unit")]
        return Duration(lo, unit, *_span(lo, unit), _span(lo + 1, unit), "range")
    amounts = _amounts(norm)
    if not amounts:
        return None
    start, end, amount, unit, mark = amounts[0]
    months, days = _span(amount, unit)
    last = unit
    for s, e, more, more_unit, _ in amounts[1:]:  # "2 years and 3 months", "一年零两个月": a sum of smaller units
        if _MONTHS[more_unit] < _MONTHS[last] and _JOINER.match(norm[end:s]):
            months, days = months + more * _MONTHS[more_unit], days + more * _DAYS[more_unit]
            end, last = e, more_unit
        else:
            break
    return Duration(amount, unit, months, days, None, _MARK_HEDGE[mark] if mark else hedge_of(norm, start, end))
