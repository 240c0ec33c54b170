"""Load: 100 concurrent ten-turn conversations over the REST channel (benchmarks/locustfile.py, run by
``locust --headless`` in a subprocess with CSV output), against one replica of each process and then
two, in the same run; turns/s, p50/p95/p99, errors, and each process's memory after a warm-up and
after the run.

Memory is reported as PSS (proportional set size: a page shared by n processes counts 1/n to each), with
RSS beside it, each summed over a process and its children, and the floor (after the run within 1.1x of
after warm-up) is checked on PSS. Why: RSS counts a shared page once per process that touched it, so
PostgreSQL's sum over its backends counts ``shared_buffers`` again for every backend and grows as they
touch more of it, while the machine spends it once; PSS sums to what the machine spends. Each PSS is shown
split into its private working memory (anon: where a leak grows), mapped files (code; shared with other
programs, so it moves when they start or stop) and shared memory (PostgreSQL's buffer cache, bounded).
The warm-up is the measured scenario itself (the same conversations and number of users), played twice
(``--warmup``), so that pools, PostgreSQL backends, caches and lazily loaded code are all in place before
the first reading; ``--rounds N`` repeats the measured run and reads memory after each: a leak grows every
round, a cache levels off. For PostgreSQL it also prints its buffer cache (``pg_buffercache``: in use, of
``shared_buffers``), the share of blocks found in it, and which relations the run wrote (scripts/scaled.py
sizes the cache from these; docs/operations.md, "Memory under load"). CPU seconds of each process (user +
system, with its children) over the measured run(s) are printed per turn.

Usage (from the repository root)::

    .venv/bin/python -m benchmarks.load [--users 100] [--replicas 1,2] [--embedded] [--rounds 1] [--warmup 2] [--model models/bot-<hash>.tar.gz]

``--embedded`` measures the embedded stack (scripts/stack.py: SQLite, one of each, REST straight to
Rasa) instead of the scaled one (scripts/scaled.py: PostgreSQL, Redis, nginx; the REST channel through
nginx's balancer over the Rasa replicas, ``ScaledStack.rasa_lb_url``). The REST channel is for trusted
callers and is not published on the public edge (docs/security.md), so the balancer is where a trusted
front end would send it. The scaled stack runs with ``edge_rate_limits=False`` (one load generator is one
address); the per-conversation limit of the REST channel (60/min) stays on: citizens pause between
turns (``LOAD_THINK_S``, default 0.5-1.5 s: 100 conversations can then ask up to 100 turns/s, twice the goal). ``make bench`` runs this with ``BENCH_LOAD=1``; it takes 10-15 minutes on 2 cores.
"""

from __future__ import annotations

import argparse
import csv
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any, NamedTuple

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))

LOCUST = str(ROOT / ".venv/bin/locust")
BENCH_DIR = ROOT / "var" / "bench"
MEMORY_FLOOR = 1.1  # PSS after the run within 1.1x of after warm-up (issue 15)
# The scenario is played twice before the first memory reading: after one pass PostgreSQL still opened a
# backend and touched more of its shared memory in the next (+8 MB, then flat within 2%: docs/operations.md).
WARMUP_RUNS = 2


class Memory(NamedTuple):
    """A process tree's memory in MB. ``pss`` (what the machine spends) is ``anon + file + shmem``:

    - ``anon``: private working memory (heaps, stacks): where a leak grows;
    - ``file``: mapped files (code, libraries, model files), shared with every process that maps them,
      including other programs on the machine, so it moves when they start or stop;
    - ``shmem``: shared memory (PostgreSQL's ``shared_buffers`` cache and its other shared structures),
      bounded by the size PostgreSQL allocates at start.
    """

    pss: float
    rss: float
    anon: float = 0.0
    file: float = 0.0
    shmem: float = 0.0
    processes: int = 1


def _tree(pid: int) -> list[Any]:
    import psutil

    try:
        root = psutil.Process(pid)
        return [root, *root.children(recursive=True)]
    except psutil.NoSuchProcess:
        return []


_ROLLUP = {"Pss": "pss", "Rss": "rss", "Pss_Anon": "anon", "Pss_File": "file", "Pss_Shmem": "shmem"}


def memory_mb(pid: int) -> Memory:
    """PSS (split into anon, file and shmem) and RSS of a process and all its descendants (PostgreSQL's
    backends, Rasa's workers), in MB, from ``/proc/<pid>/smaps_rollup``.

    Where /proc does not allow reading it (not root, not the processes' owner), RSS stands in for PSS.
    """
    import psutil

    kb = dict.fromkeys(_ROLLUP.values(), 0)
    tree = _tree(pid)
    for p in tree:
        try:
            for line in Path(f"/proc/{p.pid}/smaps_rollup").read_text().splitlines():
                name, _, value = line.partition(":")
                if name in _ROLLUP:
                    kb[_ROLLUP[name]] += int(value.split()[0])
        except FileNotFoundError:
            continue  # ended meanwhile
        except PermissionError:
            with suppress(psutil.NoSuchProcess):
                resident = p.memory_info().rss // 1024
                kb["pss"], kb["rss"], kb["anon"] = kb["pss"] + resident, kb["rss"] + resident, kb["anon"] + resident
    return Memory(**{k: v / 1024 for k, v in kb.items()}, processes=len(tree))


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a process and its descendants (``/proc/<pid>/stat`` utime + stime, through
    psutil), with the CPU of children they have already reaped (cutime + cstime): PostgreSQL's ended backends."""
    import psutil

    total = 0.0
    for p in _tree(pid):
        with suppress(psutil.NoSuchProcess):
            t = p.cpu_times()
            total += t.user + t.system + t.children_user + t.children_system
    return total


def postgres_snapshot(url: str) -> dict[str, Any]:
    """What PostgreSQL's shared memory holds, read with the ``pg_buffercache`` extension (PostgreSQL's contrib):
    ``shared_buffers`` (the configured cache), the buffers in use, per relation of the stack's databases its MB in
    the cache and on disk (relation = table, index or TOAST table, by name as ``db.relation``), and the blocks
    the stack's databases found in the cache or read from outside it since start (``pg_stat_database``)."""
    import psycopg

    out: dict[str, Any] = {"relations": {}}
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("CREATE EXTENSION IF NOT EXISTS pg_buffercache")
        row = conn.execute(
            "SELECT current_setting('block_size')::int, count(*), count(*) FILTER (WHERE relfilenode IS NOT NULL) FROM pg_buffercache"
        ).fetchone()
        assert row is not None
        block, total, used = row
        out["shared_buffers_mb"], out["in_use_mb"] = total * block / 2**20, used * block / 2**20
        cached = conn.execute(
            "SELECT d.datname, b.relfilenode, count(*) FROM pg_buffercache b JOIN pg_database d ON d.oid = b.reldatabase GROUP BY 1, 2"
        ).fetchall()
        # Pages found in the cache and pages read from outside it (the OS's page cache or the disk), since start.
        hits = conn.execute("SELECT sum(blks_hit), sum(blks_read) FROM pg_stat_database WHERE datname NOT IN ('postgres', 'template0', 'template1')").fetchone()
        assert hits is not None
        out["blocks_hit"], out["blocks_read"] = int(hits[0] or 0), int(hits[1] or 0)
    # The extension lives in the maintenance database only; each database maps its own file numbers to names.
    buffers = {(database, node): n for database, node, n in cached}
    base = url.rsplit("/", 1)[0]
    for database in sorted({database for database, _ in buffers} - {"postgres", "template0", "template1"}):
        with psycopg.connect(f"{base}/{database}", autocommit=True) as conn:
            rows = conn.execute(
                """SELECT c.relname, pg_relation_filenode(c.oid), pg_relation_size(c.oid) FROM pg_class c
                   JOIN pg_namespace n ON n.oid = c.relnamespace
                   WHERE c.oid >= 16384 AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND c.relkind IN ('r', 'i', 't')"""
            ).fetchall()
        for name, node, size in rows:
            out["relations"][f"{database}.{name}"] = (buffers.get((database, node), 0) * block / 2**20, size / 2**20)
    return out


def run_locust(host: str, token: str, users: int, out: Path, think: str | None = None) -> dict[str, float]:
    """One headless Locust run: ``users`` conversations of ten turns; the aggregated figures."""
    env = {**os.environ, "LOAD_REST_TOKEN": token}
    if think:
        env["LOAD_THINK_S"] = think
    argv = [LOCUST, "-f", str(ROOT / "benchmarks/locustfile.py"), "--headless", "-u", str(users), "-r", str(users)]
    argv += ["--host", host, "--csv", str(out), "-t", "15m", "--only-summary", "--loglevel", "WARNING"]
    started, children = time.perf_counter(), resource.getrusage(resource.RUSAGE_CHILDREN)
    done = subprocess.run(argv, cwd=ROOT, env=env, capture_output=True, text=True, timeout=1200)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)  # locust, reaped by subprocess.run
    locust_cpu = after.ru_utime + after.ru_stime - children.ru_utime - children.ru_stime
    stats = out.with_name(out.name + "_stats.csv")
    if not stats.is_file():
        raise RuntimeError(f"locust wrote no statistics (exit {done.returncode}):\n{done.stderr[-2000:]}")
    with stats.open(newline="") as f:
        row = next(r for r in csv.DictReader(f) if r["Name"] == "Aggregated")
    turns, failures = int(row["Request Count"]), int(row["Failure Count"])
    failed = out.with_name(out.name + "_failures.csv")
    if failures and failed.is_file():
        with failed.open(newline="") as f:
            for r in list(csv.DictReader(f))[:5]:
                print(f"  {out.name}: {r['Occurrences']} x {r['Error'][:300]}", file=sys.stderr)
    return {
        "turns": turns,
        "errors": failures,
        "turns_per_s": float(row["Requests/s"]),  # Locust's: from the first request to the last
        "p50": float(row["50%"]),
        "p95": float(row["95%"]),
        "p99": float(row["99%"]),
        "wall_s": wall,
        "locust_cpu_s": locust_cpu,
    }


def measure(
    name: str,
    host: str,
    token: str,
    processes: list[dict[str, Any]],
    users: int,
    out_dir: Path,
    rounds: int = 1,
    pg_url: str | None = None,
    warmup: int = WARMUP_RUNS,
) -> dict[str, Any]:
    """Warm-up (the measured scenario itself, ``warmup`` times), memory, the measured run (``rounds`` times,
    memory after each).

    CPU is read before and after the measured rounds (not the warm-up); with ``pg_url``, PostgreSQL's buffer
    cache and relations are read after each memory reading (after it, so the probe's own backend is not counted).
    """
    for i in range(warmup):
        run_locust(host, token, users, out_dir / f"{name}-warmup-{i + 1}")
    keys = [f"{p['role']}{p.get('replica', '')}" for p in processes]

    def read() -> tuple[dict[str, Memory], dict[str, Any] | None]:
        memory = {key: memory_mb(p["pid"]) for key, p in zip(keys, processes, strict=True)}
        return memory, postgres_snapshot(pg_url) if pg_url else None

    readings = [read()]
    cpu_before = {key: cpu_seconds(p["pid"]) for key, p in zip(keys, processes, strict=True)}
    runs = []
    for i in range(rounds):
        runs.append(run_locust(host, token, users, out_dir / f"{name}-{i + 1}"))
        if i == rounds - 1:
            cpu_after = {key: cpu_seconds(p["pid"]) for key, p in zip(keys, processes, strict=True)}
        readings.append(read())
    turns = sum(r["turns"] for r in runs)
    cpu = {key: cpu_after[key] - cpu_before[key] for key in keys}
    cpu["load generator (locust)"] = sum(r["locust_cpu_s"] for r in runs)
    return {
        "name": name,
        **runs[-1],
        "measured_turns": turns,
        "measured_wall_s": sum(r["wall_s"] for r in runs),
        "cpu_s": cpu,
        "memory": {k: [m[k] for m, _ in readings] for k in keys},
        "postgres": [pg for _, pg in readings if pg is not None],
    }


@contextmanager
def scaled(replicas: int, model: Path) -> Iterator[tuple[str, str, list[dict[str, Any]], str]]:
    from scaled import ScaledStack, engines_tmpdir

    data = BENCH_DIR / f"load-scaled-{replicas}"  # kept between runs: the search index is built once
    with engines_tmpdir() as engines:
        stack = ScaledStack(model, data, replicas=replicas, engines_dir=engines, edge_rate_limits=False, durable=True)
        try:
            stack.start(timeout=900)  # each Rasa replica loads its model: minutes on a busy machine
            yield stack.rasa_lb_url, stack.rest_token, stack.processes, stack.postgres.url_for("postgres")
        finally:
            stack.stop()


@contextmanager
def embedded(model: Path) -> Iterator[tuple[str, str, list[dict[str, Any]]]]:
    from stack import Stack, free_port

    ports = {"rasa_port": free_port(), "actions_port": free_port(), "catalogue_port": free_port()}
    stack = Stack(model, data_dir=BENCH_DIR / "load-embedded", **ports)  # kept between runs: the search index is built once
    with stack:
        stack.start(timeout=900)
        processes = [{"role": p.name, "pid": p.popen.pid, "port": p.port} for p in stack.procs if p.popen is not None]
        yield f"http://127.0.0.1:{stack.ports['rasa']}", stack.rest_token, processes


def trained_model() -> Path:
    out = subprocess.run(["bash", str(ROOT / "scripts/train.sh")], cwd=ROOT, capture_output=True, text=True, timeout=900, check=True)
    return ROOT / out.stdout.strip().splitlines()[-1]


def report(results: list[dict[str, Any]]) -> str:
    rounds = max(len(next(iter(r["memory"].values()), [0, 0])) - 1 for r in results)
    later = "".join(f" {'round ' + str(i + 1):>8}" for i in range(rounds - 1))
    lines = [
        f"{'setup':24} {'turns':>6} {'errors':>6} {'turns/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8}",
        *(f"{r['name']:24} {r['turns']:6d} {r['errors']:6d} {r['turns_per_s']:8.1f} {r['p50']:8.0f} {r['p95']:8.0f} {r['p99']:8.0f}" for r in results),
        "",
        "memory in MB, each process with its children: PSS (shared pages divided among their users; the floor), its private",
        "working memory (anon: where a leak grows; the rest is code and shared memory), and RSS",
        f"{'process':30} {'PSS warm':>9}{later} {'PSS after':>9} {'ratio':>6}   {'anon warm':>9} {'after':>6}   {'RSS warm':>9} {'after':>6}",
    ]
    for r in results:
        for process, readings in r["memory"].items():
            first, last = readings[0], readings[-1]
            between = "".join(f" {m.pss:8.0f}" for m in readings[1:-1])
            ratio = last.pss / first.pss if first.pss else 0.0
            flag = "" if ratio <= MEMORY_FLOOR else f"  over {MEMORY_FLOOR}x"
            lines.append(
                f"{r['name'] + ' ' + process:30} {first.pss:9.0f}{between} {last.pss:9.0f} {ratio:6.2f}   {first.anon:9.0f} {last.anon:6.0f}   {first.rss:9.0f} {last.rss:6.0f}{flag}"
            )
    lines += ["", *cpu_report(results)]
    for r in results:
        lines += postgres_report(r)
    return "\n".join(lines)


def cpu_report(results: list[dict[str, Any]]) -> list[str]:
    """CPU per turn of each process (and each role's replicas together) over the measured run(s)."""
    lines = ["CPU over the measured run(s) (user + system, each process with its children), per turn and as cores busy"]
    lines.append(f"{'process':36} {'CPU s':>8} {'ms/turn':>8} {'cores':>6}")
    for r in results:
        turns, wall = r["measured_turns"] or 1, r["measured_wall_s"] or 1.0
        by_role: dict[str, float] = {}
        for process, seconds in r["cpu_s"].items():
            role = process.rstrip("0123456789")
            by_role[role] = by_role.get(role, 0.0) + seconds
            lines.append(f"{r['name'] + ' ' + process:36} {seconds:8.1f} {1000 * seconds / turns:8.1f} {seconds / wall:6.2f}")
        for role, seconds in by_role.items():
            if sum(1 for p in r["cpu_s"] if p.rstrip("0123456789") == role) > 1:
                lines.append(f"{r['name'] + ' ' + role + ' (all replicas)':36} {seconds:8.1f} {1000 * seconds / turns:8.1f} {seconds / wall:6.2f}")
        total = sum(r["cpu_s"].values())
        lines.append(f"{r['name'] + ' everything':36} {total:8.1f} {1000 * total / turns:8.1f} {total / wall:6.2f}   ({turns} turns in {wall:.0f} s)")
    return lines


def postgres_report(r: dict[str, Any]) -> list[str]:
    """PostgreSQL's memory taken apart: private working memory (anon), shared memory (the buffer cache and
    PostgreSQL's other shared structures) and code; the cache's use, its hit ratio over the measured run(s),
    and where the cache's content comes from (relations, in the cache and on disk)."""
    snapshots, memory = r["postgres"], r["memory"].get("postgres")
    if not snapshots or not memory:
        return []
    size = snapshots[0]["shared_buffers_mb"]
    lines = [
        "",
        f"{r['name']} PostgreSQL in MB: PSS = private (anon: backends' working memory, where a leak grows) + shared memory",
        f"  (shmem: the buffer cache, shared_buffers = {size:.0f} MB, and other shared structures; bounded) + code (file)",
    ]
    for i, (m, pg) in enumerate(zip(memory, snapshots, strict=True)):
        label = "after warm-up" if i == 0 else f"after round {i}"
        full = " (full)" if pg["in_use_mb"] >= 0.99 * size else ""
        lines.append(
            f"  {label:16} PSS {m.pss:6.1f} = private {m.anon:5.1f} + shared {m.shmem:5.1f} + code {m.file:4.1f}"
            f"   {m.processes:3d} processes   cache in use {pg['in_use_mb']:5.1f} of {size:.0f}{full}"
        )
    first, last = snapshots[0], snapshots[-1]
    hit, read = last["blocks_hit"] - first["blocks_hit"], last["blocks_read"] - first["blocks_read"]
    if hit + read:
        lines.append(f"  measured run(s): {hit + read} block requests, {100 * hit / (hit + read):.2f}% found in the cache, {read} read from outside it")
    before, after = first["relations"], last["relations"]
    grown = sorted(after, key=lambda rel: after[rel][0] - before.get(rel, (0.0, 0.0))[0], reverse=True)
    disk = sum(v[1] for v in after.values()) - sum(v[1] for v in before.values())
    cache = sum(v[0] for v in after.values()) - sum(v[0] for v in before.values())
    lines.append(f"  the measured run(s) wrote {disk:.1f} MB into the stack's relations on disk; their pages in the cache changed by {cache:+.1f} MB:")
    for rel in grown[:6]:
        (c0, d0), (c1, d1) = before.get(rel, (0.0, 0.0)), after[rel]
        lines.append(f"    {rel:40} cache {c0:6.1f} -> {c1:6.1f}   on disk {d0:6.1f} -> {d1:6.1f}")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="load benchmark: concurrent ten-turn conversations (Locust)")
    parser.add_argument("--users", type=int, default=100, help="concurrent conversations (default 100)")
    parser.add_argument("--replicas", default="1,2", help="replica counts to compare, e.g. 1,2 (scaled stack)")
    parser.add_argument("--embedded", action="store_true", help="the embedded stack (scripts/stack.py) instead of the scaled one")
    parser.add_argument("--rounds", type=int, default=1, help="measured runs after the warm-up, memory read after each (a leak grows every round)")
    parser.add_argument("--warmup", type=int, default=WARMUP_RUNS, help=f"runs of the scenario before the first memory reading (default {WARMUP_RUNS})")
    parser.add_argument("--model", type=Path, default=None, help="a trained model (default: scripts/train.sh, which trains when the bot changed)")
    args = parser.parse_args(argv)
    model = args.model or trained_model()
    results = []
    with tempfile.TemporaryDirectory(prefix="bench-load-") as out:
        if args.embedded:
            with embedded(model) as (host, token, processes):
                results.append(measure("embedded x1", host, token, processes, args.users, Path(out), args.rounds, warmup=args.warmup))
        else:
            for n in (int(x) for x in args.replicas.split(",")):
                with scaled(n, model) as (host, token, processes, pg_url):
                    results.append(measure(f"scaled x{n}", host, token, processes, args.users, Path(out), args.rounds, pg_url, args.warmup))
    print(f"Load: {args.users} concurrent conversations x 10 turns over the REST channel (think time {os.environ.get('LOAD_THINK_S', '0.5,1.5')} s)")
    print(report(results))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
