"""Rate limits: per client address for public callers, per conversation for the action server.

Counting is done by the ``limits`` library (moving windows) in memory, or in Redis when
replicas share it (``CATALOG_RATE_LIMIT_STORAGE=redis://host:6379``, which needs ``coredis``).
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

import math
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from aiohttp import web
from limits import RateLimitItem, parse
from limits.aio.storage import Storage
from limits.aio.strategies import MovingWindowRateLimiter
from limits.storage import storage_from_string

from ..errors import RateLimited

__all__ = ["AUTH_FAILURES", "LOGIN_FAILURES_PER_ADDRESS", "LOGIN_FAILURES_PER_NAME", "RULES", "RateLimiter", "Rule", "client_ip", "mask_address", "middleware"]

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


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
    """The rules' counters in one storage (``memory://`` or ``redis://...``)."""

    def __init__(self, storage_uri: str = "memory://", rules: tuple[Rule, ...] = RULES) -> None:
        storage = storage_from_string(storage_uri if storage_uri.startswith("async+") else "async+" + storage_uri)
        assert isinstance(storage, Storage)  # the async+ scheme gives the asyncio storage
        self.storage = storage
        self.limiter = MovingWindowRateLimiter(self.storage)
        self.rules = rules
        self._items = {r.name: _items(r) for r in rules}

    def rule_for(self, request: web.Request) -> Rule | None:
        for rule in self.rules:
            if (not rule.method or rule.method == request.method) and request.path.startswith(rule.prefix):
                return rule
        return None

    async def check(self, rule: Rule, key_kind: str, key: str) -> None:
        """Count one request of ``rule`` for ``key``; raise ``RateLimited`` when over a limit."""
        per_address, per_conversation = self._items[rule.name]
        for item in per_address if key_kind == "address" else per_conversation:
            if not await self.limiter.hit(item, rule.name, key_kind, key):
                raise await self._refusal(item, f"too many {rule.name} requests from this {key_kind}", rule.name, key_kind, key)

    async def note_auth_failure(self, address: str) -> None:
        await self.limiter.hit(AUTH_FAILURES, "auth-failures", address)

    async def check_auth_allowed(self, address: str) -> None:
        """Refuse admin calls from an address that has failed too often lately."""
        stats = await self.limiter.get_window_stats(AUTH_FAILURES, "auth-failures", address)
        if stats.remaining <= 0:
            raise await self._refusal(AUTH_FAILURES, "too many failed admin credentials from this address", "auth-failures", address)

    async def note_login_failure(self, address: str, name: str) -> None:
        """Count a failed agent login against the address and the name tried."""
        await self.limiter.hit(LOGIN_FAILURES_PER_ADDRESS, "login-failures", "address", address)
        await self.limiter.hit(LOGIN_FAILURES_PER_NAME, "login-failures", "name", name.lower())

    async def check_login_allowed(self, address: str, name: str) -> None:
        """Refuse a login attempt, right password or not, after too many failures from the address or for the name."""
        for item, kind, key in ((LOGIN_FAILURES_PER_ADDRESS, "address", address), (LOGIN_FAILURES_PER_NAME, "name", name.lower())):
            stats = await self.limiter.get_window_stats(item, "login-failures", kind, key)
            if stats.remaining <= 0:
                raise await self._refusal(
                    item, f"too many failed logins {'from this address' if kind == 'address' else 'for this name'}", "login-failures", kind, key
                )

    async def _refusal(self, item: RateLimitItem, what: str, *keys: str) -> RateLimited:
        stats = await self.limiter.get_window_stats(item, *keys)
        retry = max(1, math.ceil(stats.reset_time - time.time()))
        return RateLimited(f"{what} ({item}); try again in {retry} s", retry_after=retry, limit=str(item))

    async def reset(self) -> None:
        await self.storage.reset()


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
