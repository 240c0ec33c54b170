"""Reply language: detected per message, kept for messages that carry no language (``ok``, ``1``, emoji)."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker

from common.language import detect_language

__all__ = ["detect", "lang_of", "text_of"]


def detect(text: str, previous: str | None) -> str:
    """``zh`` or ``en`` for this message; the previous language when the message has none (``ok``, ``1``),
    Chinese for a first message without one. The rule is the catalogue service's too (``common/language.py``)."""
    return detect_language(text, previous, default="zh")


def text_of(tracker: Tracker) -> str:
    message: dict[str, Any] = tracker.latest_message or {}
    return str(message.get("text") or "")


def lang_of(tracker: Tracker) -> str:
    value = tracker.get_slot("lang")
    return value if value in {"zh", "en"} else detect(text_of(tracker), None)
