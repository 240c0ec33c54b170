"""Tests for service_catalog.search.place: a matter owned by another place is not the city's."""

from __future__ import annotations

import pytest

from service_catalog.search.place import other_place


@pytest.mark.parametrize(
    ("query", "place"),
    [
        ("北京的公积金怎么提取", "北京"),
        ("深圳小汽车摇号一般要等多久", "深圳"),
        ("广州户口怎么迁入，要交几年社保", "广州"),
        ("北京的社保怎么转到石家庄去", "北京"),
        ("how do I renew my UK passport", "UK"),
        ("Guangzhou car licence plate lottery rules", "Guangzhou"),
        ("withdrawing Shenzhen housing provident fund to pay rent", "Shenzhen"),
        ("what's the minimum social security contribution in Hangzhou this year", "Hangzhou"),
    ],
)
def test_another_places_matter_is_named(query: str, place: str) -> None:
    assert other_place(query) == place


@pytest.mark.parametrize(
    "query",
    [
        "户口从湖南迁到上海要什么条件",
        "我的湖南户口怎么迁过来",
        "老家在安徽，社保能转过来吗",
        "I moved from Beijing, how do I transfer my social insurance",
        "北京来的，想在浦东办居住证",
        "孩子要上小学了",
        "my passport expires next month",
        "去北京出差，回来报销怎么弄",
    ],
)
def test_the_citys_own_matters_and_moves_here_stay_in_scope(query: str) -> None:
    assert other_place(query) is None
