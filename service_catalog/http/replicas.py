"""Catalogue reloads reach every replica: each reload is announced on Redis, and every replica reloads too.

``POST /admin/reload`` reaches one replica behind the balancer. With ``CATALOG_REDIS_URL`` set, every
replica runs :func:`reload_sync` (a ``cleanup_ctx``):

- it notices when its own catalogue changes (a reload it served) and publishes the new content hash on
  the channel ``catalog:reload``;
- it listens on that channel, and when another replica announces a hash it does not serve, it re-reads
  the catalogue files and rebuilds its index (on the rebuild executor, as the handler does), then swaps.

Replicas read the same catalogue folder (an image or a shared volume), so they end with the same hash;
one that reads something else logs a warning and keeps serving what it read. Without Redis nothing
changes: one replica, one reload. A lost Redis connection is logged and retried every few seconds;
announcements published while a replica was disconnected are caught up from the ``catalog:hash`` key.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator

from aiohttp import web

from ..catalogue import read_catalogue
from ..search.build import build_index
from .typedefs import CATALOGUE, EMBEDDER, REBUILD_EXECUTOR, SETTINGS

__all__ = ["CHANNEL", "reload_from_files", "reload_sync", "setup"]

CHANNEL = "catalog:reload"
LATEST = "catalog:hash"  # the last announced hash, for a replica that was disconnected or starting
WATCH_S = 0.5  # how often a replica looks at its own catalogue's hash (a memory read)
RETRY_S = 3.0

log = logging.getLogger(__name__)


def setup(app: web.Application) -> None:
    if app[SETTINGS].redis_url:
        app.cleanup_ctx.append(reload_sync)


async def reload_from_files(app: web.Application) -> str:
    """Re-read the catalogue files and rebuild the index if they changed; the hash now served."""
    settings, state = app[SETTINGS], app[CATALOGUE]
    loop = asyncio.get_running_loop()
    cat, issues = await loop.run_in_executor(app[REBUILD_EXECUTOR], read_catalogue, settings.catalog_path)
    if cat is None:
        log.warning("announced catalogue reload refused here: %d problem(s) in %s", len(issues), settings.catalog_path)
        return state.catalogue.content_hash
    if cat.content_hash != state.catalogue.content_hash:
        index = await loop.run_in_executor(app[REBUILD_EXECUTOR], build_index, settings, cat, app[EMBEDDER])
        state.catalogue, state.index, state.loaded_at = cat, index, time.time()  # no await between: never half
    return cat.content_hash


async def _follow(app: web.Application, wanted: str) -> None:
    served = app[CATALOGUE].catalogue.content_hash
    if wanted and wanted != served:
        now = await reload_from_files(app)
        if now == wanted:
            log.info("catalogue reloaded on another replica's announcement: %s", wanted[:16])
        else:
            log.warning("another replica serves catalogue %s, this one read %s from its files", wanted[:16], now[:16])


async def _run(app: web.Application) -> None:
    from redis.asyncio import Redis

    url = app[SETTINGS].redis_url
    announced = app[CATALOGUE].catalogue.content_hash
    while True:
        client = Redis.from_url(url, socket_timeout=10, socket_connect_timeout=5)
        try:
            async with client.pubsub() as pubsub:
                await pubsub.subscribe(CHANNEL)
                latest = await client.get(LATEST)
                if latest:
                    await _follow(app, latest.decode() if isinstance(latest, bytes) else str(latest))
                announced = app[CATALOGUE].catalogue.content_hash
                while True:
                    message = await pubsub.get_message(ignore_subscribe_messages=True, timeout=WATCH_S)
                    if message is not None and isinstance(message.get("data"), bytes):
                        await _follow(app, message["data"].decode())
                        announced = app[CATALOGUE].catalogue.content_hash
                    served = app[CATALOGUE].catalogue.content_hash
                    if served != announced:  # this replica reloaded (POST /admin/reload): tell the others
                        await client.set(LATEST, served)
                        await client.publish(CHANNEL, served)
                        log.info("catalogue reload announced to the other replicas: %s", served[:16])
                        announced = served
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # Redis down or unreachable: say so, retry, keep serving
            log.warning("catalogue reload announcements unavailable (%s: %s); retrying in %.0f s", type(exc).__name__, exc, RETRY_S)
            await asyncio.sleep(RETRY_S)
        finally:
            with contextlib.suppress(Exception):
                await client.aclose()


async def reload_sync(app: web.Application) -> AsyncIterator[None]:
    """The background task announcing and following reloads, for the app's lifetime."""
    task = asyncio.create_task(_run(app), name="catalogue-reload-sync")
    yield
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
