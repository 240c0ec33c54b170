"""Tests for service_catalog.io.benefit_finder against GSA's published rules and scenarios."""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from service_catalog.eligibility import InvalidAnswer, Verdict, assess, evaluate, next_question
from service_catalog.io.benefit_finder import (
    EN_ONLY_MARK,
    FORMATS,
    ImportedRuleset,
    RulesetFormat,
    RulesetInvalid,
    load_ruleset,
    parse_ruleset,
    register_format,
)
from service_catalog.model import AllOf, AnyOf, Condition, Criterion

EXTERNAL = Path(__file__).resolve().parents[4] / "../shared/external"
PX_FILE = EXTERNAL / "px-benefit-finder/px_death_catalogue_and_cases.json"
USAGOV_FILE = EXTERNAL / "usagov-benefits-eligibility/usagov_catalogue.json"


def _load(path: Path) -> ImportedRuleset:
    if not path.is_file():
        pytest.skip(f"{path.name} not found: the external test data lives in ../shared/external beside the repo")
    return load_ruleset(path)


@pytest.fixture(scope="module")
def px() -> ImportedRuleset:
    return _load(PX_FILE)


@pytest.fixture(scope="module")
def usagov() -> ImportedRuleset:
    return _load(USAGOV_FILE)


def _benefit(ruleset: ImportedRuleset, bid: str) -> Criterion:
    criteria = next(b.criteria for b in ruleset.benefits if b.id == bid)
    assert criteria is not None
    return criteria


def _conditions(node: Criterion) -> list[Condition]:
    if isinstance(node, Condition):
        return [node]
    children = node.all if isinstance(node, AllOf) else node.any if isinstance(node, AnyOf) else [node.not_]
    return [c for child in children for c in _conditions(child)]


# --------------------------------------------------------------------------- px-benefit-finder


def test_px_shape(px: ImportedRuleset) -> None:
    assert px.format == "px-benefit-finder"
    assert len(px.questions) == 18
    assert len(px.benefits) == 30
    assert len(px.cases) == 4
    assert px.source["repository"] == "https://github.com/GSA/px-benefit-finder"
    kinds = Counter(q.type for q in px.questions.values())
    assert kinds == {"boolean": 11, "choice": 5, "date": 2}
    status = px.questions["deceased_service_status"]
    assert status.source_key == "deceased_service_status"
    assert [o.value for o in status.options][:2] == ["active_duty_service_member", "discharged_under_conditions_other_than_dishonorable"]
    assert px.questions["deceased_death_location_is_us"].source_key == "deceased_death_location_is_US"


def test_px_acceptable_values_become_conditions(px: ImportedRuleset) -> None:
    covid = _benefit(px, "covid-19-funeral-assistance")
    assert isinstance(covid, AllOf)
    conds = _conditions(covid)
    assert [(c.q, c.op, c.value) for c in conds] == [
        ("deceased_died_of_covid", "eq", True),
        ("deceased_death_location_is_us", "eq", True),
        ("deceased_date_of_death", "ge", "2020-05-20"),
        ("applicant_citizen_status", "eq", True),
        ("applicant_paid_funeral_expenses", "eq", True),
    ]
    assert conds[2].label is not None and conds[2].label.en == "The deceased died after May 20th, 2020"
    assert conds[2].label.zh == EN_ONLY_MARK + "The deceased died after May 20th, 2020"
    lump = {c.q: c for c in _conditions(_benefit(px, "lump-sum-death-benefit"))}
    assert (lump["deceased_date_of_death"].op, lump["deceased_date_of_death"].value) == ("within_years", 2)
    assert lump["applicant_relationship_to_the_deceased"].value == ["spouse", "child"]
    spouse = {c.q: c for c in _conditions(_benefit(px, "survivors-benefits-for-spouse"))}
    assert (spouse["applicant_date_of_birth"].op, spouse["applicant_date_of_birth"].value) == ("before_years", 60)
    annuity = {c.q: c for c in _conditions(_benefit(px, "annuity-for-certain-military-surviving-spouses"))}
    assert (annuity["deceased_date_of_death"].op, annuity["deceased_date_of_death"].value) == ("lt", "1978-01-01")


def test_px_misspelt_option_is_read_with_a_warning(px: ImportedRuleset) -> None:
    gratuity = {c.q: c for c in _conditions(_benefit(px, "death-gratuity"))}
    accepted = gratuity["deceased_military_death_circumstance"].value
    assert isinstance(accepted, list) and "died_while_on_inactive_duty_training" in accepted
    assert any("death-gratuity" in w and "inactive-duty service training" in w for w in px.warnings)


CASES = ["scenario_1_covid", "scenario_2_veteran", "scenario_3_coal_miner", "zero_benefit_view"]


@pytest.mark.parametrize("case_id", CASES)
def test_gsa_scenario_eligible_count(px: ImportedRuleset, case_id: str) -> None:
    """GSA's end-to-end scenarios: the same number of eligible benefits, including those GSA names."""
    case = next(c for c in px.cases if c.id == case_id)
    verdicts = px.evaluate(case.answers, case.evaluation_date)
    eligible = {bid for bid, v in verdicts.items() if v is Verdict.ELIGIBLE}
    assert len(eligible) == case.expected_eligible
    assert set(case.eligible_ids_stated) <= eligible


@pytest.mark.parametrize(
    "case_id",
    [
        "scenario_1_covid",
        pytest.param(
            "zero_benefit_view",
            marks=pytest.mark.xfail(
                reason="GSA's fixture expects 22; the 3-state rule on this file gives 13 (the data's own note says so)",
                strict=True,
            ),
        ),
    ],
)
def test_gsa_scenario_more_information_needed_count(px: ImportedRuleset, case_id: str) -> None:
    case = next(c for c in px.cases if c.id == case_id)
    verdicts = px.evaluate(case.answers, case.evaluation_date)
    assert Counter(verdicts.values())[Verdict.UNKNOWN] == case.expected_more_information_needed


def test_zero_benefit_view_counts_under_the_stated_rule(px: ImportedRuleset) -> None:
    case = next(c for c in px.cases if c.id == "zero_benefit_view")
    counts = Counter(px.evaluate(case.answers, case.evaluation_date).values())
    assert counts == {Verdict.INELIGIBLE: 17, Verdict.UNKNOWN: 13}


def test_scenario_3_lump_sum_depends_on_the_date(px: ImportedRuleset) -> None:
    case = next(c for c in px.cases if c.id == "scenario_3_coal_miner")
    lump = _benefit(px, "lump-sum-death-benefit")
    assert evaluate(lump, case.answers, case.evaluation_date) is Verdict.ELIGIBLE
    assert case.answers["deceased_date_of_death"] == dt.date(2023, 5, 5)
    assert evaluate(lump, case.answers, dt.date(2025, 5, 4)) is Verdict.ELIGIBLE
    assert evaluate(lump, case.answers, dt.date(2025, 5, 5)) is Verdict.INELIGIBLE


def test_px_questioning_finishes_every_benefit(px: ImportedRuleset) -> None:
    """From GSA's sparse scenario, asking next_question's choices settles every benefit."""
    case = next(c for c in px.cases if c.id == "scenario_2_veteran")
    full = dict(case.answers)
    bank = px.bank()
    fallback = {qid: False if q.type == "boolean" else q.options[0].value if q.options else dt.date(2020, 1, 1) for qid, q in bank.items()}
    for benefit in px.benefits:
        answers = {"applicant_relationship_to_the_deceased": full["applicant_relationship_to_the_deceased"]}
        asked = 0
        while (qid := next_question(benefit.criteria, answers, case.evaluation_date, bank=bank)) is not None:
            assert qid not in answers
            answers[qid] = full.get(qid, fallback[qid])
            asked += 1
        assert asked <= len(bank)
        assert evaluate(benefit.criteria, answers, case.evaluation_date) is not Verdict.UNKNOWN


def test_px_bank_and_explanations(px: ImportedRuleset) -> None:
    bank = px.bank()
    assert len(bank) == 18
    question = bank["applicant_relationship_to_the_deceased"]
    assert question.text.en == "Relationship to the deceased"
    assert question.text.zh.startswith(EN_ONLY_MARK)
    assert question.options[0].label.en == "Spouse"
    criteria = _benefit(px, "survivors-benefits-for-spouse")
    answers = px.convert_answers({"applicant_date_of_birth": {"year": 1970, "month": 1, "day": 2}, "applicant_relationship_to_the_deceased": "Spouse"})
    result = assess(criteria, answers, bank, "en", dt.date(2025, 1, 29))
    assert result.status is Verdict.INELIGIBLE
    assert "You are over 60 years (you said 2 January 1970)" in [r.text for r in result.reasons]
    assert result.would_qualify_if == ("This would have to be true: You are over 60 years (you said 2 January 1970).",)
    zh = assess(criteria, answers, bank, "zh", dt.date(2025, 1, 29))
    assert f"{EN_ONLY_MARK}You are over 60 years（您的回答：1970年1月2日）" in [r.text for r in zh.reasons]


def test_px_convert_answers(px: ImportedRuleset) -> None:
    got = px.convert_answers(
        {
            "applicant_citizen_status": "Yes",
            "deceased_miner": "No",
            "deceased_death_location_is_US": True,
            "applicant_marital_status": "widowed",
            "deceased_service_status": "member_of_the_national_guard_reserves",
            "deceased_date_of_death": "2022-02-03",
            "applicant_date_of_birth": {"year": "1960", "month": 4, "day": 5},
            "deceased_grave_headstone": None,
        }
    )
    assert got == {
        "applicant_citizen_status": True,
        "deceased_miner": False,
        "deceased_death_location_is_us": True,
        "applicant_marital_status": "widowed",
        "deceased_service_status": "member_of_the_national_guard_reserves",
        "deceased_date_of_death": dt.date(2022, 2, 3),
        "applicant_date_of_birth": dt.date(1960, 4, 5),
    }


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ({"shoe_size": 42}, r"unknown question 'shoe_size'"),
        ({"deceased_miner": "Maybe"}, r"deceased_miner is a yes/no question, not 'Maybe'"),
        ({"applicant_marital_status": "Engaged"}, r"applicant_marital_status must be one of: Married, Unmarried, Widowed, Divorced; not 'Engaged'"),
        ({"deceased_date_of_death": {"year": 2022, "month": 2, "day": 30}}, r"deceased_date_of_death needs a date"),
        ({"deceased_date_of_death": "last week"}, r"deceased_date_of_death needs a date"),
    ],
)
def test_px_convert_answers_errors(px: ImportedRuleset, raw: dict[str, Any], message: str) -> None:
    with pytest.raises(InvalidAnswer, match=message) as info:
        px.convert_answers(raw)
    assert info.value.field


# --------------------------------------------------------------------------- usagov-benefits-eligibility


def test_usagov_imports(usagov: ImportedRuleset) -> None:
    assert usagov.format == "usagov-benefits-eligibility"
    assert len(usagov.benefits) == 79
    assert len(usagov.questions) == 44
    assert usagov.cases == ()
    assert usagov.questions["applicant_disaster_zone"].type == "text"
    assert len(usagov.bank()) == 43
    assert all(b.criteria is not None for b in usagov.benefits)
    assert sorted(w.split(":")[0] for w in usagov.warnings) == [
        "dod-retirement-and-disability-payments.eligibility[3]",
        "va-health-care-program-for-dependent.eligibility[1]",
        "va-special-disability-benefits.eligibility[1]",
    ]


def test_usagov_several_date_values_must_all_hold(usagov: ImportedRuleset) -> None:
    ssi = _benefit(usagov, "ssa-supplemental-security-income_adult")
    ages = {c.op: c.value for c in _conditions(ssi) if c.q == "applicant_date_of_birth"}
    assert ages == {"before_years": 18, "within_years": 64}
    today = dt.date(2025, 6, 15)
    yes = {"applicant_disability": True, "applicant_ability_to_work": True, "applicant_income": True, "applicant_citizen_status": True}
    assert evaluate(ssi, {**yes, "applicant_date_of_birth": dt.date(1990, 1, 1)}, today) is Verdict.ELIGIBLE
    assert evaluate(ssi, {**yes, "applicant_date_of_birth": dt.date(1950, 1, 1)}, today) is Verdict.INELIGIBLE
    assert evaluate(ssi, {**yes, "applicant_date_of_birth": dt.date(2010, 1, 1)}, today) is Verdict.INELIGIBLE


def test_usagov_evaluates(usagov: ImportedRuleset) -> None:
    today = dt.date(2025, 6, 15)
    assert set(usagov.evaluate({}, today).values()) == {Verdict.UNKNOWN}
    retiree = usagov.convert_answers(
        {
            "applicant_date_of_birth": {"year": 1955, "month": 3, "day": 1},
            "applicant_paid_into_SS": "true",
            "applicant_citizen_status": True,
            "applicant_served_in_active_military": "no",
            "applicant_disability": False,
        }
    )
    verdicts = usagov.evaluate(retiree, today)
    assert verdicts["ssa-retirement-benefits"] is Verdict.ELIGIBLE
    assert verdicts["cms-medicare-retirement"] is Verdict.ELIGIBLE
    assert verdicts["cms-childrens-health-insurance-program-child"] is Verdict.INELIGIBLE
    counts = Counter(verdicts.values())
    assert counts[Verdict.ELIGIBLE] >= 2 and counts[Verdict.INELIGIBLE] > 10 and sum(counts.values()) == 79
    for benefit in usagov.benefits:  # every benefit can be asked about in both languages
        for lang in ("en", "zh"):
            result = assess(benefit.criteria, retiree, usagov.bank(), lang, today)
            assert result.status is verdicts[benefit.id]


# --------------------------------------------------------------------------- formats and errors


def test_formats_are_registered() -> None:
    assert {"px-benefit-finder", "usagov-benefits-eligibility"} <= set(FORMATS)


def test_parse_ruleset_rejects_unknown_data() -> None:
    with pytest.raises(RulesetInvalid, match=r"not a format we can import; known formats: .*px-benefit-finder"):
        parse_ruleset({"hello": "world"})
    with pytest.raises(RulesetInvalid, match="unknown format 'csv'"):
        parse_ruleset({}, format="csv")
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


def test_load_ruleset_bad_json(tmp_path: Path) -> None:
    bad = tmp_path / "rules.json"
    bad.write_text("{not json", encoding="utf-8")
    with pytest.raises(RulesetInvalid, match="not valid JSON"):
        load_ruleset(bad)


def test_register_format_adds_an_importer() -> None:
    def convert(data: Any) -> ImportedRuleset:
        return ImportedRuleset("toy", {}, {}, ())

    fmt = register_format(RulesetFormat("toy", lambda d: d.get("toy") is True, convert))
    try:
        assert parse_ruleset({"toy": True}).format == "toy"
        assert parse_ruleset(json.loads('{"x": 1}'), format="toy").benefits == ()
    finally:
        del FORMATS[fmt.name]
