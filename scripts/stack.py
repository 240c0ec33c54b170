"""Start, watch and stop the three processes of the assistant: Rasa, the action server, the catalogue service.

Usage (from the repository root, with .venv's Python):
    .venv/bin/python scripts/stack.py run [--model models/bot-<hash>.tar.gz]

Used by ``make run`` and by the end-to-end tests (``Stack`` below).
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))
# Launching, health checks and stopping are shared with scripts/scaled.py; re-exported for the tests and benchmarks.
from processes import (  # noqa: E402
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

from service_catalog.secrets import shared_secrets  # noqa: E402

__all__ = [
    "CHANNELS",
    "Proc",
    "Stack",
    "StackError",
    "actions_healthy",
    "catalogue_healthy",
    "channel_credentials",
    "free_port",
    "port_free",
    "port_owner",
    "rasa_healthy",
    "tail",
]


# Messaging channels, each enabled when the variable that names its credentials is set (docs/channels.md).
CHANNELS = {
    "WECHAT_TOKEN": "bot.connectors.wechat.WeChatInput",
    "WECOM_TOKEN": "bot.connectors.wecom.WeComInput",
    "TELEGRAM_BOT_TOKEN": "bot.connectors.telegram.TelegramInput",
}


def channel_credentials(env: dict[str, str]) -> str:
    """bot/credentials.yml plus the messaging channels whose credentials are in ``env``."""
    text = (ROOT / "bot" / "credentials.yml").read_text(encoding="utf-8").rstrip() + "\n"
    for variable, channel in CHANNELS.items():
        if env.get(variable):
            text += f"\n# enabled because {variable} is set\n{channel}:\n"
    return text


class Stack:
    """The three processes on chosen ports, with logs under var/log/."""

    def __init__(
        self,
        model: Path,
        rasa_port: int = 5005,
        actions_port: int = 5055,
        catalogue_port: int = 8080,
        log_dir: Path | None = None,
        data_dir: Path | None = None,
        tracker_db: Path | None = None,
        extra_env: dict[str, str] | None = None,
        actions_catalogue_url: str | None = None,
    ) -> None:
        self.model = model
        self.data_dir = data_dir or ROOT / "var"
        self.log_dir = log_dir or self.data_dir / "log"
        self.ports = {"rasa": rasa_port, "actions": actions_port, "catalogue": catalogue_port}
        self.data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        os.chmod(self.data_dir, 0o700)
        base = {**os.environ, "PYTHONUNBUFFERED": "1", "RASA_TELEMETRY_ENABLED": "false", **(extra_env or {})}
        # The shared credentials: from the environment when set, else made once in <data_dir>/secrets/ (0600).
        self.secrets = shared_secrets(self.data_dir, base)
        internal = self.secrets["CATALOG_INTERNAL_TOKEN"]
        base.update(self.secrets)
        base["CATALOG_INTERNAL_TOKEN_CURRENT"] = internal.split(",")[0].strip()
        # Rasa's SQL event broker writes the conversation events here; the catalogue service reads them.
        self.events_db = self.data_dir / "events.db"
        catalogue_env = {
            **base,
            "CATALOG_PORT": str(catalogue_port),
            "CATALOG_RASA_URL": f"http://127.0.0.1:{rasa_port}",
            "CATALOG_DATA_DIR": str(self.data_dir),
            "CATALOG_EVENTS_URL": base.get("CATALOG_EVENTS_URL", f"sqlite:///{self.events_db}"),
        }
        tracker_db = tracker_db or self.data_dir / "rasa-tracker.db"
        base.setdefault("CHANNEL_STORE_URL", f"sqlite:///{self.data_dir / 'channels.db'}")
        credentials = self.data_dir / "credentials.yml"
        credentials.write_text(channel_credentials(base), encoding="utf-8")
        origins = f"http://127.0.0.1:{catalogue_port},http://localhost:{catalogue_port}"
        python = str(ROOT / ".venv/bin/python")
        catalogue_url = actions_catalogue_url or f"http://127.0.0.1:{catalogue_port}"
        self.procs = [
            Proc("catalogue", catalogue_argv(catalogue_port, python), catalogue_port, catalogue_healthy, catalogue_env),
            Proc(
                "actions",
                actions_argv(actions_port, python),
                actions_port,
                actions_healthy,
                {**base, "CATALOG_URL": catalogue_url, "ACTION_SERVER_HOST": "127.0.0.1"},
            ),
            Proc(
                "rasa",
                rasa_argv(str(model), rasa_port, str(credentials), self.rasa_token, rasa=str(ROOT / ".venv-rasa/bin/rasa"), endpoints="bot/endpoints.yml"),
                rasa_port,
                rasa_healthy(self.rasa_token),
                {
                    **base,
                    "ACTION_SERVER_URL": f"http://127.0.0.1:{actions_port}/webhook",
                    "CATALOG_URL": catalogue_url,  # the NLU's head start for search turns (bot/prepare_search.py)
                    "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
                    "RASA_TRACKER_DB": str(tracker_db),
                    "RASA_EVENTS_DB": str(self.events_db),
                    "WIDGET_ORIGINS": base.get("WIDGET_ORIGINS", origins),
                },
            ),
        ]

    @property
    def enabled_channels(self) -> list[str]:
        """The messaging channels this stack runs (by their Rasa class)."""
        env = next(p.env for p in self.procs if p.name == "rasa")
        return [channel for variable, channel in CHANNELS.items() if env.get(variable)]

    @property
    def rasa_token(self) -> str:
        """The token of Rasa's HTTP API (``?token=``)."""
        return self.secrets["RASA_AUTH_TOKEN"]

    @property
    def rest_token(self) -> str:
        """The bearer token of the REST channel (first of the list)."""
        return self.secrets["RASA_REST_TOKEN"].split(",")[0].strip()

    def start(self, timeout: float = 240.0, progress: Callable[[str], None] = lambda s: None) -> None:
        for proc in self.procs:
            if not port_free(proc.port):
                raise StackError(f"port {proc.port} (for the {proc.name} server) is already in use by {port_owner(proc.port)}; stop it or choose another port")
        self.log_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        for proc in self.procs:
            launch(proc, self.log_dir, progress)
        self._wait(list(self.procs), timeout, progress)

    def start_one(self, name: str, timeout: float = 120.0) -> None:
        """Start one stopped process again (its log is appended to) and wait until it is healthy."""
        (proc,) = [p for p in self.procs if p.name == name]
        if proc.running:
            return
        self._wait([launch(proc, self.log_dir, append=True)], timeout, lambda s: None)

    def _wait(self, waiting: list[Proc], timeout: float, progress: Callable[[str], None]) -> None:
        try:
            wait_healthy(waiting, timeout, progress)
        except StackError:
            self.stop()
            raise

    def stop(self) -> None:
        stop_processes(reversed(self.procs))  # Rasa first: no new turns reach the others

    def stop_one(self, name: str) -> None:
        stop_processes(p for p in self.procs if p.name == name)

    def __enter__(self) -> Stack:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("command", choices=["run"])
    parser.add_argument("--model", required=True)
    args = parser.parse_args()
    stack = Stack(Path(args.model))
    started = time.monotonic()
    stop = {"now": False}

    def on_signal(signum: int, frame: object) -> None:
        stop["now"] = True

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    try:
        stack.start(progress=lambda s: print(f"  {s}", flush=True))
    except StackError as exc:
        print(f"\033[31merror:\033[0m {exc}", file=sys.stderr)
        return 1
    r, c = stack.ports["rasa"], stack.ports["catalogue"]
    print(
        f"""
\033[1mThe assistant is ready\033[0m (in {time.monotonic() - started:.0f} s). Ctrl-C stops all three servers.

  Demo portal with the chat widget:  http://127.0.0.1:{c}/
  API documentation:                 http://127.0.0.1:{c}/docs   (OpenAPI: http://127.0.0.1:{c}/openapi.json)
  Rasa REST channel (trusted callers): http://127.0.0.1:{r}/webhooks/rest/webhook
  Credentials (0600):                var/secrets/  (docs/security.md)

  Try it:
    curl -s http://127.0.0.1:{r}/webhooks/rest/webhook -H "Authorization: Bearer $(cat var/secrets/rest-token)" \\
         -H 'Content-Type: application/json' -d '{{"sender": "me", "message": "I lost my job last week"}}'
    curl -s 'http://127.0.0.1:{c}/api/search?q=孩子出生了怎么上户口'

  Logs: var/log/rasa.log, var/log/actions.log, var/log/catalogue.log
""",
        flush=True,
    )
    try:
        while not stop["now"]:
            proc = exited(stack.procs)
            if proc is not None:
                assert proc.popen is not None
                print(
                    f"\033[31merror:\033[0m the {proc.name} server stopped (exit {proc.popen.returncode}); last lines of {proc.log}:\n{tail(proc.log)}",
                    file=sys.stderr,
                )
                stack.stop()
                return 1
            time.sleep(0.5)
    finally:
        print("\nstopping…", flush=True)
        stack.stop()
    print("all three servers stopped.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
