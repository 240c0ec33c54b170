"""Handoff: to a person (a ticket in the agent console's queue) or to the online application.

The application link carries the citizen's answers only after they say yes to sharing them:
``action_apply`` asks and sets ``awaiting_consent``; the rules send ``affirm`` to
``action_confirm_apply`` and ``deny`` to ``action_decline_apply``.

When the check was for someone else ("what about for my mother?"), the consent question, the link
and the ticket say for whom (``subject``): the answers shared are that person's, the portal shows
the relation, and the agent's queue line starts with it.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from .catalogue_client import CatalogueUnavailable, NotFound, client
from .eligibility import answers_of
from .feedback import marker
from .language import lang_of
from .resolve import beyond_the_list, pick_from_shown, resolve_service
from .search import show_service
from .subject import subject_of

__all__ = ["ActionApply", "ActionConfirmApply", "ActionDeclineApply", "ActionHandoffHuman", "transcript_of"]

TRANSCRIPT_TURNS = 50
CONSENT_BUTTONS = {
    "zh": [{"title": "同意共享", "payload": "/affirm"}, {"title": "不共享", "payload": "/deny"}],
    "en": [{"title": "Yes, share them", "payload": "/affirm"}, {"title": "No, don't share", "payload": "/deny"}],
}
LINK_LABEL = {"zh": "打开在线申请", "en": "Open the online application"}


def transcript_of(tracker: Tracker, turns: int = TRANSCRIPT_TURNS) -> list[dict[str, Any]]:
    """The last ``turns`` user and bot messages that carry text, oldest first."""
    entries: list[dict[str, Any]] = []
    for event in tracker.events:
        who = event.get("event")
        text = event.get("text")
        if who in {"user", "bot"} and isinstance(text, str) and text.strip():
            entry: dict[str, Any] = {"who": who, "text": text}
            if isinstance(event.get("timestamp"), (int, float)):
                entry["ts"] = event["timestamp"]
            entries.append(entry)
    return entries[-turns:]


def _channel(tracker: Tracker) -> str:
    return tracker.get_latest_input_channel() or "unknown"


async def _title(service_id: str, lang: str) -> str:
    try:
        service = await client.service(service_id)
    except (CatalogueUnavailable, NotFound, ValueError):
        return service_id
    return str(service["title"][lang])


async def _who(tracker: Tracker, service_id: str, lang: str) -> str | None:
    """The person the answers are about, as the catalogue service words them ("your mother"); None for the citizen."""
    subject = subject_of(tracker)
    if not subject:
        return None
    try:
        result = await client.eligibility_for(service_id, answers_of(tracker), lang, subject=subject)
    except (CatalogueUnavailable, NotFound, ValueError):
        return None
    who = (result.get("subject") or {}).get("who")
    return str(who) if who else None


async def _without_sharing(dispatcher: CollectingDispatcher, service_id: str, lang: str, response: str = "utter_apply_without_sharing") -> list[EventType]:
    """Point to the service's own online application (nothing shared), or to a service centre; the outcome marker."""
    try:
        service = await client.service(service_id)
    except (CatalogueUnavailable, NotFound, ValueError):
        dispatcher.utter_message(response="utter_catalogue_down")
        return []
    url = (service.get("channels") or {}).get("online_url")
    title = service["title"][lang]
    if url:
        dispatcher.utter_message(
            response=response,
            url=url,
            service=title,
            json_message={"data": {"type": "handoff_link", "url": url, "label": LINK_LABEL[lang]}},
        )
        return [marker("application_link", lang, service_id=service_id)]
    dispatcher.utter_message(response="utter_apply_offline", service=title)
    return [marker("centre", lang, service_id=service_id)]


async def _picked_instead(dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType] | None:
    """ "Number 5" right after a list is a pick, never a request for a person (the NLU once read it as
    ``human_handoff`` from the hotline "number" examples): the service's card, or "there are only N"."""
    lang = lang_of(tracker)
    try:
        pick = await pick_from_shown(tracker, lang)
        if pick and pick["kind"] == "picked":
            return await show_service(dispatcher, str(pick["id"]), lang, tracker.get_slot("district"))
    except (CatalogueUnavailable, NotFound):
        return None  # the ticket is still made: asking for a person must work when the catalogue does not
    if pick and pick["kind"] == "out_of_range":
        return beyond_the_list(dispatcher, tracker, pick, lang)
    return None


class ActionHandoffHuman(Action):
    """Queues the conversation for a person and gives the citizen the ticket number and their place in the queue.

    Asking again while the ticket is open gets the same ticket (the catalogue service keeps one
    open ticket per conversation); once an agent has taken it (place 0) the citizen is told so.
    """

    def name(self) -> str:
        return "action_handoff_human"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        picked = await _picked_instead(dispatcher, tracker)
        if picked is not None:
            return picked
        payload: dict[str, Any] = {"transcript": transcript_of(tracker), "lang": lang_of(tracker), "channel": _channel(tracker), "answers": answers_of(tracker)}
        if tracker.get_slot("service_id"):
            payload["service_id"] = tracker.get_slot("service_id")
        if subject_of(tracker):
            payload["subject"] = subject_of(tracker)  # the agent sees for whom the citizen asks
        try:
            ticket = await client.create_ticket(payload, conversation=tracker.sender_id)
        except (CatalogueUnavailable, NotFound, ValueError):
            dispatcher.utter_message(response="utter_handoff_hotline")
            return []
        position = ticket.get("position")
        if position == 0:
            dispatcher.utter_message(response="utter_handoff_with_agent", ticket=ticket["ticket"])
        else:
            dispatcher.utter_message(response="utter_handoff_ticket", ticket=ticket["ticket"], position=position if isinstance(position, int) else 1)
        return [marker("handoff", payload["lang"], service_id=payload.get("service_id"))]


class ActionApply(Action):
    """Asks for explicit consent before the answers go to the application portal."""

    def name(self) -> str:
        return "action_apply"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        lang = lang_of(tracker)
        try:
            service_id, events = await resolve_service(dispatcher, tracker, lang)
            if not service_id:
                return events
            if not tracker.get_slot("service_id") or events:
                # "我要办护照" with nothing selected yet: the card first (it carries the online link);
                # consent is asked when the citizen then applies.
                return await show_service(dispatcher, service_id, lang, tracker.get_slot("district"))
        except NotFound:
            dispatcher.utter_message(response="utter_ask_which_service")
            return []
        except CatalogueUnavailable:
            dispatcher.utter_message(response="utter_catalogue_down")
            return []
        count = len(answers_of(tracker))
        if count == 0:
            # Nothing to share, so nothing to consent to: the service's own online application.
            return await _without_sharing(dispatcher, service_id, lang, "utter_apply_online")
        who = await _who(tracker, service_id, lang)
        response, other = ("utter_ask_share_consent_other", {"who": who}) if who else ("utter_ask_share_consent", {})
        dispatcher.utter_message(response=response, service=await _title(service_id, lang), count=count, buttons=CONSENT_BUTTONS[lang], **other)
        return [SlotSet("awaiting_consent", True)]


class ActionConfirmApply(Action):
    """Consent given: a signed, single-use link that opens the application pre-filled."""

    def name(self) -> str:
        return "action_confirm_apply"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        done: list[EventType] = [SlotSet("awaiting_consent", False)]
        service_id = tracker.get_slot("service_id")
        lang = lang_of(tracker)
        if not service_id:
            dispatcher.utter_message(response="utter_ask_which_service")
            return done
        try:
            link = await client.handoff_link_for(service_id, answers_of(tracker), lang, _channel(tracker), subject_of(tracker), conversation=tracker.sender_id)
        except CatalogueUnavailable:
            dispatcher.utter_message(response="utter_catalogue_down")
            return done
        except (NotFound, ValueError):
            # The service or an answer was refused: the plain online application still works.
            return done + await _without_sharing(dispatcher, service_id, lang)
        url = link["url"]
        minutes = max(1, int(link.get("expires_in", 600)) // 60)
        who = await _who(tracker, service_id, lang)
        dispatcher.utter_message(
            response="utter_handoff_link_other" if who else "utter_handoff_link",
            url=url,
            minutes=minutes,
            json_message={"data": {"type": "handoff_link", "url": url, "label": LINK_LABEL[lang]}},
            **({"who": who} if who else {}),
        )
        return [*done, marker("application_link", lang, service_id=service_id)]


class ActionDeclineApply(Action):
    """Consent refused: the online application without any of the answers."""

    def name(self) -> str:
        return "action_decline_apply"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        service_id = tracker.get_slot("service_id")
        if not service_id:
            dispatcher.utter_message(response="utter_ask_which_service")
            return [SlotSet("awaiting_consent", False)]
        return [SlotSet("awaiting_consent", False), *await _without_sharing(dispatcher, service_id, lang_of(tracker))]
