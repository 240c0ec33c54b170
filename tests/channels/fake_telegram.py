"""A local fake of the Telegram Bot API, and a Telegram user who talks to the bot through it.

The bot side follows the published protocol (https://core.telegram.org/bots/api):
``POST /bot<token>/<method>`` with a JSON body answers ``{"ok": true, "result": ...}`` or
``{"ok": false, "error_code": ..., "description": ..., "parameters": {...}}``; a wrong token is 401
(``Unauthorized``), a path that is no token at all 404. ``sendMessage`` checks what Telegram checks
(text of 1-4,096 UTF-16 units, ``callback_data`` of 1-64 bytes, known ``parse_mode``) and records
every call per chat; ``answerCallbackQuery`` accepts each query id it issued once. The fake can
answer 429 with ``retry_after`` a number of times, hold an answer longer than the bot waits, and
play a user who blocked the bot (403).

The user side posts ``Update`` JSON to the bot's webhook with ``X-Telegram-Bot-Api-Secret-Token``,
as Telegram does after ``setWebhook(url, secret_token)``::

    fake = FakeTelegram()
    fake.start()
    env = fake.env()                 # TELEGRAM_BOT_TOKEN, TELEGRAM_SECRET_TOKEN, TELEGRAM_API_URL
    ...start Rasa with env...
    fake.bind("http://127.0.0.1:5005")
    fake.send_text(42, "I want to renew my driving licence")
    texts = fake.wait_for_messages(42, 1)
    fake.press_button(42, "Yes")
    fake.stop()
"""

from __future__ import annotations

import asyncio
import itertools
import json
import re
import secrets
import socket
import threading
import time
import urllib.error
import urllib.request
from collections import defaultdict
from typing import Any

from aiohttp import web

__all__ = ["FakeTelegram"]

TOKEN_SHAPE = re.compile(r"^\d+:[A-Za-z0-9_-]+$")


def _utf16(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _error(code: int, description: str, **parameters: Any) -> web.Response:
    body: dict[str, Any] = {"ok": False, "error_code": code, "description": description}
    if parameters:
        body["parameters"] = parameters
    return web.json_response(body, status=code)


class FakeTelegram:
    """The Bot API on 127.0.0.1 (its own thread and event loop) and a user driving the webhook."""

    def __init__(self) -> None:
        self.bot_token = f"123456:ABC{secrets.token_urlsafe(27)}"
        self.secret_token = secrets.token_urlsafe(32)
        self.port = 0
        self.webhook_url = ""
        self.calls: list[dict[str, Any]] = []  # every API call: method, body, status
        self._sent: dict[int, list[dict[str, Any]]] = defaultdict(list)  # delivered messages per chat
        self._last_at: dict[int, float] = {}  # when the latest message reached each chat (monotonic)
        self._callbacks: dict[str, bool] = {}  # issued callback query id -> answered
        self._failures: dict[str, list[tuple[int | None, int, float]]] = defaultdict(list)  # method -> [(chat or any, status, retry_after)]
        self._holds: dict[str, list[tuple[int | None, float]]] = defaultdict(list)  # method -> [(chat or any, seconds)]
        self._blocked: set[int] = set()
        self._update_ids = itertools.count(700_000_000)
        self._message_ids = itertools.count(1)
        self._lock = threading.Condition()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._runner: web.AppRunner | None = None
        self._thread: threading.Thread | None = None

    # -- the server ---------------------------------------------------------------------------

    def start(self) -> None:
        """Serve the Bot API on a free port of 127.0.0.1 in a background thread."""
        ready = threading.Event()
        errors: list[BaseException] = []

        def run() -> None:
            loop = asyncio.new_event_loop()
            self._loop = loop
            try:
                loop.run_until_complete(self._serve())
            except BaseException as exc:  # reported to start()
                errors.append(exc)
                ready.set()
                loop.close()
                return
            ready.set()
            loop.run_forever()
            loop.run_until_complete(self._runner.cleanup() if self._runner else asyncio.sleep(0))
            loop.close()

        self._thread = threading.Thread(target=run, name="fake-telegram", daemon=True)
        self._thread.start()
        if not ready.wait(10) or errors:
            raise RuntimeError(f"the fake Telegram API did not start: {errors[0] if errors else 'timeout'}")

    async def _serve(self) -> None:
        app = web.Application()
        app.router.add_route("*", "/{path:.*}", self._api)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        self.port = int(sock.getsockname()[1])
        await web.SockSite(self._runner, sock).start()

    def stop(self) -> None:
        if self._loop is not None and self._thread is not None:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(10)
            self._loop = self._thread = None

    def env(self) -> dict[str, str]:
        """The channel's variables, with ``TELEGRAM_API_URL`` pointing here (call ``start()`` first)."""
        if not self.port:
            raise RuntimeError("FakeTelegram.env() needs the port: call start() first")
        return {"TELEGRAM_BOT_TOKEN": self.bot_token, "TELEGRAM_SECRET_TOKEN": self.secret_token, "TELEGRAM_API_URL": f"http://127.0.0.1:{self.port}"}

    def bind(self, rasa_base_url: str) -> None:
        """What ``setWebhook`` does: updates go to Rasa's ``/webhooks/telegram/webhook`` from now on."""
        self.webhook_url = rasa_base_url.rstrip("/") + "/webhooks/telegram/webhook"

    # -- behaviour switches -------------------------------------------------------------------

    def fail_next(self, method: str = "sendMessage", times: int = 1, status: int = 429, retry_after: float = 1, chat_id: int | None = None) -> None:
        """Answer the next ``times`` calls of ``method`` (to ``chat_id``, or any) with ``status`` (429 carries ``retry_after``)."""
        with self._lock:
            self._failures[method] += [(chat_id, status, retry_after)] * times

    def hold_next(self, seconds: float, method: str = "sendMessage", chat_id: int | None = None) -> None:
        """Deliver the next call of ``method`` (to ``chat_id``, or any), then keep the answer back for ``seconds``."""
        with self._lock:
            self._holds[method].append((chat_id, seconds))

    def block(self, chat_id: int) -> None:
        """The user blocks the bot: sending to the chat is 403 from now on."""
        with self._lock:
            self._blocked.add(chat_id)

    # -- the Bot API --------------------------------------------------------------------------

    async def _api(self, request: web.Request) -> web.Response:
        match = re.fullmatch(r"bot([^/]+)/(\w+)", request.match_info["path"])
        if match is None or not TOKEN_SHAPE.match(match.group(1)):
            return _error(404, "Not Found")
        if not secrets.compare_digest(match.group(1), self.bot_token):
            return _error(401, "Unauthorized")
        method = match.group(2)
        try:
            body = await request.json() if request.body_exists else {}
        except ValueError:
            return _error(400, "Bad Request: can't parse JSON")
        chat = body.get("chat_id") if isinstance(body, dict) else None
        with self._lock:
            failure = _take(self._failures[method], chat)
            hold = _take(self._holds[method], chat)
        if failure is not None:
            _, status, retry_after = failure
            self._record(method, body, status)
            if status == 429:
                return _error(429, f"Too Many Requests: retry after {retry_after:g}", retry_after=retry_after)
            return _error(status, "Internal Server Error" if status >= 500 else "Bad Request")
        handler = {"sendMessage": self._send_message, "answerCallbackQuery": self._answer_callback}.get(method)
        answer = handler(body) if handler and isinstance(body, dict) else _error(404, "Not Found: method not found")
        self._record(method, body, answer.status)
        if hold is not None:
            await asyncio.sleep(hold[1])
        return answer

    def _record(self, method: str, body: Any, status: int) -> None:
        with self._lock:
            self.calls.append({"method": method, "body": body, "status": status})
            self._lock.notify_all()

    def _send_message(self, body: dict[str, Any]) -> web.Response:
        chat_id, text = body.get("chat_id"), body.get("text")
        if isinstance(chat_id, str) and re.fullmatch(r"-?\d+", chat_id):  # "Integer or String"
            chat_id = int(chat_id)
        if not isinstance(chat_id, int):
            return _error(400, "Bad Request: chat not found")
        if not isinstance(text, str) or not text.strip():
            return _error(400, "Bad Request: message text is empty")
        if _utf16(text) > 4096:
            return _error(400, "Bad Request: message is too long")
        if body.get("parse_mode") not in (None, "MarkdownV2", "HTML", "Markdown"):
            return _error(400, "Bad Request: unsupported parse_mode")
        markup = body.get("reply_markup")
        if markup is not None:
            rows = markup.get("inline_keyboard") if isinstance(markup, dict) else None
            if not isinstance(rows, list) or not all(isinstance(r, list) for r in rows):
                return _error(400, "Bad Request: can't parse inline keyboard button: InlineKeyboardButton must be an Array")
            for button in (b for r in rows for b in r):
                if not isinstance(button, dict) or not str(button.get("text") or "").strip():
                    return _error(400, "Bad Request: can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard")
                data = button.get("callback_data")
                if data is not None and not (isinstance(data, str) and 1 <= len(data.encode("utf-8")) <= 64):
                    return _error(400, "Bad Request: BUTTON_DATA_INVALID")
        if chat_id in self._blocked:
            return _error(403, "Forbidden: bot was blocked by the user")
        message = {"message_id": next(self._message_ids), "date": int(time.time()), "chat": {"id": chat_id, "type": "private"}, "text": text}
        if markup is not None:
            message["reply_markup"] = markup
        with self._lock:
            self._sent[chat_id].append(message)
            self._last_at[chat_id] = time.monotonic()
        return web.json_response({"ok": True, "result": message})

    def _answer_callback(self, body: dict[str, Any]) -> web.Response:
        query_id = body.get("callback_query_id")
        with self._lock:
            if not isinstance(query_id, str) or self._callbacks.get(query_id) is not False:
                return _error(400, "Bad Request: query is too old and response timeout expired or query ID is invalid")
            self._callbacks[query_id] = True
        return web.json_response({"ok": True, "result": True})

    # -- what the bot sent --------------------------------------------------------------------

    def messages_to(self, chat_id: int) -> list[dict[str, Any]]:
        """The messages delivered to the chat so far (Telegram ``Message`` objects), oldest first."""
        with self._lock:
            return list(self._sent[chat_id])

    def texts_to(self, chat_id: int) -> list[str]:
        return [m["text"] for m in self.messages_to(chat_id)]

    def calls_to(self, method: str, chat_id: int | None = None) -> list[dict[str, Any]]:
        """Every call of ``method`` (to ``chat_id``), whatever its answer."""
        with self._lock:
            return [
                c for c in self.calls if c["method"] == method and (chat_id is None or (isinstance(c["body"], dict) and c["body"].get("chat_id") == chat_id))
            ]

    def wait_for_messages(self, chat_id: int, count: int, timeout: float = 60.0, quiet: float = 1.5) -> list[dict[str, Any]]:
        """Wait until at least ``count`` messages reached the chat and none came for ``quiet`` s; all of them."""
        deadline = time.monotonic() + timeout
        with self._lock:
            while True:
                sent, now = self._sent[chat_id], time.monotonic()
                if len(sent) >= count and now - self._last_at.get(chat_id, 0.0) >= quiet:
                    return list(sent)
                if now > deadline:
                    if len(sent) >= count:
                        return list(sent)
                    raise AssertionError(f"{len(sent)} of {count} messages reached chat {chat_id} within {timeout:.0f} s: {[m['text'][:80] for m in sent]}")
                self._lock.wait(0.1)

    def wait_for_reply(self, chat_id: int, after: int, timeout: float = 60.0) -> list[dict[str, Any]]:
        """The messages after the first ``after`` ones, once at least one came and the chat went quiet."""
        return self.wait_for_messages(chat_id, after + 1, timeout)[after:]

    # -- the user -----------------------------------------------------------------------------

    def _user(self, chat_id: int, language_code: str) -> dict[str, Any]:
        return {"id": chat_id, "is_bot": False, "first_name": "Test", "language_code": language_code}

    def text_update(self, chat_id: int, text: str, language_code: str = "en", chat_type: str = "private") -> dict[str, Any]:
        """An ``Update`` with a new text message from the user (not sent yet)."""
        message: dict[str, Any] = {
            "message_id": next(self._message_ids),
            "from": self._user(chat_id, language_code),
            "chat": {"id": chat_id, "type": chat_type, "first_name": "Test"},
            "date": int(time.time()),
            "text": text,
        }
        if text.startswith("/"):
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]
        return {"update_id": next(self._update_ids), "message": message}

    def send_update(self, update: dict[str, Any], secret: str | None = "", timeout: float = 10.0) -> int:
        """POST an update to the bound webhook; ``secret=""`` sends the right one, ``None`` none. The HTTP status."""
        if not self.webhook_url:
            raise RuntimeError("FakeTelegram.bind(rasa_base_url) first: there is no webhook to deliver to")
        headers = {"Content-Type": "application/json"}
        if secret is not None:
            headers["X-Telegram-Bot-Api-Secret-Token"] = secret or self.secret_token
        request = urllib.request.Request(self.webhook_url, data=json.dumps(update).encode(), headers=headers, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=timeout) as answer:
                return int(answer.status)
        except urllib.error.HTTPError as refused:
            refused.close()
            return int(refused.code)

    def send_text(self, chat_id: int, text: str, language_code: str = "en") -> dict[str, Any]:
        """The user writes ``text``; the delivered update (``send_update`` it again to repeat it)."""
        update = self.text_update(chat_id, text, language_code)
        status = self.send_update(update)
        assert status == 200, f"the webhook answered {status} to a valid update"
        return update

    def press(self, chat_id: int, callback_data: str, language_code: str = "en") -> dict[str, Any]:
        """The user presses the button with ``callback_data`` on the latest message that offers it."""
        offering = [m for m in self.messages_to(chat_id) if any(b.get("callback_data") == callback_data for row in _rows(m) for b in row)]
        if not offering:
            raise AssertionError(f"no message to chat {chat_id} has a button with callback_data {callback_data!r}")
        query_id = str(secrets.randbits(63))
        with self._lock:
            self._callbacks[query_id] = False
        update = {
            "update_id": next(self._update_ids),
            "callback_query": {
                "id": query_id,
                "from": self._user(chat_id, language_code),
                "message": offering[-1],
                "chat_instance": str(chat_id * 7919),
                "data": callback_data,
            },
        }
        status = self.send_update(update)
        assert status == 200, f"the webhook answered {status} to a valid update"
        return update

    def press_button(self, chat_id: int, title: str, language_code: str = "en") -> dict[str, Any]:
        """The user presses the button titled ``title`` (the latest one offered)."""
        for message in reversed(self.messages_to(chat_id)):
            for button in (b for row in _rows(message) for b in row):
                if button.get("text") == title:
                    return self.press(chat_id, button["callback_data"], language_code)
        raise AssertionError(f"no button {title!r} was offered to chat {chat_id}: {self.buttons_to(chat_id)}")

    def buttons_to(self, chat_id: int) -> list[dict[str, str]]:
        """Every inline button offered to the chat, oldest first."""
        return [b for m in self.messages_to(chat_id) for row in _rows(m) for b in row]

    def callback_answered(self, query_id: str) -> bool:
        with self._lock:
            return self._callbacks.get(query_id) is True


def _take(pending: list[Any], chat: Any) -> Any:
    """The first pending (chat or None, ...) entry that applies to ``chat``, removed; None when there is none."""
    for index, entry in enumerate(pending):
        if entry[0] is None or entry[0] == chat:
            return pending.pop(index)
    return None


def _rows(message: dict[str, Any]) -> list[list[dict[str, Any]]]:
    markup = message.get("reply_markup") or {}
    return list(markup.get("inline_keyboard") or [])
