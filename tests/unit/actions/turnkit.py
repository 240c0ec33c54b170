"""``POST /api/search/turn`` for the action tests' fake catalogue services: the real policy
(``service_catalog/search/turn.py``) over the fake's scripted searches, titles and cards, so the
actions are tested against the decisions the catalogue service really makes."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Sequence
from functools import cache
from typing import Any

from aiohttp import web
from testkit import REPO_ROOT

from service_catalog.catalogue import load_catalogue
from service_catalog.search.index import Filters, Hit, SearchResponse, district_names
from service_catalog.search.turn import ShownItem, Turn, decide

__all__ = ["turn_route"]

Handler = Callable[[web.Request], Awaitable[web.Response]]


@cache
def _districts() -> list[tuple[re.Pattern[str], str]]:
    return district_names(load_catalogue(REPO_ROOT / "service_catalog" / "data"))


def _hits(items: list[dict[str, Any]] | None) -> list[Hit]:
    return [Hit(h["id"], h.get("title") or h["id"], float(h.get("score") or 0.0), h.get("why") or []) for h in items or []]


class ScriptedFinder:
    """Searches answered from the fake's script (query → search response body; filters ignored, as the old fake did)."""

    def __init__(self, searches: dict[str, dict[str, Any]], services: dict[str, dict[str, Any]]) -> None:
        self.searches = searches
        self.services = services
        self.queries: list[str] = []

    def search(self, query: str, lang: str, limit: int, filters: Filters | None) -> SearchResponse:
        self.queries.append(query)
        body = self.searches.get(query) or {"confident": False, "results": []}
        results = _hits(body.get("results"))
        suggestions = _hits(body.get("suggestions")) if "suggestions" in body else ([] if body.get("confident") else results[:3])
        return SearchResponse(query, lang, bool(body.get("confident")), 0.5, results, suggestions, body.get("best"), {}, None, body.get("event"), None)

    def titles(self, service_id: str) -> tuple[str, ...]:
        title = (self.services.get(service_id) or {}).get("title") or {}
        return tuple(t for t in (title.values() if isinstance(title, dict) else [title]) if t)

    def districts(self) -> Sequence[tuple[re.Pattern[str], str]]:
        return _districts()


def _card(services: dict[str, dict[str, Any]], service_id: str) -> dict[str, Any]:
    return services.get(service_id) or {"id": service_id, "title": {"en": service_id, "zh": service_id}, "summary": "", "channels": {"centres": []}}


def turn_route(searches: Callable[[web.Request], dict[str, dict[str, Any]]], services: dict[str, dict[str, Any]], seen: list[dict[str, Any]]) -> Handler:
    """A handler for ``POST /api/search/turn``: ``searches(request)`` gives the script; every body received is appended to ``seen``.

    Like the real service: 404 for a selected service it does not know.
    """

    async def handler(request: web.Request) -> web.Response:
        body = await request.json()
        seen.append(body)
        if body.get("selected") and body["selected"] not in services:
            return web.json_response({"error": "service_not_found", "message": "no", "field": "selected"}, status=404)
        shown = tuple(
            ShownItem(s["id"], s.get("title") or "", s.get("order"), tuple(s.get("after") or []), s.get("event"), bool(s.get("done")))
            for s in body.get("shown") or []
        )
        turn = Turn(
            body["text"],
            body.get("lang") or "en",
            shown,
            body.get("selected"),
            body.get("district"),
            body.get("audience"),
            body.get("intent"),
            body.get("mention"),
            body.get("mode") or "find",
        )
        decision = decide(turn, ScriptedFinder(searches(request), services))
        card = _card(services, decision.service) if decision.service else None
        return web.json_response({**decision.to_json(), "service": card})

    return handler
