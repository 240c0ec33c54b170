"""Where the action server's memory goes under load: tracemalloc snapshots between rounds of the load
scenario (benchmarks/locustfile.py) against the embedded stack, and the allocations that grew.

Usage (from the repository root; the machine should be quiet)::

    .venv/bin/python -m benchmarks.actions_memory [--users 20] [--rounds 4] [--model models/bot-<hash>.tar.gz]

The action server runs under a small wrapper that starts ``tracemalloc`` (10 frames) and writes a snapshot
when it gets SIGUSR1; the stack is otherwise ``make run``'s. After a warm-up round and after each measured
round, the script takes a snapshot and the process's PSS, then prints, per round, the traced Python heap,
PSS, and the ten allocation sites that grew most since the warm-up. A leak is a site that grows by about the
same amount every round (by conversations or turns served); a cache or a pool grows once and levels off.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))

from benchmarks.load import BENCH_DIR, memory_mb, run_locust, trained_model  # noqa: E402

# Runs in the action server's process: tracemalloc from the start, a snapshot to $ACTIONS_SNAPSHOT_DIR/<n>.snap on SIGUSR1.
WRAPPER = """
import itertools, os, signal, sys, tracemalloc
tracemalloc.start(10)
folder, counter = os.environ["ACTIONS_SNAPSHOT_DIR"], itertools.count()
def dump(signum, frame):
    path = os.path.join(folder, f"{next(counter)}.snap")
    tracemalloc.take_snapshot().dump(path + ".tmp")
    os.replace(path + ".tmp", path)
signal.signal(signal.SIGUSR1, dump)
from actions.server import main
sys.exit(main(sys.argv[1:]))
"""
IGNORED = (tracemalloc.Filter(False, tracemalloc.__file__), tracemalloc.Filter(False, "<frozen importlib._bootstrap*>"), tracemalloc.Filter(False, "<unknown>"))


def snapshot(pid: int, folder: Path, n: int) -> tracemalloc.Snapshot:
    os.kill(pid, signal.SIGUSR1)
    path = folder / f"{n}.snap"
    deadline = time.monotonic() + 120
    while not path.exists():
        if time.monotonic() > deadline:
            raise RuntimeError(f"the action server wrote no snapshot {path}")
        time.sleep(0.2)
    return tracemalloc.Snapshot.load(str(path)).filter_traces(IGNORED)


def where(traceback: tracemalloc.Traceback) -> str:
    """The allocating line, and the nearest frame of our code or of the servers' libraries that led to it."""
    frames = list(traceback)  # oldest first

    def show(frame: tracemalloc.Frame) -> str:
        return f"{frame.filename.replace(str(ROOT) + '/', '').split('site-packages/')[-1]}:{frame.lineno}"

    ours = next((f for f in reversed(frames[:-1]) if any(k in f.filename for k in ("/actions/", "rasa_sdk", "sanic", "aiohttp"))), None)
    return show(frames[-1]) + (f"  (via {show(ours)})" if ours else "")


def main(argv: list[str] | None = None) -> int:
    from stack import Stack, free_port

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--model", type=Path, default=None)
    args = parser.parse_args(argv)
    model = args.model or trained_model()
    with tempfile.TemporaryDirectory(prefix="actions-memory-") as tmp:
        snaps = Path(tmp)
        ports = {"rasa_port": free_port(), "actions_port": free_port(), "catalogue_port": free_port()}
        stack = Stack(model, data_dir=BENCH_DIR / "load-embedded", extra_env={"ACTIONS_SNAPSHOT_DIR": str(snaps)}, **ports)
        actions = next(p for p in stack.procs if p.name == "actions")
        actions.argv = [str(ROOT / ".venv/bin/python"), "-c", WRAPPER, "--port", str(actions.port)]
        with stack:
            stack.start(timeout=900, progress=lambda s: print(f"  {s}", flush=True))
            assert actions.popen is not None
            pid, host = actions.popen.pid, f"http://127.0.0.1:{stack.ports['rasa']}"
            run_locust(host, stack.rest_token, args.users, snaps / "warmup")
            base = snapshot(pid, snaps, 0)
            print(f"after warm-up: traced {sum(s.size for s in base.statistics('filename')) / 2**20:.1f} MB, PSS {memory_mb(pid)[0]:.0f} MB")
            for i in range(1, args.rounds + 1):
                result = run_locust(host, stack.rest_token, args.users, snaps / f"round{i}")
                current = snapshot(pid, snaps, i)
                traced = sum(s.size for s in current.statistics("filename")) / 2**20
                print(
                    f"\nround {i}: {result['turns']} turns, {result['errors']} errors; traced {traced:.1f} MB, PSS {memory_mb(pid)[0]:.0f} MB; grown most since warm-up:"
                )
                for stat in current.compare_to(base, "traceback")[:10]:
                    print(f"  {stat.size_diff / 1024:+9.1f} KiB {stat.count_diff:+7d} blocks  {where(stat.traceback)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
