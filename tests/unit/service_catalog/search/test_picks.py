"""Picks from a list shown (search/picks.py): by place in both languages with no upper limit, from
the end, by title with typos or in part; a place beyond the list is "out of range", never a guess."""

from __future__ import annotations

import pytest

from service_catalog.search.picks import Shown, resolve_pick

FOURTEEN = [Shown(f"s{i}", (f"Service number {i} title",)) for i in range(1, 15)]
TITLED = [
    Shown("birth-registration", ("Register a newborn's birth", "新生儿出生登记")),
    Shown("pension-claim", ("Claim the basic pension", "基本养老金申领")),
    Shown("dog-licence", ("Dog licence", "养犬登记证")),
    Shown("unemployment-benefit", ("Unemployment benefit", "失业保险金申领")),
]


@pytest.mark.parametrize(
    ("text", "position"),
    [
        ("number 5", 5),
        ("Number 12 please", 12),
        ("number five", 5),
        ("no. 9", 9),
        ("#4 please", 4),
        ("option 11", 11),
        ("the 7th", 7),
        ("the seventh one", 7),
        ("twelfth", 12),
        ("the 13th option", 13),
        ("5", 5),
        ("14", 14),
        ("I'll take 6", 6),
        ("the first one is fine, how long does it take", 1),
        ("how long does the second one take", 2),
        ("not the first one, the third one", 3),
        ("第七个", 7),
        ("第十二项", 12),
        ("第3项在哪里办", 3),
        ("就第二个吧", 2),
        ("第十四个要多少钱", 14),
        ("7号", 7),
        ("选11号", 11),
        ("七", 7),
        ("ｎｕｍｂｅｒ　８", 8),  # full-width, as some phone keyboards type it
    ],
)
def test_a_place_in_the_list_picks_that_item(text: str, position: int) -> None:
    pick = resolve_pick(text, FOURTEEN)
    assert (pick.kind, pick.id, pick.position, pick.by) == ("picked", f"s{position}", position, "place")


@pytest.mark.parametrize(
    ("text", "position"),
    [("the last one", 14), ("the last", 14), ("last one please", 14), ("最后一个", 14), ("最后那个", 14),
     ("the second to last", 13), ("second-to-last one", 13), ("the second last", 13), ("the penultimate one", 13),
     ("倒数第二个", 13), ("倒数第3个", 12), ("the third from last", 12)],
)  # fmt: skip
def test_a_place_counted_from_the_end(text: str, position: int) -> None:
    pick = resolve_pick(text, FOURTEEN)
    assert (pick.kind, pick.position, pick.by) == ("picked", position, "last")


@pytest.mark.parametrize(("text", "asked"), [("number 5", 5), ("the 7th", 7), ("第十二项", 12), ("5", 5), ("7号", 7), ("option 6", 6)])
def test_a_place_beyond_the_list_says_how_many_there_are(text: str, asked: int) -> None:
    pick = resolve_pick(text, TITLED)
    assert pick.to_json() == {"kind": "out_of_range", "count": 4, "asked": asked}


@pytest.mark.parametrize(
    "text",
    [
        "is this my first application",
        "第一次申请要带什么",
        "how much is it",
        "要带什么材料",
        "三月三号出生的",
        "几号窗口",
        "at last!",
        "what documents do i need",
        "where do I go",
        "is it free",
        "多少钱",
        "ok",
        "/select_service",
    ],
)
def test_a_message_that_names_no_item_picks_none(text: str) -> None:
    assert resolve_pick(text, TITLED).kind == "none"


@pytest.mark.parametrize(
    ("text", "picked"),
    [
        ("Register a newborns birth", "birth-registration"),  # typo
        ("register newborn birth", "birth-registration"),
        ("claim the basic pensoin", "pension-claim"),
        ("the pension one", "pension-claim"),  # part of a title
        ("dog licnce", "dog-licence"),
        ("the dog one", "dog-licence"),
        ("unemployment", "unemployment-benefit"),
        ("how long does claim the basic pension take", "pension-claim"),  # the title inside a question
        ("养老金那个", "pension-claim"),
        ("基本养老金申请", "pension-claim"),  # a character off
        ("失业金", "unemployment-benefit"),  # characters of the title, in order
        ("新生儿出生登记要带什么", "birth-registration"),
        ("养犬登记证", "dog-licence"),  # the Chinese title picks from a list shown in English
    ],
)
def test_a_title_picks_its_item(text: str, picked: str) -> None:
    pick = resolve_pick(text, TITLED)
    assert (pick.kind, pick.id, pick.by) == ("picked", picked, "title")


def test_two_titles_that_fit_equally_pick_neither() -> None:
    shown = [Shown("a", ("Passport application",)), Shown("b", ("Passport renewal",))]
    pick = resolve_pick("passport", shown)
    assert pick.kind == "ambiguous" and sorted(pick.candidates) == ["a", "b"]


def test_nothing_shown_picks_nothing() -> None:
    assert resolve_pick("number 1", []).to_json() == {"kind": "none", "count": 0}


def test_items_without_a_title_are_picked_by_place_only() -> None:
    """An id the catalogue does not know and no title shown (another front end's list): no title to match."""
    shown = [Shown("unknown-a", ()), Shown("unknown-b", ())]
    assert resolve_pick("the pension one", shown).kind == "none"
    assert resolve_pick("number 2", shown).id == "unknown-b"
