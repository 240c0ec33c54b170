"""The whole check for one service: verdict, next question and explanations (pure: no I/O).

:func:`assess` evaluates the criteria (:mod:`.evaluation`), chooses the next
question (:mod:`.questions`), lists the conditions that were answered or are
still needed, and for an ineligible verdict the fewest conditions that would
have to change, worded in Chinese or English (:mod:`.wording`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..model import AllOf, Condition, Criterion, NotOf, Question
from ._tree import conditions, conditions_with_polarity
from .errors import InvalidCriterion
from .evaluation import Verdict, condition_truth, evaluate
from .questions import next_question, open_conditions, open_questions
from .subjects import Person
from .wording import fix_text, reason_text

__all__ = ["Assessment", "Reason", "assess"]


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


def assess(
    criterion: Criterion | None,
    answers: Mapping[str, Any],
    bank: Mapping[str, Question],
    lang: str,
    today: dt.date,
    readings: Mapping[str, str] | None = None,
    who: Person | None = None,
) -> Assessment:
    """Evaluate, choose the next question and explain, in ``lang``.

    Args:
        criterion: The service's criteria; None means no criteria (eligible).
        answers: Question id to answer (coerced, see :func:`~service_catalog.eligibility.coerce_answer`).
        bank: The question bank; every question the criteria use must be in it.
        lang: ``"zh"`` for Chinese; anything else gives English.
        today: The evaluation date.
        readings: Question id to how the person's own words were read ("you said “about
            3 years” — counted as 36 months"), added to that question's reasons so that a
            wrong reading can be seen.
        who: The person the check is for when it is not the citizen (``subjects.person``): the
            reasons quote the questions as asked about them.

    Returns:
        The :class:`Assessment`.

    Raises:
        InvalidCriterion: The criteria use a question missing from the bank, or
            a value that does not suit its operator.
        InvalidAnswer: An answer cannot be compared as its condition needs.
    """
    if criterion is None:
        return Assessment(Verdict.ELIGIBLE, None, (), (), ())
    unknown = sorted({cond.q for cond in conditions(criterion) if cond.q not in bank})
    if unknown:
        raise InvalidCriterion(f"the criteria use questions missing from the bank: {', '.join(unknown)}", field=unknown[0])
    status = evaluate(criterion, answers, today)
    open_ids = {id(cond) for cond in open_conditions(criterion, answers, today)}
    reasons: list[Reason] = []
    for cond, negated in conditions_with_polarity(criterion):
        value = condition_truth(cond, answers, today)
        if value is None and id(cond) not in open_ids:
            continue
        met = None if value is None else value != negated
        text = reason_text(cond, negated, bank[cond.q], answers.get(cond.q), lang, who)
        if readings and cond.q in readings and cond.q in answers:
            text = f"{text}（{readings[cond.q]}）" if lang == "zh" else f"{text} ({readings[cond.q]})"
        reason = Reason(text, met, cond.q)
        if reason not in reasons:  # e.g. two conditions sharing one label ("18 to 64 years old")
            reasons.append(reason)
    nxt = next_question(criterion, answers, today, bank=bank)
    missing = tuple(open_questions(criterion, answers, today)) if status is Verdict.UNKNOWN else ()
    would: tuple[str, ...] = ()
    if status is Verdict.INELIGIBLE:
        fixes = _repairs(criterion, answers, today, want=True) or []
        would = tuple(dict.fromkeys(fix_text(cond, negated, bank[cond.q], answers.get(cond.q), lang, who) for cond, negated in fixes))
    return Assessment(status, bank[nxt] if nxt else None, tuple(reasons), missing, would)


Fix = list[tuple[Condition, bool]]


def _repairs(node: Criterion, answers: Mapping[str, Any], today: dt.date, *, want: bool) -> Fix | None:
    """Fewest answered conditions that must change for ``node`` to become ``want``.

    Each entry is (condition, negated): the condition must become false when
    ``negated``, else true. Unknown conditions count as free. None: impossible.
    """
    if isinstance(node, Condition):
        value = condition_truth(node, answers, today)
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
