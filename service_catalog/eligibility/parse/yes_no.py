"""Yes or no in free text by its surface words: "是的", "嗯", "没有", "yep", "not really" (pure: no I/O).

The last resort of :mod:`.meaning`, and how :mod:`.turn` reads a reply to "is that right?": any
yes or no word of :mod:`._lexicon` anywhere, any negation of :mod:`.negation`.
"""

from __future__ import annotations

import re

from ...model import Question
from ._lexicon import ABLE_ZH, AGREE_EN, AGREE_ZH, HAVE_ZH, NO_ANSWER_EN, NO_EN, OK_EN, OK_ZH, SURE_EN, SURE_ZH, UNSURE, WRONG_EN, YES_EN, YES_ZH, alternation
from ._text import HAN, normalize
from .negation import any_negation, without_false_negations

__all__ = ["parse_yes_no", "restates_question"]

_YES_IDIOMS = re.compile(r"no problem|not a problem|why not|没问题|没错|不错")
_EN_NO = re.compile(rf"\b(?:{alternation(NO_EN, NO_ANSWER_EN, WRONG_EN, ('none',))})\b|n't\b|\bnot\b|\bi do not\b|\bi am not\b")
_EN_YES = re.compile(
    rf"\b(?:{alternation(YES_EN, SURE_EN, AGREE_EN, OK_EN)}|y|i do|i am|i'm|i have|i've|i did|we do|we are|we have|it is|it was|that's right)\b"
)
# Chinese yes/no words stand inside longer words ("有居住证", "交了"); a state reached counts too (已, 在, 办了).
_ZH_YES = re.compile(rf"{alternation(YES_ZH, SURE_ZH, AGREE_ZH, OK_ZH, ABLE_ZH, HAVE_ZH)}|已|在|要|持有|办了|交了|参加")


def parse_yes_no(text: str) -> bool | None:
    """Read yes or no: "是", "是的", "对", "有", "嗯", "没有", "不是", "否", "yes", "yep", "nope", "not really"...

    Args:
        text: The citizen's words.

    Returns:
        True, False, or None when unsure ("不知道", "not sure") or unclear.
    """
    norm = normalize(text)
    if not norm or UNSURE.search(norm):
        return None
    if _YES_IDIOMS.search(norm):
        return True
    if _EN_NO.search(norm) or any_negation(norm):
        return False
    if _EN_YES.search(norm) or _ZH_YES.search(without_false_negations(norm)):
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
