"""One turn of the eligibility check: an answer, a confirmation, a correction, or "start over" (pure: no I/O).

The bot sends every utterance made during a check (and after its verdict) here, with the
question asked, the answers so far and any reading waiting for confirmation; this module
says what the utterance does, so that the action server stays thin:

- ``start_over``: "start over", "重新开始", "从头来" — the answers of this check are cleared.
- ``confirm`` / ``deny``: "yes" / "no" to "36 months — is that right?". "No, 3 years" is an
  ``answer`` with the new value, not a bare denial.
- ``correction``: the utterance changes an earlier answer, explicitly ("I said 3 YEARS",
  "不对，是…", "我刚才说错了", "actually it's …") or by restating it ("I've lived here 3 years"
  while asked something else): the question it corrects is the answered one whose reading
  fits the words — its kind (a duration, a number, a choice, yes/no) and the words it shares
  with the question — the latest first.
- ``answer``: the utterance answers the question asked.
- ``unknown``: none of these.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from ...model import Question
from ._lexicon import AGREE_EN, AGREE_ZH, NO_EN, NO_ZH, OK_EN, OK_ZH, WRONG_EN, WRONG_ZH, YES_EN, YES_ZH, alternation
from ._text import content_words, normalize
from .durations import duration_unit, find_duration
from .numbers import parse_number
from .reading import Reading, read_answer
from .yes_no import parse_yes_no

__all__ = ["Turn", "TurnKind", "understand_turn"]

TurnKind = Literal["answer", "correction", "confirm", "deny", "start_over", "unknown"]

_START_OVER = re.compile(
    r"\bstart (?:over|again|from scratch)\b|\brestart\b|\bfrom the (?:start|beginning|top)\b|\bbegin again\b|\breset\b"
    r"|重新开始|重新来|重来|从头(?:开始|来)?|重新(?:问|填|答|测)|清空"
)
# A reply made only of words that agree or disagree with "… — is that right?" (and nothing that answers
# the question: 有, 没有 and "never" do, see _lexicon).
_AGREEING = alternation(
    YES_EN, AGREE_EN, OK_EN, NO_EN, WRONG_EN, ("that'?s", "that is", "it is", "it'?s", "is", "not"), YES_ZH, AGREE_ZH, OK_ZH, NO_ZH, WRONG_ZH
)
_AGREEMENT = re.compile(rf"(?:(?:{_AGREEING})[\s,，.。!！?？~]*)+")
# A question or a wish after the verdict is a new request, not a restated answer ("can I apply for my
# mother?", "my son needs a passport, he's 4", 失业金能领吗). Narrower than ``_lexicon.ASKS`` (a clause
# said before the check): "mine lapsed when I lost my job" restates, its "when" asks nothing.
_ASKING = re.compile(
    r"[?？吗]|^(?:how|what|where|which|can|could|may|should|is there|are there|do|does)\b|\b(?:want|wants|need|needs|apply|applying|looking for)\b"
    r"|怎么|怎样|如何|哪里|哪儿|哪能|咋|能不能|要不要|想要|申请|去办|听说"
)
_CORRECTION = re.compile(
    r"\bactually\b|\bi said\b|\bi meant\b|\bi mean\b|\bsorry\b|\bcorrection\b|\bno wait\b|\bwait\b|\bmistake\b|\bwrong\b|\bnot \S+ but\b"
    r"|\boops\b|\bwhoops\b|\btypo\b|\btyped\b|\bmistyped\b|\bmisspoke\b|\bmy bad\b|\bscratch that\b|\bi got that wrong\b"
    r"|不对|说错|搞错|弄错|写错|打错|输错|答错|填错|说反|手滑|其实|应该是|我是说|更正|纠正|改成|改为|改一下|不是\S{1,8}而是|不是[^，,。.\s]{1,10}[，,\s]\s*是"
)


@dataclass(frozen=True)
class Turn:
    """What an utterance does in the check.

    Attributes:
        kind: See the module docstring.
        question_id: The question answered, confirmed or corrected; None otherwise.
        reading: The reading of the words for that question (None for confirm, deny, start over).
    """

    kind: TurnKind
    question_id: str | None = None
    reading: Reading | None = None


def _shared(question: Question, text: str) -> int:
    """How many content words the words share with ``question`` (its text and unit, both languages)."""
    return len(content_words(question.text.zh + " " + question.text.en + " " + (question.unit.en if question.unit else "")) & content_words(text))


def _fits(question: Question, text: str, today: dt.date) -> tuple[int, Reading] | None:
    """How well the words answer ``question`` (higher is better), with the reading; None if not at all."""
    reading = read_answer(question, text, today)
    if reading is None:
        return None
    fit = _shared(question, text)
    if question.type == "number":
        has_duration = find_duration(text) is not None
        fit += 3 if has_duration == (duration_unit(question) is not None) else -3
    elif question.type == "boolean" and parse_number(text) is not None:
        fit -= 2  # a number is seldom a yes or a no
    elif question.type in ("choice", "date"):
        fit += 2
    return fit, reading


def _after_cue(text: str) -> str:
    """The words after the last correction cue ("不对，是三年" → "，是三年"; "不是3个月，是3年" → "3年"), or
    before it when nothing follows ("I do have one actually")."""
    norm = normalize(text)
    cues = list(_CORRECTION.finditer(norm))
    if not cues:
        return text
    after = norm[cues[-1].end() :]
    if re.search(r"[a-z0-9\u4e00-\u9fff]", after):
        return after
    # "oh I do have a hukou actually": the cue comes last, the words before it are the new answer;
    # not when they only disagree ("no, that's wrong" says what is wrong, not what is right)
    before = norm[: cues[-1].start()].strip()
    return after if not before or _AGREEMENT.fullmatch(before) else before


def understand_turn(
    text: str,
    *,
    asked: Question | None,
    answered: Sequence[Question],
    answers: Mapping[str, Any],
    today: dt.date,
    pending: Question | None = None,
    pending_value: Any = None,
) -> Turn:
    """Say what ``text`` does in the check.

    Args:
        text: The person's words.
        asked: The question just asked, or None (after the verdict).
        answered: The questions of this check already answered, oldest first.
        answers: The answers so far (question id → value).
        today: The date relative answers count from.
        pending: The question whose reading waits for "is that right?", if any.
        pending_value: The reading waiting for confirmation.

    Returns:
        The :class:`Turn`.
    """
    norm = normalize(text)
    if _START_OVER.search(norm):
        return Turn("start_over")
    if pending is not None:
        again = read_answer(pending, text, today)
        bare = _AGREEMENT.fullmatch(norm) is not None
        # "no, 3 years" answers anew. To "Do you have a Shanghai hukou? You said … — read as "no", is that
        # right?" a reply like 没有 / 有 / "I don't have one" answers the question itself, not "is that right?":
        # only bare agreement or disagreement words (对, 不对, 是的, "yes", "no, that's wrong") confirm or deny.
        if again is not None and not bare and (again.value != pending_value or pending.type == "boolean"):
            return Turn("answer", pending.id, again)
        said = parse_yes_no(text)
        if said is not None:
            return Turn("confirm" if said else "deny", pending.id)
    explicit = _CORRECTION.search(norm) is not None
    words = _after_cue(text) if explicit else text
    candidates: list[tuple[int, int, Question, Reading]] = []
    for order, question in enumerate(answered):
        if asked is not None and question.id == asked.id:
            continue
        found = _fits(question, words, today)
        if found is None or found[1].value == answers.get(question.id):
            continue
        candidates.append((found[0], order, question, found[1]))
    here = _fits(asked, words, today) if asked is not None else None
    if candidates:
        fit, _, question, reading = max(candidates, key=lambda c: (c[0], c[1]))
        # A correction wins over the question asked when it is explicit and fits at least as well,
        # or when the words restate the earlier question clearly better (they share its words).
        accept: bool
        if explicit:
            accept = here is None or fit >= here[0]
        elif asked is None:  # after the verdict: a bare answer must fit the earlier question ("3 years" to one in months)
            accept = fit >= 1 and not _ASKING.search(normalize(words))  # "my son needs a passport, he's 4" restates nothing
        elif here is None:
            accept = fit >= 2
        else:
            # The words answer the question asked: they correct another one only when they restate
            # it (share its words), never because their kind fits it ("没有，我是租房住的" to
            # "do you own a home?" is a "no", not a change of the work situation).
            accept = fit >= here[0] + 2 and _shared(question, words) >= 1
        if accept:
            return Turn("correction", question.id, reading)
    if here is not None and asked is not None:
        return Turn("answer", asked.id, here[1])
    return Turn("unknown")
