"""Tests for service_catalog.settings: defaults, environment, .env, casting and validation."""

from __future__ import annotations

from dataclasses import fields
from pathlib import Path

import pytest

from service_catalog.settings import PACKAGE_DIR, Settings, SettingsError, _cast, load_settings


def test_defaults_work_on_a_fresh_clone(tmp_path: Path) -> None:
    s = load_settings(environ={}, dotenv=tmp_path / "absent.env")
    assert s.catalog_path == PACKAGE_DIR / "data"
    assert s.port == 8080 and s.host == "127.0.0.1"
    assert s.index_kind == "auto" and s.embed_backend == "torch"
    assert s.admin_token == ""


def test_derived_defaults_follow_their_sources(tmp_path: Path) -> None:
    s = Settings(data_dir=tmp_path, host="0.0.0.0", port=9000)
    assert s.database_url == f"sqlite:///{tmp_path / 'catalog.db'}"
    assert s.public_url == "http://0.0.0.0:9000"
    assert s.portal_url == "http://0.0.0.0:9000/portal/apply"
    explicit = Settings(public_url="https://gov.example/", portal_url="https://portal.example/apply")
    assert explicit.portal_url == "https://portal.example/apply"
    assert Settings(public_url="https://gov.example/").portal_url == "https://gov.example/portal/apply"


def test_environment_is_read_with_the_prefix_and_cast(tmp_path: Path) -> None:
    env = {
        "CATALOG_PORT": "9090",
        "CATALOG_CATALOG_PATH": str(tmp_path),
        "CATALOG_MODEL": "fake-16",
        "CATALOG_HNSW_THRESHOLD": "100",
        "PORT": "1",  # no prefix: ignored
    }
    s = load_settings(environ=env, dotenv=tmp_path / "absent.env")
    assert s.port == 9090 and isinstance(s.port, int)
    assert s.catalog_path == tmp_path and isinstance(s.catalog_path, Path)
    assert s.model == "fake-16"
    assert s.hnsw_threshold == 100


def test_empty_variable_keeps_the_default(tmp_path: Path) -> None:
    assert load_settings(environ={"CATALOG_PORT": ""}, dotenv=tmp_path / "absent.env").port == 8080


def test_dotenv_then_environment_then_overrides(tmp_path: Path) -> None:
    dotenv = tmp_path / ".env"
    dotenv.write_text("# comment\n\nCATALOG_PORT=7000\nCATALOG_HOST=\"10.0.0.1\"\nCATALOG_ADMIN_TOKEN='s3cret'\n", encoding="utf-8")
    s = load_settings(environ={}, dotenv=dotenv)
    assert (s.port, s.host, s.admin_token) == (7000, "10.0.0.1", "s3cret")
    s = load_settings(environ={"CATALOG_PORT": "7001"}, dotenv=dotenv)
    assert s.port == 7001 and s.host == "10.0.0.1"
    s = load_settings(environ={"CATALOG_PORT": "7001"}, dotenv=dotenv, port=7002, host=None)
    assert s.port == 7002 and s.host == "10.0.0.1"


def test_dotenv_line_without_equals_names_file_and_line(tmp_path: Path) -> None:
    dotenv = tmp_path / ".env"
    dotenv.write_text("CATALOG_PORT=1\nnonsense\n", encoding="utf-8")
    with pytest.raises(SettingsError, match=r"\.env:2: expected NAME=value, got 'nonsense'"):
        load_settings(environ={}, dotenv=dotenv)


def test_bad_integer_names_the_variable(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match=r"CATALOG_PORT must be an integer, got 'eighty'"):
        load_settings(environ={"CATALOG_PORT": "eighty"}, dotenv=tmp_path / "absent.env")


@pytest.mark.parametrize(("raw", "expected"), [("true", True), ("TRUE", True), ("1", True), ("false", False), ("0", False), ("False", False)])
def test_booleans_accept_only_true_false_1_0(raw: str, expected: bool) -> None:
    assert _cast("CATALOG_X", raw, bool) is expected


@pytest.mark.parametrize("raw", ["yes", "no", "on", "", "2"])
def test_other_boolean_spellings_are_rejected(raw: str) -> None:
    with pytest.raises(SettingsError, match="CATALOG_X must be true/false/1/0"):
        _cast("CATALOG_X", raw, "bool")


@pytest.mark.parametrize("ttl", [0, -5, 901])
def test_token_ttl_is_bounded(ttl: int) -> None:
    with pytest.raises(SettingsError, match="CATALOG_TOKEN_TTL_SECONDS must be between 1 and 900"):
        Settings(token_ttl_seconds=ttl)


def test_index_kind_and_backend_are_checked(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="CATALOG_INDEX_KIND must be one of auto, flat, hnsw; got 'ivf'"):
        load_settings(environ={"CATALOG_INDEX_KIND": "ivf"}, dotenv=tmp_path / "absent.env")
    with pytest.raises(SettingsError, match="CATALOG_EMBED_BACKEND must be torch or onnx"):
        Settings(embed_backend="tensorflow")


def test_settings_are_immutable() -> None:
    s = Settings()
    with pytest.raises(AttributeError):
        s.port = 1  # type: ignore[misc]


def test_every_field_has_an_environment_variable(tmp_path: Path) -> None:
    """Each setting can be set as CATALOG_<NAME>; a value that round-trips proves it is read."""
    samples = {"int": "4242", "Path": str(tmp_path), "str": "https://example.org"}
    checked = []
    for f in fields(Settings):
        if f.name == "extra":
            continue
        raw = samples[str(f.type)]
        if f.name == "index_kind":
            raw = "flat"
        elif f.name == "embed_backend":
            raw = "onnx"
        elif f.name == "token_ttl_seconds":
            raw = "300"
        elif f.name == "compact_langs":
            raw = "en,zh"
        s = load_settings(environ={"CATALOG_" + f.name.upper(): raw}, dotenv=tmp_path / "absent.env")
        assert str(getattr(s, f.name)) == raw, f.name
        checked.append(f.name)
    assert "catalog_path" in checked and "admin_token" in checked


@pytest.mark.parametrize("value", ["fr", "en,,zh", "EN"])
def test_compact_langs_must_be_known_languages(value: str, tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="CATALOG_COMPACT_LANGS"):
        load_settings(environ={"CATALOG_COMPACT_LANGS": value}, dotenv=tmp_path / "absent.env")
