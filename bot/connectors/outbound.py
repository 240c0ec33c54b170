"""Calls to a messaging platform's API: retried with backoff when the platform says so, never
repeated when the outcome is unknown.

- ``Retryable``: the platform answered that the call failed and may be tried again (WeChat
  ``errcode -1`` "system busy", HTTP 429 or 5xx, Telegram's ``retry_after``), or the connection
  could not be made at all: nothing was delivered, so trying again cannot duplicate a message.
- ``Uncertain``: the request went out and no answer came (a read timeout): the message may have
  been delivered, so it is not sent again; the caller logs it.
- Anything else is final.

``call_with_retry`` waits ``base_delay * 2**attempt`` (with jitter, or the platform's own
``retry_after``) between at most ``attempts`` tries; each retry is counted under the channel that
starts ``what`` (``rasa_channel_send_retries_total``, ``metrics.py``).
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable
from typing import TypeVar

from .metrics import METRICS

__all__ = ["Final", "Retryable", "Uncertain", "call_with_retry"]

log = logging.getLogger(__name__)
T = TypeVar("T")


class Retryable(Exception):
    """Failed, nothing delivered; may be tried again (after ``retry_after`` seconds if given)."""

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class Uncertain(Exception):
    """Sent, but no answer: the message may have been delivered. Never retried."""


class Final(Exception):
    """The platform refused the call for good (bad token, blocked user, malformed message)."""


async def call_with_retry(
    call: Callable[[], Awaitable[T]],
    *,
    attempts: int = 4,
    base_delay: float = 0.5,
    what: str = "platform call",
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
) -> T:
    """``await call()``, again after a backoff while it raises ``Retryable``.

    Raises:
        Retryable: still failing after ``attempts`` tries.
        Uncertain, Final: at once.
    """
    for attempt in range(attempts):
        try:
            return await call()
        except Retryable as exc:
            if attempt == attempts - 1:
                raise
            delay = exc.retry_after if exc.retry_after is not None else base_delay * (2**attempt) * (0.5 + random.random())
            log.warning("%s failed (%s); retry %d of %d in %.1f s", what, exc, attempt + 1, attempts - 1, delay)
            METRICS.retry(what.split(" ", 1)[0])  # "telegram sendMessage", "wechat message to …"
            await sleep(min(delay, 30.0))
    raise AssertionError("unreachable")  # pragma: no cover
