"""On behalf of someone else over the real stack (Rasa, action server, catalogue service), in both
languages: my check and verdict; "what about for my mother?" asks again, worded for her, and gives
her verdict; "and for me?" gives my verdict again without a question (issue 14)."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from test_conversation import reach_card, say, texts

pytestmark = pytest.mark.e2e

CARD = "senior-citizen-card"


def test_a_check_for_my_mother_then_back_to_me_in_english(stack: Any) -> None:
    sender = f"e2e-forwhom-en-{uuid.uuid4().hex[:8]}"
    reach_card(stack, sender, "my mum turns 65 next month and wants free bus rides, what card is that?", CARD)
    assert "How old are you" in texts(say(stack, sender, "am I eligible?"))
    mine = texts(say(stack, sender, "I'm 40"))
    assert "you don't qualify" in mine and "at least 65" in mine, mine

    hers = texts(say(stack, sender, "what about for my mother?"))
    assert "How old is your mother?" in hers and "How old are you" not in hers, hers
    assert "Is your mother's household registration (hukou) in Shanghai?" in texts(say(stack, sender, "she's 72"))
    verdict = texts(say(stack, sender, "yes"))
    assert "your mother qualifies for Senior citizen card" in verdict, verdict
    assert "How old is your mother? Must be at least 65 years (you said 72)" in verdict

    back = texts(say(stack, sender, "and for me?"))
    assert "you don't qualify" in back and "(you said 40)" in back, back
    assert "How old are you?" not in back.split("\n")[0]  # no question asked again: the verdict at once


def test_a_check_for_my_mother_then_back_to_me_in_chinese(stack: Any) -> None:
    sender = f"e2e-forwhom-zh-{uuid.uuid4().hex[:8]}"
    reach_card(stack, sender, "老人乘公交免费的敬老卡怎么办", CARD)
    assert "您今年多少岁" in texts(say(stack, sender, "我能办吗"))
    mine = texts(say(stack, sender, "四十岁"))
    assert "您暂不符合" in mine, mine

    hers = texts(say(stack, sender, "那我妈呢"))
    assert "您母亲今年多少岁" in hers and "您今年多少岁" not in hers, hers
    assert "您母亲是否有本市户籍" in texts(say(stack, sender, "她72岁"))
    verdict = texts(say(stack, sender, "有的"))
    assert "您母亲符合【敬老卡】的条件" in verdict, verdict

    back = texts(say(stack, sender, "那我自己呢"))
    assert "您暂不符合" in back and "您母亲" not in back, back
