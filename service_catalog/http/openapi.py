"""The OpenAPI 3.1 document of the catalogue service, served at ``/openapi.json``.

Why this module is long: it is the table of every operation (summary, who may call it, each
refusal). The shapes are not written here: query parameters, request bodies and response bodies
are the pydantic models of ``schemas.py`` that the handlers validate with (``query(Model)``,
``body(Model)``, ``ok(text, Model)``), turned into JSON Schema when the document is built.

A route module may also describe its operations next to its handlers with ``@documented(...)``
(see http/README.md); the document is built from the routes the app really serves, so a route
without a description fails ``tests/test_docs.py``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from aiohttp import web

from .openapi_agent import AGENT_OPERATIONS, AGENT_SECURITY_SCHEMES
from .openapi_schema import body, components, ok, query, schema_ref
from .schemas import (
    ApplicationLink,
    ApplicationLinkRequest,
    EarlierRequest,
    EarlierResponse,
    EligibilityRequest,
    EligibilityResponse,
    ErrorBody,
    Health,
    ParseRequest,
    ParseResponse,
    RedeemRequest,
    SearchQuery,
    SearchResponse,
    ServiceList,
    ServicesQuery,
    TicketCreated,
    TicketRequest,
    TicketsQuery,
    TurnRequest,
    TurnResponse,
)

__all__ = ["OPERATIONS", "body", "documented", "ok", "openapi_document", "query"]

ERROR = schema_ref(ErrorBody)
H = TypeVar("H", bound=Callable[..., Any])


def documented(**operation: Any) -> Callable[[H], H]:
    """Describe a handler's operation next to it (summary, security, ``parameters=query(Model)``,
    ``requestBody=body(Model)``, ``responses``); ``openapi_document`` finds it through the app's routes."""

    def attach(handler: H) -> H:
        setattr(handler, "__openapi__", operation)  # noqa: B010 (a plain attribute on a function)
        return handler

    return attach


def _q(name: str, description: str, schema: dict[str, Any] | None = None, required: bool = False) -> dict[str, Any]:
    return {"name": name, "in": "query", "required": required, "description": description, "schema": schema or {"type": "string"}}


def _p(name: str, description: str) -> dict[str, Any]:
    return {"name": name, "in": "path", "required": True, "description": description, "schema": {"type": "string"}}


def _json(description: str, schema: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema or {"type": "object"}}}}


def _err(description: str) -> dict[str, Any]:
    return _json(description, ERROR)


LIMITED_PREFIXES = ("/api/", "/admin/", "/portal/", "/agent/")
RATE_LIMITED = _err("too many requests (error rate_limited, retry_after in seconds, details.limit); the Retry-After header says when to come back")
ADMIN_REFUSED = {
    "401": _err("missing or wrong token, or this admin scope is disabled"),
    "403": _err("a valid admin token of another scope"),
    "429": _err("too many wrong credentials from this address lately (refused even with the right token until Retry-After)"),
}
INTERNAL_ONLY = _err("the service credential (X-Internal-Token) is missing or wrong: only the assistant's own servers may call this")

LANG = _q("lang", "Language of texts: zh or en.", {"type": "string", "enum": ["zh", "en"]})

# (method, path) -> operation. Every route the app serves is listed here (checked by tests/test_docs.py).
OPERATIONS: dict[tuple[str, str], dict[str, Any]] = {
    ("get", "/health"): {"summary": "Liveness and readiness", "responses": {"200": ok("status ok when the search index is loaded, starting before", Health)}},
    ("get", "/api/services"): {
        "summary": "List services (id, titles), filtered and paged",
        "parameters": query(ServicesQuery),
        "responses": {"200": ok("total, page, per_page, items", ServiceList), "400": _err("an invalid filter or paging value")},
    },
    ("get", "/api/services/{id}"): {
        "summary": "One service in full (both languages, documents, cost, time, channels with centres, eligibility criteria)",
        "parameters": [_p("id", "the service id"), _q("district", "list this district's centres first")],
        "responses": {"200": _json("the service"), "400": _err("an unknown district"), "404": _err("no service with that id")},
    },
    ("get", "/api/events"): {"summary": "The life and business event vocabulary, with service counts", "responses": {"200": _json("items")}},
    ("get", "/api/districts"): {"summary": "The 16 districts with their service centres", "responses": {"200": _json("items")}},
    ("get", "/api/questions"): {"summary": "The eligibility question bank", "responses": {"200": _json("items")}},
    ("get", "/api/search"): {
        "summary": "Hybrid semantic search (BM25 + embeddings) in Chinese and English",
        "description": "confident is false, with results empty and at most three suggestions, when nothing fits the query.",
        "parameters": query(SearchQuery),
        "responses": {
            "200": ok("query, lang, confident, confidence, results [{id, title, score, why}], suggestions, best, elsewhere", SearchResponse),
            "400": _err("empty or over-long query, or an invalid parameter"),
            "429": RATE_LIMITED,
            "503": _err("the index is still loading"),
        },
    },
    ("post", "/admin/reload"): {
        "summary": "Re-read the catalogue files (admin scope operate: CATALOG_ADMIN_OPERATE_TOKEN)",
        "description": "A catalogue that fails validation is rejected with every problem listed; the previous one keeps serving.",
        "security": [{"adminOperate": []}],
        "responses": {
            "200": _json("reloaded, services"),
            **ADMIN_REFUSED,
            "422": _err("the new catalogue is invalid; details lists file, line, field, message"),
        },
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
            "requestBody": body(EligibilityRequest),
            "responses": {
                "200": ok("status, next_question, reasons, missing, would_qualify_if, alternatives", EligibilityResponse),
                "400": _err("an answer of the wrong type or out of range (field names it)"),
                "404": _err("no such service"),
            },
        },
        ("post", "/api/questions/{id}/parse"): {
            "summary": "Understand a free-text answer (units, approximations, yes/no read for meaning, dates, districts)",
            "description": 'Body: {text, lang}. Use the id district to find one of the 16 districts. A number is converted to the question\'s unit ("about 3 years" to a question in months is 36); reading says how the words were read; uncertain is true, with a confirm question, when the reading should be confirmed ("36 months — is that right?").',
            "parameters": [_p("id", "a question id, or district")],
            "requestBody": body(ParseRequest),
            "responses": {
                "200": ok("understood, value, reading, uncertain, confirm", ParseResponse),
                "400": _err("missing or over-long text"),
                "404": _err("no such question"),
            },
        },
        ("post", "/api/services/{id}/eligibility/turn"): {
            "summary": "What one utterance does in a check: answer, confirm, deny, correct an earlier answer, or start over",
            "description": "Body: {text, lang, answers, said, asked, pending}. kind is answer, correction (question_id names the earlier question), confirm or deny (of pending), start_over (the answers of this check are cleared) or unknown; answers and said are what to keep from now on; pending is a reading to confirm with the confirm question. Public, like the eligibility check.",
            "parameters": [_p("id", "the service id")],
            "requestBody": body(TurnRequest),
            "responses": {
                "200": ok("kind, question_id, value, reading, uncertain, confirm, answers, said, pending", TurnResponse),
                "400": _err("missing or over-long text, a malformed answer, an unknown asked question"),
                "404": _err("no such service"),
                "429": RATE_LIMITED,
            },
        },
        ("post", "/api/services/{id}/eligibility/earlier"): {
            "summary": "Which of a check's questions the citizen's earlier words already answer (\"my dad is 70 and needs a care home\")",
            "description": "Body: {texts (at most 20, oldest first: what the citizen said before the check about the person it is for), lang, answers, said, subject}. taken: answers read with clear evidence, kept, each with a line showing how it was read; noted: facts about the person that many checks ask (nationality, hukou...), kept with their answers; offered: unsure readings; pending: the first offered one still open, with its confirm question. answers and said are what to keep from now on. Public, like the eligibility check.",
            "parameters": [_p("id", "the service id")],
            "requestBody": body(EarlierRequest),
            "responses": {
                "200": ok("taken, noted, offered, answers, said, pending", EarlierResponse),
                "400": _err("more than 20 texts, an over-long text, a malformed answer, an unknown subject (field names it)"),
                "404": _err("no such service"),
                "429": RATE_LIMITED,
            },
        },
    }
)

# What the reference receiver answers when a link is refused (GET and POST alike; a wrong service never uses it up).
_LINK_REFUSALS: dict[str, Any] = {
    "400": {"description": "HTML: the handle is missing, malformed or unknown"},
    "403": {"description": "HTML: the link was made for another service (it is not used up)"},
    "404": {"description": "HTML: no such service"},
    "409": {"description": "HTML: the link has already been used"},
    "410": {"description": "HTML: the link has expired"},
    "429": {"description": "JSON: too many requests from this address"},
}


EXTRA_OPERATIONS: dict[tuple[str, str], dict[str, Any]] = {
    # Handoff (service_catalog/http/routes_handoff.py)
    ("post", "/api/handoff/application"): {
        "summary": "Make a short-lived, single-use link that opens the application with the consented answers pre-filled (service credential)",
        "description": (
            "Body (at most 64 KB): {service_id, answers: {question_id: value} (at most 100; strings at most 500 characters), lang: zh|en, channel, consent: true}. "
            "The answers are checked against the question bank and signed into an EdDSA JWT (audience portal-apply, verifiable with /.well-known/jwks.json), "
            "which the service keeps; the link (<portal_url>/<service_id>?h=<handle>) carries only an opaque handle, which expires after expires_in "
            "seconds (at most 900) and is redeemed once, by the reference receiver or by a portal over POST /api/handoff/redeem. "
            "Needs X-Internal-Token; limited per X-Conversation-Id."
        ),
        "security": [{"internalToken": []}],
        "requestBody": body(ApplicationLinkRequest),
        "responses": {
            "200": ok("url, expires_in, service_id", ApplicationLink),
            "400": _err("no explicit consent (field consent), or an answer of the wrong type (field names the question)"),
            "401": INTERNAL_ONLY,
            "404": _err("no such service"),
            "413": _err("the body is larger than 64 KB"),
            "429": RATE_LIMITED,
        },
    },
    ("post", "/api/handoff/redeem"): {
        "summary": "The portal's back channel: redeem a link's handle once for the signed token and its claims (portal credential)",
        "description": (
            "Body: {handle, service_id}. Needs Authorization: Bearer <CATALOG_PORTAL_TOKEN>. The first call gets the claims and the signed token "
            "(verifiable with /.well-known/jwks.json); every later one 409. A handle made for another service is refused (403) without being used up."
        ),
        "security": [{"portalToken": []}],
        "requestBody": body(RedeemRequest),
        "responses": {
            "200": _json("service_id, answers, lang, channel, jti, iat, exp, token (the signed EdDSA JWT)"),
            "400": _err("token_invalid: no such handle, or a malformed one"),
            "401": _err("missing or wrong portal token, or the back channel is disabled"),
            "403": _err("token_wrong_service: the handle was made for another service"),
            "409": _err("token_replayed: the handle has already been redeemed"),
            "410": _err("token_expired: the handle has expired"),
            "429": RATE_LIMITED,
        },
    },
    ("get", "/.well-known/jwks.json"): {
        "summary": "The public keys (JWKS, Ed25519) that verify handoff tokens; retired keys stay listed until their tokens expire",
        "responses": {"200": _json("keys [{kty: OKP, crv: Ed25519, x, kid, use: sig, alg: EdDSA}]")},
    },
    ("get", "/portal/apply/{service_id}"): {
        "summary": "Reference portal receiver (demo): a page with one button that opens the application; the link is not used up",
        "description": (
            "Answers HTML. Link checkers and chat apps' previews fetch links with GET or HEAD, so neither redeems the handle: the page's button "
            "POSTs it back. Refusals are bilingual HTML pages saying what happened and what to do next."
        ),
        "parameters": [_p("service_id", "the service the link was made for"), _q("h", "the link's opaque handle", required=True)],
        "responses": {"200": {"description": "HTML: a page with one button (a form posting the handle as h)"}, **_LINK_REFUSALS},
    },
    ("post", "/portal/apply/{service_id}"): {
        "summary": "Reference portal receiver (demo): redeem the link's handle once and show the pre-filled application form",
        "parameters": [_p("service_id", "the service the link was made for")],
        "requestBody": {
            "required": True,
            "content": {
                "application/x-www-form-urlencoded": {"schema": {"type": "object", "required": ["h"], "properties": {"h": {"type": "string"}}}},
            },
        },
        "responses": {"200": {"description": "HTML: the form with the consented answers, the documents checklist and a demo note"}, **_LINK_REFUSALS},
    },
    ("post", "/api/tickets"): {
        "summary": "Hand the conversation to a person: queue a ticket for the agent console (service credential)",
        "description": (
            "Body: {transcript: [{who: user|bot, text, ts?}], lang, channel, service_id?, answers?, summary?}. The last 200 entries are kept, "
            "each cut to 2,000 characters; transcript and answers are stored with personal data masked. Without a summary, one is made from the "
            "service title and the citizen's last message (at most 200 characters, personal data masked). Needs X-Internal-Token; limited per "
            "X-Conversation-Id, which the ticket keeps so that an agent can take the conversation over; while it has an open ticket no second one is made."
        ),
        "security": [{"internalToken": []}],
        "requestBody": body(TicketRequest),
        "responses": {
            "200": ok("the conversation (X-Conversation-Id) already has an open ticket: that one, created false, and the place in the queue", TicketCreated),
            "201": ok("ticket (e.g. T20261201-0001), hotline, status open, created true, position (place in the queue, 1 is next)", TicketCreated),
            "400": _err("a malformed transcript, lang, channel or answers"),
            "401": INTERNAL_ONLY,
            "429": RATE_LIMITED,
        },
    },
    ("get", "/api/tickets"): {
        "summary": "The ticket queue for the agent console, newest first (admin scope read: CATALOG_ADMIN_READ_TOKEN)",
        "security": [{"adminRead": []}],
        "parameters": query(TicketsQuery),
        "responses": {
            "200": _json("total, page, per_page, items [{number, created_at, status, lang, channel, service_id, summary}]"),
            "400": _err("an invalid filter"),
            **ADMIN_REFUSED,
        },
    },
    ("get", "/api/tickets/{number}"): {
        "summary": "One ticket with its transcript and answers, personal data masked (admin scope read: CATALOG_ADMIN_READ_TOKEN)",
        "security": [{"adminRead": []}],
        "parameters": [_p("number", "the ticket number, e.g. T20261201-0001")],
        "responses": {"200": _json("the ticket"), **ADMIN_REFUSED, "404": _err("no such ticket")},
    },
    ("get", "/api/services/{id}/centre"): {
        "summary": "Service-centre handoff: where to apply in person, with the documents to bring",
        "description": "The centres handling the service in the district, or the nearest listed ones when none is there (in_district false, distance_km set).",
        "parameters": [
            _p("id", "the service id"),
            _q("district", "a district id from /api/districts"),
            LANG,
            _q("channel", "the chat channel asking, for the audit record"),
        ],
        "responses": {
            "200": _json(
                "service_id, title, district, in_district, centres [{name, address, hours, phone, map_url, distance_km}], documents, online_url, hotline"
            ),
            "400": _err("an unknown district or lang"),
            "404": _err("no such service"),
        },
    },
    ("post", "/admin/rotate-key"): {
        "summary": "Make a new handoff signing key (admin scope keys: CATALOG_ADMIN_KEYS_TOKEN)",
        "description": "Tokens signed with the previous key keep verifying until they expire; its public key stays in the JWKS until then.",
        "security": [{"adminKeys": []}],
        "responses": {"200": _json("kid (the new key), keys (every key id in the JWKS)"), **ADMIN_REFUSED},
    },
}


def openapi_document(app: web.Application | None = None) -> dict[str, Any]:
    """The document: the tables above, plus every route of ``app`` whose handler is ``@documented``."""
    paths: dict[str, dict[str, Any]] = {}
    for (method, path), op in {**OPERATIONS, **EXTRA_OPERATIONS, **AGENT_OPERATIONS}.items():
        paths.setdefault(path, {})[method] = op
    for route in app.router.routes() if app is not None else ():
        described = getattr(route.handler, "__openapi__", None)
        if described is not None and route.method != "HEAD" and route.resource is not None:
            paths.setdefault(route.resource.canonical, {})[route.method.lower()] = described
    for path, ops in paths.items():
        if path.startswith(LIMITED_PREFIXES):  # ratelimit.py's rules: any of these may be refused for a while
            for method, op in ops.items():
                ops[method] = {**op, "responses": {**op.get("responses", {}), "429": op.get("responses", {}).get("429", RATE_LIMITED)}}
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Citizen service assistant: catalogue service",
            "version": "0.1.0",
            "description": "Service catalogue, hybrid search, eligibility and handoff for the citizen service assistant. Demo data is sample data modelled on real services.",
        },
        "paths": paths,
        "components": {
            "securitySchemes": {
                "adminRead": {"type": "http", "scheme": "bearer", "description": "CATALOG_ADMIN_READ_TOKEN: tickets and other personal data"},
                "adminOperate": {"type": "http", "scheme": "bearer", "description": "CATALOG_ADMIN_OPERATE_TOKEN: catalogue reload"},
                "adminKeys": {"type": "http", "scheme": "bearer", "description": "CATALOG_ADMIN_KEYS_TOKEN: signing-key rotation"},
                "portalToken": {"type": "http", "scheme": "bearer", "description": "CATALOG_PORTAL_TOKEN: the application portal's back channel"},
                "internalToken": {
                    "type": "apiKey",
                    "in": "header",
                    "name": "X-Internal-Token",
                    "description": "CATALOG_INTERNAL_TOKEN: the assistant's own servers",
                },
                **AGENT_SECURITY_SCHEMES,
            },
            "schemas": components(),
        },
    }
