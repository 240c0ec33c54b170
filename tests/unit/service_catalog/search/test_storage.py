"""Tests for service_catalog.search.storage: the index files, written whole and read back."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from numpy.typing import NDArray

from service_catalog.search.dense import DenseIndex, IndexKind
from service_catalog.search.storage import index_folder, load_dense, read_dense, save_dense, write_dense

DIM = 16


def unit_vectors(n: int, seed: int = 0) -> NDArray[np.float32]:
    v = np.random.default_rng(seed).standard_normal((n, DIM)).astype(np.float32)
    return v / np.linalg.norm(v, axis=1, keepdims=True)


def small_index(n: int = 5) -> DenseIndex:
    return DenseIndex.build(unit_vectors(n), np.arange(n, dtype=np.int32), IndexKind.FLAT)


def assert_same_results_allowing_ties(a: tuple[np.ndarray, np.ndarray], b: tuple[np.ndarray, np.ndarray]) -> None:
    """Equal scores, and equal row sets within each group of tied scores (the last group may be cut off by k)."""
    (sa, ra), (sb, rb) = a, b
    np.testing.assert_allclose(sa, sb, rtol=1e-5, atol=1e-6)
    groups = np.unique(np.round(sa, 5))
    cut = np.round(sa[-1], 5)
    for g in groups:
        in_a = set(ra[np.round(sa, 5) == g].tolist())
        in_b = set(rb[np.round(sb, 5) == g].tolist())
        if g == cut:
            assert len(in_a) == len(in_b)
        else:
            assert in_a == in_b


@pytest.mark.parametrize("kind", [IndexKind.FLAT, IndexKind.HNSW])
def test_save_and_load_give_the_same_results(tmp_path: Path, kind: IndexKind) -> None:
    base = unit_vectors(150, seed=1)
    vectors = np.concatenate([base, base[:20]])  # exact duplicates: tied scores whose order may differ
    owners = np.concatenate([np.arange(150), np.arange(150, 170)]).astype(np.int32)
    index = DenseIndex.build(vectors, owners, kind)
    save_dense(index, tmp_path / "idx")
    loaded = load_dense(tmp_path / "idx")
    assert loaded.kind is kind
    assert len(loaded) == len(index)
    np.testing.assert_array_equal(loaded.owners, owners)
    for q in unit_vectors(10, seed=2).tolist() + vectors[:5].tolist():
        query = np.asarray(q, dtype=np.float32)
        assert_same_results_allowing_ties(index.search(query, 10), loaded.search(query, 10))
        a, b = index.search_docs(query, 5), loaded.search_docs(query, 5)
        assert sorted(a.values()) == pytest.approx(sorted(b.values()), abs=1e-6)


def test_index_folder_is_named_by_the_key(tmp_path: Path) -> None:
    assert index_folder(tmp_path, "abc") == tmp_path / "abc"
    assert index_folder(None, "abc") is None


def test_written_folder_is_read_back_for_the_same_ids_only(tmp_path: Path) -> None:
    folder = tmp_path / "key"
    write_dense(folder, small_index(), {"ids": ["a", "b", "c", "d", "e"], "model": "fake"})
    assert sorted(p.name for p in tmp_path.iterdir()) == ["key"]  # no temporary folder left behind
    assert json.loads((folder / "meta.json").read_text())["model"] == "fake"
    loaded = read_dense(folder, ["a", "b", "c", "d", "e"])
    assert loaded is not None and len(loaded) == 5
    assert read_dense(folder, ["a", "b"]) is None


def test_nothing_to_read(tmp_path: Path) -> None:
    assert read_dense(None, ["a"]) is None
    assert read_dense(tmp_path / "missing", ["a"]) is None
    (tmp_path / "half").mkdir()  # a folder without meta.json: a build that never finished
    assert read_dense(tmp_path / "half", ["a"]) is None


def test_an_unreadable_folder_is_logged_and_ignored(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    folder = tmp_path / "key"
    write_dense(folder, small_index(), {"ids": ["a", "b", "c", "d", "e"]})
    (folder / "dense.faiss").write_bytes(b"not a faiss index")
    assert read_dense(folder, ["a", "b", "c", "d", "e"]) is None
    assert "unreadable" in caplog.text


def test_writing_again_replaces_the_folder_whole(tmp_path: Path) -> None:
    folder = tmp_path / "key"
    write_dense(folder, small_index(5), {"ids": list("abcde")})
    (folder / "stale").write_text("from an older layout")
    write_dense(folder, small_index(3), {"ids": list("abc")})
    assert not (folder / "stale").exists()
    loaded = read_dense(folder, list("abc"))
    assert loaded is not None and len(loaded) == 3
