"""The handoff routes through a real app (fake embedder, files under tmp_path).

Uses the ``client`` and ``app_settings`` fixtures of ``tests/conftest.py``.
"""

from __future__ import annotations

import logging
import re
import time
from typing import Any, cast
from urllib.parse import urlsplit

import jwt
import pytest
from aiohttp.test_utils import TestClient

from service_catalog.db import Database
from service_catalog.handoff import AUDIENCE, Signer
from service_catalog.http.openapi import openapi_document
from service_catalog.http.typedefs import DATABASE, SIGNER
from service_catalog.settings import Settings

SERVICE = "pension-claim"
ANSWERS = {"age": 61, "employment_status": "retired", "hukou_shanghai": True}
PHONE = "13812345678"


def db_of(client: TestClient) -> Database:
    return cast(Database, client.app[DATABASE])


def signer_of(client: TestClient) -> Signer:
    return cast(Signer, client.app[SIGNER])


def admin(settings: Settings) -> dict[str, str]:
    return {"Authorization": f"Bearer {settings.admin_token}"}


def receiver_path(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}"


async def make_link(client: TestClient, **changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"service_id": SERVICE, "answers": ANSWERS, "lang": "en", "channel": "web", "consent": True}
    body.update(changes)
    response = await client.post("/api/handoff/application", json=body)
    assert response.status == 200, await response.text()
    return cast(dict[str, Any], await response.json())


# -- the application link ----------------------------------------------------------------------


async def test_link_points_to_the_portal_with_a_verifiable_token(client: TestClient, app_settings: Settings) -> None:
    body = await make_link(client)
    assert body["service_id"] == SERVICE and body["expires_in"] == app_settings.token_ttl_seconds
    assert body["url"].startswith(f"{app_settings.portal_url}/{SERVICE}?token=")
    token = body["url"].split("token=", 1)[1]
    jwks = await (await client.get("/.well-known/jwks.json")).json()
    claims = jwt.decode(token, jwt.PyJWK(jwks["keys"][0]).key, algorithms=["EdDSA"], audience=AUDIENCE, issuer=app_settings.public_url)
    assert claims["answers"] == ANSWERS and claims["lang"] == "en" and claims["channel"] == "web"
    row = await db_of(client).token_row(claims["jti"])
    assert row is not None and row["used_at"] is None


@pytest.mark.parametrize("consent", [None, False, "true", "yes", 1])
async def test_link_without_explicit_consent_is_refused(client: TestClient, consent: Any) -> None:
    body = {"service_id": SERVICE, "answers": ANSWERS, "lang": "en", "channel": "web"}
    if consent is not None:
        body["consent"] = consent
    response = await client.post("/api/handoff/application", json=body)
    assert response.status == 400
    error = await response.json()
    assert error["field"] == "consent" and "explicit consent is required" in error["message"]


async def test_answer_of_the_wrong_type_names_the_field(client: TestClient) -> None:
    response = await client.post(
        "/api/handoff/application", json={"service_id": SERVICE, "answers": {"age": "old"}, "lang": "en", "channel": "web", "consent": True}
    )
    assert response.status == 400
    error = await response.json()
    assert error["field"] == "age" and error["error"] == "invalid_answer"


@pytest.mark.parametrize(
    ("answers", "field"),
    [
        ({"no_such_question": True}, "no_such_question"),
        ({"employment_status": "astronaut"}, "employment_status"),
        ({f"q{i}": 1 for i in range(101)}, "answers"),
        ({"employment_status": "x" * 501}, "answers.employment_status"),
        ({"age": [61]}, "answers.age"),
        ("age=61", "answers"),
    ],
)
async def test_bad_answers_are_refused(client: TestClient, answers: Any, field: str) -> None:
    response = await client.post("/api/handoff/application", json={"service_id": SERVICE, "answers": answers, "lang": "en", "channel": "web", "consent": True})
    assert response.status == 400
    assert (await response.json())["field"] == field


@pytest.mark.parametrize(("change", "field"), [({"lang": "fr"}, "lang"), ({"channel": "we b<script>"}, "channel"), ({"service_id": 7}, "service_id")])
async def test_bad_fields_are_refused(client: TestClient, change: dict[str, Any], field: str) -> None:
    body = {"service_id": SERVICE, "answers": {}, "lang": "en", "channel": "web", "consent": True, **change}
    response = await client.post("/api/handoff/application", json=body)
    assert response.status == 400
    assert (await response.json())["field"] == field


async def test_unknown_service_is_404(client: TestClient) -> None:
    response = await client.post("/api/handoff/application", json={"service_id": "no-such-service", "answers": {}, "consent": True})
    assert response.status == 404


async def test_body_over_64_kb_is_refused(client: TestClient) -> None:
    response = await client.post("/api/handoff/application", json={"service_id": SERVICE, "consent": True, "padding": "x" * 70000})
    assert response.status == 413


async def test_non_json_body_is_refused(client: TestClient) -> None:
    response = await client.post("/api/handoff/application", data=b"consent=true", headers={"Content-Type": "application/json"})
    assert response.status == 400
    assert (await response.json())["field"] == "body"


# -- the portal receiver -----------------------------------------------------------------------


async def test_full_flow_link_form_then_replay(client: TestClient) -> None:
    link = await make_link(client)
    path = receiver_path(link["url"])
    page = await client.get(path)
    assert page.status == 200
    assert page.content_type == "text/html"
    assert page.headers["Cache-Control"] == "no-store"
    assert "script-src 'self'" in page.headers["Content-Security-Policy"]
    html = await page.text()
    assert "<title>Claim the basic pension on retirement" in html
    assert '<label for="answer-1">How old are you?</label>' in html and 'name="age" type="number" step="any" value="61"' in html
    assert '<option value="retired" selected>Retired</option>' in html
    assert '<option value="true" selected>Yes</option>' in html
    assert "Your ID card and social security card" in html  # documents checklist
    assert "Demo portal" in html
    assert "<script" not in html and "style=" not in html
    again = await client.get(path)
    assert again.status == 409
    text = await again.text()
    assert "This link has already been used" in text and "链接已使用过" in text and "go back to the assistant" in text
    kinds = [(r.kind, r.outcome) for r in await db_of(client).audit_records()]
    assert kinds[:3] == [("token_rejected", "token_replayed"), ("token_redeemed", "ok"), ("application_link", "issued")]


async def test_head_does_not_use_up_the_token(client: TestClient) -> None:
    link = await make_link(client)
    assert (await client.head(receiver_path(link["url"]))).status == 200
    assert (await client.get(receiver_path(link["url"]))).status == 200
    assert (await client.head(f"/portal/apply/{SERVICE}?token=nonsense")).status == 400


async def test_form_is_in_the_tokens_language(client: TestClient) -> None:
    link = await make_link(client, lang="zh")
    html = await (await client.get(receiver_path(link["url"]))).text()
    assert '<html lang="zh-CN">' in html and "<h1>基本养老金申领</h1>" in html
    assert "您今年多少岁？" in html and '<option value="retired" selected>已退休</option>' in html


async def test_answers_are_html_escaped(client: TestClient) -> None:
    token, _, _ = signer_of(client).issue(SERVICE, {"employment_status": "<script>alert(1)</script>", "nickname": '"><img src=x>'}, "en", "web")
    response = await client.get(f"/portal/apply/{SERVICE}", params={"token": token})
    assert response.status == 200
    html = await response.text()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script>" not in html and "<img" not in html
    assert "&quot;&gt;&lt;img src=x&gt;" in html


async def test_expired_token_is_410(client: TestClient) -> None:
    token, _, _ = signer_of(client).issue(SERVICE, {}, "en", "web", now=time.time() - 1000)
    response = await client.get(f"/portal/apply/{SERVICE}", params={"token": token})
    assert response.status == 410
    assert "This link has expired" in await response.text()
    (record,) = await db_of(client).audit_records("token_rejected")
    assert record.detail["reason"] == "token_expired"


async def test_wrong_service_is_403_and_does_not_use_up_the_token(client: TestClient) -> None:
    link = await make_link(client)
    token = link["url"].split("token=", 1)[1]
    response = await client.get("/portal/apply/birth-registration", params={"token": token})
    assert response.status == 403
    assert "This link is for another service" in await response.text()
    assert (await client.get(receiver_path(link["url"]))).status == 200


@pytest.mark.parametrize("where", ["payload", "signature"])
async def test_tampered_token_is_400(client: TestClient, where: str) -> None:
    token = (await make_link(client))["url"].split("token=", 1)[1]
    header, payload, signature = token.split(".")
    if where == "payload":
        payload = payload[:-2] + ("A" if payload[-2] != "A" else "B") + payload[-1]
    else:
        signature = signature[:10] + ("A" if signature[10] != "A" else "B") + signature[11:]
    response = await client.get(f"/portal/apply/{SERVICE}", params={"token": f"{header}.{payload}.{signature}"})
    assert response.status in {400, 401}
    assert "This link is not valid" in await response.text()


async def test_missing_token_is_400(client: TestClient) -> None:
    response = await client.get(f"/portal/apply/{SERVICE}")
    assert response.status == 400
    assert "链接无效" in await response.text()


async def test_unknown_service_page_is_404(client: TestClient) -> None:
    response = await client.get("/portal/apply/no-such-service", params={"token": "x"})
    assert response.status == 404
    assert response.content_type == "text/html"


async def test_rejections_never_audit_or_log_the_token(client: TestClient, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="service_catalog")
    token, _, _ = signer_of(client).issue(SERVICE, {}, "en", "web", now=time.time() - 1000)
    assert (await client.get(f"/portal/apply/{SERVICE}", params={"token": token})).status == 410
    signature = token.rsplit(".", 1)[1]
    assert all(signature not in r.getMessage() for r in caplog.records if r.name.startswith("service_catalog"))
    (record,) = await db_of(client).audit_records("token_rejected")
    assert record.detail == {"reason": "token_expired", "message": "the link has expired"}


async def test_access_log_does_not_carry_the_token(client: TestClient, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="service_catalog.access")
    link = await make_link(client)
    await client.get(receiver_path(link["url"]))
    payload = link["url"].split("token=", 1)[1].split(".")[1]
    lines = [r.getMessage() for r in caplog.records if r.name == "service_catalog.access"]
    assert lines and all(payload[:40] not in line for line in lines)


# -- JWKS and key rotation ---------------------------------------------------------------------


async def test_jwks(client: TestClient) -> None:
    response = await client.get("/.well-known/jwks.json")
    assert response.status == 200
    (key,) = (await response.json())["keys"]
    assert key["kid"] == signer_of(client).kid
    assert {k: key[k] for k in ("kty", "crv", "use", "alg")} == {"kty": "OKP", "crv": "Ed25519", "use": "sig", "alg": "EdDSA"}


async def test_rotation_needs_the_admin_token_and_keeps_old_links_working(client: TestClient, app_settings: Settings) -> None:
    link = await make_link(client)
    old_kid = signer_of(client).kid
    assert (await client.post("/admin/rotate-key")).status == 401
    assert (await client.post("/admin/rotate-key", headers={"Authorization": "Bearer wrong"})).status == 401
    response = await client.post("/admin/rotate-key", headers=admin(app_settings))
    assert response.status == 200
    body = await response.json()
    assert body["kid"] != old_kid and body["keys"] == [body["kid"], old_kid]
    jwks = await (await client.get("/.well-known/jwks.json")).json()
    assert [k["kid"] for k in jwks["keys"]] == [body["kid"], old_kid]
    assert (await client.get(receiver_path(link["url"]))).status == 200
    new_link = await make_link(client)
    assert jwt.get_unverified_header(new_link["url"].split("token=", 1)[1])["kid"] == body["kid"]


# -- tickets -----------------------------------------------------------------------------------


async def test_ticket_create_list_get(client: TestClient, app_settings: Settings) -> None:
    transcript = [
        {"who": "user", "text": "I want to claim my pension", "ts": 1.0},
        {"who": "bot", "text": "Here is the pension service."},
        {"who": "user", "text": f"Please call me back on {PHONE}"},
    ]
    response = await client.post(
        "/api/tickets", json={"transcript": transcript, "lang": "en", "service_id": SERVICE, "answers": {"age": 61}, "channel": "rest"}
    )
    assert response.status == 201
    created = await response.json()
    assert re.fullmatch(r"T\d{8}-0001", created["ticket"]) and created["hotline"] == "12345" and created["status"] == "open"
    second = await (await client.post("/api/tickets", json={"transcript": transcript[:1], "lang": "zh", "channel": "web"})).json()
    assert second["ticket"].endswith("-0002")

    assert (await client.get("/api/tickets")).status == 401
    assert (await client.get(f"/api/tickets/{created['ticket']}")).status == 401
    assert (await client.get("/api/tickets", headers={"Authorization": "Bearer nope"})).status == 401
    listing = await (await client.get("/api/tickets", headers=admin(app_settings))).json()
    assert listing["total"] == 2 and [t["number"] for t in listing["items"]] == [second["ticket"], created["ticket"]]
    assert "transcript" not in listing["items"][0]
    paged = await (await client.get("/api/tickets", params={"per_page": "1", "page": "2"}, headers=admin(app_settings))).json()
    assert [t["number"] for t in paged["items"]] == [created["ticket"]]
    closed = await (await client.get("/api/tickets", params={"status": "closed"}, headers=admin(app_settings))).json()
    assert closed["total"] == 0
    assert (await client.get("/api/tickets", params={"status": "pending"}, headers=admin(app_settings))).status == 400

    ticket = await (await client.get(f"/api/tickets/{created['ticket']}", headers=admin(app_settings))).json()
    assert ticket["transcript"] == transcript and ticket["answers"] == {"age": 61} and ticket["service_id"] == SERVICE
    assert ticket["summary"] == "[Claim the basic pension on retirement] Please call me back on 138****5678"
    assert (await client.get("/api/tickets/T19990101-0001", headers=admin(app_settings))).status == 404


async def test_ticket_creation_logs_and_audits_no_phone_number(client: TestClient, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="service_catalog.access")
    transcript = [{"who": "user", "text": f"my number is {PHONE}"}]
    response = await client.post(f"/api/tickets?note={PHONE}", json={"transcript": transcript, "lang": "en", "channel": "rest"})
    assert response.status == 201
    lines = [r.getMessage() for r in caplog.records if r.name == "service_catalog.access"]
    assert any('"path": "/api/tickets"' in line for line in lines)
    assert all(PHONE not in line for line in lines)
    (record,) = await db_of(client).audit_records("ticket_created")
    assert record.outcome == "open" and record.detail["ticket"] == (await response.json())["ticket"]
    assert PHONE not in str(record.detail)


async def test_given_summary_is_masked_and_short(client: TestClient, app_settings: Settings) -> None:
    summary = f"Caller {PHONE} wants a pension " + "very " * 100
    created = await (await client.post("/api/tickets", json={"transcript": [], "summary": summary, "lang": "en", "channel": "hotline"})).json()
    ticket = await (await client.get(f"/api/tickets/{created['ticket']}", headers=admin(app_settings))).json()
    assert ticket["summary"].startswith("Caller 138****5678 wants") and len(ticket["summary"]) <= 200


async def test_transcript_is_capped(client: TestClient, app_settings: Settings) -> None:
    transcript = [{"who": "user" if i % 2 else "bot", "text": f"{i} " + "x" * 900} for i in range(250)]
    transcript[-1]["text"] = "y" * 3000
    created = await (await client.post("/api/tickets", json={"transcript": transcript, "lang": "en", "channel": "rest"})).json()
    ticket = await (await client.get(f"/api/tickets/{created['ticket']}", headers=admin(app_settings))).json()
    assert len(ticket["transcript"]) == 200 and ticket["transcript"][0]["text"].startswith("50 ")
    assert len(ticket["transcript"][-1]["text"]) == 2000


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"lang": "en", "channel": "rest"}, "transcript"),
        ({"transcript": [{"who": "agent", "text": "hi"}], "lang": "en"}, "transcript[0].who"),
        ({"transcript": [{"who": "user", "text": 5}], "lang": "en"}, "transcript[0].text"),
        ({"transcript": [], "lang": "de"}, "lang"),
        ({"transcript": [], "summary": 5}, "summary"),
        ({"transcript": [], "answers": []}, "answers"),
    ],
)
async def test_malformed_tickets_are_refused(client: TestClient, body: dict[str, Any], field: str) -> None:
    response = await client.post("/api/tickets", json=body)
    assert response.status == 400
    assert (await response.json())["field"] == field


# -- service-centre handoff --------------------------------------------------------------------


async def test_centre_in_the_district(client: TestClient) -> None:
    response = await client.get(f"/api/services/{SERVICE}/centre", params={"district": "pudong", "lang": "zh"})
    assert response.status == 200
    body = await response.json()
    assert body["in_district"] is True and body["district"] == {"id": "pudong", "name": "浦东新区"}
    centre = body["centres"][0]
    assert centre["district"]["id"] == "pudong"
    assert {"name", "address", "hours", "phone", "map_url"} <= centre.keys() and centre["map_url"].startswith("https://www.openstreetmap.org/")
    assert body["documents"][0] == "本人居民身份证和社会保障卡"
    (record,) = await db_of(client).audit_records("centre_referral")
    assert record.outcome == "in_district" and record.detail["district"] == "pudong"


async def test_nearest_centres_when_none_in_the_district(client: TestClient) -> None:
    body = await (await client.get("/api/services/talent-rental-subsidy/centre", params={"district": "jingan", "lang": "en"})).json()
    assert body["in_district"] is False and 1 <= len(body["centres"]) <= 3
    distances = [c["distance_km"] for c in body["centres"]]
    assert distances == sorted(distances) and all(d > 0 for d in distances)


@pytest.mark.parametrize(
    ("path", "params", "status"),
    [
        ("/api/services/no-such/centre", {}, 404),
        (f"/api/services/{SERVICE}/centre", {"district": "atlantis"}, 400),
        (f"/api/services/{SERVICE}/centre", {"lang": "fr"}, 400),
    ],
)
async def test_centre_errors(client: TestClient, path: str, params: dict[str, str], status: int) -> None:
    assert (await client.get(path, params=params)).status == status


# -- documentation -----------------------------------------------------------------------------


async def test_every_handoff_route_is_documented(client: TestClient) -> None:
    documented = {(method, path) for path, ops in openapi_document()["paths"].items() for method in ops}
    routes = {
        (route.method.lower(), route.resource.canonical)
        for route in client.app.router.routes()
        if route.resource is not None and route.method != "HEAD" and getattr(route.handler, "__module__", "") == "service_catalog.http.routes_handoff"
    }
    assert len(routes) == 8
    assert routes <= documented
