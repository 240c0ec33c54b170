"""Unit tests for service_catalog.eligibility.coercion: JSON answers checked and converted."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from eligibility_kit import BANK

from service_catalog.eligibility import InvalidAnswer, coerce_answer, coerce_answers


class TestCoerce:
    @pytest.mark.parametrize(
        ("raw", "expected"),
        [(True, True), (False, False), ("true", True), ("False", False), ("yes", True), (" no ", False)],
    )
    def test_boolean(self, raw: Any, expected: bool) -> None:
        assert coerce_answer(BANK["hukou_shanghai"], raw) is expected

    @pytest.mark.parametrize("raw", [1, 0, "y", "是", None, [True]])
    def test_boolean_rejects(self, raw: Any) -> None:
        with pytest.raises(InvalidAnswer, match=r"hukou_shanghai is a yes/no question") as info:
            coerce_answer(BANK["hukou_shanghai"], raw)
        assert info.value.field == "hukou_shanghai"

    def test_number(self) -> None:
        assert coerce_answer(BANK["age"], 58) == 58
        assert coerce_answer(BANK["age"], 58.5) == 58.5
        assert coerce_answer(BANK["age"], 0) == 0

    @pytest.mark.parametrize(
        ("raw", "message"),
        [
            ("58", r"age needs a number, not '58'"),
            (True, r"age needs a number, not True"),
            (float("nan"), r"age needs a number"),
            (-1, r"age must be at least 0, not -1"),
            (131, r"age must be at most 130, not 131"),
        ],
    )
    def test_number_rejects(self, raw: Any, message: str) -> None:
        with pytest.raises(InvalidAnswer, match=message):
            coerce_answer(BANK["age"], raw)

    def test_choice(self) -> None:
        assert coerce_answer(BANK["employment_status"], "retired") == "retired"
        with pytest.raises(InvalidAnswer, match=r"employment_status must be one of employed, .*not 'Retired'"):
            coerce_answer(BANK["employment_status"], "Retired")

    def test_date(self) -> None:
        q = BANK["date_of_death"]
        assert coerce_answer(q, "2024-03-05") == dt.date(2024, 3, 5)
        assert coerce_answer(q, dt.date(2024, 3, 5)) == dt.date(2024, 3, 5)
        assert coerce_answer(q, dt.datetime(2024, 3, 5, 10, 0)) == dt.date(2024, 3, 5)
        with pytest.raises(InvalidAnswer, match=r"date_of_death needs a real calendar date, not '2024-02-30'"):
            coerce_answer(q, "2024-02-30")
        with pytest.raises(InvalidAnswer, match=r"date_of_death needs a date as yyyy-mm-dd, not '05/03/2024'"):
            coerce_answer(q, "05/03/2024")

    def test_many_and_unknown_id(self) -> None:
        got = coerce_answers(BANK, {"age": 70, "hukou_shanghai": "yes", "date_of_death": None})
        assert got == {"age": 70, "hukou_shanghai": True, "date_of_death": None}
        with pytest.raises(InvalidAnswer, match=r"unknown question id 'shoe_size'") as info:
            coerce_answers(BANK, {"shoe_size": 42})
        assert info.value.field == "shoe_size"
