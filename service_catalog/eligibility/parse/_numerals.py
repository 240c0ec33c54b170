"""Reading numerals: Chinese ("六十五", "两千五", "一万二", "2.5万") and English number words (pure: no I/O).

Used by :mod:`.numbers` (finding the number in an answer) and :mod:`.dates`
("三天前", "twenty five days ago").
"""

from __future__ import annotations

import re

__all__ = ["ARABIC", "CN_CHARS", "CN_DIGITS", "EN_SCALES", "EN_UNITS", "cn_to_number", "en_words_to_number"]

CN_DIGITS = {
    "零": 0, "〇": 0, "一": 1, "壹": 1, "二": 2, "两": 2, "贰": 2, "三": 3, "叁": 3, "四": 4, "肆": 4,
    "五": 5, "伍": 5, "六": 6, "陆": 6, "七": 7, "柒": 7, "八": 8, "捌": 8, "九": 9, "玖": 9,
}  # fmt: skip
_CN_SMALL_UNITS = {"十": 10, "拾": 10, "百": 100, "佰": 100, "千": 1000, "仟": 1000, "k": 1000}
_CN_BIG_UNITS = {"万": 10_000, "w": 10_000, "亿": 100_000_000}
ARABIC = r"\d+(?:,\d{3})*(?:\.\d+)?"
CN_CHARS = "".join(CN_DIGITS) + "十拾百佰千仟万亿"
EN_UNITS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
    "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30,
    "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90,
}  # fmt: skip
EN_SCALES = {"hundred": 100, "thousand": 1000, "million": 1_000_000, "k": 1000, "grand": 1000}


def cn_to_number(run: str) -> float | None:
    """Read a run such as "六十五", "两千五", "一万二", "3千", "2.5万" or "二〇二四"."""
    tokens: list[tuple[str, float]] = []
    for match in re.finditer(rf"{ARABIC}|.", run):
        piece = match.group()
        if piece[0].isdigit():
            tokens.append(("d", float(piece.replace(",", ""))))
        elif piece in CN_DIGITS:
            tokens.append(("d", float(CN_DIGITS[piece])))
        elif piece in _CN_SMALL_UNITS:
            tokens.append(("s", float(_CN_SMALL_UNITS[piece])))
        elif piece in _CN_BIG_UNITS:
            tokens.append(("b", float(_CN_BIG_UNITS[piece])))
        else:
            return None
    if not tokens:
        return None
    if all(kind == "d" for kind, _ in tokens):
        if len(tokens) == 1:
            return tokens[0][1]
        if all(v.is_integer() and 0 <= v <= 9 for _, v in tokens):  # "二〇二四": digit by digit
            return float("".join(str(int(v)) for _, v in tokens))
        return None
    # yi: the part in 亿, wan: the part in 万, section: below 万, number: the pending digit.
    yi = wan = section = 0.0
    number: float | None = None
    last_unit = 0.0
    zero_gap = False
    for kind, value in tokens:
        if kind == "d":
            if number is not None and number != 0:
                return None  # two digits in a row inside a unit numeral: not a number we know
            zero_gap = zero_gap or (value == 0 and last_unit > 0)
            number = value
        elif kind == "s":
            section += (1.0 if number is None else number) * value
            number, last_unit, zero_gap = None, value, False
        else:
            below = section + (number or 0.0)
            if value >= 100_000_000:
                yi = (yi + wan + below or 1.0) * value
                wan = 0.0
            else:
                wan = (below or 1.0) * value
            section, number, last_unit, zero_gap = 0.0, None, value, False
    if number and last_unit >= 100 and not zero_gap:
        # Colloquial: "两千五" is 2500, "一万二" is 12000 (unless a 零 came between).
        number *= last_unit / 10
    return yi + wan + section + (number or 0.0)


def en_words_to_number(words: str) -> float | None:
    """Read English number words such as "fifty-eight", "two hundred and five" or "a thousand"."""
    total = current = 0.0
    seen = False
    for word in re.split(r"[\s-]+", words):
        if word in ("and", "a"):
            if word == "a":
                current = max(current, 1.0)
            continue
        if word in EN_UNITS:
            current += EN_UNITS[word]
            seen = True
        elif word in EN_SCALES:
            scale = EN_SCALES[word]
            current = max(current, 1.0) * scale
            seen = True
            if scale >= 1000:
                total, current = total + current, 0.0
        else:
            return None
    return total + current if seen else None
