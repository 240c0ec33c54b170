"""The query vectors of one index: remembered, and never embedded twice at once (thread-safe).

A search turn often searches the same words twice (the filtered second search, the event match
beside the services), and embedding them is most of a search's time. The NLU's head start
(``POST /api/search/prepare``, docs/search.md "Speed of a search turn") embeds a turn's words on one
worker thread while the turn may already be asking for them on another: the turn then waits for
that vector instead of embedding the same words a second time on a second core.
"""

from __future__ import annotations

import threading
from concurrent.futures import Future

import numpy as np

from .embedder import Embedder

__all__ = ["ENCODE_WAIT_S", "VECTOR_CACHE", "QueryVectors"]

VECTOR_CACHE = 512  # query vectors kept
ENCODE_WAIT_S = 30.0  # how long a search waits for another thread embedding the same text


class QueryVectors:
    """The last ``VECTOR_CACHE`` query vectors of one embedder, and the texts being embedded now."""

    def __init__(self, embedder: Embedder) -> None:
        self._embedder = embedder
        self._vectors: dict[str, np.ndarray] = {}
        self._encoding: dict[str, Future[np.ndarray]] = {}
        self._lock = threading.Lock()  # searches run on the executor's threads

    def get(self, text: str) -> np.ndarray:
        """The vector of ``text``: remembered, being made by another thread (waited for), or made now."""
        cached = self._vectors.get(text)
        if cached is not None:
            return cached
        with self._lock:
            cached = self._vectors.get(text)
            if cached is not None:
                return cached
            pending = self._encoding.get(text)
            mine = pending is None
            if pending is None:
                pending = self._encoding[text] = Future()
        if not mine:
            return pending.result(timeout=ENCODE_WAIT_S)
        try:
            vector: np.ndarray = self._embedder.embed([text])[0]
        except BaseException as exc:
            with self._lock:
                del self._encoding[text]
            pending.set_exception(exc)
            raise
        vector.setflags(write=False)
        with self._lock:
            if len(self._vectors) >= VECTOR_CACHE:
                self._vectors.pop(next(iter(self._vectors)))  # the oldest (dicts keep insertion order)
            self._vectors[text] = vector
            del self._encoding[text]
        pending.set_result(vector)
        return vector
