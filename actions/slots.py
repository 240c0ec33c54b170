"""Slot extraction after every user message (run by Rasa's ``action_extract_slots``)."""

from __future__ import annotations

import re
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import ValidationAction
from rasa_sdk.types import DomainDict

from .language import detect, text_of

__all__ = ["ValidateSlotMappings", "chosen_district"]

WANTS_ZH = re.compile(r"中文|汉语|普通话|chinese|mandarin|zh\b", re.I)
WANTS_EN = re.compile(r"英文|英语|english|\ben\b", re.I)
# Just before a district it rules that one out: "I meant Pudong, not Minhang", "是浦东不是闵行".
NEGATED_BEFORE = re.compile(r"(?:\bnot|\bno|n't|不是|不在|而非|非)\s*(?:in\s+|the\s+)?$", re.I)


def chosen_district(text: str, entities: list[dict[str, Any]]) -> str | None:
    """The district a message settles on: the one not ruled out by a "not"/"不是" right before it."""
    found = [e for e in entities if e.get("entity") == "district" and e.get("value")]
    kept = [e for e in found if not (isinstance(e.get("start"), int) and NEGATED_BEFORE.search(text[max(0, e["start"] - 8) : e["start"]]))]
    chosen = kept or found
    return str(chosen[0]["value"]) if chosen else None


class ValidateSlotMappings(ValidationAction):
    """Keeps the ``lang`` slot in step with the language of each message, and ``district`` with the
    district the citizen settles on."""

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

    async def extract_district(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> dict[str, Any]:
        """A district named in the message, the one not ruled out when it names two; else unchanged."""
        chosen = chosen_district(text_of(tracker), list(tracker.latest_message.get("entities") or []))
        return {"district": chosen} if chosen else {}
