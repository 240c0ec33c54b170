"""Who may read the action server's ``/metrics`` (actions/metrics.py); the figures are read end to end in tests/e2e/test_insights_flow.py."""

from __future__ import annotations

import warnings

import pytest

with warnings.catch_warnings():
    warnings.filterwarnings("ignore", "websockets.connection was renamed", DeprecationWarning)
    from actions.metrics import DEFAULT_NETWORKS, may_read_metrics

READ = "rd-0123456789abcdef"


@pytest.mark.parametrize(
    ("peer", "headers", "allowed"),
    [
        ("127.0.0.1", {}, True),
        ("::1", {}, True),
        ("10.0.0.7", {}, False),  # the internal network only when listed in CATALOG_METRICS_NETWORKS
        ("127.0.0.1", {"x-forwarded-for": "203.0.113.9"}, False),  # came through a proxy: the edge
        ("127.0.0.1", {"forwarded": "for=203.0.113.9"}, False),
        ("203.0.113.9", {"authorization": f"Bearer {READ}"}, True),
        ("203.0.113.9", {"authorization": "Bearer wrong"}, False),
        ("not an address", {}, False),
    ],
)
def test_only_direct_clients_on_the_listed_networks_or_the_read_token(peer: str, headers: dict[str, str], allowed: bool) -> None:
    assert may_read_metrics(peer, headers, DEFAULT_NETWORKS, READ) is allowed


def test_a_listed_internal_network_and_no_token_configured() -> None:
    assert may_read_metrics("10.0.0.7", {}, "127.0.0.0/8, 10.0.0.0/8", "")
    assert not may_read_metrics("10.0.0.7", {"authorization": "Bearer "}, DEFAULT_NETWORKS, "")
