"""Fusion of lexical and dense rankings, and the confidence that a result fits (pure)."""

from __future__ import annotations

import enum
import math
from collections.abc import Mapping
from dataclasses import dataclass

__all__ = ["Confidence", "Fuser", "FusionMode", "SearchMode"]


class FusionMode(enum.Enum):
    RRF = "rrf"
    SCORE = "score"

    @classmethod
    def from_str(cls, value: str) -> FusionMode:
        try:
            return cls(value.lower())
        except ValueError:
            raise ValueError(f"unknown fusion mode {value!r}; valid: {', '.join(m.value for m in cls)}") from None


class SearchMode(enum.Enum):
    """Which retrievers a search uses: both (``hybrid``), or one alone (to measure each side)."""

    LEXICAL = "lexical"
    DENSE = "dense"
    HYBRID = "hybrid"

    @classmethod
    def from_str(cls, value: str) -> SearchMode:
        try:
            return cls(value.lower())
        except ValueError:
            raise ValueError(f"unknown search mode {value!r}; valid: {', '.join(m.value for m in cls)}") from None

    def weights(self, lexical: float, dense: float) -> tuple[float, float]:
        """The (lexical, dense) fusion weights in this mode, given the hybrid ones."""
        if self is SearchMode.LEXICAL:
            return 1.0, 0.0
        if self is SearchMode.DENSE:
            return 0.0, 1.0
        return lexical, dense


@dataclass(frozen=True)
class Fuser:
    """Weighted fusion of two score maps (document → score).

    ``rrf``: sum of ``w / (k + rank)``; ``score``: sum of ``w * score`` after
    min-max normalising each side over its candidates (raw BM25 and cosine
    scores live on different scales and are never added as they are).
    """

    mode: FusionMode = FusionMode.RRF
    lexical_weight: float = 1.0
    dense_weight: float = 1.0
    rrf_k: int = 60

    def __post_init__(self) -> None:
        if self.lexical_weight < 0 or self.dense_weight < 0 or self.lexical_weight + self.dense_weight == 0:
            raise ValueError(f"weights must be >= 0 and not both 0, got {self.lexical_weight}, {self.dense_weight}")
        if self.rrf_k < 1:
            raise ValueError(f"rrf_k must be at least 1, got {self.rrf_k}")

    def fuse(self, lexical: Mapping[int, float], dense: Mapping[int, float]) -> dict[int, float]:
        if self.mode is FusionMode.RRF:
            return self._rrf(lexical, dense)
        return self._score(lexical, dense)

    def _rrf(self, lexical: Mapping[int, float], dense: Mapping[int, float]) -> dict[int, float]:
        out: dict[int, float] = {}
        for weight, scores in ((self.lexical_weight, lexical), (self.dense_weight, dense)):
            if weight == 0:
                continue
            ranked = sorted((d for d in scores if scores[d] > 0 or scores is dense), key=lambda d: -scores[d])
            for rank, doc in enumerate(ranked, 1):
                out[doc] = out.get(doc, 0.0) + weight / (self.rrf_k + rank)
        return out

    def _score(self, lexical: Mapping[int, float], dense: Mapping[int, float]) -> dict[int, float]:
        out: dict[int, float] = {}
        for weight, scores in ((self.lexical_weight, lexical), (self.dense_weight, dense)):
            if weight == 0 or not scores:
                continue
            hi, lo = max(scores.values()), min(scores.values())
            span = hi - lo
            for doc, s in scores.items():
                norm = (s - lo) / span if span > 1e-9 else (1.0 if s > 0 else 0.0)
                out[doc] = out.get(doc, 0.0) + weight * norm
        return out


@dataclass(frozen=True)
class Confidence:
    """A logistic model over a few features of the best hit, fitted on the evaluation set's tuning part.

    Features: the best dense cosine, the share of the query's words found in the
    best hit's texts, the BM25 score of the best hit (log-scaled), and whether the
    two retrievers agree on the best hit.
    """

    bias: float = -6.0
    w_dense: float = 8.0
    w_coverage: float = 3.0
    w_bm25: float = 0.8
    w_agree: float = 1.0
    threshold: float = 0.5

    def probability(self, dense: float, coverage: float, bm25: float, agree: bool) -> float:
        z = self.bias + self.w_dense * dense + self.w_coverage * coverage + self.w_bm25 * math.log1p(max(bm25, 0.0)) + self.w_agree * float(agree)
        return 1.0 / (1.0 + math.exp(-z))

    @staticmethod
    def features(dense: float, coverage: float, bm25: float, agree: bool) -> list[float]:
        return [dense, coverage, math.log1p(max(bm25, 0.0)), float(agree)]
