"""Which service a question is about: the one it names, the selected one, or the one its words find.

Follow-ups, the eligibility check and "apply" all need a service. A citizen may ask "can I get
unemployment benefit?" as a first message, name another service mid-conversation ("and how much
is the dog licence?"), or ask "how much is it?" right after a list of results. This module
decides in that order and, when it cannot, offers candidates as buttons instead of a bare
"which service?".
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from .cards import select_button
from .catalogue_client import NotFound, client
from .language import text_of

__all__ = ["MAX_QUERY", "beyond_the_list", "clear_winner", "entity", "mentioned_service", "offer", "pick_from_shown", "resolve_service", "trimmed"]

MAX_QUERY = 500
BEYOND = {
    "zh": "刚才的列表只有{count}项，没有第{asked}项。您要的是哪一项？",
    "en": "There are only {count} in the list I showed, so there is no number {asked}. Which one do you mean?",
}


def entity(tracker: Tracker, name: str) -> str | None:
    values = [e.get("value") for e in (tracker.latest_message.get("entities") or []) if e.get("entity") == name]
    return str(values[0]) if values else None


def clear_winner(result: dict[str, Any]) -> str | None:
    """The one clearly best hit of a search response: search's ``best``, or a fused score 1.5 times the runner-up's.

    The second rule matters for short texts (a mention, "失业金"), whose confidence stays below
    the bar for ``best`` even when nothing else comes close.
    """
    hits = result["results"] if result.get("confident") else []
    if not hits:
        return None
    if result.get("best") == hits[0]["id"] or len(hits) == 1 or hits[0]["score"] >= 1.5 * hits[1]["score"]:
        return str(hits[0]["id"])
    return None


def trimmed(hits: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The hits worth offering: those within reach of the best (fused score at least 40 % of it).

    A list padded with far weaker hits (adoption for a pregnancy, a food licence for a care home)
    costs the citizen's trust more than a shorter list.
    """
    if not hits:
        return []
    top = float(hits[0]["score"])
    return [h for h in hits[:5] if float(h["score"]) >= 0.4 * top]


def offer(dispatcher: CollectingDispatcher, hits: list[dict[str, Any]], response: str) -> list[EventType]:
    """Offer services as buttons and remember them (the ``shown`` slot) for a pick by number or title."""
    dispatcher.utter_message(response=response, buttons=[select_button(h) for h in hits])
    return [SlotSet("shown", [{"id": h["id"], "title": h["title"]} for h in hits])]


async def pick_from_shown(tracker: Tracker, lang: str) -> dict[str, Any] | None:
    """What the message picks from the list just shown (the ``shown`` slot), as the catalogue service
    decides for every channel (``POST /api/picks/resolve``: "number 5", "the last one", 第七个, a
    title with a typo): ``{kind, count, id?, position?, asked?}``; None when nothing was shown.

    Raises:
        CatalogueUnavailable: the catalogue service cannot be reached.
    """
    shown = tracker.get_slot("shown")
    text = text_of(tracker).strip()
    if not isinstance(shown, list) or not shown or not text or text.startswith("/"):
        return None
    try:
        return await client.resolve_pick(text[:MAX_QUERY], lang, [s for s in shown if isinstance(s, dict) and s.get("id")])
    except (NotFound, ValueError):  # a catalogue service without the endpoint, or a list it refuses: no pick
        return None


def beyond_the_list(dispatcher: CollectingDispatcher, tracker: Tracker, pick: dict[str, Any], lang: str) -> list[EventType]:
    """ "Number 7" after a list of 5: say there are only 5, and offer the list again."""
    shown = [s for s in tracker.get_slot("shown") or [] if isinstance(s, dict) and s.get("id")]
    answer = BEYOND[lang].format(count=pick["count"], asked=pick.get("asked", ""))
    dispatcher.utter_message(response="utter_followup", answer=answer, buttons=[select_button(s) for s in shown])
    return []


async def mentioned_service(tracker: Tracker, lang: str, current: str | None) -> str | None:
    """The service a message names when it is not the selected one ("how much is the dog licence?").

    The NLU marks the mention (a ``service`` entity from the catalogue's keywords); search
    resolves it, and only a clear winner switches the conversation to another service.
    """
    mention = entity(tracker, "service")
    if not mention:
        return None
    winner = clear_winner(await client.search(mention[:MAX_QUERY], lang, limit=3))
    return winner if winner and winner != current else None


async def resolve_service(dispatcher: CollectingDispatcher, tracker: Tracker, lang: str) -> tuple[str | None, list[EventType]]:
    """The service this message is about, with the slot events that select it.

    In order: a service the message names; one of the services just offered, picked by its place
    ("the second one", "第二个", "the last one") or title (a place beyond the list is answered
    "there are only N", with no service); the selected service; the message's own words when
    they find one clear winner. Otherwise the services just offered (else the message's own
    candidates) are offered again as buttons, or the citizen is asked to describe the matter,
    and the service is None.

    Raises:
        CatalogueUnavailable: the catalogue service cannot be reached.
    """
    current = tracker.get_slot("service_id")
    named = await mentioned_service(tracker, lang, current)
    if named:
        return named, [SlotSet("service_id", named)]
    text = text_of(tracker).strip()
    pick = await pick_from_shown(tracker, lang)
    if pick and pick["kind"] == "picked":
        return str(pick["id"]), [SlotSet("service_id", str(pick["id"]))]
    if pick and pick["kind"] == "out_of_range":
        return None, beyond_the_list(dispatcher, tracker, pick, lang)
    if current:
        return str(current), []
    hits: list[dict[str, Any]] = []
    if text and not text.startswith("/"):
        result = await client.search(text[:MAX_QUERY], lang, limit=5)
        winner = clear_winner(result)
        if winner:
            return winner, [SlotSet("service_id", winner)]
        hits = trimmed(result["results"]) if result.get("confident") else []
    shown = tracker.get_slot("shown")
    if isinstance(shown, list) and shown:
        hits = shown  # "what documents do I need?" right after a list is about one of those
    if hits:
        return None, offer(dispatcher, hits, "utter_which_of_these")
    dispatcher.utter_message(response="utter_ask_which_service")
    return None, []
