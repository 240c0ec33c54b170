"""An agent answers citizens who came from WeChat and Telegram: the reply reaches them on their own app.

The citizen asks for a person in the messaging app; the ticket carries the conversation; the agent
takes it (the bot is paused), replies from the console's API, and resolves it (the bot answers again).
Everything the citizen receives is read from the platform fakes' API side.
"""

from __future__ import annotations

import http.cookiejar
import json
import time
import urllib.request
from typing import Any

import pytest
from testkit import add_agent_with_cli

pytestmark = pytest.mark.e2e

PASSWORD = "hotline agent password for channels"


class Console:
    """The agent console's JSON API, signed in like the page does (a cookie and the CSRF token)."""

    def __init__(self, stack: Any, name: str) -> None:
        self.base = f"http://127.0.0.1:{stack.ports['catalogue']}"
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
        body = f"username={name}&password={PASSWORD.replace(' ', '+')}".encode()
        headers = {"Accept": "application/json", "Origin": self.base, "Content-Type": "application/x-www-form-urlencoded"}
        with self.opener.open(urllib.request.Request(f"{self.base}/agent/login", data=body, headers=headers), timeout=30) as r:
            self.csrf = json.loads(r.read())["csrf_token"]

    def call(self, method: str, path: str, body: Any = None) -> Any:
        data = json.dumps(body).encode() if body is not None else None
        headers = {"Content-Type": "application/json", "X-CSRF-Token": self.csrf, "Origin": self.base}
        with self.opener.open(urllib.request.Request(self.base + path, data=data, headers=headers, method=method), timeout=60) as r:
            return json.loads(r.read())

    def ticket_of(self, conversation: str) -> dict[str, Any]:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            items = [t for t in self.call("GET", "/agent/api/tickets?status=open")["items"] if t["conversation_id"] == conversation]
            if items:
                return dict(items[0])
            time.sleep(0.5)
        raise AssertionError(f"no open ticket for {conversation}")


@pytest.fixture(scope="module")
def console(stack: Any) -> Console:
    name = "agent.channels"
    add_agent_with_cli(stack, name, PASSWORD)
    return Console(stack, name)


def test_an_agent_answers_a_wechat_citizen_in_wechat(stack: Any, platforms: Any, console: Console) -> None:
    wechat = platforms.wechat
    user = wechat.new_user()
    delivery = wechat.send_text(user, "我要转人工")
    assert delivery.reply is not None and "T" in delivery.reply, delivery  # the ticket number and the place in the queue
    ticket = console.ticket_of(f"wechat:{user}")
    assert ticket["channel"] == "wechat"
    before = len(wechat.messages_to(user))
    console.call("POST", f"/agent/api/tickets/{ticket['number']}/take")
    console.call("POST", f"/agent/api/tickets/{ticket['number']}/reply", {"text": "您好，我是12345的王坤，您的居住证问题我来帮您。"})
    messages = wechat.wait_for_messages(user, before + 2, timeout=30)
    assert any("王坤" in m for m in messages[before:]), messages
    console.call("POST", f"/agent/api/tickets/{ticket['number']}/resolve")
    wechat.wait_for_messages(user, before + 3, timeout=30)  # the closing message
    answer = wechat.send_text(user, "我想换护照")
    assert answer.reply is not None or wechat.wait_for_messages(user, before + 4, timeout=30), answer  # the bot answers again


def test_an_agent_answers_a_telegram_citizen_in_telegram(stack: Any, platforms: Any, console: Console) -> None:
    telegram = platforms.telegram
    chat = 880_000_000 + int(time.time()) % 100_000
    telegram.send_text(chat, "I want to talk to a person")
    telegram.wait_for_messages(chat, 1, timeout=60)
    ticket = console.ticket_of(f"telegram:{chat}")
    before = len(telegram.texts_to(chat))
    console.call("POST", f"/agent/api/tickets/{ticket['number']}/take")
    console.call("POST", f"/agent/api/tickets/{ticket['number']}/reply", {"text": "Hello, this is Wang Kun from the 12345 hotline."})
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and not any("Wang Kun" in t for t in telegram.texts_to(chat)[before:]):
        time.sleep(0.5)
    assert any("Wang Kun" in t for t in telegram.texts_to(chat)[before:]), telegram.texts_to(chat)
    console.call("POST", f"/agent/api/tickets/{ticket['number']}/resolve")
