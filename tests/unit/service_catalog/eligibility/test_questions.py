"""Unit tests for service_catalog.eligibility.questions: which question comes next."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from eligibility_kit import BANK, RESIDENCE, TODAY, c
from pydantic import ValidationError

from service_catalog.eligibility import Verdict, assess, evaluate, next_question, open_questions
from service_catalog.model import AllOf, AnyOf, Question, Service


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


# --------------------------------------------------------------------------- the real catalogue

REPO = Path(__file__).resolve().parents[4]


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
    assert path.is_file(), f"{path} is part of the repository and must exist"  # fail, never skip, on a missing in-repo file
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
