"""Yes or no in free text: "是的", "嗯", "没有", "yep", "not really" (pure: no I/O)."""

from __future__ import annotations

import re

from ...model import Question
from ._text import HAN, normalize

__all__ = ["parse_yes_no", "restates_question"]

_UNSURE = re.compile(
    r"not sure|don'?t know|do not know|dunno|no idea|unsure|not certain|maybe|perhaps|idk|can'?t remember"
    r"|不知道|不清楚|不确定|不记得|说不好|说不清|不好说|也许|可能吧|大概吧|忘了"
)
_YES_IDIOMS = re.compile(r"no problem|not a problem|why not|没问题|没错|不错")
_EN_NO = re.compile(r"\b(?:no|nope|nah|not|never|negative|false|none)\b|n't\b|\bnot really\b|\bi do not\b|\bi am not\b")
_EN_YES = re.compile(
    r"\b(?:yes|yep|yeah|yea|yup|ya|y|sure|correct|right|true|ok|okay|affirmative|definitely|absolutely"
    r"|certainly|indeed|of course|i do|i am|i'm|i have|i've|i did|we do|we are|we have|it is|it was|that's right)\b"
)
_ZH_NO = re.compile(r"[不没否无未非]")
_ZH_NOT_NEGATIONS = re.compile(r"非常|无论|不仅|不但")
_ZH_YES = re.compile(r"[是对有嗯恩好行已在要]|可以|当然|肯定|确定|持有|办了|交了|参加")


def parse_yes_no(text: str) -> bool | None:
    """Read yes or no: "是", "是的", "对", "有", "嗯", "没有", "不是", "否", "yes", "yep", "nope", "not really"...

    Args:
        text: The citizen's words.

    Returns:
        True, False, or None when unsure ("不知道", "not sure") or unclear.
    """
    norm = normalize(text)
    if not norm or _UNSURE.search(norm):
        return None
    if _YES_IDIOMS.search(norm):
        return True
    if _EN_NO.search(norm):
        return False
    zh = _ZH_NOT_NEGATIONS.sub("", norm)
    if _ZH_NO.search(zh):
        return False
    if _EN_YES.search(norm) or _ZH_YES.search(zh):
        return True
    return None


_EN_WORD = re.compile(r"[a-z]+")
_EN_FILLER = frozenset({"a", "an", "the", "i", "im", "am", "is", "my", "in", "of", "have", "has", "got", "with", "yes"})


def restates_question(question: Question, text: str) -> bool | None:
    """True when a short answer restates the question's subject ("上海户口" to "您是否有本市户籍（上海户口）？",
    "shanghai hukou" to "Is your household registration (hukou) in Shanghai?"); else None.

    Negated answers never get here: ``parse_yes_no`` reads "没有上海户口" and "no hukou" as no first.
    """
    norm = normalize(text)
    if not norm:
        return None
    han = "".join(HAN.findall(norm))
    if han:
        return True if 3 <= len(han) <= 12 and len(han) >= 0.8 * len(norm.replace(" ", "")) and han in normalize(question.text.zh) else None
    words = set(_EN_WORD.findall(norm)) - _EN_FILLER
    asked = set(_EN_WORD.findall(normalize(question.text.en)))
    return True if 2 <= len(words) <= 5 and words <= asked else None
