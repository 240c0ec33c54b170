"""``POST /api/feedback``: a citizen's thumbs up or down on one answer, once per answer.

Who may call, and how the conversation is proven (never taken from the body alone):

- the action server, with the service credential (``X-Internal-Token``); ``conversation_id``
  names the conversation (the bot's feedback buttons go Rasa → ``action_feedback`` → here);
- a front end holding a widget conversation, with ``session``: the widget's signed session id
  ``<conversation>.<expiry>.<signature>`` (HMAC-SHA256 under ``WIDGET_SESSION_SECRET``, checked
  in constant time; the format of ``bot/connectors/sessions.py``).

Anything else is 401; a session for another conversation than ``conversation_id`` is 403. A
second rating of the same answer in the same conversation is 409. The conversation id itself is
not stored, only its SHA-256 (``insights/store.py``).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from typing import Any

from aiohttp import web

from ..errors import Conflict, Forbidden, InvalidRequest, Unauthorized
from ..insights.store import Feedback, conversation_hash, iso
from .auth import INTERNAL_HEADER, is_internal
from .openapi import documented
from .openapi_insights import OPERATIONS, FeedbackRequest
from .params import body_model
from .typedefs import INSIGHTS_STORE, METRICS, SETTINGS

__all__ = ["conversation_of_session", "setup"]

MAX_BODY = 4096


def setup(app: web.Application) -> None:
    app.router.add_post("/api/feedback", post_feedback)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def conversation_of_session(secret: str, session_id: Any, now: float | None = None) -> str | None:
    """The conversation of a valid, unexpired widget session id; None for anything else."""
    if not secret or not isinstance(session_id, str) or len(session_id) > 200 or session_id.count(".") != 2:
        return None
    conversation, expiry, signature = session_id.split(".")
    if not conversation or not expiry.isdigit():
        return None
    expected = _b64(hmac.new(secret.encode(), f"{conversation}.{expiry}".encode(), hashlib.sha256).digest())
    if not hmac.compare_digest(signature.encode(), expected.encode()):
        return None
    if int(expiry) <= (time.time() if now is None else now):
        return None
    return conversation


def _conversation(request: web.Request, body: FeedbackRequest) -> str:
    """The conversation the caller proves it holds (see the module docstring)."""
    given = body.conversation_id
    if request.headers.get(INTERNAL_HEADER):
        if not is_internal(request):
            raise Unauthorized(f"the service credential ({INTERNAL_HEADER}) is wrong")
        if not given:
            raise InvalidRequest("conversation_id is required with the service credential", field="conversation_id")
        return str(given)
    session = body.session
    if session is None:
        raise Unauthorized("prove the conversation: send the widget's session id in session (or call from the assistant's own servers)", field="session")
    conversation = conversation_of_session(request.app[SETTINGS].widget_session_secret, session)
    if conversation is None:
        raise Unauthorized("session is not a valid, unexpired session id of this assistant", field="session")
    if given and given != conversation:
        raise Forbidden("session belongs to another conversation than conversation_id", field="conversation_id")
    return conversation


@documented(**OPERATIONS["feedback"])
async def post_feedback(request: web.Request) -> web.Response:
    """Store one rating: body ``{conversation_id?, session?, answer_id, service_id?, rating, reason?, lang, channel}``."""
    body = await body_model(request, FeedbackRequest, MAX_BODY)
    conversation = _conversation(request, body)
    created = iso(time.time())
    item = Feedback(conversation_hash(conversation), body.answer_id, body.service_id, body.rating, body.reason, body.lang, body.channel, created)
    if not await request.app[INSIGHTS_STORE].add_feedback(item):
        raise Conflict("this answer was already rated in this conversation", field="answer_id")
    request.app[METRICS].feedback.labels(rating=body.rating).inc()
    return web.json_response({"stored": True, "answer_id": body.answer_id, "rating": body.rating}, status=201)
