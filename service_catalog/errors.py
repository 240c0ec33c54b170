"""Errors of the catalogue service.

One base class; each subclass also inherits the stdlib type it resembles and
carries the HTTP status and a stable ``code`` the JSON error middleware uses::

    CatalogError
    ├── ServiceNotFound(LookupError)        404 service_not_found
    ├── NotFoundError(LookupError)          404 not_found
    ├── InvalidRequest(ValueError)          400 invalid_request
    │   ├── InvalidQuery                    400 invalid_query
    │   └── PayloadTooLarge                 413 payload_too_large
    ├── Unauthorized(PermissionError)       401 unauthorized
    │   └── Forbidden                       403 forbidden
    │       └── CsrfFailed                  403 csrf_failed
    ├── Conflict                            409 conflict
    ├── RateLimited                         429 rate_limited (with Retry-After)
    ├── CatalogInvalid(ValueError)          422 catalog_invalid
    └── ServiceUnavailable(RuntimeError)    503 unavailable
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "CatalogError",
    "CatalogInvalid",
    "Conflict",
    "CsrfFailed",
    "Forbidden",
    "InvalidQuery",
    "InvalidRequest",
    "NotFoundError",
    "PayloadTooLarge",
    "RateLimited",
    "ServiceNotFound",
    "ServiceUnavailable",
    "Unauthorized",
]


class CatalogError(Exception):
    """Base class of every error the catalogue service reports to a client."""

    status = 500
    code = "internal_error"

    def __init__(self, message: str, *, field: str | None = None, details: Any = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.details = details

    def headers(self) -> dict[str, str]:
        """Extra response headers (``Retry-After`` for rate limits)."""
        return {}

    def to_json(self) -> dict[str, Any]:
        body: dict[str, Any] = {"error": self.code, "message": self.message}
        if self.field is not None:
            body["field"] = self.field
        if self.details is not None:
            body["details"] = self.details
        return body


class ServiceNotFound(CatalogError, LookupError):
    status = 404
    code = "service_not_found"


class NotFoundError(CatalogError, LookupError):
    status = 404
    code = "not_found"


class InvalidRequest(CatalogError, ValueError):
    status = 400
    code = "invalid_request"


class InvalidQuery(InvalidRequest):
    code = "invalid_query"


class PayloadTooLarge(InvalidRequest):
    status = 413
    code = "payload_too_large"


class Unauthorized(CatalogError, PermissionError):
    status = 401
    code = "unauthorized"


class Forbidden(Unauthorized):
    """A valid credential without the scope this call needs."""

    status = 403
    code = "forbidden"


class CsrfFailed(Forbidden):
    """A state-changing agent console call without its session's ``X-CSRF-Token``."""

    code = "csrf_failed"


class Conflict(CatalogError):
    """The request is valid but the thing is not in a state that allows it (a ticket taken by someone else, closed)."""

    status = 409
    code = "conflict"


class RateLimited(CatalogError):
    """Too many requests; ``retry_after`` says when to come back."""

    status = 429
    code = "rate_limited"

    def __init__(self, message: str, *, retry_after: int, limit: str) -> None:
        super().__init__(message, details={"limit": limit})
        self.retry_after = retry_after

    def headers(self) -> dict[str, str]:
        return {"Retry-After": str(self.retry_after)}

    def to_json(self) -> dict[str, Any]:
        return {**super().to_json(), "retry_after": self.retry_after}


class CatalogInvalid(CatalogError, ValueError):
    status = 422
    code = "catalog_invalid"


class ServiceUnavailable(CatalogError, RuntimeError):
    status = 503
    code = "unavailable"
