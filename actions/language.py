"""Reply language: detected per message, kept for messages that carry no language (``ok``, ``1``, emoji)."""

from __future__ import annotations

import re
from typing import Any

from rasa_sdk import Tracker

__all__ = ["detect", "lang_of", "text_of"]

HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")
LATIN_WORD = re.compile(r"[A-Za-z]{2,}")
SHORT_NEUTRAL = {"ok", "okay", "yes", "no", "hi", "1", "2", "3"}


def detect(text: str, previous: str | None) -> str:
    """``zh`` or ``en`` for this message; the previous language when the message has none."""
    han = len(HAN.findall(text))
    latin = len(LATIN_WORD.findall(text))
    if han and han >= latin:
        return "zh"
    if latin and (text.strip().lower() not in SHORT_NEUTRAL or previous is None):
        return "en"
    return previous or "zh"


def text_of(tracker: Tracker) -> str:
    message: dict[str, Any] = tracker.latest_message or {}
    return str(message.get("text") or "")


def lang_of(tracker: Tracker) -> str:
    value = tracker.get_slot("lang")
    return value if value in {"zh", "en"} else detect(text_of(tracker), None)
