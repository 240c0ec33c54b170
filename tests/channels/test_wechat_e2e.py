"""End-to-end: WeChat and WeCom users talk to the real Rasa and action server through local fakes.

The fakes (``fake_wechat.py``: ``platforms.wechat`` in safe mode, ``platforms.wecom``) sign and
encrypt callbacks like the platforms, wait 5 s per attempt and retry with the same ``MsgId``; their
API side records what the bot sends through the customer-service API. ``catalogue_delay`` makes
the action server's catalogue calls slow: "我想换驾照" makes two of them, so ``slow(2.6)`` turns a
turn of ~0.3 s into one of more than 5 s. Every test uses a user of its own.
"""

from __future__ import annotations

import re
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from channels.delay_proxy import DelayProxy
from channels.fake_wechat import Delivery, FakeWeChat, FakeWeCom
from stack import Stack
from testkit import rasa_api

pytestmark = pytest.mark.e2e

# One catalogue call per search turn (POST /api/search/turn): the turn ends after WeChat's 5 s (and our 4 s),
# within the action server's 6 s for a turn (actions/catalogue_client.py, TURN_TIMEOUT_S).
SLOW_CATALOGUE_S = 4.8
LINK = re.compile(r"https?://\S+\?h=[\w-]+")


@pytest.fixture
def wechat(platforms: Any, stack: Stack) -> FakeWeChat:
    fake: FakeWeChat = platforms.wechat
    return fake


@pytest.fixture
def wecom(platforms: Any, stack: Stack) -> FakeWeCom:
    fake: FakeWeCom = platforms.wecom
    return fake


def user_messages(stack: Stack, conversation: str) -> list[str]:
    """The user's messages in Rasa's tracker (what reached Rasa, after option numbers were mapped)."""
    tracker = rasa_api(stack, "GET", f"/conversations/{conversation}/tracker")
    return [str(e.get("text")) for e in tracker.get("events") or [] if e.get("event") == "user"]


def say(fake: FakeWeChat | FakeWeCom, user: str, text: str) -> str:
    """Send ``text``; the passive reply the user saw (asserted to come in time, at the first attempt)."""
    delivery = fake.send_text(user, text)
    assert delivery.error is None and delivery.statuses == [200], delivery
    assert delivery.reply is not None, f"no passive reply to {text!r}: {delivery}"
    assert delivery.seconds < 4.6, delivery
    return delivery.reply


def stays(fake: FakeWeChat | FakeWeCom, user: str, count: int, seconds: float = 3.0) -> list[str]:
    """Wait for ``count`` API messages, then make sure no more follow for ``seconds``."""
    fake.wait_for_messages(user, count, timeout=60)
    time.sleep(seconds)
    messages = fake.messages_to(user)
    assert len(messages) == count, messages
    return messages


# -- WeChat -------------------------------------------------------------------------------------------


def test_wechat_user_goes_from_a_situation_to_the_application_link(stack: Stack, wechat: FakeWeChat) -> None:
    user = wechat.new_user()
    card = say(wechat, user, "我想换驾照")
    assert card.startswith("【机动车驾驶证换证】") and "所需材料" in card, card  # the service card, as text

    question = say(wechat, user, "我符合条件吗")
    assert "您是否持有机动车驾驶证" in question and "1. 是\n2. 否" in question, question
    asked = say(wechat, user, "1")  # "是", by number
    assert "多少天到期" in asked, asked
    verdict = say(wechat, user, "３０")  # full-width digits, but no options offered: an answer
    assert "您符合【机动车驾驶证换证】的条件" in verdict and "1. 申请并带入我的回答" in verdict, verdict
    consent = say(wechat, user, "第一个")
    assert "是否同意" in consent and "1. 同意共享" in consent, consent
    link = say(wechat, user, "1")
    assert LINK.search(link), link  # a plain URL the user can tap

    assert user_messages(stack, f"wechat:{user}") == ["我想换驾照", "我符合条件吗", "是", "３０", "/apply", "/affirm"]
    assert wechat.messages_to(user) == []  # every turn fitted the passive reply


def test_url_check_echoes_only_for_the_right_signature(stack: Stack, wechat: FakeWeChat) -> None:
    status, body, echo = wechat.url_check()
    assert (status, body) == (200, echo)
    status, body, echo = wechat.url_check(forged=True)
    assert status == 403 and echo not in body


def test_forged_callbacks_are_refused_and_nothing_reaches_rasa(stack: Stack, wechat: FakeWeChat) -> None:
    user = wechat.new_user()
    query, body = wechat.callback(wechat.text_message(user, "我想换驾照"))
    for forged in ({**query, "signature": "0" * 40}, {**query, "msg_signature": "0" * 40}, {k: v for k, v in query.items() if k != "signature"}):
        status, _, _ = wechat.post(forged, body)
        assert status == 403
    assert wechat.post(query, b"<xml><Encrypt>garbage</Encrypt></xml>")[0] == 403  # msg_signature covers the ciphertext
    assert user_messages(stack, f"wechat:{user}") == []


def test_a_redelivered_message_is_processed_once(stack: Stack, wechat: FakeWeChat) -> None:
    user = wechat.new_user()
    first = wechat.send_text(user, "你好")
    assert first.reply and "您好" in first.reply
    again = wechat.resend(first)  # same MsgId, as WeChat retries when our answer is lost
    assert again.statuses == [200] and again.reply is None and again.error is None
    assert user_messages(stack, f"wechat:{user}") == ["你好"]


def test_a_retry_after_the_platform_gave_up_is_processed_once_and_answered_through_the_api(
    stack: Stack, wechat: FakeWeChat, catalogue_delay: DelayProxy
) -> None:
    """The platform hangs up after 1 s here (5 s in reality) and retries; the turn runs once, to its end."""
    user = wechat.new_user()
    with catalogue_delay.slow(SLOW_CATALOGUE_S):
        delivery: Delivery = wechat.send_text(user, "我想换驾照", wait=1.0)
        assert delivery.statuses == [0, 200] and delivery.reply is None, delivery  # the retry: "success" at once
        (card,) = stays(wechat, user, 1)
    assert card.startswith("【机动车驾驶证换证】"), card
    assert user_messages(stack, f"wechat:{user}") == ["我想换驾照"]


def test_a_slow_turn_reaches_the_user_once_through_the_api(stack: Stack, wechat: FakeWeChat, catalogue_delay: DelayProxy) -> None:
    user = wechat.new_user()
    with catalogue_delay.slow(SLOW_CATALOGUE_S):
        delivery = wechat.send_text(user, "我想换驾照")
        assert delivery.statuses == [200] and delivery.reply is None, delivery  # "success" before WeChat's 5 s
        assert 3.8 < delivery.seconds < 4.8, delivery
        (card,) = stays(wechat, user, 1)
    assert card.startswith("【机动车驾驶证换证】"), card
    assert user_messages(stack, f"wechat:{user}") == ["我想换驾照"]
    assert "费用" in say(wechat, user, "要多少钱")  # the follow-up is about the card that came late


def test_system_busy_twice_then_the_message_arrives_once(stack: Stack, wechat: FakeWeChat) -> None:
    user = wechat.new_user()
    say(wechat, user, "你好")
    calls = len(wechat.api_calls)
    wechat.fail_next(2)  # errcode -1 "system busy"
    rasa_api(stack, "POST", f"/conversations/wechat:{user}/trigger_intent", {"name": "greet"}, output_channel="wechat")
    (greeting,) = stays(wechat, user, 1)
    assert greeting.startswith(("您好！", "Hello!")), greeting
    assert [code for path, code in wechat.api_calls[calls:] if path.endswith("/send")] == [-1, -1, 0]


def test_a_stale_access_token_is_fetched_again_once_for_concurrent_sends(stack: Stack, wechat: FakeWeChat) -> None:
    users = [wechat.new_user() for _ in range(3)]
    for user in users:
        say(wechat, user, "你好")
    rasa_api(stack, "POST", f"/conversations/wechat:{users[0]}/trigger_intent", {"name": "greet"}, output_channel="wechat")
    wechat.wait_for_messages(users[0], 1)  # a valid token is cached now
    fetches = wechat.token_fetches
    wechat.invalidate_tokens()  # e.g. someone fetched a new one with the same secret elsewhere
    with ThreadPoolExecutor(3) as pool:  # three sends meet the stale token at once: one fetch serves them all
        list(pool.map(lambda u: rasa_api(stack, "POST", f"/conversations/wechat:{u}/trigger_intent", {"name": "goodbye"}, output_channel="wechat"), users))
    assert len(stays(wechat, users[0], 2, seconds=0.5)) == 2
    assert all(len(stays(wechat, u, 1, seconds=0.5)) == 1 for u in users[1:])
    assert wechat.token_fetches == fetches + 1


def test_subscribe_greets_and_an_image_is_asked_to_type(stack: Stack, wechat: FakeWeChat) -> None:
    user = wechat.new_user()
    greeting = wechat.send_event(user, "subscribe")
    assert greeting.reply and greeting.reply.startswith("您好！"), greeting
    image = wechat.send_image(user)
    assert image.reply and "请直接输入您的问题" in image.reply and "please type your question" in image.reply, image
    assert wechat.send_event(user, "unsubscribe").reply is None
    assert user_messages(stack, f"wechat:{user}") == ["/greet"]


# -- WeCom --------------------------------------------------------------------------------------------


def test_wecom_url_check_answers_the_decrypted_echostr(stack: Stack, wecom: FakeWeCom) -> None:
    status, body, plain = wecom.url_check()
    assert (status, body) == (200, plain)
    assert wecom.url_check(forged=True)[0] == 403


def test_wecom_round_trip_passive_and_through_message_send(stack: Stack, wecom: FakeWeCom, catalogue_delay: DelayProxy) -> None:
    user = wecom.new_user()
    assert "您好" in say(wecom, user, "你好")
    with catalogue_delay.slow(SLOW_CATALOGUE_S):
        delivery = wecom.send_text(user, "我想换驾照")
        assert delivery.statuses == [200] and delivery.reply is None, delivery
        (card,) = stays(wecom, user, 1)
    assert card.startswith("【机动车驾驶证换证】"), card
    assert wecom.sent_to(user)[0].body["agentid"] == wecom.agent_id
    assert user_messages(stack, f"wecom:{user}") == ["你好", "我想换驾照"]
