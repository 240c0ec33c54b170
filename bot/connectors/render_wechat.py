"""The WeChat and WeCom renderer (one class, both names): text messages only, buttons as numbered options.

WeChat text messages carry no buttons. Each button becomes a line ``1. title`` under its text,
numbered across the whole turn so that every number is unique; the channel remembers
``numbered_options(replies)`` (``ChannelStore.remember_options``) so that a reply ``1``, ``２``,
``第一个`` or the exact title maps back to the payload (``wechat_protocol.choose``). A handoff
link is already in the text (``replies.neutral``) as a plain URL, which WeChat makes tappable.

Each reply becomes one or more text messages of at most 2,048 UTF-8 bytes, cut at line breaks.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from .replies import Reply, register, split_text, utf8_size

__all__ = ["HINTS", "TEXT_LIMIT_BYTES", "WeChatRenderer", "contents", "language_of", "numbered_options"]

TEXT_LIMIT_BYTES = 2048
HINTS = {"zh": "（回复序号即可选择）", "en": "(Reply with a number to choose.)"}
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")
_SPACE = re.compile(r"\s+")


def numbered_options(replies: Sequence[Reply]) -> list[tuple[str, str]]:
    """The turn's buttons as ``(title, payload)``, in the order they are numbered."""
    return [(_title(title, payload), payload) for reply in replies for title, payload in reply.buttons]


def language_of(replies: Sequence[Reply]) -> str:
    """``zh`` when the bot wrote Chinese, else ``en`` (for the hint under options)."""
    return "zh" if any(_HAN.search(r.text) for r in replies) else "en"


def _title(title: str, payload: str) -> str:
    return _SPACE.sub(" ", title or payload).strip()


@register("wecom")
@register("wechat")
class WeChatRenderer:
    """Replies as WeChat text messages: ``[{"msgtype": "text", "text": {"content": ...}}]``."""

    limit = TEXT_LIMIT_BYTES

    def render(self, replies: list[Reply], lang: str) -> list[dict[str, Any]]:
        messages: list[dict[str, Any]] = []
        number = 0
        for reply in replies:
            lines = [reply.text.strip()] if reply.text.strip() else []
            for title, payload in reply.buttons:
                number += 1
                lines.append(f"{number}. {_title(title, payload)}")
            if reply.buttons:
                lines.append(HINTS.get(lang, HINTS["en"]))
            for part in split_text("\n".join(lines), self.limit, size=utf8_size):
                messages.append({"msgtype": "text", "text": {"content": part}})
        return messages


def contents(messages: Sequence[dict[str, Any]]) -> list[str]:
    """The text of each rendered message."""
    return [str(m["text"]["content"]) for m in messages]
