"""Launching, health-waiting, watching and stopping the assistant's processes: the one supervisor code
of ``scripts/stack.py`` (``make run``: one of each, embedded stores) and ``scripts/scaled.py``
(``make run-scaled``: replicas on PostgreSQL, Redis and nginx).

A ``Proc`` is one process: its command, port, health check, environment, and once launched its
``Popen``, log and start time. ``launch`` starts it in a session of its own (Ctrl-C reaches the
supervisor, not the children) with umask 077 and its output in its log; ``wait_healthy`` waits until
each process answers its health check, at most ``timeout`` seconds after its own start, and names the
process and the tail of its log when one exits or stays unhealthy; ``stop`` ends them (SIGTERM to the
group, SIGKILL after 15 s); ``exited`` finds one that stopped by itself. The commands each server runs
(``rasa_argv``, ``actions_argv``, ``catalogue_argv``) are here too, so the Docker images, the embedded
stack and the scaled one run the same ones.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

__all__ = [
    "Proc",
    "StackError",
    "actions_argv",
    "actions_healthy",
    "catalogue_argv",
    "catalogue_healthy",
    "exited",
    "free_port",
    "launch",
    "port_free",
    "port_owner",
    "rasa_argv",
    "rasa_healthy",
    "stop",
    "tail",
    "wait_healthy",
]


class StackError(RuntimeError):
    """A process could not start or did not become healthy; the message says why."""


@dataclass
class Proc:
    name: str
    argv: list[str]
    port: int
    health: Callable[[int], bool]
    env: dict[str, str] = field(default_factory=dict)
    popen: subprocess.Popen[bytes] | None = None
    log: Path | None = None
    launched: float = 0.0  # time.monotonic() of the last start

    @property
    def running(self) -> bool:
        return self.popen is not None and self.popen.poll() is None


# -- the commands ----------------------------------------------------------------------------------


def rasa_argv(
    model: str,
    port: int,
    credentials: str,
    token: str = "$RASA_AUTH_TOKEN",
    host: str = "127.0.0.1",
    rasa: str = "rasa",
    endpoints: str = "bot/endpoints-scaled.yml",
) -> list[str]:
    """``rasa run`` of one server: API on (token), the endpoints, the generated channel credentials."""
    return [
        rasa,
        "run",
        "--enable-api",
        "--auth-token",
        token,
        "--port",
        str(port),
        "-i",
        host,
        "--model",
        model,
        "--credentials",
        credentials,
        "--endpoints",
        endpoints,
        "--logging-config-file",
        "bot/logging.yml",
    ]


def actions_argv(port: int, python: str = "python") -> list[str]:
    return [python, "-m", "actions.server", "--port", str(port)]


def catalogue_argv(port: int, python: str = "python") -> list[str]:
    return [python, "-m", "service_catalog", "serve", "--port", str(port)]


# -- ports and health ------------------------------------------------------------------------------


def port_owner(port: int) -> str:
    """Who listens on a port, as `ss` tells it (best effort)."""
    try:
        out = subprocess.run(["ss", "-ltnpH", f"sport = :{port}"], capture_output=True, text=True, timeout=5).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "unknown process"
    if "users:((" in out:
        users = out.split("users:((", 1)[1].rstrip(")")
        return users.replace('"', "")
    return out or "unknown process"


def port_free(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((host, port))
        except OSError:
            return False
    return True


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _get(url: str, timeout: float = 2.0) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()
    except (urllib.error.URLError, OSError, TimeoutError):
        return 0, b""


def catalogue_healthy(port: int) -> bool:
    status, body = _get(f"http://127.0.0.1:{port}/health")
    return status == 200 and json.loads(body or b"{}").get("status") == "ok"


def actions_healthy(port: int) -> bool:
    return _get(f"http://127.0.0.1:{port}/health")[0] == 200


def rasa_healthy(token: str) -> Callable[[int], bool]:
    """Rasa's /status needs the API token (``--auth-token``)."""

    def healthy(port: int) -> bool:
        status, body = _get(f"http://127.0.0.1:{port}/status?token={token}")
        return status == 200 and bool(json.loads(body or b"{}").get("model_file"))

    return healthy


def tail(path: Path | None, n: int = 20) -> str:
    if path is None or not path.exists():
        return "(no log)"
    lines = path.read_text(errors="replace").splitlines()
    return "\n".join("    " + line for line in lines[-n:])


# -- lifecycle -------------------------------------------------------------------------------------


def launch(
    proc: Proc, log_dir: Path, progress: Callable[[str], None] = lambda s: None, *, append: bool = False, preexec_fn: Callable[[], None] | None = None
) -> Proc:
    """Start ``proc`` with its output in ``log_dir/<name>.log`` (appended to with ``append``).

    Its own session (Ctrl-C reaches the supervisor, which stops the children in order), umask 077
    (databases, logs, index files and keys readable by this user only); ``preexec_fn`` runs in the child
    before the command (the scaled stack's ``die_with_parent``).
    """
    proc.log = log_dir / f"{proc.name}.log"
    with proc.log.open("ab" if append else "wb") as handle:
        proc.popen = subprocess.Popen(
            proc.argv, cwd=ROOT, env=proc.env, stdout=handle, stderr=subprocess.STDOUT, start_new_session=True, umask=0o077, preexec_fn=preexec_fn
        )
    proc.launched = time.monotonic()
    shown = proc.log.relative_to(ROOT) if proc.log.is_relative_to(ROOT) else proc.log
    progress(f"started {proc.name} (pid {proc.popen.pid}) on port {proc.port}, log {shown}")
    return proc


def wait_healthy(
    waiting: Iterable[Proc], timeout: float, progress: Callable[[str], None] = lambda s: None, then: Callable[[Proc], list[Proc]] = lambda p: []
) -> None:
    """Wait until every process is healthy, each at most ``timeout`` seconds after its own start.
    ``then(p)``, called when ``p`` becomes healthy, may launch more, which are waited for too.

    Raises:
        StackError: a process exited, or was not healthy in time (naming it, with its log's last lines).
    """
    waiting = list(waiting)
    while waiting:
        for proc in list(waiting):
            assert proc.popen is not None, f"{proc.name} was not launched"
            if proc.popen.poll() is not None:
                raise StackError(f"the {proc.name} server exited with code {proc.popen.returncode}; last lines of {proc.log}:\n{tail(proc.log)}")
            if proc.health(proc.port):
                waiting.remove(proc)
                progress(f"{proc.name} is healthy")
                waiting.extend(then(proc))
        late = [p for p in waiting if time.monotonic() > p.launched + timeout]
        if late:
            logs = "\n".join(f"  {p.name} ({p.log}):\n{tail(p.log)}" for p in late)
            raise StackError(f"not healthy {timeout:.0f} s after its start: {', '.join(p.name for p in late)}\n{logs}")
        time.sleep(0.5)


def stop(procs: Iterable[Proc], grace: float = 15.0) -> None:
    """SIGTERM to every running process's group (in the order given), then wait; SIGKILL after ``grace`` s."""
    procs = list(procs)
    for proc in procs:
        if proc.running:
            assert proc.popen is not None
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.popen.pid, signal.SIGTERM)
    for proc in procs:
        if proc.popen is None:
            continue
        try:
            proc.popen.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.popen.pid, signal.SIGKILL)
            proc.popen.wait(timeout=5)


def exited(procs: Iterable[Proc]) -> Proc | None:
    """The first launched process that has stopped by itself, if any (the supervisors' watch loop)."""
    return next((p for p in procs if p.popen is not None and p.popen.poll() is not None), None)
