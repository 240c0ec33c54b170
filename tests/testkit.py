"""Constants and helpers the tests share (import as ``from testkit import ...``)."""

from __future__ import annotations

from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent

# Credentials of the in-process test apps: strong enough for the start-up check, one per scope.
READ_TOKEN = "rd-7f3a9c1e5b2d8f4a6c0e9b7d5a3f1c8e"
OPERATE_TOKEN = "op-2b8d4f6a0c1e3b5d7f9a8c6e4b2d0f1a"
KEYS_TOKEN = "ky-9e1c3a5f7b2d4e6a8c0f1b3d5e7a9c2f"
PORTAL_TOKEN = "pt-4a6c8e0b2d4f6a8c1e3b5d7f9a0c2e4b"
INTERNAL_TOKEN = "in-5d7f9b1a3c5e7a9d0f2b4c6e8a1d3f5b"
INTERNAL = {"X-Internal-Token": INTERNAL_TOKEN}


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}
