"""The attack list of docs/security.md, run against the real stack (Rasa, action server, catalogue).

Each test is one attack, tried the way an attacker on the same network would, and asserts that it
is refused; the legitimate path next to it (with the right credential) still works. The admin-
guessing test locks loopback out of admin calls for ten minutes, so it runs last in this module.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import socket
import stat
import subprocess
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import aiohttp
import pytest
import socketio
from testkit import KEYS_TOKEN, OPERATE_TOKEN, READ_TOKEN, REPO_ROOT

pytestmark = pytest.mark.e2e

ID_NUMBER = "310101199001011234"
PHONE = "13812345678"


def http(method: str, url: str, body: Any = None, headers: dict[str, str] | None = None, form: bool = False) -> tuple[int, dict[str, str], bytes]:
    data = None
    hdrs = dict(headers or {})
    if body is not None:
        if form:
            data = "&".join(f"{k}={v}" for k, v in body.items()).encode()
            hdrs.setdefault("Content-Type", "application/x-www-form-urlencoded")
        else:
            data = json.dumps(body).encode()
            hdrs.setdefault("Content-Type", "application/json")
    request = urllib.request.Request(url, data=data, headers=hdrs, method=method)
    try:
        with urllib.request.urlopen(request, timeout=60) as r:
            return r.status, dict(r.headers), r.read()
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), e.read()


def rasa(stack: Any, path: str) -> str:
    return f"http://127.0.0.1:{stack.ports['rasa']}{path}"


def catalogue(stack: Any, path: str) -> str:
    return f"http://127.0.0.1:{stack.ports['catalogue']}{path}"


def say(stack: Any, sender: str, message: str, token: str | None = "right") -> tuple[int, Any]:
    headers = {"Authorization": f"Bearer {stack.rest_token if token == 'right' else token}"} if token else {}
    status, _, body = http("POST", rasa(stack, "/webhooks/rest/webhook"), {"sender": sender, "message": message}, headers)
    return status, json.loads(body or b"null")


def tracker(stack: Any, conversation: str) -> dict[str, Any]:
    status, _, body = http("GET", rasa(stack, f"/conversations/{conversation}/tracker?token={stack.rasa_token}"))
    assert status == 200, body[:300]
    return dict(json.loads(body))


def user_texts(conversation: dict[str, Any]) -> list[str]:
    return [e.get("text") or "" for e in conversation["events"] if e.get("event") == "user"]


# -- Rasa's HTTP API --------------------------------------------------------------------------


def test_reading_a_conversation_needs_rasas_token(stack: Any) -> None:
    sender = f"sec-{uuid.uuid4().hex[:8]}"
    assert say(stack, sender, "hello")[0] == 200
    for query in ("", "?token=", "?token=guess", f"?token={stack.rasa_token[:-1]}"):
        status, _, body = http("GET", rasa(stack, f"/conversations/{sender}/tracker{query}"))
        assert status == 401, (query, body[:200])
        assert b"hello" not in body
    assert "hello" in user_texts(tracker(stack, sender))


def test_writing_into_a_conversation_needs_rasas_token(stack: Any) -> None:
    sender = f"sec-{uuid.uuid4().hex[:8]}"
    say(stack, sender, "hello")
    event = [{"event": "slot", "name": "service_id", "value": "passport-application"}]
    for method in ("POST", "PUT"):
        assert http(method, rasa(stack, f"/conversations/{sender}/tracker/events"), event)[0] == 401
    assert http("POST", rasa(stack, f"/conversations/{sender}/messages"), {"text": "hi", "sender": "user"})[0] == 401
    assert http("POST", rasa(stack, f"/conversations/{sender}/execute"), {"name": "action_handoff_human"})[0] == 401
    assert tracker(stack, sender)["slots"].get("service_id") is None


@pytest.mark.parametrize(("method", "path"), [("PUT", "/model"), ("DELETE", "/model"), ("POST", "/model/parse"), ("POST", "/model/train"), ("GET", "/domain")])
def test_the_model_and_nlu_need_rasas_token(stack: Any, method: str, path: str) -> None:
    assert http(method, rasa(stack, path), {"text": "hello", "model_file": "/tmp/evil.tar.gz"})[0] == 401


def test_rasa_does_not_answer_other_origins(stack: Any) -> None:
    for method in ("OPTIONS", "GET"):
        _, headers, _ = http(method, rasa(stack, "/status"), headers={"Origin": "http://evil.example", "Access-Control-Request-Method": "GET"})
        assert "Access-Control-Allow-Origin" not in headers


# -- who a conversation belongs to ------------------------------------------------------------


def test_rest_channel_refuses_callers_without_its_token(stack: Any) -> None:
    victim = f"sec-{uuid.uuid4().hex[:8]}"
    assert say(stack, victim, "I want to renew my passport")[0] == 200
    before = len(tracker(stack, victim)["events"])
    for token in (None, "guess", stack.rasa_token):
        status, body = say(stack, victim, "what documents do I need?", token=token)
        assert status == 401 and "trusted callers" in body["message"]
    assert len(tracker(stack, victim)["events"]) == before


def test_rest_channel_refuses_huge_messages(stack: Any) -> None:
    status, body = say(stack, f"sec-{uuid.uuid4().hex[:8]}", "护照" * 3000)
    assert status == 413 and body["error"] == "payload_too_large"


class Chat:
    """A widget's socket.io conversation, as python-socketio speaks it."""

    def __init__(self, stack: Any, origin: str | None = None) -> None:
        self.url = f"http://127.0.0.1:{stack.ports['rasa']}"
        self.origin = origin or f"http://127.0.0.1:{stack.ports['catalogue']}"
        self.session: aiohttp.ClientSession | None = None
        self.sio = socketio.AsyncClient(reconnection=False)
        self.confirms: asyncio.Queue[Any] = asyncio.Queue()
        self.replies: asyncio.Queue[Any] = asyncio.Queue()
        self.sio.on("session_confirm", self.confirms.put)
        self.sio.on("bot_uttered", self.replies.put)

    async def connect(self) -> None:
        self.session = aiohttp.ClientSession()  # ours, so that it is closed even when the connection is refused
        self.sio.eio.http = self.session
        self.sio.eio.external_http = True
        await self.sio.connect(self.url, headers={"Origin": self.origin}, transports=["websocket"], socketio_path="/socket.io")

    async def open(self, session_id: Any = None) -> str:
        await self.connect()
        await self.sio.emit("session_request", {"session_id": session_id})
        return str(await asyncio.wait_for(self.confirms.get(), 10))

    async def say(self, text: str, session_id: str | None = None) -> list[Any]:
        await self.sio.emit("user_uttered", {"message": text, "session_id": session_id})
        replies = [await asyncio.wait_for(self.replies.get(), 60)]
        await asyncio.sleep(1.0)  # the rest of the turn
        while not self.replies.empty():
            replies.append(self.replies.get_nowait())
        return replies

    async def close(self) -> None:
        await self.sio.disconnect()
        if self.session is not None:
            await self.session.close()


async def test_widget_conversation_ids_are_issued_and_signed_by_the_server(stack: Any) -> None:
    victim = Chat(stack)
    signed = await victim.open()
    conversation = signed.split(".")[0]
    assert re.fullmatch(r"[0-9a-f]{32}\.\d{10}\.[A-Za-z0-9_-]{43}", signed)
    assert await victim.say("hello")
    await victim.close()

    # The victim comes back with the id the server gave: same conversation (a fresh expiry).
    again = Chat(stack)
    renewed = await again.open(signed)
    assert renewed.split(".")[0] == conversation
    await again.close()

    # An attacker who learnt the conversation id, or forges or alters the signature, gets a new conversation.
    forged_expiry = f"{conversation}.{int(time.time()) + 9999}.{signed.split('.')[2]}"
    for guess in (conversation, signed[:-2] + "AA", forged_expiry, f"{conversation}.1.x", {"session_id": conversation}):
        attacker = Chat(stack)
        got = await attacker.open(guess)
        assert got.split(".")[0] != conversation, guess
        await attacker.close()


async def test_a_socket_cannot_write_into_or_listen_to_another_conversation(stack: Any) -> None:
    victim = Chat(stack)
    victim_id = await victim.open()
    await victim.say("hello")
    victim_events = len(tracker(stack, victim_id.split(".")[0])["events"])

    attacker = Chat(stack)
    await attacker.open()
    await attacker.say("I want to renew my passport", session_id=victim_id)  # names the victim's id
    # The message went into the attacker's own conversation; the victim heard nothing and their tracker is unchanged.
    assert len(tracker(stack, victim_id.split(".")[0])["events"]) == victim_events
    assert victim.replies.empty()
    await attacker.close()
    await victim.close()


async def test_a_socket_that_skipped_the_session_request_is_not_heard(stack: Any) -> None:
    chat = Chat(stack)
    await chat.connect()
    await chat.sio.emit("user_uttered", {"message": "hello", "session_id": uuid.uuid4().hex})
    with pytest.raises(asyncio.TimeoutError):
        await asyncio.wait_for(chat.replies.get(), 5)
    await chat.close()


async def test_pages_of_other_origins_cannot_open_the_chat_socket(stack: Any) -> None:
    chat = Chat(stack, origin="http://evil.example")
    try:
        with pytest.raises(socketio.exceptions.ConnectionError):
            await chat.open()
    finally:
        await chat.close()


# -- internal calls ---------------------------------------------------------------------------


def _open_tickets(stack: Any) -> int:
    status, _, body = http("GET", catalogue(stack, "/api/tickets"), headers={"Authorization": f"Bearer {READ_TOKEN}"})
    assert status == 200, body[:200]
    return int(json.loads(body)["total"])


@pytest.mark.parametrize("headers", [{}, {"X-Internal-Token": "guess"}, {"Authorization": "Bearer guess"}])
def test_anonymous_callers_cannot_create_tickets_or_mint_links(stack: Any, headers: dict[str, str]) -> None:
    before = _open_tickets(stack)
    forged = {"transcript": [{"who": "user", "text": "forged"}], "lang": "en", "channel": "web"}
    assert http("POST", catalogue(stack, "/api/tickets"), forged, headers)[0] == 401
    link = {"service_id": "passport-application", "answers": {}, "lang": "en", "channel": "web", "consent": True}
    status, _, body = http("POST", catalogue(stack, "/api/handoff/application"), link, headers)
    assert status == 401 and b"url" not in body
    assert _open_tickets(stack) == before


def test_the_action_server_answers_only_rasa(stack: Any) -> None:
    base = f"http://127.0.0.1:{stack.ports['actions']}"
    call = {"next_action": "action_handoff_human", "sender_id": "victim", "tracker": {"sender_id": "victim", "events": []}, "domain": {}}
    for headers in ({}, {"X-Internal-Token": "guess"}):
        assert http("POST", f"{base}/webhook", call, headers)[0] == 401
        assert http("GET", f"{base}/actions", headers=headers)[0] == 401
    assert http("GET", f"{base}/health")[0] == 200
    _, headers, _ = http("GET", f"{base}/health", headers={"Origin": "http://evil.example"})
    assert "Access-Control-Allow-Origin" not in headers


def test_the_action_server_listens_on_loopback_only(stack: Any) -> None:
    addresses = subprocess.run(["hostname", "-I"], capture_output=True, text=True).stdout.split()
    outside = [a for a in addresses if not a.startswith("127.") and ":" not in a]
    if not outside:
        pytest.skip("this machine has no address other than loopback to try")
    with pytest.raises(OSError), socket.create_connection((outside[0], stack.ports["actions"]), timeout=3):
        pass


# -- personal data ----------------------------------------------------------------------------


def test_personal_data_is_masked_in_tickets_in_rasas_store_and_in_logs(stack: Any) -> None:
    sender = f"sec-{uuid.uuid4().hex[:8]}"
    say(stack, sender, f"my ID number is {ID_NUMBER} and my phone is {PHONE}")
    status, replies = say(stack, sender, "I want to talk to a person")
    assert status == 200
    number = re.search(r"T\d{8}-\d{4}", json.dumps(replies, ensure_ascii=False))
    assert number, replies
    status, _, body = http("GET", catalogue(stack, f"/api/tickets/{number.group(0)}"), headers={"Authorization": f"Bearer {READ_TOKEN}"})
    assert status == 200
    text = body.decode()
    assert ID_NUMBER not in text and PHONE not in text and "138****5678" in text
    stored = json.dumps(tracker(stack, sender), ensure_ascii=False)
    assert ID_NUMBER not in stored and PHONE not in stored and "138****5678" in stored
    for log in Path(stack.log_dir).glob("*.log"):
        content = log.read_text(errors="replace")
        assert ID_NUMBER not in content and PHONE not in content, log.name


def test_the_application_link_carries_no_answers_and_survives_a_preview(stack: Any) -> None:
    sender = f"sec-{uuid.uuid4().hex[:8]}"
    say(stack, sender, '/select_service{"service_id":"senior-citizen-card"}')
    say(stack, sender, "am I eligible?")
    say(stack, sender, "66")
    say(stack, sender, "yes")
    say(stack, sender, "apply")
    _, replies = say(stack, sender, "yes")
    links = re.findall(r"https?://[^\s\\\"')]+/portal/apply/[A-Za-z0-9_.?=-]+", json.dumps(replies, ensure_ascii=False))
    assert links, replies
    url = links[0]
    assert re.fullmatch(r"h=[A-Za-z0-9_-]{32}", urlsplit(url).query), url  # an opaque handle and nothing else
    for _ in range(2):  # a chat app's preview, then the citizen's own GET
        status, _, page = http("GET", url)
        assert status == 200 and b'name="h"' in page
    handle = url.split("?h=")[1]
    status, _, page = http("POST", url.split("?")[0], {"h": handle}, form=True)
    assert status == 200 and b'value="66"' in page
    assert http("POST", url.split("?")[0], {"h": handle}, form=True)[0] == 409


def test_files_with_personal_data_are_private(stack: Any) -> None:
    data = Path(stack.data_dir)
    assert stat.S_IMODE(data.stat().st_mode) == 0o700
    for path in [data / "catalog.db", data / "rasa-tracker.db", data / "keys" / "signing.pem", *(data / "secrets").iterdir()]:
        assert path.exists(), path
        assert stat.S_IMODE(path.stat().st_mode) & 0o077 == 0, f"{path} is {oct(path.stat().st_mode)}"


# -- headers, scopes, start-up checks ---------------------------------------------------------


def test_errors_carry_the_security_headers_and_pages_a_strict_policy(stack: Any) -> None:
    for method, path in (("GET", "/no/such/page"), ("GET", "/api/services/no-such"), ("POST", "/api/tickets"), ("GET", "/api/search")):
        status, headers, _ = http(method, catalogue(stack, path))
        assert status >= 400
        assert headers.get("X-Content-Type-Options") == "nosniff" and headers.get("Referrer-Policy") == "no-referrer", (path, headers)
    _, headers, _ = http("GET", catalogue(stack, "/"))
    policy = headers["Content-Security-Policy"]
    assert "form-action 'self'" in policy and "base-uri 'none'" in policy and "connect-src *" not in policy


def test_admin_scopes_are_separate(stack: Any) -> None:
    def call(path: str, token: str) -> int:
        return http("POST", catalogue(stack, path), {}, {"Authorization": f"Bearer {token}"})[0]

    assert call("/admin/reload", READ_TOKEN) == 403
    assert call("/admin/rotate-key", OPERATE_TOKEN) == 403
    assert call("/admin/rotate-key", READ_TOKEN) == 403
    status, _, _ = http("GET", catalogue(stack, "/api/tickets"), headers={"Authorization": f"Bearer {KEYS_TOKEN}"})
    assert status == 403
    assert call("/admin/reload", OPERATE_TOKEN) == 200
    assert call("/admin/rotate-key", KEYS_TOKEN) == 200


@pytest.mark.parametrize("token", ["change-me", "short-but-random-Xq9", "a" * 40])
def test_a_weak_admin_token_stops_the_service_at_start(tmp_path: Path, token: str) -> None:
    env = {**os.environ, "CATALOG_ADMIN_READ_TOKEN": token, "CATALOG_DATA_DIR": str(tmp_path)}
    out = subprocess.run(
        [str(REPO_ROOT / ".venv/bin/python"), "-m", "service_catalog", "serve", "--port", "1"], env=env, capture_output=True, text=True, timeout=60
    )
    assert out.returncode == 2 and "CATALOG_ADMIN_READ_TOKEN" in out.stderr and token not in out.stderr


def test_rasa_telemetry_is_off_and_nothing_was_written_into_the_repository(stack: Any) -> None:
    rasa_proc = next(p for p in stack.procs if p.name == "rasa")
    environ = Path(f"/proc/{rasa_proc.popen.pid}/environ").read_bytes().split(b"\0")
    assert b"RASA_TELEMETRY_ENABLED=false" in environ
    for stray in (".config", ".cache", ".keras", "test-artifacts"):
        assert not (REPO_ROOT / stray).exists(), stray


# -- rate limits (last: they leave loopback limited for a while) ------------------------------


def test_search_flooding_from_one_address_gets_429_with_retry_after(stack: Any) -> None:
    statuses = []
    for i in range(25):
        status, headers, body = http("GET", catalogue(stack, f"/api/search?q=passport{i}&lang=en"))
        statuses.append(status)
        if status == 429:
            error = json.loads(body)
            assert error["error"] == "rate_limited" and int(headers["Retry-After"]) == error["retry_after"] >= 1
            break
    assert statuses[0] == 200 and statuses[-1] == 429, statuses
    time.sleep(error["retry_after"] + 0.5)  # leave the window for the other tests
    assert http("GET", catalogue(stack, "/api/search?q=passport&lang=en"))[0] == 200


def test_guessing_admin_tokens_locks_the_address_out(stack: Any) -> None:
    statuses = [http("GET", catalogue(stack, "/api/tickets"), headers={"Authorization": f"Bearer guess-{i:02d}-{uuid.uuid4().hex}"})[0] for i in range(11)]
    assert statuses[:10] == [401] * 10 and statuses[10] == 429
    status, headers, _ = http("GET", catalogue(stack, "/api/tickets"), headers={"Authorization": f"Bearer {READ_TOKEN}"})
    assert status == 429 and int(headers["Retry-After"]) > 0
