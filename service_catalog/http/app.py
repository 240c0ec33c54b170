"""The catalogue service's aiohttp application."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path

from aiohttp import web

from .. import privacy
from ..catalogue import load_catalogue
from ..search.build import build_index
from ..secrets import ensure_secret
from ..settings import Settings
from . import (
    agent_auth,
    params,
    ratelimit,
    replicas,
    routes_agent,
    routes_agent_tickets,
    routes_catalog,
    routes_eligibility,
    routes_feedback,
    routes_handoff,
    routes_insights,
    routes_metrics,
    routes_picks,
    routes_search,
    routes_site,
    routes_turn,
)
from .auth import is_internal
from .middleware import cors, json_errors, request_log, security_headers
from .ratelimit import RateLimiter
from .typedefs import CATALOGUE, DATABASE, EMBEDDER, EXECUTOR, LIMITER, REBUILD_EXECUTOR, SETTINGS, SIGNER, CatalogueState

__all__ = ["build_index", "create_app"]  # build_index: re-exported for callers not yet importing service_catalog.search

log = logging.getLogger(__name__)


def create_app(settings: Settings) -> web.Application:
    """The catalogue service: API, search, eligibility, handoff, portal page and widget assets.

    Without ``CATALOG_INTERNAL_TOKEN`` the service credential is read from (or made in)
    ``data_dir/secrets/internal-token``, where ``make run`` hands it to the action server.
    """
    if not settings.internal_token:
        settings = replace(settings, internal_token=ensure_secret(Path(settings.data_dir), "internal-token"))
    limiter = RateLimiter(settings.rate_limit_storage)
    if not settings.widget_session_secret:  # checks widget sessions on POST /api/feedback; make run shares it with Rasa
        settings = replace(settings, widget_session_secret=ensure_secret(Path(settings.data_dir), "widget-session-key"))
    middlewares = [request_log, routes_metrics.metrics_middleware, security_headers(settings.rasa_url), cors(settings.cors_origins), json_errors]
    if settings.rate_limits == "on":
        middlewares.append(ratelimit.middleware(limiter, settings.trusted_proxy_set, is_internal))
    app = web.Application(middlewares=middlewares, client_max_size=params.MAX_BODY)
    app[SETTINGS] = settings
    app[LIMITER] = limiter
    app.on_cleanup.append(lambda _app: limiter.close())  # the shared counters' Redis connections, if any
    routes_metrics.setup(app)  # /metrics (docs/insights.md)
    catalogue = load_catalogue(settings.catalog_path)
    privacy.keep_public_numbers(centre.phone for _, centre in catalogue.centres.values())
    app[CATALOGUE] = CatalogueState(catalogue, None, time.time())
    app.cleanup_ctx.append(executor)
    app.cleanup_ctx.append(search_index)
    routes_catalog.setup(app)
    replicas.setup(app)  # reloads reach every replica (CATALOG_REDIS_URL)
    routes_search.setup(app)
    routes_picks.setup(app)  # which item of a list shown a message picks (search/picks.py)
    routes_turn.setup(app)  # one turn of finding a service, decided in one call (search/turn.py)
    routes_site.setup(app)
    app.cleanup_ctx.append(database)
    app.cleanup_ctx.append(retention)
    app.cleanup_ctx.append(signer)
    routes_handoff.setup(app)
    routes_eligibility.setup(app)
    agent_auth.setup(app)  # the 12345 agent console (docs/agent-console.md)
    routes_agent.setup(app)
    routes_agent_tickets.setup(app)
    routes_feedback.setup(app)  # citizens' ratings, unmet needs and the insights page (docs/insights.md)
    routes_insights.setup(app)
    return app


async def database(app: web.Application) -> AsyncIterator[None]:
    """The database (tickets, handoff token ids, audit): opened on start, closed on cleanup."""
    from ..db import Database

    settings = app[SETTINGS]
    db = await Database.open(settings.database_url, pool_size=settings.database_pool_size, pool_timeout=settings.database_pool_timeout)
    app[DATABASE] = db
    yield
    await db.close()


PURGE_EVERY_S = 3600


async def retention(app: web.Application) -> AsyncIterator[None]:
    """Delete what is past its retention on start, then every hour: ``Database.purge`` and the citizens'
    ratings (``InsightsStore.purge_feedback``, ``CATALOG_FEEDBACK_RETENTION_DAYS``). The one purge loop."""
    from ..insights.store import InsightsStore

    settings = app[SETTINGS]

    async def purge_forever() -> None:
        while True:
            try:
                counts = await app[DATABASE].purge(
                    retention_days=settings.retention_days,
                    audit_retention_days=settings.audit_retention_days,
                    rejected_retention_days=settings.rejected_retention_days,
                )
                counts["ratings"] = await InsightsStore(app[DATABASE]).purge_feedback(settings.feedback_retention_days, time.time())
                if any(counts.values()):
                    log.info("retention: deleted %s", counts)
            except Exception:
                log.exception("retention: purge failed; retrying in an hour")
            await asyncio.sleep(PURGE_EVERY_S)

    task = asyncio.create_task(purge_forever())
    yield
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task


async def signer(app: web.Application) -> AsyncIterator[None]:
    """The handoff token signer; its key is created under data_dir/keys on first start."""
    from ..handoff import Signer

    app[SIGNER] = await asyncio.to_thread(Signer.from_settings, app[SETTINGS])
    yield


async def executor(app: web.Application) -> AsyncIterator[None]:
    """Thread pools, so the event loop never blocks: two workers for queries (embedding, search) and
    one of its own for catalogue reloads, so that rebuilding a large index never takes a query worker."""
    pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="catalogue-queries")
    rebuilds = ThreadPoolExecutor(max_workers=1, thread_name_prefix="catalogue-rebuild")
    app[EXECUTOR] = pool
    app[REBUILD_EXECUTOR] = rebuilds
    yield
    rebuilds.shutdown(wait=True, cancel_futures=True)
    pool.shutdown(wait=True, cancel_futures=True)


async def search_index(app: web.Application) -> AsyncIterator[None]:
    """Load the embedding model and the search index (from cache when the catalogue is unchanged)."""
    from ..search.embedder import make_embedder

    settings = app[SETTINGS]
    loop = asyncio.get_running_loop()
    started = time.perf_counter()
    embedder = await loop.run_in_executor(
        app[EXECUTOR], make_embedder, settings.model, settings.embed_backend, settings.query_threads, settings.query_trace == "on", settings.query_precision
    )
    app[EMBEDDER] = embedder
    state = app[CATALOGUE]
    state.index = await loop.run_in_executor(app[EXECUTOR], build_index, settings, state.catalogue, embedder)
    # Warm both workers so the first real query pays no start-up cost.
    await asyncio.gather(*(loop.run_in_executor(app[EXECUTOR], embedder.embed, ["warm up"]) for _ in range(2)))
    log.info("search ready in %.1f s (%d services)", time.perf_counter() - started, len(state.catalogue.services))
    yield
