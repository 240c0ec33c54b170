"""bot/brokers.py in Rasa's own environment: events land in the table the insights read, the SQLite file
is in WAL mode (a reader never blocks a turn), and an unreachable database never fails the turn."""

from __future__ import annotations

import json
import sqlite3
import subprocess
from pathlib import Path

import pytest
from stack import free_port

REPO = Path(__file__).resolve().parents[3]
RASA_PYTHON = REPO / ".venv-rasa" / "bin" / "python"

PROGRAM = """
import logging, sys, time
sys.path.insert(0, {repo!r})
logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(message)s")
from bot.brokers import ResilientSQLEventBroker
broker = ResilientSQLEventBroker(dialect="sqlite", db=sys.argv[2])
if len(sys.argv) > 3:  # the database goes away after start (a PostgreSQL restart): nothing listens on this port
    import sqlalchemy, sqlalchemy.orm
    broker.engine = sqlalchemy.create_engine(f"postgresql://u:p@127.0.0.1:{{sys.argv[3]}}/x", pool_pre_ping=True)
    broker.sessionmaker = sqlalchemy.orm.sessionmaker(bind=broker.engine)
started = time.monotonic()
broker.publish({{"sender_id": "c1", "event": "user", "text": "hello"}})
broker.publish({{"sender_id": "c1", "event": "bot", "text": "hi"}})
print("published in", round(time.monotonic() - started, 1))
"""


def run(*args: str) -> subprocess.CompletedProcess[str]:
    if not RASA_PYTHON.exists():
        pytest.fail(".venv-rasa is missing: run `make setup`")
    return subprocess.run([str(RASA_PYTHON), "-c", PROGRAM.format(repo=str(REPO)), *args], capture_output=True, text=True, timeout=120, cwd=REPO)


def test_events_are_stored_as_the_insights_read_them_in_a_wal_file(tmp_path: Path) -> None:
    db = tmp_path / "events.db"
    done = run("sqlite", str(db))
    assert done.returncode == 0, done.stderr[-2000:]
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        rows = conn.execute("SELECT sender_id, data FROM events ORDER BY id").fetchall()
    assert [(sender, json.loads(data)["event"]) for sender, data in rows] == [("c1", "user"), ("c1", "bot")]


def test_an_unreachable_database_is_retried_then_logged_without_failing_the_turn(tmp_path: Path) -> None:
    done = run("sqlite", str(tmp_path / "events.db"), str(free_port()))
    assert done.returncode == 0, done.stderr[-2000:]
    assert "published in" in done.stdout
    assert "the database is unreachable (attempt 1); retrying" in done.stderr
    assert "a user event was not stored (OperationalError)" in done.stderr
