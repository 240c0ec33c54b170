"""Agent accounts, console sessions and the ticket queue's operations: a mixin of ``Database``.

Kept apart from ``db.py`` (one concept per module); it runs on the same workers and engine, through
``Database``'s ``_read``/``_write`` (a function of a connection, run in a read or write transaction),
with statements built from the tables in ``db_schema.py``.

Tables (``db_schema.py``; created by the Alembic revision ``0002``)::

    agents          name (unique), role agent|supervisor, password_hash (Argon2id), created_at, disabled 0|1
    agent_sessions  id_hash (SHA-256 of the session id in the cookie; the id itself is never stored),
                    agent, created_at, last_seen, expires_at (epoch seconds; moved forward on use)

A ticket is *waiting* while it is open and no agent has taken it; its place in the queue is its
rank among waiting tickets, oldest first. Taking is one conditional ``UPDATE``, so two agents
pressing "take" at once cannot both get it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, TypeVar

from sqlalchemy import delete, insert, select, update
from sqlalchemy.dialects import postgresql as pg_dialect
from sqlalchemy.dialects import sqlite as sqlite_dialect
from sqlalchemy.engine import Connection

from .db_schema import TICKET_COLUMNS, agent_sessions, agents, tickets

if TYPE_CHECKING:
    from .db import Ticket

__all__ = ["AGENT_AUDIT_KINDS", "AGENT_ROLES", "Agent", "AgentTables", "TakeResult"]

T = TypeVar("T")

AGENT_ROLES = frozenset({"agent", "supervisor"})
AGENT_AUDIT_KINDS = frozenset(
    {
        "agent_login",
        "agent_login_failed",
        "agent_logout",
        "agent_search",
        "agent_service",
        "agent_ticket",
        "agent_eligibility",
        "agent_link",
    }
)
TOUCH_EVERY_S = 60  # a session's expiry moves forward at most once a minute (fewer writes)
TakeResult = Literal["ok", "taken", "closed", "unknown"]


@dataclass(frozen=True)
class Agent:
    """An agent account (the password hash stays in the database layer and the login check)."""

    name: str
    role: str
    password_hash: str
    disabled: bool = False


def _iso_now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="microseconds")


class AgentTables:
    """Agent accounts, sessions and ticket queue operations (mixed into ``Database``)."""

    if TYPE_CHECKING:

        @property
        def dialect(self) -> str: ...
        async def _read(self, fn: Callable[[Connection], T]) -> T: ...
        async def _write(self, fn: Callable[[Connection], T]) -> T: ...
        @staticmethod
        def _ticket(row: Sequence[Any]) -> Ticket: ...
        def _get_ticket(self, connection: Connection, number: str) -> Ticket | None: ...

    # -- accounts ------------------------------------------------------------------------------

    async def add_agent(self, name: str, role: str, password_hash: str) -> bool:
        """Create an account; False when the name is taken.

        Raises:
            ValueError: an unknown role.
        """
        if role not in AGENT_ROLES:
            raise ValueError(f"role must be agent or supervisor, got {role!r}")
        module = pg_dialect if self.dialect == "postgresql" else sqlite_dialect
        statement = module.insert(agents).values(name=name, role=role, password_hash=password_hash, created_at=_iso_now(), disabled=0)
        # RETURNING, not rowcount: the driver reports no row count for an INSERT that returns rows.
        statement = statement.on_conflict_do_nothing(index_elements=["name"]).returning(agents.c.name)
        return await self._write(lambda c: c.execute(statement).first() is not None)

    async def get_agent(self, name: str) -> Agent | None:
        """The account called ``name``, or None."""
        a = agents.c
        row = await self._read(lambda c: c.execute(select(a.name, a.role, a.password_hash, a.disabled).where(a.name == name)).first())
        return None if row is None else Agent(row[0], row[1], row[2], bool(row[3]))

    async def list_agents(self) -> list[Agent]:
        """Every account, by name."""
        a = agents.c
        rows = await self._read(lambda c: c.execute(select(a.name, a.role, a.password_hash, a.disabled).order_by(a.name)).all())
        return [Agent(r[0], r[1], r[2], bool(r[3])) for r in rows]

    async def set_agent_password(self, name: str, password_hash: str) -> bool:
        """Replace the password hash and end the agent's sessions; False when there is no such agent."""
        return await self._set_agent(name, {"password_hash": password_hash})

    async def set_agent_disabled(self, name: str, disabled: bool) -> bool:
        """Disable (or enable) an account; disabling ends its sessions. False when there is no such agent."""
        return await self._set_agent(name, {"disabled": 1 if disabled else 0})

    async def _set_agent(self, name: str, values: dict[str, Any]) -> bool:
        def change(connection: Connection) -> bool:
            changed = connection.execute(update(agents).where(agents.c.name == name).values(**values)).rowcount == 1
            connection.execute(delete(agent_sessions).where(agent_sessions.c.agent == name))
            return bool(changed)

        return await self._write(change)

    async def rehash_agent_password(self, name: str, password_hash: str) -> None:
        """Store a hash made with newer parameters after a successful login (sessions stay)."""
        await self._write(lambda c: c.execute(update(agents).where(agents.c.name == name).values(password_hash=password_hash)))

    # -- sessions ------------------------------------------------------------------------------

    async def create_agent_session(self, id_hash: str, agent: str, now: int, idle_s: int) -> None:
        """Remember a new session by the hash of its id; it ends after ``idle_s`` without use."""
        statement = insert(agent_sessions).values(id_hash=id_hash, agent=agent, created_at=now, last_seen=now, expires_at=now + idle_s)
        await self._write(lambda c: c.execute(statement))

    async def session_agent(self, id_hash: str, now: int, idle_s: int) -> Agent | None:
        """The enabled agent of a live session (and its expiry moved forward), or None."""
        a, s = agents.c, agent_sessions.c
        query = select(a.name, a.role, a.password_hash, a.disabled, s.last_seen).join_from(agent_sessions, agents, a.name == s.agent)
        query = query.where(s.id_hash == id_hash, s.expires_at > now)
        row = await self._read(lambda c: c.execute(query).first())
        if row is None or row[3]:
            return None
        if now - int(row[4]) >= TOUCH_EVERY_S:
            await self._write(lambda c: c.execute(update(agent_sessions).where(s.id_hash == id_hash).values(last_seen=now, expires_at=now + idle_s)))
        return Agent(row[0], row[1], row[2], False)

    async def delete_agent_session(self, id_hash: str) -> None:
        """End a session (logout)."""
        await self._write(lambda c: c.execute(delete(agent_sessions).where(agent_sessions.c.id_hash == id_hash)))

    # -- the ticket queue ----------------------------------------------------------------------

    async def queue_positions(self) -> dict[str, int]:
        """Each waiting ticket's place in the queue (1 is next), by ticket number."""
        t = tickets.c
        query = select(t.number).where(t.status == "open", t.agent.is_(None)).order_by(t.created_at, t.id)
        rows = await self._read(lambda c: c.execute(query).all())
        return {str(r[0]): i for i, r in enumerate(rows, 1)}

    async def open_tickets(self, limit: int = 200) -> list[Ticket]:
        """Open tickets, oldest first (the queue order)."""
        query = select(*TICKET_COLUMNS).where(tickets.c.status == "open").order_by(tickets.c.created_at, tickets.c.id).limit(limit)
        rows = await self._read(lambda c: c.execute(query).all())
        return [self._ticket(r) for r in rows]

    async def take_ticket(self, number: str, agent: str, *, override: bool = False) -> tuple[TakeResult, Ticket | None]:
        """Give an open ticket to ``agent``: ``ok`` (also when it is already theirs), ``taken`` by
        someone else (unless ``override``, for supervisors), ``closed`` or ``unknown``."""
        t = tickets.c
        condition = [] if override else [(t.agent.is_(None)) | (t.agent == agent)]
        statement = update(tickets).where(t.number == number, t.status == "open", *condition).values(agent=agent, taken_at=_iso_now())
        return await self._write(lambda c: self._decide(c, number, c.execute(statement).rowcount))

    async def release_ticket(self, number: str, agent: str) -> None:
        """Give a ticket ``agent`` had taken back to the queue (when the chat server could not pause the bot)."""
        t = tickets.c
        statement = update(tickets).where(t.number == number, t.agent == agent, t.status == "open").values(agent=None, taken_at=None)
        await self._write(lambda c: c.execute(statement))

    async def close_ticket(self, number: str, agent: str, *, override: bool = False) -> tuple[TakeResult, Ticket | None]:
        """Close a ticket ``agent`` has taken: ``ok``, ``taken`` (by someone else, or by no one yet,
        unless ``override``), ``closed`` (already) or ``unknown``."""
        t = tickets.c
        condition = [] if override else [t.agent == agent]
        statement = update(tickets).where(t.number == number, t.status == "open", *condition).values(status="closed", closed_at=_iso_now())
        return await self._write(lambda c: self._decide(c, number, c.execute(statement).rowcount))

    def _decide(self, connection: Connection, number: str, changed: int) -> tuple[TakeResult, Ticket | None]:
        """The outcome of a conditional update of one ticket, read in the same transaction."""
        ticket = self._get_ticket(connection, number)
        if ticket is None:
            return "unknown", None
        if changed == 1:
            return "ok", ticket
        return ("closed" if ticket.status != "open" else "taken"), ticket

    async def taken_tickets(self) -> list[Ticket]:
        """Open tickets an agent has taken that came from a conversation (their messages are followed)."""
        t = tickets.c
        query = select(*TICKET_COLUMNS).where(t.status == "open", t.agent.is_not(None), t.conversation_id.is_not(None))
        rows = await self._read(lambda c: c.execute(query).all())
        return [self._ticket(r) for r in rows]
