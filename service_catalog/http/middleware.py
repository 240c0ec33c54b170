"""Middlewares: JSON errors, one structured log line per request, security headers."""

from __future__ import annotations

import json
import logging
import re
import time
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from ..errors import CatalogError
from ..privacy import mask
from .ratelimit import client_ip, mask_address
from .typedefs import SETTINGS

__all__ = ["content_security_policy", "cors", "json_errors", "request_log", "security_headers"]

log = logging.getLogger("service_catalog.access")
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def _wants_html(request: web.Request) -> bool:
    return request.path.startswith("/portal/")


SECRET_PARAMS = frozenset({"token", "access_token", "key", "h", "handle"})


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
        return web.json_response(exc.to_json(), status=exc.status, headers=exc.headers())
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
                    "remote": mask_address(client_ip(request, request.app[SETTINGS].trusted_proxy_set)),
                },
                ensure_ascii=False,
            )
        )


SECURITY_HEADERS = {"X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer"}
_ORIGIN = re.compile(r"^https?://[A-Za-z0-9.\-]+(?::\d{1,5})?$|^https?://\[[0-9A-Fa-f:.]+\](?::\d{1,5})?$")


def content_security_policy(rasa_url: str) -> str:
    """The page policy: our own scripts and styles only, forms post only to us, no <base>,
    no framing; connections to us and to the chat server (HTTP and WebSocket)."""
    connect = ["'self'"]
    origin = "/".join(rasa_url.split("/")[:3])
    if _ORIGIN.match(origin):  # anything else (a typo, a stray ';') would rewrite the policy: leave it out
        connect += [origin, "ws" + origin[4:]]
    return (
        f"default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src {' '.join(connect)}; "
        "form-action 'self'; base-uri 'none'; object-src 'none'; frame-ancestors 'none'"
    )


def security_headers(rasa_url: str) -> Any:
    """``nosniff`` and ``Referrer-Policy`` on every response, errors included; the CSP on pages."""
    policy = content_security_policy(rasa_url)

    def apply(response: web.StreamResponse) -> None:
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        # A FileResponse learns its content type only when it is sent, after this middleware: it gets the
        # policy whatever it serves (harmless on CSS or JavaScript), so /docs and other HTML files are covered.
        if response.content_type == "text/html" or isinstance(response, web.FileResponse):
            response.headers.setdefault("Content-Security-Policy", policy)

    @web.middleware
    async def middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
        try:
            response = await handler(request)
        except web.HTTPException as exc:  # redirects and HTML errors that pass through as exceptions
            apply(exc)
            raise
        apply(response)
        return response

    return middleware


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
            response.headers["Access-Control-Expose-Headers"] = "Retry-After, X-Request-Id"
            response.headers["Vary"] = "Origin"
        return response

    return middleware
