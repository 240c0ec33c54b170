"""``GET /metrics`` on the action server: how long each action takes and how often it fails.

One ``CollectorRegistry`` per app (prometheus-client), in Prometheus' text format::

    actions_run_duration_seconds{action,status}  histogram of ``POST /webhook`` by the action run
                                                 (names the executor does not know count as ``unknown``)
    actions_errors_total{action}                 runs that ended in a server error (HTTP 5xx)

Who may read it, by the rule the catalogue service and Rasa's channels share (``common/access.py``): a
client on ``CATALOG_METRICS_NETWORKS`` (loopback by default) whose request did not come through a
proxy (no ``X-Forwarded-For`` / ``Forwarded``), or ``Authorization: Bearer`` with the admin read
token (``CATALOG_ADMIN_READ_TOKEN``). The action server is never published by the edge.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterable

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest
from sanic import Sanic, response
from sanic.request import Request
from sanic.response import BaseHTTPResponse, HTTPResponse

from common.access import DEFAULT_NETWORKS, may_read_metrics

__all__ = ["DEFAULT_NETWORKS", "install", "may_read_metrics"]

BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


def install(app: Sanic, action_names: Iterable[str]) -> CollectorRegistry:
    """Time every ``POST /webhook`` by the action it runs, and serve ``GET /metrics``."""
    known = frozenset(action_names)
    registry = CollectorRegistry()
    runs = Histogram("actions_run_duration_seconds", "Action runs by action and HTTP status", ["action", "status"], registry=registry, buckets=BUCKETS)
    errors = Counter("actions_errors_total", "Action runs that ended in a server error", ["action"], registry=registry)

    async def start_timer(request: Request) -> None:
        if request.path == "/webhook":
            request.ctx.metrics_started = time.perf_counter()

    async def observe(request: Request, answer: BaseHTTPResponse) -> None:
        started = getattr(request.ctx, "metrics_started", None)
        if started is None:
            return
        try:
            body = request.json
        except Exception:  # not JSON: the executor refuses it; counted as unknown
            body = None
        name = body.get("next_action") if isinstance(body, dict) else None
        action = name if isinstance(name, str) and name in known else "unknown"
        runs.labels(action=action, status=str(answer.status)).observe(time.perf_counter() - started)
        if answer.status >= 500:
            errors.labels(action=action).inc()

    async def metrics(request: Request) -> HTTPResponse:
        headers = {k.lower(): v for k, v in request.headers.items()}
        networks = os.environ.get("CATALOG_METRICS_NETWORKS") or DEFAULT_NETWORKS
        if not may_read_metrics(request.ip or "", headers, networks, os.environ.get("CATALOG_ADMIN_READ_TOKEN", "")):
            return response.json(
                {"error": "forbidden", "message": "/metrics is for the internal network: scrape it from CATALOG_METRICS_NETWORKS or with the admin read token"},
                status=403,
            )
        return response.raw(generate_latest(registry), headers={"Content-Type": CONTENT_TYPE_LATEST, "Cache-Control": "no-store"})

    app.register_middleware(start_timer, "request")
    app.register_middleware(observe, "response")
    app.add_route(metrics, "/metrics", methods=["GET"])
    return registry
