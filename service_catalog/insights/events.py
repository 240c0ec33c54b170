"""Rasa's conversation events, read from the table its SQL event broker writes.

Rasa's ``SQLEventBroker`` (configured in ``bot/endpoints.yml``) appends one row per event to
``events`` (``id``, ``sender_id``, ``data`` = the event as JSON) in the database named by
``CATALOG_EVENTS_URL``. We only read it: rows after the last id seen are fetched on each
request and kept in memory for ``KEEP_DAYS`` (twice the longest period, for trends), so a
request reads only what is new. A missing database or table means no events yet.

Personal data was masked by the tracker store before Rasa published the events; what we
show is masked again where it is shown (``privacy.mask``).
"""

from __future__ import annotations

import asyncio
import json
import logging
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import OperationalError, ProgrammingError

__all__ = ["MAX_DAYS", "Event", "EventLog", "parse_event"]

log = logging.getLogger(__name__)

MAX_DAYS = 90  # the longest period the summary answers for
KEEP_DAYS = 2 * MAX_DAYS + 1
BATCH = 20000
# Two Rasa replicas on PostgreSQL may commit ids out of order (id 9 after id 10 was read): each read
# looks this many ids back, and ids already read are skipped.
LOOK_BACK = 2000
_events = sa.table("events", sa.column("id"), sa.column("sender_id"), sa.column("data"))


@dataclass(frozen=True)
class Event:
    """One Rasa event of one conversation, reduced to what the figures read."""

    sender: str
    kind: str  # Rasa's "event": user, bot, slot, action, session_started, ...
    ts: float
    data: dict[str, Any] = field(compare=False, repr=False)


def parse_event(sender: str, raw: str | bytes | dict[str, Any]) -> Event | None:
    """An ``Event`` from one row's JSON, or None for a row that is not a Rasa event."""
    try:
        data = raw if isinstance(raw, dict) else json.loads(raw)
    except ValueError:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("event"), str):
        return None
    ts = data.get("timestamp")
    if not isinstance(ts, int | float):
        return None
    return Event(str(data.get("sender_id") or sender), data["event"], float(ts), data)


def read_only_engine(url: str) -> sa.Engine:
    """An engine reading the events database: ``sqlite:///path`` opened read-only, or ``postgresql://`` (psycopg 3)."""
    if url.startswith("postgresql://"):
        return sa.create_engine("postgresql+psycopg://" + url.removeprefix("postgresql://"), pool_pre_ping=True, pool_size=2, max_overflow=2)
    if url.startswith("sqlite:///"):
        path = url.removeprefix("sqlite:///")
        return sa.create_engine(f"sqlite:///file:{path}?mode=ro&uri=true", connect_args={"timeout": 10})
    return sa.create_engine(url, pool_pre_ping=True)


class EventLog:
    """The events of the last ``KEEP_DAYS``, read incrementally from the broker's table."""

    def __init__(self, url: str) -> None:
        self.url = url
        self._engine: sa.Engine | None = None
        self._last_id = 0
        self._seen: set[int] = set()  # ids read within LOOK_BACK of the highest
        self._events: list[Event] = []
        self._lock = threading.Lock()

    def _connect(self) -> sa.Engine | None:
        if self._engine is None:
            if self.url.startswith("sqlite:///") and not Path(self.url.removeprefix("sqlite:///")).exists():
                return None  # Rasa has published nothing yet
            self._engine = read_only_engine(self.url)
        return self._engine

    def refresh(self, now: float | None = None) -> list[Event]:
        """Read what is new, forget what is older than ``KEEP_DAYS``; every kept event, in order."""
        with self._lock:
            engine = self._connect()
            if engine is not None:
                try:
                    self._read_new(engine)
                except (OperationalError, ProgrammingError) as exc:
                    if "events" not in str(exc):  # no such table yet: nothing published
                        raise
            cut = (time.time() if now is None else now) - KEEP_DAYS * 86400
            if self._events and self._events[0].ts < cut:
                self._events = [e for e in self._events if e.ts >= cut]
            return list(self._events)

    def _read_new(self, engine: sa.Engine) -> None:
        with engine.connect() as connection:
            start = self._last_id - LOOK_BACK
            while True:
                query = sa.select(_events.c.id, _events.c.sender_id, _events.c.data).where(_events.c.id > start).order_by(_events.c.id).limit(BATCH)
                rows = connection.execute(query).all()
                for row_id, sender, data in rows:
                    start = row_id = int(row_id)
                    if row_id in self._seen or row_id <= self._last_id - LOOK_BACK:
                        continue
                    self._seen.add(row_id)
                    self._last_id = max(self._last_id, row_id)
                    event = parse_event(str(sender), data)
                    if event is not None:
                        self._events.append(event)
                if len(rows) < BATCH:
                    break
        self._seen = {i for i in self._seen if i > self._last_id - LOOK_BACK}
        self._events.sort(key=lambda e: e.ts)

    async def events(self) -> list[Event]:
        """``refresh`` in a worker thread."""
        return await asyncio.to_thread(self.refresh)

    def close(self) -> None:
        if self._engine is not None:
            self._engine.dispose()
