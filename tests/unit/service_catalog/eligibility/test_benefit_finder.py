"""The eligibility engine against GSA's USAGov Benefit Finder: GSA's rules, read by ``benefit_finder_oracle``, and GSA's scenarios.

Every expected number comes from GSA (the counts of its scenarios) or from the
data itself: the rule each file states in words is applied to the raw JSON by
the few lines under "the stated rule" below, never by the code under test.
GSA's "22 need more information" does not follow from that rule on this file
(it gives 13): that check stays as a strict xfail with GSA's number.
"""

from __future__ import annotations

import datetime as dt
import json
import operator
import re
from collections import Counter
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pytest
from benefit_finder_oracle import EN_ONLY_MARK, ImportedRuleset, load_ruleset

from service_catalog.eligibility import InvalidAnswer, Verdict, assess, evaluate, next_question
from service_catalog.model import AllOf, AnyOf, Condition, Criterion

EXTERNAL = Path(__file__).resolve().parents[4] / "../shared/external"
PX_FILE = EXTERNAL / "px-benefit-finder/px_death_catalogue_and_cases.json"
USAGOV_FILE = EXTERNAL / "usagov-benefits-eligibility/usagov_catalogue.json"

PX_RULE = (
    "Per benefit: eligible if every criterion is met; more_information_needed if none failed and at least one unanswered; else not_eligible. "
    "A criterion is met if the answer equals one of acceptable_values; dates use encoded comparisons (>=05-20-2020, <2years = within the last 2 years, "
    ">=60years = at least 60 years ago, i.e. age >= 60)."
)
USAGOV_RULE_START = (
    "Per criterion: satisfied if the answer is one of acceptable_values (OR within a criterion); date criteria use encoded comparisons such as "
    "'>65years' (age at least 65) or '>=05-20-2020', and several date values on one criterion must all hold."
)


def _raw(path: Path) -> dict[str, Any]:
    if not path.is_file():
        pytest.skip(f"{path.name} not found: the external test data lives in ../shared/external beside the repo")
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


@pytest.fixture(scope="module")
def px_data() -> dict[str, Any]:
    return _raw(PX_FILE)


@pytest.fixture(scope="module")
def usagov_data() -> dict[str, Any]:
    return _raw(USAGOV_FILE)


@pytest.fixture(scope="module")
def px(px_data: dict[str, Any]) -> ImportedRuleset:
    return load_ruleset(PX_FILE)


@pytest.fixture(scope="module")
def usagov(usagov_data: dict[str, Any]) -> ImportedRuleset:
    return load_ruleset(USAGOV_FILE)


def _benefit(ruleset: ImportedRuleset, bid: str) -> Criterion:
    criteria = next(b.criteria for b in ruleset.benefits if b.id == bid)
    assert criteria is not None
    return criteria


def _conditions(node: Criterion) -> list[Condition]:
    if isinstance(node, Condition):
        return [node]
    children = node.all if isinstance(node, AllOf) else node.any if isinstance(node, AnyOf) else [node.not_]
    return [c for child in children for c in _conditions(child)]


# --------------------------------------------------------------------------- the stated rule, on the raw data

_SIGNS: dict[str, Callable[[dt.date, dt.date], bool]] = {"<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge, "=": operator.eq}


def _years_ago(today: dt.date, years: int) -> dt.date:
    try:
        return today.replace(year=today.year - years)
    except ValueError:  # 29 February
        return today.replace(year=today.year - years, day=28)


def _day(answer: Any) -> dt.date:
    if isinstance(answer, Mapping):
        return dt.date(int(answer["year"]), int(answer["month"]), int(answer["day"]))
    return dt.date.fromisoformat(str(answer))


def _value_met(answer: Any, value: str, today: dt.date, *, more_years_means_at_least: bool) -> bool:
    """One acceptable value against one answer, as the files word it."""
    if m := re.fullmatch(r"(>=|<=|>|<|=)(\d+)years", value):
        # "<2years": less than 2 years have passed since the date, i.e. the date N years back lies before it.
        sign = ">=" if m[1] == ">" and more_years_means_at_least else m[1]
        return _SIGNS[sign](_years_ago(today, int(m[2])), _day(answer))
    if m := re.fullmatch(r"(>=|<=|>|<|=)(\d\d)-(\d\d)-(\d{4})", value):
        return _SIGNS[m[1]](_day(answer), dt.date(int(m[4]), int(m[2]), int(m[3])))
    return bool(answer == value)


def _stated_verdicts(data: Mapping[str, Any], answers: Mapping[str, Any], today: dt.date, *, usagov: bool) -> dict[str, Verdict]:
    """Benefit id to verdict: eligible if every criterion is met, unknown if none failed and one is unanswered, else ineligible."""
    kinds = {q["key"]: str(q["type"]).lower() for q in data["questions"]}
    verdicts: dict[str, Verdict] = {}
    for benefit in data["benefits"]:
        states: list[bool | None] = []
        for crit in benefit.get("eligibility") or []:
            answer = answers.get(crit["key"])
            if answer is None:
                states.append(None)
                continue
            values = crit["acceptable_values"]["en"] if usagov else crit["acceptable_values"]
            hits = [_value_met(answer, v, today, more_years_means_at_least=usagov) for v in values]
            states.append(all(hits) if usagov and kinds[crit["key"]] == "date" else any(hits))
        verdicts[benefit["id"]] = Verdict.INELIGIBLE if False in states else Verdict.UNKNOWN if None in states else Verdict.ELIGIBLE
    return verdicts


def _loosely_read(data: Mapping[str, Any], *, usagov: bool) -> set[str]:
    """Criteria naming an option by a text that is not the option's own (ignoring case and spacing)."""

    def norm(text: Any) -> str:
        return " ".join(str(text).casefold().split())

    questions = {q["key"]: q for q in data["questions"]}
    yes_no = {"yes", "no", "true", "false"} if usagov else {"yes", "no"}
    found: set[str] = set()
    for benefit in data["benefits"]:
        for j, crit in enumerate(benefit.get("eligibility") or []):
            question = questions[crit["key"]]
            options = question.get("options") or []
            labels = {norm(o) for o in (options.get("en") or [] if isinstance(options, Mapping) else options)}
            values = crit["acceptable_values"]["en"] if usagov else crit["acceptable_values"]
            if str(question["type"]).lower() in ("radio", "select") and not labels <= yes_no and any(norm(v) not in labels for v in values):
                found.add(f"{benefit['id']}.eligibility[{j}]")
    return found


def test_the_rules_implemented_above_are_the_ones_the_files_state(px_data: dict[str, Any], usagov_data: dict[str, Any]) -> None:
    assert px_data["source"]["rule"] == PX_RULE
    assert usagov_data["source"]["eligibility_semantics"].startswith(USAGOV_RULE_START)


# --------------------------------------------------------------------------- px-benefit-finder


def test_px_shape(px: ImportedRuleset, px_data: dict[str, Any]) -> None:
    assert px.format == "px-benefit-finder"
    assert (len(px.questions), len(px.benefits), len(px.cases)) == (len(px_data["questions"]), len(px_data["benefits"]), len(px_data["cases"]))
    assert px.source["repository"] == "https://github.com/GSA/px-benefit-finder"
    # Date questions are dates; Radio or Select with the options Yes and No are yes/no questions; the rest are choices.
    stated = Counter(
        "date" if q["type"] == "Date" else "boolean" if {o.lower() for o in q["options"]} == {"yes", "no"} else "choice" for q in px_data["questions"]
    )
    assert Counter(q.type for q in px.questions.values()) == stated
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


def test_every_loosely_read_value_is_warned_about(px: ImportedRuleset, px_data: dict[str, Any], usagov: ImportedRuleset, usagov_data: dict[str, Any]) -> None:
    assert {w.split(":")[0] for w in px.warnings} == _loosely_read(px_data, usagov=False)
    assert {w.split(":")[0] for w in usagov.warnings} == _loosely_read(usagov_data, usagov=True)


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


@pytest.mark.parametrize("case_id", CASES)
def test_scenario_counts_follow_the_stated_rule(px: ImportedRuleset, px_data: dict[str, Any], case_id: str) -> None:
    """Eligible, ineligible and more-information counts (and each benefit's verdict) as the file's rule gives them."""
    raw = next(c for c in px_data["cases"] if c["case"] == case_id)
    case = next(c for c in px.cases if c.id == case_id)
    expected = _stated_verdicts(px_data, raw["answers"], dt.date.fromisoformat(raw["evaluation_date"]), usagov=False)
    got = px.evaluate(case.answers, case.evaluation_date)
    assert Counter(got.values()) == Counter(expected.values())
    assert got == expected


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
    assert len(bank) == len(px.questions)  # px has no free-text question
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


def test_usagov_imports(usagov: ImportedRuleset, usagov_data: dict[str, Any]) -> None:
    assert usagov.format == "usagov-benefits-eligibility"
    assert len(usagov.benefits) == len(usagov_data["benefits"])
    assert len(usagov.questions) == len(usagov_data["questions"])
    assert usagov.cases == ()
    # A "location" question is asked by the source but used by no criterion: the bank has no such type.
    assert usagov.questions["applicant_disaster_zone"].type == "text"
    assert len(usagov.bank()) == sum(1 for q in usagov_data["questions"] if q["type"] != "location")
    assert all(b.criteria is not None for b in usagov.benefits)


def test_usagov_several_date_values_must_all_hold(usagov: ImportedRuleset) -> None:
    ssi = _benefit(usagov, "ssa-supplemental-security-income_adult")
    ages = {c.op: c.value for c in _conditions(ssi) if c.q == "applicant_date_of_birth"}
    assert ages == {"before_years": 18, "within_years": 64}
    today = dt.date(2025, 6, 15)
    yes = {"applicant_disability": True, "applicant_ability_to_work": True, "applicant_income": True, "applicant_citizen_status": True}
    assert evaluate(ssi, {**yes, "applicant_date_of_birth": dt.date(1990, 1, 1)}, today) is Verdict.ELIGIBLE
    assert evaluate(ssi, {**yes, "applicant_date_of_birth": dt.date(1950, 1, 1)}, today) is Verdict.INELIGIBLE
    assert evaluate(ssi, {**yes, "applicant_date_of_birth": dt.date(2010, 1, 1)}, today) is Verdict.INELIGIBLE


def test_usagov_evaluates(usagov: ImportedRuleset, usagov_data: dict[str, Any]) -> None:
    today = dt.date(2025, 6, 15)
    assert usagov.evaluate({}, today) == _stated_verdicts(usagov_data, {}, today, usagov=True)
    raw = {
        "applicant_date_of_birth": {"year": 1955, "month": 3, "day": 1},
        "applicant_paid_into_SS": "true",
        "applicant_citizen_status": "true",
        "applicant_served_in_active_military": "no",
        "applicant_disability": "false",
    }
    retiree = usagov.convert_answers(raw)
    verdicts = usagov.evaluate(retiree, today)
    expected = _stated_verdicts(usagov_data, raw, today, usagov=True)
    assert Counter(verdicts.values()) == Counter(expected.values())
    assert verdicts == expected
    assert verdicts["ssa-retirement-benefits"] is Verdict.ELIGIBLE
    assert verdicts["cms-medicare-retirement"] is Verdict.ELIGIBLE
    assert verdicts["cms-childrens-health-insurance-program-child"] is Verdict.INELIGIBLE
    for benefit in usagov.benefits:  # every benefit can be asked about in both languages
        for lang in ("en", "zh"):
            result = assess(benefit.criteria, retiree, usagov.bank(), lang, today)
            assert result.status is verdicts[benefit.id]
