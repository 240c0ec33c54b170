"""The widget's 👍/👎 under an answer, against the fake Rasa socket.io server (no processes run).

One rating per answer: pressing a thumb (by keyboard here) sends its payload and the buttons give
way to "Rated", also after a reload; a 👎 first asks for a reason, then the answer is closed.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser


def feedback(answer: str, rating: str, reason: str | None = None) -> str:
    extra = f',"reason":"{reason}"' if reason else ""
    return f'/feedback{{"answer_id":"{answer}","rating":"{rating}"{extra}}}'


def ask(answer: str) -> dict[str, Any]:
    """The bot's "Was this helpful?" as Rasa's socket.io channel sends it."""
    return {
        "text": "Was this answer helpful?",
        "quick_replies": [{"title": "👍 Useful", "payload": feedback(answer, "up")}, {"title": "👎 Not useful", "payload": feedback(answer, "down")}],
    }


def until(page: Page, condition: Callable[[], object], timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        page.wait_for_timeout(50)


def start(page: Page, fake_portal: Any, widget: Any) -> None:
    page.goto(fake_portal(html_lang="en"))
    widget.open()
    widget.wait_online(timeout=15_000)


def test_a_thumbs_up_by_keyboard_is_sent_once_and_the_buttons_give_way(page: Page, fake_portal: Any, fake_rasa: Any, widget: Any) -> None:
    start(page, fake_portal, widget)
    fake_rasa.emit("bot_uttered", {"text": "Birth registration: bring your ID card."})
    fake_rasa.emit("bot_uttered", ask("a1"))
    group = page.get_by_role("group", name="Rate this answer")
    expect(group).to_contain_text("Was this answer helpful?")
    up = page.get_by_role("button", name="Useful: this answer helped me")
    down = page.get_by_role("button", name="Not useful: this answer did not help me")
    expect(up).to_have_text("👍 Useful")
    expect(down).to_be_visible()
    expect(widget.replies).to_have_count(0)  # not offered as ordinary quick replies
    up.focus()
    page.keyboard.press("Enter")
    until(page, lambda: fake_rasa.said())
    assert [m["message"] for m in fake_rasa.said()] == [feedback("a1", "up")]
    expect(widget.user_bubbles.last).to_have_text("👍 Useful")
    expect(page.locator(".csw-rate")).to_have_count(0)
    expect(group).to_contain_text("Rated, thank you!")
    page.reload()  # the transcript is kept: the answer stays rated
    widget.open()
    widget.wait_online(timeout=15_000)
    expect(page.locator(".csw-feedback-done")).to_have_count(1)
    expect(page.locator(".csw-rate")).to_have_count(0)


def test_a_thumbs_down_asks_why_and_the_reason_closes_the_answer(page: Page, fake_portal: Any, fake_rasa: Any, widget: Any) -> None:
    start(page, fake_portal, widget)
    fake_rasa.emit("bot_uttered", ask("b2"))
    page.get_by_role("button", name="Not useful: this answer did not help me").click()
    until(page, lambda: fake_rasa.said())
    expect(page.locator(".csw-rate")).to_have_count(0)  # 👍/👎 gone while the reason is asked
    reasons = [("Not the service I need", "wrong_service"), ("Hard to understand", "unclear"), ("Skip the reason", "none")]
    fake_rasa.emit(
        "bot_uttered",
        {
            "text": "Sorry it didn't help. Would you tell us why? (optional)",
            "quick_replies": [{"title": t, "payload": feedback("b2", "down", r)} for t, r in reasons],
        },
    )
    expect(page.locator(".csw-rate")).to_have_count(3)
    page.get_by_role("button", name="Hard to understand").click()
    until(page, lambda: len(fake_rasa.said()) == 2)
    assert [m["message"] for m in fake_rasa.said()] == [feedback("b2", "down"), feedback("b2", "down", "unclear")]
    expect(page.locator(".csw-rate")).to_have_count(0)
    expect(page.locator(".csw-feedback-done")).to_have_count(2)
