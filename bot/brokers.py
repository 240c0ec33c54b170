"""Rasa's SQL event broker, made to survive a database restart and to share its SQLite file with a reader.

Rasa's ``SQLEventBroker`` creates its engine without checking pooled connections, so after a
PostgreSQL restart (the scaled stack) it publishes into connections the server has closed and the
events of those turns never reach the insights. Here:

- a pooled connection is checked before use (``pool_pre_ping``), and a publish that still meets an
  unreachable database is retried a few times (``RETRY_DELAYS_S``, a few seconds in all, because
  Rasa publishes from the turn itself) before the failure is logged with the event's type only;
- on SQLite (the embedded stack) the file is in WAL mode with a busy timeout, so the catalogue
  service reading the insights never makes a turn wait, and a turn never fails on a reader's lock;
  its connections are pooled (a new connection per event cost a third of a turn outside Rasa's graph).

``bot/endpoints.yml`` and ``bot/endpoints-scaled.yml``: ``event_broker: type: bot.brokers.ResilientSQLEventBroker``
(the options are those of Rasa's ``SQL`` broker).
"""

from __future__ import annotations

import json
import logging
import time
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm
from rasa.core.brokers.sql import SQLEventBroker
from rasa.core.tracker_store import SQLTrackerStore
from sqlalchemy.exc import DBAPIError, OperationalError

__all__ = ["RETRY_DELAYS_S", "ResilientSQLEventBroker", "pooled_sqlite_engine"]

RETRY_DELAYS_S = (0.2, 0.5, 1.0, 2.0)
log = logging.getLogger(__name__)


def _unreachable(exc: Exception) -> bool:
    return isinstance(exc, OperationalError) or (isinstance(exc, DBAPIError) and exc.connection_invalidated)


def _sqlite_pragmas(connection: Any, _record: Any) -> None:
    cursor = connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA synchronous=NORMAL")  # WAL keeps the file consistent; a power cut may lose the last events
    cursor.close()


def pooled_sqlite_engine(url: Any, pool_size: int = 5) -> sa.engine.Engine:
    """An engine on a SQLite file with pooled connections in WAL mode (``synchronous=NORMAL``, a busy timeout).

    SQLAlchemy 1.4 opens a new connection per checkout for a SQLite file, and closing the last
    connection to a WAL file checkpoints it. Rasa uses its stores from the event loop's thread;
    each pooled connection serves one checkout at a time. Shared by the event broker and the
    tracker store (``bot/stores.py``).
    """
    engine = sa.create_engine(url, poolclass=sa.pool.QueuePool, pool_size=pool_size, connect_args={"check_same_thread": False})
    sa.event.listen(engine, "connect", _sqlite_pragmas)
    return engine


class ResilientSQLEventBroker(SQLEventBroker):
    """``SQLEventBroker`` with pre-pinged connections, retried publishes and SQLite in WAL mode."""

    def __init__(
        self,
        dialect: str = "sqlite",
        host: str | None = None,
        port: int | None = None,
        db: str = "events.db",
        username: str | None = None,
        password: str | None = None,
    ) -> None:
        # Not super().__init__: it would make the engine we replace (and connect once for nothing).
        url = SQLTrackerStore.get_db_url(dialect, host, port, db, username, password)
        if dialect == "sqlite":
            # SQLAlchemy 1.4 opens a new connection per checkout for a SQLite file (and closing the
            # last connection to a WAL file checkpoints it): about five per turn, a third of a turn's
            # time outside the graph. A pool keeps them; each is used by one checkout at a time.
            self.engine = pooled_sqlite_engine(url, pool_size=2)
        else:
            self.engine = sa.create_engine(url, pool_pre_ping=True)
        self.Base.metadata.create_all(self.engine)
        self.sessionmaker = sqlalchemy.orm.sessionmaker(bind=self.engine)

    def publish(self, event: dict[str, Any]) -> None:
        """Store one event; retried while the database is unreachable, then logged and dropped."""
        row = self.SQLBrokerEvent(sender_id=event.get("sender_id"), data=json.dumps(event))
        for attempt, delay in enumerate((*RETRY_DELAYS_S, None)):
            try:
                with self.session_scope() as session:
                    session.add(row)
                    session.commit()
                return
            except Exception as exc:
                if not _unreachable(exc) or delay is None:
                    log.error("event broker: a %s event was not stored (%s)", event.get("event"), type(exc).__name__)
                    return
                log.warning("event broker: the database is unreachable (attempt %d); retrying in %.1f s", attempt + 1, delay)
                row = self.SQLBrokerEvent(sender_id=event.get("sender_id"), data=json.dumps(event))
                time.sleep(delay)
