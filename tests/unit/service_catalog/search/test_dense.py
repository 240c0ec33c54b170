"""Tests for service_catalog.search.dense: flat vs HNSW, search, max-pooling (its files: test_storage.py)."""

from __future__ import annotations

import numpy as np
import pytest
from numpy.typing import NDArray

from service_catalog.search.dense import HNSW_EF_SEARCH, DenseIndex, IndexKind

DIM = 16


def unit_vectors(n: int, seed: int = 0) -> NDArray[np.float32]:
    v = np.random.default_rng(seed).standard_normal((n, DIM)).astype(np.float32)
    return v / np.linalg.norm(v, axis=1, keepdims=True)


@pytest.mark.parametrize(
    ("n", "threshold", "kind"), [(99, 100, IndexKind.FLAT), (100, 100, IndexKind.HNSW), (300, 100, IndexKind.HNSW), (300, 20000, IndexKind.FLAT)]
)
def test_auto_picks_flat_below_the_threshold_and_hnsw_from_it(n: int, threshold: int, kind: IndexKind) -> None:
    index = DenseIndex.build(unit_vectors(n), np.arange(n, dtype=np.int32), IndexKind.AUTO, hnsw_threshold=threshold)
    assert index.kind is kind
    assert len(index) == n


def test_explicit_kind_wins_over_the_threshold() -> None:
    index = DenseIndex.build(unit_vectors(10), np.arange(10, dtype=np.int32), IndexKind.HNSW, hnsw_threshold=20000)
    assert index.kind is IndexKind.HNSW


@pytest.mark.parametrize("kind", [IndexKind.FLAT, IndexKind.HNSW])
def test_nearest_vector_is_itself(kind: IndexKind) -> None:
    vectors = unit_vectors(200)
    index = DenseIndex.build(vectors, np.arange(200, dtype=np.int32), kind)
    scores, rows = index.search(vectors[17], 3)
    assert rows[0] == 17
    assert scores[0] == pytest.approx(1.0, abs=1e-5)
    assert list(scores) == sorted(scores, reverse=True)


def test_search_docs_keeps_the_best_score_per_document() -> None:
    vectors = unit_vectors(6)
    owners = np.array([0, 0, 1, 1, 2, 2], dtype=np.int32)
    index = DenseIndex.build(vectors, owners, IndexKind.FLAT)
    best = index.search_docs(vectors[3], k=3)
    assert best[1] == pytest.approx(1.0, abs=1e-5)
    for doc in best:
        rows = np.flatnonzero(owners == doc)
        assert best[doc] == pytest.approx(float(np.max(vectors[rows] @ vectors[3])), abs=1e-5)


def test_k_larger_than_the_index_is_fine() -> None:
    index = DenseIndex.build(unit_vectors(3), np.arange(3, dtype=np.int32), IndexKind.FLAT)
    _, rows = index.search(unit_vectors(1, seed=9)[0], 10)
    assert sorted(rows.tolist()) == [0, 1, 2]


def test_empty_index_finds_nothing() -> None:
    index = DenseIndex.build(np.zeros((0, DIM), dtype=np.float32), np.zeros(0, dtype=np.int32), IndexKind.FLAT)
    assert len(index) == 0
    assert index.search_docs(unit_vectors(1)[0], 5) == {}


def test_owners_must_match_vectors() -> None:
    with pytest.raises(ValueError, match="5 vectors but 4 owners"):
        DenseIndex.build(unit_vectors(5), np.arange(4, dtype=np.int32))


def test_k_must_be_positive() -> None:
    index = DenseIndex.build(unit_vectors(5), np.arange(5, dtype=np.int32))
    with pytest.raises(ValueError, match="k must be at least 1, got 0"):
        index.search(unit_vectors(1)[0], 0)


def test_kind_from_str_error_lists_valid_values() -> None:
    assert IndexKind.from_str("HNSW") is IndexKind.HNSW
    with pytest.raises(ValueError, match=r"unknown index kind 'ivf'; valid: auto, flat, hnsw"):
        IndexKind.from_str("ivf")


def test_dim_and_hnsw_search_depth() -> None:
    index = DenseIndex.build(unit_vectors(10), np.arange(10, dtype=np.int32), IndexKind.HNSW)
    assert index.dim == DIM
    assert index.faiss_index.hnsw.efSearch == HNSW_EF_SEARCH
