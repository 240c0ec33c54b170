"""End-to-end: Rasa, the action server and the catalogue service as real processes, talked to over REST."""

from __future__ import annotations

import json
import urllib.request
import uuid
from collections.abc import Callable
from typing import Any

import pytest

pytestmark = pytest.mark.e2e


def say(stack: Any, sender: str, message: str) -> list[dict[str, Any]]:
    body = json.dumps({"sender": sender, "message": message}).encode()
    request = urllib.request.Request(f"http://127.0.0.1:{stack.ports['rasa']}/webhooks/rest/webhook", data=body, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=60) as response:
        return list(json.loads(response.read()))


def texts(replies: list[dict[str, Any]]) -> str:
    return "\n".join(r.get("text", "") for r in replies)


def cards(replies: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [r["custom"]["data"] for r in replies if isinstance(r.get("custom"), dict) and (r["custom"].get("data") or {}).get("type") == "service_card"]


def buttons(replies: list[dict[str, Any]]) -> list[dict[str, str]]:
    return [b for r in replies for b in r.get("buttons", [])]


def reach_card(stack: Any, sender: str, message: str, service_id: str) -> dict[str, Any]:
    """Say ``message``; click the result button for ``service_id`` when the bot offers a list."""
    replies = say(stack, sender, message)
    found = [c for c in cards(replies) if c["service_id"] == service_id]
    if not found:
        chosen = [b for b in buttons(replies) if service_id in b["payload"]]
        assert chosen, f"{service_id} not offered for {message!r}: {texts(replies)} {buttons(replies)}"
        replies = say(stack, sender, chosen[0]["payload"])
        found = [c for c in cards(replies) if c["service_id"] == service_id]
    assert found, texts(replies)
    return found[0]


def test_english_situation_to_card_and_follow_up(stack: Any) -> None:
    sender = f"e2e-en-{uuid.uuid4().hex[:8]}"
    card = reach_card(
        stack, sender, "I lost my job last week, my company let me go. Can I get some money while I look for work?", "unemployment-insurance-benefit"
    )
    assert card["lang"] == "en"
    assert card["title"] == "Unemployment insurance benefit"
    # The card's facts came from the catalogue service through the action server.
    assert card["online_url"].endswith("/unemployment-insurance-benefit")
    reply = texts(say(stack, sender, "what do I need to bring?"))
    assert "Documents" in reply and card["documents"][0] in reply


def test_chinese_situation_to_card_and_follow_up(stack: Any) -> None:
    sender = f"e2e-zh-{uuid.uuid4().hex[:8]}"
    card = reach_card(stack, sender, "孩子上周刚出生，怎么给他报户口？", "birth-registration")
    assert card["lang"] == "zh"
    assert "出生" in card["title"]
    reply = texts(say(stack, sender, "要多少钱"))
    assert "费用" in reply


def test_out_of_scope_is_answered_honestly(stack: Any) -> None:
    replies = say(stack, f"e2e-oos-{uuid.uuid4().hex[:8]}", "what's the weather like tomorrow?")
    assert not cards(replies)
    assert "12345" in texts(replies)


@pytest.mark.parametrize("message", ["🙂🙂🙂", "<script>alert(1)</script>", "x" * 5000, "'; DROP TABLE services; --", "我想办 residence permit 在浦东"])
def test_hostile_and_odd_input_gets_a_polite_answer(stack: Any, message: str) -> None:
    replies = say(stack, f"e2e-odd-{uuid.uuid4().hex[:8]}", message)
    assert replies, "the bot must always answer"
    assert "<script>" not in texts(replies)


def test_catalogue_down_gives_a_clear_apology(start_stack: Callable[[], Any]) -> None:
    """Stops the catalogue service of its own stack (fresh ports), so the shared ``stack`` stays intact."""
    with start_stack() as own:
        own.stop_one("catalogue")
        reply = texts(say(own, f"e2e-down-{uuid.uuid4().hex[:8]}", "I need to renew my passport"))
    assert "unavailable" in reply and "12345" in reply
