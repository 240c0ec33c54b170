"""The live inbox: fan-out to consoles, and the watcher publishing citizens' messages once each."""

from __future__ import annotations

import asyncio
import datetime as dt
from dataclasses import dataclass
from typing import Any

from service_catalog.console.live import QUEUE_SIZE, Hub, citizen_messages, watch
from service_catalog.errors import ServiceUnavailable


def test_citizen_messages_are_the_users_texts_after_a_moment() -> None:
    events: list[dict[str, Any]] = [
        {"event": "user", "text": "old", "timestamp": 1.0},
        {"event": "bot", "text": "bot text", "timestamp": 3.0},
        {"event": "user", "text": "  ", "timestamp": 4.0},
        {"event": "user", "text": "new", "timestamp": 5.0},
        {"event": "user", "text": "no time"},
        {"event": "pause", "timestamp": 6.0},
    ]
    assert citizen_messages(events, 2.0) == [{"text": "new", "ts": 5.0}]


async def test_every_subscriber_gets_each_event_and_a_slow_one_is_let_go() -> None:
    hub = Hub()
    async with hub.subscribe() as fast, hub.subscribe() as slow:
        for i in range(QUEUE_SIZE):
            hub.publish("ticket", {"n": i})
        assert [fast.get_nowait() for _ in range(QUEUE_SIZE)] == [("ticket", {"n": i}) for i in range(QUEUE_SIZE)]
        hub.publish("ticket", {"n": "one more"})
        assert fast.get_nowait() == ("ticket", {"n": "one more"})
        assert hub.listeners == 1  # the one that fell behind was let go, and told so
        items = [slow.get_nowait() for _ in range(slow.qsize())]
        assert len(items) == QUEUE_SIZE + 1 and items[-1] is None
    assert hub.listeners == 0


@dataclass
class Taken:
    number: str
    conversation_id: str
    taken_at: str


async def test_the_watcher_publishes_new_messages_once_and_survives_rasa_being_down() -> None:
    hub = Hub()
    taken_at = dt.datetime(2026, 12, 1, tzinfo=dt.UTC)
    events = [{"event": "user", "text": "before", "timestamp": taken_at.timestamp() - 1}]
    down = False

    async def taken() -> list[Taken]:
        return [Taken("T1", "conv", taken_at.isoformat())]

    async def read(conversation: str) -> list[dict[str, Any]]:
        if down:
            raise ServiceUnavailable("down")
        return list(events)

    async with hub.subscribe() as queue:
        task = asyncio.create_task(watch(hub, taken, read, every_s=0.01))
        events.append({"event": "user", "text": "after", "timestamp": taken_at.timestamp() + 1})
        assert await asyncio.wait_for(queue.get(), 1) == (
            "message",
            {"number": "T1", "conversation_id": "conv", "text": "after", "ts": taken_at.timestamp() + 1},
        )
        down = True
        await asyncio.sleep(0.05)
        down = False
        events.append({"event": "user", "text": "again", "timestamp": taken_at.timestamp() + 2})
        kind, data = await asyncio.wait_for(queue.get(), 1)
        assert (kind, data["text"]) == ("message", "again")
        await asyncio.sleep(0.05)
        assert queue.empty()  # nothing twice
        task.cancel()
