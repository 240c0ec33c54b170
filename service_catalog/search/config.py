"""How a search index is built and queried (``SearchConfig``), and the key of its files."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field

from .fusion import Confidence

__all__ = ["INDEX_VERSION", "SearchConfig"]

INDEX_VERSION = 3  # bump when the index file layout or the texts embedded change


@dataclass(frozen=True)
class SearchConfig:
    """How the index is built and queried; the fields that shape the files are part of the cache key.

    Attributes:
        dense_fields: service texts embedded, each as its own vector: ``card`` (title and
            summary), ``title``, ``summary``, ``keywords``, ``phrasings``, ``description``.
        dense_langs: languages whose texts are embedded.
        compact_above: above this many services, only ``card`` texts in ``compact_langs`` are
            embedded (keeps a 50,000-service build within minutes on two cores).
        compact_langs: languages embedded above ``compact_above``. Measured with the
            English-only default model: card vectors in Chinese add nothing to hybrid search
            (zh R@1 0.897 with them, 0.901 without) and cost half the build, so only English;
            a deployment with a multilingual model sets ``en,zh``.
        fusion: ``rrf`` or ``score``.
        weights: per query language, (lexical weight, dense weight).
        kind: faiss index kind, ``auto`` picks HNSW from ``hnsw_threshold`` vectors on.
    """

    dense_fields: tuple[str, ...] = ("card", "keywords", "phrasings")
    dense_langs: tuple[str, ...] = ("en", "zh")
    compact_above: int = 5000
    compact_langs: tuple[str, ...] = ("en",)
    fusion: str = "rrf"
    weights: dict[str, tuple[float, float]] = field(default_factory=lambda: {"en": (1.0, 1.0), "zh": (1.0, 1.0)})
    rrf_k: int = 60
    kind: str = "auto"
    hnsw_threshold: int = 20000
    candidates: int = 50
    best_probability: float = 0.8
    confidence: dict[str, Confidence] = field(default_factory=lambda: {"en": Confidence(), "zh": Confidence()})

    def cache_key(self, catalogue_hash: str, model: str, n_services: int) -> str:
        """The name of the index files' folder: a hash of everything the files depend on."""
        build = {
            "v": INDEX_VERSION,
            "catalogue": catalogue_hash,
            "model": model,
            "fields": self.fields_for(n_services),
            "langs": self.langs_for(n_services),
            "kind": self.kind,
            "hnsw_threshold": self.hnsw_threshold,
        }
        return hashlib.sha256(json.dumps(build, sort_keys=True).encode()).hexdigest()[:20]

    def fields_for(self, n_services: int) -> tuple[str, ...]:
        """The fields embedded for a catalogue of ``n_services``."""
        return ("card",) if n_services > self.compact_above else self.dense_fields

    def langs_for(self, n_services: int) -> tuple[str, ...]:
        """The languages embedded for a catalogue of ``n_services``."""
        return self.compact_langs if n_services > self.compact_above else self.dense_langs
