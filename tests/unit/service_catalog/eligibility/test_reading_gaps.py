"""Answer readings a person would notice when wrong, found missing after the readers were made one
(issue 14, H-YESNO3): whose situation in everyday kin words, a yes beside the person's own bare no,
a number before 多 ("两万多" is no "a lot"), leading words that are no answer ("no one", "right after"),
durations said in colloquial Chinese or as a year of the calendar, and corrections put as
"不是X，是Y" or with the cue last. The sentences are ours, not the written sets'."""

from __future__ import annotations

import datetime as dt

import pytest

from service_catalog.catalogue import Catalogue
from service_catalog.eligibility import read_answer
from service_catalog.eligibility.parse import understand_turn

TODAY = dt.date(2026, 12, 1)


@pytest.mark.parametrize(
    ("question", "answer"),
    [
        ("has_disability_certificate", "我老伴有残疾证 我没有"),  # 老伴: a spouse, in the words older people use
        ("is_veteran", "我外公当过兵，我没有"),
        ("has_medical_insurance", "my grandpa is covered but I'm not"),
    ],
)
def test_somebody_elses_yes_with_the_persons_no_is_a_no(catalogue: Catalogue, question: str, answer: str) -> None:
    reading = read_answer(catalogue.questions[question], answer, TODAY)
    assert reading is not None and reading.value is False and reading.confident, reading


def test_a_yes_beside_the_persons_bare_no_is_asked_back(catalogue: Catalogue) -> None:
    """Whose certificate it is, the words do not say (隔壁老王 is no kin word): never a confident yes."""
    reading = read_answer(catalogue.questions["has_disability_certificate"], "隔壁老王的残疾证办下来了 我自己没有", TODAY)
    assert reading is None or not (reading.value is True and reading.confident), reading


@pytest.mark.parametrize("answer", ["我们存款就三万多一点", "存款有十多万"])
def test_duo_after_a_number_is_no_a_lot(catalogue: Catalogue, answer: str) -> None:
    """存款…多 says "a lot of savings"; in 三万多 the 多 is "-odd": never a confident "savings are high"."""
    reading = read_answer(catalogue.questions["household_assets_low"], answer, TODAY)
    assert reading is None or not (reading.value is False and reading.confident), reading


@pytest.mark.parametrize(
    ("question", "answer", "expected"),
    [
        ("registered_unemployed", "no one told me to register, so not yet", False),
        ("registered_unemployed", "right after I lost the job I registered", True),
    ],
)
def test_leading_words_that_are_no_answer(catalogue: Catalogue, question: str, answer: str, expected: bool) -> None:
    reading = read_answer(catalogue.questions[question], answer, TODAY)
    assert reading is not None and reading.value is expected, reading


@pytest.mark.parametrize(
    ("answer", "months", "confident"),
    [
        ("十来年", 120, False),  # 来, 几, 多 between the number and the unit: about / at least
        ("二十几年", 240, False),
        ("十多年", 120, False),
        ("差不多5年", 60, False),
        ("仨月", 3, True),
        ("已经一个多月了", 1, False),  # 个多月, 个来月: the mark after 个
        ("两个来月", 2, False),
        ("a couple of years", 24, False),
        ("over a decade", 120, False),
        ("about two-and-a-half years", 30, False),
        ("3+ years", 36, False),
        ("3y", 36, True),
        ("since 2020", 72, False),  # a year of the calendar: the time since, its lower end, asked back
        ("since March 2024", 33, False),
        ("2019年来的上海", 84, False),
        ("从2018年3月开始", 105, False),
    ],
)
def test_durations_as_people_say_them(catalogue: Catalogue, answer: str, months: int, confident: bool) -> None:
    reading = read_answer(catalogue.questions["lived_in_city_months"], answer, TODAY)
    assert reading is not None and reading.value == months and reading.confident is confident, reading


@pytest.mark.parametrize(
    ("text", "question_id", "value"),
    [
        ("不是3个月，是3年", "lived_in_city_months", 36),
        ("不是三个月 是三年", "lived_in_city_months", 36),
        ("oh I do have a shanghai hukou actually", "hukou_shanghai", True),  # the cue last: the words before it
    ],
)
def test_corrections(catalogue: Catalogue, text: str, question_id: str, value: object) -> None:
    months, hukou = catalogue.questions["lived_in_city_months"], catalogue.questions["hukou_shanghai"]
    turn = understand_turn(text, asked=None, answered=[months, hukou], answers={months.id: 3, hukou.id: False}, today=TODAY)
    assert (turn.kind, turn.question_id) == ("correction", question_id) and turn.reading is not None and turn.reading.value == value, turn


@pytest.mark.parametrize("text", ["my son needs a passport, he's 4", "失业金能领吗", "how do i renew my driving licence"])
def test_after_the_verdict_a_new_request_corrects_nothing(catalogue: Catalogue, text: str) -> None:
    age, licence = catalogue.questions["age"], catalogue.questions["has_driving_licence"]
    turn = understand_turn(text, asked=None, answered=[age, licence], answers={age.id: 40, licence.id: False}, today=TODAY)
    assert turn.kind == "unknown", turn


@pytest.mark.parametrize(
    ("answer", "en", "zh"),
    [
        ("一年零三个月", "1 year 3 months, that is 15 months", "1年3个月，即15个月"),
        ("since March 2024", "about 2 years 9 months, counted as 33 months", "大约2年9个月，按33个月计"),
        ("nearly a year", "almost 1 year, counted as just under 12 months (11 months)", "将近1年，按不到12个月（11个月）计"),
    ],
)
def test_a_duration_is_shown_as_said(catalogue: Catalogue, answer: str, en: str, zh: str) -> None:
    """The reading the person sees says years and months, and "1 year", not "1 years" or "2.75 years"."""
    reading = read_answer(catalogue.questions["lived_in_city_months"], answer, TODAY)
    assert reading is not None and reading.text == {"en": en, "zh": zh}, reading


@pytest.mark.parametrize("answer", ["I don't have any", "yes, we hardly have any savings", "since 2020 i think"])
def test_no_confident_duration_from_words_that_are_none(catalogue: Catalogue, answer: str) -> None:
    """ "any" is no "an" + "y"(ears); a year of the calendar is never a confident amount."""
    reading = read_answer(catalogue.questions["lived_in_city_months"], answer, TODAY)
    assert reading is None or not reading.confident, reading


def test_a_bare_disagreement_after_the_verdict_corrects_nothing(catalogue: Catalogue) -> None:
    """ "no, that's wrong" says something is wrong, not what is right: no answer is changed to "no"."""
    months, chinese = catalogue.questions["lived_in_city_months"], catalogue.questions["nationality_chinese"]
    turn = understand_turn("no, that's wrong", asked=None, answered=[months, chinese], answers={months.id: 3, chinese.id: True}, today=TODAY)
    assert turn.kind == "unknown", turn
