"""The scaled assistant on real engines: PostgreSQL, Redis, an nginx edge, and N replicas of Rasa, the
action server and the catalogue service, all as local processes.

Usage (from the repository root, with .venv's Python; ``make run-scaled`` trains and builds the index first):
    .venv/bin/python scripts/scaled.py run --model models/bot-<hash>.tar.gz [--replicas 2] [--edge-port 8000]

Topology (docs/operations.md draws it)::

    citizen ──► edge (nginx :8000) ──► rasa-1..N (socket.io sticky by address; channel webhooks round robin)
                                  └──► catalogue-1..N (portal, public API)
    rasa-i ──► actions balancer (nginx, loopback) ──► actions-1..N ──► catalogue balancer ──► catalogue-1..N
    rasa-i ──► PostgreSQL (tracker store, event broker), Redis (lock store, channel store)
    catalogue-i ──► PostgreSQL (tickets, handoff tokens, audit, accounts), Redis (reload announcements, rate-limit counters)

The edge alone faces citizens; the three balancers listen on loopback for trusted callers (the REST
channel and Rasa's API through ``rasa_lb_url``; action calls; catalogue calls). Every process writes
its log under ``log_dir``; ``var/run/stack.json`` (``make run-scaled``; the API's default is
``<data_dir>/run/stack.json``) lists each process (role, pid, port).

``ScaledStack`` is the Python API for tests and benchmarks::

    with ScaledStack(model, data_dir, log_dir, replicas=2) as s:    # started on entry
        s.edge_url, s.rasa_urls, s.rasa_lb_url, s.catalogue_urls, s.processes
        s.kill("rasa", 0); s.start_replica("rasa", 0)                # fault injection
        s.restart_postgres(); s.redis.stop(); s.redis.start()

Why this module is long: it is the scaled stack's one supervisor (engines, replicas, the generated edge
configuration, the command line and its fault-injection API), kept together so that the tests, the
benchmarks and ``make run-scaled`` start exactly the same thing.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import signal
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))
from engines import NginxEdge, PostgresCluster, RedisServer, die_with_parent, traversable_tmpdir  # noqa: E402
from processes import (  # noqa: E402  (launching, health-waiting and stopping, shared with scripts/stack.py)
    Proc,
    StackError,
    actions_argv,
    actions_healthy,
    catalogue_argv,
    catalogue_healthy,
    exited,
    free_port,
    launch,
    port_free,
    port_owner,
    rasa_argv,
    rasa_healthy,
    tail,
    wait_healthy,
)
from processes import stop as stop_processes  # noqa: E402
from stack import channel_credentials  # noqa: E402

from service_catalog.secrets import shared_secrets  # noqa: E402

__all__ = ["DEFAULT_PORTS", "ROLES", "ScaledStack", "actions_argv", "catalogue_argv", "edge_config", "rasa_argv"]

ROLES = ("rasa", "actions", "catalogue")
# Fixed ports of `make run-scaled` (replica i listens on base + i); tests and benchmarks take free ones.
DEFAULT_PORTS = {
    "edge": 8000,
    "rasa_lb": 5004,
    "actions_lb": 5054,
    "catalogue_lb": 8079,
    "rasa": 5005,
    "actions": 5055,
    "catalogue": 8080,
    "postgres": 5433,
    "redis": 6380,
}
DATABASES = {"catalogue": "catalog", "tracker": "rasa", "events": "events"}
# PostgreSQL's buffer cache, sized from the working set measured under load (docs/operations.md, "Memory under
# load"): a turn reads only its own conversation and appends to the two event tables, so old pages are never
# read again. At 32 MB the cache is full after the load benchmark's warm-up, as a production database's is once
# it holds more than its cache, and 99% of the blocks the turns ask for are still found in it; with the default
# 128 MB it kept filling with the rows each round wrote (+9.5 MB per 1,000 turns), a leak's shape in a ten-minute run. A
# production server sizes it from its RAM instead (commonly a quarter of a database server's memory).
POSTGRES_SETTINGS = {"shared_buffers": "32MB"}
EDGE_RULES = ROOT / "docker" / "edge.conf"
# What the actions balancer answers for an action when no action server does (rasa-sdk's response format).
NO_ACTION_SERVER = json.dumps({"events": [], "responses": [{"response": "utter_catalogue_down"}]})


# The commands each replica runs (rasa_argv, actions_argv, catalogue_argv) are scripts/processes.py's; the Docker
# images run the same ones (tests/scaled/test_deployment.py).


# A replica is taken out of rotation after 3 failed attempts (refused or timed out) and tried again after
# 2 s: one slow turn does not empty the pool (the load benchmark's 502s), and a restarted replica is back soon.
UPSTREAM_MAX_FAILS = 3
UPSTREAM_FAIL_TIMEOUT_S = 2


def edge_config(
    edge_port: int, rasa: list[int], actions: list[int], catalogue: list[int], lb: dict[str, int], *, rate_limits: bool = True, listen: str = "127.0.0.1"
) -> str:
    """The local nginx.conf: upstreams of local replicas, the public edge (docker/edge.conf's rules) and
    three balancers on loopback for trusted callers. ``rate_limits=False`` (benchmarks of raw capacity
    from one address) gives the limit zones an empty key, which nginx does not count."""

    def servers(ports: list[int], extra: str = "") -> str:
        return extra + " ".join(f"server 127.0.0.1:{p} max_fails={UPSTREAM_MAX_FAILS} fail_timeout={UPSTREAM_FAIL_TIMEOUT_S}s;" for p in ports)

    key = "$binary_remote_addr" if rate_limits else '""'
    proxied = 'proxy_http_version 1.1; proxy_set_header Connection ""; proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for; proxy_read_timeout 120s;'
    return f"""# generated by scripts/scaled.py: do not edit (the rules are docker/edge.conf)
worker_processes 1;
events {{ worker_connections 4096; }}
http {{
  server_tokens off;
  upstream rasa_sticky {{ {servers(rasa, "ip_hash; ")} }}
  upstream rasa {{ {servers(rasa)} keepalive 32; }}
  upstream actions {{ {servers(actions)} keepalive 32; }}
  upstream catalogue {{ {servers(catalogue)} keepalive 32; }}
  # A search turn and the NLU's request to prepare its words (X-Search-Key, a hash of them) go to one replica, which
  # then finds the words' vector made (bot/prepare_search.py); other catalogue calls are spread evenly.
  upstream catalogue_by_words {{ {servers(catalogue, "hash $http_x_search_key consistent; ")} keepalive 32; }}

  map $http_upgrade $edge_connection_upgrade {{ default upgrade; "" close; }}
  map $remote_addr $edge_limit_key {{ default {key}; }}
  limit_req_zone $edge_limit_key zone=api:10m rate=5r/s;
  limit_req_zone $edge_limit_key zone=chat:10m rate=2r/s;
  limit_req_zone $edge_limit_key zone=pages:10m rate=10r/s;
  limit_req_status 429;

  # The public edge.
  server {{
    listen {listen}:{edge_port};
    include {EDGE_RULES};
  }}
  # Balancers for trusted callers, loopback only: the REST channel and Rasa's API, action calls, catalogue calls.
  # A replica that refuses connections is skipped (proxy_next_upstream); a request it already took is not retried.
  server {{ listen 127.0.0.1:{lb["rasa_lb"]}; client_max_body_size 1m; location / {{ proxy_pass http://rasa; {proxied} }} }}
  # No action server answers: Rasa gets an action result that apologises instead of a dead end (no reply at all).
  server {{
    listen 127.0.0.1:{lb["actions_lb"]}; client_max_body_size 1m;
    location / {{ proxy_pass http://actions; {proxied} error_page 502 503 504 = @no_action_server; }}
    location @no_action_server {{ default_type application/json; return 200 '{NO_ACTION_SERVER}'; }}
  }}
  server {{
    listen 127.0.0.1:{lb["catalogue_lb"]}; client_max_body_size 1m;
    location / {{ proxy_pass http://catalogue; {proxied} }}
    location ~ ^/api/search/(turn|prepare)$ {{ proxy_pass http://catalogue_by_words; {proxied} }}
  }}
}}
"""


# -- the stack ----------------------------------------------------------------------------------------


@dataclass
class Replica(Proc):
    """One replica: scripts/processes.py's process record plus its role and 0-based index."""

    role: str = ""
    index: int = 0


class ScaledStack:
    """PostgreSQL, Redis, the nginx edge and ``replicas`` of each of Rasa, actions and catalogue.

    Args:
        model: the trained Rasa model (``scripts/train.sh`` prints its path).
        data_dir: secrets, the catalogue's shared files (index, signing keys), credentials, ``run/stack.json``,
            and by default the PostgreSQL cluster and Redis folders.
        log_dir: one log per process (default ``data_dir/log``).
        replicas: how many of each of Rasa, actions and catalogue.
        ports: overrides of ``DEFAULT_PORTS``; ``free_ports=True`` (the default, for tests) takes free ones instead.
        engines_dir: where PostgreSQL and Redis keep their files (default ``data_dir``); as root it must be
            traversable by the ``postgres`` user (``engines.traversable_tmpdir()``).
        edge_rate_limits: False for capacity benchmarks from one address.
        durable: False turns off PostgreSQL's fsync (tests only).
        extra_env: more variables for every process (a messaging platform's credentials, admin tokens).

    The context manager starts the stack on entry and stops it on exit. Start and stop from the main thread:
    children are tied to the thread that started them (they get SIGTERM when it ends).
    """

    def __init__(
        self,
        model: Path,
        data_dir: Path,
        log_dir: Path | None = None,
        replicas: int = 2,
        *,
        ports: dict[str, int] | None = None,
        free_ports: bool = True,
        engines_dir: Path | None = None,
        edge_rate_limits: bool = True,
        durable: bool = True,
        extra_env: dict[str, str] | None = None,
        run_file: Path | None = None,
    ) -> None:
        if replicas < 1:
            raise ValueError(f"replicas must be at least 1, got {replicas}")
        self.model = Path(model)
        self.data_dir = Path(data_dir).resolve()
        self.log_dir = Path(log_dir or self.data_dir / "log").resolve()
        self.replicas = replicas
        self.data_dir.mkdir(parents=True, exist_ok=True)
        # 0711 as root: the postgres user must traverse it to reach its cluster; nobody can list it.
        os.chmod(self.data_dir, 0o711 if os.geteuid() == 0 else 0o700)
        self.engines_dir = Path(engines_dir or self.data_dir).resolve()
        if os.geteuid() == 0:  # PostgreSQL runs as `postgres`: it must traverse the folders above its cluster in the repository (var/)
            for folder in self.engines_dir.parents:
                if folder == ROOT or not folder.is_relative_to(ROOT):
                    break
                os.chmod(folder, folder.stat().st_mode | 0o011)
        self.ports = self._choose_ports(ports or {}, free_ports)
        self.edge_rate_limits = edge_rate_limits
        self.run_file = Path(run_file).resolve() if run_file else self.data_dir / "run" / "stack.json"

        base = {**os.environ, "PYTHONUNBUFFERED": "1", "RASA_TELEMETRY_ENABLED": "false", "HF_HUB_OFFLINE": "1", **(extra_env or {})}
        self.secrets = shared_secrets(self.data_dir, base)
        base.update(self.secrets)
        base["CATALOG_INTERNAL_TOKEN_CURRENT"] = self.secrets["CATALOG_INTERNAL_TOKEN"].split(",")[0].strip()
        self._base = base

        self.postgres = PostgresCluster(self.engines_dir / "postgres", self.ports["postgres"], durable=durable, settings=POSTGRES_SETTINGS)
        self.redis = RedisServer(self.engines_dir / "redis", self.ports["redis"])
        self.edge = NginxEdge(
            self.data_dir / "edge",
            edge_config(
                self.ports["edge"],
                self._replica_ports("rasa"),
                self._replica_ports("actions"),
                self._replica_ports("catalogue"),
                self.ports,
                rate_limits=edge_rate_limits,
            ),
        )
        self.procs: dict[tuple[str, int], Replica] = {}
        self._started = False

    # -- ports and URLs ---------------------------------------------------------------------------------

    def _choose_ports(self, given: dict[str, int], free: bool) -> dict[str, int]:
        unknown = set(given) - set(DEFAULT_PORTS)
        if unknown:
            raise ValueError(f"unknown port name(s) {sorted(unknown)}; known: {sorted(DEFAULT_PORTS)}")
        ports = dict(DEFAULT_PORTS)
        if free:
            ports = {name: free_port() for name in ports}
            for role in ROLES:  # replica i listens on base + i: pick a base whose next ports are free too
                ports[role] = next(p for p in iter(free_port, 0) if all(port_free(p + i) for i in range(self.replicas)))
        ports.update(given)
        return ports

    def _replica_ports(self, role: str) -> list[int]:
        return [self.ports[role] + i for i in range(self.replicas)]

    @property
    def edge_url(self) -> str:
        """The public edge: portal, public API, socket.io, channel webhooks."""
        return f"http://127.0.0.1:{self.ports['edge']}"

    @property
    def rasa_lb_url(self) -> str:
        """Round robin over the Rasa replicas (loopback, trusted callers): the REST channel, Rasa's API."""
        return f"http://127.0.0.1:{self.ports['rasa_lb']}"

    @property
    def catalogue_lb_url(self) -> str:
        return f"http://127.0.0.1:{self.ports['catalogue_lb']}"

    @property
    def actions_lb_url(self) -> str:
        return f"http://127.0.0.1:{self.ports['actions_lb']}"

    @property
    def rasa_urls(self) -> list[str]:
        return [f"http://127.0.0.1:{p}" for p in self._replica_ports("rasa")]

    @property
    def actions_urls(self) -> list[str]:
        return [f"http://127.0.0.1:{p}" for p in self._replica_ports("actions")]

    @property
    def catalogue_urls(self) -> list[str]:
        return [f"http://127.0.0.1:{p}" for p in self._replica_ports("catalogue")]

    @property
    def rasa_token(self) -> str:
        """The token of Rasa's HTTP API (``?token=``)."""
        return self.secrets["RASA_AUTH_TOKEN"]

    @property
    def rest_token(self) -> str:
        """The bearer token of the REST channel (first of the list)."""
        return self.secrets["RASA_REST_TOKEN"].split(",")[0].strip()

    @property
    def internal_token(self) -> str:
        return self._base["CATALOG_INTERNAL_TOKEN_CURRENT"]

    @property
    def processes(self) -> list[dict[str, Any]]:
        """One entry per running process: ``{"role", "pid", "port"}`` (also in ``run/stack.json``)."""
        out: list[dict[str, Any]] = []
        if self.postgres.pid is not None:
            out.append({"role": "postgres", "pid": self.postgres.pid, "port": self.ports["postgres"]})
        if self.redis.pid is not None:
            out.append({"role": "redis", "pid": self.redis.pid, "port": self.ports["redis"]})
        for (role, i), proc in sorted(self.procs.items(), key=lambda kv: (ROLES.index(kv[0][0]), kv[0][1])):
            if proc.popen is not None and proc.popen.poll() is None:
                out.append({"role": role, "pid": proc.popen.pid, "port": proc.port, "replica": i + 1})
        if self.edge.pid is not None:
            out.append({"role": "edge", "pid": self.edge.pid, "port": self.ports["edge"]})
        return out

    # -- environment of each role --------------------------------------------------------------------------

    def _env(self, role: str) -> dict[str, str]:
        pg, base = self.postgres, self._base
        edge = self.edge_url
        if role == "catalogue":
            return {
                **base,
                "CATALOG_DATA_DIR": str(self.data_dir / "catalogue"),
                "CATALOG_DATABASE_URL": pg.url_for(DATABASES["catalogue"]),
                "CATALOG_EVENTS_URL": base.get("CATALOG_EVENTS_URL", pg.url_for(DATABASES["events"])),
                "CATALOG_REDIS_URL": self.redis.url(3),
                # Rate-limit counters shared by the replicas: a limit holds for all of them together.
                "CATALOG_RATE_LIMIT_STORAGE": base.get("CATALOG_RATE_LIMIT_STORAGE", self.redis.url(4)),
                # Every replica signs and verifies handoff links as the edge, with the keys in the shared folder.
                "CATALOG_PUBLIC_URL": base.get("CATALOG_PUBLIC_URL", edge),
                "CATALOG_RASA_URL": base.get("CATALOG_RASA_URL", edge),
                "CATALOG_RASA_API_URL": base.get("CATALOG_RASA_API_URL", self.rasa_lb_url),  # the console takes over here
                "CATALOG_TRUSTED_PROXIES": "127.0.0.1",
            }
        if role == "actions":
            return {**base, "CATALOG_URL": self.catalogue_lb_url, "ACTION_SERVER_HOST": "127.0.0.1"}
        return {
            **base,
            "ACTION_SERVER_URL": f"{self.actions_lb_url}/webhook",
            "CATALOG_URL": self.catalogue_lb_url,  # the NLU's head start for search turns (bot/prepare_search.py)
            "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
            "POSTGRES_HOST": "127.0.0.1",
            "POSTGRES_PORT": str(pg.port),
            "POSTGRES_DB": DATABASES["tracker"],
            "POSTGRES_EVENTS_DB": DATABASES["events"],
            "POSTGRES_USER": pg.user,
            "POSTGRES_PASSWORD": pg.password,
            "REDIS_HOST": "127.0.0.1",
            "REDIS_PORT": str(self.redis.port),
            "REDIS_PASSWORD": self.redis.password,
            "CHANNEL_STORE_URL": self.redis.url(2),
            "TRUSTED_PROXIES": "127.0.0.1",
            "WIDGET_ORIGINS": base.get("WIDGET_ORIGINS", f"{edge},http://localhost:{self.ports['edge']}"),
        }

    def _proc(self, role: str, i: int) -> Replica:
        port = self.ports[role] + i
        python = str(ROOT / ".venv/bin/python")
        if role == "rasa":
            credentials = self.data_dir / "credentials.yml"
            argv = rasa_argv(str(self.model), port, str(credentials), self.rasa_token, rasa=str(ROOT / ".venv-rasa/bin/rasa"))
            health = rasa_healthy(self.rasa_token)
        elif role == "actions":
            argv, health = actions_argv(port, python), actions_healthy
        else:
            argv, health = catalogue_argv(port, python), catalogue_healthy
        return Replica(f"{role}-{i + 1}", argv, port, health, self._env(role), role=role, index=i)

    # -- lifecycle ------------------------------------------------------------------------------------------

    def start(self, timeout: float = 300.0, progress: Callable[[str], None] = lambda s: None) -> None:
        """Engines first, then the first replica of each role, then the others, then the edge.

        The first replicas create the schemas (Rasa's tracker tables, the catalogue's migrations) before
        the others start, so no two replicas race to create the same table.
        """
        self._stop_leftovers(progress)
        for name, port in self.ports.items():
            if name not in ROLES and name != "postgres" and not port_free(port):
                raise StackError(f"port {port} (for {name}) is already in use by {port_owner(port)}; stop it or choose another port")
        for role in ROLES:
            for port in self._replica_ports(role):
                if not port_free(port):
                    raise StackError(f"port {port} (for a {role} replica) is already in use by {port_owner(port)}; stop it or choose another port")
        self.log_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        self._started = True
        try:
            self.postgres.init()
            self.postgres.start()
            for database in DATABASES.values():
                self.postgres.create_database(database, exist_ok=True)
            progress(f"postgres is ready on 127.0.0.1:{self.postgres.port} (pid {self.postgres.pid})")
            self.redis.start()
            progress(f"redis is ready on 127.0.0.1:{self.redis.port} (pid {self.redis.pid})")
            (self.data_dir / "catalogue").mkdir(mode=0o700, exist_ok=True)
            self._share_index()
            (self.data_dir / "credentials.yml").write_text(channel_credentials(self._env("rasa")), encoding="utf-8")
            # A role's other replicas start as soon as its first is healthy.
            firsts = [self._launch(role, 0, progress) for role in ROLES]
            self._wait(firsts, timeout, progress, then=lambda p: [self._launch(p.role, i, progress) for i in range(1, self.replicas)] if p.index == 0 else [])
            self.edge.start(self.ports["edge"])
            progress(f"edge is ready on {self.edge_url} (pid {self.edge.pid})")
        except BaseException:
            self.stop()
            raise
        self._write_run_file()

    def _share_index(self) -> None:
        """The catalogue replicas share one data folder; the index built by ``make`` (var/index) is copied
        in when this stack's folder has none, so the replicas load it instead of each building it."""
        target = self.data_dir / "catalogue" / "index"
        built = ROOT / "var" / "index"
        if not target.exists() and built.is_dir() and built.resolve() != target.resolve():
            shutil.copytree(built, target)

    def _launch(self, role: str, i: int, progress: Callable[[str], None], append: bool = False) -> Replica:
        proc = self.procs.get((role, i)) or self._proc(role, i)
        self.procs[(role, i)] = proc
        # SIGTERM when this process dies (no orphans), besides processes.launch's own session and umask 077.
        launch(proc, self.log_dir, progress, append=append, preexec_fn=die_with_parent)
        return proc

    def _wait(self, waiting: list[Replica], timeout: float, progress: Callable[[str], None], then: Callable[[Replica], list[Replica]] = lambda p: []) -> None:
        """Wait until every process is healthy, each at most ``timeout`` seconds after its start; ``then(p)``
        may start more, which are waited for too."""
        wait_healthy(waiting, timeout, progress, then=lambda p: list(then(p)) if isinstance(p, Replica) else [])

    def _write_run_file(self) -> None:
        self.run_file.parent.mkdir(mode=0o700, exist_ok=True)
        temporary = self.run_file.with_suffix(".tmp")
        temporary.write_text(json.dumps(self.processes, indent=1) + "\n", encoding="utf-8")
        temporary.replace(self.run_file)

    def _stop_leftovers(self, progress: Callable[[str], None]) -> None:
        """Processes a crashed earlier run of this data folder left behind (by ``run/stack.json``) are stopped."""
        try:
            entries = json.loads(self.run_file.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return
        for entry in entries:
            pid = int(entry.get("pid", 0))
            if entry.get("role") == "postgres" or pid <= 0:
                continue  # PostgreSQL is stopped through pg_ctl below
            with contextlib.suppress(ProcessLookupError, PermissionError):
                cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace")
                if any(word in cmdline for word in ("rasa", "actions.server", "service_catalog", "redis-server", "nginx")):
                    progress(f"stopping pid {pid} ({entry.get('role')}) left by an earlier run")
                    os.killpg(pid, signal.SIGTERM)
        if self.postgres.initialised and self.postgres.is_running():
            self.postgres.stop()
        self.run_file.unlink(missing_ok=True)

    def stop(self) -> None:
        """Edge first (no new requests), then the replicas, then Redis and PostgreSQL."""
        if not self._started:
            return
        self.edge.stop()
        stop_processes(self.procs.values())
        self.redis.stop()
        self.postgres.stop()
        self.run_file.unlink(missing_ok=True)
        self._started = False

    # -- fault injection ---------------------------------------------------------------------------------

    def proc(self, role: str, index: int) -> Replica:
        """Replica ``index`` (0-based) of ``role``."""
        return self.procs[(role, index)]

    def kill(self, role: str, index: int, signum: int = signal.SIGKILL) -> None:
        """Kill one replica (SIGKILL by default: a crash, no shutdown work) and wait until it is gone."""
        proc = self.proc(role, index)
        if proc.popen is not None and proc.popen.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.popen.pid, signum)
            proc.popen.wait(timeout=30)
        self._write_run_file()

    def start_replica(self, role: str, index: int, timeout: float = 240.0) -> None:
        """Start a stopped replica again (its log is appended to) and wait until it is healthy."""
        proc = self.proc(role, index)
        if proc.popen is not None and proc.popen.poll() is None:
            return
        self._wait([self._launch(role, index, lambda s: None, append=True)], timeout, lambda s: None)
        self._write_run_file()

    def restart_postgres(self) -> None:
        """Stop PostgreSQL (fast: clients are cut off) and start it again."""
        self.postgres.restart()
        self._write_run_file()

    def __enter__(self) -> ScaledStack:
        if not self._started:
            self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


# -- make run-scaled ------------------------------------------------------------------------------------


def _banner(s: ScaledStack, seconds: float) -> str:
    rel = s.data_dir.relative_to(ROOT) if s.data_dir.is_relative_to(ROOT) else s.data_dir
    counts = f"{s.replicas} × Rasa, {s.replicas} × actions, {s.replicas} × catalogue"
    return f"""
\033[1mThe scaled assistant is ready\033[0m (in {seconds:.0f} s): {counts}, PostgreSQL, Redis, nginx.
Ctrl-C stops everything.

  Public edge (portal, widget, public API, channel webhooks): {s.edge_url}/
  API documentation:                                         {s.edge_url}/docs
  Rasa REST channel and API, balanced (trusted callers):     {s.rasa_lb_url}/webhooks/rest/webhook
  Rasa replicas:      {", ".join(s.rasa_urls)}
  Action servers:     {", ".join(s.actions_urls)}  (balanced: {s.actions_lb_url})
  Catalogue replicas: {", ".join(s.catalogue_urls)}  (balanced: {s.catalogue_lb_url})
  PostgreSQL:         127.0.0.1:{s.ports["postgres"]} (databases {", ".join(DATABASES.values())}; password in {s.postgres.data_dir}/password)
  Redis:              127.0.0.1:{s.ports["redis"]} (password in {s.redis.data_dir}/password)
  Processes:          {s.run_file.relative_to(ROOT) if s.run_file.is_relative_to(ROOT) else s.run_file}      Logs: {s.log_dir}/
  Credentials (0600): {rel}/secrets/  (docs/security.md)

  Try it:
    curl -s {s.rasa_lb_url}/webhooks/rest/webhook -H "Authorization: Bearer $(cat {rel}/secrets/rest-token)" \\
         -H 'Content-Type: application/json' -d '{{"sender": "me", "message": "I lost my job last week"}}'
"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", choices=["run", "credentials"], help="run: start the stack; credentials: write Rasa's channel credentials (the Rasa image)")
    parser.add_argument("--model")
    parser.add_argument("--out", type=Path, help="credentials: the file to write")
    parser.add_argument("--replicas", type=int, default=2)
    parser.add_argument("--data-dir", type=Path, default=ROOT / "var" / "scaled")
    parser.add_argument("--run-file", type=Path, default=ROOT / "var" / "run" / "stack.json", help="where the process list is written (role, pid, port)")
    for name, port in DEFAULT_PORTS.items():
        if name not in ROLES:
            parser.add_argument(f"--{name.replace('_', '-')}-port", type=int, default=port, dest=name)
    args = parser.parse_args()
    if args.command == "credentials":
        if args.out is None:
            parser.error("credentials needs --out PATH")
        args.out.write_text(channel_credentials(dict(os.environ)), encoding="utf-8")
        return 0
    if not args.model:
        parser.error("run needs --model (scripts/train.sh prints it)")
    ports = {name: getattr(args, name) for name in DEFAULT_PORTS if name not in ROLES}
    stack = ScaledStack(Path(args.model), args.data_dir, replicas=args.replicas, ports=ports, free_ports=False, run_file=args.run_file)
    stop = {"now": False}

    def on_signal(signum: int, frame: object) -> None:
        stop["now"] = True

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    started = time.monotonic()
    try:
        stack.start(progress=lambda s: print(f"  {s}", flush=True))
    except (StackError, RuntimeError) as exc:
        print(f"\033[31merror:\033[0m {exc}", file=sys.stderr)
        return 1
    print(_banner(stack, time.monotonic() - started), flush=True)
    try:
        while not stop["now"]:
            proc = exited(stack.procs.values())
            if proc is not None:
                assert proc.popen is not None
                print(f"\033[31merror:\033[0m {proc.name} stopped (exit {proc.popen.returncode}); last lines of {proc.log}:\n{tail(proc.log)}", file=sys.stderr)
                return 1
            time.sleep(0.5)
    finally:
        print("\nstopping…", flush=True)
        stack.stop()
    print("everything stopped.")
    return 0


@contextlib.contextmanager
def engines_tmpdir() -> Iterator[Path]:
    """A 0711 folder for PostgreSQL and Redis (tests as root), removed afterwards."""
    path = traversable_tmpdir("scaled-engines-")
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
