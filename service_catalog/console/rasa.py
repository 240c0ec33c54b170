"""The agent console's side of Rasa's HTTP API (``--enable-api --auth-token``), checked against Rasa 3.6's ``rasa/server.py``:

- ``POST /conversations/{id}/tracker/events?token=…`` appends events (``pause``, ``resume``, ``bot``);
  with ``output_channel=latest&execute_side_effects=true`` every ``bot`` event is also sent to the
  citizen through the output channel of the conversation's latest input channel (the widget's
  socket.io room, a messaging platform's API);
- ``GET /conversations/{id}/tracker?token=…`` reads the conversation (the citizen's new messages).

The token travels as a query parameter (Rasa's only way); it never reaches a log line here.
"""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import quote

import aiohttp

from ..errors import ServiceUnavailable

__all__ = ["RasaClient"]

log = logging.getLogger(__name__)
TIMEOUT_S = 10.0


class RasaClient:
    """Pauses, writes into and resumes conversations, and reads their events."""

    def __init__(self, base_url: str, token: str, session: aiohttp.ClientSession) -> None:
        self.base_url = base_url.rstrip("/")
        self.token = token
        self.session = session

    @property
    def enabled(self) -> bool:
        """Rasa's API token is known (``RASA_AUTH_TOKEN``)."""
        return bool(self.token)

    def _url(self, conversation_id: str, tail: str) -> str:
        return f"{self.base_url}/conversations/{quote(conversation_id, safe='')}/{tail}"

    async def append(self, conversation_id: str, events: list[dict[str, Any]], *, deliver: bool = True) -> None:
        """Append ``events``; with ``deliver``, ``bot`` events also reach the citizen on their channel.

        Raises:
            ServiceUnavailable: Rasa is unreachable, refused the token, or failed.
        """
        params = {"token": self.token}
        if deliver:
            params.update({"output_channel": "latest", "execute_side_effects": "true"})
        await self._request("POST", self._url(conversation_id, "tracker/events"), params, events)

    async def events(self, conversation_id: str) -> list[dict[str, Any]]:
        """The conversation's events since its last restart."""
        body = await self._request("GET", self._url(conversation_id, "tracker"), {"token": self.token, "include_events": "AFTER_RESTART"}, None)
        events = body.get("events") if isinstance(body, dict) else None
        return [e for e in events if isinstance(e, dict)] if isinstance(events, list) else []

    async def _request(self, method: str, url: str, params: dict[str, str], payload: Any) -> Any:
        if not self.enabled:
            raise ServiceUnavailable("taking over conversations is off: the catalogue service does not know Rasa's API token (RASA_AUTH_TOKEN)")
        try:
            async with self.session.request(method, url, params=params, json=payload, timeout=aiohttp.ClientTimeout(total=TIMEOUT_S)) as r:
                if r.status == 401 or r.status == 403:
                    raise ServiceUnavailable("Rasa refused the catalogue service's API token (RASA_AUTH_TOKEN differs between the two)")
                if r.status >= 400:
                    log.warning("rasa: %s %s answered HTTP %d", method, url.split("/conversations/")[0] + "/conversations/…", r.status)
                    raise ServiceUnavailable(f"the chat server failed (HTTP {r.status}); try again")
                return await r.json(content_type=None)
        except (aiohttp.ClientError, TimeoutError, ValueError) as exc:
            log.warning("rasa unreachable: %s", type(exc).__name__)
            raise ServiceUnavailable("the chat server cannot be reached; try again in a moment") from None
