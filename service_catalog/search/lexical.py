"""BM25 over the catalogue's texts (bm25s), with cheap typo correction for English words."""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from .text import english_words, tokenize

__all__ = ["LexicalIndex"]


class LexicalIndex:
    """BM25 (Lucene variant) over one token list per document."""

    def __init__(self, texts: Sequence[str], k1: float = 1.2, b: float = 0.6) -> None:
        try:
            import bm25s
        except ImportError as exc:  # pragma: no cover - a dependency of the package
            raise ImportError("bm25s is missing: run `make setup`") from exc
        if k1 <= 0 or not 0 <= b <= 1:
            raise ValueError(f"BM25 needs k1 > 0 and 0 <= b <= 1, got k1={k1}, b={b}")
        self._bm25: Any = bm25s.BM25(k1=k1, b=b)
        vocab: dict[str, int] = {}
        words: set[str] = set()
        ids = []
        self._doc_sets: list[frozenset[str]] = []
        for text in texts:
            words.update(english_words(text))
            tokens = tokenize(text)
            self._doc_sets.append(frozenset(tokens))
            ids.append([vocab.setdefault(t, len(vocab)) for t in tokens] or [vocab.setdefault("∅", len(vocab))])
        self.vocab = vocab
        self._bm25.index(bm25s.tokenization.Tokenized(ids=ids, vocab=vocab), show_progress=False)
        self.size = len(ids)
        self._words = frozenset(words)
        df: dict[str, int] = {}
        for doc in self._doc_sets:
            for t in doc:
                df[t] = df.get(t, 0) + 1
        self._df = df
        self._latin = sorted(w for w in words if len(w) >= 4)

    @functools.lru_cache(maxsize=4096)  # noqa: B019 - the index lives as long as its cache
    def correct(self, token: str) -> str:
        """The index term closest to an unknown English token (one or two edits), else the token."""
        if token in self._words or not token.isascii() or not token.isalpha() or len(token) < 4:
            return token
        from rapidfuzz import process
        from rapidfuzz.distance import Levenshtein

        limit = 1 if len(token) < 7 else 2
        match = process.extractOne(token, self._latin, scorer=Levenshtein.distance, score_cutoff=limit)
        return str(match[0]) if match else token

    def idf(self, token: str) -> float:
        """Inverse document frequency; a token no document has counts as rarer than any that one has."""
        return math.log(1 + (self.size + 1) / (self._df.get(token, 0) + 0.5))

    def doc_tokens(self, doc: int) -> frozenset[str]:
        """The distinct tokens of document ``doc``."""
        return self._doc_sets[doc]

    def query_tokens(self, text: str) -> list[str]:
        return tokenize(text, correct=self.correct)

    def scores(self, tokens: Sequence[str]) -> np.ndarray:
        """BM25 score of every document for the query tokens (unknown tokens ignored)."""
        known = [t for t in tokens if t in self.vocab]
        if not known:
            return np.zeros(self.size, dtype=np.float32)
        return np.asarray(self._bm25.get_scores(known), dtype=np.float32)
