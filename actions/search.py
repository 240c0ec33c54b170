"""Finding services: one catalogue call per search turn, worded here; browsing by life event.

The catalogue service decides what a search turn does (``POST /api/search/turn``;
``service_catalog/search/turn.py``): a step of the checklist shown is done ("I already
registered the birth"), a pick from the list shown ("number 5", 第七个), the service card when
one service stands out, the services to choose from, a life event's checklist, "I'm in
Pudong, where do I go" answered about the selected service, or nothing. It answers with the card
itself, the list to remember in the ``shown`` slot and the district the conversation settles on;
the actions below only word that answer.
"""

from __future__ import annotations

import re
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from .cards import card_payload, card_text, checklist_text, select_button
from .catalogue_client import CatalogueUnavailable, NotFound, client
from .feedback import marker, rateable
from .followup import answer_about
from .language import lang_of, text_of
from .resolve import MAX_QUERY, beyond_the_list, entity, offer, settled, turn
from .subject import follow_up_about

__all__ = ["ActionBrowseEvents", "ActionSearchServices", "ActionShowService", "show_service"]

WORDLESS = re.compile(r"^[\W_]*$", re.UNICODE)


def show_checklist(dispatcher: CollectingDispatcher, event: dict[str, Any], lang: str, shown: list[dict[str, Any]] | None = None) -> list[EventType]:
    """Send an event's checklist with a button per step, and remember the steps (as the catalogue
    service gave them, else with their order and event) so a step can be picked or said to be done."""
    steps = event.get("steps") or []
    dispatcher.utter_message(
        response="utter_followup",
        answer=checklist_text(event, lang),
        buttons=[select_button(s) for s in steps],
        json_message={"data": {"type": "checklist", "lang": lang, **event}},
    )
    if shown is None:
        shown = [{"id": s["id"], "title": s["title"], "order": s["order"], "after": s.get("after") or [], "event": event["id"]} for s in steps]
    return [SlotSet("shown", shown)]


def steps_done(dispatcher: CollectingDispatcher, decision: dict[str, Any], lang: str) -> list[EventType]:
    """The steps that come next, after the person said a step is done."""
    step, remaining = decision["step"], decision.get("remaining") or []
    if lang == "zh":
        head = f"好的，【{step['title']}】已经办好。" + ("接下来可以办：" if remaining else "这件事的事项都已办完。")
    else:
        head = f"Good, {step['title']} is done." + (" Next you can do:" if remaining else " That completes the list.")
    lines = [head] + [f"{s['order']}. {s['title']}" for s in remaining]
    dispatcher.utter_message(response="utter_followup", answer="\n".join(lines), buttons=[select_button(s) for s in remaining])
    return [SlotSet("shown", decision["shown"])]


def handoff_buttons(lang: str) -> list[dict[str, str]]:
    if lang == "zh":
        return [{"title": "按人生事件浏览", "payload": "/browse_events"}, {"title": "转人工客服", "payload": "/human_handoff"}]
    return [{"title": "Browse by life event", "payload": "/browse_events"}, {"title": "Talk to a person", "payload": "/human_handoff"}]


def send_card(dispatcher: CollectingDispatcher, service: dict[str, Any], lang: str, district: str | None) -> list[EventType]:
    """Send the service card (text and structured), remember the service, and ask whether it helped."""
    service_id = str(service["id"])
    dispatcher.utter_message(
        response="utter_service_card", card=card_text(service, lang, district), json_message={"data": card_payload(service, lang, district)}
    )
    return [SlotSet("service_id", service_id), rateable(dispatcher, "service_shown", lang, service_id=service_id)]


async def show_service(dispatcher: CollectingDispatcher, service_id: str, lang: str, district: str | None) -> list[EventType]:
    """Fetch and send a service's card (a button named it)."""
    return send_card(dispatcher, await client.service(service_id, district), lang, district)


class ActionSearchServices(Action):
    """A search turn: the catalogue service decides (one call), this action words its decision."""

    def name(self) -> str:
        return "action_search_services"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        lang = lang_of(tracker)
        text = text_of(tracker).strip()
        if not text or WORDLESS.match(text) or text.startswith("/"):
            dispatcher.utter_message(response="utter_empty_message", buttons=handoff_buttons(lang))
            return []
        if tracker.get_slot("service_id") and follow_up_about(tracker):
            # "and my wife? she is a foreigner": the selected service's check for her, never another service
            return [FollowupAction("action_check_for_whom")]
        try:
            decision = await turn(tracker, lang)
        except NotFound:  # the selected service is no longer in the catalogue
            dispatcher.utter_message(response="utter_ask_which_service")
            return [SlotSet("service_id", None)]
        except (CatalogueUnavailable, ValueError):
            dispatcher.utter_message(response="utter_catalogue_down")
            return []
        return settled(tracker, decision) + self.word(dispatcher, tracker, decision, lang, text)

    @staticmethod
    def word(dispatcher: CollectingDispatcher, tracker: Tracker, decision: dict[str, Any], lang: str, text: str) -> list[EventType]:
        """Word the catalogue service's decision (``kind``)."""
        kind, district = decision["kind"], decision.get("district")
        searched: list[EventType] = [SlotSet("last_query", text[:MAX_QUERY])]
        if kind == "steps_done":
            return steps_done(dispatcher, decision, lang)
        if kind == "out_of_range":
            return beyond_the_list(dispatcher, tracker, decision, lang)
        if kind == "about_selected":
            # "I'm in Pudong, where do I go": a district locates, it never selects; the answer is about the selected service.
            return answer_about(dispatcher, "ask_where", decision["service"], lang, district)
        if kind == "service":
            return searched + send_card(dispatcher, decision["service"], lang, district)
        if kind == "checklist":
            return searched + show_checklist(dispatcher, decision["event"], lang, decision.get("shown"))
        if kind == "list":
            return searched + offer(dispatcher, decision["hits"], "utter_search_results", decision.get("shown"))
        if decision.get("reason") == "off_topic":
            dispatcher.utter_message(response="utter_out_of_scope", buttons=handoff_buttons(lang))
            return searched
        dispatcher.utter_message(response="utter_search_nothing", buttons=handoff_buttons(lang))
        searched.append(marker("no_match", lang, query=text[:MAX_QUERY]))  # masked by the tracker store before it is stored
        if decision.get("suggestions"):
            searched += offer(dispatcher, decision["suggestions"], "utter_search_maybe", decision.get("shown"))
        return searched


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


BUSINESS = "business"  # the event value of the button that lists the business events


class ActionBrowseEvents(Action):
    """Offer every event as buttons (life events, then a button for the business events); with an
    event chosen, its checklist."""

    def name(self) -> str:
        return "action_browse_events"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        lang = lang_of(tracker)
        event = entity(tracker, "event")
        try:
            if event and event != BUSINESS:
                shown = show_checklist(dispatcher, await client.checklist(event, lang), lang)
                return [*shown, marker("event_shown", lang, event_id=event)]
            kind = "business" if event == BUSINESS else "life"
            events = [e for e in await client.events() if e["kind"] == kind and (e["services"] or e.get("steps"))]
        except NotFound:
            dispatcher.utter_message(response="utter_search_nothing", buttons=handoff_buttons(lang))
            return []
        except CatalogueUnavailable:
            dispatcher.utter_message(response="utter_catalogue_down")
            return []
        buttons = [{"title": e["label"][lang], "payload": '/browse_events{{"event":"{}"}}'.format(e["id"])} for e in events]
        if kind == "life":  # every event is reachable: the business ones behind one more button
            buttons.append({"title": "企业办事" if lang == "zh" else "Business events", "payload": f'/browse_events{{"event":"{BUSINESS}"}}'})
        dispatcher.utter_message(response="utter_browse_events", buttons=buttons)
        return []
