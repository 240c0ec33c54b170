"""The catalogue database's migrations (Alembic), shipped inside the package so an installed service finds them.

``Database.open`` calls :func:`upgrade` on every start, in one write transaction:

1. PostgreSQL: ``pg_advisory_xact_lock`` so that replicas starting together migrate one at a time
   (the others wait, then find the database at head). SQLite: the transaction is ``BEGIN IMMEDIATE``,
   which already admits one writer.
2. :func:`adopt`: a file or database made before Alembic (tables, no ``alembic_version``) is stamped
   with the revision it already matches, so nothing is created twice and nothing is lost.
3. ``alembic upgrade head``.

Add a revision with ``python -m service_catalog db revision -m "what changes"`` (docs/contributing.md).
"""

from __future__ import annotations

import zlib
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection

__all__ = ["LOCK_KEY", "adopt", "config", "current", "head", "upgrade"]

HERE = Path(__file__).resolve().parent
# The advisory lock's key: any fixed 64-bit number; derived from a name so it is recognisable in pg_locks.
LOCK_KEY = zlib.crc32(b"service_catalog.migrations")


def config(connection: Connection | None = None) -> Config:
    """Alembic's configuration, built in code (no alembic.ini): the scripts here, the given connection."""
    cfg = Config()
    cfg.set_main_option("script_location", str(HERE))
    cfg.set_main_option("path_separator", "os")
    cfg.set_main_option("version_locations", str(HERE / "versions"))
    cfg.attributes["connection"] = connection
    return cfg


def head() -> str:
    """The newest revision."""
    return str(ScriptDirectory.from_config(config()).get_current_head())


def current(connection: Connection) -> str | None:
    """The revision the database is at (None: empty, or made before Alembic and not opened since)."""
    return MigrationContext.configure(connection).get_current_revision()


def adopt(connection: Connection) -> str | None:
    """Stamp a database made before Alembic with the revision it matches; returns that revision, or None.

    Console-era files (tickets with ``conversation_id``, an ``agents`` table) match ``0002``. Older ones
    are left unstamped: the baseline creates only what they miss, then ``0002`` adds the console's columns.
    """
    inspector = inspect(connection)
    tables = set(inspector.get_table_names())
    if "alembic_version" in tables or "tickets" not in tables:
        return None
    columns = {c["name"] for c in inspector.get_columns("tickets")}
    if "conversation_id" in columns and {"agents", "agent_sessions"} <= tables:
        command.stamp(config(connection), "0002")
        return "0002"
    return None


def upgrade(connection: Connection) -> str:
    """Bring the database to the newest revision (call inside a transaction); returns the revision."""
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": LOCK_KEY})
    adopt(connection)
    command.upgrade(config(connection), "head")
    return current(connection) or ""
