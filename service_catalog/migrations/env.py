"""Alembic's entry point for the catalogue database: runs on the connection ``service_catalog.migrations`` passes in.

There is no ``alembic.ini`` and no URL here: ``Database.open`` (and ``python -m service_catalog db``)
open the engine, take the lock and hand the connection over in ``config.attributes["connection"]``.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy.engine import Connection

from service_catalog.db_schema import metadata

connection: Connection | None = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations through `python -m service_catalog db upgrade` (or Database.open), which passes the connection")
context.configure(connection=connection, target_metadata=metadata, render_as_batch=connection.dialect.name == "sqlite", compare_type=True)
with context.begin_transaction():
    context.run_migrations()
