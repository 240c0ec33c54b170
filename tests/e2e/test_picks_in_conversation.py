"""Picks from a list over the real stack: "number 2" and "最后一个" open that item of the list a situation
got, a number beyond the list says how many there are, and none of them opens a ticket."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest
from test_conversation import buttons, cards, say, texts
from testkit import rasa_api

pytestmark = pytest.mark.e2e


def steps_of(replies: list[dict[str, Any]]) -> list[str]:
    """The service ids of the buttons offered, in order."""
    return [json.loads("{" + b["payload"].split("{", 1)[1])["service_id"] for b in buttons(replies) if "select_service" in b["payload"]]


@pytest.mark.parametrize(
    ("lang", "situation", "pick", "index", "beyond", "only"),
    [
        ("en", "I just had a baby, what do I need to do?", "number 2", 1, "number {n}", "There are only {count}"),
        ("zh", "孩子刚出生，要办哪些事？", "最后一个", -1, "第{n}个", "只有{count}项"),
    ],
)
def test_a_pick_by_place_shows_that_step_and_never_opens_a_ticket(stack: Any, lang: str, situation: str, pick: str, index: int, beyond: str, only: str) -> None:
    sender = f"e2e-picks-{lang}-{uuid.uuid4().hex[:8]}"
    first = say(stack, sender, situation)
    listed = steps_of(first)
    assert len(listed) >= 3, listed
    tracker = rasa_api(stack, "GET", f"/conversations/{sender}/tracker")
    assert [s["id"] for s in tracker["slots"].get("shown") or []] == listed, (
        [e for e in tracker["events"] if e.get("event") in ("slot", "action", "user")],
        first,
    )
    picked = say(stack, sender, pick)
    slots = rasa_api(stack, "GET", f"/conversations/{sender}/tracker")["slots"]
    assert [c["service_id"] for c in cards(picked)] == [listed[index]], (texts(picked), slots.get("shown"))
    too_far = say(stack, sender, beyond.format(n=len(listed) + 5))
    assert only.format(count=len(listed)) in texts(too_far), texts(too_far)
    assert not cards(too_far)
    said = texts(picked) + texts(too_far)
    assert "ticket" not in said and "工单" not in said  # no handoff
