"""The live inbox: events for open consoles, and the watcher that reads citizens' messages from Rasa.

``Hub`` fans events out to every open console (one bounded queue each; a console that falls
100 events behind is dropped and reconnects). Kinds:

- ``ticket``: a ticket was created, taken or closed (its queue entry);
- ``message``: a citizen wrote in a conversation an agent has taken (``{number, conversation_id, text, ts}``).

``watch`` runs while the service runs: once a second, when at least one console is open, it reads
the events of every taken conversation from Rasa's tracker and publishes the citizen's messages
written after the ticket was taken, each once. The browser never polls; one server-side read per
taken conversation per second. The hub lives in one process: with several replicas, pin the
console to one (or replace the hub by Redis pub/sub).
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

from ..errors import ServiceUnavailable

__all__ = ["QUEUE_SIZE", "WATCH_EVERY_S", "Hub", "citizen_messages", "epoch_of", "watch"]

log = logging.getLogger(__name__)
QUEUE_SIZE = 100
WATCH_EVERY_S = 1.0
Event = tuple[str, dict[str, Any]]


class Hub:
    """Publish events to every subscribed console."""

    def __init__(self) -> None:
        self._queues: set[asyncio.Queue[Event | None]] = set()

    @property
    def listeners(self) -> int:
        return len(self._queues)

    def publish(self, kind: str, data: dict[str, Any]) -> None:
        for queue in list(self._queues):
            if queue.qsize() >= QUEUE_SIZE:  # fell behind: let go, with the slot kept free for the sentinel
                self._queues.discard(queue)
                queue.put_nowait(None)
            else:
                queue.put_nowait((kind, data))

    @contextlib.asynccontextmanager
    async def subscribe(self) -> AsyncIterator[asyncio.Queue[Event | None]]:
        """A queue of ``(kind, data)``; ``None`` means the hub let go of it (too slow, or shutting down)."""
        queue: asyncio.Queue[Event | None] = asyncio.Queue(QUEUE_SIZE + 1)
        self._queues.add(queue)
        try:
            yield queue
        finally:
            self._queues.discard(queue)

    def close(self) -> None:
        """Tell every console the service is stopping."""
        for queue in list(self._queues):
            with contextlib.suppress(asyncio.QueueFull):
                queue.put_nowait(None)
        self._queues.clear()


def epoch_of(iso: str | None) -> float:
    if not iso:
        return 0.0
    try:
        return dt.datetime.fromisoformat(iso).timestamp()
    except ValueError:
        return 0.0


def citizen_messages(events: list[dict[str, Any]], after: float) -> list[dict[str, Any]]:
    """The citizen's text messages among Rasa events, newer than ``after`` (epoch seconds), oldest first."""
    out = []
    for event in events:
        ts = event.get("timestamp")
        text = event.get("text")
        if event.get("event") == "user" and isinstance(ts, (int, float)) and ts > after and isinstance(text, str) and text.strip():
            out.append({"text": text, "ts": float(ts)})
    return out


async def watch(
    hub: Hub,
    taken: Callable[[], Awaitable[list[Any]]],
    read_events: Callable[[str], Awaitable[list[dict[str, Any]]]],
    every_s: float = WATCH_EVERY_S,
) -> None:
    """Forever: publish the new messages of taken conversations while a console listens (see the module docstring)."""
    seen: dict[str, float] = {}  # conversation id -> timestamp of the last message published
    while True:
        await asyncio.sleep(every_s)
        if not hub.listeners:
            continue
        try:
            tickets = await taken()
        except Exception:
            log.exception("live inbox: reading the taken tickets failed")
            continue
        current = {t.conversation_id for t in tickets}
        for conversation in list(seen):
            if conversation not in current:
                del seen[conversation]
        for ticket in tickets:
            after = seen.get(ticket.conversation_id, epoch_of(ticket.taken_at))
            try:
                events = await read_events(ticket.conversation_id)
            except ServiceUnavailable as exc:
                log.warning("live inbox: %s", exc.message)
                break
            for message in citizen_messages(events, after):
                hub.publish("message", {"number": ticket.number, "conversation_id": ticket.conversation_id, **message})
                after = message["ts"]
            seen[ticket.conversation_id] = after
