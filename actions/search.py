"""Finding services: search, choosing from results, browsing by life event."""

from __future__ import annotations

import re
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from .cards import card_payload, card_text, select_button
from .catalogue_client import CatalogueUnavailable, NotFound, client
from .feedback import marker, rateable
from .followup import ActionAnswerFollowup
from .language import lang_of, text_of
from .resolve import MAX_QUERY, clear_winner, entity, offer, picked_from_shown, trimmed
from .slots import chosen_district

__all__ = ["ActionBrowseEvents", "ActionSearchServices", "ActionShowService", "show_service"]

WORDLESS = re.compile(r"^[\W_]*$", re.UNICODE)


def handoff_buttons(lang: str) -> list[dict[str, str]]:
    if lang == "zh":
        return [{"title": "按人生事件浏览", "payload": "/browse_events"}, {"title": "转人工客服", "payload": "/human_handoff"}]
    return [{"title": "Browse by life event", "payload": "/browse_events"}, {"title": "Talk to a person", "payload": "/human_handoff"}]


async def show_service(dispatcher: CollectingDispatcher, service_id: str, lang: str, district: str | None) -> list[EventType]:
    """Send the service card (text and structured), remember the service, and ask whether it helped."""
    service = await client.service(service_id, district)
    dispatcher.utter_message(
        response="utter_service_card", card=card_text(service, lang, district), json_message={"data": card_payload(service, lang, district)}
    )
    return [SlotSet("service_id", service_id), rateable(dispatcher, "service_shown", lang, service_id=service_id)]


class ActionSearchServices(Action):
    """Search the catalogue with the citizen's own words; one clear hit shows its card."""

    def name(self) -> str:
        return "action_search_services"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        lang = lang_of(tracker)
        text = text_of(tracker).strip()
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        if not text or WORDLESS.match(text) or text.startswith("/"):
            dispatcher.utter_message(response="utter_empty_message", buttons=handoff_buttons(lang))
            return []
        district = chosen_district(text_of(tracker), tracker.latest_message.get("entities") or [])
        audience = entity(tracker, "audience")
        picked = picked_from_shown(tracker)  # "the second one", or an offered title typed out
        try:
            if picked:
                return await show_service(dispatcher, picked, lang, district or tracker.get_slot("district"))
            result = await client.search(text[:MAX_QUERY], lang, limit=5)
            if not clear_winner(result) and (district or audience):
                # A district or "our company" only breaks ties: searched again with them as
                # filters, that answer is taken when it is confident.
                narrowed = await client.search(text[:MAX_QUERY], lang, limit=5, district=district, audience=audience)
                if narrowed["confident"]:
                    result = narrowed
        except NotFound:
            dispatcher.utter_message(response="utter_ask_which_service")
            return []
        except (CatalogueUnavailable, ValueError):
            dispatcher.utter_message(response="utter_catalogue_down")
            return []
        events: list[EventType] = [SlotSet("last_query", text[:MAX_QUERY])]
        hits: list[dict[str, Any]] = result["results"]
        if (not result["confident"] or not hits) and district and tracker.get_slot("service_id") and intent not in {"out_of_scope", "chitchat"}:
            # "sorry, I meant Pudong" / "那浦东呢" about the selected service: where, in that district.
            return await ActionAnswerFollowup().run(dispatcher, tracker, domain)
        if not result["confident"] or not hits:
            if intent in {"out_of_scope", "chitchat"}:
                dispatcher.utter_message(response="utter_out_of_scope", buttons=handoff_buttons(lang))
                return events
            dispatcher.utter_message(response="utter_search_nothing", buttons=handoff_buttons(lang))
            events.append(marker("no_match", lang, query=text[:MAX_QUERY]))  # masked by the tracker store before it is stored
            if result.get("suggestions"):
                events += offer(dispatcher, result["suggestions"][:3], "utter_search_maybe")
            return events
        winner = clear_winner(result)
        if winner:
            try:
                return events + await show_service(dispatcher, winner, lang, district or tracker.get_slot("district"))
            except NotFound:
                pass
            except CatalogueUnavailable:
                dispatcher.utter_message(response="utter_catalogue_down")
                return events
        return events + offer(dispatcher, trimmed(hits), "utter_search_results")


class ActionShowService(Action):
    """Show the card of the service a button named."""

    def name(self) -> str:
        return "action_show_service"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        lang = lang_of(tracker)
        service_id = entity(tracker, "service_id") or tracker.get_slot("service_id")
        if not service_id:
            dispatcher.utter_message(response="utter_ask_which_service")
            return []
        try:
            return await show_service(dispatcher, service_id, lang, tracker.get_slot("district"))
        except NotFound:
            dispatcher.utter_message(response="utter_search_nothing", buttons=handoff_buttons(lang))
            return [SlotSet("service_id", None)]
        except CatalogueUnavailable:
            dispatcher.utter_message(response="utter_catalogue_down")
            return []


class ActionBrowseEvents(Action):
    """Offer life events as buttons; with an event chosen, the services for it."""

    def name(self) -> str:
        return "action_browse_events"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        lang = lang_of(tracker)
        event = entity(tracker, "event")
        try:
            if event:
                items = await client.services(event=event, per_page=8)
                buttons = [select_button({"id": s["id"], "title": s["title"][lang]}) for s in items]
                dispatcher.utter_message(response="utter_search_results", buttons=buttons)
                return [marker("event_shown", lang, event_id=event)]
            events = [e for e in await client.events() if e["kind"] == "life" and e["services"]]
        except CatalogueUnavailable:
            dispatcher.utter_message(response="utter_catalogue_down")
            return []
        buttons = [{"title": e["label"][lang], "payload": '/browse_events{{"event":"{}"}}'.format(e["id"])} for e in events[:12]]
        dispatcher.utter_message(response="utter_browse_events", buttons=buttons)
        return []
