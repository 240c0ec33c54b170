"""Small talk that needs a slot change: switching the reply language."""

from __future__ import annotations

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

__all__ = ["ActionSwitchLanguage"]


class ActionSwitchLanguage(Action):
    """Confirm the language switch (the slot itself is set by the slot-mapping validator)."""

    def name(self) -> str:
        return "action_switch_language"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        dispatcher.utter_message(response="utter_language_switched")
        return []
