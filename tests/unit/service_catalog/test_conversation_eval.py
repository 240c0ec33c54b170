"""The conversation scripts and their scoring (service_catalog/tooling/conversations.py), without a bot:
the shipped scripts are valid, a malformed one is refused naming the field, and the runner reads the
selection and the verdict from the tracker as documented."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from service_catalog.catalogue import Catalogue
from service_catalog.tooling.conversations import (
    CONVERSATIONS_DIR,
    Outcome,
    Script,
    ScriptError,
    figures,
    final_verdict,
    format_report,
    load_script_file,
    load_scripts,
    run_script,
)


def test_the_shipped_scripts_are_valid_and_cover_both_languages(catalogue: Catalogue) -> None:
    scripts = load_scripts(CONVERSATIONS_DIR, set(catalogue.services))
    holdout = [s for s in scripts if s.split == "holdout"]
    verdicts = [s for s in scripts if s.expect_verdict]
    assert len(holdout) == 24 and {s.source for s in holdout} == {"written_w2.yaml", "written_w6.yaml"}
    assert all(s.split == "dev" for s in verdicts), "verdict scripts are ours, so dev"
    for lang in ("en", "zh"):
        assert sum(s.lang == lang for s in verdicts) >= 6, lang
        assert sum(s.lang == lang for s in holdout) >= 4, lang
    assert {s.expect_verdict for s in verdicts} == {"eligible", "ineligible"}


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "set.yaml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ('- {lang: fr, turns: ["salut"], expect_service: dog-registration}', r"set.yaml, script 1: lang must be one of en, zh, got 'fr'"),
        ("- {lang: en, turns: [], expect_service: dog-registration}", r"script 1: turns must be a non-empty list"),
        ('- {lang: en, turns: ["hi", "  "], expect_service: dog-registration}', r"turns must be a non-empty list of non-empty strings"),
        ('- {lang: en, turns: ["hi"], expect_service: cat-registration}', r"expect_service 'cat-registration' is not a service of the catalogue"),
        ('- {lang: en, turns: ["hi"]}', r"expect_service is required"),
        (
            '- {lang: en, turns: ["hi"], expect_service: dog-registration, expect_verdict: maybe}',
            r"expect_verdict must be one of eligible, ineligible, unknown",
        ),
        ('- {lang: en, turns: ["hi"], expect_service: dog-registration, expected: x}', r"unknown field\(s\) expected"),
        (
            '- {id: a, lang: en, turns: ["hi"], expect_service: dog-registration}\n- {id: a, lang: zh, turns: ["你好"], expect_service: dog-registration}',
            r"duplicate script id\(s\) a",
        ),
        ('- {lang: en, turns: ["hi"], expect_service: dog-registration, expect_subject: "my mum"}', r"expect_subject must be a relation"),
        ("{lang: en}", r"expected a list of scripts"),
    ],
)
def test_a_malformed_script_is_refused_naming_where_and_what(tmp_path: Path, catalogue: Catalogue, text: str, match: str) -> None:
    with pytest.raises(ScriptError, match=match):
        load_script_file(write(tmp_path, text), "dev", set(catalogue.services))


def test_a_missing_split_folder_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "dev").mkdir()
    with pytest.raises(ScriptError, match="holdout scripts"):
        load_scripts(tmp_path)


def slot(name: str, value: Any) -> dict[str, Any]:
    return {"event": "slot", "name": name, "value": value}


def verdict(status: str, service: str = "senior-citizen-card") -> dict[str, Any]:
    return slot("outcome", {"kind": "verdict", "lang": "en", "status": status, "service_id": service, "answer_id": "a1"})


def test_the_verdict_is_the_last_one_given_for_the_selected_service() -> None:
    events = [slot("answers", {"age": 62}), verdict("ineligible"), slot("answers", {"age": 67, "hukou_shanghai": True}), verdict("eligible")]
    assert final_verdict({"slots": {"service_id": "senior-citizen-card"}, "events": events}) == "eligible"
    assert final_verdict({"slots": {"service_id": "senior-citizen-card"}, "events": []}) is None


def test_no_verdict_when_the_answers_changed_after_it_or_the_service_did() -> None:
    reopened = [slot("answers", {"age": 62}), verdict("ineligible"), slot("answers", {"age": 67})]
    assert final_verdict({"slots": {"service_id": "senior-citizen-card"}, "events": reopened}) is None
    same_answers_again = [slot("answers", {"age": 62}), verdict("ineligible"), slot("answers", {"age": 62})]
    assert final_verdict({"slots": {"service_id": "senior-citizen-card"}, "events": same_answers_again}) == "ineligible"
    other_service = [slot("answers", {"age": 62}), verdict("ineligible")]
    assert final_verdict({"slots": {"service_id": "elderly-health-check"}, "events": other_service}) is None


class FakeAssistant:
    """A bot that asks to confirm once after "about 4 months" and gives a verdict after the confirmation."""

    def __init__(self) -> None:
        self.said: list[str] = []
        self.events: list[dict[str, Any]] = []
        self.slots: dict[str, Any] = {}

    def say(self, sender: str, text: str) -> list[dict[str, Any]]:
        self.said.append(text)
        if text == "residence permit":
            self.slots["service_id"] = "residence-permit-application"
            return [{"text": "Residence permit card"}]
        if text == "about 4 months":
            self.slots["elig_pending"] = {"question_id": "lived_in_city_months", "value": 4, "confirm": "4 months — is that right?"}
            self.slots["answers"] = {"hukou_shanghai": False}
            self.events.append(slot("answers", self.slots["answers"]))
            return [{"text": "4 months — is that right?", "buttons": [{"title": "Yes", "payload": "yes"}, {"title": "No", "payload": "no"}]}]
        if text == "yes" and self.slots.get("elig_pending"):
            self.slots["elig_pending"] = None
            self.slots["answers"] = {"hukou_shanghai": False, "lived_in_city_months": 4}
            self.events += [slot("answers", self.slots["answers"]), verdict("ineligible", "residence-permit-application")]
            return [{"text": "Sorry, you don't qualify yet."}]
        return [{"text": "Sorry?"}]

    def tracker(self, sender: str) -> dict[str, Any]:
        return {"slots": dict(self.slots), "events": list(self.events)}


def script(**fields: Any) -> Script:
    base: dict[str, Any] = {
        "id": "s1",
        "split": "dev",
        "source": "set.yaml",
        "lang": "en",
        "turns": ("residence permit", "about 4 months"),
        "expect_service": "residence-permit-application",
        "expect_verdict": "ineligible",
    }
    return Script(**{**base, **fields})


def test_the_runner_confirms_a_reading_and_scores_selection_and_verdict() -> None:
    bot = FakeAssistant()
    outcome = run_script(bot, script())
    assert bot.said == ["residence permit", "about 4 months", "yes"]
    assert (outcome.selected, outcome.verdict, outcome.failures) == ("residence-permit-application", "ineligible", [])
    assert outcome.last_reply == "Sorry, you don't qualify yet."
    wrong = run_script(FakeAssistant(), script(expect_verdict="eligible", expect_service="residence-registration"))
    assert wrong.failures == ["selected residence-permit-application, expected residence-registration", "verdict ineligible, expected eligible"]


def test_the_person_the_check_is_for_counts_in_the_selection_when_the_script_says() -> None:
    bot = FakeAssistant()
    bot.slots["subject"] = "wife"
    assert run_script(bot, script(expect_subject="wife")).failures == []
    for_me = run_script(FakeAssistant(), script(expect_subject="wife"))
    assert not for_me.selection_ok and for_me.verdict_ok
    assert for_me.failures == ["selected residence-permit-application for self, expected residence-permit-application for wife"]
    assert run_script(FakeAssistant(), script(expect_subject="self")).failures == []


def test_an_unreachable_bot_fails_the_script_with_the_error() -> None:
    class Down(FakeAssistant):
        def say(self, sender: str, text: str) -> list[dict[str, Any]]:
            raise ConnectionRefusedError("connection refused")

    outcome = run_script(Down(), script())
    assert not outcome.selection_ok and outcome.verdict_ok is False
    assert outcome.failures == ["error: ConnectionRefusedError: connection refused"]


def test_the_report_gives_each_split_and_language_and_each_failure_with_the_last_reply() -> None:
    outcomes = [
        Outcome(script(), selected="residence-permit-application", verdict="ineligible", last_reply="ok"),
        Outcome(script(id="s2", lang="zh"), selected="residence-registration", verdict=None, last_reply="请问您\n要办哪一项？"),
        Outcome(script(id="s3", split="holdout", expect_verdict=None, unmeasured=("the documents",)), selected="residence-permit-application"),
    ]
    assert figures(outcomes) == {
        ("dev", "en"): {"scripts": 1, "selected": 1, "verdicts": 1, "verdict_right": 1},
        ("dev", "zh"): {"scripts": 1, "selected": 0, "verdicts": 1, "verdict_right": 0},
        ("holdout", "en"): {"scripts": 1, "selected": 1, "verdicts": 0, "verdict_right": 0},
    }
    report = format_report(outcomes)
    assert "dev      en         1  1.000 (1/1)      1.000 (1/1)" in report
    assert "dev      zh         1  0.000 (0/1)      0.000 (0/1)" in report
    assert "holdout  en         1  1.000 (1/1)      —" in report
    assert "[dev zh] set.yaml s2: selected residence-registration, expected residence-permit-application; verdict none, expected ineligible" in report
    assert "last reply: 请问您 要办哪一项？" in report
    assert "Not measured: 1 expectations" in report
