"""The 👍/👎 on an answer (actions/feedback.py) against an in-process fake of ``POST /api/feedback``."""

from __future__ import annotations

import warnings
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

with warnings.catch_warnings():
    # rasa-sdk's sanic imports websockets.connection, deprecated in websockets 14; nothing we can act on.
    warnings.filterwarnings("ignore", "websockets.connection was renamed", DeprecationWarning)
    from rasa_sdk import Tracker
    from rasa_sdk.executor import CollectingDispatcher

    from actions import feedback
    from actions.catalogue_client import CatalogueClient
    from actions.feedback import ActionFeedback, marker, rateable

INTERNAL_TOKEN = "in-5d7f9b1a3c5e7a9d0f2b4c6e8a1d3f5b"
SENDER = "wechat:o6_bmjrPTlm6_2sgVt7hMZOPfL2M"
ANSWER = "a1b2c3d4e5f6"
RATINGS = web.AppKey("ratings", list)


async def _feedback(request: web.Request) -> web.Response:
    """Like the real service: the credential, then one rating per (conversation, answer)."""
    if request.headers.get("X-Internal-Token") != INTERNAL_TOKEN:
        return web.json_response({"error": "unauthorized", "message": "X-Internal-Token"}, status=401)
    body = await request.json()
    ratings = request.app[RATINGS]
    if any((r["conversation_id"], r["answer_id"]) == (body["conversation_id"], body["answer_id"]) for r in ratings):
        return web.json_response({"error": "already_rated", "message": "this answer was already rated"}, status=409)
    ratings.append(body)
    return web.json_response({"stored": True}, status=201)


@pytest.fixture
async def ratings(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[list[dict[str, Any]]]:
    app = web.Application()
    app[RATINGS] = []
    app.router.add_post("/api/feedback", _feedback)
    server = TestServer(app, port=0)
    await server.start_server()
    client = CatalogueClient(str(server.make_url("")), timeout_s=2.0, internal_token=INTERNAL_TOKEN)
    monkeypatch.setattr(feedback, "client", client)
    try:
        yield app[RATINGS]
    finally:
        await client.close()
        await server.close()


def tracker(entities: dict[str, str], lang: str = "zh") -> Tracker:
    """A conversation that was shown a card rated by ``ANSWER``, whose latest message is a button press."""
    shown = marker("service_shown", lang, service_id="birth-registration", answer_id=ANSWER)
    payload = "/feedback" + str(entities)
    return Tracker.from_dict(
        {
            "sender_id": SENDER,
            "slots": {"lang": lang},
            "latest_message": {"text": payload, "intent": {"name": "feedback"}, "entities": [{"entity": k, "value": v} for k, v in entities.items()]},
            "events": [
                {"event": "user", "text": "孩子出生了", "input_channel": "wechat", "parse_data": {}},
                dict(shown),
                {"event": "user", "text": payload, "input_channel": "wechat", "parse_data": {}},
            ],
            "paused": False,
            "followup_action": None,
            "active_loop": {},
            "latest_action_name": "action_listen",
        }
    )


def responses(dispatcher: CollectingDispatcher) -> list[str | None]:
    return [m.get("response") for m in dispatcher.messages]


async def run(entities: dict[str, str], lang: str = "zh") -> CollectingDispatcher:
    dispatcher = CollectingDispatcher()
    assert await ActionFeedback().run(dispatcher, tracker(entities, lang), {}) == []
    return dispatcher


async def test_a_thumbs_up_is_stored_for_the_conversation_the_tracker_names(ratings: list[dict[str, Any]]) -> None:
    dispatcher = await run({"answer_id": ANSWER, "rating": "up"})
    assert responses(dispatcher) == ["utter_feedback_thanks"]
    assert ratings == [{"conversation_id": SENDER, "answer_id": ANSWER, "rating": "up", "lang": "zh", "channel": "wechat", "service_id": "birth-registration"}]


async def test_a_thumbs_down_asks_why_before_anything_is_stored(ratings: list[dict[str, Any]]) -> None:
    dispatcher = await run({"answer_id": ANSWER, "rating": "down"}, lang="en")
    assert responses(dispatcher) == ["utter_feedback_reason"]
    titles = [b["title"] for b in dispatcher.messages[0]["buttons"]]
    assert titles[0] == "Not the service I need" and titles[-1] == "Skip the reason"
    assert all(b["payload"].startswith(f'/feedback{{"answer_id":"{ANSWER}","rating":"down","reason":') for b in dispatcher.messages[0]["buttons"])
    assert ratings == []
    await run({"answer_id": ANSWER, "rating": "down", "reason": "outdated"}, lang="en")
    assert [(r["rating"], r.get("reason")) for r in ratings] == [("down", "outdated")]


async def test_skipping_the_reason_stores_a_thumbs_down_without_one(ratings: list[dict[str, Any]]) -> None:
    await run({"answer_id": ANSWER, "rating": "down", "reason": "none"})
    assert [(r["rating"], r.get("reason")) for r in ratings] == [("down", None)]


async def test_a_second_rating_of_the_same_answer_is_answered_politely(ratings: list[dict[str, Any]]) -> None:
    await run({"answer_id": ANSWER, "rating": "up"})
    dispatcher = await run({"answer_id": ANSWER, "rating": "down", "reason": "unclear"})
    assert responses(dispatcher) == ["utter_feedback_already"]
    assert [r["rating"] for r in ratings] == ["up"]


@pytest.mark.parametrize("entities", [{"answer_id": "ffffffffffff", "rating": "up"}, {"answer_id": ANSWER, "rating": "meh"}, {"rating": "up"}])
async def test_a_button_for_an_answer_this_conversation_was_not_given_stores_nothing(ratings: list[dict[str, Any]], entities: dict[str, str]) -> None:
    dispatcher = await run(entities)
    assert responses(dispatcher) == ["utter_feedback_unknown"]
    assert ratings == []


async def test_the_catalogue_being_down_is_said(monkeypatch: pytest.MonkeyPatch) -> None:
    server = TestServer(web.Application(), port=0)
    await server.start_server()
    url = str(server.make_url(""))
    await server.close()
    client = CatalogueClient(url, timeout_s=1.0, internal_token=INTERNAL_TOKEN)
    monkeypatch.setattr(feedback, "client", client)
    try:
        dispatcher = await run({"answer_id": ANSWER, "rating": "up"})
    finally:
        await client.close()
    assert responses(dispatcher) == ["utter_feedback_failed"]


def test_a_rateable_answer_gets_an_id_in_its_marker_and_in_both_buttons() -> None:
    dispatcher = CollectingDispatcher()
    event = rateable(dispatcher, "verdict", "en", service_id="pension-claim")
    value = event["value"]
    assert value["kind"] == "verdict" and value["service_id"] == "pension-claim" and len(value["answer_id"]) == 12
    ((message),) = dispatcher.messages
    assert message["response"] == "utter_feedback_ask"
    assert [b["title"] for b in message["buttons"]] == ["👍 Useful", "👎 Not useful"]
    assert all(value["answer_id"] in b["payload"] for b in message["buttons"])
    assert all(len(b["payload"].encode()) <= 64 for b in message["buttons"])  # Telegram's callback data, unreferenced


def test_an_unknown_outcome_kind_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown outcome kind 'solved'"):
        marker("solved", "en")
