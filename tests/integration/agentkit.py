"""Helpers of the agent console's API tests: a fake Rasa HTTP API, agents, signing in, reading server-sent events."""

from __future__ import annotations

import asyncio
import json
import time
from dataclasses import dataclass, field
from typing import Any, cast

from aiohttp import web
from aiohttp.test_utils import TestClient

from service_catalog.console.passwords import hash_password
from service_catalog.db import Database
from service_catalog.http.typedefs import DATABASE

RASA_TOKEN = "ra-8c2e4a6f0b1d3c5e7a9f2b4d6c8e0a1f"
PASSWORD = "correct horse battery staple"
JSON = {"Accept": "application/json"}
_HASH = hash_password(PASSWORD)  # Argon2 is slow on purpose: hash once per test run


@dataclass
class FakeRasa:
    """Rasa's ``/conversations/{id}/tracker/events`` and ``/tracker``, recording what the console sent."""

    posts: list[tuple[str, dict[str, str], Any]] = field(default_factory=list)
    events: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    status: int = 200

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_post("/conversations/{id}/tracker/events", self._append)
        app.router.add_get("/conversations/{id}/tracker", self._tracker)
        return app

    def _authorised(self, request: web.Request) -> bool:
        return request.query.get("token") == RASA_TOKEN

    async def _append(self, request: web.Request) -> web.Response:
        if not self._authorised(request):
            return web.json_response({"error": "NotAuthenticated"}, status=401)
        self.posts.append((request.match_info["id"], dict(request.query), await request.json()))
        return web.json_response({"sender_id": request.match_info["id"]}, status=self.status)

    async def _tracker(self, request: web.Request) -> web.Response:
        if not self._authorised(request):
            return web.json_response({"error": "NotAuthenticated"}, status=401)
        return web.json_response({"sender_id": request.match_info["id"], "events": self.events.get(request.match_info["id"], [])})

    def say(self, conversation: str, text: str) -> None:
        """The citizen writes (as Rasa would log it, also while paused)."""
        self.events.setdefault(conversation, []).append({"event": "user", "text": text, "timestamp": time.time()})

    def sent(self, conversation: str) -> list[Any]:
        """The event lists appended to a conversation, in order."""
        return [body for cid, _, body in self.posts if cid == conversation]


def db_of(client: TestClient) -> Database:
    return cast(Database, client.app[DATABASE])


async def add_agent(client: TestClient, name: str = "alice", role: str = "agent") -> None:
    assert await db_of(client).add_agent(name, role, _HASH)


async def login(client: TestClient, name: str = "alice", password: str = PASSWORD) -> dict[str, str]:
    """Sign in; the CSRF header for state-changing calls (the cookie stays in the client's jar)."""
    response = await client.post("/agent/login", data={"username": name, "password": password}, headers=JSON)
    assert response.status == 200, await response.text()
    return {"X-CSRF-Token": (await response.json())["csrf_token"]}


async def next_event(response: Any, timeout: float) -> tuple[str, dict[str, Any]]:
    """The next server-sent event of a stream: ``(event, data)``; pings are skipped."""

    async def read() -> tuple[str, dict[str, Any]]:
        kind, data = "message", ""
        while True:
            line = (await response.content.readline()).decode().rstrip("\r\n")
            if line.startswith("event:"):
                kind = line[6:].strip()
            elif line.startswith("data:"):
                data += line[5:].strip()
            elif line == "" and data:
                return kind, json.loads(data)

    return await asyncio.wait_for(read(), timeout)
