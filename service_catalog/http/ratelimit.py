"""Rate limits: per client address for public callers, per conversation for the action server.

Counting is done by the ``limits`` library (moving windows) in memory, or in Redis when
replicas share it (``CATALOG_RATE_LIMIT_STORAGE=redis://[:password@]host:6379[/db]``, through
redis-py's asyncio client, ``limits``' ``implementation="redispy"``): then a limit holds for all
replicas together, not for each.

When that Redis cannot be reached, the limiter *fails open to per-replica counting*: it logs one
warning, counts in this process's memory (each replica enforces the limits alone, so a client can
get at most replicas × the limit), and tries Redis again every ``RETRY_SHARED_S`` seconds, logging
when it is back. Why not fail closed (503): Redis is a shared dependency of the whole stack, and an
outage of the counters must not refuse every citizen's search; why not fully open: a flood during
the outage still meets each replica's own limit (docs/security.md, docs/operations.md).
A refused request gets ``429`` with ``Retry-After`` and a JSON body saying which limit and when
to come back. The limits are the ``RULES`` table; a request is counted against the first rule
whose method and path prefix match it. Calls with the service credential (the action server)
are not limited per address, since they carry every citizen's traffic: they are limited per
conversation (``X-Conversation-Id``) instead. ``/health`` and static files are never limited.

Failed admin credentials are counted separately (``note_auth_failure``): after
``AUTH_FAILURES`` from one address, its admin calls are refused until the window passes, even
with a right token, so guessing costs the guesser the window each time.
"""

from __future__ import annotations

import contextlib
import logging
import math
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from aiohttp import web
from limits import RateLimitItem, WindowStats, parse
from limits.aio.storage import MemoryStorage, RedisStorage, Storage
from limits.aio.strategies import MovingWindowRateLimiter
from limits.errors import StorageError
from limits.storage import storage_from_string
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff

from ..errors import RateLimited

__all__ = [
    "AUTH_FAILURES",
    "LOGIN_FAILURES_PER_ADDRESS",
    "LOGIN_FAILURES_PER_NAME",
    "RETRY_SHARED_S",
    "RULES",
    "RateLimiter",
    "Rule",
    "client_ip",
    "mask_address",
    "middleware",
]

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
log = logging.getLogger(__name__)
# While the shared storage is unreachable, it is tried again this often (in between: memory, no waiting on it).
RETRY_SHARED_S = 5.0
# A rate-limit check must not hold a request up: Redis answers in well under a millisecond, or is down.
REDIS_TIMEOUT_S = 0.5


@dataclass(frozen=True)
class Rule:
    """``limit`` (e.g. ``20/10 seconds``) for requests of ``method`` whose path starts with ``prefix``."""

    name: str
    method: str
    prefix: str
    per_address: str | None
    per_conversation: str | None = None


RULES = (
    Rule("search", "GET", "/api/search", "20/10 seconds;600/hour", "30/minute"),
    Rule("search-turn", "POST", "/api/search/turn", "20/10 seconds;600/hour", "30/minute"),  # a search turn: at most two searches
    Rule("search-prepare", "POST", "/api/search/prepare", "20/10 seconds;600/hour", "30/minute"),  # the turn's words, embedded ahead
    Rule("answers", "POST", "/api/questions/", "60/minute", "60/minute"),
    Rule("eligibility", "POST", "/api/services/", "60/minute", "60/minute"),
    Rule("tickets", "POST", "/api/tickets", "10/hour", "3/10 minutes"),
    Rule("links", "POST", "/api/handoff/application", "20/hour", "10/10 minutes"),
    Rule("redeem", "POST", "/api/handoff/redeem", "300/minute"),
    Rule("portal", "", "/portal/", "30/minute"),
    Rule("api", "", "/api/", "240/minute", "240/minute"),
    Rule("admin", "", "/admin/", "60/minute"),
    Rule("agent", "", "/agent/", "300/minute"),
)
AUTH_FAILURES = parse("10/10 minutes")
# Failed agent logins: per address (a guesser trying many names) and per name (many addresses, one name).
LOGIN_FAILURES_PER_ADDRESS = parse("20/15 minutes")
LOGIN_FAILURES_PER_NAME = parse("5/15 minutes")


def client_ip(request: web.Request, trusted_proxies: frozenset[str]) -> str:
    """The client's address: the peer, or, behind a trusted proxy, the nearest untrusted
    address in ``X-Forwarded-For`` (entries a client wrote itself further left are ignored)."""
    peer = request.remote or "unknown"
    if peer not in trusted_proxies:
        return peer
    hops = [h.strip() for h in request.headers.get("X-Forwarded-For", "").split(",") if h.strip()]
    for hop in reversed(hops):
        if hop not in trusted_proxies:
            return hop[:64]
    return peer


def mask_address(address: str) -> str:
    """A client address cut to its network for logs: ``203.0.113.x``, or the first three groups of IPv6."""
    if address.count(".") == 3:
        return address.rsplit(".", 1)[0] + ".x"
    if ":" in address:
        return ":".join(address.split(":")[:3]) + ":x"
    return address


class RateLimiter:
    """The rules' counters in one storage (``memory://`` or ``redis://...``), with memory as the fallback
    while a shared storage is unreachable (see the module docstring)."""

    def __init__(self, storage_uri: str = "memory://", rules: tuple[Rule, ...] = RULES) -> None:
        self.storage = _storage(storage_uri)
        self.limiter = MovingWindowRateLimiter(self.storage)
        self.shared = not isinstance(self.storage, MemoryStorage)
        self.fallback = MovingWindowRateLimiter(MemoryStorage()) if self.shared else self.limiter
        self._shared_down_until = 0.0  # time.monotonic() before which the shared storage is not tried
        self.rules = rules
        self._items = {r.name: _items(r) for r in rules}

    @property
    def degraded(self) -> bool:
        """True while a shared storage is unreachable and this replica counts alone."""
        return self._shared_down_until > 0.0

    async def _hit(self, item: RateLimitItem, *keys: str) -> bool:
        return bool(await self._call("hit", item, *keys))

    async def _stats(self, item: RateLimitItem, *keys: str) -> WindowStats:
        stats = await self._call("get_window_stats", item, *keys)
        assert isinstance(stats, WindowStats)
        return stats

    async def _call(self, method: str, item: RateLimitItem, *keys: str) -> Any:
        """``method`` of the shared limiter, or of the memory one while the shared storage is down."""
        if self.shared and time.monotonic() >= self._shared_down_until:
            try:
                result = await getattr(self.limiter, method)(item, *keys)
            except StorageError as exc:
                if not self.degraded:
                    log.warning(
                        "rate-limit storage unreachable (%s: %s): counting per replica in memory, retrying every %.0f s",
                        type(exc.storage_error).__name__,
                        exc.storage_error,
                        RETRY_SHARED_S,
                    )
                self._shared_down_until = time.monotonic() + RETRY_SHARED_S
            else:
                if self.degraded:
                    log.warning("rate-limit storage reachable again: limits are shared by the replicas again")
                    self._shared_down_until = 0.0
                return result
        return await getattr(self.fallback, method)(item, *keys)

    def rule_for(self, request: web.Request) -> Rule | None:
        for rule in self.rules:
            if (not rule.method or rule.method == request.method) and request.path.startswith(rule.prefix):
                return rule
        return None

    async def check(self, rule: Rule, key_kind: str, key: str) -> None:
        """Count one request of ``rule`` for ``key``; raise ``RateLimited`` when over a limit."""
        per_address, per_conversation = self._items[rule.name]
        for item in per_address if key_kind == "address" else per_conversation:
            if not await self._hit(item, rule.name, key_kind, key):
                raise await self._refusal(item, f"too many {rule.name} requests from this {key_kind}", rule.name, key_kind, key)

    async def note_auth_failure(self, address: str) -> None:
        await self._hit(AUTH_FAILURES, "auth-failures", address)

    async def check_auth_allowed(self, address: str) -> None:
        """Refuse admin calls from an address that has failed too often lately."""
        stats = await self._stats(AUTH_FAILURES, "auth-failures", address)
        if stats.remaining <= 0:
            raise await self._refusal(AUTH_FAILURES, "too many failed admin credentials from this address", "auth-failures", address)

    async def note_login_failure(self, address: str, name: str) -> None:
        """Count a failed agent login against the address and the name tried."""
        await self._hit(LOGIN_FAILURES_PER_ADDRESS, "login-failures", "address", address)
        await self._hit(LOGIN_FAILURES_PER_NAME, "login-failures", "name", name.lower())

    async def check_login_allowed(self, address: str, name: str) -> None:
        """Refuse a login attempt, right password or not, after too many failures from the address or for the name."""
        for item, kind, key in ((LOGIN_FAILURES_PER_ADDRESS, "address", address), (LOGIN_FAILURES_PER_NAME, "name", name.lower())):
            stats = await self._stats(item, "login-failures", kind, key)
            if stats.remaining <= 0:
                raise await self._refusal(
                    item, f"too many failed logins {'from this address' if kind == 'address' else 'for this name'}", "login-failures", kind, key
                )

    async def _refusal(self, item: RateLimitItem, what: str, *keys: str) -> RateLimited:
        stats = await self._stats(item, *keys)
        retry = max(1, math.ceil(stats.reset_time - time.time()))
        return RateLimited(f"{what} ({item}); try again in {retry} s", retry_after=retry, limit=str(item))

    async def reset(self) -> None:
        await self.storage.reset()
        if self.fallback is not self.limiter:
            await self.fallback.storage.reset()

    async def close(self) -> None:
        """Close the shared storage's connections (the application's cleanup); ``limits`` has no close of its own."""
        client = getattr(getattr(self.storage, "bridge", None), "storage", None)  # redis-py's client (use_basic)
        if client is not None:
            with contextlib.suppress(Exception):  # closing at shutdown must not fail it, Redis up or not
                await client.aclose()


def _storage(uri: str) -> Storage:
    """The asyncio storage of ``uri``: Redis through redis-py (no ``coredis`` needed), with short timeouts,
    no retries of its own (the fallback above decides) and errors wrapped as ``StorageError``."""
    uri = uri.removeprefix("async+")
    if uri.split("://", 1)[0] in ("redis", "rediss", "redis+unix"):
        # limits types extra options as scalars; redis-py takes a Retry object for its own retry policy.
        options: dict[str, Any] = {"socket_timeout": REDIS_TIMEOUT_S, "socket_connect_timeout": REDIS_TIMEOUT_S, "retry": Retry(NoBackoff(), 0)}
        return RedisStorage("async+" + uri, wrap_exceptions=True, implementation="redispy", **options)
    storage = storage_from_string("async+" + uri)
    assert isinstance(storage, Storage)  # the async+ scheme gives the asyncio storage
    return storage


def _items(rule: Rule) -> tuple[list[RateLimitItem], list[RateLimitItem]]:
    def many(spec: str | None) -> list[RateLimitItem]:
        return [parse(s.strip()) for s in (spec or "").split(";") if s.strip()]

    return many(rule.per_address), many(rule.per_conversation)


def middleware(
    limiter: RateLimiter, trusted_proxies: frozenset[str], is_internal: Callable[[web.Request], bool]
) -> Callable[[web.Request, Handler], Awaitable[web.StreamResponse]]:
    """The aiohttp middleware applying ``limiter``'s rules (see the module docstring)."""

    @web.middleware
    async def rate_limit(request: web.Request, handler: Handler) -> web.StreamResponse:
        rule = limiter.rule_for(request)
        if rule is not None and request.method != "OPTIONS":
            if is_internal(request):
                conversation = request.headers.get("X-Conversation-Id", "")[:128]
                if conversation:
                    await limiter.check(rule, "conversation", conversation)
            else:
                await limiter.check(rule, "address", client_ip(request, trusted_proxies))
        return await handler(request)

    return rate_limit
