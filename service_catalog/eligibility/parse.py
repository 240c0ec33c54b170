"""Free-text answers in Chinese or English, for the chatbot (pure: no I/O).

:func:`parse_answer` turns what a citizen typed ("六十五", "I'm 58", "退休了",
"上周", "not really") into a value for a question of the bank, or None when it
cannot tell. The value is *understood*, not yet *validated*: pass it to
:func:`~service_catalog.eligibility.engine.coerce_answer` to check min, max
and options. :func:`parse_district` finds one of Shanghai's 16 districts.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Iterable
from typing import Any

from ..model import Question

__all__ = [
    "parse_answer",
    "parse_choice",
    "parse_date",
    "parse_district",
    "parse_number",
    "parse_yes_no",
]


def parse_answer(question: Question, text: str, today: dt.date) -> Any | None:
    """Understand a free-text answer to ``question``.

    Args:
        question: The question that was asked.
        text: What the citizen typed, in Chinese or English.
        today: The date that relative answers ("yesterday", "上周") count from.

    Returns:
        ``bool``, ``int``/``float``, an option value, or ``datetime.date``;
        None when the text could not be understood. Numbers are not checked
        against the question's min and max here.
    """
    if question.type == "boolean":
        answer = parse_yes_no(text)
        return answer if answer is not None else _restates(question, text)
    if question.type == "number":
        return parse_number(text)
    if question.type == "choice":
        return parse_choice(question, text)
    return parse_date(text, today)


_EN_WORD = re.compile(r"[a-z]+")
_EN_FILLER = frozenset({"a", "an", "the", "i", "im", "am", "is", "my", "in", "of", "have", "has", "got", "with", "yes"})


def _restates(question: Question, text: str) -> bool | None:
    """True when a short answer restates the question's subject ("上海户口" to "您是否有本市户籍（上海户口）？",
    "shanghai hukou" to "Is your household registration (hukou) in Shanghai?"); else None.

    Negated answers never get here: ``parse_yes_no`` reads "没有上海户口" and "no hukou" as no first.
    """
    norm = _normalize(text)
    if not norm:
        return None
    han = "".join(_HAN.findall(norm))
    if han:
        return True if 3 <= len(han) <= 12 and len(han) >= 0.8 * len(norm.replace(" ", "")) and han in _normalize(question.text.zh) else None
    words = set(_EN_WORD.findall(norm)) - _EN_FILLER
    asked = set(_EN_WORD.findall(_normalize(question.text.en)))
    return True if 2 <= len(words) <= 5 and words <= asked else None


def _normalize(text: str) -> str:
    """NFKC (full-width to ASCII), lower case, curly apostrophes straightened."""
    return unicodedata.normalize("NFKC", text).lower().replace("’", "'").replace("‘", "'").strip()


# --------------------------------------------------------------------------- numbers

_CN_DIGITS = {
    "零": 0, "〇": 0, "一": 1, "壹": 1, "二": 2, "两": 2, "贰": 2, "三": 3, "叁": 3, "四": 4, "肆": 4,
    "五": 5, "伍": 5, "六": 6, "陆": 6, "七": 7, "柒": 7, "八": 8, "捌": 8, "九": 9, "玖": 9,
}  # fmt: skip
_CN_SMALL_UNITS = {"十": 10, "拾": 10, "百": 100, "佰": 100, "千": 1000, "仟": 1000, "k": 1000}
_CN_BIG_UNITS = {"万": 10_000, "w": 10_000, "亿": 100_000_000}
_ARABIC = r"\d+(?:,\d{3})*(?:\.\d+)?"
_CN_CHARS = "".join(_CN_DIGITS) + "十拾百佰千仟万亿"
# A run of Arabic and/or Chinese numerals; "k"/"w" only right after a digit.
_NUMBER_RUN = re.compile(rf"(?:{_ARABIC}|[{_CN_CHARS}])(?:{_ARABIC}|[{_CN_CHARS}]|(?<=\d)[kw](?![a-z]))*")
# Words whose 一/万/千 are not numbers.
_NOT_NUMBERS = re.compile(r"一下|一些|一点|一起|一直|一般|一样|一定|一旦|一切|一向|万一|唯一|统一|千万|万分|十分|百分之")
_EN_UNITS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
    "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30,
    "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90,
}  # fmt: skip
_EN_SCALES = {"hundred": 100, "thousand": 1000, "million": 1_000_000, "k": 1000, "grand": 1000}
_EN_NUMBER_WORDS = "|".join(sorted([*_EN_UNITS, *_EN_SCALES], key=len, reverse=True))
_EN_WORD_RUN = re.compile(rf"\b(?:a\s+)?(?:{_EN_NUMBER_WORDS})(?:(?:\s+|-|\s+and\s+)(?:{_EN_NUMBER_WORDS}))*\b")
_EN_SCALE_AFTER = re.compile(r"^\s*(hundred|thousand|million|grand)\b")
_CORRECTION = re.compile(r"actually|i mean|sorry|correction|rather|其实|应该是|我是说|更正|不对|说错")
_NEGATED_BEFORE = re.compile(r"(?:\bnot|n't|\bno|不是|并非|而不是)\s*(?:about|around|quite)?\s*$")


def _cn_to_number(run: str) -> float | None:
    """Read a run such as "六十五", "两千五", "一万二", "3千", "2.5万" or "二〇二四"."""
    tokens: list[tuple[str, float]] = []
    for match in re.finditer(rf"{_ARABIC}|.", run):
        piece = match.group()
        if piece[0].isdigit():
            tokens.append(("d", float(piece.replace(",", ""))))
        elif piece in _CN_DIGITS:
            tokens.append(("d", float(_CN_DIGITS[piece])))
        elif piece in _CN_SMALL_UNITS:
            tokens.append(("s", float(_CN_SMALL_UNITS[piece])))
        elif piece in _CN_BIG_UNITS:
            tokens.append(("b", float(_CN_BIG_UNITS[piece])))
        else:
            return None
    if not tokens:
        return None
    if all(kind == "d" for kind, _ in tokens):
        if len(tokens) == 1:
            return tokens[0][1]
        if all(v.is_integer() and 0 <= v <= 9 for _, v in tokens):  # "二〇二四": digit by digit
            return float("".join(str(int(v)) for _, v in tokens))
        return None
    # yi: the part in 亿, wan: the part in 万, section: below 万, number: the pending digit.
    yi = wan = section = 0.0
    number: float | None = None
    last_unit = 0.0
    zero_gap = False
    for kind, value in tokens:
        if kind == "d":
            if number is not None and number != 0:
                return None  # two digits in a row inside a unit numeral: not a number we know
            zero_gap = zero_gap or (value == 0 and last_unit > 0)
            number = value
        elif kind == "s":
            section += (1.0 if number is None else number) * value
            number, last_unit, zero_gap = None, value, False
        else:
            below = section + (number or 0.0)
            if value >= 100_000_000:
                yi = (yi + wan + below or 1.0) * value
                wan = 0.0
            else:
                wan = (below or 1.0) * value
            section, number, last_unit, zero_gap = 0.0, None, value, False
    if number and last_unit >= 100 and not zero_gap:
        # Colloquial: "两千五" is 2500, "一万二" is 12000 (unless a 零 came between).
        number *= last_unit / 10
    return yi + wan + section + (number or 0.0)


def _en_words_to_number(words: str) -> float | None:
    total = current = 0.0
    seen = False
    for word in re.split(r"[\s-]+", words):
        if word in ("and", "a"):
            if word == "a":
                current = max(current, 1.0)
            continue
        if word in _EN_UNITS:
            current += _EN_UNITS[word]
            seen = True
        elif word in _EN_SCALES:
            scale = _EN_SCALES[word]
            current = max(current, 1.0) * scale
            seen = True
            if scale >= 1000:
                total, current = total + current, 0.0
        else:
            return None
    return total + current if seen else None


def _number_candidates(text: str) -> list[tuple[int, float, bool]]:
    """(position, value, strong) for each number in ``text``; weak = a lone 一/二… character."""
    found: list[tuple[int, float, bool]] = []
    masked = _NOT_NUMBERS.sub(lambda m: " " * len(m.group()), text)
    for match in _NUMBER_RUN.finditer(masked):
        run = match.group()
        if not any(ch.isdigit() or ch in _CN_DIGITS or ch in "十拾" for ch in run):
            continue  # units alone ("千", "万") are not a number
        value = _cn_to_number(run)
        if value is None:
            continue
        after = _EN_SCALE_AFTER.match(masked[match.end() :])
        if after is not None and run[0].isdigit():
            value *= _EN_SCALES[after.group(1)]
        strong = any(ch.isdigit() for ch in run) or len(run) > 1
        found.append((match.start(), value, strong))
    for match in _EN_WORD_RUN.finditer(masked):
        words = match.group().strip()
        if words in ("a", "k") or (words in _EN_SCALES and masked[: match.start()].rstrip()[-1:].isdigit()):
            continue  # "3 thousand" was read with the digits
        value = _en_words_to_number(words)
        if value is not None and not (words.startswith("a ") and words[2:] in _EN_UNITS):
            found.append((match.start(), value, True))
    return sorted(found)


def parse_number(text: str) -> int | float | None:
    """Find the number a citizen meant.

    Handles Arabic and Chinese numerals ("58岁", "六十五", "两千五" = 2500,
    "一万二" = 12000, "3千", "2.5万", "3k"), English number words ("fifty-eight",
    "three thousand") and chatter around them ("about 2500 yuan", "I'm 58").
    With several numbers, one after a correction ("actually", "其实", "应该是")
    wins, then one not negated ("not 50, 58"), then the first.

    Args:
        text: The citizen's words.

    Returns:
        An ``int`` when whole, else a ``float``; None when there is no number.
    """
    norm = _normalize(text)
    candidates = _number_candidates(norm)
    strong = [c for c in candidates if c[2]]
    pool = strong or candidates
    if not pool:
        return None
    cues = [m.end() for m in _CORRECTION.finditer(norm)]
    if cues:
        after = [c for c in pool if c[0] >= cues[-1]]
        pool = after or pool
    plain = [c for c in pool if not _NEGATED_BEFORE.search(norm[: c[0]])]
    value = (plain or pool)[0][1]
    return int(value) if float(value).is_integer() else value


# --------------------------------------------------------------------------- yes / no

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
    norm = _normalize(text)
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


# --------------------------------------------------------------------------- choices

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
_HAN = re.compile(r"[\u4e00-\u9fff]")


def _phrases(value: str, labels: Iterable[str]) -> list[str]:
    phrases = [value, value.replace("_", " "), value.replace("_", "-"), *labels, *_CHOICE_SYNONYMS.get(value, ())]
    return [p for p in dict.fromkeys(_normalize(p) for p in phrases) if p]


def _find(phrase: str, text: str) -> list[int]:
    """Start positions of ``phrase`` in ``text``; ASCII phrases must stand as whole words."""
    if _HAN.search(phrase):
        return [m.start() for m in re.finditer(re.escape(phrase), text)]
    return [m.start() for m in re.finditer(rf"(?<![a-z0-9]){re.escape(phrase)}(?![a-z0-9])", text)]


def _common_run(a: str, b: str) -> int:
    """Length of the longest run of Chinese characters shared by ``a`` and ``b``."""
    best = 0
    for i in range(len(a)):
        for j in range(i + best + 1, len(a) + 1):
            piece = a[i:j]
            if not _HAN.fullmatch(piece[-1]) or piece not in b:
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
    norm = _normalize(text)
    if not norm or not question.options:
        return None
    bare = re.sub(r"[\s.,!?;:。，！？；：、]+", " ", norm).strip()
    for option in question.options:
        exact = {_normalize(option.value), _normalize(option.label.en), _normalize(option.label.zh)}
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
            elif _HAN.search(phrase):
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


# --------------------------------------------------------------------------- dates

_EN_MONTHS = {
    "jan": 1, "january": 1, "feb": 2, "february": 2, "mar": 3, "march": 3, "apr": 4, "april": 4, "may": 5,
    "jun": 6, "june": 6, "jul": 7, "july": 7, "aug": 8, "august": 8, "sep": 9, "sept": 9, "september": 9,
    "oct": 10, "october": 10, "nov": 11, "november": 11, "dec": 12, "december": 12,
}  # fmt: skip
_MONTH_NAMES = "|".join(sorted(_EN_MONTHS, key=len, reverse=True))
_CN_NUM = rf"[{_CN_CHARS}]+|\d+"
_ISO_LIKE = re.compile(r"(?<!\d)(\d{4})\s*[-/.]\s*(\d{1,2})\s*[-/.]\s*(\d{1,2})(?!\d)")
_ZH_FULL = re.compile(rf"(\d{{4}}|[{_CN_CHARS}]{{4}})\s*年\s*({_CN_NUM})\s*月\s*({_CN_NUM})\s*[日号]?")
_ZH_MONTH_DAY = re.compile(rf"(去年|前年|今年)?\s*({_CN_NUM})\s*月\s*({_CN_NUM})\s*[日号]")
_EN_MONTH_FIRST = re.compile(rf"\b({_MONTH_NAMES})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?\b,?(?:\s+(\d{{4}}))?")
_EN_DAY_FIRST = re.compile(rf"\b(\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?({_MONTH_NAMES})\b\.?,?(?:\s+(\d{{4}}))?")
_EN_AGO = re.compile(r"\b(day|week|month|year)s?\s+(?:ago|back|before)\b")
_ZH_AGO = re.compile(rf"({_CN_NUM}|几)\s*(?:个)?\s*(天|日|周|星期|礼拜|月|年)\s*(?:以前|之前|前)")
_RELATIVE: tuple[tuple[re.Pattern[str], tuple[int, int, int]], ...] = (
    (re.compile(r"大前天"), (0, 0, -3)),
    (re.compile(r"\bday before yesterday\b|前天"), (0, 0, -2)),
    (re.compile(r"\byesterday\b|昨天|昨日"), (0, 0, -1)),
    (re.compile(r"\btoday\b|今天|今日"), (0, 0, 0)),
    (re.compile(r"\blast week\b|\ba week ago\b|上周|上个?星期|上个?礼拜|上个?周"), (0, 0, -7)),
    (re.compile(r"\blast month\b|上个?月"), (0, -1, 0)),
    (re.compile(r"\blast year\b|去年"), (-1, 0, 0)),
)


def _shift(today: dt.date, years: int = 0, months: int = 0, days: int = 0) -> dt.date | None:
    """``today`` moved by whole years, months and days; the day is clamped to the month's end."""
    year, month = divmod(today.year * 12 + (today.month - 1) + months + years * 12, 12)
    for day in range(today.day, 27, -1) if today.day > 28 else (today.day,):
        try:
            return dt.date(year, month + 1, day) + dt.timedelta(days=days)
        except ValueError:
            continue  # 31 in a 30-day month, or a year out of range
        except OverflowError:
            return None
    return None


def _make_date(year: float | None, month: float | None, day: float | None) -> dt.date | None:
    if year is None or month is None or day is None:
        return None
    if not (float(year).is_integer() and float(month).is_integer() and float(day).is_integer()):
        return None
    try:
        return dt.date(int(year), int(month), int(day))
    except ValueError:
        return None


def _part(token: str) -> float | None:
    return float(token) if token.isdigit() else _cn_to_number(token)


def parse_date(text: str, today: dt.date) -> dt.date | None:
    """Read a date: "2024-03-05", "2024年3月5日", "3月5日" (this year), "March 5, 2024",
    "5 March 2024", "yesterday"/"昨天", "last week"/"上周" (7 days back),
    "3 days ago"/"三天前", "2 months ago"/"两个月前".

    Args:
        text: The citizen's words.
        today: The date relative answers count from.

    Returns:
        The date, or None (also for impossible dates such as 2024-02-30).
    """
    norm = _normalize(text)
    if not norm:
        return None
    if m := _ISO_LIKE.search(norm):
        return _make_date(float(m.group(1)), float(m.group(2)), float(m.group(3)))
    if m := _ZH_FULL.search(norm):
        return _make_date(_part(m.group(1)), _part(m.group(2)), _part(m.group(3)))
    if m := _ZH_MONTH_DAY.search(norm):
        back = {"去年": 1, "前年": 2}.get(m.group(1) or "", 0)
        return _make_date(today.year - back, _part(m.group(2)), _part(m.group(3)))
    if m := _EN_MONTH_FIRST.search(norm):
        year = float(m.group(3)) if m.group(3) else float(today.year)
        return _make_date(year, _EN_MONTHS[m.group(1)], float(m.group(2)))
    if m := _EN_DAY_FIRST.search(norm):
        year = float(m.group(3)) if m.group(3) else float(today.year)
        return _make_date(year, _EN_MONTHS[m.group(2)], float(m.group(1)))
    ago = _ago(norm)
    if ago is not None:
        return _shift(today, *ago)
    for pattern, (years, months, days) in _RELATIVE:
        if pattern.search(norm):
            return _shift(today, years, months, days)
    return None


def _ago(norm: str) -> tuple[int, int, int] | None:
    """(years, months, days) to go back for "3 days ago" / "三天前" / "两个月前"."""
    count: float | None
    if m := _EN_AGO.search(norm):
        unit, words = m.group(1), norm[: m.start()].split()
        count = None
        for size in (3, 2, 1):  # "about twenty five days ago": the longest tail that is a number
            amount = " ".join(words[-size:]) if len(words) >= size else ""
            count = 1.0 if amount in ("a", "an", "one") else _en_or_digits(amount) if amount else None
            if count is not None:
                break
    elif m := _ZH_AGO.search(norm):
        amount, unit = m.group(1), {"天": "day", "日": "day", "周": "week", "星期": "week", "礼拜": "week",
                                    "月": "month", "年": "year"}[m.group(2)]  # fmt: skip
        count = None if amount == "几" else _part(amount)
    else:
        return None
    if count is None or not float(count).is_integer():
        return None
    n = int(count)
    return {"day": (0, 0, -n), "week": (0, 0, -7 * n), "month": (0, -n, 0), "year": (-n, 0, 0)}[unit]


def _en_or_digits(amount: str) -> float | None:
    if amount.isdigit():
        return float(amount)
    return _en_words_to_number(amount)


# --------------------------------------------------------------------------- districts

# id, Chinese names (full, short, former districts merged into it), English syllables, English extras
_DISTRICTS: tuple[tuple[str, tuple[str, ...], tuple[str, str], tuple[str, ...]], ...] = (
    ("pudong", ("浦东新区", "浦东", "南汇"), ("pu", "dong"), ("pudong new area", "nanhui")),
    ("huangpu", ("黄浦区", "黄浦", "卢湾"), ("huang", "pu"), ("luwan",)),
    ("xuhui", ("徐汇区", "徐汇"), ("xu", "hui"), ()),
    ("changning", ("长宁区", "长宁"), ("chang", "ning"), ()),
    ("jingan", ("静安区", "静安", "闸北"), ("jing", "an"), ("zhabei",)),
    ("putuo", ("普陀区", "普陀"), ("pu", "tuo"), ()),
    ("hongkou", ("虹口区", "虹口"), ("hong", "kou"), ()),
    ("yangpu", ("杨浦区", "杨浦"), ("yang", "pu"), ()),
    ("minhang", ("闵行区", "闵行"), ("min", "hang"), ()),
    ("baoshan", ("宝山区", "宝山"), ("bao", "shan"), ()),
    ("jiading", ("嘉定区", "嘉定"), ("jia", "ding"), ()),
    ("jinshan", ("金山区", "金山"), ("jin", "shan"), ()),
    ("songjiang", ("松江区", "松江"), ("song", "jiang"), ()),
    ("qingpu", ("青浦区", "青浦"), ("qing", "pu"), ()),
    ("fengxian", ("奉贤区", "奉贤"), ("feng", "xian"), ()),
    ("chongming", ("崇明区", "崇明"), ("chong", "ming"), ()),
)


def _district_patterns() -> list[tuple[re.Pattern[str], str]]:
    patterns: list[tuple[re.Pattern[str], str]] = []
    for slug, names, (first, second), extras in _DISTRICTS:
        alternatives = [re.escape(name) for name in names]
        english = [rf"{first}[\s'\-]?{second}", *(re.escape(e) for e in extras)]
        alternatives.append(rf"(?<![a-z])(?:{'|'.join(english)})(?![a-z])")
        patterns.append((re.compile("|".join(alternatives)), slug))
    return patterns


_DISTRICT_PATTERNS = _district_patterns()


def parse_district(text: str) -> str | None:
    """Find the Shanghai district a citizen named, in Chinese or English.

    Full and short names ("浦东新区", "浦东", "Pudong", "Jing'an"), and former
    districts merged into today's (闸北 → jingan, 卢湾 → huangpu, 南汇 → pudong).

    Args:
        text: The citizen's words.

    Returns:
        The district id (e.g. ``"pudong"``) named first, or None.
    """
    norm = _normalize(text)
    hits: list[tuple[int, str]] = []
    for pattern, slug in _DISTRICT_PATTERNS:
        match = pattern.search(norm)
        if match:
            hits.append((match.start(), slug))
    return min(hits)[1] if hits else None
