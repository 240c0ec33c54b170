"""Per-conversation and per-address limits for the chat channels (in this Rasa process).

A small moving-window counter rather than the ``limits`` library the catalogue service uses:
``limits`` needs ``packaging>=21`` and Rasa 3.6 pins ``packaging==20.9``. Counts are kept per
Rasa process; behind a load balancer with sticky sessions (which socket.io needs anyway) a
conversation's messages reach one process, so its limit holds.
"""

from __future__ import annotations

import math
import os
import time
from collections import deque
from typing import Any

__all__ = ["WindowCounter", "client_address"]

MAX_KEYS = 100_000  # memory bound: the oldest keys are forgotten first


class WindowCounter:
    """At most ``limit`` hits per ``window`` seconds per key."""

    def __init__(self, limit: int, window: float) -> None:
        self.limit = limit
        self.window = window
        self._hits: dict[str, deque[float]] = {}

    def hit(self, key: str, now: float | None = None) -> int:
        """Count one hit; 0 when allowed, else the seconds to wait (the hit is not counted)."""
        moment = time.monotonic() if now is None else now
        hits = self._hits.get(key)
        if hits is None:
            if len(self._hits) >= MAX_KEYS:
                self._hits.pop(next(iter(self._hits)))
            hits = self._hits[key] = deque()
        while hits and hits[0] <= moment - self.window:
            hits.popleft()
        if len(hits) >= self.limit:
            return max(1, math.ceil(hits[0] + self.window - moment))
        hits.append(moment)
        return 0


def client_address(request: Any) -> str:
    """The caller's address; behind a proxy listed in ``TRUSTED_PROXIES``, the nearest address
    in ``X-Forwarded-For`` that is not a trusted proxy."""
    if request is None:
        return "unknown"
    peer = str(getattr(request, "ip", "") or "unknown")
    trusted = {p.strip() for p in os.environ.get("TRUSTED_PROXIES", "").split(",") if p.strip()}
    if peer not in trusted:
        return peer
    hops = [h.strip() for h in request.headers.get("X-Forwarded-For", "").split(",") if h.strip()]
    for hop in reversed(hops):
        if hop not in trusted:
            return hop[:64]
    return peer
