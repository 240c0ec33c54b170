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

What a save costs (measured by ``benchmarks/rasa_profile.py --stores``, docs/operations.md "The
cost of a turn"): Rasa's ``SQLTrackerStore.save`` first reloads the whole conversation from the
database (``stream_events``: a query, JSON decoding and replaying every event) only to learn which
events are new, and the earlier version of this store masked every event of the conversation on
every save, so both grew with the conversation. Here one save counts the stored rows (the query
Rasa itself uses to choose what to insert), masks, publishes and inserts only the events after
them, and turns each event into its dict once. Everything stored or published is still masked:
the events masked are exactly those written; older ones were masked when they were written, and
the next turn's tracker is read back from those rows.

On SQLite (the embedded stack) the file is in WAL mode with ``synchronous=NORMAL`` and a busy
timeout, as the event broker's file already is (bot/brokers.py): a commit appends to the
write-ahead log instead of syncing the database twice, and a reader never blocks a turn. A power
cut may lose the last turns committed before it; the file stays consistent. Connections are
pooled (SQLAlchemy 1.4 opens a new SQLite connection per session otherwise).

``bot/endpoints.yml``::

    tracker_store:
      type: bot.stores.MaskingSQLTrackerStore
      dialect: sqlite
      db: ${RASA_TRACKER_DB}
"""

from __future__ import annotations

import json
from typing import Any

import sqlalchemy as sa
from bot import action_calls
from bot.brokers import pooled_sqlite_engine
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.events import BotUttered, Event, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from service_catalog.privacy import mask, mask_obj

# Rasa imports this module at start in every configuration of ours: the place to make its action calls
# validate replies with a validator built once (bot/action_calls.py).
action_calls.install()

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

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.engine.dialect.name == "sqlite" and self.engine.url.database not in (None, "", ":memory:"):
            url = self.engine.url
            self.engine.dispose()
            self.engine = pooled_sqlite_engine(url)  # one pooled connection per concurrent session
            self.sessionmaker = sa.orm.session.sessionmaker(bind=self.engine)

    async def save(self, tracker: DialogueStateTracker) -> None:
        """Mask, publish and store the events of ``tracker`` that are not stored yet."""
        for slot in tracker.slots.values():
            if isinstance(slot.value, str):
                slot.value = mask(slot.value)
        with self.session_scope() as session:
            new_events = list(self._additional_events(session, tracker))  # after the rows already stored
            for event in new_events:
                mask_event(event)
            dicts = [event.as_dict() for event in new_events]
            if self.event_broker is not None:
                for data in dicts:
                    self.event_broker.publish({"sender_id": tracker.sender_id, **data})
            for event, data in zip(new_events, dicts, strict=True):
                session.add(
                    self.SQLEvent(
                        sender_id=tracker.sender_id,
                        type_name=event.type_name,
                        timestamp=data.get("timestamp"),
                        intent_name=((data.get("parse_data") or {}).get("intent") or {}).get("name"),
                        action_name=data.get("name"),
                        data=json.dumps(data),
                    )
                )
            session.commit()

    def __repr__(self) -> str:  # pragma: no cover - logging only
        return f"MaskingSQLTrackerStore({self.engine.url!r})" if hasattr(self, "engine") else "MaskingSQLTrackerStore"
