"""Three-valued eligibility evaluation, question choice and explanations (pure: no I/O).

A service's criteria (:data:`~service_catalog.model.Criterion`) are evaluated
over *partial* answers: a question that has not been answered is unknown, and
``all``/``any``/``not`` follow Kleene's three-valued logic, so a verdict is
reached as soon as the known answers settle it. :func:`next_question` then asks
only a question that can still change the outcome, preferring the one that
ends the check soonest, and :func:`assess` words the result in Chinese or
English.

Errors (the base classes live in :mod:`service_catalog.errors`)::

    CatalogError
    ├── InvalidRequest(ValueError)        400 invalid_request
    │   └── InvalidAnswer                 400 invalid_answer    (attribute ``field``)
    └── CatalogInvalid(ValueError)        422 catalog_invalid
        └── InvalidCriterion              422 invalid_criterion
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from ..errors import CatalogError, CatalogInvalid, InvalidRequest
from ..model import AllOf, AnyOf, Condition, Criterion, NotOf, Question

__all__ = [
    "Assessment",
    "InvalidAnswer",
    "InvalidCriterion",
    "Reason",
    "Verdict",
    "assess",
    "coerce_answer",
    "coerce_answers",
    "evaluate",
    "next_question",
    "open_questions",
]

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_DATE_OPS = frozenset({"within_days", "before_days", "within_years", "before_years"})
_ORDER_OPS = frozenset({"lt", "le", "gt", "ge"})
_NEGATION = {
    "eq": "ne",
    "ne": "eq",
    "lt": "ge",
    "ge": "lt",
    "le": "gt",
    "gt": "le",
    "in": "not_in",
    "not_in": "in",
}

Tri = bool | None  # True / False / unknown


class Verdict(StrEnum):
    """The outcome of an eligibility check."""

    ELIGIBLE = "eligible"
    INELIGIBLE = "ineligible"
    UNKNOWN = "unknown"


class InvalidAnswer(InvalidRequest):
    """An answer that does not fit its question (or names no known question).

    ``field`` is the question id.
    """

    code = "invalid_answer"

    def __init__(self, message: str, *, field: str) -> None:
        # Called directly: ValueError.__init__ (first in the MRO) takes no keywords.
        CatalogError.__init__(self, message, field=field)
        self.field: str = field


class InvalidCriterion(CatalogInvalid):
    """A criterion that cannot be evaluated (bad value for its operator, unknown question)."""

    code = "invalid_criterion"

    def __init__(self, message: str, *, field: str | None = None) -> None:
        CatalogError.__init__(self, message, field=field)


@dataclass(frozen=True)
class Reason:
    """One condition of the criteria, worded for the citizen.

    Attributes:
        text: The condition and the answer given, in the requested language.
        met: True or False once answered, None while the answer is missing.
        question_id: The question the condition is about.
    """

    text: str
    met: bool | None
    question_id: str


@dataclass(frozen=True)
class Assessment:
    """The result of :func:`assess`.

    Attributes:
        status: The verdict; a service without criteria is eligible.
        next_question: The question to ask next, or None once the verdict is known.
        reasons: One entry per condition that was answered or is still needed.
        missing: Ids of the questions still needed (empty unless the status is unknown).
        would_qualify_if: For an ineligible verdict, sentences naming the failed
            conditions that would have to change.
    """

    status: Verdict
    next_question: Question | None
    reasons: tuple[Reason, ...]
    missing: tuple[str, ...]
    would_qualify_if: tuple[str, ...]

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict (the next question by id)."""
        return {
            "status": self.status.value,
            "next_question": self.next_question.id if self.next_question else None,
            "reasons": [{"text": r.text, "met": r.met, "question_id": r.question_id} for r in self.reasons],
            "missing": list(self.missing),
            "would_qualify_if": list(self.would_qualify_if),
        }


# --------------------------------------------------------------------------- evaluation


def evaluate(criterion: Criterion | None, answers: Mapping[str, Any], today: dt.date) -> Verdict:
    """Evaluate criteria over partial answers with Kleene's three-valued logic.

    Args:
        criterion: The criteria tree; None means "no criteria" (eligible).
        answers: Question id to answer; a missing id (or None) is unknown. Date
            answers are ``datetime.date`` or ISO ``yyyy-mm-dd`` strings.
        today: The evaluation date for the date operators.

    Returns:
        ELIGIBLE or INELIGIBLE once the known answers settle it, else UNKNOWN.

    Raises:
        InvalidAnswer: An answer cannot be compared as its condition needs.
        InvalidCriterion: A condition's value does not suit its operator.
    """
    if criterion is None:
        return Verdict.ELIGIBLE
    return _verdict(_tri(criterion, answers, today))


def _verdict(value: Tri) -> Verdict:
    if value is None:
        return Verdict.UNKNOWN
    return Verdict.ELIGIBLE if value else Verdict.INELIGIBLE


def _tri(node: Criterion, answers: Mapping[str, Any], today: dt.date) -> Tri:
    if isinstance(node, Condition):
        return _leaf(node, answers, today)
    if isinstance(node, AllOf):
        values = [_tri(child, answers, today) for child in node.all]
        if False in values:
            return False
        return None if None in values else True
    if isinstance(node, AnyOf):
        values = [_tri(child, answers, today) for child in node.any]
        if True in values:
            return True
        return None if None in values else False
    inner = _tri(node.not_, answers, today)
    return None if inner is None else not inner


def _leaf(cond: Condition, answers: Mapping[str, Any], today: dt.date) -> Tri:
    answer = answers.get(cond.q)
    if answer is None:
        return None
    return _holds(cond, answer, today)


def _holds(cond: Condition, answer: Any, today: dt.date) -> bool:
    op, value = cond.op, cond.value
    if op in _DATE_OPS:
        day = _answer_date(cond.q, answer)
        count = value
        if isinstance(count, bool) or not isinstance(count, int) or count < 0:
            raise InvalidCriterion(f"{op} on {cond.q} needs a whole number of days or years, not {value!r}", field=cond.q)
        if op == "within_days":
            return 0 <= (today - day).days <= count
        if op == "before_days":
            return (today - day).days >= count
        if day > today:
            return False
        years = _whole_years(day, today)
        return years < count if op == "within_years" else years >= count
    if op in ("in", "not_in"):
        if not isinstance(value, list):
            raise InvalidCriterion(f"{op} on {cond.q} needs a list of values, not {value!r}", field=cond.q)
        member = any(_equal(answer, item) for item in value)
        return member if op == "in" else not member
    if op in ("eq", "ne"):
        same = _equal(answer, value)
        return same if op == "eq" else not same
    left, right = _ordered(cond, answer)
    if op == "lt":
        return bool(left < right)
    if op == "le":
        return bool(left <= right)
    if op == "gt":
        return bool(left > right)
    return bool(left >= right)


def _as_date(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str) and _ISO_DATE.match(value):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            return None
    return None


def _answer_date(qid: str, answer: Any) -> dt.date:
    day = _as_date(answer)
    if day is None:
        raise InvalidAnswer(f"the answer to {qid} must be a date (yyyy-mm-dd), not {answer!r}", field=qid)
    return day


def _whole_years(born: dt.date, today: dt.date) -> int:
    """Whole years from ``born`` to ``today``, counted as an age is."""
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _equal(answer: Any, value: Any) -> bool:
    if isinstance(answer, bool) or isinstance(value, bool):
        return isinstance(answer, bool) and isinstance(value, bool) and answer == value
    if _is_number(answer) and _is_number(value):
        return bool(answer == value)
    left, right = _as_date(answer), _as_date(value)
    if left is not None and right is not None:
        return left == right
    if isinstance(answer, str) and isinstance(value, str):
        return answer == value
    return False


def _ordered(cond: Condition, answer: Any) -> tuple[Any, Any]:
    value = cond.value
    if _is_number(value):
        if not _is_number(answer):
            raise InvalidAnswer(f"the answer to {cond.q} must be a number, not {answer!r}", field=cond.q)
        return answer, value
    limit = _as_date(value)
    if limit is None:
        raise InvalidCriterion(f"{cond.op} on {cond.q} needs a number or an ISO date, not {value!r}", field=cond.q)
    return _answer_date(cond.q, answer), limit


# --------------------------------------------------------------------------- question choice


def _walk(node: Criterion) -> Iterator[Condition]:
    if isinstance(node, Condition):
        yield node
    elif isinstance(node, AllOf):
        for child in node.all:
            yield from _walk(child)
    elif isinstance(node, AnyOf):
        for child in node.any:
            yield from _walk(child)
    else:
        yield from _walk(node.not_)


def _open_leaves(node: Criterion, answers: Mapping[str, Any], today: dt.date) -> Iterator[Condition]:
    """The unknown conditions inside undecided parts of the tree, in order."""
    if _tri(node, answers, today) is not None:
        return
    if isinstance(node, Condition):
        yield node
    elif isinstance(node, AllOf):
        for child in node.all:
            yield from _open_leaves(child, answers, today)
    elif isinstance(node, AnyOf):
        for child in node.any:
            yield from _open_leaves(child, answers, today)
    else:
        yield from _open_leaves(node.not_, answers, today)


def open_questions(criterion: Criterion | None, answers: Mapping[str, Any], today: dt.date) -> list[str]:
    """The unanswered questions that can still change the verdict, in order of appearance.

    Args:
        criterion: The criteria tree (None: no criteria).
        answers: The answers so far.
        today: The evaluation date.

    Returns:
        Question ids; empty once the verdict is decided.
    """
    if criterion is None:
        return []
    return list(dict.fromkeys(cond.q for cond in _open_leaves(criterion, answers, today)))


def next_question(
    criterion: Criterion | None,
    answers: Mapping[str, Any],
    today: dt.date,
    *,
    bank: Mapping[str, Question] | None = None,
) -> str | None:
    """The question to ask next, or None when the verdict is decided.

    Only an unanswered question from an undecided part of the tree is chosen.
    Among those, a question that alone can settle the whole check comes first;
    then the one leaving the fewest questions on the shortest path to a
    decision; ties go to the earliest question in the criteria.

    Args:
        criterion: The criteria tree (None: no criteria).
        answers: The answers so far.
        today: The evaluation date.
        bank: Optional question bank; with it, only answers the question allows
            (its options, min and max) are considered when looking ahead.

    Returns:
        A question id, or None.
    """
    candidates = open_questions(criterion, answers, today)
    if criterion is None or not candidates:
        return None
    best: tuple[int, int] | None = None
    chosen: str | None = None
    for index, qid in enumerate(candidates):
        question = bank.get(qid) if bank is not None else None
        key = (_steps_after(criterion, answers, today, qid, question), index)
        if best is None or key < best:
            best, chosen = key, qid
    return chosen


def _steps_after(criterion: Criterion, answers: Mapping[str, Any], today: dt.date, qid: str, question: Question | None) -> int:
    """Fewest further questions to a decision, over the possible answers to ``qid``."""
    fewest = math.inf
    for value in _probe_values(criterion, qid, today, question):
        trial = {**answers, qid: value}
        try:
            if _tri(criterion, trial, today) is not None:
                return 0
            yes, no = _witnesses(criterion, trial, today)
        except (InvalidAnswer, InvalidCriterion):
            continue
        for witness in (yes, no):
            if witness is not None:
                fewest = min(fewest, len(witness))
    return int(fewest) if fewest != math.inf else 1_000_000


def _witnesses(node: Criterion, answers: Mapping[str, Any], today: dt.date) -> tuple[frozenset[str] | None, frozenset[str] | None]:
    """Smallest sets of unknown questions that could make ``node`` true / false (None: impossible)."""
    if isinstance(node, Condition):
        value = _leaf(node, answers, today)
        if value is None:
            return frozenset({node.q}), frozenset({node.q})
        return (frozenset(), None) if value else (None, frozenset())
    if isinstance(node, NotOf):
        yes, no = _witnesses(node.not_, answers, today)
        return no, yes
    children = [_witnesses(child, answers, today) for child in (node.all if isinstance(node, AllOf) else node.any)]
    to_true = [yes for yes, _ in children]
    to_false = [no for _, no in children]
    if isinstance(node, AllOf):  # true needs every child true; false needs one child false
        return _union(to_true), _smallest(to_false)
    return _smallest(to_true), _union(to_false)


def _union(sets: Sequence[frozenset[str] | None]) -> frozenset[str] | None:
    if any(s is None for s in sets):
        return None
    return frozenset().union(*[s for s in sets if s is not None])


def _smallest(sets: Sequence[frozenset[str] | None]) -> frozenset[str] | None:
    found = [s for s in sets if s is not None]
    return min(found, key=len) if found else None


def _probe_values(criterion: Criterion, qid: str, today: dt.date, question: Question | None) -> list[Any]:
    """Answers to ``qid`` that together reach every outcome of its conditions."""
    leaves = [cond for cond in _walk(criterion) if cond.q == qid]
    kind = question.type if question is not None else _guess_type(leaves)
    if kind == "boolean":
        return [True, False]
    if kind == "choice":
        if question is not None:
            return [option.value for option in question.options]
        seen = [v for cond in leaves for v in _flat(cond.value) if isinstance(v, str)]
        return [*dict.fromkeys(seen), "\x00other"]
    if kind == "date":
        return _date_probes(leaves, today)
    numbers = sorted({float(v) for cond in leaves for v in _flat(cond.value) if _is_number(v)})
    points = {p for n in numbers for p in (n - 1, n, n + 1)}
    points.update((a + b) / 2 for a, b in itertools.pairwise(numbers))
    low = question.min if question is not None else None
    high = question.max if question is not None else None
    points.update(p for p in (low, high) if p is not None)
    kept = sorted(p for p in points if (low is None or p >= low) and (high is None or p <= high)) or [0.0]
    return [int(p) if float(p).is_integer() else p for p in kept]


def _flat(value: Any) -> list[Any]:
    return list(value) if isinstance(value, list) else [value]


def _guess_type(leaves: Sequence[Condition]) -> str:
    values = [v for cond in leaves for v in _flat(cond.value)]
    if any(cond.op in _DATE_OPS for cond in leaves) or any(_as_date(v) is not None for v in values):
        return "date"
    if any(isinstance(v, bool) for v in values):
        return "boolean"
    if any(_is_number(v) for v in values):
        return "number"
    return "choice"


def _years_before(today: dt.date, years: int) -> dt.date:
    try:
        return today.replace(year=today.year - years)
    except ValueError:  # 29 February in a common year
        return today.replace(year=today.year - years, day=28)


def _date_probes(leaves: Sequence[Condition], today: dt.date) -> list[dt.date]:
    edges = {today}
    for cond in leaves:
        for v in _flat(cond.value):
            try:
                if cond.op in ("within_days", "before_days") and _is_number(v):
                    edges.add(today - dt.timedelta(days=int(v)))
                elif cond.op in ("within_years", "before_years") and _is_number(v):
                    edges.add(_years_before(today, int(v)))
                elif (day := _as_date(v)) is not None:
                    edges.add(day)
            except (OverflowError, ValueError):
                continue  # a limit beyond the calendar: today's neighbours already cover it
    one = dt.timedelta(days=1)
    probes: set[dt.date] = set()
    for edge in edges:
        for step in (-one, dt.timedelta(0), one):
            try:
                probes.add(edge + step)
            except OverflowError:
                continue
    return sorted(probes)


# --------------------------------------------------------------------------- explanations


def assess(
    criterion: Criterion | None,
    answers: Mapping[str, Any],
    bank: Mapping[str, Question],
    lang: str,
    today: dt.date,
) -> Assessment:
    """Evaluate, choose the next question and explain, in ``lang``.

    Args:
        criterion: The service's criteria; None means no criteria (eligible).
        answers: Question id to answer (coerced, see :func:`coerce_answer`).
        bank: The question bank; every question the criteria use must be in it.
        lang: ``"zh"`` for Chinese; anything else gives English.
        today: The evaluation date.

    Returns:
        The :class:`Assessment`.

    Raises:
        InvalidCriterion: The criteria use a question missing from the bank, or
            a value that does not suit its operator.
        InvalidAnswer: An answer cannot be compared as its condition needs.
    """
    if criterion is None:
        return Assessment(Verdict.ELIGIBLE, None, (), (), ())
    unknown = sorted({cond.q for cond in _walk(criterion) if cond.q not in bank})
    if unknown:
        raise InvalidCriterion(f"the criteria use questions missing from the bank: {', '.join(unknown)}", field=unknown[0])
    zh = lang == "zh"
    status = evaluate(criterion, answers, today)
    open_ids = {id(cond) for cond in _open_leaves(criterion, answers, today)}
    reasons: list[Reason] = []
    for cond, negated in _leaves_with_polarity(criterion, False):
        value = _leaf(cond, answers, today)
        if value is None and id(cond) not in open_ids:
            continue
        met = None if value is None else value != negated
        reason = Reason(_reason_text(cond, negated, bank[cond.q], answers.get(cond.q), zh), met, cond.q)
        if reason not in reasons:  # e.g. two conditions sharing one label ("18 to 64 years old")
            reasons.append(reason)
    nxt = next_question(criterion, answers, today, bank=bank)
    missing = tuple(open_questions(criterion, answers, today)) if status is Verdict.UNKNOWN else ()
    would: tuple[str, ...] = ()
    if status is Verdict.INELIGIBLE:
        fixes = _repairs(criterion, answers, today, want=True) or []
        would = tuple(dict.fromkeys(_fix_text(cond, negated, bank[cond.q], answers.get(cond.q), zh) for cond, negated in fixes))
    return Assessment(status, bank[nxt] if nxt else None, tuple(reasons), missing, would)


def _leaves_with_polarity(node: Criterion, negated: bool) -> Iterator[tuple[Condition, bool]]:
    if isinstance(node, Condition):
        yield node, negated
    elif isinstance(node, AllOf):
        for child in node.all:
            yield from _leaves_with_polarity(child, negated)
    elif isinstance(node, AnyOf):
        for child in node.any:
            yield from _leaves_with_polarity(child, negated)
    else:
        yield from _leaves_with_polarity(node.not_, not negated)


Fix = list[tuple[Condition, bool]]


def _repairs(node: Criterion, answers: Mapping[str, Any], today: dt.date, *, want: bool) -> Fix | None:
    """Fewest answered conditions that must change for ``node`` to become ``want``.

    Each entry is (condition, negated): the condition must become false when
    ``negated``, else true. Unknown conditions count as free. None: impossible.
    """
    if isinstance(node, Condition):
        value = _leaf(node, answers, today)
        if value is None or value == want:
            return []
        return [(node, not want)]
    if isinstance(node, NotOf):
        return _repairs(node.not_, answers, today, want=not want)
    children = node.all if isinstance(node, AllOf) else node.any
    parts = [_repairs(child, answers, today, want=want) for child in children]
    needs_every = isinstance(node, AllOf) == want
    if needs_every:
        if any(p is None for p in parts):
            return None
        return [fix for p in parts if p is not None for fix in p]
    found = [p for p in parts if p is not None]
    return min(found, key=len) if found else None


# Wording. Each template gets {n} (number with unit), {d} (date), {v} (value), {vs} (value list).
_EN_REQ = {
    "eq": "exactly {n}",
    "ne": "anything other than {n}",
    "lt": "less than {n}",
    "le": "at most {n}",
    "gt": "more than {n}",
    "ge": "at least {n}",
}
_ZH_REQ = {
    "eq": "等于{n}",
    "ne": "不等于{n}",
    "lt": "低于{n}",
    "le": "不超过{n}",
    "gt": "超过{n}",
    "ge": "不低于{n}",
}
_EN_DATE_REQ = {
    "eq": "on {d}",
    "ne": "a date other than {d}",
    "lt": "before {d}",
    "le": "on or before {d}",
    "gt": "after {d}",
    "ge": "on or after {d}",
}
_ZH_DATE_REQ = {
    "eq": "为{d}",
    "ne": "不是{d}",
    "lt": "早于{d}",
    "le": "不晚于{d}",
    "gt": "晚于{d}",
    "ge": "不早于{d}",
}
_EN_SPAN_REQ = {
    ("within_days", False): "within the last {c} {days}",
    ("within_days", True): "not within the last {c} {days}",
    ("before_days", False): "at least {c} {days} ago",
    ("before_days", True): "less than {c} {days} ago",
    ("within_years", False): "less than {c} {years} ago",
    ("within_years", True): "at least {c} {years} ago",
    ("before_years", False): "at least {c} {years} ago",
    ("before_years", True): "less than {c} {years} ago",
}
_ZH_SPAN_REQ = {
    ("within_days", False): "在最近{c}天以内",
    ("within_days", True): "不在最近{c}天以内",
    ("before_days", False): "距今至少{c}天",
    ("before_days", True): "距今不足{c}天",
    ("within_years", False): "距今不满{c}年",
    ("within_years", True): "距今已满{c}年",
    ("before_years", False): "距今已满{c}年",
    ("before_years", True): "距今不满{c}年",
}
_END_MARKS = ("?", ".", "!", ":", "？", "。", "！", "：")
_EN_MONTHS = (
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
)


def _fmt_number(value: Any) -> str:
    if _is_number(value) and float(value).is_integer():
        return str(int(value))
    return str(value)


def _fmt_date(day: dt.date, zh: bool) -> str:
    if zh:
        return f"{day.year}年{day.month}月{day.day}日"
    return f"{day.day} {_EN_MONTHS[day.month - 1]} {day.year}"


def _fmt_value(question: Question, value: Any, zh: bool) -> str:
    """An answer or criterion value as the citizen would say it."""
    if isinstance(value, bool):
        if zh:
            return "是" if value else "否"
        return "yes" if value else "no"
    if question.type == "choice":
        for option in question.options:
            if option.value == value:
                return option.label.get("zh" if zh else "en")
        return str(value)
    day = _as_date(value)
    if day is not None:
        return _fmt_date(day, zh)
    return _fmt_number(value)


def _quoted(text: str) -> str:
    return f"“{text}”"


def _join(items: Sequence[str], zh: bool) -> str:
    if len(items) == 1:
        return items[0]
    if zh:
        return "、".join(items[:-1]) + "或" + items[-1]
    return ", ".join(items[:-1]) + " or " + items[-1]


def _requirement(cond: Condition, negated: bool, question: Question, zh: bool) -> str:
    """What the answer must be, e.g. "at least 60 years" / "不低于60岁"."""
    op: str = cond.op
    if op in _DATE_OPS:
        count = _fmt_number(cond.value)
        if zh:
            return _ZH_SPAN_REQ[(op, negated)].format(c=count)
        one = count == "1"
        return _EN_SPAN_REQ[(op, negated)].format(c=count, days="day" if one else "days", years="year" if one else "years")
    if negated:
        op = _NEGATION[op]
    value = cond.value
    if op in ("in", "not_in") and isinstance(value, list) and len(value) == 1:
        op, value = ("eq" if op == "in" else "ne"), value[0]
    if isinstance(value, bool) and op == "ne":
        op, value = "eq", not value
    if op in ("in", "not_in"):
        shown = [_quoted(_fmt_value(question, v, zh)) for v in _flat(value)]
        if zh:
            return f"为{_join(shown, zh)}之一" if op == "in" else f"不为{_join(shown, zh)}中的任何一项"
        return f"one of {_join(shown, zh)}" if op == "in" else f"none of {_join(shown, zh)}"
    if isinstance(value, bool) or (question.type == "choice" and op in ("eq", "ne")) or isinstance(value, list):
        shown_one = _quoted(_fmt_value(question, value, zh))
        if op == "eq":
            return f"为{shown_one}" if zh else shown_one
        return f"不为{shown_one}" if zh else f"anything other than {shown_one}"
    day = _as_date(value)
    if day is not None and question.type != "number":
        table = _ZH_DATE_REQ if zh else _EN_DATE_REQ
        return table[op].format(d=_fmt_date(day, zh))
    amount = _fmt_number(value)
    if question.unit is not None:
        unit = question.unit.get("zh" if zh else "en")
        amount = f"{amount}{unit}" if zh else f"{amount} {unit}"
    return (_ZH_REQ if zh else _EN_REQ)[op].format(n=amount)


def _said(question: Question, answer: Any, zh: bool) -> str:
    if answer is None:
        return "（尚未回答）" if zh else "(not answered yet)"
    shown = _fmt_value(question, answer, zh)
    return f"（您的回答：{shown}）" if zh else f"(you said {shown})"


def _reason_text(cond: Condition, negated: bool, question: Question, answer: Any, zh: bool) -> str:
    said = _said(question, answer, zh)
    if cond.label is not None:
        label = cond.label.get("zh" if zh else "en").rstrip("。.")
        if negated:
            label = f"不属于以下情况：{label}" if zh else f"Not the case: {label}"
        return f"{label}{said}" if zh else f"{label} {said}"
    need = _requirement(cond, negated, question, zh)
    asked = question.text.get("zh" if zh else "en")
    if zh:
        return f"{asked}{'' if asked.endswith(_END_MARKS) else '：'}要求{need}{said}"
    return f"{asked} Must be {need} {said}" if asked.endswith(_END_MARKS) else f"{asked}: must be {need} {said}"


def _fix_text(cond: Condition, negated: bool, question: Question, answer: Any, zh: bool) -> str:
    said = _said(question, answer, zh)
    if cond.label is not None:
        label = cond.label.get("zh" if zh else "en").rstrip("。.")
        if zh:
            return f"需要{'不' if negated else ''}满足“{label}”{said}。"
        return f"This would have to be {'false' if negated else 'true'}: {label} {said}."
    need = _requirement(cond, negated, question, zh)
    asked = question.text.get("zh" if zh else "en")
    if zh:
        return f"“{asked}”的回答需要{need}{said}。"
    return f"Your answer to “{asked}” would have to be {need} {said}."


# --------------------------------------------------------------------------- coercion

_TRUE_WORDS = frozenset({"true", "yes"})
_FALSE_WORDS = frozenset({"false", "no"})


def coerce_answer(question: Question, raw: Any) -> Any:
    """Validate and convert a JSON value given as the answer to ``question``.

    Args:
        question: The question answered.
        raw: The value: a boolean (or "true"/"false"/"yes"/"no"), a number
            within the question's min and max, one of its option values, or an
            ISO ``yyyy-mm-dd`` date (a ``datetime.date`` is accepted too).

    Returns:
        ``bool``, ``int``/``float``, the option value, or ``datetime.date``.

    Raises:
        InvalidAnswer: The value does not fit; ``field`` is the question id.
    """
    qid = question.id
    if question.type == "boolean":
        if isinstance(raw, bool):
            return raw
        word = raw.strip().lower() if isinstance(raw, str) else None
        if word in _TRUE_WORDS:
            return True
        if word in _FALSE_WORDS:
            return False
        raise InvalidAnswer(f"{qid} is a yes/no question: answer true or false, not {raw!r}", field=qid)
    if question.type == "number":
        if not _is_number(raw) or not math.isfinite(raw):
            raise InvalidAnswer(f"{qid} needs a number, not {raw!r}", field=qid)
        if question.min is not None and raw < question.min:
            raise InvalidAnswer(f"{qid} must be at least {_fmt_number(question.min)}, not {raw!r}", field=qid)
        if question.max is not None and raw > question.max:
            raise InvalidAnswer(f"{qid} must be at most {_fmt_number(question.max)}, not {raw!r}", field=qid)
        return raw
    if question.type == "choice":
        options = [option.value for option in question.options]
        if isinstance(raw, str) and raw in options:
            return raw
        raise InvalidAnswer(f"{qid} must be one of {', '.join(options)}, not {raw!r}", field=qid)
    if isinstance(raw, dt.datetime):
        return raw.date()
    if isinstance(raw, dt.date):
        return raw
    if isinstance(raw, str) and _ISO_DATE.match(raw.strip()):
        try:
            return dt.date.fromisoformat(raw.strip())
        except ValueError:
            raise InvalidAnswer(f"{qid} needs a real calendar date, not {raw!r}", field=qid) from None
    raise InvalidAnswer(f"{qid} needs a date as yyyy-mm-dd, not {raw!r}", field=qid)


def coerce_answers(bank: Mapping[str, Question], raw: Mapping[str, Any]) -> dict[str, Any]:
    """Coerce a whole answer mapping; None values stay None (unknown).

    Args:
        bank: The question bank.
        raw: Question id to JSON value.

    Returns:
        Question id to coerced value.

    Raises:
        InvalidAnswer: An id is not in the bank, or a value does not fit.
    """
    out: dict[str, Any] = {}
    for qid, value in raw.items():
        question = bank.get(qid)
        if question is None:
            raise InvalidAnswer(f"unknown question id {qid!r}", field=str(qid))
        out[qid] = None if value is None else coerce_answer(question, value)
    return out
