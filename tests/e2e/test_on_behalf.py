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


def test_and_my_wife_after_a_card_checks_the_same_service_for_her(stack: Any) -> None:
    """A follow-up about someone else never opens another service; what it says about her is kept (issue 14)."""
    sender = f"e2e-wife-en-{uuid.uuid4().hex[:8]}"
    reach_card(stack, sender, "my driving licence is about to run out, how do I renew it?", "driving-licence-renewal")
    reply = texts(say(stack, sender, "and my wife? she is a foreigner but has a licence here too"))
    assert "check for your wife" in reply and "Residence permit for foreigners" not in reply, reply
    assert "Is your wife a Chinese citizen? You said “she is a foreigner”" in reply  # kept, not asked again later
    assert "Does your wife hold a driving licence? — read as “yes”, is that right?" in reply
    assert "In how many days does your wife's licence expire?" in texts(say(stack, sender, "yes"))


def test_an_age_said_in_the_first_message_is_not_asked_again_in_chinese(stack: Any) -> None:
    sender = f"e2e-earlier-zh-{uuid.uuid4().hex[:8]}"
    reach_card(stack, sender, "我爸今年七十了，敬老卡怎么办", CARD)
    reply = texts(say(stack, sender, "我爸能办吗"))
    assert "您父亲今年多少岁？您说“我爸今年七十了”——70岁" in reply, reply
    assert "您父亲是否有本市户籍" in reply and reply.count("今年多少岁") == 1  # shown back once, not asked
    verdict = texts(say(stack, sender, "他是上海户口"))
    assert "您父亲符合【敬老卡】的条件" in verdict, verdict
