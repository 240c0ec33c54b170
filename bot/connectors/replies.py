"""One channel-neutral reply, rendered per channel by a registry of renderers.

A turn of the bot produces Rasa's collected messages (``CollectingOutputChannel.messages``):
texts (Rasa splits a text at blank lines into several), buttons attached to a text, and custom
payloads (``{"data": {"type": "service_card" | "handoff_link", ...}}``). ``neutral`` turns them
into ``Reply`` items (text plus buttons as ``(title, payload)``) that every renderer understands;
a handoff link is always in the text, so channels that show only text still carry it.

Renderers register by channel name, one module per channel (``render_wechat.py``,
``render_telegram.py``), like the catalogue's format registries::

    @register("telegram")
    class TelegramRenderer: def render(self, replies, lang) -> list[dict]: ...

``split_text`` cuts a text to a platform's limit at line breaks (by characters or by UTF-8 bytes).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Protocol

__all__ = ["RENDERERS", "Renderer", "Reply", "neutral", "register", "renderer", "split_text", "utf8_size"]


@dataclass
class Reply:
    """One message of the bot: text, and the buttons offered under it."""

    text: str
    buttons: list[tuple[str, str]] = field(default_factory=list)


class Renderer(Protocol):
    def render(self, replies: list[Reply], lang: str) -> list[dict[str, Any]]: ...


RENDERERS: dict[str, Callable[[], Renderer]] = {}


def register(name: str) -> Callable[[Any], Any]:
    def add(cls: Any) -> Any:
        RENDERERS[name] = cls
        return cls

    return add


def renderer(name: str) -> Renderer:
    if name not in RENDERERS:
        raise KeyError(f"no renderer for channel {name!r}; known: {', '.join(sorted(RENDERERS))}")
    return RENDERERS[name]()


def neutral(messages: Iterable[dict[str, Any]]) -> list[Reply]:
    """Rasa's collected messages as replies: consecutive texts joined, buttons kept, links ensured."""
    replies: list[Reply] = []
    for message in messages:
        text = message.get("text")
        buttons = [(str(b.get("title", "")), str(b.get("payload", ""))) for b in message.get("buttons") or [] if isinstance(b, dict)]
        custom = message.get("custom")
        if isinstance(text, str) and text.strip():
            if replies and not replies[-1].buttons:
                replies[-1].text += "\n\n" + text.strip()
            else:
                replies.append(Reply(text.strip()))
            replies[-1].buttons.extend(buttons)
        elif buttons:
            if replies:
                replies[-1].buttons.extend(buttons)
            else:
                replies.append(Reply("", buttons))
        if isinstance(custom, dict):
            data = custom.get("data") if isinstance(custom.get("data"), dict) else custom
            url = data.get("url") if data.get("type") == "handoff_link" else None
            if isinstance(url, str) and not any(url in r.text for r in replies):
                replies.append(Reply(f"{data.get('label') or ''}: {url}".lstrip(": ")))
    return replies


def utf8_size(text: str) -> int:
    return len(text.encode("utf-8"))


def split_text(text: str, limit: int, size: Callable[[str], int] = len) -> list[str]:
    """Parts of at most ``limit`` (by ``size``), cut at line breaks; a line too long alone is cut
    between characters."""
    if size(text) <= limit:
        return [text]
    parts: list[str] = []
    current = ""
    for line in text.split("\n"):
        candidate = f"{current}\n{line}" if current else line
        if size(candidate) <= limit:
            current = candidate
            continue
        if current:
            parts.append(current)
        while size(line) > limit:
            cut = len(line)
            while size(line[:cut]) > limit:
                cut = max(1, cut * limit // max(1, size(line[:cut])) - 1) if size(line[:cut]) > 2 * limit else cut - 1
            parts.append(line[:cut])
            line = line[cut:]
        current = line
    if current:
        parts.append(current)
    return [p for p in parts if p.strip()]
