"""Sending a text message to a caller's mobile: a small gateway interface and two backends.

``LoggingGateway`` (the default) sends nothing: it writes one log line with the number masked.
``HttpGateway`` posts ``{"to", "text"}`` as JSON to ``CATALOG_SMS_URL`` with
``Authorization: Bearer <CATALOG_SMS_TOKEN>``; any 2xx is a success, and the JSON body's ``id``
(when there is one) is the message id. Adapting another provider means one more class with the
same ``send``. No backend ever logs the number in clear or the text (it carries a link handle).
"""

from __future__ import annotations

import logging
import re
import uuid
from typing import Protocol

import aiohttp

from ..errors import InvalidRequest, ServiceUnavailable
from ..privacy import mask

__all__ = ["HttpGateway", "LoggingGateway", "SmsGateway", "make_gateway", "mask_phone", "normalise_phone"]

log = logging.getLogger(__name__)
MOBILE = re.compile(r"^1[3-9]\d{9}$")
TIMEOUT_S = 10.0


def normalise_phone(raw: object) -> str:
    """A mainland mobile number as 11 digits (spaces, hyphens and +86 allowed), or ``InvalidRequest``."""
    if not isinstance(raw, str):
        raise InvalidRequest("phone must be a mainland mobile number such as 138 1234 5678", field="phone")
    digits = re.sub(r"[\s\-()]", "", raw.strip())
    digits = digits.removeprefix("+86").removeprefix("0086")
    if not MOBILE.match(digits):
        raise InvalidRequest("phone must be a mainland mobile number of 11 digits starting with 1", field="phone")
    return digits


def mask_phone(phone: str) -> str:
    """``138****5678``: what logs, audit records and answers show of a number."""
    return mask(phone)


class SmsGateway(Protocol):
    """Sends one text message; returns the gateway's message id."""

    name: str

    async def send(self, phone: str, text: str) -> str: ...


class LoggingGateway:
    """The default: no message leaves the machine; one log line with the number masked."""

    name = "log"

    async def send(self, phone: str, text: str) -> str:
        message_id = uuid.uuid4().hex[:16]
        log.info("sms (logging gateway, not sent): to %s, %d characters, id %s", mask_phone(phone), len(text), message_id)
        return message_id


class HttpGateway:
    """An HTTP SMS gateway: ``POST url`` with ``{"to", "text"}`` and a bearer token."""

    name = "http"

    def __init__(self, url: str, token: str, session: aiohttp.ClientSession) -> None:
        self.url = url
        self.token = token
        self.session = session

    async def send(self, phone: str, text: str) -> str:
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        try:
            async with self.session.post(self.url, json={"to": phone, "text": text}, headers=headers, timeout=aiohttp.ClientTimeout(total=TIMEOUT_S)) as r:
                if not 200 <= r.status < 300:
                    log.warning("sms gateway refused a message to %s: HTTP %d", mask_phone(phone), r.status)
                    raise ServiceUnavailable(f"the SMS gateway refused the message (HTTP {r.status})")
                body = await r.json(content_type=None) if r.content_length != 0 else None
        except (aiohttp.ClientError, TimeoutError, ValueError) as exc:
            log.warning("sms gateway unreachable for a message to %s: %s", mask_phone(phone), type(exc).__name__)
            raise ServiceUnavailable("the SMS gateway cannot be reached; read the link to the caller or try again") from None
        message_id = body.get("id") if isinstance(body, dict) else None
        return str(message_id) if message_id else uuid.uuid4().hex[:16]


def make_gateway(url: str, token: str, session: aiohttp.ClientSession) -> SmsGateway:
    """``HttpGateway`` when ``url`` is set (``CATALOG_SMS_URL``), else ``LoggingGateway``."""
    return HttpGateway(url, token, session) if url else LoggingGateway()
