"""Unit tests for service_catalog.eligibility.engine."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import TypeAdapter, ValidationError

from service_catalog.eligibility import (
    Assessment,
    InvalidAnswer,
    InvalidCriterion,
    Verdict,
    assess,
    coerce_answer,
    coerce_answers,
    evaluate,
    next_question,
    open_questions,
)
from service_catalog.errors import CatalogError, InvalidRequest
from service_catalog.model import AllOf, AnyOf, Condition, Criterion, NotOf, Question, Service

TODAY = dt.date(2025, 6, 15)
REPO = Path(__file__).resolve().parents[4]


def c(q: str, op: str, value: Any, **kw: Any) -> Condition:
    return Condition.model_validate({"q": q, "op": op, "value": value, **kw})


_CRITERION: TypeAdapter[Criterion] = TypeAdapter(Criterion)


def crit(data: Any) -> Criterion:
    """A criterion from its YAML-like dict form."""
    return _CRITERION.validate_python(data)


def question(data: dict[str, Any]) -> Question:
    base = {"text": {"zh": "问题？", "en": "Question?"}, "why": {"zh": "原因。", "en": "Why."}}
    return Question.model_validate({**base, **data})


BANK: dict[str, Question] = {
    q.id: q
    for q in [
        question(
            {
                "id": "age",
                "type": "number",
                "text": {"zh": "您今年多少岁？", "en": "How old are you?"},
                "unit": {"zh": "岁", "en": "years"},
                "min": 0,
                "max": 130,
            }
        ),
        question(
            {
                "id": "hukou_shanghai",
                "type": "boolean",
                "text": {"zh": "您是否有本市户籍？", "en": "Is your hukou in Shanghai?"},
            }
        ),
        question(
            {
                "id": "lived_in_city_months",
                "type": "number",
                "text": {"zh": "您在本市连续居住了多少个月？", "en": "How many months have you lived in the city?"},
                "unit": {"zh": "个月", "en": "months"},
                "min": 0,
                "max": 1200,
            }
        ),
        question(
            {
                "id": "has_legal_residence",
                "type": "boolean",
                "text": {"zh": "您是否有合法稳定的住所？", "en": "Do you have a lawful, stable home here?"},
            }
        ),
        question(
            {
                "id": "employment_status",
                "type": "choice",
                "text": {"zh": "您目前的就业状况是？", "en": "What is your current work situation?"},
                "options": [
                    {"value": "employed", "label": {"zh": "在职", "en": "Employed"}},
                    {"value": "self_employed", "label": {"zh": "个体经营", "en": "Self-employed"}},
                    {"value": "unemployed", "label": {"zh": "失业", "en": "Unemployed"}},
                    {"value": "student", "label": {"zh": "在校学生", "en": "Student"}},
                    {"value": "retired", "label": {"zh": "已退休", "en": "Retired"}},
                ],
            }
        ),
        question(
            {
                "id": "date_of_death",
                "type": "date",
                "text": {"zh": "去世日期是哪一天？", "en": "What was the date of death?"},
            }
        ),
    ]
}

RESIDENCE = crit(
    {
        "all": [
            {"q": "hukou_shanghai", "op": "eq", "value": False},
            {"q": "lived_in_city_months", "op": "ge", "value": 6},
            {
                "any": [
                    {"q": "employment_status", "op": "in", "value": ["employed", "self_employed", "student"]},
                    {"q": "has_legal_residence", "op": "eq", "value": True},
                ]
            },
        ]
    }
)


# --------------------------------------------------------------------------- evaluation


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


# --------------------------------------------------------------------------- next question


class TestNextQuestion:
    def test_first_question_in_order_when_each_can_settle(self) -> None:
        assert next_question(RESIDENCE, {}, TODAY) == "hukou_shanghai"
        assert next_question(RESIDENCE, {"hukou_shanghai": False}, TODAY) == "lived_in_city_months"

    def test_skips_answered_and_decided_parts(self) -> None:
        answers = {"hukou_shanghai": False, "lived_in_city_months": 8, "employment_status": "retired"}
        assert next_question(RESIDENCE, answers, TODAY) == "has_legal_residence"
        assert open_questions(RESIDENCE, answers, TODAY) == ["has_legal_residence"]

    def test_none_when_decided(self) -> None:
        assert next_question(RESIDENCE, {"hukou_shanghai": True}, TODAY) is None
        assert open_questions(RESIDENCE, {"hukou_shanghai": True}, TODAY) == []
        assert next_question(None, {}, TODAY) is None

    def test_prefers_a_question_that_alone_settles_the_tree(self) -> None:
        # a and b only matter together; c settles everything on its own.
        rule = AnyOf(any=[AllOf(all=[c("a", "eq", True), c("b", "eq", True)]), c("c", "eq", True)])
        assert next_question(rule, {}, TODAY) == "c"

    def test_tie_break_by_fewest_remaining_questions(self) -> None:
        # No question settles this alone. After x (or z) one more question can finish;
        # after y, p, q, r, s or t at least two are needed. x is the first of the best.
        rule = AnyOf(
            any=[
                AllOf(all=[c("y", "eq", True), c("p", "eq", True), c("q", "eq", True)]),
                AllOf(all=[c("r", "eq", True), c("s", "eq", True), c("t", "eq", True)]),
                AllOf(all=[c("x", "eq", True), c("z", "eq", True)]),
            ]
        )
        assert next_question(rule, {}, TODAY) == "x"
        # Once the third branch is out, every question can leave just one more to ask: the first wins.
        assert next_question(rule, {"x": False}, TODAY) == "y"

    def test_a_question_that_settles_beats_an_earlier_one(self) -> None:
        rule = AllOf(all=[AnyOf(any=[c("a", "eq", True), c("b", "eq", True)]), c("c", "eq", True)])
        assert next_question(rule, {}, TODAY) == "c"

    def test_question_only_in_a_satisfied_branch_is_not_asked(self) -> None:
        rule = AllOf(all=[AnyOf(any=[c("a", "eq", True), c("b", "eq", True)]), c("c", "ge", 3)])
        assert next_question(rule, {"a": True}, TODAY) == "c"

    def test_bank_limits_the_look_ahead(self) -> None:
        # With age capped at 130, "age le 200" cannot fail, so only hukou can settle the check.
        rule = AllOf(all=[c("age", "le", 200), c("hukou_shanghai", "eq", False)])
        assert next_question(rule, {}, TODAY) == "age"
        assert next_question(rule, {}, TODAY, bank=BANK) == "hukou_shanghai"

    def test_repeated_question_is_asked_once(self) -> None:
        rule = AnyOf(any=[c("age", "ge", 60), AllOf(all=[c("age", "lt", 18), c("hukou_shanghai", "eq", True)])])
        assert next_question(rule, {}, TODAY) == "age"
        assert next_question(rule, {"age": 40}, TODAY) is None
        assert next_question(rule, {"age": 10}, TODAY) == "hukou_shanghai"


# --------------------------------------------------------------------------- explanations


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

    def test_reasons_in_chinese(self) -> None:
        answers = {"hukou_shanghai": False, "lived_in_city_months": 3, "employment_status": "retired"}
        result = assess(RESIDENCE, answers, BANK, "zh", TODAY)
        assert result.status is Verdict.INELIGIBLE
        texts = [r.text for r in result.reasons]
        assert texts == [
            "您是否有本市户籍？要求为“否”（您的回答：否）",
            "您在本市连续居住了多少个月？要求不低于6个月（您的回答：3）",
            "您目前的就业状况是？要求为“在职”、“个体经营”或“在校学生”之一（您的回答：已退休）",
        ]
        assert result.missing == ()
        assert result.next_question is None

    def test_choice_rendered_with_label_in_english(self) -> None:
        answers = {"hukou_shanghai": False, "lived_in_city_months": 9, "employment_status": "retired"}
        result = assess(RESIDENCE, answers, BANK, "en", TODAY)
        choice = next(r for r in result.reasons if r.question_id == "employment_status")
        assert choice.text == ("What is your current work situation? Must be one of “Employed”, “Self-employed” or “Student” (you said Retired)")
        assert choice.met is False

    def test_label_is_used_when_present(self) -> None:
        rule = c("age", "ge", 60, label={"zh": "年龄不低于60岁", "en": "Age is at least 60"})
        en = assess(rule, {"age": 58}, BANK, "en", TODAY)
        zh = assess(rule, {"age": 58}, BANK, "zh", TODAY)
        assert en.reasons[0].text == "Age is at least 60 (you said 58)"
        assert zh.reasons[0].text == "年龄不低于60岁（您的回答：58）"
        assert en.would_qualify_if == ("This would have to be true: Age is at least 60 (you said 58).",)
        assert zh.would_qualify_if == ("需要满足“年龄不低于60岁”（您的回答：58）。",)

    def test_generated_number_wording(self) -> None:
        en = assess(c("age", "ge", 60), {"age": 58}, BANK, "en", TODAY)
        zh = assess(c("age", "ge", 60), {"age": 58}, BANK, "zh", TODAY)
        assert en.reasons[0].text == "How old are you? Must be at least 60 years (you said 58)"
        assert zh.reasons[0].text == "您今年多少岁？要求不低于60岁（您的回答：58）"
        assert en.would_qualify_if == ("Your answer to “How old are you?” would have to be at least 60 years (you said 58).",)
        assert zh.would_qualify_if == ("“您今年多少岁？”的回答需要不低于60岁（您的回答：58）。",)

    @pytest.mark.parametrize(
        ("rule", "en", "zh"),
        [
            (c("age", "lt", 18), "less than 18 years", "低于18岁"),
            (c("age", "le", 18), "at most 18 years", "不超过18岁"),
            (c("age", "gt", 18), "more than 18 years", "超过18岁"),
            (c("age", "eq", 18), "exactly 18 years", "等于18岁"),
            (c("age", "ne", 18), "anything other than 18 years", "不等于18岁"),
            (c("employment_status", "eq", "retired"), "“Retired”", "为“已退休”"),
            (c("employment_status", "not_in", ["retired", "student"]), "none of “Retired” or “Student”", "不为“已退休”或“在校学生”中的任何一项"),
            (c("employment_status", "in", ["retired"]), "“Retired”", "为“已退休”"),
            (c("hukou_shanghai", "ne", True), "“no”", "为“否”"),
            (c("date_of_death", "within_days", 60), "within the last 60 days", "在最近60天以内"),
            (c("date_of_death", "before_days", 1), "at least 1 day ago", "距今至少1天"),
            (c("date_of_death", "within_years", 2), "less than 2 years ago", "距今不满2年"),
            (c("date_of_death", "before_years", 2), "at least 2 years ago", "距今已满2年"),
            (c("date_of_death", "ge", "2020-05-20"), "on or after 20 May 2020", "不早于2020年5月20日"),
            (c("date_of_death", "lt", "1978-01-01"), "before 1 January 1978", "早于1978年1月1日"),
        ],
    )
    def test_requirement_wording(self, rule: Condition, en: str, zh: str) -> None:
        assert f"Must be {en} (not answered yet)" in assess(rule, {}, BANK, "en", TODAY).reasons[0].text
        assert f"要求{zh}（尚未回答）" in assess(rule, {}, BANK, "zh", TODAY).reasons[0].text

    def test_dates_rendered_in_each_language(self) -> None:
        rule = c("date_of_death", "within_days", 60)
        answers = {"date_of_death": dt.date(2025, 3, 5)}
        assert assess(rule, answers, BANK, "en", TODAY).reasons[0].text.endswith("(you said 5 March 2025)")
        assert assess(rule, answers, BANK, "zh", TODAY).reasons[0].text.endswith("（您的回答：2025年3月5日）")

    def test_negated_condition_is_worded_as_its_opposite(self) -> None:
        rule = NotOf.model_validate({"not": {"q": "age", "op": "ge", "value": 60}})
        result = assess(rule, {"age": 65}, BANK, "en", TODAY)
        assert result.status is Verdict.INELIGIBLE
        assert result.reasons[0].text == "How old are you? Must be less than 60 years (you said 65)"
        assert result.reasons[0].met is False
        assert result.would_qualify_if == ("Your answer to “How old are you?” would have to be less than 60 years (you said 65).",)

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


# --------------------------------------------------------------------------- coercion


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

    def test_error_classes(self) -> None:
        error = InvalidAnswer("bad", field="age")
        assert isinstance(error, ValueError)
        assert isinstance(error, InvalidRequest)
        assert isinstance(error, CatalogError)
        assert error.status == 400
        assert error.to_json() == {"error": "invalid_answer", "message": "bad", "field": "age"}
        assert InvalidCriterion("x").status == 422


# --------------------------------------------------------------------------- the real catalogue


def _real_bank() -> dict[str, Question]:
    bank: dict[str, Question] = {}
    for path in sorted((REPO / "service_catalog/data/questions").glob("*.yaml")):
        for item in yaml.safe_load(path.read_text(encoding="utf-8")) or []:
            try:
                q = Question.model_validate(item)
            except ValidationError:
                continue  # the catalogue checker reports these
            bank[q.id] = q
    return bank


def test_real_residence_permit_service() -> None:
    path = REPO / "service_catalog/data/services/residence-permit-application.yaml"
    if not path.is_file():
        pytest.skip("residence-permit-application.yaml not found")
    service = Service.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))
    bank = _real_bank()
    answers: dict[str, Any] = {}
    steps = 0
    while (qid := next_question(service.eligibility, answers, TODAY, bank=bank)) is not None:
        assert qid not in answers
        for lang in ("zh", "en"):
            result = assess(service.eligibility, answers, bank, lang, TODAY)
            assert result.status is Verdict.UNKNOWN
            assert result.next_question is not None and result.next_question.id == qid
        q = bank[qid]
        if q.type == "choice":
            answers[qid] = q.options[0].value
        else:
            answers[qid] = {"boolean": False, "number": 12}.get(q.type, TODAY)
        steps += 1
    assert steps <= len(open_questions(service.eligibility, {}, TODAY))
    assert evaluate(service.eligibility, answers, TODAY) is not Verdict.UNKNOWN


def test_question_text_without_a_question_mark() -> None:
    bank = {"dob": question({"id": "dob", "type": "date", "text": {"zh": "出生日期", "en": "Date of birth"}})}
    rule = c("dob", "before_years", 60)
    assert assess(rule, {}, bank, "en", TODAY).reasons[0].text == "Date of birth: must be at least 60 years ago (not answered yet)"
    assert assess(rule, {}, bank, "zh", TODAY).reasons[0].text == "出生日期：要求距今已满60年（尚未回答）"
