"""Follow-up questions about the selected service: documents, cost, time, where, online.

One catalogue call per question: the catalogue service decides which service it is about and
answers with that service's card (``resolve.about``); this action words the answer.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from .cards import followup_text
from .catalogue_client import CatalogueUnavailable
from .feedback import marker
from .language import lang_of
from .resolve import about

__all__ = ["ActionAnswerFollowup", "answer_about"]

FOLLOWUPS = {"ask_documents", "ask_cost", "ask_processing_time", "ask_where", "ask_online"}


def answer_about(dispatcher: CollectingDispatcher, kind: str, service: dict[str, Any], lang: str, district: str | None) -> list[EventType]:
    """Answer a follow-up from the service's card; "where" is marked as a referral to a service centre (the insights count it)."""
    dispatcher.utter_message(response="utter_followup", answer=followup_text(kind, service, lang, district))
    return [marker("centre", lang, service_id=str(service["id"]))] if kind == "ask_where" else []


class ActionAnswerFollowup(Action):
    """Answer about the service the question is about (see ``resolve.about``)."""

    def name(self) -> str:
        return "action_answer_followup"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        lang = lang_of(tracker)
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        kind = intent if intent in FOLLOWUPS else "ask_where"
        try:
            service, district, events = await about(dispatcher, tracker, lang)
        except CatalogueUnavailable:
            dispatcher.utter_message(response="utter_catalogue_down")
            return []
        if district != tracker.get_slot("district"):
            events = [*events, SlotSet("district", district)]
        if service is None:
            return events  # the services offered instead (the shown slot), so "number 2" can pick one
        return [*events, *answer_about(dispatcher, kind, service, lang, district)]
