"""Dates in free text: "2024-03-05", "2024年3月5日", "March 5, 2024", "上周", "three days ago" (pure: no I/O)."""

from __future__ import annotations

import datetime as dt
import re

from ._numerals import CN_CHARS, cn_to_number, en_words_to_number
from ._text import normalize

__all__ = ["parse_date"]

_EN_MONTHS = {
    "jan": 1, "january": 1, "feb": 2, "february": 2, "mar": 3, "march": 3, "apr": 4, "april": 4, "may": 5,
    "jun": 6, "june": 6, "jul": 7, "july": 7, "aug": 8, "august": 8, "sep": 9, "sept": 9, "september": 9,
    "oct": 10, "october": 10, "nov": 11, "november": 11, "dec": 12, "december": 12,
}  # fmt: skip
_MONTH_NAMES = "|".join(sorted(_EN_MONTHS, key=len, reverse=True))
_CN_NUM = rf"[{CN_CHARS}]+|\d+"
_ISO_LIKE = re.compile(r"(?<!\d)(\d{4})\s*[-/.]\s*(\d{1,2})\s*[-/.]\s*(\d{1,2})(?!\d)")
_ZH_FULL = re.compile(rf"(\d{{4}}|[{CN_CHARS}]{{4}})\s*年\s*({_CN_NUM})\s*月\s*({_CN_NUM})\s*[日号]?")
_ZH_MONTH_DAY = re.compile(rf"(去年|前年|今年)?\s*({_CN_NUM})\s*月\s*({_CN_NUM})\s*[日号]")
_EN_MONTH_FIRST = re.compile(rf"\b({_MONTH_NAMES})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?\b,?(?:\s+(\d{{4}}))?")
_EN_DAY_FIRST = re.compile(rf"\b(\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?({_MONTH_NAMES})\b\.?,?(?:\s+(\d{{4}}))?")
_EN_AGO = re.compile(r"\b(day|week|month|year)s?\s+(?:ago|back|before)\b")
_ZH_AGO = re.compile(rf"({_CN_NUM}|几)\s*(?:个)?\s*(天|日|周|星期|礼拜|月|年)\s*(?:以前|之前|前)")
_RELATIVE: tuple[tuple[re.Pattern[str], tuple[int, int, int]], ...] = (
    (re.compile(r"大前天"), (0, 0, -3)),
    (re.compile(r"\bday before yesterday\b|前天"), (0, 0, -2)),
    (re.compile(r"\byesterday\b|昨天|昨日"), (0, 0, -1)),
    (re.compile(r"\btoday\b|今天|今日"), (0, 0, 0)),
    (re.compile(r"\blast week\b|\ba week ago\b|上周|上个?星期|上个?礼拜|上个?周"), (0, 0, -7)),
    (re.compile(r"\blast month\b|上个?月"), (0, -1, 0)),
    (re.compile(r"\blast year\b|去年"), (-1, 0, 0)),
)


def _shift(today: dt.date, years: int = 0, months: int = 0, days: int = 0) -> dt.date | None:
    """``today`` moved by whole years, months and days; the day is clamped to the month's end."""
    year, month = divmod(today.year * 12 + (today.month - 1) + months + years * 12, 12)
    for day in range(today.day, 27, -1) if today.day > 28 else (today.day,):
        try:
            return dt.date(year, month + 1, day) + dt.timedelta(days=days)
        except ValueError:
            continue  # 31 in a 30-day month, or a year out of range
        except OverflowError:
            return None
    return None


def _make_date(year: float | None, month: float | None, day: float | None) -> dt.date | None:
    if year is None or month is None or day is None:
        return None
    if not (float(year).is_integer() and float(month).is_integer() and float(day).is_integer()):
        return None
    try:
        return dt.date(int(year), int(month), int(day))
    except ValueError:
        return None


def _part(token: str) -> float | None:
    return float(token) if token.isdigit() else cn_to_number(token)


def parse_date(text: str, today: dt.date) -> dt.date | None:
    """Read a date: "2024-03-05", "2024年3月5日", "3月5日" (this year), "March 5, 2024",
    "5 March 2024", "yesterday"/"昨天", "last week"/"上周" (7 days back),
    "3 days ago"/"三天前", "2 months ago"/"两个月前".

    Args:
        text: The citizen's words.
        today: The date relative answers count from.

    Returns:
        The date, or None (also for impossible dates such as 2024-02-30).
    """
    norm = normalize(text)
    if not norm:
        return None
    if m := _ISO_LIKE.search(norm):
        return _make_date(float(m.group(1)), float(m.group(2)), float(m.group(3)))
    if m := _ZH_FULL.search(norm):
        return _make_date(_part(m.group(1)), _part(m.group(2)), _part(m.group(3)))
    if m := _ZH_MONTH_DAY.search(norm):
        back = {"去年": 1, "前年": 2}.get(m.group(1) or "", 0)
        return _make_date(today.year - back, _part(m.group(2)), _part(m.group(3)))
    if m := _EN_MONTH_FIRST.search(norm):
        year = float(m.group(3)) if m.group(3) else float(today.year)
        return _make_date(year, _EN_MONTHS[m.group(1)], float(m.group(2)))
    if m := _EN_DAY_FIRST.search(norm):
        year = float(m.group(3)) if m.group(3) else float(today.year)
        return _make_date(year, _EN_MONTHS[m.group(2)], float(m.group(1)))
    ago = _ago(norm)
    if ago is not None:
        return _shift(today, *ago)
    for pattern, (years, months, days) in _RELATIVE:
        if pattern.search(norm):
            return _shift(today, years, months, days)
    return None


def _ago(norm: str) -> tuple[int, int, int] | None:
    """(years, months, days) to go back for "3 days ago" / "三天前" / "两个月前"."""
    count: float | None
    if m := _EN_AGO.search(norm):
        unit, words = m.group(1), norm[: m.start()].split()
        count = None
        for size in (3, 2, 1):  # "about twenty five days ago": the longest tail that is a number
            amount = " ".join(words[-size:]) if len(words) >= size else ""
            count = 1.0 if amount in ("a", "an", "one") else _en_or_digits(amount) if amount else None
            if count is not None:
                break
    elif m := _ZH_AGO.search(norm):
        amount, unit = m.group(1), {"天": "day", "日": "day", "周": "week", "星期": "week", "礼拜": "week",
                                    "月": "month", "年": "year"}[m.group(2)]  # fmt: skip
        count = None if amount == "几" else _part(amount)
    else:
        return None
    if count is None or not float(count).is_integer():
        return None
    n = int(count)
    return {"day": (0, 0, -n), "week": (0, 0, -7 * n), "month": (0, -n, 0), "year": (-n, 0, 0)}[unit]


def _en_or_digits(amount: str) -> float | None:
    if amount.isdigit():
        return float(amount)
    return en_words_to_number(amount)
