"""The agent console's part of the OpenAPI document (routes in ``agent_auth.py``, ``routes_agent.py``, ``routes_agent_tickets.py``)."""

from __future__ import annotations

from typing import Any

from .openapi_schema import body, ok, query
from .schemas import AgentSearchResponse, EligibilityRequest, EligibilityResponse, ReplyRequest, SearchQuery, SendLinkRequest

__all__ = ["AGENT_OPERATIONS", "AGENT_SECURITY_SCHEMES"]

ERROR = {"$ref": "#/components/schemas/Error"}
SESSION: list[dict[str, list[str]]] = [{"agentSession": []}]
STATE_CHANGING: list[dict[str, list[str]]] = [{"agentSession": [], "csrfToken": []}]


def _json(description: str, schema: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema or {"type": "object"}}}}


def _err(description: str) -> dict[str, Any]:
    return _json(description, ERROR)


NO_SESSION = {"401": _err("no console session (sign in at POST /agent/login), or it has ended")}
REFUSED = {
    **NO_SESSION,
    "403": _err("csrf_failed: the X-CSRF-Token header is missing or is not this session's (GET /agent/api/session)"),
    "429": _err("too many requests from this address"),
}
NUMBER = {"name": "number", "in": "path", "required": True, "description": "the ticket number, e.g. T20261201-0001", "schema": {"type": "string"}}
SERVICE_ID = {"name": "id", "in": "path", "required": True, "description": "the service id", "schema": {"type": "string"}}
LANG = {"name": "lang", "in": "query", "description": "the caller's language: zh (default) or en", "schema": {"type": "string", "enum": ["zh", "en"]}}
TICKET_ITEM = {
    "type": "object",
    "properties": {
        k: {"type": t}
        for k, t in {
            "number": "string",
            "conversation_id": ["string", "null"],
            "channel": "string",
            "language": "string",
            "summary": "string",
            "service_id": ["string", "null"],
            "created_at": "string",
            "status": "string",
            "agent": ["string", "null"],
            "taken_at": ["string", "null"],
            "position": "integer",
            "subject": ["string", "null"],  # who the citizen asks for: mother, son...; null for themself
        }.items()
    },
}
TAKEN_ELSEWHERE = _err("conflict: the ticket is closed, or another agent has it")
CHAT_DOWN = _err("unavailable: Rasa cannot be reached, refused the token, or the catalogue service does not know RASA_AUTH_TOKEN")

AGENT_OPERATIONS: dict[tuple[str, str], dict[str, Any]] = {
    ("get", "/agent"): {
        "summary": "The agent console (HTML) for a signed-in agent; the login page for anyone else",
        "responses": {"200": {"description": "HTML"}},
    },
    ("post", "/agent/login"): {
        "summary": "Sign in: sets the agent_session cookie (HttpOnly, SameSite=Strict, Path=/agent)",
        "description": (
            "Form fields username and password. With Accept: application/json the answer is {agent, role, csrf_token}; a browser form gets "
            "303 to /agent. Failed logins are counted per address (20 per 15 min) and per name (5 per 15 min); past either limit every attempt "
            "is refused with 429 until the window passes. A request whose Origin is another site is refused."
        ),
        "requestBody": {
            "required": True,
            "content": {
                "application/x-www-form-urlencoded": {
                    "schema": {
                        "type": "object",
                        "required": ["username", "password"],
                        "properties": {"username": {"type": "string"}, "password": {"type": "string"}},
                    }
                }
            },
        },
        "responses": {
            "200": _json("agent, role, csrf_token (Accept: application/json)"),
            "303": {"description": "a browser form: to /agent, or /agent?failed=1"},
            "400": _err("a malformed username or password"),
            "401": _err("wrong name or password (JSON clients)"),
            "403": _err("the form was posted from another site"),
            "429": _err("too many failed logins from this address or for this name"),
        },
    },
    ("post", "/agent/logout"): {
        "summary": "Sign out: the session ends and the cookie is cleared",
        "security": STATE_CHANGING,
        "responses": {"200": _json("signed_out"), **REFUSED},
    },
    ("get", "/agent/api/session"): {
        "summary": "Who is signed in, and the CSRF token for state-changing calls",
        "security": SESSION,
        "responses": {"200": _json("agent, role (agent or supervisor), csrf_token"), **NO_SESSION},
    },
    ("get", "/agent/api/search"): {
        "summary": "Search the catalogue as the agent types (bilingual, hybrid); audited with the agent's name",
        "security": SESSION,
        "parameters": query(SearchQuery),
        "responses": {
            "200": ok(
                "query, lang, confident, results [{id, title, summary, score}], suggestions (limit: default 8); best and offered: the assistant's own decision",
                AgentSearchResponse,
            ),
            "400": _err("empty or over-long query, or an invalid parameter"),
            **NO_SESSION,
            "503": _err("the index is still loading"),
        },
    },
    ("get", "/agent/api/services/{id}"): {
        "summary": "A service in full for reading to a caller, with a ready answer in the caller's language",
        "description": "Documents, cost, time, legal basis, competent authority, the centres in the caller's district first (hours, phone), the online link, and answer: the text to read out.",
        "security": SESSION,
        "parameters": [SERVICE_ID, LANG, {"name": "district", "in": "query", "description": "the caller's district id", "schema": {"type": "string"}}],
        "responses": {
            "200": _json(
                "id, title, summary, documents, cost, processing_days, legal_basis, online_url, district, in_district, centres, has_eligibility, answer"
            ),
            "400": _err("an unknown district or lang"),
            **NO_SESSION,
            "404": _err("no such service"),
        },
    },
    ("post", "/agent/api/services/{id}/eligibility"): {
        "summary": "The eligibility engine for a caller (as POST /api/services/{id}/eligibility); audited",
        "security": STATE_CHANGING,
        "parameters": [SERVICE_ID],
        "requestBody": body(EligibilityRequest),
        "responses": {
            "200": ok("status, next_question, reasons, missing, would_qualify_if, alternatives", EligibilityResponse),
            "400": _err("an answer of the wrong type (field names it)"),
            **REFUSED,
            "404": _err("no such service"),
        },
    },
    ("post", "/agent/api/send-link"): {
        "summary": "Send the caller the pre-filled, single-use application link: by SMS (phone) or into their chat (ticket)",
        "description": (
            "Body {service_id, answers, lang, consent: true, phone | ticket}. The link is minted as POST /api/handoff/application does. "
            "By SMS through the configured gateway (CATALOG_SMS_URL; a logging gateway by default); into the chat of an open ticket the agent "
            "has taken. The answer shows the number masked (138****5678)."
        ),
        "security": STATE_CHANGING,
        "requestBody": body(SendLinkRequest),
        "responses": {
            "200": _json("sent, via (sms or chat), to (masked number or ticket), service_id, expires_in"),
            "400": _err("no consent, neither or both of phone and ticket, a malformed number or answer"),
            **REFUSED,
            "404": _err("no such service or ticket"),
            "409": _err("the ticket is closed, not yours, or came from no conversation"),
            "503": _err("the SMS gateway or the chat server cannot be reached"),
        },
    },
    ("get", "/agent/api/tickets"): {
        "summary": "The handoff queue: open tickets oldest first with their place in it, or the latest closed ones",
        "security": SESSION,
        "parameters": [{"name": "status", "in": "query", "description": "open (default) or closed", "schema": {"type": "string", "enum": ["open", "closed"]}}],
        "responses": {
            "200": _json("items", {"type": "object", "properties": {"items": {"type": "array", "items": TICKET_ITEM}}}),
            "400": _err("bad status"),
            **NO_SESSION,
        },
    },
    ("get", "/agent/api/tickets/{number}"): {
        "summary": "One ticket: the bot's transcript, the citizen's answers, and their messages since it was taken",
        "security": SESSION,
        "parameters": [NUMBER],
        "responses": {
            "200": _json("the queue item plus transcript, answers, service_title, messages [{text, ts}]"),
            **NO_SESSION,
            "404": _err("no such ticket"),
        },
    },
    ("post", "/agent/api/tickets/{number}/take"): {
        "summary": "Take a ticket: the bot pauses in the conversation (Rasa ConversationPaused) and the citizen is told a person joined",
        "description": "A supervisor may take a ticket another agent has. When Rasa cannot pause the conversation the ticket goes back to the queue.",
        "security": STATE_CHANGING,
        "parameters": [NUMBER],
        "responses": {"200": _json("the queue item, paused"), **REFUSED, "404": _err("no such ticket"), "409": TAKEN_ELSEWHERE, "503": CHAT_DOWN},
    },
    ("post", "/agent/api/tickets/{number}/reply"): {
        "summary": "Write to the citizen on their own channel (widget, WeChat, Telegram): body {text}",
        "security": STATE_CHANGING,
        "parameters": [NUMBER],
        "requestBody": body(ReplyRequest),
        "responses": {
            "200": _json("sent, number, channel"),
            "400": _err("empty or over-long text"),
            **REFUSED,
            "404": _err("no such ticket"),
            "409": _err("the ticket is closed, not yours, or came from no conversation"),
            "503": CHAT_DOWN,
        },
    },
    ("post", "/agent/api/tickets/{number}/resolve"): {
        "summary": "Resolve a ticket: a closing message, the bot resumes the conversation, the ticket closes",
        "security": STATE_CHANGING,
        "parameters": [NUMBER],
        "responses": {"200": _json("the queue item (closed), resumed"), **REFUSED, "404": _err("no such ticket"), "409": TAKEN_ELSEWHERE, "503": CHAT_DOWN},
    },
    ("get", "/agent/api/events"): {
        "summary": "The live inbox (server-sent events): snapshot, then ticket and message events",
        "description": (
            "event snapshot: {items} (the open queue); event ticket: a ticket created, taken or closed (a queue item); event message: "
            "{number, conversation_id, text, ts}, a citizen's message in a conversation an agent has taken (read from Rasa by the server)."
        ),
        "security": SESSION,
        "responses": {"200": {"description": "text/event-stream"}, **NO_SESSION},
    },
}

AGENT_SECURITY_SCHEMES = {
    "agentSession": {"type": "apiKey", "in": "cookie", "name": "agent_session", "description": "the console session cookie set by POST /agent/login"},
    "csrfToken": {"type": "apiKey", "in": "header", "name": "X-CSRF-Token", "description": "the session's CSRF token (GET /agent/api/session)"},
}
