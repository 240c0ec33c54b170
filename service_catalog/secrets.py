"""Secrets of the running assistant: made once, kept in the data folder, or given by the environment.

Every credential the processes share (see docs/security.md) is read from its environment
variable when that is set; otherwise ``ensure_secret`` creates it once under
``<data_dir>/secrets/<name>`` (folder 0700, file 0600, created atomically so that two processes
starting together agree) and reads it back on later starts::

    secrets/rasa-auth-token      RASA_AUTH_TOKEN         Rasa's HTTP API (?token=)
    secrets/internal-token       CATALOG_INTERNAL_TOKEN  action server <-> Rasa, action server -> catalogue
    secrets/rest-token           RASA_REST_TOKEN         trusted callers of the REST channel
    secrets/widget-session-key   WIDGET_SESSION_SECRET   signs the widget's conversation ids

A token given by the environment must be strong (``check_strength``): at least 32 characters
and not a placeholder. Rotating one is changing the variable (or deleting the file) and
restarting; ``CATALOG_INTERNAL_TOKEN`` takes ``new,old`` so that replicas can be restarted one
at a time (the first is sent, every listed one is accepted).
"""

from __future__ import annotations

import contextlib
import os
import secrets
from collections.abc import Mapping
from pathlib import Path

__all__ = ["GENERATED", "MIN_TOKEN_CHARS", "WeakSecret", "check_strength", "ensure_secret", "secret_tokens", "shared_secrets"]

MIN_TOKEN_CHARS = 32
MIN_DISTINCT_CHARS = 10
_PLACEHOLDERS = ("change", "password", "secret", "example", "placeholder", "token")  # words people leave in configs

# file name under secrets/ -> environment variable
GENERATED = {
    "rasa-auth-token": "RASA_AUTH_TOKEN",
    "internal-token": "CATALOG_INTERNAL_TOKEN",
    "rest-token": "RASA_REST_TOKEN",
    "widget-session-key": "WIDGET_SESSION_SECRET",
}


class WeakSecret(ValueError):
    """A configured token is too short or a known placeholder; the message names the variable."""


def check_strength(name: str, value: str) -> None:
    """Refuse a token that could be guessed: shorter than 32 characters, too few distinct
    characters, or built around a placeholder word such as ``change-me``.

    Raises:
        WeakSecret: naming ``name`` and what is wrong (never the value itself).
    """
    if len(value) < MIN_TOKEN_CHARS:
        raise WeakSecret(f"{name} is too short ({len(value)} characters; at least {MIN_TOKEN_CHARS}): make one with `openssl rand -base64 32`")
    if len(set(value)) < MIN_DISTINCT_CHARS:
        raise WeakSecret(f"{name} has only {len(set(value))} distinct characters: use a random value (`openssl rand -base64 32`)")
    lowered = value.lower()
    for word in _PLACEHOLDERS:
        if word in lowered:
            raise WeakSecret(f"{name} contains the placeholder {word!r}: use a random value (`openssl rand -base64 32`)")


def secret_tokens(name: str, raw: str) -> tuple[str, ...]:
    """A comma-separated list of tokens (``new,old`` during a rotation), each checked for strength."""
    tokens = tuple(t.strip() for t in raw.split(",") if t.strip())
    for token in tokens:
        check_strength(name, token)
    return tokens


def ensure_secret(data_dir: Path, name: str) -> str:
    """The secret ``name`` from ``<data_dir>/secrets/``, created (random, 0600) on first use."""
    folder = Path(data_dir) / "secrets"
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.chmod(folder, 0o700)
    path = folder / name
    if not path.exists():
        value = secrets.token_urlsafe(32)
        temporary = folder / f".{name}.{secrets.token_hex(4)}.tmp"
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            os.write(fd, value.encode("ascii"))
            os.fsync(fd)
        finally:
            os.close(fd)
        with contextlib.suppress(FileExistsError):
            os.link(temporary, path)  # fails if another process made it first: use theirs
        temporary.unlink()
    if path.stat().st_mode & 0o077:
        os.chmod(path, 0o600)
    value = path.read_text(encoding="ascii").strip()
    if len(value) < MIN_TOKEN_CHARS:
        raise WeakSecret(f"{path} holds a secret shorter than {MIN_TOKEN_CHARS} characters; delete it to have a new one made")
    return value


def shared_secrets(data_dir: Path, environ: Mapping[str, str] | None = None) -> dict[str, str]:
    """Every shared secret by its environment variable: from the environment when set (checked
    for strength), else from (or made in) ``<data_dir>/secrets/``."""
    env = os.environ if environ is None else environ
    values: dict[str, str] = {}
    for file_name, variable in GENERATED.items():
        given = env.get(variable, "").strip()
        if given:
            secret_tokens(variable, given)
            values[variable] = given
        else:
            values[variable] = ensure_secret(data_dir, file_name)
    return values
