"""Tests for service_catalog.search.index on the demo catalogue with the fake embedder.

The fake embedder's vectors carry no meaning, so tests that expect a particular service to
rank high use ``mode="lexical"`` (BM25 alone); hybrid ranking quality is measured by ``make eval``.
"""

from __future__ import annotations

import shutil
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest
from numpy.typing import NDArray

from service_catalog.catalogue import Catalogue, load_catalogue
from service_catalog.search.embedder import FakeEmbedder
from service_catalog.search.index import MAX_QUERY, Filters, SearchConfig, SearchIndex
from service_catalog.search.text import normalise


class CountingEmbedder:
    """The fake embedder, counting the texts it embeds."""

    def __init__(self) -> None:
        self._inner = FakeEmbedder(32)
        self.dim = self._inner.dim
        self.name = self._inner.name
        self.texts = 0

    def embed(self, texts: Sequence[str], progress: bool = False) -> NDArray[np.float32]:
        self.texts += len(texts)
        return self._inner.embed(texts)


@pytest.fixture(scope="module")
def index(catalogue: Catalogue, tmp_path_factory: pytest.TempPathFactory) -> SearchIndex:
    return SearchIndex.build(catalogue, FakeEmbedder(32), tmp_path_factory.mktemp("index"), SearchConfig())


def ids(index: SearchIndex, query: str, **kw: object) -> list[str]:
    response = index.search(query, **kw)  # type: ignore[arg-type]
    return [h.id for h in response.results or response.suggestions]


# -- caching ----------------------------------------------------------------------------------


def test_index_files_are_written_then_reused(catalogue: Catalogue, tmp_path: Path) -> None:
    embedder = CountingEmbedder()
    first = SearchIndex.build(catalogue, embedder, tmp_path, SearchConfig())
    embedded = embedder.texts
    assert embedded >= len(catalogue.services)
    folder = tmp_path / first.key
    assert {p.name for p in folder.iterdir()} >= {"dense.faiss", "owners.npy", "kind", "meta.json"}

    second = SearchIndex.build(catalogue, embedder, tmp_path, SearchConfig())
    assert embedder.texts == embedded, "the second build embedded texts again"
    assert second.key == first.key
    assert len(second.dense) == len(first.dense)
    assert ids(second, "unemployment benefit", lang="en", limit=5) == ids(first, "unemployment benefit", lang="en", limit=5)


def test_index_is_rebuilt_when_the_catalogue_changes(demo_catalog_path: Path, catalogue: Catalogue, tmp_path: Path) -> None:
    embedder = CountingEmbedder()
    cache = tmp_path / "cache"
    first = SearchIndex.build(catalogue, embedder, cache, SearchConfig())
    embedded = embedder.texts

    copy = tmp_path / "catalogue"
    shutil.copytree(demo_catalog_path, copy)
    service = copy / "services" / "dog-registration.yaml"
    service.write_text(service.read_text(encoding="utf-8").replace("processing_days: 3", "processing_days: 4"), encoding="utf-8")
    changed = load_catalogue(copy)
    assert changed.content_hash != catalogue.content_hash

    second = SearchIndex.build(changed, embedder, cache, SearchConfig())
    assert second.key != first.key
    assert embedder.texts == 2 * embedded
    assert {p.name for p in cache.iterdir()} == {first.key, second.key}


def test_index_is_rebuilt_for_another_model_or_config(catalogue: Catalogue, tmp_path: Path) -> None:
    a = SearchIndex.build(catalogue, FakeEmbedder(32), tmp_path, SearchConfig())
    b = SearchIndex.build(catalogue, FakeEmbedder(16), tmp_path, SearchConfig())
    c = SearchIndex.build(catalogue, FakeEmbedder(32), tmp_path, SearchConfig(dense_fields=("card",)))
    assert len({a.key, b.key, c.key}) == 3
    assert len(c.dense) < len(a.dense)


def test_a_large_catalogue_embeds_only_title_and_summary_in_the_compact_languages(catalogue: Catalogue, tmp_path: Path) -> None:
    n = len(catalogue.services)
    english = SearchIndex.build(catalogue, FakeEmbedder(8), tmp_path, SearchConfig(compact_above=n - 1))
    both = SearchIndex.build(catalogue, FakeEmbedder(8), tmp_path, SearchConfig(compact_above=n - 1, compact_langs=("en", "zh")))
    small = SearchIndex.build(catalogue, FakeEmbedder(8), tmp_path, SearchConfig(compact_above=n))
    assert len(english.dense) == n  # one title + summary vector per service
    assert len(both.dense) == 2 * n
    assert len(small.dense) > 2 * n  # below the threshold: keywords and phrasings too
    assert len({english.key, both.key, small.key}) == 3


def test_unreadable_cache_is_rebuilt(catalogue: Catalogue, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    first = SearchIndex.build(catalogue, FakeEmbedder(32), tmp_path, SearchConfig())
    (tmp_path / first.key / "meta.json").write_text("{not json")
    embedder = CountingEmbedder()
    SearchIndex.build(catalogue, embedder, tmp_path, SearchConfig())
    assert embedder.texts > 0
    assert "unreadable" in caplog.text


def test_no_cache_dir_builds_in_memory(catalogue: Catalogue) -> None:
    assert len(SearchIndex.build(catalogue, FakeEmbedder(8), None, SearchConfig()).ids) == len(catalogue.services)


# -- querying ---------------------------------------------------------------------------------


def test_finds_a_service_in_english_and_chinese(index: SearchIndex) -> None:
    assert ids(index, "unemployment insurance benefit", lang="en", mode="lexical")[0] == "unemployment-insurance-benefit"
    assert ids(index, "养犬登记 狗证", lang="zh", mode="lexical")[0] == "dog-registration"
    assert ids(index, "unemploymnet benfit", lang="en", mode="lexical")[0] == "unemployment-insurance-benefit"


def test_dense_mode_finds_a_service_by_its_exact_phrasing(index: SearchIndex, catalogue: Catalogue) -> None:
    """The fake embedder gives an identical text the identical vector: an example phrasing finds its service."""
    service = catalogue.services["dog-registration"]
    phrasing = next(p for p in service.phrasings.en if normalise(p) == p)  # queries are normalised before encoding
    assert ids(index, phrasing, lang="en", mode="dense")[0] == "dog-registration"


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
    assert limited.id in ids(index, query, lang="en", limit=10, mode="lexical")
    found = ids(index, query, lang="en", limit=10, filters=Filters(district=elsewhere), mode="lexical")
    assert limited.id not in found
    assert all(catalogue.offered_in(catalogue.services[i], elsewhere) for i in found)
    assert limited.id in ids(index, query, lang="en", limit=10, filters=Filters(district=limited.districts[0]), mode="lexical")


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
    r = index.search("unemployment insurance benefit", lang="en", mode="lexical")
    hit = (r.results or r.suggestions)[0]
    assert hit.id == "unemployment-insurance-benefit"
    fields = {w["field"]: w["terms"] for w in hit.why}
    assert "title" in fields
    assert {"unemploy", "benefit"} <= set(fields["title"])


def test_why_for_chinese_names_words(index: SearchIndex) -> None:
    r = index.search("养犬登记", lang="zh", mode="lexical")
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
