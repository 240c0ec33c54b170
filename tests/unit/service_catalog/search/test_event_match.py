"""How an event is matched (issue 14, sets written by other hands): the words of a cue do not count
as the situation's, and the services a question finds vote for the event whose steps they are.
Demo catalogue, fake embedder (its vectors carry no meaning, so an event here is picked by words
and votes only). The real model's figures: docs/evaluation.md."""

from __future__ import annotations

import numpy as np
import pytest

from service_catalog.catalogue import Catalogue
from service_catalog.search import load_or_build, tuned_config
from service_catalog.search.embedder import FakeEmbedder
from service_catalog.search.events import CUE_COVERAGE_ZH, EventMatcher
from service_catalog.search.index import SearchIndex
from service_catalog.search.text import normalise


@pytest.fixture(scope="module")
def index(catalogue: Catalogue, tmp_path_factory: pytest.TempPathFactory) -> SearchIndex:
    return load_or_build(catalogue, FakeEmbedder(32), tmp_path_factory.mktemp("index"), tuned_config())


def _matcher(index: SearchIndex) -> EventMatcher:
    assert index.events is not None
    return index.events


@pytest.mark.parametrize(
    ("situation", "asked"),
    [
        ("父亲去世了", "接下来要跑几个地方 一样一样讲"),
        ("公司要关门注销", "所有手续咋弄"),
        ("my grandmother passed away", "what does my uncle need to take care of"),
    ],
)
def test_the_words_of_a_cue_do_not_count_against_the_situation(index: SearchIndex, situation: str, asked: str) -> None:
    """However a person asks for the checklist, the share of the situation's words the event covers is the same."""
    matcher = _matcher(index)
    vector = index.embedder.embed([situation])[0]
    plain = matcher.match(normalise(situation), vector, 0.0, False)
    cued = matcher.match(normalise(f"{situation} {asked}"), vector, 0.0, False)
    assert plain is not None and cued is not None
    assert cued.cue and not plain.cue
    assert cued.id == plain.id
    assert cued.coverage == pytest.approx(plain.coverage)


def test_the_services_found_vote_for_the_event_whose_steps_they_are(index: SearchIndex) -> None:
    """A cue with no situation words of its own: the event is the one whose steps search found."""
    matcher = _matcher(index)
    text = normalise("what does he need to do?")
    vector = np.asarray(index.embedder.embed([text])[0])
    pets = [s.service for s in index.catalogue.checklist(index.catalogue.events["keeping-pets"])]
    voted = matcher.match(text, vector, 0.0, False, ranked=[(pets[0], 0.03), (pets[-1], 0.02)])
    assert voted is not None and voted.id == "keeping-pets"
    unemployed = [s.service for s in index.catalogue.checklist(index.catalogue.events["losing-a-job"])]
    other = matcher.match(text, vector, 0.0, False, ranked=[(unemployed[0], 0.03), (unemployed[1], 0.02)])
    assert other is not None and other.id == "losing-a-job"


def test_a_vote_alone_never_gives_a_checklist(index: SearchIndex) -> None:
    """Services found for a question about one service are an event's steps too: without a cue, no checklist."""
    matcher = _matcher(index)
    text = normalise("dog licence renewal fee")
    vector = np.asarray(index.embedder.embed([text])[0])
    pets = [s.service for s in index.catalogue.checklist(index.catalogue.events["keeping-pets"])]
    match = matcher.match(text, vector, 0.0, True, ranked=[(s, 0.03) for s in pets])
    assert match is not None and match.id == "keeping-pets"
    assert not match.answers


def test_third_person_situations_get_their_checklist(index: SearchIndex) -> None:
    """Asking for someone else (a neighbour's family, a relative) is asking for the same checklist."""
    for question, lang, event in (
        ("楼上邻居家里老人过世了 家属问要跑哪些地方办手续", "zh", "death-of-a-loved-one"),
        ("my sister just had a baby, what does she need to do", "en", "having-a-baby"),
    ):
        response = index.search(question, lang=lang)
        assert response.event is not None and response.event["id"] == event, question


@pytest.mark.parametrize(
    ("situation", "asked"),
    [
        ("儿子要结婚了", "楼下邻居问我要跑几个地方"),
        ("公司要关门注销", "帮他问问所有手续咋弄"),
        ("my mother passed away", "my colleague, what does he need to do"),
    ],
)
def test_whom_it_is_asked_for_does_not_count_against_the_situation(index: SearchIndex, situation: str, asked: str) -> None:
    """A neighbour, a colleague, 楼下 or 帮他问 say who asks, not what the situation is: the share is the situation's."""
    matcher = _matcher(index)
    vector = index.embedder.embed([situation])[0]
    plain = matcher.match(normalise(situation), vector, 0.0, False)
    asked_for = matcher.match(normalise(f"{situation} {asked}"), vector, 0.0, False)
    assert plain is not None and asked_for is not None and asked_for.cue
    assert asked_for.id == plain.id
    assert asked_for.coverage == pytest.approx(plain.coverage)


def test_a_situation_told_by_its_steps_gets_its_checklist(index: SearchIndex) -> None:
    """A shop's permits named in the steps' own words (奶茶铺, 食品许可, 消防: words the event's texts
    lack): the event with its steps covers the question far better than any one service."""
    response = index.search("开个奶茶铺 营业执照 食品许可 消防 要办哪些", lang="zh")
    assert response.event is not None and response.event["id"] == "getting-licences"
    match = _matcher(index).match(normalise("开个奶茶铺 营业执照 食品许可 消防 要办哪些"), index.encode("x"), 0.0, False)
    assert match is not None and match.coverage < CUE_COVERAGE_ZH  # the event's own words alone fall under the bar


def test_a_question_about_one_service_is_not_answered_by_its_steps(index: SearchIndex) -> None:
    """What to prepare for a passport: the passport service covers the question as well as any checklist."""
    assert index.search("办护照要准备点啥", lang="zh").event is None
