"""The Grafana dashboard in docker/ reads metrics that the three processes really export."""

from __future__ import annotations

import json
import re
from pathlib import Path

from prometheus_client import generate_latest

from service_catalog.http.metrics import Metrics

ROOT = Path(__file__).resolve().parents[3]
DASHBOARD = ROOT / "docker" / "grafana-dashboard.json"
EXPORTERS = [ROOT / "actions" / "metrics.py", ROOT / "bot" / "connectors" / "metrics.py"]
METRIC = re.compile(r"\b((?:catalogue|actions|rasa)_[a-z_]+)")


def exprs() -> list[str]:
    panels = json.loads(DASHBOARD.read_text(encoding="utf-8"))["panels"]
    return [t["expr"] for p in panels for t in p.get("targets", [])]


def test_every_catalogue_series_on_the_dashboard_is_exported() -> None:
    metrics = Metrics.create()
    metrics.requests.labels(method="GET", route="/health", status="200").observe(0.01)
    metrics.search.labels(route="/api/search").observe(0.01)
    metrics.confidence.labels(route="/api/search").observe(0.5)
    metrics.confident.labels(route="/api/search", confident="true").inc()
    metrics.feedback.labels(rating="up").inc()
    exported = {line.split("{")[0].split(" ")[0] for line in generate_latest(metrics.registry).decode().splitlines() if line and not line.startswith("#")}
    used = {m for e in exprs() for m in METRIC.findall(e) if m.startswith("catalogue_")}
    assert used and used <= exported, used - exported


def test_every_other_series_on_the_dashboard_is_defined_by_its_process() -> None:
    sources = "\n".join(path.read_text(encoding="utf-8") for path in EXPORTERS)
    used = {m for e in exprs() for m in METRIC.findall(e) if not m.startswith("catalogue_")}
    bases = {re.sub(r"_(bucket|count|sum|total)$", "", m) for m in used}
    assert bases and all(f'"{b}"' in sources or f'"{b}_total"' in sources for b in bases), bases
