"""The Telegram renderer: neutral replies as ``sendMessage`` bodies, and button payloads as ``callback_data``.

Each ``Reply`` becomes one or more ``sendMessage`` bodies (without ``chat_id``, which the channel
adds):

- **Plain text**, no ``parse_mode``: nothing the catalogue or the citizen wrote can be taken for
  markup, so nothing needs escaping. Link previews are off (``link_preview_options``): an
  application link is single-use and personal, and Telegram's preview robot should not fetch it.
- **Split at line breaks** below ``MAX_TEXT`` (4,096). Telegram counts a text in UTF-16 code
  units (an emoji outside the Basic Multilingual Plane counts 2), so parts are measured that way.
- **Buttons** become an inline keyboard under the last part: one button per row, or two per row
  when both titles are short. A button without text (Rasa buttons always have a payload) shows
  its payload; a reply with buttons but no text gets a short "please choose" line.

``callback_data`` is limited to 1-64 **bytes**. A payload that fits is sent as it is; a longer one
(``/select_service{"service_id":"technology-import-export-contract-registration"}``) is replaced by
a reference: ``~`` and 16 characters of its SHA-256. The channel stores the referenced options
with ``ChannelStore.remember_options`` (see ``referenced_options``) and, when the button is
pressed, ``resolve`` finds the payload again; an unknown reference (an expired or forged button)
resolves to ``None``. A payload that itself starts with ``~`` is always referenced, so a pressed
button can never be mistaken for another.

Pure code, importable without Rasa (tested in ``tests/unit/bot/test_render_telegram.py``).
"""

from __future__ import annotations

import base64
import hashlib
import unicodedata
from typing import Any

from .replies import Reply, register, split_text

__all__ = [
    "MAX_CALLBACK_BYTES",
    "MAX_REMEMBERED",
    "MAX_TEXT",
    "REFERENCE_PREFIX",
    "TelegramRenderer",
    "callback_data",
    "merge_options",
    "referenced_options",
    "resolve",
    "utf16_size",
]

MAX_TEXT = 4096
MAX_CALLBACK_BYTES = 64
REFERENCE_PREFIX = "~"
MAX_REMEMBERED = 50  # referenced options kept per conversation, newest first
SHORT_TITLE = 16  # display columns (a Chinese character counts 2) under which two buttons share a row
CHOOSE = {
    "zh": "请选择：",
    "en": "Please choose:",
}
CHOOSE_BOTH = "请选择 · Please choose:"


def utf16_size(text: str) -> int:
    """Length as Telegram counts it: UTF-16 code units."""
    return len(text.encode("utf-16-le")) // 2


def _reference(payload: str) -> str:
    digest = hashlib.sha256(payload.encode("utf-8")).digest()[:12]
    return REFERENCE_PREFIX + base64.urlsafe_b64encode(digest).decode("ascii")


def _fits(payload: str) -> bool:
    return 1 <= len(payload.encode("utf-8")) <= MAX_CALLBACK_BYTES and not payload.startswith(REFERENCE_PREFIX)


def _payload(title: str, payload: str) -> str:
    return payload or title


def callback_data(payload: str) -> str:
    """The payload itself when it is 1-64 bytes, else a short reference to it."""
    return payload if _fits(payload) else _reference(payload)


def referenced_options(replies: list[Reply]) -> list[tuple[str, str]]:
    """The ``(title, payload)`` buttons whose ``callback_data`` is a reference, to be remembered."""
    found: list[tuple[str, str]] = []
    for reply in replies:
        for title, payload in reply.buttons:
            chosen = _payload(title, payload)
            if chosen and not _fits(chosen) and (title, chosen) not in found:
                found.append((title, chosen))
    return found


def merge_options(new: list[tuple[str, str]], old: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """New options first, then the older ones still worth keeping (buttons stay pressable in the chat)."""
    merged = list(new)
    payloads = {payload for _, payload in new}
    for title, payload in old:
        if payload not in payloads:
            merged.append((title, payload))
            payloads.add(payload)
    return merged[:MAX_REMEMBERED]


def resolve(data: str, remembered: list[tuple[str, str]]) -> str | None:
    """The payload a pressed button stands for; ``None`` for a reference that is not remembered."""
    if not data.startswith(REFERENCE_PREFIX):
        return data
    for _, payload in remembered:
        if _reference(payload) == data:
            return payload
    return None


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _keyboard(buttons: list[tuple[str, str]]) -> list[list[dict[str, str]]]:
    rows: list[list[dict[str, str]]] = []
    for title, payload in buttons:
        chosen = _payload(title, payload)
        if not chosen:
            continue
        button = {"text": title.strip() or chosen, "callback_data": callback_data(chosen)}
        last = rows[-1] if rows else None
        if last is not None and len(last) == 1 and _width(last[0]["text"]) <= SHORT_TITLE and _width(button["text"]) <= SHORT_TITLE:
            last.append(button)
        else:
            rows.append([button])
    return rows


@register("telegram")
class TelegramRenderer:
    """Neutral replies as Telegram ``sendMessage`` bodies (plain text, inline keyboards)."""

    def render(self, replies: list[Reply], lang: str) -> list[dict[str, Any]]:
        """``sendMessage`` bodies without ``chat_id``, in order.

        Args:
            replies: the turn's replies (``replies.neutral``).
            lang: ``zh``, ``en`` or empty: only for the line shown above buttons that came without text.
        """
        bodies: list[dict[str, Any]] = []
        for reply in replies:
            keyboard = _keyboard(reply.buttons)
            text = reply.text.strip() or (CHOOSE.get(lang, CHOOSE_BOTH) if keyboard else "")
            if not text:
                continue
            parts = split_text(text, MAX_TEXT, utf16_size)
            for index, part in enumerate(parts):
                body: dict[str, Any] = {"text": part, "link_preview_options": {"is_disabled": True}}
                if keyboard and index == len(parts) - 1:
                    body["reply_markup"] = {"inline_keyboard": keyboard}
                bodies.append(body)
        return bodies
