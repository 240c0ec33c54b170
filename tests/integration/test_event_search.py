"""Situational questions answered with their event's checklist, with the real packaged model (slow).

The event rule's thresholds (search/events.py) were set on the ``tune`` split of
evaluation/event_queries.yaml; the floors are judged on the ``holdout`` split only.
"""

from __future__ import annotations

import pytest

from service_catalog.catalogue import load_catalogue
from service_catalog.search import SearchIndex, build_index
from service_catalog.search.embedder import make_embedder
from service_catalog.settings import load_settings
from service_catalog.tooling.event_eval import evaluate_events, event_figures, load_event_queries
from service_catalog.tooling.written_eval import WRITTEN_DIR, event_rows, figures, load_written_set

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> SearchIndex:
    settings = load_settings(data_dir=tmp_path_factory.mktemp("events"))
    return build_index(settings, load_catalogue(settings.catalog_path), make_embedder(settings.model))


def test_the_question_set_is_varied_and_has_a_holdout() -> None:
    queries = load_event_queries()
    holdout = [q for q in queries if q.split == "holdout"]
    assert len({q.event for q in queries if q.event}) >= 10
    for lang in ("en", "zh"):
        assert sum(q.lang == lang and q.event is not None for q in holdout) >= 15
    assert sum(q.event is None for q in holdout) >= 12


@pytest.mark.parametrize(("lang", "floor"), [("en", 0.85), ("zh", 0.6)])
def test_held_out_situational_questions_get_their_checklist(index: SearchIndex, lang: str, floor: float) -> None:
    queries = [q for q in load_event_queries() if q.split == "holdout" and q.lang == lang]
    figures = event_figures(evaluate_events(index, queries))
    assert figures["right"] >= floor, figures
    assert figures["false"] <= 0.1, figures


def test_the_issues_examples(index: SearchIndex) -> None:
    """Issue 14: "just had a baby" returned nothing or a funeral service first."""
    for question, lang in (("just had a baby", "en"), ("I just had a baby, what do I need to do?", "en"), ("孩子出生了要办什么", "zh")):
        response = index.search(question, lang=lang)
        assert response.results, question
        assert response.results[0].id != "funeral-subsidy", question
    baby = index.search("I just had a baby, what do I need to do?", lang="en").event
    assert baby is not None and baby["id"] == "having-a-baby"
    assert index.search("孩子出生了怎么上户口", lang="zh").event is None  # one service: the card, not the checklist


@pytest.mark.parametrize(
    ("question", "lang", "event"),
    [
        ("a friend of ours was made redundant, what should he do now", "en", "losing-a-job"),
        ("他老婆刚生了二胎 他要办啥", "zh", "having-a-baby"),
        ("楼下老两口的儿子要结婚了 问我前后要跑几个地方", "zh", "getting-married"),
    ],
)
def test_situations_asked_for_someone_else_get_their_checklist(index: SearchIndex, question: str, lang: str, event: str) -> None:
    """Asking on behalf of someone (a friend, a relative) is asking for the same checklist (sentences of our own).

    One more of ours still misses (docs/evaluation.md): "my neighbour's mother died on Sunday, what does he
    need to take care of" gets growing older (mother read as old age)."""
    response = index.search(question, lang=lang)
    assert response.event is not None and response.event["id"] == event, (question, response.event and response.event["id"])


@pytest.mark.parametrize(("question", "lang"), [("my dad needs to renew his passport, how does he do it", "en"), ("他身份证丢了 去哪补办", "zh")])
def test_one_service_for_someone_else_gets_no_checklist(index: SearchIndex, question: str, lang: str) -> None:
    assert index.search(question, lang=lang).event is None


# Written by hands we never saw (evaluation/written/, docs/evaluation.md "session 7"). The check sets
# (w4, w6) are held out: their floors sit under what they measured before any change was made for
# them (w4 en 0.575 / zh 0.275, w6 en 0.600 / zh 0.425), so they catch a regression without being
# fitted to them. The dev sets' floors guard what was won on them (w5: en 0.641 -> 1.0, zh 0.659 -> 0.93).
WRITTEN_EVENT_FLOORS = {
    ("check_w4", "en"): 0.55,
    ("check_w4", "zh"): 0.25,
    ("check_w6", "en"): 0.55,
    ("check_w6", "zh"): 0.4,
    ("dev_w3", "en"): 0.85,
    ("dev_w3", "zh"): 0.8,
    ("dev_w5", "en"): 0.9,
    ("dev_w5", "zh"): 0.8,
}


@pytest.mark.parametrize(("name", "lang"), list(WRITTEN_EVENT_FLOORS))
def test_situations_written_by_other_hands_get_their_checklist(index: SearchIndex, name: str, lang: str) -> None:
    written = load_written_set(WRITTEN_DIR / name, index.catalogue)
    assert written.dropped == []
    f = figures(event_rows(index, written.items))[lang]
    assert f["event_ok"] >= WRITTEN_EVENT_FLOORS[(name, lang)], f
    assert f["service_extra"] <= 0.1, f  # one-service questions given a checklist
