"""Content checks beyond the schema: near-duplicate services (one text with words swapped)."""

from __future__ import annotations

import re
from itertools import combinations

from ..catalogue import Catalogue

__all__ = ["near_duplicates"]


def _shingles(text: str, n: int = 4) -> frozenset[str]:
    text = re.sub(r"\s+", " ", text.lower())
    return frozenset(text[i : i + n] for i in range(max(len(text) - n + 1, 1)))


def near_duplicates(catalogue: Catalogue, threshold: float = 0.6) -> list[tuple[str, str, float]]:
    """Pairs of services whose texts overlap more than ``threshold`` (Jaccard of character 4-grams).

    Compares title, summary and description in both languages together, so two entries that
    are one text with a few words swapped score high while related services score low.
    """
    texts = {
        sid: _shingles(" ".join(s.text(f, lang) for f in ("title", "summary", "description") for lang in ("en", "zh"))) for sid, s in catalogue.services.items()
    }
    out = []
    for a, b in combinations(sorted(texts), 2):
        inter = len(texts[a] & texts[b])
        if not inter:
            continue
        score = inter / len(texts[a] | texts[b])
        if score > threshold:
            out.append((a, b, round(score, 3)))
    return sorted(out, key=lambda t: -t[2])
