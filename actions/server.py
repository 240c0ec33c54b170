"""The action server: rasa-sdk's app, reachable only by the Rasa server.

``python -m actions.server --port 5055`` instead of ``python -m rasa_sdk``, because the stock
server has no authentication, allows every CORS origin, binds to every interface and answers a
failed action with the request body (the conversation) in the error. Here:

- it binds to ``ACTION_SERVER_HOST`` (default ``127.0.0.1``);
- ``POST /webhook`` and ``GET /actions`` need ``X-Internal-Token`` with one of the tokens in
  ``CATALOG_INTERNAL_TOKEN`` (comma-separated during a rotation), compared in constant time;
  Rasa sends it from ``bot/endpoints.yml``. ``GET /health`` stays open for the supervisor;
- no CORS headers: browsers have no business here;
- an error answers ``{"error": "internal_error"}`` without echoing the request;
- ``GET /metrics``: run time and errors by action, for Prometheus on the internal network
  (``actions/metrics.py`` says who may read it);
- the catalogue client is closed when the server stops;
- an action call's payload is let go once answered, not kept by the idle keep-alive connection.
"""

from __future__ import annotations

import argparse
import hmac
import logging
import os
import sys

from rasa_sdk import endpoint
from rasa_sdk.executor import ActionExecutor
from sanic import Sanic, response
from sanic.request import Request
from sanic.response import BaseHTTPResponse, HTTPResponse

from .metrics import install as install_metrics

__all__ = ["INTERNAL_HEADER", "create_app", "main"]

log = logging.getLogger(__name__)
INTERNAL_HEADER = "X-Internal-Token"
PROTECTED = frozenset({"/webhook", "/actions"})


def _tokens(raw: str) -> tuple[bytes, ...]:
    return tuple(t.strip().encode() for t in raw.split(",") if t.strip())


def create_app(executor: ActionExecutor, internal_tokens: str) -> Sanic:
    """rasa-sdk's Sanic app with the token check, no CORS and a quiet error handler."""
    tokens = _tokens(internal_tokens)
    if not tokens:
        raise SystemExit("CATALOG_INTERNAL_TOKEN is not set: the action server only answers the Rasa server, which must send it")
    app: Sanic = endpoint.create_app(executor, cors_origins=None)

    async def require_internal_token(request: Request) -> HTTPResponse | None:
        if request.path not in PROTECTED:
            return None
        given = request.headers.get(INTERNAL_HEADER, "").encode()
        if any(hmac.compare_digest(given, token) for token in tokens):
            return None
        log.warning("refused %s %s from %s: missing or wrong %s", request.method, request.path, request.ip, INTERNAL_HEADER)
        return response.json({"error": "unauthorized", "message": f"the action server answers only the Rasa server ({INTERNAL_HEADER})"}, status=401)

    app.register_middleware(require_internal_token, "request")

    async def quiet_errors(request: Request, exception: Exception) -> HTTPResponse:
        log.error("action failed on %s %s: %s", request.method, request.path, type(exception).__name__, exc_info=exception)
        return response.json({"error": "internal_error"}, status=500)

    app.error_handler.add(Exception, quiet_errors)

    async def release_payload(request: Request, answer: BaseHTTPResponse) -> None:
        # Sanic keeps a keep-alive connection's last request until the next request arrives on it, and an
        # action call carries the whole tracker and domain (about 250 KB once parsed): each idle connection
        # from Rasa held one, so memory grew with the connections open (benchmarks/actions_memory.py).
        request.parsed_json = None
        request.body = b""

    # Response middleware runs in reverse order of registration: this one after the metrics have read the action's name.
    app.register_middleware(release_payload, "response")
    install_metrics(app, executor.actions)

    async def close_client(app: Sanic) -> None:
        from .catalogue_client import client

        await client.close()

    app.register_listener(close_client, "after_server_stop")
    return app


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--port", type=int, default=5055)
    parser.add_argument("--host", default=os.environ.get("ACTION_SERVER_HOST", "127.0.0.1"))
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    executor = ActionExecutor()
    executor.register_package("actions")
    app = create_app(executor, os.environ.get("CATALOG_INTERNAL_TOKEN", ""))
    log.info("action server on http://%s:%d", args.host, args.port)
    app.run(host=args.host, port=args.port, workers=1, access_log=False, single_process=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
