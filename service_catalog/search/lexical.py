"""BM25 over the catalogue's texts (bm25s), with cheap typo correction for English words (pure)."""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from .text import Tokenizer, english_words

__all__ = ["LexicalIndex", "is_english_word"]


@functools.cache
def _dictionary() -> Any:
    try:
        from spellchecker import SpellChecker
    except ImportError as exc:  # pragma: no cover - a dependency of the package
        raise ImportError("pyspellchecker is missing: run `make setup`") from exc
    return SpellChecker(language="en", distance=1)


def is_english_word(word: str) -> bool:
    """Whether ``word`` is in pyspellchecker's English word list (160,000 words, shipped with the package)."""
    return word.lower() in _dictionary()


class LexicalIndex:
    """BM25 (Lucene variant) over one token list per document.

    Args:
        texts: one text per document.
        k1: term-frequency saturation (> 0).
        b: length normalisation (0 to 1).
        tokenizer: tokenises documents and queries alike; by default one without domain words.
    """

    def __init__(self, texts: Sequence[str], k1: float = 1.2, b: float = 0.6, tokenizer: Tokenizer | None = None) -> None:
        try:
            import bm25s
        except ImportError as exc:  # pragma: no cover - a dependency of the package
            raise ImportError("bm25s is missing: run `make setup`") from exc
        if k1 <= 0 or not 0 <= b <= 1:
            raise ValueError(f"BM25 needs k1 > 0 and 0 <= b <= 1, got k1={k1}, b={b}")
        self.tokenizer = tokenizer or Tokenizer()
        self._bm25: Any = bm25s.BM25(k1=k1, b=b)
        vocab: dict[str, int] = {}
        words: set[str] = set()
        ids = []
        for text in texts:
            words.update(english_words(text))
            ids.append([vocab.setdefault(t, len(vocab)) for t in self.tokenizer.tokenize(text)] or [vocab.setdefault("∅", len(vocab))])
        self.vocab = vocab
        self._bm25.index(bm25s.tokenization.Tokenized(ids=ids, vocab=vocab), show_progress=False)
        del ids
        self.size = len(texts)
        # bm25s keeps a token-major sparse matrix: the documents of token t are
        # indices[indptr[t]:indptr[t + 1]], sorted. Term membership and document
        # frequency are read from it instead of keeping a set of terms per document
        # (which cost ~400 MB at 50,000 services).
        self._indptr: np.ndarray = self._bm25.scores["indptr"]
        self._postings: np.ndarray = self._bm25.scores["indices"]
        # Memoised per index, over the index's words only: the cache holds no reference back to
        # the index, so a replaced index is freed at once (a class-level cache kept it alive).
        self._correct: Callable[[str], str] = functools.lru_cache(maxsize=4096)(_Corrector(words))

    def correct(self, token: str) -> str:
        """The index term closest to a misspelt English token (one or two edits), else the token.

        Only a token that is neither a catalogue word nor an English word is corrected: "concert",
        "patient" and "highest" are words the citizen meant, and turning them into the catalogue's
        "convert", "patent" and "higher" made questions about concerts look like catalogue matters.
        """
        return self._correct(token)

    def idf(self, token: str) -> float:
        """Inverse document frequency; a token no document has counts as rarer than any that one has."""
        return math.log(1 + (self.size + 1) / (self.df(token) + 0.5))

    def df(self, token: str) -> int:
        """How many documents contain ``token``."""
        t = self.vocab.get(token)
        return 0 if t is None else int(self._indptr[t + 1] - self._indptr[t])

    def contains(self, doc: int, token: str) -> bool:
        """Whether document ``doc`` contains ``token``."""
        t = self.vocab.get(token)
        if t is None:
            return False
        start, end = int(self._indptr[t]), int(self._indptr[t + 1])
        at = start + int(np.searchsorted(self._postings[start:end], doc))
        return at < end and int(self._postings[at]) == doc

    def query_tokens(self, text: str) -> list[str]:
        """A query's tokens, English typos corrected to the index's words."""
        return self.tokenizer.tokenize(text, correct=self.correct)

    def scores(self, tokens: Sequence[str]) -> np.ndarray:
        """BM25 score of every document for the query tokens (unknown tokens ignored)."""
        known = [t for t in tokens if t in self.vocab]
        if not known:
            return np.zeros(self.size, dtype=np.float32)
        return np.asarray(self._bm25.get_scores(known), dtype=np.float32)


class _Corrector:
    """Typo correction towards a fixed set of English words (see ``LexicalIndex.correct``)."""

    def __init__(self, words: set[str]) -> None:
        self._words = frozenset(words)
        self._latin = sorted(w for w in words if len(w) >= 4)

    def __call__(self, token: str) -> str:
        if token in self._words or not token.isascii() or not token.isalpha() or len(token) < 4 or is_english_word(token):
            return token
        from rapidfuzz import process
        from rapidfuzz.distance import Levenshtein

        limit = 1 if len(token) < 7 else 2
        match = process.extractOne(token, self._latin, scorer=Levenshtein.distance, score_cutoff=limit)
        return str(match[0]) if match else token
