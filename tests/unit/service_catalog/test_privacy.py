"""Tests for service_catalog.privacy: personal data is masked, other text is left alone."""

from __future__ import annotations

import pytest

from service_catalog.privacy import mask, mask_obj


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ID 310101199001011234", "ID 310101********1234"),
        ("身份证号31010119900101123X", "身份证号310101********123X"),
        ("id 31010119900101123x.", "id 310101********123x."),
    ],
)
def test_id_card_numbers(text: str, expected: str) -> None:
    assert mask(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("call 13812345678", "call 138****5678"),
        ("电话：13812345678。", "电话：138****5678。"),
        ("+86 13812345678", "138****5678"),
        ("+86-138-1234-5678", "138****5678"),
        ("138 1234 5678", "138****5678"),
        ("q=13812345678&lang=zh", "q=138****5678&lang=zh"),
    ],
)
def test_mobile_numbers(text: str, expected: str) -> None:
    assert mask(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("office 021-63188360", "office 021-****8360"),
        ("office 02163188360", "office 021-****8360"),
        ("0512-12345678", "0512-****5678"),
    ],
)
def test_landlines(text: str, expected: str) -> None:
    assert mask(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("write to zhang.san@example.com", "write to z***@example.com"),
        ("邮箱a@b.cn", "邮箱a***@b.cn"),
    ],
)
def test_email_addresses(text: str, expected: str) -> None:
    assert mask(text) == expected


def test_passport_numbers() -> None:
    assert mask("passport E12345678") == "passport E********"


@pytest.mark.parametrize(
    "text",
    [
        "I lost my job last week",
        "孩子出生了怎么上户口",
        "hotline 12345",
        "3,600 yuan per child per year",
        "processing takes 20 working days",
        "case 2026-06-11",
        "",
    ],
)
def test_text_without_personal_data_is_unchanged(text: str) -> None:
    assert mask(text) == text


def test_several_items_in_one_text() -> None:
    assert mask("ID 310101199001011234, call 13812345678, a@b.cn") == "ID 310101********1234, call 138****5678, a***@b.cn"


def test_mask_obj_walks_dicts_and_lists() -> None:
    value = {"q": "13812345678", "answers": ["a@b.cn", 42, None, {"id": "310101199001011234"}], "n": 3.5}
    assert mask_obj(value) == {"q": "138****5678", "answers": ["a***@b.cn", 42, None, {"id": "310101********1234"}], "n": 3.5}
    assert mask_obj(("13812345678",)) == ["138****5678"]
