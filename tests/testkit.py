"""Constants and helpers the tests share (import as ``from testkit import ...``)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

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


def rasa_api(stack: Any, method: str, path: str, body: Any = None, **query: str) -> Any:
    """A call to the stack's Rasa HTTP API with its token (``GET /conversations/<id>/tracker`` and the like)."""
    url = f"http://127.0.0.1:{stack.ports['rasa']}{path}?" + urllib.parse.urlencode({"token": stack.rasa_token, **query})
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, method=method, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=60) as answer:
        return json.loads(answer.read())


def add_agent_with_cli(stack: Any, name: str, password: str, role: str = "agent") -> None:
    """An agent account in the stack's database, made as an operator would: the CLI, the password on stdin."""
    env = {**os.environ, "CATALOG_DATA_DIR": str(stack.data_dir)}
    done = subprocess.run(
        [sys.executable, "-m", "service_catalog", "agents", "add", name, "--role", role],
        input=password + "\n",
        capture_output=True,
        text=True,
        cwd=REPO_ROOT,
        env=env,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr


RASA_PYTHON = REPO_ROOT / ".venv-rasa" / "bin" / "python"


def in_rasa(program: str, *args: str, timeout: int = 180) -> dict[str, Any]:
    """Run ``program`` in Rasa's own Python (3.10, ``.venv-rasa``) from the repository root and return
    the JSON object its last line of output prints; a failed run fails the test with its error output."""
    import pytest

    if not RASA_PYTHON.exists():
        pytest.fail(".venv-rasa is missing: run `make setup`")
    done = subprocess.run([str(RASA_PYTHON), "-c", program, *args], capture_output=True, text=True, timeout=timeout, cwd=REPO_ROOT)
    assert done.returncode == 0, done.stderr[-2000:]
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result
