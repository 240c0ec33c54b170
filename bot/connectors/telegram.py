"""The Telegram channel: webhook updates checked by their secret token, replies through the Bot API.

Why this module is long: the input channel, its output channel and the Bot API client share the
per-chat order lock and the store; the pure parts (rendering, retries) are already modules of their own.

Rasa's own ``telegram`` channel cannot check the secret token and sends with aiogram; this one keeps
its name (URL ``/webhooks/telegram/webhook``), speaks the Bot API over aiohttp, and is enabled when
``TELEGRAM_BOT_TOKEN`` is set (``scripts/stack.py``). It reads the environment, never YAML:

``TELEGRAM_BOT_TOKEN``      the bot's token from @BotFather (it sits in every API URL: never logged)
``TELEGRAM_SECRET_TOKEN``   32-256 characters ``A-Z a-z 0-9 _ -``; required, the channel refuses to start without it
``TELEGRAM_API_URL``        default ``https://api.telegram.org`` (tests point it at a fake)
``CHANNEL_STORE_URL``       the store shared by replicas (``channel_store.py``)

Register the webhook once, with the same secret::

    curl -s "https://api.telegram.org/bot$TELEGRAM_BOT_TOKEN/setWebhook" \\
         -d url=https://<edge>/webhooks/telegram/webhook -d secret_token="$TELEGRAM_SECRET_TOKEN" \\
         -d 'allowed_updates=["message","edited_message","callback_query"]'

Receiving (``POST /webhooks/telegram/webhook``):

- ``X-Telegram-Bot-Api-Secret-Token`` must equal the secret (constant time), else 403 and nothing
  reaches Rasa. The conversation is ``telegram:<chat.id>`` of the verified update.
- Each update is handled once (``ChannelStore.first_delivery`` on ``<bot id>:<update_id>``, shared by
  replicas). The webhook answers 200 at once and the turn runs in the background, so a slow turn
  never makes Telegram deliver again. The updates of one chat are handled and answered in order.
- Text goes to Rasa; ``/start`` and ``/help`` as ``/greet{"lang": ...}`` (from ``language_code``; the
  bot still has to honour that entity). A pressed button is answered (``answerCallbackQuery``) and
  its payload goes to Rasa as the user's message, a ``callback_data`` reference resolved first
  (``render_telegram.py``). Photos, stickers and edits get a bilingual "please type", group chats
  are asked to write privately, other updates are ignored. Messages over ``MAX_MESSAGE_CHARS`` or
  beyond ``MESSAGES_PER_MINUTE`` per chat get a refusal, as on the widget.

Sending: ``render_telegram`` bodies through ``sendMessage`` and ``outbound.call_with_retry``: 429
(after ``parameters.retry_after``), 5xx and failed connections are retried; a timeout after the
request went out is ``Uncertain``, never repeated (no duplicates); other refusals (400, 403 "bot was
blocked by the user") are final and logged. One log line per update, chat id masked, no text.
``get_output_channel()`` sends through the API too (messages pushed later by an agent or
``/conversations/<id>/trigger_intent?output_channel=latest``).
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import hmac
import json
import logging
import os
import re
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import aiohttp
from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, OutputChannel, UserMessage
from rasa.shared.exceptions import RasaException
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from . import render_telegram
from .channel_store import ChannelStore, open_store
from .empty_message import EMPTY_MESSAGE
from .limits import WindowCounter
from .metrics import METRICS
from .outbound import Final, Retryable, Uncertain, call_with_retry
from .replies import Reply, neutral, renderer

__all__ = ["TelegramApi", "TelegramInput", "TelegramOutput", "mask_chat"]

log = logging.getLogger(__name__)

DEFAULT_API_URL = "https://api.telegram.org"
MAX_MESSAGE_CHARS = 2000
MESSAGES_PER_MINUTE = 30
MAX_UPDATE_BYTES = 1_000_000
BOT_TOKEN = re.compile(r"^(\d{1,20}):[A-Za-z0-9_-]{20,100}$")
SECRET_TOKEN = re.compile(r"^[A-Za-z0-9_-]{32,256}$")
GREETING_COMMANDS = re.compile(r"^/(start|help)(@\w+)?(\s|$)")
TIMEOUT = aiohttp.ClientTimeout(total=20, connect=5, sock_read=10)
TEXTS = {
    "not_text": "我只能读文字消息，请用文字告诉我您需要办理什么事情。 · I can only read text: please type what you need to get done.",
    "edited": "我看不到修改后的消息，请把修改的内容重新发送一次。 · I can't see edits: please send the corrected message again.",
    "group": "为保护您的隐私，请在与我的私聊中咨询。 · To protect your privacy, please write to me in a private chat.",
    "expired": "这个按钮已过期，请直接输入您的回答。 · That button has expired: please type your answer instead.",
    "too_long": "消息太长了，请分几次发送。 · Your message is too long; please send it in parts.",
    "rate_limited": "您发送得太快了，请稍等片刻再试。 · You are sending messages too quickly; please wait a moment.",
    "failed": "抱歉，出了点问题，请稍后再试，或拨打12345市民服务热线。 · Sorry, something went wrong: please try again, or call the 12345 hotline.",
}


def mask_chat(chat_id: Any) -> str:
    """A chat id for logs: ``12*****89``."""
    text = str(chat_id)
    return "*" * len(text) if len(text) <= 4 else text[:2] + "*" * (len(text) - 4) + text[-2:]


def _lang(user: Any) -> str:
    code = str(user.get("language_code") or "") if isinstance(user, dict) else ""
    return "zh" if code.startswith("zh") else "en" if code else ""


@dataclass
class Incoming:
    """What a verified update asks of the bot."""

    kind: str  # text, start, button, not_text, edited, group
    chat_id: int
    text: str = ""
    callback_id: str = ""
    lang: str = ""


def parse_update(update: dict[str, Any]) -> Incoming | str:
    """The update as an ``Incoming``, or the name of an update kind this channel ignores."""
    query = update.get("callback_query")
    if isinstance(query, dict):
        chat = ((query.get("message") or {}).get("chat") or {}) if isinstance(query.get("message"), dict) else {}
        if not isinstance(chat.get("id"), int) or not isinstance(query.get("data"), str):
            return "callback_query without a chat message or data"
        kind = "button" if chat.get("type") == "private" else "group"
        return Incoming(kind, chat["id"], query["data"], str(query.get("id") or ""), _lang(query.get("from")))
    for field, edited in (("message", False), ("edited_message", True)):
        message = update.get(field)
        if not isinstance(message, dict):
            continue
        chat = message.get("chat") if isinstance(message.get("chat"), dict) else {}
        if not isinstance(chat.get("id"), int):
            return f"{field} without a chat"
        text, lang = message.get("text"), _lang(message.get("from"))
        if chat.get("type") != "private":
            return Incoming("group", chat["id"], lang=lang)
        if edited:
            return Incoming("edited", chat["id"], lang=lang)
        if not isinstance(text, str):
            return Incoming("not_text", chat["id"], lang=lang)
        return Incoming("start" if GREETING_COMMANDS.match(text) else "text", chat["id"], text, lang=lang)
    kinds = [k for k in update if k != "update_id"]
    return kinds[0] if kinds else "empty update"


class TelegramApi:
    """Bot API calls over one aiohttp session; the replies of one chat are sent in order."""

    def __init__(self, bot_token: str, api_url: str, store: ChannelStore) -> None:
        self._token = bot_token
        self.bot_id = bot_token.split(":", 1)[0]
        self.api_url = api_url.rstrip("/")
        self.store = store
        self._session: aiohttp.ClientSession | None = None
        self._chats: dict[int, tuple[asyncio.Lock, int]] = {}

    def _session_now(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            trace = aiohttp.TraceConfig()

            async def headers_sent(session: Any, context: Any, params: Any) -> None:
                context.trace_request_ctx["sent"] = True

            trace.on_request_headers_sent.append(headers_sent)
            self._session = aiohttp.ClientSession(timeout=TIMEOUT, trace_configs=[trace])
        return self._session

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()

    async def call(self, method: str, body: dict[str, Any]) -> Any:
        """One call; its ``result``, or ``Retryable`` / ``Uncertain`` / ``Final`` (messages never hold the token)."""
        progress = {"sent": False}
        try:
            async with self._session_now().post(f"{self.api_url}/bot{self._token}/{method}", json=body, trace_request_ctx=progress) as answer:
                status = answer.status
                try:
                    data = await answer.json(content_type=None)
                except ValueError:
                    data = None
        except (asyncio.TimeoutError, aiohttp.ClientError, OSError) as exc:  # asyncio.TimeoutError: not the builtin on Python 3.10
            if progress["sent"]:
                raise Uncertain(f"{method}: {type(exc).__name__} after the request went out") from None
            raise Retryable(f"{method}: {type(exc).__name__} before the request went out") from None
        data = data if isinstance(data, dict) else {}
        if status == 200 and data.get("ok") is True:
            return data.get("result")
        description = str(data.get("description") or "")[:200]
        if status == 429:
            retry_after = (data.get("parameters") or {}).get("retry_after")
            raise Retryable(f"{method}: 429 {description}", retry_after=float(retry_after) if isinstance(retry_after, (int, float)) else None)
        if status >= 500:
            raise Retryable(f"{method}: HTTP {status} {description}")
        hint = " (check TELEGRAM_BOT_TOKEN and TELEGRAM_API_URL)" if status in (401, 404) else ""
        raise Final(f"{method}: HTTP {status} {description}{hint}")

    @contextlib.asynccontextmanager
    async def chat(self, chat_id: int) -> AsyncIterator[None]:
        """Hold the chat: what runs inside is not interleaved with other work for the same chat."""
        lock, users = self._chats.get(chat_id, (asyncio.Lock(), 0))
        self._chats[chat_id] = (lock, users + 1)
        try:
            async with lock:
                yield
        finally:
            lock, users = self._chats[chat_id]
            if users <= 1:
                del self._chats[chat_id]
            else:
                self._chats[chat_id] = (lock, users - 1)

    async def deliver(self, chat_id: int, replies: list[Reply], lang: str) -> None:
        """Send the replies in order (hold ``chat(chat_id)`` around it); failures are logged, not raised."""
        referenced = render_telegram.referenced_options(replies)
        if referenced:
            await asyncio.to_thread(self._remember, f"telegram:{chat_id}", referenced)
        for body in renderer("telegram").render(replies, lang):
            send = functools.partial(self.call, "sendMessage", {"chat_id": chat_id, **body})
            try:
                await call_with_retry(send, what="telegram sendMessage")
            except Uncertain as exc:
                log.warning("telegram: a message to chat %s may not have arrived (%s); not sent again", mask_chat(chat_id), exc)
            except Final as exc:
                log.warning("telegram: chat %s refused a message (%s); the rest of this reply is dropped", mask_chat(chat_id), exc)
                return
            except Retryable as exc:
                log.error("telegram: gave up sending to chat %s (%s); the rest of this reply is dropped", mask_chat(chat_id), exc)
                return

    def _remember(self, conversation: str, options: list[tuple[str, str]]) -> None:
        self.store.remember_options(conversation, render_telegram.merge_options(options, self.store.options(conversation)))

    async def answer_callback(self, callback_id: str, chat_id: int) -> None:
        """Stop the button's spinner; a failure (e.g. a query over 15 min old) is logged, the turn goes on."""
        try:
            await call_with_retry(
                functools.partial(self.call, "answerCallbackQuery", {"callback_query_id": callback_id}), attempts=2, what="telegram answerCallbackQuery"
            )
        except (Final, Retryable, Uncertain) as exc:
            log.warning("telegram: could not answer a button press in chat %s (%s)", mask_chat(chat_id), exc)


def _chat_of(recipient_id: Any) -> int | None:
    text = str(recipient_id)
    text = text[len("telegram:") :] if text.startswith("telegram:") else text
    return int(text) if re.fullmatch(r"-?\d{1,20}", text) else None


class TelegramOutput(OutputChannel):
    """Sends Rasa's messages to a ``telegram:<chat id>`` conversation through the Bot API."""

    @classmethod
    def name(cls) -> str:
        return "telegram"

    def __init__(self, api: TelegramApi) -> None:
        self.api = api

    async def _send(self, recipient_id: str, replies: list[Reply]) -> None:
        chat_id = _chat_of(recipient_id)
        if chat_id is None:
            log.warning("telegram: cannot send to a conversation that is not telegram:<chat id>")
            return
        if replies:
            async with self.api.chat(chat_id):
                await self.api.deliver(chat_id, replies, "")

    async def send_response(self, recipient_id: str, message: dict[str, Any]) -> None:
        """One message of Rasa (text, buttons, a handoff link, an image) as one reply: a link is sent once."""
        replies = neutral([message])
        if isinstance(message.get("image"), str):
            replies.append(Reply(message["image"]))
        await self._send(recipient_id, replies)

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        await self._send(recipient_id, neutral([{"text": text}]))

    async def send_text_with_buttons(self, recipient_id: str, text: str, buttons: list[dict[str, Any]], **kwargs: Any) -> None:
        await self._send(recipient_id, neutral([{"text": text, "buttons": buttons}]))

    async def send_custom_json(self, recipient_id: str, json_message: dict[str, Any], **kwargs: Any) -> None:
        await self._send(recipient_id, neutral([{"custom": json_message}]))  # a handoff link; a card's text came already


class TelegramInput(InputChannel):
    """The Telegram webhook, verified by the secret token; see the module docstring."""

    @classmethod
    def name(cls) -> str:
        return "telegram"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> InputChannel:
        """From the environment only (credentials never sit in YAML next to the code)."""
        return cls(
            os.environ.get("TELEGRAM_BOT_TOKEN", "").strip(),
            os.environ.get("TELEGRAM_SECRET_TOKEN", "").strip(),
            os.environ.get("TELEGRAM_API_URL", "").strip() or DEFAULT_API_URL,
            os.environ.get("CHANNEL_STORE_URL", "").strip(),
        )

    def __init__(self, bot_token: str, secret_token: str, api_url: str = DEFAULT_API_URL, store_url: str = "") -> None:
        if not BOT_TOKEN.match(bot_token):
            raise RasaException("TELEGRAM_BOT_TOKEN must be the bot token from @BotFather (<bot id>:<35 characters>)")
        if not SECRET_TOKEN.match(secret_token) or len(set(secret_token)) < 10:
            raise RasaException(
                "TELEGRAM_SECRET_TOKEN must be set to 32-256 characters of A-Z, a-z, 0-9, _ and - (at least 10 different), "
                "the secret_token given to setWebhook; the Telegram channel does not start without it"
            )
        if not api_url.startswith(("https://", "http://")):
            raise RasaException("TELEGRAM_API_URL must be an http(s) URL such as https://api.telegram.org")
        if not store_url:
            raise RasaException("CHANNEL_STORE_URL must name the store shared by replicas (sqlite:///path, postgresql://..., redis://...)")
        if log.level == logging.NOTSET:  # Rasa sets the level of its own loggers only (LOG_LEVEL, --debug)
            log.setLevel(logging.getLogger("rasa").getEffectiveLevel())
        self._secret = secret_token.encode()
        self.store = open_store(store_url)
        self.api = TelegramApi(bot_token, api_url, self.store)
        self.per_chat = WindowCounter(MESSAGES_PER_MINUTE, 60.0)
        self._tasks: set[asyncio.Task[None]] = set()

    def get_output_channel(self) -> OutputChannel:
        return TelegramOutput(self.api)

    def _verified(self, request: Request) -> bool:
        given = request.headers.get("X-Telegram-Bot-Api-Secret-Token", "").encode()
        return hmac.compare_digest(given, self._secret)

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        blueprint = Blueprint("telegram_webhook", __name__)

        @blueprint.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @blueprint.route("/webhook", methods=["POST"])
        async def webhook(request: Request) -> HTTPResponse:
            if not self._verified(request):
                log.warning("telegram: refused a webhook call without the right secret token")
                return response.json({"ok": False, "error": "forbidden"}, status=403)
            if len(request.body or b"") > MAX_UPDATE_BYTES:
                return response.json({"ok": False, "error": "payload_too_large"}, status=413)
            try:
                update = json.loads(request.body or b"")
            except ValueError:
                update = None
            if not isinstance(update, dict) or not isinstance(update.get("update_id"), int):
                return response.json({"ok": False, "error": "invalid_request", "message": "the body must be a Telegram Update with update_id"}, status=400)
            try:
                first = await asyncio.to_thread(self.store.first_delivery, "telegram", f"{self.api.bot_id}:{update['update_id']}")
            except Exception as exc:  # the store is down: let Telegram deliver again later
                log.error("telegram: the channel store failed (%s); update %d refused for a retry", type(exc).__name__, update["update_id"])
                return response.json({"ok": False, "error": "unavailable"}, status=503)
            if not first:
                METRICS.duplicate("telegram")
                log.info("telegram update %d: delivered again, ignored", update["update_id"])
                return response.json({"ok": True})
            task = asyncio.get_running_loop().create_task(self._handle(update, on_new_message))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
            return response.json({"ok": True})

        @blueprint.listener("before_server_stop")
        async def finish(*_: Any) -> None:
            if self._tasks:
                await asyncio.wait(set(self._tasks), timeout=10)
            await self.api.close()

        return blueprint

    async def _handle(self, update: dict[str, Any], on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> None:
        incoming = parse_update(update)
        if isinstance(incoming, str):
            log.info("telegram update %d: %s, ignored", update["update_id"], incoming)
            return
        log.info("telegram update %d: %s in chat %s", update["update_id"], incoming.kind, mask_chat(incoming.chat_id))
        # Answer the button at once, but queue for the chat first: the chat's updates keep their order.
        answering = asyncio.ensure_future(self.api.answer_callback(incoming.callback_id, incoming.chat_id)) if incoming.callback_id else None
        try:
            async with self.api.chat(incoming.chat_id):
                if answering is not None:
                    await answering  # answered before the payload reaches Rasa
                replies = await self._turn(update["update_id"], incoming, on_new_message)
                await self.api.deliver(incoming.chat_id, replies, incoming.lang)
        except Exception as exc:  # a background task: nobody else would see it
            log.error("telegram update %d failed: %s", update["update_id"], type(exc).__name__, exc_info=log.isEnabledFor(logging.DEBUG))

    async def _turn(self, update_id: int, incoming: Incoming, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> list[Reply]:
        conversation = f"telegram:{incoming.chat_id}"
        if incoming.kind in TEXTS:
            return [Reply(TEXTS[incoming.kind])]
        text = incoming.text
        if incoming.kind == "button":
            resolved = render_telegram.resolve(text, await asyncio.to_thread(self.store.options, conversation))
            if resolved is None:
                return [Reply(TEXTS["expired"])]
            text = resolved
        if len(text) > MAX_MESSAGE_CHARS:
            return [Reply(TEXTS["too_long"])]
        if self.per_chat.hit(conversation):
            return [Reply(TEXTS["rate_limited"])]
        if incoming.kind == "start":  # the language Telegram knows, as an entity (see the module docstring)
            text = f'/greet{{"lang":"{incoming.lang}"}}' if incoming.lang else "/greet"
        text = text.strip() or EMPTY_MESSAGE
        collector = CollectingOutputChannel()
        METRICS.message(self.name())
        try:
            await on_new_message(UserMessage(text, collector, conversation, input_channel=self.name(), message_id=f"telegram-{update_id}"))
        except Exception as exc:
            log.error("telegram: the turn for chat %s failed: %s", mask_chat(incoming.chat_id), type(exc).__name__, exc_info=log.isEnabledFor(logging.DEBUG))
            return [Reply(TEXTS["failed"])]
        return neutral(collector.messages)
