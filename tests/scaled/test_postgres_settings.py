"""The scaled stack's PostgreSQL runs with the settings docs/operations.md states (the buffer cache sized from
the measured working set), for a new cluster and for one that exists already; a setting that could not be
passed safely on PostgreSQL's command line is refused with a clear error."""

from __future__ import annotations

import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "scripts"))
from engines import EngineError, PostgresCluster, traversable_tmpdir  # noqa: E402
from scaled import POSTGRES_SETTINGS, ScaledStack  # noqa: E402


@pytest.fixture
def engines() -> Iterator[Path]:
    path = traversable_tmpdir("pg-settings-")
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


def test_the_scaled_stack_runs_postgres_with_its_buffer_cache(tmp_path: Path, engines: Path) -> None:
    stack = ScaledStack(tmp_path / "model.tar.gz", tmp_path / "data", replicas=1, engines_dir=engines, durable=False)
    cluster = stack.postgres
    cluster.init()
    try:
        cluster.start()
        assert cluster.psql("SHOW shared_buffers").strip() == POSTGRES_SETTINGS["shared_buffers"]
        cluster.stop()
        # An existing cluster gets them too: they are given at every start, not written once at initdb.
        again = PostgresCluster(cluster.data_dir, cluster.port, durable=False, settings={"shared_buffers": "16MB"})
        again.start()
        assert again.psql("SHOW shared_buffers").strip() == "16MB"
    finally:
        cluster.stop()


def test_a_setting_that_is_not_a_plain_value_is_refused(engines: Path) -> None:
    with pytest.raises(EngineError, match="shared_buffers"):
        PostgresCluster(engines / "pg", 5999, settings={"shared_buffers": "32MB -c fsync=off"})
