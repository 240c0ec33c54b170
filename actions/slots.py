"""Slot extraction after every user message (run by Rasa's ``action_extract_slots``)."""

from __future__ import annotations

import re
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import ValidationAction
from rasa_sdk.types import DomainDict

from .language import detect, text_of

__all__ = ["ValidateSlotMappings"]

WANTS_ZH = re.compile(r"中文|汉语|普通话|chinese|mandarin|zh\b", re.I)
WANTS_EN = re.compile(r"英文|英语|english|\ben\b", re.I)


class ValidateSlotMappings(ValidationAction):
    """Keeps the ``lang`` slot in step with the language of each message.

    The ``district`` slot is not extracted here: the district a message settles on ("Pudong, not
    Minhang") is decided by the catalogue service with the turn (``POST /api/search/turn``), and the
    search and follow-up actions set the slot from its answer, so the negation rule lives in one place.
    """

    def name(self) -> str:
        return "action_validate_slot_mappings"

    async def extract_lang(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> dict[str, Any]:
        """Detect the reply language; an explicit request to switch wins."""
        text = text_of(tracker)
        previous = tracker.get_slot("lang")
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        if intent == "switch_language":
            if WANTS_EN.search(text):
                return {"lang": "en"}
            if WANTS_ZH.search(text):
                return {"lang": "zh"}
            return {"lang": "en" if previous == "zh" else "zh"}
        if text.startswith("/"):  # a button payload carries no language
            return {"lang": previous or "zh"}
        return {"lang": detect(text, previous)}
