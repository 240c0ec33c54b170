"""End-to-end insights: real conversations over REST and the widget's socket.io give exact figures.

A stack of its own (``start_stack``), so that no other test's conversation is counted: a scripted
mix of five conversations goes through Rasa, its SQL event broker (``<data dir>/events.db``), the
action server's outcome markers and feedback, and the catalogue service, whose
``GET /admin/insights/summary?days=1`` must then give exactly the counts and rates below
(definitions: docs/insights.md; ``abandon_minutes=0`` so that an unanswered question counts at once).

| conversation | channel  | lang | what happens                                           | counts as                 |
|--------------|----------|------|--------------------------------------------------------|---------------------------|
| A            | rest     | en   | situation → card, 👍                                    | contained, rated up       |
| B            | rest     | zh   | situation → card, 👎 "unclear", then a person           | handed off, rated down    |
| C            | rest     | en   | a need the catalogue lacks, then "thanks"              | nothing matched           |
| D            | socketio | zh   | situation → card, "am I eligible?", no answer          | abandoned                 |
| E            | socketio | en   | situation → card, nothing else                         | contained                 |

It also checks that a phone number typed by a citizen never reaches the events table, and that
the action server and Rasa serve ``/metrics`` to the internal network only.
"""

from __future__ import annotations

import asyncio
import json
import sqlite3
import subprocess
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
import socketio
from testkit import READ_TOKEN, bearer, rasa_api

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
PHONE = "13912345678"


@pytest.fixture(scope="module")
def own_stack(start_stack: Any) -> Iterator[Any]:
    """A stack whose events are only this module's conversations."""
    yield start_stack()


def http(method: str, url: str, body: Any = None, headers: dict[str, str] | None = None) -> tuple[int, str]:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method, headers={"Content-Type": "application/json", **(headers or {})})
    try:
        with urllib.request.urlopen(request, timeout=90) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()


def say(stack: Any, sender: str, message: str) -> list[dict[str, Any]]:
    status, body = http(
        "POST", f"http://127.0.0.1:{stack.ports['rasa']}/webhooks/rest/webhook", {"sender": sender, "message": message}, bearer(stack.rest_token)
    )
    assert status == 200, body
    return list(json.loads(body))


def cards(replies: list[dict[str, Any]]) -> list[str]:
    found = []
    for reply in replies:
        data = (reply.get("custom") or {}).get("data") if isinstance(reply.get("custom"), dict) else None
        if isinstance(data, dict) and data.get("type") == "service_card":
            found.append(str(data["service_id"]))
    return found


def buttons(replies: list[dict[str, Any]]) -> list[dict[str, str]]:
    return [b for r in replies for b in r.get("buttons") or []]


def rating(replies: list[dict[str, Any]], which: str) -> str:
    """The payload of the 👍 ("up") or 👎 ("down") button under the answer."""
    found = [b["payload"] for b in buttons(replies) if b["payload"].startswith("/feedback") and f'"rating":"{which}"' in b["payload"]]
    assert found, f"no {which} button in {replies}"
    return found[-1]


def reach_card(stack: Any, sender: str, message: str, service_id: str) -> list[dict[str, Any]]:
    """Say ``message``; pick ``service_id`` when a list is offered. The replies that carry the card."""
    replies = say(stack, sender, message)
    if service_id not in cards(replies):
        chosen = [b["payload"] for b in buttons(replies) if service_id in b["payload"]]
        assert chosen, f"{service_id} not offered for {message!r}: {replies}"
        replies = say(stack, sender, chosen[0])
    assert service_id in cards(replies), replies
    return replies


class Widget:
    """The widget's socket.io conversation (the protocol widget.js speaks), with python-socketio."""

    def __init__(self, stack: Any) -> None:
        self.url = f"http://127.0.0.1:{stack.ports['rasa']}"
        self.origin = f"http://127.0.0.1:{stack.ports['catalogue']}"
        self.sio = socketio.AsyncClient(reconnection=False)
        self.session: aiohttp.ClientSession | None = None
        self.session_id = ""
        self.confirms: asyncio.Queue[Any] = asyncio.Queue()
        self.replies: asyncio.Queue[Any] = asyncio.Queue()
        self.sio.on("session_confirm", self.confirms.put)
        self.sio.on("bot_uttered", self.replies.put)

    async def __aenter__(self) -> Widget:
        self.session = aiohttp.ClientSession()
        self.sio.eio.http = self.session
        self.sio.eio.external_http = True
        await self.sio.connect(self.url, headers={"Origin": self.origin}, transports=["websocket"], socketio_path="/socket.io")
        await self.sio.emit("session_request", {"session_id": None})
        self.session_id = str(await asyncio.wait_for(self.confirms.get(), 30))
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.sio.disconnect()
        if self.session is not None:
            await self.session.close()

    async def say(self, text: str) -> list[dict[str, Any]]:
        await self.sio.emit("user_uttered", {"message": text, "session_id": self.session_id})
        replies = [await asyncio.wait_for(self.replies.get(), 90)]
        await asyncio.sleep(2.0)  # the rest of the turn
        while not self.replies.empty():
            replies.append(self.replies.get_nowait())
        return replies


def widget_cards(replies: list[dict[str, Any]]) -> list[str]:
    """The cards among socket.io's ``bot_uttered`` payloads (a custom payload comes as ``{"data": ...}``)."""
    found = [r.get("data") if isinstance(r.get("data"), dict) else r for r in replies]
    return [str(d["service_id"]) for d in found if d.get("type") == "service_card"]


def summary(stack: Any) -> dict[str, Any]:
    url = f"http://127.0.0.1:{stack.ports['catalogue']}/admin/insights/summary?days=1&abandon_minutes=0"
    status, body = http("GET", url, headers=bearer(READ_TOKEN))
    assert status == 200, body
    return dict(json.loads(body))


def wait_for_sessions(stack: Any, count: int, timeout: float = 30.0) -> dict[str, Any]:
    """The summary once all ``count`` sessions are in the events table (the broker writes after each turn)."""
    deadline = time.monotonic() + timeout
    while True:
        figures = summary(stack)
        if figures["sessions"] >= count or time.monotonic() > deadline:
            return figures
        time.sleep(1.0)


@pytest.fixture(scope="module")
def scripted(own_stack: Any) -> dict[str, Any]:
    """Run the five conversations of the module docstring; the widget's conversation ids."""
    stack = own_stack
    run = uuid.uuid4().hex[:6]

    # A: REST, English, a card rated useful.
    a = f"insights-a-{run}"
    replies = reach_card(
        stack,
        a,
        f"I lost my job last week, my company let me go. My phone is {PHONE}. Can I get money while I look for work?",
        "unemployment-insurance-benefit",
    )
    thanks = say(stack, a, rating(replies, "up"))
    assert "Thank you for your feedback" in json.dumps(thanks), thanks
    again = say(stack, a, rating(replies, "up"))  # the same answer, rated again: answered politely, not stored
    assert "already rated" in json.dumps(again), again

    # B: REST, Chinese, a card rated not useful (with a reason), then a person.
    b = f"insights-b-{run}"
    replies = reach_card(stack, b, "孩子上周刚出生，怎么给他报户口？", "birth-registration")
    why = say(stack, b, rating(replies, "down"))
    unclear = [x["payload"] for x in buttons(why) if '"reason":"unclear"' in x["payload"]]
    assert unclear, why
    say(stack, b, unclear[0])
    handoff = json.dumps(say(stack, b, "转人工"), ensure_ascii=False)
    assert "工单号" in handoff, handoff

    # C: REST, English, a need the catalogue does not cover, then thanks.
    c = f"insights-c-{run}"
    nothing = say(stack, c, "I need a licence to keep bees on my apartment balcony")
    assert not cards(nothing) and "couldn't find" in json.dumps(nothing), nothing
    say(stack, c, "thank you")

    async def widget_conversations() -> list[str]:
        # D: the widget, Chinese: a card, then the eligibility check's first question, left unanswered.
        async with Widget(stack) as d:
            assert "driving-licence-renewal" in widget_cards(await d.say("我想换驾照"))
            question = await d.say("我符合条件吗")
            assert "您是否持有机动车驾驶证" in json.dumps(question, ensure_ascii=False), question
        # E: the widget, English: a card and nothing more.
        async with Widget(stack) as e:
            assert "unemployment-insurance-benefit" in widget_cards(await e.say("I lost my job last week, can I get unemployment benefit?"))
        return [d.session_id.split(".")[0], e.session_id.split(".")[0]]

    widgets = asyncio.run(widget_conversations())
    return {"rest": [a, b, c], "widget": widgets}


def test_the_scripted_mix_gives_exact_counts_and_rates(own_stack: Any, scripted: dict[str, Any]) -> None:
    figures = wait_for_sessions(own_stack, 5)
    counts = {k: figures[k] for k in ("sessions", "contained", "handed_off", "no_match_sessions", "abandoned")}
    assert counts == {"sessions": 5, "contained": 4, "handed_off": 1, "no_match_sessions": 1, "abandoned": 1}, figures
    rates = {k: figures[k] for k in ("containment_rate", "handoff_rate", "no_match_rate", "abandonment_rate")}
    assert rates == {"containment_rate": 0.8, "handoff_rate": 0.2, "no_match_rate": 0.2, "abandonment_rate": 0.2}
    assert {k: v["sessions"] for k, v in figures["by_channel"].items()} == {"rest": 3, "socketio": 2}
    assert {k: v["sessions"] for k, v in figures["by_lang"].items()} == {"en": 3, "zh": 2}
    assert figures["by_channel"]["rest"]["handed_off"] == 1 and figures["by_channel"]["socketio"]["abandoned"] == 1
    feedback = figures["feedback"]
    # Four cards could be rated (A, B, D, E); A said up (once: its second press was refused), B down.
    assert {k: feedback[k] for k in ("rateable_answers", "ratings", "up", "down", "rate", "csat", "reasons")} == {
        "rateable_answers": 4,
        "ratings": 2,
        "up": 1,
        "down": 1,
        "rate": 0.5,
        "csat": 0.5,
        "reasons": {"unclear": 1},
    }
    top = {t["id"]: t["count"] for t in figures["top_services"]}
    assert top == {"unemployment-insurance-benefit": 2, "birth-registration": 1, "driving-licence-renewal": 1}
    assert figures["no_match_questions"] == 1
    assert figures["human_reply"]["tickets"] == 1 and figures["human_reply"]["answered"] == 0


def test_a_phone_number_typed_by_a_citizen_never_reaches_the_events_table(own_stack: Any, scripted: dict[str, Any]) -> None:
    with sqlite3.connect(f"file:{own_stack.events_db}?mode=ro", uri=True) as db:
        rows = db.execute("SELECT sender_id, data FROM events").fetchall()
    a = scripted["rest"][0]
    texts = [json.loads(data).get("text") or "" for sender, data in rows if sender == a]
    assert any("My phone is" in t for t in texts), "the message itself was published"
    assert not [data for _, data in rows if PHONE in data]


def test_outcome_markers_are_published_with_the_conversation(own_stack: Any, scripted: dict[str, Any]) -> None:
    with sqlite3.connect(f"file:{own_stack.events_db}?mode=ro", uri=True) as db:
        rows = db.execute("SELECT sender_id, data FROM events").fetchall()
    markers = [
        (sender, json.loads(data)["value"]) for sender, data in rows if json.loads(data).get("event") == "slot" and json.loads(data).get("name") == "outcome"
    ]
    kinds = {sender: [m["kind"] for s, m in markers if s == sender] for sender in {s for s, _ in markers}}
    a, b, c = scripted["rest"]
    assert kinds[a] == ["service_shown"] and kinds[b] == ["service_shown", "handoff"] and kinds[c] == ["no_match"]
    (no_match,) = [m for s, m in markers if s == c]
    assert no_match == {"kind": "no_match", "lang": "en", "query": "I need a licence to keep bees on my apartment balcony"}
    assert all(len(m["answer_id"]) == 12 for _, m in markers if m["kind"] == "service_shown")


def rasa_has_prometheus() -> bool:
    out = subprocess.run([str(ROOT / ".venv-rasa/bin/python"), "-c", "import prometheus_client"], capture_output=True, timeout=60)
    return out.returncode == 0


def test_metrics_are_served_to_the_internal_network_only(own_stack: Any, scripted: dict[str, Any]) -> None:
    actions = f"http://127.0.0.1:{own_stack.ports['actions']}/metrics"
    status, body = http("GET", actions)
    assert status == 200 and 'actions_run_duration_seconds_count{action="action_feedback",status="200"} 4.0' in body, body[-2000:]
    assert 'actions_run_duration_seconds_count{action="action_search_services"' in body
    status, body = http("GET", actions, headers={"X-Forwarded-For": "203.0.113.9"})
    assert status == 403 and "internal network" in body
    rasa = f"http://127.0.0.1:{own_stack.ports['rasa']}/webhooks/rest/metrics"
    status, body = http("GET", rasa, headers={"X-Forwarded-For": "203.0.113.9"})
    assert status == 403
    status, body = http("GET", rasa)
    if rasa_has_prometheus():
        assert status == 200 and 'rasa_channel_messages_total{channel="rest"}' in body and 'rasa_channel_messages_total{channel="socketio"} 3.0' in body, body
    else:  # prometheus-client is not in Rasa's environment (requirements/rasa.txt): the route says so
        assert status == 503 and "prometheus-client is not installed" in body


def test_a_new_session_does_not_count_the_markers_rasa_carries_over(own_stack: Any, scripted: dict[str, Any]) -> None:
    """Runs last: a returning citizen (conversation A) starts a new session and only says thanks."""
    before = wait_for_sessions(own_stack, 5)
    a = scripted["rest"][0]
    rasa_api(own_stack, "POST", f"/conversations/{a}/execute", {"name": "action_session_start"})  # what an expired session does
    say(own_stack, a, "thank you")
    after = wait_for_sessions(own_stack, before["sessions"] + 1)
    assert after["sessions"] == before["sessions"] + 1
    assert after["feedback"]["rateable_answers"] == before["feedback"]["rateable_answers"]  # nothing new was answered
    assert after["top_services"] == before["top_services"]
