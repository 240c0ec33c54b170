"""Agent passwords: Argon2id, length rules, unknown names cost a verification too."""

from __future__ import annotations

import pytest

from service_catalog.console.passwords import WeakPassword, check_password, hash_password, needs_rehash, verify_password

GOOD = "correct horse battery staple"


def test_hash_is_argon2id_and_verifies() -> None:
    stored = hash_password(GOOD)
    assert stored.startswith("$argon2id$") and GOOD not in stored
    assert verify_password(stored, GOOD)
    assert not verify_password(stored, GOOD + "!")
    assert not needs_rehash(stored)
    assert hash_password(GOOD) != stored  # salted


@pytest.mark.parametrize(("password", "match"), [("short pass", "at least 12"), ("x" * 257, "at most 256"), ("abababababab", "repeat")])
def test_weak_passwords_are_refused(password: str, match: str) -> None:
    with pytest.raises(WeakPassword, match=match):
        check_password(password)
    with pytest.raises(WeakPassword):
        hash_password(password)


def test_unknown_names_and_broken_hashes_never_verify() -> None:
    assert not verify_password(None, GOOD)
    assert not verify_password("not a hash", GOOD)
    assert not verify_password(hash_password(GOOD), "y" * 300)
