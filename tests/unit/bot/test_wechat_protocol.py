"""WeChat and WeCom callbacks (bot/connectors/wechat_protocol.py) against the fakes' wechatpy-built messages."""

from __future__ import annotations

import time

import pytest
import xmltodict
from channels.fake_wechat import FakeWeChat, FakeWeCom, signature

from bot.connectors.outbound import Final, Retryable
from bot.connectors.wechat_protocol import (
    MAX_BODY_BYTES,
    MAX_SKEW_S,
    BadMessage,
    BadSignature,
    BodyTooLarge,
    OfficialAccount,
    TokenRejected,
    WeComApp,
    check_api_result,
    choose,
    dedup_key,
    mask_id,
    token_of,
)

USER = "oVq3Z5tT-kzN0uE_8xqYf2HwLb1A"


@pytest.fixture
def safe() -> tuple[FakeWeChat, OfficialAccount]:
    fake = FakeWeChat()
    return fake, OfficialAccount(fake.token, fake.app_id, fake.aes_key)


@pytest.fixture
def plain() -> tuple[FakeWeChat, OfficialAccount]:
    fake = FakeWeChat(safe_mode=False)
    return fake, OfficialAccount(fake.token, fake.app_id)


@pytest.fixture
def wecom() -> tuple[FakeWeCom, WeComApp]:
    fake = FakeWeCom()
    return fake, WeComApp(fake.token, fake.aes_key, fake.corp_id, fake.agent_id)


# -- signatures and the URL check -------------------------------------------------------------------


def test_the_url_check_echoes_only_a_correct_signature(plain: tuple[FakeWeChat, OfficialAccount]) -> None:
    fake, account = plain
    query, echo = fake.url_check_query()
    assert account.handshake(query) == echo
    forged, _ = fake.url_check_query(forged=True)
    with pytest.raises(BadSignature, match="does not match"):
        account.handshake(forged)
    with pytest.raises(BadSignature, match="missing"):
        account.handshake({k: v for k, v in query.items() if k != "signature"})
    with pytest.raises(BadSignature, match="timestamp"):
        account.handshake({k: v for k, v in query.items() if k != "timestamp"})


def test_wecom_url_check_returns_the_decrypted_echostr(wecom: tuple[FakeWeCom, WeComApp]) -> None:
    fake, app = wecom
    query, plain_echo = fake.url_check_query()
    assert app.handshake(query) == plain_echo
    with pytest.raises(BadSignature):
        app.handshake(fake.url_check_query(forged=True)[0])
    with pytest.raises(BadSignature):
        app.handshake({**query, "msg_signature": ""})


@pytest.mark.parametrize("mode", ["plain", "safe"])
def test_a_wrong_or_missing_signature_is_refused_with_403(mode: str, request: pytest.FixtureRequest) -> None:
    fake, account = request.getfixturevalue(mode)
    query, body = fake.callback(fake.text_message(USER, "你好"))
    for broken in ({**query, "signature": "0" * 40}, {k: v for k, v in query.items() if k != "signature"}, {**query, "nonce": "1"}):
        with pytest.raises(BadSignature) as refused:
            account.decode(broken, body)
        assert refused.value.status == 403


def test_a_stale_timestamp_is_refused_even_when_signed(plain: tuple[FakeWeChat, OfficialAccount]) -> None:
    fake, account = plain
    old = int(time.time()) - MAX_SKEW_S - 60
    query, body = fake.callback(fake.text_message(USER, "你好"), timestamp=old)
    with pytest.raises(BadSignature, match="clock"):
        account.decode(query, body)


# -- safe mode ---------------------------------------------------------------------------------------


def test_safe_mode_round_trip(safe: tuple[FakeWeChat, OfficialAccount]) -> None:
    fake, account = safe
    query, body = fake.callback(fake.text_message(USER, "我想换驾照"))
    assert "我想换驾照".encode() not in body and query["encrypt_type"] == "aes"
    incoming = account.decode(query, body)
    assert (incoming.kind, incoming.user, incoming.text, incoming.account) == ("text", USER, "我想换驾照", fake.account)
    tricky = "第一行 ]]> <b>&amp;</b>\x01\n第二行"
    reply = account.reply(incoming, tricky)
    assert "第一行" not in reply  # encrypted
    assert fake.read_reply(reply, USER) == "第一行 ]]> <b>&amp;</b>\n第二行"


def test_plaintext_mode_round_trip(plain: tuple[FakeWeChat, OfficialAccount]) -> None:
    fake, account = plain
    query, body = fake.callback(fake.text_message(USER, "hello"))
    incoming = account.decode(query, body)
    assert incoming.text == "hello"
    assert fake.read_reply(account.reply(incoming, "hi there"), USER) == "hi there"


def test_a_safe_mode_account_refuses_plaintext_callbacks(safe: tuple[FakeWeChat, OfficialAccount]) -> None:
    fake, account = safe
    plain_fake = FakeWeChat(safe_mode=False)
    plain_fake.token = fake.token  # correctly signed, but the body is not encrypted (and not covered by the signature)
    query, body = plain_fake.callback(plain_fake.text_message(USER, "hi"))
    with pytest.raises(BadMessage, match="safe mode"):
        account.decode(query, body)


def _tamper(body: bytes) -> tuple[bytes, str]:
    envelope = xmltodict.parse(body)["xml"]
    encrypted = envelope["Encrypt"]
    flipped = encrypted[:40] + ("A" if encrypted[40] != "A" else "B") + encrypted[41:]
    return body.replace(encrypted.encode(), flipped.encode()), flipped


def test_tampered_ciphertext_is_refused(safe: tuple[FakeWeChat, OfficialAccount]) -> None:
    fake, account = safe
    query, body = fake.callback(fake.text_message(USER, "我想换驾照"))
    tampered, _ = _tamper(body)
    with pytest.raises(BadSignature):  # msg_signature covers the ciphertext
        account.decode(query, tampered)


def test_ciphertext_re_signed_without_the_key_still_fails(safe: tuple[FakeWeChat, OfficialAccount]) -> None:
    fake, account = safe
    query, body = fake.callback(fake.text_message(USER, "我想换驾照"))
    tampered, flipped = _tamper(body)
    query = {**query, "msg_signature": signature(fake.token, query["timestamp"], query["nonce"], flipped)}
    with pytest.raises(BadMessage, match=r"decrypt|unparsable"):
        account.decode(query, tampered)


def test_a_message_for_another_app_is_refused(safe: tuple[FakeWeChat, OfficialAccount]) -> None:
    fake, _ = safe
    other = OfficialAccount(fake.token, "wx0000000000000000", fake.aes_key)  # same token and key, another app id
    with pytest.raises(BadMessage, match="decrypt"):
        other.decode(*fake.callback(fake.text_message(USER, "hi")))


def test_wecom_round_trip_and_agent_check(wecom: tuple[FakeWeCom, WeComApp]) -> None:
    fake, app = wecom
    incoming = app.decode(*fake.callback(fake.text_message("zhangsan", "请假流程")))
    assert (incoming.user, incoming.text, incoming.agent_id) == ("zhangsan", "请假流程", fake.agent_id)
    assert fake.read_reply(app.reply(incoming, "好的"), "zhangsan") == "好的"
    other_agent = WeComApp(fake.token, fake.aes_key, fake.corp_id, fake.agent_id + 1)
    with pytest.raises(BadMessage, match="agent"):
        other_agent.decode(*fake.callback(fake.text_message("zhangsan", "hi")))


def test_malformed_keys_are_refused_at_start() -> None:
    with pytest.raises(ValueError, match="WECHAT_AES_KEY must be the 43-character"):
        OfficialAccount("token", "wx1", "too-short")
    with pytest.raises(ValueError, match="WECOM_AES_KEY"):
        WeComApp("token", "x" * 42, "ww1", 1)


# -- bodies and messages ------------------------------------------------------------------------------


def test_bodies_that_are_too_large_or_not_xml_are_refused(plain: tuple[FakeWeChat, OfficialAccount]) -> None:
    fake, account = plain
    query, _ = fake.callback(fake.text_message(USER, "hi"))
    with pytest.raises(BodyTooLarge) as large:
        account.decode(query, b"<xml>" + b"x" * MAX_BODY_BYTES + b"</xml>")
    assert large.value.status == 413
    bomb = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]><xml><Content>&b;</Content></xml>'
    for body in (b"not xml", b"\xff\xfe", bomb, b"<xml><MsgType>text</MsgType></xml>"):
        with pytest.raises(BadMessage):
            account.decode(query, body)


@pytest.mark.parametrize("user", ["../../etc", "a" * 65, "", "o b"])
def test_a_malformed_sender_is_refused(plain: tuple[FakeWeChat, OfficialAccount], user: str) -> None:
    fake, account = plain
    with pytest.raises(BadMessage, match="FromUserName"):
        account.decode(*fake.callback(fake.message(user, {"MsgType": "text", "Content": "hi", "MsgId": "1"})))


def test_message_kinds(plain: tuple[FakeWeChat, OfficialAccount]) -> None:
    fake, account = plain

    def kind(inner: str) -> tuple[str, str]:
        incoming = account.decode(*fake.callback(inner))
        return incoming.kind, incoming.text

    assert kind(fake.event_message(USER, "subscribe")) == ("subscribe", "")
    assert kind(fake.message(USER, {"MsgType": "event", "Event": "subscribe", "EventKey": "qrscene_42"})) == ("subscribe", "")
    assert kind(fake.event_message(USER, "unsubscribe")) == ("event", "")
    assert kind(fake.image_message(USER)) == ("other", "")
    assert kind(fake.message(USER, {"MsgType": "voice", "MediaId": "m", "MsgId": "7", "Recognition": "我想换驾照"})) == ("text", "我想换驾照")
    assert kind(fake.message(USER, {"MsgType": "voice", "MediaId": "m", "MsgId": "8"})) == ("other", "")


def test_dedup_keys(plain: tuple[FakeWeChat, OfficialAccount]) -> None:
    fake, account = plain
    inner = fake.text_message(USER, "hi")
    first, retry = account.decode(*fake.callback(inner)), account.decode(*fake.callback(inner))  # re-signed, same MsgId
    assert first.key == retry.key == "msg:" + xmltodict.parse(inner)["xml"]["MsgId"]
    assert account.decode(*fake.callback(fake.text_message(USER, "hi"))).key != first.key
    event = fake.event_message(USER)
    created = xmltodict.parse(event)["xml"]["CreateTime"]
    assert account.decode(*fake.callback(event)).key == account.decode(*fake.callback(event)).key == f"event:{USER}:{created}:subscribe"
    same_second = fake.message(USER, {"MsgType": "event", "Event": "unsubscribe", "CreateTime": int(created)})
    assert account.decode(*fake.callback(same_second)).key == f"event:{USER}:{created}:unsubscribe"  # not a retry of subscribe
    assert dedup_key({"MsgId": "0", "FromUserName": USER, "CreateTime": "1700000000", "MsgType": "event", "Event": "CLICK"}) == f"event:{USER}:1700000000:click"
    with pytest.raises(BadMessage):
        dedup_key({"FromUserName": USER})


def test_mask_id_is_stable_and_hides_the_id() -> None:
    assert mask_id(USER) == mask_id(USER) != mask_id(USER + "x")
    assert USER not in mask_id(USER) and USER[:6] not in mask_id(USER)


# -- numbered options ---------------------------------------------------------------------------------

OPTIONS = [("是", "是"), ("否", "否"), ("同意共享", "/affirm")]


@pytest.mark.parametrize(
    ("text", "payload"),
    [
        ("1", "是"),
        ("２", "否"),
        (" 3 ", "/affirm"),
        ("3.", "/affirm"),
        ("3。", "/affirm"),
        ("第3个", "/affirm"),
        ("#2", "否"),
        ("option 2", "否"),
        ("第一个", "是"),  # the channel's own menus (yes/no, consent) read ordinal words ...
        ("第二项", "否"),
        ("the second one", "否"),
        ("First", "是"),
        ("the last one", None),
        ("同意共享", "/affirm"),
        ("否", "否"),
        ("４", None),  # out of range: an answer, not a pick
        ("66", None),
        ("0", None),
        ("一", None),  # a bare numeral may be an answer ("一年")
        ("13812345678", None),
        ("同意", None),  # only the exact title
        ("", None),
    ],
)
def test_choose_reads_numbers_ordinals_and_titles(text: str, payload: str | None) -> None:
    assert choose(text, OPTIONS) == payload


def test_choose_without_options_leaves_the_text_alone() -> None:
    assert choose("1", []) is None
    assert choose("yes", [("Yes", "/affirm")]) == "/affirm"  # case-insensitive title
    assert choose("第十二个", [(str(i), f"/p{i}") for i in range(1, 13)]) == "/p12"


SERVICES = [(f"Service {i}", f'/select_service{{"service_id":"s{i}"}}') for i in range(1, 4)]


@pytest.mark.parametrize(
    ("text", "payload"),
    [("2", SERVICES[1][1]), ("#3", SERVICES[2][1]), ("Service 1", SERVICES[0][1]), ("第二个", None), ("the second one", None), ("first", None)],
)
def test_on_a_list_of_services_ordinal_words_go_to_the_bot(text: str, payload: str | None) -> None:
    """... but on a list of services the bot resolves them against the list it showed (one policy for every channel)."""
    assert choose(text, SERVICES) == payload


# -- the API's answers ----------------------------------------------------------------------------------


def test_api_results_are_sorted_into_retryable_final_and_stale_token() -> None:
    assert check_api_result(200, b'{"errcode": 0, "errmsg": "ok", "msgid": 1}')["msgid"] == 1
    assert check_api_result(200, b'{"access_token": "t", "expires_in": 7200}')["access_token"] == "t"
    with pytest.raises(Retryable, match="busy"):
        check_api_result(200, b'{"errcode": -1, "errmsg": "system error"}')
    for code in (40001, 40014, 42001):
        with pytest.raises(TokenRejected):
            check_api_result(200, b'{"errcode": %d}' % code)
    assert issubclass(TokenRejected, Final)
    with pytest.raises(Final, match="45015") as final:
        check_api_result(200, b'{"errcode": 45015, "errmsg": "response out of time limit hint: [oVq3Z5tT-kzN0uE_8xqYf2HwLb1A]"}')
    assert USER not in str(final.value)
    for status in (500, 502, 429):
        with pytest.raises(Retryable):
            check_api_result(status, b"")
    with pytest.raises(Final):
        check_api_result(404, b"")
    with pytest.raises(Final, match="not JSON"):
        check_api_result(200, b"<html>")


def test_token_of_needs_token_and_expiry() -> None:
    assert token_of({"access_token": "abc", "expires_in": 7200}) == ("abc", 7200.0)
    with pytest.raises(Final, match="access_token"):
        token_of({"expires_in": 7200})
    with pytest.raises(Final):
        token_of({"access_token": "abc", "expires_in": "soon"})
