"""Which language a message is written in, ``zh`` or ``en``: the one rule of the action server (the reply
language, kept per conversation) and the catalogue service (how a search query is read).

Han characters are weighed against Latin words of two letters or more, one for one: a Chinese question
with an English name in it ("居住证 renewal") is Chinese, an English one naming a Chinese document
("how do I apply for a 居住证") is English. A message with no language of its own (``ok``, ``1``, an
emoji, a button payload) keeps ``previous``, the conversation's language, or gets ``default``.
"""

from __future__ import annotations

import re

__all__ = ["SHORT_NEUTRAL", "detect_language"]

HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")
LATIN_WORD = re.compile(r"[A-Za-z]{2,}")
# Replies that Chinese writers type in Latin letters as often as English writers do: they keep the language.
SHORT_NEUTRAL = frozenset({"ok", "okay", "yes", "no", "hi", "1", "2", "3"})


def detect_language(text: str, previous: str | None = None, default: str = "en") -> str:
    """``zh`` or ``en`` for ``text``; ``previous`` (else ``default``) when the text carries no language.

    The action server passes the conversation's language as ``previous`` and ``default="zh"``; the
    catalogue service reads a lone query, so ``"12345"`` or ``""`` is ``en``.
    """
    han = len(HAN.findall(text))
    latin = len(LATIN_WORD.findall(text))
    if han and han >= latin:
        return "zh"
    if latin and (text.strip().lower() not in SHORT_NEUTRAL or previous is None):
        return "en"
    return previous or default
