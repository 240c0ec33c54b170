"""The database layer: tickets survive a restart, per-day numbering, single-use token ids, audit."""

from __future__ import annotations

import asyncio
import datetime as dt
import importlib.util
import sqlite3
import threading
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from service_catalog.db import CITY_TZ, Database
from service_catalog.settings import Settings

TRANSCRIPT = [{"who": "user", "text": "I need a person"}, {"who": "bot", "text": "One moment"}]


def at(day: str, hour: int = 10) -> dt.datetime:
    """A moment on ``day`` (yyyy-mm-dd) in Shanghai time."""
    return dt.datetime.fromisoformat(day).replace(hour=hour, tzinfo=CITY_TZ)


@pytest.fixture
def url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'nested' / 'folder' / 'catalog.db'}"


@pytest.fixture
async def db(url: str) -> AsyncIterator[Database]:
    database = await Database.open(url)
    yield database
    await database.close()


async def _ticket(db: Database, when: dt.datetime | None = None, status_text: str = "help") -> str:
    ticket = await db.create_ticket(
        lang="en", channel="rest", summary=status_text, transcript=TRANSCRIPT, answers={"age": 61}, service_id="pension-claim", now=when
    )
    return ticket.number


async def test_open_creates_the_folder_in_wal_mode(tmp_path: Path, url: str, db: Database) -> None:
    path = tmp_path / "nested" / "folder" / "catalog.db"
    assert path.is_file()
    with sqlite3.connect(path) as check:
        assert check.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        tables = {r[0] for r in check.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert {"tickets", "handoff_tokens", "audit"} <= tables


async def test_default_url_is_under_data_dir(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path)
    database = await Database.open(settings.database_url)
    await database.close()
    assert (tmp_path / "catalog.db").is_file()


async def test_tickets_survive_a_restart(url: str) -> None:
    first = await Database.open(url)
    number = await _ticket(first, at("2026-12-01"))
    await first.close()
    second = await Database.open(url)  # opening again is idempotent
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


async def test_numbers_stay_unique_under_concurrency(url: str, db: Database) -> None:
    other = await Database.open(url)  # a second replica on the same file
    try:
        numbers = await asyncio.gather(*(_ticket(d, at("2026-12-03")) for d in [db, other] * 15))
    finally:
        await other.close()
    assert sorted(numbers) == [f"T20261203-{n:04d}" for n in range(1, 31)]


async def test_numbers_grow_past_four_digits(db: Database) -> None:
    for _ in range(3):
        await _ticket(db, at("2026-12-04"))
    await db._call(db._execute, "UPDATE tickets SET seq = 9999 WHERE number = 'T20261204-0003'")
    assert await _ticket(db, at("2026-12-04")) == "T20261204-10000"


async def test_list_is_newest_first_with_status_filter_and_paging(db: Database) -> None:
    numbers = [await _ticket(db, at("2026-12-01", h)) for h in (9, 10, 11, 12)]
    total, page = await db.list_tickets()
    assert total == 4 and [t.number for t in page] == numbers[::-1]
    assert await db.set_ticket_status(numbers[0], "closed")
    assert not await db.set_ticket_status("T19990101-0001", "closed")
    total, page = await db.list_tickets(status="open", limit=2, offset=0)
    assert total == 3 and [t.number for t in page] == [numbers[3], numbers[2]]
    total, page = await db.list_tickets(status="open", limit=2, offset=2)
    assert [t.number for t in page] == [numbers[1]]
    total, page = await db.list_tickets(status="closed")
    assert total == 1 and page[0].status == "closed"
    assert page[0].to_json(full=False).keys() == {"number", "created_at", "status", "lang", "channel", "service_id", "summary"}
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


async def test_jti_single_use_is_atomic_across_connections(url: str, db: Database) -> None:
    replicas = [db] + [await Database.open(url) for _ in range(3)]
    try:
        wins = await asyncio.gather(*(r.use_jti("c" * 32, "pension-claim", 100, 700, now=150) for r in replicas * 10))
    finally:
        for replica in replicas[1:]:
            await replica.close()
    assert wins.count(True) == 1


async def test_calls_run_on_one_worker_thread_not_the_loop(db: Database) -> None:
    names = {await db._call(lambda: threading.current_thread().name) for _ in range(5)}
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


@pytest.mark.skipif(importlib.util.find_spec("psycopg") is not None, reason="psycopg is installed")
async def test_postgresql_needs_psycopg() -> None:
    with pytest.raises(ValueError, match="needs psycopg installed"):
        await Database.open("postgresql://catalog@db.internal/catalog")


@pytest.mark.parametrize("bad", ["mysql://x/y", "sqlite:///", "catalog.db"])
async def test_unsupported_urls_are_refused(bad: str) -> None:
    with pytest.raises(ValueError, match="sqlite:///"):
        await Database.open(bad)


async def test_closed_database_refuses_calls(url: str) -> None:
    database = await Database.open(url)
    await database.close()
    await database.close()  # idempotent
    with pytest.raises(RuntimeError, match="closed"):
        await database.get_ticket("T20261201-0001")
