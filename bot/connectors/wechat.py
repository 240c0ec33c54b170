"""The WeChat Official Account (公众号) channel, and the base it shares with WeCom (``wecom.py``).

Enabled when ``WECHAT_TOKEN`` is set (``scripts/stack.py`` adds it to the credentials); Rasa mounts
it at ``/webhooks/wechat/webhook``. The YAML is ignored: everything comes from the environment:
``WECHAT_TOKEN``, ``WECHAT_APP_ID``, ``WECHAT_APP_SECRET``, optional ``WECHAT_AES_KEY`` (safe mode:
encrypted callbacks and replies), ``WECHAT_API_URL`` (default ``https://api.weixin.qq.com``) and
``CHANNEL_STORE_URL`` (``channel_store.py``).

- ``GET /webhook`` answers the platform's URL check; every ``POST`` is verified
  (``wechat_protocol``) and refused with 403/400 before anything reaches Rasa.
- The conversation is ``wechat:<openid>``, the openid being the verified ``FromUserName``.
- WeChat waits 5 s for an answer, then retries the same message (same ``MsgId``) up to three
  times. The first delivery of a key (``ChannelStore.first_delivery``, shared by replicas) runs
  the turn; every retry is answered ``success`` at once. If the turn ends within
  ``PASSIVE_WINDOW_S`` its first message is the passive reply (the HTTP answer) and any further
  messages follow through the customer-service API; otherwise the answer is ``success`` and the
  whole reply goes through the API when the turn ends. The turn runs in its own task, so it
  finishes even when the platform hangs up.
- ``PlatformApi``: one access token per account, shared by replicas through the store, renewed
  ``RENEW_BEFORE_S`` before it expires by one request per process at a time, fetched again once
  when the platform calls it stale. Sends go through ``outbound.call_with_retry``: errcode -1, HTTP
  5xx and failed connections are retried; no answer after the request went out is ``Uncertain``
  and never repeated.
- Logs carry one line per callback, with the user as a pseudonym (``mask_id``) and no text.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import time
from collections.abc import Awaitable, Callable, Mapping
from types import SimpleNamespace
from typing import Any

import aiohttp
from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, OutputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from .channel_store import ChannelStore, open_store
from .empty_message import EMPTY_MESSAGE
from .limits import WindowCounter
from .metrics import METRICS
from .outbound import Final, Retryable, Uncertain, call_with_retry
from .render_wechat import contents, language_of, numbered_options
from .replies import neutral, renderer
from .wechat_protocol import USER_ID, CallbackError, Incoming, OfficialAccount, TokenRejected, check_api_result, choose, mask_id, text_body, token_of

__all__ = ["PlatformApi", "PlatformInput", "PlatformOutput", "WeChatApi", "WeChatInput"]

log = logging.getLogger(__name__)

PASSIVE_WINDOW_S = 4.0  # the platform gives up at 5 s
AFTER_PASSIVE_S = 0.3  # let the passive reply reach the user before the rest of the turn
RENEW_BEFORE_S = 300
CONNECT_TIMEOUT_S = 5.0
READ_TIMEOUT_S = 10.0
MAX_MESSAGE_CHARS = 2000
MESSAGES_PER_MINUTE = 30
GREET = "/greet"  # the domain's greet intent (bot/domain/core.yml), answered by utter_greet
TEXTS = {
    "other": "目前我只能读懂文字消息，请直接输入您的问题。 · I can only read text messages; please type your question.",
    "too_long": "消息太长了，请分几次发送。 · Your message is too long; please send it in parts.",
    "rate_limited": "您发送得太快了，请稍等片刻再试。 · You are sending messages too quickly; please wait a moment.",
    "failed": "抱歉，系统暂时出了问题，请稍后再试，或拨打12345市民服务热线。 · Sorry, something went wrong; please try again later or call the 12345 hotline.",
}


def require_env(*names: str) -> dict[str, str]:
    """The variables, or one error naming every missing one."""
    missing = [n for n in names if not os.environ.get(n)]
    if missing:
        raise ValueError(f"missing environment variable(s) {', '.join(missing)} (see docs/channels.md)")
    return {n: os.environ[n] for n in names}


class PlatformApi:
    """The platform's HTTP API for one account: a shared access token and text messages."""

    def __init__(self, channel: str, base_url: str, store: ChannelStore, token_name: str) -> None:
        self.channel = channel
        self.base_url = base_url.rstrip("/")
        self.store = store
        self.token_name = token_name
        self.token_fetches = 0
        self._lock = asyncio.Lock()
        self._session: aiohttp.ClientSession | None = None

    def token_request(self) -> tuple[str, dict[str, str]]:
        raise NotImplementedError

    def send_request(self, user: str, content: str) -> tuple[str, dict[str, Any]]:
        raise NotImplementedError

    def _client(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            trace = aiohttp.TraceConfig()
            trace.on_request_headers_sent.append(_mark_sent)
            timeout = aiohttp.ClientTimeout(total=None, sock_connect=CONNECT_TIMEOUT_S, sock_read=READ_TIMEOUT_S)
            self._session = aiohttp.ClientSession(timeout=timeout, trace_configs=[trace])
        return self._session

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()

    async def _call(self, method: str, path: str, params: Mapping[str, str], body: dict[str, Any] | None = None, idempotent: bool = False) -> dict:
        sent = SimpleNamespace(sent=False)
        data = json.dumps(body, ensure_ascii=False).encode("utf-8") if body is not None else None
        headers = {"Content-Type": "application/json; charset=utf-8"} if data is not None else None
        try:
            async with self._client().request(method, self.base_url + path, params=params, data=data, headers=headers, trace_request_ctx=sent) as answer:
                status, raw = answer.status, await answer.read()
        # asyncio.TimeoutError is not the builtin TimeoutError before Python 3.11 (Rasa runs 3.10).
        # Never str(exc) below: it may hold the URL, with the access token.
        except (aiohttp.ClientError, asyncio.TimeoutError) as exc:
            if sent.sent and not idempotent:
                raise Uncertain(f"no answer after the request went out ({type(exc).__name__})") from None
            raise Retryable(f"{type(exc).__name__}") from None
        return check_api_result(status, raw)

    async def token(self, stale: str | None = None) -> str:
        """A valid access token; ``stale`` is one the platform just refused."""
        cached = await asyncio.to_thread(self.store.token, self.token_name)
        if _usable(cached, stale):
            return cached[0]  # type: ignore[index]
        async with self._lock:  # one fetch at a time in this process; others wait and reuse it
            cached = await asyncio.to_thread(self.store.token, self.token_name)
            if _usable(cached, stale):
                return cached[0]  # type: ignore[index]
            path, params = self.token_request()
            value, expires_in = token_of(await self._call("GET", path, params, idempotent=True))
            await asyncio.to_thread(self.store.put_token, self.token_name, value, time.time() + expires_in)
            self.token_fetches += 1
            log.info("%s: new access token, valid %d s", self.channel, expires_in)
            return value

    async def send_text(self, user: str, content: str) -> None:
        """One text message to ``user``; raises ``Retryable`` (after retries), ``Uncertain`` or ``Final``."""
        path, body = self.send_request(user, content)

        async def attempt() -> None:
            token = await self.token()
            try:
                await self._call("POST", path, {"access_token": token}, body)
            except TokenRejected:
                await self._call("POST", path, {"access_token": await self.token(stale=token)}, body)

        await call_with_retry(attempt, what=f"{self.channel} message to {mask_id(user)}")


async def _mark_sent(session: Any, context: SimpleNamespace, params: Any) -> None:
    if context.trace_request_ctx is not None:
        context.trace_request_ctx.sent = True


def _usable(cached: tuple[str, float] | None, stale: str | None) -> bool:
    return cached is not None and cached[0] != stale and cached[1] - RENEW_BEFORE_S > time.time()


def _keep_log_level(*loggers: logging.Logger) -> None:
    """Rasa's ``LOG_LEVEL`` on our loggers: loading a model imports numpy.distutils, which sets the
    root logger to WARNING, and the callback lines are INFO."""
    level = os.environ.get("LOG_LEVEL", "INFO").upper()
    for logger in loggers:
        logger.setLevel(level if isinstance(logging.getLevelName(level), int) else "INFO")


def _query(request: Request) -> dict[str, str]:
    return {k: v[0] for k, v in request.args.items() if v}


class PlatformInput(InputChannel):
    """A WeChat-family channel: verified callbacks, one turn per delivery, passive or API replies."""

    ack = "success"  # "nothing to say now, do not retry"

    def __init__(self, callbacks: Any, api: PlatformApi, store: ChannelStore) -> None:
        _keep_log_level(log, logging.getLogger(type(self).__module__))
        self.callbacks = callbacks
        self.api = api
        self.store = store
        self.per_user = WindowCounter(MESSAGES_PER_MINUTE, 60.0)
        self._tasks: set[asyncio.Task] = set()

    def conversation(self, user: str) -> str:
        return f"{self.name()}:{user}"

    def user_of(self, conversation: str) -> str:
        prefix = f"{self.name()}:"
        user = conversation[len(prefix) :] if conversation.startswith(prefix) else ""
        if not USER_ID.fullmatch(user):
            raise ValueError(f"not a {self.name()} conversation id: {conversation[:16]!r}…")
        return user

    def get_output_channel(self) -> OutputChannel:
        return PlatformOutput(self)

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        blueprint = Blueprint(f"{self.name()}_webhook")

        @blueprint.route("/", methods=["GET"])
        async def health(request: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @blueprint.route("/webhook", methods=["GET"])
        async def url_check(request: Request) -> HTTPResponse:
            try:
                echo = self.callbacks.handshake(_query(request))
            except CallbackError as exc:
                log.warning("%s: URL check refused (%d): %s", self.name(), exc.status, exc)
                return response.text("refused", status=exc.status)
            log.info("%s: URL check passed", self.name())
            return response.text(echo)

        @blueprint.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            return await self._receive(request, on_new_message)

        @blueprint.listener("after_server_stop")
        async def close(app: Any, loop: Any) -> None:
            await self.api.close()

        return blueprint

    async def _receive(self, request: Request, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> HTTPResponse:
        started = time.monotonic()
        try:
            incoming = self.callbacks.decode(_query(request), request.body or b"")
        except CallbackError as exc:
            log.warning("%s callback refused (%d): %s", self.name(), exc.status, exc)
            return response.text("refused", status=exc.status)
        outcome = "?"
        try:
            outcome, answer = await self._answer(incoming, on_new_message, started + PASSIVE_WINDOW_S)
            return answer
        except asyncio.CancelledError:
            outcome = "the platform hung up; the reply goes through the API"
            raise
        except Exception as exc:
            outcome = f"failed ({type(exc).__name__})"
            raise
        finally:
            log.info("%s callback %s from %s: %s in %.2f s", self.name(), incoming.msg_type, mask_id(incoming.user), outcome, time.monotonic() - started)

    async def _answer(self, incoming: Incoming, on_new_message: Callable[[UserMessage], Awaitable[Any]], deadline: float) -> tuple[str, HTTPResponse]:
        if not await asyncio.to_thread(self.store.first_delivery, self.name(), incoming.key):
            METRICS.duplicate(self.name())
            return "retry of a delivery already taken", response.text(self.ack)
        if incoming.kind == "event":
            return "event without answer", response.text(self.ack)
        if incoming.kind == "other":
            return "not text: asked to type", self._passive(incoming, TEXTS["other"])
        text = GREET if incoming.kind == "subscribe" else incoming.text
        if len(text) > MAX_MESSAGE_CHARS:
            return "too long", self._passive(incoming, TEXTS["too_long"])
        if self.per_user.hit(incoming.user):
            return "rate limited", self._passive(incoming, TEXTS["rate_limited"])
        how = "greeting" if incoming.kind == "subscribe" else "text"
        if incoming.kind == "text" and not text.strip():
            text = EMPTY_MESSAGE
        elif incoming.kind == "text":
            picked = choose(text, await asyncio.to_thread(self.store.options, self.conversation(incoming.user)))
            if picked is not None:
                text, how = picked, "option"
        turn = asyncio.create_task(self._turn(incoming, text, on_new_message))
        try:
            done, _ = await asyncio.wait({turn}, timeout=max(0.0, deadline - time.monotonic()))
        except asyncio.CancelledError:  # the platform hung up: the turn goes on, its reply goes through the API
            self._background(self._deliver_later(incoming.user, turn))
            raise
        if not done:
            self._background(self._deliver_later(incoming.user, turn))
            return f"{how}: slow turn, reply through the API", response.text(self.ack)
        parts = turn.result()
        if not parts:
            return f"{how}: no reply", response.text(self.ack)
        if len(parts) > 1:
            self._background(self._deliver(incoming.user, parts[1:], delay=AFTER_PASSIVE_S))
        return f"{how}: passive reply" + (f" + {len(parts) - 1} through the API" if len(parts) > 1 else ""), self._passive(incoming, parts[0])

    def _passive(self, incoming: Incoming, content: str) -> HTTPResponse:
        return response.text(self.callbacks.reply(incoming, content), content_type="application/xml; charset=utf-8")

    async def _turn(self, incoming: Incoming, text: str, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> list[str]:
        collector = CollectingOutputChannel()
        conversation = self.conversation(incoming.user)
        message = UserMessage(text, collector, conversation, input_channel=self.name(), message_id=incoming.key, metadata={"platform": self.name()})
        METRICS.message(self.name())
        try:
            await on_new_message(message)
        except Exception as exc:  # the type only: an exception's text may quote the message
            log.error("%s: the turn for %s failed (%s)", self.name(), mask_id(incoming.user), type(exc).__name__)
            log.debug("%s: turn failure", self.name(), exc_info=True)
            return [TEXTS["failed"]]
        return await self.render(conversation, collector.messages)

    async def render(self, conversation: str, messages: list[dict[str, Any]]) -> list[str]:
        """Rasa's messages as the texts to send; the options they offer are remembered."""
        replies = neutral(messages)
        if not replies:
            return []
        await asyncio.to_thread(self.store.remember_options, conversation, numbered_options(replies))
        return contents(renderer(self.name()).render(replies, language_of(replies)))

    async def _deliver_later(self, user: str, turn: asyncio.Task[list[str]]) -> None:
        await self._deliver(user, await turn)

    async def deliver(self, user: str, parts: list[str]) -> bool:
        """Send texts in order through the API; stop at the first that fails. True when all went."""
        for index, part in enumerate(parts, 1):
            try:
                await self.api.send_text(user, part)
            except (Retryable, Uncertain, Final) as exc:
                log.warning("%s: message %d of %d to %s not sent (%s: %s)", self.name(), index, len(parts), mask_id(user), type(exc).__name__, exc)
                return False
        if parts:
            log.info("%s: %d message(s) sent to %s through the API", self.name(), len(parts), mask_id(user))
        return True

    async def _deliver(self, user: str, parts: list[str], delay: float = 0.0) -> None:
        if delay:
            await asyncio.sleep(delay)
        await self.deliver(user, parts)

    def _background(self, job: Awaitable[None]) -> None:
        task = asyncio.ensure_future(job)
        self._tasks.add(task)  # keep a reference until done
        task.add_done_callback(self._finished)

    def _finished(self, task: asyncio.Future[None]) -> None:
        self._tasks.discard(task)  # type: ignore[arg-type]
        if not task.cancelled() and task.exception() is not None:
            log.error("%s: a background delivery failed (%s)", self.name(), type(task.exception()).__name__)


class PlatformOutput(OutputChannel):
    """Sends through the platform's API: messages pushed outside a turn (an agent, a reminder)."""

    def __init__(self, channel: PlatformInput) -> None:
        self.channel = channel

    def name(self) -> str:  # type: ignore[override]
        return self.channel.name()

    async def send_response(self, recipient_id: str, message: dict[str, Any]) -> None:
        user = self.channel.user_of(recipient_id)
        await self.channel.deliver(user, await self.channel.render(recipient_id, [message]))

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        await self.send_response(recipient_id, {"text": text})


class WeChatApi(PlatformApi):
    """``/cgi-bin/token`` and the customer-service message ``/cgi-bin/message/custom/send``."""

    def __init__(self, base_url: str, app_id: str, secret: str, store: ChannelStore) -> None:
        super().__init__("wechat", base_url, store, f"wechat:{app_id}")
        self.app_id, self.secret = app_id, secret

    def token_request(self) -> tuple[str, dict[str, str]]:
        return "/cgi-bin/token", {"grant_type": "client_credential", "appid": self.app_id, "secret": self.secret}

    def send_request(self, user: str, content: str) -> tuple[str, dict[str, Any]]:
        return "/cgi-bin/message/custom/send", text_body(user, content)


class WeChatInput(PlatformInput):
    """The WeChat Official Account channel (``/webhooks/wechat/webhook``)."""

    @classmethod
    def name(cls) -> str:
        return "wechat"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> WeChatInput:
        env = require_env("WECHAT_TOKEN", "WECHAT_APP_ID", "WECHAT_APP_SECRET", "CHANNEL_STORE_URL")
        store = open_store(env["CHANNEL_STORE_URL"])
        callbacks = OfficialAccount(env["WECHAT_TOKEN"], env["WECHAT_APP_ID"], os.environ.get("WECHAT_AES_KEY") or None)
        api = WeChatApi(os.environ.get("WECHAT_API_URL") or "https://api.weixin.qq.com", env["WECHAT_APP_ID"], env["WECHAT_APP_SECRET"], store)
        log.info("wechat channel: %s mode, API %s", "safe" if callbacks.safe_mode else "plaintext (the body is not signed: use safe mode)", api.base_url)
        return cls(callbacks, api, store)
