"""Tests for service_catalog.search.fusion: RRF and score fusion, validation, confidence."""

from __future__ import annotations

import pytest

from service_catalog.search.fusion import Confidence, Fuser, FusionMode, SearchMode

LEXICAL = {0: 5.0, 1: 3.0, 2: 0.0}
DENSE = {1: 0.9, 3: 0.5}


def test_rrf_sums_weighted_reciprocal_ranks() -> None:
    fused = Fuser(FusionMode.RRF, rrf_k=60).fuse(LEXICAL, DENSE)
    assert fused == pytest.approx({0: 1 / 61, 1: 1 / 62 + 1 / 61, 3: 1 / 62})
    assert 2 not in fused  # no lexical match at all: not a lexical candidate


def test_rrf_weights_scale_each_side() -> None:
    fused = Fuser(FusionMode.RRF, lexical_weight=2.0, dense_weight=0.5, rrf_k=10).fuse(LEXICAL, DENSE)
    assert fused == pytest.approx({0: 2 / 11, 1: 2 / 12 + 0.5 / 11, 3: 0.5 / 12})


def test_zero_weight_leaves_a_side_out() -> None:
    assert Fuser(FusionMode.RRF, lexical_weight=0.0).fuse(LEXICAL, DENSE).keys() == {1, 3}
    assert Fuser(FusionMode.SCORE, dense_weight=0.0).fuse(LEXICAL, DENSE).keys() == {0, 1, 2}


def test_score_mode_min_max_normalises_each_side() -> None:
    fused = Fuser(FusionMode.SCORE).fuse(LEXICAL, DENSE)
    assert fused == pytest.approx({0: 1.0, 1: 0.6 + 1.0, 2: 0.0, 3: 0.0})


def test_score_mode_with_one_candidate_per_side() -> None:
    assert Fuser(FusionMode.SCORE).fuse({4: 7.5}, {5: 0.2}) == pytest.approx({4: 1.0, 5: 1.0})
    assert Fuser(FusionMode.SCORE).fuse({4: 0.0}, {}) == {4: 0.0}


def test_ranking_differs_between_modes() -> None:
    rrf = Fuser(FusionMode.RRF).fuse(LEXICAL, DENSE)
    score = Fuser(FusionMode.SCORE).fuse(LEXICAL, DENSE)
    assert max(rrf, key=rrf.__getitem__) == max(score, key=score.__getitem__) == 1


def test_empty_inputs_fuse_to_nothing() -> None:
    for mode in FusionMode:
        assert Fuser(mode).fuse({}, {}) == {}


@pytest.mark.parametrize(
    ("lexical", "dense"),
    [(-0.1, 1.0), (1.0, -2.0), (0.0, 0.0)],
)
def test_constructor_rejects_bad_weights(lexical: float, dense: float) -> None:
    with pytest.raises(ValueError, match="weights must be >= 0 and not both 0"):
        Fuser(FusionMode.RRF, lexical_weight=lexical, dense_weight=dense)


def test_constructor_rejects_bad_rrf_k() -> None:
    with pytest.raises(ValueError, match="rrf_k must be at least 1, got 0"):
        Fuser(rrf_k=0)


@pytest.mark.parametrize(("raw", "mode"), [("rrf", FusionMode.RRF), ("RRF", FusionMode.RRF), ("Score", FusionMode.SCORE)])
def test_mode_from_str(raw: str, mode: FusionMode) -> None:
    assert FusionMode.from_str(raw) is mode


def test_mode_from_str_error_lists_valid_values() -> None:
    with pytest.raises(ValueError, match=r"unknown fusion mode 'borda'; valid: rrf, score"):
        FusionMode.from_str("borda")


def test_confidence_rises_with_each_feature() -> None:
    c = Confidence()
    base = c.probability(0.3, 0.5, 2.0, False)
    assert 0.0 < base < 1.0
    assert c.probability(0.6, 0.5, 2.0, False) > base
    assert c.probability(0.3, 1.0, 2.0, False) > base
    assert c.probability(0.3, 0.5, 9.0, False) > base
    assert c.probability(0.3, 0.5, 2.0, True) > base
    assert c.probability(0.3, 0.5, -5.0, False) == c.probability(0.3, 0.5, 0.0, False)


def test_confidence_features_match_probability_inputs() -> None:
    assert Confidence.features(0.5, 0.25, 0.0, True) == [0.5, 0.25, 0.0, 1.0]


@pytest.mark.parametrize(("name", "mode"), [("hybrid", SearchMode.HYBRID), ("LEXICAL", SearchMode.LEXICAL), ("dense", SearchMode.DENSE)])
def test_search_mode_from_str(name: str, mode: SearchMode) -> None:
    assert SearchMode.from_str(name) is mode


def test_search_mode_from_str_error_lists_valid_values() -> None:
    with pytest.raises(ValueError, match=r"unknown search mode 'bm25'; valid: lexical, dense, hybrid"):
        SearchMode.from_str("bm25")


def test_search_mode_weights_keep_one_side_or_both() -> None:
    assert SearchMode.HYBRID.weights(3.0, 0.25) == (3.0, 0.25)
    assert SearchMode.LEXICAL.weights(3.0, 0.25) == (1.0, 0.0)
    assert SearchMode.DENSE.weights(3.0, 0.25) == (0.0, 1.0)
