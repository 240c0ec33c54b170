"""The portal receiver's HTML (pure): pre-filled fields, escaping, refusal pages."""

from __future__ import annotations

import re

import pytest

from service_catalog.catalogue import Catalogue
from service_catalog.handoff.portal import application_page, rejection_page


def claims(answers: dict[str, object], lang: str = "en") -> dict[str, object]:
    return {"service_id": "pension-claim", "answers": answers, "lang": lang, "channel": "telegram"}


def test_each_question_type_gets_its_control(catalogue: Catalogue) -> None:
    html = application_page(
        catalogue.services["pension-claim"], catalogue.questions, claims({"age": 61.0, "hukou_shanghai": False, "employment_status": "retired"})
    )
    assert 'name="age" type="number" step="any" value="61"' in html
    assert '<option value="false" selected>No</option>' in html
    assert '<option value="retired" selected>Retired</option>' in html
    assert "Came from channel: telegram" in html
    assert re.search(r'<link rel="stylesheet" href="/static/apply.css">', html)


def test_date_and_unknown_questions(catalogue: Catalogue) -> None:
    date_question = next(q for q in catalogue.questions.values() if q.type == "date")
    html = application_page(catalogue.services["pension-claim"], catalogue.questions, claims({date_question.id: "2024-03-05", "not_in_bank": "abc"}))
    assert f'name="{date_question.id}" type="date" value="2024-03-05"' in html
    assert '<label for="answer-2">not_in_bank</label><input id="answer-2" name="not_in_bank" type="text" value="abc">' in html


def test_no_answers_still_shows_the_form(catalogue: Catalogue) -> None:
    html = application_page(catalogue.services["pension-claim"], catalogue.questions, claims({}, "zh"))
    assert "没有带入回答" in html and "需要准备的材料" in html


def test_everything_is_escaped(catalogue: Catalogue) -> None:
    html = application_page(
        catalogue.services["pension-claim"], catalogue.questions, {"answers": {'"><script>': "<script>x</script>"}, "lang": "en", "channel": "<b>"}
    )
    assert "<script>" not in html and "<b>" not in html
    assert "&lt;script&gt;x&lt;/script&gt;" in html and "&#34;&gt;&lt;script&gt;" in html  # MarkupSafe writes " as &#34;


@pytest.mark.parametrize(
    ("code", "zh", "en"),
    [
        ("token_invalid", "链接无效", "not valid"),
        ("token_expired", "链接已过期", "expired"),
        ("token_wrong_service", "链接与服务不符", "another service"),
        ("token_replayed", "链接已使用过", "already been used"),
        ("anything", "链接无效", "not valid"),
    ],
)
def test_rejection_pages_are_bilingual_and_say_what_to_do(code: str, zh: str, en: str) -> None:
    html = rejection_page(code)
    assert zh in html and en in html
    assert "回到智能客服" in html and "go back to the assistant" in html
    assert "<script" not in html
