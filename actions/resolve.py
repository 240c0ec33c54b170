"""Which service a message is about, as the catalogue service decides it, in one call.

Follow-ups, the eligibility check and "apply" all need a service. A citizen may ask "can I get
unemployment benefit?" as a first message, name another service mid-conversation ("and how much
is the dog licence?"), pick one from a list ("what does the second one cost?"), or ask "how much
is it?" right after a list of results. The order of those rules, and the district the message
settles on ("Pudong, not Minhang"), live in the catalogue service (``POST /api/search/turn`` with
``mode: about``; ``service_catalog/search/turn.py``), shared by every channel and the agent
console. This module sends what the conversation holds and words the answer: the card, "there
are only N", the services to choose from as buttons, or "which service?".
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from .cards import select_button
from .catalogue_client import NotFound, client
from .language import text_of

__all__ = ["MAX_QUERY", "about", "beyond_the_list", "entity", "offer", "pick_from_shown", "resolve_service", "settled", "turn"]

MAX_QUERY = 500
BEYOND = {
    "zh": "刚才的列表只有{count}项，没有第{asked}项。您要的是哪一项？",
    "en": "There are only {count} in the list I showed, so there is no number {asked}. Which one do you mean?",
}


def entity(tracker: Tracker, name: str) -> str | None:
    values = [e.get("value") for e in (tracker.latest_message.get("entities") or []) if e.get("entity") == name]
    return str(values[0]) if values else None


def shown_of(tracker: Tracker) -> list[dict[str, Any]]:
    """The list shown last (the ``shown`` slot), items with an id only."""
    shown = tracker.get_slot("shown")
    return [s for s in shown if isinstance(s, dict) and s.get("id")] if isinstance(shown, list) else []


async def turn(tracker: Tracker, lang: str, mode: str = "find") -> dict[str, Any]:
    """The catalogue service's decision for this message (``POST /api/search/turn``).

    Raises:
        CatalogueUnavailable: the catalogue service cannot be reached.
        NotFound: the selected service is no longer in the catalogue.
    """
    intent = (tracker.latest_message.get("intent") or {}).get("name")
    return await client.turn(
        text_of(tracker).strip()[:MAX_QUERY],
        lang,
        mode=mode,
        shown=shown_of(tracker),
        selected=tracker.get_slot("service_id"),
        district=tracker.get_slot("district"),
        audience=entity(tracker, "audience"),
        intent=intent,
        mention=entity(tracker, "service") if mode == "about" else None,
        conversation=tracker.sender_id,
    )


def settled(tracker: Tracker, decision: dict[str, Any]) -> list[EventType]:
    """The district slot, when the decision settles the conversation on another one."""
    district = decision.get("district")
    return [SlotSet("district", district)] if district != tracker.get_slot("district") else []


def offer(dispatcher: CollectingDispatcher, hits: list[dict[str, Any]], response: str, shown: list[dict[str, Any]] | None = None) -> list[EventType]:
    """Offer services as buttons and remember them (the ``shown`` slot) for a pick by number or title."""
    dispatcher.utter_message(response=response, buttons=[select_button(h) for h in hits])
    return [SlotSet("shown", shown if shown is not None else [{"id": h["id"], "title": h["title"]} for h in hits])]


async def pick_from_shown(tracker: Tracker, lang: str) -> dict[str, Any] | None:
    """What the message picks from the list just shown, as the catalogue service decides for every
    channel (``POST /api/picks/resolve``): ``{kind, count, id?, position?, asked?}``; None when nothing was shown.

    Raises:
        CatalogueUnavailable: the catalogue service cannot be reached.
    """
    shown = shown_of(tracker)
    text = text_of(tracker).strip()
    if not shown or not text or text.startswith("/"):
        return None
    try:
        return await client.resolve_pick(text[:MAX_QUERY], lang, shown)
    except (NotFound, ValueError):  # a catalogue service without the endpoint, or a list it refuses: no pick
        return None


def beyond_the_list(dispatcher: CollectingDispatcher, tracker: Tracker, pick: dict[str, Any], lang: str) -> list[EventType]:
    """ "Number 7" after a list of 5: say there are only 5, and offer the list again."""
    answer = BEYOND[lang].format(count=pick["count"], asked=pick.get("asked", ""))
    dispatcher.utter_message(response="utter_followup", answer=answer, buttons=[select_button(s) for s in shown_of(tracker)])
    return []


async def about(dispatcher: CollectingDispatcher, tracker: Tracker, lang: str) -> tuple[dict[str, Any] | None, str | None, list[EventType]]:
    """The card of the service this message is about, the district settled on, and the slot events that
    select the service (``service_id``) or remember the list offered (``shown``).

    Without a service, the reply is already sent: "there are only N", the services to choose from
    as buttons (the list just shown, else the message's own candidates), or "which service?".

    A selected service the catalogue no longer has is dropped (the citizen is asked which service).

    Raises:
        CatalogueUnavailable: the catalogue service cannot be reached.
    """
    try:
        decision = await turn(tracker, lang, mode="about")
    except NotFound:
        dispatcher.utter_message(response="utter_ask_which_service")
        return None, tracker.get_slot("district"), [SlotSet("service_id", None)]
    kind, card, district = decision["kind"], decision.get("service"), decision.get("district")
    if kind in ("service", "about_selected") and card:
        return card, district, [SlotSet("service_id", str(card["id"]))] if decision.get("selects") else []
    if kind == "out_of_range":
        return None, district, beyond_the_list(dispatcher, tracker, decision, lang)
    if kind == "list" and decision.get("hits"):
        return None, district, offer(dispatcher, decision["hits"], "utter_which_of_these", decision.get("shown"))
    dispatcher.utter_message(response="utter_ask_which_service")
    return None, district, []


async def resolve_service(dispatcher: CollectingDispatcher, tracker: Tracker, lang: str) -> tuple[str | None, list[EventType]]:
    """The service this message is about, with the slot events that select it (see ``about``).

    Raises:
        CatalogueUnavailable: the catalogue service cannot be reached.
    """
    card, _, events = await about(dispatcher, tracker, lang)
    return (str(card["id"]) if card else None), events
