"""Property tests for the eligibility engine over random criteria trees and answer orders."""

from __future__ import annotations

import datetime as dt
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from service_catalog.eligibility import (
    InvalidAnswer,
    Verdict,
    assess,
    coerce_answer,
    evaluate,
    next_question,
    open_questions,
)
from service_catalog.model import AllOf, AnyOf, Condition, Criterion, NotOf, Question

TODAY = dt.date(2025, 6, 15)
CHOICES = ["a", "b", "c"]
NUMBERS = ["n1", "n2"]
FLAGS = ["b1", "b2"]


def _q(qid: str, kind: str, **extra: Any) -> Question:
    return Question.model_validate({"id": qid, "type": kind, "text": {"zh": "问题？", "en": "Question?"}, "why": {"zh": "原因。", "en": "Why."}, **extra})


BANK = {
    "n1": _q("n1", "number", min=0, max=10),
    "n2": _q("n2", "number", min=0, max=10, unit={"zh": "个月", "en": "months"}),
    "b1": _q("b1", "boolean"),
    "b2": _q("b2", "boolean"),
    "c1": _q("c1", "choice", options=[{"value": v, "label": {"zh": f"选项{v}", "en": f"Option {v}"}} for v in CHOICES]),
    "d1": _q("d1", "date"),
}

small = st.integers(0, 10)
number_leaf = st.one_of(
    st.builds(
        lambda q, op, v: Condition(q=q, op=op, value=v),
        st.sampled_from(NUMBERS),
        st.sampled_from(["eq", "ne", "lt", "le", "gt", "ge"]),
        small,
    ),
    st.builds(
        lambda q, op, v: Condition(q=q, op=op, value=v),
        st.sampled_from(NUMBERS),
        st.sampled_from(["in", "not_in"]),
        st.lists(small, min_size=1, max_size=3),
    ),
)
flag_leaf = st.builds(lambda q, op, v: Condition(q=q, op=op, value=v), st.sampled_from(FLAGS), st.sampled_from(["eq", "ne"]), st.booleans())
choice_leaf = st.one_of(
    st.builds(lambda op, v: Condition(q="c1", op=op, value=v), st.sampled_from(["eq", "ne"]), st.sampled_from(CHOICES)),
    st.builds(
        lambda op, v: Condition(q="c1", op=op, value=v),
        st.sampled_from(["in", "not_in"]),
        st.lists(st.sampled_from(CHOICES), min_size=1, max_size=3, unique=True),
    ),
)
date_leaf = st.one_of(
    st.builds(
        lambda op, v: Condition(q="d1", op=op, value=v),
        st.sampled_from(["within_days", "before_days"]),
        st.integers(0, 60),
    ),
    st.builds(
        lambda op, v: Condition(q="d1", op=op, value=v),
        st.sampled_from(["within_years", "before_years"]),
        st.integers(0, 3),
    ),
    st.builds(
        lambda op, d: Condition(q="d1", op=op, value=(TODAY + dt.timedelta(days=d)).isoformat()),
        st.sampled_from(["lt", "le", "gt", "ge", "eq", "ne"]),
        st.integers(-1200, 30),
    ),
)
leaf = st.one_of(number_leaf, flag_leaf, choice_leaf, date_leaf)


def _branch(children: st.SearchStrategy[Criterion]) -> st.SearchStrategy[Criterion]:
    many = st.lists(children, min_size=1, max_size=4)
    return st.one_of(
        many.map(lambda xs: AllOf(all=xs)),
        many.map(lambda xs: AnyOf(any=xs)),
        children.map(lambda x: NotOf.model_validate({"not": x})),
    )


trees: st.SearchStrategy[Criterion] = st.recursive(leaf, _branch, max_leaves=14)

full_answers = st.fixed_dictionaries(
    {
        "n1": small,
        "n2": st.one_of(small, st.floats(0, 10, allow_nan=False)),
        "b1": st.booleans(),
        "b2": st.booleans(),
        "c1": st.sampled_from(CHOICES),
        "d1": st.integers(-1500, 40).map(lambda d: TODAY + dt.timedelta(days=d)),
    }
)


def _questions(node: Criterion) -> set[str]:
    if isinstance(node, Condition):
        return {node.q}
    if isinstance(node, AllOf):
        return set().union(*(_questions(c) for c in node.all))
    if isinstance(node, AnyOf):
        return set().union(*(_questions(c) for c in node.any))
    return _questions(node.not_)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tree=trees, full=full_answers, order=st.permutations(sorted(BANK)), given_first=st.integers(0, 6), use_bank=st.booleans())
def test_questioning_ends_with_the_full_verdict(tree: Criterion, full: dict[str, Any], order: list[str], given_first: int, use_bank: bool) -> None:
    """Never asks an answered question, ends within the distinct questions, and agrees with full answers."""
    answers = {q: full[q] for q in order[:given_first]}  # some answers given up front, in a random order
    distinct = _questions(tree)
    asked = 0
    while True:
        qid = next_question(tree, answers, TODAY, bank=BANK if use_bank else None)
        if qid is None:
            break
        assert qid not in answers
        assert qid in distinct
        assert qid in open_questions(tree, answers, TODAY)
        answers[qid] = full[qid]
        asked += 1
        assert asked <= len(distinct)
    final = evaluate(tree, answers, TODAY)
    assert final is not Verdict.UNKNOWN
    assert final is evaluate(tree, full, TODAY)


@settings(max_examples=200, deadline=None)
@given(tree=trees, full=full_answers, order=st.permutations(sorted(BANK)))
def test_a_decided_verdict_never_changes(tree: Criterion, full: dict[str, Any], order: list[str]) -> None:
    """Kleene evaluation is monotone: more answers never overturn a decided verdict."""
    answers: dict[str, Any] = {}
    decided: Verdict | None = None
    for qid in order:
        verdict = evaluate(tree, answers, TODAY)
        assert (next_question(tree, answers, TODAY) is None) == (verdict is not Verdict.UNKNOWN)
        if decided is not None:
            assert verdict is decided
        elif verdict is not Verdict.UNKNOWN:
            decided = verdict
        answers[qid] = full[qid]
    assert evaluate(tree, answers, TODAY) is evaluate(tree, full, TODAY)


@settings(max_examples=150, deadline=None)
@given(tree=trees, full=full_answers, known=st.sets(st.sampled_from(sorted(BANK))), lang=st.sampled_from(["zh", "en"]))
def test_assess_is_consistent(tree: Criterion, full: dict[str, Any], known: set[str], lang: str) -> None:
    answers = {q: full[q] for q in known}
    result = assess(tree, answers, BANK, lang, TODAY)
    assert result.status is evaluate(tree, answers, TODAY)
    if result.status is Verdict.UNKNOWN:
        assert result.missing == tuple(open_questions(tree, answers, TODAY))
        assert result.next_question is not None and result.next_question.id in result.missing
        assert any(r.met is None for r in result.reasons)
    else:
        assert result.missing == () and result.next_question is None
        assert all(r.met is not None for r in result.reasons)
    assert (result.would_qualify_if != ()) == (result.status is Verdict.INELIGIBLE)
    assert all(r.text and r.question_id in BANK for r in result.reasons)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=5,
)


@given(qid=st.sampled_from(sorted(BANK)), raw=json_values)
def test_coerce_answer_only_raises_invalid_answer(qid: str, raw: Any) -> None:
    try:
        value = coerce_answer(BANK[qid], raw)
    except InvalidAnswer as error:
        assert error.field == qid
        assert qid in str(error)
    else:
        assert coerce_answer(BANK[qid], value) == value
