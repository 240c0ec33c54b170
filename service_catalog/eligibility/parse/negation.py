"""Negation in Chinese and English answers, one implementation for every reader (pure: no I/O).

The situation reader (:mod:`.situation`) counts the negations of a whole clause (a double one
cancels); the situation-words reader (:mod:`.meaning`) asks whether one stands just before a
phrase, or just after the question's topic ("认定书还没下来", "the licence is not issued yet");
the surface reader (:mod:`.yes_no`) whether there is any at all. The three questions differ, so
they are three functions; the words that negate, and the words that only look like it (不错,
非常, "no problem"), are written once here, so that a word added for one reader holds for all.
"""

from __future__ import annotations

import re

from ._text import HAN, stem

__all__ = [
    "DOUBLE_NEGATIVE",
    "NOT_YET",
    "ZH_NEGATION",
    "ZH_NOT_NEGATION",
    "ZH_RHETORICAL",
    "any_negation",
    "count_negations",
    "negated_after",
    "negated_before",
    "without_false_negations",
]

ZH_NOT_NEGATION = re.compile(
    r"不错|非常|无论|不仅|不但|不管|不少|差不多|不久|没错|不好意思|无所谓|是不是|有没有|要不要|能不能|可不可以|会不会|"
    r"用不用|是否|不得了|勿得了|不停|一个不少|无误|无偿|没想到|没问题|没关系|不客气"
)
"""Words with a negating character that negate nothing: 不错 (good), 非常 (very), 是不是 (a question)."""

_ZH_NEG_CHARS = "没不未无非别勿莫甭冇否"
ZH_NEGATION = re.compile(f"[{_ZH_NEG_CHARS}]")
"""One Chinese character that negates (once :data:`ZH_NOT_NEGATION` words are taken out)."""

ZH_RHETORICAL = re.compile(r"哪[里儿]?有|哪来|哪能|哪[里儿]?[买付出请交花]得起|怎么可能|怎么会有|谁给我")
"""A rhetorical question that says there is none: "哪有钱请律师"."""

_EN_NOT_NEG = re.compile(r"\bnot only\b|\bno problem\b|\bno doubt\b|\bno worries\b|\bnot a problem\b|\bwhy not\b")
_EN_WORDS = r"not|never|no|nobody|none|nothing|neither|nor|without|nowhere|noone"
_EN_NEG = re.compile(rf"\b(?:{_EN_WORDS})\b|n't\b|\bno one\b|\bno longer\b")
_EN_RHETORICAL = re.compile(r"\bhow (?:would|could|can) (?:i|we)\b|\bas if\b|\bwhere would (?:i|we) get\b")

# A state not reached: expired, still waiting, cancelled, owed. Counted as a negation in a clause,
# unless it is one of the question's own words ("lost or damaged", 断缴).
_ZH_UNREACHED = re.compile(r"过期|到期|还在等|在等|等着|还在审|在审|审核中|办理中|申请中|还在办|在办|排队|丢了|注销|吊销|取消|退保|失效|欠|断|停|离职|辞职")
_EN_UNREACHED = re.compile(
    r"\b(?:expired|expire|lapsed|ran out|run out|stopped|cancel+ed|revoked|refused|rejected|denied|failed|lost|missed|pending|waiting"
    r"|still applying|in process|in progress|being processed|under review|yet to|owe|owes|owing|in debt|short of|quit|resigned)\b"
)

DOUBLE_NEGATIVE = re.compile(
    r"不是没有?|并非没有?|不是不|没有不[是有]|not that (?:i|we) (?:don't|do not|haven't|have not|didn't)"
    r"|(?:don't|do not|didn't) not|wouldn't say (?:no|i don't)|can't say (?:i|we) (?:don't|haven't)"
)
"""A negation of a negation that says yes: "不是没有", "it's not that I don't"."""

NOT_YET = re.compile(r"\bnot yet\b|\bhaven't yet\b|\bhave not yet\b|\byet to\b|还没|尚未|还未|没来得及")
"""Words that say something is not done yet."""

# Within a few characters or words before a phrase ("没有…存款多", "don't have a …").
_ZH_BEFORE = re.compile(f"[{_ZH_NEG_CHARS}][^{_ZH_NEG_CHARS}]{{0,3}}$")
_EN_BEFORE = re.compile(rf"(?:\b(?:{_EN_WORDS}|no one)|n't)\b(?:\s+\S+){{0,2}}\s*$")
# After the topic: Chinese "认定书还没下来", "社保一直没交"; English "the licence is not issued yet", "permit expired".
_ZH_AFTER = re.compile(r"(?:还|都|也|一直|从来|根本|早就|并|就|可|倒)?(?:没|不|未|勿|尚未)(?!错|少|久|得了|停|想到|问题)")
_EN_AFTER = re.compile(
    r"\s*(?:(?:is|was|are|were|has|have|had)(?:n't| not)|(?:is |was |are |has )?(?:still |not |never )?"
    r"(?:under review|pending|expired|lapsed|not (?:yet )?(?:issued|approved|granted|done|finished|received)|(?:got |been )?(?:refused|rejected|revoked|cancel+ed)))\b"
)


def without_false_negations(text: str) -> str:
    """``text`` without the words that only look negative (不错, 不少, "no problem")."""
    return _EN_NOT_NEG.sub("", ZH_NOT_NEGATION.sub("", text))


def count_negations(clause: str, exempt: frozenset[str] = frozenset()) -> tuple[bool, int]:
    """(negated, count): the negations in a clause, so that a double one cancels ("社保没断过",
    "never missed a payment"); a rhetorical question counts as one, and so does each word of a state
    not reached unless it is one of the question's own words (``exempt``: Chinese terms as written,
    English ones stemmed)."""
    count = 0
    if HAN.search(clause):
        zh = ZH_NOT_NEGATION.sub("", clause)
        count += len(ZH_NEGATION.findall(zh)) + len(ZH_RHETORICAL.findall(zh))
        count += sum(1 for m in _ZH_UNREACHED.finditer(zh) if not _within_exempt(zh, m, exempt))
    en = _EN_NOT_NEG.sub("", clause)
    count += len(_EN_NEG.findall(en)) + len(_EN_RHETORICAL.findall(en))
    count += sum(1 for m in _EN_UNREACHED.finditer(en) if stem(m.group().split()[0]) not in exempt)
    return count % 2 == 1, count


def _within_exempt(text: str, m: re.Match[str], exempt: frozenset[str]) -> bool:
    """True when a not-reached word is (part of) one of the question's own words where it stands ("断缴" for 断)."""
    for e in exempt:
        if not HAN.search(e):
            continue
        at = text.find(e)
        while at >= 0:
            if at <= m.start() < at + len(e) or m.start() <= at < m.end():
                return True
            at = text.find(e, at + 1)
    return False


def negated_before(before: str) -> bool:
    """True when the words just before a phrase negate it ("没有" in "没有…存款多", "don't have a")
    and are not a double negative ("不是没有")."""
    before = ZH_NOT_NEGATION.sub("", before)  # "还有不少粉尘": 不少 is "a lot", no negation
    return bool(_ZH_BEFORE.search(before) or _EN_BEFORE.search(before)) and not DOUBLE_NEGATIVE.search(before)


def negated_after(after: str) -> bool:
    """True when the words just after the question's topic say it is not reached ("还没下来",
    "is not issued yet", "still under review")."""
    return bool(_EN_AFTER.match(after) or _ZH_AFTER.match(after))


def any_negation(norm: str) -> bool:
    """True when a Chinese answer holds any negation (once the words that only look negative are out)."""
    return bool(ZH_NEGATION.search(ZH_NOT_NEGATION.sub("", norm)))
