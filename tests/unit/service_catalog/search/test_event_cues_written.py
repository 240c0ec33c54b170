"""Situational questions as people write them (issue 14, found on the written dev set
evaluation/written/dev): colloquial and Shanghainese cues (办点啥, 哪能弄, 有啥补贴, "what support is
there", "any government help"), and dialect words that no service or event has (阿拉, 侬) not
counted against an event's share of a question's words. The sentences here are new, not the set's.
The real model's figures: tests/integration/test_written_sets.py."""

from __future__ import annotations

import pytest

from service_catalog.catalogue import Catalogue
from service_catalog.search import load_or_build, tuned_config
from service_catalog.search.embedder import FakeEmbedder
from service_catalog.search.events import situational
from service_catalog.search.index import SearchIndex


@pytest.mark.parametrize(
    "text",
    [
        "屋里老人走了 要办点啥",
        "失业了社保哪能弄",
        "养小孩有啥补贴",
        "开店从哪里开始",
        "能领点啥",
        "what support is there for new parents",
        "any government help for people who lost their job",
        "what are my options",
        "is there any startup help",
        "what do they need to do after moving here",
        "which licences does a cafe need",
        # later hands (w5 dev): the whole of it, what there is, what to declare (sentences of our own)
        "what is the whole procedure from buying to driving",
        "which all schemes can a startup get",
        "pls list everything",
        "what are rules for pet owners",
        "which services are available for new arrivals",
        "any govt loan for small shops",
        "退休了在外面上课 每年要申报点啥",
        "店里每个季度要报哪些税",
        "开公司以后平时要做的事情有哪些",
        "入学登记 居住证 这些要怎么弄",
        "老人家政府有点啥照顾",
        "政府能帮吗",
        "开饭店需要哪些审批",
    ],
)
def test_colloquial_cues_ask_for_a_checklist(text: str) -> None:
    assert situational(text)


@pytest.mark.parametrize(
    "text",
    [
        "how do I book my driving test",
        "my dog licence expires next month, how do I renew it",
        "护照啥时候能拿到",
        "去哪办啥时候开门",
        "办护照要带啥",
        "renewing my licence, what all to carry",
        "办居住证要交什么材料",
    ],
)
def test_questions_about_one_service_are_not_cued(text: str) -> None:
    assert not situational(text)


@pytest.fixture(scope="module")
def index(catalogue: Catalogue, tmp_path_factory: pytest.TempPathFactory) -> SearchIndex:
    return load_or_build(catalogue, FakeEmbedder(32), tmp_path_factory.mktemp("index"), tuned_config())


def test_dialect_words_do_not_dilute_a_chinese_situation(index: SearchIndex) -> None:
    """The same question with and without Shanghainese chatter gets the same checklist (counting the chatter,
    the chatty one covered 0.20 of its words, under the bar)."""
    plain = index.search("生意做不下去了 公司要关门注销 要走啥流程", lang="zh").event
    chatty = index.search("阿拉屋里厢个生意老早就做勿下去了 侬讲讲看 阿拉公司要关门注销 要走啥流程伐 搞勿清爽", lang="zh").event
    assert plain is not None and plain["id"] == "closing-a-company"
    assert chatty is not None and chatty["id"] == "closing-a-company"


@pytest.mark.parametrize(
    "text",
    [
        # for someone else (a relative, a client, a neighbour) and in general: new sentences, not a writer's
        "what does my client need to take care of now that her mother died",
        "my brother got made redundant, what should he do now",
        "what must the shop register before it opens",
        "what needs to happen before we can move in",
        "can you give me an overview for a newborn",
        "what all do we need for the wedding",
        "everything we need to sort out after the move",
        "what are the things a new employer has to arrange",
        "step by step, how do we set up the firm",
        "are there government programs for small workshops",
        "is there anything she needs to register as a new landlord",
        "邻居老太太走了 家属问所有手续怎么弄",
        "他刚被裁 要跑几个地方",
        "帮我捋一下开公司的事",
        "咋弄啊 孩子要上学了",
        "政府有没有啥技能培训的渠道",
        "残疾人有哪些可以申请的",
    ],
)
def test_cues_for_someone_else_and_for_everything_ask_for_a_checklist(text: str) -> None:
    assert situational(text)


@pytest.mark.parametrize(
    "text",
    [
        "what do I need to bring for the passport photo",
        "how much do I have to pay for the dog licence",
        "where to apply for a library card",
        "居住证签注在哪弄",
    ],
)
def test_one_service_questions_stay_uncued(text: str) -> None:
    assert not situational(text)
