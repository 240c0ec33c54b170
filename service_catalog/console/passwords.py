"""Agent passwords: Argon2id hashes (argon2-cffi's recommended parameters, RFC 9106 low-memory).

A login always runs one full verification, also for an unknown name (against a fixed dummy
hash), so the time a login takes does not tell whether the name exists.
"""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

__all__ = ["MAX_PASSWORD", "MIN_PASSWORD", "WeakPassword", "check_password", "hash_password", "needs_rehash", "verify_password"]

MIN_PASSWORD = 12
MAX_PASSWORD = 256  # Argon2 takes any length; a cap keeps a login request from costing more than it should
_HASHER = PasswordHasher()
_DUMMY = _HASHER.hash("not a password of anyone: used to spend the same time on unknown names")


class WeakPassword(ValueError):
    """The password is too short or too long; the message says which."""


def check_password(password: str) -> None:
    """Raise ``WeakPassword`` unless the password has 12 to 256 characters and is not all one character."""
    if len(password) < MIN_PASSWORD:
        raise WeakPassword(f"the password must have at least {MIN_PASSWORD} characters, got {len(password)}")
    if len(password) > MAX_PASSWORD:
        raise WeakPassword(f"the password must have at most {MAX_PASSWORD} characters")
    if len(set(password)) < 4:
        raise WeakPassword("the password must not repeat one to three characters")


def hash_password(password: str) -> str:
    """The Argon2id hash of a password that passes ``check_password``."""
    check_password(password)
    return _HASHER.hash(password)


def verify_password(stored_hash: str | None, password: str) -> bool:
    """True when ``password`` matches ``stored_hash``; with None, spends the same time and says False."""
    if len(password) > MAX_PASSWORD:
        return False
    try:
        return _HASHER.verify(stored_hash or _DUMMY, password) and stored_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    """The hash was made with weaker parameters than today's: store a new one after a login."""
    return _HASHER.check_needs_rehash(stored_hash)
