"""Rasa's socket.io channel with server-issued, signed conversation ids.

Rasa's own channel takes the conversation id from the client: whoever sends another person's
``session_id`` in ``session_request`` joins their room and receives their replies, and a
``user_uttered`` with that id writes into their conversation. Here the id is the server's:

- ``session_request`` answers ``session_confirm`` with ``<conversation>.<expiry>.<signature>``
  (HMAC-SHA256 under ``WIDGET_SESSION_SECRET``). A request carrying a valid, unexpired id gets
  the same conversation back with a later expiry; anything else (no id, a bare conversation id,
  a forged or expired signature) gets a new conversation.
- The socket is bound to that conversation; ``user_uttered`` is processed for the bound
  conversation only, whatever ``session_id`` the message names. A socket that has not done
  ``session_request`` is not heard.
- Messages longer than ``MAX_MESSAGE_CHARS`` are refused, and each conversation may send at
  most ``MESSAGES_PER_MINUTE``; each address may open ``SESSIONS_PER_MINUTE`` sessions. A refusal
  is a ``bot_uttered`` saying so, with ``{"error": "rate_limited", "retry_after": s}``.
- The socket.io server accepts connections only from ``WIDGET_ORIGINS`` (comma-separated
  origins of the pages that embed the widget; unset: any origin, since ids are signed anyway).

It also keeps the earlier fix: Rasa 3.6 calls ``sio.enter_room`` without ``await``
(RasaHQ/rasa#13027), so on python-socketio 5.10+ the room was never joined.

Use it in ``bot/credentials.yml`` instead of ``socketio:``::

    bot.connectors.socketio_session.SocketIOSessionInput:
      user_message_evt: user_uttered
      bot_message_evt: bot_uttered
      session_persistence: true
"""

from __future__ import annotations

import inspect
import logging
import os
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.socketio import SocketBlueprint, SocketIOInput, SocketIOOutput

from .empty_message import EMPTY_MESSAGE
from .limits import WindowCounter, client_address
from .metrics import METRICS
from .sessions import SessionSigner

__all__ = ["SessionSigner", "SocketIOSessionInput"]

log = logging.getLogger(__name__)

MAX_MESSAGE_CHARS = 2000
MESSAGES_PER_MINUTE = 30
SESSIONS_PER_MINUTE = 20
REFUSALS = {
    "too_long": "消息太长了，请分几次发送。 · Your message is too long; please send it in parts.",
    "rate_limited": "您发送得太快了，请稍等片刻再试。 · You are sending messages too quickly; please wait a moment.",
}


class SocketIOSessionInput(SocketIOInput):
    """The socket.io input channel with signed, server-issued conversation ids."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        ttl_hours = float(os.environ.get("WIDGET_SESSION_TTL_HOURS", "24"))
        self.signer = SessionSigner(os.environ.get("WIDGET_SESSION_SECRET", ""), int(ttl_hours * 3600))
        origins = [o.strip() for o in os.environ.get("WIDGET_ORIGINS", "").split(",") if o.strip()]
        self.allowed_origins = origins or None
        self.bound: dict[str, str] = {}  # socket id -> conversation
        self.messages = WindowCounter(MESSAGES_PER_MINUTE, 60.0)
        self.sessions = WindowCounter(SESSIONS_PER_MINUTE, 60.0)

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> SocketBlueprint:
        blueprint: SocketBlueprint = super().blueprint(on_new_message)
        sio = self.sio
        assert sio is not None
        if self.allowed_origins:
            sio.eio.cors_allowed_origins = self.allowed_origins

        async def refuse(sid: str, reason: str, retry_after: int | None = None) -> None:
            custom: dict[str, Any] = {"error": reason}
            if retry_after is not None:
                custom["retry_after"] = retry_after
            await sio.emit(self.bot_message_evt, {"text": REFUSALS[reason], "custom": custom}, room=sid, namespace=self.namespace)

        @sio.on("session_request", namespace=self.namespace)
        async def session_request(sid: str, data: dict | None) -> None:
            environ = sio.get_environ(sid, namespace=self.namespace) or {}
            wait = self.sessions.hit(client_address(environ.get("sanic.request")))
            if wait:
                await refuse(sid, "rate_limited", wait)
                return
            given = data.get("session_id") if isinstance(data, dict) else None
            conversation = self.signer.conversation_of(given)
            if given and conversation is None:
                log.info("socket.io: a session id that is not ours (forged, foreign or expired): new conversation")
            session_id = self.signer.issue(conversation)
            conversation = session_id.split(".", 1)[0]
            previous = self.bound.get(sid)
            if previous and previous != conversation:
                await _maybe_await(sio.leave_room(sid, previous, namespace=self.namespace))
            self.bound[sid] = conversation
            if self.session_persistence:
                await _maybe_await(sio.enter_room(sid, conversation, namespace=self.namespace))
            await sio.emit("session_confirm", session_id, room=sid, namespace=self.namespace)

        @sio.on(self.user_message_evt, namespace=self.namespace)
        async def handle_message(sid: str, data: Any) -> None:
            conversation = self.bound.get(sid)
            if conversation is None:
                log.info("socket.io: a message before session_request: ignored")
                return
            data = data if isinstance(data, dict) else {}
            text = data.get("message", "")
            if not isinstance(text, str):
                text = ""
            if len(text) > MAX_MESSAGE_CHARS:
                await refuse(sid, "too_long")
                return
            wait = self.messages.hit(conversation)
            if wait:
                await refuse(sid, "rate_limited", wait)
                return
            if not text.strip():
                text = EMPTY_MESSAGE
            metadata = data.get(self.metadata_key)
            message = UserMessage(
                text,
                SocketIOOutput(sio, self.bot_message_evt),
                conversation if self.session_persistence else sid,
                input_channel=self.name(),
                metadata=metadata if isinstance(metadata, dict) else None,
            )
            METRICS.message(self.name())
            await on_new_message(message)

        @sio.on("disconnect", namespace=self.namespace)
        async def disconnect(sid: str) -> None:
            self.bound.pop(sid, None)

        return blueprint


async def _maybe_await(value: Any) -> None:
    if inspect.isawaitable(value):
        await value
