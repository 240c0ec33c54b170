"""What the index reads of a service: the texts embedded, the text for BM25 and the domain words (pure)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from ..model import Service

if TYPE_CHECKING:
    from ..catalogue import Catalogue

__all__ = ["dense_texts", "domain_vocabulary", "lexical_text"]


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


def domain_vocabulary(catalogue: Catalogue) -> Iterable[str]:
    """The catalogue's Chinese keywords and titles, taught to its index's Chinese segmenter."""
    return (w for s in catalogue.services.values() for w in s.keywords.zh + [s.title.zh])
