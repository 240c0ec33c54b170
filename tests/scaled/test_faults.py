"""Faults on the scaled stack, each printing the number of lost events (messages a client got a 200 for
that the tracker does not hold): a Rasa replica killed mid-conversation, action servers killed, PostgreSQL
restarted, Redis stopped. Each test puts the stack back as it found it (the killed Rasa replica is restarted
without waiting: it is the last fault)."""

from __future__ import annotations

import threading
import time
import uuid
from typing import Any

import pytest
from scaled import UPSTREAM_FAIL_TIMEOUT_S
from scaledkit import cards, http, lost, say, texts, tracker, turns_one_at_a_time, user_messages, wait_until

pytestmark = pytest.mark.e2e

SEARCHES = ["I lost my job last week", "孩子出生了怎么上户口", "how do I renew my driving licence", "我想申请公租房"]


def converse(stack: Any, sender: str, messages: list[str], url: str | None = None, retries: int = 0) -> tuple[list[str], list[int]]:
    """Send each message (through the balancer unless ``url``); a failed turn is re-sent up to ``retries``
    times, as a client would. ``(acknowledged messages, statuses of every attempt)``."""
    acknowledged: list[str] = []
    statuses: list[int] = []
    for message in messages:
        for _ in range(1 + retries):
            status, _replies = say(stack, url or stack.rasa_lb_url, sender, message)
            statuses.append(status)
            if status == 200:
                acknowledged.append(message)
                break
            time.sleep(1)
    return acknowledged, statuses


def report(name: str, acknowledged: list[str], stored: list[str]) -> int:
    missing = lost(acknowledged, stored)
    print(f"\n[{name}] acknowledged {len(acknowledged)}, in the tracker {len(stored)}, lost events: {len(missing)} {missing or ''}")
    return len(missing)


def test_action_servers_killed_the_other_answers_then_the_bot_apologises_then_recovers(scaled_stack: Any) -> None:
    sender = f"actions-{uuid.uuid4().hex[:8]}"
    scaled_stack.kill("actions", 0)
    try:
        status, replies = say(scaled_stack, scaled_stack.rasa_lb_url, sender, "I lost my job last week")
        assert status == 200 and (cards(replies) or any(r.get("buttons") for r in replies)), texts(replies)  # actions-2 answered
        scaled_stack.kill("actions", 1)
        status, replies = say(scaled_stack, scaled_stack.rasa_lb_url, sender, "孩子出生了怎么上户口")
        assert status == 200 and not cards(replies)
        assert "unavailable" in texts(replies) or "暂时无法访问" in texts(replies), texts(replies)  # an apology, not silence
    finally:
        scaled_stack.start_replica("actions", 0)
        scaled_stack.start_replica("actions", 1)
    time.sleep(UPSTREAM_FAIL_TIMEOUT_S + 0.5)  # the balancer tries the replicas it saw fail again after this long
    status, replies = say(scaled_stack, scaled_stack.rasa_lb_url, sender, "孩子出生了怎么上户口")
    assert status == 200 and (cards(replies) or any(r.get("buttons") for r in replies)), texts(replies)
    assert report("actions killed", ["I lost my job last week", "孩子出生了怎么上户口", "孩子出生了怎么上户口"], user_messages(scaled_stack, sender)) == 0


def test_postgresql_restart_services_reconnect_and_nothing_acknowledged_is_lost(scaled_stack: Any) -> None:
    sender = f"pg-{uuid.uuid4().hex[:8]}"
    before, _ = converse(scaled_stack, sender, SEARCHES[:2])
    scaled_stack.restart_postgres()
    after, statuses = converse(scaled_stack, sender, SEARCHES[2:], retries=3)
    print(f"\n[postgres restart] statuses of the turns after the restart: {statuses}")
    assert after == SEARCHES[2:], statuses  # every turn got through, at worst after a retry
    assert report("postgres restart", before + after, user_messages(scaled_stack, sender)) == 0
    # The catalogue replicas reconnect too: a handoff link is minted and stored on each.
    body = {"service_id": "pension-claim", "answers": {"age": 61}, "lang": "en", "channel": "web", "consent": True}
    for url in scaled_stack.catalogue_urls:
        status, link = wait_until(
            lambda url=url: (r := http("POST", f"{url}/api/handoff/application", body, {"X-Internal-Token": scaled_stack.internal_token}))[0] == 200 and r,
            30,
            f"{url} mints links again",
        )
        assert status == 200 and link["url"]


def test_redis_stopped_a_clear_error_never_two_turns_at_once_and_recovery(scaled_stack: Any) -> None:
    sender = f"redis-{uuid.uuid4().hex[:8]}"
    before, _ = converse(scaled_stack, sender, SEARCHES[:1])
    scaled_stack.redis.stop()
    try:
        results: list[tuple[int, Any]] = []

        def send(i: int) -> None:
            results.append(say(scaled_stack, scaled_stack.rasa_urls[i % 2], sender, SEARCHES[1 + i % 2], timeout=60))

        threads = [threading.Thread(target=send, args=(i,)) for i in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=120)
        statuses = sorted(status for status, _ in results)
        print(f"\n[redis stopped] statuses while Redis was down: {statuses}, replies: {[r for _, r in results]}")
        # Refused, not processed without a lock, and the caller is told so (503 with a message, not an empty 200) ...
        assert len(results) == 4 and all(status == 503 and not replies for status, replies in results), results
        status, body = http(
            "POST",
            f"{scaled_stack.rasa_urls[0]}/webhooks/rest/webhook",
            {"sender": sender, "message": SEARCHES[1]},
            {"Authorization": f"Bearer {scaled_stack.rest_token}"},
            timeout=60,
        )
        assert status == 503 and "lock store is unreachable" in str(body), (status, body)
        assert user_messages(scaled_stack, sender) == before  # ... no turn ran unlocked ...
        logs = "".join(scaled_stack.proc("rasa", i).log.read_text(errors="replace") for i in range(2))
        assert "is refused so that no two turns of one conversation run at once" in logs  # ... and the log says why
    finally:
        scaled_stack.redis.start()
        scaled_stack._write_run_file()
    after, statuses = converse(scaled_stack, sender, SEARCHES[1:3], retries=3)
    assert after == SEARCHES[1:3], statuses
    events = tracker(scaled_stack, sender)["events"]
    assert turns_one_at_a_time(events)
    assert report("redis stopped", before + after, user_messages(scaled_stack, sender)) == 0


def test_a_rasa_replica_killed_mid_conversation_the_other_carries_on(scaled_stack: Any) -> None:
    sender = f"kill-{uuid.uuid4().hex[:8]}"
    one = scaled_stack.rasa_urls[0]
    acknowledged, _ = converse(scaled_stack, sender, SEARCHES[:2], url=one)
    in_flight: list[tuple[int, Any]] = []
    turn = threading.Thread(target=lambda: in_flight.append(say(scaled_stack, one, sender, SEARCHES[2])))
    turn.start()
    time.sleep(0.5)  # the turn is under way on replica 1
    scaled_stack.kill("rasa", 0)
    turn.join(timeout=60)
    print(f"\n[rasa kill] the turn in flight on the killed replica answered {in_flight[0][0] if in_flight else 'nothing'}")
    try:
        more, statuses = converse(scaled_stack, sender, [SEARCHES[3], "what do I need to bring?"], retries=3)  # the balancer skips the dead replica
        assert more == [SEARCHES[3], "what do I need to bring?"], statuses
        if in_flight and in_flight[0][0] == 200:
            acknowledged.append(SEARCHES[2])
        stored = user_messages(scaled_stack, sender, scaled_stack.rasa_urls[1])
        assert stored[:2] == SEARCHES[:2] and stored[-2:] == more
        assert report("rasa kill -9", acknowledged + more, stored) == 0
        assert turns_one_at_a_time(tracker(scaled_stack, sender, scaled_stack.rasa_urls[1])["events"])
    finally:
        scaled_stack._launch("rasa", 0, lambda s: None, append=True)  # back, without waiting: the last fault
