"""The oracle's own checks: ``benefit_finder_oracle`` refuses data it cannot read faithfully.

A rule it does not know must stop the reading, never be dropped or guessed,
or the GSA checks in ``test_benefit_finder.py`` would test something else.
"""

from __future__ import annotations

from typing import Any

import pytest
from benefit_finder_oracle import RulesetInvalid, parse_ruleset

from service_catalog.model import Condition


def test_parse_ruleset_rejects_unknown_data() -> None:
    with pytest.raises(RulesetInvalid, match=r"not a format we can import; known formats: .*px-benefit-finder"):
        parse_ruleset({"hello": "world"})
    with pytest.raises(RulesetInvalid, match="must hold a JSON object"):
        parse_ruleset([])  # type: ignore[arg-type]


def test_parse_ruleset_minimal_px_and_bad_rules() -> None:
    data: dict[str, Any] = {
        "questions": [
            {"key": "dob", "question": "Date of birth", "type": "Date"},
            {"key": "ok", "question": "OK?", "type": "Radio", "options": ["Yes", "No"]},
        ],
        "benefits": [{"id": "b", "title": "B", "eligibility": [{"key": "dob", "label": "18+", "acceptable_values": [">=18years"]}]}],
    }
    ruleset = parse_ruleset(data)
    assert ruleset.format == "px-benefit-finder"
    only = ruleset.benefits[0].criteria
    assert isinstance(only, Condition) and (only.op, only.value) == ("before_years", 18)
    data["benefits"][0]["eligibility"][0]["acceptable_values"] = ["about 18"]
    with pytest.raises(RulesetInvalid, match=r"b.eligibility\[0\]: 'about 18' is not a date rule we know"):
        parse_ruleset(data)
    data["benefits"][0]["eligibility"][0] = {"key": "nope", "acceptable_values": ["Yes"]}
    with pytest.raises(RulesetInvalid, match=r"unknown question 'nope'"):
        parse_ruleset(data)
    data["benefits"][0]["eligibility"][0] = {"key": "ok", "acceptable_values": ["Perhaps"]}
    with pytest.raises(RulesetInvalid, match=r"'Perhaps' is not a yes/no value"):
        parse_ruleset(data)
