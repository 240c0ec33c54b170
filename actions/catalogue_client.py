"""The one module of the action server that speaks HTTP: a typed client of the catalogue service.

One ``aiohttp.ClientSession`` is created lazily on first use (nothing connects on
import) and closed by ``close()``, which the action server (``actions/server.py``) calls when
it stops. Every call carries the service credential (``X-Internal-Token``, the first token of
``CATALOG_INTERNAL_TOKEN``): minting application links and creating tickets need it, and the
catalogue service's per-address rate limits do not apply to it. Calls made for one
conversation name it in ``X-Conversation-Id``, which the per-conversation limits count.
"""

from __future__ import annotations

import logging
import os
from typing import Any

import aiohttp

from common.search_key import search_key

__all__ = ["AlreadyDone", "CatalogueClient", "CatalogueUnavailable", "NotFound", "client"]

log = logging.getLogger(__name__)
# A search turn is one call doing what used to be up to four (a pick, two searches, the card), each
# of which had the session's 4 s: it may take longer before the citizen gets "the catalogue is
# unavailable". A turn slower than a messaging platform's window is still answered: the channels
# deliver late replies through the platform's API (docs/channels.md).
TURN_TIMEOUT_S = 6.0


class CatalogueUnavailable(RuntimeError):
    """The catalogue service did not answer in time, or answered with a server error."""


class NotFound(LookupError):
    """The catalogue service has no such service."""


class AlreadyDone(ValueError):
    """The catalogue service already holds this (HTTP 409): e.g. a second rating of the same answer."""


class CatalogueClient:
    """Async client of the catalogue service with explicit timeouts."""

    def __init__(self, base_url: str | None = None, timeout_s: float = 4.0, internal_token: str | None = None) -> None:
        self.base_url = (base_url or os.environ.get("CATALOG_URL", "http://127.0.0.1:8080")).rstrip("/")
        tokens = (internal_token if internal_token is not None else os.environ.get("CATALOG_INTERNAL_TOKEN", "")).split(",")
        self.internal_token = tokens[0].strip()
        self.timeout = aiohttp.ClientTimeout(total=timeout_s, connect=1.5)
        self._session: aiohttp.ClientSession | None = None

    def _http(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            headers = {"User-Agent": "citizen-assistant-actions/0.1"}
            if self.internal_token:
                headers["X-Internal-Token"] = self.internal_token
            self._session = aiohttp.ClientSession(timeout=self.timeout, headers=headers)
        return self._session

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def _request(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, Any] | None = None,
        json: Any = None,
        conversation: str | None = None,
        timeout_s: float | None = None,
        words_key: str | None = None,
    ) -> Any:
        clean = {k: str(v).lower() if isinstance(v, bool) else str(v) for k, v in (params or {}).items() if v is not None}
        headers = {"X-Conversation-Id": conversation[:128]} if conversation else {}
        if words_key:
            headers["X-Search-Key"] = words_key
        timeout = aiohttp.ClientTimeout(total=timeout_s, connect=self.timeout.connect) if timeout_s else self.timeout
        try:
            async with self._http().request(method, self.base_url + path, params=clean, json=json, headers=headers, timeout=timeout) as response:
                if response.status == 404:
                    raise NotFound(path)
                if response.status >= 500:
                    raise CatalogueUnavailable(f"{method} {path}: HTTP {response.status}")
                body = await response.json(content_type=None)
                if response.status == 409:
                    raise AlreadyDone(body.get("message", "HTTP 409") if isinstance(body, dict) else "HTTP 409")
                if response.status >= 400:
                    raise ValueError(body.get("message", f"HTTP {response.status}"))
                return body
        except (TimeoutError, aiohttp.ClientError) as exc:
            log.warning("catalogue service unavailable: %s %s: %s", method, path, type(exc).__name__)
            raise CatalogueUnavailable(f"{method} {path}: {type(exc).__name__}") from exc

    async def turn(
        self,
        text: str,
        lang: str,
        *,
        mode: str = "find",
        shown: list[dict[str, Any]] | None = None,
        selected: str | None = None,
        district: str | None = None,
        audience: str | None = None,
        intent: str | None = None,
        mention: str | None = None,
        conversation: str | None = None,
    ) -> dict[str, Any]:
        """What one turn about finding a service does (``POST /api/search/turn``): ``kind`` and what it
        needs (the card, the hits, the checklist, the next steps), the list to keep and the district settled on."""
        body = {
            "text": text[:500],
            "lang": lang,
            "mode": mode,
            "shown": [_shown(s) for s in (shown or [])[:100]],
            "selected": selected,
            "district": district,
            "audience": audience,
            "intent": intent,
            "mention": mention[:500] if mention else None,
        }
        # X-Search-Key: the replica that the NLU asked to embed these words ahead gets the turn (bot/prepare_search.py).
        return dict(await self._request("POST", "/api/search/turn", json=body, conversation=conversation, timeout_s=TURN_TIMEOUT_S, words_key=search_key(text)))

    async def resolve_pick(self, text: str, lang: str, shown: list[dict[str, Any]]) -> dict[str, Any]:
        """What ``text`` picks from the list shown (``POST /api/picks/resolve``): kind, count, id, position."""
        items = [{"id": str(s["id"]), "title": str(s.get("title") or "")[:300] or None} for s in shown[:100]]
        return dict(await self._request("POST", "/api/picks/resolve", json={"text": text[:500], "lang": lang, "shown": items}))

    async def service(self, service_id: str, district: str | None = None) -> dict[str, Any]:
        return dict(await self._request("GET", f"/api/services/{service_id}", params={"district": district}))

    async def events(self) -> list[dict[str, Any]]:
        return list((await self._request("GET", "/api/events"))["items"])

    async def checklist(self, event: str, lang: str) -> dict[str, Any]:
        """An event's checklist: its services in order (``GET /api/events/{id}/checklist``)."""
        return dict(await self._request("GET", f"/api/events/{event}/checklist", params={"lang": lang}))

    async def services(self, event: str | None = None, audience: str | None = None, per_page: int = 10) -> list[dict[str, Any]]:
        return list((await self._request("GET", "/api/services", params={"event": event, "audience": audience, "per_page": per_page}))["items"])

    async def eligibility(self, service_id: str, answers: dict[str, Any], lang: str, said: dict[str, str] | None = None) -> dict[str, Any]:
        body = {"answers": answers, "lang": lang, "said": said or {}}
        return dict(await self._request("POST", f"/api/services/{service_id}/eligibility", json=body))

    async def eligibility_turn(self, service_id: str, text: str, lang: str, state: dict[str, Any]) -> dict[str, Any]:
        """What ``text`` does in the check (``state``: answers, said, asked, pending, start_over)."""
        return dict(await self._request("POST", f"/api/services/{service_id}/eligibility/turn", json={"text": text[:500], "lang": lang, **state}))

    async def parse_answer(self, question_id: str, text: str, lang: str) -> dict[str, Any]:
        return dict(await self._request("POST", f"/api/questions/{question_id}/parse", json={"text": text[:500], "lang": lang}))

    async def handoff_link(self, service_id: str, answers: dict[str, Any], lang: str, channel: str, conversation: str | None = None) -> dict[str, Any]:
        return dict(
            await self._request(
                "POST",
                "/api/handoff/application",
                json={"service_id": service_id, "answers": answers, "lang": lang, "channel": channel, "consent": True},
                conversation=conversation,
            )
        )

    async def create_ticket(self, payload: dict[str, Any], conversation: str | None = None) -> dict[str, Any]:
        return dict(await self._request("POST", "/api/tickets", json=payload, conversation=conversation))

    async def feedback(self, body: dict[str, Any], conversation: str) -> dict[str, Any]:
        """A citizen's rating of an answer (``POST /api/feedback``); ``AlreadyDone`` when it was rated before."""
        return dict(await self._request("POST", "/api/feedback", json=body, conversation=conversation))

    # -- on behalf of someone else (issue 14): the same calls with the person the check is for ----------

    async def eligibility_for(
        self, service_id: str, answers: dict[str, Any], lang: str, said: dict[str, str] | None = None, subject: str | None = None
    ) -> dict[str, Any]:
        """The check for ``subject`` (a relation: ``mother``, ``son``...; None for the citizen): the next
        question and the reasons come worded for that person, and ``subject.who`` names them."""
        body = {"answers": answers, "lang": lang, "said": said or {}, **({"subject": subject} if subject else {})}
        return dict(await self._request("POST", f"/api/services/{service_id}/eligibility", json=body))

    async def eligibility_earlier(
        self, service_id: str, texts: list[str], lang: str, answers: dict[str, Any], said: dict[str, str], subject: str | None
    ) -> dict[str, Any]:
        """What the citizen's earlier words about ``subject`` already answer in the check
        (``POST /api/services/{id}/eligibility/earlier``): taken, noted, offered, answers, said, pending."""
        body = {"texts": [t[:500] for t in texts[-20:]], "lang": lang, "answers": answers, "said": said, **({"subject": subject} if subject else {})}
        return dict(await self._request("POST", f"/api/services/{service_id}/eligibility/earlier", json=body))

    async def handoff_link_for(
        self, service_id: str, answers: dict[str, Any], lang: str, channel: str, subject: str | None, conversation: str | None = None
    ) -> dict[str, Any]:
        """An application link whose answers are about ``subject`` (the portal says for whom); None: the citizen's own."""
        body = {"service_id": service_id, "answers": answers, "lang": lang, "channel": channel, "consent": True, **({"subject": subject} if subject else {})}
        return dict(await self._request("POST", "/api/handoff/application", json=body, conversation=conversation))


def _shown(item: dict[str, Any]) -> dict[str, Any]:
    """An item of the ``shown`` slot as the catalogue service takes it (a checklist step keeps its order)."""
    out: dict[str, Any] = {"id": str(item["id"]), "title": str(item.get("title") or "")[:300] or None}
    if isinstance(item.get("order"), int):
        out.update(order=item["order"], after=[a for a in item.get("after") or [] if isinstance(a, int)], event=item.get("event"), done=bool(item.get("done")))
    return out


client = CatalogueClient()
