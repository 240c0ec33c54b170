"""Dense vector index over faiss: exact (flat) below a size threshold, HNSW above.

Pure: in memory only; ``storage.py`` writes and reads the index files.
"""

from __future__ import annotations

import enum
from typing import Any

import numpy as np
from numpy.typing import NDArray

__all__ = ["DenseIndex", "IndexKind"]

HNSW_M = 32
HNSW_EF_CONSTRUCTION = 80
HNSW_EF_SEARCH = 96


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
    """Inner-product search over unit vectors, each vector owned by one document.

    Args:
        index: a faiss index (``IndexFlatIP`` or ``IndexHNSWFlat``), built or read from disk.
        owners: ``owners[i]`` is the document of vector ``i``.
        kind: which of the two ``index`` is.
    """

    def __init__(self, index: Any, owners: NDArray[np.int32], kind: IndexKind) -> None:
        if kind is IndexKind.HNSW:
            index.hnsw.efSearch = HNSW_EF_SEARCH  # not kept in the index file
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
            index = faiss.IndexHNSWFlat(dim, HNSW_M, faiss.METRIC_INNER_PRODUCT)
            index.hnsw.efConstruction = HNSW_EF_CONSTRUCTION
        else:
            index = faiss.IndexFlatIP(dim)
        if len(vectors):
            index.add(np.ascontiguousarray(vectors, dtype=np.float32))
        return cls(index, owners.astype(np.int32), kind)

    def __len__(self) -> int:
        return int(self._index.ntotal)

    @property
    def dim(self) -> int:
        """The length of each vector."""
        return int(self._index.d)

    @property
    def faiss_index(self) -> Any:
        """The underlying faiss index (for ``storage.py``)."""
        return self._index

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
