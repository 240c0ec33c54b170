"""The database layer: tickets survive a restart, per-day numbering, single-use token ids and link handles, audit, retention.

Every test that takes ``db`` or ``database_url`` runs on SQLite and on PostgreSQL (tests/pgkit.py); the
SQLite file's own properties (WAL, file modes) are tested on ``url``, a SQLite URL.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import importlib.util
import sqlite3
import stat
import threading
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import exc as sa_exc
from sqlalchemy import func, select, update

from service_catalog.db import CITY_TZ, Database
from service_catalog.db_schema import audit, handoff_handles, tickets
from service_catalog.settings import Settings

TRANSCRIPT = [{"who": "user", "text": "I need a person"}, {"who": "bot", "text": "One moment"}]


def at(day: str, hour: int = 10) -> dt.datetime:
    """A moment on ``day`` (yyyy-mm-dd) in Shanghai time."""
    return dt.datetime.fromisoformat(day).replace(hour=hour, tzinfo=CITY_TZ)


@pytest.fixture
def url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'nested' / 'folder' / 'catalog.db'}"


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[Database]:
    database = await Database.open(database_url)
    yield database
    await database.close()


async def _ticket(db: Database, when: dt.datetime | None = None, status_text: str = "help") -> str:
    ticket = await db.create_ticket(
        lang="en", channel="rest", summary=status_text, transcript=TRANSCRIPT, answers={"age": 61}, service_id="pension-claim", now=when
    )
    return ticket.number


async def test_open_creates_the_folder_in_wal_mode(tmp_path: Path, url: str) -> None:
    await (await Database.open(url)).close()
    path = tmp_path / "nested" / "folder" / "catalog.db"
    assert path.is_file()
    with sqlite3.connect(path) as check:
        assert check.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        tables = {r[0] for r in check.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert {"tickets", "handoff_tokens", "handoff_handles", "audit"} <= tables


async def test_default_url_is_under_data_dir(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path)
    database = await Database.open(settings.database_url)
    await database.close()
    assert (tmp_path / "catalog.db").is_file()


async def test_tickets_survive_a_restart(database_url: str) -> None:
    first = await Database.open(database_url)
    number = await _ticket(first, at("2026-12-01"))
    await first.close()
    second = await Database.open(database_url)  # opening again is idempotent
    try:
        ticket = await second.get_ticket(number)
        assert ticket is not None
        assert ticket.number == number == "T20261201-0001"
        assert ticket.transcript == TRANSCRIPT and ticket.answers == {"age": 61}
        assert (ticket.status, ticket.lang, ticket.channel, ticket.service_id, ticket.summary) == ("open", "en", "rest", "pension-claim", "help")
        assert await _ticket(second, at("2026-12-01", 11)) == "T20261201-0002"  # the sequence continues
    finally:
        await second.close()


async def test_numbering_is_per_day_in_shanghai_time(db: Database) -> None:
    assert await _ticket(db, at("2026-12-01", 9)) == "T20261201-0001"
    assert await _ticket(db, at("2026-12-01", 23)) == "T20261201-0002"
    assert await _ticket(db, at("2026-12-02", 0)) == "T20261202-0001"
    # 16:30 UTC on 30 November is already 1 December in Shanghai.
    assert await _ticket(db, dt.datetime(2026, 11, 30, 16, 30, tzinfo=dt.UTC)) == "T20261201-0003"
    with pytest.raises(ValueError, match="timezone-aware"):
        await _ticket(db, dt.datetime(2026, 12, 1, 10))


async def test_numbers_stay_unique_under_concurrency(database_url: str, db: Database) -> None:
    other = await Database.open(database_url)  # a second replica on the same file or database
    try:
        numbers = await asyncio.gather(*(_ticket(d, at("2026-12-03")) for d in [db, other] * 15))
    finally:
        await other.close()
    assert sorted(numbers) == [f"T20261203-{n:04d}" for n in range(1, 31)]


async def test_numbers_grow_past_four_digits(db: Database) -> None:
    for _ in range(3):
        await _ticket(db, at("2026-12-04"))
    await db._write(lambda c: c.execute(update(tickets).where(tickets.c.number == "T20261204-0003").values(seq=9999)))
    assert await _ticket(db, at("2026-12-04")) == "T20261204-10000"


async def test_list_is_newest_first_with_status_filter_and_paging(db: Database) -> None:
    numbers = [await _ticket(db, at("2026-12-01", h)) for h in (9, 10, 11, 12)]
    total, page = await db.list_tickets()
    assert total == 4 and [t.number for t in page] == numbers[::-1]
    assert (await db.close_ticket(numbers[0], "agent.wang", override=True))[0] == "ok"
    assert (await db.close_ticket("T19990101-0001", "agent.wang", override=True))[0] == "unknown"
    total, page = await db.list_tickets(status="open", limit=2, offset=0)
    assert total == 3 and [t.number for t in page] == [numbers[3], numbers[2]]
    total, page = await db.list_tickets(status="open", limit=2, offset=2)
    assert [t.number for t in page] == [numbers[1]]
    total, page = await db.list_tickets(status="closed")
    assert total == 1 and page[0].status == "closed"
    assert page[0].to_json(full=False).keys() == {
        "number",
        "created_at",
        "status",
        "lang",
        "channel",
        "service_id",
        "summary",
        "conversation_id",
        "agent",
        "taken_at",
        "closed_at",
        "subject",
    }
    with pytest.raises(ValueError, match="open or closed"):
        await db.list_tickets(status="pending")


async def test_get_unknown_ticket_is_none(db: Database) -> None:
    assert await db.get_ticket("T20990101-0001") is None


async def test_jti_is_used_once(db: Database) -> None:
    await db.record_token("a" * 32, "pension-claim", 100, 700)
    row = await db.token_row("a" * 32)
    assert row == {"jti": "a" * 32, "service_id": "pension-claim", "issued_at": 100, "expires_at": 700, "used_at": None}
    assert await db.use_jti("a" * 32, "pension-claim", 100, 700, now=150)
    assert not await db.use_jti("a" * 32, "pension-claim", 100, 700, now=160)
    assert (await db.token_row("a" * 32) or {})["used_at"] == 150
    # A token issued by a replica that has not recorded it is still used once only.
    assert await db.use_jti("b" * 32, "pension-claim", 100, 700, now=150)
    assert not await db.use_jti("b" * 32, "pension-claim", 100, 700, now=150)


async def test_jti_single_use_is_atomic_across_connections(database_url: str, db: Database) -> None:
    replicas = [db] + [await Database.open(database_url) for _ in range(3)]
    try:
        wins = await asyncio.gather(*(r.use_jti("c" * 32, "pension-claim", 100, 700, now=150) for r in replicas * 10))
    finally:
        for replica in replicas[1:]:
            await replica.close()
    assert wins.count(True) == 1


async def test_sqlite_calls_run_on_one_worker_thread_not_the_loop(url: str) -> None:
    db = await Database.open(url)
    try:
        names = {await db._call(lambda: threading.current_thread().name) for _ in range(5)}
    finally:
        await db.close()
    assert len(names) == 1 and names.pop().startswith("catalog-db")


async def test_audit_masks_personal_data(db: Database) -> None:
    await db.audit(
        "ticket_created", outcome="open", channel="rest", service_id="pension-claim", detail={"note": "call me on 13812345678", "id": "310101199001011234"}
    )
    await db.audit("centre_referral", outcome="in_district", detail={"district": "pudong"})
    (record,) = await db.audit_records("ticket_created")
    assert record.detail == {"note": "call me on 138****5678", "id": "310101********1234"}
    assert (record.kind, record.outcome, record.channel, record.service_id) == ("ticket_created", "open", "rest", "pension-claim")
    assert [r.kind for r in await db.audit_records()] == ["centre_referral", "ticket_created"]
    with pytest.raises(ValueError, match="unknown audit kind"):
        await db.audit("something_else", outcome="x")


async def test_oversized_audit_detail_is_truncated(db: Database) -> None:
    await db.audit("token_rejected", outcome="token_invalid", detail={"message": "x" * 10000})
    (record,) = await db.audit_records("token_rejected")
    assert record.detail == {"truncated": True, "chars": 10015}


async def test_postgresql_needs_psycopg(monkeypatch: pytest.MonkeyPatch) -> None:
    find_spec = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "psycopg" else find_spec(name, *a))  # as if not installed
    with pytest.raises(ValueError, match="needs psycopg installed"):
        await Database.open("postgresql://catalog@db.internal/catalog")


@pytest.mark.parametrize("bad", ["mysql://x/y", "sqlite:///", "catalog.db"])
async def test_unsupported_urls_are_refused(bad: str) -> None:
    with pytest.raises(ValueError, match="sqlite:///"):
        await Database.open(bad)


async def test_closed_database_refuses_calls(database_url: str) -> None:
    database = await Database.open(database_url)
    await database.close()
    await database.close()  # idempotent
    with pytest.raises(RuntimeError, match="closed"):
        await database.get_ticket("T20261201-0001")


async def test_database_file_is_private(tmp_path: Path, url: str) -> None:
    db = await Database.open(url)
    await _ticket(db, at("2026-12-01"))  # the WAL files exist once something was written
    await db.close()
    folder = tmp_path / "nested" / "folder"
    path = folder / "catalog.db"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    for part in (folder / "catalog.db-wal", folder / "catalog.db-shm"):
        if part.exists():
            assert stat.S_IMODE(part.stat().st_mode) & 0o077 == 0, part
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700


async def test_an_existing_readable_database_is_made_private(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    sqlite3.connect(path).close()
    path.chmod(0o644)
    database = await Database.open(f"sqlite:///{path}")
    await database.close()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


# -- application link handles ------------------------------------------------------------------

HASH = "f" * 64
TOKEN = "header.payload.signature"


async def _handle_row(db: Database, handle_hash: str = HASH) -> tuple[Any, ...] | None:
    h = handoff_handles.c
    row = await db._read(lambda c: c.execute(select(h.jti, h.service_id, h.token, h.expires_at, h.used_at).where(h.handle_hash == handle_hash)).first())
    return None if row is None else tuple(row)


async def test_handle_is_taken_once_and_its_token_erased(db: Database) -> None:
    await db.store_handle(HASH, "a" * 32, "pension-claim", TOKEN, 700)
    assert await _handle_row(db) == ("a" * 32, "pension-claim", TOKEN, 700, None)
    assert await db.peek_handle(HASH, 100, service_id="pension-claim") == "ok"
    assert await db.peek_handle(HASH, 100, service_id="pension-claim") == "ok"  # peeking uses nothing up
    assert await db.take_handle(HASH, 150, service_id="pension-claim") == ("ok", TOKEN)
    assert await _handle_row(db) == ("a" * 32, "pension-claim", "", 700, 150)  # the signed answers are gone
    assert await db.take_handle(HASH, 160, service_id="pension-claim") == ("used", "")
    assert await db.peek_handle(HASH, 160, service_id="pension-claim") == "used"


async def test_expired_and_unknown_handles(db: Database) -> None:
    await db.store_handle(HASH, "a" * 32, "pension-claim", TOKEN, 700)
    assert await db.peek_handle(HASH, 699, service_id="pension-claim") == "ok"
    assert await db.peek_handle(HASH, 700, service_id="pension-claim") == "expired"  # expires_at is the first refused second
    assert await db.take_handle(HASH, 700, service_id="pension-claim") == ("expired", "")
    assert (await _handle_row(db) or ())[4] is None
    assert await db.peek_handle("0" * 64, 100, service_id="pension-claim") == "unknown"
    assert await db.take_handle("0" * 64, 100, service_id="pension-claim") == ("unknown", "")


async def test_handle_for_another_service_is_refused_without_being_used_up(db: Database) -> None:
    await db.store_handle(HASH, "a" * 32, "pension-claim", TOKEN, 700)
    assert await db.peek_handle(HASH, 100, service_id="birth-registration") == "wrong_service"
    assert await db.take_handle(HASH, 100, service_id="birth-registration") == ("wrong_service", "")
    assert await _handle_row(db) == ("a" * 32, "pension-claim", TOKEN, 700, None)
    assert await db.take_handle(HASH, 101, service_id="pension-claim") == ("ok", TOKEN)
    assert await db.take_handle(HASH, 102, service_id="birth-registration") == ("wrong_service", "")


async def test_a_handle_is_stored_once(db: Database) -> None:
    await db.store_handle(HASH, "a" * 32, "pension-claim", TOKEN, 700)
    with pytest.raises(sa_exc.IntegrityError):
        await db.store_handle(HASH, "b" * 32, "pension-claim", "other", 700)


async def test_handle_single_use_is_atomic_across_connections(database_url: str, db: Database) -> None:
    await db.store_handle(HASH, "a" * 32, "pension-claim", TOKEN, 700)
    replicas = [db] + [await Database.open(database_url) for _ in range(3)]
    try:
        results = await asyncio.gather(*(r.take_handle(HASH, 150, service_id="pension-claim") for r in replicas * 10))
    finally:
        for replica in replicas[1:]:
            await replica.close()
    assert results.count(("ok", TOKEN)) == 1 and results.count(("used", "")) == 39


# -- retention ---------------------------------------------------------------------------------

NOW = dt.datetime(2026, 12, 31, 12, tzinfo=dt.UTC)
RETENTION = {"retention_days": 30, "audit_retention_days": 180, "rejected_retention_days": 7}


async def _audit_at(db: Database, kind: str, when: dt.datetime) -> None:
    await db.audit(kind, outcome="x", detail={"at": when.isoformat()})
    newest = select(func.max(audit.c.id)).scalar_subquery()
    await db._write(lambda c: c.execute(update(audit).where(audit.c.id == newest).values(ts=when.isoformat(timespec="microseconds"))))


async def test_purge_deletes_what_is_past_its_retention(db: Database) -> None:
    days = dt.timedelta(days=1)
    old_ticket = await _ticket(db, NOW - 31 * days)
    new_ticket = await _ticket(db, NOW - 29 * days)
    for kind, age in [
        ("ticket_created", 181),  # past the audit retention
        ("ticket_created", 179),
        ("token_rejected", 8),  # refusals are kept a week only
        ("admin_refused", 8),
        ("token_rejected", 6),
        ("admin_refused", 6),
        ("application_link", 8),  # other audit records are kept far longer
    ]:
        await _audit_at(db, kind, NOW - age * days)
    now_s = int(NOW.timestamp())
    await db.record_token("old" + "0" * 29, "pension-claim", now_s - 90000 - 600, now_s - 90000)  # expired over a day ago
    await db.record_token("new" + "0" * 29, "pension-claim", now_s - 600, now_s - 60)  # expired a minute ago
    await db.store_handle("1" * 64, "old" + "0" * 29, "pension-claim", TOKEN, now_s - 90000)
    await db.store_handle("2" * 64, "new" + "0" * 29, "pension-claim", TOKEN, now_s - 60)
    await db.store_handle("3" * 64, "live" + "0" * 28, "pension-claim", TOKEN, now_s + 600)

    counts = await db.purge(**RETENTION, now=NOW)
    assert counts == {"tickets": 1, "refusals": 2, "audit": 1, "tokens": 1, "handles": 1, "agent_sessions": 0, "expired_links": 1}

    assert await db.get_ticket(old_ticket) is None and await db.get_ticket(new_ticket) is not None
    kept = sorted((r.kind, r.detail["at"][:10]) for r in await db.audit_records())
    assert kept == sorted(
        [
            ("ticket_created", (NOW - 179 * days).date().isoformat()),
            ("token_rejected", (NOW - 6 * days).date().isoformat()),
            ("admin_refused", (NOW - 6 * days).date().isoformat()),
            ("application_link", (NOW - 8 * days).date().isoformat()),
        ]
    )
    assert await db.token_row("old" + "0" * 29) is None and await db.token_row("new" + "0" * 29) is not None
    assert await _handle_row(db, "1" * 64) is None
    # The expired handle stays (to say "expired" rather than "no such link"), without its token;
    # the live one keeps its token.
    assert (await _handle_row(db, "2" * 64) or ())[2] == ""
    assert await db.peek_handle("2" * 64, now_s, service_id="pension-claim") == "expired"
    assert (await _handle_row(db, "3" * 64) or ())[2] == TOKEN
    assert await db.take_handle("3" * 64, now_s, service_id="pension-claim") == ("ok", TOKEN)

    assert await db.purge(**RETENTION, now=NOW) == dict.fromkeys(counts, 0)  # nothing more to do


async def test_purge_with_a_shorter_ticket_retention(db: Database) -> None:
    await _ticket(db, NOW - dt.timedelta(days=3))
    assert (await db.purge(**{**RETENTION, "retention_days": 5}, now=NOW))["tickets"] == 0
    assert (await db.purge(**{**RETENTION, "retention_days": 2}, now=NOW))["tickets"] == 1


@pytest.mark.parametrize("change", [{"retention_days": 0}, {"audit_retention_days": -1}, {"rejected_retention_days": 0}])
async def test_purge_refuses_retention_under_a_day(db: Database, change: dict[str, int]) -> None:
    await _ticket(db, NOW)
    with pytest.raises(ValueError, match="at least one day"):
        await db.purge(**{**RETENTION, **change}, now=NOW)
    assert (await db.list_tickets())[0] == 1


async def test_purge_needs_an_aware_time(db: Database) -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        await db.purge(**RETENTION, now=dt.datetime(2026, 12, 31, 12))


async def test_a_database_from_before_the_console_gains_the_new_columns(tmp_path: Path) -> None:
    """Tickets written by an earlier version stay readable; the console's columns are added by ALTER TABLE."""
    path = tmp_path / "old.db"
    with sqlite3.connect(path) as old:
        old.execute(
            "CREATE TABLE tickets (id INTEGER PRIMARY KEY, number TEXT NOT NULL UNIQUE, day TEXT NOT NULL, seq INTEGER NOT NULL, created_at TEXT NOT NULL,"
            " status TEXT NOT NULL DEFAULT 'open', lang TEXT NOT NULL, channel TEXT NOT NULL, service_id TEXT, summary TEXT NOT NULL,"
            " transcript TEXT NOT NULL, answers TEXT NOT NULL, UNIQUE (day, seq))"
        )
        old.execute(
            "INSERT INTO tickets (number, day, seq, created_at, status, lang, channel, summary, transcript, answers)"
            " VALUES ('T20261201-0001', '20261201', 1, '2026-12-01T02:00:00+00:00', 'open', 'en', 'rest', 'old', '[]', '{}')"
        )
    for _ in range(2):  # idempotent
        database = await Database.open(f"sqlite:///{path}")
        ticket = await database.get_ticket("T20261201-0001")
        assert ticket is not None and ticket.summary == "old" and ticket.conversation_id is None and ticket.agent is None
        assert await database.queue_positions() == {"T20261201-0001": 1}
        await database.close()
    with sqlite3.connect(path) as check:
        columns = {r[1] for r in check.execute("PRAGMA table_info(tickets)")}
        tables = {r[0] for r in check.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert {"conversation_id", "agent", "taken_at", "closed_at"} <= columns and {"agents", "agent_sessions"} <= tables


async def test_agent_sessions_expire_when_idle_and_end_with_the_account(db: Database) -> None:
    assert await db.add_agent("alice", "agent", "$argon2id$stub")
    assert not await db.add_agent("alice", "supervisor", "$argon2id$other")  # names are unique
    with pytest.raises(ValueError, match="role"):
        await db.add_agent("bob", "admin", "x")
    await db.create_agent_session("h1", "alice", 1000, 3600)
    assert await db.session_agent("h1", 1000 + 3600, 3600) is None  # idle for the whole window
    await db.create_agent_session("h2", "alice", 1000, 3600)
    assert (agent := await db.session_agent("h2", 4000, 3600)) is not None and agent.name == "alice"  # used after 50 min: the window moves
    assert await db.session_agent("h2", 7000, 3600) is not None
    assert await db.set_agent_password("alice", "$argon2id$new")
    assert await db.session_agent("h2", 7001, 3600) is None  # a new password ends every session
    assert not await db.set_agent_disabled("nobody", True)
