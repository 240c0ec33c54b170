"""The catalogue service's Prometheus collectors, in a registry of their own (one per application).

Served by ``routes_metrics.py``; the names and who may read them are listed there.
"""

from __future__ import annotations

from dataclasses import dataclass

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

__all__ = ["CONFIDENCE_BUCKETS", "LATENCY_BUCKETS", "Metrics"]

LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
CONFIDENCE_BUCKETS = (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0)


@dataclass
class Metrics:
    """The collectors of one application, in their own registry."""

    registry: CollectorRegistry
    requests: Histogram
    search: Histogram
    confidence: Histogram
    confident: Counter
    index_services: Gauge
    open_tickets: Gauge
    feedback: Counter

    @classmethod
    def create(cls) -> Metrics:
        registry = CollectorRegistry()
        return cls(
            registry,
            Histogram(
                "catalogue_http_request_duration_seconds",
                "Request latency by route pattern",
                ["method", "route", "status"],
                registry=registry,
                buckets=LATENCY_BUCKETS,
            ),
            Histogram("catalogue_search_duration_seconds", "Search latency (the whole call)", ["route"], registry=registry, buckets=LATENCY_BUCKETS),
            Histogram("catalogue_search_confidence", "The search's confidence in its best answer", ["route"], registry=registry, buckets=CONFIDENCE_BUCKETS),
            Counter("catalogue_search_confident", "Searches answered with confidence or not", ["route", "confident"], registry=registry),
            Gauge("catalogue_index_services", "Services in the loaded search index", registry=registry),
            Gauge("catalogue_open_tickets", "Open tickets (waiting for or with a person)", registry=registry),
            Counter("catalogue_feedback", "Citizens' ratings stored", ["rating"], registry=registry),
        )
