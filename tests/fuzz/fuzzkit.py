"""Fuzzing the catalogue service's HTTP API from its own OpenAPI document with schemathesis.

``fuzz(target)`` runs every operation of ``/openapi.json`` through Hypothesis: schema-valid
requests (with the credential the operation's ``security`` names, and real ids in the path) and
schema-invalid ones (no credential needed: they must be refused, never crash). Every response is
checked: no 5xx, a documented status code, the documented content type, and a body that matches its
schema. The number of examples per operation bounds the time (``FUZZ_EXAMPLES``, default 12).

``Target`` says where the service is and which credentials to use: ``served_catalogue()`` starts the
embedded service in a thread (with a stand-in for Rasa's HTTP API, so the console's take/reply/resolve
work), ``Target.from_env()`` reads a running one (``CATALOG_FUZZ_URL`` and the admin, portal and
internal tokens from the environment), and the scaled stack's test builds one for its edge.
"""

from __future__ import annotations

import asyncio
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests
import schemathesis
from aiohttp import web
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.generation.modes import GenerationMode
from schemathesis.specs.openapi.checks import content_type_conformance, response_schema_conformance, status_code_conformance

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
# A stream that never ends is no request/response operation; it has its own tests (tests/integration/test_agent_tickets.py).
SKIP = {("GET", "/agent/api/events")}
# Signing out ends the fuzzer's own session: that operation is fuzzed without one.
NO_CREDENTIALS = {("POST", "/agent/logout")}
AGENT_PASSWORD = "fuzzing is a kind of conversation"
SERVICE = "passport-application"


@dataclass
class Target:
    """Where the service is, and the credentials of each security scheme of the document."""

    base_url: str
    tokens: dict[str, str]  # scheme name -> token (adminRead, adminOperate, adminKeys, portalToken, internalToken)
    agent: tuple[str, str] | None = None  # a supervisor's name and password, for the agentSession scheme
    path_values: dict[str, str] = field(default_factory=dict)  # path parameter -> a real value (service id, ticket number)
    session: requests.Session = field(default_factory=requests.Session)
    csrf: str = ""

    @classmethod
    def from_env(cls) -> Target:
        """A running service: CATALOG_FUZZ_URL and the tokens under their usual variable names."""
        names = {
            "adminRead": "CATALOG_ADMIN_READ_TOKEN",
            "adminOperate": "CATALOG_ADMIN_OPERATE_TOKEN",
            "adminKeys": "CATALOG_ADMIN_KEYS_TOKEN",
            "portalToken": "CATALOG_PORTAL_TOKEN",
            "internalToken": "CATALOG_INTERNAL_TOKEN",
        }
        tokens = {scheme: os.environ[var].split(",")[0].strip() for scheme, var in names.items() if os.environ.get(var)}
        agent = (os.environ["CATALOG_FUZZ_AGENT"], os.environ["CATALOG_FUZZ_AGENT_PASSWORD"]) if os.environ.get("CATALOG_FUZZ_AGENT") else None
        return cls(os.environ["CATALOG_FUZZ_URL"].rstrip("/"), tokens, agent)

    def sign_in(self) -> None:
        """Open a console session (cookie in ``session``) and keep its CSRF token; make a ticket to read."""
        if self.agent is not None:
            name, password = self.agent
            answer = self.session.post(
                f"{self.base_url}/agent/login", data={"username": name, "password": password}, headers={"Accept": "application/json"}, timeout=30
            )
            answer.raise_for_status()
            self.csrf = answer.json()["csrf_token"]
        if "internalToken" in self.tokens and "number" not in self.path_values:
            ticket = self.session.post(
                f"{self.base_url}/api/tickets",
                json={"transcript": [{"who": "user", "text": "I need a person"}], "lang": "en", "channel": "web", "service_id": SERVICE},
                headers={"X-Internal-Token": self.tokens["internalToken"], "X-Conversation-Id": "fuzz-conversation"},
                timeout=30,
            )
            ticket.raise_for_status()
            self.path_values["number"] = ticket.json()["ticket"]

    def headers(self, security: list[dict[str, list[str]]] | None) -> dict[str, str]:
        """The headers that satisfy the first of an operation's security requirements we hold."""
        for requirement in security or []:
            headers: dict[str, str] = {}
            for scheme in requirement:
                if scheme == "internalToken" and scheme in self.tokens:
                    headers["X-Internal-Token"] = self.tokens[scheme]
                elif scheme in self.tokens:
                    headers["Authorization"] = f"Bearer {self.tokens[scheme]}"
                elif scheme == "csrfToken" and self.csrf:
                    headers["X-CSRF-Token"] = self.csrf
                elif scheme != "agentSession" or not self.csrf:
                    break
            else:
                return headers
        return {}


def fuzz(target: Target, examples: int | None = None) -> dict[str, list[str]]:
    """Every operation, positive then negative examples; the failures by operation (empty: none)."""
    examples = examples or int(os.environ.get("FUZZ_EXAMPLES", "12"))
    schema = schemathesis.openapi.from_url(f"{target.base_url}/openapi.json")
    target.sign_in()
    failures: dict[str, list[str]] = {}
    for result in schema.get_all_operations():
        operation = result.ok()
        method, path = operation.method.upper(), operation.path
        if (method, path) in SKIP:
            continue
        security = None if (method, path) in NO_CREDENTIALS else operation.definition.raw.get("security")
        headers = target.headers(security)
        known = {name: value for name, value in _path_values(target, path).items() if "{" + name + "}" in path}
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            strategy = operation.as_strategy(generation_mode=mode, path_parameters=known if mode is GenerationMode.POSITIVE and known else None)
            _run(target, strategy, headers, failures.setdefault(f"{method} {path}", []), examples)
        if not failures[f"{method} {path}"]:
            del failures[f"{method} {path}"]
    return failures


def _run(target: Target, strategy: Any, headers: dict[str, str], problems: list[str], examples: int) -> None:
    @settings(
        max_examples=examples, deadline=None, database=None, derandomize=True, phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck)
    )
    @given(case=strategy)
    def check(case: Any) -> None:
        try:
            case.call_and_validate(base_url=target.base_url, session=target.session, headers=headers, checks=CHECKS, timeout=60)
        except (AssertionError, FailureGroup) as exc:
            problems.append(f"{case.method} {case.formatted_path} {_short(case)}: {_summary(exc)}")

    with suppress(Unsatisfiable):  # nothing to make invalid: an operation without parameters or body
        check()


def _path_values(target: Target, path: str) -> dict[str, str]:
    if path == "/api/questions/{id}/parse":
        return {"id": "age"}
    if path.startswith("/portal/apply/"):
        return {"service_id": SERVICE}
    return {"id": SERVICE, **target.path_values}


def _summary(exc: BaseException) -> str:
    """The failures' titles, the status and the body, from schemathesis's report."""
    lines = [line.strip() for line in str(exc).splitlines()]
    kept = [line for line in lines if line.startswith(("- ST", "Received:", "`{", "[", "Value", "On instance"))]
    return " | ".join(kept)[:700]


def _short(case: Any) -> str:
    body = "" if type(case.body).__name__ == "NotSet" else f" body={str(case.body)[:200]}"
    return f"query={case.query!r}{body}"


# -- the embedded service, in a thread ---------------------------------------------------------------


async def _fake_rasa_events(request: web.Request) -> web.Response:
    return web.json_response({"sender_id": request.match_info["id"]})


async def _fake_rasa_tracker(request: web.Request) -> web.Response:
    return web.json_response({"sender_id": request.match_info["id"], "events": []})


@contextmanager
def served_catalogue(settings_kwargs: dict[str, Any], data_dir: Path) -> Iterator[tuple[str, Any]]:
    """The catalogue service (``create_app``) on a free port, served from a thread with its own event
    loop, beside a stand-in for Rasa's HTTP API; yields ``(base_url, app)``."""
    from stack import free_port

    from service_catalog.console.passwords import hash_password
    from service_catalog.http.app import create_app
    from service_catalog.http.typedefs import DATABASE
    from service_catalog.settings import Settings

    port, rasa_port = free_port(), free_port()
    settings = Settings(data_dir=data_dir, rasa_url=f"http://127.0.0.1:{rasa_port}", **settings_kwargs)
    app = create_app(settings)
    loop = asyncio.new_event_loop()
    ready = threading.Event()
    runners: list[web.AppRunner] = []

    async def start() -> None:
        rasa = web.Application()
        rasa.router.add_post("/conversations/{id}/tracker/events", _fake_rasa_events)
        rasa.router.add_get("/conversations/{id}/tracker", _fake_rasa_tracker)
        for application, at in ((rasa, rasa_port), (app, port)):
            runner = web.AppRunner(application)
            await runner.setup()
            await web.TCPSite(runner, "127.0.0.1", at).start()
            runners.append(runner)
        await app[DATABASE].add_agent("fuzzer", "supervisor", hash_password(AGENT_PASSWORD))

    def serve() -> None:
        asyncio.set_event_loop(loop)
        loop.run_until_complete(start())
        ready.set()
        loop.run_forever()

    thread = threading.Thread(target=serve, name="fuzzed-catalogue", daemon=True)
    thread.start()
    if not ready.wait(180):
        raise RuntimeError("the catalogue service did not start within 180 s")
    try:
        yield f"http://127.0.0.1:{port}", app
    finally:

        async def stop() -> None:
            for runner in reversed(runners):
                await runner.cleanup()

        asyncio.run_coroutine_threadsafe(stop(), loop).result(60)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(30)
