"""Reading requests: query parameters and JSON bodies, each refusal a 400/413 naming the field.

Shared by every route module (``routes_*.py``), so none borrows another's helpers.
"""

from __future__ import annotations

import json
from typing import Any

from aiohttp import web

from ..errors import InvalidRequest, PayloadTooLarge

__all__ = ["MAX_BODY", "body_lang", "bool_param", "choice_param", "int_param", "json_body", "lang_param"]

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
