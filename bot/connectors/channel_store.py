"""What the messaging channels share between Rasa replicas: seen deliveries, offered options, platform tokens.

One store, chosen by ``CHANNEL_STORE_URL``:

- ``sqlite:///path/channels.db`` (``make run`` puts it in the data folder): one file shared by the
  processes of one host; ``INSERT`` on a primary key decides which delivery is the first;
- ``postgresql://user:pass@host/db`` (psycopg2, which Rasa ships): replicas on several hosts;
- ``redis://host:6379/2``: ``SET NX EX`` for deliveries, keys with expiry for the rest.

Never a dict in memory: a retry that reaches another replica must still be recognised.

``first_delivery(channel, key)``
    True once per key (a WeChat ``MsgId``, ``FromUserName``+``CreateTime`` for events, a Telegram
    ``update_id``); every later call False. Keys are kept ``DELIVERY_TTL_S`` (a day).
``remember_options(conversation, options)`` / ``options(conversation)``
    The buttons last offered in a conversation as ``[(title, payload)]``, so that a WeChat user can
    answer with the number or the title.
``token(name)`` / ``put_token(name, value, expires_at)``
    A platform access token and its expiry, shared by every replica.

Methods are synchronous and quick; the channels call them with ``asyncio.to_thread``.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from pathlib import Path
from typing import Any

__all__ = ["DELIVERY_TTL_S", "ChannelStore", "open_store"]

DELIVERY_TTL_S = 86400
OPTIONS_TTL_S = 7 * 86400

_SCHEMA = [
    "CREATE TABLE IF NOT EXISTS channel_deliveries (key TEXT PRIMARY KEY, seen_at DOUBLE PRECISION NOT NULL)",
    "CREATE TABLE IF NOT EXISTS channel_options (conversation TEXT PRIMARY KEY, options TEXT NOT NULL, saved_at DOUBLE PRECISION NOT NULL)",
    "CREATE TABLE IF NOT EXISTS channel_tokens (name TEXT PRIMARY KEY, value TEXT NOT NULL, expires_at DOUBLE PRECISION NOT NULL)",
]


class ChannelStore:
    """The interface; ``open_store`` gives the SQL or Redis implementation."""

    def first_delivery(self, channel: str, key: str) -> bool:
        raise NotImplementedError

    def remember_options(self, conversation: str, options: list[tuple[str, str]]) -> None:
        raise NotImplementedError

    def options(self, conversation: str) -> list[tuple[str, str]]:
        raise NotImplementedError

    def token(self, name: str) -> tuple[str, float] | None:
        raise NotImplementedError

    def put_token(self, name: str, value: str, expires_at: float) -> None:
        raise NotImplementedError


class SqlChannelStore(ChannelStore):
    """SQLite (one host) or PostgreSQL (several), through the DB-API."""

    def __init__(self, url: str) -> None:
        self.url = url
        self._lock = threading.Lock()
        if url.startswith("sqlite:///"):
            path = Path(url[len("sqlite:///") :])
            path.parent.mkdir(parents=True, exist_ok=True)
            self._conn: Any = sqlite3.connect(path, isolation_level=None, timeout=10.0, check_same_thread=False)
            self._conn.execute("PRAGMA journal_mode=WAL")
            self._conn.execute("PRAGMA busy_timeout=10000")
            self._mark = "?"
            self._duplicate: tuple[type, ...] = (sqlite3.IntegrityError,)
        elif url.startswith(("postgresql://", "postgres://")):
            import psycopg2  # shipped with Rasa

            self._conn = psycopg2.connect(url)
            self._conn.autocommit = True
            self._mark = "%s"
            self._duplicate = (psycopg2.IntegrityError,)
        else:
            raise ValueError(f"CHANNEL_STORE_URL must be sqlite:///path, postgresql://... or redis://...; got {url.split(':', 1)[0]!r}")
        with self._lock:
            for statement in _SCHEMA:
                self._run(statement)

    def _run(self, statement: str, params: tuple[Any, ...] = ()) -> Any:
        cursor = self._conn.cursor()
        cursor.execute(statement.replace("?", self._mark), params)
        return cursor

    def first_delivery(self, channel: str, key: str) -> bool:
        now = time.time()
        with self._lock:
            try:
                self._run("INSERT INTO channel_deliveries (key, seen_at) VALUES (?, ?)", (f"{channel}:{key}", now))
            except self._duplicate:
                return False
            if int(now) % 100 == 0:  # now and then, forget deliveries older than a day
                self._run("DELETE FROM channel_deliveries WHERE seen_at < ?", (now - DELIVERY_TTL_S,))
        return True

    def remember_options(self, conversation: str, options: list[tuple[str, str]]) -> None:
        text = json.dumps(options, ensure_ascii=False)
        with self._lock:
            self._run("DELETE FROM channel_options WHERE conversation = ?", (conversation,))
            now = time.time()
            self._run("INSERT INTO channel_options (conversation, options, saved_at) VALUES (?, ?, ?)", (conversation, text, now))
            if int(now) % 100 == 0:  # now and then, forget options older than a week (the conversation id holds the openid)
                self._run("DELETE FROM channel_options WHERE saved_at < ?", (now - OPTIONS_TTL_S,))

    def options(self, conversation: str) -> list[tuple[str, str]]:
        with self._lock:
            row = self._run("SELECT options, saved_at FROM channel_options WHERE conversation = ?", (conversation,)).fetchone()
        if row is None or row[1] < time.time() - OPTIONS_TTL_S:
            return []
        return [(str(t), str(p)) for t, p in json.loads(row[0])]

    def token(self, name: str) -> tuple[str, float] | None:
        with self._lock:
            row = self._run("SELECT value, expires_at FROM channel_tokens WHERE name = ?", (name,)).fetchone()
        return None if row is None else (str(row[0]), float(row[1]))

    def put_token(self, name: str, value: str, expires_at: float) -> None:
        with self._lock:
            self._run("DELETE FROM channel_tokens WHERE name = ?", (name,))
            self._run("INSERT INTO channel_tokens (name, value, expires_at) VALUES (?, ?, ?)", (name, value, expires_at))


class RedisChannelStore(ChannelStore):
    """Redis: what scaled deployments already run for Rasa's lock store."""

    def __init__(self, url: str) -> None:
        import redis  # shipped with Rasa

        self._redis = redis.Redis.from_url(url)

    def first_delivery(self, channel: str, key: str) -> bool:
        return bool(self._redis.set(f"channel:delivery:{channel}:{key}", "1", nx=True, ex=DELIVERY_TTL_S))

    def remember_options(self, conversation: str, options: list[tuple[str, str]]) -> None:
        self._redis.set(f"channel:options:{conversation}", json.dumps(options, ensure_ascii=False), ex=OPTIONS_TTL_S)

    def options(self, conversation: str) -> list[tuple[str, str]]:
        raw = self._redis.get(f"channel:options:{conversation}")
        return [(str(t), str(p)) for t, p in json.loads(raw)] if raw else []

    def token(self, name: str) -> tuple[str, float] | None:
        raw = self._redis.get(f"channel:token:{name}")
        if not raw:
            return None
        value = json.loads(raw)
        return str(value["value"]), float(value["expires_at"])

    def put_token(self, name: str, value: str, expires_at: float) -> None:
        ttl = max(1, int(expires_at - time.time()))
        self._redis.set(f"channel:token:{name}", json.dumps({"value": value, "expires_at": expires_at}), ex=ttl)


_stores: dict = {}
_stores_lock = threading.Lock()


def open_store(url: str) -> ChannelStore:
    """The store for ``url`` (one per process and URL)."""
    with _stores_lock:
        if url not in _stores:
            _stores[url] = RedisChannelStore(url) if url.startswith(("redis://", "rediss://")) else SqlChannelStore(url)
        return _stores[url]
