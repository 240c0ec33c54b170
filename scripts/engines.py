"""Real database and cache engines from Debian's packages, started as local processes for the scaled stack and the tests.

Why this module exists: the scaled assistant (``make run-scaled``) and the test suite need a real PostgreSQL
(and later Redis and nginx) without a Docker engine. Each engine is a small class that owns one data folder,
starts and stops its server, and says what it is doing on stderr.

PostgreSQL refuses to run as root, and CI runs as root. As root, every PostgreSQL program runs as the Debian
``postgres`` user (``runuser -u postgres -- ...``) and the cluster folder is handed to that user; the folders
above it must be traversable by it (mode 0711 or wider), which :func:`traversable_tmpdir` provides.

Layout of a cluster folder (``data_dir``)::

    data_dir/pgdata/         the cluster (PGDATA, made by initdb)
    data_dir/.s.PGSQL.<port> the unix socket (only the owner of data_dir can reach it)
    data_dir/password        the generated password of the ``catalog`` role (0600)
    data_dir/postgres.log    the server's log

Connections over TCP are accepted on 127.0.0.1 only and need the password (scram-sha-256); connections over
the unix socket are trusted, which is safe because the socket lies inside the 0700 cluster folder.

No project imports: this file is used by scripts/stack.py and tests/ alike.

RedisServer and NginxEdge (for scripts/scaled.py) run redis-server and nginx in the foreground, in their own
process group, tied to the starting process (``die_with_parent``), with their own folders and passwords.

Why this module is long: it holds every engine the scaled stack and the tests start (PostgreSQL, Redis, nginx),
each with the set-up its Debian package needs to run unprivileged and self-contained; one engine per class.
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

__all__ = ["EngineError", "NginxEdge", "PostgresCluster", "RedisServer", "die_with_parent", "pg_bindir", "traversable_tmpdir"]


class EngineError(RuntimeError):
    """An engine could not be set up, started or stopped; the message says why and what to do."""


def _say(engine: str, message: str) -> None:
    print(f"[{engine}] {message}", file=sys.stderr, flush=True)


def pg_bindir() -> Path:
    """The newest installed PostgreSQL's bin folder (Debian: /usr/lib/postgresql/<version>/bin).

    ``PG_BINDIR`` overrides the search; otherwise ``initdb`` on PATH is the last resort.
    """
    if override := os.environ.get("PG_BINDIR"):
        return Path(override)
    versions = [p for p in Path("/usr/lib/postgresql").glob("*/bin") if (p / "initdb").exists()]
    if versions:
        return max(versions, key=lambda p: int(p.parent.name) if p.parent.name.isdigit() else 0)
    found = shutil.which("initdb")
    if found:
        return Path(found).parent
    raise EngineError("PostgreSQL is not installed: no /usr/lib/postgresql/*/bin/initdb (Debian: apt-get install postgresql-15)")


def traversable_tmpdir(prefix: str = "catalog-engines-") -> Path:
    """A fresh folder under the system temp dir with mode 0711, so the ``postgres`` user can reach what is inside.

    pytest's own temp folders are 0700 and owned by root; a cluster placed there could not be started as
    ``postgres``. The caller removes the folder when done (``shutil.rmtree``).
    """
    path = Path(tempfile.mkdtemp(prefix=prefix))
    path.chmod(0o711)
    return path


_DB_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


class PostgresCluster:
    """One PostgreSQL cluster in ``data_dir``, listening on 127.0.0.1:``port``.

    Example::

        pg = PostgresCluster(Path("var/postgres"), 5433)
        pg.init()                          # once; a no-op when the cluster exists
        pg.start()
        url = pg.create_database("catalog_test")
        ...
        pg.stop()

    Args:
        data_dir: the cluster folder (created; see the module docstring for its layout).
        port: the TCP port on 127.0.0.1.
        user: the role that owns the databases (the cluster's superuser).
        durable: False turns off fsync and synchronous commit: much faster for tests, but a crash of the
            machine (not of PostgreSQL) may lose data. Keep True for anything that matters.
        settings: server settings given at every start (``-c name=value``), so they hold for a cluster that
            exists already too: e.g. ``{"shared_buffers": "32MB"}`` (scripts/scaled.py says why it sets that).
    """

    def __init__(self, data_dir: Path, port: int, *, user: str = "catalog", durable: bool = True, settings: dict[str, str] | None = None) -> None:
        self.data_dir = Path(data_dir).resolve()
        self.port = port
        self.user = user
        self.durable = durable
        self.settings = dict(settings or {})
        for name, value in self.settings.items():
            if not re.fullmatch(r"[a-z_]+", name) or not re.fullmatch(r"[A-Za-z0-9._]+", value):
                raise EngineError(f"PostgreSQL setting {name}={value!r}: use a setting name and a plain value such as 32MB")
        self.bindir = pg_bindir()
        self.pgdata = self.data_dir / "pgdata"
        self.log_file = self.data_dir / "postgres.log"
        self._password_file = self.data_dir / "password"
        self._as_root = os.geteuid() == 0

    # -- running programs -------------------------------------------------------------------------------

    def _argv(self, program: str, *args: str) -> list[str]:
        argv = [str(self.bindir / program), *args]
        return ["runuser", "-u", "postgres", "--", *argv] if self._as_root else argv

    def _run(self, program: str, *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
        argv = self._argv(program, *args)
        # cwd: the postgres user may not be allowed into the caller's folder (initdb warns, psql fails).
        proc = subprocess.run(argv, cwd="/", capture_output=True, text=True, timeout=timeout, env={**os.environ, "LC_ALL": "C.UTF-8"})
        if proc.returncode != 0:
            raise EngineError(
                f"{program} {' '.join(args[:3])} failed (exit {proc.returncode}):\n{proc.stderr.strip() or proc.stdout.strip()}\n{self._log_tail()}"
            )
        return proc

    def _log_tail(self, n: int = 15) -> str:
        try:
            lines = self.log_file.read_text(errors="replace").splitlines()[-n:]
        except OSError:
            return ""
        return "server log (" + str(self.log_file) + "):\n" + "\n".join("    " + line for line in lines) if lines else ""

    # -- lifecycle --------------------------------------------------------------------------------------

    @property
    def initialised(self) -> bool:
        return (self.pgdata / "PG_VERSION").exists()

    def init(self) -> None:
        """Create the cluster (UTF8, the ``user`` superuser with a generated password); a no-op if it exists."""
        if self.initialised:
            _say("postgres", f"cluster exists in {self.pgdata}")
            return
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.data_dir.chmod(0o700)
        password = secrets.token_urlsafe(24)
        self._password_file.write_text(password + "\n", encoding="utf-8")
        self._password_file.chmod(0o600)
        if self._as_root:
            shutil.chown(self.data_dir, "postgres", "postgres")
            shutil.chown(self._password_file, "postgres", "postgres")
            probe = subprocess.run(["runuser", "-u", "postgres", "--", "test", "-w", str(self.data_dir)], capture_output=True)
            if probe.returncode != 0:
                raise EngineError(
                    f"the postgres user cannot reach {self.data_dir}: a folder above it is not traversable "
                    "(mode 0700?). Put the cluster under a folder with mode 0711, e.g. engines.traversable_tmpdir()."
                )
        _say("postgres", f"initdb {self.pgdata} ({self.bindir.parent.name})")
        self._run(
            "initdb",
            "--pgdata",
            str(self.pgdata),
            "--username",
            self.user,
            "--pwfile",
            str(self._password_file),
            "--auth-local=trust",
            "--auth-host=scram-sha-256",
            "--encoding=UTF8",
            "--locale=C.UTF-8",
            "--no-instructions",
        )
        settings = {
            "listen_addresses": "'127.0.0.1'",
            "unix_socket_directories": f"'{self.data_dir}'",
            "port": str(self.port),
            "max_connections": "200",
            "log_line_prefix": "'%m [%p] %q%u@%d '",
        }
        if not self.durable:
            settings |= {"fsync": "off", "synchronous_commit": "off", "full_page_writes": "off"}
        conf = self.pgdata / "postgresql.conf"
        with conf.open("a", encoding="utf-8") as f:
            f.write("\n# written by scripts/engines.py\n" + "".join(f"{k} = {v}\n" for k, v in settings.items()))
        # Only 127.0.0.1 over TCP (no IPv6, no other hosts); the socket is private to the cluster folder.
        (self.pgdata / "pg_hba.conf").write_text(
            "# written by scripts/engines.py\nlocal all all trust\nhost all all 127.0.0.1/32 scram-sha-256\n",
            encoding="utf-8",
        )

    @property
    def password(self) -> str:
        return self._password_file.read_text(encoding="utf-8").strip()

    @property
    def pid(self) -> int | None:
        """The postmaster's process id while it runs (first line of postmaster.pid), else None."""
        try:
            return int((self.pgdata / "postmaster.pid").read_text().split("\n", 1)[0])
        except (OSError, ValueError):
            return None

    def is_running(self) -> bool:
        if not self.initialised:
            return False
        return subprocess.run(self._argv("pg_ctl", "status", "--pgdata", str(self.pgdata)), cwd="/", capture_output=True).returncode == 0

    def start(self) -> None:
        """Start the server and wait until it accepts connections."""
        if not self.initialised:
            raise EngineError(f"no cluster in {self.pgdata}: call init() first")
        if self.is_running():
            _say("postgres", f"already running (pid {self.pid}) on 127.0.0.1:{self.port}")
            return
        _say("postgres", f"starting on 127.0.0.1:{self.port}, log {self.log_file}")
        options = " ".join([f"-p {self.port}", *(f"-c {name}={value}" for name, value in self.settings.items())])
        self._run("pg_ctl", "start", "--pgdata", str(self.pgdata), "--log", str(self.log_file), "--wait", "--timeout", "90", "-o", options)
        _say("postgres", f"ready (pid {self.pid})")

    def stop(self, mode: str = "fast") -> None:
        """Stop the server (``fast``: roll back open transactions and disconnect clients); a no-op if stopped."""
        if not self.is_running():
            return
        _say("postgres", f"stopping (pid {self.pid}, mode {mode})")
        self._run("pg_ctl", "stop", "--pgdata", str(self.pgdata), "--mode", mode, "--wait", "--timeout", "90")

    def restart(self) -> None:
        """Stop then start: every client connection is cut, as in a real database restart."""
        self.stop()
        self.start()

    def __enter__(self) -> PostgresCluster:
        self.init()
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- databases --------------------------------------------------------------------------------------

    def psql(self, sql: str, database: str = "postgres") -> str:
        """Run SQL as the superuser over the unix socket; returns psql's unaligned output."""
        out = self._run(
            "psql", "--no-psqlrc", "-h", str(self.data_dir), "-p", str(self.port), "-U", self.user, "-d", database, "-v", "ON_ERROR_STOP=1", "-qAt", "-c", sql
        )
        return out.stdout

    def create_database(self, name: str, *, exist_ok: bool = False) -> str:
        """Create a database owned by ``user`` and return its URL."""
        if not _DB_NAME.match(name):
            raise EngineError(f"database name {name!r}: use lowercase letters, digits and _ (at most 63)")
        exists = self.psql(f"SELECT 1 FROM pg_database WHERE datname = '{name}'").strip() == "1"
        if exists and not exist_ok:
            raise EngineError(f"database {name} exists already")
        if not exists:
            self.psql(f'CREATE DATABASE "{name}" OWNER "{self.user}" ENCODING \'UTF8\' TEMPLATE template0')
        return self.url_for(name)

    def drop_database(self, name: str) -> None:
        if not _DB_NAME.match(name):
            raise EngineError(f"database name {name!r}: use lowercase letters, digits and _ (at most 63)")
        self.psql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def url_for(self, database: str) -> str:
        """``postgresql://user:password@127.0.0.1:port/database`` (the form CATALOG_DATABASE_URL takes)."""
        return f"postgresql://{self.user}:{self.password}@127.0.0.1:{self.port}/{database}"

    @property
    def url(self) -> str:
        """The URL of the ``postgres`` maintenance database; use :meth:`create_database` for your own."""
        return self.url_for("postgres")


# -- Redis and nginx (added for the scaled stack, scripts/scaled.py) ----------------------------------


def die_with_parent() -> None:
    """``preexec_fn`` for servers we start ourselves: Linux sends SIGTERM to the child when the starting
    process dies, so a crashed supervisor leaves no orphans (PR_SET_PDEATHSIG; a no-op elsewhere)."""
    try:
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, 15)  # PR_SET_PDEATHSIG, SIGTERM
    except (OSError, AttributeError):
        pass


def _wait_port(port: int, timeout: float, proc: subprocess.Popen[bytes], engine: str, log: Path) -> None:
    import socket
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise EngineError(f"{engine} exited with code {proc.returncode}; last lines of {log}:\n{_tail(log)}")
        with socket.socket() as s:
            s.settimeout(0.5)
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise EngineError(f"{engine} does not accept connections on 127.0.0.1:{port} after {timeout:.0f} s; log {log}:\n{_tail(log)}")


def _tail(path: Path, n: int = 15) -> str:
    try:
        return "\n".join("    " + line for line in path.read_text(errors="replace").splitlines()[-n:])
    except OSError:
        return "    (no log)"


class _Server:
    """A server process we start in its own process group and stop with a signal."""

    name = "server"
    proc: subprocess.Popen[bytes] | None = None

    @property
    def pid(self) -> int | None:
        return self.proc.pid if self.proc is not None and self.proc.poll() is None else None

    def is_running(self) -> bool:
        return self.pid is not None

    def _spawn(self, argv: list[str], log: Path) -> subprocess.Popen[bytes]:
        with log.open("ab") as handle:
            return subprocess.Popen(argv, stdout=handle, stderr=subprocess.STDOUT, cwd="/", start_new_session=True, preexec_fn=die_with_parent)

    def _signal(self, signum: int, timeout: float) -> None:
        import signal as signals

        if self.proc is None or self.proc.poll() is not None:
            return
        try:
            os.killpg(self.proc.pid, signum)
            self.proc.wait(timeout=timeout)
        except ProcessLookupError:
            pass
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signals.SIGKILL)
            self.proc.wait(timeout=10)

    def kill(self) -> None:
        """SIGKILL, as a crash would: no shutdown work at all."""
        import signal as signals

        _say(self.name, f"killing pid {self.pid} (SIGKILL)")
        self._signal(signals.SIGKILL, 10)


class RedisServer(_Server):
    """redis-server on 127.0.0.1:``port`` with its own folder, a password and an append-only file.

    The password is made once (``data_dir/password``, 0600); ``url(db)`` gives
    ``redis://:password@127.0.0.1:port/db``. The append-only file (fsync every second) keeps the
    channel store's seen deliveries across a restart; Rasa's locks need no persistence.
    """

    name = "redis"

    def __init__(self, data_dir: Path, port: int) -> None:
        self.data_dir = Path(data_dir).resolve()
        self.port = port
        self.log_file = self.data_dir / "redis.log"
        self._password_file = self.data_dir / "password"

    @property
    def password(self) -> str:
        if not self._password_file.exists():
            self.data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
            fd = os.open(self._password_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as f:
                f.write(secrets.token_urlsafe(24) + "\n")
        return self._password_file.read_text(encoding="utf-8").strip()

    def url(self, db: int = 0) -> str:
        return f"redis://:{self.password}@127.0.0.1:{self.port}/{db}"

    def start(self, timeout: float = 30) -> None:
        if self.is_running():
            return
        binary = shutil.which("redis-server")
        if binary is None:
            raise EngineError("redis-server is not installed (Debian: apt-get install redis-server)")
        self.data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        conf = self.data_dir / "redis.conf"
        fd = os.open(conf, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(
                "# written by scripts/engines.py\n"
                f"bind 127.0.0.1\nport {self.port}\nprotected-mode yes\ndir {self.data_dir}\n"
                f'requirepass "{self.password}"\n'
                'appendonly yes\nappendfsync everysec\nsave ""\ndaemonize no\nlogfile ""\n'
            )
        _say("redis", f"starting on 127.0.0.1:{self.port}, log {self.log_file}")
        self.proc = self._spawn([binary, str(conf)], self.log_file)
        _wait_port(self.port, timeout, self.proc, "redis-server", self.log_file)

    def stop(self) -> None:
        """SIGTERM: redis-server writes its append-only file and exits."""
        import signal as signals

        if self.is_running():
            _say("redis", f"stopping (pid {self.pid})")
        self._signal(signals.SIGTERM, 30)


class NginxEdge(_Server):
    """nginx in the foreground with a configuration, pid file, logs and temp folders of its own.

    ``config`` is a complete ``nginx.conf`` without ``pid``/``error_log``/``*_temp_path`` lines; those
    are added here. As root, nginx's workers run as ``nobody``: their temp folders are made in a
    0711 folder outside ``data_dir`` (which is 0700) and handed to that user; the master (root) alone
    reads the configuration and writes the logs.
    """

    name = "nginx"

    def __init__(self, data_dir: Path, config: str) -> None:
        self.data_dir = Path(data_dir).resolve()
        self.config = config
        self.conf_file = self.data_dir / "nginx.conf"
        self.log_file = self.data_dir / "error.log"
        self._temp: Path | None = None

    def _write(self) -> None:
        self.data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        if self._temp is None:
            self._temp = traversable_tmpdir("nginx-edge-")
        lines = [f"pid {self.data_dir / 'nginx.pid'};", f"error_log {self.log_file} warn;"]
        if os.geteuid() == 0:
            lines.insert(0, "user nobody nogroup;")
            shutil.chown(self._temp, "nobody", "nogroup")
        temp = "".join(f"  {kind}_temp_path {self._temp / kind};\n" for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
        text = "\n".join(lines) + "\n" + self.config.replace("http {\n", "http {\n" + temp + f"  access_log {self.data_dir / 'access.log'};\n", 1)
        self.conf_file.write_text(text, encoding="utf-8")

    def _argv(self, *extra: str) -> list[str]:
        binary = shutil.which("nginx") or "/usr/sbin/nginx"
        if not Path(binary).exists():
            raise EngineError("nginx is not installed (Debian: apt-get install nginx-light)")
        return [binary, "-p", str(self.data_dir), "-c", str(self.conf_file), "-e", str(self.log_file), *extra]

    def check(self) -> None:
        """``nginx -t``: the configuration is valid, or an EngineError with nginx's own words."""
        self._write()
        out = subprocess.run(self._argv("-t"), capture_output=True, text=True, timeout=30)
        if out.returncode != 0:
            raise EngineError(f"the edge configuration {self.conf_file} is invalid:\n{out.stderr.strip()}")

    def start(self, port: int, timeout: float = 30) -> None:
        if self.is_running():
            return
        self.check()
        _say("nginx", f"starting, configuration {self.conf_file}")
        self.proc = self._spawn(self._argv("-g", "daemon off;"), self.log_file)
        _wait_port(port, timeout, self.proc, "nginx", self.log_file)

    def stop(self) -> None:
        """SIGQUIT: workers finish the requests they hold, then exit."""
        import signal as signals

        self._signal(signals.SIGQUIT, 20)
        if self._temp is not None:
            shutil.rmtree(self._temp, ignore_errors=True)
            self._temp = None


if __name__ == "__main__":  # a quick manual check: python scripts/engines.py <dir> <port>
    cluster = PostgresCluster(Path(sys.argv[1]), int(sys.argv[2]))
    with cluster:
        print(cluster.create_database("smoke", exist_ok=True))
        print(cluster.psql("SELECT version()"))
