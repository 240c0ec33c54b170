"""Rate limits, failed-credential lockout, security headers, the masked access log and the
``purge`` command, through a real app (fake embedder, files under tmp_path).

The limiter keeps its counters in memory per app, so every test's fresh ``client`` starts clean.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import logging
import os
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, make_mocked_request
from testkit import INTERNAL, OPERATE_TOKEN, PORTAL_TOKEN, READ_TOKEN, REPO_ROOT, bearer

from service_catalog.db import Database
from service_catalog.http.app import create_app
from service_catalog.http.middleware import content_security_policy
from service_catalog.http.ratelimit import RULES, RateLimiter, client_ip, mask_address
from service_catalog.settings import Settings

ACCESS_LOG = "service_catalog.access"
SERVICE = "pension-claim"
TICKET = {"transcript": [{"who": "user", "text": "I need a person"}], "lang": "en", "channel": "rest"}


def conversation(name: str) -> dict[str, str]:
    return {**INTERNAL, "X-Conversation-Id": name}


async def rate_limited(response: Any) -> dict[str, Any]:
    """The JSON body of a 429, checked for its shape and its Retry-After header."""
    assert response.status == 429, await response.text()
    assert response.content_type == "application/json"
    body = await response.json()
    assert set(body) == {"error", "message", "retry_after", "details"}
    assert body["error"] == "rate_limited" and isinstance(body["retry_after"], int) and body["retry_after"] >= 1
    assert response.headers["Retry-After"] == str(body["retry_after"])
    assert f"try again in {body['retry_after']} s" in body["message"]
    return body  # type: ignore[no-any-return]


def assert_security_headers(response: Any) -> None:
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "no-referrer"


# -- per address ---------------------------------------------------------------------------------


async def test_search_is_limited_per_address_but_not_for_the_action_server(client: TestClient) -> None:
    for _ in range(20):
        assert (await client.get("/api/search", params={"q": "dog"})).status == 200
    refused = await client.get("/api/search", params={"q": "dog"})
    body = await rate_limited(refused)
    assert body["details"] == {"limit": "20 per 10 second"}
    assert "too many search requests from this address" in body["message"]
    assert body["retry_after"] <= 10
    assert_security_headers(refused)
    # The action server carries every citizen's traffic from one address: not limited per address.
    assert (await client.get("/api/search", params={"q": "dog"}, headers=INTERNAL)).status == 200
    assert (await client.get("/api/search", params={"q": "dog"}, headers=conversation("c-1"))).status == 200
    # A wrong service credential is just another anonymous caller.
    wrong = await client.get("/api/search", params={"q": "dog"}, headers={"X-Internal-Token": "in-" + "0" * 32})
    assert wrong.status == 429
    # Other routes have their own counters.
    assert (await client.get("/api/services/dog-registration")).status == 200


async def test_health_and_static_files_are_never_limited(client: TestClient) -> None:
    for _ in range(25):
        assert (await client.get("/api/search", params={"q": "dog"})).status in {200, 429}
    assert (await client.get("/health")).status == 200
    assert (await client.get("/static/apply.css")).status == 200


async def test_each_address_behind_a_trusted_proxy_has_its_own_counter(aiohttp_client, app_settings: Settings) -> None:  # type: ignore[no-untyped-def]
    client = await aiohttp_client(create_app(replace(app_settings, trusted_proxies="127.0.0.1")))
    first = {"X-Forwarded-For": "203.0.113.7"}
    for _ in range(20):
        assert (await client.get("/api/search", params={"q": "dog"}, headers=first)).status == 200
    assert (await client.get("/api/search", params={"q": "dog"}, headers=first)).status == 429
    # A client cannot escape by writing its own X-Forwarded-For: the proxy appends the real address.
    assert (await client.get("/api/search", params={"q": "dog"}, headers={"X-Forwarded-For": "198.51.100.1, 203.0.113.7"})).status == 429
    assert (await client.get("/api/search", params={"q": "dog"}, headers={"X-Forwarded-For": "203.0.113.8"})).status == 200


async def test_a_spoofed_forwarded_for_is_ignored_without_a_trusted_proxy(client: TestClient) -> None:
    for n in range(20):
        assert (await client.get("/api/search", params={"q": "dog"}, headers={"X-Forwarded-For": f"203.0.113.{n}"})).status == 200
    assert (await client.get("/api/search", params={"q": "dog"}, headers={"X-Forwarded-For": "203.0.113.99"})).status == 429


# -- per conversation ----------------------------------------------------------------------------


async def test_tickets_are_limited_per_conversation(client: TestClient) -> None:
    # The first request makes the ticket, the next ones answer the same open ticket; all are counted.
    assert [(await client.post("/api/tickets", json=TICKET, headers=conversation("conv-a"))).status for _ in range(3)] == [201, 200, 200]
    refused = await client.post("/api/tickets", json=TICKET, headers=conversation("conv-a"))
    body = await rate_limited(refused)
    assert body["details"] == {"limit": "3 per 10 minute"} and "from this conversation" in body["message"]
    assert 1 <= body["retry_after"] <= 600
    assert (await client.post("/api/tickets", json=TICKET, headers=conversation("conv-b"))).status == 201
    listing = await (await client.get("/api/tickets", headers=bearer(READ_TOKEN))).json()
    assert listing["total"] == 2  # one per conversation; the refused one made nothing


async def test_application_links_are_limited_per_conversation(client: TestClient) -> None:
    body = {"service_id": SERVICE, "answers": {}, "consent": True}
    for _ in range(10):
        assert (await client.post("/api/handoff/application", json=body, headers=conversation("conv-a"))).status == 200
    await rate_limited(await client.post("/api/handoff/application", json=body, headers=conversation("conv-a")))
    assert (await client.post("/api/handoff/application", json=body, headers=conversation("conv-b"))).status == 200


async def test_a_conversation_id_without_the_service_credential_counts_per_address(client: TestClient) -> None:
    for n in range(20):
        assert (await client.get("/api/search", params={"q": "dog"}, headers={"X-Conversation-Id": f"c-{n}"})).status == 200
    assert (await client.get("/api/search", params={"q": "dog"}, headers={"X-Conversation-Id": "c-new"})).status == 429


# -- failed credentials --------------------------------------------------------------------------


async def test_guessing_admin_tokens_locks_the_address_out(client: TestClient) -> None:
    for n in range(10):
        response = await client.get("/api/tickets", headers=bearer(f"guess-{n}"))
        assert response.status == 401
    refused = await client.get("/api/tickets", headers=bearer(READ_TOKEN))  # even the right token
    body = await rate_limited(refused)
    assert body["details"] == {"limit": "10 per 10 minute"} and "failed admin credentials" in body["message"]
    assert 1 <= body["retry_after"] <= 600
    assert_security_headers(refused)
    await rate_limited(await client.post("/admin/reload", headers=bearer(OPERATE_TOKEN)))  # every admin scope
    await rate_limited(await client.post("/api/handoff/redeem", json={"handle": "x" * 32, "service_id": SERVICE}, headers=bearer(PORTAL_TOKEN)))
    # Public routes and the service credential are unaffected.
    assert (await client.get("/api/services/dog-registration")).status == 200
    assert (await client.post("/api/tickets", json=TICKET, headers=INTERNAL)).status == 201


async def test_each_guess_is_audited_with_a_masked_address(client: TestClient) -> None:
    from service_catalog.http.typedefs import DATABASE

    for n in range(3):
        assert (await client.post("/admin/rotate-key", headers=bearer(f"guess-{n}"))).status == 401
    records = await client.app[DATABASE].audit_records("admin_refused")  # type: ignore[attr-defined]
    assert len(records) == 3
    assert {r.outcome for r in records} == {"wrong_token"}
    assert records[0].detail == {"scope": "keys", "path": "/admin/rotate-key", "address": "127.0.0.x"}
    assert all("guess" not in json.dumps(r.detail) for r in records)


async def test_missing_tokens_and_other_scopes_do_not_count_as_guesses(client: TestClient) -> None:
    for _ in range(12):
        assert (await client.get("/api/tickets")).status == 401
        assert (await client.get("/api/tickets", headers=bearer(OPERATE_TOKEN))).status == 403
    assert (await client.get("/api/tickets", headers=bearer(READ_TOKEN))).status == 200


async def test_guessing_portal_tokens_counts_too(client: TestClient) -> None:
    for n in range(10):
        response = await client.post("/api/handoff/redeem", json={"handle": "x" * 32, "service_id": SERVICE}, headers=bearer(f"guess-{n}"))
        assert response.status == 401
    await rate_limited(await client.get("/api/tickets", headers=bearer(READ_TOKEN)))


async def test_lockout_is_per_address(aiohttp_client, app_settings: Settings) -> None:  # type: ignore[no-untyped-def]
    client = await aiohttp_client(create_app(replace(app_settings, trusted_proxies="127.0.0.1")))
    guesser = {"X-Forwarded-For": "203.0.113.7"}
    for n in range(10):
        assert (await client.get("/api/tickets", headers={**guesser, **bearer(f"guess-{n}")})).status == 401
    assert (await client.get("/api/tickets", headers={**guesser, **bearer(READ_TOKEN)})).status == 429
    assert (await client.get("/api/tickets", headers={"X-Forwarded-For": "203.0.113.8", **bearer(READ_TOKEN)})).status == 200


# -- switched off --------------------------------------------------------------------------------


async def test_rate_limits_off_disables_limiting(aiohttp_client, app_settings: Settings) -> None:  # type: ignore[no-untyped-def]
    client = await aiohttp_client(create_app(replace(app_settings, rate_limits="off")))
    for _ in range(25):
        assert (await client.get("/api/search", params={"q": "dog"})).status == 200
    for _ in range(5):
        assert (await client.post("/api/tickets", json=TICKET, headers=conversation("conv-a"))).status in {200, 201}


async def test_rate_limits_off_keeps_the_guessing_lockout(aiohttp_client, app_settings: Settings) -> None:  # type: ignore[no-untyped-def]
    """The switch is for measuring raw capacity; the lockout on wrong credentials is not a capacity limit."""
    client = await aiohttp_client(create_app(replace(app_settings, rate_limits="off")))
    for n in range(10):
        assert (await client.get("/api/tickets", headers=bearer(f"guess-{n}"))).status == 401
    await rate_limited(await client.get("/api/tickets", headers=bearer(READ_TOKEN)))


# -- security headers ----------------------------------------------------------------------------


async def test_security_headers_on_errors(client: TestClient) -> None:
    not_found = await client.get("/api/nothing-here")
    assert not_found.status == 404 and (await not_found.json())["error"] == "not_found"
    unknown_service = await client.get("/api/services/no-such-service")
    assert unknown_service.status == 404
    bad_request = await client.get("/api/search", params={"q": ""})
    assert bad_request.status == 400 and bad_request.content_type == "application/json"
    unauthorized = await client.get("/api/tickets")
    assert unauthorized.status == 401
    forbidden = await client.get("/api/tickets", headers=bearer(OPERATE_TOKEN))
    assert forbidden.status == 403
    not_allowed = await client.delete("/api/services")
    assert not_allowed.status == 405
    portal_rejection = await client.get(f"/portal/apply/{SERVICE}", params={"h": "x" * 32})
    assert portal_rejection.status == 400 and portal_rejection.content_type == "text/html"
    for _ in range(20):
        await client.get("/api/search", params={"q": "dog"})
    limited = await client.get("/api/search", params={"q": "dog"})
    assert limited.status == 429
    for response in (not_found, unknown_service, bad_request, unauthorized, forbidden, not_allowed, portal_rejection, limited):
        assert_security_headers(response)
    assert "Content-Security-Policy" in portal_rejection.headers


async def test_security_headers_on_successes(client: TestClient) -> None:
    for path in ("/health", "/api/services/dog-registration", "/.well-known/jwks.json", "/openapi.json", "/static/apply.css", "/"):
        response = await client.get(path)
        assert response.status == 200, path
        assert_security_headers(response)


async def test_page_csp_limits_forms_base_and_connections(client: TestClient, app_settings: Settings) -> None:
    response = await client.get("/")
    assert response.status == 200 and response.content_type == "text/html"
    csp = response.headers["Content-Security-Policy"]
    directives = {d.split()[0]: d.split()[1:] for d in (part.strip() for part in csp.split(";")) if d}
    assert directives["form-action"] == ["'self'"]
    assert directives["base-uri"] == ["'none'"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert directives["script-src"] == ["'self'"]
    assert app_settings.rasa_url == "http://127.0.0.1:5005"
    assert directives["connect-src"] == ["'self'", "http://127.0.0.1:5005", "ws://127.0.0.1:5005"]
    assert "connect-src *" not in csp and "*" not in " ".join(directives["connect-src"])
    assert "'unsafe-inline'" not in csp and "'unsafe-eval'" not in csp


async def test_csp_follows_the_rasa_url(aiohttp_client, app_settings: Settings) -> None:  # type: ignore[no-untyped-def]
    client = await aiohttp_client(create_app(replace(app_settings, rasa_url="https://chat.example.org/socket.io/")))
    csp = (await client.get("/")).headers["Content-Security-Policy"]
    assert "connect-src 'self' https://chat.example.org wss://chat.example.org;" in csp


@pytest.mark.parametrize("rasa_url", ["", "*", "http://x; script-src *", "javascript:alert(1)", "http://*"])
def test_csp_leaves_out_a_rasa_url_that_is_not_an_origin(rasa_url: str) -> None:
    csp = content_security_policy(rasa_url)
    assert "connect-src 'self';" in csp
    assert csp.count("script-src") == 1 and "*" not in csp


# -- the access log ------------------------------------------------------------------------------


def access_lines(caplog: pytest.LogCaptureFixture) -> list[dict[str, Any]]:
    return [json.loads(r.getMessage()) for r in caplog.records if r.name == ACCESS_LOG]


async def test_access_log_masks_the_client_address(client: TestClient, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger=ACCESS_LOG)
    await client.get("/health")
    await client.get("/api/tickets")
    lines = access_lines(caplog)
    assert len(lines) == 2 and {line["remote"] for line in lines} == {"127.0.0.x"}
    assert "127.0.0.1" not in caplog.text


async def test_access_log_masks_the_forwarded_address(aiohttp_client, app_settings: Settings, caplog: pytest.LogCaptureFixture) -> None:  # type: ignore[no-untyped-def]
    client = await aiohttp_client(create_app(replace(app_settings, trusted_proxies="127.0.0.1")))
    caplog.set_level(logging.INFO, logger=ACCESS_LOG)
    await client.get("/health", headers={"X-Forwarded-For": "203.0.113.77"})
    await client.get("/health", headers={"X-Forwarded-For": "2001:db8:85a3::8a2e:370:7334"})
    assert [line["remote"] for line in access_lines(caplog)] == ["203.0.113.x", "2001:db8:85a3:x"]
    assert "203.0.113.77" not in caplog.text and "8a2e" not in caplog.text


async def test_access_log_never_carries_credentials(client: TestClient, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger=ACCESS_LOG)
    await client.get(
        "/api/tickets", params={"token": READ_TOKEN, "access_token": READ_TOKEN, "key": READ_TOKEN, "handle": "x" * 32}, headers=bearer(READ_TOKEN)
    )
    (line,) = access_lines(caplog)
    assert line["query"] == "token=[redacted]&access_token=[redacted]&key=[redacted]&handle=[redacted]"
    assert READ_TOKEN not in caplog.text


# -- helpers -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("address", "masked"),
    [("203.0.113.77", "203.0.113.x"), ("2001:db8:85a3::8a2e:370:7334", "2001:db8:85a3:x"), ("::1", "::1:x"), ("unknown", "unknown")],
)
def test_mask_address(address: str, masked: str) -> None:
    assert mask_address(address) == masked


@pytest.mark.parametrize(
    ("peer", "forwarded", "trusted", "expected"),
    [
        ("203.0.113.5", "198.51.100.1", "", "203.0.113.5"),  # not a trusted proxy: the header is ignored
        ("10.0.0.1", "198.51.100.1", "10.0.0.1", "198.51.100.1"),
        ("10.0.0.1", "6.6.6.6, 198.51.100.1", "10.0.0.1", "198.51.100.1"),  # the client's own entry is ignored
        ("10.0.0.1", "198.51.100.1, 10.0.0.2", "10.0.0.1,10.0.0.2", "198.51.100.1"),  # two proxies
        ("10.0.0.1", "", "10.0.0.1", "10.0.0.1"),
    ],
)
def test_client_ip(peer: str, forwarded: str, trusted: str, expected: str) -> None:
    headers = {"X-Forwarded-For": forwarded} if forwarded else {}
    request = make_mocked_request("GET", "/api/search", headers=headers)
    request = request.clone(remote=peer)
    assert client_ip(request, Settings(trusted_proxies=trusted).trusted_proxy_set) == expected


@pytest.mark.parametrize(
    ("method", "path", "rule"),
    [
        ("GET", "/api/search", "search"),
        ("POST", "/api/questions/age/parse", "answers"),
        ("POST", "/api/services/pension-claim/eligibility", "eligibility"),
        ("GET", "/api/services/pension-claim", "api"),
        ("POST", "/api/tickets", "tickets"),
        ("GET", "/api/tickets", "api"),
        ("POST", "/api/handoff/application", "links"),
        ("POST", "/api/handoff/redeem", "redeem"),
        ("GET", "/portal/apply/pension-claim", "portal"),
        ("POST", "/portal/apply/pension-claim", "portal"),
        ("POST", "/admin/reload", "admin"),
        ("GET", "/health", None),
        ("GET", "/static/apply.css", None),
        ("GET", "/", None),
    ],
)
def test_rule_for(method: str, path: str, rule: str | None) -> None:
    found = RateLimiter().rule_for(make_mocked_request(method, path))
    assert (found.name if found else None) == rule


def test_every_rule_parses() -> None:
    limiter = RateLimiter()
    assert set(limiter._items) == {r.name for r in RULES}
    assert all(limiter._items[r.name][0] for r in RULES)  # every rule limits per address


# -- the purge command ---------------------------------------------------------------------------


def _clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CATALOG_")}
    return {**env, "HF_HUB_OFFLINE": "1", **extra}


def _purge(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    python = REPO_ROOT / ".venv" / "bin" / "python"
    return subprocess.run(
        [str(python if python.exists() else sys.executable), "-m", "service_catalog", *args],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


async def _old_and_new_tickets(data_dir: Path) -> None:
    db = await Database.open(f"sqlite:///{data_dir / 'catalog.db'}")
    try:
        now = dt.datetime.now(dt.UTC)
        for age in (40, 1):
            await db.create_ticket(lang="en", channel="rest", summary="s", transcript=[], now=now - dt.timedelta(days=age))
    finally:
        await db.close()


async def _tickets_left(data_dir: Path) -> int:
    db = await Database.open(f"sqlite:///{data_dir / 'catalog.db'}")
    try:
        return (await db.list_tickets())[0]
    finally:
        await db.close()


@pytest.mark.parametrize("where", ["option-after", "option-before", "environment"])
async def test_purge_command_deletes_old_tickets_and_prints_counts(tmp_path: Path, where: str) -> None:
    await _old_and_new_tickets(tmp_path)
    if where == "option-after":
        done = await asyncio.to_thread(_purge, "purge", "--data-dir", str(tmp_path), env=_clean_env())
    elif where == "option-before":
        done = await asyncio.to_thread(_purge, "--data-dir", str(tmp_path), "purge", env=_clean_env())
    else:
        done = await asyncio.to_thread(_purge, "purge", env=_clean_env(CATALOG_DATA_DIR=str(tmp_path)))
    assert done.returncode == 0, done.stderr
    assert "older than 30 days: 1 tickets, 0 refusals, 0 audit, 0 tokens, 0 handles, 0 agent_sessions, 0 expired_links, 0 ratings" in done.stdout
    assert await _tickets_left(tmp_path) == 1


async def test_purge_command_deletes_ratings_past_their_retention(tmp_path: Path) -> None:
    from service_catalog.insights.store import Feedback, InsightsStore, iso

    await _old_and_new_tickets(tmp_path)  # the database and its migrations
    store = await InsightsStore.open(f"sqlite:///{tmp_path / 'catalog.db'}")
    try:
        for age, answer in ((40, "old"), (1, "new")):
            at = iso(time.time() - age * 86400)
            assert await store.add_feedback(Feedback("c" * 64, answer, None, "up", None, "zh", "socketio", at))
    finally:
        await store.close()
    done = await asyncio.to_thread(_purge, "purge", env=_clean_env(CATALOG_DATA_DIR=str(tmp_path), CATALOG_FEEDBACK_RETENTION_DAYS="30"))
    assert done.returncode == 0, done.stderr
    assert "1 ratings" in done.stdout
    store = await InsightsStore.open(f"sqlite:///{tmp_path / 'catalog.db'}")
    try:
        assert [f.answer_id for f in await store.feedback_since(0)] == ["new"]
    finally:
        await store.close()


async def test_purge_command_days_option(tmp_path: Path) -> None:
    await _old_and_new_tickets(tmp_path)
    done = await asyncio.to_thread(_purge, "purge", "--days", "1", "--data-dir", str(tmp_path), env=_clean_env(CATALOG_RETENTION_DAYS="90"))
    assert done.returncode == 0, done.stderr
    assert "older than 1 days: 2 tickets," in done.stdout
    assert await _tickets_left(tmp_path) == 0


@pytest.mark.parametrize("days", ["0", "-3", "many"])
async def test_purge_command_refuses_a_bad_days_option(tmp_path: Path, days: str) -> None:
    await _old_and_new_tickets(tmp_path)
    done = await asyncio.to_thread(_purge, "purge", "--days", days, "--data-dir", str(tmp_path), env=_clean_env())
    assert done.returncode == 2 and "--days" in done.stderr
    assert await _tickets_left(tmp_path) == 2


async def test_purge_command_refuses_the_old_admin_token(tmp_path: Path) -> None:
    done = await asyncio.to_thread(_purge, "purge", "--data-dir", str(tmp_path), env=_clean_env(CATALOG_ADMIN_TOKEN=READ_TOKEN))
    assert done.returncode == 2
    assert "CATALOG_ADMIN_READ_TOKEN" in done.stderr and READ_TOKEN not in done.stderr


def test_the_app_refuses_to_start_with_the_old_admin_token(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from service_catalog.settings import SettingsError, load_settings

    monkeypatch.setenv("CATALOG_ADMIN_TOKEN", READ_TOKEN)
    with pytest.raises(SettingsError, match="CATALOG_ADMIN_OPERATE_TOKEN"):
        load_settings(dotenv=tmp_path / "absent.env")


async def test_an_app_without_an_internal_token_makes_one_privately(aiohttp_client, app_settings: Settings) -> None:  # type: ignore[no-untyped-def]
    client = await aiohttp_client(create_app(replace(app_settings, internal_token="")))
    secret = Path(app_settings.data_dir) / "secrets" / "internal-token"
    assert secret.stat().st_mode & 0o077 == 0
    token = secret.read_text(encoding="ascii").strip()
    assert len(token) >= 32
    body = {"transcript": [], "lang": "en"}
    assert (await client.post("/api/tickets", json=body, headers={"X-Internal-Token": token})).status == 201
    assert (await client.post("/api/tickets", json=body, headers=INTERNAL)).status == 401
