"""Operational metrics of the Rasa server's channels, in Prometheus' text format (prometheus-client).

One registry per Rasa process (``METRICS``), counted by the connectors::

    rasa_channel_messages_total{channel}        messages handed to Rasa (after checks and deduplication)
    rasa_channel_duplicates_total{channel}      platform deliveries seen before (WeChat/WeCom retries
                                                of a MsgId, Telegram updates sent again), answered at once
    rasa_channel_send_retries_total{channel}    platform API calls tried again (``outbound.call_with_retry``)

Served by the REST channel at ``GET /webhooks/rest/metrics`` (``empty_message.py``): Rasa has no
route of its own for it, and ``/webhooks/rest/`` is never published by the edge. Who may read it,
the rule the catalogue service and the action server share (``common/access.py``): a client on ``CATALOG_METRICS_NETWORKS``
(loopback by default) whose request did not come through a proxy, or ``Authorization: Bearer``
with the admin read token (``CATALOG_ADMIN_READ_TOKEN``).

prometheus-client must be installed in Rasa's environment; without it the counters do nothing
and the route answers 503 saying so. Pure code (no Rasa import): tested from ``.venv`` in
``tests/unit/bot/test_channel_metrics.py``.
"""

from __future__ import annotations

from typing import Any

from common.access import DEFAULT_NETWORKS, may_read_metrics

try:  # optional in .venv-rasa (see the module docstring)
    import prometheus_client
except ImportError:  # pragma: no cover - depends on the environment
    prometheus_client = None  # type: ignore[assignment]

__all__ = ["DEFAULT_NETWORKS", "METRICS", "ChannelMetrics", "may_read_metrics"]

MISSING = "prometheus-client is not installed in Rasa's environment (.venv-rasa); the channel metrics are off"


class ChannelMetrics:
    """The channel counters of one process (no-ops when prometheus-client is missing)."""

    def __init__(self) -> None:
        self.available = prometheus_client is not None
        self.registry: Any = None
        if not self.available:
            return
        self.registry = prometheus_client.CollectorRegistry()
        self._messages = prometheus_client.Counter("rasa_channel_messages", "Messages handed to Rasa", ["channel"], registry=self.registry)
        self._duplicates = prometheus_client.Counter(
            "rasa_channel_duplicates", "Platform deliveries seen before, not handled again", ["channel"], registry=self.registry
        )
        self._retries = prometheus_client.Counter("rasa_channel_send_retries", "Platform API calls tried again", ["channel"], registry=self.registry)

    def message(self, channel: str) -> None:
        if self.available:
            self._messages.labels(channel=channel).inc()

    def duplicate(self, channel: str) -> None:
        if self.available:
            self._duplicates.labels(channel=channel).inc()

    def retry(self, channel: str) -> None:
        if self.available:
            self._retries.labels(channel=channel).inc()

    def exposition(self) -> tuple[bytes, str] | None:
        """The metrics as ``(body, content type)``; None without prometheus-client."""
        if not self.available:
            return None
        return prometheus_client.generate_latest(self.registry), prometheus_client.CONTENT_TYPE_LATEST


METRICS = ChannelMetrics()
