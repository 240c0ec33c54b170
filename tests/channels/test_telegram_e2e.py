"""End-to-end: a Telegram user talks to the real Rasa and action server through a fake Bot API.

The fake (``fake_telegram.py``, ``platforms.telegram``) plays Telegram on both sides: it posts
``Update`` JSON to the shared stack's ``/webhooks/telegram/webhook`` with the secret token and
records what the bot sends with ``sendMessage``. Every test uses a chat of its own.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable
from typing import Any

import pytest
from channels.delay_proxy import DelayProxy
from channels.fake_telegram import FakeTelegram
from stack import Stack, StackError
from testkit import rasa_api

pytestmark = pytest.mark.e2e

LONG_PAYLOAD = '/select_service{"service_id":"technology-import-export-contract-registration"}'


@pytest.fixture
def telegram(platforms: Any, stack: Stack) -> FakeTelegram:
    """The fake Telegram the shared stack's channel talks to (bound to it by the ``stack`` fixture)."""
    fake: FakeTelegram = platforms.telegram
    return fake


def new_chat() -> int:
    return 1_000_000_000 + secrets.randbelow(1_000_000_000)


def user_messages(stack: Stack, chat_id: int) -> list[str]:
    """What Rasa's tracker holds as the user's messages in ``telegram:<chat_id>``."""
    tracker = rasa_api(stack, "GET", f"/conversations/telegram:{chat_id}/tracker")
    return [str(e.get("text")) for e in tracker.get("events") or [] if e.get("event") == "user"]


def say(fake: FakeTelegram, chat_id: int, text: str) -> list[str]:
    before = len(fake.messages_to(chat_id))
    fake.send_text(chat_id, text)
    return [m["text"] for m in fake.wait_for_reply(chat_id, before)]


def press(fake: FakeTelegram, chat_id: int, title: str) -> list[str]:
    before = len(fake.messages_to(chat_id))
    update = fake.press_button(chat_id, title)
    replies = [m["text"] for m in fake.wait_for_reply(chat_id, before)]
    assert fake.callback_answered(update["callback_query"]["id"]), "the button's spinner was not stopped with answerCallbackQuery"
    return replies


def test_english_user_goes_from_a_situation_to_the_application_link(stack: Stack, telegram: FakeTelegram) -> None:
    fake = telegram
    chat = new_chat()
    replies = "\n".join(say(fake, chat, "I want to renew my driving licence"))
    if "Renew a driving licence" not in replies.split("\n")[0]:  # a list of services first: pick ours
        replies = "\n".join(press(fake, chat, "Renew a driving licence"))
    assert "Renew a driving licence" in replies and "Documents" in replies, replies  # the card, as text

    asked = "\n".join(say(fake, chat, "am I eligible?"))
    pressed = 0
    for _ in range(4):  # the form asks only what can still change the outcome, in its own order
        if "you qualify" in asked:
            break
        if "Do you hold a driving licence" in asked:
            asked, pressed = "\n".join(press(fake, chat, "Yes")), pressed + 1
        elif "lost or damaged" in asked:
            asked, pressed = "\n".join(press(fake, chat, "No")), pressed + 1
        elif "how many days" in asked:
            asked = "\n".join(say(fake, chat, "30"))
        else:
            pytest.fail(f"an unexpected question: {asked}")
    assert pressed >= 1 and "you qualify" in asked, asked

    consent = "\n".join(press(fake, chat, "Apply with my answers"))
    assert "agree to share" in consent, consent
    link = "\n".join(press(fake, chat, "Yes, share them"))
    assert "?h=" in link, link

    said = user_messages(stack, chat)
    assert said[0] == "I want to renew my driving licence" and "/affirm" in said and "/apply" in said
    for call in fake.calls_to("sendMessage", chat):
        assert "parse_mode" not in call["body"] and call["status"] == 200


def test_start_greets_and_a_photo_is_asked_to_be_typed(stack: Stack, telegram: FakeTelegram) -> None:
    fake = telegram
    chat = new_chat()
    greeting = "\n".join(say(fake, chat, "/start"))
    assert "one-stop" in greeting or "一网通办" in greeting, greeting
    assert user_messages(stack, chat)[0].startswith("/greet")
    update = fake.text_update(chat, "")
    update["message"].pop("text")
    update["message"]["photo"] = [{"file_id": "AgAD", "file_unique_id": "x", "width": 90, "height": 90}]
    before = len(fake.messages_to(chat))
    assert fake.send_update(update) == 200
    (reply,) = fake.wait_for_reply(chat, before)
    assert "please type" in reply["text"] and "文字" in reply["text"]
    assert len(user_messages(stack, chat)) == 1  # the photo never reached Rasa


@pytest.mark.parametrize("secret", [None, "wrong", "SECRET"])
def test_a_wrong_or_missing_secret_token_is_refused_and_reaches_nothing(stack: Stack, telegram: FakeTelegram, secret: str | None) -> None:
    fake = telegram
    chat = new_chat()
    if secret == "SECRET":  # the right secret but one character: as hard to guess as a wrong one
        secret = fake.secret_token[:-1] + ("A" if fake.secret_token[-1] != "A" else "B")
    assert fake.send_update(fake.text_update(chat, "I want to renew my driving licence"), secret=secret) == 403
    time.sleep(2)
    assert user_messages(stack, chat) == []
    assert fake.calls_to("sendMessage", chat) == []


def test_an_update_delivered_twice_is_processed_once(stack: Stack, telegram: FakeTelegram) -> None:
    fake = telegram
    chat = new_chat()
    update = fake.send_text(chat, "hello")
    assert fake.send_update(update) == 200  # Telegram delivers again when it missed our answer
    replies = fake.wait_for_messages(chat, 1, quiet=3)
    assert len(replies) == 1, [m["text"] for m in replies]
    assert user_messages(stack, chat) == ["hello"]


def test_429_twice_then_the_message_arrives_once(stack: Stack, telegram: FakeTelegram) -> None:
    fake = telegram
    chat = new_chat()
    fake.fail_next("sendMessage", times=2, retry_after=1, chat_id=chat)
    fake.send_text(chat, "hello")
    replies = fake.wait_for_messages(chat, 1, timeout=60, quiet=3)
    assert len(replies) == 1
    assert [c["status"] for c in fake.calls_to("sendMessage", chat)] == [429, 429, 200]


def test_a_blocked_user_is_not_sent_to_again(stack: Stack, telegram: FakeTelegram) -> None:
    fake = telegram
    chat = new_chat()
    fake.block(chat)
    fake.send_text(chat, "hello")
    deadline = time.monotonic() + 60
    while not fake.calls_to("sendMessage", chat) and time.monotonic() < deadline:
        time.sleep(0.2)
    time.sleep(3)
    assert [c["status"] for c in fake.calls_to("sendMessage", chat)] == [403]  # final: not retried
    assert user_messages(stack, chat) == ["hello"]


def test_a_reply_that_times_out_after_sending_is_not_sent_again(stack: Stack, telegram: FakeTelegram) -> None:
    """The fake delivers, then answers later than the channel waits (10 s): the outcome is unknown."""
    fake = telegram
    chat = new_chat()
    fake.hold_next(13, chat_id=chat)
    fake.send_text(chat, "hello")
    replies = fake.wait_for_messages(chat, 1, timeout=60, quiet=15)
    assert len(replies) == 1
    assert len(fake.calls_to("sendMessage", chat)) == 1


def test_a_long_pushed_reply_is_split_and_its_long_button_payload_works(stack: Stack, telegram: FakeTelegram) -> None:
    """An agent pushes a long message with a button through Rasa's API; the channel sends it via get_output_channel()."""
    fake = telegram
    chat = new_chat()
    say(fake, chat, "hello")  # the conversation's latest input channel is now telegram
    lines = [
        f"Step {chr(65 + i % 26)}{i % 7}: bring the original and one copy of each document listed for this service. 请携带原件和复印件。" for i in range(120)
    ]
    text = "\n".join(lines)
    assert len(text) > 2 * 4096
    before = len(fake.messages_to(chat))
    event = {"event": "bot", "text": text, "data": {"buttons": [{"title": "Technology contract registration", "payload": LONG_PAYLOAD}]}}
    rasa_api(stack, "POST", f"/conversations/telegram:{chat}/tracker/events", [event], output_channel="latest", execute_side_effects="true")
    parts = fake.wait_for_reply(chat, before)
    assert len(parts) >= 3
    assert all(len(p["text"]) <= 4096 for p in parts)
    assert "\n".join(p["text"] for p in parts) == text
    (button,) = parts[-1]["reply_markup"]["inline_keyboard"][0]
    assert button["callback_data"] != LONG_PAYLOAD and len(button["callback_data"].encode()) <= 64
    assert all("reply_markup" not in p for p in parts[:-1])

    card = "\n".join(press(fake, chat, "Technology contract registration"))
    assert "echnology" in card, card
    assert user_messages(stack, chat)[-1] == LONG_PAYLOAD  # Rasa got the payload, not the reference


def test_the_webhook_answers_at_once_while_a_slow_turn_runs_in_the_background(stack: Stack, telegram: FakeTelegram, catalogue_delay: DelayProxy) -> None:
    """Telegram delivers again when the webhook is slow: a turn held up by a slow catalogue must not hold the answer."""
    fake = telegram
    chat = new_chat()
    update = fake.text_update(chat, "I want to renew my driving licence")
    with catalogue_delay.slow(3):  # each catalogue call (the action server waits 4 s at most)
        started = time.monotonic()
        assert fake.send_update(update) == 200
        answered_in = time.monotonic() - started
        replies = fake.wait_for_messages(chat, 1, timeout=90, quiet=0.5)
        replied_in = time.monotonic() - started - 0.5
    assert replied_in >= 3.0 and answered_in < 1.0, f"the webhook answered in {answered_in:.1f} s, the reply came after {replied_in:.1f} s"
    assert "Renew a driving licence" in "\n".join(m["text"] for m in replies)


@pytest.mark.parametrize("secret", ["", "a" * 40, "short-but-varied-0123"])
def test_rasa_refuses_to_start_the_channel_without_a_proper_secret_token(start_stack: Callable[..., Stack], secret: str) -> None:
    variables = {"TELEGRAM_BOT_TOKEN": "123456:ABC" + "x1y2z3" * 6, "TELEGRAM_SECRET_TOKEN": secret, "TELEGRAM_API_URL": "http://127.0.0.1:9"}
    with pytest.raises(StackError, match="the rasa server exited") as refused:
        start_stack(extra_env=variables)
    assert "TELEGRAM_SECRET_TOKEN must be set to 32-256 characters" in str(refused.value)
