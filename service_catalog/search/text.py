"""Text handling for search: normalising, language detection and tokenising.

Pure: no I/O of its own. jieba's dictionary and PyStemmer are loaded lazily, once per process
(jieba reads its packaged dictionary, through its cache file, on first use).

Each search index tokenises with its own ``Tokenizer``, whose Chinese dictionary is jieba's
plus the words of that index's catalogue; jieba's process-wide dictionary is never edited, so
how one catalogue is tokenised never depends on which catalogues were loaded before.
"""

from __future__ import annotations

import functools
import logging
import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from common.language import detect_language

from ._stopwords import EN_STOP, ZH_STOP

__all__ = [
    "HAN",
    "Tokenizer",
    "detect_lang",
    "english_words",
    "normalise",
    "stem",
    "tokenize",
]

HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")
_RUNS = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]+|[a-z0-9]+(?:['’][a-z]+)?")
DOMAIN_WORD_FREQ = 20000  # high enough that jieba keeps a catalogue word whole


@functools.cache
def _to_simplified() -> Any:
    import opencc  # OpenCC's own conversion tables (traditional → simplified, with phrases), shipped in the wheel

    return opencc.OpenCC("t2s")


def normalise(text: str) -> str:
    """NFKC-fold (full-width to half-width), traditional Chinese to simplified, lowercase and collapse whitespace.

    The catalogue is written in simplified characters; a question in traditional ones (護照過期, 身份證遺失,
    from Hong Kong, Macao or Taiwan, or a phone set that way) is searched as 护照过期, 身份证遗失.
    """
    folded = unicodedata.normalize("NFKC", text)
    if HAN.search(folded):
        folded = _to_simplified().convert(folded)
    return re.sub(r"\s+", " ", folded.lower()).strip()


def detect_lang(text: str) -> str:
    """``zh`` or ``en`` for a query, by the rule the action server uses for replies (``common/language.py``);
    ``en`` for a query without a language of its own (``12345``)."""
    return detect_language(text)


@functools.lru_cache(maxsize=1)
def _base_segmenter() -> Any:
    """A jieba segmenter with jieba's default dictionary only. Shared, so never edited."""
    import jieba

    jieba.setLogLevel(logging.WARNING)
    segmenter = jieba.Tokenizer()
    segmenter.initialize()
    return segmenter


def _segmenter(words: Sequence[str]) -> Any:
    """A jieba segmenter of its own: the default dictionary plus ``words``.

    jieba has no public way to copy a loaded dictionary, so the new segmenter takes a copy of
    the shared one's prefix dictionary (``FREQ``/``total``, about 15 MB and 20 ms) instead of
    reading the dictionary file again (about 1 s). Without words the shared one is used as it is.
    """
    base = _base_segmenter()
    if not words:
        return base
    import jieba

    segmenter = jieba.Tokenizer()
    segmenter.FREQ, segmenter.total, segmenter.initialized = dict(base.FREQ), base.total, True
    for word in words:
        segmenter.add_word(word, freq=DOMAIN_WORD_FREQ)
    return segmenter


@functools.lru_cache(maxsize=1)
def _stemmer() -> Any:
    try:
        import Stemmer
    except ImportError as exc:  # pragma: no cover - a dependency of the package
        raise ImportError("PyStemmer is missing: run `make setup` (pip install PyStemmer)") from exc
    return Stemmer.Stemmer("english")


def domain_words(words: Iterable[str]) -> frozenset[str]:
    """The words fit to teach the Chinese segmenter: normalised Chinese, no spaces, 2 to 12 characters."""
    normalised = (normalise(w) for w in words)
    return frozenset(w for w in normalised if HAN.search(w) and " " not in w and 2 <= len(w) <= 12)


class Tokenizer:
    """Tokens for BM25: jieba words and character bigrams for Chinese, stemmed words for English.

    Args:
        words: domain words for the Chinese segmenter (a catalogue's Chinese titles and keywords);
            they change only this tokenizer, never another one or jieba's own dictionary.
    """

    def __init__(self, words: Iterable[str] = ()) -> None:
        self.words = domain_words(words)
        self._segmenter = _segmenter(sorted(self.words))

    def tokenize(self, text: str, *, bigrams: bool = True, correct: Callable[[str], str] | None = None) -> list[str]:
        """The tokens of ``text``.

        Args:
            text: any text, Chinese, English or mixed.
            bigrams: add Chinese character bigrams (marked ``§``) beside jieba's words.
            correct: applied to each English word before stemming (typo correction).
        """
        out: list[str] = []
        english: list[str] = []
        for match in _RUNS.finditer(normalise(text)):
            run = match.group(0)
            if HAN.match(run):
                tokens = self._zh_tokens(run)
                out.extend(tokens if bigrams else [t for t in tokens if not t.startswith("§")])
            else:
                word = run.split("'")[0].split("’")[0]  # what's → what, children's → children
                if run.replace("’", "'") not in EN_STOP and word not in EN_STOP:
                    english.append(word)
        if correct is not None:
            english = [correct(w) for w in english]
        out.extend(_stemmer().stemWords(english))
        return out

    def _zh_tokens(self, run: str) -> list[str]:
        words = [w for w in self._segmenter.lcut_for_search(run) if w.strip() and w not in ZH_STOP]
        # Character bigrams make matching robust to segmentation differences (户口/户籍, 上户口/报户口).
        grams = [run[i : i + 2] for i in range(len(run) - 1)] if len(run) > 1 else []
        return words + ["§" + g for g in grams if g not in ZH_STOP and not all(ch in ZH_STOP for ch in g)]


@functools.lru_cache(maxsize=1)
def _plain() -> Tokenizer:
    return Tokenizer()


def tokenize(text: str, *, bigrams: bool = True, correct: Callable[[str], str] | None = None) -> list[str]:
    """``Tokenizer().tokenize``: tokens with jieba's default dictionary only (no domain words)."""
    return _plain().tokenize(text, bigrams=bigrams, correct=correct)


def english_words(text: str) -> list[str]:
    """The English words of a text that are not stop words (for typo correction)."""
    return [m for m in re.findall(r"[a-z]+", normalise(text)) if m not in EN_STOP]


def stem(words: Sequence[str]) -> list[str]:
    """English words stemmed (Snowball, as the tokenizer does)."""
    return list(_stemmer().stemWords(list(words)))
