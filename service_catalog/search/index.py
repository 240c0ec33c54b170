"""The hybrid search index over a catalogue: build (cached on disk), load, query.

Which texts of a service are embedded, how the two retrievers are weighted per
language, and the confidence model were chosen by measurement on the evaluation
set (``make eval``; see docs/search.md).
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ..catalogue import Catalogue
from ..model import Service
from .dense import DenseIndex, IndexKind
from .embedder import Embedder
from .fusion import Confidence, Fuser, FusionMode
from .lexical import LexicalIndex
from .place import other_place
from .text import HAN, add_words, detect_lang, normalise, tokenize

__all__ = ["Filters", "Hit", "SearchConfig", "SearchIndex", "SearchResponse"]

log = logging.getLogger(__name__)

INDEX_VERSION = 3  # bump when the index file layout or the texts embedded change
MAX_QUERY = 500


@dataclass(frozen=True)
class SearchConfig:
    """How the index is built and queried; every field is part of the cache key.

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
        return ("card",) if n_services > self.compact_above else self.dense_fields

    def langs_for(self, n_services: int) -> tuple[str, ...]:
        return self.compact_langs if n_services > self.compact_above else self.dense_langs


@dataclass(frozen=True)
class Filters:
    audience: str | None = None
    district: str | None = None
    event: str | None = None
    online_only: bool = False

    def allows(self, service: Service) -> bool:
        if self.audience and service.audience != self.audience:
            return False
        if self.district and service.districts != "all" and self.district not in service.districts:
            return False
        if self.event and self.event not in service.events:
            return False
        return not (self.online_only and not service.channels.online_url)


@dataclass(frozen=True)
class Hit:
    id: str
    title: str
    score: float
    why: list[dict[str, Any]]


@dataclass(frozen=True)
class Retrieval:
    """What both retrievers found for one query."""

    text: str
    tokens: list[str]
    bm25: np.ndarray
    lex_top: dict[int, float]
    dense_top: dict[int, float]
    timings: dict[str, float]


@dataclass(frozen=True)
class Decision:
    """The fused ranking and the confidence judgement."""

    ranked: list[int]
    fused: dict[int, float]
    features: list[float]
    probability: float
    confident: bool
    best: str | None
    elsewhere: str | None = None


@dataclass(frozen=True)
class SearchResponse:
    query: str
    lang: str
    confident: bool
    confidence: float
    results: list[Hit]
    suggestions: list[Hit] = field(default_factory=list)
    best: str | None = None
    timings_ms: dict[str, float] = field(default_factory=dict)
    elsewhere: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "query": self.query,
            "lang": self.lang,
            "confident": self.confident,
            "confidence": round(self.confidence, 3),
            "results": [asdict(h) for h in self.results],
            "suggestions": [asdict(h) for h in self.suggestions],
            "best": self.best,
            "elsewhere": self.elsewhere,
        }


def dense_texts(service: Service, fields: Sequence[str], langs: Sequence[str]) -> list[str]:
    """The texts of a service that get a vector each."""
    out: list[str] = []
    for lang in langs:
        for f in fields:
            if f == "card":
                out.append(f"{service.title.get(lang)}. {service.summary.get(lang)}")
            elif f == "keywords":
                out.append(", ".join(service.keywords.get(lang)))
            elif f == "phrasings":
                out.extend(service.phrasings.get(lang))
            else:
                out.append(service.text(f, lang))
    return [t for t in out if t.strip()]


def lexical_text(service: Service) -> str:
    """One text per service for BM25; titles and keywords count twice."""
    parts: list[str] = []
    for lang in ("zh", "en"):
        parts += [service.title.get(lang)] * 2
        parts += service.keywords.get(lang) * 2
        parts.append(service.summary.get(lang))
        parts += service.phrasings.get(lang)
    return "\n".join(parts)


class SearchIndex:
    """Hybrid (BM25 + dense) search with filters, explanations and a calibrated confidence."""

    def __init__(
        self, catalogue: Catalogue, embedder: Embedder, dense: DenseIndex, lexical: LexicalIndex, ids: list[str], config: SearchConfig, key: str
    ) -> None:
        self.catalogue = catalogue
        self.embedder = embedder
        self.dense = dense
        self.lexical = lexical
        self.ids = ids
        self.config = config
        self.key = key
        self._services = [catalogue.services[i] for i in ids]
        # Bounded: only the fields of services that appear as hits are ever tokenised.
        self._field_tokens = functools.lru_cache(maxsize=20000)(self._field_tokens)  # type: ignore[method-assign]

    # -- building -------------------------------------------------------------------------

    @classmethod
    def build(cls, catalogue: Catalogue, embedder: Embedder, cache_dir: Path | None, config: SearchConfig | None = None, progress: bool = False) -> SearchIndex:
        """The index for ``catalogue``: loaded from ``cache_dir`` when its key matches, else built and saved."""
        config = config or SearchConfig()
        ids = sorted(catalogue.services)
        key = config.cache_key(catalogue.content_hash, embedder.name, len(ids))
        add_words(w for s in catalogue.services.values() for w in s.keywords.zh + [s.title.zh])
        folder = cache_dir / key if cache_dir else None
        dense: DenseIndex | None = None
        if folder is not None and (folder / "meta.json").is_file():
            try:
                meta = json.loads((folder / "meta.json").read_text())
                if meta.get("ids") == ids:
                    dense = DenseIndex.load(folder)
                    log.info("search index %s loaded from %s", key, folder)
            except (OSError, ValueError, RuntimeError) as exc:
                log.warning("search index cache %s unreadable (%s); rebuilding", folder, exc)
        if dense is None:
            started = time.perf_counter()
            fields, langs = config.fields_for(len(ids)), config.langs_for(len(ids))
            texts: list[str] = []
            owners: list[int] = []
            for n, sid in enumerate(ids):
                for t in dense_texts(catalogue.services[sid], fields, langs):
                    texts.append(t)
                    owners.append(n)
            if progress:
                print(f"embedding {len(texts)} texts of {len(ids)} services with {embedder.name}", flush=True)
            vectors = _embed(embedder, texts, progress)
            dense = DenseIndex.build(vectors, np.asarray(owners, dtype=np.int32), IndexKind.from_str(config.kind), config.hnsw_threshold)
            if folder is not None:
                tmp = folder.with_name(folder.name + ".tmp")
                dense.save(tmp)
                (tmp / "meta.json").write_text(
                    json.dumps(
                        {"ids": ids, "model": embedder.name, "fields": list(fields), "langs": list(langs), "built_s": round(time.perf_counter() - started, 2)}
                    )
                )
                if folder.exists():
                    import shutil

                    shutil.rmtree(folder)
                tmp.rename(folder)
            log.info("search index %s built: %d vectors in %.1f s", key, len(texts), time.perf_counter() - started)
        lexical = LexicalIndex([lexical_text(catalogue.services[i]) for i in ids])
        return cls(catalogue, embedder, dense, lexical, ids, config, key)

    # -- querying -------------------------------------------------------------------------

    def encode(self, query: str) -> np.ndarray:
        vector: np.ndarray = self.embedder.embed([query])[0]
        return vector

    def retrieve(self, query: str, filters: Filters | None = None) -> Retrieval:
        """Run both retrievers once (the expensive part of a search)."""
        text = normalise(query)
        filters = filters or Filters()
        t0 = time.perf_counter()
        tokens = self.lexical.query_tokens(text)
        bm25 = self.lexical.scores(tokens)
        t1 = time.perf_counter()
        vector = self.encode(text)
        t2 = time.perf_counter()
        want = self.config.candidates
        dense_all = self.dense.search_docs(vector, want * 4 if _restrictive(filters) else want)
        t3 = time.perf_counter()
        allowed = None
        if _restrictive(filters):
            allowed = [n for n in range(len(self.ids)) if filters.allows(self._services[n])]
        allowed_set = set(allowed) if allowed is not None else None
        lex_top = _top(bm25, want, allowed)
        dense_top = {d: s for d, s in dense_all.items() if allowed_set is None or d in allowed_set}
        timings = {"lexical": (t1 - t0) * 1000, "encode": (t2 - t1) * 1000, "dense": (t3 - t2) * 1000}
        return Retrieval(text, tokens, bm25, lex_top, dense_top, timings)

    def decide(self, r: Retrieval, lang: str, mode: str = "hybrid", weights: tuple[float, float] | None = None, fusion: str | None = None) -> Decision:
        """Fuse the two rankings and judge whether the best hit fits (cheap; used for tuning too)."""
        lw, dw = weights or self.config.weights.get(lang, (1.0, 1.0))
        if mode == "lexical":
            lw, dw = 1.0, 0.0
        elif mode == "dense":
            lw, dw = 0.0, 1.0
        fused = Fuser(FusionMode.from_str(fusion or self.config.fusion), lw, dw, self.config.rrf_k).fuse(r.lex_top, r.dense_top)
        ranked = sorted(fused, key=lambda d: (-fused[d], self.ids[d]))
        if not ranked:
            return Decision(ranked, fused, [0.0, 0.0, 0.0, 0.0], 0.0, False, None, other_place(r.text))
        best = ranked[0]
        lex_best = max(r.lex_top, key=lambda d: r.lex_top[d]) if r.lex_top else None
        dense_best = max(r.dense_top, key=lambda d: r.dense_top[d]) if r.dense_top else None
        agree = lex_best == dense_best == best
        dense_score = float(r.dense_top.get(best, 0.0))
        coverage = _coverage(r.tokens, self.lexical, best)
        bm25 = float(r.bm25[best])
        model = self.config.confidence.get(lang, Confidence())
        probability = model.probability(dense_score, coverage, bm25, agree)
        elsewhere = other_place(r.text)
        confident = probability >= model.threshold and elsewhere is None
        clear = agree or len(ranked) == 1 or fused[ranked[0]] >= 1.5 * fused[ranked[1]]
        winner = self.ids[best] if confident and clear and probability >= self.config.best_probability else None
        return Decision(ranked, fused, Confidence.features(dense_score, coverage, bm25, agree), probability, confident, winner, elsewhere)

    def search(self, query: str, lang: str = "auto", limit: int = 5, filters: Filters | None = None, mode: str = "hybrid") -> SearchResponse:
        """Search the catalogue.

        Args:
            query: the citizen's words (1–500 characters).
            lang: ``zh``, ``en`` or ``auto`` (detected from the query).
            limit: at most this many results (1–50).
            filters: audience, district, event, online-only.
            mode: ``hybrid``, ``lexical`` or ``dense`` (the last two for evaluation).

        Raises:
            ValueError: the query is empty or too long, or ``limit`` is out of range.
        """
        if not normalise(query):
            raise ValueError("the query is empty")
        if len(query) > MAX_QUERY:
            raise ValueError(f"the query is {len(query)} characters long; the limit is {MAX_QUERY}")
        if not 1 <= limit <= 50:
            raise ValueError(f"limit must be between 1 and 50, got {limit}")
        if lang not in {"auto", "zh", "en"}:
            raise ValueError(f"lang must be zh, en or auto, got {lang!r}")
        started = time.perf_counter()
        r = self.retrieve(query, filters)
        lang = detect_lang(r.text) if lang == "auto" else lang
        d = self.decide(r, lang, mode)
        hits = [self._hit(doc, d.fused[doc], r.tokens, lang) for doc in d.ranked[:limit]]
        timings = {**r.timings, "total": (time.perf_counter() - started) * 1000}
        if d.confident:
            return SearchResponse(query, lang, True, d.probability, hits, [], d.best, timings)
        return SearchResponse(query, lang, False, d.probability, [], hits[:3], None, timings, d.elsewhere)

    def _hit(self, doc: int, score: float, tokens: list[str], lang: str) -> Hit:
        service = self._services[doc]
        return Hit(service.id, service.title.get(lang), round(score, 5), _why(service, tokens, lang, self._field_tokens))

    def _field_tokens(self, service_id: str, name: str, lang: str, bigrams: bool) -> tuple[frozenset[str], ...]:
        """The token set of each text of one field of a service (memoised per index in ``__init__``)."""
        value = getattr(self.catalogue.services[service_id], name).get(lang)
        texts = value if isinstance(value, list) else [value]
        return tuple(frozenset(tokenize(t, bigrams=bigrams)) for t in texts)


def _restrictive(filters: Filters) -> bool:
    return bool(filters.district or filters.event or filters.audience or filters.online_only)


def _embed(embedder: Embedder, texts: list[str], progress: bool) -> np.ndarray:
    if not texts:
        return np.zeros((0, embedder.dim), dtype=np.float32)
    try:
        return embedder.embed(texts, progress=progress)  # type: ignore[call-arg]
    except TypeError:
        return embedder.embed(texts)


def _top(scores: np.ndarray, k: int, allowed: list[int] | None) -> dict[int, float]:
    if allowed is not None:
        subset = np.asarray(allowed, dtype=np.int64)
        if not len(subset):
            return {}
        order = subset[np.argsort(-scores[subset])[:k]]
    else:
        order = np.argsort(-scores)[:k]
    return {int(d): float(scores[d]) for d in order if scores[d] > 0}


def _coverage(tokens: list[str], lexical: LexicalIndex, doc: int) -> float:
    """IDF-weighted share of the query's words (bigrams when it has no words) found in the document.

    Words that no service uses (天气, 火锅, weather) weigh the most, so a query about something
    the catalogue does not cover scores low even when a common word matches.
    """
    words = [t for t in tokens if not t.startswith("§")] or tokens
    if not words:
        return 0.0
    total = sum(lexical.idf(t) for t in words)
    return sum(lexical.idf(t) for t in words if lexical.contains(doc, t)) / total


FieldTokens = Callable[[str, str, str, bool], tuple[frozenset[str], ...]]


def _why(service: Service, tokens: list[str], lang: str, field_tokens: FieldTokens) -> list[dict[str, Any]]:
    """Which fields matched which query terms; and the closest example phrasing.

    ``field_tokens(service_id, field, lang, bigrams)`` gives the token set of each text of a field
    (cached by the index: tokenising the hits' fields anew on every search cost as much as the
    query encode).
    """
    why: list[dict[str, Any]] = []
    wanted = {t for t in tokens if not t.startswith("§")}
    for name in ("title", "keywords", "phrasings", "summary"):
        matched: list[str] = []
        for l in (lang, "en" if lang == "zh" else "zh"):
            for text_tokens in field_tokens(service.id, name, l, False):
                hit = wanted & text_tokens
                matched += sorted(hit - set(matched))
        if matched:
            why.append({"field": name, "terms": matched[:8]})
    if not why and any(HAN.search(t) for t in tokens):
        grams = {t for t in tokens if t.startswith("§")}
        for name in ("title", "keywords", "phrasings", "summary"):
            found = sorted({g[1:] for text_tokens in field_tokens(service.id, name, "zh", True) for g in grams & text_tokens})
            if found:
                why.append({"field": name, "terms": found[:8]})
    if not why:
        why.append({"field": "meaning", "terms": [], "note": "similar in meaning to the service's description"})
    return why
