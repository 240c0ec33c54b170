"""The WeCom (企业微信) application channel: the WeChat channel's rules for a company's own app.

Enabled when ``WECOM_TOKEN`` is set; Rasa mounts it at ``/webhooks/wecom/webhook``. From the
environment: ``WECOM_TOKEN``, ``WECOM_AES_KEY``, ``WECOM_CORP_ID``, ``WECOM_SECRET`` (the
application's secret), ``WECOM_AGENT_ID``, ``WECOM_API_URL`` (default
``https://qyapi.weixin.qq.com``) and ``CHANNEL_STORE_URL``.

WeCom callbacks are always encrypted: the URL check (``GET`` with ``msg_signature``, ``timestamp``,
``nonce``, ``echostr``) is answered with the decrypted ``echostr``, and every ``POST`` carries
``msg_signature`` over the ciphertext (``wechat_protocol.WeComApp``). The conversation is
``wecom:<UserId>``. Dedup, the 5-second rule, passive replies and the API follow ``wechat.py``
(``PlatformInput``); the access token comes from ``/cgi-bin/gettoken`` and messages go through
``/cgi-bin/message/send`` with the application's ``agentid``. Nothing to say is an empty body
(WeCom's "no reply, no retry").
"""

from __future__ import annotations

import logging
import os
from typing import Any

from .channel_store import ChannelStore, open_store
from .wechat import PlatformApi, PlatformInput, require_env
from .wechat_protocol import WeComApp, text_body

__all__ = ["WeComApi", "WeComInput"]

log = logging.getLogger(__name__)


class WeComApi(PlatformApi):
    """``/cgi-bin/gettoken`` and ``/cgi-bin/message/send`` for one application."""

    def __init__(self, base_url: str, corp_id: str, secret: str, agent_id: int, store: ChannelStore) -> None:
        super().__init__("wecom", base_url, store, f"wecom:{corp_id}:{agent_id}")
        self.corp_id, self.secret, self.agent_id = corp_id, secret, agent_id

    def token_request(self) -> tuple[str, dict[str, str]]:
        return "/cgi-bin/gettoken", {"corpid": self.corp_id, "corpsecret": self.secret}

    def send_request(self, user: str, content: str) -> tuple[str, dict[str, Any]]:
        return "/cgi-bin/message/send", text_body(user, content, agentid=self.agent_id)


class WeComInput(PlatformInput):
    """The WeCom application channel (``/webhooks/wecom/webhook``)."""

    ack = ""

    @classmethod
    def name(cls) -> str:
        return "wecom"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> WeComInput:
        env = require_env("WECOM_TOKEN", "WECOM_AES_KEY", "WECOM_CORP_ID", "WECOM_SECRET", "WECOM_AGENT_ID", "CHANNEL_STORE_URL")
        if not env["WECOM_AGENT_ID"].isdigit():
            raise ValueError(f"WECOM_AGENT_ID must be the application's number (AgentId), got {env['WECOM_AGENT_ID'][:12]!r}")
        agent_id = int(env["WECOM_AGENT_ID"])
        store = open_store(env["CHANNEL_STORE_URL"])
        callbacks = WeComApp(env["WECOM_TOKEN"], env["WECOM_AES_KEY"], env["WECOM_CORP_ID"], agent_id)
        api = WeComApi(os.environ.get("WECOM_API_URL") or "https://qyapi.weixin.qq.com", env["WECOM_CORP_ID"], env["WECOM_SECRET"], agent_id, store)
        log.info("wecom channel: agent %d, API %s", agent_id, api.base_url)
        return cls(callbacks, api, store)
