"""Yes/no answers read for their meaning against the question, not by their surface words (pure: no I/O).

"My contract wasn't renewed" to "Did your job end against your will?" is a yes although it
says "not"; "我是自己辞职的" to the same question is a no although it says 是; "是的，没什么存款"
to "Are your savings below the limit?" is a yes, and would be a no to "Do you have savings
above the limit?": the 是的 agrees with the situation described, not with the question.

What decides, in order (:func:`explain_yes_no` names the step):

1. "Not sure" / "不知道" → no reading.
2. Two different districts to a question about the same district → no.
3. The question's own situation words (``yes_when`` / ``no_when`` in its YAML): each phrase
   found votes for its side, flipped when a negation stands just before it in the same clause
   ("没有" before "存款多"), or just after a topic of the question ("认定书还没下来", "the licence
   is not issued yet"), or in a rhetorical question ("哪有钱"). A phrase may hold "…" for a gap of
   a few words or characters ("存款…多" matches "存款还挺多"). Longer phrases hide the shorter ones
   they contain. A yes found where the answer tells of somebody else does not count, and the
   others having it while the person does not is a no (:mod:`.situation`). A partial yes ("only
   the written part") is asked back.
4. A double negative ("不是没有", "it's not that I don't") → yes.
5. A leading yes/no word ("No, I decided to leave myself", "是的，…") answers the question,
   unconfidently when the rest says otherwise ("yes, my hukou is in Anhui").
6. Another place than the city asked about ("我是安徽户口") → no.
7. Words that say something is not yet done ("还没", "not yet").
8. The situation read against the question's own text (:mod:`.situation`): general rules that
   hold for questions and people the situation words were never written for.
9. Words that say something is done ("打过了", "already").
10. The surface reading of :func:`~.yes_no.parse_yes_no` (confident only when nothing but yes/no
    words and the question's own words are said), or an answer that restates the question ("上海户口").

Each step gives a confidence; a reading below :data:`CONFIDENT` is confirmed with the person.
The yes/no words (step 5) are the classes of :mod:`._lexicon`, and every negation above is
:mod:`.negation`'s, the same the other readers use.
When the situation words and the leading yes/no word disagree the situation wins, unconfidently.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from ...model import Question
from ._lexicon import AGREE_EN, AGREE_ZH, HAVE_NOT_ZH, HAVE_ZH, NO_ANSWER_EN, NO_EN, NO_ZH, SURE_EN, SURE_ZH, UNSURE, YES_EN, YES_ZH, alternation
from ._text import HAN, normalize, phrase_pattern
from .negation import DOUBLE_NEGATIVE, NOT_YET, ZH_RHETORICAL, any_negation, negated_after, negated_before
from .situation import (
    Situation,
    contrasted_no,
    different_districts,
    expand_contractions,
    limited,
    negative_question,
    only_answer_words,
    other_place,
    others_spans,
    own_clauses,
    read_situation,
    says_a_bare_no,
    topic_of,
)
from .yes_no import parse_yes_no, restates_question

__all__ = ["CONFIDENT", "explain_yes_no", "read_yes_no"]

CONFIDENT = 0.8
"""Readings at least this sure are taken without asking back."""

# A space between two Chinese characters ends a clause too: chat messages often use it for a comma
# ("没有 还在学车": the 没有 answers the question, it does not negate 还在学车).
_CLAUSE = re.compile(r"[,，。.;；!！?？、]|\bbut\b|\bthough\b|但是?|不过|可是|(?<=[\u4e00-\u9fff])\s+(?=[\u4e00-\u9fff])")
# The answer's first word, when it answers the question ("是的，…", "No, I decided to leave myself").
_LEAD_YES = re.compile(
    rf"^(?:(?:{alternation(YES_EN, SURE_EN, YES_ZH, SURE_ZH, AGREE_ZH, HAVE_ZH)})(?![a-z\u4e00-\u9fff])|(?:{alternation(AGREE_EN)})(?=\s*(?:[,，.。!！;；]|$)))"
    r"(?!\s*(?:not\b|不|没))"
)
# "no one", "no longer", "no problem" are no answer word: "no one's assessed him yet" leads with none.
_LEAD_NO = re.compile(
    rf"^(?:{alternation(NO_EN, NO_ANSWER_EN, NO_ZH, HAVE_NOT_ZH)})(?![a-z\u4e00-\u9fff])(?!\s*(?:one|body|longer|problem|doubt|worries|matter)\b)"
)
_NUMERAL_BEFORE = re.compile(r"[\d零一二两三四五六七八九十百千万几]$")
_DONE = re.compile(r"\balready\b|\bi(?:'ve| have) (?:done|got|had|been)|[\u4e00-\u9fff]过了|已经|早就|办好了|弄好了|[打交办登领做]了")


def _cue_votes(question: Question, norm: str, others: Sequence[tuple[int, int]] = ()) -> list[bool]:
    """One vote per situation phrase found (longest first; a negation before it flips it). A yes
    found where the answer tells of somebody else (``others``) does not count: their having it is not yours."""
    hits: list[tuple[int, int, bool]] = []
    for side, cues in ((True, question.yes_when), (False, question.no_when)):
        if cues is None:
            continue
        for phrase in (*cues.zh, *cues.en):
            for m in phrase_pattern(phrase).finditer(norm):
                if m.group().endswith("多") and _NUMERAL_BEFORE.search(norm, 0, m.end() - 1):
                    continue  # "两万多", "十多年": after a number 多 is "-odd", not "a lot"
                hits.append((m.start(), m.end(), side))
    hits.sort(key=lambda h: (h[0], -(h[1] - h[0])))
    votes: list[bool] = []
    taken: list[tuple[int, int]] = []
    for start, end, side in sorted(hits, key=lambda h: h[0] - h[1]):  # longest first
        if any(s < end and start < e for s, e in taken):
            continue
        taken.append((start, end))
        clause_start = max((m.end() for m in _CLAUSE.finditer(norm) if m.end() <= start), default=0)  # whole text: the space rule looks ahead
        before = norm[clause_start:start]
        if clause_start == 0 and (lead := _LEAD_NO.match(norm)) and lead.end() <= start:
            before = norm[lead.end() : start]  # "no just a tourist trip": the leading no answers; it does not negate "tourist"
        negated = negated_before(before)
        if ZH_RHETORICAL.search(norm[clause_start:end]):
            negated = not negated  # "哪有钱请律师": a rhetorical question says there is none
        if not negated and negated_after(norm[end:]) and topic_of(question, norm[start:end]):
            # "认定书还没下来", "the licence is not issued yet", "trademark still under review"
            negated = not any(s <= end < e for s, e, _ in hits)
        vote = side != negated
        if not (vote and any(a <= start < b for a, b in others)):
            votes.append(vote)
    return votes


_COMPLETED = re.compile(r"[了过好完]|下来|出来")


def situation_confidence(question: Question, norm: str, situation: Situation) -> float:
    """How sure a reading by the question's shared words is, from what it holds on sets written by
    other hands: two shared words or more are sure; one word negated is, and one Chinese word with a
    finished action ("积分批下来了", "认定过的"); under a question put negatively ("below the limit") or for a
    partial yes ("only the written part") it is asked back."""
    if negative_question(question) or (situation.value and limited(norm)):
        return 0.65
    if situation.shared >= 4:
        return 0.85
    if HAN.search(norm) and situation.shared >= 2 and _COMPLETED.search(norm):
        return 0.8
    if not situation.value:
        return 0.8  # the question's own word, negated: "the lisence is not issued yet", "单位没给我交"
    return 0.65


def _others_have_it(question: Question, norm: str, others: Sequence[tuple[int, int]], situation: Situation | None) -> bool:
    """True when the answer says somebody else has it and the person does not ("only my husband is
    covered; I'm not working so I don't have any", "his company pays for him, nobody pays mine")."""
    theirs = " ".join(norm[a:b] for a, b in others)
    theirs_yes = any(_cue_votes(question, theirs)) or (read_situation(question, theirs) or Situation(False, 0, 0)).value
    if not theirs_yes:
        return False
    own = "，".join(own_clauses(question, norm))
    own_says = situation.value if situation is not None else parse_yes_no(own)
    return own_says is False or contrasted_no(question, norm)


def read_yes_no(question: Question, text: str) -> tuple[bool, float] | None:
    """Read a yes/no answer for its meaning against ``question``.

    Args:
        question: The yes/no question asked (its ``yes_when``/``no_when`` words are used).
        text: What the person said.

    Returns:
        (answer, confidence between 0 and 1), or None when the answer says neither.
    """
    found = explain_yes_no(question, text)
    return None if found is None else (found[0], found[1])


def explain_yes_no(question: Question, text: str) -> tuple[bool, float, str] | None:
    """:func:`read_yes_no` with the name of the rule that decided ("cues", "place", "situation"…),
    for evaluation: which rules hold on sets written by other hands."""
    norm = expand_contractions(normalize(text))
    if not norm or UNSURE.search(norm):
        return None
    lead = True if _LEAD_YES.match(norm) else False if _LEAD_NO.match(norm) else None
    if different_districts(question, norm):
        return False, 0.85, "districts"  # "执照在闵行，新店在徐汇" to a question about the same district
    situation = read_situation(question, norm)
    others = others_spans(question, norm)
    votes = _cue_votes(question, norm, others)  # "his company pays for him, but nobody pays mine"
    if others and _others_have_it(question, norm, others, situation):
        return False, 0.85, "others have it, not the person"
    if votes and contrasted_no(question, norm):
        votes.append(False)  # "there's a car, but it's registered to my husband, not me"
    if votes and (all(votes) or not any(votes)):
        if votes[0] and limited(norm):
            return True, 0.6, "cues, limited"  # "only passed the written part": a partial yes is asked back
        if lead is None or lead == votes[0]:
            return votes[0], 0.9, "cues"
        return votes[0], 0.6, "cues against the leading word"  # "是的，没什么存款" to a question about savings above a limit
    if votes:
        # the situation words point both ways; the clause-by-clause reading may still agree with itself
        return (situation.value, 0.6, "cues both ways, situation") if situation is not None else None
    if DOUBLE_NEGATIVE.search(norm):
        return True, 0.85, "double negative"
    elsewhere = other_place(question, norm)
    if lead is not None:
        rest = _CLAUSE.split(norm, maxsplit=1)
        if (elsewhere and lead) or (situation is not None and situation.value != lead and situation.shared >= 4):
            return lead, 0.6, "leading word, contradicted"  # "yes, my hukou is in Anhui": the words after the yes say otherwise
        return lead, 0.95 if len(rest) == 1 or not rest[1].strip() else 0.9, "leading word"
    if elsewhere:
        return False, 0.85, "another place"  # "我是安徽户口" to a question about Shanghai
    if NOT_YET.search(norm):
        return False, 0.85, "not yet"
    if situation is not None:
        if situation.value and says_a_bare_no(question, norm):
            return True, 0.6, "situation, and a bare no"  # "X的残疾证办下来了 我自己没有": whose, the words did not say
        return situation.value, situation_confidence(question, norm, situation), "situation"
    if _DONE.search(norm) and not any_negation(norm):
        return True, 0.85, "done"
    surface = parse_yes_no(norm)
    if surface is not None:
        return surface, 0.9 if only_answer_words(question, norm) else 0.7, "surface"  # "我是安徽户口": 是 is not the answer
    restated = restates_question(question, text)
    return (True, 0.85, "restates the question") if restated else None
