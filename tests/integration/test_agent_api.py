"""The agent console's sign-in and lookup API through a real app (fake embedder, files under tmp_path).

Tickets, take/reply/resolve and the live inbox are in ``test_agent_tickets.py``.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from typing import Any

import pytest
from agentkit import JSON, PASSWORD, add_agent, db_of, login
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import select
from testkit import INTERNAL

from service_catalog.db_schema import agent_sessions
from service_catalog.http.app import create_app
from service_catalog.settings import Settings

PHONE = "13812345678"
ANSWERS = {"age": 61, "employment_status": "retired", "hukou_shanghai": True}


async def test_console_without_a_session_is_the_login_page(client: TestClient) -> None:
    page = await client.get("/agent")
    text = await page.text()
    assert page.status == 200 and 'action="/agent/login"' in text and "agent.js" not in text
    assert page.headers["Cache-Control"] == "no-store" and "script-src 'self'" in page.headers["Content-Security-Policy"]
    await add_agent(client)
    await login(client)
    console = await (await client.get("/agent")).text()
    assert 'src="/static/agent.js"' in console and "ac-search" in console


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/agent/api/session"),
        ("GET", "/agent/api/search?q=护照"),
        ("GET", "/agent/api/services/passport-application"),
        ("POST", "/agent/api/services/passport-application/eligibility"),
        ("POST", "/agent/api/send-link"),
        ("GET", "/agent/api/tickets"),
        ("GET", "/agent/api/tickets/T20260101-0001"),
        ("POST", "/agent/api/tickets/T20260101-0001/take"),
        ("POST", "/agent/api/tickets/T20260101-0001/reply"),
        ("POST", "/agent/api/tickets/T20260101-0001/resolve"),
        ("GET", "/agent/api/events"),
        ("POST", "/agent/logout"),
    ],
)
async def test_every_api_route_refuses_without_a_session(client: TestClient, method: str, path: str) -> None:
    for headers in ({}, INTERNAL, {"Cookie": "agent_session=forged-session-id"}):
        response = await client.request(method, path, headers=headers)
        assert response.status == 401, (path, headers)
        body = await response.json()
        assert body["error"] == "unauthorized" and "sign in" in body["message"]


async def test_login_sets_a_strict_httponly_cookie_and_the_session_names_the_agent(client: TestClient) -> None:
    await add_agent(client, "wang.li", "supervisor")
    response = await client.post("/agent/login", data={"username": "wang.li", "password": PASSWORD}, headers=JSON)
    assert response.status == 200
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("agent_session=") and "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Path=/agent" in cookie
    session_id = cookie.split("=", 1)[1].split(";", 1)[0]
    assert len(session_id) >= 43  # 256 random bits
    body = await response.json()
    session = await (await client.get("/agent/api/session")).json()
    assert session == {"agent": "wang.li", "role": "supervisor", "csrf_token": body["csrf_token"]}
    # The database keeps only the session id's hash.
    rows = await db_of(client)._read(lambda c: c.execute(select(agent_sessions.c.id_hash)).all())
    assert rows and all(session_id not in row[0] for row in rows)
    audit = await db_of(client).audit_records("agent_login")
    assert audit[0].detail["agent"] == "wang.li" and audit[0].outcome == "ok"


async def test_a_browser_form_login_is_redirected(client: TestClient) -> None:
    await add_agent(client)
    ok = await client.post("/agent/login", data={"username": "alice", "password": PASSWORD}, allow_redirects=False)
    assert ok.status == 303 and ok.headers["Location"] == "/agent" and "agent_session=" in ok.headers["Set-Cookie"]
    wrong = await client.post("/agent/login", data={"username": "alice", "password": "not the password"}, allow_redirects=False)
    assert wrong.status == 303 and wrong.headers["Location"] == "/agent?failed=1" and "Set-Cookie" not in wrong.headers


async def test_wrong_password_and_unknown_name_are_refused_alike_and_audited(client: TestClient) -> None:
    await add_agent(client)
    for name, password in (("alice", "wrong password here"), ("nobody", PASSWORD)):
        response = await client.post("/agent/login", data={"username": name, "password": password}, headers=JSON)
        assert response.status == 401 and (await response.json())["message"] == "wrong name or password"
    failed = await db_of(client).audit_records("agent_login_failed")
    assert [r.detail["agent"] for r in failed] == ["nobody", "alice"] and all(r.detail["address"].endswith(".x") for r in failed)
    assert (await client.get("/agent/api/session")).status == 401


@pytest.mark.parametrize(
    "form", [{"username": "alice"}, {"password": PASSWORD}, {"username": "a b", "password": PASSWORD}, {"username": "x" * 65, "password": "p"}]
)
async def test_malformed_logins_name_the_field(client: TestClient, form: dict[str, str]) -> None:
    response = await client.post("/agent/login", data=form, headers=JSON)
    assert response.status == 400 and (await response.json())["field"] in {"username", "password"}


async def test_failed_logins_are_throttled_per_name_even_with_the_right_password(client: TestClient) -> None:
    await add_agent(client)
    await add_agent(client, "bob")
    for _ in range(5):
        assert (await client.post("/agent/login", data={"username": "alice", "password": "guess guess guess"}, headers=JSON)).status == 401
    refused = await client.post("/agent/login", data={"username": "alice", "password": PASSWORD}, headers=JSON)
    assert refused.status == 429 and int(refused.headers["Retry-After"]) > 0
    assert (await refused.json())["error"] == "rate_limited"
    assert (await client.post("/agent/login", data={"username": "bob", "password": PASSWORD}, headers=JSON)).status == 200  # another name still works
    assert (await db_of(client).audit_records("agent_login_failed"))[0].outcome == "throttled"


async def test_failed_logins_are_throttled_per_address(client: TestClient) -> None:
    await add_agent(client)
    for i in range(20):
        assert (await client.post("/agent/login", data={"username": f"guess{i}", "password": "guess guess guess"}, headers=JSON)).status == 401
    assert (await client.post("/agent/login", data={"username": "alice", "password": PASSWORD}, headers=JSON)).status == 429


async def test_a_login_posted_from_another_site_is_refused(client: TestClient) -> None:
    await add_agent(client)
    for headers in ({"Origin": "https://evil.example"}, {"Sec-Fetch-Site": "cross-site"}):
        response = await client.post("/agent/login", data={"username": "alice", "password": PASSWORD}, headers={**JSON, **headers})
        assert response.status == 403 and (await response.json())["field"] == "Origin"


async def test_a_disabled_agent_cannot_sign_in_and_loses_open_sessions(client: TestClient) -> None:
    await add_agent(client)
    await login(client)
    assert await db_of(client).set_agent_disabled("alice", True)
    assert (await client.get("/agent/api/session")).status == 401
    assert (await client.post("/agent/login", data={"username": "alice", "password": PASSWORD}, headers=JSON)).status == 401


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/agent/api/services/pension-claim/eligibility", {"answers": {}}),
        ("/agent/api/send-link", {"service_id": "pension-claim", "consent": True, "phone": PHONE}),
        ("/agent/api/tickets/T20260101-0001/take", None),
        ("/agent/logout", None),
    ],
)
async def test_state_changing_calls_need_the_csrf_token(client: TestClient, path: str, body: Any) -> None:
    await add_agent(client)
    csrf = await login(client)
    for headers in ({}, {"X-CSRF-Token": "0" * 64}, {"X-CSRF-Token": csrf["X-CSRF-Token"][:-1]}):
        response = await client.post(path, json=body, headers=headers)
        assert response.status == 403, headers
        assert (await response.json()) | {"message": ""} == {"error": "csrf_failed", "message": "", "field": "X-CSRF-Token"}
    assert (await client.get("/agent/api/session")).status == 200  # nothing happened, not even a logout


async def test_logout_ends_the_session(client: TestClient) -> None:
    await add_agent(client)
    csrf = await login(client)
    response = await client.post("/agent/logout", headers=csrf)
    assert response.status == 200 and "agent_session=" in response.headers["Set-Cookie"]
    assert (await client.get("/agent/api/session")).status == 401
    assert (await db_of(client).audit_records("agent_logout"))[0].detail["agent"] == "alice"


async def test_search_finds_the_passport_and_is_audited_with_the_agents_name(client: TestClient) -> None:
    await add_agent(client)
    await login(client)
    body = await (await client.get("/agent/api/search", params={"q": "护照"})).json()
    first = body["results"][0]
    assert first["id"] == "passport-application" and first["title"] == "普通护照申请" and first["summary"].startswith("中国公民")
    record = (await db_of(client).audit_records("agent_search"))[0]
    assert record.detail == {"agent": "alice", "q": "护照", "results": len(body["results"])}
    bad = await client.get("/agent/api/search", params={"q": " "})
    assert bad.status == 400 and (await bad.json())["field"] == "q"


async def test_the_service_in_full_with_centres_in_the_callers_district_and_a_ready_answer(client: TestClient) -> None:
    await add_agent(client)
    await login(client)
    zh = await (await client.get("/agent/api/services/passport-application", params={"district": "pudong"})).json()
    assert zh["title"] == "普通护照申请" and zh["documents"][0] == "本人居民身份证原件" and zh["legal_basis"]
    assert zh["in_district"] and zh["centres"][0]["district"]["id"] == "pudong" and zh["centres"][0]["phone"] and zh["centres"][0]["hours"]
    assert zh["answer"].startswith("您要办理的是【普通护照申请】") and zh["centres"][0]["name"] in zh["answer"]
    en = await (await client.get("/agent/api/services/passport-application", params={"lang": "en"})).json()
    assert en["answer"].startswith("This is Apply for an ordinary passport.") and "Please bring:" in en["answer"]
    assert (await db_of(client).audit_records("agent_service"))[0].detail == {"agent": "alice", "district": None}
    for params, field in (({"district": "atlantis"}, "district"), ({"lang": "fr"}, "lang")):
        response = await client.get("/agent/api/services/passport-application", params=params)
        assert response.status == 400 and (await response.json())["field"] == field
    assert (await client.get("/agent/api/services/no-such-service")).status == 404


async def test_eligibility_for_a_caller(client: TestClient) -> None:
    await add_agent(client)
    csrf = await login(client)
    first = await (await client.post("/agent/api/services/pension-claim/eligibility", json={"answers": {}, "lang": "zh"}, headers=csrf)).json()
    assert first["status"] == "unknown" and first["next_question"]["text"]
    answers = {"social_insurance_months": 200, "sex": "male", "age": 61}
    done = await (await client.post("/agent/api/services/pension-claim/eligibility", json={"answers": answers, "lang": "en"}, headers=csrf)).json()
    assert done["status"] == "eligible"
    short = await (
        await client.post("/agent/api/services/pension-claim/eligibility", json={"answers": {**answers, "social_insurance_months": 100}}, headers=csrf)
    ).json()
    assert short["status"] == "ineligible" and any(r["met"] is False for r in short["reasons"])
    record = (await db_of(client).audit_records("agent_eligibility"))[0]
    assert record.outcome == "ineligible" and record.detail["agent"] == "alice" and record.service_id == "pension-claim"
    wrong = await client.post("/agent/api/services/pension-claim/eligibility", json={"answers": {"age": "old"}}, headers=csrf)
    assert wrong.status == 400 and (await wrong.json())["field"].endswith("age")


async def test_send_link_by_sms_masks_the_number_everywhere(client: TestClient, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    await add_agent(client)
    csrf = await login(client)
    body = {"service_id": "pension-claim", "answers": ANSWERS, "lang": "zh", "consent": True, "phone": "138 1234 5678"}
    response = await client.post("/agent/api/send-link", json=body, headers=csrf)
    assert response.status == 200, await response.text()
    sent = await response.json()
    assert sent == {"sent": True, "via": "sms", "to": "138****5678", "service_id": "pension-claim", "expires_in": 600}
    assert not [r for r in caplog.records if PHONE in r.getMessage()]
    assert any("138****5678" in r.getMessage() for r in caplog.records)
    record = (await db_of(client).audit_records("agent_link"))[0]
    assert record.detail["agent"] == "alice" and record.detail["to"] == "138****5678" and record.detail["via"] == "sms"
    assert (await db_of(client).audit_records("application_link"))[0].detail["agent"] == "alice"


@pytest.mark.parametrize(
    ("change", "field"),
    [({"consent": False}, "consent"), ({"phone": "12345"}, "phone"), ({"phone": None}, "phone"), ({"ticket": "T20260101-0001"}, "phone")],
)
async def test_send_link_errors_name_the_field(client: TestClient, change: dict[str, Any], field: str) -> None:
    await add_agent(client)
    csrf = await login(client)
    body = {"service_id": "pension-claim", "answers": ANSWERS, "consent": True, "phone": PHONE, **change}
    body = {k: v for k, v in body.items() if v is not None}
    response = await client.post("/agent/api/send-link", json=body, headers=csrf)
    assert response.status == 400 and (await response.json())["field"] == field


async def test_send_link_through_the_http_sms_gateway(aiohttp_client, app_settings: Settings) -> None:  # type: ignore[no-untyped-def]
    received: list[tuple[str, Any]] = []

    async def gateway(request: web.Request) -> web.Response:
        received.append((request.headers.get("Authorization", ""), await request.json()))
        return web.json_response({"id": "msg-1"})

    fake = web.Application()
    fake.router.add_post("/send", gateway)
    async with TestServer(fake) as server:
        settings = replace(app_settings, sms_url=str(server.make_url("/send")), sms_token="sms-token-1")
        client = await aiohttp_client(create_app(settings))
        await add_agent(client)
        csrf = await login(client)
        body = {"service_id": "pension-claim", "answers": ANSWERS, "lang": "en", "consent": True, "phone": "+86 138-1234-5678"}
        assert (await client.post("/agent/api/send-link", json=body, headers=csrf)).status == 200
        ((auth, message),) = received
        assert auth == "Bearer sms-token-1" and message["to"] == PHONE
        assert "/portal/apply/pension-claim?h=" in message["text"] and "12345 hotline" in message["text"]
        # The link in the message works once, pre-filled.
        url = message["text"].split(": ", 1)[1]
        handle = url.split("?h=", 1)[1]
        form = await client.post("/portal/apply/pension-claim", data={"h": handle})
        assert form.status == 200 and "61" in await form.text()
        fake_down = replace(settings, sms_url="http://127.0.0.1:9/send")
        down = await aiohttp_client(create_app(fake_down))
        await add_agent(down, "carol")  # the same database: alice exists
        csrf = await login(down, "carol")
        refused = await down.post("/agent/api/send-link", json=body, headers=csrf)
        assert refused.status == 503 and "SMS gateway" in (await refused.json())["message"]
