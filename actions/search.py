"""Finding services: search, choosing from results, life events as checklists, browsing by event.

A situational question ("I just had a baby", 孩子出生了要办什么) is answered with the checklist
the search response carries (``event``): the services in order, each a button; the steps are
remembered in the ``shown`` slot with their order, so "the second one" picks one and "I already
registered the birth" gets the steps that come next. A district in the message only locates:
with a service selected and no other service named, "I'm in Pudong, where do I go" is answered
about the selected service.
"""

from __future__ import annotations

import re
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from .cards import card_payload, card_text, checklist_text, next_steps, select_button
from .catalogue_client import CatalogueUnavailable, NotFound, client
from .feedback import marker, rateable
from .followup import ActionAnswerFollowup
from .language import lang_of, text_of
from .resolve import MAX_QUERY, beyond_the_list, clear_winner, entity, offer, pick_from_shown, trimmed
from .slots import chosen_district

__all__ = ["ActionBrowseEvents", "ActionSearchServices", "ActionShowService", "show_service"]

WORDLESS = re.compile(r"^[\W_]*$", re.UNICODE)
# "I already registered the birth", "done the birth certificate", 出生登记已经办好了, 已经上好户口了.
ALREADY = re.compile(
    r"\balready\b|\b(?:i'?ve|we'?ve|i have|we have) (?:done|got|registered|applied|finished)\b|\bdone\b|\bfinished\b|已经|办好|办完|办了|拿到了|弄好", re.I
)


def checklist_steps(tracker: Tracker) -> list[dict[str, Any]]:
    """The steps of the checklist shown last (entries of ``shown`` that carry an ``order``)."""
    shown = tracker.get_slot("shown")
    if not isinstance(shown, list):
        return []
    return [s for s in shown if isinstance(s, dict) and "order" in s and "event" in s]


def show_checklist(dispatcher: CollectingDispatcher, event: dict[str, Any], lang: str) -> list[EventType]:
    """Send an event's checklist with a button per step, and remember the steps."""
    steps = event.get("steps") or []
    dispatcher.utter_message(
        response="utter_followup",
        answer=checklist_text(event, lang),
        buttons=[select_button(s) for s in steps],
        json_message={"data": {"type": "checklist", "lang": lang, **event}},
    )
    remembered = [{"id": s["id"], "title": s["title"], "order": s["order"], "after": s.get("after") or [], "event": event["id"]} for s in steps]
    return [SlotSet("shown", remembered)]


async def step_done(dispatcher: CollectingDispatcher, tracker: Tracker, text: str, lang: str) -> list[EventType] | None:
    """The steps that come next when the message says a step of the shown checklist is done; None when it does not."""
    steps = checklist_steps(tracker)
    if not steps or not ALREADY.search(text):
        return None
    from rapidfuzz import fuzz

    said = text.lower()
    scored = [(fuzz.partial_ratio(str(s["title"]).lower(), said), s) for s in steps]
    score, step = max(scored, key=lambda pair: pair[0])
    if score < 80:
        result = await client.search(text[:MAX_QUERY], lang, limit=5)
        ids = {s["id"]: s for s in steps}
        found = [h["id"] for h in result.get("results") or [] if h["id"] in ids]
        if not found:
            return None
        step = ids[found[0]]
    done = {str(s["id"]) for s in steps if s.get("done")} | {str(step["id"])}
    remaining = next_steps(steps, done)
    if lang == "zh":
        head = f"好的，【{step['title']}】已经办好。" + ("接下来可以办：" if remaining else "这件事的事项都已办完。")
    else:
        head = f"Good, {step['title']} is done." + (" Next you can do:" if remaining else " That completes the list.")
    lines = [head] + [f"{s['order']}. {s['title']}" for s in remaining]
    dispatcher.utter_message(response="utter_followup", answer="\n".join(lines), buttons=[select_button(s) for s in remaining])
    updated = [{**s, "done": True} if str(s["id"]) in done else s for s in steps]
    return [SlotSet("shown", updated)]


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
        try:
            progress = await step_done(dispatcher, tracker, text, lang)  # "I already registered the birth"
            if progress is not None:
                return progress
            pick = await pick_from_shown(tracker, lang)  # "number 5", "the last one", 第七个, an offered title typed out
            if pick and pick["kind"] == "picked":
                return await show_service(dispatcher, str(pick["id"]), lang, district or tracker.get_slot("district"))
            if pick and pick["kind"] == "out_of_range":
                return beyond_the_list(dispatcher, tracker, pick, lang)
            result = await client.search(text[:MAX_QUERY], lang, limit=5)
            district = district or result.get("district")
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
        if not clear_winner(result) and district and tracker.get_slot("service_id") and intent not in {"out_of_scope", "chitchat"}:
            # "sorry, I meant Pudong" / "I'm in Pudong, where do I go": a district locates, it never
            # selects; with no other service named, the answer is about the selected one.
            return await ActionAnswerFollowup().run(dispatcher, tracker, domain)
        if result.get("event") and intent not in {"out_of_scope", "chitchat"}:
            return events + show_checklist(dispatcher, result["event"], lang)
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
