"""Tests for service_catalog.search.build: index files reused or rebuilt, one tokenizer per index.

The demo catalogue with the fake embedder; ranking quality is measured by ``make eval``.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest
from numpy.typing import NDArray

from service_catalog.catalogue import Catalogue, load_catalogue
from service_catalog.search import SearchConfig, build_index, load_or_build
from service_catalog.search.embedder import FakeEmbedder
from service_catalog.search.tuned import tuned_config
from service_catalog.settings import Settings


class CountingEmbedder:
    """The fake embedder, counting the texts it embeds and the calls that asked for a progress bar."""

    def __init__(self) -> None:
        self._inner = FakeEmbedder(32)
        self.dim = self._inner.dim
        self.name = self._inner.name
        self.texts = 0
        self.with_progress = 0

    def embed(self, texts: Sequence[str], *, progress: bool = False) -> NDArray[np.float32]:
        self.texts += len(texts)
        self.with_progress += progress
        return self._inner.embed(texts)


def with_zh_keyword(catalogue: Catalogue, service_id: str, word: str) -> Catalogue:
    """The catalogue with one more Chinese keyword on one service."""
    service = catalogue.services[service_id]
    keywords = service.keywords.model_copy(update={"zh": [*service.keywords.zh, word]})
    services = {**catalogue.services, service_id: service.model_copy(update={"keywords": keywords})}
    return Catalogue(services, catalogue.questions, catalogue.events, catalogue.districts, f"{catalogue.content_hash}+{word}")


# -- index files ------------------------------------------------------------------------------


def test_index_files_are_written_then_reused(catalogue: Catalogue, tmp_path: Path) -> None:
    embedder = CountingEmbedder()
    first = load_or_build(catalogue, embedder, tmp_path, SearchConfig())
    embedded = embedder.texts
    assert embedded >= len(catalogue.services)
    folder = tmp_path / first.key
    assert {p.name for p in folder.iterdir()} >= {"dense.faiss", "owners.npy", "kind", "meta.json"}

    second = load_or_build(catalogue, embedder, tmp_path, SearchConfig())
    assert embedder.texts == embedded, "the second build embedded texts again"
    assert second.key == first.key
    assert len(second.dense) == len(first.dense)
    query = "unemployment benefit"
    assert [h.id for h in second.search(query, lang="en").suggestions] == [h.id for h in first.search(query, lang="en").suggestions]


def test_index_is_rebuilt_when_the_catalogue_changes(demo_catalog_path: Path, catalogue: Catalogue, tmp_path: Path) -> None:
    embedder = CountingEmbedder()
    cache = tmp_path / "cache"
    first = load_or_build(catalogue, embedder, cache, SearchConfig())
    embedded = embedder.texts

    copy = tmp_path / "catalogue"
    shutil.copytree(demo_catalog_path, copy)
    service = copy / "services" / "dog-registration.yaml"
    service.write_text(service.read_text(encoding="utf-8").replace("processing_days: 3", "processing_days: 4"), encoding="utf-8")
    changed = load_catalogue(copy)
    assert changed.content_hash != catalogue.content_hash

    second = load_or_build(changed, embedder, cache, SearchConfig())
    assert second.key != first.key
    assert embedder.texts == 2 * embedded
    assert {p.name for p in cache.iterdir()} == {first.key, second.key}


def test_index_is_rebuilt_for_another_model_or_config(catalogue: Catalogue, tmp_path: Path) -> None:
    a = load_or_build(catalogue, FakeEmbedder(32), tmp_path, SearchConfig())
    b = load_or_build(catalogue, FakeEmbedder(16), tmp_path, SearchConfig())
    c = load_or_build(catalogue, FakeEmbedder(32), tmp_path, SearchConfig(dense_fields=("card",)))
    assert len({a.key, b.key, c.key}) == 3
    assert len(c.dense) < len(a.dense)


def test_a_large_catalogue_embeds_only_title_and_summary_in_the_compact_languages(catalogue: Catalogue, tmp_path: Path) -> None:
    n = len(catalogue.services)
    english = load_or_build(catalogue, FakeEmbedder(8), tmp_path, SearchConfig(compact_above=n - 1))
    both = load_or_build(catalogue, FakeEmbedder(8), tmp_path, SearchConfig(compact_above=n - 1, compact_langs=("en", "zh")))
    small = load_or_build(catalogue, FakeEmbedder(8), tmp_path, SearchConfig(compact_above=n))
    assert len(english.dense) == n  # one title + summary vector per service
    assert len(both.dense) == 2 * n
    assert len(small.dense) > 2 * n  # below the threshold: keywords and phrasings too
    assert len({english.key, both.key, small.key}) == 3


def test_unreadable_cache_is_rebuilt(catalogue: Catalogue, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    first = load_or_build(catalogue, FakeEmbedder(32), tmp_path, SearchConfig())
    (tmp_path / first.key / "meta.json").write_text("{not json")
    embedder = CountingEmbedder()
    load_or_build(catalogue, embedder, tmp_path, SearchConfig())
    assert embedder.texts > 0
    assert "unreadable" in caplog.text


def test_no_cache_dir_builds_in_memory(catalogue: Catalogue) -> None:
    assert len(load_or_build(catalogue, FakeEmbedder(8), None, SearchConfig()).ids) == len(catalogue.services)


def test_progress_is_asked_of_the_embedder_and_printed(catalogue: Catalogue, capsys: pytest.CaptureFixture[str]) -> None:
    quiet, loud = CountingEmbedder(), CountingEmbedder()
    load_or_build(catalogue, quiet, None, SearchConfig())
    assert quiet.with_progress == 0 and capsys.readouterr().out == ""
    index = load_or_build(catalogue, loud, None, SearchConfig(), progress=True)
    assert loud.with_progress == 1  # the services' texts; the events' texts and the calibration's questions are few and quiet
    assert capsys.readouterr().out == f"embedding {index.dense.faiss_index.ntotal} texts of {len(catalogue.services)} services with fake-32\n"


def test_build_index_uses_the_settings_and_the_measured_configuration(demo_catalog_path: Path, catalogue: Catalogue, tmp_path: Path) -> None:
    settings = Settings(catalog_path=demo_catalog_path, data_dir=tmp_path, model="fake-32", index_kind="hnsw", compact_langs="en,zh")
    index = build_index(settings, catalogue, FakeEmbedder(32))
    assert (tmp_path / "index" / index.key / "meta.json").is_file()
    assert index.dense.kind.value == "hnsw"
    measured = tuned_config()
    assert (index.config.weights, index.config.fusion) == (measured.weights, measured.fusion)
    assert index.config.compact_langs == ("en", "zh")


def test_building_an_index_does_not_import_the_web_app() -> None:
    code = (
        "import sys\n"
        "from service_catalog.catalogue import load_catalogue\n"
        "from service_catalog.search import SearchConfig, load_or_build\n"
        "from service_catalog.search.embedder import FakeEmbedder\n"
        "from service_catalog.settings import load_settings\n"
        "load_or_build(load_catalogue(load_settings().catalog_path), FakeEmbedder(8), None, SearchConfig())\n"
        "leaked = sorted(m for m in sys.modules if m == 'aiohttp' or m.startswith('service_catalog.http'))\n"
        "assert not leaked, leaked\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=120)


# -- one tokenizer per index ------------------------------------------------------------------

WORD = "新测试词汇事项"  # jieba's own dictionary splits it


def test_two_indexes_with_different_vocabularies_tokenise_independently(catalogue: Catalogue) -> None:
    taught = load_or_build(with_zh_keyword(catalogue, "dog-registration", WORD), FakeEmbedder(8), None, SearchConfig())
    plain = load_or_build(catalogue, FakeEmbedder(8), None, SearchConfig())  # built after: jieba's global dictionary would have the word
    assert WORD in taught.lexical.query_tokens(WORD)
    assert WORD not in plain.lexical.query_tokens(WORD)
    assert taught.lexical.tokenizer is not plain.lexical.tokenizer
    # The word is whole in the documents of the index whose catalogue has it, and nowhere else.
    assert taught.lexical.df(WORD) == 1 and plain.lexical.df(WORD) == 0
    r = taught.search(WORD, lang="zh", mode="lexical")
    assert (r.results or r.suggestions)[0].id == "dog-registration"
