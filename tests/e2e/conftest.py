"""The three real processes, started once per module on free ports."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))

from stack import Stack, free_port  # noqa: E402


def trained_model() -> Path:
    """The Rasa model for the current bot inputs (trained by scripts/train.sh when missing)."""
    if not (ROOT / ".venv-rasa/bin/rasa").exists():
        pytest.fail(".venv-rasa is missing: run `make setup` (make test does it)")
    out = subprocess.run(["bash", str(ROOT / "scripts/train.sh")], cwd=ROOT, capture_output=True, text=True, timeout=900)
    if out.returncode != 0:
        pytest.fail(f"training failed:\n{out.stderr[-3000:]}")
    return ROOT / out.stdout.strip().splitlines()[-1]


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    tmp = tmp_path_factory.mktemp("stack")
    s = Stack(
        trained_model(),
        rasa_port=free_port(),
        actions_port=free_port(),
        catalogue_port=free_port(),
        log_dir=tmp / "log",
        tracker_db=tmp / "tracker.db",
        extra_env={"HF_HUB_OFFLINE": "1"},
    )
    s.start(timeout=300)
    try:
        yield s
    finally:
        s.stop()
