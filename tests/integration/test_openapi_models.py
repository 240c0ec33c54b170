"""The OpenAPI document is generated from the models the handlers use: real answers carry no field
their model does not name (response models allow extra keys, so the fuzzer alone would not notice),
and the document's request bodies and query parameters are those models."""

from __future__ import annotations

from typing import Any

from aiohttp.test_utils import TestClient
from testkit import INTERNAL

from service_catalog.http.openapi import openapi_document
from service_catalog.http.schemas import ApplicationLink, EligibilityResponse, Health, ParseResponse, SearchResponse, ServiceList, TicketCreated


def unnamed(model: Any, body: dict[str, Any]) -> set[str]:
    model.model_validate(body)
    return set(body) - set(model.model_fields)


async def test_every_field_of_real_answers_is_in_its_model(client: TestClient) -> None:
    search = await (await client.get("/api/search", params={"q": "passport"})).json()
    assert {"best", "elsewhere"} <= set(search)
    assert unnamed(SearchResponse, search) == set()
    assert unnamed(Health, await (await client.get("/health")).json()) == set()
    assert unnamed(ServiceList, await (await client.get("/api/services", params={"per_page": "3"})).json()) == set()
    verdict = await client.post("/api/services/unemployment-insurance-benefit/eligibility", json={"answers": {}, "lang": "zh"})
    assert unnamed(EligibilityResponse, await verdict.json()) == set()
    parsed = await client.post("/api/questions/age/parse", json={"text": "三十五", "lang": "zh"})
    assert unnamed(ParseResponse, await parsed.json()) == set()
    link = await client.post("/api/handoff/application", json={"service_id": "passport-application", "consent": True}, headers=INTERNAL)
    assert unnamed(ApplicationLink, await link.json()) == set()
    ticket = await client.post("/api/tickets", json={"transcript": [{"who": "user", "text": "help"}]}, headers=INTERNAL)
    assert unnamed(TicketCreated, await ticket.json()) == set()


def test_search_is_documented_from_its_models() -> None:
    search = openapi_document()["paths"]["/api/search"]["get"]
    names = {p["name"]: p for p in search["parameters"]}
    assert set(names) == {"q", "lang", "limit", "audience", "district", "event", "online", "mode"}
    assert names["q"]["required"] and names["limit"]["schema"] == {"type": "integer", "minimum": 1, "maximum": 50}
    assert search["responses"]["200"]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/SearchResponse"}
    schema = openapi_document()["components"]["schemas"]["SearchResponse"]
    assert {"best", "elsewhere"} <= set(schema["properties"]) and "best" in schema["required"]


def test_request_bodies_are_the_models_the_handlers_validate_with() -> None:
    paths = openapi_document()["paths"]
    bodies = {
        ("post", "/api/services/{id}/eligibility"): "EligibilityRequest",
        ("post", "/api/questions/{id}/parse"): "ParseRequest",
        ("post", "/api/handoff/application"): "ApplicationLinkRequest",
        ("post", "/api/handoff/redeem"): "RedeemRequest",
        ("post", "/api/tickets"): "TicketRequest",
        ("post", "/agent/api/send-link"): "SendLinkRequest",
        ("post", "/agent/api/tickets/{number}/reply"): "ReplyRequest",
    }
    for (method, path), name in bodies.items():
        assert paths[path][method]["requestBody"]["content"]["application/json"]["schema"] == {"$ref": f"#/components/schemas/{name}"}
