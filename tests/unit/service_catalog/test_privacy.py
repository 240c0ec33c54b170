"""Tests for service_catalog.privacy: personal data is masked, other text is left alone."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from service_catalog.http.typedefs import CATALOGUE
from service_catalog.privacy import _luhn_ok, keep_public_numbers, mask, mask_obj

# (raw, expected) pairs; each id names the kind of data and how it is written.
MASKED = [
    # Resident IDs, 18 digits: first 6 + last 4 visible.
    pytest.param("ID 310101199001011234", "ID 310101********1234", id="id18-compact-en"),
    pytest.param("身份证号31010119900101123X", "身份证号310101********123X", id="id18-upper-x-zh"),
    pytest.param("id 31010119900101123x.", "id 310101********123x.", id="id18-lower-x-en"),
    pytest.param("身份证 310101 19900101 1234 请核对", "身份证 310101********1234 请核对", id="id18-6-8-4-spaces-zh"),
    pytest.param("ID no. 310101-19900101-1234", "ID no. 310101********1234", id="id18-6-8-4-hyphens-en"),
    pytest.param("证件号：310101 1990 0101 1234", "证件号：310101********1234", id="id18-6-4-4-4-zh"),
    pytest.param("my ID is 310101-1990-0101-123X", "my ID is 310101********123X", id="id18-6-4-4-4-hyphens-en"),
    pytest.param("身份证３１０１０１１９９００１０１１２３４", "身份证310101********1234", id="id18-fullwidth-zh"),
    pytest.param("身份证３１０１０１－１９９００１０１－１２３Ｘ", "身份证310101********123X", id="id18-fullwidth-hyphens-x-zh"),
    pytest.param("护照 310101 19900101 1234", "护照 310101********1234", id="id18-after-passport-word-zh"),
    pytest.param("身份证 3101 0119 9001 0112 34", "身份证 310101********1234", id="id18-4-4-4-4-2-zh"),
    pytest.param("ID 310 101 1990 0101 1234", "ID 310101********1234", id="id18-3-3-4-4-4-en"),
    pytest.param("room 9 310101 19900101 1234", "room 9 310101********1234", id="id18-after-another-number-en"),
    # Resident IDs, 15 digits (old style): first 6 + last 3 visible.
    pytest.param("老身份证310101900101123", "老身份证310101******123", id="id15-compact-zh"),
    pytest.param("old ID 310101 900101 123 still valid", "old ID 310101******123 still valid", id="id15-spaces-en"),
    # Mobile numbers: first 3 + last 4, country code dropped.
    pytest.param("call 13812345678", "call 138****5678", id="mobile-compact-en"),
    pytest.param("请拨打13812345678联系我", "请拨打138****5678联系我", id="mobile-compact-zh"),
    pytest.param("call me on 138 1234 5678", "call me on 138****5678", id="mobile-spaces-en"),
    pytest.param("手机：138-1234-5678", "手机：138****5678", id="mobile-hyphens-zh"),
    pytest.param("my number is +86 138 1234 5678.", "my number is 138****5678.", id="mobile-plus86-spaces-en"),
    pytest.param("+86-138-1234-5678", "138****5678", id="mobile-plus86-hyphens"),
    pytest.param("+8613812345678", "138****5678", id="mobile-plus86-compact"),
    pytest.param("国际拨打0086 13812345678", "国际拨打138****5678", id="mobile-0086-zh"),
    pytest.param("手机(+86)13812345678", "手机138****5678", id="mobile-paren-plus86-zh"),
    pytest.param("手机（＋８６）１３８１２３４５６７８", "手机138****5678", id="mobile-fullwidth-paren-plus86-zh"),
    pytest.param("手机号１３８１２３４５６７８", "手机号138****5678", id="mobile-fullwidth-zh"),
    pytest.param("电话：１３８　１２３４　５６７８。", "电话：138****5678。", id="mobile-fullwidth-ideographic-spaces-zh"),
    pytest.param("q=13812345678&lang=zh", "q=138****5678&lang=zh", id="mobile-query-string"),
    pytest.param("numbers: 13812345678 13987654321", "numbers: 138****5678 139****4321", id="mobile-two-in-a-row-en"),
    # Landlines: area code + last 4.
    pytest.param("office 021-63188360", "office 021-****8360", id="landline-hyphen-en"),
    pytest.param("office 02163188360", "office 021-****8360", id="landline-compact-en"),
    pytest.param("办公电话(021) 6318 8360", "办公电话021-****8360", id="landline-paren-spaces-zh"),
    pytest.param("座机021 63188360", "座机021-****8360", id="landline-space-zh"),
    pytest.param("苏州0512-12345678", "苏州0512-****5678", id="landline-4-digit-area-zh"),
    pytest.param("from abroad call +86 21 6318 8360", "from abroad call 021-****8360", id="landline-plus86-en"),
    pytest.param("北京（０１０）８８８８６６６６", "北京010-****6666", id="landline-fullwidth-paren-zh"),
    # Bank cards (Luhn-valid only): last 4 visible, same length.
    pytest.param("卡号6222021234567894", "卡号************7894", id="card16-compact-zh"),
    pytest.param("card 4111 1111 1111 1111", "card ************1111", id="card16-spaces-en"),
    pytest.param("银行卡：4111-1111-1111-1111", "银行卡：************1111", id="card16-hyphens-zh"),
    pytest.param("card no 622848001234567894", "card no **************7894", id="card18-compact-en"),
    pytest.param("工资卡6217001234567890122", "工资卡***************0122", id="card19-compact-zh"),
    pytest.param("card 6217 0012 3456 7890 122 expires", "card ***************0122 expires", id="card19-4-4-4-4-3-en"),
    pytest.param("卡号６２２２０２１２３４５６７８９４", "卡号************7894", id="card16-fullwidth-zh"),
    pytest.param("cards: 1234 6222 0212 3456 7894", "cards: 1234 ************7894", id="card16-after-another-group-en"),
    # Passports and travel permits: leading letters visible, digits starred.
    pytest.param("passport E12345678", "passport E********", id="passport-e-en"),
    pytest.param("护照号EA1234567", "护照号EA*******", id="passport-ea-zh"),
    pytest.param("我的护照是G12345678。", "我的护照是G********。", id="passport-g-zh"),
    pytest.param("diplomatic passport DE1234567", "diplomatic passport DE*******", id="passport-de-en"),
    pytest.param("护照Ｅ１２３４５６７８", "护照E********", id="passport-fullwidth-zh"),
    pytest.param("港澳通行证C12345678", "港澳通行证C********", id="hk-macao-permit-c8-zh"),
    pytest.param("HK/Macao permit CA1234567", "HK/Macao permit CA*******", id="hk-macao-permit-ca-en"),
    pytest.param("回乡证H12345678", "回乡证H********", id="home-return-permit-zh"),
    pytest.param("台胞证12345678", "台胞证********", id="taiwan-permit-short-name-zh"),
    pytest.param("台湾居民来往大陆通行证号码：87654321", "台湾居民来往大陆通行证号码：********", id="taiwan-permit-full-name-zh"),
    pytest.param("台胞证　１２３４５６７８号", "台胞证　********号", id="taiwan-permit-fullwidth-zh"),
    pytest.param("香港身份证A123456(7)", "香港身份证A******(*)", id="hkid-zh"),
    pytest.param("HKID AB987654(3) attached", "HKID AB******(*) attached", id="hkid-two-letters-en"),
    pytest.param("香港身份证Ａ１２３４５６（７）", "香港身份证A******(*)", id="hkid-fullwidth-zh"),
    pytest.param("澳门身份证1234567(8)", "澳门身份证*******(*)", id="macao-id-zh"),
    pytest.param("passport no. X1234567", "passport no. X*******", id="foreign-passport-no-en"),
    pytest.param("Passport number: 533380006", "Passport number: *********", id="foreign-passport-digits-en"),
    pytest.param("外籍人士护照号码是 AB1234567", "外籍人士护照号码是 AB*******", id="foreign-passport-zh"),
    pytest.param("**护照 X1234567**", "**护照 X*********", id="foreign-passport-markdown-bold-zh"),
    # E-mail addresses: first character and domain visible.
    pytest.param("write to zhang.san@example.com", "write to z***@example.com", id="email-dotted-en"),
    pytest.param("邮箱a@b.cn", "邮箱a***@b.cn", id="email-short-zh"),
    pytest.param("mail zhang+gov@mail.sh.gov.cn now", "mail z***@mail.sh.gov.cn now", id="email-plus-subdomain-en"),
    pytest.param("QQ邮箱13812345678@qq.com", "QQ邮箱1***@qq.com", id="email-mobile-local-part-zh"),
    pytest.param("mailto:Li_Si-2024@163.com", "mailto:L***@163.com", id="email-mailto"),
    pytest.param("邮箱ａｂｃ＠ｅｘａｍｐｌｅ．ｃｏｍ", "邮箱a***@example.com", id="email-fullwidth-zh"),
    # Several kinds in one text.
    pytest.param("ID 310101199001011234, call 13812345678, a@b.cn", "ID 310101********1234, call 138****5678, a***@b.cn", id="mixed-id-mobile-email-en"),
    pytest.param(
        "我叫张三，身份证310101199001011234，手机138 1234 5678，护照E12345678，卡号6222021234567894。",
        "我叫张三，身份证310101********1234，手机138****5678，护照E********，卡号************7894。",
        id="mixed-all-kinds-zh",
    ),
]

UNCHANGED = [
    pytest.param("", id="empty"),
    pytest.param("I lost my job last week", id="plain-en"),
    pytest.param("孩子出生了怎么上户口", id="plain-zh"),
    pytest.param("hotline 12345", id="hotline-12345-en"),
    pytest.param("请拨打12345市民服务热线", id="hotline-12345-zh"),
    pytest.param("hotline 400-820-8820 or 800-820-8820", id="hotline-400-800"),
    pytest.param("客服4008208820", id="hotline-400-compact-zh"),
    pytest.param("call 95588 or 110", id="short-numbers"),
    pytest.param("case 2026-06-11", id="date-iso"),
    pytest.param("appointment at 2024-01-15 10:30:00", id="datetime-iso"),
    pytest.param("2024年1月15日办理", id="date-zh"),
    pytest.param("on 2024/01/15 and 20240115", id="date-slash-compact"),
    pytest.param("补贴3000元", id="money-yuan-zh"),
    pytest.param("fee ¥1,200.50", id="money-yen-sign"),
    pytest.param("3,600 yuan per child per year", id="money-thousands-en"),
    pytest.param("I have lived here for 3 years", id="years-en"),
    pytest.param("缴纳社保满15年", id="years-zh"),
    pytest.param("连续缴费36个月", id="months-zh"),
    pytest.param("年龄86岁", id="age-zh"),
    pytest.param("processing takes 20 working days", id="days-en"),
    pytest.param("see /services/passport-application", id="service-id"),
    pytest.param("ticket T20261201-0001", id="ticket-number"),
    pytest.param("邮编200120", id="postcode-zh"),
    pytest.param("https://www.gov.cn/services/passport-application?lang=en&page=2", id="url"),
    pytest.param("conversation 9f86d081884c7d659a2feaa0c55ad015", id="hex-id-32"),
    pytest.param("conversation_id=01234567890123456789012345678901", id="hex-id-all-digits"),
    pytest.param("uuid 550e8400-e29b-41d4-a716-446655440000", id="uuid"),
    pytest.param("G20 summit", id="code-g20"),
    pytest.param("E-mail me about the C++ course", id="code-email-cpp"),
    pytest.param("EA games", id="code-ea"),
    pytest.param("G1234 high-speed train, K1234次列车", id="train-numbers"),
    pytest.param("order 1234 5678 9012 3456", id="card-grouped-failing-luhn"),
    pytest.param("reference 1234567890123456", id="card-compact-failing-luhn"),
    pytest.param("ref 123456789012345678", id="18-digits-not-id-failing-luhn"),
    pytest.param("ref 310101199013011234", id="18-digits-invalid-birth-month"),
    pytest.param("steps 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24 25", id="counting-sequence"),
    pytest.param("2024 01 15, 2024 01 16, 100 200 300 400 500 600 700 800", id="spaced-dates-and-numbers"),
    pytest.param("passport holders apply online", id="passport-word-without-number-en"),
    pytest.param("护照办理需要3个工作日", id="passport-word-without-number-zh"),
    pytest.param("timestamp 1718000000", id="unix-timestamp"),
    pytest.param("room 1203, 8 people, version v1.2.3", id="small-numbers-version"),
]


@pytest.mark.parametrize(("raw", "expected"), MASKED)
def test_personal_data_is_masked(raw: str, expected: str) -> None:
    assert mask(raw) == expected


@pytest.mark.parametrize("text", UNCHANGED)
def test_text_without_personal_data_is_unchanged(text: str) -> None:
    assert mask(text) == text


@pytest.mark.parametrize(("raw", "expected"), MASKED)
def test_masking_is_idempotent(raw: str, expected: str) -> None:
    assert mask(mask(raw)) == mask(raw) == expected


def test_luhn_check() -> None:
    assert _luhn_ok("4111111111111111")
    assert _luhn_ok("6222021234567894")
    assert not _luhn_ok("4111111111111112")
    assert not _luhn_ok("1234567890123456")


def test_mask_obj_walks_dicts_and_lists() -> None:
    value = {"q": "13812345678", "answers": ["a@b.cn", 42, None, {"id": "310101199001011234"}], "n": 3.5}
    assert mask_obj(value) == {"q": "138****5678", "answers": ["a***@b.cn", 42, None, {"id": "310101********1234"}], "n": 3.5}
    assert mask_obj(("13812345678",)) == ["138****5678"]


def test_mask_obj_walks_deeply_nested_values() -> None:
    value = {
        "ticket": "T20261201-0001",
        "transcript": [
            {"role": "user", "text": "护照E12345678，电话021-63188360", "meta": {"card": ["6222 0212 3456 7894", True]}},
            ("passport-application", {"email": "li.si@example.cn"}),
        ],
        "count": 2,
    }
    assert mask_obj(value) == {
        "ticket": "T20261201-0001",
        "transcript": [
            {"role": "user", "text": "护照E********，电话021-****8360", "meta": {"card": ["************7894", True]}},
            ["passport-application", {"email": "l***@example.cn"}],
        ],
        "count": 2,
    }


ADVERSARIAL = [
    pytest.param("1" * 200_000, id="digits"),
    pytest.param("1 " * 100_000, id="digits-spaces"),
    pytest.param("1-" * 100_000, id="digits-hyphens"),
    pytest.param("1234 " * 40_000, id="groups-of-four"),
    pytest.param("a" * 199_999 + "@", id="long-local-part"),
    pytest.param("a@" * 100_000 + "1", id="many-at-signs"),
    pytest.param("a@" + "b." * 100_000, id="long-domain"),
    pytest.param("a.b-c_d+e%f" * 18_000 + "@x", id="local-part-punctuation"),
    pytest.param("+86 " * 50_000 + "1", id="country-codes"),
    pytest.param("(021) " * 33_000, id="area-codes"),
    pytest.param("passport " * 22_000 + "1", id="passport-words"),
    pytest.param("护照" * 100_000 + "1", id="passport-words-zh"),
    pytest.param("A123456(" * 25_000, id="hkid-prefixes"),
    pytest.param("１" * 200_000, id="fullwidth-digits"),
    pytest.param("310101199001011 " * 12_500, id="almost-ids"),
]


@pytest.mark.parametrize("text", ADVERSARIAL)
def test_adversarial_200kb_input_is_masked_quickly(text: str) -> None:
    assert len(text) >= 198_000
    started = time.perf_counter()
    mask(text)
    assert time.perf_counter() - started < 0.5


def test_many_numbers_in_200kb_are_all_masked_quickly() -> None:
    started = time.perf_counter()
    masked = mask("13812345678，" * 16_700)
    assert time.perf_counter() - started < 0.5
    assert masked == "138****5678，" * 16_700


@pytest.fixture(autouse=True)
def no_published_numbers() -> None:
    """Other tests' apps registered the demo centres' phones (021-63188360 among them): start from none."""
    keep_public_numbers([])


@pytest.fixture
def published_centre_phones() -> Iterator[None]:
    keep_public_numbers(["021-63188360", "021 6377 0518"])
    yield
    keep_public_numbers([])


@pytest.mark.usefixtures("published_centre_phones")
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a centre's published phone stays readable however it is written...
        ("请致电 021-63188360 咨询", "请致电 021-63188360 咨询"),
        ("call (021) 6318 8360", "call (021) 6318 8360"),
        ("+86 21 6318 8360", "+86 21 6318 8360"),
        ("０２１－６３７７０５１８", "０２１－６３７７０５１８"),
        # ...while a citizen's own landline and mobile beside it are still masked
        ("centre 021-63188360, my home 021-54321234", "centre 021-63188360, my home 021-****1234"),
        ("021-63188360 或 13812345678", "021-63188360 或 138****5678"),
    ],
)
def test_published_centre_phones_are_not_masked(text: str, expected: str) -> None:
    assert mask(text) == expected


def test_landlines_are_masked_again_once_the_published_set_is_replaced() -> None:
    keep_public_numbers(["021-63188360"])
    keep_public_numbers([])
    assert mask("021-63188360") == "021-****8360"


def test_the_catalogue_service_keeps_its_centre_phones_readable(tmp_path: Path) -> None:
    from service_catalog.http.app import create_app
    from service_catalog.settings import load_settings

    app = create_app(load_settings(environ={"CATALOG_DATA_DIR": str(tmp_path)}))
    try:
        for _, centre in app[CATALOGUE].catalogue.centres.values():
            assert mask(f"please call {centre.phone}") == f"please call {centre.phone}"
        assert mask("my home 021-54321234") == "my home 021-****1234"
    finally:
        keep_public_numbers([])
