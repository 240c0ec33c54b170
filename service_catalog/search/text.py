"""Text handling for search: language detection, tokenising and the texts of a service.

Pure functions; jieba and PyStemmer are loaded lazily, once.
"""

from __future__ import annotations

import functools
import logging
import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from typing import Any

__all__ = [
    "HAN",
    "add_words",
    "detect_lang",
    "normalise",
    "tokenize",
]

log = logging.getLogger(__name__)

HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")
_RUNS = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]+|[a-z0-9]+(?:['’][a-z]+)?")

# Function words that carry no topic in queries or phrasings.
_EN_STOP = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "been",
        "being",
        "but",
        "by",
        "can",
        "could",
        "did",
        "do",
        "does",
        "doing",
        "for",
        "from",
        "get",
        "got",
        "had",
        "has",
        "have",
        "having",
        "he",
        "her",
        "here",
        "hers",
        "him",
        "his",
        "how",
        "i",
        "i'm",
        "im",
        "if",
        "in",
        "into",
        "is",
        "it",
        "its",
        "it's",
        "just",
        "me",
        "my",
        "myself",
        "need",
        "needs",
        "no",
        "nor",
        "not",
        "of",
        "off",
        "on",
        "once",
        "only",
        "or",
        "our",
        "ours",
        "out",
        "over",
        "own",
        "please",
        "so",
        "some",
        "such",
        "than",
        "that",
        "the",
        "their",
        "theirs",
        "them",
        "then",
        "there",
        "these",
        "they",
        "this",
        "those",
        "to",
        "too",
        "under",
        "until",
        "up",
        "very",
        "was",
        "we",
        "were",
        "what",
        "when",
        "where",
        "which",
        "while",
        "who",
        "whom",
        "why",
        "will",
        "with",
        "would",
        "you",
        "your",
        "yours",
        "want",
        "wanna",
        "gonna",
        "like",
        "know",
        "tell",
        "help",
        "hi",
        "hello",
        "thanks",
        "thank",
        "should",
        "shall",
        "am",
        "also",
        "any",
        "anything",
        "about",
        "after",
        "before",
        "again",
        "all",
        "more",
        "most",
        "other",
        "any",
        "do",
    ]
)
_ZH_STOP = frozenset(
    [
        "的",
        "了",
        "吗",
        "呢",
        "吧",
        "啊",
        "呀",
        "哦",
        "嗯",
        "我",
        "我们",
        "你",
        "你们",
        "您",
        "他",
        "她",
        "它",
        "是",
        "在",
        "有",
        "和",
        "与",
        "及",
        "或",
        "要",
        "想",
        "想要",
        "怎么",
        "怎样",
        "如何",
        "什么",
        "哪里",
        "哪儿",
        "可以",
        "能",
        "能不能",
        "可不可以",
        "需要",
        "一下",
        "一个",
        "这个",
        "那个",
        "这",
        "那",
        "就",
        "都",
        "也",
        "还",
        "还是",
        "请问",
        "请",
        "问",
        "办",
        "办理",
        "一些",
        "什么样",
        "多少",
        "吗？",
        "么",
        "啥",
        "咋",
        "该",
        "应该",
        "去",
        "给",
        "对",
        "把",
        "被",
        "让",
        "从",
        "到",
        "又",
        "得",
        "地",
        "着",
        "过",
        "个",
        "些",
        "下",
        "上",
        "里",
        "中",
        "为",
        "为了",
        "关于",
        "现在",
        "已经",
        "刚",
        "刚刚",
        "之后",
        "以后",
        "然后",
        "如果",
        "因为",
        "所以",
    ]
)


def normalise(text: str) -> str:
    """NFKC-fold (full-width to half-width), lowercase and collapse whitespace."""
    return re.sub(r"\s+", " ", unicodedata.normalize("NFKC", text).lower()).strip()


def detect_lang(text: str) -> str:
    """``zh`` when the text is mostly Chinese characters, else ``en``."""
    han = len(HAN.findall(text))
    latin = len(re.findall(r"[A-Za-z]", text))
    return "zh" if han and han * 3 >= latin else "en"


@functools.lru_cache(maxsize=1)
def _jieba() -> Any:
    import jieba

    jieba.setLogLevel(logging.WARNING)
    jieba.initialize()
    return jieba


@functools.lru_cache(maxsize=1)
def _stemmer() -> Any:
    try:
        import Stemmer
    except ImportError as exc:  # pragma: no cover - a dependency of the package
        raise ImportError("PyStemmer is missing: run `make setup` (pip install PyStemmer)") from exc
    return Stemmer.Stemmer("english")


_added: set[str] = set()


def add_words(words: Iterable[str]) -> None:
    """Teach the Chinese segmenter domain words (keywords of the catalogue)."""
    jieba = _jieba()
    for word in words:
        w = normalise(word)
        if HAN.search(w) and " " not in w and 2 <= len(w) <= 12 and w not in _added:
            jieba.add_word(w, freq=20000)
            _added.add(w)


def _zh_tokens(run: str) -> list[str]:
    words = [w for w in _jieba().lcut_for_search(run) if w.strip() and w not in _ZH_STOP]
    # Character bigrams make matching robust to segmentation differences (户口/户籍, 上户口/报户口).
    grams = [run[i : i + 2] for i in range(len(run) - 1)] if len(run) > 1 else []
    return words + ["§" + g for g in grams if g not in _ZH_STOP and not all(ch in _ZH_STOP for ch in g)]


def tokenize(text: str, *, bigrams: bool = True, correct: Callable[[str], str] | None = None) -> list[str]:
    """Tokens for BM25: jieba words and character bigrams for Chinese, stemmed words for English.

    Args:
        text: any text, Chinese, English or mixed.
        bigrams: add Chinese character bigrams beside jieba's words.
        correct: applied to each English word before stemming (typo correction).
    """
    out: list[str] = []
    english: list[str] = []
    for match in _RUNS.finditer(normalise(text)):
        run = match.group(0)
        if HAN.match(run):
            tokens = _zh_tokens(run)
            out.extend(tokens if bigrams else [t for t in tokens if not t.startswith("§")])
        else:
            word = run.split("'")[0].split("’")[0]  # what's → what, children's → children
            if run.replace("’", "'") not in _EN_STOP and word not in _EN_STOP:
                english.append(word)
    if correct is not None:
        english = [correct(w) for w in english]
    out.extend(_stemmer().stemWords(english))
    return out


def english_words(text: str) -> list[str]:
    """The English words of a text that are not stop words (for typo correction)."""
    return [m for m in re.findall(r"[a-z]+", normalise(text)) if m not in _EN_STOP]


def stem(words: Sequence[str]) -> list[str]:
    return list(_stemmer().stemWords(list(words)))
