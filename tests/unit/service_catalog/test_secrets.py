"""Shared secrets: strength checks, creation once with private modes, environment first."""

from __future__ import annotations

import stat
import threading
from pathlib import Path

import pytest

from service_catalog.secrets import GENERATED, WeakSecret, check_strength, ensure_secret, secret_tokens, shared_secrets

STRONG = "Zq8v2LmX9pT4rW7kJ3nB6cY1hF5dG0sA"


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("change-me", "too short"),
        ("x" * 31, "too short"),
        ("ab" * 20, "distinct"),
        ("change-me-change-me-change-me-12345678", "placeholder"),
        ("my-Secret-value-that-is-long-enough-0123", "placeholder"),
        ("Password0123456789abcdefghijklmnopqrstuv", "placeholder"),
    ],
)
def test_weak_tokens_are_refused_naming_the_variable_not_the_value(value: str, reason: str) -> None:
    with pytest.raises(WeakSecret) as caught:
        check_strength("CATALOG_ADMIN_READ_TOKEN", value)
    assert "CATALOG_ADMIN_READ_TOKEN" in str(caught.value) and reason in str(caught.value) and value not in str(caught.value)


def test_a_rotation_list_is_checked_token_by_token() -> None:
    assert secret_tokens("X", f"{STRONG}, {STRONG[::-1]}") == (STRONG, STRONG[::-1])
    with pytest.raises(WeakSecret):
        secret_tokens("X", f"{STRONG},change-me")


def test_a_secret_is_made_once_private_and_read_back(tmp_path: Path) -> None:
    first = ensure_secret(tmp_path, "internal-token")
    assert len(first) >= 32 and ensure_secret(tmp_path, "internal-token") == first
    assert stat.S_IMODE((tmp_path / "secrets").stat().st_mode) == 0o700
    assert stat.S_IMODE((tmp_path / "secrets" / "internal-token").stat().st_mode) == 0o600
    check_strength("generated", first)


def test_processes_starting_together_agree_on_one_secret(tmp_path: Path) -> None:
    seen: list[str] = []
    threads = [threading.Thread(target=lambda: seen.append(ensure_secret(tmp_path, "rest-token"))) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(set(seen)) == 1
    assert [p.name for p in (tmp_path / "secrets").iterdir()] == ["rest-token"]  # no temporary files left


def test_the_environment_wins_and_is_checked(tmp_path: Path) -> None:
    values = shared_secrets(tmp_path, {"RASA_AUTH_TOKEN": STRONG})
    assert values["RASA_AUTH_TOKEN"] == STRONG and set(values) == set(GENERATED.values())
    assert not (tmp_path / "secrets" / "rasa-auth-token").exists()
    with pytest.raises(WeakSecret, match="RASA_REST_TOKEN"):
        shared_secrets(tmp_path, {"RASA_REST_TOKEN": "change-me"})
