"""Follow-up questions about the selected service: documents, cost, time, where, online."""

from __future__ import annotations

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from .cards import followup_text, select_button
from .catalogue_client import CatalogueUnavailable, NotFound, client
from .language import lang_of, text_of
from .search import entity

__all__ = ["ActionAnswerFollowup"]

FOLLOWUPS = {"ask_documents", "ask_cost", "ask_processing_time", "ask_where", "ask_online"}


async def mentioned_service(tracker: Tracker, lang: str, current: str | None) -> str | None:
    """The service a question names when it is not the selected one ("how much is the dog licence?").

    The NLU marks the mention (a ``service`` entity from the catalogue's keywords); search
    resolves it, and only a clear winner (search's ``best``, or a fused score 1.5 times the
    runner-up's: a mention is a few words, so its confidence is lower than a full question's)
    switches the conversation to another service.
    """
    mention = entity(tracker, "service")
    if not mention:
        return None
    result = await client.search(mention[:500], lang, limit=3)
    hits = result["results"] if result.get("confident") else []
    if not hits:
        return None
    clear = result.get("best") == hits[0]["id"] or len(hits) == 1 or hits[0]["score"] >= 1.5 * hits[1]["score"]
    return str(hits[0]["id"]) if clear and hits[0]["id"] != current else None


class ActionAnswerFollowup(Action):
    """Answer about the selected service; with none selected, find it from the question first."""

    def name(self) -> str:
        return "action_answer_followup"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        lang = lang_of(tracker)
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        kind = intent if intent in FOLLOWUPS else "ask_where"
        district = entity(tracker, "district") or tracker.get_slot("district")
        service_id = tracker.get_slot("service_id")
        events: list[EventType] = []
        try:
            named = await mentioned_service(tracker, lang, service_id)
            if named:
                service_id = named
                events.append(SlotSet("service_id", service_id))
            elif not service_id:
                result = await client.search(text_of(tracker)[:500], lang, limit=5)
                if not result["confident"] or not result["results"]:
                    dispatcher.utter_message(response="utter_ask_which_service")
                    return []
                if result.get("best") != result["results"][0]["id"]:
                    dispatcher.utter_message(response="utter_search_results", buttons=[select_button(h) for h in result["results"]])
                    return []
                service_id = result["results"][0]["id"]
                events.append(SlotSet("service_id", service_id))
            service = await client.service(service_id, district)
        except NotFound:
            dispatcher.utter_message(response="utter_ask_which_service")
            return [SlotSet("service_id", None)]
        except CatalogueUnavailable:
            dispatcher.utter_message(response="utter_catalogue_down")
            return []
        dispatcher.utter_message(response="utter_followup", answer=followup_text(kind, service, lang, district))
        return events
