"""Unit tests for service_catalog.eligibility.evaluation: operators and Kleene's three-valued logic."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from eligibility_kit import RESIDENCE, TODAY, c

from service_catalog.eligibility import InvalidAnswer, InvalidCriterion, Verdict, evaluate
from service_catalog.model import AllOf, AnyOf, Criterion, NotOf


class TestOperators:
    @pytest.mark.parametrize(
        ("op", "value", "answer", "expected"),
        [
            ("eq", 60, 60, True),
            ("eq", 60, 60.0, True),
            ("eq", True, True, True),
            ("eq", True, 1, False),
            ("eq", "retired", "retired", True),
            ("ne", "retired", "employed", True),
            ("ne", False, False, False),
            ("lt", 60, 59, True),
            ("lt", 60, 60, False),
            ("le", 60, 60, True),
            ("gt", 60, 60, False),
            ("gt", 60, 60.5, True),
            ("ge", 60, 60, True),
            ("ge", 60, 58, False),
            ("in", ["a", "b"], "b", True),
            ("in", ["a", "b"], "c", False),
            ("not_in", ["a", "b"], "c", True),
            ("not_in", ["a", "b"], "a", False),
            ("in", [1, 2], 2, True),
        ],
    )
    def test_comparisons(self, op: str, value: Any, answer: Any, expected: bool) -> None:
        verdict = evaluate(c("x", op, value), {"x": answer}, TODAY)
        assert verdict is (Verdict.ELIGIBLE if expected else Verdict.INELIGIBLE)

    @pytest.mark.parametrize(
        ("op", "value", "answer", "expected"),
        [
            ("within_days", 60, TODAY, True),
            ("within_days", 60, TODAY - dt.timedelta(days=60), True),
            ("within_days", 60, TODAY - dt.timedelta(days=61), False),
            ("within_days", 60, TODAY + dt.timedelta(days=1), False),  # not in the future
            ("within_days", 60, "2025-06-01", True),  # ISO strings too
            ("before_days", 90, TODAY - dt.timedelta(days=90), True),
            ("before_days", 90, TODAY - dt.timedelta(days=89), False),
            ("within_years", 2, dt.date(2023, 6, 16), True),
            ("within_years", 2, dt.date(2023, 6, 15), False),  # exactly 2 years: no longer "less than 2"
            ("within_years", 2, TODAY + dt.timedelta(days=1), False),
            ("before_years", 60, dt.date(1965, 6, 15), True),  # 60th birthday today
            ("before_years", 60, dt.date(1965, 6, 16), False),  # 60 tomorrow
            ("before_years", 18, "2007-06-15", True),
            ("ge", "2020-05-20", dt.date(2020, 5, 20), True),
            ("ge", "2020-05-20", "2020-05-19", False),
            ("lt", "1978-01-01", dt.date(1977, 12, 31), True),
            ("gt", "2020-01-20", dt.date(2020, 1, 20), False),
            ("eq", "2020-01-20", dt.date(2020, 1, 20), True),
        ],
    )
    def test_dates(self, op: str, value: Any, answer: Any, expected: bool) -> None:
        verdict = evaluate(c("d", op, value), {"d": answer}, TODAY)
        assert verdict is (Verdict.ELIGIBLE if expected else Verdict.INELIGIBLE)

    def test_leap_day_birthday_counts_on_first_of_march(self) -> None:
        born = dt.date(2008, 2, 29)
        rule = c("d", "before_years", 17)
        assert evaluate(rule, {"d": born}, dt.date(2025, 2, 28)) is Verdict.INELIGIBLE
        assert evaluate(rule, {"d": born}, dt.date(2025, 3, 1)) is Verdict.ELIGIBLE

    def test_missing_and_none_are_unknown(self) -> None:
        assert evaluate(c("x", "eq", 1), {}, TODAY) is Verdict.UNKNOWN
        assert evaluate(c("x", "eq", 1), {"x": None}, TODAY) is Verdict.UNKNOWN

    def test_no_criteria_is_eligible(self) -> None:
        assert evaluate(None, {}, TODAY) is Verdict.ELIGIBLE

    def test_verdict_values(self) -> None:
        assert [v.value for v in Verdict] == ["eligible", "ineligible", "unknown"]
        assert Verdict("unknown") is Verdict.UNKNOWN

    def test_answer_of_wrong_kind_raises(self) -> None:
        with pytest.raises(InvalidAnswer, match="age must be a number") as info:
            evaluate(c("age", "ge", 60), {"age": "old"}, TODAY)
        assert info.value.field == "age"
        with pytest.raises(InvalidAnswer, match="must be a date"):
            evaluate(c("d", "within_days", 3), {"d": 5}, TODAY)

    def test_bad_criterion_value_raises(self) -> None:
        with pytest.raises(InvalidCriterion, match="within_days on d needs a whole number"):
            evaluate(c("d", "within_days", "soon"), {"d": TODAY}, TODAY)
        with pytest.raises(InvalidCriterion, match="in on x needs a list"):
            evaluate(c("x", "in", "a"), {"x": "a"}, TODAY)


class TestKleene:
    @pytest.mark.parametrize(
        ("a", "b", "all_", "any_"),
        [
            (True, True, Verdict.ELIGIBLE, Verdict.ELIGIBLE),
            (True, False, Verdict.INELIGIBLE, Verdict.ELIGIBLE),
            (False, False, Verdict.INELIGIBLE, Verdict.INELIGIBLE),
            (True, None, Verdict.UNKNOWN, Verdict.ELIGIBLE),
            (False, None, Verdict.INELIGIBLE, Verdict.UNKNOWN),
            (None, None, Verdict.UNKNOWN, Verdict.UNKNOWN),
        ],
    )
    def test_all_any(self, a: bool | None, b: bool | None, all_: Verdict, any_: Verdict) -> None:
        answers = {k: v for k, v in (("a", a), ("b", b)) if v is not None}
        leaves: list[Criterion] = [c("a", "eq", True), c("b", "eq", True)]
        assert evaluate(AllOf(all=leaves), answers, TODAY) is all_
        assert evaluate(AnyOf(any=leaves), answers, TODAY) is any_

    def test_not(self) -> None:
        rule = NotOf.model_validate({"not": {"q": "a", "op": "eq", "value": True}})
        assert evaluate(rule, {"a": True}, TODAY) is Verdict.INELIGIBLE
        assert evaluate(rule, {"a": False}, TODAY) is Verdict.ELIGIBLE
        assert evaluate(rule, {}, TODAY) is Verdict.UNKNOWN

    def test_residence_permit(self) -> None:
        assert evaluate(RESIDENCE, {"hukou_shanghai": True}, TODAY) is Verdict.INELIGIBLE
        partial = {"hukou_shanghai": False, "lived_in_city_months": 8}
        assert evaluate(RESIDENCE, partial, TODAY) is Verdict.UNKNOWN
        done = {**partial, "employment_status": "student"}
        assert evaluate(RESIDENCE, done, TODAY) is Verdict.ELIGIBLE
