"""The Telegram renderer: 4,096-character parts cut at line breaks, inline keyboards, callback_data references."""

from __future__ import annotations

import json

import pytest

from bot.connectors import render_telegram
from bot.connectors.render_telegram import (
    MAX_CALLBACK_BYTES,
    MAX_REMEMBERED,
    MAX_TEXT,
    callback_data,
    merge_options,
    referenced_options,
    resolve,
    utf16_size,
)
from bot.connectors.replies import Reply, neutral, renderer

LONG_PAYLOAD = '/select_service{"service_id":"technology-import-export-contract-registration"}'
SHORT_PAYLOAD = '/select_service{"service_id":"passport-application"}'


def render(replies: list[Reply], lang: str = "en") -> list[dict]:
    return renderer("telegram").render(replies, lang)


def keyboard_of(body: dict) -> list[list[dict[str, str]]]:
    return body["reply_markup"]["inline_keyboard"]


def test_the_renderer_is_registered_under_the_channel_name() -> None:
    assert isinstance(renderer("telegram"), render_telegram.TelegramRenderer)


def test_a_short_text_is_one_plain_message_without_markup_or_preview() -> None:
    (body,) = render([Reply("Renew a driving licence: <b>10 yuan</b> *fee* _x_ [link](http://a)")])
    assert body["text"] == "Renew a driving licence: <b>10 yuan</b> *fee* _x_ [link](http://a)"  # sent as typed: no parse_mode, nothing escaped
    assert "parse_mode" not in body and "reply_markup" not in body and "chat_id" not in body
    assert body["link_preview_options"] == {"is_disabled": True}


def test_utf16_size_counts_emoji_outside_the_bmp_twice() -> None:
    assert utf16_size("abc") == 3
    assert utf16_size("办证") == 2
    assert utf16_size("🙂") == 2
    assert utf16_size("👨‍👩‍👧") == 8  # three people joined by two zero-width joiners


@pytest.mark.parametrize("line", ["办理居住证需要提供租房合同和身份证。", "Bring your ID card 🪪 and the rental contract 🏠.", "混合 mixed 🙂 文本"])
def test_a_long_text_is_split_at_line_breaks_below_the_limit(line: str) -> None:
    lines = [f"{i:04d} {line}" for i in range(600)]
    text = "\n".join(lines)
    assert utf16_size(text) > 2 * MAX_TEXT
    bodies = render([Reply(text)])
    assert len(bodies) >= 3
    for body in bodies:
        assert 1 <= utf16_size(body["text"]) <= MAX_TEXT
        assert set(body["text"].split("\n")) <= set(lines)  # every cut is at a line break
    assert "\n".join(b["text"] for b in bodies) == text  # nothing lost, nothing reordered


def test_an_emoji_line_longer_than_the_limit_is_cut_between_characters() -> None:
    text = "🙂" * 3000  # 6,000 UTF-16 units on one line
    bodies = render([Reply(text)])
    assert [utf16_size(b["text"]) <= MAX_TEXT for b in bodies] == [True, True]
    assert "".join(b["text"] for b in bodies) == text


def test_buttons_are_an_inline_keyboard_under_the_last_part_only() -> None:
    text = "\n".join(f"line {i} " + "x" * 60 for i in range(200))
    bodies = render([Reply(text, [("Yes", "yes"), ("No", "no")])])
    assert len(bodies) == 4
    assert all("reply_markup" not in b for b in bodies[:-1])
    assert keyboard_of(bodies[-1]) == [[{"text": "Yes", "callback_data": "yes"}, {"text": "No", "callback_data": "no"}]]


def test_short_titles_share_a_row_and_long_ones_have_their_own() -> None:
    buttons = [
        ("Renew a driving licence", '/select_service{"service_id":"driving-licence-renewal"}'),
        ("是", "是"),
        ("否", "否"),
        ("机动车驾驶证换证申请", "/x"),  # 20 display columns: too wide to share
        ("OK", "/affirm"),
    ]
    (body,) = render([Reply("Choose", buttons)])
    assert [[b["text"] for b in row] for row in keyboard_of(body)] == [["Renew a driving licence"], ["是", "否"], ["机动车驾驶证换证申请"], ["OK"]]


def test_buttons_without_text_get_a_prompt_in_the_conversation_language() -> None:
    (zh,) = render([Reply("", [("是", "是")])], lang="zh")
    (unknown,) = render([Reply("", [("Yes", "yes")])], lang="")
    assert zh["text"] == "请选择：" and "请选择" in unknown["text"] and "choose" in unknown["text"]
    assert render([Reply("   ")]) == []


def test_a_button_without_a_payload_says_its_title() -> None:
    (body,) = render([Reply("?", [("Tell me more", ""), ("", "/affirm")])])
    assert keyboard_of(body) == [[{"text": "Tell me more", "callback_data": "Tell me more"}, {"text": "/affirm", "callback_data": "/affirm"}]]


def test_rasa_messages_render_through_the_neutral_reply() -> None:
    messages = [
        {"text": "Renew a driving licence"},
        {"text": "Fee: 10 yuan"},
        {"text": "Do you hold a driving licence?", "buttons": [{"title": "Yes", "payload": "yes"}, {"title": "No", "payload": "no"}]},
        {"custom": {"data": {"type": "handoff_link", "url": "https://portal.example/apply?h=abc", "label": "Apply"}}},
    ]
    bodies = render(neutral(messages))
    assert [b["text"] for b in bodies] == [
        "Renew a driving licence\n\nFee: 10 yuan\n\nDo you hold a driving licence?",
        "Apply: https://portal.example/apply?h=abc",
    ]
    assert keyboard_of(bodies[0])[0][0] == {"text": "Yes", "callback_data": "yes"}


@pytest.mark.parametrize("payload", ["/affirm", SHORT_PAYLOAD, "是", "x" * 64, "办" * 21])
def test_payloads_of_at_most_64_bytes_are_sent_as_they_are(payload: str) -> None:
    assert callback_data(payload) == payload
    assert resolve(payload, []) == payload


@pytest.mark.parametrize("payload", [LONG_PAYLOAD, "x" * 65, "办" * 22, '/inform{"answer":"我在上海缴纳社会保险已经满六个月了"}', "~looks-like-a-reference"])
def test_longer_payloads_become_short_references_that_resolve_back(payload: str) -> None:
    data = callback_data(payload)
    assert data != payload and data.startswith("~")
    assert 1 <= len(data.encode("utf-8")) <= MAX_CALLBACK_BYTES
    assert callback_data(payload) == data  # stable: the same button always gets the same reference
    remembered = referenced_options([Reply("pick", [("A title", payload)])])
    assert remembered == [("A title", payload)]
    assert resolve(data, remembered) == payload


def test_every_rendered_callback_data_fits_and_maps_back_to_its_payload() -> None:
    payloads = [LONG_PAYLOAD, SHORT_PAYLOAD, "/affirm", '/select_service{"service_id":"government-procurement-supplier-registration"}']
    replies = [Reply("Which one?", [(f"Service {i}", p) for i, p in enumerate(payloads)])]
    (body,) = render(replies)
    remembered = referenced_options(replies)
    assert [p for _, p in remembered] == [payloads[0], payloads[3]]  # only the long ones need storing
    pressed = [button["callback_data"] for row in keyboard_of(body) for button in row]
    assert all(1 <= len(d.encode("utf-8")) <= MAX_CALLBACK_BYTES for d in pressed)
    assert [resolve(d, remembered) for d in pressed] == payloads
    json.dumps(body)  # a valid JSON body


def test_an_unknown_or_forged_reference_resolves_to_nothing() -> None:
    remembered = referenced_options([Reply("pick", [("A", LONG_PAYLOAD)])])
    assert resolve(callback_data("x" * 100), remembered) is None
    assert resolve("~AAAAAAAAAAAAAAAA", remembered) is None
    assert resolve(callback_data(LONG_PAYLOAD), []) is None


def test_remembered_options_keep_older_buttons_newest_first_and_bounded() -> None:
    old = [("Old", "o" * 70), ("Shared", "s" * 70)]
    new = [("Shared again", "s" * 70), ("New", "n" * 70)]
    assert merge_options(new, old) == [("Shared again", "s" * 70), ("New", "n" * 70), ("Old", "o" * 70)]
    many = [(str(i), f"{i:070d}") for i in range(80)]
    assert merge_options(many[:10], many[10:]) == many[:MAX_REMEMBERED]


def test_thumbs_under_an_answer_are_one_row_of_inline_buttons_and_the_reasons_come_back_by_reference() -> None:
    up, down = '/feedback{"answer_id":"a1b2c3d4e5f6","rating":"up"}', '/feedback{"answer_id":"a1b2c3d4e5f6","rating":"down"}'
    (body,) = render([Reply("Was this answer helpful?", [("👍 Useful", up), ("👎 Not useful", down)])])
    assert keyboard_of(body) == [[{"text": "👍 Useful", "callback_data": up}, {"text": "👎 Not useful", "callback_data": down}]]
    reason = '/feedback{"answer_id":"a1b2c3d4e5f6","rating":"down","reason":"could_not_apply"}'
    replies = [Reply("Would you tell us why?", [("I couldn't apply", reason)])]
    (why,) = render(replies)
    data = keyboard_of(why)[0][0]["callback_data"]
    assert len(data.encode()) <= MAX_CALLBACK_BYTES and resolve(data, referenced_options(replies)) == reason
