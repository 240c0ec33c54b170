"""The insights figures on scripted conversations: each rate is exact and follows docs/insights.md."""

from __future__ import annotations

from typing import Any

import pytest

from service_catalog.insights import Event, Feedback, TicketTiming, sessions_of, summary
from service_catalog.insights.store import iso

T0 = 1_780_000_000.0  # a fixed moment; every conversation starts after it
MINUTE = 60.0


class Script:
    """Rasa events of one conversation, as the SQL event broker stores them."""

    def __init__(self, sender: str, start: float, channel: str = "rest") -> None:
        self.sender, self.t, self.channel = sender, start, channel
        self.events: list[Event] = []
        self.add("action", name="action_session_start")
        self.add("session_started")

    def add(self, kind: str, after: float = 1.0, **data: Any) -> Script:
        self.t += after
        self.events.append(Event(self.sender, kind, self.t, {"event": kind, "timestamp": self.t, **data}))
        return self

    def user(self, text: str, lang: str = "en") -> Script:
        self.add("user", text=text, input_channel=self.channel, parse_data={"intent": {"name": "search"}})
        return self.add("slot", name="lang", value=lang)

    def bot(self, text: str, buttons: list[dict[str, str]] | None = None) -> Script:
        return self.add("bot", text=text, data={"buttons": buttons} if buttons else {})

    def outcome(self, kind: str, lang: str = "en", **fields: str) -> Script:
        return self.add("slot", name="outcome", value={"kind": kind, "lang": lang, **fields})

    def card(self, service: str, answer: str) -> Script:
        self.outcome("service_shown", service_id=service, answer_id=answer)
        self.bot(f"card {service}")
        return self.bot("Was this useful?", [{"title": "👍", "payload": f'/feedback{{"answer_id":"{answer}","rating":"up"}}'}])


def mix(now: float) -> list[Event]:
    """Eight sessions: 4 contained with a card (one on WeChat in Chinese), 2 handed off, 1 unmatched then left
    at the offered choices, 1 left in the middle of the eligibility form; one conversation has two sessions."""
    scripts = [
        Script("c1", T0).user("I lost my job").card("unemployment-insurance", "a1"),
        Script("c2", T0 + 10).user("passport").card("passport-application", "a2"),
        Script("wechat:o3", T0 + 20, "wechat").user("护照怎么办", "zh").card("passport-application", "a3"),
        Script("c4", T0 + 30).user("talk to a person").outcome("handoff").bot("Ticket T1, a person will write"),
        Script("c5", T0 + 40)
        .user("drone licence")
        .outcome("no_match", query="drone licence")
        .bot("Nothing found", [{"title": "Talk to a person", "payload": "/human_handoff"}]),
        Script("c6", T0 + 50)
        .user("am I eligible for childcare subsidy")
        .add("active_loop", name="eligibility_form")
        .bot("How old is the child?")
        .add("slot", name="requested_slot", value="elig_age"),  # Rasa logs the question before the slot
    ]
    second = Script("c1", T0 + 2 * 3600).user("business licence").card("business-registration", "a5")
    second.outcome("handoff").bot("A person will write")
    scripts.append(second)
    scripts.append(Script("c7", T0 + 70).user("birth").outcome("event_shown", event_id="birth", answer_id="a7").bot("The checklist"))
    events = [e for s in scripts for e in s.events]
    assert all(e.ts < now for e in events)
    return events


def test_sessions_are_split_at_session_started_and_take_their_channel_and_language() -> None:
    sessions = sessions_of(mix(T0 + 3 * 3600))
    assert len(sessions) == 8
    wechat = [s for s in sessions if s.sender == "wechat:o3"]
    assert [(s.channel, s.lang) for s in wechat] == [("wechat", "zh")]
    assert [s.handed_off for s in sessions if s.sender == "c1"] == [False, True]


def test_the_rates_of_a_scripted_mix_are_exact() -> None:
    now = T0 + 3 * 3600
    ratings = [
        Feedback("h1", "a1", "unemployment-insurance", "up", None, "en", "rest", iso(T0 + 100)),
        Feedback("h2", "a2", "passport-application", "down", "unclear", "en", "rest", iso(T0 + 110)),
        Feedback("h3", "a3", "passport-application", "up", None, "zh", "wechat", iso(T0 + 120)),
        Feedback("old", "a0", None, "up", None, "en", "rest", iso(T0 - 86400 * 30)),  # before the period
    ]
    tickets = [
        TicketTiming("T1", T0 + 40, "rest", "en", T0 + 40 + 30),
        TicketTiming("T2", T0 + 7300, "rest", "en", T0 + 7300 + 90),
        TicketTiming("T3", T0 + 7400, "rest", "en", None),
    ]
    figures = summary(mix(now), ratings, tickets, since=T0 - 86400, until=now, abandon_after_s=30 * MINUTE, service_titles={"passport-application": "Passport"})
    assert figures["sessions"] == 8 and figures["user_messages"] == 8
    assert (figures["handed_off"], figures["handoff_rate"]) == (2, 0.25)
    assert (figures["contained"], figures["containment_rate"]) == (6, 0.75)
    assert (figures["no_match_sessions"], figures["no_match_rate"], figures["no_match_questions"]) == (1, 0.125, 1)
    assert (figures["abandoned"], figures["abandonment_rate"]) == (2, 0.25)  # c5 at the choices, c6 in the form
    assert figures["feedback"] == {"rateable_answers": 5, "ratings": 3, "rate": 0.6, "up": 2, "down": 1, "csat": 0.6667, "reasons": {"unclear": 1}}
    assert figures["human_reply"] == {
        "tickets": 3,
        "answered": 2,
        "waiting": 1,
        "median_seconds": 60.0,
        "p90_seconds": 90.0,
        "mean_seconds": 60.0,
        "within_60s_rate": 0.5,
    }
    assert figures["top_services"][0] == {"id": "passport-application", "title": "Passport", "count": 2}
    assert figures["top_events"] == [{"id": "birth", "title": "birth", "count": 1}]
    assert figures["by_channel"]["wechat"]["sessions"] == 1 and figures["by_channel"]["rest"]["sessions"] == 7
    assert figures["by_lang"]["zh"]["containment_rate"] == 1.0 and figures["by_lang"]["en"]["handoff_rate"] == pytest.approx(2 / 7, abs=1e-4)
    assert sum(day["sessions"] for day in figures["daily"]) == 8 and len(figures["daily"]) == 2


def test_a_question_is_not_abandoned_before_the_wait_is_over_nor_after_an_answer() -> None:
    events = mix(T0 + 3 * 3600)
    soon = summary(events, [], [], since=T0 - 86400, until=T0 + 200, abandon_after_s=30 * MINUTE)
    assert soon["abandoned"] == 0  # c5 and c6 asked less than 30 minutes ago
    # Only feedback buttons after a card: the citizen got an answer, that is not abandonment.
    assert summary(events, [], [], since=T0 - 86400, until=T0 + 3 * 3600, abandon_after_s=0)["abandoned"] == 2


def test_a_reply_after_the_question_means_not_abandoned() -> None:
    script = Script("c9", T0).user("drone").outcome("no_match", query="drone").bot("Nothing", [{"title": "Person", "payload": "/human_handoff"}])
    script.user("never mind").bot("OK, bye")
    figures = summary(script.events, [], [], since=T0 - 1, until=T0 + 86400, abandon_after_s=60)
    assert figures["abandoned"] == 0 and figures["no_match_sessions"] == 1


def test_an_empty_period_has_no_rates_rather_than_zeros() -> None:
    figures = summary([], [], [], since=T0, until=T0 + 86400, abandon_after_s=60)
    assert figures["sessions"] == 0 and figures["containment_rate"] is None and figures["feedback"]["csat"] is None
    assert figures["human_reply"]["median_seconds"] is None and len(figures["daily"]) in {1, 2}


def test_sessions_without_a_user_message_are_not_counted() -> None:
    idle = Script("c10", T0)  # session_started only (a widget opened and closed)
    assert summary(idle.events, [], [], since=T0 - 1, until=T0 + 100, abandon_after_s=60)["sessions"] == 0


def test_a_form_that_finished_is_not_waiting() -> None:
    script = Script("c11", T0).user("am I eligible").add("active_loop", name="eligibility_form").bot("How old are you?")
    script.add("slot", name="requested_slot", value="elig_age").user("34").add("slot", name="requested_slot", value=None)
    script.add("active_loop", name=None).bot("Thanks, checking")
    assert summary(script.events, [], [], since=T0 - 1, until=T0 + 86400, abandon_after_s=60)["abandoned"] == 0


def test_markers_rasa_replays_into_a_new_session_are_not_counted_again() -> None:
    first = Script("c20", T0).user("passport").card("passport-application", "a20").outcome("handoff")
    returning = Script("c20", T0 + 3600)  # a new session: Rasa carries the old slots over before any user message
    returning.outcome("service_shown", service_id="passport-application", answer_id="a20").outcome("handoff")
    returning.user("thank you").bot("You're welcome")
    sessions = sessions_of(first.events + returning.events)
    assert [s.handed_off for s in sessions] == [True, False]
    assert [len(s.outcomes) for s in sessions] == [2, 0]
