"""Numbers in free text: "58岁", "六十五", "两千五", "3k", "fifty-eight", "about 2500 yuan" (pure: no I/O)."""

from __future__ import annotations

import re

from ._numerals import ARABIC, CN_CHARS, CN_DIGITS, EN_SCALES, EN_UNITS, cn_to_number, en_words_to_number
from ._text import normalize

__all__ = ["parse_number"]

# A run of Arabic and/or Chinese numerals; "k"/"w" only right after a digit.
_NUMBER_RUN = re.compile(rf"(?:{ARABIC}|[{CN_CHARS}])(?:{ARABIC}|[{CN_CHARS}]|(?<=\d)[kw](?![a-z]))*")
# Words whose 一/万/千 are not numbers.
_NOT_NUMBERS = re.compile(r"一下|一些|一点|一起|一直|一般|一样|一定|一旦|一切|一向|万一|唯一|统一|千万|万分|十分|百分之")
_EN_NUMBER_WORDS = "|".join(sorted([*EN_UNITS, *EN_SCALES], key=len, reverse=True))
_EN_WORD_RUN = re.compile(rf"\b(?:a\s+)?(?:{_EN_NUMBER_WORDS})(?:(?:\s+|-|\s+and\s+)(?:{_EN_NUMBER_WORDS}))*\b")
_EN_SCALE_AFTER = re.compile(r"^\s*(hundred|thousand|million|grand)\b")
_CORRECTION = re.compile(r"actually|i mean|sorry|correction|rather|其实|应该是|我是说|更正|不对|说错")
_NEGATED_BEFORE = re.compile(r"(?:\bnot|n't|\bno|不是|并非|而不是)\s*(?:about|around|quite)?\s*$")


def _number_candidates(text: str) -> list[tuple[int, float, bool]]:
    """(position, value, strong) for each number in ``text``; weak = a lone 一/二… character."""
    found: list[tuple[int, float, bool]] = []
    masked = _NOT_NUMBERS.sub(lambda m: " " * len(m.group()), text)
    for match in _NUMBER_RUN.finditer(masked):
        run = match.group()
        if not any(ch.isdigit() or ch in CN_DIGITS or ch in "十拾" for ch in run):
            continue  # units alone ("千", "万") are not a number
        value = cn_to_number(run)
        if value is None:
            continue
        after = _EN_SCALE_AFTER.match(masked[match.end() :])
        if after is not None and run[0].isdigit():
            value *= EN_SCALES[after.group(1)]
        strong = any(ch.isdigit() for ch in run) or len(run) > 1
        found.append((match.start(), value, strong))
    for match in _EN_WORD_RUN.finditer(masked):
        words = match.group().strip()
        if words in ("a", "k") or (words in EN_SCALES and masked[: match.start()].rstrip()[-1:].isdigit()):
            continue  # "3 thousand" was read with the digits
        value = en_words_to_number(words)
        if value is not None and not (words.startswith("a ") and words[2:] in EN_UNITS):
            found.append((match.start(), value, True))
    return sorted(found)


def parse_number(text: str) -> int | float | None:
    """Find the number a citizen meant.

    Handles Arabic and Chinese numerals ("58岁", "六十五", "两千五" = 2500,
    "一万二" = 12000, "3千", "2.5万", "3k"), English number words ("fifty-eight",
    "three thousand") and chatter around them ("about 2500 yuan", "I'm 58").
    With several numbers, one after a correction ("actually", "其实", "应该是")
    wins, then one not negated ("not 50, 58"), then the first.

    Args:
        text: The citizen's words.

    Returns:
        An ``int`` when whole, else a ``float``; None when there is no number.
    """
    norm = normalize(text)
    candidates = _number_candidates(norm)
    strong = [c for c in candidates if c[2]]
    pool = strong or candidates
    if not pool:
        return None
    cues = [m.end() for m in _CORRECTION.finditer(norm)]
    if cues:
        after = [c for c in pool if c[0] >= cues[-1]]
        pool = after or pool
    plain = [c for c in pool if not _NEGATED_BEFORE.search(norm[: c[0]])]
    value = (plain or pool)[0][1]
    return int(value) if float(value).is_integer() else value
