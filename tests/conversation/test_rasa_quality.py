"""Rasa quality gates: data validation, test stories, and intent macro-F1 per language (slow)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
RASA = ROOT / ".venv-rasa" / "bin" / "rasa"
pytestmark = pytest.mark.slow


def run(args: list[str], timeout: int = 900) -> subprocess.CompletedProcess[str]:
    if not RASA.exists():
        pytest.fail(".venv-rasa is missing: run `make setup` (make test does it)")
    return subprocess.run(
        args, cwd=ROOT, capture_output=True, text=True, timeout=timeout, env={"RASA_TELEMETRY_ENABLED": "false", "PATH": "/usr/bin:/bin", "HOME": str(ROOT)}
    )


def test_rasa_data_validates() -> None:
    out = run([str(RASA), "data", "validate", "--domain", "bot/domain", "--data", "nlu_data", "--config", "bot/config.yml"])
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-3000:]


def test_test_stories_pass_without_prediction_errors(trained_model: Path, tmp_path: Path) -> None:
    out = run(
        [
            str(RASA),
            "test",
            "core",
            "--model",
            str(trained_model),
            "--stories",
            "tests/conversation/test_stories.yml",
            "--fail-on-prediction-errors",
            "--out",
            str(tmp_path),
        ]
    )
    assert out.returncode == 0, out.stdout[-4000:] + out.stderr[-4000:]


def test_intent_macro_f1_per_language_is_at_least_0_90() -> None:
    out = run([str(ROOT / ".venv-rasa" / "bin" / "python"), "scripts/nlu_eval.py", "--check"])
    print(out.stdout)
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-3000:]
