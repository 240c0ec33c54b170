"""Text helpers shared by the free-text parsers (pure: no I/O)."""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Collection
from typing import Any

from ._lexicon import CONTENT_STOP_EN, CONTENT_STOP_ZH, SHORT_FORMS_ZH

__all__ = ["HAN", "content_words", "normalize", "phrase_pattern", "stem"]

HAN = re.compile(r"[\u4e00-\u9fff]")
"""One Chinese character."""


@functools.cache
def _to_simplified() -> Any:
    import opencc  # the same conversion search uses (service_catalog/search/text.py), tables shipped in the wheel

    return opencc.OpenCC("t2s")


def normalize(text: str) -> str:
    """NFKC (full-width to ASCII), traditional Chinese to simplified, lower case, curly apostrophes straightened.

    The questions' situation words are written in simplified characters; an answer written in
    traditional ones ("過期了 一直沒去續", "營業執照還在審") is read as 过期了 一直没去续, 营业执照还在审.
    """
    folded = unicodedata.normalize("NFKC", text)
    if HAN.search(folded):
        folded = _to_simplified().convert(folded)
    return folded.lower().replace("’", "'").replace("‘", "'").strip()


@functools.cache
def _stemmer() -> Any:
    import Stemmer  # PyStemmer: the same stemmer search uses for English

    return Stemmer.Stemmer("english")


@functools.lru_cache(maxsize=8192)
def stem(word: str) -> str:
    """An English word's stem ("registered" → "regist", "lived" → "live")."""
    return str(_stemmer().stemWord(word.strip("'")))


_EN_CONTENT = re.compile(r"[a-z]{3,}")


def content_words(text: str, stop: Collection[str] = ()) -> set[str]:
    """What a sentence is about, to tell which question words restate or answer: English words of
    three letters or more, stemmed and cut to six letters (so that "registered" meets "registration"),
    and Chinese character pairs; function words out (``_lexicon.CONTENT_STOP_EN``/``_ZH``, and
    ``stop``, words the caller counts by other means), short forms spelt out (社保 as 社会保险).

    The situation reader (:mod:`.situation`) has its own terms: it needs their positions and
    the words a negation scopes over, not a set.
    """
    norm = normalize(text)
    for short, full in SHORT_FORMS_ZH:
        norm = norm.replace(short, full)
    english = {stem(w)[:6] for w in _EN_CONTENT.findall(norm) if w not in CONTENT_STOP_EN and w not in stop}
    han = "".join(HAN.findall(norm))
    pairs = {han[i : i + 2] for i in range(len(han) - 1)}
    return english | {p for p in pairs if p not in CONTENT_STOP_ZH and p not in stop}


@functools.lru_cache(maxsize=2048)
def phrase_pattern(phrase: str) -> re.Pattern[str]:
    """A situation phrase (a question's ``yes_when``/``no_when``) as a pattern: "…" is a short gap within
    the clause; English words of four letters or more may take an ending ("renew" → "renewed")."""
    parts = []
    for piece in normalize(phrase).split("..."):  # NFKC turns "…" into "..."
        piece = piece.strip()
        if not piece:
            continue
        if HAN.search(piece):
            parts.append(re.escape(piece))
        else:
            words = [re.escape(w) + (r"(?:s|es|ed|d|ing)?" if len(w) >= 4 and w.isalpha() else "") for w in piece.split()]
            parts.append(r"(?<![a-z])" + r"\s+".join(words) + r"(?![a-z])")
    gap = r"[^,，。.;；!！?？]{0,12}?"
    return re.compile(gap.join(parts))
