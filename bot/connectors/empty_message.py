"""Input channels that turn an empty message into the ``/empty_message`` intent.

Rasa 3.6 parses an empty text to no intent at all and predicts ``action_listen``, so a
client that sends ``""`` (or only spaces) gets no reply. Both our channels pass such a
message on as ``/empty_message``, which a rule answers with a short prompt; every other
message is untouched.

Use ``bot.connectors.empty_message.RestInput`` in ``bot/credentials.yml`` instead of
``rest:``; its name stays ``rest``, so the URL stays ``/webhooks/rest/webhook``.
"""

from __future__ import annotations

from typing import Any, Awaitable, Callable

from rasa.core.channels import rest
from rasa.core.channels.channel import UserMessage
from sanic import Blueprint

__all__ = ["EMPTY_MESSAGE", "EmptyMessageMixin", "RestInput"]

EMPTY_MESSAGE = "/empty_message"


class EmptyMessageMixin:
    """Wraps the channel's message handler: an empty or blank text becomes ``/empty_message``."""

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        async def guarded(message: UserMessage) -> Any:
            if not isinstance(message.text, str) or not message.text.strip():
                message.text = EMPTY_MESSAGE
            return await on_new_message(message)

        return super().blueprint(guarded)  # type: ignore[misc]


class RestInput(EmptyMessageMixin, rest.RestInput):
    """Rasa's REST channel (same name and URL) that answers an empty message."""
