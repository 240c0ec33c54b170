"""The errors of the eligibility engine.

The base classes live in :mod:`service_catalog.errors`::

    CatalogError
    ├── InvalidRequest(ValueError)        400 invalid_request
    │   └── InvalidAnswer                 400 invalid_answer    (attribute ``field``)
    └── CatalogInvalid(ValueError)        422 catalog_invalid
        └── InvalidCriterion              422 invalid_criterion
"""

from __future__ import annotations

from ..errors import CatalogError, CatalogInvalid, InvalidRequest

__all__ = ["InvalidAnswer", "InvalidCriterion"]


class InvalidAnswer(InvalidRequest):
    """An answer that does not fit its question (or names no known question).

    ``field`` is the question id.
    """

    code = "invalid_answer"

    def __init__(self, message: str, *, field: str) -> None:
        # Called directly: ValueError.__init__ (first in the MRO) takes no keywords.
        CatalogError.__init__(self, message, field=field)
        self.field: str = field


class InvalidCriterion(CatalogInvalid):
    """A criterion that cannot be evaluated (bad value for its operator, unknown question)."""

    code = "invalid_criterion"

    def __init__(self, message: str, *, field: str | None = None) -> None:
        CatalogError.__init__(self, message, field=field)
