"""The WeChat and WeCom renderer (one class, both names): text messages only, buttons as numbered options.

WeChat text messages carry no buttons. Each button becomes a line ``1. title`` under its text,
numbered across the whole turn so that every number is unique; the channel remembers
``numbered_options(replies)`` (``ChannelStore.remember_options``) so that a reply ``1``, ``２``,
``第一个`` or the exact title maps back to the payload (``wechat_protocol.choose``). A handoff
link is already in the text (``replies.neutral``) as a plain URL, which WeChat makes tappable.

Feedback buttons (payloads ``/feedback…``: 👍/👎 under a service card or a verdict, the reasons
after a 👎; ``actions/feedback.py``) are numbered like any others, so ``choose`` maps the reply back,
but shown on one line (``回复 2 👍 有用 · 3 👎 没用``) and, when they come as a reply of their own, at
the end of the previous message: the answer and its rating stay one message, which keeps a
turn within the one passive reply WeChat allows.

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
FEEDBACK_PREFIX = "/feedback"
REPLY_WITH = {"zh": "回复 ", "en": "Reply "}
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")
_SPACE = re.compile(r"\s+")


def numbered_options(replies: Sequence[Reply]) -> list[tuple[str, str]]:
    """The turn's buttons as ``(title, payload)``, in the order they are numbered (in each reply,
    feedback buttons after the others)."""
    ordered = [b for reply in replies for b in sorted(reply.buttons, key=lambda b: _is_feedback(b[1]))]
    return [(_title(title, payload), payload) for title, payload in ordered]


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
        blocks: list[list[str]] = []  # the lines of each message, before splitting
        number = 0
        for reply in replies:
            lines = [reply.text.strip()] if reply.text.strip() else []
            options = [b for b in reply.buttons if not _is_feedback(b[1])]
            ratings = [b for b in reply.buttons if _is_feedback(b[1])]
            for title, payload in options:
                number += 1
                lines.append(f"{number}. {_title(title, payload)}")
            if options:
                lines.append(HINTS.get(lang, HINTS["en"]))
            if ratings:
                first = number + 1
                number += len(ratings)
                choices = " · ".join(f"{n} {_title(title, payload)}" for n, (title, payload) in enumerate(ratings, first))
                lines.append(REPLY_WITH.get(lang, REPLY_WITH["en"]) + choices)
            if ratings and not options and blocks:
                blocks[-1].extend(lines)  # the rating goes with the answer it rates
            else:
                blocks.append(lines)
        messages: list[dict[str, Any]] = []
        for lines in blocks:
            for part in split_text("\n".join(lines), self.limit, size=utf8_size):
                messages.append({"msgtype": "text", "text": {"content": part}})
        return messages


def _is_feedback(payload: str) -> bool:
    return payload.startswith(FEEDBACK_PREFIX)


def contents(messages: Sequence[dict[str, Any]]) -> list[str]:
    """The text of each rendered message."""
    return [str(m["text"]["content"]) for m in messages]
