"""Search on a catalogue we never tuned on: the USA.gov Benefit Finder benefits, imported as an
English-only catalogue (``make eval`` prints it; ``tests/integration/test_foreign_catalogue.py``
holds the floors).

The catalogue is read from ``../shared/external/usagov-benefits-eligibility/usagov_catalogue.json``
(beside the repository, never copied into it), written as a CSV with only ``id``, ``title_en`` and
``summary_en`` and imported with ``catalog import csv`` into an empty folder, as an owner would.
The questions (``evaluation/foreign/usagov_queries.yaml``) are ours; nothing is fitted on them.

Figures: top-5 and top-1 accuracy of in-scope questions, the share of correctly answered
questions (right benefit first) flagged "not confident", and the share of out-of-scope questions
flagged confident; for our hybrid search and for plain MiniLM over title and summary.
"""

from __future__ import annotations

import csv
import json
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from ..search.fusion import SearchMode
from ..settings import REPO_DIR

if TYPE_CHECKING:
    from ..search.embedder import Embedder
    from ..search.index import SearchIndex

__all__ = ["USAGOV_FILE", "USAGOV_QUERIES", "ForeignQuery", "foreign_figures", "import_usagov", "load_foreign_queries", "run_foreign_eval", "usagov_csv"]

USAGOV_FILE = REPO_DIR.parent / "shared" / "external" / "usagov-benefits-eligibility" / "usagov_catalogue.json"
USAGOV_QUERIES = REPO_DIR / "evaluation" / "foreign" / "usagov_queries.yaml"


@dataclass(frozen=True)
class ForeignQuery:
    q: str
    expect: tuple[str, ...]
    split: str
    typo: bool = False


def load_foreign_queries(path: Path = USAGOV_QUERIES) -> list[ForeignQuery]:
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    return [ForeignQuery(e["q"], tuple(e.get("expect") or ()), e["split"], bool(e.get("typo", False))) for e in raw]


def usagov_csv(source: Path, out: Path) -> int:
    """Write the benefits of the USA.gov export as a one-language CSV (id, title_en, summary_en); the count."""
    data = json.loads(source.read_text(encoding="utf-8"))
    rows = [{"id": b["id"], "title_en": b["title"]["en"], "summary_en": b["summary"]["en"]} for b in data["benefits"]]
    with out.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=["id", "title_en", "summary_en"])
        writer.writeheader()
        writer.writerows(rows)
    return len(rows)


def import_usagov(work: Path, source: Path = USAGOV_FILE) -> Path:
    """The USA.gov benefits imported into ``work/catalogue`` (an empty folder) through the CSV importer.

    Raises:
        ValueError: the import reported errors (their text).
    """
    from ..io import import_file
    from ..settings import load_settings

    table = work / "usagov.csv"
    usagov_csv(source, table)
    out = work / "catalogue"
    result = import_file("csv", table, out, base=load_settings().catalog_path)
    if result.errors:
        raise ValueError("; ".join(str(e) for e in result.errors[:5]))
    return out


def _rank(ranked: Sequence[str], expect: Sequence[str]) -> int | None:
    for n, sid in enumerate(ranked, 1):
        if sid in expect:
            return n
    return None


def foreign_figures(rows: Sequence[tuple[ForeignQuery, list[str], bool]]) -> dict[str, float]:
    """top-1/top-5 accuracy, share of right answers flagged not confident, share of out-of-scope flagged confident."""
    ins = [(q, ranked, confident) for q, ranked, confident in rows if q.expect]
    oos = [(q, ranked, confident) for q, ranked, confident in rows if not q.expect]
    ranks = [_rank(ranked[:5], q.expect) for q, ranked, _ in ins]
    right = [confident for (q, ranked, confident), k in zip(ins, ranks, strict=True) if k == 1]
    return {
        "n": len(ins),
        "n_oos": len(oos),
        "top1": sum(k == 1 for k in ranks) / max(len(ins), 1),
        "top5": sum(k is not None for k in ranks) / max(len(ins), 1),
        "right_not_confident": sum(not c for c in right) / max(len(right), 1),
        "oos_confident": sum(c for _, _, c in oos) / max(len(oos), 1),
    }


def plain_minilm(index: SearchIndex, embedder: Embedder, queries: Sequence[ForeignQuery]) -> list[tuple[ForeignQuery, list[str], bool]]:
    """The baseline: cosine of the question with "title. summary" of each service, nothing else."""
    import numpy as np

    services = [index.catalogue.services[i] for i in index.ids]
    cards = embedder.embed([f"{s.title.en}. {s.summary.en}" for s in services])
    vectors = embedder.embed([q.q for q in queries])
    out = []
    for q, v in zip(queries, vectors, strict=True):
        order = np.argsort(-(cards @ v))[:10]
        out.append((q, [index.ids[int(i)] for i in order], True))
    return out


def evaluate_foreign(index: SearchIndex, queries: Sequence[ForeignQuery]) -> list[tuple[ForeignQuery, list[str], bool]]:
    rows = []
    for q in queries:
        r = index.retrieve(q.q)
        d = index.decide(r, "en", SearchMode.HYBRID)
        rows.append((q, [index.ids[i] for i in d.ranked[:10]], d.confident))
    return rows


def run_foreign_eval(model: str, backend: str = "torch", verbose: bool = False) -> dict[str, Any]:
    """Import the USA.gov catalogue, search it with our hybrid search and with plain MiniLM, print and return the figures."""
    from ..catalogue import load_catalogue
    from ..search.build import load_or_build
    from ..search.embedder import make_embedder
    from ..search.tuned import tuned_config

    if not USAGOV_FILE.is_file():
        print(f"\nforeign catalogue: {USAGOV_FILE} not found (the shared folder lives beside the repository); skipped")
        return {}
    queries = load_foreign_queries()
    with tempfile.TemporaryDirectory(prefix="foreign-eval-") as tmp:
        folder = import_usagov(Path(tmp))
        catalogue = load_catalogue(folder)
        embedder = make_embedder(model, backend)
        index = load_or_build(catalogue, embedder, Path(tmp) / "index", tuned_config())
        before = evaluate_foreign(load_or_build(catalogue, embedder, Path(tmp) / "index", tuned_config(), calibrated=False), queries)
        ours = evaluate_foreign(index, queries)
        plain = plain_minilm(index, embedder, queries)
    figures: dict[str, Any] = {}
    print(f"\nforeign catalogue: USA.gov Benefit Finder, {len(catalogue.services)} benefits, English only, imported from id/title/summary")
    print(f"{'':28}{'n':>5}{'top-1':>8}{'top-5':>8}{'right, not confident':>22}{'out of scope, confident':>25}")
    for name, rows in (("hybrid, calibrated", ours), ("hybrid, demo-fitted", before), ("plain MiniLM", plain)):
        for split in ("dev", "holdout"):
            f = foreign_figures([r for r in rows if r[0].split == split])
            figures[f"{name} {split}"] = f
            flagged = f"{f['right_not_confident']:.3f}" if name != "plain MiniLM" else "—"
            oos = f"{f['oos_confident']:.3f}" if name != "plain MiniLM" else "—"
            print(f"{name + ' ' + split:28}{int(f['n']):5d}{f['top1']:8.3f}{f['top5']:8.3f}{flagged:>22}{oos:>25}")
    if verbose:
        for q, ranked, confident in ours:
            if q.expect and (_rank(ranked[:5], q.expect) is None or not confident or ranked[0] not in q.expect):
                print(f"  [{q.split}] {q.q!r}: expected {'/'.join(q.expect)}, got {ranked[:3]}{'' if confident else ' (not confident)'}")
            if not q.expect and confident:
                print(f"  [{q.split}] out of scope but confident: {q.q!r} -> {ranked[:1]}")
    return figures
