"""A described situation read against the question's own text (pure: no I/O).

The per-question situation words (``yes_when``/``no_when``) only cover what somebody thought
of; a new person describes another situation ("工资条上有扣社保", "nobody has assessed her
yet"). These rules are general, so that they hold for people and questions we never saw:

1. **Another place.** A question about this city (本市, 上海, "in the city") answered with
   another place ("我是安徽户口", "hukou is back in Henan", "born in Hong Kong") is a no; two
   districts to a question about the same district are a no.
2. **The question's own words, with negation scope.** A clause that shares content words with
   the question (character bigrams in Chinese, stemmed words in English, everyday forms such
   as 社保 for 社会保险 or 驾照 for 驾驶证, one-edit typos of its longer English words) says yes
   unless it is negated, and no when it is. Negations are counted in the clause, so a double one
   cancels ("社保没断过", "never missed a payment"); a rhetorical question negates ("哪有钱请律师",
   "how would I afford"); words of a state not reached (过期, 还在审, 欠, "expired", "still
   waiting") negate unless the question itself is about them ("lost or damaged"). A word the
   question negates or compares ("无力支付律师费用", "savings below the limit") turns the vote
   round. The question's ``no_when`` words found un-negated vote no.
3. **Whose situation.** When an answer to a question about "you" tells of somebody else too
   ("his company pays for him, but nobody pays mine"), the others' clauses do not answer it.
4. **A partial yes** ("only the written part", 只考过了笔试) is marked, so that it is asked back.

Each clause that shares words votes; when votes disagree there is no reading. How sure a
reading is, and in which order these rules and the surface words apply, :mod:`.meaning` decides.

Why this module is long: the rules share the clause splitting and the question's words (cached per
question), and each is small; split up, each would import the rest. The word lists are in
:mod:`._lexicon`, the negation counting in :mod:`.negation`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from ...model import Question
from ._lexicon import (
    ELSEWHERE_EN,
    ELSEWHERE_ZH,
    EN_ANSWER_WORDS,
    EN_FORMS,
    EN_STOP,
    HERE_EN,
    HERE_ZH,
    KIN_EN,
    KIN_ZH,
    ZH_ANSWER_WORDS,
    ZH_FORMS,
    ZH_GENERIC,
    ZH_STOP,
    alternation,
)
from ._text import HAN
from ._text import stem as _stem
from .negation import ZH_NEGATION, ZH_NOT_NEGATION
from .negation import count_negations as _negations

__all__ = [
    "Situation",
    "contrasted_no",
    "different_districts",
    "expand_contractions",
    "limited",
    "negative_question",
    "only_answer_words",
    "other_place",
    "others_spans",
    "own_clauses",
    "read_situation",
    "says_a_bare_no",
    "topic_of",
]

_CONTRACTIONS = re.compile(r"\b(do|does|did|have|has|had|is|are|was|were|ca|wo|could|would|should|must|need)nt\b|\b(i)m\b|\b(i|we|they|you)ve\b")


def expand_contractions(norm: str) -> str:
    """Apostrophes people leave out: "havent", "dont", "isnt", "im", "ive" → "haven't", "don't", "isn't", "i'm", "i've"."""

    def fix(m: re.Match[str]) -> str:
        if m.group(1):
            return m.group(1) + "n't"
        if m.group(2):
            return "i'm"
        return m.group(3) + "'ve"

    return _CONTRACTIONS.sub(fix, norm)


_CLAUSE = re.compile(
    r"[,，。.;；!！?？、:：()（）]|\bbut\b|\bthough\b|\bhowever\b|\band\b|但是?|不过|可是|就是|只是|只有|(?<=[\u4e00-\u9fff])\s+(?=[\u4e00-\u9fff])"
)

# --- places -----------------------------------------------------------------------------------

_LOCAL_QUESTION = re.compile(r"本市|上海|shanghai|\bin the city\b|\bthe city'?s\b")
_HERE = re.compile(rf"{HERE_ZH}|这里|这边|这儿|迁过来|迁来|迁到这|落户|(?<![a-z])(?:{HERE_EN}|here|this city)(?![a-z])")
_ELSEWHERE = re.compile(rf"{ELSEWHERE_ZH}|(?<![a-z])(?:{ELSEWHERE_EN})(?![a-z])")


def other_place(question: Question, norm: str) -> bool:
    """True when a question about this city is answered with another place and not this city."""
    if not _LOCAL_QUESTION.search(f"{question.text.zh} {question.text.en.lower()}"):
        return False
    clauses = _clauses(norm)
    here = any(_HERE.search(c) and not _negations(c)[0] for c in clauses)  # "moved from Anhui to Shanghai", "迁过来了" is here
    if here:
        return False
    words = _question_words(question)
    short = len(norm) <= 12 if HAN.search(norm) else len(norm.split()) <= 5
    # the other place must be where the question's subject is ("户口在安徽", "insurance is from Anhui"),
    # or all the answer says ("安徽的"): "I came from Beijing and got the permit in March" is no no
    return any(_ELSEWHERE.search(c) and not _negations(c)[0] and (short or any(_clause_hits(words, c))) for c in clauses)


_SAME_DISTRICT_Q = re.compile(r"同一个?区|same district")
_DISTRICT_NAMES = re.compile(rf"{HERE_ZH.replace('上海|本市|本地|沪|', '')}|(?<![a-z])(?:{HERE_EN.replace('shanghai|', '')})(?![a-z])")


def different_districts(question: Question, norm: str) -> bool:
    """True when a question about the same district is answered with two different districts
    ("执照在闵行，新店在徐汇")."""
    if not _SAME_DISTRICT_Q.search(f"{question.text.zh} {question.text.en.lower()}"):
        return False
    names = {m.group().replace("'", "")[:2] for m in _DISTRICT_NAMES.finditer(norm)}
    return len(names) >= 2


# --- whose situation ---------------------------------------------------------------------------

_KIN_ZH = alternation(KIN_ZH)
_KIN_EN = alternation(KIN_EN)
_OTHER_ZH = re.compile(rf"[他她]|{_KIN_ZH}")
_SELF_ZH = re.compile(rf"我(?!们|的?(?:{_KIN_ZH}|父|母|儿|女|孩|家))")
_OTHER_EN = re.compile(rf"\b(?:he|she|his|her|him|hers|{_KIN_EN})\b")
_SELF_EN = re.compile(rf"\b(?:i|me|mine|myself|i'm|i've|i'd|i'll)\b|\bmy\b(?!\s+(?:{_KIN_EN})\b)")
_ABOUT_OTHERS_Q = re.compile(r"配偶|父母|子女|孩子|家人|犬|狗|贵单位|老人|去世|病人|投资人|门店|项目|场所|企业|建筑|货车|经营")


def others_spans(question: Question, norm: str) -> list[tuple[int, int]]:
    """Where an answer to a question about "you" tells of somebody else, when it tells of the person
    too ("his company pays for him, but nobody pays mine", "registered to my husband, not me"): what
    the others have does not answer it. Without such a contrast, nothing."""
    if _ABOUT_OTHERS_Q.search(question.text.zh):
        return []
    spans: list[tuple[int, int, str]] = []
    start = 0
    for end in [m.start() for m in _CLAUSE.finditer(norm)] + [len(norm)]:
        c = norm[start:end]
        other = bool(_OTHER_ZH.search(c) or _OTHER_EN.search(c))
        own = bool(_SELF_ZH.search(c) or _SELF_EN.search(c))
        spans.append((start, end, "other" if other and not own else "self" if own and not other else "either"))
        start = end
    kinds = {k for _, _, k in spans}
    return [(a, b) for a, b, k in spans if k == "other"] if {"self", "other"} <= kinds else []


def bare_no(words: _Words, clause: str) -> bool:
    """A short negated clause without the question's words: "not me", "mine isn't", "我没有"."""
    return len(clause) <= 12 and _negations(clause)[0] and not _clause_hits(words, clause)[0]


def says_a_bare_no(question: Question, norm: str) -> bool:
    """True when a clause of the answer is a bare no that names the person ("我自己没有", "not me",
    "mine isn't"): beside a yes read elsewhere in the answer, the answer says both."""
    words = _question_words(question)
    return any(bare_no(words, c) and (_SELF_ZH.search(c) or _SELF_EN.search(c)) for c in _clauses(norm))


def contrasted_no(question: Question, norm: str) -> bool:
    """True when an answer that tells of somebody else says no for the person ("…my husband's, not me")."""
    return bool(others_spans(question, norm)) and any(bare_no(_question_words(question), c) for c in own_clauses(question, norm))


def own_clauses(question: Question, norm: str) -> tuple[str, ...]:
    """The clauses that do not tell only of somebody else (see :func:`others_spans`)."""
    others = others_spans(question, norm)
    if not others:
        return _clauses(norm)
    kept, start = [], 0
    for a, b in others:
        kept.append(norm[start:a])
        start = b
    kept.append(norm[start:])
    return _clauses("，".join(kept))


_LIMITER = re.compile(
    r"\b(?:only(?! (?:son|daughter|child|kid)\b)|just|merely|partly|partially|half)\b|只有|只是|只[过办交拿考]|仅|才[过办交拿考有]|一部分|部分"
)


def limited(norm: str) -> bool:
    """True when the answer limits what it says ("only passed the written part", "只交了一部分"):
    a partial yes is asked back, never taken as a yes."""
    return bool(_LIMITER.search(norm))


@lru_cache(maxsize=4096)
def _clauses(norm: str) -> tuple[str, ...]:
    return tuple(c.strip() for c in _CLAUSE.split(norm) if c and c.strip())


# --- the question's own words -------------------------------------------------------------------

_EN_WORD = re.compile(r"[a-z][a-z'&-]*[a-z]|[a-z]")


def _en_terms(text: str) -> list[tuple[str, int]]:
    """Stemmed content words with their word positions."""
    words = [w.removesuffix("'s") for w in _EN_WORD.findall(text.lower().replace("’", "'"))]
    return [(_stem(w), i) for i, w in enumerate(words) if w not in EN_STOP and len(w) > 1 and "'" not in w]  # "don't" is no topic


def _zh_terms(text: str) -> set[str]:
    """Character bigrams of the Chinese runs, without function characters or generic pairs."""
    out: set[str] = set()
    for run in re.findall(r"[\u4e00-\u9fff]+", ZH_STOP.sub(" ", text)):
        out.update(run[i : i + 2] for i in range(len(run) - 1))
    return out - ZH_GENERIC


@dataclass(frozen=True)
class _Words:
    """A question's content words: yes-side terms with whether the question negates them, and no-side terms."""

    zh_yes: dict[str, bool]
    en_yes: dict[str, bool]
    zh_no: frozenset[str]
    en_no: frozenset[str]
    en_spelled: tuple[tuple[str, str], ...] = ()
    """The question's longer English words as written, with their stems: typos are matched against them."""

    @property
    def exempt(self) -> frozenset[str]:
        """Words that are no negation here: the question's own ("lost or damaged") and its no-side ones ("过期")."""
        return frozenset(self.zh_yes) | frozenset(self.en_yes) | self.zh_no | self.en_no


_NEGATIVE_Q_ZH = re.compile(r"[非未无不没]|低于|少于")
_NEGATIVE_Q_EN = re.compile(r"\b(?:not|no|without|unable|below|against|less than|fewer than)\b|n't\b")


def negative_question(question: Question) -> bool:
    """True when the question itself is put negatively ("below the limit", "非本人意愿", "unable to
    afford"): shared words then say little about which way the answer goes, so that reading is asked back."""
    return bool(_NEGATIVE_Q_ZH.search(ZH_NOT_NEGATION.sub("", question.text.zh)) or _NEGATIVE_Q_EN.search(question.text.en.lower()))


_BELOW_ZH = re.compile(r"低于|少于")


def topic_of(question: Question, phrase: str) -> bool:
    """True when ``phrase`` shares a content word with the question's own text, not just its situation words."""
    if HAN.search(phrase):
        return bool(_zh_terms(phrase) & _zh_terms(question.text.zh.replace("是否", "")))
    return bool({t for t, _ in _en_terms(phrase)} & {t for t, _ in _en_terms(question.text.en)})


def only_answer_words(question: Question, norm: str) -> bool:
    """True when the answer is yes/no words, optionally with the question's own words ("有居住证",
    "no I don't have a licence"), and says nothing else that could change its meaning ("我是安徽户口")."""
    words = _question_words(question)
    if HAN.search(norm):
        rest = ZH_ANSWER_WORDS.sub(" ", norm)
        if re.search(r"[a-z0-9]", rest):
            return False
        runs = re.findall(r"[\u4e00-\u9fff]+", rest)
        return all(len(run) > 1 and all(run[i : i + 2] in words.zh_yes for i in range(len(run) - 1)) for run in runs)
    return all(w in EN_ANSWER_WORDS or _stem(w) in words.en_yes for w in _EN_WORD.findall(norm))


def _zh_negated_in(text: str, term: str) -> bool:
    at = text.find(term)
    return at >= 0 and bool(ZH_NEGATION.search(ZH_NOT_NEGATION.sub("", text[max(0, at - 4) : at])))


def _question_words(question: Question) -> _Words:
    yes, no = question.yes_when, question.no_when
    return _words_of(
        question.text.zh,
        question.text.en,
        (tuple(yes.zh), tuple(yes.en)) if yes else ((), ()),
        (tuple(no.zh), tuple(no.en)) if no else ((), ()),
    )


@lru_cache(maxsize=512)
def _words_of(text_zh: str, text_en: str, cues_yes: tuple[tuple[str, ...], tuple[str, ...]], cues_no: tuple[tuple[str, ...], tuple[str, ...]]) -> _Words:
    """The content words of a question's text and situation words (cached: a question bank is small)."""
    zh_q = text_zh.replace("是否", "")
    zh_yes: dict[str, bool] = {}
    below = _BELOW_ZH.search(zh_q)
    for term in _zh_terms(zh_q):
        # "存款…是否低于标准": the savings the question compares count as negated ("没什么存款" is a yes)
        zh_yes[term] = _zh_negated_in(zh_q, term) != bool(below and zh_q.find(term) < below.start())
    for forms in ZH_FORMS:
        if any(f in zh_q for f in forms):
            negated = any(zh_yes.get(f, _zh_negated_in(zh_q, f)) for f in forms if f in zh_q)
            for f in forms:
                zh_yes.setdefault(f, negated)
    en_q = text_en.lower()
    en_words = _EN_WORD.findall(en_q)
    en_yes: dict[str, bool] = {}
    below_en = next((i for i, w in enumerate(en_words) if w in ("below", "under", "less", "fewer")), None)
    for stem, i in _en_terms(en_q):
        before = " ".join(en_words[max(0, i - 4) : i])
        compared = bool(below_en and i < below_en)  # "savings … below the local limit"
        en_yes.setdefault(stem, bool(re.search(r"\b(?:not|no|without|unable|never)\b|n't", before)) != compared)
    for forms in EN_FORMS:
        stems = [_stem(f) for f in forms if " " not in f]
        if any(s in en_yes for s in stems) or any(" " in f and f in en_q for f in forms):
            negated = any(en_yes.get(s, False) for s in stems)
            for f in forms:
                en_yes.setdefault(f if " " in f else _stem(f), negated)
    for phrase in cues_yes[0]:
        for term in _zh_terms(phrase.replace("…", "")):
            if not ZH_NEGATION.search(term):
                zh_yes.setdefault(term, False)
    for phrase in cues_yes[1]:
        for stem, _ in _en_terms(phrase):
            en_yes.setdefault(stem, False)
    zh_no = {t for p in cues_no[0] for t in _zh_terms(p.replace("…", "")) if not ZH_NEGATION.search(t)} - set(zh_yes)
    en_no = {s for p in cues_no[1] for s, _ in _en_terms(p)} - set(en_yes)
    spelled = {w: _stem(w) for w in _EN_WORD.findall(f"{en_q} {' '.join(cues_yes[1])}") if len(w) >= 6 and _stem(w) in en_yes}
    return _Words(zh_yes, en_yes, frozenset(zh_no), frozenset(en_no), tuple(sorted(spelled.items())))


@dataclass(frozen=True)
class Situation:
    """What the clauses that share the question's words say: the answer and how much was shared."""

    value: bool
    shared: int
    clauses: int


def _clause_hits(words: _Words, clause: str) -> tuple[list[tuple[str, bool]], list[str]]:
    """(yes-side terms found with whether the question negates them, no-side terms found)."""
    yes: list[tuple[str, bool]] = []
    no: list[str] = []
    if HAN.search(clause):
        found = {t: n for t, n in words.zh_yes.items() if len(t) == 1 and t in clause}
        for term in _zh_terms(clause) | {t for t in words.zh_yes if len(t) > 2 and t in clause}:
            if term in words.zh_yes:
                found[term] = words.zh_yes[term]
            elif term in words.zh_no:
                no.append(term)
        yes.extend(found.items())
    low = clause.lower()
    for phrase, negated in words.en_yes.items():
        if " " in phrase and phrase in low:
            yes.append((phrase, negated))
    for stem, at in _en_terms(clause):
        if stem not in words.en_yes and stem not in words.en_no:
            stem = _misspelt(words, _EN_WORD.findall(low)[at]) or stem  # "lisence", "pharmasist"
        if stem in words.en_yes:
            yes.append((stem, words.en_yes[stem]))
        elif stem in words.en_no:
            no.append(stem)
    return yes, no


def _misspelt(words: _Words, word: str) -> str | None:
    """The stem of the question's word that ``word`` misspells (one edit; two in long words), else None."""
    if len(word) < 6:
        return None
    from rapidfuzz.distance import Levenshtein  # the fuzzy matcher search already uses

    limit = 2 if len(word) >= 9 else 1
    for spelled, stem in words.en_spelled:
        if abs(len(spelled) - len(word)) <= limit and Levenshtein.distance(spelled, word, score_cutoff=limit) <= limit:
            return stem
    return None


def _says_more(clause: str, yes: list[tuple[str, bool]], no: list[str]) -> bool:
    """True when a clause has words besides the question's ones it shares ("有社保", not "社保")."""
    rest = clause
    for term in sorted([t for t, _ in yes] + no, key=len, reverse=True):
        if HAN.search(term):
            rest = rest.replace(term, " ")
    if HAN.search(clause):
        return bool(HAN.search(rest))
    return any(_stem(w) not in {t for t, _ in yes} | set(no) for w in _EN_WORD.findall(rest))


_ASKED_BACK = re.compile(r"^(?:what|which|huh|what's that|什么|啥|哪个)\b\s*\S{0,20}$|^(?:什么|啥)\S{0,6}$")


def read_situation(question: Question, norm: str) -> Situation | None:
    """Read the clauses that share the question's words; None when none does or they disagree.

    Args:
        question: The yes/no question asked.
        norm: The answer, normalised (``_text.normalize``) with contractions expanded.
    """
    words = _question_words(question)
    votes: list[bool] = []
    shared = 0
    clauses = own_clauses(question, norm)
    for clause in clauses:
        if clauses != _clauses(norm) and bare_no(words, clause):
            votes.append(False)  # "…registered to my husband, not me": the bare "not me" answers
            shared += 2
            continue
        if _ASKED_BACK.match(clause):
            continue  # "what assessment?": the person asks, it says nothing
        yes, no = _clause_hits(words, clause)
        if not yes and not no:
            continue
        negated, _ = _negations(clause, words.exempt)
        if not negated and not _says_more(clause, yes, no):
            continue  # "户口" alone names the subject; it says neither yes nor no
        clause_votes = {negated == q_negated for _, q_negated in yes} | {negated for _ in no}
        if len(clause_votes) != 1:
            return None
        votes.append(clause_votes.pop())
        shared += sum(len(t) if HAN.search(t) else 2 for t, _ in yes) + sum(len(t) if HAN.search(t) else 2 for t in no)
    if not votes or len(set(votes)) != 1:
        return None
    return Situation(votes[0], shared, len(votes))
