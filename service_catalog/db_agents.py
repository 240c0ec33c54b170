"""Agent accounts, console sessions and the ticket queue's operations: a mixin of ``Database``.

Kept apart from ``db.py`` (one concept per module); it runs on the same worker thread and
connection, through ``Database``'s ``_call``/``_execute``/``_transaction``.

Tables (created idempotently with the others)::

    agents          name (unique), role agent|supervisor, password_hash (Argon2id), created_at, disabled 0|1
    agent_sessions  id_hash (SHA-256 of the session id in the cookie; the id itself is never stored),
                    agent, created_at, last_seen, expires_at (epoch seconds; moved forward on use)

A ticket is *waiting* while it is open and no agent has taken it; its place in the queue is its
rank among waiting tickets, oldest first. Taking is one conditional ``UPDATE``, so two agents
pressing "take" at once cannot both get it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, TypeVar

if TYPE_CHECKING:
    from .db import Ticket

__all__ = ["AGENT_AUDIT_KINDS", "AGENT_ROLES", "AGENT_SCHEMA", "TICKET_COLUMNS_ADDED", "Agent", "AgentTables", "TakeResult"]

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
AGENT_SCHEMA = [
    """CREATE TABLE IF NOT EXISTS agents (
        id {pk},
        name TEXT NOT NULL UNIQUE,
        role TEXT NOT NULL CHECK (role IN ('agent', 'supervisor')),
        password_hash TEXT NOT NULL,
        created_at TEXT NOT NULL,
        disabled INTEGER NOT NULL DEFAULT 0
    )""",
    """CREATE TABLE IF NOT EXISTS agent_sessions (
        id_hash TEXT PRIMARY KEY,
        agent TEXT NOT NULL,
        created_at BIGINT NOT NULL,
        last_seen BIGINT NOT NULL,
        expires_at BIGINT NOT NULL
    )""",
    "CREATE INDEX IF NOT EXISTS agent_sessions_agent ON agent_sessions (agent)",
]
# Columns tickets gained for the console; databases from earlier versions get them by ALTER TABLE.
TICKET_COLUMNS_ADDED = {"conversation_id": "TEXT", "agent": "TEXT", "taken_at": "TEXT", "closed_at": "TEXT"}
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
        _TICKET_COLUMNS: str

        async def _call(self, fn: Callable[..., T], *args: Any) -> T: ...
        def _execute(self, statement: str, params: Sequence[Any] = ()) -> Any: ...
        def _transaction(self) -> AbstractContextManager[None]: ...
        @staticmethod
        def _ticket(row: Sequence[Any]) -> Ticket: ...
        def _get_ticket(self, number: str) -> Ticket | None: ...

    # -- accounts ------------------------------------------------------------------------------

    async def add_agent(self, name: str, role: str, password_hash: str) -> bool:
        """Create an account; False when the name is taken.

        Raises:
            ValueError: an unknown role.
        """
        if role not in AGENT_ROLES:
            raise ValueError(f"role must be agent or supervisor, got {role!r}")
        return await self._call(self._add_agent, name, role, password_hash)

    def _add_agent(self, name: str, role: str, password_hash: str) -> bool:
        cursor = self._execute(
            "INSERT INTO agents (name, role, password_hash, created_at, disabled) VALUES (?, ?, ?, ?, 0) ON CONFLICT (name) DO NOTHING",
            (name, role, password_hash, _iso_now()),
        )
        return bool(cursor.rowcount == 1)

    async def get_agent(self, name: str) -> Agent | None:
        """The account called ``name``, or None."""
        return await self._call(self._get_agent, name)

    def _get_agent(self, name: str) -> Agent | None:
        row = self._execute("SELECT name, role, password_hash, disabled FROM agents WHERE name = ?", (name,)).fetchone()
        return None if row is None else Agent(row[0], row[1], row[2], bool(row[3]))

    async def list_agents(self) -> list[Agent]:
        """Every account, by name."""
        return await self._call(self._list_agents)

    def _list_agents(self) -> list[Agent]:
        rows = self._execute("SELECT name, role, password_hash, disabled FROM agents ORDER BY name").fetchall()
        return [Agent(r[0], r[1], r[2], bool(r[3])) for r in rows]

    async def set_agent_password(self, name: str, password_hash: str) -> bool:
        """Replace the password hash and end the agent's sessions; False when there is no such agent."""
        return await self._call(self._set_agent, name, "password_hash = ?", (password_hash,))

    async def set_agent_disabled(self, name: str, disabled: bool) -> bool:
        """Disable (or enable) an account; disabling ends its sessions. False when there is no such agent."""
        return await self._call(self._set_agent, name, "disabled = ?", (1 if disabled else 0,))

    def _set_agent(self, name: str, assignment: str, params: tuple[Any, ...]) -> bool:
        with self._transaction():
            changed = self._execute(f"UPDATE agents SET {assignment} WHERE name = ?", (*params, name)).rowcount == 1
            self._execute("DELETE FROM agent_sessions WHERE agent = ?", (name,))
        return bool(changed)

    async def rehash_agent_password(self, name: str, password_hash: str) -> None:
        """Store a hash made with newer parameters after a successful login (sessions stay)."""
        await self._call(self._execute, "UPDATE agents SET password_hash = ? WHERE name = ?", (password_hash, name))

    # -- sessions ------------------------------------------------------------------------------

    async def create_agent_session(self, id_hash: str, agent: str, now: int, idle_s: int) -> None:
        """Remember a new session by the hash of its id; it ends after ``idle_s`` without use."""
        await self._call(
            self._execute,
            "INSERT INTO agent_sessions (id_hash, agent, created_at, last_seen, expires_at) VALUES (?, ?, ?, ?, ?)",
            (id_hash, agent, now, now, now + idle_s),
        )

    async def session_agent(self, id_hash: str, now: int, idle_s: int) -> Agent | None:
        """The enabled agent of a live session (and its expiry moved forward), or None."""
        return await self._call(self._session_agent, id_hash, now, idle_s)

    def _session_agent(self, id_hash: str, now: int, idle_s: int) -> Agent | None:
        row = self._execute(
            "SELECT a.name, a.role, a.password_hash, a.disabled, s.last_seen FROM agent_sessions s JOIN agents a ON a.name = s.agent"
            " WHERE s.id_hash = ? AND s.expires_at > ?",
            (id_hash, now),
        ).fetchone()
        if row is None or row[3]:
            return None
        if now - int(row[4]) >= TOUCH_EVERY_S:
            self._execute("UPDATE agent_sessions SET last_seen = ?, expires_at = ? WHERE id_hash = ?", (now, now + idle_s, id_hash))
        return Agent(row[0], row[1], row[2], False)

    async def delete_agent_session(self, id_hash: str) -> None:
        """End a session (logout)."""
        await self._call(self._execute, "DELETE FROM agent_sessions WHERE id_hash = ?", (id_hash,))

    # -- the ticket queue ----------------------------------------------------------------------

    async def queue_positions(self) -> dict[str, int]:
        """Each waiting ticket's place in the queue (1 is next), by ticket number."""
        return await self._call(self._queue_positions)

    def _queue_positions(self) -> dict[str, int]:
        rows = self._execute("SELECT number FROM tickets WHERE status = 'open' AND agent IS NULL ORDER BY created_at, id").fetchall()
        return {str(r[0]): i for i, r in enumerate(rows, 1)}

    async def open_tickets(self, limit: int = 200) -> list[Ticket]:
        """Open tickets, oldest first (the queue order)."""
        return await self._call(self._open_tickets, limit)

    def _open_tickets(self, limit: int) -> list[Ticket]:
        rows = self._execute(f"SELECT {self._TICKET_COLUMNS} FROM tickets WHERE status = 'open' ORDER BY created_at, id LIMIT ?", (limit,)).fetchall()
        return [self._ticket(r) for r in rows]

    async def take_ticket(self, number: str, agent: str, *, override: bool = False) -> tuple[TakeResult, Ticket | None]:
        """Give an open ticket to ``agent``: ``ok`` (also when it is already theirs), ``taken`` by
        someone else (unless ``override``, for supervisors), ``closed`` or ``unknown``."""
        return await self._call(self._take_ticket, number, agent, override)

    def _take_ticket(self, number: str, agent: str, override: bool) -> tuple[TakeResult, Ticket | None]:
        with self._transaction():
            condition = "" if override else " AND (agent IS NULL OR agent = ?)"
            params: tuple[Any, ...] = (agent, _iso_now(), number) if override else (agent, _iso_now(), number, agent)
            changed = self._execute(f"UPDATE tickets SET agent = ?, taken_at = ? WHERE number = ? AND status = 'open'{condition}", params).rowcount
            ticket = self._get_ticket(number)
        if ticket is None:
            return "unknown", None
        if changed == 1:
            return "ok", ticket
        return ("closed" if ticket.status != "open" else "taken"), ticket

    async def release_ticket(self, number: str, agent: str) -> None:
        """Give a ticket ``agent`` had taken back to the queue (when the chat server could not pause the bot)."""
        await self._call(self._execute, "UPDATE tickets SET agent = NULL, taken_at = NULL WHERE number = ? AND agent = ? AND status = 'open'", (number, agent))

    async def close_ticket(self, number: str, agent: str, *, override: bool = False) -> tuple[TakeResult, Ticket | None]:
        """Close a ticket ``agent`` has taken: ``ok``, ``taken`` (by someone else, or by no one yet,
        unless ``override``), ``closed`` (already) or ``unknown``."""
        return await self._call(self._close_ticket, number, agent, override)

    def _close_ticket(self, number: str, agent: str, override: bool) -> tuple[TakeResult, Ticket | None]:
        with self._transaction():
            condition = "" if override else " AND agent = ?"
            params: tuple[Any, ...] = (_iso_now(), number) if override else (_iso_now(), number, agent)
            changed = self._execute(f"UPDATE tickets SET status = 'closed', closed_at = ? WHERE number = ? AND status = 'open'{condition}", params).rowcount
            ticket = self._get_ticket(number)
        if ticket is None:
            return "unknown", None
        if changed == 1:
            return "ok", ticket
        return ("closed" if ticket.status != "open" else "taken"), ticket

    def _iter_taken(self) -> Iterator[Ticket]:
        rows = self._execute(f"SELECT {self._TICKET_COLUMNS} FROM tickets WHERE status = 'open' AND agent IS NOT NULL AND conversation_id IS NOT NULL")
        for row in rows.fetchall():
            yield self._ticket(row)

    async def taken_tickets(self) -> list[Ticket]:
        """Open tickets an agent has taken that came from a conversation (their messages are followed)."""
        return await self._call(lambda: list(self._iter_taken()))
