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

__all__ = ["EngineError", "PostgresCluster", "pg_bindir", "traversable_tmpdir"]


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
    """

    def __init__(self, data_dir: Path, port: int, *, user: str = "catalog", durable: bool = True) -> None:
        self.data_dir = Path(data_dir).resolve()
        self.port = port
        self.user = user
        self.durable = durable
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
        self._run("pg_ctl", "start", "--pgdata", str(self.pgdata), "--log", str(self.log_file), "--wait", "--timeout", "90", "-o", f"-p {self.port}")
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


if __name__ == "__main__":  # a quick manual check: python scripts/engines.py <dir> <port>
    cluster = PostgresCluster(Path(sys.argv[1]), int(sys.argv[2]))
    with cluster:
        print(cluster.create_database("smoke", exist_ok=True))
        print(cluster.psql("SELECT version()"))
