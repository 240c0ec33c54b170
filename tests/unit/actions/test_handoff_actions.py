"""Handoff actions, and how they find the service a message is about, against an in-process fake
catalogue service (a real aiohttp app on a free port; its ``POST /api/search/turn`` runs the real
policy over the fake's scripted searches, turnkit.py)."""

from __future__ import annotations

import warnings
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer
from turnkit import turn_route

with warnings.catch_warnings():
    # rasa-sdk's sanic imports websockets.connection, deprecated in websockets 14; nothing we can act on.
    warnings.filterwarnings("ignore", "websockets.connection was renamed", DeprecationWarning)
    from rasa_sdk import Tracker
    from rasa_sdk.events import SlotSet
    from rasa_sdk.executor import CollectingDispatcher

    from actions import handoff, resolve, search
    from actions.catalogue_client import CatalogueClient
    from actions.followup import ActionAnswerFollowup
    from actions.handoff import ActionApply, ActionConfirmApply, ActionDeclineApply, ActionHandoffHuman, transcript_of

from service_catalog.search.picks import Shown, resolve_pick

LINK = "http://portal.test/portal/apply/pension-claim?h=Xq3vJ8kT2mW9pL4rN7sY1bC6dF0gH5zA"  # an opaque handle, as the service makes them
INTERNAL_TOKEN = "in-5d7f9b1a3c5e7a9d0f2b4c6e8a1d3f5b"
OLD_INTERNAL_TOKEN = "in-0a9b8c7d6e5f4a3b2c1d0e9f8a7b6c5d"
SENDER = "test-user"  # the tracker's sender_id: the conversation the calls are made for
ONLINE = "https://portal.example.gov.cn/apply/pension-claim"
SERVICES: dict[str, dict[str, Any]] = {
    "pension-claim": {
        "id": "pension-claim",
        "title": {"zh": "基本养老金申领", "en": "Claim the basic pension"},
        "summary": {"zh": "退休后按月领取基本养老金。", "en": "Claim the monthly basic pension on retirement."},
        "channels": {"online_url": ONLINE, "hotline": "12345"},
    },
    "centre-only": {"id": "centre-only", "title": {"zh": "窗口办理", "en": "Counter-only service"}, "channels": {"hotline": "12345"}},
}


@dataclass
class FakeCatalogue:
    """What the fake service received, and switches to make it fail."""

    requests: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    headers: list[tuple[str, dict[str, str]]] = field(default_factory=list)  # the headers of each call, by kind
    fail_with: int | None = None
    accepted: tuple[str, ...] = (INTERNAL_TOKEN,)  # service credentials the fake accepts
    searches: dict[str, dict[str, Any]] = field(default_factory=dict)  # query -> search response
    position: int = 3  # the place in the queue the fake answers
    turns: list[dict[str, Any]] = field(default_factory=list)  # the bodies of POST /api/search/turn (reading: not in requests)


FAKE = web.AppKey("fake", FakeCatalogue)


def _refused(request: web.Request, kind: str) -> web.Response | None:
    """Like the real service: the service credential or 401 on the internal routes."""
    fake = request.app[FAKE]
    fake.headers.append((kind, dict(request.headers)))
    if request.headers.get("X-Internal-Token") not in fake.accepted:
        return web.json_response({"error": "unauthorized", "message": "this call is made by the assistant's own servers only (X-Internal-Token)"}, status=401)
    return None


async def _tickets(request: web.Request) -> web.Response:
    fake = request.app[FAKE]
    if (refusal := _refused(request, "ticket")) is not None:
        return refusal
    fake.requests.append(("ticket", await request.json()))
    if fake.fail_with:
        return web.json_response({"error": "x", "message": "down"}, status=fake.fail_with)
    return web.json_response({"ticket": "T20261201-0007", "hotline": "12345", "status": "open", "position": fake.position, "created": True}, status=201)


async def _application(request: web.Request) -> web.Response:
    fake = request.app[FAKE]
    if (refusal := _refused(request, "application")) is not None:
        return refusal
    body = await request.json()
    fake.requests.append(("application", body))
    if fake.fail_with:
        return web.json_response({"error": "x", "message": "refused"}, status=fake.fail_with)
    return web.json_response({"url": LINK, "expires_in": 600, "service_id": body["service_id"]})


async def _service(request: web.Request) -> web.Response:
    service = SERVICES.get(request.match_info["id"])
    if service is None:
        return web.json_response({"error": "service_not_found", "message": "no"}, status=404)
    return web.json_response(service)


NOTHING = {"confident": False, "results": [], "best": None}


def hit(service_id: str, score: float) -> dict[str, Any]:
    return {"id": service_id, "title": SERVICES.get(service_id, {}).get("title", {}).get("en", service_id), "score": score, "why": []}


async def _search(request: web.Request) -> web.Response:
    fake = request.app[FAKE]
    fake.headers.append(("search", dict(request.headers)))
    fake.requests.append(("search", dict(request.query)))
    return web.json_response({"query": request.query["q"], "lang": "en", **fake.searches.get(request.query["q"], NOTHING)})


async def _picks(request: web.Request) -> web.Response:
    """Like the real service: the service credential, and the real resolver (search/picks.py) over the titles sent and the fake's own."""
    if (refusal := _refused(request, "picks")) is not None:
        return refusal
    body = await request.json()
    request.app[FAKE].requests.append(("picks", body))
    shown = [Shown(i["id"], tuple(t for t in (i.get("title"), *SERVICES.get(i["id"], {}).get("title", {}).values()) if t)) for i in body["shown"]]
    return web.json_response(resolve_pick(body["text"], shown).to_json())


def fake_catalogue_app() -> web.Application:
    app = web.Application()
    app[FAKE] = FakeCatalogue()
    turn = turn_route(lambda request: request.app[FAKE].searches, SERVICES, app[FAKE].turns)

    async def _turn(request: web.Request) -> web.Response:
        request.app[FAKE].headers.append(("turn", dict(request.headers)))
        return await turn(request)

    app.router.add_post("/api/tickets", _tickets)
    app.router.add_post("/api/handoff/application", _application)
    app.router.add_get("/api/services/{id}", _service)
    app.router.add_get("/api/search", _search)
    app.router.add_post("/api/picks/resolve", _picks)
    app.router.add_post("/api/search/turn", _turn)
    return app


@pytest.fixture
async def fake_server() -> AsyncIterator[TestServer]:
    """The fake catalogue service on port 0."""
    server = TestServer(fake_catalogue_app(), port=0)
    await server.start_server()
    try:
        yield server
    finally:
        await server.close()


def use_client(monkeypatch: pytest.MonkeyPatch, client: CatalogueClient) -> None:
    monkeypatch.setattr(handoff, "client", client)
    monkeypatch.setattr(resolve, "client", client)
    monkeypatch.setattr(search, "client", client)


@pytest.fixture
async def fake(monkeypatch: pytest.MonkeyPatch, fake_server: TestServer) -> AsyncIterator[FakeCatalogue]:
    """The fake catalogue service; the actions' client points at it and carries the service
    credential the way the action server configures it (``CATALOG_INTERNAL_TOKEN``, ``new,old``)."""
    monkeypatch.setenv("CATALOG_INTERNAL_TOKEN", f"{INTERNAL_TOKEN},{OLD_INTERNAL_TOKEN}")
    client = CatalogueClient(str(fake_server.make_url("")), timeout_s=2.0)
    use_client(monkeypatch, client)
    try:
        yield fake_server.app[FAKE]
    finally:
        await client.close()


def sent_headers(fake: FakeCatalogue, kind: str) -> list[dict[str, str]]:
    return [h for k, h in fake.headers if k == kind]


@pytest.fixture
async def no_catalogue(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[None]:
    """The client points at a port where nothing listens."""
    server = TestServer(web.Application(), port=0)
    await server.start_server()
    url = str(server.make_url(""))
    await server.close()
    client = CatalogueClient(url, timeout_s=1.0)
    monkeypatch.setattr(handoff, "client", client)
    monkeypatch.setattr(resolve, "client", client)
    monkeypatch.setattr(search, "client", client)
    yield
    await client.close()


def tracker(
    slots: dict[str, Any] | None = None,
    events: list[dict[str, Any]] | None = None,
    channel: str | None = "telegram",
    intent: str = "apply",
    text: str = "I want to apply",
    entities: list[dict[str, Any]] | None = None,
) -> Tracker:
    """A tracker as the action server receives it, built from a dict."""
    chat = (
        events
        if events is not None
        else [{"event": "user", "text": text, "timestamp": 1.0, "input_channel": channel, "parse_data": {"intent": {"name": intent}}}]
    )
    if channel is not None:
        for event in chat:
            if event["event"] == "user":
                event.setdefault("input_channel", channel)
    return Tracker.from_dict(
        {
            "sender_id": "test-user",
            "slots": {"lang": "en", "service_id": "pension-claim", "answers": {"age": 61}, "awaiting_consent": None, **(slots or {})},
            "latest_message": {"text": text, "intent": {"name": intent}, "entities": entities or []},
            "events": chat,
            "paused": False,
            "followup_action": None,
            "active_loop": {},
            "latest_action_name": "action_listen",
        }
    )


def outcome(kind: str, lang: str, **fields: str) -> Any:
    """The ``outcome`` slot event the insights read (actions/feedback.py)."""
    return SlotSet("outcome", {"kind": kind, "lang": lang, **fields})


def responses(dispatcher: CollectingDispatcher) -> list[str | None]:
    return [m.get("response") for m in dispatcher.messages]


# -- to a person -------------------------------------------------------------------------------


async def test_handoff_human_creates_a_ticket_with_the_transcript(fake: FakeCatalogue) -> None:
    events = [{"event": "action", "name": "action_listen"}]
    for i in range(30):
        events.append({"event": "user", "text": f"question {i}", "timestamp": float(i), "parse_data": {}})
        events.append({"event": "bot", "text": f"answer {i}", "timestamp": i + 0.5})
        events.append({"event": "bot", "text": None, "data": {"buttons": []}})  # buttons only: no text
    dispatcher = CollectingDispatcher()
    result = await ActionHandoffHuman().run(dispatcher, tracker({"lang": "zh"}, events, channel="socketio"), {})
    assert result == [outcome("handoff", "zh", service_id="pension-claim")]  # what the insights count as a handoff
    assert responses(dispatcher) == ["utter_handoff_ticket"]
    assert dispatcher.messages[0]["ticket"] == "T20261201-0007" and dispatcher.messages[0]["position"] == 3
    ((kind, sent),) = fake.requests
    assert kind == "ticket"
    ((headers),) = sent_headers(fake, "ticket")
    assert headers["X-Internal-Token"] == INTERNAL_TOKEN  # the first of CATALOG_INTERNAL_TOKEN's new,old
    assert headers["X-Conversation-Id"] == SENDER  # what the catalogue service's per-conversation limits count
    assert sent["lang"] == "zh" and sent["channel"] == "socketio" and sent["service_id"] == "pension-claim" and sent["answers"] == {"age": 61}
    assert len(sent["transcript"]) == 50
    assert sent["transcript"][0] == {"who": "user", "text": "question 5", "ts": 5.0}
    assert sent["transcript"][-1] == {"who": "bot", "text": "answer 29", "ts": 29.5}


async def test_handoff_human_without_a_service(fake: FakeCatalogue) -> None:
    dispatcher = CollectingDispatcher()
    await ActionHandoffHuman().run(dispatcher, tracker({"service_id": None, "answers": None}, channel=None), {})
    ((_, sent),) = fake.requests
    assert "service_id" not in sent and sent["answers"] == {} and sent["channel"] == "unknown"
    assert responses(dispatcher) == ["utter_handoff_ticket"]


async def test_handoff_human_once_an_agent_has_the_ticket(fake: FakeCatalogue) -> None:
    fake.position = 0  # the conversation's open ticket, already taken
    dispatcher = CollectingDispatcher()
    await ActionHandoffHuman().run(dispatcher, tracker(), {})
    assert responses(dispatcher) == ["utter_handoff_with_agent"] and dispatcher.messages[0]["ticket"] == "T20261201-0007"


async def test_handoff_human_falls_back_to_the_hotline(no_catalogue: None) -> None:
    dispatcher = CollectingDispatcher()
    assert await ActionHandoffHuman().run(dispatcher, tracker(), {}) == []
    assert responses(dispatcher) == ["utter_handoff_hotline"]


async def test_handoff_human_hotline_on_server_error(fake: FakeCatalogue) -> None:
    fake.fail_with = 503
    dispatcher = CollectingDispatcher()
    await ActionHandoffHuman().run(dispatcher, tracker(), {})
    assert responses(dispatcher) == ["utter_handoff_hotline"]


def test_transcript_keeps_only_texts_of_user_and_bot() -> None:
    events = [
        {"event": "slot", "name": "lang", "value": "en"},
        {"event": "user", "text": "hi", "timestamp": 3},
        {"event": "bot", "text": "  "},
        {"event": "bot", "text": "hello"},
    ]
    assert transcript_of(tracker(events=events)) == [{"who": "user", "text": "hi", "ts": 3}, {"who": "bot", "text": "hello"}]


# -- to the application ------------------------------------------------------------------------


async def test_apply_asks_for_consent(fake: FakeCatalogue) -> None:
    dispatcher = CollectingDispatcher()
    result = await ActionApply().run(dispatcher, tracker(), {})
    assert result == [SlotSet("awaiting_consent", True)]
    assert responses(dispatcher) == ["utter_ask_share_consent"]
    message = dispatcher.messages[0]
    assert message["service"] == "Claim the basic pension" and message["count"] == 1
    assert [b["payload"] for b in message["buttons"]] == ["/affirm", "/deny"]
    assert fake.requests == []  # nothing is shared before the yes


async def test_apply_with_no_answers_gives_the_plain_application_without_asking_consent(fake: FakeCatalogue) -> None:
    dispatcher = CollectingDispatcher()
    result = await ActionApply().run(dispatcher, tracker({"lang": "zh", "answers": None}), {})
    assert result == [outcome("application_link", "zh", service_id="pension-claim")]  # nothing to share, so no consent pending
    assert responses(dispatcher) == ["utter_apply_online"]
    assert dispatcher.messages[0]["url"] == ONLINE and dispatcher.messages[0]["service"] == "基本养老金申领"
    assert [kind for kind, _ in fake.requests] == []


async def test_apply_without_a_service_asks_which(fake: FakeCatalogue) -> None:
    dispatcher = CollectingDispatcher()
    assert await ActionApply().run(dispatcher, tracker({"service_id": None}), {}) == []
    assert responses(dispatcher) == ["utter_ask_which_service"]


async def test_apply_naming_the_service_in_a_first_message_shows_its_card_first(fake: FakeCatalogue) -> None:
    text = "I want to apply for my pension"
    fake.searches[text] = {"confident": True, "results": [hit("pension-claim", 3.0), hit("centre-only", 0.4)], "best": None}
    dispatcher = CollectingDispatcher()
    result = await ActionApply().run(dispatcher, tracker({"service_id": None}, text=text), {})
    answer_id = result[1]["value"]["answer_id"]
    assert result == [SlotSet("service_id", "pension-claim"), outcome("service_shown", "en", service_id="pension-claim", answer_id=answer_id)]
    assert responses(dispatcher) == ["utter_service_card", "utter_feedback_ask"]  # the card can be rated
    assert [b["payload"] for b in dispatcher.messages[1]["buttons"]] == [
        f'/feedback{{"answer_id":"{answer_id}","rating":"up"}}',
        f'/feedback{{"answer_id":"{answer_id}","rating":"down"}}',
    ]
    assert dispatcher.messages[0]["custom"]["data"]["online_url"] == ONLINE


# -- which service a message is about ------------------------------------------------------------


async def test_a_named_service_replaces_the_selected_one(fake: FakeCatalogue) -> None:
    fake.searches["pension"] = {"confident": True, "results": [hit("pension-claim", 1.0)], "best": "pension-claim"}
    t = tracker({"service_id": "centre-only"}, text="how much is the pension", entities=[{"entity": "service", "value": "pension"}])
    assert await resolve.resolve_service(CollectingDispatcher(), t, "en") == ("pension-claim", [SlotSet("service_id", "pension-claim")])


async def test_an_unclear_mention_keeps_the_selected_service(fake: FakeCatalogue) -> None:
    fake.searches["card"] = {"confident": True, "results": [hit("pension-claim", 1.0), hit("centre-only", 0.9)], "best": None}
    t = tracker({"service_id": "centre-only"}, text="do i need my card", entities=[{"entity": "service", "value": "card"}])
    assert await resolve.resolve_service(CollectingDispatcher(), t, "en") == ("centre-only", [])


SHOWN = [{"id": "centre-only", "title": "Counter-only service"}, {"id": "pension-claim", "title": "Claim the basic pension"}]


async def test_with_nothing_clear_the_services_just_offered_are_offered_again(fake: FakeCatalogue) -> None:
    fake.searches["what documents do i need"] = {"confident": True, "results": [hit("something-else", 1.0), hit("another", 0.9)], "best": None}
    dispatcher = CollectingDispatcher()
    t = tracker({"service_id": None, "shown": SHOWN}, text="what documents do i need")
    assert await resolve.resolve_service(dispatcher, t, "en") == (None, [SlotSet("shown", SHOWN)])
    assert responses(dispatcher) == ["utter_which_of_these"]
    assert [b["payload"] for b in dispatcher.messages[0]["buttons"]] == [
        '/select_service{"service_id":"centre-only"}',
        '/select_service{"service_id":"pension-claim"}',
    ]


@pytest.mark.parametrize(
    ("text", "kind", "picked"),
    [
        ("the second one", "picked", "pension-claim"),
        ("第一个", "picked", "centre-only"),
        ("the last one", "picked", "pension-claim"),
        ("claim the basic pensoin", "picked", "pension-claim"),
        ("claim", "picked", "pension-claim"),  # a part of one title only
        ("基本养老金申领", "picked", "pension-claim"),  # the catalogue's Chinese title of a list shown in English
        ("option 3", "out_of_range", None),
        ("how much is it", "none", None),
    ],
)
async def test_a_pick_from_the_offered_services_is_resolved_by_the_catalogue_service(fake: FakeCatalogue, text: str, kind: str, picked: str | None) -> None:
    pick = await resolve.pick_from_shown(tracker({"shown": SHOWN}, text=text), "en")
    assert pick is not None and (pick["kind"], pick.get("id")) == (kind, picked)
    ((_, sent),) = [r for r in fake.requests if r[0] == "picks"]
    assert sent == {"text": text, "lang": "en", "shown": SHOWN}
    assert sent_headers(fake, "picks")[0]["X-Internal-Token"] == INTERNAL_TOKEN


async def test_nothing_shown_asks_the_catalogue_service_nothing(fake: FakeCatalogue) -> None:
    assert await resolve.pick_from_shown(tracker({"shown": None}, text="number 2"), "en") is None
    assert await resolve.pick_from_shown(tracker({"shown": SHOWN}, text="/human_handoff"), "en") is None
    assert fake.requests == []


async def test_a_follow_up_that_offers_services_remembers_them_for_a_pick(fake: FakeCatalogue) -> None:
    """ "I just had a baby, what do I need?" read as ask_documents offers candidates; they must be kept
    in ``shown`` (they were dropped, so "number 2" next was searched as words)."""
    fake.searches["what do i need"] = {"confident": True, "results": [hit("pension-claim", 1.0), hit("centre-only", 0.9)], "best": None}
    dispatcher = CollectingDispatcher()
    t = tracker({"service_id": None, "shown": None}, text="what do i need", intent="ask_documents")
    result = await ActionAnswerFollowup().run(dispatcher, t, {})
    assert result == [SlotSet("shown", [{"id": "pension-claim", "title": "Claim the basic pension"}, {"id": "centre-only", "title": "Counter-only service"}])]
    assert responses(dispatcher) == ["utter_which_of_these"]


async def test_number_5_after_a_list_of_two_says_there_are_only_two(fake: FakeCatalogue) -> None:
    dispatcher = CollectingDispatcher()
    t = tracker({"service_id": None, "shown": SHOWN}, text="number 5", intent="find_service")
    assert await search.ActionSearchServices().run(dispatcher, t, {}) == []
    (message,) = dispatcher.messages
    assert message["response"] == "utter_followup" and "only 2" in message["answer"] and "number 5" in message["answer"]
    assert [b["payload"] for b in message["buttons"]] == ['/select_service{"service_id":"centre-only"}', '/select_service{"service_id":"pension-claim"}']
    assert fake.requests == [] and len(fake.turns) == 1  # one call, no search of the words "number 5"


async def test_a_pick_read_as_a_request_for_a_person_shows_the_service_and_opens_no_ticket(fake: FakeCatalogue) -> None:
    dispatcher = CollectingDispatcher()
    t = tracker({"service_id": None, "shown": SHOWN}, text="number 2", intent="human_handoff")
    result = await ActionHandoffHuman().run(dispatcher, t, {})
    assert responses(dispatcher)[0] == "utter_service_card"
    assert result[0] == SlotSet("service_id", "pension-claim")
    assert "ticket" not in [kind for kind, _ in fake.requests]


async def test_a_place_beyond_the_list_read_as_a_request_for_a_person_opens_no_ticket(fake: FakeCatalogue) -> None:
    dispatcher = CollectingDispatcher()
    t = tracker({"service_id": None, "shown": SHOWN}, text="第七个", intent="human_handoff")
    assert await ActionHandoffHuman().run(dispatcher, t, {}) == []
    assert "只有2项" in dispatcher.messages[0]["answer"] or "only 2" in dispatcher.messages[0]["answer"]
    assert "ticket" not in [kind for kind, _ in fake.requests]


async def test_asking_for_a_person_after_a_list_still_opens_a_ticket(fake: FakeCatalogue) -> None:
    dispatcher = CollectingDispatcher()
    t = tracker({"shown": SHOWN}, text="I want to talk to a real person", intent="human_handoff")
    await ActionHandoffHuman().run(dispatcher, t, {})
    assert [kind for kind, _ in fake.requests] == ["picks", "ticket"]
    assert responses(dispatcher) == ["utter_handoff_ticket"]


async def test_confirm_sends_the_prefilled_link(fake: FakeCatalogue) -> None:
    dispatcher = CollectingDispatcher()
    result = await ActionConfirmApply().run(dispatcher, tracker({"awaiting_consent": True}, intent="affirm"), {})
    assert result == [SlotSet("awaiting_consent", False), outcome("application_link", "en", service_id="pension-claim")]
    assert responses(dispatcher) == ["utter_handoff_link"]
    message = dispatcher.messages[0]
    assert message["url"] == LINK and message["minutes"] == 10
    assert message["custom"] == {"data": {"type": "handoff_link", "url": LINK, "label": "Open the online application"}}
    ((kind, sent),) = fake.requests
    assert kind == "application"
    assert sent == {"service_id": "pension-claim", "answers": {"age": 61}, "lang": "en", "channel": "telegram", "consent": True}
    ((headers),) = sent_headers(fake, "application")
    assert headers["X-Internal-Token"] == INTERNAL_TOKEN and headers["X-Conversation-Id"] == SENDER
    assert "?h=" in message["url"] and "." not in message["url"].split("?h=", 1)[1]  # the link is passed on as is: a handle, no token


async def test_confirm_when_the_catalogue_is_down(no_catalogue: None) -> None:
    dispatcher = CollectingDispatcher()
    result = await ActionConfirmApply().run(dispatcher, tracker({"awaiting_consent": True}), {})
    assert result == [SlotSet("awaiting_consent", False)]
    assert responses(dispatcher) == ["utter_catalogue_down"]


async def test_confirm_with_refused_answers_offers_the_plain_application(fake: FakeCatalogue) -> None:
    fake.fail_with = 400
    dispatcher = CollectingDispatcher()
    result = await ActionConfirmApply().run(dispatcher, tracker({"awaiting_consent": True}), {})
    assert result == [SlotSet("awaiting_consent", False), outcome("application_link", "en", service_id="pension-claim")]
    assert responses(dispatcher) == ["utter_apply_without_sharing"]
    assert dispatcher.messages[0]["url"] == ONLINE


async def test_decline_gives_the_online_url_without_sharing(fake: FakeCatalogue) -> None:
    dispatcher = CollectingDispatcher()
    result = await ActionDeclineApply().run(dispatcher, tracker({"awaiting_consent": True}, intent="deny"), {})
    assert result == [SlotSet("awaiting_consent", False), outcome("application_link", "en", service_id="pension-claim")]
    assert responses(dispatcher) == ["utter_apply_without_sharing"]
    assert dispatcher.messages[0]["url"] == ONLINE and dispatcher.messages[0]["service"] == "Claim the basic pension"
    assert [kind for kind, _ in fake.requests] == []  # no handoff link, so no answers shared


async def test_decline_for_a_service_without_online_application(fake: FakeCatalogue) -> None:
    dispatcher = CollectingDispatcher()
    result = await ActionDeclineApply().run(dispatcher, tracker({"service_id": "centre-only"}), {})
    assert responses(dispatcher) == ["utter_apply_offline"]
    assert result[-1] == outcome("centre", "en", service_id="centre-only")  # referred to a service centre


async def test_decline_when_the_catalogue_is_down(no_catalogue: None) -> None:
    dispatcher = CollectingDispatcher()
    result = await ActionDeclineApply().run(dispatcher, tracker(), {})
    assert result == [SlotSet("awaiting_consent", False)]
    assert responses(dispatcher) == ["utter_catalogue_down"]


def test_action_names() -> None:
    assert [a().name() for a in (ActionHandoffHuman, ActionApply, ActionConfirmApply, ActionDeclineApply)] == [
        "action_handoff_human",
        "action_apply",
        "action_confirm_apply",
        "action_decline_apply",
    ]


async def test_the_second_one_picks_the_second_service_offered(fake: FakeCatalogue) -> None:
    t = tracker({"service_id": "centre-only", "shown": SHOWN}, text="how long does the second one take")
    assert await resolve.resolve_service(CollectingDispatcher(), t, "en") == ("pension-claim", [SlotSet("service_id", "pension-claim")])


# -- the service credential ----------------------------------------------------------------------


async def test_every_call_carries_the_service_credential(fake: FakeCatalogue) -> None:
    fake.searches["pension"] = {"confident": True, "results": [hit("pension-claim", 1.0)], "best": "pension-claim"}
    t = tracker({"service_id": None}, text="pension", entities=[{"entity": "service", "value": "pension"}])
    await resolve.resolve_service(CollectingDispatcher(), t, "en")
    ((headers),) = sent_headers(fake, "turn")
    assert headers["X-Internal-Token"] == INTERNAL_TOKEN
    assert headers["X-Conversation-Id"] == SENDER


def test_the_credential_is_the_first_of_new_and_old(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CATALOG_INTERNAL_TOKEN", f" {INTERNAL_TOKEN} , {OLD_INTERNAL_TOKEN}")
    assert CatalogueClient("http://catalogue.test").internal_token == INTERNAL_TOKEN
    assert CatalogueClient("http://catalogue.test", internal_token=OLD_INTERNAL_TOKEN).internal_token == OLD_INTERNAL_TOKEN
    monkeypatch.delenv("CATALOG_INTERNAL_TOKEN")
    assert CatalogueClient("http://catalogue.test").internal_token == ""


@pytest.fixture
async def wrong_credential(monkeypatch: pytest.MonkeyPatch, fake_server: TestServer) -> AsyncIterator[FakeCatalogue]:
    """The client carries a credential the catalogue service does not accept (a misconfiguration)."""
    client = CatalogueClient(str(fake_server.make_url("")), timeout_s=2.0, internal_token="in-ffffffffffffffffffffffffffffffff")
    use_client(monkeypatch, client)
    try:
        yield fake_server.app[FAKE]
    finally:
        await client.close()


async def test_refused_credential_gives_the_hotline_instead_of_a_ticket(wrong_credential: FakeCatalogue) -> None:
    dispatcher = CollectingDispatcher()
    assert await ActionHandoffHuman().run(dispatcher, tracker(), {}) == []
    assert responses(dispatcher) == ["utter_handoff_hotline"]
    assert wrong_credential.requests == []  # nothing was accepted
    ((headers),) = sent_headers(wrong_credential, "ticket")
    assert headers["X-Internal-Token"] == "in-ffffffffffffffffffffffffffffffff"


async def test_refused_credential_offers_the_plain_application(wrong_credential: FakeCatalogue) -> None:
    dispatcher = CollectingDispatcher()
    result = await ActionConfirmApply().run(dispatcher, tracker({"awaiting_consent": True}, intent="affirm"), {})
    assert result == [SlotSet("awaiting_consent", False), outcome("application_link", "en", service_id="pension-claim")]
    assert responses(dispatcher) == ["utter_apply_without_sharing"]
    assert dispatcher.messages[0]["url"] == ONLINE


async def test_no_credential_at_all_is_refused_too(monkeypatch: pytest.MonkeyPatch, fake_server: TestServer) -> None:
    monkeypatch.delenv("CATALOG_INTERNAL_TOKEN", raising=False)
    client = CatalogueClient(str(fake_server.make_url("")), timeout_s=2.0)
    use_client(monkeypatch, client)
    try:
        dispatcher = CollectingDispatcher()
        await ActionHandoffHuman().run(dispatcher, tracker(), {})
    finally:
        await client.close()
    assert responses(dispatcher) == ["utter_handoff_hotline"]
    ((headers),) = sent_headers(fake_server.app[FAKE], "ticket")
    assert "X-Internal-Token" not in headers


async def test_where_to_go_in_person_is_marked_as_a_centre_referral(fake: FakeCatalogue, monkeypatch: pytest.MonkeyPatch) -> None:
    from actions import followup

    where = await followup.ActionAnswerFollowup().run(CollectingDispatcher(), tracker(intent="ask_where", text="where do I go?"), {})
    assert where[-1] == outcome("centre", "en", service_id="pension-claim")
    cost = await followup.ActionAnswerFollowup().run(CollectingDispatcher(), tracker(intent="ask_cost", text="how much?"), {})
    assert not [e for e in cost if e.get("name") == "outcome"]  # only "where" refers to a centre
