"""Where a Rasa turn's time goes: each graph node (pipeline components, policies, ensemble) timed
over realistic turns in both languages, on the trained model, in Rasa's own virtual environment.

Run with Rasa's Python (3.10), from the repository root::

    .venv-rasa/bin/python benchmarks/rasa_profile.py [--model models/bot-<hash>.tar.gz] [--turns 300] [--cprofile FILE]

Why not py-spy: it is not installed, and timing Rasa's own graph nodes answers the question in
Rasa's terms (component by component). ``GraphNode.__call__`` is wrapped to add up the wall time of
every node; a turn is ``Agent.handle_message`` with an in-memory tracker store and no action server
(a custom action fails fast and Rasa carries on, so the action call's own cost is excluded here and
measured over HTTP by ``benchmarks/load.py``). Prints one line per node: calls, wall ms per turn,
the share of the turn, and CPU ms per turn (``time.process_time``: all threads of the process, so
TensorFlow's pool counts). On a machine busy with other work the wall figures stretch; the CPU
figures barely move, and they are what decides turns per second per core. ``--stores`` adds the
embedded stores (SQLite tracker store and event broker), whose saving is outside the graph.
docs/operations.md ("The cost of a turn") has the figures.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import logging
import os
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent

TURNS = [
    "hello",
    "I lost my job last week",
    "what do I need to bring?",
    "how much does it cost",
    "where in Pudong?",
    "how do I get a passport",
    "我想办护照",
    "要带什么材料",
    "孩子出生了怎么上户口",
    "要多少钱",
    "am I eligible?",
    "yes",
    "about 3 years",
    "我在浦东",
    "thank you",
    "我失业了，能领失业金吗",
    "register a company",
    "talk to a person",
    "再见",
    "how long does it take",
]


async def _agent_with_stores(model: str, action_endpoint: Any) -> Any:
    """The agent with bot/endpoints.yml's tracker store and event broker, on SQLite files in a temp folder."""
    import tempfile

    from rasa.core.agent import Agent
    from rasa.core.brokers.broker import EventBroker
    from rasa.core.tracker_store import TrackerStore
    from rasa.core.utils import AvailableEndpoints

    folder = Path(tempfile.mkdtemp(prefix="rasa-profile-"))
    os.environ.update(
        {"RASA_TRACKER_DB": str(folder / "tracker.db"), "RASA_EVENTS_DB": str(folder / "events.db"), "ACTION_SERVER_URL": "http://127.0.0.1:9/webhook"}
    )
    os.environ.setdefault("CATALOG_INTERNAL_TOKEN_CURRENT", "profile")
    endpoints = AvailableEndpoints.read_endpoints(str(ROOT / "bot/endpoints.yml"))
    broker = await EventBroker.create(endpoints.event_broker)
    store = TrackerStore.create(endpoints.tracker_store, event_broker=broker)
    return Agent.load(model, tracker_store=store, action_endpoint=action_endpoint)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default=None, help="the model (default: the newest models/bot-*.tar.gz)")
    parser.add_argument("--turns", type=int, default=300)
    parser.add_argument("--cprofile", default=None, help="also write a cProfile of the measured turns here")
    parser.add_argument(
        "--stores", action="store_true", help="the embedded stores of bot/endpoints.yml (masking SQLite tracker store, SQL event broker) in a temp folder"
    )
    args = parser.parse_args()
    model = args.model or str(max((ROOT / "models").glob("bot-*.tar.gz"), key=os.path.getmtime))
    logging.basicConfig(level=logging.ERROR)
    for name in ("rasa", "rasa_sdk", "tensorflow", "absl"):
        logging.getLogger(name).setLevel(logging.CRITICAL)
    from rasa.utils.log_utils import configure_structlog

    configure_structlog(logging.INFO)  # as `rasa run` does by default: no per-event debug lines
    sys.path.insert(0, str(ROOT))  # bot/ components, if any
    from rasa.core.agent import Agent
    from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
    from rasa.engine.graph import GraphNode
    from rasa.utils.endpoints import EndpointConfig

    spent: dict[str, float] = defaultdict(float)
    cpu: dict[str, float] = defaultdict(float)
    calls: dict[str, int] = defaultdict(int)
    original = GraphNode.__call__

    def timed(self: Any, *inputs: Any) -> Any:
        t0, c0 = time.perf_counter(), time.process_time()
        try:
            return original(self, *inputs)
        finally:
            spent[self._node_name] += time.perf_counter() - t0
            cpu[self._node_name] += time.process_time() - c0
            calls[self._node_name] += 1

    GraphNode.__call__ = timed  # type: ignore[method-assign]
    # An action server nobody listens on: custom actions fail at once and the turn goes on.
    action_endpoint = EndpointConfig("http://127.0.0.1:9/webhook")
    if args.stores:
        agent = asyncio.run(_agent_with_stores(model, action_endpoint))
    else:
        agent = Agent.load(model, action_endpoint=action_endpoint)

    async def run(n: int, offset: int) -> list[float]:
        durations = []
        for i in range(n):
            text = TURNS[i % len(TURNS)]
            sender = f"profile-{offset + i // 10}"  # conversations of ten turns
            t0 = time.perf_counter()
            await agent.handle_message(UserMessage(text, CollectingOutputChannel(), sender))
            durations.append(time.perf_counter() - t0)
        return durations

    asyncio.run(run(40, 0))  # warm-up
    spent.clear()
    cpu.clear()
    calls.clear()
    profiler = cProfile.Profile() if args.cprofile else None
    if profiler:
        profiler.enable()
    t0, c0 = time.perf_counter(), time.process_time()
    durations = asyncio.run(run(args.turns, 1000))
    wall, used = time.perf_counter() - t0, time.process_time() - c0
    if profiler:
        profiler.disable()
        profiler.dump_stats(args.cprofile)
    turns = len(durations)
    durations.sort()
    print(f"stores: {'bot/endpoints.yml (SQLite tracker store, SQL event broker)' if args.stores else 'in memory'}")
    print(
        f"model {Path(model).name}: {turns} turns, {wall / turns * 1000:.1f} ms per turn (p50 {durations[turns // 2] * 1000:.1f}, p95 {durations[int(turns * 0.95)] * 1000:.1f}), "
        f"CPU {used / turns * 1000:.1f} ms per turn"
    )
    print(f"{'graph node':58} {'calls':>6} {'ms/turn':>8} {'share':>6} {'CPU ms':>7}")
    for name, total in sorted(spent.items(), key=lambda kv: -kv[1]):
        if total / turns * 1000 < 0.05:
            continue
        print(f"{name:58} {calls[name]:6d} {total / turns * 1000:8.2f} {total / wall * 100:5.1f}% {cpu[name] / turns * 1000:7.2f}")
    graph, graph_cpu = sum(spent.values()), sum(cpu.values())
    print(f"{'(all graph nodes)':58} {'':6} {graph / turns * 1000:8.2f} {graph / wall * 100:5.1f}% {graph_cpu / turns * 1000:7.2f}")
    print(
        f"{'(outside the graph: tracker, processor, failed action calls)':58} {'':6} {(wall - graph) / turns * 1000:8.2f} {(wall - graph) / wall * 100:5.1f}% "
        f"{(used - graph_cpu) / turns * 1000:7.2f}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
