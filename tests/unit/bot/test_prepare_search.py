"""The NLU's head start for search turns (bot/prepare_search.py), in Rasa's own environment: a message
whose intent leads to the search turn is sent to the catalogue's ``POST /api/search/prepare`` with the
service credential and the words' key, without the NLU waiting for the answer; other messages, button
payloads and a Rasa without the catalogue's address send nothing."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from testkit import in_rasa

REPO = Path(__file__).resolve().parents[3]

PROGRAM = """
import json, os, sys, threading, time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
sys.path.insert(0, {repo!r})
from rasa.shared.nlu.training_data.message import Message

received, release = [], threading.Event()

class Catalogue(BaseHTTPRequestHandler):
    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        received.append({{"path": self.path, "text": body["text"], "token": self.headers.get("X-Internal-Token"),
                         "key": self.headers.get("X-Search-Key")}})
        release.wait(10)  # a catalogue slower than the NLU: the NLU must not wait for it
        self.send_response(202); self.send_header("Content-Length", "2"); self.end_headers(); self.wfile.write(b"{{}}")
    def log_message(self, *a):
        pass

server = ThreadingHTTPServer(("127.0.0.1", 0), Catalogue)
threading.Thread(target=server.serve_forever, daemon=True).start()

from bot.prepare_search import PrepareSearch

def message(text, intent):
    return Message(data={{"text": text, "intent": {{"name": intent, "confidence": 0.9}}}})

out = {{}}
idle = PrepareSearch.create(PrepareSearch.get_default_config(), None, None, None)
idle.process([message("how do I renew my passport", "find_service")])
time.sleep(0.3)
out["without_address"] = len(received)

os.environ["CATALOG_URL"] = "http://127.0.0.1:%d" % server.server_address[1]
os.environ["CATALOG_INTERNAL_TOKEN_CURRENT"] = "service-secret"
component = PrepareSearch.create(PrepareSearch.get_default_config(), None, None, None)
component.process([message("hello", "greet"), message("/select_service", "find_service"), message("  身份证丢了怎么补办 ", "find_service")])
out["returned_while_catalogue_busy"] = not release.is_set()
component.process([message("my dog needs a licence", "nlu_fallback")])
release.set()
for _ in range(100):
    if len(received) >= 2:
        break
    time.sleep(0.05)
out["received"] = list(received)

# Served by Rasa, the component runs inside its event loop: the text goes out as a task on that loop.
import asyncio
release.clear()
async def served():
    component.process([message("where do I renew a passport", "find_service")])
    started = len(received)
    for _ in range(100):
        await asyncio.sleep(0.02)  # Rasa waits on its next action call; the loop sends meanwhile
        if len(received) > started:
            break
    return started, len(received), not release.is_set()
before, after, busy = asyncio.run(served())
release.set()
out["in_loop"] = {{"sent_during_process": before > 2, "sent_once_the_loop_waited": after == 3, "catalogue_still_busy": busy,
                  "text": received[-1]["text"], "token": received[-1]["token"]}}
print(json.dumps(out, ensure_ascii=False))
"""


@pytest.fixture(scope="module")
def outcome() -> dict[str, object]:
    return in_rasa(PROGRAM.format(repo=str(REPO)))


def key(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def test_a_search_message_is_sent_ahead_with_the_credential_and_its_words_key(outcome: dict[str, object]) -> None:
    received = outcome["received"]
    assert isinstance(received, list)
    assert received[0] == {"path": "/api/search/prepare", "text": "身份证丢了怎么补办", "token": "service-secret", "key": key("身份证丢了怎么补办")}


def test_a_low_confidence_message_goes_to_search_too_so_it_is_sent(outcome: dict[str, object]) -> None:
    received = outcome["received"]
    assert isinstance(received, list)
    assert [r["text"] for r in received] == ["身份证丢了怎么补办", "my dog needs a licence"]


def test_the_nlu_does_not_wait_for_the_catalogue(outcome: dict[str, object]) -> None:
    assert outcome["returned_while_catalogue_busy"] is True


def test_greetings_button_payloads_and_a_rasa_without_the_catalogue_address_send_nothing(outcome: dict[str, object]) -> None:
    assert outcome["without_address"] == 0
    received = outcome["received"]
    assert isinstance(received, list)
    assert all(r["text"] not in {"hello", "/select_service"} for r in received)


def test_inside_rasas_event_loop_the_text_is_sent_by_the_loop_without_waiting(outcome: dict[str, object]) -> None:
    assert outcome["in_loop"] == {
        "sent_during_process": False,
        "sent_once_the_loop_waited": True,
        "catalogue_still_busy": True,
        "text": "where do I renew a passport",
        "token": "service-secret",
    }
