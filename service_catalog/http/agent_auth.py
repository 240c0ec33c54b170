"""Agent console sign-in: the login and logout routes, the session cookie, CSRF, and the page.

- ``POST /agent/login`` (form ``username``, ``password``) checks the Argon2id hash off the event
  loop and sets ``agent_session``: a random 256-bit id, ``HttpOnly; SameSite=Strict; Path=/agent``
  (``Secure`` when ``CATALOG_PUBLIC_URL`` is https). The database keeps only its SHA-256; the
  session ends after ``CATALOG_AGENT_SESSION_HOURS`` (8) without a request, at logout, or when
  the account is disabled or its password changed.
- Failed logins count per address and per name (``RateLimiter.note_login_failure``); past the
  limit every attempt is refused with 429 until the window passes. Each is audited
  (``agent_login_failed``, kept 7 days); logins and logouts too.
- The CSRF token is HMAC-SHA256(session id, "csrf"): bound to the session, never stored, and not
  derivable from what the database holds. Every state-changing ``/agent/`` call but the login
  sends it in ``X-CSRF-Token`` (or a ``csrf_token`` form field); a login from another origin is refused.
- ``GET /agent`` is the console for a signed-in agent and the login page for anyone else.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import re
import secrets
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from aiohttp import web

from ..console.passwords import MAX_PASSWORD, hash_password, needs_rehash, verify_password
from ..errors import CsrfFailed, Forbidden, InvalidRequest, RateLimited, Unauthorized
from .ratelimit import client_ip, mask_address
from .routes_site import STATIC_DIR
from .typedefs import DATABASE, LIMITER, SETTINGS

if TYPE_CHECKING:
    from ..db import Database

__all__ = ["COOKIE", "CSRF_HEADER", "AgentSession", "require_agent", "setup"]

COOKIE = "agent_session"
CSRF_HEADER = "X-CSRF-Token"
NAME = re.compile(r"^[A-Za-z0-9_.\-]{1,64}$")
NO_STORE = {"Cache-Control": "no-store"}
MAX_LOGIN_BODY = 4096


@dataclass(frozen=True)
class AgentSession:
    """The signed-in agent of a request."""

    agent: str
    role: str
    csrf_token: str

    @property
    def supervisor(self) -> bool:
        return self.role == "supervisor"


def setup(app: web.Application) -> None:
    app.router.add_get("/agent", console_page)
    app.router.add_post("/agent/login", login)
    app.router.add_post("/agent/logout", logout)


def _db(request: web.Request) -> Database:
    return request.app[DATABASE]


def _digest(session_id: str) -> str:
    return hashlib.sha256(session_id.encode("utf-8", "replace")).hexdigest()


def csrf_token(session_id: str) -> str:
    """The session's CSRF token (see the module docstring)."""
    return hmac.new(session_id.encode("utf-8", "replace"), b"csrf", hashlib.sha256).hexdigest()


def _idle_s(request: web.Request) -> int:
    return request.app[SETTINGS].agent_session_hours * 3600


async def require_agent(request: web.Request, *, state_changing: bool = False) -> AgentSession:
    """The signed-in agent, or 401; with ``state_changing``, also the CSRF token or 403.

    Raises:
        Unauthorized: no session cookie, or an ended session.
        CsrfFailed: a state-changing call without the session's CSRF token.
    """
    session_id = request.cookies.get(COOKIE, "")
    if not session_id or len(session_id) > 100:
        raise Unauthorized("sign in to the agent console first (POST /agent/login)")
    agent = await _db(request).session_agent(_digest(session_id), int(time.time()), _idle_s(request))
    if agent is None:
        raise Unauthorized("the console session has ended; sign in again")
    token = csrf_token(session_id)
    if state_changing:
        given = request.headers.get(CSRF_HEADER, "")
        if not given and request.content_type == "application/x-www-form-urlencoded":
            given = str((await request.post()).get("csrf_token", ""))
        if not hmac.compare_digest(given.encode(), token.encode()):
            raise CsrfFailed(f"this call changes something: send the session's CSRF token in {CSRF_HEADER} (GET /agent/api/session)", field=CSRF_HEADER)
    return AgentSession(agent.name, agent.role, token)


def _wants_json(request: web.Request) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def _same_origin(request: web.Request) -> bool:
    """Refuse logins posted from another site's page (login CSRF); tools that send no Origin are fine."""
    if request.headers.get("Sec-Fetch-Site", "") == "cross-site":
        return False
    origin = request.headers.get("Origin")
    if origin is None:
        return True
    own = {f"{request.scheme}://{request.host}", request.app[SETTINGS].public_url.rstrip("/")}
    return origin in own


def _cookie(response: web.StreamResponse, request: web.Request, value: str, max_age: int | None) -> None:
    secure = request.app[SETTINGS].public_url.startswith("https://")
    response.set_cookie(COOKIE, value, path="/agent", httponly=True, samesite="Strict", secure=secure, max_age=max_age)


async def login(request: web.Request) -> web.StreamResponse:
    """Check a name and password; on success set the session cookie (see the module docstring)."""
    if not _same_origin(request):
        raise Forbidden("sign in from the console's own page", field="Origin")
    if request.content_length is not None and request.content_length > MAX_LOGIN_BODY:
        raise InvalidRequest("the login form is too large", field="body")
    form = await request.post()
    username, password = str(form.get("username", "")).strip(), str(form.get("password", ""))
    if not NAME.match(username):
        raise InvalidRequest("username must be 1-64 letters, digits, '_', '.' or '-'", field="username")
    if not password or len(password) > MAX_PASSWORD:
        raise InvalidRequest(f"password must be 1-{MAX_PASSWORD} characters", field="password")
    address = client_ip(request, request.app[SETTINGS].trusted_proxy_set)
    limiter, db = request.app[LIMITER], _db(request)
    try:
        await limiter.check_login_allowed(address, username)
    except RateLimited:
        await db.audit("agent_login_failed", outcome="throttled", detail={"agent": username, "address": mask_address(address)})
        raise
    agent = await db.get_agent(username)
    ok = await asyncio.to_thread(verify_password, agent.password_hash if agent else None, password)
    if agent is None or not ok or agent.disabled:
        await limiter.note_login_failure(address, username)
        await db.audit("agent_login_failed", outcome="disabled" if ok else "wrong_password", detail={"agent": username, "address": mask_address(address)})
        if not _wants_json(request):
            return _see_other("/agent?failed=1")
        raise Unauthorized("wrong name or password", field="password")
    if needs_rehash(agent.password_hash):
        await db.rehash_agent_password(agent.name, await asyncio.to_thread(hash_password, password))
    session_id = secrets.token_urlsafe(32)
    await db.create_agent_session(_digest(session_id), agent.name, int(time.time()), _idle_s(request))
    await db.audit("agent_login", outcome="ok", detail={"agent": agent.name, "role": agent.role, "address": mask_address(address)})
    response: web.StreamResponse
    if _wants_json(request):
        response = web.json_response({"agent": agent.name, "role": agent.role, "csrf_token": csrf_token(session_id)}, headers=NO_STORE)
    else:
        response = _see_other("/agent")
    _cookie(response, request, session_id, None)
    return response


def _see_other(location: str) -> web.Response:
    return web.Response(status=303, headers={"Location": location, **NO_STORE})


async def logout(request: web.Request) -> web.Response:
    """End the session (CSRF token required) and clear the cookie."""
    session = await require_agent(request, state_changing=True)
    await _db(request).delete_agent_session(_digest(request.cookies[COOKIE]))
    await _db(request).audit("agent_logout", outcome="ok", detail={"agent": session.agent})
    response = web.json_response({"signed_out": True}, headers=NO_STORE)
    response.del_cookie(COOKIE, path="/agent")
    return response


async def console_page(request: web.Request) -> web.FileResponse:
    """The console for a signed-in agent, the login page for anyone else (never cached)."""
    try:
        await require_agent(request)
    except Unauthorized:
        return web.FileResponse(STATIC_DIR / "agent-login.html", headers=NO_STORE)
    return web.FileResponse(STATIC_DIR / "agent.html", headers=NO_STORE)
