"""``POST /api/search/turn`` on the in-process app: each kind of decision with the card the bot shows,
the district a text settles on, a bad body named by field, an unknown selected service, and who may call."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest
from agentkit import add_agent, login
from aiohttp.test_utils import TestClient
from testkit import INTERNAL

from service_catalog.http.typedefs import CATALOGUE

SHOWN = [
    {"id": "passport-application", "title": "Passport"},
    {"id": "birth-registration", "title": "Register a newborn's birth"},
    {"id": "dog-registration", "title": "Dog registration"},
]
STEPS = [
    {"id": "maternal-child-health-handbook", "title": "Maternal and child health handbook", "order": 1, "after": [], "event": "having-a-baby"},
    {"id": "birth-medical-certificate", "title": "Birth medical certificate", "order": 2, "after": [], "event": "having-a-baby"},
    {"id": "birth-registration", "title": "Register a newborn's birth", "order": 3, "after": [2], "event": "having-a-baby"},
    {"id": "resident-medical-insurance-enrolment", "title": "Resident medical insurance", "order": 4, "after": [3], "event": "having-a-baby"},
]


async def turn(client: TestClient, **body: Any) -> Any:
    response = await client.post("/api/search/turn", json={"lang": "en", **body}, headers=INTERNAL)
    assert response.status == 200, await response.text()
    return await response.json()


async def card(client: TestClient, service_id: str, district: str | None = None) -> Any:
    return await (await client.get(f"/api/services/{service_id}", params={"district": district} if district else {})).json()


async def test_a_pick_from_the_list_shown_answers_with_the_full_card(client: TestClient) -> None:
    answer = await turn(client, text="number 2", shown=SHOWN, district="pudong")
    assert (answer["kind"], answer["selects"], answer["district"]) == ("service", True, "pudong")
    assert answer["service"] == await card(client, "birth-registration", "pudong")


async def test_a_place_beyond_the_list_says_how_many_there_are(client: TestClient) -> None:
    answer = await turn(client, text="number 7", shown=SHOWN)
    assert (answer["kind"], answer["count"], answer["asked"], answer["service"]) == ("out_of_range", 3, 7, None)


async def test_a_step_done_gives_the_next_steps_and_the_list_to_keep(client: TestClient) -> None:
    answer = await turn(client, text="I already registered the newborn's birth", shown=STEPS)
    assert answer["kind"] == "steps_done" and answer["step"]["id"] == "birth-registration"
    assert [s["id"] for s in answer["remaining"]] == ["resident-medical-insurance-enrolment"]
    assert [s["id"] for s in answer["shown"] if s["done"]] == ["birth-registration"]


async def test_a_district_after_a_service_answers_about_that_service_with_the_district_settled(client: TestClient) -> None:
    answer = await turn(client, text="sorry I meant Pudong, not Minhang", selected="passport-application", district="minhang", mode="about")
    assert (answer["kind"], answer["selects"], answer["district"]) == ("about_selected", False, "pudong")
    assert answer["service"] == await card(client, "passport-application", "pudong")


async def test_an_off_topic_turn_gets_nothing_and_no_suggestions(client: TestClient) -> None:
    answer = await turn(client, text="who won the football last night", intent="out_of_scope")
    assert (answer["kind"], answer["reason"], answer["suggestions"], answer["service"]) == ("nothing", "off_topic", [], None)


@pytest.mark.parametrize("text", ["I just had a baby, what do I need to do?", "孩子出生了要办什么"])
async def test_a_situation_gets_the_events_checklist_and_its_steps_to_keep(client: TestClient, text: str) -> None:
    answer = await turn(client, text=text)
    assert answer["kind"] == "checklist" and answer["event"]["id"] == "having-a-baby"
    assert [(s["id"], s["order"], s["event"]) for s in answer["shown"]] == [(s["id"], s["order"], "having-a-baby") for s in answer["event"]["steps"]]


async def test_hits_without_a_clear_winner_are_offered_and_kept_as_the_list_shown(client: TestClient) -> None:
    answer = await turn(client, text="how do I register my newborn's birth")
    assert answer["kind"] == "list" and answer["hits"][0]["id"] == "birth-registration"
    assert [s["id"] for s in answer["shown"]] == [h["id"] for h in answer["hits"]]


async def test_it_is_public_like_search(client: TestClient) -> None:
    response = await client.post("/api/search/turn", json={"text": "number 1", "shown": SHOWN})
    assert response.status == 200
    assert (await response.json())["service"]["id"] == "passport-application"


async def test_an_unknown_selected_service_is_404_naming_the_field(client: TestClient) -> None:
    response = await client.post("/api/search/turn", json={"text": "where do I go", "selected": "no-such-service", "mode": "about"}, headers=INTERNAL)
    assert response.status == 404
    assert (await response.json())["field"] == "selected"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "text"),
        ({"text": ""}, "text"),
        ({"text": "x" * 501}, "text"),
        ({"text": "hi", "lang": "fr"}, "lang"),
        ({"text": "hi", "mode": "guess"}, "mode"),
        ({"text": "hi", "shown": [{"title": "no id"}]}, "shown[0].id"),
        ({"text": "hi", "shown": [{"id": "a", "order": 0}]}, "shown[0].order"),
        ({"text": "hi", "district": "atlantis"}, "district"),
        ({"text": "hi", "audience": "aliens"}, "audience"),
        ({"text": "hi", "shown": [{"id": f"s{i}"} for i in range(101)]}, "shown"),
    ],
)
async def test_a_bad_body_is_refused_naming_the_field(client: TestClient, body: dict[str, Any], field: str) -> None:
    response = await client.post("/api/search/turn", json=body, headers=INTERNAL)
    assert response.status == 400, body
    assert (await response.json())["field"] == field


@pytest.mark.parametrize("text", ["how do I register my newborn's birth", "护照", "passport application"])
async def test_the_agent_console_shows_the_assistants_own_decision(client: TestClient, text: str) -> None:
    await add_agent(client)
    await login(client)
    console = await (await client.get("/agent/api/search", params={"q": text, "lang": "auto"})).json()
    answer = await turn(client, text=text, lang="auto")
    if answer["kind"] == "list":
        assert console["best"] is None and console["offered"] == [h["id"] for h in answer["hits"]]
    elif answer["kind"] == "service":
        assert console["best"] == answer["service"]["id"]
    else:
        assert answer["kind"] == "nothing" and console["best"] is None and console["offered"] == []


async def test_anonymous_turns_are_limited_per_address_like_search_but_not_the_action_server(client: TestClient) -> None:
    body = {"text": "number 1", "shown": SHOWN}
    for _ in range(20):
        assert (await client.post("/api/search/turn", json=body)).status == 200
    refused = await client.post("/api/search/turn", json=body)
    assert refused.status == 429 and "Retry-After" in refused.headers
    assert (await client.post("/api/search/turn", json=body, headers=INTERNAL)).status == 200


async def test_words_prepared_ahead_are_not_embedded_again_by_the_turn(client: TestClient) -> None:
    index = client.app[CATALOGUE].index
    embedded: list[str] = []
    original = index.embedder.embed
    index.embedder.embed = lambda texts, **kw: (embedded.extend(texts), original(texts, **kw))[1]  # type: ignore[method-assign]
    words = "I lost my wallet with my ID card in it"
    response = await client.post("/api/search/prepare", json={"text": words}, headers={**INTERNAL, "X-Conversation-Id": "c-prepare"})
    assert (response.status, await response.json()) == (202, {"queued": True})
    for _ in range(100):  # it answered at once; the embedding runs on the query pool
        if embedded:
            break
        await asyncio.sleep(0.05)
    await turn(client, text=words)
    assert len(embedded) == 1


async def test_preparing_never_queues_more_than_two_texts(client: TestClient) -> None:
    index = client.app[CATALOGUE].index
    original = index.embedder.embed
    index.embedder.embed = lambda texts, **kw: (time.sleep(0.5), original(texts, **kw))[1]  # type: ignore[method-assign]
    answers = [await client.post("/api/search/prepare", json={"text": f"help with rent number {n}"}, headers=INTERNAL) for n in range(3)]
    assert [(a.status, (await a.json())["queued"]) for a in answers] == [(202, True), (202, True), (202, False)]


async def test_only_the_action_server_may_prepare_a_search(client: TestClient) -> None:
    response = await client.post("/api/search/prepare", json={"text": "dog licence"})
    assert response.status == 401
    bad = await client.post("/api/search/prepare", json={"text": ""}, headers=INTERNAL)
    assert bad.status == 400 and (await bad.json())["field"] == "text"
