"""PostgreSQL for the tests: one cluster per session (scripts/engines.py), one fresh database per test.

``database_url`` is parametrized over both engines, so a test that takes it (or ``db`` in
tests/unit/service_catalog/test_db.py) runs once on SQLite and once on PostgreSQL. The cluster is
made in a 0711 folder under the system temp dir (PostgreSQL runs as the ``postgres`` user when the
tests run as root) with fsync off, and removed at the end of the session.
"""

from __future__ import annotations

import shutil
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "scripts"))
from engines import EngineError, PostgresCluster, traversable_tmpdir
from stack import free_port

__all__ = ["database_url", "fresh_pg_database", "pg_cluster"]


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[PostgresCluster]:
    """A PostgreSQL cluster on a free port for the whole session (tests may restart it, never stop it)."""
    base = traversable_tmpdir("catalog-test-pg-")
    cluster = PostgresCluster(base / "cluster", free_port(), durable=False)
    try:
        cluster.init()
        cluster.start()
    except EngineError as exc:
        shutil.rmtree(base, ignore_errors=True)
        pytest.fail(f"PostgreSQL could not be started for the database tests (Debian: apt-get install postgresql-15):\n{exc}")
    try:
        yield cluster
    finally:
        cluster.stop(mode="immediate")
        shutil.rmtree(base, ignore_errors=True)


def fresh_pg_database(cluster: PostgresCluster) -> str:
    """The URL of a new, empty database in ``cluster``."""
    import psycopg

    name = f"test_{uuid.uuid4().hex[:16]}"
    with psycopg.connect(cluster.url, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    return cluster.url_for(name)


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A URL of an empty catalogue database: a SQLite file in a new folder, or a new PostgreSQL database."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'nested' / 'folder' / 'catalog.db'}"
    return fresh_pg_database(request.getfixturevalue("pg_cluster"))
