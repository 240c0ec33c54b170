"""Calibrating search on the catalogue being served, at index build, without labelled queries (pure).

The confidence model (``fusion.Confidence``) and the fusion weights in ``tuned.json`` were fitted
on the demo catalogue. Its scores live on that catalogue's scale: a catalogue with one short
summary per service (no keywords, no example phrasings) gives right answers far lower BM25
scores and word coverage, and the demo's threshold then calls a quarter of its right answers
"not confident" (issue 14). Two adjustments are made for each catalogue as its index is built:

* **Threshold from off-topic pseudo-queries.** Questions no service catalogue answers
  (``offtopic.py``: weather, recipes, sport; written for this, in both languages) are searched
  on the catalogue itself. The threshold becomes three times the highest probability any of
  them gets, never above the fitted threshold and never below ``MIN_THRESHOLD``: where the
  catalogue's scale is low, the bar comes down with it; it never goes up.
* **Weights from the catalogue's shape.** A catalogue whose services mostly lack keywords and
  example phrasings has little for BM25 to match; the sentence model then carries more weight
  (``SPARSE_WEIGHTS``). Decided by the data's fields, not by any question.

Confidence stays a flag: every search returns its ranked results (see ``index.py``).
``make eval`` prints the effect on the USA.gov Benefit Finder catalogue (docs/search.md).
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

from .fusion import Confidence, SearchMode
from .offtopic import OFF_TOPIC

if TYPE_CHECKING:
    from ..catalogue import Catalogue
    from .config import SearchConfig
    from .index import SearchIndex

__all__ = ["MIN_THRESHOLD", "SPARSE_WEIGHTS", "calibrate", "is_sparse"]

MIN_THRESHOLD = 0.02
MARGIN = 3.0
SPARSE_WEIGHTS = {"en": (0.25, 1.0)}  # (lexical, dense) for English questions on a sparse catalogue
SPARSE_SHARE = 0.5


def is_sparse(catalogue: Catalogue) -> bool:
    """Whether most services have neither keywords nor example phrasings (title and summary only)."""
    services = list(catalogue.services.values())
    rich = sum(1 for s in services if s.keywords.zh or s.keywords.en or s.phrasings.zh or s.phrasings.en)
    return bool(services) and rich < SPARSE_SHARE * len(services)


def sparse_config(config: SearchConfig, catalogue: Catalogue) -> SearchConfig:
    """``config`` with the sparse-catalogue weights when the catalogue is sparse."""
    if not is_sparse(catalogue):
        return config
    return dataclasses.replace(config, weights={**config.weights, **SPARSE_WEIGHTS})


def calibrate(index: SearchIndex) -> SearchConfig:
    """The index's configuration with each language's threshold set from off-topic pseudo-queries on its catalogue."""
    config = index.config
    models: dict[str, Confidence] = {}
    for lang, questions in OFF_TOPIC.items():
        model = config.confidence.get(lang, Confidence())
        highest = 0.0
        for question in questions:
            decision = index.decide(index.retrieve(question), lang, SearchMode.HYBRID)
            highest = max(highest, decision.probability)
        threshold = min(model.threshold, max(MIN_THRESHOLD, MARGIN * highest))
        models[lang] = dataclasses.replace(model, threshold=round(threshold, 6))
    return dataclasses.replace(config, confidence={**config.confidence, **models})
