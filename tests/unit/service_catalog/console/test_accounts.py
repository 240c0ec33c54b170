"""``python -m service_catalog agents …``: accounts from the shell, passwords from standard input."""

from __future__ import annotations

import asyncio
import io
from pathlib import Path

import pytest

from service_catalog.__main__ import main
from service_catalog.console.passwords import verify_password
from service_catalog.db import Database


def run(monkeypatch: pytest.MonkeyPatch, data_dir: Path, *args: str, stdin: str = "") -> int:
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    return main(["--data-dir", str(data_dir), "agents", *args])


def stored_hash(data_dir: Path, name: str) -> str | None:
    async def read() -> str | None:
        db = await Database.open(f"sqlite:///{data_dir / 'catalog.db'}")
        try:
            agent = await db.get_agent(name)
            return agent.password_hash if agent else None
        finally:
            await db.close()

    return asyncio.run(read())


def test_add_list_passwd_disable(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(monkeypatch, tmp_path, "add", "wang", "--role", "supervisor", stdin="a long hotline password\n") == 0
    stored = stored_hash(tmp_path, "wang")
    assert stored is not None and verify_password(stored, "a long hotline password")
    assert run(monkeypatch, tmp_path, "add", "wang", "--role", "agent", stdin="a long hotline password\n") == 1
    assert "exists" in capsys.readouterr().err
    assert run(monkeypatch, tmp_path, "add", "li", "--role", "agent", stdin="too short\n") == 2
    assert "at least 12" in capsys.readouterr().err
    assert run(monkeypatch, tmp_path, "add", "bad name", "--role", "agent", stdin="a long hotline password\n") == 2
    assert run(monkeypatch, tmp_path, "passwd", "wang", stdin="another long password\n") == 0
    assert verify_password(stored_hash(tmp_path, "wang"), "another long password")
    assert run(monkeypatch, tmp_path, "disable", "wang") == 0
    assert run(monkeypatch, tmp_path, "disable", "nobody") == 1
    capsys.readouterr()
    assert run(monkeypatch, tmp_path, "list") == 0
    assert capsys.readouterr().out == "wang\tsupervisor\tdisabled\n"
