"""The bilingual wording of explanations, as data: one :class:`Wording` per language.

Every sentence the engine shows a citizen is a template here; the code in
:mod:`~service_catalog.eligibility.wording` only chooses a template and fills
it. Placeholders:

``{n}`` a number with its unit; ``{d}`` a date; ``{c}`` a count of days or
years (with ``{days}``/``{years}``, the English word in the right number);
``{value}`` one value; ``{values}`` values joined with "or"; ``{amount}``,
``{unit}``; ``{text}``; ``{year}``/``{month}``/``{day}``; ``{label}`` a
condition's own label; ``{asked}`` the question; ``{need}`` a requirement;
``{said}`` the answer given (or that there is none).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

__all__ = ["EN", "END_MARKS", "ZH", "Wording", "wording"]

END_MARKS = ("?", ".", "!", ":", "？", "。", "！", "：")
"""Question texts ending in one of these are followed by a new sentence, not by a colon."""


@dataclass(frozen=True)
class Wording:
    """The templates of one language.

    Attributes:
        lang: The key of :class:`~service_catalog.model.LocalizedText` to show (``zh`` or ``en``).
        yes: A boolean value true.
        no: A boolean value false.
        months: Month names, January first, as ``{month}`` of ``date``.
        date: A date: ``{year}``, ``{month}``, ``{day}``.
        quote: A quoted value: ``{text}``.
        list_sep: Between values of a list but the last two.
        last_sep: Before the last value of a list ("or").
        unit: A number with its unit: ``{amount}``, ``{unit}``.
        day_words: "day" and "days", for ``{days}``.
        year_words: "year" and "years", for ``{years}``.
        compare: A number requirement by operator (eq ne lt le gt ge): ``{n}``.
        date_compare: A fixed-date requirement by operator: ``{d}``.
        span: A requirement of a date operator (within_days ...) by (operator, negated): ``{c}``.
        one_of: Membership (``in``): ``{values}``.
        none_of: Exclusion (``not_in``): ``{values}``.
        equals: One value required: ``{value}``.
        other_than: One value excluded: ``{value}``.
        not_answered: ``{said}`` while there is no answer.
        you_said: ``{said}`` for an answer: ``{value}``.
        not_the_case: A negated condition's label: ``{label}``.
        reason_label: A reason from a condition's label: ``{label}``, ``{said}``.
        reason_question: A reason from a question text that ends in one of :data:`END_MARKS`.
        reason_statement: A reason from a question text that does not.
        fix_true: A condition's label that would have to become true: ``{label}``, ``{said}``.
        fix_false: A condition's label that would have to become false.
        fix_question: An answer that would have to change: ``{asked}``, ``{need}``, ``{said}``.
    """

    lang: str
    yes: str
    no: str
    months: tuple[str, ...]
    date: str
    quote: str
    list_sep: str
    last_sep: str
    unit: str
    day_words: tuple[str, str]
    year_words: tuple[str, str]
    compare: Mapping[str, str]
    date_compare: Mapping[str, str]
    span: Mapping[tuple[str, bool], str]
    one_of: str
    none_of: str
    equals: str
    other_than: str
    not_answered: str
    you_said: str
    not_the_case: str
    reason_label: str
    reason_question: str
    reason_statement: str
    fix_true: str
    fix_false: str
    fix_question: str


ZH = Wording(
    lang="zh",
    yes="是",
    no="否",
    months=tuple(f"{m}月" for m in range(1, 13)),
    date="{year}年{month}{day}日",
    quote="“{text}”",
    list_sep="、",
    last_sep="或",
    unit="{amount}{unit}",
    day_words=("天", "天"),
    year_words=("年", "年"),
    compare={
        "eq": "等于{n}",
        "ne": "不等于{n}",
        "lt": "低于{n}",
        "le": "不超过{n}",
        "gt": "超过{n}",
        "ge": "不低于{n}",
    },
    date_compare={
        "eq": "为{d}",
        "ne": "不是{d}",
        "lt": "早于{d}",
        "le": "不晚于{d}",
        "gt": "晚于{d}",
        "ge": "不早于{d}",
    },
    span={
        ("within_days", False): "在最近{c}天以内",
        ("within_days", True): "不在最近{c}天以内",
        ("before_days", False): "距今至少{c}天",
        ("before_days", True): "距今不足{c}天",
        ("within_years", False): "距今不满{c}年",
        ("within_years", True): "距今已满{c}年",
        ("before_years", False): "距今已满{c}年",
        ("before_years", True): "距今不满{c}年",
    },
    one_of="为{values}之一",
    none_of="不为{values}中的任何一项",
    equals="为{value}",
    other_than="不为{value}",
    not_answered="（尚未回答）",
    you_said="（您的回答：{value}）",
    not_the_case="不属于以下情况：{label}",
    reason_label="{label}{said}",
    reason_question="{asked}要求{need}{said}",
    reason_statement="{asked}：要求{need}{said}",
    fix_true="需要满足“{label}”{said}。",
    fix_false="需要不满足“{label}”{said}。",
    fix_question="“{asked}”的回答需要{need}{said}。",
)
"""Chinese."""

EN = Wording(
    lang="en",
    yes="yes",
    no="no",
    months=(
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ),
    date="{day} {month} {year}",
    quote="“{text}”",
    list_sep=", ",
    last_sep=" or ",
    unit="{amount} {unit}",
    day_words=("day", "days"),
    year_words=("year", "years"),
    compare={
        "eq": "exactly {n}",
        "ne": "anything other than {n}",
        "lt": "less than {n}",
        "le": "at most {n}",
        "gt": "more than {n}",
        "ge": "at least {n}",
    },
    date_compare={
        "eq": "on {d}",
        "ne": "a date other than {d}",
        "lt": "before {d}",
        "le": "on or before {d}",
        "gt": "after {d}",
        "ge": "on or after {d}",
    },
    span={
        ("within_days", False): "within the last {c} {days}",
        ("within_days", True): "not within the last {c} {days}",
        ("before_days", False): "at least {c} {days} ago",
        ("before_days", True): "less than {c} {days} ago",
        ("within_years", False): "less than {c} {years} ago",
        ("within_years", True): "at least {c} {years} ago",
        ("before_years", False): "at least {c} {years} ago",
        ("before_years", True): "less than {c} {years} ago",
    },
    one_of="one of {values}",
    none_of="none of {values}",
    equals="{value}",
    other_than="anything other than {value}",
    not_answered="(not answered yet)",
    you_said="(you said {value})",
    not_the_case="Not the case: {label}",
    reason_label="{label} {said}",
    reason_question="{asked} Must be {need} {said}",
    reason_statement="{asked}: must be {need} {said}",
    fix_true="This would have to be true: {label} {said}.",
    fix_false="This would have to be false: {label} {said}.",
    fix_question="Your answer to “{asked}” would have to be {need} {said}.",
)
"""English."""


def wording(lang: str) -> Wording:
    """The templates for ``lang``: Chinese for ``"zh"``, English for anything else."""
    return ZH if lang == "zh" else EN
