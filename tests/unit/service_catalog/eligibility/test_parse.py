"""Unit and property tests for service_catalog.eligibility.parse."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from service_catalog.eligibility import (
    coerce_answer,
    parse_answer,
    parse_choice,
    parse_date,
    parse_district,
    parse_number,
    parse_yes_no,
)
from service_catalog.model import Question

TODAY = dt.date(2025, 6, 15)


def _q(data: dict[str, Any]) -> Question:
    return Question.model_validate({"text": {"zh": "问题？", "en": "Question?"}, "why": {"zh": "原因。", "en": "Why."}, **data})


def _options(*pairs: tuple[str, str, str]) -> list[dict[str, Any]]:
    return [{"value": v, "label": {"zh": zh, "en": en}} for v, zh, en in pairs]


AGE = _q({"id": "age", "type": "number", "min": 0, "max": 130, "unit": {"zh": "岁", "en": "years"}})
HUKOU = _q({"id": "hukou_shanghai", "type": "boolean"})
DEATH = _q({"id": "date_of_death", "type": "date"})
EMPLOYMENT = _q(
    {
        "id": "employment_status",
        "type": "choice",
        "options": _options(
            ("employed", "在职", "Employed"),
            ("self_employed", "个体经营或灵活就业", "Self-employed or gig work"),
            ("unemployed", "失业", "Unemployed"),
            ("student", "在校学生", "Student"),
            ("retired", "已退休", "Retired"),
        ),
    }
)
MARITAL = _q(
    {
        "id": "marital_status",
        "type": "choice",
        "options": _options(("single", "未婚", "Single"), ("married", "已婚", "Married"), ("divorced", "离异", "Divorced"), ("widowed", "丧偶", "Widowed")),
    }
)
EDUCATION = _q(
    {
        "id": "education_level",
        "type": "choice",
        "options": _options(
            ("secondary", "高中及以下", "Secondary school or below"),
            ("vocational", "大专", "Vocational college"),
            ("bachelor", "本科", "Bachelor's degree"),
            ("master", "硕士", "Master's degree"),
            ("doctorate", "博士", "Doctorate"),
        ),
    }
)
GRADE = _q(
    {
        "id": "disability_level",
        "type": "choice",
        "options": _options(("grade_1", "一级", "Grade 1"), ("grade_2", "二级", "Grade 2"), ("grade_3", "三级", "Grade 3"), ("grade_4", "四级", "Grade 4")),
    }
)
RELATION = _q(
    {
        "id": "deceased_relationship",
        "type": "choice",
        "options": _options(
            ("spouse", "配偶", "Spouse"),
            ("child", "子女", "Child"),
            ("parent", "父母", "Parent"),
            ("other_family", "其他亲属", "Other family member"),
            ("representative", "委托代理人", "Representative"),
        ),
    }
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("65", 65),
        ("六十五", 65),
        ("三十岁", 30),
        ("两千五", 2500),
        ("一万二", 12000),
        ("3千", 3000),
        ("58岁", 58),
        ("五十八岁", 58),
        ("十八", 18),
        ("十", 10),
        ("一百零五", 105),
        ("三百五", 350),
        ("一千零五十", 1050),
        ("二十万", 200000),
        ("2.5万", 25000),
        ("1万2", 12000),
        ("一亿两千万", 120_000_000),
        ("二〇二四", 2024),
        ("我今年六十五了", 65),
        ("我想问一下，我五十八岁", 58),
        ("每月大概2,500元", 2500),
        ("I'm 58", 58),
        ("I am 58 years old", 58),
        ("about 2500 yuan", 2500),
        ("actually I'm 58", 58),
        ("50, actually 58", 58),
        ("不对，应该是58", 58),
        ("not 50, 58", 58),
        ("I'm 58, not 50", 58),
        ("fifty-eight", 58),
        ("sixty five", 65),
        ("two thousand five hundred", 2500),
        ("a hundred", 100),
        ("3 thousand", 3000),
        ("3k", 3000),
        ("2.5", 2.5),
        ("around 1.5k a month", 1500),
        ("０５８", 58),  # full-width digits
    ],
)
def test_parse_number(text: str, expected: float) -> None:
    assert parse_number(text) == expected
    assert parse_answer(AGE, text, TODAY) == expected


@pytest.mark.parametrize("text", ["", "no idea", "不知道", "千万别问", "一下子说不清", "hello"])
def test_parse_number_none(text: str) -> None:
    assert parse_number(text) is None


def test_parsed_number_is_checked_by_coerce() -> None:
    value = parse_answer(AGE, "二百岁", TODAY)
    assert value == 200
    with pytest.raises(ValueError, match="age must be at most 130"):
        coerce_answer(AGE, value)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("是", True),
        ("是的", True),
        ("对", True),
        ("对的", True),
        ("有", True),
        ("有的", True),
        ("嗯", True),
        ("嗯嗯", True),
        ("当然", True),
        ("没错", True),
        ("没问题", True),
        ("持有", True),
        ("已经办了", True),
        ("没有", False),
        ("不是", False),
        ("否", False),
        ("没", False),
        ("不", False),
        ("没办", False),
        ("当然不是", False),
        ("yes", True),
        ("Yes!", True),
        ("yep", True),
        ("yeah", True),
        ("sure", True),
        ("of course", True),
        ("yes I do", True),
        ("I am", True),
        ("no", False),
        ("No.", False),
        ("nope", False),
        ("not really", False),
        ("nah", False),
        ("of course not", False),
        ("I don't", False),
        ("I’m not", False),
        ("never", False),
        ("true", True),
        ("false", False),
    ],
)
def test_parse_yes_no(text: str, expected: bool) -> None:
    assert parse_yes_no(text) is expected
    assert parse_answer(HUKOU, text, TODAY) is expected


@pytest.mark.parametrize("text", ["", "不知道", "不清楚", "不确定", "not sure", "I don't know", "maybe", "hello", "上海"])
def test_parse_yes_no_unsure(text: str) -> None:
    assert parse_yes_no(text) is None


@pytest.mark.parametrize(
    ("question", "text", "expected"),
    [
        (EMPLOYMENT, "retired", "retired"),
        (EMPLOYMENT, "Retired", "retired"),
        (EMPLOYMENT, "self_employed", "self_employed"),
        (EMPLOYMENT, "self-employed", "self_employed"),
        (EMPLOYMENT, "已退休", "retired"),
        (EMPLOYMENT, "I'm retired", "retired"),
        (EMPLOYMENT, "退休了", "retired"),
        (EMPLOYMENT, "我失业了", "unemployed"),
        (EMPLOYMENT, "I'm unemployed", "unemployed"),
        (EMPLOYMENT, "I lost my job", "unemployed"),
        (EMPLOYMENT, "not working at the moment", "unemployed"),
        (EMPLOYMENT, "没工作", "unemployed"),
        (EMPLOYMENT, "我在上班", "employed"),
        (EMPLOYMENT, "I work full-time", "employed"),
        (EMPLOYMENT, "在职", "employed"),
        (EMPLOYMENT, "我是个体户", "self_employed"),
        (EMPLOYMENT, "freelancer", "self_employed"),
        (EMPLOYMENT, "我是学生", "student"),
        (EMPLOYMENT, "I'm a student", "student"),
        (EMPLOYMENT, "2", "self_employed"),
        (EMPLOYMENT, "第三个", "unemployed"),
        (EMPLOYMENT, "the first one", "employed"),
        (MARITAL, "离婚了", "divorced"),
        (MARITAL, "单身", "single"),
        (MARITAL, "not married", "single"),
        (MARITAL, "我结婚了", "married"),
        (MARITAL, "married", "married"),
        (MARITAL, "my husband died", "widowed"),
        (MARITAL, "丧偶", "widowed"),
        (EDUCATION, "本科毕业", "bachelor"),
        (EDUCATION, "I have a PhD", "doctorate"),
        (EDUCATION, "研究生", "master"),
        (EDUCATION, "高中", "secondary"),
        (GRADE, "二级", "grade_2"),
        (GRADE, "grade 3", "grade_3"),
        (RELATION, "我是他儿子", "child"),
        (RELATION, "老伴", "spouse"),
        (RELATION, "she was my mother", "parent"),
        (RELATION, "I'm his lawyer", "representative"),
    ],
)
def test_parse_choice(question: Question, text: str, expected: str) -> None:
    assert parse_choice(question, text) == expected
    assert parse_answer(question, text, TODAY) == expected


@pytest.mark.parametrize("text", ["", "我不是学生", "hello", "第九个", "不知道"])
def test_parse_choice_none(text: str) -> None:
    assert parse_choice(EMPLOYMENT, text) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-03-05", dt.date(2024, 3, 5)),
        ("2024/3/5", dt.date(2024, 3, 5)),
        ("2024.03.05", dt.date(2024, 3, 5)),
        ("2024年3月5日", dt.date(2024, 3, 5)),
        ("2024年3月5号", dt.date(2024, 3, 5)),
        ("二〇二四年三月五日", dt.date(2024, 3, 5)),
        ("3月5日", dt.date(2025, 3, 5)),
        ("去年3月5日", dt.date(2024, 3, 5)),
        ("March 5, 2024", dt.date(2024, 3, 5)),
        ("Mar 5 2024", dt.date(2024, 3, 5)),
        ("5 March 2024", dt.date(2024, 3, 5)),
        ("the 5th of March, 2024", dt.date(2024, 3, 5)),
        ("March 5", dt.date(2025, 3, 5)),
        ("today", TODAY),
        ("今天", TODAY),
        ("yesterday", dt.date(2025, 6, 14)),
        ("昨天", dt.date(2025, 6, 14)),
        ("前天", dt.date(2025, 6, 13)),
        ("last week", dt.date(2025, 6, 8)),
        ("上周", dt.date(2025, 6, 8)),
        ("上个星期", dt.date(2025, 6, 8)),
        ("a week ago", dt.date(2025, 6, 8)),
        ("3 days ago", dt.date(2025, 6, 12)),
        ("three days ago", dt.date(2025, 6, 12)),
        ("三天前", dt.date(2025, 6, 12)),
        ("两周前", dt.date(2025, 6, 1)),
        ("两个月前", dt.date(2025, 4, 15)),
        ("last month", dt.date(2025, 5, 15)),
        ("he died 2 years ago", dt.date(2023, 6, 15)),
    ],
)
def test_parse_date(text: str, expected: dt.date) -> None:
    assert parse_date(text, TODAY) == expected
    assert parse_answer(DEATH, text, TODAY) == expected


def test_month_shift_clamps_to_month_end() -> None:
    assert parse_date("1 month ago", dt.date(2025, 3, 31)) == dt.date(2025, 2, 28)


@pytest.mark.parametrize("text", ["", "2024-02-30", "2月30日", "some time ago", "几天前", "不记得了"])
def test_parse_date_none(text: str) -> None:
    assert parse_date(text, TODAY) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("浦东", "pudong"),
        ("浦东新区", "pudong"),
        ("Pudong", "pudong"),
        ("Pudong New Area", "pudong"),
        ("徐汇", "xuhui"),
        ("Xuhui District", "xuhui"),
        ("静安", "jingan"),
        ("Jing'an", "jingan"),
        ("jing an", "jingan"),
        ("黄浦区", "huangpu"),
        ("长宁", "changning"),
        ("普陀", "putuo"),
        ("虹口", "hongkou"),
        ("杨浦", "yangpu"),
        ("闵行", "minhang"),
        ("Min Hang", "minhang"),
        ("宝山", "baoshan"),
        ("嘉定", "jiading"),
        ("金山", "jinshan"),
        ("松江", "songjiang"),
        ("青浦", "qingpu"),
        ("奉贤", "fengxian"),
        ("崇明", "chongming"),
        ("崇明岛", "chongming"),
        ("我住在徐汇区", "xuhui"),
        ("I live in Yangpu, near Fudan", "yangpu"),
        ("闸北", "jingan"),
        ("卢湾", "huangpu"),
        ("南汇", "pudong"),
        ("从浦东搬到了闵行", "pudong"),
    ],
)
def test_parse_district(text: str, expected: str) -> None:
    assert parse_district(text) == expected


@pytest.mark.parametrize("text", ["", "上海", "Shanghai", "Beijing", "pudongxyz"])
def test_parse_district_none(text: str) -> None:
    assert parse_district(text) is None


@given(st.text(max_size=40))
def test_parsers_never_raise(text: str) -> None:
    """Untrusted text: every parser returns a value of its kind or None, never an exception."""
    number = parse_number(text)
    assert number is None or isinstance(number, (int, float))
    assert parse_yes_no(text) in (True, False, None)
    assert parse_choice(EMPLOYMENT, text) in (None, *[o.value for o in EMPLOYMENT.options])
    day = parse_date(text, TODAY)
    assert day is None or isinstance(day, dt.date)
    assert parse_district(text) is None or isinstance(parse_district(text), str)


@given(st.integers(0, 10**9))
def test_numbers_round_trip(n: int) -> None:
    assert parse_number(str(n)) == n
    assert parse_number(f"{n:,}") == n


@given(st.dates(dt.date(1900, 1, 1), dt.date(2100, 12, 31)))
def test_dates_round_trip(day: dt.date) -> None:
    assert parse_date(day.isoformat(), TODAY) == day
    assert parse_date(f"{day.year}年{day.month}月{day.day}日", TODAY) == day


HUKOU_ASKED = _q(
    {
        "id": "hukou_shanghai",
        "type": "boolean",
        "text": {"zh": "您是否有本市户籍（上海户口）？", "en": "Is your household registration (hukou) in Shanghai?"},
    }
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("上海户口", True),
        ("shanghai hukou", True),
        ("my hukou is in shanghai", True),
        ("没有上海户口", False),
        ("no shanghai hukou", False),
        ("北京户口", False),  # another place than the one asked about says no (situation.py), it restates nothing
        ("hukou in beijing", False),
        ("户口", None),
    ],
)
def test_a_short_answer_restating_the_question_is_a_yes(text: str, expected: bool | None) -> None:
    assert parse_answer(HUKOU_ASKED, text, TODAY) is expected
