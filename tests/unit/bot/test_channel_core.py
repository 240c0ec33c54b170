"""What the messaging channels share: the channel store (SQLite) and the neutral replies."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from bot.connectors import channel_store
from bot.connectors.channel_store import OPTIONS_TTL_S, SqlChannelStore, open_store
from bot.connectors.replies import Reply, neutral, split_text, utf8_size


@pytest.fixture
def url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'data' / 'channels.db'}"


# -- ChannelStore (SQLite) ------------------------------------------------------------------------


def test_first_delivery_is_true_once_per_channel_and_key(url: str) -> None:
    store = SqlChannelStore(url)
    assert store.first_delivery("wechat", "msg:1") is True
    assert store.first_delivery("wechat", "msg:1") is False
    assert store.first_delivery("wecom", "msg:1") is True  # keys are per channel
    assert store.first_delivery("wechat", "msg:2") is True


def test_first_delivery_is_shared_by_two_stores_on_the_same_file(url: str) -> None:
    one, two = SqlChannelStore(url), SqlChannelStore(url)  # as two Rasa processes on one host
    assert one.first_delivery("wechat", "msg:7") is True
    assert two.first_delivery("wechat", "msg:7") is False
    assert two.first_delivery("wechat", "event:o1:1700000000") is True
    assert one.first_delivery("wechat", "event:o1:1700000000") is False


def test_first_delivery_races_between_threads_have_one_winner(url: str) -> None:
    stores = [SqlChannelStore(url) for _ in range(4)]
    results: list[bool] = []
    lock = threading.Lock()
    start = threading.Barrier(16)

    def deliver(i: int) -> None:
        start.wait()
        won = stores[i % 4].first_delivery("wechat", "msg:race")
        with lock:
            results.append(won)

    threads = [threading.Thread(target=deliver, args=(i,)) for i in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert sorted(results) == [False] * 15 + [True]


def test_options_are_remembered_per_conversation_and_replaced(url: str) -> None:
    store = SqlChannelStore(url)
    assert store.options("wechat:o1") == []
    store.remember_options("wechat:o1", [("是", "是"), ("同意共享", "/affirm")])
    store.remember_options("wechat:o2", [("Yes", "yes")])
    assert SqlChannelStore(url).options("wechat:o1") == [("是", "是"), ("同意共享", "/affirm")]
    store.remember_options("wechat:o1", [])  # a reply without options: numbers mean nothing any more
    assert store.options("wechat:o1") == [] and store.options("wechat:o2") == [("Yes", "yes")]


def test_old_options_are_forgotten(url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    store = SqlChannelStore(url)
    store.remember_options("wechat:o1", [("是", "是")])
    now = channel_store.time.time()
    monkeypatch.setattr(channel_store.time, "time", lambda: now + OPTIONS_TTL_S + 1)
    assert store.options("wechat:o1") == []


def test_tokens_are_shared_and_replaced(url: str) -> None:
    one, two = SqlChannelStore(url), SqlChannelStore(url)
    assert one.token("wechat:wx1") is None
    one.put_token("wechat:wx1", "token-a", 1_800_000_000.0)
    assert two.token("wechat:wx1") == ("token-a", 1_800_000_000.0)
    two.put_token("wechat:wx1", "token-b", 1_800_007_200.0)
    assert one.token("wechat:wx1") == ("token-b", 1_800_007_200.0)
    assert one.token("wecom:ww1:1000002") is None


def test_open_store_gives_one_store_per_url_and_names_bad_urls(url: str) -> None:
    assert open_store(url) is open_store(url)
    with pytest.raises(ValueError, match="CHANNEL_STORE_URL must be"):
        open_store("mysql://somewhere/db")


# -- neutral replies ------------------------------------------------------------------------------


def test_neutral_joins_texts_keeps_buttons_and_drops_cards() -> None:
    card = {"custom": {"data": {"type": "service_card", "title": "机动车驾驶证换证"}}}
    messages = [
        {"text": "【机动车驾驶证换证】"},
        {"text": "所需材料：身份证"},
        card,
        {"text": "您是否持有机动车驾驶证？", "buttons": [{"title": "是", "payload": "是"}, {"title": "否", "payload": "否"}]},
        {"text": "还有什么可以帮您？"},
    ]
    assert neutral(messages) == [
        Reply("【机动车驾驶证换证】\n\n所需材料：身份证\n\n您是否持有机动车驾驶证？", [("是", "是"), ("否", "否")]),
        Reply("还有什么可以帮您？"),
    ]


def test_neutral_adds_a_handoff_link_only_when_the_text_lacks_it() -> None:
    url = "https://portal.example/apply?h=abc"
    link = {"custom": {"data": {"type": "handoff_link", "url": url, "label": "打开在线申请"}}}
    assert neutral([{"text": "好的。"}, link]) == [Reply("好的。"), Reply(f"打开在线申请: {url}")]
    assert neutral([{"text": f"这是您的申请链接：{url}"}, link]) == [Reply(f"这是您的申请链接：{url}")]


def test_neutral_keeps_buttons_without_text() -> None:
    assert neutral([{"buttons": [{"title": "转人工", "payload": "/human_handoff"}]}]) == [Reply("", [("转人工", "/human_handoff")])]
    assert neutral([{"text": "  "}]) == []


def test_split_text_by_characters_and_by_bytes() -> None:
    assert split_text("short", 10) == ["short"]
    assert split_text("aaaa\nbbbb\ncccc", 9) == ["aaaa\nbbbb", "cccc"]
    chinese = "\n".join(["驾驶证"] * 10)  # 9 bytes a line
    parts = split_text(chinese, 20, size=utf8_size)
    assert all(utf8_size(p) <= 20 for p in parts) and "\n".join(parts) == chinese
    cut = split_text("驾" * 10, 9, size=utf8_size)  # one line over the limit: cut between characters
    assert "".join(cut) == "驾" * 10 and all(utf8_size(p) <= 9 for p in cut)
