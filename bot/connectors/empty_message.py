"""The REST channel for trusted callers: a bearer token, size and rate limits, empty messages answered.

Rasa's REST channel takes the conversation id (``sender``) from the caller, so anyone who can
reach it can continue anyone's conversation. It is therefore for trusted integrations only
(never published on the edge, see docs/security.md), and here it also asks them for a token:

- ``POST /webhooks/rest/webhook`` needs ``Authorization: Bearer <RASA_REST_TOKEN>`` (compared in
  constant time; ``new,old`` while rotating); without it: 401 and nothing reaches Rasa;
- a message over ``MAX_MESSAGE_CHARS`` is refused with 413; each sender may send
  ``MESSAGES_PER_MINUTE`` messages (429 with ``Retry-After``);
- an empty or blank message becomes ``/empty_message``, which a rule answers with a short prompt
  (Rasa 3.6 would otherwise predict nothing and answer nothing).

Use ``bot.connectors.empty_message.RestInput`` in ``bot/credentials.yml`` instead of ``rest:``;
its name stays ``rest``, so the URL stays ``/webhooks/rest/webhook``.

It also serves the Rasa server's channel metrics, ``GET /webhooks/rest/metrics`` (``metrics.py``
says what they count and who may read them).
"""

from __future__ import annotations

import hmac
import os
from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from typing import Any

from rasa.core.channels import rest
from rasa.core.channels.channel import UserMessage
from rasa.core.lock_store import LockError
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from .limits import WindowCounter
from .metrics import DEFAULT_NETWORKS, METRICS, MISSING, may_read_metrics

__all__ = ["EMPTY_MESSAGE", "MAX_MESSAGE_CHARS", "RestInput"]

# Rasa's REST handler answers 200 with no reply whatever went wrong; a turn refused because the lock store
# (Redis, when scaled) cannot be reached is recorded here for the request, and answered 503 instead.
_LOCK_REFUSED: ContextVar[list[str] | None] = ContextVar("lock_refused", default=None)
LOCK_REFUSED_MESSAGE = "the conversation could not be locked (the lock store is unreachable); nothing was processed, send it again shortly"

EMPTY_MESSAGE = "/empty_message"
MAX_MESSAGE_CHARS = 2000
MESSAGES_PER_MINUTE = 60


def _tokens() -> tuple:
    return tuple(t.strip().encode() for t in os.environ.get("RASA_REST_TOKEN", "").split(",") if t.strip())


class RestInput(rest.RestInput):
    """Rasa's REST channel (same name and URL) behind a token, with limits; answers an empty message."""

    def __init__(self) -> None:
        super().__init__()
        self.tokens = _tokens()
        self.per_sender = WindowCounter(MESSAGES_PER_MINUTE, 60.0)

    def _refusal(self, request: Request) -> HTTPResponse | None:
        given = request.headers.get("Authorization", "")
        given_token = given[7:].strip().encode() if given.startswith("Bearer ") else b""
        if not self.tokens or not any([hmac.compare_digest(given_token, t) for t in self.tokens]):
            return response.json(
                {"error": "unauthorized", "message": "the REST channel is for trusted callers: send Authorization: Bearer <RASA_REST_TOKEN>"}, status=401
            )
        body = request.json if isinstance(request.json, dict) else {}
        text = body.get("message")
        if isinstance(text, str) and len(text) > MAX_MESSAGE_CHARS:
            return response.json({"error": "payload_too_large", "message": f"message is longer than {MAX_MESSAGE_CHARS} characters"}, status=413)
        sender = body.get("sender")
        if not isinstance(sender, str) or not sender or len(sender) > 128:
            return response.json({"error": "invalid_request", "message": "sender must be a conversation id of 1 to 128 characters"}, status=400)
        wait = self.per_sender.hit(sender)
        if wait:
            return response.json(
                {"error": "rate_limited", "message": f"too many messages in this conversation; try again in {wait} s", "retry_after": wait},
                status=429,
                headers={"Retry-After": str(wait)},
            )
        return None

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        async def guarded(message: UserMessage) -> Any:
            if not isinstance(message.text, str) or not message.text.strip():
                message.text = EMPTY_MESSAGE
            METRICS.message(self.name())
            try:
                return await on_new_message(message)
            except LockError:
                refused = _LOCK_REFUSED.get()
                if refused is not None:
                    refused.append(message.sender_id)
                raise

        blueprint: Blueprint = super().blueprint(guarded)

        @blueprint.route("/metrics", methods=["GET"])
        async def metrics(request: Request) -> HTTPResponse:
            headers = {k.lower(): v for k, v in request.headers.items()}
            networks = os.environ.get("CATALOG_METRICS_NETWORKS") or DEFAULT_NETWORKS
            if not may_read_metrics(request.ip or "", headers, networks, os.environ.get("CATALOG_ADMIN_READ_TOKEN", "")):
                return response.json(
                    {
                        "error": "forbidden",
                        "message": "/metrics is for the internal network: scrape it from CATALOG_METRICS_NETWORKS or with the admin read token",
                    },
                    status=403,
                )
            exposition = METRICS.exposition()
            if exposition is None:
                return response.json({"error": "unavailable", "message": MISSING}, status=503)
            body, content_type = exposition
            return response.raw(body, headers={"Content-Type": content_type, "Cache-Control": "no-store"})

        @blueprint.middleware("request")
        async def check(request: Request) -> HTTPResponse | None:
            if request.method != "POST":
                return None
            _LOCK_REFUSED.set([])
            try:
                return self._refusal(request)
            except Exception:  # an unparsable body: Rasa's handler answers it as before
                return response.json({"error": "invalid_request", "message": "the body must be a JSON object with sender and message"}, status=400)

        @blueprint.middleware("response")
        async def lock_refused(request: Request, answered: HTTPResponse) -> HTTPResponse | None:
            if request.method == "POST" and _LOCK_REFUSED.get():
                return response.json({"error": "unavailable", "message": LOCK_REFUSED_MESSAGE}, status=503, headers={"Retry-After": "5"})
            return None

        return blueprint
