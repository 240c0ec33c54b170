"""WeChat callback latency under load, beside REST turns in the same run, and the slow-turn check.

One stack (Rasa with the WeChat channel, actions, catalogue) talks to the local WeChat fake of the
tests (``tests/channels/fake_wechat.py``, safe mode). Then:

1. 20 users write at once, five messages each (sequential per user): the time until WeChat gets
   its HTTP answer (the passive reply, or ``success`` when the turn runs past 4 s), p50/p95/p99;
2. the same messages as 20 concurrent REST conversations: the turn time, p50/p95/p99;
3. every catalogue call is slowed by 2.6 s (turns run past WeChat's 5 s window; each call stays
   under the action server's 4 s timeout): 20 users ask for the driving-licence card at once; each
   must receive it exactly once, through the customer-service API.

Floors (issue 12): callback p99 under 4.5 s; zero lost and zero duplicated replies in 3.
"""

from __future__ import annotations

import json
import statistics
import sys
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
sys.path.insert(0, str(ROOT / "tests"))

from channels.delay_proxy import DelayProxy  # noqa: E402
from channels.fake_wechat import FakeWeChat  # noqa: E402
from stack import Stack, free_port  # noqa: E402

__all__ = ["bench_wechat", "report"]

USERS = 20
MESSAGES = ["你好", "我想换驾照", "要带什么材料", "多少钱", "我想换护照"]
SLOW_MESSAGE = "我想换驾照"  # two catalogue calls: search, then the card
CARD_MARK = "【机动车驾驶证换证】"  # the card's title line
SLOW_CATALOGUE_S = 2.6  # per call: the turn runs past 5 s, each call stays under the action server's 4 s timeout


def _pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def _rest_turn(stack: Stack, sender: str, text: str) -> float:
    body = json.dumps({"sender": sender, "message": text}).encode()
    headers = {"Content-Type": "application/json", "Authorization": f"Bearer {stack.rest_token}"}
    request = urllib.request.Request(f"http://127.0.0.1:{stack.ports['rasa']}/webhooks/rest/webhook", data=body, headers=headers)
    started = time.perf_counter()
    with urllib.request.urlopen(request, timeout=120) as response:
        response.read()
    return time.perf_counter() - started


def bench_wechat(model: Path, work: Path) -> dict[str, Any]:
    fake = FakeWeChat()
    fake.start()
    proxy = DelayProxy(free_port(), "http://127.0.0.1:9")
    catalogue_port = free_port()
    proxy.target = f"http://127.0.0.1:{catalogue_port}"
    proxy.start()
    stack = Stack(
        model,
        rasa_port=free_port(),
        actions_port=free_port(),
        catalogue_port=catalogue_port,
        log_dir=work / "wechat-log",
        data_dir=work / "wechat-data",
        extra_env={"HF_HUB_OFFLINE": "1", **fake.env()},
        actions_catalogue_url=proxy.url,
    )
    try:
        stack.start(timeout=300)
        fake.bind(f"http://127.0.0.1:{stack.ports['rasa']}")
        for text in MESSAGES:  # warm-up
            fake.send_text(fake.new_user(), text)

        def wechat_user(_: int) -> list[tuple[float, bool]]:
            user = fake.new_user()
            out = []
            for text in MESSAGES:
                delivery = fake.send_text(user, text)
                out.append((delivery.attempts[0].seconds if delivery.attempts else float("inf"), delivery.error is None and delivery.reply is not None))
            return out

        with ThreadPoolExecutor(USERS) as pool:
            wechat = [r for rs in pool.map(wechat_user, range(USERS)) for r in rs]

        def rest_user(k: int) -> list[float]:
            return [_rest_turn(stack, f"bench-rest-{k}", text) for text in MESSAGES]

        with ThreadPoolExecutor(USERS) as pool:
            rest = [t for ts in pool.map(rest_user, range(USERS)) for t in ts]

        users = [fake.new_user() for _ in range(USERS)]
        with proxy.slow(SLOW_CATALOGUE_S), ThreadPoolExecutor(USERS) as pool:
            slow = list(pool.map(lambda u: fake.send_text(u, SLOW_MESSAGE), users))
            deadline = time.monotonic() + 120
            while time.monotonic() < deadline and not all(any(CARD_MARK in m for m in fake.messages_to(u)) for u in users):
                time.sleep(0.5)
        time.sleep(3)  # anything sent twice would arrive by now
        cards = [sum(CARD_MARK in m for m in fake.messages_to(u)) for u in users]
        return {
            "callback_s": [s for s, _ in wechat],
            "passive": sum(ok for _, ok in wechat),
            "callbacks": len(wechat),
            "rest_s": rest,
            "slow_answers_s": [d.attempts[0].seconds for d in slow],
            "slow_passive": sum(d.reply is not None for d in slow),
            "lost": sum(c == 0 for c in cards),
            "duplicated": sum(c > 1 for c in cards),
            "token_fetches": fake.token_fetches,
        }
    finally:
        stack.stop()
        proxy.stop()
        fake.stop()


def report(r: dict[str, Any]) -> None:
    def line(name: str, seconds: list[float]) -> str:
        ms = [s * 1000 for s in seconds]
        return f"  {name:34} p50 {_pct(ms, 50):7.0f}   p95 {_pct(ms, 95):7.0f}   p99 {_pct(ms, 99):7.0f}   mean {statistics.mean(ms):7.0f}   n={len(ms)}"

    print(f"\n== WeChat channel, {USERS} concurrent users (ms) ==")
    print(line("WeChat callback (answer to WeChat)", r["callback_s"]))
    print(f"  {'':34} {r['passive']} of {r['callbacks']} answered with the passive reply, the rest through the API")
    print(line("REST turn, same messages", r["rest_s"]))
    p99 = _pct(r["callback_s"], 99)
    print(f"  callback p99 {p99:.2f} s (floor < 4.5 s) {'OK' if p99 < 4.5 else 'OVER'}")
    print(line("slowed turns: answer to WeChat", r["slow_answers_s"]))
    ok = r["lost"] == 0 and r["duplicated"] == 0 and r["slow_passive"] == 0
    print(
        f"  slowed past 5 s: {USERS} users, lost {r['lost']}, duplicated {r['duplicated']}, passive {r['slow_passive']} "
        f"(floor 0, 0, 0) {'OK' if ok else 'FAIL'}; access-token fetches {r['token_fetches']}"
    )
