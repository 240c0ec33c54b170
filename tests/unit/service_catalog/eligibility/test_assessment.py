"""Unit tests for service_catalog.eligibility.assessment: verdict, reasons, missing questions, would-qualify-if."""

from __future__ import annotations

import pytest
from eligibility_kit import BANK, RESIDENCE, TODAY, c

from service_catalog.eligibility import Assessment, InvalidCriterion, Verdict, assess


class TestAssess:
    def test_unknown_lists_missing_and_next(self) -> None:
        result = assess(RESIDENCE, {"hukou_shanghai": False}, BANK, "en", TODAY)
        assert isinstance(result, Assessment)
        assert result.status is Verdict.UNKNOWN
        assert result.next_question is BANK["lived_in_city_months"]
        assert result.missing == ("lived_in_city_months", "employment_status", "has_legal_residence")
        assert [r.met for r in result.reasons] == [True, None, None, None]
        assert result.reasons[0].text == "Is your hukou in Shanghai? Must be “no” (you said no)"
        assert result.reasons[1].text == "How many months have you lived in the city? Must be at least 6 months (not answered yet)"
        assert result.would_qualify_if == ()

    def test_would_qualify_names_the_fewest_failed_conditions(self) -> None:
        answers = {
            "hukou_shanghai": False,
            "lived_in_city_months": 3,
            "employment_status": "retired",
            "has_legal_residence": False,
        }
        result = assess(RESIDENCE, answers, BANK, "en", TODAY)
        assert result.status is Verdict.INELIGIBLE
        assert len(result.would_qualify_if) == 2
        assert "at least 6 months (you said 3)" in result.would_qualify_if[0]
        assert "“Employed”" in result.would_qualify_if[1]

    def test_unneeded_unknowns_are_not_listed(self) -> None:
        result = assess(RESIDENCE, {"hukou_shanghai": True}, BANK, "en", TODAY)
        assert result.status is Verdict.INELIGIBLE
        assert [r.question_id for r in result.reasons] == ["hukou_shanghai"]
        ok = assess(
            RESIDENCE,
            {"hukou_shanghai": False, "lived_in_city_months": 7, "employment_status": "employed"},
            BANK,
            "zh",
            TODAY,
        )
        assert ok.status is Verdict.ELIGIBLE
        assert "has_legal_residence" not in [r.question_id for r in ok.reasons]

    def test_no_criteria(self) -> None:
        result = assess(None, {}, BANK, "zh", TODAY)
        assert result == Assessment(Verdict.ELIGIBLE, None, (), (), ())

    def test_question_missing_from_bank(self) -> None:
        with pytest.raises(InvalidCriterion, match="missing from the bank: nope"):
            assess(c("nope", "eq", True), {}, BANK, "en", TODAY)

    def test_to_json(self) -> None:
        body = assess(RESIDENCE, {}, BANK, "en", TODAY).to_json()
        assert body["status"] == "unknown"
        assert body["next_question"] == "hukou_shanghai"
        assert body["reasons"][0] == {
            "text": "Is your hukou in Shanghai? Must be “no” (not answered yet)",
            "met": None,
            "question_id": "hukou_shanghai",
        }
