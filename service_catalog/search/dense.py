"""Dense vector index over faiss: exact (flat) below a size threshold, HNSW above."""

from __future__ import annotations

import enum
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

__all__ = ["DenseIndex", "IndexKind"]


def _faiss() -> Any:
    try:
        import faiss
    except ImportError as exc:  # pragma: no cover - a dependency of the package
        raise ImportError("faiss is missing: run `make setup` (pip install faiss-cpu)") from exc
    return faiss


class IndexKind(enum.Enum):
    AUTO = "auto"
    FLAT = "flat"
    HNSW = "hnsw"

    @classmethod
    def from_str(cls, value: str) -> IndexKind:
        try:
            return cls(value.lower())
        except ValueError:
            raise ValueError(f"unknown index kind {value!r}; valid: {', '.join(k.value for k in cls)}") from None


class DenseIndex:
    """Inner-product search over unit vectors, each vector owned by one document."""

    def __init__(self, index: Any, owners: NDArray[np.int32], kind: IndexKind) -> None:
        self._index = index
        self.owners = owners
        self.kind = kind

    @classmethod
    def build(cls, vectors: NDArray[np.float32], owners: NDArray[np.int32], kind: IndexKind = IndexKind.AUTO, hnsw_threshold: int = 20000) -> DenseIndex:
        """Index ``vectors`` (rows: unit vectors; ``owners[i]`` the document of row i)."""
        faiss = _faiss()
        if len(vectors) != len(owners):
            raise ValueError(f"{len(vectors)} vectors but {len(owners)} owners")
        if kind is IndexKind.AUTO:
            kind = IndexKind.HNSW if len(vectors) >= hnsw_threshold else IndexKind.FLAT
        dim = vectors.shape[1]
        if kind is IndexKind.HNSW:
            index = faiss.IndexHNSWFlat(dim, 32, faiss.METRIC_INNER_PRODUCT)
            index.hnsw.efConstruction = 80
            index.hnsw.efSearch = 96
        else:
            index = faiss.IndexFlatIP(dim)
        if len(vectors):
            index.add(np.ascontiguousarray(vectors, dtype=np.float32))
        return cls(index, owners.astype(np.int32), kind)

    def __len__(self) -> int:
        return int(self._index.ntotal)

    def search(self, query: NDArray[np.float32], k: int) -> tuple[NDArray[np.float32], NDArray[np.int64]]:
        """Raw faiss search: scores and row ids of the ``k`` nearest vectors."""
        if k < 1:
            raise ValueError(f"k must be at least 1, got {k}")
        scores, rows = self._index.search(np.ascontiguousarray(query.reshape(1, -1), dtype=np.float32), min(k, max(len(self), 1)))
        return scores[0], rows[0]

    def search_docs(self, query: NDArray[np.float32], k: int, per_doc: int = 8) -> dict[int, float]:
        """Best score per document among the nearest vectors (max-pooling over a document's texts)."""
        scores, rows = self.search(query, k * per_doc)
        best: dict[int, float] = {}
        for score, row in zip(scores.tolist(), rows.tolist(), strict=False):
            if row < 0:
                continue
            doc = int(self.owners[row])
            if doc not in best:
                best[doc] = float(score)
        return best

    def save(self, folder: Path) -> None:
        faiss = _faiss()
        folder.mkdir(parents=True, exist_ok=True)
        faiss.write_index(self._index, str(folder / "dense.faiss"))
        np.save(folder / "owners.npy", self.owners)
        (folder / "kind").write_text(self.kind.value)

    @classmethod
    def load(cls, folder: Path) -> DenseIndex:
        faiss = _faiss()
        index = faiss.read_index(str(folder / "dense.faiss"))
        kind = IndexKind.from_str((folder / "kind").read_text().strip())
        if kind is IndexKind.HNSW:
            index.hnsw.efSearch = 96
        return cls(index, np.load(folder / "owners.npy"), kind)
