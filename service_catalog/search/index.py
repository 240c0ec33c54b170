"""The hybrid search index over a catalogue: query it (pure; ``build.py`` builds or loads it).

Which texts of a service are embedded, how the two retrievers are weighted per
language, and the confidence model were chosen by measurement on the evaluation
set (``make eval``; see docs/search.md).
"""

from __future__ import annotations

import re
import time
from dataclasses import asdict, dataclass, field, replace
from typing import TYPE_CHECKING, Any

import numpy as np

from ..model import Service
from .config import SearchConfig
from .dense import DenseIndex
from .embedder import Embedder
from .events import EventMatch, EventMatcher
from .explain import FieldTokens, why
from .explain import warm as warm_field_tokens
from .fusion import Confidence, Fuser, FusionMode, SearchMode
from .lexical import LexicalIndex
from .named import ServiceNames
from .place import other_place
from .text import detect_lang, normalise
from .vectors import QueryVectors

if TYPE_CHECKING:
    from ..catalogue import Catalogue

__all__ = ["MAX_QUERY", "Decision", "Filters", "Hit", "Retrieval", "SearchIndex", "SearchResponse"]

MAX_QUERY = 500
NAMED_LEAD = 1.5  # a service the words name, moved first, gets this many times the best fused score


@dataclass(frozen=True)
class Filters:
    """Which services a search may return: for an audience, offered in a district, about a life event, online."""

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
    """One service found: its id and title, the fused score and why it matched."""

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
    vector: np.ndarray | None = None


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
    """A search's answer: the ranked ``results`` always, ``confident`` a flag on them.

    ``suggestions`` repeats the first three results when the search is not confident (the
    bot offers them as "did you mean"); ``event`` is the checklist of the life or business
    event the question asks about, when one answers it (see ``events.py``). ``district`` is a
    district the question names: it locates (where to go) and never selects a service, so its
    name is taken out of the text searched ("register a company in Pudong" searches "register
    a company"; a Pudong-only service still wins when the question names that service).
    """

    query: str
    lang: str
    confident: bool
    confidence: float
    results: list[Hit]
    suggestions: list[Hit] = field(default_factory=list)
    best: str | None = None
    timings_ms: dict[str, float] = field(default_factory=dict)
    elsewhere: str | None = None
    event: dict[str, Any] | None = None
    district: str | None = None

    def to_json(self) -> dict[str, Any]:
        """The response body of ``GET /api/search``."""
        return {
            "query": self.query,
            "lang": self.lang,
            "confident": self.confident,
            "confidence": round(self.confidence, 3),
            "results": [asdict(h) for h in self.results],
            "suggestions": [asdict(h) for h in self.suggestions],
            "best": self.best,
            "elsewhere": self.elsewhere,
            "event": self.event,
            "district": self.district,
        }


class SearchIndex:
    """Hybrid (BM25 + dense) search with filters, explanations and a calibrated confidence."""

    def __init__(
        self,
        catalogue: Catalogue,
        embedder: Embedder,
        dense: DenseIndex,
        lexical: LexicalIndex,
        ids: list[str],
        config: SearchConfig,
        key: str,
        events: EventMatcher | None = None,
    ) -> None:
        self.catalogue = catalogue
        self.embedder = embedder
        self.dense = dense
        self.lexical = lexical
        self.ids = ids
        self.config = config
        self.key = key
        self._services = [catalogue.services[i] for i in ids]
        self._field_tokens = FieldTokens(catalogue.services, lexical.tokenizer)
        self.events = events
        self._districts = district_names(catalogue)
        self._names = ServiceNames(self._services)
        self._vectors = QueryVectors(embedder)  # one per index, so per catalogue version

    def warm(self) -> None:
        """Do now what the first searches would otherwise pay for: tokenising the services' fields."""
        warm_field_tokens(self.catalogue.services, self._field_tokens)

    # -- querying -------------------------------------------------------------------------

    def encode(self, query: str) -> np.ndarray:
        """The query's vector (read-only), remembered for the last few hundred texts; a text another
        thread is embedding right now is waited for, not embedded twice (``vectors.QueryVectors``)."""
        return self._vectors.get(query)

    def prepare(self, query: str) -> None:
        """Embed ``query`` now, as ``search(query)`` will (the district taken out, normalised), so that the
        search finds its vector ready: ``POST /api/search/prepare``, sent while the bot is still choosing
        its action (docs/search.md, "Speed")."""
        searched, _ = self.locate(query)
        text = normalise(searched)
        if text:
            self.encode(text)

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
        return Retrieval(text, tokens, bm25, lex_top, dense_top, timings, vector)

    def decide(
        self, r: Retrieval, lang: str, mode: SearchMode = SearchMode.HYBRID, weights: tuple[float, float] | None = None, fusion: str | None = None
    ) -> Decision:
        """Fuse the two rankings and judge whether the best hit fits (cheap; used for tuning too).

        Args:
            r: what ``retrieve`` found.
            lang: the query's language (``zh`` or ``en``): picks the weights and the confidence model.
            mode: both retrievers, or one alone.
            weights: (lexical, dense) in place of the configured ones (weight fitting).
            fusion: ``rrf`` or ``score`` in place of the configured one (weight fitting).
        """
        lw, dw = mode.weights(*(weights or self.config.weights.get(lang, (1.0, 1.0))))
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

    def search(
        self, query: str, lang: str = "auto", limit: int = 5, filters: Filters | None = None, mode: SearchMode | str = SearchMode.HYBRID
    ) -> SearchResponse:
        """Search the catalogue.

        Args:
            query: the citizen's words (1–500 characters).
            lang: ``zh``, ``en`` or ``auto`` (detected from the query).
            limit: at most this many results (1–50).
            filters: audience, district, event, online-only.
            mode: a ``SearchMode``, or its name as the HTTP API takes it (``hybrid``, ``lexical``
                or ``dense``; the last two measure one retriever alone).

        Raises:
            ValueError: the query is empty or too long, or ``limit``, ``lang`` or ``mode`` is invalid.
        """
        mode = mode if isinstance(mode, SearchMode) else SearchMode.from_str(mode)
        if not normalise(query):
            raise ValueError("the query is empty")
        if len(query) > MAX_QUERY:
            raise ValueError(f"the query is {len(query)} characters long; the limit is {MAX_QUERY}")
        if not 1 <= limit <= 50:
            raise ValueError(f"limit must be between 1 and 50, got {limit}")
        if lang not in {"auto", "zh", "en"}:
            raise ValueError(f"lang must be zh, en or auto, got {lang!r}")
        started = time.perf_counter()
        searched, district = self.locate(query)
        r = self.retrieve(searched, filters)
        lang = detect_lang(r.text) if lang == "auto" else lang
        d = self.decide(r, lang, mode)
        named = self.named(r.text, d)
        if mode is SearchMode.HYBRID:
            d = self.named_first(d, named)
        hits = [self._hit(doc, d.fused[doc], r.tokens, lang) for doc in d.ranked[:limit]]
        match = self.match_event(r, d)
        # A service the words name is the answer, not a checklist of the event it belongs to.
        answers = match is not None and match.answers and d.elsewhere is None and named is None
        event = self.checklist(match.id, lang) if match is not None and answers else None
        timings = {**r.timings, "total": (time.perf_counter() - started) * 1000}
        suggestions = [] if d.confident else hits[:3]
        return SearchResponse(query, lang, d.confident, d.probability, hits, suggestions, d.best, timings, d.elsewhere, event, district)

    def districts(self) -> list[tuple[re.Pattern[str], str]]:
        """The districts' name patterns (``district_names``), compiled once per index."""
        return self._districts

    def locate(self, query: str) -> tuple[str, str | None]:
        """The query without the district it names ("in Pudong", "浦东的"), and that district's id.

        The whole query is kept when it is nothing but the district's name.
        """
        for pattern, district_id in self._districts:
            match = pattern.search(query)
            if match:
                rest = normalise(pattern.sub(" ", query))
                return (rest if re.search(r"\w", rest) else query), district_id
        return query, None

    def named_first(self, d: Decision, doc: int | None) -> Decision:
        """The ranking with ``doc``, the one service the words name and little else (``named``), first
        and taken as found: a person who names a service wants it, even where other services mention
        the same words more often."""
        if doc is None:
            return d
        ranked = [doc, *(n for n in d.ranked if n != doc)]
        fused = {**d.fused, doc: max(d.fused.values()) * NAMED_LEAD} if doc != d.ranked[0] else d.fused
        return replace(d, ranked=ranked, fused=fused, confident=True, best=self.ids[doc])

    def named(self, text: str, d: Decision) -> int | None:
        """The service among the first ranked that the words name with little else said (``named.py``)."""
        return None if d.elsewhere is not None else self._names.named(text, d.ranked)

    def match_event(self, r: Retrieval, d: Decision) -> EventMatch | None:
        """The event that fits the question best, and whether its checklist answers it."""
        if self.events is None or r.vector is None:
            return None
        best_dense = max(r.dense_top.values(), default=0.0)
        ranked = [(self.ids[n], float(d.fused[n])) for n in d.ranked[:5]]
        return self.events.match(r.text, r.vector, best_dense, d.best is not None, lambda t: self.lexical.df(t) > 0, ranked)

    def checklist(self, event_id: str, lang: str) -> dict[str, Any]:
        """An event's checklist as the API gives it: the steps in order, each with its service's title."""
        event = self.catalogue.events[event_id]
        steps = []
        for step in self.catalogue.checklist(event):
            service = self.catalogue.services[step.service]
            steps.append(
                {
                    "order": step.order,
                    "id": service.id,
                    "title": service.title.get(lang),
                    "after": step.after,
                    "optional": step.optional,
                    "note": step.note.get(lang) if step.note else None,
                }
            )
        return {
            "id": event.id,
            "kind": event.kind,
            "label": event.label.get(lang),
            "summary": event.summary.get(lang) if event.summary else None,
            "steps": steps,
        }

    def _hit(self, doc: int, score: float, tokens: list[str], lang: str) -> Hit:
        service = self._services[doc]
        return Hit(service.id, service.title.get(lang), round(score, 5), why(service, tokens, lang, self._field_tokens))


def district_names(catalogue: Catalogue) -> list[tuple[re.Pattern[str], str]]:
    """A pattern per district matching how people name it: 浦东新区/浦东, "Pudong New Area"/"Pudong",
    with a leading "in"/"at"/在 and a trailing 的/区."""
    out = []
    for district in catalogue.districts.values():
        zh = district.name.zh
        zh_short = re.sub(r"(新区|区|县)$", "", zh)
        en = district.name.en
        en_short = re.sub(r"\s+(new area|district|county)$", "", en, flags=re.I)
        names = sorted({zh, zh_short} - {""}, key=len, reverse=True)
        words = sorted({en, en_short} - {""}, key=len, reverse=True)
        zh_part = "(?:在|到|去)?(?:" + "|".join(map(re.escape, names)) + ")(?:新区|区)?(?:的)?" if len(zh_short) >= 2 else None
        en_part = r"(?:\b(?:in|at|near|from)\s+(?:the\s+)?)?\b(?:" + "|".join(map(re.escape, words)) + r")\b(?:\s+district)?"
        pattern = "|".join(p for p in (zh_part, en_part) if p)
        out.append((re.compile(pattern, re.I), district.id))
    return out


def _restrictive(filters: Filters) -> bool:
    return bool(filters.district or filters.event or filters.audience or filters.online_only)


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
