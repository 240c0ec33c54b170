"""How often a situational question is answered with the right event's checklist, and how often a
question about one service (or about nothing we do) wrongly gets a checklist (``make eval``;
floors in ``tests/integration/test_event_search.py``).

The questions are ``evaluation/event_queries.yaml``; the event rule's thresholds were set on
its ``tune`` split, so the ``holdout`` split is the one that judges them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import yaml

from ..settings import REPO_DIR

if TYPE_CHECKING:
    from ..search.index import SearchIndex

__all__ = ["EVENT_QUERIES", "EventQuery", "evaluate_events", "event_figures", "load_event_queries", "print_event_eval"]

EVENT_QUERIES = REPO_DIR / "evaluation" / "event_queries.yaml"


@dataclass(frozen=True)
class EventQuery:
    q: str
    lang: str
    event: str | None
    split: str


def load_event_queries(path: Path = EVENT_QUERIES) -> list[EventQuery]:
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    return [EventQuery(e["q"], e["lang"], e.get("event"), e["split"]) for e in raw]


def evaluate_events(index: SearchIndex, queries: Sequence[EventQuery]) -> list[tuple[EventQuery, str | None]]:
    """Each question with the event whose checklist the search answers with (None: none)."""
    out = []
    for q in queries:
        event = index.search(q.q, lang=q.lang).event
        out.append((q, event["id"] if event else None))
    return out


def event_figures(rows: Sequence[tuple[EventQuery, str | None]]) -> dict[str, float]:
    """``right``: share of situational questions answered with their event; ``false``: share of the
    others answered with any checklist."""
    situational = [(q, got) for q, got in rows if q.event]
    others = [(q, got) for q, got in rows if not q.event]
    return {
        "n": len(situational),
        "n_other": len(others),
        "right": sum(got == q.event for q, got in situational) / max(len(situational), 1),
        "false": sum(got is not None for _, got in others) / max(len(others), 1),
    }


def print_event_eval(index: SearchIndex) -> dict[str, dict[str, float]]:
    rows = evaluate_events(index, load_event_queries())
    print("\nlife and business events (evaluation/event_queries.yaml): situational questions answered with their checklist")
    print(f"{'':16}{'n':>5}{'right event':>13}{'n other':>9}{'checklist for a one-service question':>38}")
    figures: dict[str, dict[str, float]] = {}
    for split in ("tune", "holdout"):
        for lang in ("en", "zh"):
            f = event_figures([r for r in rows if r[0].split == split and r[0].lang == lang])
            figures[f"{split} {lang}"] = f
            print(f"{split + ' ' + lang:16}{int(f['n']):5d}{f['right']:13.3f}{int(f['n_other']):9d}{f['false']:38.3f}")
    for q, got in rows:
        if got != q.event:
            print(f"  [{q.split} {q.lang}] {q.q!r}: expected {q.event}, got {got}")
    return figures
