"""Outcome markers for the insights, and the citizen's thumbs up/down on an answer.

**Outcome markers.** At every point where a conversation reaches an outcome, the acting action
sets the slot ``outcome`` (``bot/domain/insights.yml``; it never steers the dialogue) to a dict
``{"kind", "lang", "service_id"?, "event_id"?, "query"?, "answer_id"?}``. Rasa's event broker
publishes that slot event with the rest of the conversation (masked by the tracker store first),
and the catalogue service computes containment, handoff, "nothing matched" and the top services
from those markers (docs/insights.md). ``kind`` is one of ``KINDS``.

**Feedback.** A service card and an eligibility verdict are rateable: ``rateable`` gives the
answer an ``answer_id`` (in the marker and in the buttons) and sends "Was this helpful?" with 👍/👎
buttons whose payloads are ``/feedback{"answer_id": ..., "rating": "up"|"down"}``. Each channel
shows them its own way (widget buttons, a numbered reply in WeChat, inline buttons in Telegram).
A 👎 first asks for an optional reason from ``REASONS`` (or none). ``ActionFeedback`` then posts
the rating to the catalogue service (``POST /api/feedback``, with the service credential and the
conversation id from the tracker, never from the payload); the answer must be one this
conversation was given (its marker is in the tracker), and the catalogue service stores one
rating per answer: a second is answered politely (409).
"""

from __future__ import annotations

import uuid
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from .catalogue_client import AlreadyDone, CatalogueUnavailable, NotFound, client
from .language import lang_of
from .resolve import entity

__all__ = ["KINDS", "REASONS", "ActionFeedback", "feedback_buttons", "marker", "rateable", "rated_answer"]

OUTCOME_SLOT = "outcome"
KINDS = frozenset({"service_shown", "event_shown", "no_match", "verdict", "application_link", "handoff", "centre"})
REASONS = ("wrong_service", "unclear", "outdated", "could_not_apply", "other")
NO_REASON = "none"  # "just say it wasn't useful": a 👎 without a reason
RATINGS = frozenset({"up", "down"})
RATING_TITLES = {"zh": {"up": "👍 有用", "down": "👎 没用"}, "en": {"up": "👍 Useful", "down": "👎 Not useful"}}
REASON_TITLES = {
    "zh": {
        "wrong_service": "不是我要办的事",
        "unclear": "看不明白",
        "outdated": "信息过时或有误",
        "could_not_apply": "没法办理",
        "other": "其他原因",
        NO_REASON: "不说原因",
    },
    "en": {
        "wrong_service": "Not the service I need",
        "unclear": "Hard to understand",
        "outdated": "Out of date or wrong",
        "could_not_apply": "I couldn't apply",
        "other": "Something else",
        NO_REASON: "Skip the reason",
    },
}


def _payload(answer_id: str, rating: str, reason: str | None = None) -> str:
    # Hand-written compact JSON: Telegram's callback data holds 64 bytes (longer ones are referenced).
    extra = f',"reason":"{reason}"' if reason else ""
    return f'/feedback{{"answer_id":"{answer_id}","rating":"{rating}"{extra}}}'


def marker(kind: str, lang: str, **fields: str | None) -> SlotSet:
    """The ``outcome`` slot event for one outcome (fields that are None are left out)."""
    if kind not in KINDS:
        raise ValueError(f"unknown outcome kind {kind!r}; known: {', '.join(sorted(KINDS))}")
    value: dict[str, Any] = {"kind": kind, "lang": lang if lang in {"zh", "en"} else "zh"}
    value.update({k: v for k, v in fields.items() if v is not None})
    return SlotSet(OUTCOME_SLOT, value)


def feedback_buttons(answer_id: str, lang: str) -> list[dict[str, str]]:
    """👍 and 👎 for one answer."""
    titles = RATING_TITLES.get(lang, RATING_TITLES["en"])
    return [{"title": titles[r], "payload": _payload(answer_id, r)} for r in ("up", "down")]


def rateable(dispatcher: CollectingDispatcher, kind: str, lang: str, **fields: str | None) -> SlotSet:
    """Mark an outcome that can be rated, and ask "Was this helpful?" under it."""
    answer_id = uuid.uuid4().hex[:12]
    dispatcher.utter_message(response="utter_feedback_ask", buttons=feedback_buttons(answer_id, lang))
    return marker(kind, lang, answer_id=answer_id, **fields)


def rated_answer(tracker: Tracker, answer_id: str | None) -> dict[str, Any] | None:
    """The outcome marker this conversation was given with ``answer_id``, else None."""
    if not answer_id:
        return None
    for event in reversed(tracker.events):
        value = event.get("value")
        if event.get("event") == "slot" and event.get("name") == OUTCOME_SLOT and isinstance(value, dict) and value.get("answer_id") == answer_id:
            return value
    return None


class ActionFeedback(Action):
    """A 👍 or 👎 pressed under an answer: a 👎 first asks why (optional), then the rating is stored."""

    def name(self) -> str:
        return "action_feedback"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        lang = lang_of(tracker)
        answer_id = entity(tracker, "answer_id")
        rating = entity(tracker, "rating")
        reason = entity(tracker, "reason")
        answer = rated_answer(tracker, answer_id)
        if answer is None or rating not in RATINGS:
            dispatcher.utter_message(response="utter_feedback_unknown")  # an old, forged or garbled button
            return []
        assert answer_id is not None
        if rating == "down" and reason is None:
            titles = REASON_TITLES.get(lang, REASON_TITLES["en"])
            buttons = [{"title": titles[r], "payload": _payload(answer_id, "down", r)} for r in (*REASONS, NO_REASON)]
            dispatcher.utter_message(response="utter_feedback_reason", buttons=buttons)
            return []
        body: dict[str, Any] = {
            "conversation_id": tracker.sender_id,
            "answer_id": answer_id,
            "rating": rating,
            "lang": answer.get("lang") if answer.get("lang") in {"zh", "en"} else lang,
            "channel": tracker.get_latest_input_channel() or "unknown",
        }
        if answer.get("service_id"):
            body["service_id"] = answer["service_id"]
        if rating == "down" and reason in REASONS:
            body["reason"] = reason
        try:
            await client.feedback(body, conversation=tracker.sender_id)
        except AlreadyDone:
            dispatcher.utter_message(response="utter_feedback_already")
            return []
        except (CatalogueUnavailable, NotFound, ValueError):
            dispatcher.utter_message(response="utter_feedback_failed")
            return []
        dispatcher.utter_message(response="utter_feedback_thanks")
        return []
