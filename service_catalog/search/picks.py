"""Which item of a list the person was shown a message picks: by place, from the end, or by title.

One policy for every channel and the agent console (``POST /api/picks/resolve``): the bot sends
what the person typed and the ids (and titles) of the list it showed, and gets back the item, or
"there are only N", or nothing. Pure: no I/O.

- Place, with no upper limit within the list: "number 5", "no. 12", "#3", "option 7", "the 7th",
  "the seventh one", "5" (alone), "第七个", "第十二项", "第3项在哪里办", "7号", "七" (alone).
  A bare "first" ("is this my first application?") or 第一次 ("the first time") is not a pick;
  "not the first one, the second" picks the second.
- From the end: "the last one", "最后一个", "the second to last", "倒数第二个".
- Title: the whole title typed with typos ("Register a newborns birth"), a part of it that fits
  one title only ("the pension one", "养老金那个", 失业金 for 失业保险金申领), or the title inside a longer question. The
  titles matched are those shown plus the catalogue's titles in both languages (the caller
  passes them), so a Chinese title picks from a list shown in English. Two titles that fit
  equally well pick neither (``ambiguous``).
- A place beyond the list is ``out_of_range`` with the list's length, so the bot can say "there
  are only 3" instead of doing something else with the message.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

from rapidfuzz import fuzz
from rapidfuzz.distance import LCSseq

from ..eligibility.parse._numerals import cn_to_number, en_words_to_number

__all__ = ["Pick", "Shown", "place_in", "resolve_pick"]

PickKind = Literal["picked", "out_of_range", "ambiguous", "none"]

TITLE_SCORE = 85  # rapidfuzz score (0-100) a title must reach to be picked
TITLE_MARGIN = 8  # and by how much it must beat the next title
MIN_PART_EN = 3  # the shortest part of an English title that picks it ("dog", not "a")
MIN_PART_ZH = 2  # the shortest part of a Chinese title that picks it (养老)

_EN_ORD = {
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7, "eighth": 8,
    "ninth": 9, "tenth": 10, "eleventh": 11, "twelfth": 12, "thirteenth": 13, "fourteenth": 14,
    "fifteenth": 15, "sixteenth": 16, "seventeenth": 17, "eighteenth": 18, "nineteenth": 19, "twentieth": 20,
}  # fmt: skip
_EN_NUM = (
    r"one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|"
    r"seventeen|eighteen|nineteen|twenty(?:[\s-](?:one|two|three|four|five|six|seven|eight|nine))?"
)
_ORD_WORD = "|".join(_EN_ORD) + r"|\d+(?:st|nd|rd|th)"
_NOUN = r"one|option|service|result|item|choice|entry|link|button|on the list|in the list"
_ZH_NUM = r"[0-9一二两三四五六七八九十百零〇]+"
_ZH_UNIT = r"个|项|种|条|件|家|位|样|类|那个|这个"

# Each pattern's group "n" is the place; "back" counts from the end ("the second to last": 2).
_PLACE = [
    # from the end
    re.compile(rf"\b(?:the\s+)?(?P<back>{_ORD_WORD})\s*(?:-|\s)?(?:to|from)[\s-]+(?:the\s+)?last\b"),
    re.compile(rf"\b(?:the\s+)?(?P<back>{_ORD_WORD})\s+last\b"),
    re.compile(r"\bpenultimate\b(?P<back2>)"),
    re.compile(rf"倒数\s*第?\s*(?P<back>{_ZH_NUM})\s*(?:{_ZH_UNIT})?"),
    re.compile(r"(?:^|\bthe\s+|\bjust\s+)(?P<last>last)\s*(?:$|[,.!?]|please|pls)"),
    re.compile(rf"\b(?:the\s+)?(?P<last>last)\s+(?:{_NOUN})\b"),
    re.compile(rf"(?P<last>最后)\s*(?:一\s*(?:{_ZH_UNIT})|{_ZH_UNIT}|一项|$)"),
    # from the start
    re.compile(rf"(?:\bnumber|\bno\.|\bnum\.?|#|\boption|\bitem|\bchoice|\bresult|\bentry)\s*(?P<n>\d+|{_EN_NUM})\b"),
    re.compile(rf"\b(?:the\s+)?(?P<n>{_ORD_WORD})\s+(?:{_NOUN})\b"),
    re.compile(rf"(?:^|\bthe\s+)(?P<n>{_ORD_WORD})\s*(?:$|[,.!?]|please|pls|thanks)"),
    re.compile(rf"第\s*(?P<n>{_ZH_NUM})\s*(?:{_ZH_UNIT}|$|[吧呢啊呀。，！？,.!?]|要|在|怎么|多|的|是|需要|可以|能)"),
    re.compile(rf"(?<![月年日号0-9一二两三四五六七八九十])(?P<n>{_ZH_NUM})\s*号(?![窗线楼门口床房馆厅院路码])"),
    re.compile(
        rf"^(?:i(?:'ll| will)? (?:take|want|choose|pick)|choose|pick|select|选|要|我要|就)?\s*(?P<n>\d+|{_EN_NUM}|{_ZH_NUM})\s*(?:please|pls|吧|个|项|号)?[.!。！]?$"
    ),
]
_NEGATED = re.compile(r"(?:\bnot|\bno|n't|不是|不要|别)\s*(?:the\s+)?$")
_FILLER_EN = re.compile(
    r"\b(?:i(?:'d| would)? (?:like|want|mean|meant)|i'll take|give me|show me|tell me about|can i have|"
    r"the|a|an|one|that|this|please|pls|thanks|about|option|service)\b"
)
_FILLER_ZH = re.compile(r"我要|我想要|我想|我选|就是|那个|这个|那项|这项|办理|的|吧|呢|啊|吗|选|要")
_PUNCT = re.compile(r"[\s.,!?;:'\"()\[\]。，！？；：、“”‘’（）《》【】\-_/]+")
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")


@dataclass(frozen=True)
class Shown:
    """One item of the list shown: its id and every title it may be called by."""

    id: str
    titles: tuple[str, ...]


@dataclass(frozen=True)
class Pick:
    """What a message picks: ``kind``, and for ``picked`` the item's id, its 1-based place and how it was picked."""

    kind: PickKind
    count: int
    id: str | None = None
    position: int | None = None
    by: Literal["place", "last", "title"] | None = None  # last: counted from the end
    asked: int | None = None  # the place asked for, when out of range
    candidates: list[str] = field(default_factory=list)  # the ids that fit equally well, when ambiguous

    def to_json(self) -> dict[str, object]:
        out: dict[str, object] = {"kind": self.kind, "count": self.count}
        for name in ("id", "position", "by", "asked"):
            value = getattr(self, name)
            if value is not None:
                out[name] = value
        if self.candidates:
            out["candidates"] = self.candidates
        return out


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", unicodedata.normalize("NFKC", text).lower().replace("’", "'")).strip()


def _number(token: str) -> int | None:
    """A place as written: "12", "12th", "twelfth", "twelve", "十二"."""
    token = token.strip()
    if token in _EN_ORD:
        return _EN_ORD[token]
    digits = re.fullmatch(r"(\d+)(?:st|nd|rd|th)?", token)
    if digits:
        return int(digits.group(1))
    value = en_words_to_number(token) if re.fullmatch(r"[a-z\s-]+", token) else cn_to_number(token)
    return int(value) if value is not None and float(value).is_integer() else None


def place_in(text: str, count: int) -> int | None:
    """The 1-based place a message points at in a list of ``count`` (maybe beyond it; 0 for none named)."""
    said = _norm(text)
    found: list[tuple[int, int]] = []  # (where in the text, place)
    for pattern in _PLACE:
        for match in pattern.finditer(said):
            if _NEGATED.search(said[: match.start()]):
                continue
            groups = match.groupdict()
            if groups.get("last") is not None:
                place: int | None = count
            elif groups.get("back2") is not None:
                place = count - 1
            elif groups.get("back") is not None:
                back = _number(groups["back"])
                place = None if back is None else count - back + 1
            else:
                place = _number(groups["n"])
            if place is not None:
                found.append((match.start(), place))
        if found:
            break  # the first kind of reference that matches decides (from the end before from the start)
    if not found:
        return None
    return max(found)[1]  # "not the first, the second one": the last reference not negated


def _core(said: str) -> str:
    """The words that may name a title: the message without fillers ("I want the ... one", "我要…那个")."""
    core = _FILLER_ZH.sub(" ", _FILLER_EN.sub(" ", said))
    return _PUNCT.sub(" ", core).strip()


def _title_score(said: str, core: str, title: str) -> float:
    title = _PUNCT.sub(" ", _norm(title)).strip()
    if not title or not core:
        return 0.0
    han = bool(_HAN.search(title))
    flat_said = _PUNCT.sub(" ", said).strip()
    scores = [fuzz.ratio(core, title), fuzz.ratio(flat_said, title)]
    if len(title) >= (MIN_PART_ZH * 2 if han else 8) and len(title) <= len(flat_said):
        scores.append(fuzz.partial_ratio(title, flat_said))  # the title inside a longer question
    if len(core) >= (MIN_PART_ZH if han else MIN_PART_EN) and len(core) < len(title):
        if han:
            # the characters said appear in the title in order: 养老金 in 基本养老金申领, 失业金 in 失业保险金申领
            part, whole = core.replace(" ", ""), title.replace(" ", "")
            scores.append(95.0 if LCSseq.similarity(part, whole) == len(part) else 0.0)
        else:
            # every word said is (nearly) a word of the title: "the pension one", "dog licnce"
            words = title.split()
            said_words = [w for w in core.split() if len(w) > 2]
            if said_words and all(max(fuzz.ratio(w, t) for t in words) >= 80 for w in said_words):
                scores.append(90.0 + min(10.0, len("".join(said_words)) / 2))
    return max(scores)


def resolve_pick(text: str, shown: Sequence[Shown]) -> Pick:
    """What ``text`` picks from ``shown`` (the list in the order it was shown)."""
    count = len(shown)
    if not shown or not text.strip() or text.strip().startswith("/"):
        return Pick("none", count)
    place = place_in(text, count)
    if place is not None:
        if 1 <= place <= count:
            last = re.search(r"last|penultimate|最后|倒数", _norm(text)) is not None
            return Pick("picked", count, shown[place - 1].id, place, "last" if last else "place")
        return Pick("out_of_range", count, asked=place)
    said = _norm(text)
    core = _core(said)
    scored = sorted(((max((_title_score(said, core, t) for t in item.titles), default=0.0), i) for i, item in enumerate(shown)), reverse=True)
    best, at = scored[0]
    if best < TITLE_SCORE:
        return Pick("none", count)
    tied = [shown[i].id for score, i in scored if score > best - TITLE_MARGIN]
    if len(tied) > 1:
        return Pick("ambiguous", count, candidates=tied)
    return Pick("picked", count, shown[at].id, at + 1, "title")
