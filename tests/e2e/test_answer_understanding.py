"""Answers as people give them, over the real stack (Rasa, action server, catalogue service):
a duration in other units with a confirmation, and a correction after the verdict that flips it."""

from __future__ import annotations

import uuid
from typing import Any

from test_conversation import buttons, reach_card, say, texts

PERMIT_ZH = "外地来上海工作快一年了，租的房子，听说要办个证才能享受这边的公共服务"


def test_an_approximate_duration_is_confirmed_and_shown_in_the_verdict(stack: Any) -> None:
    sender = f"e2e-units-zh-{uuid.uuid4().hex[:8]}"
    reach_card(stack, sender, PERMIT_ZH, "residence-permit-application")
    assert "户籍" in texts(say(stack, sender, "我能申请吗"))
    assert "个月" in texts(say(stack, sender, "没有"))
    confirm = say(stack, sender, "大概两年")
    assert "大约2年，按24个月计，对吗？" in texts(confirm)
    assert [b["title"] for b in buttons(confirm)] == ["是", "否"]
    assert "就业" in texts(say(stack, sender, "对"))
    verdict = texts(say(stack, sender, "在职"))
    assert "符合" in verdict and "不符合" not in verdict
    assert "您说“大概两年”——大约2年，按24个月计" in verdict


def test_a_correction_after_the_verdict_flips_it(stack: Any) -> None:
    sender = f"e2e-correct-en-{uuid.uuid4().hex[:8]}"
    reach_card(stack, sender, "I moved to Shanghai for a job and rent a flat, how do I get a residence permit?", "residence-permit-application")
    assert "hukou" in texts(say(stack, sender, "am I eligible?"))
    assert "months" in texts(say(stack, sender, "no"))
    verdict = texts(say(stack, sender, "3"))
    assert "don't qualify" in verdict, verdict
    corrected = texts(say(stack, sender, "I said 3 YEARS"))
    assert "updated" in corrected and "36 months" in corrected, corrected
    final = texts(say(stack, sender, "I'm employed"))
    assert "you qualify" in final, final
    assert "you said “I said 3 YEARS” — 3 years, that is 36 months" in final


def test_a_chinese_correction_after_the_verdict_re_checks_with_the_new_age(stack: Any) -> None:
    """不对/说错了 with the new value after a "no" on age is a correction (not a bare no), and the check goes on."""
    sender = f"e2e-correct-zh-{uuid.uuid4().hex[:8]}"
    reach_card(stack, sender, "敬老卡怎么办", "senior-citizen-card")
    assert "多少岁" in texts(say(stack, sender, "我可以办吗"))
    assert "不符合" in texts(say(stack, sender, "六十二"))
    corrected = texts(say(stack, sender, "哎呀不对，刚刚说错了，我今年七十五"))
    assert "已更新" in corrected and "75" in corrected, corrected
    final = texts(say(stack, sender, "是本市户口"))
    assert "符合" in final and "不符合" not in final, final
