"""The one database layer: tickets, handoff token ids and audit records.

Why this module is long: tickets, token ids, link handles, audit records and retention share one
connection, one worker thread and one dialect; the move to SQLAlchemy Core and Alembic (issue 15)
splits it per table. The agent tables are already apart (``db_agents.py``).

``Database.open(url)`` picks the engine from the URL:

- ``sqlite:///path/to/file.db`` (the default, under ``data_dir``): stdlib ``sqlite3`` in
  WAL mode, so several replicas on one host can share the file;
- ``postgresql://...``: needs ``psycopg`` (3.x) installed, for replicas on several hosts.

Every call runs on one dedicated worker thread that owns the one connection, so the event
loop never blocks on the database. The SQL is portable (``?`` placeholders, rewritten for
psycopg; ``ON CONFLICT ... DO NOTHING``; ``RETURNING``); only the auto-increment column
differs between the engines. Tables are created on open, idempotently::

    tickets         number "T20261201-0001" (per-day sequence, Shanghai time), status open|closed,
                    lang, channel, service_id, summary, transcript JSON, answers JSON
    handoff_tokens  jti (primary key), service_id, issued_at, expires_at, used_at (NULL until redeemed)
    handoff_handles handle_hash (SHA-256 of the link's opaque handle; the handle itself is never
                    stored), jti, service_id, token (the signed token, emptied once redeemed),
                    expires_at, used_at
    audit           ts, kind, channel, service_id, outcome, detail JSON (personal data masked)
    agents          name (unique), role agent|supervisor, Argon2id password hash, disabled
    agent_sessions  the SHA-256 of a console session id (never the id), agent, created, last seen

Tickets gained ``conversation_id``, ``agent``, ``taken_at`` and ``closed_at`` for the agent
console; files from earlier versions get them by a checked ``ALTER TABLE`` on open. The agent
tables and the ticket queue operations live in ``db_agents.py`` (a mixin of ``Database``).

Retention (``purge``): tickets after ``retention_days`` (30), audit records after
``audit_retention_days`` (180), refusals (``token_rejected``, ``admin_refused``) after
``rejected_retention_days`` (7), token ids and handles a day after they expire (the signed
token behind an unused handle is erased by the first purge after it expires). The service
purges on start and hourly; ``python -m service_catalog purge`` does it on demand.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import importlib
import json
import os
import sqlite3
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, TypeVar

from .db_agents import AGENT_AUDIT_KINDS, AGENT_SCHEMA, TICKET_COLUMNS_ADDED, AgentTables
from .privacy import mask_obj

__all__ = ["AUDIT_KINDS", "CITY_TZ", "AuditRecord", "Database", "Ticket"]

T = TypeVar("T")

CITY_TZ = dt.timezone(dt.timedelta(hours=8), "Asia/Shanghai")  # no daylight saving in China
AUDIT_KINDS = frozenset({"application_link", "token_redeemed", "token_rejected", "ticket_created", "centre_referral", "admin_refused", *AGENT_AUDIT_KINDS})
REFUSAL_KINDS = ("token_rejected", "admin_refused", "agent_login_failed")
TICKET_STATUSES = frozenset({"open", "closed"})
MAX_DETAIL_CHARS = 4000
TOKEN_ROWS_KEPT_S = 86400  # token ids are kept a day past expiry, then pruned on open
_RETRIES = 5

_SCHEMA = [
    """CREATE TABLE IF NOT EXISTS tickets (
        id {pk},
        number TEXT NOT NULL UNIQUE,
        day TEXT NOT NULL,
        seq INTEGER NOT NULL,
        created_at TEXT NOT NULL,
        status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'closed')),
        lang TEXT NOT NULL,
        channel TEXT NOT NULL,
        service_id TEXT,
        summary TEXT NOT NULL,
        transcript TEXT NOT NULL,
        answers TEXT NOT NULL,
        UNIQUE (day, seq)
    )""",
    "CREATE INDEX IF NOT EXISTS tickets_status_created ON tickets (status, created_at)",
    """CREATE TABLE IF NOT EXISTS handoff_tokens (
        jti TEXT PRIMARY KEY,
        service_id TEXT NOT NULL,
        issued_at BIGINT NOT NULL,
        expires_at BIGINT NOT NULL,
        used_at BIGINT
    )""",
    """CREATE TABLE IF NOT EXISTS audit (
        id {pk},
        ts TEXT NOT NULL,
        kind TEXT NOT NULL,
        channel TEXT,
        service_id TEXT,
        outcome TEXT NOT NULL,
        detail TEXT NOT NULL
    )""",
    "CREATE INDEX IF NOT EXISTS audit_kind_ts ON audit (kind, ts)",
    """CREATE TABLE IF NOT EXISTS handoff_handles (
        handle_hash TEXT PRIMARY KEY,
        jti TEXT NOT NULL,
        service_id TEXT NOT NULL,
        token TEXT NOT NULL,
        expires_at BIGINT NOT NULL,
        used_at BIGINT
    )""",
    "CREATE INDEX IF NOT EXISTS audit_ts ON audit (ts)",
    "CREATE INDEX IF NOT EXISTS tickets_created ON tickets (created_at)",
    *AGENT_SCHEMA,
]


@dataclass(frozen=True)
class Ticket:
    """A handover to a person, queued for the agent console."""

    number: str
    created_at: str
    status: str
    lang: str
    channel: str
    service_id: str | None
    summary: str
    transcript: list[dict[str, Any]]
    answers: dict[str, Any]
    conversation_id: str | None = None
    agent: str | None = None
    taken_at: str | None = None
    closed_at: str | None = None

    def to_json(self, full: bool = True) -> dict[str, Any]:
        body: dict[str, Any] = {
            "number": self.number,
            "created_at": self.created_at,
            "status": self.status,
            "lang": self.lang,
            "channel": self.channel,
            "service_id": self.service_id,
            "summary": self.summary,
            "conversation_id": self.conversation_id,
            "agent": self.agent,
            "taken_at": self.taken_at,
            "closed_at": self.closed_at,
        }
        if full:
            body["transcript"] = self.transcript
            body["answers"] = self.answers
        return body


@dataclass(frozen=True)
class AuditRecord:
    id: int
    ts: str
    kind: str
    channel: str | None
    service_id: str | None
    outcome: str
    detail: dict[str, Any]


@dataclass(frozen=True)
class _Dialect:
    name: Literal["sqlite", "postgresql"]
    pk: str
    integrity_errors: tuple[type[BaseException], ...]

    def sql(self, statement: str) -> str:
        return statement.replace("?", "%s") if self.name == "postgresql" else statement


def _utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _iso(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).isoformat(timespec="microseconds")


def _sqlite_path(url: str) -> Path:
    path = url.removeprefix("sqlite:///")
    if not path or path == url:
        raise ValueError(f"a SQLite database URL looks like sqlite:///path/to/file.db, got {url!r}")
    return Path(path)


class Database(AgentTables):
    """Tickets, handoff token ids, audit records and agent accounts behind one async interface.

    Open with ``await Database.open(url)``; close with ``await db.close()``.
    """

    def __init__(self, connection: Any, dialect: _Dialect, worker: ThreadPoolExecutor) -> None:
        self._conn = connection
        self._dialect = dialect
        self._worker = worker
        self._closed = False

    # -- lifetime ------------------------------------------------------------------------------

    @classmethod
    async def open(cls, url: str) -> Database:
        """Connect, create the tables when missing and prune long-expired token ids.

        Args:
            url: ``sqlite:///path`` (the parent folder is created) or ``postgresql://...``.

        Raises:
            ValueError: an unsupported URL, or a PostgreSQL URL without ``psycopg`` installed.
        """
        connect, dialect = cls._engine(url)
        worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="catalog-db")
        try:
            connection = await asyncio.get_running_loop().run_in_executor(worker, connect)
        except BaseException:
            worker.shutdown(wait=False)
            raise
        db = cls(connection, dialect, worker)
        try:
            await db._call(db._create_schema)
            await db._call(db._prune_tokens, int(time.time()) - TOKEN_ROWS_KEPT_S)
        except BaseException:
            await db.close()
            raise
        return db

    @staticmethod
    def _engine(url: str) -> tuple[Callable[[], Any], _Dialect]:
        if url.startswith("sqlite:///"):
            path = _sqlite_path(url)

            def connect_sqlite() -> sqlite3.Connection:
                path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
                if not path.exists():
                    os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))
                conn = sqlite3.connect(path, isolation_level=None, timeout=10.0)
                for part in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
                    if part.exists():
                        part.chmod(0o600)  # tickets and audit records: readable by this service only
                conn.execute("PRAGMA journal_mode=WAL")
                conn.execute("PRAGMA synchronous=NORMAL")
                conn.execute("PRAGMA busy_timeout=10000")
                return conn

            return connect_sqlite, _Dialect("sqlite", "INTEGER PRIMARY KEY", (sqlite3.IntegrityError,))
        if url.startswith(("postgresql://", "postgres://")):
            try:
                psycopg: Any = importlib.import_module("psycopg")  # optional: only PostgreSQL deployments install it
            except ImportError:
                raise ValueError(
                    "CATALOG_DATABASE_URL names PostgreSQL, which needs psycopg installed (pip install 'psycopg[binary]'); "
                    "or leave it empty to use the embedded SQLite database"
                ) from None

            def connect_postgres() -> Any:
                return psycopg.connect(url, autocommit=True)

            return connect_postgres, _Dialect("postgresql", "BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY", (psycopg.errors.UniqueViolation,))
        scheme = url.split(":", 1)[0] if ":" in url else url
        raise ValueError(f"unsupported database URL scheme {scheme!r}: use sqlite:///path or postgresql://user@host/db")

    async def close(self) -> None:
        """Close the connection and stop the worker thread (idempotent)."""
        if self._closed:
            return
        self._closed = True
        try:
            await asyncio.get_running_loop().run_in_executor(self._worker, self._conn.close)
        finally:
            self._worker.shutdown(wait=True)

    async def _call(self, fn: Callable[..., T], *args: Any) -> T:
        if self._closed:
            raise RuntimeError("the database is closed")
        return await asyncio.get_running_loop().run_in_executor(self._worker, fn, *args)

    # -- helpers run on the worker thread -----------------------------------------------------

    def _execute(self, statement: str, params: Sequence[Any] = ()) -> Any:
        return self._conn.execute(self._dialect.sql(statement), tuple(params))

    @contextmanager
    def _transaction(self) -> Iterator[None]:
        if self._dialect.name == "sqlite":
            self._conn.execute("BEGIN IMMEDIATE")  # take the write lock now: no lost updates between replicas
            try:
                yield
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            self._conn.execute("COMMIT")
        else:
            with self._conn.transaction():
                yield

    def _create_schema(self) -> None:
        with self._transaction():
            for statement in _SCHEMA:
                self._execute(statement.format(pk=self._dialect.pk))
            self._add_missing_columns("tickets", TICKET_COLUMNS_ADDED)
            self._execute("CREATE INDEX IF NOT EXISTS tickets_conversation ON tickets (conversation_id, status)")

    def _columns(self, table: str) -> set[str]:
        if self._dialect.name == "sqlite":
            return {str(r[1]) for r in self._execute(f"PRAGMA table_info({table})").fetchall()}
        rows = self._execute("SELECT column_name FROM information_schema.columns WHERE table_name = ? AND table_schema = current_schema()", (table,))
        return {str(r[0]) for r in rows.fetchall()}

    def _add_missing_columns(self, table: str, columns: dict[str, str]) -> None:
        """Bring a table from an earlier version up to date: ``ALTER TABLE ... ADD COLUMN`` for each missing column."""
        present = self._columns(table)
        for name, kind in columns.items():
            if name not in present:
                self._execute(f"ALTER TABLE {table} ADD COLUMN {name} {kind}")

    def _prune_tokens(self, before: int) -> None:
        self._execute("DELETE FROM handoff_tokens WHERE expires_at < ?", (before,))

    # -- tickets -------------------------------------------------------------------------------

    async def create_ticket(
        self,
        *,
        lang: str,
        channel: str,
        summary: str,
        transcript: list[dict[str, Any]],
        answers: dict[str, Any] | None = None,
        service_id: str | None = None,
        now: dt.datetime | None = None,
    ) -> Ticket:
        """Store a new open ticket numbered ``T<yyyymmdd>-<nnnn>`` by its day in Shanghai time."""
        ticket, _ = await self.open_ticket(lang=lang, channel=channel, summary=summary, transcript=transcript, answers=answers, service_id=service_id, now=now)
        return ticket

    async def open_ticket(
        self,
        *,
        lang: str,
        channel: str,
        summary: str,
        transcript: list[dict[str, Any]],
        answers: dict[str, Any] | None = None,
        service_id: str | None = None,
        conversation_id: str | None = None,
        now: dt.datetime | None = None,
    ) -> tuple[Ticket, bool]:
        """``(ticket, created)``: the conversation's open ticket when it has one (``created`` False),
        else a new one. One write transaction decides, so two requests racing make one ticket."""
        moment = now or _utc_now()
        if moment.tzinfo is None:
            raise ValueError("now must be timezone-aware")
        return await self._call(self._create_ticket, moment, lang, channel, summary, transcript, answers or {}, service_id, conversation_id)

    def _create_ticket(
        self,
        moment: dt.datetime,
        lang: str,
        channel: str,
        summary: str,
        transcript: list[dict[str, Any]],
        answers: dict[str, Any],
        service_id: str | None,
        conversation_id: str | None = None,
    ) -> tuple[Ticket, bool]:
        day = moment.astimezone(CITY_TZ).strftime("%Y%m%d")
        created = _iso(moment)
        transcript_json = json.dumps(transcript, ensure_ascii=False)
        answers_json = json.dumps(answers, ensure_ascii=False, default=str)
        for attempt in range(_RETRIES):
            try:
                with self._transaction():
                    if conversation_id:
                        existing = self._execute(
                            f"SELECT {self._TICKET_COLUMNS} FROM tickets WHERE conversation_id = ? AND status = 'open' ORDER BY id LIMIT 1",
                            (conversation_id,),
                        ).fetchone()
                        if existing is not None:
                            return self._ticket(existing), False
                    row = self._execute("SELECT COALESCE(MAX(seq), 0) FROM tickets WHERE day = ?", (day,)).fetchone()
                    seq = int(row[0]) + 1
                    number = f"T{day}-{seq:04d}"
                    self._execute(
                        "INSERT INTO tickets (number, day, seq, created_at, status, lang, channel, service_id, summary, transcript, answers, conversation_id)"
                        " VALUES (?, ?, ?, ?, 'open', ?, ?, ?, ?, ?, ?, ?)",
                        (number, day, seq, created, lang, channel, service_id, summary, transcript_json, answers_json, conversation_id),
                    )
            except self._dialect.integrity_errors:
                # Another replica took the same number between our read and write (PostgreSQL only).
                if attempt == _RETRIES - 1:
                    raise
                continue
            ticket = Ticket(number, created, "open", lang, channel, service_id, summary, transcript, json.loads(answers_json), conversation_id)
            return ticket, True
        raise AssertionError("unreachable")  # pragma: no cover

    @staticmethod
    def _ticket(row: Sequence[Any]) -> Ticket:
        number, created, status, lang, channel, service_id, summary, transcript, answers, conversation, agent, taken, closed = row
        return Ticket(
            number, created, status, lang, channel, service_id, summary, json.loads(transcript), json.loads(answers), conversation, agent, taken, closed
        )

    _TICKET_COLUMNS = "number, created_at, status, lang, channel, service_id, summary, transcript, answers, conversation_id, agent, taken_at, closed_at"

    async def get_ticket(self, number: str) -> Ticket | None:
        """The ticket with this number, or None."""
        return await self._call(self._get_ticket, number)

    def _get_ticket(self, number: str) -> Ticket | None:
        row = self._execute(f"SELECT {self._TICKET_COLUMNS} FROM tickets WHERE number = ?", (number,)).fetchone()
        return None if row is None else self._ticket(row)

    async def list_tickets(self, status: str | None = None, limit: int = 50, offset: int = 0) -> tuple[int, list[Ticket]]:
        """``(total, page)`` of tickets, newest first, optionally only those with ``status``."""
        if status is not None and status not in TICKET_STATUSES:
            raise ValueError(f"status must be open or closed, got {status!r}")
        return await self._call(self._list_tickets, status, limit, offset)

    def _list_tickets(self, status: str | None, limit: int, offset: int) -> tuple[int, list[Ticket]]:
        where, params = ("WHERE status = ?", (status,)) if status else ("", ())
        total = int(self._execute(f"SELECT COUNT(*) FROM tickets {where}", params).fetchone()[0])
        rows = self._execute(
            f"SELECT {self._TICKET_COLUMNS} FROM tickets {where} ORDER BY created_at DESC, id DESC LIMIT ? OFFSET ?", (*params, limit, offset)
        ).fetchall()
        return total, [self._ticket(r) for r in rows]

    # -- handoff token ids ---------------------------------------------------------------------

    async def record_token(self, jti: str, service_id: str, issued_at: int, expires_at: int) -> None:
        """Remember an issued token id (not yet used)."""
        await self._call(self._record_token, jti, service_id, issued_at, expires_at)

    def _record_token(self, jti: str, service_id: str, issued_at: int, expires_at: int) -> None:
        self._execute(
            "INSERT INTO handoff_tokens (jti, service_id, issued_at, expires_at, used_at) VALUES (?, ?, ?, ?, NULL) ON CONFLICT (jti) DO NOTHING",
            (jti, service_id, issued_at, expires_at),
        )

    async def use_jti(self, jti: str, service_id: str, issued_at: int, expires_at: int, now: int) -> bool:
        """Mark a token id used; True only for the first call, across connections and replicas.

        One conditional ``UPDATE ... WHERE used_at IS NULL`` decides, so two redemptions racing
        on different connections cannot both win.
        """
        return await self._call(self._use_jti, jti, service_id, issued_at, expires_at, now)

    def _use_jti(self, jti: str, service_id: str, issued_at: int, expires_at: int, now: int) -> bool:
        with self._transaction():
            self._record_token(jti, service_id, issued_at, expires_at)
            cursor = self._execute("UPDATE handoff_tokens SET used_at = ? WHERE jti = ? AND used_at IS NULL", (now, jti))
            return bool(cursor.rowcount == 1)

    async def token_row(self, jti: str) -> dict[str, Any] | None:
        """The stored row of a token id (for tests and support), or None."""
        return await self._call(self._token_row, jti)

    def _token_row(self, jti: str) -> dict[str, Any] | None:
        row = self._execute("SELECT jti, service_id, issued_at, expires_at, used_at FROM handoff_tokens WHERE jti = ?", (jti,)).fetchone()
        return None if row is None else dict(zip(("jti", "service_id", "issued_at", "expires_at", "used_at"), row, strict=True))

    # -- application link handles ---------------------------------------------------------------

    async def store_handle(self, handle_hash: str, jti: str, service_id: str, token: str, expires_at: int) -> None:
        """Keep a signed token behind the hash of its link's opaque handle until it is redeemed."""
        await self._call(
            self._execute,
            "INSERT INTO handoff_handles (handle_hash, jti, service_id, token, expires_at, used_at) VALUES (?, ?, ?, ?, ?, NULL)",
            (handle_hash, jti, service_id, token, expires_at),
        )

    async def peek_handle(self, handle_hash: str, now: int, *, service_id: str) -> str:
        """``ok``, ``unknown``, ``expired``, ``wrong_service`` or ``used``, without using the handle up."""
        return await self._call(self._peek_handle, handle_hash, now, service_id)

    def _peek_handle(self, handle_hash: str, now: int, service_id: str) -> str:
        row = self._execute("SELECT service_id, expires_at, used_at FROM handoff_handles WHERE handle_hash = ?", (handle_hash,)).fetchone()
        return self._handle_status(row, now, service_id)

    @staticmethod
    def _handle_status(row: Sequence[Any] | None, now: int, service_id: str) -> str:
        # The order of Signer.verify and Signer.redeem: expired, then wrong service, then already used.
        if row is None:
            return "unknown"
        if now >= int(row[1]):
            return "expired"
        if row[0] != service_id:
            return "wrong_service"
        return "used" if row[2] is not None else "ok"

    async def take_handle(self, handle_hash: str, now: int, *, service_id: str) -> tuple[str, str]:
        """``(status, token)``: the first redemption for ``service_id`` gets ``ok`` and the signed
        token, which is then erased from the row; every later one ``used``. A handle made for
        another service is refused (``wrong_service``) without being used up. One conditional
        update decides, so two redemptions racing on different connections cannot both win."""
        return await self._call(self._take_handle, handle_hash, now, service_id)

    def _take_handle(self, handle_hash: str, now: int, service_id: str) -> tuple[str, str]:
        with self._transaction():
            row = self._execute("SELECT service_id, expires_at, used_at, token FROM handoff_handles WHERE handle_hash = ?", (handle_hash,)).fetchone()
            status = self._handle_status(row, now, service_id)
            if status != "ok" or row is None:
                return status, ""
            cursor = self._execute(
                "UPDATE handoff_handles SET used_at = ?, token = '' WHERE handle_hash = ? AND service_id = ? AND used_at IS NULL AND expires_at > ?",
                (now, handle_hash, service_id, now),
            )
            return ("ok", str(row[3])) if cursor.rowcount == 1 else ("used", "")

    # -- retention -------------------------------------------------------------------------------

    async def purge(self, *, retention_days: int, audit_retention_days: int, rejected_retention_days: int, now: dt.datetime | None = None) -> dict[str, int]:
        """Delete what is past its retention; returns the number of rows deleted per kind.

        Also erases the signed token (and so the answers) of every unused link handle that has
        expired: the row stays a day longer only to tell "expired" from "no such link".

        Raises:
            ValueError: a retention shorter than one day, or a naive ``now``.
        """
        if min(retention_days, audit_retention_days, rejected_retention_days) < 1:
            raise ValueError("retention periods must be at least one day")
        moment = now or _utc_now()
        if moment.tzinfo is None:
            raise ValueError("now must be timezone-aware")
        return await self._call(self._purge, moment, retention_days, audit_retention_days, rejected_retention_days)

    def _purge(self, moment: dt.datetime, retention_days: int, audit_days: int, rejected_days: int) -> dict[str, int]:
        def before(days: int) -> str:
            return _iso(moment - dt.timedelta(days=days))

        epoch = int(moment.timestamp()) - TOKEN_ROWS_KEPT_S
        marks = ", ".join("?" for _ in REFUSAL_KINDS)
        with self._transaction():
            counts = {
                "tickets": self._execute("DELETE FROM tickets WHERE created_at < ?", (before(retention_days),)).rowcount,
                "refusals": self._execute(f"DELETE FROM audit WHERE kind IN ({marks}) AND ts < ?", (*REFUSAL_KINDS, before(rejected_days))).rowcount,
                "audit": self._execute("DELETE FROM audit WHERE ts < ?", (before(audit_days),)).rowcount,
                "tokens": self._execute("DELETE FROM handoff_tokens WHERE expires_at < ?", (epoch,)).rowcount,
                "handles": self._execute("DELETE FROM handoff_handles WHERE expires_at < ?", (epoch,)).rowcount,
                "agent_sessions": self._execute("DELETE FROM agent_sessions WHERE expires_at < ?", (int(moment.timestamp()),)).rowcount,
                "expired_links": self._execute(
                    "UPDATE handoff_handles SET token = '' WHERE expires_at <= ? AND token <> ''", (int(moment.timestamp()),)
                ).rowcount,
            }
        return {k: max(0, int(v)) for k, v in counts.items()}

    # -- audit ---------------------------------------------------------------------------------

    async def audit(self, kind: str, *, outcome: str, channel: str | None = None, service_id: str | None = None, detail: dict[str, Any] | None = None) -> None:
        """Append an audit record; personal data in ``detail`` is masked before it is stored.

        Raises:
            ValueError: ``kind`` is not one of ``AUDIT_KINDS``.
        """
        if kind not in AUDIT_KINDS:
            raise ValueError(f"unknown audit kind {kind!r}; valid: {', '.join(sorted(AUDIT_KINDS))}")
        text = json.dumps(mask_obj(detail or {}), ensure_ascii=False, default=str)
        if len(text) > MAX_DETAIL_CHARS:
            text = json.dumps({"truncated": True, "chars": len(text)})
        await self._call(self._audit, _iso(_utc_now()), kind, channel, service_id, outcome, text)

    def _audit(self, ts: str, kind: str, channel: str | None, service_id: str | None, outcome: str, detail: str) -> None:
        self._execute(
            "INSERT INTO audit (ts, kind, channel, service_id, outcome, detail) VALUES (?, ?, ?, ?, ?, ?)", (ts, kind, channel, service_id, outcome, detail)
        )

    async def audit_records(self, kind: str | None = None, limit: int = 100) -> list[AuditRecord]:
        """The newest audit records first, optionally of one kind."""
        return await self._call(self._audit_records, kind, limit)

    def _audit_records(self, kind: str | None, limit: int) -> list[AuditRecord]:
        where, params = ("WHERE kind = ?", (kind,)) if kind else ("", ())
        rows = self._execute(
            f"SELECT id, ts, kind, channel, service_id, outcome, detail FROM audit {where} ORDER BY id DESC LIMIT ?", (*params, limit)
        ).fetchall()
        return [AuditRecord(int(r[0]), r[1], r[2], r[3], r[4], r[5], json.loads(r[6])) for r in rows]
