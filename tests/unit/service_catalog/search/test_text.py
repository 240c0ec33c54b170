"""Tests for service_catalog.search.text: normalising, language detection and tokenising."""

from __future__ import annotations

import pytest

from service_catalog.search.text import Tokenizer, detect_lang, domain_words, english_words, normalise, stem, tokenize


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


WORD = "新测试词汇事项"  # jieba's own dictionary splits it


def test_a_vocabulary_teaches_only_its_own_tokenizer() -> None:
    taught = Tokenizer([WORD, "plain english", "x"])
    assert taught.words == {WORD}
    assert WORD in taught.tokenize(WORD, bigrams=False)
    # Neither a tokenizer made before or after it, nor the module's default, learnt the word.
    assert WORD not in Tokenizer(["养犬登记"]).tokenize(WORD, bigrams=False)
    assert WORD not in tokenize(WORD, bigrams=False)


def test_two_vocabularies_tokenise_independently_in_either_order() -> None:
    first, second = Tokenizer(["甲乙丙丁词"]), Tokenizer([WORD])
    assert "甲乙丙丁词" in first.tokenize("甲乙丙丁词", bigrams=False)
    assert "甲乙丙丁词" not in second.tokenize("甲乙丙丁词", bigrams=False)
    assert WORD in second.tokenize(WORD, bigrams=False)
    assert WORD not in first.tokenize(WORD, bigrams=False)


def test_domain_words_are_normalised_chinese_of_two_to_twelve_characters() -> None:
    assert domain_words(["养犬登记", " 居住证 ", "居 住", "证", "一二三四五六七八九十一二三", "dog licence", "ＩＤ卡"]) == {"养犬登记", "居住证", "id卡"}


def test_traditional_characters_are_searched_as_simplified() -> None:
    assert normalise("護照過期了怎麼辦") == "护照过期了怎么办"
    assert normalise("臺灣居民來往大陸通行證") == "台湾居民来往大陆通行证"
    assert normalise("Passport 護照") == "passport 护照"
    assert normalise("already simplified 护照") == "already simplified 护照"
