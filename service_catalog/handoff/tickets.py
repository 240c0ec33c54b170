"""Tickets for the agent console: the transcript as stored, and its one-line summary (pure)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ..eligibility import Person
from ..errors import InvalidRequest
from ..privacy import mask

__all__ = ["MAX_ENTRIES", "MAX_ENTRY_CHARS", "MAX_SUMMARY_CHARS", "clean_transcript", "summarise"]

MAX_ENTRIES = 200
MAX_ENTRY_CHARS = 2000
MAX_SUMMARY_CHARS = 200
SPEAKERS = frozenset({"user", "bot"})
_FOR_WHOM = {"zh": "（代{noun}咨询）", "en": "(for their {noun}) "}


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def clean_transcript(raw: Any) -> list[dict[str, Any]]:
    """The transcript as stored: the last 200 entries, each text at most 2,000 characters.

    Args:
        raw: a list of ``{"who": "user"|"bot", "text": str, "ts"?: number|str}``.

    Raises:
        InvalidRequest: not a list, or an entry of the wrong shape (``field`` names it).
    """
    if not isinstance(raw, list):
        raise InvalidRequest("transcript must be a list of {who, text, ts?}", field="transcript")
    entries: list[dict[str, Any]] = []
    start = max(0, len(raw) - MAX_ENTRIES)
    for index in range(start, len(raw)):
        item = raw[index]
        where = f"transcript[{index}]"
        if not isinstance(item, dict):
            raise InvalidRequest(f"{where} must be an object {{who, text, ts?}}", field=where)
        who, text, ts = item.get("who"), item.get("text"), item.get("ts")
        if who not in SPEAKERS:
            raise InvalidRequest(f"{where}.who must be user or bot, got {who!r}", field=f"{where}.who")
        if not isinstance(text, str):
            raise InvalidRequest(f"{where}.text must be a string", field=f"{where}.text")
        entry: dict[str, Any] = {"who": who, "text": _cut(text, MAX_ENTRY_CHARS)}
        if isinstance(ts, (int, float)) and not isinstance(ts, bool):
            entry["ts"] = ts
        elif isinstance(ts, str):
            entry["ts"] = ts[:40]
        elif ts is not None:
            raise InvalidRequest(f"{where}.ts must be a number or a string", field=f"{where}.ts")
        entries.append(entry)
    return entries


def summarise(
    transcript: Sequence[dict[str, Any]], service_title: str | None, given: str | None = None, for_whom: Person | None = None, lang: str = "en"
) -> str:
    """A short summary for the queue, with personal data masked.

    The given summary when there is one; otherwise the service title and the citizen's last
    message. A citizen asking for someone else is said first ("(for their mother)" / "（代母亲咨询）"),
    so the agent knows whose answers the ticket holds. At most 200 characters.
    """
    if given and given.strip():
        text = " ".join(given.split())
    else:
        last = next((" ".join(e["text"].split()) for e in reversed(transcript) if e["who"] == "user" and e["text"].strip()), "")
        text = f"[{service_title}] {last}" if service_title else last
        text = text.strip() or "—"
    if for_whom is not None:
        text = _FOR_WHOM["zh" if lang == "zh" else "en"].format(noun=for_whom.noun) + text
    return _cut(mask(text), MAX_SUMMARY_CHARS)
