"""Rasa's Redis lock store, made safe for several Rasa replicas and clear when Redis is down.

Rasa's ``RedisLockStore`` keeps one ``TicketLock`` per conversation (a JSON value) and changes it by
read, modify, write: two replicas issuing a ticket for the same conversation at the same moment can
both read the old lock, both hand out the same ticket number, and run two turns of one conversation
at once. Here every change (issue a ticket, drop expired ones, finish serving, delete when nobody
waits) is one Redis transaction under ``WATCH``: a change made by another replica in between makes
the transaction start again on the new value.

When Redis cannot be reached, the turn is refused with a ``LockError`` that says so (logged by Rasa
with the conversation), never run without the lock.

``bot/endpoints-scaled.yml``::

    lock_store:
      type: bot.lock_store.AtomicRedisLockStore
      url: ${REDIS_HOST}
      port: ${REDIS_PORT}
      password: ${REDIS_PASSWORD}
      db: 1
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from rasa.core.lock import TicketLock
from rasa.core.lock_store import LOCK_LIFETIME, LockError, RedisLockStore
from rasa.utils.endpoints import EndpointConfig
from redis.exceptions import RedisError

__all__ = ["AtomicRedisLockStore"]


class AtomicRedisLockStore(RedisLockStore):
    """``RedisLockStore`` whose lock changes are atomic across replicas (WATCH/MULTI/EXEC)."""

    def __init__(self, endpoint_config: EndpointConfig) -> None:
        kwargs = dict(endpoint_config.kwargs)
        super().__init__(host=endpoint_config.url or "localhost", **kwargs)
        self.where = f"redis://{endpoint_config.url}:{kwargs.get('port', 6379)}/{kwargs.get('db', 1)}"

    def _change(self, conversation_id: str, change: Callable[[TicketLock | None], TicketLock | None], result: Callable[[], Any] = lambda: None) -> Any:
        """Apply ``change`` to the stored lock in one transaction; ``None`` from it deletes the lock."""
        key = self.key_prefix + conversation_id

        def transaction(pipe: Any) -> None:
            raw = pipe.get(key)
            lock = TicketLock.from_dict(json.loads(raw)) if raw else None
            changed = change(lock)
            pipe.multi()
            if changed is None:
                pipe.delete(key)
            else:
                pipe.set(key, changed.dumps())

        try:
            self.red.transaction(transaction, key)
        except RedisError as exc:
            raise LockError(
                f"the lock store ({self.where}) cannot be reached ({type(exc).__name__}: {exc}); the turn of conversation "
                f"'{conversation_id}' is refused so that no two turns of one conversation run at once. Start Redis and the next message is handled."
            ) from exc
        return result()

    def issue_ticket(self, conversation_id: str, lock_lifetime: float = LOCK_LIFETIME) -> int:
        issued: list[int] = []

        def change(lock: TicketLock | None) -> TicketLock:
            lock = lock or self.create_lock(conversation_id)
            issued[:] = [lock.issue_ticket(lock_lifetime)]
            return lock

        return int(self._change(conversation_id, change, lambda: issued[0]))

    def update_lock(self, conversation_id: str) -> None:
        def change(lock: TicketLock | None) -> TicketLock | None:
            if lock is not None:
                lock.remove_expired_tickets()
            return lock

        self._change(conversation_id, change)

    def finish_serving(self, conversation_id: str, ticket_number: int) -> None:
        def change(lock: TicketLock | None) -> TicketLock | None:
            if lock is not None:
                lock.remove_ticket_for(ticket_number)
            return lock

        self._change(conversation_id, change)

    def cleanup(self, conversation_id: str, ticket_number: int) -> None:
        """Finish serving ``ticket_number`` and delete the lock when nobody waits, in one transaction."""

        def change(lock: TicketLock | None) -> TicketLock | None:
            if lock is None:
                return None
            lock.remove_ticket_for(ticket_number)
            return lock if lock.is_someone_waiting() else None

        self._change(conversation_id, change)

    def get_lock(self, conversation_id: str) -> TicketLock | None:
        try:
            return super().get_lock(conversation_id)
        except RedisError as exc:
            raise LockError(f"the lock store ({self.where}) cannot be reached ({type(exc).__name__}: {exc}); conversation '{conversation_id}' waits") from exc
