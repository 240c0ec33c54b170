"""Load: 100 concurrent ten-turn conversations over the REST channel (benchmarks/locustfile.py, run by
``locust --headless`` in a subprocess with CSV output), against one replica of each process and then
two, in the same run; turns/s, p50/p95/p99, errors, and each process's memory after a warm-up and
after the run.

Memory is reported as PSS (proportional set size: a page shared by n processes counts 1/n to each), with
RSS beside it, each summed over a process and its children, and the floor (after the run within 1.1x of
after warm-up) is checked on PSS. Why: RSS counts a shared page once per process that touched it, so
PostgreSQL's sum over its backends counts ``shared_buffers`` again for every backend and grows as they
touch more of it, while the machine spends it once; PSS sums to what the machine spends. The warm-up is
the measured scenario itself (the same conversations and number of users), so that pools, PostgreSQL
backends, caches and lazily loaded code are all in place before the first reading; ``--rounds N``
repeats the measured run and reads memory after each: a leak grows every round, a cache levels off.

Usage (from the repository root)::

    .venv/bin/python -m benchmarks.load [--users 100] [--replicas 1,2] [--embedded] [--rounds 1] [--model models/bot-<hash>.tar.gz]

``--embedded`` measures the embedded stack (scripts/stack.py: SQLite, one of each, REST straight to
Rasa) instead of the scaled one (scripts/scaled.py: PostgreSQL, Redis, nginx; the REST channel through
nginx's balancer over the Rasa replicas, ``ScaledStack.rasa_lb_url``). The REST channel is for trusted
callers and is not published on the public edge (docs/security.md), so the balancer is where a trusted
front end would send it. The scaled stack runs with ``edge_rate_limits=False`` (one load generator is one
address); the per-conversation limit of the REST channel (60/min) stays on: citizens pause between
turns (``LOAD_THINK_S``, default 0.5-1.5 s: 100 conversations can then ask up to 100 turns/s, twice the goal). ``make bench`` runs this with ``BENCH_LOAD=1``; it takes 8-15 minutes on 2 cores.
"""

from __future__ import annotations

import argparse
import csv
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))

LOCUST = str(ROOT / ".venv/bin/locust")
BENCH_DIR = ROOT / "var" / "bench"
MEMORY_FLOOR = 1.1  # PSS after the run within 1.1x of after warm-up (issue 15)


def memory_mb(pid: int) -> tuple[float, float]:
    """``(PSS, RSS)`` of a process and all its descendants (PostgreSQL's backends, Rasa's workers), in MB.

    PSS where /proc allows reading it (``smaps_rollup``: as root, or as the processes' owner), else RSS.
    """
    import psutil

    try:
        root = psutil.Process(pid)
        procs = [root, *root.children(recursive=True)]
    except psutil.NoSuchProcess:
        return 0.0, 0.0
    pss = rss = 0
    for p in procs:
        with suppress(psutil.NoSuchProcess):
            try:
                full = p.memory_full_info()
                pss, rss = pss + full.pss, rss + full.rss
            except psutil.AccessDenied:
                resident = p.memory_info().rss
                pss, rss = pss + resident, rss + resident
    return pss / 2**20, rss / 2**20


def run_locust(host: str, token: str, users: int, out: Path, think: str | None = None) -> dict[str, float]:
    """One headless Locust run: ``users`` conversations of ten turns; the aggregated figures."""
    env = {**os.environ, "LOAD_REST_TOKEN": token}
    if think:
        env["LOAD_THINK_S"] = think
    argv = [LOCUST, "-f", str(ROOT / "benchmarks/locustfile.py"), "--headless", "-u", str(users), "-r", str(users)]
    argv += ["--host", host, "--csv", str(out), "-t", "15m", "--only-summary", "--loglevel", "WARNING"]
    started = time.perf_counter()
    done = subprocess.run(argv, cwd=ROOT, env=env, capture_output=True, text=True, timeout=1200)
    wall = time.perf_counter() - started
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
    }


def measure(name: str, host: str, token: str, processes: list[dict[str, Any]], users: int, out_dir: Path, rounds: int = 1) -> dict[str, Any]:
    """Warm-up (the measured scenario itself), memory, the measured run (``rounds`` times, memory after each)."""
    run_locust(host, token, users, out_dir / f"{name}-warmup")
    keys = [f"{p['role']}{p.get('replica', '')}" for p in processes]
    readings = [{key: memory_mb(p["pid"]) for key, p in zip(keys, processes, strict=True)}]
    result: dict[str, Any] = {}
    for i in range(rounds):
        result = run_locust(host, token, users, out_dir / f"{name}-{i + 1}")
        readings.append({key: memory_mb(p["pid"]) for key, p in zip(keys, processes, strict=True)})
    return {"name": name, **result, "memory": {k: [r[k] for r in readings] for k in keys}}


@contextmanager
def scaled(replicas: int, model: Path) -> Iterator[tuple[str, str, list[dict[str, Any]]]]:
    from scaled import ScaledStack, engines_tmpdir

    data = BENCH_DIR / f"load-scaled-{replicas}"  # kept between runs: the search index is built once
    with engines_tmpdir() as engines:
        stack = ScaledStack(model, data, replicas=replicas, engines_dir=engines, edge_rate_limits=False, durable=True)
        try:
            stack.start(timeout=900)  # each Rasa replica loads its model: minutes on a busy machine
            yield stack.rasa_lb_url, stack.rest_token, stack.processes
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
        "memory in MB, each process with its children: PSS (shared pages divided among their users), RSS beside it",
        f"{'process':30} {'PSS warm':>9}{later} {'PSS after':>9} {'ratio':>6}   {'RSS warm':>9} {'RSS after':>9} {'ratio':>6}",
    ]
    for r in results:
        for process, readings in r["memory"].items():
            (pss0, rss0), (pss1, rss1) = readings[0], readings[-1]
            between = "".join(f" {pss:8.0f}" for pss, _ in readings[1:-1])
            ratio = pss1 / pss0 if pss0 else 0.0
            flag = "" if ratio <= MEMORY_FLOOR else f"  over {MEMORY_FLOOR}x"
            lines.append(
                f"{r['name'] + ' ' + process:30} {pss0:9.0f}{between} {pss1:9.0f} {ratio:6.2f}   {rss0:9.0f} {rss1:9.0f} {rss1 / rss0 if rss0 else 0.0:6.2f}{flag}"
            )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="load benchmark: concurrent ten-turn conversations (Locust)")
    parser.add_argument("--users", type=int, default=100, help="concurrent conversations (default 100)")
    parser.add_argument("--replicas", default="1,2", help="replica counts to compare, e.g. 1,2 (scaled stack)")
    parser.add_argument("--embedded", action="store_true", help="the embedded stack (scripts/stack.py) instead of the scaled one")
    parser.add_argument("--rounds", type=int, default=1, help="measured runs after the warm-up, memory read after each (a leak grows every round)")
    parser.add_argument("--model", type=Path, default=None, help="a trained model (default: scripts/train.sh, which trains when the bot changed)")
    args = parser.parse_args(argv)
    model = args.model or trained_model()
    results = []
    with tempfile.TemporaryDirectory(prefix="bench-load-") as out:
        if args.embedded:
            with embedded(model) as (host, token, processes):
                results.append(measure("embedded x1", host, token, processes, args.users, Path(out), args.rounds))
        else:
            for n in (int(x) for x in args.replicas.split(",")):
                with scaled(n, model) as (host, token, processes):
                    results.append(measure(f"scaled x{n}", host, token, processes, args.users, Path(out), args.rounds))
    print(f"Load: {args.users} concurrent conversations x 10 turns over the REST channel (think time {os.environ.get('LOAD_THINK_S', '0.5,1.5')} s)")
    print(report(results))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
