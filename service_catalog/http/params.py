"""Reading requests: query parameters and JSON bodies, each refusal a 400/413 naming the field.

Shared by every route module (``routes_*.py``), so none borrows another's helpers.
"""

from __future__ import annotations

import json
from typing import Any, TypeVar

from aiohttp import web
from pydantic import BaseModel, ValidationError

from ..errors import InvalidRequest, PayloadTooLarge
from .schemas import Refusal

__all__ = ["MAX_BODY", "body_lang", "body_model", "bool_param", "choice_param", "int_param", "json_body", "lang_param", "query_model", "refusal"]

M = TypeVar("M", bound=BaseModel)

MAX_BODY = 256 * 1024  # the largest request body the service accepts (the app's client_max_size)


async def json_body(request: web.Request, limit: int) -> dict[str, Any]:
    """The request body as a JSON object of at most ``limit`` bytes, or a 400/413 naming the problem."""
    if request.content_length is not None and request.content_length > limit:
        raise PayloadTooLarge(f"the request body is larger than {limit // 1024} KB", field="body")
    raw = await request.read()
    if len(raw) > limit:
        raise PayloadTooLarge(f"the request body is larger than {limit // 1024} KB", field="body")
    try:
        body = json.loads(raw)
    except ValueError:
        raise InvalidRequest("the request body must be JSON", field="body") from None
    if not isinstance(body, dict):
        raise InvalidRequest("the request body must be a JSON object", field="body")
    return body


def body_lang(body: dict[str, Any]) -> str:
    """The ``lang`` field of a JSON body: ``zh`` or ``en`` (default)."""
    lang = body.get("lang", "en")
    if lang not in {"zh", "en"}:
        raise InvalidRequest(f"lang must be zh or en, got {lang!r}", field="lang")
    return str(lang)


def choice_param(request: web.Request, name: str, allowed: set[str] | None) -> str | None:
    value = request.query.get(name)
    if value is None or value == "":
        return None
    if allowed is not None and value not in allowed:
        shown = ", ".join(sorted(allowed)) if len(allowed) <= 20 else f"one of the {len(allowed)} ids at the matching /api/ list"
        raise InvalidRequest(f"unknown {name} {value!r}; valid: {shown}", field=name)
    return value


def int_param(request: web.Request, name: str, default: int, lo: int, hi: int) -> int:
    raw = request.query.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise InvalidRequest(f"{name} must be an integer, got {raw!r}", field=name) from None
    if not lo <= value <= hi:
        raise InvalidRequest(f"{name} must be between {lo} and {hi}, got {value}", field=name)
    return value


def bool_param(request: web.Request, name: str) -> bool:
    raw = request.query.get(name, "").lower()
    if raw in {"", "false", "0"}:
        return False
    if raw in {"true", "1"}:
        return True
    raise InvalidRequest(f"{name} must be true/false/1/0, got {raw!r}", field=name)


def lang_param(request: web.Request, allow_auto: bool = False) -> str:
    allowed = {"zh", "en", "auto"} if allow_auto else {"zh", "en"}
    lang = request.query.get("lang", "auto" if allow_auto else "en")
    if lang not in allowed:
        raise InvalidRequest(f"lang must be one of {', '.join(sorted(allowed))}, got {lang!r}", field="lang")
    return lang


def refusal(exc: ValidationError, where: str, error: type[InvalidRequest] = InvalidRequest) -> InvalidRequest:
    """The first problem pydantic found, as a 400 naming the field (``answers.age``, ``transcript[0].who``)."""
    first = exc.errors(include_url=False)[0]
    field = "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in first["loc"]).lstrip(".") or "body"
    cause = (first.get("ctx") or {}).get("error")
    if isinstance(cause, Refusal):
        return error(str(cause), field=cause.field)
    if isinstance(cause, ValueError):
        return error(str(cause), field=field)
    if first["type"] == "missing":
        message = f"the query parameter {field} is missing or empty" if where == "query" else f"{field} is required"
        return error(message, field=field)
    return error(f"{field}: {first['msg']}", field=field)


def query_model(request: web.Request, model: type[M], error: type[InvalidRequest] = InvalidRequest) -> M:
    """The query string validated by ``model`` (empty values count as absent; the first of repeated ones counts).

    Raises:
        InvalidRequest (or ``error``): a 400 naming the parameter.
    """
    raw = {name: request.query.getone(name) for name in request.query if request.query.getone(name) != ""}
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        raise refusal(exc, "query", error) from None


async def body_model(request: web.Request, model: type[M], limit: int = MAX_BODY) -> M:
    """The JSON body (at most ``limit`` bytes) validated by ``model``.

    Raises:
        InvalidRequest: not JSON, not an object, or a field the model refuses (``field`` names it).
        PayloadTooLarge: over ``limit``.
    """
    body = await json_body(request, limit)
    try:
        return model.model_validate(body)
    except ValidationError as exc:
        raise refusal(exc, "body") from None
