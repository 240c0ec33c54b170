"""The key of a search turn's words, ``X-Search-Key``: Rasa's NLU sends it with the request to embed the
words ahead (``bot/prepare_search.py``) and the action server with the search turn itself
(``actions/catalogue_client.py``), and the scaled stack's balancer hashes it so that both reach one
catalogue replica. Both sides must compute it alike, so it is written once.
"""

from __future__ import annotations

import hashlib

__all__ = ["MAX_TEXT", "search_key"]

MAX_TEXT = 500  # the catalogue service's limit for a query


def search_key(text: str) -> str:
    """The first 16 hex digits of the SHA-256 of the words, stripped and cut to ``MAX_TEXT`` characters."""
    return hashlib.sha256(text.strip()[:MAX_TEXT].encode("utf-8")).hexdigest()[:16]
