"""The agent console's handoff inbox through a real app, with Rasa's HTTP API played by a fake server:
tickets carry their conversation (no duplicates, a place in the queue), take / reply / resolve
pause, write into and resume the conversation, and the live inbox streams new tickets and the
citizen's messages (server-sent events)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from dataclasses import replace
from typing import Any

import pytest
from agentkit import RASA_TOKEN, FakeRasa, add_agent, db_of, login, next_event
from aiohttp.test_utils import TestClient, TestServer
from testkit import INTERNAL

from service_catalog.http.app import create_app
from service_catalog.http.routes_agent_tickets import CLOSING, JOINED
from service_catalog.settings import Settings

TRANSCRIPT = [{"who": "user", "text": "我要办护照"}, {"who": "bot", "text": "好的"}, {"who": "user", "text": "转人工，电话13812345678"}]


@pytest.fixture
async def rasa() -> AsyncIterator[tuple[FakeRasa, str]]:
    fake = FakeRasa()
    async with TestServer(fake.app()) as server:
        yield fake, str(server.make_url("")).rstrip("/")


@pytest.fixture
async def console(aiohttp_client, app_settings: Settings, rasa: tuple[FakeRasa, str]) -> TestClient:  # type: ignore[no-untyped-def]
    """The app, knowing the fake Rasa and its token."""
    return await aiohttp_client(create_app(replace(app_settings, rasa_url=rasa[1], rasa_auth_token=RASA_TOKEN)))


async def hand_over(client: TestClient, conversation: str | None, lang: str = "zh", channel: str = "socketio") -> Any:
    headers = {**INTERNAL, "X-Conversation-Id": conversation} if conversation else INTERNAL
    body = {"transcript": TRANSCRIPT, "lang": lang, "channel": channel, "service_id": "passport-application", "answers": {"age": 30}}
    return await client.post("/api/tickets", json=body, headers=headers)


async def test_a_conversation_keeps_one_open_ticket_and_learns_its_place(console: TestClient) -> None:
    first = await hand_over(console, "conv-a")
    assert first.status == 201
    a = await first.json()
    assert a["position"] == 1 and a["created"] is True
    again = await hand_over(console, "conv-a")
    assert again.status == 200 and (await again.json()) == {**a, "created": False}
    b = await (await hand_over(console, "conv-b")).json()
    assert b["ticket"] != a["ticket"] and b["position"] == 2
    racing = await asyncio.gather(*(hand_over(console, "conv-c") for _ in range(3)))
    assert sorted(r.status for r in racing) == [200, 200, 201]
    assert len({(await r.json())["ticket"] for r in racing}) == 1
    stored = await db_of(console).get_ticket(a["ticket"])
    assert stored is not None and stored.conversation_id == "conv-a"
    assert [r.detail["ticket"] for r in await db_of(console).audit_records("ticket_created")] == [(await racing[0].json())["ticket"], b["ticket"], a["ticket"]]


async def test_the_queue_lists_open_tickets_oldest_first_with_their_place(console: TestClient) -> None:
    numbers = [(await (await hand_over(console, f"conv-{i}", lang="en" if i else "zh")).json())["ticket"] for i in range(3)]
    await add_agent(console)
    await login(console)
    items = (await (await console.get("/agent/api/tickets", params={"status": "open"})).json())["items"]
    assert [i["number"] for i in items] == numbers and [i["position"] for i in items] == [1, 2, 3]
    first = items[0]
    assert first["conversation_id"] == "conv-0" and first["channel"] == "socketio" and first["language"] == "zh" and first["agent"] is None
    assert "13812345678" not in first["summary"] and "138****5678" in first["summary"]
    assert (await (await console.get("/agent/api/tickets", params={"status": "closed"})).json())["items"] == []
    assert (await console.get("/agent/api/tickets", params={"status": "pending"})).status == 400


async def test_take_reply_resolve_go_through_rasa_and_are_audited(console: TestClient, rasa: tuple[FakeRasa, str]) -> None:
    fake, _ = rasa
    number = (await (await hand_over(console, "conv/with space")).json())["ticket"]
    other = (await (await hand_over(console, "conv-2")).json())["ticket"]
    await add_agent(console)
    csrf = await login(console)

    taken = await console.post(f"/agent/api/tickets/{number}/take", headers=csrf)
    assert taken.status == 200, await taken.text()
    item = await taken.json()
    assert item["agent"] == "alice" and item["position"] == 0 and item["paused"] is True
    ((conversation, params, events),) = fake.posts
    assert conversation == "conv/with space"  # quoted in the URL, whole again on Rasa's side
    assert params == {"token": RASA_TOKEN, "output_channel": "latest", "execute_side_effects": "true"}
    assert events == [{"event": "pause"}, {"event": "bot", "text": JOINED["zh"]}]
    assert (await hand_over(console, "conv-2")).status == 200
    assert (await (await hand_over(console, "conv-2")).json())["position"] == 1  # the other one moved up
    assert (await (await hand_over(console, "conv/with space")).json())["position"] == 0  # the bot can say "an agent has it"

    replied = await console.post(f"/agent/api/tickets/{number}/reply", json={"text": " 您好，我是小王 "}, headers=csrf)
    assert replied.status == 200 and (await replied.json()) == {"sent": True, "number": number, "channel": "socketio"}
    assert fake.sent("conv/with space")[-1] == [{"event": "bot", "text": "您好，我是小王", "metadata": {"agent": "alice"}}]
    for body in ({"text": ""}, {"text": "x" * 2001}, {}):
        bad = await console.post(f"/agent/api/tickets/{number}/reply", json=body, headers=csrf)
        assert bad.status == 400 and (await bad.json())["field"] == "text"
    not_mine = await console.post(f"/agent/api/tickets/{other}/reply", json={"text": "hi"}, headers=csrf)
    assert not_mine.status == 409 and (await not_mine.json())["error"] == "conflict"

    resolved = await console.post(f"/agent/api/tickets/{number}/resolve", headers=csrf)
    assert resolved.status == 200 and (await resolved.json())["status"] == "closed"
    assert fake.sent("conv/with space")[-1] == [{"event": "bot", "text": CLOSING["zh"]}, {"event": "resume"}]
    ticket = await db_of(console).get_ticket(number)
    assert ticket is not None and ticket.status == "closed" and ticket.agent == "alice" and ticket.closed_at
    assert (await console.post(f"/agent/api/tickets/{number}/reply", json={"text": "hi"}, headers=csrf)).status == 409
    assert (await console.post(f"/agent/api/tickets/{number}/take", headers=csrf)).status == 409
    assert (await hand_over(console, "conv/with space")).status == 201  # closed: asking again makes a new ticket

    audit = [(r.outcome, r.detail["agent"], r.detail["ticket"]) for r in await db_of(console).audit_records("agent_ticket")]
    assert audit[:3] == [("resolved", "alice", number), ("replied", "alice", number), ("taken", "alice", number)]


async def test_one_agent_cannot_take_anothers_ticket_but_a_supervisor_can(console: TestClient) -> None:
    number = (await (await hand_over(console, "conv-a")).json())["ticket"]
    await add_agent(console, "alice")
    await add_agent(console, "bob")
    await add_agent(console, "sue", "supervisor")
    alice = await login(console, "alice")
    assert (await console.post(f"/agent/api/tickets/{number}/take", headers=alice)).status == 200
    bob = await login(console, "bob")
    refused = await console.post(f"/agent/api/tickets/{number}/take", headers=bob)
    assert refused.status == 409 and "taken by alice" in (await refused.json())["message"]
    assert (await console.post(f"/agent/api/tickets/{number}/resolve", headers=bob)).status == 409
    sue = await login(console, "sue")
    assert (await (await console.post(f"/agent/api/tickets/{number}/take", headers=sue)).json())["agent"] == "sue"
    assert (await console.post("/agent/api/tickets/T19990101-0001/take", headers=sue)).status == 404


async def test_when_rasa_cannot_pause_the_ticket_goes_back_to_the_queue(console: TestClient, rasa: tuple[FakeRasa, str]) -> None:
    rasa[0].status = 500
    number = (await (await hand_over(console, "conv-a")).json())["ticket"]
    await add_agent(console)
    csrf = await login(console)
    response = await console.post(f"/agent/api/tickets/{number}/take", headers=csrf)
    assert response.status == 503 and (await response.json())["error"] == "unavailable"
    ticket = await db_of(console).get_ticket(number)
    assert ticket is not None and ticket.agent is None and ticket.status == "open"


async def test_without_rasas_token_taking_over_is_off(client: TestClient) -> None:
    number = (await (await hand_over(client, "conv-a")).json())["ticket"]
    await add_agent(client)
    csrf = await login(client)
    response = await client.post(f"/agent/api/tickets/{number}/take", headers=csrf)
    assert response.status == 503 and "RASA_AUTH_TOKEN" in (await response.json())["message"]


async def test_a_ticket_without_a_conversation_can_be_taken_but_not_answered_in_chat(console: TestClient, rasa: tuple[FakeRasa, str]) -> None:
    number = (await (await hand_over(console, None)).json())["ticket"]
    await add_agent(console)
    csrf = await login(console)
    assert (await (await console.post(f"/agent/api/tickets/{number}/take", headers=csrf)).json())["paused"] is False
    response = await console.post(f"/agent/api/tickets/{number}/reply", json={"text": "hi"}, headers=csrf)
    assert response.status == 409 and "call the citizen" in (await response.json())["message"]
    assert rasa[0].posts == []


async def test_the_live_inbox_delivers_a_new_ticket_within_two_seconds(console: TestClient) -> None:
    waiting = (await (await hand_over(console, "conv-a")).json())["ticket"]
    await add_agent(console)
    await login(console)
    stream = await console.get("/agent/api/events")
    assert stream.status == 200 and stream.headers["Content-Type"].startswith("text/event-stream")
    kind, snapshot = await next_event(stream, 5)
    assert kind == "snapshot" and [i["number"] for i in snapshot["items"]] == [waiting]
    started = time.monotonic()
    number = (await (await hand_over(console, "conv-b", lang="en")).json())["ticket"]
    kind, item = await next_event(stream, 2)
    assert time.monotonic() - started < 2
    assert kind == "ticket" and item["number"] == number and item["position"] == 2 and item["language"] == "en" and item["conversation_id"] == "conv-b"
    stream.close()


async def test_the_live_inbox_shows_what_the_citizen_writes_after_the_take(console: TestClient, rasa: tuple[FakeRasa, str]) -> None:
    fake, _ = rasa
    fake.say("conv-a", "before the take")
    await asyncio.sleep(0.05)
    number = (await (await hand_over(console, "conv-a")).json())["ticket"]
    await add_agent(console)
    csrf = await login(console)
    stream = await console.get("/agent/api/events")
    await next_event(stream, 5)  # the snapshot
    assert (await console.post(f"/agent/api/tickets/{number}/take", headers=csrf)).status == 200
    kind, item = await next_event(stream, 2)
    assert kind == "ticket" and item["agent"] == "alice"
    await asyncio.sleep(0.05)
    fake.say("conv-a", "我的护照丢了")
    kind, message = await next_event(stream, 3)
    assert kind == "message" and message["number"] == number and message["text"] == "我的护照丢了" and message["conversation_id"] == "conv-a"
    detail = await (await console.get(f"/agent/api/tickets/{number}")).json()
    assert [m["text"] for m in detail["messages"]] == ["我的护照丢了"]
    assert detail["transcript"][-1]["text"] == "转人工，电话138****5678" and detail["service_title"] == "普通护照申请"
    stream.close()


async def test_the_link_goes_into_the_callers_chat(console: TestClient, rasa: tuple[FakeRasa, str]) -> None:
    number = (await (await hand_over(console, "conv-a", lang="en")).json())["ticket"]
    await add_agent(console)
    csrf = await login(console)
    body = {"service_id": "pension-claim", "answers": {"age": 61}, "lang": "en", "consent": True, "ticket": number}
    assert (await console.post("/agent/api/send-link", json=body, headers=csrf)).status == 409  # not taken yet
    await console.post(f"/agent/api/tickets/{number}/take", headers=csrf)
    sent = await console.post("/agent/api/send-link", json=body, headers=csrf)
    assert sent.status == 200 and (await sent.json())["via"] == "chat"
    ((event,),) = rasa[0].sent("conv-a")[-1:]
    assert event["event"] == "bot" and "/portal/apply/pension-claim?h=" in event["text"]


async def test_behind_a_public_edge_the_console_takes_over_through_the_internal_api_url(  # type: ignore[no-untyped-def]
    aiohttp_client, app_settings: Settings, rasa: tuple[FakeRasa, str]
) -> None:
    """Scaled: the widget's Rasa URL is the public edge (no API there); taking over uses CATALOG_RASA_API_URL."""
    fake, internal = rasa
    settings = replace(app_settings, rasa_url="https://chat.example.org", rasa_api_url=internal, rasa_auth_token=RASA_TOKEN)
    console = await aiohttp_client(create_app(settings))
    number = (await (await hand_over(console, "conv-edge")).json())["ticket"]
    await add_agent(console)
    csrf = await login(console)
    taken = await console.post(f"/agent/api/tickets/{number}/take", headers=csrf)
    assert taken.status == 200, await taken.text()
    assert [conversation for conversation, _, _ in fake.posts] == ["conv-edge"]
