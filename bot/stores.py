"""A SQL tracker store that masks personal data before anything is stored or published.

Rasa keeps every message of every conversation in its tracker store. Before a tracker is saved
(and before its new events go to an event broker), the text of user and bot messages, the
parsed text and entity values, and string slot values are masked with the project's one
masking module (``service_catalog/privacy.py``: ID numbers, phone numbers, bank cards,
passports and permits, e-mail addresses). The bot never needs those values back: eligibility
answers are numbers, dates, yes/no and choices.

Masking happens in place, after the turn's actions have run, so the turn itself sees what the
citizen wrote; the next turn reads the masked history. Conversations older than the retention
(``python -m service_catalog purge --tracker-db ...``) are deleted.

``bot/endpoints.yml``::

    tracker_store:
      type: bot.stores.MaskingSQLTrackerStore
      dialect: sqlite
      db: ${RASA_TRACKER_DB}
"""

from __future__ import annotations

from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.events import BotUttered, Event, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from service_catalog.privacy import mask, mask_obj

__all__ = ["MaskingSQLTrackerStore", "mask_event"]


def mask_event(event: Event) -> None:
    """Mask the personal data in one event, in place (idempotent)."""
    if isinstance(event, UserUttered):
        if isinstance(event.text, str):
            event.text = mask(event.text)
        if isinstance(event.parse_data, dict):
            event.parse_data = mask_obj(event.parse_data)
        event.entities = mask_obj(event.entities)
    elif isinstance(event, BotUttered):
        if isinstance(event.text, str):
            event.text = mask(event.text)
        event.data = mask_obj(event.data)
    elif isinstance(event, SlotSet) and isinstance(event.value, (str, list, dict)):
        event.value = mask_obj(event.value)


class MaskingSQLTrackerStore(SQLTrackerStore):
    """``SQLTrackerStore`` whose stored and published events carry no personal data."""

    async def save(self, tracker: DialogueStateTracker) -> None:
        for event in tracker.events:
            mask_event(event)
        for slot in tracker.slots.values():
            if isinstance(slot.value, str):
                slot.value = mask(slot.value)
        await super().save(tracker)

    def __repr__(self) -> str:  # pragma: no cover - logging only
        return f"MaskingSQLTrackerStore({self.engine.url!r})" if hasattr(self, "engine") else "MaskingSQLTrackerStore"
