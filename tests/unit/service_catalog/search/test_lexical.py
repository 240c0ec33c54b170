"""Tests for service_catalog.search.lexical: BM25 over token lists, with English typo correction."""

from __future__ import annotations

import numpy as np
import pytest

from service_catalog.search.lexical import LexicalIndex

TEXTS = [
    "Unemployment insurance benefit for people who lost their job",
    "Register a newborn's birth and household registration 新生儿出生登记 报户口",
    "Dog licence and annual registration 养犬登记",
    "Apply for a residence permit 居住证办理",
]


@pytest.fixture(scope="module")
def index() -> LexicalIndex:
    return LexicalIndex(TEXTS)


def best(index: LexicalIndex, query: str) -> int:
    scores = index.scores(index.query_tokens(query))
    assert scores.max() > 0, query
    return int(np.argmax(scores))


def test_typo_is_corrected_to_an_index_word(index: LexicalIndex) -> None:
    assert index.correct("unemploymnet") == "unemployment"
    assert index.query_tokens("unemploymnet") == ["unemploy"]


def test_typo_query_finds_the_unemployment_document(index: LexicalIndex) -> None:
    assert best(index, "unemploymnet") == 0
    assert best(index, "I lost my jbo, unemploymnet benfit") == 0


def test_correction_leaves_known_short_and_foreign_tokens(index: LexicalIndex) -> None:
    assert index.correct("licence") == "licence"
    assert index.correct("dgo") == "dgo"  # shorter than 4 letters: too risky to correct
    assert index.correct("xyzzyplugh") == "xyzzyplugh"  # nothing within two edits
    assert index.correct("户口") == "户口"


@pytest.mark.parametrize(("query", "doc"), [("报户口", 1), ("养狗要登记", 2), ("dog licence", 2), ("居住证", 3), ("residence permits", 3)])
def test_queries_in_both_languages(index: LexicalIndex, query: str, doc: int) -> None:
    assert best(index, query) == doc


def test_unknown_tokens_score_nothing(index: LexicalIndex) -> None:
    assert index.scores(["zzz", "§天气"]).tolist() == [0.0] * len(TEXTS)
    assert index.scores([]).tolist() == [0.0] * len(TEXTS)


def test_contains_and_df_follow_the_document_terms(index: LexicalIndex) -> None:
    assert all(index.contains(0, t) for t in ("unemploy", "benefit", "job"))
    assert not index.contains(1, "unemploy")
    assert not index.contains(0, "never-seen")
    assert index.df("unemploy") == sum(index.contains(d, "unemploy") for d in range(index.size))
    assert index.df("never-seen") == 0


def test_an_empty_document_is_allowed() -> None:
    index = LexicalIndex(["", "unemployment benefit"])
    assert index.size == 2
    assert int(np.argmax(index.scores(index.query_tokens("unemployment")))) == 1


@pytest.mark.parametrize(("k1", "b"), [(0.0, 0.5), (1.2, -0.1), (1.2, 1.5)])
def test_bad_bm25_parameters_are_rejected(k1: float, b: float) -> None:
    with pytest.raises(ValueError, match="BM25 needs k1 > 0 and 0 <= b <= 1"):
        LexicalIndex(TEXTS, k1=k1, b=b)


@pytest.mark.parametrize("word", ["concert", "patient", "highest"])
def test_a_real_english_word_is_never_corrected_into_a_catalogue_word(word: str) -> None:
    index = LexicalIndex(["Convert a driving licence", "Register a patent", "Higher education diploma"])
    assert index.correct(word) == word
    assert index.correct("convrt") == "convert"  # a misspelling still is
