"""The agent console against a running catalogue service (issue 13's floors).

- Search as the agent types: every prefix of the benchmark queries (from two characters on) through
  the console's ``/agent/api/search`` beside the public ``/api/search``, interleaved, same server:
  p95 ratio, floor ≤ 1.5.
- A handoff reaching an open console: the inbox's server-sent events stream is open; a ticket is
  created as the action server creates it (``POST /api/tickets`` with the service credential and a
  conversation id); the time until its ``ticket`` event arrives: p95, floor ≤ 2 s.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import time
import uuid
from pathlib import Path
from typing import Any

import aiohttp

__all__ = ["add_agent", "console_latency"]

PASSWORD = "bench-console-" + "pw-9f3c1a7e"


def add_agent(python: str, root: Path, data_dir: Path, name: str = "bench") -> None:
    """A supervisor account in the benchmark's database (the CLI reads the password from stdin)."""
    env = {**os.environ, "CATALOG_DATA_DIR": str(data_dir)}
    existing = subprocess.run([python, "-m", "service_catalog", "agents", "list"], cwd=root, env=env, capture_output=True, text=True)
    if name in existing.stdout.split():
        return
    subprocess.run(
        [python, "-m", "service_catalog", "agents", "add", name, "--role", "supervisor"],
        cwd=root,
        env=env,
        input=PASSWORD + "\n",
        text=True,
        check=True,
        capture_output=True,
    )


def _prefixes(query: str) -> list[str]:
    return [query[:n] for n in range(2, len(query) + 1) if not query[:n].endswith(" ")]


async def console_latency(port: int, data_dir: Path, queries: list[str], name: str = "bench", handoffs: int = 20) -> dict[str, list[float]]:
    base = f"http://127.0.0.1:{port}"
    internal = (data_dir / "secrets" / "internal-token").read_text().strip()
    jar = aiohttp.CookieJar(unsafe=True)  # the session cookie on 127.0.0.1
    async with aiohttp.ClientSession(cookie_jar=jar) as http:
        async with http.post(f"{base}/agent/login", data={"username": name, "password": PASSWORD}, allow_redirects=False, headers={"Origin": base}) as r:
            assert r.status in {200, 302, 303}, await r.text()
        async with http.get(f"{base}/agent/api/session") as r:
            assert r.status == 200, await r.text()

        console: list[float] = []
        public: list[float] = []
        for query in queries:
            for prefix in _prefixes(query):
                for url, out in ((f"{base}/agent/api/search", console), (f"{base}/api/search", public)):
                    t0 = time.perf_counter()
                    async with http.get(url, params={"q": prefix, "lang": "auto"}) as r:
                        await r.read()
                        assert r.status == 200, (url, r.status)
                    out.append((time.perf_counter() - t0) * 1000)

        arrivals: list[float] = []
        async with http.get(f"{base}/agent/api/events", timeout=aiohttp.ClientTimeout(total=None, sock_read=30)) as stream:
            pending: dict[str, float] = {}

            async def read() -> None:
                event = ""
                async for raw in stream.content:
                    line = raw.decode("utf-8").rstrip("\r\n")
                    if line.startswith("event:"):
                        event = line[6:].strip()
                    elif line.startswith("data:") and event == "ticket":
                        number = json.loads(line[5:]).get("number") or json.loads(line[5:]).get("ticket", {}).get("number")
                        if number in pending:
                            arrivals.append((time.perf_counter() - pending.pop(number)) * 1000)
                            if len(arrivals) == handoffs:
                                return

            reader = asyncio.create_task(read())
            await asyncio.sleep(0.5)  # the snapshot first
            for i in range(handoffs):
                body = {"transcript": [{"who": "user", "text": "我想找人工"}], "lang": "zh", "channel": "web"}
                headers = {"X-Internal-Token": internal, "X-Conversation-Id": f"bench-{uuid.uuid4().hex}"}
                t0 = time.perf_counter()
                async with http.post(f"{base}/api/tickets", json=body, headers=headers) as r:
                    number = (await r.json())["ticket"]
                pending[number] = t0
                await asyncio.sleep(0.2 if i % 2 else 0.05)
            await asyncio.wait_for(reader, 30)
    return {"console_search": console, "public_search": public, "handoff_to_console": arrivals}


def report(r: dict[str, Any], pct: Any, fmt: Any) -> None:
    print("\n== agent console (ms) ==")
    print(f"  console search per keystroke  {fmt(r['console_search'])}")
    print(f"  public search, same prefixes  {fmt(r['public_search'])}")
    ratio = pct(r["console_search"], 95) / pct(r["public_search"], 95)
    print(f"  console p95 / search p95 = {ratio:.2f}  (floor ≤ 1.5) {'OK' if ratio <= 1.5 else 'OVER'}")
    print(f"  handoff → open console     {fmt(r['handoff_to_console'])}")
    p95 = pct(r["handoff_to_console"], 95)
    print(f"  handoff p95 {p95:.0f} ms  (floor ≤ 2000) {'OK' if p95 <= 2000 else 'OVER'}")
