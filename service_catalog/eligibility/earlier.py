"""Answers a person gave before the check started ("my dad is 70 and needs a care home") (pure: no I/O).

When a check starts, the bot sends what the citizen said earlier in the conversation about the
person the check is for; this module says which of the check's questions those words already
answer, so that the check does not ask again blindly:

- **taken**: a confident reading with clear evidence that the words are about that question (a
  situation phrase of a yes/no question, "is 70" / "70岁" for an age, a duration that shares the
  question's words: "I've paid social insurance for 3 years"). The bot keeps it as an answer and
  shows how it was read ("How old is your father? You said “my dad is 70” — 70 years"), so a wrong
  reading can be seen and corrected like any other answer.
- **offered**: a reading that is unsure, or whose evidence is only a shared word ("has a chinese
  licence" to "Does your wife hold a driving licence?"); the first one is asked back ("You said
  “…”: … — is that right?"), the others are asked normally later.
- **noted**: a fact about the person that answers a yes/no question of the bank outside this check
  ("she is a foreigner" while checking a driving licence renewal → "not a Chinese citizen"). It
  is kept with the person's answers (a later check for them will not ask it) and said back once.

A reading needs evidence because words said before the check were not an answer to any question:
"70" alone could be an age, a number of months or an income. Each message is read clause by
clause ("she is a foreigner" | "has a chinese licence too"), the latest message first, so a later
statement wins over an earlier one.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from ..model import Question
from .parse import Reading, read_answer
from .parse._lexicon import ASKS, UNIT_WORDS
from .parse._text import HAN, content_words, normalize, phrase_pattern
from .parse.durations import duration_unit, find_duration

__all__ = ["Found", "clauses", "earlier_answers"]

Kind = Literal["taken", "offered", "noted"]

MAX_TEXTS = 20
MAX_CLAUSES = 12  # per message: enough for a paragraph, bounded for a pasted text

_CLAUSE = re.compile(r"[,，。.;；!！?？、\n]|\bbut\b|\bthough\b|但是?|不过|可是|(?<=[\u4e00-\u9fff])\s+(?=[\u4e00-\u9fff])")
# An age said in passing: "70岁", "70 years old", "aged 70", "he is 70", "turned 70", "今年七十", "满70", "七十了".
_N = r"(?:\d{1,3}|[零一二两三四五六七八九十百]{1,4})"
_AGE = re.compile(
    rf"{_N}\s*(?:周?岁|years?[- ]old|yrs?[- ]old|y/?o\b)|\baged?\s+{_N}|"
    rf"(?:\bis|'s|'m|\bam|\bturned)\s+(?:about\s+|over\s+|just\s+)?\d{{1,3}}\b(?!\s*(?:years?|months?|weeks?|days?|%|yuan|rmb|元|k\b))(?!\.\d)"
    rf"|今年{_N}|满{_N}|{_N}了|{_N}多岁",
    re.I,
)
# An age to come is not the age now: "she turns 65 next month", 快七十了, 明年满六十.
_FUTURE = re.compile(r"\bnext\b|\bsoon\b|\bwill\b|\bgoing to\b|\balmost\b|\bnearly\b|下个?月|明年|快|就要|马上|即将|差")


@dataclass(frozen=True)
class Found:
    """A question the earlier words answer.

    Attributes:
        question_id: The question.
        reading: How the words were read (value, wording, confidence).
        said: The clause the reading came from, as the person wrote it.
        kind: ``taken``, ``offered`` or ``noted`` (see the module docstring).
    """

    question_id: str
    reading: Reading
    said: str
    kind: Kind


def clauses(text: str) -> list[str]:
    """The clauses of a message, each stripped; empty ones dropped."""
    return [c.strip() for c in _CLAUSE.split(text or "")[: MAX_CLAUSES * 2] if c and c.strip()][:MAX_CLAUSES]


def _words(text: str) -> set[str]:
    """Content words; units are left out: a duration is evidence by the duration found, not by its unit word."""
    return content_words(text, UNIT_WORDS)


def _question_words(question: Question) -> set[str]:
    texts = [question.text.zh, question.text.en]
    if question.text_other is not None:
        texts += [re.sub(r"\{\w+\}", " ", question.text_other.zh), re.sub(r"\{\w+\}", " ", question.text_other.en)]
    return _words(" ".join(texts))


def _phrase_found(question: Question, norm: str) -> str | None:
    """The first of a yes/no question's situation phrases found in the words (as the yes/no reader finds
    them: ``_text.phrase_pattern``), or None."""
    for cues in (question.yes_when, question.no_when):
        if cues is None:
            continue
        for phrase in (*cues.zh, *cues.en):
            if normalize(phrase).strip(". ") and phrase_pattern(phrase).search(norm):
                return phrase
    return None


def _specific(phrase: str) -> bool:
    """Whether a situation phrase says something on its own ("foreigner", 外国人), not in passing (过期了, "expat")."""
    if "…" in phrase or "..." in phrase:
        return False
    if HAN.search(phrase):
        return len(phrase) >= 3 and not phrase.endswith("了")
    return " " in phrase.strip() or len(phrase) >= 6


def _evidence(question: Question, clause: str, naming: Sequence[str] = ()) -> Literal["strong", "weak"] | None:
    """How clearly the clause is about ``question``: ``strong``, ``weak`` (a shared word only) or None.

    A situation phrase that is part of the service's own name (``naming``) is no
    evidence: "人才租房补贴" names the rent subsidy, it does not say the person rents. A word the
    clause shares with the question still counts ("也有中国驾照" to "does she hold a driving licence?").
    """
    norm = normalize(clause)
    for name in naming:
        norm = norm.replace(name, " ")
    shared = bool(_question_words(question) & _words(clause))  # the service's words may be the question's topic
    if question.type in ("boolean", "choice") and ASKS.search(normalize(clause)):
        return None
    if question.type == "boolean":
        return "strong" if _phrase_found(question, norm) is not None else "weak" if shared else None
    if question.type == "number":
        is_age = question.unit is not None and "岁" in question.unit.zh
        if is_age:
            return "strong" if _AGE.search(norm) and not _FUTURE.search(norm) else None
        if duration_unit(question) is not None:
            return ("strong" if shared else None) if find_duration(clause) is not None else None
        return "weak" if shared and find_duration(clause) is None else None
    if question.type == "choice":
        return "weak"  # an option named by its label or a synonym ("退休了", "I lost my job")
    return None  # a date said in passing is too often about something else


def _in_range(question: Question, reading: Reading) -> bool:
    value = reading.value
    if question.type != "number" or isinstance(value, bool) or not isinstance(value, (int, float)):
        return True
    return (question.min is None or value >= question.min) and (question.max is None or value <= question.max)


def earlier_answers(
    check: Sequence[Question],
    texts: Sequence[str],
    answers: Mapping[str, object],
    today: dt.date,
    bank: Iterable[Question] = (),
    naming: Iterable[str] = (),
) -> list[Found]:
    """The check's questions (and, as notes, the bank's yes/no questions) that earlier words answer.

    Args:
        check: The questions of the service's criteria, in the order they are asked.
        texts: What the person said earlier about the one the check is for, oldest first.
        answers: The answers already given; a question answered there is never read again.
        today: The date relative answers count from.
        bank: Other questions about the person (the caller chooses them: facts many services ask,
            such as the hukou or the nationality); only a yes/no question with one of its situation
            phrases in the words (a phrase that says something on its own, or one with a word of the
            question) and a confident reading becomes a note.
        naming: The service's titles: words that name the service wanted are not facts.

    Returns:
        One :class:`Found` per question, the check's in their order, then the notes.
    """
    found: dict[str, Found] = {}
    names = sorted({normalize(n) for n in naming if n and n.strip()}, key=len, reverse=True)
    in_check = {q.id for q in check}
    others = [q for q in bank if q.id not in in_check and q.type == "boolean" and (q.yes_when or q.no_when)]
    for text in reversed([str(t)[:500] for t in texts[-MAX_TEXTS:]]):  # the latest words win
        for clause in clauses(text):
            weak = False  # a clause that only shares a word with questions is offered for one of them
            for question in check:
                if question.id in answers or question.id in found:
                    continue
                evidence = _evidence(question, clause, names)
                reading = read_answer(question, clause, today) if evidence else None
                if reading is None or not _in_range(question, reading):
                    continue
                kind: Kind = "taken" if evidence == "strong" and reading.confident else "offered"
                if kind == "offered" and weak:
                    continue
                weak = weak or kind == "offered"
                found[question.id] = Found(question.id, reading, clause, kind)
            for question in others:
                if question.id in answers or question.id in found:
                    continue
                phrase = _phrase_found(question, normalize(clause))
                if phrase is None or not (_specific(phrase) or _question_words(question) & _words(clause)):
                    continue
                reading = read_answer(question, clause, today)
                if reading is not None and reading.confident:
                    found[question.id] = Found(question.id, reading, clause, "noted")
    order = {q.id: n for n, q in enumerate(check)}
    return sorted(found.values(), key=lambda f: order.get(f.question_id, len(order)))
