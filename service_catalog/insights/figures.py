"""The figures of the insights summary, computed from conversation events, tickets and feedback.

Pure: no I/O, so each figure is tested on scripted event sequences. Every definition here is
the one written in docs/insights.md; change both together.

- A *session* is a conversation (Rasa ``sender_id``) from one ``session_started`` event (or
  its first event) to the next, with at least one user message. It belongs to the period
  its first event falls in. Its *channel* is the ``input_channel`` of its first user message;
  its *language* the first value of the ``lang`` slot (else of an outcome marker).
- Only the ``outcome`` markers after a session's first user message count: Rasa replays the
  previous session's slots (markers included) when a new session starts.
- *Handed off*: an ``outcome`` marker of kind ``handoff`` (a ticket was created). *Contained*:
  not handed off. *Nothing matched*: at least one ``no_match`` marker.
- *Abandoned*: not handed off, and after the last user message the bot asked something (it
  offered choices other than the feedback buttons, or a form was waiting for an answer)
  without giving an answer (no marker but ``no_match`` after that message), and nobody
  replied for ``abandon_after_s`` seconds.
- *Time to first human reply*: per ticket created in the period, from its creation to the
  console's first reply to the citizen.
- *Feedback rate*: ratings given in the period / answers that could be rated (markers with
  an ``answer_id``) in the period. *CSAT*: ``up`` / all ratings.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from .events import Event
from .store import Feedback, TicketTiming

__all__ = ["ANSWER_KINDS", "CITY_TZ", "OUTCOME_KINDS", "Session", "sessions_of", "summary"]

CITY_TZ = dt.timezone(dt.timedelta(hours=8), "Asia/Shanghai")  # days are the city's days
OUTCOME_KINDS = frozenset({"service_shown", "event_shown", "no_match", "verdict", "application_link", "handoff", "centre"})
ANSWER_KINDS = OUTCOME_KINDS - {"no_match"}
TOP = 10


@dataclass
class Session:
    """One session of one conversation, as the figures see it."""

    sender: str
    started: float
    channel: str = "unknown"
    lang: str = "unknown"
    user_messages: int = 0
    outcomes: list[tuple[float, dict[str, Any]]] = field(default_factory=list)
    last_user_at: float | None = None
    last_bot_at: float | None = None
    bot_since_user: bool = False  # the bot said something after the last user message
    last_bot_choices: bool = False  # ... and its last message offered choices (not only feedback buttons)
    answered_since_user: bool = False  # an answer marker after the last user message
    _form_waiting: bool = False

    @property
    def last_bot_asked(self) -> bool:
        """The bot's last word after the last user message asked something: choices, or a form still waiting.

        The form's ``requested_slot`` is set after the question is uttered (Rasa logs the bot messages
        of an action before its other events), so the form's state at the end is what counts.
        """
        return self.bot_since_user and (self.last_bot_choices or self._form_waiting)

    @property
    def handed_off(self) -> bool:
        return any(o.get("kind") == "handoff" for _, o in self.outcomes)

    @property
    def no_match(self) -> int:
        return sum(1 for _, o in self.outcomes if o.get("kind") == "no_match")

    def abandoned(self, now: float, abandon_after_s: float) -> bool:
        if self.handed_off or not self.last_bot_asked or self.answered_since_user or self.last_bot_at is None:
            return False
        return now - self.last_bot_at >= abandon_after_s


def _is_feedback_button(button: Any) -> bool:
    payload = str(button.get("payload", "")) if isinstance(button, dict) else ""
    return "feedback" in payload.lower()


def _offers_choices(event: Event) -> bool:
    """A bot message with buttons other than the feedback ones."""
    buttons = event.data.get("data", {}).get("buttons") if isinstance(event.data.get("data"), dict) else None
    return isinstance(buttons, list) and any(not _is_feedback_button(b) for b in buttons)


def _channel_of(event: Event) -> str:
    channel = event.data.get("input_channel")
    if isinstance(channel, str) and channel:
        return channel[:40]
    return event.sender.split(":", 1)[0][:40] if ":" in event.sender else "unknown"


def sessions_of(events: Iterable[Event]) -> list[Session]:
    """Split each conversation's events (in order) into sessions; sessions without a user message are dropped."""
    by_sender: dict[str, list[Event]] = defaultdict(list)
    for event in events:
        by_sender[event.sender].append(event)
    sessions: list[Session] = []
    for sender, stream in by_sender.items():
        current: Session | None = None
        for event in stream:
            if current is None or event.kind == "session_started":
                if current is not None and current.user_messages:
                    sessions.append(current)
                current = Session(sender, event.ts)
            _apply(current, event)
        if current is not None and current.user_messages:
            sessions.append(current)
    return sessions


def _apply(session: Session, event: Event) -> None:
    if event.kind == "user":
        if session.user_messages == 0:
            session.channel = _channel_of(event)
        session.user_messages += 1
        session.last_user_at = event.ts
        session.bot_since_user = False
        session.last_bot_choices = False
        session.answered_since_user = False
    elif event.kind == "bot":
        session.last_bot_at = event.ts
        session.bot_since_user = True
        session.last_bot_choices = _offers_choices(event)
    elif event.kind == "slot":
        name, value = event.data.get("name"), event.data.get("value")
        if name == "lang" and value in {"zh", "en"} and session.lang == "unknown":
            session.lang = str(value)
        elif name == "requested_slot":
            session._form_waiting = value is not None
        elif name == "outcome" and session.user_messages == 0:
            pass  # replayed by Rasa into a new session (carried-over slots): counted in the session it happened in
        elif name == "outcome" and isinstance(value, dict) and value.get("kind") in OUTCOME_KINDS:
            session.outcomes.append((event.ts, value))
            if session.lang == "unknown" and value.get("lang") in {"zh", "en"}:
                session.lang = str(value["lang"])
            if value.get("kind") in ANSWER_KINDS:
                session.answered_since_user = True
    elif (event.kind == "active_loop" and event.data.get("name") is None) or event.kind == "session_started":
        session._form_waiting = False


def _rate(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def _counts(sessions: Sequence[Session], now: float, abandon_after_s: float) -> dict[str, Any]:
    n = len(sessions)
    handed = sum(1 for s in sessions if s.handed_off)
    unmatched = sum(1 for s in sessions if s.no_match)
    abandoned = sum(1 for s in sessions if s.abandoned(now, abandon_after_s))
    return {
        "sessions": n,
        "contained": n - handed,
        "containment_rate": _rate(n - handed, n),
        "handed_off": handed,
        "handoff_rate": _rate(handed, n),
        "no_match_sessions": unmatched,
        "no_match_rate": _rate(unmatched, n),
        "abandoned": abandoned,
        "abandonment_rate": _rate(abandoned, n),
    }


def _day(moment: float) -> str:
    return dt.datetime.fromtimestamp(moment, CITY_TZ).date().isoformat()


def _percentile(values: Sequence[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return round(ordered[index], 1)


def _human_reply(tickets: Sequence[TicketTiming]) -> dict[str, Any]:
    waits = [t.first_reply_at - t.created_at for t in tickets if t.first_reply_at is not None]
    return {
        "tickets": len(tickets),
        "answered": len(waits),
        "waiting": len(tickets) - len(waits),
        "median_seconds": round(statistics.median(waits), 1) if waits else None,
        "p90_seconds": _percentile(waits, 0.9),
        "mean_seconds": round(statistics.fmean(waits), 1) if waits else None,
        "within_60s_rate": _rate(sum(1 for w in waits if w <= 60), len(waits)),
    }


def _feedback(ratings: Sequence[Feedback], rateable: int) -> dict[str, Any]:
    up = sum(1 for f in ratings if f.rating == "up")
    reasons = Counter(f.reason for f in ratings if f.reason)
    return {
        "rateable_answers": rateable,
        "ratings": len(ratings),
        "rate": _rate(len(ratings), rateable),
        "up": up,
        "down": len(ratings) - up,
        "csat": _rate(up, len(ratings)),
        "reasons": dict(sorted(reasons.items())),
    }


def _top(markers: Iterable[dict[str, Any]], key: str, titles: Mapping[str, str]) -> list[dict[str, Any]]:
    counts = Counter(str(m[key]) for m in markers if isinstance(m.get(key), str))
    return [{"id": i, "title": titles.get(i, i), "count": c} for i, c in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:TOP]]


def summary(
    events: Iterable[Event],
    feedback: Sequence[Feedback],
    tickets: Sequence[TicketTiming],
    *,
    since: float,
    until: float,
    abandon_after_s: float,
    service_titles: Mapping[str, str] | None = None,
    event_titles: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """Every figure of the period ``[since, until)`` (see the module docstring)."""
    sessions = [s for s in sessions_of(events) if since <= s.started < until]
    markers = [(ts, o) for s in sessions for ts, o in s.outcomes if since <= ts < until]
    ratings = [f for f in feedback if since <= _epoch(f.created_at) < until]
    rateable = sum(1 for _, o in markers if o.get("answer_id") and o.get("kind") in ANSWER_KINDS)
    by_channel: dict[str, list[Session]] = defaultdict(list)
    by_lang: dict[str, list[Session]] = defaultdict(list)
    by_day: dict[str, list[Session]] = defaultdict(list)
    for session in sessions:
        by_channel[session.channel].append(session)
        by_lang[session.lang].append(session)
        by_day[_day(session.started)].append(session)
    ratings_by_day: dict[str, Counter[str]] = defaultdict(Counter)
    for rating in ratings:
        ratings_by_day[_day(_epoch(rating.created_at))][rating.rating] += 1
    days = []
    day = dt.datetime.fromtimestamp(since, CITY_TZ).date()
    last = dt.datetime.fromtimestamp(max(since, until - 1), CITY_TZ).date()
    while day <= last:
        key = day.isoformat()
        days.append({"date": key, **_counts(by_day.get(key, []), until, abandon_after_s), **{r: ratings_by_day[key][r] for r in ("up", "down")}})
        day += dt.timedelta(days=1)
    return {
        **_counts(sessions, until, abandon_after_s),
        "user_messages": sum(s.user_messages for s in sessions),
        "no_match_questions": sum(1 for _, o in markers if o.get("kind") == "no_match"),
        "human_reply": _human_reply(tickets),
        "feedback": _feedback(ratings, rateable),
        "top_services": _top((o for _, o in markers if o.get("kind") == "service_shown"), "service_id", service_titles or {}),
        "top_events": _top((o for _, o in markers if o.get("kind") == "event_shown"), "event_id", event_titles or {}),
        "by_channel": {k: _counts(v, until, abandon_after_s) for k, v in sorted(by_channel.items())},
        "by_lang": {k: _counts(v, until, abandon_after_s) for k, v in sorted(by_lang.items())},
        "daily": days,
    }


def _epoch(text: str) -> float:
    return dt.datetime.fromisoformat(text).timestamp()
