"""The one database layer: tickets, handoff token ids, link handles and audit records, on SQLite or PostgreSQL.

Why this module is long: tickets, token ids, link handles, audit records and retention share one
engine, one worker pool and one set of transaction rules; the agent tables are apart
(``db_agents.py``), the tables themselves in ``db_schema.py``, the migrations in ``migrations/``.

``Database.open(url)`` picks the engine from the URL (SQLAlchemy Core; statements are built from the
tables in ``db_schema.py`` and rendered for the engine, never rewritten by hand):

- ``sqlite:///path/to/file.db`` (the default, under ``data_dir``): WAL mode and a busy timeout, so
  several replicas on one host can share the file; the file is 0600, its folder 0700. One worker
  thread and one connection: SQLite admits one writer at a time anyway. Write transactions begin
  with ``BEGIN IMMEDIATE`` (the write lock is taken first, so no update is lost between replicas).
- ``postgresql://user:password@host:port/db`` (or ``postgresql+psycopg://``): psycopg 3 through
  SQLAlchemy's connection pool (``pool_size`` connections and as many worker threads,
  ``pool_pre_ping`` so a restarted server is reconnected on the next call), for replicas on
  several hosts. Isolation is PostgreSQL's READ COMMITTED; what must be unique across replicas is
  decided by one conditional statement or under an advisory lock (below).

Every call runs on the worker pool, so the event loop never blocks on the database. On open, the
schema is brought to the newest Alembic revision (``migrations.upgrade``, serialised between
replicas), then long-expired token ids are pruned. A server that cannot be reached raises
``DatabaseUnavailable`` (HTTP 503), never an engine error with SQL in it (parameters are hidden
from SQLAlchemy's messages: they may hold personal data).

Across replicas:

- ticket numbers ``T<yyyymmdd>-<nnnn>`` are per day (Shanghai time): the next number is read and
  written in one transaction holding the day's lock (``BEGIN IMMEDIATE`` on SQLite,
  ``pg_advisory_xact_lock`` on PostgreSQL), so two replicas never hand out the same number and a
  conversation never gets two open tickets;
- a token id or a link handle is used once: ``UPDATE ... WHERE used_at IS NULL`` decides, and only
  the one statement that changed the row wins.

Retention (``purge``): tickets after ``retention_days`` (30), audit records after
``audit_retention_days`` (180), refusals (``token_rejected``, ``admin_refused``) after
``rejected_retention_days`` (7), token ids and handles a day after they expire (the signed
token behind an unused handle is erased by the first purge after it expires). The service
purges on start and hourly; ``python -m service_catalog purge`` does it on demand.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import importlib.util
import json
import logging
import os
import sqlite3
import time
import zlib
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import and_, delete, event, func, insert, select, update
from sqlalchemy import exc as sa_exc
from sqlalchemy.dialects import postgresql as pg_dialect
from sqlalchemy.dialects import sqlite as sqlite_dialect
from sqlalchemy.engine import Connection, Engine, create_engine, make_url
from sqlalchemy.pool import ConnectionPoolEntry

from . import migrations
from .db_agents import AGENT_AUDIT_KINDS, AgentTables
from .db_schema import TICKET_COLUMNS, agent_sessions, handoff_handles, handoff_tokens, tickets
from .db_schema import audit as audit_table
from .errors import ServiceUnavailable
from .privacy import mask_obj

__all__ = ["AUDIT_KINDS", "CITY_TZ", "AuditRecord", "Database", "DatabaseUnavailable", "Ticket", "make_engine"]

T = TypeVar("T")
log = logging.getLogger("service_catalog.db")

CITY_TZ = dt.timezone(dt.timedelta(hours=8), "Asia/Shanghai")  # no daylight saving in China
AUDIT_KINDS = frozenset({"application_link", "token_redeemed", "token_rejected", "ticket_created", "centre_referral", "admin_refused", *AGENT_AUDIT_KINDS})
REFUSAL_KINDS = ("token_rejected", "admin_refused", "agent_login_failed")
TICKET_STATUSES = frozenset({"open", "closed"})
MAX_DETAIL_CHARS = 4000
TOKEN_ROWS_KEPT_S = 86400  # token ids are kept a day past expiry, then pruned on open
TICKET_LOCK_SPACE = zlib.crc32(b"service_catalog.tickets") & 0x7FFFFFFF  # first key of the per-day advisory lock


class DatabaseUnavailable(ServiceUnavailable, ConnectionError):
    """The database server cannot be reached (down, restarting, or every pooled connection busy)."""

    code = "database_unavailable"


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
    subject: str | None = None  # who the citizen asks for ("mother"); None for themself

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
            "subject": self.subject,
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


def _utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _iso(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).isoformat(timespec="microseconds")


def _sqlite_path(url: str) -> Path:
    path = url.removeprefix("sqlite:///")
    if not path or path == url:
        raise ValueError(f"a SQLite database URL looks like sqlite:///path/to/file.db, got {url!r}")
    return Path(path)


def _sqlite_engine(url: str) -> Engine:
    path = _sqlite_path(url)
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    if not path.exists():
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))
    # One connection (one worker thread uses it); parameters stay out of error messages (personal data).
    engine = create_engine(f"sqlite+pysqlite:///{path}", pool_size=1, max_overflow=0, hide_parameters=True, connect_args={"timeout": 10.0})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: sqlite3.Connection, _record: ConnectionPoolEntry) -> None:
        dbapi_connection.isolation_level = None  # we emit BEGIN ourselves (below), as SQLAlchemy's docs advise
        for part in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
            if part.exists():
                part.chmod(0o600)  # tickets and audit records: readable by this service only
        dbapi_connection.execute("PRAGMA journal_mode=WAL")
        dbapi_connection.execute("PRAGMA synchronous=NORMAL")
        dbapi_connection.execute("PRAGMA busy_timeout=10000")

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        # Writes take the lock first: two replicas cannot both read "the next number" and write it.
        connection.exec_driver_sql("BEGIN IMMEDIATE" if connection.get_execution_options().get("catalog_write") else "BEGIN")

    return engine


def _postgres_engine(url: str, pool_size: int, pool_timeout: float) -> Engine:
    if importlib.util.find_spec("psycopg") is None:
        raise ValueError(
            "CATALOG_DATABASE_URL names PostgreSQL, which needs psycopg installed (pip install 'psycopg[binary]'); "
            "or leave it empty to use the embedded SQLite database"
        )
    target = make_url(url).set(drivername="postgresql+psycopg")
    return create_engine(
        target,
        pool_size=pool_size,
        max_overflow=0,
        pool_timeout=pool_timeout,
        pool_pre_ping=True,  # a connection the server dropped (restart, failover) is replaced on checkout
        hide_parameters=True,
        connect_args={"connect_timeout": 5, "application_name": "service_catalog"},
    )


def make_engine(url: str, *, pool_size: int = 5, pool_timeout: float = 10.0) -> Engine:
    """The SQLAlchemy engine for a ``CATALOG_DATABASE_URL``.

    Raises:
        ValueError: an unsupported URL, or a PostgreSQL URL without ``psycopg`` installed.
    """
    if url.startswith("sqlite:///"):
        return _sqlite_engine(url)
    if url.startswith(("postgresql://", "postgres://", "postgresql+psycopg://")):
        if not 1 <= pool_size <= 100:
            raise ValueError(f"the pool size must be between 1 and 100, got {pool_size}")
        return _postgres_engine(url.replace("postgres://", "postgresql://", 1), pool_size, pool_timeout)
    scheme = url.split(":", 1)[0] if ":" in url else url
    raise ValueError(f"unsupported database URL scheme {scheme!r}: use sqlite:///path or postgresql://user@host/db")


def _is_unavailable(error: BaseException) -> bool:
    """A lost or refused connection, a pool timeout or a lock wait that ran out (not a bad statement)."""
    if isinstance(error, sa_exc.TimeoutError | sa_exc.OperationalError | sa_exc.InterfaceError):
        return True
    return isinstance(error, sa_exc.DBAPIError) and error.connection_invalidated


class Database(AgentTables):
    """Tickets, handoff token ids, audit records and agent accounts behind one async interface.

    Open with ``await Database.open(url)``; close with ``await db.close()``.
    """

    def __init__(self, engine: Engine, worker: ThreadPoolExecutor) -> None:
        self.engine = engine
        self._writer = engine.execution_options(catalog_write=True)
        self._worker = worker
        self._closed = False

    @property
    def dialect(self) -> str:
        """``sqlite`` or ``postgresql``."""
        return str(self.engine.dialect.name)

    # -- lifetime ------------------------------------------------------------------------------

    @classmethod
    async def open(cls, url: str, *, pool_size: int = 5, pool_timeout: float = 10.0) -> Database:
        """Connect, bring the schema to the newest revision and prune long-expired token ids.

        Args:
            url: ``sqlite:///path`` (the parent folder is created) or ``postgresql://...``.
            pool_size: PostgreSQL only: pooled connections and worker threads.
            pool_timeout: PostgreSQL only: seconds a call waits for a free connection.

        Raises:
            ValueError: an unsupported URL, or a PostgreSQL URL without ``psycopg`` installed.
            DatabaseUnavailable: the server cannot be reached.
        """
        engine = await asyncio.get_running_loop().run_in_executor(None, lambda: make_engine(url, pool_size=pool_size, pool_timeout=pool_timeout))
        workers = 1 if engine.dialect.name == "sqlite" else pool_size
        db = cls(engine, ThreadPoolExecutor(max_workers=workers, thread_name_prefix="catalog-db"))
        try:
            revision = await db._write(migrations.upgrade)
            await db._write(lambda c: c.execute(delete(handoff_tokens).where(handoff_tokens.c.expires_at < int(time.time()) - TOKEN_ROWS_KEPT_S)))
        except BaseException:
            await db.close()
            raise
        log.info("database %s at revision %s", engine.url.render_as_string(hide_password=True), revision)
        return db

    async def close(self) -> None:
        """Close the connections and stop the worker threads (idempotent)."""
        if self._closed:
            return
        self._closed = True
        loop = asyncio.get_running_loop()
        # Calls still running (a request cancelled by shutdown) finish first and give their connection
        # back; only then does dispose() close every connection (none is left to the garbage collector).
        await loop.run_in_executor(None, self._worker.shutdown, True)
        await loop.run_in_executor(None, self.engine.dispose)

    async def _call(self, fn: Callable[..., T], *args: Any) -> T:
        if self._closed:
            raise RuntimeError("the database is closed")
        try:
            return await asyncio.get_running_loop().run_in_executor(self._worker, fn, *args)
        except sa_exc.SQLAlchemyError as error:
            if not _is_unavailable(error):
                raise
            # The cause's class only: its message may quote the URL or a statement.
            log.warning("database unavailable: %s", type(getattr(error, "orig", None) or error).__name__)
            raise DatabaseUnavailable("the database cannot be reached; try again shortly") from error

    async def _read(self, fn: Callable[[Connection], T]) -> T:
        """Run ``fn(connection)`` on a worker, in a read transaction (rolled back after)."""

        def run() -> T:
            with self.engine.connect() as connection:
                return fn(connection)

        return await self._call(run)

    async def _write(self, fn: Callable[[Connection], T]) -> T:
        """Run ``fn(connection)`` on a worker, in a write transaction committed when it returns."""

        def run() -> T:
            with self._writer.begin() as connection:
                return fn(connection)

        return await self._call(run)

    async def read(self, fn: Callable[[Connection], T]) -> T:
        """``fn(connection)`` in a read transaction, for a store of other tables in this database
        (``insights/store.py``): the same engine, workers and ``DatabaseUnavailable`` as every call here."""
        return await self._read(fn)

    async def write(self, fn: Callable[[Connection], T]) -> T:
        """``fn(connection)`` in a write transaction (on SQLite the one writer), for a store of other tables."""
        return await self._write(fn)

    @contextmanager
    def _lock_day(self, connection: Connection, day: str) -> Iterator[None]:
        # SQLite: BEGIN IMMEDIATE already holds the database's write lock.
        if connection.dialect.name == "postgresql":
            connection.execute(select(func.pg_advisory_xact_lock(TICKET_LOCK_SPACE, int(day))))
        yield

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
        subject: str | None = None,
    ) -> Ticket:
        """Store a new open ticket numbered ``T<yyyymmdd>-<nnnn>`` by its day in Shanghai time."""
        ticket, _ = await self.open_ticket(
            lang=lang, channel=channel, summary=summary, transcript=transcript, answers=answers, service_id=service_id, now=now, subject=subject
        )
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
        subject: str | None = None,
    ) -> tuple[Ticket, bool]:
        """``(ticket, created)``: the conversation's open ticket when it has one (``created`` False),
        else a new one. One write transaction holding the day's lock decides, so two requests racing
        (on one replica or two) make one ticket, and two tickets never share a number."""
        moment = now or _utc_now()
        if moment.tzinfo is None:
            raise ValueError("now must be timezone-aware")
        day = moment.astimezone(CITY_TZ).strftime("%Y%m%d")
        created = _iso(moment)
        answers_json = json.dumps(answers or {}, ensure_ascii=False, default=str)
        row = {
            "day": day,
            "created_at": created,
            "status": "open",
            "lang": lang,
            "channel": channel,
            "service_id": service_id,
            "summary": summary,
            "transcript": json.dumps(transcript, ensure_ascii=False),
            "answers": answers_json,
            "conversation_id": conversation_id,
            "subject": subject,
        }

        def create(connection: Connection) -> tuple[Ticket, bool]:
            with self._lock_day(connection, day):
                if conversation_id:
                    existing = connection.execute(
                        select(*TICKET_COLUMNS).where(tickets.c.conversation_id == conversation_id, tickets.c.status == "open").order_by(tickets.c.id).limit(1)
                    ).first()
                    if existing is not None:
                        return self._ticket(existing), False
                seq = int(connection.execute(select(func.coalesce(func.max(tickets.c.seq), 0)).where(tickets.c.day == day)).scalar_one()) + 1
                number = f"T{day}-{seq:04d}"
                connection.execute(insert(tickets).values(number=number, seq=seq, **row))
            ticket = Ticket(number, created, "open", lang, channel, service_id, summary, transcript, json.loads(answers_json), conversation_id, subject=subject)
            return ticket, True

        return await self._write(create)

    @staticmethod
    def _ticket(row: Sequence[Any]) -> Ticket:
        number, created, status, lang, channel, service_id, summary, transcript, answers, conversation, agent, taken, closed, subject = row
        return Ticket(
            number,
            created,
            status,
            lang,
            channel,
            service_id,
            summary,
            json.loads(transcript),
            json.loads(answers),
            conversation,
            agent,
            taken,
            closed,
            subject,
        )

    async def get_ticket(self, number: str) -> Ticket | None:
        """The ticket with this number, or None."""
        return await self._read(lambda c: self._get_ticket(c, number))

    def _get_ticket(self, connection: Connection, number: str) -> Ticket | None:
        row = connection.execute(select(*TICKET_COLUMNS).where(tickets.c.number == number)).first()
        return None if row is None else self._ticket(row)

    async def list_tickets(self, status: str | None = None, limit: int = 50, offset: int = 0) -> tuple[int, list[Ticket]]:
        """``(total, page)`` of tickets, newest first, optionally only those with ``status``."""
        if status is not None and status not in TICKET_STATUSES:
            raise ValueError(f"status must be open or closed, got {status!r}")
        where = [tickets.c.status == status] if status else []

        def page(connection: Connection) -> tuple[int, list[Ticket]]:
            total = int(connection.execute(select(func.count()).select_from(tickets).where(*where)).scalar_one())
            rows = connection.execute(
                select(*TICKET_COLUMNS).where(*where).order_by(tickets.c.created_at.desc(), tickets.c.id.desc()).limit(limit).offset(offset)
            ).all()
            return total, [self._ticket(r) for r in rows]

        return await self._read(page)

    # -- handoff token ids ---------------------------------------------------------------------

    def _insert_ignore(self, table: Any) -> Any:
        """``INSERT ... ON CONFLICT DO NOTHING`` in the engine's dialect."""
        module = pg_dialect if self.dialect == "postgresql" else sqlite_dialect
        return module.insert(table).on_conflict_do_nothing()

    async def record_token(self, jti: str, service_id: str, issued_at: int, expires_at: int) -> None:
        """Remember an issued token id (not yet used)."""
        await self._write(lambda c: self._record_token(c, jti, service_id, issued_at, expires_at))

    def _record_token(self, connection: Connection, jti: str, service_id: str, issued_at: int, expires_at: int) -> None:
        connection.execute(self._insert_ignore(handoff_tokens).values(jti=jti, service_id=service_id, issued_at=issued_at, expires_at=expires_at))

    async def use_jti(self, jti: str, service_id: str, issued_at: int, expires_at: int, now: int) -> bool:
        """Mark a token id used; True only for the first call, across connections and replicas.

        One conditional ``UPDATE ... WHERE used_at IS NULL`` decides, so two redemptions racing
        on different connections cannot both win.
        """

        def use(connection: Connection) -> bool:
            self._record_token(connection, jti, service_id, issued_at, expires_at)
            changed = connection.execute(update(handoff_tokens).where(handoff_tokens.c.jti == jti, handoff_tokens.c.used_at.is_(None)).values(used_at=now))
            return changed.rowcount == 1

        return await self._write(use)

    async def token_row(self, jti: str) -> dict[str, Any] | None:
        """The stored row of a token id (for tests and support), or None."""
        row = await self._read(lambda c: c.execute(select(handoff_tokens).where(handoff_tokens.c.jti == jti)).first())
        return None if row is None else dict(row._mapping)

    # -- application link handles ---------------------------------------------------------------

    async def store_handle(self, handle_hash: str, jti: str, service_id: str, token: str, expires_at: int) -> None:
        """Keep a signed token behind the hash of its link's opaque handle until it is redeemed.

        Raises:
            sqlalchemy.exc.IntegrityError: a handle with this hash is stored already.
        """
        values = {"handle_hash": handle_hash, "jti": jti, "service_id": service_id, "token": token, "expires_at": expires_at}
        await self._write(lambda c: c.execute(insert(handoff_handles).values(**values)))

    async def peek_handle(self, handle_hash: str, now: int, *, service_id: str) -> str:
        """``ok``, ``unknown``, ``expired``, ``wrong_service`` or ``used``, without using the handle up."""
        return await self._read(lambda c: self._handle_status(c, handle_hash, now, service_id))

    @staticmethod
    def _handle_status(connection: Connection, handle_hash: str, now: int, service_id: str) -> str:
        row = connection.execute(
            select(handoff_handles.c.service_id, handoff_handles.c.expires_at, handoff_handles.c.used_at).where(handoff_handles.c.handle_hash == handle_hash)
        ).first()
        # The order of Signer.verify and Signer.redeem: expired, then wrong service, then already used.
        if row is None:
            return "unknown"
        if now >= int(row.expires_at):
            return "expired"
        if row.service_id != service_id:
            return "wrong_service"
        return "used" if row.used_at is not None else "ok"

    async def take_handle(self, handle_hash: str, now: int, *, service_id: str) -> tuple[str, str]:
        """``(status, token)``: the first redemption for ``service_id`` gets ``ok`` and the signed
        token, which is then erased from the row; every later one ``used``. A handle made for
        another service is refused (``wrong_service``) without being used up.

        One ``UPDATE ... WHERE used_at IS NULL ... RETURNING token`` decides: on PostgreSQL a second
        replica's update waits for the first one's row lock, then finds ``used_at`` set and changes
        nothing, so two redemptions racing cannot both win.
        """
        h = handoff_handles.c

        def take(connection: Connection) -> tuple[str, str]:
            won = connection.execute(
                update(handoff_handles)
                .where(h.handle_hash == handle_hash, h.service_id == service_id, h.used_at.is_(None), h.expires_at > now)
                .values(used_at=now)
                .returning(h.token)
            ).first()
            if won is not None:
                connection.execute(update(handoff_handles).where(h.handle_hash == handle_hash).values(token=""))  # the signed answers go
                return "ok", str(won.token)
            status = self._handle_status(connection, handle_hash, now, service_id)
            return ("used", "") if status == "ok" else (status, "")

        return await self._write(take)

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

        def before(days: int) -> str:
            return _iso(moment - dt.timedelta(days=days))

        epoch = int(moment.timestamp())
        a, h = audit_table.c, handoff_handles.c
        statements = {
            "tickets": delete(tickets).where(tickets.c.created_at < before(retention_days)),
            "refusals": delete(audit_table).where(a.kind.in_(REFUSAL_KINDS), a.ts < before(rejected_retention_days)),
            "audit": delete(audit_table).where(a.ts < before(audit_retention_days)),
            "tokens": delete(handoff_tokens).where(handoff_tokens.c.expires_at < epoch - TOKEN_ROWS_KEPT_S),
            "handles": delete(handoff_handles).where(h.expires_at < epoch - TOKEN_ROWS_KEPT_S),
            "agent_sessions": delete(agent_sessions).where(agent_sessions.c.expires_at < epoch),
            "expired_links": update(handoff_handles).where(and_(h.expires_at <= epoch, h.token != "")).values(token=""),
        }

        def run(connection: Connection) -> dict[str, int]:
            return {kind: max(0, int(connection.execute(statement).rowcount)) for kind, statement in statements.items()}

        return await self._write(run)

    # -- audit ---------------------------------------------------------------------------------

    async def audit(self, kind: str, *, outcome: str, channel: str | None = None, service_id: str | None = None, detail: dict[str, Any] | None = None) -> None:
        """Append an audit record; personal data in ``detail`` is masked before it is stored.

        Raises:
            ValueError: ``kind`` is not one of ``AUDIT_KINDS``.
        """
        if kind not in AUDIT_KINDS:
            raise ValueError(f"unknown audit kind {kind!r}; valid: {', '.join(sorted(AUDIT_KINDS))}")
        text_ = json.dumps(mask_obj(detail or {}), ensure_ascii=False, default=str)
        if len(text_) > MAX_DETAIL_CHARS:
            text_ = json.dumps({"truncated": True, "chars": len(text_)})
        values = {"ts": _iso(_utc_now()), "kind": kind, "channel": channel, "service_id": service_id, "outcome": outcome, "detail": text_}
        await self._write(lambda c: c.execute(insert(audit_table).values(**values)))

    async def audit_records(self, kind: str | None = None, limit: int = 100) -> list[AuditRecord]:
        """The newest audit records first, optionally of one kind."""
        a = audit_table.c
        statement = (
            select(a.id, a.ts, a.kind, a.channel, a.service_id, a.outcome, a.detail)
            .where(*([a.kind == kind] if kind else []))
            .order_by(a.id.desc())
            .limit(limit)
        )
        rows = await self._read(lambda c: c.execute(statement).all())
        return [AuditRecord(int(r[0]), r[1], r[2], r[3], r[4], r[5], json.loads(r[6])) for r in rows]

    # -- migrations ------------------------------------------------------------------------------

    async def revision(self) -> str | None:
        """The Alembic revision the database is at."""
        return await self._read(migrations.current)
