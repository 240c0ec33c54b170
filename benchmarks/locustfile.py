"""Locust scenario: citizens holding realistic ten-turn conversations with the assistant over the
REST channel, in both languages, mixing search, follow-ups about the chosen service and eligibility.

Run by ``benchmarks/load.py`` (``locust --headless`` in a subprocess, CSV output); by hand::

    LOAD_REST_TOKEN=$(cat var/secrets/rest-token) .venv/bin/locust -f benchmarks/locustfile.py --headless \\
        -u 100 -r 100 --host http://127.0.0.1:5005 --csv var/bench/load

Each simulated citizen holds one conversation (its own sender id) of the ten turns of one of the
scripts below, pausing ``LOAD_THINK_S`` seconds between turns (default 0.5-1.5 s, uniformly: short
for a person, so that 100 conversations can ask for up to 100 turns/s, twice the goal), then stops; when every citizen has finished, the run ends. A turn is a
failure when the HTTP status is not 200 or the bot answers nothing.
"""

from __future__ import annotations

import itertools
import os
import random
import uuid

import gevent
from locust import HttpUser, events, task
from locust.exception import StopUser
from locust.runners import Runner

# Ten turns each, as people write them: a situation, follow-ups on the service found, an eligibility check.
CONVERSATIONS: list[list[str]] = [
    [
        "hi",
        "I lost my job last week",
        "what do I need to bring?",
        "how much does it cost",
        "how long does it take",
        "where in Pudong?",
        "am I eligible?",
        "about 3 years",
        "yes",
        "thank you",
    ],
    [
        "你好",
        "孩子出生了怎么上户口",
        "要带什么材料",
        "要多少钱",
        "多久能办好",
        "我在浦东",
        "可以网上办吗",
        "谢谢",
        "我还想问一下护照怎么办",
        "再见",
    ],
    [
        "how do I apply for a passport",
        "what documents do I need",
        "how much is it",
        "can I do it online",
        "where is the nearest office, I live in Xuhui",
        "how long will it take",
        "what about for my mother",
        "ok thanks",
        "register a company",
        "bye",
    ],
    [
        "我失业了，能领失业金吗",
        "需要什么材料",
        "我符合条件吗",
        "35岁",
        "缴了三年社保",
        "是的",
        "怎么申请",
        "在哪里办",
        "闵行区",
        "谢谢",
    ],
    [
        "hello",
        "my father needs a community care voucher",
        "who can get it",
        "check if I qualify",
        "72",
        "yes",
        "what do I need to bring?",
        "is there a fee",
        "talk to a person",
        "thanks",
    ],
]

THINK = tuple(float(x) for x in os.environ.get("LOAD_THINK_S", "0.5,1.5").split(","))
_scripts = itertools.cycle(range(len(CONVERSATIONS)))


class Citizen(HttpUser):
    """One conversation of ten turns, then done."""

    def on_start(self) -> None:
        self.sender = f"load-{uuid.uuid4().hex[:12]}"
        self.turns = CONVERSATIONS[next(_scripts)]
        self.headers = {"Authorization": f"Bearer {os.environ['LOAD_REST_TOKEN']}", "Content-Type": "application/json"}

    @task
    def converse(self) -> None:
        for i, text in enumerate(self.turns):
            with self.client.post(
                "/webhooks/rest/webhook", json={"sender": self.sender, "message": text}, headers=self.headers, name="turn", catch_response=True
            ) as response:
                if response.status_code != 200:
                    response.failure(f"HTTP {response.status_code}: {response.text[:200]}")
                elif not response.json():
                    response.failure(f"no reply to {text!r}")
                else:
                    response.success()
            if i < len(self.turns) - 1:
                gevent.sleep(random.uniform(THINK[0], THINK[-1]))
        raise StopUser()


@events.init.add_listener
def _quit_when_everyone_is_done(environment: object, **_: object) -> None:
    """End the run once every citizen has finished their conversation (Locust would idle until -t)."""
    runner: Runner | None = getattr(environment, "runner", None)
    if runner is None:
        return

    def watch() -> None:
        started = False
        while True:
            gevent.sleep(0.5)
            started = started or runner.user_count > 0
            if started and runner.user_count == 0:
                runner.quit()
                return

    gevent.spawn(watch)
