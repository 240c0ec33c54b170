"""Correctness across replicas on the scaled stack (scripts/scaled.py; the session's ``scaled_stack``):
state, locks, single-use handles, channel retries and catalogue reloads hold whichever replica serves."""

from __future__ import annotations

import json
import os
import re
import threading
import time
import uuid
from pathlib import Path
from typing import Any

import pytest
from scaledkit import cards, http, say, texts, tracker, turns_one_at_a_time, user_messages, wait_until
from testkit import OPERATE_TOKEN, PORTAL_TOKEN, bearer

pytestmark = pytest.mark.e2e


def test_stack_file_lists_every_process_and_only_the_edge_is_public(scaled_stack: Any) -> None:
    entries = json.loads(scaled_stack.run_file.read_text())
    roles = sorted(e["role"] for e in entries)
    assert roles == sorted(["postgres", "redis", "edge", *["rasa", "actions", "catalogue"] * 2])
    for entry in entries:
        assert isinstance(entry["pid"], int) and isinstance(entry["port"], int)
        os.kill(entry["pid"], 0)  # alive
    edge = scaled_stack.edge_url
    assert http("GET", f"{edge}/health")[0] == 200
    assert http("GET", f"{edge}/")[0] == 200  # the portal
    assert http("GET", f"{edge}/socket.io/?EIO=4&transport=polling")[0] == 200  # the widget's socket.io reaches Rasa
    for private in (
        "/webhooks/rest/webhook",
        "/conversations/x/tracker",
        "/admin/reload",
        "/api/handoff/redeem",
        "/api/search/prepare",
        "/api/tickets",
        "/agent",
        "/metrics",
    ):
        posted = "webhook" in private or "redeem" in private or "prepare" in private
        assert http("POST" if posted else "GET", edge + private, {})[0] == 404, private


def test_a_conversation_keeps_its_state_when_turns_alternate_between_rasa_replicas(scaled_stack: Any) -> None:
    one, two = scaled_stack.rasa_urls
    sender = f"alt-{uuid.uuid4().hex[:8]}"
    status, replies = say(scaled_stack, one, sender, "I lost my job last week, my company let me go. Can I get some money while I look for work?")
    assert status == 200
    found = [c for c in cards(replies) if c["service_id"] == "unemployment-insurance-benefit"]
    if not found:  # offered as a choice: pick it, on the other replica
        chosen = [b for r in replies for b in r.get("buttons", []) if "unemployment-insurance-benefit" in b["payload"]]
        assert chosen, texts(replies)
        status, replies = say(scaled_stack, two, sender, chosen[0]["payload"])
        found = [c for c in cards(replies) if c["service_id"] == "unemployment-insurance-benefit"]
    assert found, texts(replies)
    status, replies = say(scaled_stack, two, sender, "what do I need to bring?")  # the follow-up knows the service
    assert status == 200 and "Documents" in texts(replies) and found[0]["documents"][0] in texts(replies), texts(replies)
    status, replies = say(scaled_stack, one, sender, "how much does it cost?")
    assert status == 200 and texts(replies), replies
    for replica in (one, two):
        state = tracker(scaled_stack, sender, replica)
        assert state["slots"]["service_id"] == "unemployment-insurance-benefit"
        assert [e["text"] for e in state["events"] if e["event"] == "user"][-2:] == ["what do I need to bring?", "how much does it cost?"]


def test_concurrent_messages_of_one_conversation_are_processed_one_at_a_time(scaled_stack: Any) -> None:
    sender = f"lock-{uuid.uuid4().hex[:8]}"
    messages = ["I lost my job", "孩子出生了怎么上户口", "what do I need to bring?", "how much does it cost?"]
    statuses: list[int] = []

    def send(i: int, message: str) -> None:
        statuses.append(say(scaled_stack, scaled_stack.rasa_urls[i % 2], sender, message)[0])

    threads = [threading.Thread(target=send, args=(i, m)) for i, m in enumerate(messages)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=300)
    assert statuses == [200] * len(messages)
    events = tracker(scaled_stack, sender)["events"]
    assert sorted(e["text"] for e in events if e["event"] == "user") == sorted(messages)
    assert turns_one_at_a_time(events), [(e["event"], e.get("name") or e.get("text")) for e in events]


def test_a_handoff_handle_is_single_use_across_catalogue_replicas(scaled_stack: Any) -> None:
    a, b = scaled_stack.catalogue_urls
    body = {
        "service_id": "pension-claim",
        "answers": {"age": 61, "employment_status": "retired", "hukou_shanghai": True},
        "lang": "en",
        "channel": "web",
        "consent": True,
    }
    status, link = http("POST", f"{a}/api/handoff/application", body, {"X-Internal-Token": scaled_stack.internal_token})
    assert status == 200, link
    assert link["url"].startswith(scaled_stack.edge_url)  # every replica signs as the edge
    handle = re.search(r"[?&]h=([A-Za-z0-9_-]+)", link["url"]).group(1)  # type: ignore[union-attr]
    redeem = {"handle": handle, "service_id": "pension-claim"}
    status, first = http("POST", f"{b}/api/handoff/redeem", redeem, bearer(PORTAL_TOKEN))
    assert status == 200 and first["answers"]["age"] == 61, first  # minted on A, redeemed on B
    status, again = http("POST", f"{a}/api/handoff/redeem", redeem, bearer(PORTAL_TOKEN))
    assert status == 409, again
    status, again = http("POST", f"{b}/api/handoff/redeem", redeem, bearer(PORTAL_TOKEN))
    assert status == 409, again


def test_a_wechat_retry_reaching_the_other_rasa_replica_is_processed_once(scaled_stack: Any, scaled_wechat: Any) -> None:
    one, two = scaled_stack.rasa_urls
    user = scaled_wechat.new_user()
    scaled_wechat.bind(one)
    first = scaled_wechat.send_text(user, "你好", wait=60)
    assert first.error is None and first.reply and "您好" in first.reply, first
    scaled_wechat.bind(two)
    again = scaled_wechat.resend(first)  # same MsgId, now on the other replica
    assert again.statuses == [200] and again.reply is None and again.error is None, again
    assert user_messages(scaled_stack, f"wechat:{user}") == ["你好"]


def test_a_catalogue_reload_reaches_every_replica(scaled_stack: Any) -> None:
    a, b = scaled_stack.catalogue_urls
    catalogue = Path(scaled_stack._env("catalogue")["CATALOG_CATALOG_PATH"])
    service = catalogue / "services" / "adoption-registration.yaml"
    original = service.read_text(encoding="utf-8")
    before = http("GET", f"{b}/health")[1]["catalogue_hash"]
    try:
        service.write_text(original.replace("en: Adoption registration", "en: Adoption registration (reloaded)", 1), encoding="utf-8")
        status, answer = http("POST", f"{a}/admin/reload", {}, bearer(OPERATE_TOKEN), timeout=600)
        assert status == 200 and answer["reloaded"] is True, answer
        started = time.monotonic()
        wait_until(lambda: http("GET", f"{b}/health")[1]["catalogue_hash"] == answer["catalogue_hash"], 300, "replica B serves the reloaded catalogue")
        print(f"\nreplica B followed the reload in {time.monotonic() - started:.1f} s")
        assert http("GET", f"{b}/api/services/adoption-registration")[1]["title"]["en"] == "Adoption registration (reloaded)"
    finally:
        service.write_text(original, encoding="utf-8")
        http("POST", f"{a}/admin/reload", {}, bearer(OPERATE_TOKEN), timeout=600)
        wait_until(lambda: all(http("GET", f"{u}/health")[1]["catalogue_hash"] == before for u in (a, b)), 300, "both replicas back on the original")
