"""Answers given before the check started (issue 14): "my dad is 70 and needs a care home" answers the
age of a check for the father, "I've paid social insurance for 3 years" the months of insurance, and
"she is a foreigner" is kept as a fact about the wife; words said in passing answer nothing."""

from __future__ import annotations

import datetime as dt
from functools import cache
from pathlib import Path

from service_catalog.catalogue import Catalogue, iter_conditions, load_catalogue
from service_catalog.eligibility.earlier import Found, clauses, earlier_answers
from service_catalog.model import Question

DATA = Path(__file__).resolve().parents[4] / "service_catalog" / "data"
TODAY = dt.date(2026, 12, 7)
FACTS = ("hukou_shanghai", "has_residence_permit", "nationality_chinese")


@cache
def catalogue() -> Catalogue:
    return load_catalogue(DATA)


def check_of(service_id: str) -> list[Question]:
    cat = catalogue()
    return [cat.questions[q] for q in dict.fromkeys(c.q for c in iter_conditions(cat.services[service_id].eligibility))]


def read(service_id: str, *texts: str, answers: dict[str, object] | None = None) -> dict[str, Found]:
    bank = [catalogue().questions[q] for q in FACTS]
    return {f.question_id: f for f in earlier_answers(check_of(service_id), list(texts), answers or {}, TODAY, bank)}


def test_an_age_said_in_passing_answers_the_age() -> None:
    found = read("senior-citizen-card", "my dad is 70 and needs a care home", "how much does it cost")
    assert (found["age"].kind, found["age"].reading.value, found["age"].said) == ("taken", 70, "my dad is 70 and needs a care home")
    zh = read("senior-citizen-card", "我爸今年七十了，户口在上海")
    assert (zh["age"].reading.value, zh["age"].kind) == (70, "taken")
    assert (zh["hukou_shanghai"].reading.value, zh["hukou_shanghai"].said) == (True, "户口在上海")


def test_a_duration_answers_only_the_question_it_shares_words_with() -> None:
    found = read("unemployment-insurance-benefit", "I lost my job last month, I've paid social insurance for 3 years")
    assert (found["social_insurance_months"].reading.value, found["social_insurance_months"].kind) == (36, "taken")
    assert found["unemployment_involuntary"].reading.value is True
    # "3 years" of insurance is not an age; "70" in a sentence about a care home is not months of insurance.
    assert "age" not in read("senior-citizen-card", "I've paid social insurance for 3 years")
    assert "social_insurance_months" not in read("public-rental-housing", "my dad is 70 and needs a care home")
    assert read("public-rental-housing", "社保交了三年多")["social_insurance_months"].reading.value == 36  # 社保 is 社会保险


def test_a_request_for_a_service_is_not_a_fact() -> None:
    # 公租房 is a situation word of "do you own a home?" (a no); asking for it says nothing about a home.
    assert "owns_home_in_city" not in read("public-rental-housing", "想申请公租房，要什么条件")
    assert read("residence-permit-application", "I just moved to Shanghai for a new job, how do I get a residence permit?") == {}


def test_a_fact_outside_the_check_is_noted_and_an_unsure_one_offered() -> None:
    found = read("driving-licence-renewal", "and my wife? she is a foreigner but has a chinese licence too, expires same time")
    assert (found["nationality_chinese"].kind, found["nationality_chinese"].reading.value) == ("noted", False)
    assert (found["has_driving_licence"].kind, found["has_driving_licence"].said) == ("offered", "has a chinese licence too")
    assert "driving_licence_lost_or_damaged" not in found  # one clause that only shares a word is offered once
    zh = read("driving-licence-renewal", "那我老婆呢 她是外国人")
    assert (zh["nationality_chinese"].kind, zh["nationality_chinese"].reading.value) == ("noted", False)


def test_an_answer_already_given_is_never_read_again_and_the_latest_words_win() -> None:
    assert "age" not in read("senior-citizen-card", "my dad is 70", answers={"age": 72})
    assert read("senior-citizen-card", "he is 70", "sorry, he turned 71 last week")["age"].reading.value == 71


def test_messages_are_read_clause_by_clause() -> None:
    assert clauses("and my wife? she is a foreigner but has a chinese licence too, expires same time") == [
        "and my wife",
        "she is a foreigner",
        "has a chinese licence too",
        "expires same time",
    ]
    assert clauses("那我老婆呢 她是外国人") == ["那我老婆呢", "她是外国人"]


def test_words_that_name_the_service_are_not_facts() -> None:
    cat = catalogue()
    subsidy = cat.services["talent-rental-subsidy"]
    naming = [subsidy.title.zh, subsidy.title.en]
    bank = [cat.questions[q] for q in FACTS]
    found = earlier_answers(check_of("talent-rental-subsidy"), ["研究生毕业刚来上海上班，听说有人才租房补贴"], {}, TODAY, bank, naming)
    assert [f.question_id for f in found] == ["employment_status"]  # 租房 in 人才租房补贴 says nothing about a home
    said_so = earlier_answers(check_of("talent-rental-subsidy"), ["我在上海没有房子，一直租房住"], {}, TODAY, bank, naming)
    assert {f.question_id: f.reading.value for f in said_so}.get("owns_home_in_city") is False


def test_an_age_to_come_is_not_the_age_now() -> None:
    assert "age" not in read("senior-citizen-card", "my mum turns 65 next month and wants free bus rides")
    assert "age" not in read("senior-citizen-card", "我妈快七十了")
    assert read("senior-citizen-card", "she turned 65 in May")["age"].reading.value == 65
