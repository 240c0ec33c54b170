"""WeChat Official Account (公众号) and WeCom (企业微信) callbacks, without I/O and without Rasa.

Why this module is long: it is the whole accept/refuse decision for two platforms' callbacks, kept in
one pure place so that it is tested from both Python environments.

Signatures, safe-mode encryption, message parsing and reply XML come from wechatpy; this module
decides what to accept. Both Rasa (Python 3.10) and the tests (3.11) import it.

- ``OfficialAccount(token, app_id, aes_key=None)``: plaintext mode checks ``signature`` =
  SHA-1 of the sorted (token, timestamp, nonce); with an EncodingAESKey (safe mode) every POST
  must also be encrypted (``encrypt_type=aes``) and carry ``msg_signature``, which covers the
  ciphertext, and replies are encrypted. The plaintext ``signature`` does not cover the body,
  so production accounts should run in safe mode.
- ``WeComApp(token, aes_key, corp_id, agent_id)``: always encrypted; ``msg_signature`` on the
  URL check and on every POST.
- Every check compares in constant time and refuses a ``timestamp`` more than ``MAX_SKEW_S``
  away from now, so an old callback cannot be replayed after its dedup key is forgotten.
- ``choose(text, options)`` reads an answer to numbered options by its menu number (``1``, ``２``,
  ``#2``, ``第2个``) or the option's exact title; ordinal words (``第二个``, ``the second one``) too,
  except on a list of services, where they go to the bot, which resolves them against the list it showed.
- ``check_api_result`` sorts the platform API's answers into ``outbound``'s ``Retryable`` /
  ``Final`` (and ``TokenRejected``: fetch a new access token once).

Errors::

    CallbackError (ValueError)       refuse the callback, nothing reaches Rasa; ``status``
    ├── BadSignature  403            missing or wrong signature, stale timestamp
    ├── BadMessage    400            undecryptable, unparsable or incomplete message
    └── BodyTooLarge  413
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import secrets
import time
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import xmltodict
from wechatpy import parse_message as parse_official_message
from wechatpy.crypto import WeChatCrypto
from wechatpy.enterprise import parse_message as parse_enterprise_message
from wechatpy.enterprise.crypto import WeChatCrypto as WeComCrypto
from wechatpy.enterprise.replies import TextReply as WeComTextReply
from wechatpy.replies import TextReply
from wechatpy.utils import WeChatSigner

from .outbound import Final, Retryable

__all__ = [
    "MAX_BODY_BYTES",
    "MAX_SKEW_S",
    "TEXT_LIMIT_BYTES",
    "USER_ID",
    "BadMessage",
    "BadSignature",
    "BodyTooLarge",
    "CallbackError",
    "Incoming",
    "OfficialAccount",
    "TokenRejected",
    "WeComApp",
    "check_api_result",
    "choose",
    "dedup_key",
    "mask_id",
    "sign",
    "text_body",
    "token_of",
]

MAX_SKEW_S = 300  # a callback's timestamp may be this far from our clock
MAX_BODY_BYTES = 64 * 1024  # a text message is at most 2,048 bytes; XML and base64 add little
TEXT_LIMIT_BYTES = 2048  # one text message, passive or through the API (UTF-8 bytes)
TOKEN_INVALID = frozenset({40001, 40014, 42001})  # invalid, not the latest, expired access token
SYSTEM_BUSY = -1
USER_ID = re.compile(r"[A-Za-z0-9_\-@.]{1,64}")  # openid: 28 of [A-Za-z0-9_-]; WeCom UserId: 1-64 of these
DIGITS = re.compile(r"[0-9]{1,20}")


class CallbackError(ValueError):
    """A callback we refuse; ``status`` is the HTTP answer."""

    status = 400


class BadSignature(CallbackError):
    status = 403


class BadMessage(CallbackError):
    status = 400


class BodyTooLarge(CallbackError):
    status = 413


class TokenRejected(Final):
    """The platform refused the access token (40001, 40014, 42001): fetch a new one, once."""


def mask_id(value: str) -> str:
    """A stable pseudonym for logs: never the openid or UserId itself."""
    return "u#" + hashlib.sha256(value.encode("utf-8")).hexdigest()[:10]


def sign(*parts: str) -> str:
    """The platform's signature: SHA-1 of the sorted parts (wechatpy's signer)."""
    signer = WeChatSigner()
    signer.add_data(*parts)
    return str(signer.signature)


def _verify(given: str | None, *parts: str) -> None:
    if not given:
        raise BadSignature("signature missing")
    if not hmac.compare_digest(given.encode("utf-8", "replace"), sign(*parts).encode("ascii")):
        raise BadSignature("signature does not match")


@dataclass(frozen=True)
class Incoming:
    """One verified callback. ``user`` is the platform's ``FromUserName`` (openid or UserId)."""

    kind: str  # "text" | "subscribe" | "event" (other events: no answer) | "other" (image, voice...)
    user: str
    account: str  # ToUserName: the official account's id or the corp id
    key: str  # the dedup key
    text: str = ""
    msg_type: str = ""
    agent_id: int = 0


def dedup_key(fields: Mapping[str, Any]) -> str:
    """``MsgId`` for messages; ``FromUserName`` + ``CreateTime`` for events (the platform's advice),
    plus the event's name: two events of one user in the same second (subscribe, then a menu
    click) are two deliveries, and a retry repeats all three."""
    msg_id = str(fields.get("MsgId") or fields.get("MsgID") or "")
    if DIGITS.fullmatch(msg_id) and int(msg_id) != 0:
        return f"msg:{msg_id}"
    user, created = str(fields.get("FromUserName") or ""), str(fields.get("CreateTime") or "")
    if not user or not DIGITS.fullmatch(created):
        raise BadMessage("a message without MsgId needs FromUserName and CreateTime")
    return f"event:{user}:{created}:{str(fields.get('Event') or fields.get('MsgType') or '')[:32].lower()}"


class _Callbacks:
    """What both platforms share: the clock check, the outer envelope, parsing, reply encryption."""

    crypto: Any
    parse: Callable[[str], Any]

    def __init__(self, token: str, clock: Callable[[], float]) -> None:
        if not token:
            raise ValueError("the callback token is empty")
        self.token = token
        self.clock = clock

    def _fresh(self, query: Mapping[str, str]) -> tuple[str, str]:
        timestamp, nonce = query.get("timestamp") or "", query.get("nonce") or ""
        if not DIGITS.fullmatch(timestamp) or not nonce or len(nonce) > 64:
            raise BadSignature("timestamp or nonce missing")
        if abs(self.clock() - int(timestamp)) > MAX_SKEW_S:
            raise BadSignature(f"timestamp more than {MAX_SKEW_S} s from this server's clock (replay, or a wrong clock)")
        return timestamp, nonce

    def _decrypt(self, query: Mapping[str, str], body: bytes, timestamp: str, nonce: str) -> str:
        envelope = _xml(body)
        encrypted = envelope.get("Encrypt")
        if not isinstance(encrypted, str) or not encrypted:
            raise BadMessage("encrypted callback without Encrypt")
        _verify(query.get("msg_signature"), self.token, timestamp, nonce, encrypted)
        try:
            return str(self.crypto.decrypt_message({"Encrypt": encrypted}, query["msg_signature"], timestamp, nonce))
        except Exception as exc:  # wechatpy raises ValueError, struct.error, UnicodeDecodeError, Invalid*IdException...
            raise BadMessage(f"cannot decrypt the message ({type(exc).__name__})") from None

    def _incoming(self, xml: str) -> Incoming:
        try:
            message = self.parse(xml)
            fields = dict(message._data)
        except Exception as exc:
            raise BadMessage(f"unparsable message ({type(exc).__name__})") from None
        user, account = fields.get("FromUserName"), fields.get("ToUserName")
        if not isinstance(user, str) or not USER_ID.fullmatch(user) or not isinstance(account, str):
            raise BadMessage("FromUserName or ToUserName missing or malformed")
        msg_type = str(fields.get("MsgType") or "").lower()
        kind, text = "other", ""
        if msg_type == "text":
            kind, text = "text", str(fields.get("Content") or "")
        elif msg_type == "voice" and isinstance(fields.get("Recognition"), str) and fields["Recognition"].strip():
            kind, text = "text", fields["Recognition"]  # speech recognition, when the account has it on
        elif msg_type == "event":
            kind = "subscribe" if getattr(message, "event", "") in ("subscribe", "subscribe_scan") else "event"
        agent = str(fields.get("AgentID") or "0")
        return Incoming(kind, user, account, dedup_key(fields), text, msg_type, int(agent) if DIGITS.fullmatch(agent) else 0)

    def _seal(self, xml: str) -> str:
        timestamp = str(int(self.clock()))
        return str(self.crypto.encrypt_message(xml, _nonce(), timestamp))


class OfficialAccount(_Callbacks):
    """Callbacks of a WeChat Official Account, in plaintext mode or (with ``aes_key``) safe mode."""

    def __init__(self, token: str, app_id: str, aes_key: str | None = None, clock: Callable[[], float] = time.time) -> None:
        super().__init__(token, clock)
        self.app_id = app_id
        self.crypto = _crypto(WeChatCrypto, token, aes_key, app_id, "WECHAT_AES_KEY") if aes_key else None
        self.parse = parse_official_message

    @property
    def safe_mode(self) -> bool:
        return self.crypto is not None

    def handshake(self, query: Mapping[str, str]) -> str:
        """The ``echostr`` to answer the URL check with; raises ``BadSignature``."""
        timestamp, nonce = self._fresh(query)
        _verify(query.get("signature"), self.token, timestamp, nonce)
        echo = query.get("echostr") or ""
        if not echo or len(echo) > 128:
            raise BadMessage("echostr missing")
        return echo

    def decode(self, query: Mapping[str, str], body: bytes) -> Incoming:
        """Verify and parse one POSTed callback."""
        _bounded(body)
        timestamp, nonce = self._fresh(query)
        _verify(query.get("signature"), self.token, timestamp, nonce)
        if self.crypto is None:
            return self._incoming(_text(body))
        if query.get("encrypt_type") != "aes":
            raise BadMessage("this account is in safe mode: plaintext callbacks are refused")
        return self._incoming(self._decrypt(query, body, timestamp, nonce))

    def reply(self, incoming: Incoming, content: str) -> str:
        """The passive reply XML (encrypted in safe mode) carrying one text message."""
        xml = str(TextReply(source=incoming.account, target=incoming.user, content=_cdata_safe(content)).render())
        return self._seal(xml) if self.crypto is not None else xml


class WeComApp(_Callbacks):
    """Callbacks of one WeCom application (always encrypted)."""

    def __init__(self, token: str, aes_key: str, corp_id: str, agent_id: int, clock: Callable[[], float] = time.time) -> None:
        super().__init__(token, clock)
        self.corp_id = corp_id
        self.agent_id = agent_id
        self.crypto = _crypto(WeComCrypto, token, aes_key, corp_id, "WECOM_AES_KEY")
        self.parse = parse_enterprise_message

    def handshake(self, query: Mapping[str, str]) -> str:
        """The decrypted ``echostr`` to answer the URL check with."""
        timestamp, nonce = self._fresh(query)
        echo = query.get("echostr") or ""
        if not echo or len(echo) > 1024:
            raise BadMessage("echostr missing")
        _verify(query.get("msg_signature"), self.token, timestamp, nonce, echo)
        try:
            return str(self.crypto.check_signature(query["msg_signature"], timestamp, nonce, echo))
        except Exception as exc:
            raise BadMessage(f"cannot decrypt echostr ({type(exc).__name__})") from None

    def decode(self, query: Mapping[str, str], body: bytes) -> Incoming:
        _bounded(body)
        timestamp, nonce = self._fresh(query)
        incoming = self._incoming(self._decrypt(query, body, timestamp, nonce))
        if incoming.agent_id and incoming.agent_id != self.agent_id:
            raise BadMessage(f"a callback for agent {incoming.agent_id}, not this application's {self.agent_id}")
        return incoming

    def reply(self, incoming: Incoming, content: str) -> str:
        reply = WeComTextReply(source=incoming.account, target=incoming.user, content=_cdata_safe(content), agent=self.agent_id)
        return self._seal(str(reply.render()))


def _crypto(cls: Any, token: str, aes_key: str, app_id: str, variable: str) -> Any:
    if not re.fullmatch(r"[A-Za-z0-9+/]{43}", aes_key or ""):
        raise ValueError(f"{variable} must be the 43-character EncodingAESKey from the platform's console")
    return cls(token, aes_key, app_id)


def _bounded(body: bytes) -> None:
    if len(body) > MAX_BODY_BYTES:
        raise BodyTooLarge(f"callback body over {MAX_BODY_BYTES} bytes")


def _text(body: bytes) -> str:
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        raise BadMessage("callback body is not UTF-8") from None


def _xml(body: bytes) -> Mapping[str, Any]:
    try:
        root = xmltodict.parse(_text(body))["xml"]  # entities disabled (xmltodict's default)
    except Exception as exc:
        raise BadMessage(f"callback body is not the platform's XML ({type(exc).__name__})") from None
    if not isinstance(root, dict):
        raise BadMessage("callback body is not the platform's XML")
    return root


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def _cdata_safe(text: str) -> str:
    """wechatpy writes ``<![CDATA[text]]>``: split a ``]]>`` in the text and drop what XML forbids."""
    return _CONTROL.sub("", text).replace("]]>", "]]]]><![CDATA[>")


def _nonce() -> str:
    return str(secrets.randbelow(10**10)).zfill(10)


# -- numbered options ------------------------------------------------------------------------------

_CN_DIGITS = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_EN_ORDINALS = {w: i for i, w in enumerate(["first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth"], 1)}
_NUMBER = re.compile(r"(?:#|no\.?\s*|option\s*|选项\s*|第\s*)?([0-9]{1,3})\s*(?:个|项|条|号)?\s*[.。、)）]?")
_CN_ORDINAL = re.compile(r"第\s*([一二两三四五六七八九十]{1,3})\s*(?:个|项|条|号)?")
_EN_ORDINAL = re.compile(r"(?:the\s+)?(" + "|".join(_EN_ORDINALS) + r")(?:\s+one|\s+option)?")
# The buttons of a list of services the bot showed: it keeps that list (its ``shown`` slot) and
# resolves ordinal words against it itself, the same way on every channel.
_SERVICE_PICK = "/select_service"


def _fold(text: str) -> str:
    """Full-width to ASCII, case and surrounding space and punctuation ignored."""
    return unicodedata.normalize("NFKC", text).casefold().strip().strip("!?！？~")


def _chinese_number(text: str) -> int | None:
    """一 … 九十九."""
    if text in _CN_DIGITS:
        return _CN_DIGITS[text]
    tens, ten, units = text.partition("十")
    if not ten or (tens and tens not in _CN_DIGITS) or (units and units not in _CN_DIGITS):
        return None
    return (_CN_DIGITS[tens] if tens else 1) * 10 + (_CN_DIGITS[units] if units else 0)


def choose(text: str, options: Sequence[tuple[str, str]]) -> str | None:
    """The payload of the option that ``text`` picks, else None.

    The menu's own number (``1``, ``２``, ``#2``, ``第2个``) or an option's exact title always picks.
    Ordinal words (``第二个``, ``the second one``) pick from the channel's other menus (yes/no,
    consent, the next steps after a verdict), but not from a list of services: those words go to
    the bot as written, which resolves them against the list it showed, like on every channel.
    A number outside the options (``66`` when two were offered) is not a pick: it stays an answer.
    """
    if not options or not text or len(text) > 200:
        return None
    folded = _fold(text)
    for title, payload in options:
        if title and _fold(title) == folded:
            return payload
    number: int | None = None
    if match := _NUMBER.fullmatch(folded):
        number = int(match.group(1))
    elif any(payload.startswith(_SERVICE_PICK) for _, payload in options):
        return None
    elif match := _CN_ORDINAL.fullmatch(folded):
        number = _chinese_number(match.group(1))
    elif match := _EN_ORDINAL.fullmatch(folded):
        number = _EN_ORDINALS[match.group(1)]
    if number is not None and 1 <= number <= len(options):
        return options[number - 1][1]
    return None


# -- the platform API's answers ---------------------------------------------------------------------

_LONG_ID = re.compile(r"[A-Za-z0-9_\-]{20,}")


def _masked(errmsg: Any) -> str:
    """An ``errmsg`` fit for logs: long ids and tokens cut out."""
    return _LONG_ID.sub("…", str(errmsg or ""))[:160]


def check_api_result(status: int, body: bytes) -> dict:
    """The JSON of a successful call; otherwise raises ``Retryable`` (errcode -1, HTTP 429 or 5xx),
    ``TokenRejected`` (a stale access token) or ``Final``."""
    if status == 429 or status >= 500:
        raise Retryable(f"HTTP {status}")
    if status != 200:
        raise Final(f"HTTP {status}")
    try:
        result = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise Final("an answer that is not JSON") from None
    if not isinstance(result, dict):
        raise Final("an answer that is not a JSON object")
    code = result.get("errcode", 0)
    if code == 0:
        return result
    if code == SYSTEM_BUSY:
        raise Retryable("errcode -1 (system busy)")
    if code in TOKEN_INVALID:
        raise TokenRejected(f"errcode {code}: {_masked(result.get('errmsg'))}")
    raise Final(f"errcode {code}: {_masked(result.get('errmsg'))}")


def token_of(result: Mapping[str, Any]) -> tuple[str, float]:
    """``(access_token, expires_in)`` from a token endpoint's successful answer."""
    token, expires = result.get("access_token"), result.get("expires_in")
    if not isinstance(token, str) or not token or not isinstance(expires, int) or expires <= 0:
        raise Final("the token endpoint answered without access_token and expires_in")
    return token, float(expires)


def text_body(user: str, content: str, **extra: Any) -> dict:
    """The JSON of one text message through the API (custom/send, WeCom message/send)."""
    return {"touser": user, "msgtype": "text", **extra, "text": {"content": content}}
