"""The catalogue service over HTTP, in process, on the demo catalogue with the fake embedder."""

from __future__ import annotations

import json
import logging
import shutil
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient
from testkit import KEYS_TOKEN, OPERATE_TOKEN, READ_TOKEN, bearer

from service_catalog.catalogue import Catalogue
from service_catalog.http.app import create_app
from service_catalog.settings import Settings

ADMIN = bearer(OPERATE_TOKEN)  # the operate scope: catalogue reload
ACCESS_LOG = "service_catalog.access"


async def error_of(response: Any, status: int) -> dict[str, Any]:
    """The JSON error body of a response that must have ``status``."""
    assert response.status == status, await response.text()
    assert response.content_type == "application/json"
    body = await response.json()
    assert set(body) >= {"error", "message"}
    return body  # type: ignore[no-any-return]


# -- health and catalogue ---------------------------------------------------------------------


async def test_health(client: TestClient, catalogue: Catalogue) -> None:
    r = await client.get("/health")
    assert r.status == 200
    body = await r.json()
    assert body["status"] == "ok"
    assert body["services"] == len(catalogue.services)
    assert body["catalogue_hash"] == catalogue.content_hash[:16]
    assert body["index"]


async def test_services_are_listed_in_pages(client: TestClient, catalogue: Catalogue) -> None:
    ids = sorted(catalogue.services)
    body = await (await client.get("/api/services")).json()
    assert (body["total"], body["page"], body["per_page"]) == (len(ids), 1, 50)
    assert [i["id"] for i in body["items"]] == ids[:50]
    first = body["items"][0]
    assert set(first) == {"id", "audience", "theme", "title"}
    assert first["title"] == catalogue.services[first["id"]].title.model_dump()
    page = await (await client.get("/api/services", params={"page": "2", "per_page": "10"})).json()
    assert [i["id"] for i in page["items"]] == ids[10:20]
    beyond = await (await client.get("/api/services", params={"page": "1000"})).json()
    assert beyond["items"] == [] and beyond["total"] == len(ids)


async def test_services_filters(client: TestClient, catalogue: Catalogue) -> None:
    body = await (await client.get("/api/services", params={"audience": "enterprise", "per_page": "200"})).json()
    assert body["total"] == sum(s.audience == "enterprise" for s in catalogue.services.values())
    assert {i["audience"] for i in body["items"]} == {"enterprise"}

    limited = next(s for s in catalogue.services.values() if s.districts != "all")
    elsewhere = next(d for d in catalogue.districts if d not in limited.districts)
    body = await (await client.get("/api/services", params={"district": elsewhere, "per_page": "200"})).json()
    assert limited.id not in [i["id"] for i in body["items"]]
    assert body["total"] == sum(catalogue.offered_in(s, elsewhere) for s in catalogue.services.values())

    body = await (await client.get("/api/services", params={"event": "having-a-baby", "per_page": "200"})).json()
    assert body["total"] > 0
    assert all("having-a-baby" in catalogue.services[i["id"]].events for i in body["items"])


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({"audience": "alien"}, "audience", "unknown audience 'alien'; valid: enterprise, individual"),
        ({"district": "atlantis"}, "district", "unknown district 'atlantis'"),
        ({"event": "moon-landing"}, "event", "unknown event 'moon-landing'"),
        ({"page": "two"}, "page", "page must be an integer, got 'two'"),
        ({"page": "0"}, "page", "page must be between 1 and 100000, got 0"),
        ({"per_page": "500"}, "per_page", "per_page must be between 1 and 200, got 500"),
    ],
)
async def test_bad_filter_or_paging_value_is_400_naming_the_field(client: TestClient, params: dict[str, str], field: str, message: str) -> None:
    body = await error_of(await client.get("/api/services", params=params), 400)
    assert body["error"] == "invalid_request"
    assert body["field"] == field
    assert message in body["message"]


async def test_one_service_in_full(client: TestClient, catalogue: Catalogue) -> None:
    dog = catalogue.services["dog-registration"]
    r = await client.get("/api/services/dog-registration")
    assert r.status == 200
    body = await r.json()
    assert body["title"] == {"zh": dog.title.zh, "en": dog.title.en}
    assert body["title"]["zh"] == "养犬登记"
    assert body["documents"] == [d.model_dump() for d in dog.documents]
    assert body["cost"]["free"] is False and body["cost"]["amount_cny"] == 500
    assert body["processing_days"] == dog.processing_days
    assert body["channels"]["online_url"] == dog.channels.online_url
    centres = body["channels"]["centres"]
    assert [c["id"] for c in centres] == dog.channels.centres
    for c in centres:
        district, centre = catalogue.centres[c["id"]]
        assert c["name"] == centre.name.model_dump()
        assert c["address"]["zh"] and c["hours"]["en"] and c["phone"]
        assert c["district"] == {"id": district.id, "name": district.name.model_dump()}
    assert body["eligibility"]["all"][0] == {"q": "owns_dog", "op": "eq", "value": True}


async def test_district_puts_its_centre_first(client: TestClient, catalogue: Catalogue) -> None:
    dog = catalogue.services["dog-registration"]
    last_district = catalogue.centres[dog.channels.centres[-1]][0].id
    body = await (await client.get("/api/services/dog-registration", params={"district": last_district})).json()
    assert body["channels"]["centres"][0]["district"]["id"] == last_district


async def test_unknown_service_is_404_json(client: TestClient) -> None:
    body = await error_of(await client.get("/api/services/no-such-service"), 404)
    assert body == {"error": "service_not_found", "message": "no service with id 'no-such-service'", "field": "id"}


async def test_unknown_route_is_404_json(client: TestClient) -> None:
    body = await error_of(await client.get("/api/nothing-here"), 404)
    assert body["error"] == "not_found"


async def test_events(client: TestClient, catalogue: Catalogue) -> None:
    body = await (await client.get("/api/events")).json()
    assert [e["id"] for e in body["items"]] == list(catalogue.events)
    baby = next(e for e in body["items"] if e["id"] == "having-a-baby")
    assert baby["kind"] == "life" and baby["label"]["zh"]
    assert baby["services"] == sum("having-a-baby" in s.events for s in catalogue.services.values())


async def test_districts(client: TestClient, catalogue: Catalogue) -> None:
    body = await (await client.get("/api/districts")).json()
    assert len(body["items"]) == 16
    pudong = next(d for d in body["items"] if d["id"] == "pudong")
    assert pudong["name"]["zh"] == catalogue.districts["pudong"].name.zh
    assert [c["id"] for c in pudong["centres"]] == [c.id for c in catalogue.districts["pudong"].centres]
    assert all(c["map_url"].startswith("https://www.openstreetmap.org/") for c in pudong["centres"] if "lat" in c)


# -- search -----------------------------------------------------------------------------------


async def test_search_shape(client: TestClient, catalogue: Catalogue) -> None:
    r = await client.get("/api/search", params={"q": "dog licence", "lang": "en", "limit": "3"})
    assert r.status == 200
    body = await r.json()
    assert body["query"] == "dog licence"
    assert body["lang"] == "en"
    assert isinstance(body["confident"], bool)
    hits = body["results"] if body["confident"] else body["suggestions"]
    assert hits and len(hits) <= 3
    for hit in hits:
        assert set(hit) == {"id", "title", "score", "why"}
        assert hit["id"] in catalogue.services
        assert hit["title"] == catalogue.services[hit["id"]].title.en
        assert isinstance(hit["score"], float)
        assert all("field" in w and "terms" in w for w in hit["why"])


async def test_search_lexical_mode_finds_the_service(client: TestClient) -> None:
    body = await (await client.get("/api/search", params={"q": "养犬登记", "mode": "lexical"})).json()
    assert body["lang"] == "zh"
    assert (body["results"] or body["suggestions"])[0]["id"] == "dog-registration"


async def test_search_filters(client: TestClient, catalogue: Catalogue) -> None:
    body = await (await client.get("/api/search", params={"q": "licence permit registration", "audience": "enterprise", "limit": "20"})).json()
    hits = body["results"] or body["suggestions"]
    assert hits and {catalogue.services[h["id"]].audience for h in hits} == {"enterprise"}


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({}, "q", "the query parameter q is missing or empty"),
        ({"q": ""}, "q", "the query parameter q is missing or empty"),
        ({"q": "   "}, "q", "the query parameter q is missing or empty"),
        ({"q": "x" * 501}, "q", "q is 501 characters long; the limit is 500"),
        ({"q": "dog", "lang": "fr"}, "lang", "lang must be one of auto, en, zh, got 'fr'"),
        ({"q": "dog", "limit": "0"}, "limit", "limit must be between 1 and 50, got 0"),
        ({"q": "dog", "limit": "many"}, "limit", "limit must be an integer, got 'many'"),
        ({"q": "dog", "district": "atlantis"}, "district", "unknown district 'atlantis'"),
        ({"q": "dog", "mode": "magic"}, "mode", "mode must be hybrid, lexical or dense, got 'magic'"),
        ({"q": "dog", "online": "maybe"}, "online", "online must be true/false/1/0, got 'maybe'"),
    ],
)
async def test_bad_search_is_400_json(client: TestClient, params: dict[str, str], field: str, message: str) -> None:
    body = await error_of(await client.get("/api/search", params=params), 400)
    assert body["field"] == field
    assert message in body["message"]


async def test_search_at_the_length_limit_is_fine(client: TestClient) -> None:
    assert (await client.get("/api/search", params={"q": "x" * 500})).status == 200


# -- documentation and pages ------------------------------------------------------------------


def _routes(app: web.Application) -> set[tuple[str, str]]:
    """(method, path) of every route the app serves, except HEAD twins and the static folder."""
    return {
        (route.method.lower(), route.resource.canonical)
        for route in app.router.routes()
        if route.method != "HEAD" and route.resource is not None and not isinstance(route.resource, web.StaticResource)
    }


async def test_openapi_lists_every_route(client: TestClient) -> None:
    r = await client.get("/openapi.json")
    assert r.status == 200
    doc = await r.json()
    assert doc["openapi"].startswith("3.")
    documented = {(method, path) for path, ops in doc["paths"].items() for method in ops}
    served = _routes(client.server.app)  # type: ignore[arg-type]
    assert served - documented == set(), "routes missing from /openapi.json"
    assert documented - served == set(), "documented operations the app does not serve"
    for path, ops in doc["paths"].items():
        for op in ops.values():
            assert op.get("summary"), path
            assert op.get("responses"), path


@pytest.mark.parametrize("path", ["/", "/docs"])
async def test_html_pages_carry_a_csp(client: TestClient, path: str) -> None:
    r = await client.get(path)
    assert r.status == 200
    assert r.content_type == "text/html"
    assert "<html" in (await r.text()).lower()
    csp = r.headers.get("Content-Security-Policy", "")
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert r.headers["X-Content-Type-Options"] == "nosniff"


async def test_json_responses_carry_a_request_id(client: TestClient) -> None:
    r = await client.get("/health", headers={"X-Request-Id": "abc123"})
    assert r.headers["X-Request-Id"] == "abc123"
    assert len((await client.get("/health")).headers["X-Request-Id"]) == 16


# -- admin reload -----------------------------------------------------------------------------


@pytest.fixture
def catalog_copy(tmp_path: Path, demo_catalog_path: Path) -> Path:
    copy = tmp_path / "catalogue"
    shutil.copytree(demo_catalog_path, copy)
    return copy


@pytest.fixture
async def reload_client(aiohttp_client, catalog_copy: Path, tmp_path: Path) -> TestClient:  # type: ignore[no-untyped-def]
    settings = Settings(
        catalog_path=catalog_copy,
        data_dir=tmp_path / "data",
        model="fake-32",
        admin_read_token=READ_TOKEN,
        admin_operate_token=OPERATE_TOKEN,
        admin_keys_token=KEYS_TOKEN,
    )
    return await aiohttp_client(create_app(settings))


@pytest.mark.parametrize(
    "headers",
    [{}, bearer("wrong"), {"Authorization": OPERATE_TOKEN}, bearer(OPERATE_TOKEN + "x"), bearer(OPERATE_TOKEN[:-1]), {"X-Internal-Token": OPERATE_TOKEN}],
    ids=["none", "wrong", "no-bearer-prefix", "longer", "shorter", "other-header"],
)
async def test_reload_needs_the_operate_token(reload_client: TestClient, headers: dict[str, str]) -> None:
    body = await error_of(await reload_client.post("/admin/reload", headers=headers), 401)
    assert body["error"] == "unauthorized"
    assert "CATALOG_ADMIN_OPERATE_TOKEN" in body["message"]


@pytest.mark.parametrize("token", [READ_TOKEN, KEYS_TOKEN], ids=["read", "keys"])
async def test_reload_with_another_scopes_token_is_403(reload_client: TestClient, token: str) -> None:
    body = await error_of(await reload_client.post("/admin/reload", headers=bearer(token)), 403)
    assert body["error"] == "forbidden"
    assert "operate scope" in body["message"] and "CATALOG_ADMIN_OPERATE_TOKEN" in body["message"]


async def test_reload_is_disabled_without_a_token(aiohttp_client, app_settings: Settings) -> None:  # type: ignore[no-untyped-def]
    from dataclasses import replace

    client = await aiohttp_client(create_app(replace(app_settings, admin_operate_token="")))
    for headers in ({}, ADMIN):
        body = await error_of(await client.post("/admin/reload", headers=headers), 401)
        assert "disabled" in body["message"] and "CATALOG_ADMIN_OPERATE_TOKEN" in body["message"]
    assert (await client.get("/api/tickets", headers=bearer(READ_TOKEN))).status == 200  # the other scopes still work


async def test_unchanged_catalogue_is_not_reloaded(reload_client: TestClient) -> None:
    body = await (await reload_client.post("/admin/reload", headers=ADMIN)).json()
    assert body["reloaded"] is False


async def test_invalid_catalogue_is_rejected_and_the_old_one_keeps_serving(reload_client: TestClient, catalog_copy: Path, catalogue: Catalogue) -> None:
    before = await (await reload_client.get("/health")).json()
    dog = catalog_copy / "services" / "dog-registration.yaml"
    dog.write_text(dog.read_text(encoding="utf-8").replace("events: [keeping-pets]", "events: [keeping-dragons]"), encoding="utf-8")
    (catalog_copy / "services" / "extra.yaml").write_text("# Sample data\nid: [unclosed\n", encoding="utf-8")

    body = await error_of(await reload_client.post("/admin/reload", headers=ADMIN), 422)
    assert body["error"] == "catalog_invalid"
    problems = {(d["file"], d["field"], d["message"]) for d in body["details"]}
    assert ("services/dog-registration.yaml", "events[0]", "unknown event 'keeping-dragons' (see events/)") in problems
    assert any(f == "services/extra.yaml" and m.startswith("invalid YAML") for f, _, m in problems)
    assert all(d["line"] for d in body["details"])

    after = await (await reload_client.get("/health")).json()
    assert after["catalogue_hash"] == before["catalogue_hash"] and after["services"] == len(catalogue.services)
    served = await (await reload_client.get("/api/services/dog-registration")).json()
    assert served["events"] == ["keeping-pets"]
    assert (await reload_client.get("/api/search", params={"q": "dog"})).status == 200


async def test_valid_change_is_reloaded(reload_client: TestClient, catalog_copy: Path, catalogue: Catalogue) -> None:
    before = await (await reload_client.get("/health")).json()
    source = (catalog_copy / "services" / "dog-registration.yaml").read_text(encoding="utf-8")
    clone = (
        source.replace("id: dog-registration", "id: cat-registration")
        .replace("apply/dog-registration", "apply/cat-registration")
        .replace("养犬登记\n", "养猫登记\n")
    )
    (catalog_copy / "services" / "cat-registration.yaml").write_text(clone, encoding="utf-8")

    r = await reload_client.post("/admin/reload", headers=ADMIN)
    assert r.status == 200, await r.text()
    body = await r.json()
    assert body["reloaded"] is True and body["services"] == len(catalogue.services) + 1

    after = await (await reload_client.get("/health")).json()
    assert after["catalogue_hash"] != before["catalogue_hash"] and after["services"] == len(catalogue.services) + 1
    assert (await (await reload_client.get("/api/services/cat-registration")).json())["title"]["zh"] == "养猫登记"
    found = await (await reload_client.get("/api/search", params={"q": "养猫登记", "mode": "lexical"})).json()
    assert (found["results"] or found["suggestions"])[0]["id"] == "cat-registration"


# -- request log ------------------------------------------------------------------------------


def access_lines(caplog: pytest.LogCaptureFixture) -> list[dict[str, Any]]:
    return [json.loads(r.getMessage()) for r in caplog.records if r.name == ACCESS_LOG]


async def test_every_request_logs_one_json_line(client: TestClient, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger=ACCESS_LOG)
    caplog.clear()
    await client.get("/health")
    await client.get("/api/services/no-such-service")
    await client.get("/api/search", params={"q": ""})
    await client.post("/admin/reload")
    lines = access_lines(caplog)
    assert [(line["method"], line["path"], line["status"]) for line in lines] == [
        ("GET", "/health", 200),
        ("GET", "/api/services/no-such-service", 404),
        ("GET", "/api/search", 400),
        ("POST", "/admin/reload", 401),
    ]
    for line in lines:
        assert set(line) >= {"ts", "id", "method", "path", "query", "status", "ms"}


@pytest.mark.parametrize(
    ("q", "masked", "raw"),
    [
        ("13812345678", "138****5678", "13812345678"),
        ("my phone is 13812345678 please call", "138****5678", "12345678"),
        ("身份证310101199001011234", "310101********1234", "199001011234"),
        ("write to zhang.san@example.com", "z***@example.com", "zhang.san"),
    ],
)
async def test_personal_data_is_masked_in_the_log(client: TestClient, caplog: pytest.LogCaptureFixture, q: str, masked: str, raw: str) -> None:
    caplog.set_level(logging.INFO, logger=ACCESS_LOG)
    caplog.clear()
    assert (await client.get("/api/search", params={"q": q})).status == 200
    (line,) = access_lines(caplog)
    assert masked in line["query"]
    assert raw not in caplog.text
