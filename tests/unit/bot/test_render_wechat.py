"""The WeChat renderer (bot/connectors/render_wechat.py): numbered options, 2,048-byte messages, links in the text."""

from __future__ import annotations

import pytest

from bot.connectors.render_wechat import HINTS, TEXT_LIMIT_BYTES, WeChatRenderer, contents, language_of, numbered_options
from bot.connectors.replies import Reply, neutral, renderer
from bot.connectors.wechat_protocol import choose


def texts(replies: list[Reply], lang: str = "zh") -> list[str]:
    return contents(WeChatRenderer().render(replies, lang))


def test_registered_for_wechat_and_wecom() -> None:
    assert isinstance(renderer("wechat"), WeChatRenderer)
    assert isinstance(renderer("wecom"), WeChatRenderer)


def test_plain_text_is_one_text_message() -> None:
    rendered = WeChatRenderer().render([Reply("您好！")], "zh")
    assert rendered == [{"msgtype": "text", "text": {"content": "您好！"}}]


def test_buttons_become_numbered_lines_with_a_hint() -> None:
    reply = Reply("您是否持有机动车驾驶证？", [("是", "是"), ("否", "否")])
    assert texts([reply]) == ["您是否持有机动车驾驶证？\n1. 是\n2. 否\n" + HINTS["zh"]]
    assert texts([Reply("Do you have one?", [("Yes", "yes")])], "en") == ["Do you have one?\n1. Yes\n" + HINTS["en"]]


def test_numbers_run_across_the_turn_and_map_back_to_payloads() -> None:
    replies = [
        Reply("找到这些服务：", [("机动车驾驶证换证", '/select_service{"service_id":"driving-licence-renewal"}')]),
        Reply("或者：", [("转人工", "/human_handoff")]),
    ]
    rendered = texts(replies)
    assert "1. 机动车驾驶证换证" in rendered[0] and "2. 转人工" in rendered[1]
    options = numbered_options(replies)
    assert [t for t, _ in options] == ["机动车驾驶证换证", "转人工"]
    assert choose("2", options) == "/human_handoff"
    assert choose("机动车驾驶证换证", options) == '/select_service{"service_id":"driving-licence-renewal"}'


def test_a_title_with_line_breaks_stays_on_its_line() -> None:
    replies = [Reply("Pick one", [("Renew\n a  licence", "/a"), ("", "/b")])]
    assert texts(replies, "en")[0].splitlines()[1:3] == ["1. Renew a licence", "2. /b"]
    assert numbered_options(replies) == [("Renew a licence", "/a"), ("/b", "/b")]


def test_long_chinese_text_is_split_at_line_breaks_within_2048_bytes() -> None:
    lines = [f"第{i}项：机动车驾驶人身体条件证明（可为电子证明），县级以上医疗机构出具。" for i in range(1, 121)]
    text = "\n".join(lines)
    assert len(text.encode()) > 3 * TEXT_LIMIT_BYTES
    parts = texts([Reply(text)])
    assert len(parts) >= 4
    assert all(len(p.encode("utf-8")) <= TEXT_LIMIT_BYTES for p in parts)
    assert "\n".join(parts) == text  # cut only between lines: nothing lost, no line broken
    assert all(p.splitlines()[0] in lines for p in parts)


def test_a_single_line_longer_than_the_limit_is_cut_between_characters() -> None:
    line = "驾" * 1500  # 4,500 bytes, no line break
    parts = texts([Reply(line)])
    assert "".join(parts) == line and all(len(p.encode()) <= TEXT_LIMIT_BYTES for p in parts)


def test_options_that_spill_past_the_limit_keep_their_numbers() -> None:
    text = "\n".join(["很长的说明文字。" * 10] * 8)  # ~1,900 bytes
    parts = texts([Reply(text, [(f"选项{i}", f"/p{i}") for i in range(1, 16)])])
    assert len(parts) == 2 and all(len(p.encode()) <= TEXT_LIMIT_BYTES for p in parts)
    assert "15. 选项15" in parts[1]


def test_a_handoff_link_is_a_plain_url_on_its_own_line() -> None:
    url = "https://portal.example.gov.cn/portal/apply/driving-licence-renewal?h=O9bJWlN10eo7i1fANUXLnSIA7xdOXAvE"
    replies = neutral(
        [{"text": "好的，这是您的申请链接。"}, {"custom": {"data": {"type": "handoff_link", "url": url, "label": "打开在线申请"}}}],
    )
    rendered = texts(replies)
    assert any(f"打开在线申请: {url}" in part.splitlines() for part in rendered)
    assert not any("<a" in part or "](" in part for part in rendered)  # no markup: WeChat links a bare URL


@pytest.mark.parametrize(("replies", "lang"), [([Reply("您好")], "zh"), ([Reply("Hello"), Reply("再见")], "zh"), ([Reply("Hello")], "en"), ([], "en")])
def test_language_of_the_reply(replies: list[Reply], lang: str) -> None:
    assert language_of(replies) == lang


# -- feedback ------------------------------------------------------------------------------------

UP = '/feedback{"answer_id":"a1b2c3d4e5f6","rating":"up"}'
DOWN = '/feedback{"answer_id":"a1b2c3d4e5f6","rating":"down"}'


def test_rating_a_card_is_one_line_under_it_and_the_numbers_pick_the_rating() -> None:
    messages = [
        {"text": "【出生登记】\n所需材料：…"},
        {"text": "这个回答对您有帮助吗？", "buttons": [{"title": "👍 有用", "payload": UP}, {"title": "👎 没用", "payload": DOWN}]},
    ]
    replies = neutral(messages)
    (text,) = texts(replies)
    assert text.endswith("这个回答对您有帮助吗？\n回复 1 👍 有用 · 2 👎 没用"), text
    assert choose("2", numbered_options(replies)) == DOWN


def test_rating_a_verdict_with_options_stays_in_its_message_after_the_options() -> None:
    replies = [
        Reply("您符合【机动车驾驶证换证】的条件。", [("申请并带入我的回答", "/apply")]),
        Reply("这个回答对您有帮助吗？", [("👍 有用", UP), ("👎 没用", DOWN)]),
    ]
    (text,) = texts(replies)  # one message: the answer and its rating fit WeChat's one passive reply
    assert "1. 申请并带入我的回答\n" + HINTS["zh"] + "\n这个回答对您有帮助吗？\n回复 2 👍 有用 · 3 👎 没用" in text, text
    options = numbered_options(replies)
    assert [choose(n, options) for n in ("1", "2", "3")] == ["/apply", UP, DOWN]
    assert choose("4", options) is None


def test_feedback_numbers_follow_the_other_options_of_their_own_reply() -> None:
    replies = [Reply("Was this helpful?", [("👍 Useful", UP), ("Talk to a person", "/human_handoff"), ("👎 Not useful", DOWN)])]
    (text,) = texts(replies, "en")
    assert "1. Talk to a person" in text and text.endswith("Reply 2 👍 Useful · 3 👎 Not useful"), text
    assert [p for _, p in numbered_options(replies)] == ["/human_handoff", UP, DOWN]
