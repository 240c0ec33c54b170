"""bot/stores.py in Rasa's own environment: a save masks, publishes and stores only the events not stored
yet, and everything stored or published stays masked however long the conversation gets. On SQLite
(the embedded store) and on PostgreSQL (bot/resilient_store.py, the scaled stack's store)."""

from __future__ import annotations

import json
import sqlite3
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
import pytest
from pgkit import fresh_pg_database

REPO = Path(__file__).resolve().parents[3]
RASA_PYTHON = REPO / ".venv-rasa" / "bin" / "python"
ID_NUMBER, PHONE, EMAIL = "310101199001011234", "13812345678", "zhang.san@example.com"

# Ten turns as Rasa's processor runs them: read the conversation back from the store, add the turn's
# events (the citizen's message, a slot, the bot's reply), save. Personal data in turns 1 and 7.
PROGRAM = """
import asyncio, json, sys
sys.path.insert(0, {repo!r})
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, SlotSet, UserUttered
from bot.brokers import ResilientSQLEventBroker
from bot.resilient_store import ResilientSQLTrackerStore
from bot.stores import MaskingSQLTrackerStore

folder, postgresql = sys.argv[1], sys.argv[2]
domain = Domain.from_dict({{"intents": ["inform"], "slots": {{"note": {{"type": "text", "mappings": [{{"type": "custom"}}]}}}}}})
broker = ResilientSQLEventBroker(dialect="sqlite", db=folder + "/events.db")
if postgresql:
    store = ResilientSQLTrackerStore(domain=domain, dialect="postgresql", host=postgresql, event_broker=broker)
else:
    store = MaskingSQLTrackerStore(domain=domain, dialect="sqlite", db=folder + "/tracker.db", event_broker=broker)
said = {{1: "my ID is {id_number}, call me on {phone}", 7: "write to {email} please"}}


async def main():
    for turn in range(1, 11):
        tracker = await store.get_or_create_tracker("c1")
        text = said.get(turn, "turn %d" % turn)
        tracker.update(UserUttered(text, {{"name": "inform", "confidence": 1.0}}, [{{"entity": "x", "value": text}}]))
        tracker.update(SlotSet("note", text))
        tracker.update(ActionExecuted("utter_echo"))
        tracker.update(BotUttered("you said: " + text))
        tracker.update(ActionExecuted("action_listen"))
        await store.save(tracker)
    tracker = await store.retrieve("c1")
    print(json.dumps({{"events": len(tracker.events), "texts": [e.text for e in tracker.events if isinstance(e, UserUttered)],
                      "note": tracker.get_slot("note")}}))

asyncio.run(main())
"""


@dataclass
class TenTurns:
    folder: Path
    stored: list[str]  # the tracker store's rows (event JSON)
    published: list[str]  # the event broker's rows
    read_back: dict[str, Any]  # the conversation as the next turn reads it


def rows(db: Path) -> list[str]:
    with sqlite3.connect(db) as conn:
        return [data for (data,) in conn.execute("SELECT data FROM events ORDER BY id")]


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def ten_turns(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> TenTurns:
    if not RASA_PYTHON.exists():
        pytest.fail(".venv-rasa is missing: run `make setup`")
    folder = tmp_path_factory.mktemp("tracker-store")
    url = fresh_pg_database(request.getfixturevalue("pg_cluster")) if request.param == "postgresql" else ""
    program = PROGRAM.format(repo=str(REPO), id_number=ID_NUMBER, phone=PHONE, email=EMAIL)
    done = subprocess.run([str(RASA_PYTHON), "-c", program, str(folder), url], capture_output=True, text=True, timeout=300, cwd=REPO)
    assert done.returncode == 0, done.stderr[-3000:]
    if url:
        with psycopg.connect(url) as conn:
            stored = [data for (data,) in conn.execute("SELECT data FROM events ORDER BY id")]
    else:
        stored = rows(folder / "tracker.db")
    return TenTurns(folder, stored, rows(folder / "events.db"), json.loads(done.stdout.strip().splitlines()[-1]))


def test_a_message_of_turn_1_is_still_masked_after_turn_10(ten_turns: TenTurns) -> None:
    stored, published, read_back = "\n".join(ten_turns.stored), "\n".join(ten_turns.published), ten_turns.read_back
    for text in (stored, published):
        assert ID_NUMBER not in text and PHONE not in text and EMAIL not in text
        assert "310101********1234" in text and "138****5678" in text and "z***@example.com" in text
    texts = read_back["texts"]
    assert texts[0] == "my ID is 310101********1234, call me on 138****5678"  # what the next turn reads
    assert texts[6] == "write to z***@example.com please"


def test_every_event_is_stored_and_published_once(ten_turns: TenTurns) -> None:
    stored, published, read_back = ten_turns.stored, ten_turns.published, ten_turns.read_back
    assert read_back["events"] == 51  # the first action_listen, then five events per turn
    assert len(stored) == 51
    assert [json.loads(p)["event"] for p in published] == [json.loads(s)["event"] for s in stored]
    user_texts = [json.loads(s)["text"] for s in stored if json.loads(s)["event"] == "user"]
    assert user_texts[1:3] == ["turn 2", "turn 3"]
    assert read_back["note"] == "turn 10"


@pytest.mark.parametrize("ten_turns", ["sqlite"], indirect=True)
def test_the_embedded_store_is_a_wal_file(ten_turns: TenTurns) -> None:
    with sqlite3.connect(ten_turns.folder / "tracker.db") as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
