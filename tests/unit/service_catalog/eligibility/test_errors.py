"""Unit tests for service_catalog.eligibility.errors."""

from __future__ import annotations

from service_catalog.eligibility import InvalidAnswer, InvalidCriterion
from service_catalog.errors import CatalogError, InvalidRequest


def test_error_classes() -> None:
    error = InvalidAnswer("bad", field="age")
    assert isinstance(error, ValueError)
    assert isinstance(error, InvalidRequest)
    assert isinstance(error, CatalogError)
    assert error.status == 400
    assert error.to_json() == {"error": "invalid_answer", "message": "bad", "field": "age"}
    assert InvalidCriterion("x").status == 422
