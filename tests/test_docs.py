"""Docs can't rot: every CLI command, setting, route and catalogue field is documented somewhere."""

from __future__ import annotations

import argparse
import re
from dataclasses import fields
from pathlib import Path

from aiohttp import web

from service_catalog.__main__ import build_parser
from service_catalog.http.app import create_app
from service_catalog.http.openapi import openapi_document
from service_catalog.model import Service
from service_catalog.settings import Settings

REPO_ROOT = Path(__file__).resolve().parent.parent
README = REPO_ROOT / "README.md"
DOCS = REPO_ROOT / "docs"


def documentation() -> str:
    """README.md and every Markdown file under docs/, as one text."""
    parts = [README.read_text(encoding="utf-8")] if README.is_file() else []
    parts += [p.read_text(encoding="utf-8") for p in sorted(DOCS.rglob("*.md"))]
    return "\n".join(parts)


def cli_commands(parser: argparse.ArgumentParser, prefix: str = "") -> list[str]:
    """Every leaf command of the parser, e.g. ``catalog validate``, ``serve``."""
    commands: list[str] = []
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                commands += cli_commands(sub, f"{prefix}{name} ") or [f"{prefix}{name}"]
    return commands


def setting_names() -> list[str]:
    return [f"CATALOG_{f.name.upper()}" for f in fields(Settings) if f.name != "extra"]


def test_cli_and_settings_are_found() -> None:
    """The lists the documentation is checked against are complete (guards the helpers)."""
    commands = cli_commands(build_parser())
    assert {"serve", "catalog validate", "catalog import", "catalog export", "catalog generate", "index build", "search", "eval", "purge"} <= set(commands)
    names = set(setting_names())
    assert {"CATALOG_CATALOG_PATH", "CATALOG_MODEL", "CATALOG_ADMIN_READ_TOKEN", "CATALOG_INTERNAL_TOKEN", "CATALOG_RETENTION_DAYS"} <= names
    assert "CATALOG_ADMIN_TOKEN" not in names  # split by scope; setting it is refused at start


def test_every_cli_command_is_documented() -> None:
    text = documentation()
    missing = [c for c in cli_commands(build_parser()) if not re.search(rf"\b{re.escape(c)}\b", text)]
    assert missing == [], f"CLI commands mentioned in neither README.md nor docs/*.md: {missing}"


def test_every_setting_is_documented() -> None:
    text = documentation()
    missing = [name for name in setting_names() if name not in text]
    assert missing == [], f"settings mentioned in neither README.md nor docs/*.md: {missing}"


def test_readme_file_map_is_true() -> None:
    text = README.read_text(encoding="utf-8")
    section = text.split("## Files", 1)[1] if "## Files" in text else ""
    paths = re.findall(r"^\|\s*`([^`]+)`\s*\|", section, flags=re.MULTILINE)
    assert paths, "README.md has no file map (a '## Files' table of `path` | holds)"
    missing = [p for p in paths if not (REPO_ROOT / p.rstrip("/")).exists()]
    assert missing == [], f"README.md's file map names paths that do not exist: {missing}"


def test_every_route_is_in_the_openapi_document(tmp_path: Path) -> None:
    app = create_app(Settings(data_dir=tmp_path, model="fake-32"))
    served = {
        (route.method.lower(), route.resource.canonical)
        for route in app.router.routes()
        if route.method != "HEAD" and route.resource is not None and not isinstance(route.resource, web.StaticResource)
    }
    documented = {(method, path) for path, ops in openapi_document(app)["paths"].items() for method in ops}
    assert served - documented == set()
    assert documented - served == set()


def test_every_service_field_is_in_the_cpsv_mapping() -> None:
    mapping = (DOCS / "cpsv-mapping.md").read_text(encoding="utf-8")
    rows = [line for line in mapping.splitlines() if line.startswith("| `")]
    documented = {m for line in rows for m in re.findall(r"`([a-z_]+)(?:\.[a-z_]+)?`", line.split("|")[1])}
    missing = [name for name in Service.model_fields if name not in documented]
    assert missing == [], f"fields of Service missing from docs/cpsv-mapping.md: {missing}"


def test_numbers_in_the_conversation_docs_match_the_bot() -> None:
    """docs/conversation.md quotes the n-gram range of bot/config.yml and the number of test stories."""
    import yaml

    text = (DOCS / "conversation.md").read_text(encoding="utf-8")
    config = yaml.safe_load((REPO_ROOT / "bot" / "config.yml").read_text(encoding="utf-8"))
    chars = next(c for c in config["pipeline"] if c.get("analyzer") == "char_wb")
    assert f"character n-grams {chars['min_ngram']}–{chars['max_ngram']}" in text
    stories = yaml.safe_load((REPO_ROOT / "tests" / "conversation" / "test_stories.yml").read_text(encoding="utf-8"))["stories"]
    assert f"({len(stories)} stories" in text
