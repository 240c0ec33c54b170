"""Masking of personal data in log lines, ticket transcripts and summaries, and stored chat messages.

This is the one place that decides what counts as personal data; ``mask(text)`` masks a string and
``mask_obj(value)`` masks every string inside nested dicts, lists and tuples.

=======================  =====================================  =======================  =====================================
What                     Written as (examples)                  After masking            Rule
=======================  =====================================  =======================  =====================================
Resident ID (18 digits)  ``310101199001011234``                 ``310101********1234``   first 6 + last 4 kept, the 8
                         ``31010119900101123X``                 ``310101********123X``   birth-date digits starred; a single
                         ``310101 19900101 1234``               ``310101********1234``   space or hyphen may separate any two
                         ``310101-1990-0101-1234``              ``310101********1234``   digits; the birth date must be valid
Resident ID (15 digits)  ``310101900101123``                    ``310101******123``      first 6 + last 3 kept (the 6
                         ``310101 900101 123``                  ``310101******123``      birth-date digits starred)
Mobile number            ``13812345678``, ``138 1234 5678``     ``138****5678``          +86 / 0086 / (+86) prefix dropped,
                         ``+86 138-1234-5678``                  ``138****5678``          first 3 + last 4 kept
                         ``0086 13812345678``                   ``138****5678``
Landline                 ``021-63188360``, ``(021) 6318 8360``  ``021-****8360``         area code + last 4 kept
                         ``02163188360``, ``+86 21 6318 8360``  ``021-****8360``
                         ``0512-12345678``                      ``0512-****5678``
Bank card                ``6222021234567894``                   ``************7894``     16-19 digits or groups of 4, only
                         ``4111 1111 1111 1111``                ``************1111``     if Luhn-valid; last 4 kept
Passport, travel permit  ``E12345678``, ``G12345678``           ``E********``            leading letters kept, digits starred;
                         ``EA1234567`` (also DE/PE/SE)          ``EA*******``            exact lengths only: E/G/C/H/M with 8
                         ``C12345678``, ``CA1234567``           ``C********``            digits, D/P/S/K with 7-8, two letters
                         ``H12345678`` (home return permit)     ``H********``            with 7, H/M with 10
HK / Macao ID card       ``A123456(7)``                         ``A******(*)``           only with the bracketed check digit
                         ``1234567(8)``                         ``*******(*)``
Number after a keyword   ``passport X1234567``                  ``passport X*******``    6-9 letters/digits, at least one
                         ``护照号码：AB1234567``                ``护照号码：AB*******``  digit, after passport / 护照 /
                         ``台胞证12345678``                     ``台胞证********``       台胞证 / 台湾居民来往大陆通行证
E-mail address           ``zhang.san+tag@mail.sh.gov.cn``       ``z***@mail.sh.gov.cn``  first character and domain kept
=======================  =====================================  =======================  =====================================

Matching works on a copy of the text in which full-width digits, letters, ``＋－（）＠．``, the
ideographic space, no-break space and Unicode hyphens are folded to ASCII (one character for one, so
positions line up); only the matched spans are replaced (with half-width output), the rest of the
text is kept exactly as written.  Numbers must stand alone: a match never starts or ends next to an
ASCII letter or digit, so hex/uuid ids, ticket numbers such as ``T20261201-0001`` and codes such as
``G20`` or ``C++`` are left alone. Published landlines (the catalogue's service centre phones, given
to ``keep_public_numbers``) are not personal data and are left alone too.

Deliberately *not* masked: the public hotline 12345 and other short numbers, 400/800 service
numbers (public company hotlines, not personal), 8-digit local numbers written without an area code
(indistinguishable from other 8-digit numbers), 16-19 digit numbers that fail the Luhn check, HK IDs
written without the bracketed check digit, foreign passport numbers without the word passport/护照
in front, personal names and addresses.  Resident IDs are matched by
shape (area code, valid-looking birth date) and the check digit is not verified, so typos are masked
too; an 18-digit number shaped like a resident ID is masked as one even if it is also a valid card.

Speed: every pattern is precompiled, can only start where a run of letters/digits starts, and has no
overlapping unbounded repetition (digit patterns have fixed maximum lengths, the e-mail parts are
possessive), so masking takes linear time; a candidate rejected by a check (Luhn, birth date) is
searched again from its next character, which costs a bounded number of steps.  Texts with no digit
and no ``@`` are returned straight away.
"""

from __future__ import annotations

import re
import string
from collections.abc import Callable, Iterable
from typing import Any

__all__ = ["keep_public_numbers", "mask", "mask_obj"]

# Full-width / look-alike characters folded to ASCII for matching only (1:1, so offsets are preserved).
_FOLD = {c: c - 0xFEE0 for c in range(0xFF10, 0xFF1A)}  # ０-９
_FOLD |= {c: c - 0xFEE0 for c in (*range(0xFF21, 0xFF3B), *range(0xFF41, 0xFF5B))}  # Ａ-Ｚ ａ-ｚ
_FOLD |= {ord(c): ord(a) for c, a in zip("＋－（）＠．", "+-()@.", strict=True)}
_FOLD |= dict.fromkeys((0x3000, 0x00A0), ord(" ")) | dict.fromkeys(range(0x2010, 0x2014), ord("-"))  # spaces, hyphens

# Cheap pre-check: every pattern needs a digit or an "@" (\d also matches full-width digits).
_CANDIDATE = re.compile(r"[\d@＠]")

_START = r"(?<![0-9A-Za-z])"  # not glued to a preceding letter or digit
_END = r"(?![0-9A-Za-z])"  # not glued to a following letter or digit
_MMDD = r"(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])"  # month and day of a birth date
_ALNUM = re.compile(r"[0-9A-Za-z]")  # characters starred in document numbers

# E-mail: local part starts at a run boundary (keeps the scan linear); domain needs a dot and a letter TLD.
_EMAIL = re.compile(r"(?<![A-Za-z0-9._%+-])([A-Za-z0-9._%+-])[A-Za-z0-9._%+-]*@((?:[A-Za-z0-9-]+\.)+[A-Za-z]{2,})", re.ASCII)

# Resident ID candidate: a 6-digit area code, then 18 digits in all (year 18xx-20xx, last digit may be X) with one
# optional space/hyphen between any two digits (6-8-4, 6-4-4-4, 4-4-4-4-2, ...), or 15 digits (old style, compact
# YYMMDD birth date); _ID_SHAPE then checks the birth date with the separators removed.
_RESIDENT_ID = re.compile(
    rf"{_START}[1-9](?:[ -]?\d){{5}}(?:[ -]?(?:1[ -]?[89]|2[ -]?0)(?:[ -]?\d){{9}}[ -]?[\dXx]|[ -]?\d\d{_MMDD}[ -]?\d{{3}}){_END}",
    re.ASCII,
)
_ID_SHAPE = re.compile(rf"(\d{{6}})(?:(?:18|19|20)\d\d{_MMDD}(\d{{3}}[\dXx])|\d\d{_MMDD}(\d{{3}}))", re.ASCII)

# Chinese passports and permits with exact lengths, HK ID A123456(7) and Macao ID 1234567(8).
_TRAVEL_DOC = re.compile(
    rf"{_START}(?:[CEGHM]\d{{8}}|[HM]\d{{10}}|[DPSK]\d{{7,8}}|(?:E[A-Z]|C[A-Z]|[DPS]E)\d{{7}}|(?:[A-Z]{{1,2}}|[157])\d{{6}}\([0-9A]\)){_END}",
    re.IGNORECASE | re.ASCII,
)

# A 6-9 character document number (with at least one digit) right after passport/护照/台胞证 words.
_DOC_AFTER_KEYWORD = re.compile(
    r"(?<![A-Za-z])(?:passport|护照|台胞证|台湾居民来往大陆通行证)(?: ?(?:no\.?|number|#))?(?:号码|号)?(?: ?(?:is|是|为))?[\s:：#]{0,3}"
    rf"(?P<number>(?=[A-Za-z]{{0,8}}\d)[A-Za-z0-9]{{6,9}}){_END}(?!\*{{6}})",  # not the head of a masked resident ID
    re.IGNORECASE | re.ASCII,
)

# Bank card candidates: 16-19 digits, or 4 groups of 4 (+ a group of 1-3) separated by a space or hyphen.
_BANK_CARD = re.compile(rf"{_START}(?:\d{{16,19}}|\d{{4}}(?:[ -]\d{{4}}){{3}}(?:[ -]\d{{1,3}})?){_END}", re.ASCII)

# Mobile: optional +86 / 0086 / 86 / (+86) prefix, 1[3-9]x, optional separators in 3-4-4.
_MOBILE = re.compile(rf"{_START}(?:\(?(?:\+|00)?86\)?[ -]?)?(?P<head>1[3-9]\d)[ -]?\d{{4}}[ -]?(?P<tail>\d{{4}}){_END}", re.ASCII)

# Landline: area code (010, 02x or a 4-digit 0xxx, the 0 optional after +86), then a 7-8 digit number.
_LANDLINE = re.compile(
    rf"{_START}(?:(?:\+|00)86[ -]?\(?0?|\(?0)(?P<area>10|2\d|[3-9]\d\d)\)?[ -]?\d{{3,4}}[ -]?(?P<tail>\d{{4}}){_END}",
    re.ASCII,
)


def _luhn_ok(digits: str) -> bool:
    """Whether a digit string passes the Luhn check used by bank cards."""
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def _mask_email(m: re.Match[str]) -> str:
    return f"{m.group(1)}***@{m.group(2)}"


def _mask_resident_id(m: re.Match[str]) -> str | None:
    shape = _ID_SHAPE.fullmatch(m.group(0).replace(" ", "").replace("-", ""))
    if shape is None:
        return None  # no valid birth date: not a resident ID
    area, tail18, tail15 = shape.groups()
    return f"{area}********{tail18}" if tail18 else f"{area}******{tail15}"


def _star_after_letters(number: str) -> str:
    """Keep the leading letters of a document number, star every later letter or digit."""
    kept = len(number) - len(number.lstrip(string.ascii_letters))
    return number[:kept] + _ALNUM.sub("*", number[kept:])


def _mask_travel_doc(m: re.Match[str]) -> str:
    return _star_after_letters(m.group(0))


def _mask_doc_after_keyword(m: re.Match[str]) -> str:
    return _star_after_letters(m["number"])  # only the "number" group is replaced, the keyword stays as written


def _mask_bank_card(m: re.Match[str]) -> str | None:
    digits = m.group(0).replace(" ", "").replace("-", "")
    if not _luhn_ok(digits):
        return None  # not a card number: leave it as written
    return "*" * (len(digits) - 4) + digits[-4:]


def _mask_mobile(m: re.Match[str]) -> str:
    return f"{m['head']}****{m['tail']}"


def _number_key(number: str) -> str:
    """A landline reduced to its national digits (``+86 21 6318 8360`` and ``021-63188360`` → ``02163188360``)."""
    digits = "".join(ch for ch in number.translate(_FOLD) if ch.isdigit())
    for prefix in ("0086", "86"):
        if digits.startswith(prefix) and len(digits) > 10:
            digits = digits[len(prefix) :]
            break
    return digits if digits.startswith("0") else "0" + digits


# Published numbers (service centres' phones from the catalogue) are not personal data: masking them
# made a transcript's "call the centre on 021-6318 8360" unreadable to the agent who must repeat it.
_public_numbers: frozenset[str] = frozenset()


def keep_public_numbers(numbers: Iterable[str]) -> None:
    """Leave these published landline numbers unmasked from now on (replaces the previous set).

    The catalogue service calls this with its centres' phones on load and on reload; a process that
    never calls it masks every landline.
    """
    global _public_numbers
    _public_numbers = frozenset(_number_key(n) for n in numbers)


def _mask_landline(m: re.Match[str]) -> str | None:
    if _public_numbers and _number_key(m.group(0)) in _public_numbers:
        return None  # a published office number: leave it as written
    return f"0{m['area']}-****{m['tail']}"


# Order matters: e-mails first (their local part may be a phone number), resident IDs before bank cards.
_RULES: tuple[tuple[re.Pattern[str], Callable[[re.Match[str]], str | None]], ...] = (
    (_EMAIL, _mask_email),
    (_RESIDENT_ID, _mask_resident_id),
    (_TRAVEL_DOC, _mask_travel_doc),
    (_DOC_AFTER_KEYWORD, _mask_doc_after_keyword),
    (_BANK_CARD, _mask_bank_card),
    (_MOBILE, _mask_mobile),
    (_LANDLINE, _mask_landline),
)


def _apply(pattern: re.Pattern[str], replace: Callable[[re.Match[str]], str | None], text: str, folded: str) -> tuple[str, str]:
    """Match ``pattern`` on ``folded`` and splice the replacements into both ``text`` and ``folded``.

    The replacement covers the whole match, or only the group named ``number`` if the pattern has one.
    A candidate that ``replace`` rejects (returns None for) is searched again from its next character, so
    a real number overlapping a rejected candidate is still found; candidates are short, so this stays linear.
    Replacements are plain ASCII, so the spliced ``folded`` is still the folded form of the spliced ``text``.
    """
    group = "number" if "number" in pattern.groupindex else 0
    parts: list[str] = []
    folded_parts: list[str] = []
    done = search_from = 0
    while m := pattern.search(folded, search_from):
        new = replace(m)
        if new is None:
            search_from = m.start() + 1
            continue
        start, end = m.span(group)
        parts += (text[done:start], new)
        folded_parts += (folded[done:start], new)
        done = search_from = end
    if not parts:
        return text, folded
    return "".join([*parts, text[done:]]), "".join([*folded_parts, folded[done:]])


def mask(text: str) -> str:
    """The text with personal data masked (see the module docstring for what and how).

    >>> mask("ID 310101199001011234, call 13812345678, a@b.cn")
    'ID 310101********1234, call 138****5678, a***@b.cn'
    """
    if not _CANDIDATE.search(text):
        return text
    folded = text if text.isascii() else text.translate(_FOLD)
    for pattern, replace in _RULES:
        text, folded = _apply(pattern, replace, text, folded)
    return text


def mask_obj(value: Any) -> Any:
    """``mask`` applied to every string inside dicts and lists."""
    if isinstance(value, str):
        return mask(value)
    if isinstance(value, dict):
        return {k: mask_obj(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [mask_obj(v) for v in value]
    return value
