"""The widget against a fake Rasa socket.io server: protocol, payload rendering, safety, reconnects.

The portal page and widget come from disk (``fake_portal``) under the real CSP; no processes run.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser

CARD: dict[str, Any] = {
    "type": "service_card",
    "lang": "en",
    "service_id": "unemployment-insurance-benefit",
    "title": "Unemployment insurance benefit",
    "summary": "A monthly benefit for people who lost their job.",
    "documents": ["Your ID card", "Certificate of termination"],
    "cost": "Free",
    "processing_time": "5 working days",
    "where": {"name": "Pudong Social Insurance Centre", "address": "613 Eshan Road", "hours": "Mon–Fri 9:00–17:00", "phone": "021-50582233"},
    "online_url": "https://zwdt.sh.gov.cn/unemployment-insurance-benefit",
    "labels": {"documents": "Documents", "cost": "Cost", "time": "Processing time", "where": "Where", "online": "Apply online"},
}


def until(page: Page, condition: Callable[[], object], timeout: float = 10.0) -> None:
    """Let the page run until ``condition()`` holds (route handlers run while Playwright waits)."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        page.wait_for_timeout(50)


def start(page: Page, fake_portal: Any, widget: Any, **portal: str) -> None:
    page.goto(fake_portal(**portal))
    widget.open()
    widget.wait_online(timeout=15_000)


def test_handshake_session_and_ping(page: Page, fake_portal: Any, fake_rasa: Any, widget: Any) -> None:
    start(page, fake_portal, widget)
    assert fake_rasa.frames[0] == "40"
    assert fake_rasa.said("session_request") == [{"session_id": None}]
    fake_rasa.send_raw("2")
    until(page, lambda: "3" in fake_rasa.frames)
    widget.say("hello")
    until(page, lambda: fake_rasa.said())
    assert fake_rasa.said() == [{"message": "hello", "session_id": "fake-session-1"}]
    # The stored session id is asked for again after a reload.
    page.reload()
    widget.open()
    widget.wait_online(timeout=15_000)
    assert fake_rasa.said("session_request")[-1] == {"session_id": "fake-session-1"}
    expect(widget.user_bubbles).to_have_text(["hello"])


def test_card_replaces_its_text_and_wrapped_payloads_render(page: Page, fake_portal: Any, fake_rasa: Any, widget: Any) -> None:
    start(page, fake_portal, widget)
    fake_rasa.emit("bot_uttered", {"text": "** Unemployment insurance benefit **\nA monthly benefit…\nDocuments: …"})
    fake_rasa.emit("bot_uttered", CARD)
    expect(widget.cards).to_have_count(1)
    card = widget.cards.first
    expect(card.locator("h3")).to_have_text(CARD["title"])
    expect(card.locator("li")).to_have_text(CARD["documents"])
    expect(card).to_contain_text("5 working days")
    expect(card).to_contain_text("613 Eshan Road")
    apply = card.locator("a.csw-apply")
    expect(apply).to_have_attribute("href", CARD["online_url"])
    expect(apply).to_have_attribute("rel", "noopener noreferrer")
    expect(apply).to_have_attribute("target", "_blank")
    page.wait_for_timeout(1200)
    assert widget.log.inner_text().count("** Unemployment") == 0, "the card text must be hidden when its card follows"
    # Chinese header text, card wrapped as {data: ...}
    zh = {
        **CARD,
        "lang": "zh",
        "title": "失业保险金申领",
        "labels": {"documents": "所需材料", "cost": "费用", "time": "办理时限", "where": "办理地点", "online": "网上办理"},
    }
    fake_rasa.emit("bot_uttered", {"text": "【失业保险金申领】\n摘要"})
    fake_rasa.emit("bot_uttered", {"data": zh})
    expect(widget.cards).to_have_count(2)
    expect(widget.cards.nth(1)).to_have_attribute("lang", "zh-CN")
    expect(widget.cards.nth(1)).to_contain_text("所需材料")
    page.wait_for_timeout(1200)
    assert "【失业保险金申领】" not in widget.log.inner_text()
    # A follow-up that merely starts like a card header still shows.
    fake_rasa.emit("bot_uttered", {"text": "【失业保险金申领】费用：免费"})
    expect(widget.log).to_contain_text("【失业保险金申领】费用：免费")


def test_quick_replies_handoff_question_and_attachments(page: Page, fake_portal: Any, fake_rasa: Any, widget: Any) -> None:
    start(page, fake_portal, widget)
    fake_rasa.emit(
        "bot_uttered",
        {
            "text": "Pick one:",
            "quick_replies": [{"content_type": "text", "title": "Birth registration", "payload": '/select_service{"service_id":"birth-registration"}'}],
        },
    )
    widget.replies.get_by_text("Birth registration").click()
    expect(widget.user_bubbles.last).to_have_text("Birth registration")
    until(page, lambda: fake_rasa.said())
    assert fake_rasa.said()[-1]["message"] == '/select_service{"service_id":"birth-registration"}'
    expect(page.locator(".csw-typing")).to_be_visible()
    fake_rasa.emit("bot_uttered", {"type": "handoff_link", "url": "https://portal.example/handoff/abc", "label": "Continue on the portal"})
    handoff = page.locator("a.csw-handoff")
    expect(handoff).to_contain_text("Continue on the portal")
    expect(handoff).to_have_attribute("href", "https://portal.example/handoff/abc")
    expect(page.locator(".csw-typing")).to_be_hidden()
    fake_rasa.emit(
        "bot_uttered",
        {"data": {"type": "question", "text": "Are you over 18?", "buttons": [{"title": "Yes", "payload": "/affirm"}, {"title": "No", "payload": "/deny"}]}},
    )
    expect(widget.log).to_contain_text("Are you over 18?")
    expect(widget.replies.get_by_text("No", exact=True)).to_be_visible()
    fake_rasa.emit("bot_uttered", {"attachment": {"type": "image", "payload": {"src": "data:image/gif;base64,R0lGODlhAQABAAAAACw="}}})
    expect(page.locator(".csw-log img.csw-image")).to_have_count(1)
    fake_rasa.emit("bot_uttered", {"attachment": {"type": "template", "payload": {"template_type": "generic", "elements": []}}})
    fake_rasa.emit("bot_uttered", {"text": "See https://zwdt.sh.gov.cn/a?b=1. Or javascript:alert(1) http://x.test/<b>"})
    link = widget.log.locator("a.csw-inline-link")
    expect(link.first).to_have_attribute("href", "https://zwdt.sh.gov.cn/a?b=1")
    expect(link).to_have_count(2)
    expect(widget.log).to_contain_text("javascript:alert(1)")


def test_hostile_payloads_stay_text(page: Page, fake_portal: Any, fake_rasa: Any, widget: Any, page_log: Any) -> None:
    start(page, fake_portal, widget)
    evil = "<img src=x onerror=alert(1)><script>alert(2)</script>"
    fake_rasa.emit("bot_uttered", {"text": evil, "quick_replies": [{"title": evil, "payload": "/x"}]})
    fake_rasa.emit("bot_uttered", {**CARD, "title": evil, "summary": evil, "documents": [evil], "online_url": "javascript:alert(3)"})
    fake_rasa.emit("bot_uttered", {"type": "handoff_link", "url": "javascript:alert(4)", "label": evil})
    fake_rasa.emit("bot_uttered", {"attachment": {"type": "image", "payload": {"src": "javascript:alert(5)"}}})
    expect(widget.cards).to_have_count(1)
    expect(widget.cards.locator("h3")).to_have_text(evil)
    expect(widget.replies.first).to_have_text(evil)
    page.wait_for_timeout(500)
    assert page.locator(".csw-log img, .csw-log script, .csw-log b").count() == 0
    assert page.locator(".csw-log a[href^='javascript']").count() == 0
    assert widget.cards.locator("a").count() == 0, "a javascript: online_url must not become a link"
    assert not page_log.dialogs


def test_offline_notice_and_reconnect(page: Page, fake_portal: Any, fake_rasa: Any, widget: Any) -> None:
    start(page, fake_portal, widget)
    fake_rasa.refuse = True
    fake_rasa.drop()
    expect(widget.status).to_have_text(re.compile("连接已断开"))
    expect(widget.status).to_have_attribute("role", "status")
    expect(widget.send_button).to_be_disabled()
    widget.input.fill("queued?")
    widget.input.press("Enter")
    expect(widget.input).to_have_value("queued?")  # nothing is queued; the text stays in the box
    fake_rasa.refuse = False
    widget.wait_online(timeout=20_000)  # retried after ~1 s, then ~2 s (with jitter)
    expect(widget.status).to_have_text("")
    assert fake_rasa.connections >= 2
    assert fake_rasa.said("session_request")[-1] == {"session_id": "fake-session-1"}
    assert not fake_rasa.said(), "no message may be sent while offline"


def test_typing_indicator_gives_up_after_15_seconds(page: Page, fake_portal: Any, fake_rasa: Any, widget: Any) -> None:
    page.clock.install()
    start(page, fake_portal, widget)
    widget.say("anyone there?")
    typing = page.locator(".csw-typing")
    expect(typing).to_be_visible()
    page.clock.run_for(14_000)
    expect(typing).to_be_visible()
    page.clock.run_for(1_500)
    expect(typing).to_be_hidden()


def test_language_attribute_and_switch_payload(page: Page, fake_portal: Any, fake_rasa: Any, widget: Any) -> None:
    start(page, fake_portal, widget, html_lang="en-GB")
    expect(widget.title).to_have_text("One-stop Service Assistant")
    expect(widget.launcher).to_have_attribute("aria-label", re.compile("assistant"))
    widget.lang_button.click()
    expect(widget.title).to_have_text("一网通办智能客服")
    until(page, lambda: fake_rasa.said())
    assert fake_rasa.said()[-1]["message"] == '/switch_language{"lang":"zh"}'
    expect(widget.user_bubbles).to_have_count(0)
    # data-lang wins over <html lang>
    page.evaluate("localStorage.clear()")
    page.goto(fake_portal(html_lang="en", data_lang="zh"))
    expect(page.locator(".csw-title")).to_have_text("一网通办智能客服")
