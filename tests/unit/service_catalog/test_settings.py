"""Tests for service_catalog.settings: defaults, environment, .env, casting and validation."""

from __future__ import annotations

from dataclasses import fields
from pathlib import Path

import pytest

from service_catalog.settings import PACKAGE_DIR, Settings, SettingsError, _cast, load_settings

# Strong (random-looking, 32+ characters, no placeholder word) and all different.
READ = "rd-7f3a9c1e5b2d8f4a6c0e9b7d5a3f1c8e"
OPERATE = "op-2b8d4f6a0c1e3b5d7f9a8c6e4b2d0f1a"
KEYS = "ky-9e1c3a5f7b2d4e6a8c0f1b3d5e7a9c2f"
PORTAL = "pt-4a6c8e0b2d4f6a8c1e3b5d7f9a0c2e4b"
INTERNAL = "in-5d7f9b1a3c5e7a9d0f2b4c6e8a1d3f5b"
TOKEN_SETTINGS = ("admin_read_token", "admin_operate_token", "admin_keys_token", "portal_token", "internal_token")


def test_defaults_work_on_a_fresh_clone(tmp_path: Path) -> None:
    s = load_settings(environ={}, dotenv=tmp_path / "absent.env")
    assert s.catalog_path == PACKAGE_DIR / "data"
    assert s.port == 8080 and s.host == "127.0.0.1"
    assert s.index_kind == "auto" and s.embed_backend == "torch"
    assert all(getattr(s, name) == "" for name in TOKEN_SETTINGS)  # admin scopes and the portal disabled
    assert s.trusted_proxies == "" and s.trusted_proxy_set == frozenset()
    assert s.rate_limits == "on" and s.rate_limit_storage == "memory://"
    assert (s.retention_days, s.audit_retention_days, s.rejected_retention_days) == (30, 180, 7)


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
    dotenv.write_text(f"# comment\n\nCATALOG_PORT=7000\nCATALOG_HOST=\"10.0.0.1\"\nCATALOG_ADMIN_READ_TOKEN='{READ}'\n", encoding="utf-8")
    s = load_settings(environ={}, dotenv=dotenv)
    assert (s.port, s.host, s.admin_read_token) == (7000, "10.0.0.1", READ)
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
    samples = {"int": "42", "Path": str(tmp_path), "str": "https://example.org"}
    strong = dict(zip(TOKEN_SETTINGS, (READ, OPERATE, KEYS, PORTAL, INTERNAL), strict=True))
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
        elif f.name == "rate_limits":
            raw = "off"
        elif f.name == "trusted_proxies":
            raw = "10.0.0.1,10.0.0.2"
        elif f.name == "agent_session_hours":
            raw = "12"
        elif f.name == "sms_url":
            raw = "https://sms.example/send"
        elif f.name == "metrics_networks":
            raw = "127.0.0.0/8,10.0.0.0/8"
        elif f.name == "query_trace":
            raw = "off"
        elif f.name == "query_precision":
            raw = "bfloat16"
        elif f.name in strong:
            raw = strong[f.name]
        s = load_settings(environ={"CATALOG_" + f.name.upper(): raw}, dotenv=tmp_path / "absent.env")
        assert str(getattr(s, f.name)) == raw, f.name
        checked.append(f.name)
    assert {"catalog_path", "admin_read_token", "internal_token", "retention_days"} <= set(checked)


@pytest.mark.parametrize("value", ["fr", "en,,zh", "EN"])
def test_compact_langs_must_be_known_languages(value: str, tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="CATALOG_COMPACT_LANGS"):
        load_settings(environ={"CATALOG_COMPACT_LANGS": value}, dotenv=tmp_path / "absent.env")


# -- credentials -------------------------------------------------------------------------------


@pytest.mark.parametrize("source", ["environ", "dotenv"])
def test_the_old_single_admin_token_is_refused_naming_its_replacements(tmp_path: Path, source: str) -> None:
    dotenv = tmp_path / ".env"
    if source == "dotenv":
        dotenv.write_text(f"CATALOG_ADMIN_TOKEN={READ}\n", encoding="utf-8")
    environ = {"CATALOG_ADMIN_TOKEN": READ} if source == "environ" else {}
    with pytest.raises(SettingsError) as caught:
        load_settings(environ=environ, dotenv=dotenv)
    message = str(caught.value)
    assert "CATALOG_ADMIN_TOKEN" in message
    for name in ("CATALOG_ADMIN_READ_TOKEN", "CATALOG_ADMIN_OPERATE_TOKEN", "CATALOG_ADMIN_KEYS_TOKEN"):
        assert name in message
    assert READ not in message  # the value itself is never echoed


def test_an_empty_old_admin_token_is_ignored(tmp_path: Path) -> None:
    assert load_settings(environ={"CATALOG_ADMIN_TOKEN": ""}, dotenv=tmp_path / "absent.env").admin_read_token == ""


def test_scoped_tokens_are_read_from_the_environment(tmp_path: Path) -> None:
    env = {
        "CATALOG_ADMIN_READ_TOKEN": READ,
        "CATALOG_ADMIN_OPERATE_TOKEN": OPERATE,
        "CATALOG_ADMIN_KEYS_TOKEN": KEYS,
        "CATALOG_PORTAL_TOKEN": PORTAL,
        "CATALOG_INTERNAL_TOKEN": f"{INTERNAL}, {READ[::-1]}",
    }
    s = load_settings(environ=env, dotenv=tmp_path / "absent.env")
    assert (s.admin_read_token, s.admin_operate_token, s.admin_keys_token, s.portal_token) == (READ, OPERATE, KEYS, PORTAL)
    assert s.internal_tokens == (INTERNAL, READ[::-1])  # new, old: the first is sent, both accepted


WEAK = {
    "placeholder": "change-me",
    "placeholder-long": "change-me-please-0123456789abcdefghij",
    "password": "Password-9f8e7d6c5b4a3f2e1d0c9b8a7f6e",
    "secret-word": "my-SECRET-9f8e7d6c5b4a3f2e1d0c9b8a7f6e",
    "token-word": "TOKEN-9f8e7d6c5b4a3f2e1d0c9b8a7f6e5d",
    "example": "example-9f8e7d6c5b4a3f2e1d0c9b8a7f6e",
    "31-chars": "9f8e7d6c5b4a3f2e1d0c9b8a7f6e5d4"[:31],
    "one-char": "a" * 64,
    "nine-distinct": "abcdefghi" * 5,
}


@pytest.mark.parametrize("name", TOKEN_SETTINGS)
@pytest.mark.parametrize("value", list(WEAK.values()), ids=list(WEAK))
def test_weak_tokens_are_refused_naming_the_variable(name: str, value: str) -> None:
    with pytest.raises(SettingsError) as caught:
        Settings(**{name: value})
    assert f"CATALOG_{name.upper()}" in str(caught.value)
    assert value not in str(caught.value)


def test_the_strength_limits_are_exact() -> None:
    thirty_two = "9f8e7d6c5b4a3f2e1d0c9b8a7f6e5d4c"
    assert len(thirty_two) == 32
    assert Settings(admin_read_token=thirty_two).admin_read_token == thirty_two
    with pytest.raises(SettingsError, match="too short"):
        Settings(admin_read_token=thirty_two[:31])
    ten_distinct = "0123456789" * 4
    assert Settings(admin_read_token=ten_distinct).admin_read_token == ten_distinct
    with pytest.raises(SettingsError, match="distinct characters"):
        Settings(admin_read_token="012345678" * 4)


def test_a_weak_old_internal_token_is_refused_too(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="CATALOG_INTERNAL_TOKEN"):
        load_settings(environ={"CATALOG_INTERNAL_TOKEN": f"{INTERNAL},change-me"}, dotenv=tmp_path / "absent.env")


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("admin_read_token", "admin_operate_token"),
        ("admin_read_token", "admin_keys_token"),
        ("admin_operate_token", "admin_keys_token"),
        ("admin_read_token", "portal_token"),
        ("admin_keys_token", "portal_token"),
    ],
)
def test_two_scopes_may_not_share_a_token(first: str, second: str) -> None:
    with pytest.raises(SettingsError, match="own token") as caught:
        Settings(**{first: READ, second: READ})
    assert READ not in str(caught.value)


def test_distinct_scope_tokens_are_accepted() -> None:
    s = Settings(admin_read_token=READ, admin_operate_token=OPERATE, admin_keys_token=KEYS, portal_token=PORTAL, internal_token=INTERNAL)
    assert s.internal_tokens == (INTERNAL,)


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("CATALOG_RATE_LIMITS", "maybe", "CATALOG_RATE_LIMITS must be on or off"),
        ("CATALOG_RETENTION_DAYS", "0", "CATALOG_RETENTION_DAYS must be between 1 and 3650"),
        ("CATALOG_AUDIT_RETENTION_DAYS", "4000", "CATALOG_AUDIT_RETENTION_DAYS must be between 1 and 3650"),
        ("CATALOG_REJECTED_RETENTION_DAYS", "-1", "CATALOG_REJECTED_RETENTION_DAYS must be between 1 and 3650"),
        ("CATALOG_RETENTION_DAYS", "a month", "CATALOG_RETENTION_DAYS must be an integer"),
    ],
)
def test_limits_and_retention_are_checked(tmp_path: Path, name: str, value: str, message: str) -> None:
    with pytest.raises(SettingsError, match=message):
        load_settings(environ={name: value}, dotenv=tmp_path / "absent.env")


def test_trusted_proxies_are_a_set() -> None:
    assert Settings(trusted_proxies=" 10.0.0.1, ,10.0.0.2 ").trusted_proxy_set == frozenset({"10.0.0.1", "10.0.0.2"})
