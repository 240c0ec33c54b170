"""``GET /metrics``: the catalogue service's operational metrics in Prometheus' text format.

One ``CollectorRegistry`` per application (one per process in production; tests get their own)::

    catalogue_http_request_duration_seconds{method,route,status}  histogram, by route *pattern*
                                                                   (``/api/services/{id}``, never the raw path)
    catalogue_search_duration_seconds{route}                      histogram of search calls
    catalogue_search_confidence{route}                            histogram of the search's confidence (0-1)
    catalogue_search_confident_total{route,confident}             searches answered with / without confidence
    catalogue_index_services                                      services in the loaded search index
    catalogue_open_tickets                                        tickets waiting for or with a person
    catalogue_feedback_total{rating}                              ratings stored

Who may read it: a client on ``CATALOG_METRICS_NETWORKS`` (loopback by default) whose request
did not come through a proxy (no ``X-Forwarded-For`` / ``Forwarded``), or anyone with the admin
``read`` token. The edge never publishes ``/metrics``; a Prometheus on the internal network is
either listed there or given the read token (docs/insights.md).
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Awaitable, Callable

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from common.access import may_read_metrics

from ..errors import Forbidden
from .auth import require_scope
from .metrics import Metrics
from .openapi import documented
from .openapi_insights import OPERATIONS
from .typedefs import CATALOGUE, INSIGHTS_STORE, METRICS, SETTINGS

__all__ = ["metrics_middleware", "setup"]

log = logging.getLogger(__name__)
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
SEARCH_ROUTES = frozenset({"/api/search", "/agent/api/search"})


def setup(app: web.Application) -> None:
    app[METRICS] = Metrics.create()
    app.router.add_get("/metrics", metrics)


def _route(request: web.Request) -> str:
    info = request.match_info
    resource = info.route.resource if info.route is not None else None
    return resource.canonical if resource is not None else "unmatched"


def _observe_search(metrics: Metrics, route: str, response: web.StreamResponse, seconds: float) -> None:
    """Search latency and confidence, read from the search's own JSON (the search code needs no hook)."""
    metrics.search.labels(route=route).observe(seconds)
    body = getattr(response, "body", None)
    if response.status != 200 or not isinstance(body, bytes):
        return
    try:
        data = json.loads(body)
    except ValueError:
        return
    confidence = data.get("confidence") if isinstance(data, dict) else None
    if isinstance(confidence, int | float):
        metrics.confidence.labels(route=route).observe(float(confidence))
        metrics.confident.labels(route=route, confident=str(bool(data.get("confident"))).lower()).inc()


@web.middleware
async def metrics_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Time every request under its route pattern (404s under ``unmatched``)."""
    started = time.perf_counter()
    status = 500
    try:
        response = await handler(request)
        status = response.status
        return response
    except web.HTTPException as exc:
        status = exc.status
        raise
    finally:
        seconds = time.perf_counter() - started
        route = _route(request)
        metrics = request.app[METRICS]
        metrics.requests.labels(method=request.method, route=route, status=str(status)).observe(seconds)
        if route in SEARCH_ROUTES and status == 200:
            _observe_search(metrics, route, response, seconds)


def _allowed_without_token(request: web.Request) -> bool:
    """The network rule shared with the action server and Rasa (tokens are checked by ``require_scope``)."""
    headers = {k.lower(): v for k, v in request.headers.items()}
    return may_read_metrics(request.remote or "", headers, request.app[SETTINGS].metrics_networks, read_token="")


@documented(**OPERATIONS["metrics"])
async def metrics(request: web.Request) -> web.Response:
    """The metrics for Prometheus (see the module docstring for who may read them)."""
    if not _allowed_without_token(request):
        if not request.headers.get("Authorization"):
            raise Forbidden("/metrics is for the internal network: scrape it from an address in CATALOG_METRICS_NETWORKS or with the admin read token")
        await require_scope(request, "read")
    app = request.app
    collectors = app[METRICS]
    state = app[CATALOGUE]
    collectors.index_services.set(len(state.catalogue.services) if state.index is not None else 0)
    if INSIGHTS_STORE in app:
        try:
            collectors.open_tickets.set(await app[INSIGHTS_STORE].open_tickets())
        except Exception:  # the database being down must not hide the other metrics
            log.exception("metrics: could not count open tickets")
    return web.Response(body=generate_latest(collectors.registry), headers={"Content-Type": CONTENT_TYPE_LATEST, "Cache-Control": "no-store"})
