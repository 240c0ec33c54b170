"""Tests for service_catalog.search.index on the demo catalogue with the fake embedder.

The fake embedder's vectors carry no meaning, so tests that expect a particular service to
rank high use ``SearchMode.LEXICAL`` (BM25 alone); hybrid ranking quality is measured by
``make eval``. Index files: test_build.py.
"""

from __future__ import annotations

import gc
import weakref

import pytest

from service_catalog.catalogue import Catalogue
from service_catalog.search import SearchConfig, SearchMode, load_or_build
from service_catalog.search.embedder import FakeEmbedder
from service_catalog.search.index import MAX_QUERY, Filters, SearchIndex
from service_catalog.search.text import normalise

LEXICAL, DENSE = SearchMode.LEXICAL, SearchMode.DENSE


@pytest.fixture(scope="module")
def index(catalogue: Catalogue, tmp_path_factory: pytest.TempPathFactory) -> SearchIndex:
    return load_or_build(catalogue, FakeEmbedder(32), tmp_path_factory.mktemp("index"), SearchConfig())


def ids(index: SearchIndex, query: str, **kw: object) -> list[str]:
    response = index.search(query, **kw)  # type: ignore[arg-type]
    return [h.id for h in response.results or response.suggestions]


# -- querying ---------------------------------------------------------------------------------


def test_finds_a_service_in_english_and_chinese(index: SearchIndex) -> None:
    assert ids(index, "unemployment insurance benefit", lang="en", mode=LEXICAL)[0] == "unemployment-insurance-benefit"
    assert ids(index, "养犬登记 狗证", lang="zh", mode=LEXICAL)[0] == "dog-registration"
    assert ids(index, "unemploymnet benfit", lang="en", mode=LEXICAL)[0] == "unemployment-insurance-benefit"


@pytest.mark.parametrize(
    ("traditional", "simplified"),
    [
        ("養犬登記 狗證", "养犬登记 狗证"),
        ("護照過期了怎麼辦", "护照过期了怎么办"),
        ("身份證遺失補辦", "身份证遗失补办"),
        ("失業保險金怎麼領", "失业保险金怎么领"),
    ],
)
def test_a_question_in_traditional_characters_finds_what_the_simplified_one_finds(index: SearchIndex, traditional: str, simplified: str) -> None:
    assert ids(index, traditional, lang="zh", mode=LEXICAL)[:3] == ids(index, simplified, lang="zh", mode=LEXICAL)[:3]
    assert ids(index, traditional, lang="zh", mode=LEXICAL)


def test_dense_mode_finds_a_service_by_its_exact_phrasing(index: SearchIndex, catalogue: Catalogue) -> None:
    """The fake embedder gives an identical text the identical vector: an example phrasing finds its service."""
    service = catalogue.services["dog-registration"]
    phrasing = next(p for p in service.phrasings.en if normalise(p) == p)  # queries are normalised before encoding
    assert ids(index, phrasing, lang="en", mode=DENSE)[0] == "dog-registration"


def test_lang_auto_is_detected(index: SearchIndex) -> None:
    assert index.search("养犬登记").lang == "zh"
    assert index.search("dog licence").lang == "en"
    assert index.search("dog licence", lang="zh").lang == "zh"


def test_titles_follow_the_language(index: SearchIndex, catalogue: Catalogue) -> None:
    hit = (lambda r: (r.results or r.suggestions)[0])(index.search("dog licence registration", lang="zh"))
    assert hit.title == catalogue.services[hit.id].title.zh


def test_audience_filter(index: SearchIndex, catalogue: Catalogue) -> None:
    for audience in ("individual", "enterprise"):
        found = ids(index, "registration licence permit", lang="en", limit=20, filters=Filters(audience=audience))
        assert found
        assert {catalogue.services[i].audience for i in found} == {audience}


def test_district_filter_drops_services_not_offered_there(index: SearchIndex, catalogue: Catalogue) -> None:
    limited = next(s for s in catalogue.services.values() if s.districts != "all")
    elsewhere = next(d for d in catalogue.districts if d not in limited.districts)
    query = limited.title.en
    assert limited.id in ids(index, query, lang="en", limit=10, mode=LEXICAL)
    found = ids(index, query, lang="en", limit=10, filters=Filters(district=elsewhere), mode=LEXICAL)
    assert limited.id not in found
    assert all(catalogue.offered_in(catalogue.services[i], elsewhere) for i in found)
    assert limited.id in ids(index, query, lang="en", limit=10, filters=Filters(district=limited.districts[0]), mode=LEXICAL)


def test_event_and_online_filters(index: SearchIndex, catalogue: Catalogue) -> None:
    found = ids(index, "baby", lang="en", limit=20, filters=Filters(event="having-a-baby"))
    assert found and all("having-a-baby" in catalogue.services[i].events for i in found)
    online = ids(index, "registration", lang="en", limit=20, filters=Filters(online_only=True))
    assert online and all(catalogue.services[i].channels.online_url for i in online)


def test_limit_caps_results(index: SearchIndex) -> None:
    r = index.search("registration certificate licence permit", lang="en", limit=2)
    assert len(r.results) <= 2 and len(r.suggestions) <= 3


@pytest.mark.parametrize("query", ["", "   ", "\t\n"])
def test_empty_query_is_rejected(index: SearchIndex, query: str) -> None:
    with pytest.raises(ValueError, match="the query is empty"):
        index.search(query)


def test_over_long_query_is_rejected(index: SearchIndex) -> None:
    index.search("a" * MAX_QUERY)
    with pytest.raises(ValueError, match=rf"the query is {MAX_QUERY + 1} characters long; the limit is {MAX_QUERY}"):
        index.search("a" * (MAX_QUERY + 1))


@pytest.mark.parametrize("limit", [0, 51])
def test_limit_out_of_range_is_rejected(index: SearchIndex, limit: int) -> None:
    with pytest.raises(ValueError, match="limit must be between 1 and 50"):
        index.search("dog", limit=limit)


def test_why_names_matched_fields_and_terms(index: SearchIndex) -> None:
    r = index.search("unemployment insurance benefit", lang="en", mode=LEXICAL)
    hit = (r.results or r.suggestions)[0]
    assert hit.id == "unemployment-insurance-benefit"
    fields = {w["field"]: w["terms"] for w in hit.why}
    assert "title" in fields
    assert {"unemploy", "benefit"} <= set(fields["title"])


def test_why_for_chinese_names_words(index: SearchIndex) -> None:
    r = index.search("养犬登记", lang="zh", mode=LEXICAL)
    hit = (r.results or r.suggestions)[0]
    assert hit.id == "dog-registration"
    assert any("养犬" in "".join(w["terms"]) for w in hit.why)


def test_why_without_shared_words_says_meaning(index: SearchIndex) -> None:
    r = index.search("qxqxqx wvwvwv", lang="en")
    assert r.results or r.suggestions
    for hit in r.results + r.suggestions:
        assert hit.why == [{"field": "meaning", "terms": [], "note": "similar in meaning to the service's description"}]


def test_response_json_shape(index: SearchIndex) -> None:
    body = index.search("dog licence", lang="en").to_json()
    assert set(body) >= {"query", "lang", "confident", "confidence", "results", "suggestions", "best"}
    for hit in body["results"] + body["suggestions"]:
        assert set(hit) == {"id", "title", "score", "why"}


def test_mode_names_are_taken_as_the_http_api_sends_them(index: SearchIndex) -> None:
    by_name = index.search("养犬登记 狗证", lang="zh", mode="lexical")
    by_enum = index.search("养犬登记 狗证", lang="zh", mode=LEXICAL)
    assert by_name.to_json() == by_enum.to_json()


def test_unknown_mode_is_rejected_with_the_valid_ones(index: SearchIndex) -> None:
    with pytest.raises(ValueError, match=r"unknown search mode 'bm25'; valid: lexical, dense, hybrid"):
        index.search("dog", mode="bm25")


# -- lifetime ---------------------------------------------------------------------------------


def test_a_replaced_index_is_freed_at_once(catalogue: Catalogue) -> None:
    """After a catalogue reload nothing keeps the old index alive: no class-level cache, no cycle."""
    state = {"index": load_or_build(catalogue, FakeEmbedder(8), None, SearchConfig())}
    old = state["index"]
    for query in ("unemploymnet benfit", "养犬登记", "dog licence"):  # fill the typo and the explanation memos
        old.search(query, mode=LEXICAL)
    assert old.lexical.correct("unemploymnet") == "unemployment"
    replaced, replaced_lexical = weakref.ref(old), weakref.ref(old.lexical)
    del old
    gc.disable()  # freed by reference counting alone, not by a later cycle collection
    try:
        state["index"] = load_or_build(catalogue, FakeEmbedder(8), None, SearchConfig())
        assert replaced() is None
        assert replaced_lexical() is None
    finally:
        gc.enable()
