"""The action server's search turn carries ``X-Search-Key``, the same hash of the words that the NLU's
head start sends (bot/prepare_search.py), so that the scaled stack's balancer gives both to one
catalogue replica: checked against an in-process fake of ``POST /api/search/turn``."""

from __future__ import annotations

import hashlib
from typing import Any

from aiohttp import web
from aiohttp.test_utils import TestServer

from actions.catalogue_client import CatalogueClient

SEEN = web.AppKey("seen", list)


async def _turn(request: web.Request) -> web.Response:
    request.app[SEEN].append({"key": request.headers.get("X-Search-Key"), "conversation": request.headers.get("X-Conversation-Id")})
    return web.json_response({"kind": "nothing"})


async def test_a_search_turn_sends_the_hash_of_its_stripped_words() -> None:
    app = web.Application()
    app[SEEN] = []
    app.router.add_post("/api/search/turn", _turn)
    server = TestServer(app, port=0)
    await server.start_server()
    client = CatalogueClient(str(server.make_url("")), timeout_s=2.0, internal_token="in-token")
    try:
        await client.turn("  身份证丢了怎么补办 \n", "zh", conversation="web:abc")
        await client.turn("x" * 700, "en")
    finally:
        await client.close()
        await server.close()
    seen: list[dict[str, Any]] = app[SEEN]
    # The NLU sends text.strip()[:500]; its key is the first 16 hex digits of that text's SHA-256.
    assert seen[0] == {"key": hashlib.sha256("身份证丢了怎么补办".encode()).hexdigest()[:16], "conversation": "web:abc"}
    assert seen[1]["key"] == hashlib.sha256(("x" * 500).encode()).hexdigest()[:16]
