"""The Rasa server's channel counters and who may read them (bot/connectors/metrics.py), and the
retries counted by ``outbound.call_with_retry``."""

from __future__ import annotations

import pytest

from bot.connectors import metrics as channel_metrics
from bot.connectors.metrics import DEFAULT_NETWORKS, ChannelMetrics, may_read_metrics
from bot.connectors.outbound import Retryable, call_with_retry


def value(m: ChannelMetrics, name: str, channel: str) -> float:
    return float(m.registry.get_sample_value(name, {"channel": channel}) or 0.0)


def test_messages_duplicates_and_retries_are_counted_per_channel() -> None:
    m = ChannelMetrics()
    m.message("wechat")
    m.message("wechat")
    m.duplicate("wechat")
    m.retry("telegram")
    assert value(m, "rasa_channel_messages_total", "wechat") == 2
    assert value(m, "rasa_channel_duplicates_total", "wechat") == 1
    assert value(m, "rasa_channel_send_retries_total", "telegram") == 1
    exposition = m.exposition()
    assert exposition is not None
    body, content_type = exposition
    assert b'rasa_channel_messages_total{channel="wechat"} 2.0' in body and content_type.startswith("text/plain")


async def test_a_retried_platform_call_counts_one_retry_under_its_channel(monkeypatch: pytest.MonkeyPatch) -> None:
    m = ChannelMetrics()
    monkeypatch.setattr("bot.connectors.outbound.METRICS", m)
    calls = []

    async def flaky() -> str:
        calls.append(1)
        if len(calls) == 1:
            raise Retryable("errcode -1", retry_after=0)
        return "sent"

    async def no_wait(seconds: float) -> None:
        return None

    assert await call_with_retry(flaky, what="wechat message to o6_…", sleep=no_wait) == "sent"
    assert value(m, "rasa_channel_send_retries_total", "wechat") == 1


def test_without_prometheus_client_the_counters_do_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(channel_metrics, "prometheus_client", None)
    m = ChannelMetrics()
    m.message("rest")  # no error
    assert m.exposition() is None


@pytest.mark.parametrize(
    ("peer", "headers", "allowed"),
    [
        ("127.0.0.1", {}, True),
        ("192.168.1.9", {}, False),
        ("127.0.0.1", {"x-forwarded-for": "203.0.113.9"}, False),  # through the edge
        ("203.0.113.9", {"authorization": "Bearer rd-1"}, True),
    ],
)
def test_who_may_read(peer: str, headers: dict[str, str], allowed: bool) -> None:
    assert may_read_metrics(peer, headers, DEFAULT_NETWORKS, "rd-1") is allowed
