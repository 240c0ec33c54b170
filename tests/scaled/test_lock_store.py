"""bot/lock_store.py against a real redis-server, in Rasa's own environment (.venv-rasa): many lock-store
instances (as many Rasa replicas) issuing tickets for one conversation at once never hand out the same
ticket twice, which Rasa's stock RedisLockStore does; with Redis gone the turn is refused with a clear error."""

from __future__ import annotations

import shutil
import subprocess
import time
from pathlib import Path

import pytest
from stack import free_port

REPO = Path(__file__).resolve().parents[2]
RASA_PYTHON = REPO / ".venv-rasa" / "bin" / "python"

PROGRAM = """
import sys, threading
sys.path.insert(0, {repo!r})
from rasa.core.lock_store import RedisLockStore
from rasa.utils.endpoints import EndpointConfig
from bot.lock_store import AtomicRedisLockStore

port, kind = int(sys.argv[1]), sys.argv[2]
config = EndpointConfig(url="127.0.0.1", port=port, db=1, type="bot.lock_store.AtomicRedisLockStore")
stores = [AtomicRedisLockStore(config) if kind == "atomic" else RedisLockStore(host="127.0.0.1", port=port, db=1) for _ in range(8)]
tickets = []
def issue(store):
    for _ in range(40):
        tickets.append(store.issue_ticket("one-conversation"))
threads = [threading.Thread(target=issue, args=(s,)) for s in stores]
[t.start() for t in threads]; [t.join() for t in threads]
for ticket in tickets:
    stores[0].cleanup("one-conversation", ticket)
print(len(tickets), len(set(tickets)), stores[0].get_lock("one-conversation") is None)
"""


def run(port: int, kind: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(RASA_PYTHON), "-c", PROGRAM.format(repo=str(REPO)), str(port), kind], capture_output=True, text=True, timeout=120, cwd=REPO)


def test_replicas_never_share_a_ticket_and_a_missing_redis_is_a_clear_error() -> None:
    if not RASA_PYTHON.exists():
        pytest.fail(".venv-rasa is missing: run `make setup`")
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.fail("redis-server is not installed (.ci/run installs it)")
    port = free_port()
    server = subprocess.Popen([binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"], stdout=subprocess.DEVNULL)
    try:
        time.sleep(0.5)
        atomic = run(port, "atomic")
        assert atomic.returncode == 0, atomic.stderr[-2000:]
        assert atomic.stdout.split() == ["320", "320", "True"]  # every ticket unique; the lock gone when nobody waits
        stock = run(port, "stock")
        assert stock.returncode == 0, stock.stderr[-2000:]
        issued, unique, _ = stock.stdout.split()
        print(f"\nRasa's stock RedisLockStore: {issued} tickets, {unique} distinct")
    finally:
        server.terminate()
        server.wait(timeout=10)
    gone = run(port, "atomic")
    assert gone.returncode != 0
    assert "the lock store (redis://127.0.0.1:" in gone.stderr and "is refused so that no two turns of one conversation run at once" in gone.stderr
