"""Choices in free text: an option by value, label, everyday words ("退休了", "I lost my job") or number ("第二个") (pure: no I/O)."""

from __future__ import annotations

import re
from collections.abc import Iterable

from ...model import Question
from ._text import HAN, normalize

__all__ = ["parse_choice"]

# Everyday words for the option values of the question bank (matched in both languages).
_CHOICE_SYNONYMS: dict[str, tuple[str, ...]] = {
    "employed": ("working", "i work", "have a job", "full-time", "full time", "part-time", "part time", "in work",
                 "上班", "工作", "有工作", "打工", "职工", "上班族", "在单位"),
    "self_employed": ("self-employed", "self employed", "freelance", "freelancer", "freelancing", "gig",
                      "own business", "my own boss", "contractor", "个体", "个体户", "自由职业", "灵活就业",
                      "开店", "做生意", "自己干", "自己做", "跑外卖", "开网约车"),
    "unemployed": ("unemployed", "jobless", "out of work", "lost my job", "laid off", "no job", "not working",
                   "between jobs", "looking for work", "looking for a job", "失业", "没工作", "没有工作", "待业",
                   "下岗", "被裁", "被辞退", "找工作", "没上班"),
    "student": ("student", "studying", "at school", "at university", "at college", "in school", "学生",
                "上学", "读书", "在读", "念书", "大学生"),
    "retired": ("retired", "retiree", "pensioner", "on a pension", "退休", "退了休", "退下来", "领养老金"),
    "single": ("single", "unmarried", "not married", "never married", "未婚", "单身", "没结婚", "没有结婚"),
    "married": ("married", "已婚", "结婚", "成家"),
    "divorced": ("divorced", "离婚", "离异", "离了婚"),
    "widowed": ("widowed", "widow", "widower", "spouse died", "husband died", "wife died", "丧偶",
                "老伴去世", "配偶去世", "老伴走了"),
    "secondary": ("high school", "secondary", "middle school", "高中", "初中", "中专", "职高", "小学"),
    "vocational": ("vocational", "associate degree", "junior college", "大专", "专科", "高职"),
    "bachelor": ("bachelor", "bachelors", "undergraduate", "university degree", "本科", "学士"),
    "master": ("master", "masters", "mba", "硕士", "研究生"),
    "doctorate": ("doctorate", "phd", "ph.d", "博士"),
    "spouse": ("spouse", "husband", "wife", "配偶", "丈夫", "妻子", "老公", "老婆", "爱人", "老伴"),
    "child": ("child", "son", "daughter", "子女", "儿子", "女儿", "孩子"),
    "parent": ("parent", "father", "mother", "dad", "mum", "mom", "父母", "父亲", "母亲", "爸爸", "妈妈"),
    "other_family": ("brother", "sister", "grandson", "granddaughter", "grandchild", "uncle", "aunt",
                     "nephew", "niece", "cousin", "relative", "兄弟", "姐妹", "哥哥", "弟弟", "姐姐", "妹妹",
                     "孙子", "孙女", "外孙", "亲戚", "亲属"),
    "representative": ("representative", "lawyer", "executor", "proxy", "on behalf", "代理", "委托", "律师"),
    "male": ("male", "man", "男", "男性"),
    "female": ("female", "woman", "女", "女性"),
}  # fmt: skip
_CN_ORDINALS = "一二三四五六七八九十"
_ORDINAL = re.compile(rf"^(?:第\s*([1-9{_CN_ORDINALS}])\s*[个项种]?|(?:option|number|no\.?|#)?\s*([1-9])|选\s*([1-9{_CN_ORDINALS}]))$")
_EN_ORDINALS = ("first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth")
_NEGATED_CHOICE = re.compile(r"(?:\bnot|\bno longer|n't|\bnever|不是|不再|并非|没有?)\s*(?:a|an|the|been|in)?\s*$")


def _phrases(value: str, labels: Iterable[str]) -> list[str]:
    phrases = [value, value.replace("_", " "), value.replace("_", "-"), *labels, *_CHOICE_SYNONYMS.get(value, ())]
    return [p for p in dict.fromkeys(normalize(p) for p in phrases) if p]


def _find(phrase: str, text: str) -> list[int]:
    """Start positions of ``phrase`` in ``text``; ASCII phrases must stand as whole words."""
    if HAN.search(phrase):
        return [m.start() for m in re.finditer(re.escape(phrase), text)]
    return [m.start() for m in re.finditer(rf"(?<![a-z0-9]){re.escape(phrase)}(?![a-z0-9])", text)]


def _common_run(a: str, b: str) -> int:
    """Length of the longest run of Chinese characters shared by ``a`` and ``b``."""
    best = 0
    for i in range(len(a)):
        for j in range(i + best + 1, len(a) + 1):
            piece = a[i:j]
            if not HAN.fullmatch(piece[-1]) or piece not in b:
                break
            best = j - i
    return best


def parse_choice(question: Question, text: str) -> str | None:
    """Match an answer to one of the question's options.

    By option value or label in either language, by everyday words
    ("I'm retired", "退休了", "我失业了"), or by number ("2", "第二个").

    Args:
        question: A choice question.
        text: The citizen's words.

    Returns:
        The option value, or None when no option (or more than one) fits.
    """
    norm = normalize(text)
    if not norm or not question.options:
        return None
    bare = re.sub(r"[\s.,!?;:。，！？；：、]+", " ", norm).strip()
    for option in question.options:
        exact = {normalize(option.value), normalize(option.label.en), normalize(option.label.zh)}
        if bare in exact or bare.replace(" ", "_") in exact:
            return option.value
    index = _ordinal(bare)
    if index is not None and index < len(question.options):
        return question.options[index].value
    scores: dict[str, tuple[int, int]] = {}
    for option in question.options:
        best = (0, 0)
        for phrase in _phrases(option.value, (option.label.en, option.label.zh)):
            hits = [p for p in _find(phrase, norm) if not _NEGATED_CHOICE.search(norm[:p])]
            if hits:
                best = max(best, (2, len(phrase)))
            elif HAN.search(phrase):
                shared = _common_run(phrase, norm)
                if shared >= 2 and not _negated_run(phrase, norm, shared):
                    best = max(best, (1, shared))
        if best > (0, 0):
            scores[option.value] = best
    if not scores:
        return None
    top = max(scores.values())
    winners = [value for value, score in scores.items() if score == top]
    return winners[0] if len(winners) == 1 else None


def _negated_run(phrase: str, text: str, size: int) -> bool:
    for i in range(len(phrase) - size + 1):
        piece = phrase[i : i + size]
        at = text.find(piece)
        if at >= 0 and _NEGATED_CHOICE.search(text[:at]):
            return True
    return False


def _ordinal(bare: str) -> int | None:
    match = _ORDINAL.match(bare)
    if match:
        token = next(g for g in match.groups() if g)
        return (int(token) if token.isdigit() else _CN_ORDINALS.index(token) + 1) - 1
    words = re.fullmatch(r"(?:the\s+)?(\w+)(?:\s+one)?", bare)
    if words and words.group(1) in _EN_ORDINALS:
        return _EN_ORDINALS.index(words.group(1))
    return None
