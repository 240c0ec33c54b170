"""Migrations (Alembic) and the engines' behaviour under replicas and faults, on SQLite and PostgreSQL.

The migrated schema equals the tables in code; databases made before Alembic are adopted without
loss; replicas opening one new database together migrate it once; PostgreSQL restarts are survived
and an unreachable server is a clear ``DatabaseUnavailable``.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import psycopg
import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from engines import PostgresCluster
from pgkit import fresh_pg_database
from sqlalchemy import inspect
from sqlalchemy.engine import Connection

from service_catalog import migrations
from service_catalog.__main__ import main
from service_catalog.db import CITY_TZ, Database, DatabaseUnavailable, make_engine
from service_catalog.db_schema import metadata

HEAD = migrations.head()
TABLES = {"tickets", "handoff_tokens", "handoff_handles", "audit", "agents", "agent_sessions", "feedback", "unmet_marks"}

# The schema as the versions before Alembic created it on every open ({pk} differed per engine).
PRE_CONSOLE_SCHEMA = [
    """CREATE TABLE tickets (id {pk}, number TEXT NOT NULL UNIQUE, day TEXT NOT NULL, seq INTEGER NOT NULL, created_at TEXT NOT NULL,
        status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'closed')), lang TEXT NOT NULL, channel TEXT NOT NULL,
        service_id TEXT, summary TEXT NOT NULL, transcript TEXT NOT NULL, answers TEXT NOT NULL, UNIQUE (day, seq))""",
    "CREATE INDEX tickets_status_created ON tickets (status, created_at)",
    "CREATE TABLE handoff_tokens (jti TEXT PRIMARY KEY, service_id TEXT NOT NULL, issued_at BIGINT NOT NULL, expires_at BIGINT NOT NULL, used_at BIGINT)",
    "CREATE TABLE audit (id {pk}, ts TEXT NOT NULL, kind TEXT NOT NULL, channel TEXT, service_id TEXT, outcome TEXT NOT NULL, detail TEXT NOT NULL)",
    "CREATE INDEX audit_kind_ts ON audit (kind, ts)",
    """CREATE TABLE handoff_handles (handle_hash TEXT PRIMARY KEY, jti TEXT NOT NULL, service_id TEXT NOT NULL, token TEXT NOT NULL,
        expires_at BIGINT NOT NULL, used_at BIGINT)""",
    "CREATE INDEX audit_ts ON audit (ts)",
    "CREATE INDEX tickets_created ON tickets (created_at)",
]
CONSOLE_SCHEMA = [
    *PRE_CONSOLE_SCHEMA,
    """CREATE TABLE agents (id {pk}, name TEXT NOT NULL UNIQUE, role TEXT NOT NULL CHECK (role IN ('agent', 'supervisor')),
        password_hash TEXT NOT NULL, created_at TEXT NOT NULL, disabled INTEGER NOT NULL DEFAULT 0)""",
    "CREATE TABLE agent_sessions (id_hash TEXT PRIMARY KEY, agent TEXT NOT NULL, created_at BIGINT NOT NULL, last_seen BIGINT NOT NULL, expires_at BIGINT NOT NULL)",
    "CREATE INDEX agent_sessions_agent ON agent_sessions (agent)",
    "ALTER TABLE tickets ADD COLUMN conversation_id TEXT",
    "ALTER TABLE tickets ADD COLUMN agent TEXT",
    "ALTER TABLE tickets ADD COLUMN taken_at TEXT",
    "ALTER TABLE tickets ADD COLUMN closed_at TEXT",
    "CREATE INDEX tickets_conversation ON tickets (conversation_id, status)",
]
PK = {"sqlite": "INTEGER PRIMARY KEY", "postgresql": "BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY"}
OLD_ROWS = [
    "INSERT INTO tickets (number, day, seq, created_at, status, lang, channel, summary, transcript, answers)"
    " VALUES ('T20261201-0001', '20261201', 1, '2026-12-01T02:00:00.000000+00:00', 'open', 'en', 'rest', 'old', '[]', '{\"age\": 61}')",
    "INSERT INTO handoff_handles (handle_hash, jti, service_id, token, expires_at) VALUES ('" + "f" * 64 + "', 'j1', 'pension-claim', 'a.b.c', 4102444800)",
    "INSERT INTO audit (ts, kind, outcome, detail) VALUES ('2026-12-01T02:00:00.000000+00:00', 'ticket_created', 'open', '{}')",
]


def _engine_name(url: str) -> str:
    return "sqlite" if url.startswith("sqlite") else "postgresql"


def write_old_database(url: str, schema: list[str], rows: list[str]) -> None:
    """Create tables and rows the way an earlier version did, with the engine's own driver."""
    statements = [s.format(pk=PK[_engine_name(url)]) for s in schema] + rows
    if url.startswith("sqlite:///"):
        path = Path(url.removeprefix("sqlite:///"))
        path.parent.mkdir(parents=True, exist_ok=True)
        with sqlite3.connect(path) as old:
            for statement in statements:
                old.execute(statement)
    else:
        with psycopg.connect(url) as old:
            for statement in statements:
                old.execute(statement)  # type: ignore[arg-type]


@contextmanager
def connection(url: str) -> Iterator[Connection]:
    engine = make_engine(url, pool_size=1)
    try:
        with engine.connect() as conn:
            yield conn
    finally:
        engine.dispose()


def schema_differences(url: str) -> list[Any]:
    """What autogenerate would write: differences between the database and the tables in code."""
    with connection(url) as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        differences = list(compare_metadata(context, metadata))
    if url.startswith("sqlite"):
        # Files from before Alembic declared "jti TEXT PRIMARY KEY" without NOT NULL, which SQLite (alone)
        # reads as nullable. Nothing writes a NULL key; rebuilding the tables to say so is not worth the risk.
        primary_keys = {(t.name, c.name) for t in metadata.tables.values() for c in t.primary_key}
        differences = [d for d in differences if not (isinstance(d, list) and d[0][0] == "modify_nullable" and (d[0][2], d[0][3]) in primary_keys)]
    return differences


async def test_the_migrated_schema_is_the_schema_in_code(database_url: str) -> None:
    db = await Database.open(database_url)
    assert await db.revision() == HEAD
    await db.close()
    assert schema_differences(database_url) == []
    with connection(database_url) as conn:
        assert TABLES | {"alembic_version"} == set(inspect(conn).get_table_names())


async def test_every_revision_downgrades_and_upgrades_again(database_url: str) -> None:
    await (await Database.open(database_url)).close()
    engine = make_engine(database_url, pool_size=1)
    try:
        with engine.begin() as conn:
            command.downgrade(migrations.config(conn), "base")
            assert set(inspect(conn).get_table_names()) == {"alembic_version"}
        with engine.begin() as conn:
            assert migrations.upgrade(conn) == HEAD
    finally:
        engine.dispose()
    assert schema_differences(database_url) == []


async def test_tickets_from_before_the_subject_column_keep_their_data(database_url: str) -> None:
    """Revision 0004 adds who the citizen asks for (``subject``): older tickets keep everything, with no subject."""
    await (await Database.open(database_url)).close()
    engine = make_engine(database_url, pool_size=1)
    try:
        with engine.begin() as conn:
            command.downgrade(migrations.config(conn), "0003")
            assert "subject" not in {c["name"] for c in inspect(conn).get_columns("tickets")}
            conn.exec_driver_sql(OLD_ROWS[0])
    finally:
        engine.dispose()
    db = await Database.open(database_url)
    try:
        assert await db.revision() == HEAD
        old = await db.get_ticket("T20261201-0001")
        assert old is not None and (old.summary, old.answers, old.subject) == ("old", {"age": 61}, None)
        new = await db.create_ticket(lang="en", channel="rest", summary="s", transcript=[], subject="mother")
        stored = await db.get_ticket(new.number)
        assert stored is not None and stored.subject == "mother" and stored.to_json(full=False)["subject"] == "mother"
    finally:
        await db.close()
    assert schema_differences(database_url) == []


@pytest.mark.parametrize("schema", ["pre_console", "console"])
async def test_a_database_from_before_alembic_is_adopted_without_loss(database_url: str, schema: str) -> None:
    rows = list(OLD_ROWS)
    if schema == "console":
        rows += [
            "INSERT INTO agents (name, role, password_hash, created_at) VALUES ('wang.li', 'supervisor', '$argon2id$x', '2026-12-01T02:00:00+00:00')",
            "UPDATE tickets SET conversation_id = 'conv-1', agent = 'wang.li' WHERE number = 'T20261201-0001'",
        ]
    write_old_database(database_url, CONSOLE_SCHEMA if schema == "console" else PRE_CONSOLE_SCHEMA, rows)

    for _ in range(2):  # opening again changes nothing
        db = await Database.open(database_url)
        try:
            assert await db.revision() == HEAD
            ticket = await db.get_ticket("T20261201-0001")
            assert ticket is not None and (ticket.summary, ticket.answers) == ("old", {"age": 61})
            assert ticket.conversation_id == ("conv-1" if schema == "console" else None)
            assert await db.peek_handle("f" * 64, 100, service_id="pension-claim") == "ok"
            assert [r.kind for r in await db.audit_records()] == ["ticket_created"]
            # The sequence and the identity columns go on from the old rows.
            new = await db.create_ticket(lang="zh", channel="web", summary="new", transcript=[], now=dt.datetime(2026, 12, 1, 15, tzinfo=CITY_TZ))
            assert new.number.startswith("T20261201-000") and new.number != "T20261201-0001"
            if schema == "console":
                assert (agent := await db.get_agent("wang.li")) is not None and agent.role == "supervisor"
        finally:
            await db.close()
    assert schema_differences(database_url) == []


async def test_replicas_opening_a_new_database_together_migrate_it_once(database_url: str) -> None:
    replicas = await asyncio.gather(*(Database.open(database_url) for _ in range(4)))
    try:
        assert [await r.revision() for r in replicas] == [HEAD] * 4
        numbers = await asyncio.gather(
            *(r.create_ticket(lang="en", channel="rest", summary="s", transcript=[], now=dt.datetime(2026, 12, 5, 9, tzinfo=CITY_TZ)) for r in replicas * 5)
        )
    finally:
        for r in replicas:
            await r.close()
    assert sorted(t.number for t in numbers) == [f"T20261205-{n:04d}" for n in range(1, 21)]


async def test_one_conversation_gets_one_ticket_across_replicas(database_url: str) -> None:
    replicas = [await Database.open(database_url) for _ in range(2)]
    try:
        results = await asyncio.gather(*(r.open_ticket(lang="en", channel="rest", summary="s", transcript=[], conversation_id="conv-9") for r in replicas * 6))
    finally:
        for r in replicas:
            await r.close()
    assert len({t.number for t, _ in results}) == 1 and [created for _, created in results].count(True) == 1


# -- PostgreSQL faults ---------------------------------------------------------------------------


@pytest.fixture
def pg_url(pg_cluster: PostgresCluster) -> str:
    return fresh_pg_database(pg_cluster)


async def test_a_restarted_server_is_reconnected_without_an_error(pg_url: str, pg_cluster: PostgresCluster) -> None:
    db = await Database.open(pg_url, pool_size=3)
    try:
        before = await db.create_ticket(lang="en", channel="rest", summary="before", transcript=[])
        pg_cluster.restart()  # every pooled connection is cut
        assert (await db.get_ticket(before.number)) == before
        after = await db.create_ticket(lang="en", channel="rest", summary="after", transcript=[])
        assert after.number > before.number
    finally:
        await db.close()


async def test_a_stopped_server_is_a_clear_error_and_recovery_follows_its_return(pg_url: str, pg_cluster: PostgresCluster) -> None:
    db = await Database.open(pg_url, pool_size=2, pool_timeout=2)
    try:
        pg_cluster.stop()
        try:
            with pytest.raises(DatabaseUnavailable, match="cannot be reached") as caught:
                await db.get_ticket("T20261201-0001")
            assert caught.value.status == 503 and caught.value.to_json()["error"] == "database_unavailable"
            assert pg_cluster.password not in str(caught.value)
        finally:
            pg_cluster.start()
        assert await db.get_ticket("T20261201-0001") is None
    finally:
        await db.close()


async def test_no_server_at_the_address_is_a_clear_error_on_open() -> None:
    from stack import free_port

    with pytest.raises(DatabaseUnavailable, match="cannot be reached"):
        await Database.open(f"postgresql://catalog:secret@127.0.0.1:{free_port()}/catalog")


# -- the command line ----------------------------------------------------------------------------


def test_db_current_and_upgrade_on_the_command_line(database_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("CATALOG_DATABASE_URL", database_url)
    assert main(["db", "current"]) == 1
    assert f"none (empty, or made before migrations): behind: the newest is {HEAD}" in capsys.readouterr().out
    assert main(["db", "upgrade"]) == 0
    assert f"database revision {HEAD}: up to date" in capsys.readouterr().out
    assert main(["db", "current"]) == 0
