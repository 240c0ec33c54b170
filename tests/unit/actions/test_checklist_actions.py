"""Life-event checklists in the conversation, steps already done, the browse menu, and districts that
never switch the selected service (issue 14), against an in-process fake catalogue service whose
``POST /api/search/turn`` runs the real policy over scripted searches (turnkit.py)."""

from __future__ import annotations

import warnings
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer
from turnkit import turn_route

with warnings.catch_warnings():
    warnings.filterwarnings("ignore", "websockets.connection was renamed", DeprecationWarning)
    from rasa_sdk import Tracker
    from rasa_sdk.events import SlotSet
    from rasa_sdk.executor import CollectingDispatcher

    from actions import resolve, search
    from actions.cards import checklist_text
    from actions.catalogue_client import CatalogueClient
    from actions.search import ActionBrowseEvents, ActionSearchServices

INTERNAL_TOKEN = "in-5d7f9b1a3c5e7a9d0f2b4c6e8a1d3f5b"
BABY = {
    "id": "having-a-baby",
    "kind": "life",
    "label": "Having a baby",
    "summary": None,
    "steps": [
        {"order": 1, "id": "maternal-child-health-handbook", "title": "Maternal and child health handbook", "after": [], "optional": False, "note": None},
        {"order": 2, "id": "birth-medical-certificate", "title": "Birth medical certificate", "after": [], "optional": False, "note": "From the hospital."},
        {"order": 3, "id": "birth-registration", "title": "Register a newborn's birth", "after": [2], "optional": False, "note": None},
        {"order": 4, "id": "resident-medical-insurance-enrolment", "title": "Resident medical insurance", "after": [3], "optional": False, "note": None},
        {"order": 5, "id": "childcare-subsidy", "title": "Childcare subsidy", "after": [3], "optional": True, "note": None},
    ],
}
PASSPORT = {"id": "passport-application", "title": {"en": "Passport", "zh": "护照"}, "summary": {"en": "Apply for a passport."}, "channels": {"centres": []}}


def results(*ids: str, confident: bool = True, **extra: Any) -> dict[str, Any]:
    hits = [{"id": sid, "title": sid, "score": 1.0 - n * 0.1, "why": []} for n, sid in enumerate(ids)]
    return {"confident": confident, "results": hits, "suggestions": [] if confident else hits[:3], "best": None, **extra}


SEARCHES: dict[str, dict[str, Any]] = {
    "I just had a baby, what do I need to do?": results("birth-registration", "birth-medical-certificate", event=BABY),
    "I'm in Pudong, where do I go": results("pudong-listing-support", "business-registration", district="pudong"),
}
REQUESTS: list[tuple[str, str]] = []
TURNS: list[dict[str, Any]] = []


async def _service(request: web.Request) -> web.Response:
    REQUESTS.append(("service", request.match_info["id"]))
    if request.match_info["id"] != "passport-application":
        return web.json_response({"error": "service_not_found", "message": "no"}, status=404)
    return web.json_response(PASSPORT)


async def _checklist(request: web.Request) -> web.Response:
    REQUESTS.append(("checklist", request.match_info["id"]))
    if request.match_info["id"] != "having-a-baby":
        return web.json_response({"error": "not_found", "message": "no"}, status=404)
    return web.json_response(BABY)


async def _events(request: web.Request) -> web.Response:
    items = [{"id": f"life-{n}", "kind": "life", "label": {"en": f"Life {n}", "zh": f"人生{n}"}, "services": 1, "steps": []} for n in range(27)] + [
        {"id": f"biz-{n}", "kind": "business", "label": {"en": f"Business {n}", "zh": f"企业{n}"}, "services": 2, "steps": []} for n in range(10)
    ]
    return web.json_response({"items": items})


@pytest.fixture
async def fake(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[list[tuple[str, str]]]:
    app = web.Application()
    app.router.add_get("/api/services/{id}", _service)
    app.router.add_get("/api/events/{id}/checklist", _checklist)
    app.router.add_get("/api/events", _events)
    app.router.add_post("/api/search/turn", turn_route(lambda _request: SEARCHES, {PASSPORT["id"]: PASSPORT}, TURNS))
    server = TestServer(app, port=0)
    await server.start_server()
    monkeypatch.setenv("CATALOG_INTERNAL_TOKEN", INTERNAL_TOKEN)
    client = CatalogueClient(str(server.make_url("")), timeout_s=2.0)
    for module in (search, resolve):
        monkeypatch.setattr(module, "client", client)
    REQUESTS.clear()
    TURNS.clear()
    try:
        yield REQUESTS
    finally:
        await client.close()
        await server.close()


def tracker(text: str, slots: dict[str, Any] | None = None, intent: str = "search_service", entities: list[dict[str, Any]] | None = None) -> Tracker:
    return Tracker.from_dict(
        {
            "sender_id": "test-user",
            "slots": {"lang": "en", **(slots or {})},
            "latest_message": {"text": text, "intent": {"name": intent}, "entities": entities or []},
            "events": [{"event": "user", "text": text, "timestamp": 1.0, "parse_data": {"intent": {"name": intent}}}],
            "paused": False,
            "followup_action": None,
            "active_loop": {},
            "latest_action_name": "action_listen",
        }
    )


def slot(events: list[Any], name: str) -> Any:
    return next(e["value"] for e in events if e.get("event") == "slot" and e.get("name") == name)


# -- wording ------------------------------------------------------------------------------------


def test_the_checklist_text_lists_the_steps_in_order_with_what_comes_first() -> None:
    text = checklist_text(BABY, "en")
    lines = text.splitlines()
    assert lines[0] == "Having a baby: what to do, in order:"
    assert lines[3] == "3. Register a newborn's birth (after step 2)"
    assert lines[5] == "5. Childcare subsidy (after step 3) (if it applies)"
    assert "already" in lines[-1]


# -- the conversation ---------------------------------------------------------------------------


async def test_a_situational_question_gets_the_checklist_with_a_button_per_step(fake: list[tuple[str, str]]) -> None:
    dispatcher = CollectingDispatcher()
    events = await ActionSearchServices().run(dispatcher, tracker("I just had a baby, what do I need to do?"), {})
    [message] = dispatcher.messages
    assert message["response"] == "utter_followup" and message["answer"].startswith("Having a baby")
    assert [b["payload"] for b in message["buttons"]][2] == '/select_service{"service_id":"birth-registration"}'
    assert message["custom"]["data"]["type"] == "checklist"
    shown = slot(events, "shown")
    assert [s["order"] for s in shown] == [1, 2, 3, 4, 5] and all(s["event"] == "having-a-baby" for s in shown)
    assert not any(kind == "service" for kind, _ in fake), "no single service card"
    assert len(TURNS) == 1, "one catalogue call"


async def test_a_step_already_done_gets_the_next_steps(fake: list[tuple[str, str]]) -> None:
    first = await ActionSearchServices().run(CollectingDispatcher(), tracker("I just had a baby, what do I need to do?"), {})
    shown = slot(first, "shown")
    dispatcher = CollectingDispatcher()
    events = await ActionSearchServices().run(dispatcher, tracker("I already registered the newborn's birth", {"shown": shown}), {})
    [message] = dispatcher.messages
    assert message["answer"].splitlines() == [
        "Good, Register a newborn's birth is done. Next you can do:",
        "4. Resident medical insurance",
        "5. Childcare subsidy",
    ]
    assert [s["id"] for s in slot(events, "shown") if s.get("done")] == ["birth-registration"]
    assert TURNS[-1]["shown"][2] == {
        "id": "birth-registration",
        "title": "Register a newborn's birth",
        "order": 3,
        "after": [2],
        "event": "having-a-baby",
        "done": False,
    }


async def test_a_district_after_a_service_answers_where_for_that_service(fake: list[tuple[str, str]]) -> None:
    dispatcher = CollectingDispatcher()
    state = {"service_id": "passport-application", "district": "pudong"}
    events = await ActionSearchServices().run(dispatcher, tracker("I'm in Pudong, where do I go", state), {})
    assert fake == [] and len(TURNS) == 1, "one call: the card comes with the decision"
    assert not [e for e in events if e.get("name") == "service_id" and e.get("value") != "passport-application"]
    assert dispatcher.messages[0]["response"] == "utter_followup"
    assert "Passport" in dispatcher.messages[0]["answer"]


async def test_a_district_correction_is_settled_by_the_catalogue_service_and_kept(fake: list[tuple[str, str]]) -> None:
    dispatcher = CollectingDispatcher()
    state = {"service_id": "passport-application", "district": "minhang"}
    events = await ActionSearchServices().run(dispatcher, tracker("sorry I meant Pudong, not Minhang", state), {})
    assert TURNS[-1]["district"] == "minhang" and TURNS[-1]["selected"] == "passport-application"
    assert SlotSet("district", "pudong") in events
    assert dispatcher.messages[0]["answer"].startswith("Passport")


async def test_the_browse_menu_reaches_every_event(fake: list[tuple[str, str]]) -> None:
    dispatcher = CollectingDispatcher()
    await ActionBrowseEvents().run(dispatcher, tracker("/browse_events", intent="browse_events"), {})
    life = dispatcher.messages[0]["buttons"]
    assert len(life) == 27 + 1 and life[-1]["payload"] == '/browse_events{"event":"business"}'
    dispatcher = CollectingDispatcher()
    await ActionBrowseEvents().run(dispatcher, tracker("/browse_events", intent="browse_events", entities=[{"entity": "event", "value": "business"}]), {})
    assert len(dispatcher.messages[0]["buttons"]) == 10
    dispatcher = CollectingDispatcher()
    events = await ActionBrowseEvents().run(
        dispatcher, tracker("/browse_events", intent="browse_events", entities=[{"entity": "event", "value": "having-a-baby"}]), {}
    )
    assert dispatcher.messages[0]["answer"].startswith("Having a baby")
    assert SlotSet("shown", slot(events, "shown")) in events
