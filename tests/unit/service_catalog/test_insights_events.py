"""Reading Rasa's events table: incrementally, late commits included, nothing before Rasa published."""

from __future__ import annotations

import json
import sqlite3
import time
from pathlib import Path

from service_catalog.insights.events import EventLog


def insert(path: Path, rows: list[tuple[int | None, str, str]]) -> None:
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE IF NOT EXISTS events (id INTEGER PRIMARY KEY AUTOINCREMENT, sender_id VARCHAR(255), data TEXT)")
        db.executemany("INSERT INTO events (id, sender_id, data) VALUES (?, ?, ?)", rows)


def event(kind: str, ts: float) -> str:
    return json.dumps({"event": kind, "timestamp": ts})


def test_no_database_or_no_table_yet_means_no_events(tmp_path: Path) -> None:
    missing = EventLog(f"sqlite:///{tmp_path / 'events.db'}")
    assert missing.refresh() == []
    sqlite3.connect(tmp_path / "events.db").close()  # the file exists, the broker has not made its table
    assert missing.refresh() == []
    assert not (tmp_path / "other.db").exists()


def test_new_rows_are_read_once_and_a_late_commit_is_not_lost(tmp_path: Path) -> None:
    path = tmp_path / "events.db"
    now = time.time()
    insert(path, [(1, "c1", event("user", now)), (2, "c1", event("bot", now + 1)), (4, "c2", event("user", now + 3))])
    log = EventLog(f"sqlite:///{path}")
    assert [(e.sender, e.kind) for e in log.refresh()] == [("c1", "user"), ("c1", "bot"), ("c2", "user")]
    # id 3 commits after 4 was read (two Rasa replicas on PostgreSQL); a row that is no event is skipped
    insert(path, [(3, "c1", event("slot", now + 2)), (5, "c2", "not json"), (6, "c2", json.dumps({"no": "event"}))])
    events = log.refresh()
    assert [(e.sender, e.kind) for e in events] == [("c1", "user"), ("c1", "bot"), ("c1", "slot"), ("c2", "user")]
    assert log.refresh() == events  # nothing read twice


def test_events_older_than_twice_the_longest_period_are_forgotten(tmp_path: Path) -> None:
    path = tmp_path / "events.db"
    now = time.time()
    insert(path, [(1, "old", event("user", now - 200 * 86400)), (2, "new", event("user", now))])
    assert [e.sender for e in EventLog(f"sqlite:///{path}").refresh(now)] == ["new"]
