"""The REST channel (bot/connectors/empty_message.py) in Rasa's own environment: a turn refused because the
lock store cannot be reached (Redis down, when scaled) is answered 503 with a message, not Rasa's empty 200."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[3]
RASA_PYTHON = REPO / ".venv-rasa" / "bin" / "python"
TOKEN = "rest-token-for-the-lock-refusal-test-0123456789"

PROGRAM = """
import asyncio, os, socket, sys
sys.path.insert(0, {repo!r})
os.environ["RASA_REST_TOKEN"] = {token!r}
import aiohttp
from sanic import Sanic
from rasa.core.lock_store import LockError
from bot.connectors.empty_message import RestInput

async def refuse(message):
    raise LockError("the lock store cannot be reached")

async def answer(message):
    await message.output_channel.send_text_message(message.sender_id, "hello")

async def main():
    app = Sanic("lock_refusal")
    app.blueprint(RestInput().blueprint(refuse if sys.argv[1] == "down" else answer), url_prefix="/webhooks/rest")
    probe = socket.socket(); probe.bind(("127.0.0.1", 0)); port = probe.getsockname()[1]; probe.close()
    server = await app.create_server(host="127.0.0.1", port=port, return_asyncio_server=True, access_log=False)
    await server.startup()
    async with aiohttp.ClientSession() as session:
        url = f"http://127.0.0.1:{{port}}/webhooks/rest/webhook"
        async with session.post(url, json={{"sender": "c1", "message": "hi"}}, headers={{"Authorization": "Bearer " + {token!r}}}) as r:
            print(r.status, r.headers.get("Retry-After"), await r.text())
    server.close()
    await server.wait_closed()

asyncio.run(main())
"""


def post_one(lock_store: str) -> list[str]:
    if not RASA_PYTHON.exists():
        pytest.fail(".venv-rasa is missing: run `make setup`")
    done = subprocess.run(
        [str(RASA_PYTHON), "-c", PROGRAM.format(repo=str(REPO), token=TOKEN), lock_store], capture_output=True, text=True, timeout=120, cwd=REPO
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout.strip().splitlines()[-1].split(" ", 2)


def test_a_turn_the_lock_store_refused_is_answered_503_with_a_message() -> None:
    status, retry_after, body = post_one("down")
    assert (status, retry_after) == ("503", "5")
    assert "lock store is unreachable" in body and "nothing was processed" in body


def test_a_turn_that_ran_is_answered_as_before() -> None:
    status, _, body = post_one("up")
    assert status == "200" and '"text":"hello"' in body
