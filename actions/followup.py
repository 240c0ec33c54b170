"""Follow-up questions about the selected service: documents, cost, time, where, online."""

from __future__ import annotations

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from .cards import followup_text
from .catalogue_client import CatalogueUnavailable, NotFound, client
from .feedback import marker
from .language import lang_of
from .resolve import resolve_service

__all__ = ["ActionAnswerFollowup"]

FOLLOWUPS = {"ask_documents", "ask_cost", "ask_processing_time", "ask_where", "ask_online"}


class ActionAnswerFollowup(Action):
    """Answer about the service the question is about (see ``resolve_service``)."""

    def name(self) -> str:
        return "action_answer_followup"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        lang = lang_of(tracker)
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        kind = intent if intent in FOLLOWUPS else "ask_where"
        district = tracker.get_slot("district")  # the district the citizen settled on (actions/slots.py)
        try:
            service_id, events = await resolve_service(dispatcher, tracker, lang)
            if not service_id:
                return events  # the services offered instead (the shown slot), so "number 2" can pick one
            service = await client.service(service_id, district)
        except NotFound:
            dispatcher.utter_message(response="utter_ask_which_service")
            return [SlotSet("service_id", None)]
        except CatalogueUnavailable:
            dispatcher.utter_message(response="utter_catalogue_down")
            return []
        dispatcher.utter_message(response="utter_followup", answer=followup_text(kind, service, lang, district))
        if kind == "ask_where":  # where to go in person: a referral to a service centre (the insights count it)
            return [*events, marker("centre", lang, service_id=service_id)]
        return events
