"""Where insights keep and find their data: feedback and topic marks (ours), tickets and the
console's replies (the catalogue database's, read only).

Both of our tables live in the catalogue database (``CATALOG_DATABASE_URL``, SQLite or
PostgreSQL), written through SQLAlchemy Core so that the same statements run on both::

    feedback     conversation_hash (SHA-256 of the conversation id: rating twice is refused
                 without keeping the id itself), answer_id, service_id, rating up|down, reason,
                 lang, channel, created_at (ISO 8601 UTC); unique (conversation_hash, answer_id)
    unmet_marks  topic key, status added|out_of_scope, label (the topic's central question,
                 masked), by (the supervisor or "admin-token"), marked_at

The tables belong to the catalogue database's migrations (``migrations/versions/0003_…``). Feedback is
purged after ``CATALOG_FEEDBACK_RETENTION_DAYS``; marks stay until changed. The store works through the
service's ``Database`` (``InsightsStore(database)``): its engine, its worker threads (the event loop never
waits on the database; on SQLite, the one writer) and its ``DatabaseUnavailable`` (503) when the server is
down. ``InsightsStore.open(url)`` opens a ``Database`` of its own, for the command line and tests.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from typing import Any, Literal

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from ..db import Database
from ..db_schema import feedback as feedback_table
from ..db_schema import unmet_marks as marks_table
from ..privacy import mask

__all__ = ["FEEDBACK_REASONS", "Feedback", "InsightsStore", "Mark", "TicketTiming", "iso"]

FEEDBACK_REASONS = ("wrong_service", "unclear", "outdated", "could_not_apply", "other")
MARK_STATUSES = ("added", "out_of_scope")

# The catalogue database's own tables, read only (service_catalog/db.py owns them).
_tickets = sa.table("tickets", sa.column("number"), sa.column("created_at"), sa.column("channel"), sa.column("lang"), sa.column("taken_at"))
_audit = sa.table("audit", sa.column("ts"), sa.column("kind"), sa.column("outcome"), sa.column("detail"))


def iso(moment: float) -> str:
    """A Unix time as the ISO 8601 UTC text the catalogue database stores (sorts as it reads)."""
    return dt.datetime.fromtimestamp(moment, dt.UTC).isoformat(timespec="microseconds")


def epoch(text: str | None) -> float | None:
    """The Unix time of an ISO 8601 text, or None."""
    if not text:
        return None
    try:
        return dt.datetime.fromisoformat(text).timestamp()
    except ValueError:
        return None


def conversation_hash(conversation_id: str) -> str:
    """What the feedback table keeps instead of the conversation id."""
    return hashlib.sha256(conversation_id.encode("utf-8", "replace")).hexdigest()


@dataclass(frozen=True)
class Feedback:
    """One rating of one answer."""

    conversation_hash: str
    answer_id: str
    service_id: str | None
    rating: Literal["up", "down"]
    reason: str | None
    lang: str
    channel: str
    created_at: str


@dataclass(frozen=True)
class Mark:
    """A topic a supervisor marked as added to the catalogue or out of scope."""

    topic: str
    status: str
    label: str
    marked_by: str
    marked_at: str


@dataclass(frozen=True)
class TicketTiming:
    """A handover and when a person first wrote to the citizen (None: not yet)."""

    number: str
    created_at: float
    channel: str
    lang: str
    first_reply_at: float | None


class InsightsStore:
    """Feedback and topic marks in the catalogue database; tickets and replies read from it."""

    def __init__(self, database: Database, *, owned: bool = False) -> None:
        self.database = database
        self._owned = owned  # opened by ``open``: closed by ``close``

    @classmethod
    async def open(cls, url: str) -> InsightsStore:
        """A store over a ``Database`` of its own (migrated on opening), for the command line and tests."""
        return cls(await Database.open(url), owned=True)

    async def close(self) -> None:
        """Close the database if the store opened it (the service's is closed by the service)."""
        if self._owned:
            await self.database.close()

    async def add_feedback(self, item: Feedback) -> bool:
        """Store a rating; False when this conversation already rated this answer."""

        def insert(connection: sa.Connection) -> None:
            connection.execute(feedback_table.insert().values(**item.__dict__))

        try:
            await self.database.write(insert)
        except IntegrityError:
            return False
        return True

    async def feedback_since(self, since: float) -> list[Feedback]:
        """Every rating given from ``since`` on, oldest first."""
        columns = [feedback_table.c[name] for name in Feedback.__dataclass_fields__]
        query = sa.select(*columns).where(feedback_table.c.created_at >= iso(since)).order_by(feedback_table.c.created_at)
        rows = await self.database.read(lambda c: c.execute(query).all())
        return [Feedback(*row) for row in rows]

    async def purge_feedback(self, retention_days: int, now: float) -> int:
        """Delete ratings older than ``retention_days``; the number deleted."""
        cut = iso(now - retention_days * 86400)
        return await self.database.write(lambda c: c.execute(feedback_table.delete().where(feedback_table.c.created_at < cut)).rowcount)

    async def marks(self) -> dict[str, Mark]:
        rows = await self.database.read(lambda c: c.execute(sa.select(*marks_table.c)).all())
        return {row[0]: Mark(*row) for row in rows}

    async def set_mark(self, topic: str, status: str | None, label: str, by: str, now: float) -> None:
        """Mark a topic (``added`` or ``out_of_scope``), or clear its mark with ``None``."""

        def upsert(connection: sa.Connection) -> None:
            connection.execute(marks_table.delete().where(marks_table.c.topic == topic))
            if status is not None:
                connection.execute(marks_table.insert().values(topic=topic, status=status, label=mask(label)[:300], marked_by=by, marked_at=iso(now)))

        await self.database.write(upsert)

    async def ticket_timings(self, since: float, until: float) -> list[TicketTiming]:
        """Tickets created in ``[since, until)`` with the time of the console's first reply to each.

        A reply is the audit record ``agent_ticket``/``replied`` naming the ticket. An empty list
        when the catalogue database has no tickets table yet.
        """

        def read(connection: sa.Connection) -> list[TicketTiming]:
            inspector = sa.inspect(connection)
            if not inspector.has_table("tickets"):
                return []
            tickets = connection.execute(
                sa.select(_tickets.c.number, _tickets.c.created_at, _tickets.c.channel, _tickets.c.lang)
                .where(_tickets.c.created_at >= iso(since), _tickets.c.created_at < iso(until))
                .order_by(_tickets.c.created_at)
            ).all()
            if not tickets:
                return []
            first: dict[str, float] = {}
            if inspector.has_table("audit"):
                replies = connection.execute(
                    sa.select(_audit.c.ts, _audit.c.detail).where(_audit.c.kind == "agent_ticket", _audit.c.outcome == "replied", _audit.c.ts >= iso(since))
                ).all()
                for ts, detail in replies:
                    number = _ticket_of(detail)
                    moment = epoch(ts)
                    if number and moment is not None and (number not in first or moment < first[number]):
                        first[number] = moment
            return [TicketTiming(n, epoch(c) or 0.0, ch or "unknown", lang or "unknown", first.get(n)) for n, c, ch, lang in tickets]

        return await self.database.read(read)

    async def open_tickets(self) -> int:
        """How many tickets are open (for the metrics gauge); 0 before the first one."""

        def count(connection: sa.Connection) -> int:
            if not sa.inspect(connection).has_table("tickets"):
                return 0
            status: sa.ColumnClause[str] = sa.column("status")
            return int(connection.execute(sa.select(sa.func.count()).select_from(sa.table("tickets", status)).where(status == "open")).scalar_one())

        return await self.database.read(count)


def _ticket_of(detail: Any) -> str | None:
    try:
        value = json.loads(detail) if isinstance(detail, str) else detail
    except ValueError:
        return None
    number = value.get("ticket") if isinstance(value, dict) else None
    return number if isinstance(number, str) else None
