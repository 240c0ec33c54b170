"""Rasa's socket.io channel, with session persistence that works on python-socketio 5.10 and later.

Rasa 3.6 calls ``sio.enter_room(sid, session_id)`` without ``await`` (RasaHQ/rasa#13027). Since
python-socketio made ``AsyncServer.enter_room`` a coroutine, the socket never joins its session
room, so with ``session_persistence: true`` every bot reply is emitted to an empty room and lost.
This channel replaces only the ``session_request`` handler; everything else is Rasa's, except that
an empty message becomes ``/empty_message`` (see ``empty_message.py``).

Use it in ``bot/credentials.yml`` instead of ``socketio:``::

    bot.connectors.socketio_session.SocketIOSessionInput:
      user_message_evt: user_uttered
      bot_message_evt: bot_uttered
      session_persistence: true
"""

from __future__ import annotations

import inspect
import uuid
from typing import Any, Awaitable, Callable, Dict, Optional, Text

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.socketio import SocketBlueprint, SocketIOInput

from .empty_message import EmptyMessageMixin

__all__ = ["SocketIOSessionInput"]


class SocketIOSessionInput(EmptyMessageMixin, SocketIOInput):
    """The socket.io input channel, joining the session room correctly."""

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> SocketBlueprint:
        blueprint: SocketBlueprint = super().blueprint(on_new_message)
        sio = self.sio
        assert sio is not None

        @sio.on("session_request", namespace=self.namespace)
        async def session_request(sid: Text, data: Optional[Dict]) -> None:
            data = data if isinstance(data, dict) else {}
            if not isinstance(data.get("session_id"), str) or not data["session_id"]:
                data["session_id"] = uuid.uuid4().hex
            if self.session_persistence:
                entered = sio.enter_room(sid, data["session_id"], namespace=self.namespace)
                if inspect.isawaitable(entered):
                    await entered
            await sio.emit("session_confirm", data["session_id"], room=sid, namespace=self.namespace)

        return blueprint
