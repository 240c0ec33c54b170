"""Catalogue rate limits shared by replicas (issue 15): with ``CATALOG_RATE_LIMIT_STORAGE=redis://…`` the
per-address search limit (20 in 10 s) holds for all replicas together, and while Redis is down each replica
counts alone in memory (fail open to per-replica limits, with a logged warning) until Redis is back.

The first two tests use two limiters over a redis-server of their own (two replicas' worth, in one process);
the last ones use the scaled stack's two catalogue replicas (``scaled_stack``), addressed directly."""

from __future__ import annotations

import asyncio
import logging
import shutil
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import make_mocked_request
from engines import RedisServer, traversable_tmpdir
from scaledkit import http, wait_until
from stack import free_port

from service_catalog.errors import RateLimited
from service_catalog.http import ratelimit
from service_catalog.http.ratelimit import RateLimiter

SEARCH = make_mocked_request("GET", "/api/search")


@pytest.fixture
def redis_server() -> Iterator[RedisServer]:
    folder = traversable_tmpdir("ratelimit-redis-")
    server = RedisServer(folder, free_port())
    server.start()
    try:
        yield server
    finally:
        server.stop()
        shutil.rmtree(folder, ignore_errors=True)


async def _searches(limiters: list[RateLimiter], address: str, count: int) -> list[bool]:
    """``count`` searches from ``address``, spread over ``limiters`` in turn: True where allowed."""
    allowed = []
    for i in range(count):
        limiter = limiters[i % len(limiters)]
        rule = limiter.rule_for(SEARCH)
        assert rule is not None
        try:
            await limiter.check(rule, "address", address)
            allowed.append(True)
        except RateLimited:
            allowed.append(False)
    return allowed


def test_two_replicas_share_the_limit_through_redis_with_redis_py(redis_server: RedisServer) -> None:
    async def scenario() -> None:
        replicas = [RateLimiter(redis_server.url(4)), RateLimiter(redis_server.url(4))]
        try:
            assert await _searches(replicas, "203.0.113.7", 21) == [True] * 20 + [False]  # the 21st, on the 2nd replica
            assert await _searches(replicas[::-1], "203.0.113.8", 21) == [True] * 20 + [False]  # the 21st, on the 1st
            assert await _searches(replicas, "198.51.100.1", 1) == [True]  # counted per address
            assert not any(r.degraded for r in replicas)
        finally:
            for r in replicas:
                await r.close()

    asyncio.run(scenario())


def test_redis_down_each_replica_counts_alone_with_a_warning_then_shares_again(redis_server: RedisServer, caplog: pytest.LogCaptureFixture) -> None:
    async def scenario() -> None:
        replicas = [RateLimiter(redis_server.url(4)), RateLimiter(redis_server.url(4))]
        try:
            assert await _searches(replicas, "203.0.113.9", 4) == [True] * 4
            redis_server.stop()
            with caplog.at_level(logging.WARNING, logger=ratelimit.__name__):
                started = time.monotonic()
                allowed = await _searches(replicas, "203.0.113.10", 42)
                took = time.monotonic() - started
            # Fail open to per-replica counting: 20 allowed on each replica, never a refusal for the outage itself.
            assert allowed == [True] * 40 + [False, False]
            assert took < 5, f"42 checks with Redis down took {took:.1f} s: the limiter waited on Redis"
            assert all(r.degraded for r in replicas)
            warnings = [r.getMessage() for r in caplog.records if "unreachable" in r.getMessage()]
            assert len(warnings) == 2, warnings  # one per replica and outage, not one per request
            redis_server.start()
            await asyncio.sleep(ratelimit.RETRY_SHARED_S + 0.2)
            with caplog.at_level(logging.WARNING, logger=ratelimit.__name__):
                assert await _searches(replicas, "203.0.113.11", 21) == [True] * 20 + [False]  # shared again
            assert not any(r.degraded for r in replicas)
            assert any("reachable again" in r.getMessage() for r in caplog.records)
        finally:
            for r in replicas:
                await r.close()

    asyncio.run(scenario())


# -- the scaled stack's catalogue replicas -------------------------------------------------------------


def _search(url: str, address: str) -> int:
    """One search from ``address`` (the replicas trust 127.0.0.1 as a proxy, so X-Forwarded-For names the client)."""
    status, _ = http("GET", f"{url}/api/search?q=passport&lang=en", headers={"X-Forwarded-For": address}, timeout=60)
    return status


@pytest.mark.e2e
def test_the_search_limit_holds_across_the_two_catalogue_replicas(scaled_stack: Any) -> None:
    one, two = scaled_stack.catalogue_urls
    for last in (two, one):  # the 21st request is refused whichever replica answers it
        address = f"2001:db8::{uuid.uuid4().hex[:4]}"  # a client of its own
        statuses = [_search(one if i % 2 == 0 else two, address) for i in range(20)]
        assert statuses == [200] * 20, statuses
        status, body = http("GET", f"{last}/api/search?q=passport&lang=en", headers={"X-Forwarded-For": address})
        assert status == 429 and body["error"] == "rate_limited" and body["retry_after"] >= 1, (status, body)


@pytest.mark.e2e
def test_redis_down_the_replicas_keep_answering_and_limit_alone_then_share_again(scaled_stack: Any) -> None:
    one, two = scaled_stack.catalogue_urls
    scaled_stack.redis.stop()
    try:
        address = "198.51.100.77"
        statuses = [_search(url, address) for url in (one, two) for _ in range(21)]
        # No 503 for the outage: each replica allows its own 20, then refuses.
        assert statuses == ([200] * 20 + [429]) * 2, statuses
        logs = [Path(scaled_stack.proc("catalogue", i).log).read_text(encoding="utf-8", errors="replace") for i in (0, 1)]
        assert all("rate-limit storage unreachable" in log for log in logs)
    finally:
        scaled_stack.redis.start()

    def shared_again() -> bool:
        time.sleep(ratelimit.RETRY_SHARED_S)
        address = f"2001:db8::{uuid.uuid4().hex[:4]}"
        return [_search(url, address) for url in (one, two) * 10] == [200] * 20 and _search(one, address) == 429

    wait_until(shared_again, 60, "the replicas share the limit again after Redis came back", every=0)
