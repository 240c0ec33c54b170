"""Unmet needs: the questions that found no service, grouped into topics by meaning.

Each ``no_match`` marker carries the citizen's question (masked by the bot). Questions are
grouped per language with scikit-learn's ``AgglomerativeClustering`` (average linkage, cosine
distance, a distance threshold instead of a fixed number of topics). A question is described
by its sentence embedding (the search's embedder) beside a TF-IDF vector of its words (jieba)
and, for Chinese, its character pairs, weighed per language: the packaged model is
English-only, so Chinese questions lean on their words (measured in docs/insights.md).

A topic's label is its *central question*: the one nearest to the topic's centroid. Its key is a
stable hash of that question's text; a supervisor's mark (``added`` / ``out_of_scope``) is kept
under that key with the label, and after any re-clustering the mark goes to the topic whose
centroid is nearest to the marked label (within the same distance threshold), so marks survive
new questions moving the centre.
"""

from __future__ import annotations

import hashlib
import itertools
import logging
import re
import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ..privacy import mask
from ..search.embedder import Embedder

__all__ = ["DEFAULT_DISTANCE", "EMBEDDING_WEIGHT", "CachedEmbedder", "Question", "Topic", "TopicCache", "cluster_topics", "topic_key"]

log = logging.getLogger(__name__)

DEFAULT_DISTANCE = 0.78  # measured on tests/unit/service_catalog/insights/unmet_questions.yml (docs/insights.md)
EMBEDDING_WEIGHT = {"en": 0.7, "zh": 0.3}  # the rest is the words' TF-IDF
MAX_EXAMPLES = 5
MAX_QUESTIONS = 5000  # per language and period: the newest are kept (clustering is quadratic)
_STOP = frozenset(  # words that say nothing about a topic
    [
        "的",
        "了",
        "吗",
        "呢",
        "吧",
        "啊",
        "我",
        "我的",
        "你",
        "要",
        "想",
        "需要",
        "什么",
        "怎么",
        "怎么办",
        "怎样",
        "如何",
        "哪里",
        "哪儿",
        "哪些",
        "去",
        "找",
        "谁",
        "办",
        "办理",
        "可以",
        "能",
        "是",
        "有",
        "在",
        "和",
        "a",
        "an",
        "the",
        "to",
        "do",
        "does",
        "i",
        "my",
        "me",
        "you",
        "what",
        "how",
        "can",
        "could",
        "of",
        "for",
        "is",
        "are",
        "it",
        "in",
        "on",
        "where",
        "who",
        "which",
        "please",
        "need",
        "want",
    ]
)
_CJK = re.compile(r"[\u4e00-\u9fff]")
Embed = Callable[[Sequence[str]], NDArray[np.float32]]
EMBED_CACHE = 20000


class CachedEmbedder:
    """An embedder with a bounded cache by text: the same unmet questions are grouped on every request.

    ``embedder`` is a callable returning the embedder, as the app loads it after start-up.
    """

    def __init__(self, embedder: Callable[[], Embedder]) -> None:
        self.embedder = embedder
        self.cache: OrderedDict[str, NDArray[np.float32]] = OrderedDict()
        self.lock = threading.Lock()

    def __call__(self, texts: Sequence[str]) -> NDArray[np.float32]:
        with self.lock:
            missing = [t for t in dict.fromkeys(texts) if t not in self.cache]
            if missing:
                for text, vector in zip(missing, self.embedder().embed(missing), strict=True):
                    self.cache[text] = vector
                while len(self.cache) > EMBED_CACHE:
                    self.cache.popitem(last=False)
            if not texts:
                return np.zeros((0, self.embedder().dim), np.float32)
            return np.stack([self.cache[t] for t in texts])


@dataclass
class TopicCache:
    """The embeddings of unmet questions and the latest topics per period (``days``), with their time."""

    embed: CachedEmbedder
    results: dict[int, tuple[float, list[dict[str, Any]]]] = field(default_factory=dict)


@dataclass(frozen=True)
class Question:
    """One unmatched question (already masked by the bot) and when it was asked."""

    text: str
    lang: str
    ts: float


@dataclass
class Topic:
    """A group of unmatched questions."""

    key: str
    label: str
    lang: str
    count: int  # questions in the current period
    previous: int  # questions in the previous period of the same length
    examples: list[str]
    status: str = "open"  # open | added | out_of_scope
    centroid: NDArray[np.float32] = field(repr=False, default_factory=lambda: np.zeros(0, np.float32))

    @property
    def trend(self) -> str:
        if self.previous == 0:
            return "new"
        change = (self.count - self.previous) / self.previous
        return "up" if change > 0.2 else "down" if change < -0.2 else "steady"

    def to_json(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "label": self.label,
            "lang": self.lang,
            "count": self.count,
            "previous": self.previous,
            "trend": self.trend,
            "examples": self.examples,
            "status": self.status,
        }


def topic_key(label: str) -> str:
    """The stable key of a topic named by ``label`` (its central question)."""
    return hashlib.sha256(" ".join(label.lower().split()).encode()).hexdigest()[:16]


def _tokens(text: str) -> list[str]:
    import jieba

    lowered = text.lower()
    words = [w for w in jieba.lcut(lowered) if w.strip() and w.isalnum() and w not in _STOP]
    chars = _CJK.findall(lowered)
    return words + [a + b for a, b in itertools.pairwise(chars) if a + b not in _STOP]


def _features(texts: Sequence[str], lang: str, embed: Embed, background: Sequence[str]) -> NDArray[np.float64]:
    """Unit rows: sqrt(w)·embedding beside sqrt(1-w)·TF-IDF (IDF fitted on ``background`` + the questions)."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.preprocessing import normalize

    weight = EMBEDDING_WEIGHT.get(lang, 0.5)
    vectors = np.asarray(embed(texts), dtype=np.float64)
    vectorizer = TfidfVectorizer(analyzer=_tokens, sublinear_tf=True).fit([*background, *texts])
    words = normalize(vectorizer.transform(texts).toarray())
    return np.asarray(normalize(np.hstack([np.sqrt(weight) * vectors, np.sqrt(1 - weight) * words])), dtype=np.float64)


def _groups(features: NDArray[np.float64], distance: float) -> NDArray[np.int64]:
    if len(features) == 1:
        return np.zeros(1, dtype=np.int64)
    from sklearn.cluster import AgglomerativeClustering

    model = AgglomerativeClustering(n_clusters=None, metric="cosine", linkage="average", distance_threshold=distance)
    return np.asarray(model.fit_predict(features), dtype=np.int64)


def cluster_topics(
    questions: Sequence[Question],
    *,
    since: float,
    embed: Embed,
    marks: Mapping[str, tuple[str, str]] | None = None,
    distance: float = DEFAULT_DISTANCE,
    background: Mapping[str, Sequence[str]] | None = None,
) -> list[Topic]:
    """Topics of the questions asked from ``since`` on, largest first.

    Args:
        questions: the current period's questions and the previous period's (for the trend).
        since: the start of the current period.
        embed: the sentence embedder.
        marks: ``{key: (status, label)}`` of marked topics.
        distance: the cosine distance under which questions join one topic.
        background: texts per language to fit word weights on (the catalogue's titles and summaries).
    """
    topics: list[Topic] = []
    for lang in sorted({q.lang for q in questions}):
        group = sorted((q for q in questions if q.lang == lang), key=lambda q: q.ts)[-MAX_QUESTIONS:]
        texts = [q.text for q in group]
        marked = [(k, v) for k, v in (marks or {}).items() if ("zh" if _CJK.search(v[1]) else "en") == lang]  # a mark stays in its language
        # the marked labels share the questions' feature space (one TF-IDF vocabulary)
        both = _features([*texts, *(label for _, (_, label) in marked)], lang, embed, (background or {}).get(lang, ()))
        features, mark_vectors = both[: len(texts)], both[len(texts) :]
        labels = _groups(features, distance)
        for label in np.unique(labels):
            members = np.flatnonzero(labels == label)
            current = [i for i in members if group[i].ts >= since]
            if not current:
                continue  # asked only in the previous period: not a topic now
            centroid = features[members].mean(axis=0)
            central = members[int(np.argmax(features[members] @ centroid))]
            examples: list[str] = []
            for i in sorted(current, key=lambda i: -group[i].ts):
                text = mask(group[i].text)[:200]
                if text not in examples:
                    examples.append(text)
                if len(examples) == MAX_EXAMPLES:
                    break
            name = mask(group[central].text)[:200]
            norm = float(np.linalg.norm(centroid)) or 1.0
            topics.append(
                Topic(topic_key(name), name, lang, len(current), len(members) - len(current), examples, centroid=(centroid / norm).astype(np.float32))
            )
        _apply_marks([t for t in topics if t.lang == lang], marked, mark_vectors, distance)
    return sorted(topics, key=lambda t: (-t.count, t.label))


def _apply_marks(mine: list[Topic], marked: Sequence[tuple[str, tuple[str, str]]], vectors: NDArray[np.float64], distance: float) -> None:
    """Give each mark to the topic with its key, else to the topic whose centroid is nearest its label."""
    keys = {t.key: t for t in mine}
    pending = []
    for (key, (status, _)), vector in zip(marked, vectors, strict=True):
        if key in keys:
            keys[key].status = status
        else:
            pending.append((key, status, vector))
    for key, status, vector in pending:
        open_topics = [t for t in mine if t.status == "open"]
        if not open_topics:
            return
        distances = [1.0 - float(vector @ t.centroid) for t in open_topics]
        best = int(np.argmin(distances))
        if distances[best] <= distance:
            open_topics[best].status, open_topics[best].key = status, key
