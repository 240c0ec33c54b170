"""The widget's signed conversation ids and the chat channels' limits (pure code shared with Rasa)."""

from __future__ import annotations

import time
from types import SimpleNamespace

import pytest

from bot.connectors.limits import WindowCounter, client_address
from bot.connectors.sessions import SessionSigner

SECRET = "k" * 20 + "0123456789abcdefghij"
NOW = 1_800_000_000.0


@pytest.fixture
def signer() -> SessionSigner:
    return SessionSigner(SECRET, ttl_seconds=3600)


def test_an_issued_id_names_its_conversation_until_it_expires(signer: SessionSigner) -> None:
    signed = signer.issue(now=NOW)
    conversation, expiry, _ = signed.split(".")
    assert len(conversation) == 32 and int(expiry) == NOW + 3600
    assert signer.conversation_of(signed, now=NOW + 3599) == conversation
    assert signer.conversation_of(signed, now=NOW + 3600) is None


def test_renewal_keeps_the_conversation_with_a_later_expiry(signer: SessionSigner) -> None:
    first = signer.issue(now=NOW)
    renewed = signer.issue(signer.conversation_of(first, now=NOW + 10), now=NOW + 10)
    assert renewed.split(".")[0] == first.split(".")[0] and renewed != first


def test_every_alteration_is_refused(signer: SessionSigner) -> None:
    signed = signer.issue(now=NOW)
    conversation, expiry, signature = signed.split(".")
    other = SessionSigner("z" * 40, ttl_seconds=3600).issue(conversation, now=NOW)
    for forged in (
        conversation,  # the bare id someone may have seen
        f"{conversation[:-1]}{'1' if conversation[-1] == '0' else '0'}.{expiry}.{signature}",  # another conversation under this signature
        f"{conversation}.{int(expiry) + 86400}.{signature}",  # a longer life
        f"{conversation}.{expiry}.{signature[:-1]}{'B' if signature[-1] == 'A' else 'A'}",
        f"{conversation}.{expiry}.",
        other,  # signed with another key
        f"{signed}.extra",
        "",
        None,
        12345,
        {"session_id": signed},
        "a" * 1000,
    ):
        assert signer.conversation_of(forged, now=NOW) is None, forged


def test_a_short_secret_is_refused() -> None:
    with pytest.raises(ValueError, match="WIDGET_SESSION_SECRET"):
        SessionSigner("short", ttl_seconds=60)


def test_window_counter_allows_the_limit_then_says_how_long_to_wait() -> None:
    counter = WindowCounter(limit=3, window=60.0)
    assert [counter.hit("c1", now=100.0 + i) for i in range(3)] == [0, 0, 0]
    assert counter.hit("c1", now=110.0) == 50  # the first hit leaves the window at 160
    assert counter.hit("c2", now=110.0) == 0  # another conversation has its own window
    assert counter.hit("c1", now=160.5) == 0  # the window moved on


def test_refused_hits_are_not_counted() -> None:
    counter = WindowCounter(limit=1, window=10.0)
    assert counter.hit("k", now=0.0) == 0
    for t in range(1, 10):
        assert counter.hit("k", now=float(t)) > 0
    assert counter.hit("k", now=10.5) == 0


def test_client_address_trusts_forwarded_for_only_from_listed_proxies(monkeypatch: pytest.MonkeyPatch) -> None:
    request = SimpleNamespace(ip="10.0.0.5", headers={"X-Forwarded-For": "6.6.6.6, 203.0.113.7"})
    monkeypatch.delenv("TRUSTED_PROXIES", raising=False)
    assert client_address(request) == "10.0.0.5"
    monkeypatch.setenv("TRUSTED_PROXIES", "10.0.0.5")
    assert client_address(request) == "203.0.113.7"  # the spoofed 6.6.6.6 further left is ignored
    assert client_address(None) == "unknown"


def test_the_counter_forgets_old_keys_when_full(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("bot.connectors.limits.MAX_KEYS", 3)
    counter = WindowCounter(limit=1, window=60.0)
    for key in ("a", "b", "c", "d"):
        counter.hit(key, now=time.monotonic())
    assert len(counter._hits) == 3
