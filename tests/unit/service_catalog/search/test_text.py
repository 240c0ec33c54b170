"""Tests for service_catalog.search.text: normalising, language detection and tokenising."""

from __future__ import annotations

import pytest

from service_catalog.search.text import add_words, detect_lang, english_words, normalise, stem, tokenize


def test_normalise_folds_width_case_and_space() -> None:
    assert normalise("  ＡＢＣ　１２３  Hello\tWorld\n") == "abc 123 hello world"
    assert normalise("孩子（出生）") == "孩子(出生)"


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("孩子出生了怎么上户口", "zh"),
        ("I lost my job", "en"),
        ("居住证 renewal", "zh"),  # three Han characters outweigh seven Latin letters
        ("how do I apply for a 居住证", "en"),
        ("12345", "en"),
        ("", "en"),
    ],
)
def test_detect_lang(text: str, lang: str) -> None:
    assert detect_lang(text) == lang


def test_chinese_gets_words_and_marked_bigrams() -> None:
    tokens = tokenize("孩子出生了怎么上户口")
    words = [t for t in tokens if not t.startswith("§")]
    assert {"孩子", "出生", "户口"} <= set(words)
    assert "§户口" in tokens and "§上户" in tokens
    assert not {"了", "怎么", "§了怎"} & set(words)


def test_bigrams_can_be_left_out() -> None:
    assert all(not t.startswith("§") for t in tokenize("孩子出生了怎么上户口", bigrams=False))


def test_english_is_stemmed_without_stop_words() -> None:
    assert tokenize("I lost my jobs, what's the unemployment benefits?") == ["lost", "job", "unemploy", "benefit"]


def test_contractions_keep_the_word() -> None:
    assert tokenize("my children's school") == ["children", "school"]
    assert tokenize("it's what's there") == []


def test_mixed_text_keeps_both_languages() -> None:
    tokens = tokenize("我想办 residence permit")
    assert "resid" in tokens and "permit" in tokens
    assert "我想" not in tokens and "§我想" not in tokens


def test_correct_is_applied_before_stemming() -> None:
    fixes = {"unemploymnet": "unemployment"}
    assert tokenize("unemploymnet benefits", correct=lambda w: fixes.get(w, w)) == ["unemploy", "benefit"]


def test_only_stop_words_or_nothing_gives_no_tokens() -> None:
    assert tokenize("") == []
    assert tokenize("the and of") == []
    assert tokenize("的了吗") == []


def test_english_words_and_stem() -> None:
    assert english_words("The Unemployment benefit, 2024!") == ["unemployment", "benefit"]
    assert stem(["benefits", "running"]) == ["benefit", "run"]


def test_add_words_teaches_the_segmenter() -> None:
    word = "新测试词汇事项"
    assert word not in tokenize(word, bigrams=False)
    add_words([word, "plain english", "x"])
    assert word in tokenize(word, bigrams=False)
