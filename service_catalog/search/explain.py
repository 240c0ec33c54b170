"""Why a hit matched: the fields and query terms it shares, or "by meaning" (pure)."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Any

from ..model import Service
from .text import HAN, Tokenizer

__all__ = ["FIELDS", "FieldTokens", "warm", "why"]


def _field_tokens(services: Mapping[str, Service], tokenizer: Tokenizer, service_id: str, name: str, lang: str, bigrams: bool) -> tuple[frozenset[str], ...]:
    value = getattr(services[service_id], name).get(lang)
    texts = value if isinstance(value, list) else [value]
    return tuple(frozenset(tokenizer.tokenize(t, bigrams=bigrams)) for t in texts)


class FieldTokens:
    """The token set of each text of one field of a service, memoised per index.

    Bounded: only the fields of services that appear as hits are ever tokenised. Tokenising
    them anew on every search had cost as much as the query encode. The memo holds the
    services and the tokenizer, never the index, so it keeps no replaced index alive.
    """

    def __init__(self, services: Mapping[str, Service], tokenizer: Tokenizer, maxsize: int = 20000) -> None:
        self._memo = functools.lru_cache(maxsize=maxsize)(functools.partial(_field_tokens, services, tokenizer))

    def __call__(self, service_id: str, name: str, lang: str, bigrams: bool) -> tuple[frozenset[str], ...]:
        """The token sets of field ``name`` of a service in ``lang`` (with Chinese bigrams or without)."""
        result: tuple[frozenset[str], ...] = self._memo(service_id, name, lang, bigrams)
        return result


FIELDS = ("title", "keywords", "phrasings", "summary")  # the fields a hit's reasons name


def warm(services: Mapping[str, Service], field_tokens: FieldTokens) -> None:
    """Tokenise every field ``why`` may look at, so that no search pays for it: a fresh replica's
    first searches had each tokenised their hits' fields (about 10 of a turn's 28 ms in the catalogue)."""
    for service_id in services:
        for name in FIELDS:
            for lang in ("en", "zh"):
                field_tokens(service_id, name, lang, False)
            field_tokens(service_id, name, "zh", True)


def why(service: Service, tokens: list[str], lang: str, field_tokens: FieldTokens) -> list[dict[str, Any]]:
    """Which fields of ``service`` matched which query terms.

    Args:
        service: the hit.
        tokens: the query's tokens.
        lang: the answer's language (its fields are looked at first, then the other language's).
        field_tokens: the index's memoised token sets of the services' fields.

    Returns:
        ``{"field", "terms"}`` per matched field; Chinese character pairs when no word matched;
        else one ``{"field": "meaning", ...}`` entry (matched by the dense side alone).
    """
    found: list[dict[str, Any]] = []
    wanted = {t for t in tokens if not t.startswith("§")}
    for name in FIELDS:
        matched: list[str] = []
        for l in (lang, "en" if lang == "zh" else "zh"):
            for text_tokens in field_tokens(service.id, name, l, False):
                hit = wanted & text_tokens
                matched += sorted(hit - set(matched))
        if matched:
            found.append({"field": name, "terms": matched[:8]})
    if not found and any(HAN.search(t) for t in tokens):
        grams = {t for t in tokens if t.startswith("§")}
        for name in FIELDS:
            pairs = sorted({g[1:] for text_tokens in field_tokens(service.id, name, "zh", True) for g in grams & text_tokens})
            if pairs:
                found.append({"field": name, "terms": pairs[:8]})
    if not found:
        found.append({"field": "meaning", "terms": [], "note": "similar in meaning to the service's description"})
    return found
