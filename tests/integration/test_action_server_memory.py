"""The action server lets an action call's payload go once it has answered (actions/server.py).

Sanic keeps a keep-alive connection's last request until the next request arrives on it, and Rasa's
calls carry the whole tracker and domain; before the fix every idle connection from Rasa held its last
payload, so the server's memory grew with the connections open (benchmarks/actions_memory.py found it).
Here 20 keep-alive connections each send a 2 MB call and stay open; the server's resident memory must
not keep them. glibc is told to map every large allocation on its own (``MALLOC_MMAP_THRESHOLD_``), so
that memory freed is memory returned and RSS shows what the server holds.
"""

from __future__ import annotations

import http.client
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import psutil
from stack import free_port

REPO = Path(__file__).resolve().parents[2]
TOKEN = "it-" + "0123456789abcdef" * 3
CONNECTIONS, PADDING = 20, 2_000_000


def _call(sender: str) -> bytes:
    tracker = {"sender_id": sender, "slots": {}, "latest_message": {"text": "switch to English"}, "events": [], "paused": False, "padding": "x" * PADDING}
    return json.dumps({"next_action": "action_switch_language", "sender_id": sender, "tracker": tracker, "domain": {}, "version": "3.6.21"}).encode()


def test_idle_keep_alive_connections_do_not_hold_the_last_payload(tmp_path: Path) -> None:
    port = free_port()
    env = {**os.environ, "CATALOG_INTERNAL_TOKEN": TOKEN, "HOME": str(tmp_path), "MALLOC_MMAP_THRESHOLD_": "131072", "CATALOG_URL": "http://127.0.0.1:9"}
    server = subprocess.Popen(
        [sys.executable, "-m", "actions.server", "--port", str(port)], cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    connections: list[http.client.HTTPConnection] = []
    try:
        deadline = time.monotonic() + 120
        while True:
            probe = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            try:
                probe.request("GET", "/health")
                if probe.getresponse().status == 200:
                    break
            except OSError:
                pass
            finally:
                probe.close()
            assert server.poll() is None and time.monotonic() < deadline, "the action server did not start"
            time.sleep(0.3)
        before = psutil.Process(server.pid).memory_info().rss
        for i in range(CONNECTIONS):
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            connection.request("POST", "/webhook", body=_call(f"memory-{i}"), headers={"Content-Type": "application/json", "X-Internal-Token": TOKEN})
            answer = connection.getresponse()
            body = json.loads(answer.read())
            assert answer.status == 200 and [r["response"] for r in body["responses"]] == ["utter_language_switched"], body
            connections.append(connection)  # kept open and idle, as Rasa's pool keeps them
        time.sleep(0.5)
        held_mb = (psutil.Process(server.pid).memory_info().rss - before) / 2**20
        sent_mb = CONNECTIONS * PADDING / 2**20
        print(f"\nafter {CONNECTIONS} idle keep-alive connections that sent {sent_mb:.0f} MB of payloads: RSS +{held_mb:.1f} MB")
        assert held_mb < sent_mb / 4, f"the server holds {held_mb:.0f} MB after answering {sent_mb:.0f} MB of action calls"
        metrics = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        connections.append(metrics)
        metrics.request("GET", "/metrics")
        text = metrics.getresponse().read().decode()
        # The metrics still name the action: they read the payload before it is let go.
        assert f'actions_run_duration_seconds_count{{action="action_switch_language",status="200"}} {CONNECTIONS}.0' in text
    finally:
        for connection in connections:
            connection.close()
        server.terminate()
        server.wait(timeout=30)
