"""The OpenAPI 3.1 document of the catalogue service, served at ``/openapi.json``."""

from __future__ import annotations

from typing import Any

from aiohttp import web

__all__ = ["openapi_document", "OPERATIONS"]

ERROR = {"$ref": "#/components/schemas/Error"}


def _q(name: str, description: str, schema: dict[str, Any] | None = None, required: bool = False) -> dict[str, Any]:
    return {"name": name, "in": "query", "required": required, "description": description, "schema": schema or {"type": "string"}}


def _p(name: str, description: str) -> dict[str, Any]:
    return {"name": name, "in": "path", "required": True, "description": description, "schema": {"type": "string"}}


def _json(description: str, schema: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema or {"type": "object"}}}}


def _err(description: str) -> dict[str, Any]:
    return _json(description, ERROR)


LANG = _q("lang", "Language of texts: zh or en.", {"type": "string", "enum": ["zh", "en"]})

# (method, path) -> operation. Every route the app serves is listed here (checked by tests/test_docs.py).
OPERATIONS: dict[tuple[str, str], dict[str, Any]] = {
    ("get", "/health"): {"summary": "Liveness and readiness", "responses": {"200": _json("status ok when the search index is loaded, starting before")}},
    ("get", "/api/services"): {
        "summary": "List services (id, titles), filtered and paged",
        "parameters": [
            _q("audience", "individual or enterprise", {"type": "string", "enum": ["individual", "enterprise"]}),
            _q("district", "a district id from /api/districts"),
            _q("event", "a life or business event id from /api/events"),
            _q("page", "page number, from 1", {"type": "integer", "minimum": 1}),
            _q("per_page", "items per page, 1-200 (default 50)", {"type": "integer", "minimum": 1, "maximum": 200}),
        ],
        "responses": {"200": _json("total, page, per_page, items"), "400": _err("an invalid filter or paging value")},
    },
    ("get", "/api/services/{id}"): {
        "summary": "One service in full (both languages, documents, cost, time, channels with centres, eligibility criteria)",
        "parameters": [_p("id", "the service id"), _q("district", "list this district's centres first")],
        "responses": {"200": _json("the service"), "404": _err("no service with that id")},
    },
    ("get", "/api/events"): {"summary": "The life and business event vocabulary, with service counts", "responses": {"200": _json("items")}},
    ("get", "/api/districts"): {"summary": "The 16 districts with their service centres", "responses": {"200": _json("items")}},
    ("get", "/api/questions"): {"summary": "The eligibility question bank", "responses": {"200": _json("items")}},
    ("get", "/api/search"): {
        "summary": "Hybrid semantic search (BM25 + embeddings) in Chinese and English",
        "description": "confident is false, with results empty and at most three suggestions, when nothing fits the query.",
        "parameters": [
            _q("q", "what the citizen said, 1-500 characters", required=True),
            _q("lang", "zh, en or auto (default)", {"type": "string", "enum": ["zh", "en", "auto"]}),
            _q("limit", "1-50, default 5", {"type": "integer", "minimum": 1, "maximum": 50}),
            _q("audience", "individual or enterprise", {"type": "string", "enum": ["individual", "enterprise"]}),
            _q("district", "only services offered in this district"),
            _q("event", "only services for this life or business event"),
            _q("online", "true: only services with an online application", {"type": "boolean"}),
            _q("mode", "hybrid (default), lexical or dense", {"type": "string", "enum": ["hybrid", "lexical", "dense"]}),
        ],
        "responses": {
            "200": _json("query, lang, confident, confidence, results [{id, title, score, why}], suggestions", {"$ref": "#/components/schemas/SearchResponse"}),
            "400": _err("empty or over-long query, or an invalid parameter"),
            "503": _err("the index is still loading"),
        },
    },
    ("post", "/admin/reload"): {
        "summary": "Re-read the catalogue files (admin token required)",
        "description": "A catalogue that fails validation is rejected with every problem listed; the previous one keeps serving.",
        "security": [{"adminToken": []}],
        "responses": {"200": _json("reloaded, services"), "401": _err("missing or wrong token, or admin calls disabled"), "422": _err("the new catalogue is invalid; details lists file, line, field, message")},
    },
    ("get", "/"): {"summary": "Demo portal home page carrying the chat widget", "responses": {"200": {"description": "HTML"}}},
    ("get", "/docs"): {"summary": "This API documentation, rendered", "responses": {"200": {"description": "HTML"}}},
    ("get", "/openapi.json"): {"summary": "This OpenAPI document", "responses": {"200": _json("OpenAPI 3.1")}},
    ("get", "/widget.js"): {"summary": "The chat widget script (one script tag on any page)", "responses": {"200": {"description": "JavaScript"}}},
}

OPERATIONS.update(
    {
        ("post", "/api/services/{id}/eligibility"): {
            "summary": "Assess eligibility over the answers given so far",
            "description": "Body: {answers: {question_id: value}, lang: zh|en}. status is eligible, ineligible or unknown; next_question is the one question that can still change the outcome soonest; reasons explain each criterion; would_qualify_if says what would change a no; alternatives lists related services not ruled out.",
            "parameters": [_p("id", "the service id")],
            "requestBody": {"content": {"application/json": {"schema": {"type": "object", "properties": {"answers": {"type": "object"}, "lang": {"type": "string", "enum": ["zh", "en"]}}}}}},
            "responses": {"200": _json("status, next_question, reasons, missing, would_qualify_if, alternatives"), "400": _err("an answer of the wrong type or out of range (field names it)"), "404": _err("no such service")},
        },
        ("post", "/api/questions/{id}/parse"): {
            "summary": "Understand a free-text answer (Chinese numerals, yes/no variants, dates, districts)",
            "description": "Body: {text, lang}. Use the id district to find one of the 16 districts.",
            "parameters": [_p("id", "a question id, or district")],
            "responses": {"200": _json("understood, value"), "400": _err("missing or over-long text"), "404": _err("no such question")},
        },
    }
)

EXTRA_OPERATIONS: dict[tuple[str, str], dict[str, Any]] = {}


def openapi_document(app: web.Application | None = None) -> dict[str, Any]:
    paths: dict[str, dict[str, Any]] = {}
    for (method, path), op in {**OPERATIONS, **EXTRA_OPERATIONS}.items():
        paths.setdefault(path, {})[method] = op
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Citizen service assistant: catalogue service",
            "version": "0.1.0",
            "description": "Service catalogue, hybrid search, eligibility and handoff for the citizen service assistant. Demo data is sample data modelled on real services.",
        },
        "paths": paths,
        "components": {
            "securitySchemes": {"adminToken": {"type": "http", "scheme": "bearer"}},
            "schemas": {
                "Error": {
                    "type": "object",
                    "required": ["error", "message"],
                    "properties": {"error": {"type": "string"}, "message": {"type": "string"}, "field": {"type": "string"}, "details": {}},
                },
                "SearchResponse": {
                    "type": "object",
                    "required": ["query", "lang", "confident", "results"],
                    "properties": {
                        "query": {"type": "string"},
                        "lang": {"type": "string", "enum": ["zh", "en"]},
                        "confident": {"type": "boolean"},
                        "confidence": {"type": "number"},
                        "results": {"type": "array", "items": {"$ref": "#/components/schemas/Hit"}},
                        "suggestions": {"type": "array", "items": {"$ref": "#/components/schemas/Hit"}},
                    },
                },
                "Hit": {
                    "type": "object",
                    "properties": {"id": {"type": "string"}, "title": {"type": "string"}, "score": {"type": "number"}, "why": {"type": "array", "items": {"type": "object"}}},
                },
            },
        },
    }
