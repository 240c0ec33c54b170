"""The insights' part of the OpenAPI document: feedback, the summary, unmet topics, marks, /metrics.

Each handler is ``@documented(**OPERATIONS[...])`` (http/README.md), which ``openapi_document``
collects from the app's routes. The request bodies are the pydantic models the handlers validate
with (``params.body_model``), so the document cannot drift from the code.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field, ValidationInfo, field_validator

from ..insights.events import MAX_DAYS
from .openapi_schema import body, schema_ref
from .schemas import ErrorBody

__all__ = ["OPERATIONS", "FeedbackRequest", "MarkRequest"]

ERROR = schema_ref(ErrorBody)
READERS: list[dict[str, list[str]]] = [{"adminRead": []}, {"agentSession": []}]
MARKERS: list[dict[str, list[str]]] = [{"adminOperate": []}, {"agentSession": [], "csrfToken": []}]


class FeedbackRequest(BaseModel):
    """A citizen's rating of one answer; the conversation is proven by the service credential or ``session``."""

    conversation_id: str | None = Field(None, min_length=1, max_length=128, description="required with X-Internal-Token; else it must match session")
    session: str | None = Field(None, max_length=200, description="the widget's signed session id <conversation>.<expiry>.<signature>")
    answer_id: str = Field(pattern=r"^[A-Za-z0-9_-]{1,64}$", description="the answer's id from its outcome marker")
    service_id: str | None = Field(None, pattern=r"^[a-z0-9]+(?:[-_][a-z0-9]+)*$")
    rating: Literal["up", "down"]
    reason: Literal["wrong_service", "unclear", "outdated", "could_not_apply", "other"] | None = Field(None, description="with a down rating only")
    lang: Literal["zh", "en"]
    channel: str = Field(pattern=r"^[A-Za-z0-9_.:-]{1,40}$")

    @field_validator("reason")
    @classmethod
    def _with_down_only(cls, reason: str | None, info: ValidationInfo) -> str | None:
        if reason is not None and info.data.get("rating") == "up":
            raise ValueError("a reason is given with a down rating only")
        return reason


class MarkRequest(BaseModel):
    """Mark an unmet topic; ``label`` is the topic's label as listed (it names the topic)."""

    status: Literal["added", "out_of_scope", "open"]
    label: str = Field(min_length=1, max_length=300)


def _json(description: str, schema: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema or {"type": "object"}}}}


DAYS = {
    "name": "days",
    "in": "query",
    "required": False,
    "description": f"the period: the last N days (1-{MAX_DAYS}, default 7)",
    "schema": {"type": "integer", "minimum": 1, "maximum": MAX_DAYS},
}
READ_REFUSED = {
    "400": _json("a parameter is out of range (field names it)", ERROR),
    "401": _json("no admin token and no console session", ERROR),
    "403": _json("a token of another scope, or a console account without the supervisor role", ERROR),
}
TOPICS = {
    "type": "object",
    "properties": {
        "days": {"type": "integer"},
        "topics": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["key", "label", "count", "examples", "trend", "status"],
                "properties": {
                    "key": {"type": "string"},
                    "label": {"type": "string", "description": "the topic's central question (masked)"},
                    "lang": {"type": "string", "enum": ["zh", "en"]},
                    "count": {"type": "integer", "description": "questions in the period"},
                    "previous": {"type": "integer", "description": "questions in the period before"},
                    "trend": {"type": "string", "enum": ["new", "up", "down", "steady"]},
                    "examples": {"type": "array", "items": {"type": "string"}},
                    "status": {"type": "string", "enum": ["open", "added", "out_of_scope"]},
                },
            },
        },
    },
}

OPERATIONS: dict[str, dict[str, Any]] = {
    "feedback": {
        "summary": "Rate an answer (thumbs up or down), once per answer and conversation",
        "description": "Who may call: the action server (X-Internal-Token, naming conversation_id) or a front end holding the widget conversation (session). docs/insights.md.",
        "tags": ["insights"],
        "security": [{"internalToken": []}, {}],
        "requestBody": body(FeedbackRequest),
        "responses": {
            "201": _json("stored: {stored, answer_id, rating}"),
            "400": _json("a field is missing or invalid (field names it)", ERROR),
            "401": _json("no proof of the conversation: a wrong service credential, or no valid unexpired session", ERROR),
            "403": _json("session belongs to another conversation than conversation_id", ERROR),
            "409": _json("this answer was already rated in this conversation", ERROR),
            "413": _json("the body is larger than 4 KB", ERROR),
        },
    },
    "summary": {
        "summary": "Insights: sessions, containment, handoff, nothing matched, abandonment, first human reply, feedback and CSAT, top services and events",
        "description": "Every figure is defined in docs/insights.md. Readable with the admin read token or by a signed-in supervisor.",
        "tags": ["insights"],
        "security": READERS,
        "parameters": [
            DAYS,
            {
                "name": "abandon_minutes",
                "in": "query",
                "required": False,
                "description": "minutes without a reply after the bot asked before a session counts as abandoned (default CATALOG_INSIGHTS_ABANDON_MINUTES)",
                "schema": {"type": "integer", "minimum": 0, "maximum": 1440},
            },
        ],
        "responses": {"200": _json("the figures of the period (rates are null when nothing was counted)"), **READ_REFUSED},
    },
    "unmet": {
        "summary": "Unmet needs: questions that found no service, grouped into topics",
        "tags": ["insights"],
        "security": READERS,
        "parameters": [DAYS],
        "responses": {"200": _json("{days, topics: [{key, label, lang, count, previous, trend, examples, status}]}", TOPICS), **READ_REFUSED},
    },
    "unmet_csv": {
        "summary": "Unmet needs as CSV for the catalogue team (UTF-8 with BOM)",
        "tags": ["insights"],
        "security": READERS,
        "parameters": [DAYS],
        "responses": {
            "200": {"description": "key,label,lang,count,previous,trend,status,examples", "content": {"text/csv": {"schema": {"type": "string"}}}},
            **READ_REFUSED,
        },
    },
    "mark": {
        "summary": "Mark an unmet topic as added to the catalogue or out of scope (or open again)",
        "tags": ["insights"],
        "security": MARKERS,
        "parameters": [{"name": "key", "in": "path", "required": True, "description": "the topic's key", "schema": {"type": "string"}}],
        "requestBody": body(MarkRequest),
        "responses": {
            "200": _json("{key, status}"),
            "400": _json("status or label is invalid (field names it)", ERROR),
            "401": _json("no admin token and no console session", ERROR),
            "403": _json("a token of another scope, an agent without the supervisor role, or no CSRF token", ERROR),
            "404": _json("no topic with this key has this label", ERROR),
        },
    },
    "page": {
        "summary": "The insights page (HTML) for signed-in supervisors; anyone else is sent to the console's sign-in",
        "tags": ["insights"],
        "security": [{"agentSession": []}],
        "responses": {
            "200": {"description": "the page", "content": {"text/html": {"schema": {"type": "string"}}}},
            "303": {"description": "not signed in: to /agent"},
            "403": _json("an agent without the supervisor role", ERROR),
        },
    },
    "metrics": {
        "summary": "Operational metrics in Prometheus' text format",
        "description": "From CATALOG_METRICS_NETWORKS (loopback by default) without a proxy in between, or with the admin read token. Never published by the edge.",
        "tags": ["operations"],
        "security": [{}, {"adminRead": []}],
        "responses": {
            "200": {"description": "the metrics", "content": {"text/plain": {"schema": {"type": "string"}}}},
            "401": _json("a wrong admin token", ERROR),
            "403": _json("from outside the internal network without the read token, or a token of another scope", ERROR),
        },
    },
}
