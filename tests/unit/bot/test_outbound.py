"""``outbound.call_with_retry``: retried while the platform says so, never repeated when the outcome is unknown."""

from __future__ import annotations

import logging

import pytest

from bot.connectors.outbound import Final, Retryable, Uncertain, call_with_retry


class Platform:
    """A platform call that fails with the given exceptions in turn, then answers ``"sent"``."""

    def __init__(self, *failures: Exception) -> None:
        self.failures = list(failures)
        self.calls = 0

    async def __call__(self) -> str:
        self.calls += 1
        if self.failures:
            raise self.failures.pop(0)
        return "sent"


class Clock:
    def __init__(self) -> None:
        self.slept: list[float] = []

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)


async def test_a_429_is_retried_after_the_platforms_retry_after() -> None:
    platform, clock = Platform(Retryable("429 Too Many Requests", retry_after=3), Retryable("429", retry_after=7)), Clock()
    assert await call_with_retry(platform, sleep=clock.sleep) == "sent"
    assert platform.calls == 3
    assert clock.slept == [3, 7]


async def test_without_retry_after_the_backoff_grows() -> None:
    platform, clock = Platform(Retryable("502"), Retryable("502"), Retryable("connection refused")), Clock()
    assert await call_with_retry(platform, base_delay=1.0, sleep=clock.sleep) == "sent"
    assert platform.calls == 4
    # base * 2**attempt with jitter 0.5-1.5
    for attempt, delay in enumerate(clock.slept):
        assert 0.5 * 2**attempt <= delay <= 1.5 * 2**attempt


async def test_a_long_retry_after_is_capped() -> None:
    clock = Clock()
    assert await call_with_retry(Platform(Retryable("429", retry_after=3600)), sleep=clock.sleep) == "sent"
    assert clock.slept == [30.0]


async def test_it_gives_up_after_the_last_attempt_with_the_last_error() -> None:
    platform, clock = Platform(*[Retryable(f"503 #{i}") for i in range(10)]), Clock()
    with pytest.raises(Retryable, match="503 #2"):
        await call_with_retry(platform, attempts=3, sleep=clock.sleep)
    assert platform.calls == 3 and len(clock.slept) == 2


async def test_an_uncertain_call_is_never_repeated() -> None:
    platform, clock = Platform(Uncertain("read timeout after sending")), Clock()
    with pytest.raises(Uncertain):
        await call_with_retry(platform, sleep=clock.sleep)
    assert platform.calls == 1 and clock.slept == []


async def test_an_uncertain_call_after_a_retry_is_not_repeated_either() -> None:
    platform, clock = Platform(Retryable("429", retry_after=1), Uncertain("read timeout")), Clock()
    with pytest.raises(Uncertain):
        await call_with_retry(platform, sleep=clock.sleep)
    assert platform.calls == 2 and clock.slept == [1]


@pytest.mark.parametrize("error", [Final("403 Forbidden: bot was blocked by the user"), Final("400 Bad Request: chat not found")])
async def test_a_final_refusal_is_not_retried(error: Final) -> None:
    platform, clock = Platform(error), Clock()
    with pytest.raises(Final, match=str(error)):
        await call_with_retry(platform, sleep=clock.sleep)
    assert platform.calls == 1 and clock.slept == []


async def test_an_unexpected_error_is_not_retried() -> None:
    platform = Platform(KeyError("bug"))
    with pytest.raises(KeyError):
        await call_with_retry(platform, sleep=Clock().sleep)
    assert platform.calls == 1


async def test_each_retry_is_logged_with_what_was_called(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, logger="bot.connectors.outbound")
    await call_with_retry(Platform(Retryable("429", retry_after=2)), what="telegram sendMessage", sleep=Clock().sleep)
    assert [r.getMessage() for r in caplog.records] == ["telegram sendMessage failed (429); retry 1 of 3 in 2.0 s"]
