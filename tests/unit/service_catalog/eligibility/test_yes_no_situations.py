"""Yes/no answers that describe a situation, read by general rules that do not depend on one question's
situation words (``eligibility/parse/situation.py``): what a person would notice if the reading were
wrong. The sentences are ours, not the written sets'."""

from __future__ import annotations

import datetime as dt

import pytest

from service_catalog.catalogue import Catalogue
from service_catalog.eligibility import read_answer
from service_catalog.eligibility.parse.meaning import explain_yes_no

TODAY = dt.date(2026, 12, 1)


@pytest.mark.parametrize(
    ("question", "answer", "expected"),
    [
        # another place than the city asked about
        ("hukou_shanghai", "我是安徽户口", False),
        ("hukou_shanghai", "my hukou's in Chengdu", False),
        ("has_residence_permit", "我只有北京的居住证", False),
        # the question's own words, negated in the clause (before or after), rhetorical, or doubly
        ("has_financial_difficulty", "哪有钱请律师", True),
        ("has_employer_insurance", "freelancing, nobody pays it", False),
        ("has_employer_insurance", "社保从来没断过", True),
        ("has_disability_certificate", "the certificate is still pending", False),
        ("has_driving_licence", "my drivers lisence expired last spring", False),  # a typo of the question's word
        ("has_driving_licence", "dont have one", False),  # no apostrophe
        # somebody else has it, the person does not
        ("has_employer_insurance", "my wife's company pays hers, nobody pays mine", False),
        ("has_medical_insurance", "只有我老公有医保，我没有", False),
        # two districts to a question about the same district
        ("extra_site_same_district", "营业执照在浦东，新店在静安", False),
    ],
)
def test_a_described_situation_is_read_for_its_meaning(catalogue: Catalogue, question: str, answer: str, expected: bool) -> None:
    reading = read_answer(catalogue.questions[question], answer, TODAY)
    assert reading is not None and reading.value is expected and reading.confident, (answer, reading)


@pytest.mark.parametrize(
    ("question", "answer"),
    [
        ("passed_teacher_exam", "只考过了笔试，面试还没考"),  # a partial yes
        ("passed_teacher_exam", "I only got through the written paper so far"),
        ("hukou_shanghai", "是的，不过户口在江西"),  # a yes the rest contradicts
        ("household_assets_low", "存款嘛，不算多吧，十来万"),  # a question put negatively ("below the limit")
    ],
)
def test_a_doubtful_yes_is_asked_back_never_kept(catalogue: Catalogue, question: str, answer: str) -> None:
    """The harmful case is a wrong verdict: an answer that only half says yes is confirmed with the person."""
    reading = read_answer(catalogue.questions[question], answer, TODAY)
    assert reading is None or not reading.confident, (answer, reading)
    if reading is not None:
        assert reading.confirm is not None and reading.confirm["zh"].endswith("对吗？")


@pytest.mark.parametrize(
    ("question", "answer"),
    [
        ("hukou_shanghai", "户口"),  # names the subject, says nothing
        ("registered_unemployed", "忘了"),  # "forgot" on its own: unsure
    ],
)
def test_no_reading_from_the_subject_alone(catalogue: Catalogue, question: str, answer: str) -> None:
    reading = read_answer(catalogue.questions[question], answer, TODAY)
    assert reading is None or not reading.confident, (answer, reading)


@pytest.mark.parametrize(
    ("question", "answer"),
    [
        ("hukou_shanghai", "我老家安徽的，户口早迁过来了"),  # where the person came from, not where the hukou is
        ("hukou_shanghai", "born in Hunan, hukou moved here in 2010"),
        ("has_residence_permit", "I came from Beijing last year and got the permit in March"),
    ],
)
def test_a_place_of_origin_is_not_a_no(catalogue: Catalogue, question: str, answer: str) -> None:
    """Another place says no only where the question's subject is, or when it is all the answer says."""
    reading = read_answer(catalogue.questions[question], answer, TODAY)
    assert reading is None or reading.value is True or not reading.confident, (answer, reading)


def test_forgetting_to_do_something_is_not_being_unsure(catalogue: Catalogue) -> None:
    """忘了 alone is "I forget" (no reading); "忘了报年报" says what happened, so it is read."""
    assert explain_yes_no(catalogue.questions["enterprise_on_abnormal_list"], "去年忘了报年报，被列进去了") is not None


def test_a_bare_yes_word_with_the_questions_own_words_stays_confident(catalogue: Catalogue) -> None:
    """ "有居住证" is the yes word and the question's words; "我是安徽户口" is not, though it holds 是."""
    reading = read_answer(catalogue.questions["has_residence_permit"], "有居住证", TODAY)
    assert reading is not None and reading.value is True and reading.confident
    reading = read_answer(catalogue.questions["hukou_shanghai"], "我是安徽户口", TODAY)
    assert reading is not None and reading.value is False


def test_the_deciding_rule_is_named(catalogue: Catalogue) -> None:
    """Evaluation counts which rule decided; the rule names are stable words."""
    found = explain_yes_no(catalogue.questions["hukou_shanghai"], "我是安徽户口")
    assert found is not None and found[2] == "another place"
    found = explain_yes_no(catalogue.questions["has_driving_licence"], "驾照考出来好几年了")
    assert found is not None and found[0] is True
