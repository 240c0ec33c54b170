"""Events as answers, districts that only locate, results that are always ranked, and the
calibration on the served catalogue (issue 14), on the demo catalogue with the fake embedder.

The fake embedder's vectors carry no meaning: event matching here rests on a question's cue
and its words. The real model's figures: tests/integration/test_event_search.py and
test_foreign_catalogue.py.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from service_catalog.catalogue import Catalogue, load_catalogue
from service_catalog.search import SearchConfig, load_or_build, tuned_config
from service_catalog.search.calibration import MIN_THRESHOLD, SPARSE_WEIGHTS, is_sparse
from service_catalog.search.embedder import FakeEmbedder
from service_catalog.search.events import situational
from service_catalog.search.index import SearchIndex

SAMPLE = "# Sample data for a test; not an official record.\n"


@pytest.fixture(scope="module")
def index(catalogue: Catalogue, tmp_path_factory: pytest.TempPathFactory) -> SearchIndex:
    return load_or_build(catalogue, FakeEmbedder(32), tmp_path_factory.mktemp("index"), tuned_config())


@pytest.mark.parametrize(
    ("question", "lang", "event"),
    [
        ("I just had a baby, what do I need to do?", "en", "having-a-baby"),
        ("孩子出生了要办什么", "zh", "having-a-baby"),
        ("my father passed away, what do I need to do", "en", "death-of-a-loved-one"),
        ("父亲去世了要办哪些手续", "zh", "death-of-a-loved-one"),
        ("我想开公司要办什么", "zh", "starting-a-company"),
        ("I want to close my company, what are the steps", "en", "closing-a-company"),
    ],
)
def test_a_situational_question_is_answered_with_the_events_checklist(index: SearchIndex, question: str, lang: str, event: str) -> None:
    response = index.search(question, lang=lang)
    assert response.event is not None and response.event["id"] == event
    steps = response.event["steps"]
    assert [s["order"] for s in steps] == sorted(s["order"] for s in steps)
    assert all(s["title"] == index.catalogue.services[s["id"]].title.get(lang) for s in steps)
    assert response.results, "the services are still ranked and returned beside the checklist"


def test_the_birth_checklist_says_what_comes_first(index: SearchIndex) -> None:
    steps = {s["id"]: s for s in index.search("I just had a baby, what do I need to do?", lang="en").event["steps"]}  # type: ignore[index]
    assert steps["birth-medical-certificate"]["order"] in steps["birth-registration"]["after"]
    assert steps["birth-registration"]["note"]


@pytest.mark.parametrize("question", ["how do I register my baby's birth", "丧葬补助金怎么领", "dog licence fee", "what's the weather tomorrow"])
def test_a_question_about_one_service_or_nothing_gets_no_checklist(index: SearchIndex, question: str) -> None:
    assert index.search(question).event is None


def test_situational_cues() -> None:
    assert situational("we had a baby, what paperwork is there")
    assert situational("刚生完孩子需要办哪些手续")
    assert not situational("how much does the passport cost")
    assert not situational("居住证怎么办理")  # 怎么办理: how to do one service, not 怎么办


# -- results are always ranked and returned ---------------------------------------------------


def test_results_come_back_even_when_not_confident(index: SearchIndex) -> None:
    response = index.search("what's the weather in chicago tomorrow", lang="en")
    assert not response.confident
    assert len(response.results) == 5
    assert [h.id for h in response.suggestions] == [h.id for h in response.results[:3]]
    body = response.to_json()
    assert body["results"] and body["confident"] is False


# -- a district locates, it never selects ------------------------------------------------------


def test_a_district_is_located_and_taken_out_of_the_search(index: SearchIndex) -> None:
    with_place = index.search("register a company in Pudong", lang="en")
    without = index.search("register a company", lang="en")
    assert with_place.district == "pudong"
    assert [h.id for h in with_place.results] == [h.id for h in without.results]
    assert all(index.catalogue.services[h.id].districts == "all" for h in with_place.results[:1])


def test_a_district_inside_a_named_service_still_finds_it(index: SearchIndex) -> None:
    response = index.search("浦东新区企业上市扶持", lang="zh")
    assert response.results[0].id == "pudong-listing-support"


def test_a_district_alone_is_still_searched(index: SearchIndex) -> None:
    assert index.search("浦东", lang="zh").district == "pudong"


# -- calibration on the served catalogue ------------------------------------------------------


def test_calibration_never_raises_the_fitted_threshold(index: SearchIndex) -> None:
    fitted = tuned_config().confidence
    for lang, model in index.config.confidence.items():
        assert MIN_THRESHOLD <= model.threshold <= fitted[lang].threshold


def test_an_off_topic_question_stays_below_the_calibrated_threshold(index: SearchIndex) -> None:
    assert not index.search("how hot will it be on thursday", lang="en").confident


def english_catalogue(root: Path) -> Catalogue:
    (root / "services").mkdir(parents=True)
    texts = {
        "snap": ("Food assistance", "Money each month to buy groceries for households with low income."),
        "burial": ("Veteran burial allowance", "Help paying for the burial and funeral of a veteran."),
        "student-aid": ("Financial aid for college", "Grants and loans for college or career school."),
    }
    for sid, (title, summary) in texts.items():
        (root / "services" / f"{sid}.yaml").write_text(f"{SAMPLE}id: {sid}\ntitle: {{en: {title}}}\nsummary: {{en: {summary}}}\n", encoding="utf-8")
    return load_catalogue(root)


def test_a_title_and_summary_catalogue_is_sparse_and_leans_on_meaning(tmp_path: Path, catalogue: Catalogue) -> None:
    english = english_catalogue(tmp_path / "catalogue")
    assert is_sparse(english) and not is_sparse(catalogue)
    built = load_or_build(english, FakeEmbedder(32), None, tuned_config())
    assert built.config.weights["en"] == SPARSE_WEIGHTS["en"]
    raw = load_or_build(english, FakeEmbedder(32), None, tuned_config(), calibrated=False)
    assert raw.config.weights["en"] == tuned_config().weights["en"]
    found = built.search("money for college", lang="en", mode="lexical")  # the fake vectors carry no meaning
    assert found.results[0].id == "student-aid" and found.event is None  # no events: no checklist
    assert built.search("money for college", lang="zh", mode="lexical").results[0].title == "Financial aid for college"  # the language it has


def test_uncalibrated_config_is_the_fitted_one(catalogue: Catalogue) -> None:
    config = dataclasses.replace(SearchConfig())
    raw = load_or_build(catalogue, FakeEmbedder(32), None, config, calibrated=False)
    assert raw.config == config
