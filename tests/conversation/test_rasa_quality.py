"""Rasa quality gates: data validation, test stories, and intent macro-F1 per language (slow)."""

from __future__ import annotations

import re
import subprocess
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
RASA = ROOT / ".venv-rasa" / "bin" / "rasa"
pytestmark = pytest.mark.slow
HOME = tempfile.mkdtemp(prefix="rasa-home-")  # Rasa and TensorFlow write caches under HOME: never into the repository


def run(args: list[str], timeout: int = 900) -> subprocess.CompletedProcess[str]:
    if not RASA.exists():
        pytest.fail(".venv-rasa is missing: run `make setup` (make test does it)")
    return subprocess.run(
        args, cwd=ROOT, capture_output=True, text=True, timeout=timeout, env={"RASA_TELEMETRY_ENABLED": "false", "PATH": "/usr/bin:/bin", "HOME": HOME}
    )


def test_rasa_data_validates() -> None:
    """Exit 0, and the only warnings are the two kinds Rasa cannot see through, each checked here.

    - "utterance ... not used in any story or rule": responses sent by custom actions; each must
      really be named in actions/.
    - "intent ... not found in the NLU training data": intents that only arrive as payloads
      (buttons, or /empty_message from our channels); each must really be sent by one of them.
    """
    out = run([str(RASA), "data", "validate", "--domain", "bot/domain", "--data", "nlu_data", "--config", "bot/config.yml"])
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-3000:]
    log = re.sub(r"\x1b\[[0-9;]*m", "", out.stdout + out.stderr)
    # utter_default is sent by Rasa's action_default_fallback, the core fallback in bot/config.yml.
    code = (ROOT / "bot" / "config.yml").read_text(encoding="utf-8").replace("action_default_fallback", '"utter_default"') + "\n".join(
        p.read_text(encoding="utf-8") for p in [*(ROOT / "actions").glob("*.py"), *(ROOT / "bot" / "connectors").glob("*.py")]
    )
    for warning in re.findall(r"UserWarning: (.*)", log):
        if m := re.fullmatch(r"The utterance '(\w+)' is not used in any story or rule\.", warning):
            assert f'"{m[1]}"' in code, f"{m[1]} is neither in a story/rule nor sent by a custom action"
        elif m := re.fullmatch(r"The intent '(\w+)' is listed in the domain file, but is not found in the NLU training data\.", warning):
            assert f"/{m[1]}" in code, f"intent {m[1]} has no NLU examples and no action or channel sends it as a payload"
        else:
            raise AssertionError(f"rasa data validate warns: {warning}")


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


def test_service_mention_lookup_matches_the_catalogue() -> None:
    """nlu_data/nlu/service_lookup.yml is generated from the catalogue's keywords; it must not drift."""
    out = subprocess.run(
        [str(ROOT / ".venv" / "bin" / "python"), "scripts/service_lookup.py", "--check"], cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    assert out.returncode == 0, out.stderr
