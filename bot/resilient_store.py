"""The tracker store of the scaled stack: ``MaskingSQLTrackerStore`` that survives a PostgreSQL restart.

Rasa wraps every tracker store in a fail-safe one: when reading a tracker fails, the turn runs on an
empty in-memory tracker (the conversation's state is gone for that turn), and when saving fails, the
turn is kept in memory only, yet the citizen gets an answer. After a PostgreSQL restart, Rasa's
engine hands out pooled connections the server has closed, so the first turns on each replica did
exactly that: answered, and not stored (measured by tests/scaled/test_faults.py: 2 of 4 turns lost).

Here the engine checks a pooled connection before using it (``pool_pre_ping``), and reading or
saving a tracker is retried while the database is unreachable, for up to ``RETRY_FOR_S`` seconds,
so that a restart of a few seconds costs a delay, not a conversation.

``bot/endpoints-scaled.yml``: ``tracker_store: type: bot.resilient_store.ResilientSQLTrackerStore``.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import sqlalchemy as sa
from rasa.core.tracker_store import create_engine_kwargs
from rasa.shared.core.trackers import DialogueStateTracker
from sqlalchemy.exc import DBAPIError, OperationalError

from .stores import MaskingSQLTrackerStore

__all__ = ["RETRY_FOR_S", "ResilientSQLTrackerStore"]

RETRY_FOR_S = 30.0
T = TypeVar("T")
log = logging.getLogger(__name__)


def _unreachable(exc: Exception) -> bool:
    return isinstance(exc, OperationalError) or (isinstance(exc, DBAPIError) and exc.connection_invalidated)


class ResilientSQLTrackerStore(MaskingSQLTrackerStore):
    """``MaskingSQLTrackerStore`` with pre-pinged connections and retries while the database is down."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        url = self.engine.url
        self.engine.dispose()
        self.engine = sa.create_engine(url, pool_pre_ping=True, **create_engine_kwargs(url))
        self.sessionmaker = sa.orm.session.sessionmaker(bind=self.engine)

    async def _retried(self, what: str, call: Callable[[], Awaitable[T]]) -> T:
        deadline = time.monotonic() + RETRY_FOR_S
        wait = 0.5
        while True:
            try:
                return await call()
            except (OperationalError, DBAPIError) as exc:
                if not _unreachable(exc) or time.monotonic() > deadline:
                    raise
                log.warning("the tracker store's database is unreachable (%s) while %s; retrying in %.1f s", type(exc).__name__, what, wait)
                await asyncio.sleep(wait)
                wait = min(wait * 2, 5.0)

    async def save(self, tracker: DialogueStateTracker) -> None:
        await self._retried(f"saving conversation {tracker.sender_id}", lambda: super(ResilientSQLTrackerStore, self).save(tracker))

    async def retrieve(self, sender_id: str) -> DialogueStateTracker | None:
        return await self._retried(f"reading conversation {sender_id}", lambda: super(ResilientSQLTrackerStore, self).retrieve(sender_id))

    async def retrieve_full_tracker(self, conversation_id: str) -> DialogueStateTracker | None:
        return await self._retried(
            f"reading conversation {conversation_id}", lambda: super(ResilientSQLTrackerStore, self).retrieve_full_tracker(conversation_id)
        )
