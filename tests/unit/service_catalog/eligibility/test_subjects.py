"""Questions and reasons worded for someone else (issue 14): the relation's words, each question's
``text_other`` filled in, the fallback for a question without one, and the placeholders validated."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from pydantic import ValidationError

from service_catalog.catalogue import load_catalogue, validate_catalogue
from service_catalog.eligibility import RELATIONS, assess, person, question_text
from service_catalog.model import AllOf, Condition, LocalizedText, Question

DATA = Path(__file__).resolve().parents[4] / "service_catalog" / "data"
AGE = Question(
    id="age",
    type="number",
    text=LocalizedText(zh="您今年多少岁？", en="How old are you?"),
    text_other=LocalizedText(zh="{who}今年多少岁？", en="How old is {who}?"),
    why=LocalizedText(zh="年龄", en="age"),
    unit=LocalizedText(zh="岁", en="years"),
)
JOB = Question(
    id="job_ended",
    type="boolean",
    text=LocalizedText(zh="您是非本人意愿中断就业的吗？", en="Did your job end against your will?"),
    text_other=LocalizedText(zh="{who}是非本人意愿中断就业的吗？", en="Did {whose} job end against {their} will?"),
    why=LocalizedText(zh="原因", en="why"),
)
PLAIN = Question(
    id="plain", type="boolean", text=LocalizedText(zh="您有驾照吗？", en="Do you hold a driving licence?"), why=LocalizedText(zh="因为", en="because")
)


@pytest.mark.parametrize(
    ("relation", "lang", "expected"),
    [
        ("mother", "en", "Did your mother's job end against her will?"),
        ("father", "en", "Did your father's job end against his will?"),
        ("spouse", "en", "Did your spouse's job end against their will?"),
        ("relative", "en", "Did your family member's job end against their will?"),
        ("mother", "zh", "您母亲是非本人意愿中断就业的吗？"),
        ("child", "zh", "您的孩子是非本人意愿中断就业的吗？"),
        ("grandmother", "zh", "您家老人是非本人意愿中断就业的吗？"),
    ],
)
def test_a_question_is_worded_for_the_person(relation: str, lang: str, expected: str) -> None:
    assert question_text(JOB, person(relation, lang), lang) == expected


def test_the_citizen_gets_the_question_as_it_was() -> None:
    assert person("self", "en") is None and person(None, "zh") is None
    assert question_text(AGE, None, "en") == "How old are you?"


def test_a_question_without_a_wording_for_others_is_introduced_with_the_person() -> None:
    assert question_text(PLAIN, person("son", "en"), "en") == "For your son: Do you hold a driving licence?"
    assert question_text(PLAIN, person("son", "zh"), "zh") == "（您儿子的情况）您有驾照吗？"


def test_an_unknown_relation_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown relation 'boss'; valid: self, mother"):
        person("boss", "en")


def test_reasons_and_fixes_quote_the_question_asked_about_them() -> None:
    criteria = AllOf(all=[Condition(q="age", op="ge", value=65)])
    today = dt.date(2026, 12, 1)
    result = assess(criteria, {"age": 62}, {"age": AGE}, "en", today, who=person("mother", "en"))
    assert [r.text for r in result.reasons] == ["How old is your mother? Must be at least 65 years (you said 62)"]
    assert result.would_qualify_if == ("Your answer to “How old is your mother?” would have to be at least 65 years (you said 62).",)
    zh = assess(criteria, {}, {"age": AGE}, "zh", today, who=person("father", "zh"))
    assert zh.next_question == AGE and zh.reasons[0].text.startswith("您父亲今年多少岁？要求不低于65岁")


@pytest.mark.parametrize("bad", ["How old is {woh}?", "How old is {who?", "How old is {0}?"])
def test_unknown_or_broken_placeholders_are_refused(bad: str) -> None:
    with pytest.raises(ValidationError, match=r"text_other\.en"):
        Question.model_validate({**AGE.model_dump(), "text_other": {"zh": "{who}今年多少岁？", "en": bad}})


def test_every_question_of_the_demo_bank_is_worded_for_every_relation() -> None:
    """Each of the bank's questions has a text_other in both languages that fills for every relation,
    and names the person unless the question is about a third party already (the child, the deceased)."""
    cat = load_catalogue(DATA)
    assert len(cat.questions) >= 100
    third_party = {q.id for q in cat.questions.values() if q.text_other is not None and q.text_other.en == q.text.en}
    assert third_party <= {
        "child_age_years",
        "child_hukou_or_permit",
        "child_hukou_shanghai",
        "born_in_medical_institution",
        "deceased_was_insured",
        "date_of_death",
        "parent_points_standard",
    }
    for question in cat.questions.values():
        assert question.text_other is not None, f"{question.id} has no text_other"
        for relation in RELATIONS[1:]:
            for lang in ("zh", "en"):
                who = person(relation, lang)
                assert who is not None
                worded = question_text(question, who, lang)
                assert "{" not in worded and "您您" not in worded
                if question.id not in third_party:
                    assert who.who in worded or who.whose in worded, (question.id, relation, lang, worded)
                    assert lang == "zh" or not re.search(r"\byou\b", worded, re.I), (question.id, worded)  # no "you" left over
                    assert lang == "en" or "您" not in worded.replace(who.who, "").replace(who.whose, ""), (question.id, worded)


def test_a_placeholder_typo_in_the_catalogue_names_the_file_and_field(tmp_path: Path) -> None:
    folder = tmp_path / "cat"
    for part in ("services", "events", "questions"):
        (folder / part).mkdir(parents=True)
        for src in (DATA / part).glob("*.yaml"):
            (folder / part / src.name).write_text(src.read_text(encoding="utf-8"), encoding="utf-8")
    (folder / "districts.yaml").write_text((DATA / "districts.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    core = folder / "questions" / "core.yaml"
    core.write_text(core.read_text(encoding="utf-8").replace('en: "How old is {who}?"', 'en: "How old is {woh}?"'), encoding="utf-8")
    issues = validate_catalogue(folder)
    assert any(i.file.endswith("core.yaml") and i.line and "woh" in str(i) for i in issues), issues
