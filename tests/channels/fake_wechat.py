"""Local fakes of WeChat (公众号) and WeCom (企业微信) that follow the published protocol.

Each fake plays both sides of the platform, built on wechatpy (never on the code under test):

- the API: an aiohttp server on 127.0.0.1 (a free port, a background thread) with the token
  endpoint and the message endpoint; it checks the access token, the JSON and the 2,048-byte
  limit, records every message per user, and answers ``errcode -1`` ``fail_next(n)`` times;
- the callbacks: ``send_text(user, text)`` signs (and encrypts) a message like the platform,
  POSTs it to the bound channel, waits ``wait`` (5) seconds per attempt, retries up to
  ``retries`` (3) times with the same ``MsgId``, and returns a ``Delivery``: the passive reply
  the user saw (decrypted and checked), each attempt's status and time.

::

    fake = FakeWeChat()            # safe mode; FakeWeChat(safe_mode=False) for plaintext callbacks
    fake.start(); env = fake.env()  # WECHAT_* with WECHAT_API_URL pointing here
    fake.bind("http://127.0.0.1:5005")
    seen = fake.send_text(user, "我想换驾照")
    fake.wait_for_messages(user, 1)  # what came through the customer-service API

``callback(...)`` and ``read_reply(...)`` work without ``start()``, for unit tests.
"""

from __future__ import annotations

import asyncio
import base64
import json
import secrets
import string
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from typing import Any

import xmltodict
from aiohttp import web
from wechatpy import parse_message
from wechatpy.crypto import WeChatCrypto
from wechatpy.enterprise import parse_message as parse_wecom_message
from wechatpy.enterprise.crypto import PrpCrypto as WeComPrpCrypto
from wechatpy.enterprise.crypto import WeChatCrypto as WeComCrypto
from wechatpy.utils import WeChatSigner

__all__ = ["Attempt", "Delivery", "FakeWeChat", "FakeWeCom", "Sent"]

TEXT_LIMIT_BYTES = 2048


def signature(*parts: str) -> str:
    signer = WeChatSigner()
    signer.add_data(*parts)
    return str(signer.signature)


def _cdata(value: str) -> str:
    return "<![CDATA[" + value.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def _xml(fields: dict[str, Any]) -> str:
    return "<xml>" + "".join(f"<{k}>{v if isinstance(v, int) else _cdata(str(v))}</{k}>" for k, v in fields.items()) + "</xml>"


@dataclass
class Attempt:
    status: int  # 0: no answer within the wait
    seconds: float
    body: str


@dataclass
class Delivery:
    """What the user saw after one message: the passive reply (None: nothing), and how it went."""

    user: str
    msg_id: str
    reply: str | None = None
    attempts: list[Attempt] = field(default_factory=list)
    error: str | None = None  # a reply the platform would refuse ("该公众号暂时无法提供服务")
    inner: str = ""  # the message XML, for resend()

    @property
    def statuses(self) -> list[int]:
        return [a.status for a in self.attempts]

    @property
    def seconds(self) -> float:
        return sum(a.seconds for a in self.attempts)


@dataclass
class Sent:
    """One message that reached the API."""

    user: str
    content: str
    at: float
    body: dict[str, Any]


class _FakePlatform:
    """What both fakes share. Each subclass defines ``new_user()``, ``message(user, fields)`` (the XML
    of one message), ``callback(inner)`` (the query and body the platform POSTs for it),
    ``read_reply(body, user)`` (a passive reply checked as the platform checks it, or ``ValueError``),
    ``url_check_query(forged)`` and ``_token_params()`` (what the token endpoint checks)."""

    channel = ""
    token_path = ""
    send_path = ""
    stale_token_errcode = 0
    ack_bodies: tuple[str, ...] = ("",)

    def __init__(self, *, wait: float = 5.0, retries: int = 3) -> None:
        self.token = secrets.token_urlsafe(24)
        self.aes_key = base64.b64encode(secrets.token_bytes(32)).decode()[:43]
        self.wait = wait
        self.retries = retries
        self.callback_url = ""
        self.token_fetches = 0
        self.api_calls: list[tuple[str, int]] = []  # (path, errcode) of every API call
        self._sent: list[Sent] = []
        self._valid_tokens: set[str] = set()
        self._failures: list[int] = []
        self._users: set[str] = set()
        self._changed = threading.Condition()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._runner: web.AppRunner | None = None
        self.port = 0

    # -- the server -------------------------------------------------------------------------------

    @property
    def api_url(self) -> str:
        if not self.port:
            raise RuntimeError(f"{type(self).__name__}: call start() first")
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        ready = threading.Event()
        self._loop = asyncio.new_event_loop()

        def run() -> None:
            assert self._loop is not None
            asyncio.set_event_loop(self._loop)
            self._loop.run_until_complete(self._serve())
            ready.set()
            self._loop.run_forever()

        self._thread = threading.Thread(target=run, name=f"fake-{self.channel}", daemon=True)
        self._thread.start()
        if not ready.wait(10):
            raise RuntimeError(f"{type(self).__name__} did not start")

    async def _serve(self) -> None:
        app = web.Application()
        app.router.add_get(self.token_path, self._token_endpoint)
        app.router.add_post(self.send_path, self._send_endpoint)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = int(self._runner.addresses[0][1])

    def stop(self) -> None:
        if self._loop is None or self._runner is None:
            return
        asyncio.run_coroutine_threadsafe(self._runner.cleanup(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        if self._thread is not None:
            self._thread.join(10)
        self._loop.close()
        self._loop = None

    def bind(self, rasa_base_url: str) -> None:
        """Deliver callbacks to this Rasa server's channel."""
        self.callback_url = f"{rasa_base_url.rstrip('/')}/webhooks/{self.channel}/webhook"

    def fail_next(self, count: int, errcode: int = -1) -> None:
        """The next ``count`` message sends fail with ``errcode`` (-1: "system busy, try again")."""
        with self._changed:
            self._failures.extend([errcode] * count)

    def invalidate_tokens(self) -> None:
        """Every access token issued so far stops working (as after a fetch elsewhere, or expiry)."""
        with self._changed:
            self._valid_tokens.clear()

    def _answer(self, path: str, errcode: int, **fields: Any) -> web.Response:
        self.api_calls.append((path, errcode))
        return web.json_response({"errcode": errcode, "errmsg": fields.pop("errmsg", "ok"), **fields})

    def _issue_token(self) -> web.Response:
        value = secrets.token_urlsafe(96)
        with self._changed:
            self._valid_tokens.add(value)
            self.token_fetches += 1
        return self._answer(self.token_path, 0, access_token=value, expires_in=7200)

    async def _token_endpoint(self, request: web.Request) -> web.Response:
        for name, expected, errcode in self._token_params():
            if request.query.get(name) != expected:
                return self._answer(self.token_path, errcode, errmsg=f"invalid {name}")
        return self._issue_token()

    async def _send_endpoint(self, request: web.Request) -> web.Response:
        if request.query.get("access_token") not in self._valid_tokens:
            return self._answer(self.send_path, self.stale_token_errcode, errmsg="invalid credential, access_token is invalid or not latest")
        try:
            body = json.loads(await request.read())
            user, content = body["touser"], body["text"]["content"]
        except (ValueError, KeyError, TypeError):
            return self._answer(self.send_path, 47001, errmsg="data format error")
        problem = self._check_message(body)
        if problem is None and (not isinstance(user, str) or user not in self._users):
            problem = (40003, "invalid openid")
        if problem is None and (not isinstance(content, str) or len(content.encode("utf-8")) > TEXT_LIMIT_BYTES):
            problem = (45002, "content size out of limit")
        if problem is not None:
            return self._answer(self.send_path, problem[0], errmsg=problem[1])
        with self._changed:
            if self._failures:
                return self._answer(self.send_path, self._failures.pop(0), errmsg="system error")
            self._sent.append(Sent(user, content, time.time(), body))
            self._changed.notify_all()
        return self._answer(self.send_path, 0, msgid=secrets.randbelow(10**12))

    def _check_message(self, body: dict[str, Any]) -> tuple[int, str] | None:
        return None if body.get("msgtype") == "text" else (40008, "invalid message type")

    # -- what reached the API ---------------------------------------------------------------------

    def messages_to(self, user: str) -> list[str]:
        with self._changed:
            return [s.content for s in self._sent if s.user == user]

    def sent_to(self, user: str) -> list[Sent]:
        with self._changed:
            return [s for s in self._sent if s.user == user]

    def wait_for_messages(self, user: str, count: int, timeout: float = 30.0) -> list[str]:
        """At least ``count`` messages to ``user`` (raises ``AssertionError`` after ``timeout``)."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while len([s for s in self._sent if s.user == user]) < count:
                left = deadline - time.monotonic()
                if left <= 0:
                    got = [s.content[:60] for s in self._sent if s.user == user]
                    raise AssertionError(f"{count} message(s) to {user} expected within {timeout} s; got {len(got)}: {got}")
                self._changed.wait(left)
        return self.messages_to(user)

    # -- the user's side --------------------------------------------------------------------------

    def text_message(self, user: str, text: str) -> str:
        return self.message(user, {"MsgType": "text", "Content": text, "MsgId": self._msg_id()})

    def image_message(self, user: str) -> str:
        return self.message(user, {"MsgType": "image", "PicUrl": "https://example.invalid/p.jpg", "MediaId": secrets.token_hex(8), "MsgId": self._msg_id()})

    def event_message(self, user: str, event: str = "subscribe") -> str:
        return self.message(user, {"MsgType": "event", "Event": event})

    def send_text(self, user: str, text: str, wait: float | None = None) -> Delivery:
        return self.deliver(user, self.text_message(user, text), wait)

    def send_image(self, user: str) -> Delivery:
        return self.deliver(user, self.image_message(user))

    def send_event(self, user: str, event: str = "subscribe") -> Delivery:
        return self.deliver(user, self.event_message(user, event))

    def url_check(self, forged: bool = False) -> tuple[int, str, str]:
        """GET the URL check: ``(status, body, the answer expected)``."""
        query, expected = self.url_check_query(forged)
        status, body, _ = self.post(query, None)
        return status, body, expected

    def resend(self, delivery: Delivery) -> Delivery:
        """The same message again (same ``MsgId``, newly signed), as the platform retries it."""
        return self.deliver(delivery.user, delivery.inner)

    def deliver(self, user: str, inner: str, wait: float | None = None) -> Delivery:
        fields = xmltodict.parse(inner)["xml"]
        delivery = Delivery(user, str(fields.get("MsgId") or f"{user}:{fields['CreateTime']}"), inner=inner)
        with self._changed:
            self._users.add(user)
        for _ in range(1 + self.retries):
            query, body = self.callback(inner)
            status, answer, seconds = self.post(query, body, self.wait if wait is None else wait)
            delivery.attempts.append(Attempt(status, seconds, answer))
            if status == 0:
                continue  # no answer in time: the platform hangs up and tries again
            if status != 200:
                delivery.error = f"HTTP {status}"
            elif answer.strip() not in self.ack_bodies:
                try:
                    delivery.reply = self.read_reply(answer, user)
                except ValueError as exc:
                    delivery.error = str(exc)
            return delivery
        delivery.error = f"no answer in {1 + self.retries} attempts"
        return delivery

    def post(self, query: dict[str, str], body: bytes | None, wait: float | None = None) -> tuple[int, str, float]:
        """POST one callback (GET without a body); ``(status, body, seconds)``, status 0 when nothing came within ``wait``."""
        if not self.callback_url:
            raise RuntimeError(f"{type(self).__name__}: call bind(rasa_base_url) first")
        url = f"{self.callback_url}?{urllib.parse.urlencode(query)}"
        request = urllib.request.Request(url, data=body, headers={"Content-Type": "text/xml"} if body else {})
        started = time.monotonic()
        wait = self.wait if wait is None else wait
        try:
            with urllib.request.urlopen(request, timeout=wait) as answer:
                return answer.status, answer.read().decode("utf-8"), time.monotonic() - started
        except urllib.error.HTTPError as exc:
            with exc:
                return exc.code, exc.read().decode("utf-8", "replace"), time.monotonic() - started
        except (TimeoutError, urllib.error.URLError) as exc:
            if isinstance(exc, urllib.error.URLError) and not isinstance(exc.reason, TimeoutError):
                raise
            return 0, "", time.monotonic() - started

    @staticmethod
    def _msg_id() -> str:
        return str(secrets.randbelow(9 * 10**18) + 10**18)

    @staticmethod
    def _nonce() -> str:
        return str(secrets.randbelow(10**9))


class FakeWeChat(_FakePlatform):
    """A WeChat Official Account: safe mode (encrypted callbacks) unless ``safe_mode=False``."""

    channel = "wechat"
    token_path = "/cgi-bin/token"
    send_path = "/cgi-bin/message/custom/send"
    stale_token_errcode = 40001
    ack_bodies = ("", "success")

    def __init__(self, *, safe_mode: bool = True, wait: float = 5.0, retries: int = 3) -> None:
        super().__init__(wait=wait, retries=retries)
        self.safe_mode = safe_mode
        self.app_id = "wx" + secrets.token_hex(8)
        self.app_secret = secrets.token_hex(16)
        self.account = "gh_" + secrets.token_hex(6)
        self.crypto = WeChatCrypto(self.token, self.aes_key, self.app_id)

    def env(self) -> dict[str, str]:
        env = {"WECHAT_TOKEN": self.token, "WECHAT_APP_ID": self.app_id, "WECHAT_APP_SECRET": self.app_secret, "WECHAT_API_URL": self.api_url}
        if self.safe_mode:
            env["WECHAT_AES_KEY"] = self.aes_key
        return env

    def new_user(self) -> str:
        alphabet = string.ascii_letters + string.digits + "_-"
        return "o" + "".join(secrets.choice(alphabet) for _ in range(27))

    def _token_params(self) -> list[tuple[str, str, int]]:
        return [("grant_type", "client_credential", 40002), ("appid", self.app_id, 40013), ("secret", self.app_secret, 40125)]

    def message(self, user: str, fields: dict[str, Any]) -> str:
        return _xml({"ToUserName": self.account, "FromUserName": user, "CreateTime": int(time.time()), **fields})

    def callback(self, inner: str, timestamp: int | None = None) -> tuple[dict[str, str], bytes]:
        ts, nonce = str(timestamp or int(time.time())), self._nonce()
        user = xmltodict.parse(inner)["xml"]["FromUserName"]
        query = {"signature": signature(self.token, ts, nonce), "timestamp": ts, "nonce": nonce, "openid": user}
        if not self.safe_mode:
            return query, inner.encode("utf-8")
        sealed = xmltodict.parse(self.crypto.encrypt_message(inner, nonce, ts))["xml"]
        query.update(encrypt_type="aes", msg_signature=sealed["MsgSignature"])
        return query, _xml({"ToUserName": self.account, "Encrypt": sealed["Encrypt"]}).encode("utf-8")

    def url_check_query(self, forged: bool = False) -> tuple[dict[str, str], str]:
        ts, nonce, echo = str(int(time.time())), self._nonce(), str(secrets.randbelow(10**18))
        sig = signature(self.token if not forged else "not-the-token", ts, nonce)
        return {"signature": sig, "timestamp": ts, "nonce": nonce, "echostr": echo}, echo

    def read_reply(self, body: str, user: str) -> str:
        try:
            if self.safe_mode:
                sealed = xmltodict.parse(body)["xml"]
                body = self.crypto.decrypt_message(body, sealed["MsgSignature"], sealed["TimeStamp"], sealed["Nonce"])
            reply = parse_message(body)
        except Exception as exc:
            raise ValueError(f"a passive reply the platform cannot read ({type(exc).__name__})") from exc
        return _checked(reply, user, self.account)


class FakeWeCom(_FakePlatform):
    """A WeCom application (callbacks always encrypted)."""

    channel = "wecom"
    token_path = "/cgi-bin/gettoken"
    send_path = "/cgi-bin/message/send"
    stale_token_errcode = 40014

    def __init__(self, *, wait: float = 5.0, retries: int = 3) -> None:
        super().__init__(wait=wait, retries=retries)
        self.corp_id = "ww" + secrets.token_hex(8)
        self.secret = secrets.token_urlsafe(32)
        self.agent_id = 1000000 + secrets.randbelow(999)
        self.crypto = WeComCrypto(self.token, self.aes_key, self.corp_id)

    def env(self) -> dict[str, str]:
        return {
            "WECOM_TOKEN": self.token,
            "WECOM_AES_KEY": self.aes_key,
            "WECOM_CORP_ID": self.corp_id,
            "WECOM_SECRET": self.secret,
            "WECOM_AGENT_ID": str(self.agent_id),
            "WECOM_API_URL": self.api_url,
        }

    def new_user(self) -> str:
        return "zhang.san-" + secrets.token_hex(4)

    def _token_params(self) -> list[tuple[str, str, int]]:
        return [("corpid", self.corp_id, 40013), ("corpsecret", self.secret, 40001)]

    def _check_message(self, body: dict[str, Any]) -> tuple[int, str] | None:
        if body.get("agentid") != self.agent_id:
            return 40056, "invalid agentid"
        return super()._check_message(body)

    def message(self, user: str, fields: dict[str, Any]) -> str:
        return _xml({"ToUserName": self.corp_id, "FromUserName": user, "CreateTime": int(time.time()), **fields, "AgentID": self.agent_id})

    def callback(self, inner: str, timestamp: int | None = None) -> tuple[dict[str, str], bytes]:
        ts, nonce = str(timestamp or int(time.time())), self._nonce()
        sealed = xmltodict.parse(self.crypto.encrypt_message(inner, nonce, ts))["xml"]
        query = {"msg_signature": sealed["MsgSignature"], "timestamp": ts, "nonce": nonce}
        return query, _xml({"ToUserName": self.corp_id, "AgentID": self.agent_id, "Encrypt": sealed["Encrypt"]}).encode("utf-8")

    def url_check_query(self, forged: bool = False) -> tuple[dict[str, str], str]:
        ts, nonce, plain = str(int(time.time())), self._nonce(), str(secrets.randbelow(10**18))
        echo = WeComPrpCrypto(self.crypto.key).encrypt(plain, self.corp_id).decode()
        sig = signature(self.token if not forged else "not-the-token", ts, nonce, echo)
        return {"msg_signature": sig, "timestamp": ts, "nonce": nonce, "echostr": echo}, plain

    def read_reply(self, body: str, user: str) -> str:
        try:
            sealed = xmltodict.parse(body)["xml"]
            reply = parse_wecom_message(self.crypto.decrypt_message(body, sealed["MsgSignature"], sealed["TimeStamp"], sealed["Nonce"]))
        except Exception as exc:
            raise ValueError(f"a passive reply the platform cannot read ({type(exc).__name__})") from exc
        return _checked(reply, user, self.corp_id)


def _checked(reply: Any, user: str, account: str) -> str:
    if reply.type != "text":
        raise ValueError(f"a passive reply of type {reply.type!r}; only text is expected")
    if reply.source != account or reply.target != user:
        # In a reply the account writes to the user: FromUserName is the account, ToUserName the user.
        raise ValueError(f"a passive reply from {reply.source!r} to {reply.target!r}, expected from {account!r} to {user!r}")
    content = str(reply.content or "")
    if len(content.encode("utf-8")) > TEXT_LIMIT_BYTES:
        raise ValueError(f"a passive reply of {len(content.encode('utf-8'))} bytes; the limit is {TEXT_LIMIT_BYTES}")
    return content
