"""The handoff routes through a real app (fake embedder, files under tmp_path).

Application links carry an opaque handle (``?h=...``); the signed token with the answers stays in
the database until the handle is redeemed once: by the reference receiver (a GET shows a button,
its POST redeems) or by a portal over the back channel (``POST /api/handoff/redeem``).

Uses the ``client`` and ``app_settings`` fixtures and the credentials of ``tests/conftest.py``.
"""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import re
import secrets
import time
from dataclasses import replace
from typing import Any, cast
from urllib.parse import parse_qs, urlsplit

import jwt
import pytest
from aiohttp.test_utils import TestClient
from sqlalchemy import MetaData, func, select, update
from sqlalchemy.engine import Connection
from testkit import INTERNAL, INTERNAL_TOKEN, KEYS_TOKEN, OPERATE_TOKEN, PORTAL_TOKEN, READ_TOKEN, bearer

from service_catalog.db import Database
from service_catalog.db_schema import handoff_handles, handoff_tokens
from service_catalog.handoff import AUDIENCE, Signer
from service_catalog.http import routes_handoff
from service_catalog.http.app import create_app
from service_catalog.http.openapi import openapi_document
from service_catalog.http.typedefs import DATABASE, SIGNER
from service_catalog.settings import Settings

SERVICE = "pension-claim"
OTHER_SERVICE = "birth-registration"
ANSWERS = {"age": 61, "employment_status": "retired", "hukou_shanghai": True}
PHONE = "13812345678"
ID_NUMBER = "310101199001011234"
HANDLE = re.compile(r"^[A-Za-z0-9_-]{32}$")  # 24 random bytes, base64url


def db_of(client: TestClient) -> Database:
    return cast(Database, client.app[DATABASE])


def signer_of(client: TestClient) -> Signer:
    return cast(Signer, client.app[SIGNER])


def receiver_path(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}"


def handle_of(url: str) -> str:
    return parse_qs(urlsplit(url).query)["h"][0]


def digest(handle: str) -> str:
    return hashlib.sha256(handle.encode()).hexdigest()


async def post_link(client: TestClient, body: Any, headers: dict[str, str] | None = None) -> Any:
    return await client.post("/api/handoff/application", json=body, headers=INTERNAL if headers is None else headers)


async def make_link(client: TestClient, **changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"service_id": SERVICE, "answers": ANSWERS, "lang": "en", "channel": "web", "consent": True}
    body.update(changes)
    response = await post_link(client, body)
    assert response.status == 200, await response.text()
    return cast(dict[str, Any], await response.json())


async def open_form(client: TestClient, link: dict[str, Any], service_id: str = SERVICE) -> Any:
    """Press the button of the link's page: POST the handle back to the receiver."""
    return await client.post(f"/portal/apply/{service_id}", data={"h": handle_of(link["url"])})


async def redeem(client: TestClient, handle: str, service_id: str = SERVICE, token: str | None = PORTAL_TOKEN) -> Any:
    return await client.post("/api/handoff/redeem", json={"handle": handle, "service_id": service_id}, headers=bearer(token) if token else {})


async def handle_row(client: TestClient, handle: str) -> dict[str, Any] | None:
    db = db_of(client)
    columns = ("jti", "service_id", "token", "expires_at", "used_at")
    query = select(*(handoff_handles.c[name] for name in columns)).where(handoff_handles.c.handle_hash == digest(handle))
    row = await db._read(lambda c: c.execute(query).first())
    return None if row is None else dict(zip(columns, row, strict=True))


async def expire(client: TestClient, handle: str) -> None:
    db = db_of(client)
    statement = update(handoff_handles).where(handoff_handles.c.handle_hash == digest(handle)).values(expires_at=int(time.time()) - 1)
    await db._write(lambda c: c.execute(statement))


async def stash(client: TestClient, answers: dict[str, Any], service_id: str = SERVICE) -> str:
    """A handle behind a token signed here with any answers (the route would refuse unknown questions)."""
    token, jti, expires = signer_of(client).issue(service_id, answers, "en", "web")
    handle = "stash" + "x" * 27
    await db_of(client).store_handle(digest(handle), jti, service_id, token, expires)
    return handle


async def verify_with_jwks(client: TestClient, token: str, settings: Settings) -> dict[str, Any]:
    jwks = await (await client.get("/.well-known/jwks.json")).json()
    key = next(k for k in jwks["keys"] if k["kid"] == jwt.get_unverified_header(token)["kid"])
    return cast(dict[str, Any], jwt.decode(token, jwt.PyJWK(key).key, algorithms=["EdDSA"], audience=AUDIENCE, issuer=settings.public_url))


async def database_text(client: TestClient) -> str:
    """Every value of every table, as one text (to prove something is not stored)."""
    db = db_of(client)

    def dump(connection: Connection) -> str:
        tables = MetaData()
        tables.reflect(connection)
        return "\n".join(repr(row) for table in tables.sorted_tables for row in connection.execute(select(table)).all())

    return await db._read(dump)


# -- the application link ----------------------------------------------------------------------


async def test_link_carries_only_an_opaque_handle(client: TestClient, app_settings: Settings) -> None:
    body = await make_link(client)
    assert body["service_id"] == SERVICE and body["expires_in"] == app_settings.token_ttl_seconds
    url = body["url"]
    assert url.startswith(f"{app_settings.portal_url}/{SERVICE}?h=")
    query = parse_qs(urlsplit(url).query)
    assert list(query) == ["h"]
    handle = query["h"][0]
    assert HANDLE.match(handle)
    # No answers and no JWT in the link: no dot-separated base64 JSON, no question ids or values.
    assert "." not in urlsplit(url).query and "eyJ" not in url
    assert not re.search(r"[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}", url)
    decoded = base64.urlsafe_b64decode(handle + "=" * (-len(handle) % 4))
    assert len(decoded) == 24 and not decoded.startswith(b"{")
    without_handle = url.replace(handle, "")
    for key, value in ANSWERS.items():
        assert key not in url and str(value).lower() not in without_handle.lower()

    # The signed token waits in the database, under the handle's SHA-256 (the handle itself is not stored).
    row = await handle_row(client, handle)
    assert row is not None and row["service_id"] == SERVICE and row["used_at"] is None
    claims = await verify_with_jwks(client, row["token"], app_settings)
    assert claims["answers"] == ANSWERS and claims["lang"] == "en" and claims["channel"] == "web" and claims["jti"] == row["jti"]
    assert row["expires_at"] == claims["exp"]
    token_row = await db_of(client).token_row(claims["jti"])
    assert token_row is not None and token_row["used_at"] is None
    assert handle not in await database_text(client)
    (record,) = await db_of(client).audit_records("application_link")
    assert record.detail["jti"] == claims["jti"] and handle not in json.dumps(record.detail)


async def test_every_link_has_its_own_handle(client: TestClient) -> None:
    handles = {handle_of((await make_link(client))["url"]) for _ in range(3)}
    assert len(handles) == 3


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"X-Internal-Token": "in-0000000000000000000000000000000000"},
        {"X-Internal-Token": INTERNAL_TOKEN[:-1]},
        {"X-Internal-Token": READ_TOKEN},
        bearer(INTERNAL_TOKEN),  # the right value in the wrong header
        bearer(READ_TOKEN),
    ],
    ids=["anonymous", "wrong", "truncated", "admin-token", "internal-as-bearer", "admin-bearer"],
)
async def test_only_the_service_credential_makes_links(client: TestClient, headers: dict[str, str]) -> None:
    body = {"service_id": SERVICE, "answers": ANSWERS, "lang": "en", "channel": "web", "consent": True}
    response = await post_link(client, body, headers)
    assert response.status == 401
    error = await response.json()
    assert error["error"] == "unauthorized" and "X-Internal-Token" in error["message"]
    assert "url" not in error
    assert await db_of(client).audit_records("application_link") == []
    db = db_of(client)
    for table in (handoff_handles, handoff_tokens):
        assert await db._read(lambda c, t=table: c.execute(select(func.count()).select_from(t)).scalar_one()) == 0


async def test_the_previous_service_credential_is_accepted_during_a_rotation(aiohttp_client, app_settings: Settings) -> None:  # type: ignore[no-untyped-def]
    new = "in-9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d"
    client = await aiohttp_client(create_app(replace(app_settings, internal_token=f"{new},{INTERNAL_TOKEN}")))
    body = {"service_id": SERVICE, "answers": {}, "consent": True}
    assert (await post_link(client, body, {"X-Internal-Token": new})).status == 200
    assert (await post_link(client, body, INTERNAL)).status == 200
    assert (await post_link(client, body, {"X-Internal-Token": f"{new},{INTERNAL_TOKEN}"})).status == 401


@pytest.mark.parametrize("consent", [None, False, "true", "yes", 1])
async def test_link_without_explicit_consent_is_refused(client: TestClient, consent: Any) -> None:
    body = {"service_id": SERVICE, "answers": ANSWERS, "lang": "en", "channel": "web"}
    if consent is not None:
        body["consent"] = consent
    response = await post_link(client, body)
    assert response.status == 400
    error = await response.json()
    assert error["field"] == "consent" and "explicit consent is required" in error["message"]


async def test_answer_of_the_wrong_type_names_the_field(client: TestClient) -> None:
    response = await post_link(client, {"service_id": SERVICE, "answers": {"age": "old"}, "lang": "en", "channel": "web", "consent": True})
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
    response = await post_link(client, {"service_id": SERVICE, "answers": answers, "lang": "en", "channel": "web", "consent": True})
    assert response.status == 400
    assert (await response.json())["field"] == field


@pytest.mark.parametrize(("change", "field"), [({"lang": "fr"}, "lang"), ({"channel": "we b<script>"}, "channel"), ({"service_id": 7}, "service_id")])
async def test_bad_fields_are_refused(client: TestClient, change: dict[str, Any], field: str) -> None:
    body = {"service_id": SERVICE, "answers": {}, "lang": "en", "channel": "web", "consent": True, **change}
    response = await post_link(client, body)
    assert response.status == 400
    assert (await response.json())["field"] == field


async def test_unknown_service_is_404(client: TestClient) -> None:
    response = await post_link(client, {"service_id": "no-such-service", "answers": {}, "consent": True})
    assert response.status == 404


async def test_body_over_64_kb_is_refused(client: TestClient) -> None:
    response = await post_link(client, {"service_id": SERVICE, "consent": True, "padding": "x" * 70000})
    assert response.status == 413


async def test_non_json_body_is_refused(client: TestClient) -> None:
    response = await client.post("/api/handoff/application", data=b"consent=true", headers={"Content-Type": "application/json", **INTERNAL})
    assert response.status == 400
    assert (await response.json())["field"] == "body"


# -- the portal receiver -----------------------------------------------------------------------


async def test_full_flow_button_then_form_then_replay(client: TestClient) -> None:
    link = await make_link(client)
    handle = handle_of(link["url"])
    path = receiver_path(link["url"])

    # GET (what a chat app's link preview fetches): a page with one button, the handle not used up.
    for _ in range(2):
        page = await client.get(path)
        assert page.status == 200
        assert page.content_type == "text/html"
        assert page.headers["Cache-Control"] == "no-store"
        assert "script-src 'self'" in page.headers["Content-Security-Policy"]
        html = await page.text()
        assert '<form class="open" method="post">' in html
        assert f'<input type="hidden" name="h" value="{handle}">' in html
        assert "Open the application form" in html and "打开申请表" in html
        assert "retired" not in html.lower() and 'name="age"' not in html  # no answers before the button
        assert "<script" not in html and "style=" not in html
    row = await handle_row(client, handle)
    assert row is not None and row["used_at"] is None and row["token"]

    # POST (the button): redeems the handle once and shows the pre-filled form.
    form = await open_form(client, link)
    assert form.status == 200
    assert form.content_type == "text/html"
    assert form.headers["Cache-Control"] == "no-store"
    assert "script-src 'self'" in form.headers["Content-Security-Policy"]
    html = await form.text()
    assert "<title>Claim the basic pension on retirement" in html
    assert '<label for="answer-1">How old are you?</label>' in html and 'name="age" type="number" step="any" value="61"' in html
    assert '<option value="retired" selected>Retired</option>' in html
    assert '<option value="true" selected>Yes</option>' in html
    assert "Your ID card and social security card" in html  # documents checklist
    assert "Demo portal" in html
    assert "<script" not in html and "style=" not in html
    row = await handle_row(client, handle)
    assert row is not None and row["used_at"] is not None and row["token"] == ""  # the answers are gone from the database
    token_row = await db_of(client).token_row(row["jti"])
    assert token_row is not None and token_row["used_at"] is not None

    again = await open_form(client, link)
    assert again.status == 409
    text = await again.text()
    assert "This link has already been used" in text and "链接已使用过" in text and "go back to the assistant" in text
    kinds = [(r.kind, r.outcome) for r in await db_of(client).audit_records()]
    assert kinds[:3] == [("token_rejected", "token_replayed"), ("token_redeemed", "ok"), ("application_link", "issued")]
    assert (await client.get(path)).status == 409  # the button page says so too


async def test_head_does_not_use_up_the_link(client: TestClient) -> None:
    link = await make_link(client)
    for _ in range(2):
        response = await client.head(receiver_path(link["url"]))
        assert response.status == 200 and response.headers["Cache-Control"] == "no-store"
    assert (await open_form(client, link)).status == 200
    assert (await client.head(receiver_path(link["url"]))).status == 409
    assert (await client.head(f"/portal/apply/{SERVICE}?h=nonsense")).status == 400


async def test_form_is_in_the_links_language(client: TestClient) -> None:
    link = await make_link(client, lang="zh")
    html = await (await open_form(client, link)).text()
    assert '<html lang="zh-CN">' in html and "<h1>基本养老金申领</h1>" in html
    assert "您今年多少岁？" in html and '<option value="retired" selected>已退休</option>' in html


async def test_answers_are_html_escaped(client: TestClient) -> None:
    handle = await stash(client, {"employment_status": "<script>alert(1)</script>", "nickname": '"><img src=x>'})
    response = await client.post(f"/portal/apply/{SERVICE}", data={"h": handle})
    assert response.status == 200
    html = await response.text()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script>" not in html and "<img" not in html
    assert "&#34;&gt;&lt;img src=x&gt;" in html  # MarkupSafe writes " as &#34;


async def test_handle_is_escaped_on_the_button_page(client: TestClient) -> None:
    response = await client.get(f"/portal/apply/{SERVICE}", params={"h": '"><script>alert(1)</script>'})
    assert response.status == 400  # not a handle at all: refused before any page shows it
    assert "<script>alert" not in await response.text()


async def test_expired_link_is_410(client: TestClient) -> None:
    link = await make_link(client)
    await expire(client, handle_of(link["url"]))
    page = await client.get(receiver_path(link["url"]))
    assert page.status == 410 and "This link has expired" in await page.text()
    response = await open_form(client, link)
    assert response.status == 410
    assert "This link has expired" in await response.text()
    (record,) = await db_of(client).audit_records("token_rejected")
    assert record.detail["reason"] == "token_expired"
    assert (await redeem(client, handle_of(link["url"]))).status == 410


async def test_expired_link_stays_expired_whatever_the_token_says(client: TestClient) -> None:
    """The handle's own expiry decides, even when the token behind it is still within its lifetime."""
    link = await make_link(client)
    db = db_of(client)
    statement = update(handoff_handles).where(handoff_handles.c.handle_hash == digest(handle_of(link["url"]))).values(expires_at=int(time.time()))
    await db._write(lambda c: c.execute(statement))
    assert (await open_form(client, link)).status == 410


async def test_wrong_service_is_403_and_does_not_use_up_the_link(client: TestClient) -> None:
    link = await make_link(client)
    handle = handle_of(link["url"])
    page = await client.get(f"/portal/apply/{OTHER_SERVICE}", params={"h": handle})
    assert page.status == 403 and "This link is for another service" in await page.text()
    response = await open_form(client, link, OTHER_SERVICE)
    assert response.status == 403
    assert "This link is for another service" in await response.text()
    back_channel = await redeem(client, handle, OTHER_SERVICE)
    assert back_channel.status == 403 and (await back_channel.json())["error"] == "token_wrong_service"
    row = await handle_row(client, handle)
    assert row is not None and row["used_at"] is None and row["token"]
    token_row = await db_of(client).token_row(row["jti"])
    assert token_row is not None and token_row["used_at"] is None
    assert [r.detail["reason"] for r in await db_of(client).audit_records("token_rejected")] == ["token_wrong_service"] * 2
    assert (await client.get(receiver_path(link["url"]))).status == 200
    assert (await open_form(client, link)).status == 200


@pytest.mark.parametrize(
    "handle",
    ["nonsense", "A" * 32, "a" * 65, "eyJhbGciOiJFZERTQSJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl", "../../etc/passwd", "x" * 31 + "!"],
    ids=["short", "unknown", "long", "jwt", "path", "bad-char"],
)
async def test_garbage_handle_is_400(client: TestClient, handle: str) -> None:
    page = await client.get(f"/portal/apply/{SERVICE}", params={"h": handle})
    assert page.status == 400 and "This link is not valid" in await page.text()
    response = await client.post(f"/portal/apply/{SERVICE}", data={"h": handle})
    assert response.status == 400
    assert "This link is not valid" in await response.text()
    back_channel = await redeem(client, handle)
    assert back_channel.status == 400 and (await back_channel.json())["error"] == "token_invalid"


async def test_altered_handle_is_400_and_the_real_one_still_works(client: TestClient) -> None:
    link = await make_link(client)
    handle = handle_of(link["url"])
    altered = handle[:-1] + ("A" if handle[-1] != "A" else "B")
    assert (await client.post(f"/portal/apply/{SERVICE}", data={"h": altered})).status == 400
    assert (await open_form(client, link)).status == 200


async def test_missing_handle_is_400(client: TestClient) -> None:
    response = await client.get(f"/portal/apply/{SERVICE}")
    assert response.status == 400
    assert "链接无效" in await response.text()
    assert (await client.post(f"/portal/apply/{SERVICE}", data={})).status == 400


async def test_unknown_service_page_is_404(client: TestClient) -> None:
    response = await client.get("/portal/apply/no-such-service", params={"h": "x" * 32})
    assert response.status == 404
    assert response.content_type == "text/html"
    response = await client.post("/portal/apply/no-such-service", data={"h": "x" * 32})
    assert response.status == 404 and response.content_type == "text/html"


async def test_rejections_never_audit_or_log_the_handle_or_token(client: TestClient, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="service_catalog")
    link = await make_link(client)
    handle = handle_of(link["url"])
    token = cast(dict[str, Any], await handle_row(client, handle))["token"]
    await expire(client, handle)
    assert (await client.get(receiver_path(link["url"]))).status == 410
    assert (await open_form(client, link)).status == 410
    assert (await open_form(client, link, OTHER_SERVICE)).status == 410
    signature = token.rsplit(".", 1)[1]
    messages = [r.getMessage() for r in caplog.records if r.name.startswith("service_catalog")]
    assert messages and all(handle not in m and signature not in m and digest(handle) not in m for m in messages)
    records = await db_of(client).audit_records("token_rejected")
    assert [r.detail for r in records] == [{"reason": "token_expired", "message": "the link has expired"}] * 2
    for record in await db_of(client).audit_records():
        text = json.dumps(record.detail)
        assert handle not in text and signature not in text and digest(handle) not in text


async def test_access_log_does_not_carry_the_handle(client: TestClient, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="service_catalog.access")
    link = await make_link(client)
    handle = handle_of(link["url"])
    await client.get(receiver_path(link["url"]))
    await client.post(receiver_path(link["url"]), data={"h": handle})  # the button posts back to the same URL
    await redeem(client, handle)
    lines = [json.loads(r.getMessage()) for r in caplog.records if r.name == "service_catalog.access"]
    assert [(line["method"], line["status"]) for line in lines] == [("POST", 200), ("GET", 200), ("POST", 200), ("POST", 409)]
    assert lines[1]["query"] == lines[2]["query"] == "h=[redacted]"
    assert all(handle not in json.dumps(line) for line in lines)


# -- the portal's back channel -------------------------------------------------------------------


async def test_back_channel_redeems_once_for_a_verifiable_token(client: TestClient, app_settings: Settings) -> None:
    link = await make_link(client)
    handle = handle_of(link["url"])
    response = await redeem(client, handle)
    assert response.status == 200, await response.text()
    assert response.headers["Cache-Control"] == "no-store"
    body = await response.json()
    assert set(body) == {"service_id", "answers", "lang", "channel", "jti", "iat", "exp", "token"}
    assert body["service_id"] == SERVICE and body["answers"] == ANSWERS and body["lang"] == "en" and body["channel"] == "web"
    claims = await verify_with_jwks(client, body["token"], app_settings)
    assert all(claims[k] == body[k] for k in ("service_id", "answers", "lang", "channel", "jti", "iat", "exp"))
    assert claims["exp"] - claims["iat"] == app_settings.token_ttl_seconds

    again = await redeem(client, handle)
    assert again.status == 409
    assert (await again.json())["error"] == "token_replayed"
    assert (await open_form(client, link)).status == 409  # redeemed over the back channel: the receiver refuses too
    kinds = [(r.kind, r.outcome) for r in await db_of(client).audit_records()]
    assert kinds[:4] == [("token_rejected", "token_replayed"), ("token_rejected", "token_replayed"), ("token_redeemed", "ok"), ("application_link", "issued")]


@pytest.mark.parametrize(
    "headers",
    [{}, bearer("pt-0000000000000000000000000000000000"), bearer(READ_TOKEN), bearer(KEYS_TOKEN), INTERNAL, {"Authorization": PORTAL_TOKEN}],
    ids=["anonymous", "wrong", "read-scope", "keys-scope", "service-credential", "no-bearer-prefix"],
)
async def test_back_channel_needs_the_portal_token(client: TestClient, headers: dict[str, str]) -> None:
    link = await make_link(client)
    handle = handle_of(link["url"])
    response = await client.post("/api/handoff/redeem", json={"handle": handle, "service_id": SERVICE}, headers=headers)
    assert response.status == 401
    error = await response.json()
    assert error["error"] == "unauthorized" and "CATALOG_PORTAL_TOKEN" in error["message"]
    assert "answers" not in error and "token" not in error
    row = await handle_row(client, handle)
    assert row is not None and row["used_at"] is None  # not used up
    assert (await redeem(client, handle)).status == 200


async def test_back_channel_is_disabled_without_a_portal_token(aiohttp_client, app_settings: Settings) -> None:  # type: ignore[no-untyped-def]
    client = await aiohttp_client(create_app(replace(app_settings, portal_token="")))
    link = await make_link(client)
    response = await redeem(client, handle_of(link["url"]))
    assert response.status == 401
    assert "set CATALOG_PORTAL_TOKEN" in (await response.json())["message"]
    assert (await open_form(client, link)).status == 200  # the reference receiver still works


@pytest.mark.parametrize(("body", "field"), [({"handle": "x" * 32}, "service_id"), ({"handle": "x" * 32, "service_id": 5}, "service_id")])
async def test_back_channel_needs_a_service_id(client: TestClient, body: dict[str, Any], field: str) -> None:
    response = await client.post("/api/handoff/redeem", json=body, headers=bearer(PORTAL_TOKEN))
    assert response.status == 400
    assert (await response.json())["field"] == field


async def test_back_channel_handle_must_be_a_string(client: TestClient) -> None:
    response = await client.post("/api/handoff/redeem", json={"handle": ["x" * 32], "service_id": SERVICE}, headers=bearer(PORTAL_TOKEN))
    assert response.status == 400 and (await response.json())["error"] == "token_invalid"


# -- JWKS and key rotation ---------------------------------------------------------------------


async def test_jwks(client: TestClient) -> None:
    response = await client.get("/.well-known/jwks.json")
    assert response.status == 200
    (key,) = (await response.json())["keys"]
    assert key["kid"] == signer_of(client).kid
    assert {k: key[k] for k in ("kty", "crv", "use", "alg")} == {"kty": "OKP", "crv": "Ed25519", "use": "sig", "alg": "EdDSA"}
    assert "d" not in key  # the public key only


async def test_rotation_needs_the_keys_scope_and_keeps_old_links_working(client: TestClient, app_settings: Settings) -> None:
    link = await make_link(client)
    second = await make_link(client)
    old_kid = signer_of(client).kid
    assert (await client.post("/admin/rotate-key")).status == 401
    assert (await client.post("/admin/rotate-key", headers=bearer("wrong"))).status == 401
    for other in (READ_TOKEN, OPERATE_TOKEN):
        refused = await client.post("/admin/rotate-key", headers=bearer(other))
        assert refused.status == 403
        error = await refused.json()
        assert error["error"] == "forbidden" and "CATALOG_ADMIN_KEYS_TOKEN" in error["message"]
    assert signer_of(client).kid == old_kid
    response = await client.post("/admin/rotate-key", headers=bearer(KEYS_TOKEN))
    assert response.status == 200
    body = await response.json()
    assert body["kid"] != old_kid and body["keys"] == [body["kid"], old_kid]
    jwks = await (await client.get("/.well-known/jwks.json")).json()
    assert [k["kid"] for k in jwks["keys"]] == [body["kid"], old_kid]
    # Links made before the rotation still open, through the receiver and the back channel.
    assert (await open_form(client, link)).status == 200
    old = await redeem(client, handle_of(second["url"]))
    assert old.status == 200
    old_token = (await old.json())["token"]
    assert jwt.get_unverified_header(old_token)["kid"] == old_kid
    assert (await verify_with_jwks(client, old_token, app_settings))["service_id"] == SERVICE
    new = await redeem(client, handle_of((await make_link(client))["url"]))
    assert jwt.get_unverified_header((await new.json())["token"])["kid"] == body["kid"]


# -- tickets -----------------------------------------------------------------------------------


async def create_ticket(client: TestClient, body: dict[str, Any]) -> dict[str, Any]:
    response = await client.post("/api/tickets", json=body, headers=INTERNAL)
    assert response.status == 201, await response.text()
    return cast(dict[str, Any], await response.json())


async def test_ticket_create_list_get(client: TestClient) -> None:
    transcript = [
        {"who": "user", "text": "I want to claim my pension", "ts": 1.0},
        {"who": "bot", "text": "Here is the pension service."},
        {"who": "user", "text": "Please call me back"},
    ]
    created = await create_ticket(client, {"transcript": transcript, "lang": "en", "service_id": SERVICE, "answers": {"age": 61}, "channel": "rest"})
    assert re.fullmatch(r"T\d{8}-0001", created["ticket"]) and created["hotline"] == "12345" and created["status"] == "open"
    second = await create_ticket(client, {"transcript": transcript[:1], "lang": "zh", "channel": "web"})
    assert second["ticket"].endswith("-0002")

    assert (await client.get("/api/tickets")).status == 401
    assert (await client.get(f"/api/tickets/{created['ticket']}")).status == 401
    assert (await client.get("/api/tickets", headers=bearer("nope"))).status == 401
    assert (await client.get("/api/tickets", headers=INTERNAL)).status == 401  # the service credential does not read tickets
    for other in (OPERATE_TOKEN, KEYS_TOKEN):
        refused = await client.get(f"/api/tickets/{created['ticket']}", headers=bearer(other))
        assert refused.status == 403 and "CATALOG_ADMIN_READ_TOKEN" in (await refused.json())["message"]
        assert (await client.get("/api/tickets", headers=bearer(other))).status == 403
    read = bearer(READ_TOKEN)
    listing = await (await client.get("/api/tickets", headers=read)).json()
    assert listing["total"] == 2 and [t["number"] for t in listing["items"]] == [second["ticket"], created["ticket"]]
    assert "transcript" not in listing["items"][0]
    paged = await (await client.get("/api/tickets", params={"per_page": "1", "page": "2"}, headers=read)).json()
    assert [t["number"] for t in paged["items"]] == [created["ticket"]]
    closed = await (await client.get("/api/tickets", params={"status": "closed"}, headers=read)).json()
    assert closed["total"] == 0
    assert (await client.get("/api/tickets", params={"status": "pending"}, headers=read)).status == 400

    ticket = await (await client.get(f"/api/tickets/{created['ticket']}", headers=read)).json()
    assert ticket["transcript"] == transcript and ticket["answers"] == {"age": 61} and ticket["service_id"] == SERVICE
    assert ticket["summary"] == "[Claim the basic pension on retirement] Please call me back"
    assert (await client.get("/api/tickets/T19990101-0001", headers=read)).status == 404


async def test_ticket_is_stored_with_personal_data_masked(client: TestClient) -> None:
    transcript = [
        {"who": "user", "text": f"My ID number is {ID_NUMBER}", "ts": 1.0},
        {"who": "bot", "text": "Thank you."},
        {"who": "user", "text": f"Please call me back on {PHONE}"},
    ]
    answers = {"age": 61, "contact": PHONE}
    created = await create_ticket(client, {"transcript": transcript, "lang": "en", "service_id": SERVICE, "answers": answers, "channel": "rest"})
    ticket = await (await client.get(f"/api/tickets/{created['ticket']}", headers=bearer(READ_TOKEN))).json()
    assert [e["text"] for e in ticket["transcript"]] == ["My ID number is 310101********1234", "Thank you.", "Please call me back on 138****5678"]
    assert ticket["transcript"][0]["ts"] == 1.0
    assert ticket["answers"] == {"age": 61, "contact": "138****5678"}
    assert ticket["summary"] == "[Claim the basic pension on retirement] Please call me back on 138****5678"
    stored = await database_text(client)
    assert ID_NUMBER not in stored and PHONE not in stored


@pytest.mark.parametrize(
    "headers",
    [{}, {"X-Internal-Token": "in-0000000000000000000000000000000000"}, bearer(READ_TOKEN), bearer(INTERNAL_TOKEN)],
    ids=["anonymous", "wrong", "admin-read", "internal-as-bearer"],
)
async def test_only_the_service_credential_creates_tickets(client: TestClient, headers: dict[str, str]) -> None:
    response = await client.post("/api/tickets", json={"transcript": [{"who": "user", "text": "help"}], "lang": "en"}, headers=headers)
    assert response.status == 401
    assert (await response.json())["error"] == "unauthorized"
    listing = await (await client.get("/api/tickets", headers=bearer(READ_TOKEN))).json()
    assert listing["total"] == 0
    assert await db_of(client).audit_records("ticket_created") == []


async def test_ticket_creation_logs_and_audits_no_phone_number(client: TestClient, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="service_catalog.access")
    transcript = [{"who": "user", "text": f"my number is {PHONE}"}]
    response = await client.post(f"/api/tickets?note={PHONE}", json={"transcript": transcript, "lang": "en", "channel": "rest"}, headers=INTERNAL)
    assert response.status == 201
    lines = [r.getMessage() for r in caplog.records if r.name == "service_catalog.access"]
    assert any('"path": "/api/tickets"' in line for line in lines)
    assert all(PHONE not in line and INTERNAL_TOKEN not in line for line in lines)
    (record,) = await db_of(client).audit_records("ticket_created")
    assert record.outcome == "open" and record.detail["ticket"] == (await response.json())["ticket"]
    assert PHONE not in str(record.detail)


async def test_given_summary_is_masked_and_short(client: TestClient) -> None:
    summary = f"Caller {PHONE} wants a pension " + "very " * 100
    created = await create_ticket(client, {"transcript": [], "summary": summary, "lang": "en", "channel": "hotline"})
    ticket = await (await client.get(f"/api/tickets/{created['ticket']}", headers=bearer(READ_TOKEN))).json()
    assert ticket["summary"].startswith("Caller 138****5678 wants") and len(ticket["summary"]) <= 200


async def test_transcript_is_capped(client: TestClient) -> None:
    transcript = [{"who": "user" if i % 2 else "bot", "text": f"{i} " + "x" * 900} for i in range(250)]
    transcript[-1]["text"] = "y" * 3000
    created = await create_ticket(client, {"transcript": transcript, "lang": "en", "channel": "rest"})
    ticket = await (await client.get(f"/api/tickets/{created['ticket']}", headers=bearer(READ_TOKEN))).json()
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
    response = await client.post("/api/tickets", json=body, headers=INTERNAL)
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
    document = openapi_document()
    documented = {(method, path) for path, ops in document["paths"].items() for method in ops}
    routes = {
        (route.method.lower(), route.resource.canonical)
        for route in client.app.router.routes()
        if route.resource is not None and route.method != "HEAD" and getattr(route.handler, "__module__", "") == "service_catalog.http.routes_handoff"
    }
    assert len(routes) == 10
    assert routes <= documented
    schemes = document["components"]["securitySchemes"]
    for (method, path), scheme in {
        ("post", "/api/handoff/application"): "internalToken",
        ("post", "/api/handoff/redeem"): "portalToken",
        ("post", "/api/tickets"): "internalToken",
        ("get", "/api/tickets"): "adminRead",
        ("post", "/admin/rotate-key"): "adminKeys",
        ("post", "/admin/reload"): "adminOperate",
    }.items():
        assert document["paths"][path][method]["security"] == [{scheme: []}] and scheme in schemes


def test_handle_pattern_matches_what_the_route_makes() -> None:
    for _ in range(20):
        handle = secrets.token_urlsafe(routes_handoff.HANDLE_BYTES)
        assert HANDLE.match(handle) and routes_handoff.HANDLE.match(handle)
