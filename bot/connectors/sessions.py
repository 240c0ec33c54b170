"""Signed conversation ids for the web widget: ``<conversation>.<expiry>.<signature>``.

The conversation is 32 hex digits chosen by the server, the expiry a Unix time, the signature
HMAC-SHA256 over ``<conversation>.<expiry>`` under ``WIDGET_SESSION_SECRET``, base64url without
padding. Only an id this server issued, unaltered and unexpired, names an existing conversation.
Pure standard library, so both Rasa (Python 3.10) and the tests (3.11) import it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
import uuid
from typing import Any

__all__ = ["SessionSigner"]


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


class SessionSigner:
    """Issues and checks ``<conversation>.<expiry>.<signature>`` ids."""

    def __init__(self, secret: str, ttl_seconds: int) -> None:
        if len(secret) < 32:
            raise ValueError("WIDGET_SESSION_SECRET must be at least 32 characters (make run creates one in the data folder)")
        self._key = secret.encode()
        self.ttl = ttl_seconds

    def _signature(self, conversation: str, expiry: int) -> str:
        return _b64(hmac.new(self._key, f"{conversation}.{expiry}".encode(), hashlib.sha256).digest())

    def issue(self, conversation: str | None = None, now: float | None = None) -> str:
        conversation = conversation or uuid.uuid4().hex
        expiry = int((time.time() if now is None else now) + self.ttl)
        return f"{conversation}.{expiry}.{self._signature(conversation, expiry)}"

    def conversation_of(self, session_id: Any, now: float | None = None) -> str | None:
        """The conversation of a valid, unexpired id; None for anything else."""
        if not isinstance(session_id, str) or len(session_id) > 200 or session_id.count(".") != 2:
            return None
        conversation, expiry, signature = session_id.split(".")
        if not conversation or not expiry.isdigit():
            return None
        if not hmac.compare_digest(signature, self._signature(conversation, int(expiry))):
            return None
        if int(expiry) <= (time.time() if now is None else now):
            return None
        return conversation
