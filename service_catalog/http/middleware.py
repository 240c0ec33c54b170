"""Middlewares: JSON errors, one structured log line per request, security headers."""

from __future__ import annotations

import json
import logging
import time
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from ..errors import CatalogError
from ..privacy import mask

__all__ = ["cors", "json_errors", "request_log", "security_headers"]

log = logging.getLogger("service_catalog.access")
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def _wants_html(request: web.Request) -> bool:
    return request.path.startswith("/portal/")


SECRET_PARAMS = frozenset({"token", "access_token", "key"})


def _safe_query(request: web.Request) -> str:
    """The query string with secrets replaced and personal data masked, cut to 300 characters."""
    parts = [f"{k}={'[redacted]' if k in SECRET_PARAMS else v}" for k, v in request.query.items()]
    return mask("&".join(parts))[:300]


@web.middleware
async def json_errors(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Turn errors into JSON bodies with a status and a stable ``code``."""
    try:
        return await handler(request)
    except CatalogError as exc:
        return web.json_response(exc.to_json(), status=exc.status)
    except web.HTTPException as exc:
        if exc.status < 400 or exc.content_type == "application/json" or _wants_html(request):
            raise
        code = {404: "not_found", 405: "method_not_allowed", 413: "payload_too_large"}.get(exc.status, "http_error")
        message = {404: f"no route for {request.method} {request.path}", 405: f"{request.method} is not allowed on {request.path}"}.get(exc.status, exc.reason)
        return web.json_response({"error": code, "message": message}, status=exc.status)
    except Exception:
        log.exception("unhandled error on %s %s", request.method, mask(request.path))
        return web.json_response({"error": "internal_error", "message": "the server failed to handle this request; it has been logged"}, status=500)


@web.middleware
async def request_log(request: web.Request, handler: Handler) -> web.StreamResponse:
    """One JSON line per request, with personal data in the URL masked."""
    started = time.perf_counter()
    request_id = request.headers.get("X-Request-Id", "")[:64] or uuid.uuid4().hex[:16]
    status = 500
    try:
        response = await handler(request)
        status = response.status
        response.headers["X-Request-Id"] = request_id
        return response
    except web.HTTPException as exc:
        status = exc.status
        raise
    finally:
        log.info(
            json.dumps(
                {
                    "ts": round(time.time(), 3),
                    "id": request_id,
                    "method": request.method,
                    "path": mask(request.path),
                    "query": _safe_query(request),
                    "status": status,
                    "ms": round((time.perf_counter() - started) * 1000, 2),
                    "remote": request.remote,
                },
                ensure_ascii=False,
            )
        )


@web.middleware
async def security_headers(request: web.Request, handler: Handler) -> web.StreamResponse:
    response = await handler(request)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "no-referrer")
    # A FileResponse learns its content type only when it is sent, after this middleware: it gets the
    # policy whatever it serves (harmless on CSS or JavaScript), so /docs and other HTML files are covered.
    if response.content_type == "text/html" or isinstance(response, web.FileResponse):
        response.headers.setdefault(
            "Content-Security-Policy", "default-src 'self'; script-src 'self'; style-src 'self'; connect-src *; img-src 'self' data:; frame-ancestors 'none'"
        )
    return response


def cors(origins: str) -> Any:
    """Let browsers on the allowed origins (comma-separated, or ``*``) read the public API."""
    allowed = {o.strip() for o in origins.split(",") if o.strip()}

    @web.middleware
    async def middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
        origin = request.headers.get("Origin")
        public = request.path.startswith(("/api/", "/.well-known/"))
        if request.method == "OPTIONS" and public and origin:
            response: web.StreamResponse = web.Response(status=204)
        else:
            response = await handler(request)
        if public and origin and ("*" in allowed or origin in allowed):
            response.headers["Access-Control-Allow-Origin"] = "*" if "*" in allowed else origin
            response.headers["Access-Control-Allow-Methods"] = "GET, POST, OPTIONS"
            response.headers["Access-Control-Allow-Headers"] = "Content-Type"
            response.headers["Vary"] = "Origin"
        return response

    return middleware
