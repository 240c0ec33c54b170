"""Unit tests for service_catalog.eligibility.wording (through assess): conditions and answers worded in zh and en."""

from __future__ import annotations

import datetime as dt

import pytest
from eligibility_kit import BANK, RESIDENCE, TODAY, c, question

from service_catalog.eligibility import Verdict, assess
from service_catalog.model import Condition, NotOf


class TestWording:
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


def test_question_text_without_a_question_mark() -> None:
    bank = {"dob": question({"id": "dob", "type": "date", "text": {"zh": "出生日期", "en": "Date of birth"}})}
    rule = c("dob", "before_years", 60)
    assert assess(rule, {}, bank, "en", TODAY).reasons[0].text == "Date of birth: must be at least 60 years ago (not answered yet)"
    assert assess(rule, {}, bank, "zh", TODAY).reasons[0].text == "出生日期：要求距今已满60年（尚未回答）"
