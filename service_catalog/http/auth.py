"""Who may call what: admin scopes, the service credential, the portal's credential.

=================  ==========================================  =====================================
credential         header                                       routes
=================  ==========================================  =====================================
admin ``read``     ``Authorization: Bearer <token>``            ticket lists and tickets (personal data)
admin ``operate``  ``Authorization: Bearer <token>``            ``POST /admin/reload``
admin ``keys``     ``Authorization: Bearer <token>``            ``POST /admin/rotate-key``
service            ``X-Internal-Token: <token>``                minting application links, creating tickets
portal             ``Authorization: Bearer <token>``            ``POST /api/handoff/redeem``
=================  ==========================================  =====================================

Every comparison is constant-time. A wrong admin or portal credential is counted against the
caller's address (``RateLimiter.note_auth_failure``); too many and that address is refused for
a while, right token or not.
"""

from __future__ import annotations

import hmac
from typing import TYPE_CHECKING, Literal

from aiohttp import web

from ..errors import Forbidden, Unauthorized
from .ratelimit import client_ip, mask_address
from .typedefs import DATABASE, LIMITER, SETTINGS

if TYPE_CHECKING:
    pass

__all__ = ["INTERNAL_HEADER", "Scope", "is_internal", "require_internal", "require_portal", "require_scope"]

INTERNAL_HEADER = "X-Internal-Token"
Scope = Literal["read", "operate", "keys"]
_SCOPE_SETTING = {"read": "admin_read_token", "operate": "admin_operate_token", "keys": "admin_keys_token"}


def _bearer(request: web.Request) -> bytes:
    header = request.headers.get("Authorization", "")
    return header.removeprefix("Bearer ").strip().encode() if header.startswith("Bearer ") else b""


def _matches(given: bytes, tokens: tuple[str, ...]) -> bool:
    # compare with every token (no early exit), so timing tells nothing about which one matched
    results = [hmac.compare_digest(given, t.encode()) for t in tokens if t]
    return bool(given) and any(results)


def is_internal(request: web.Request) -> bool:
    """The request carries the service credential (the action server)."""
    return _matches(request.headers.get(INTERNAL_HEADER, "").encode(), request.app[SETTINGS].internal_tokens)


def require_internal(request: web.Request) -> None:
    """Only the action server (and other holders of the service credential) may go on."""
    if not request.app[SETTINGS].internal_tokens:
        raise Unauthorized("internal calls are disabled: CATALOG_INTERNAL_TOKEN is not set")
    if not is_internal(request):
        raise Unauthorized(f"this call is made by the assistant's own servers only ({INTERNAL_HEADER})")


async def require_scope(request: web.Request, scope: Scope) -> None:
    """Let an admin call through only with the token of ``scope``.

    Raises:
        RateLimited: this address gave too many wrong credentials lately.
        Unauthorized: the scope is disabled, or no valid admin token was given.
        Forbidden: a valid admin token of another scope was given.
    """
    settings = request.app[SETTINGS]
    limiter = request.app[LIMITER]
    address = client_ip(request, settings.trusted_proxy_set)
    await limiter.check_auth_allowed(address)
    wanted = getattr(settings, _SCOPE_SETTING[scope])
    variable = f"CATALOG_ADMIN_{scope.upper()}_TOKEN"
    given = _bearer(request)
    if _matches(given, (wanted,)):
        return
    others = tuple(getattr(settings, name) for s, name in _SCOPE_SETTING.items() if s != scope)
    if _matches(given, others):
        raise Forbidden(f"this token does not have the {scope} scope ({variable})")
    if given:
        await _failed(request, address, scope)
    if not wanted:
        raise Unauthorized(f"this admin call is disabled: set {variable} to enable it")
    raise Unauthorized(f"a valid admin token with the {scope} scope is required (Authorization: Bearer <{variable}>)")


async def _failed(request: web.Request, address: str, scope: str) -> None:
    """Count a wrong credential against the address and keep a record (pruned after 7 days)."""
    await request.app[LIMITER].note_auth_failure(address)
    if DATABASE in request.app:
        db = request.app[DATABASE]
        await db.audit("admin_refused", outcome="wrong_token", detail={"scope": scope, "path": request.path[:80], "address": mask_address(address)})


async def require_portal(request: web.Request) -> None:
    """Only the application portal may redeem link handles over the back channel."""
    settings = request.app[SETTINGS]
    limiter = request.app[LIMITER]
    address = client_ip(request, settings.trusted_proxy_set)
    await limiter.check_auth_allowed(address)
    if not settings.portal_token:
        raise Unauthorized("the portal back channel is disabled: set CATALOG_PORTAL_TOKEN to enable it")
    given = _bearer(request)
    if not _matches(given, (settings.portal_token,)):
        if given:
            await _failed(request, address, "portal")
        raise Unauthorized("a valid portal token is required (Authorization: Bearer <CATALOG_PORTAL_TOKEN>)")
