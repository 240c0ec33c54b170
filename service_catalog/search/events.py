"""Life and business events as answers: which event's checklist a situational question asks for (pure).

"I just had a baby", 孩子出生了要办什么, "my father passed away": such questions ask for
everything a situation needs, in order (the portal's 一件事), not for one service. Each event
is matched by its label, summary and phrasings, with BM25 and with the same sentence model as
the services. An event answers when

* the question asks what to do in a situation (a cue such as "what do I need to do",
  "where do I start", 要办什么, 哪些手续, 流程) and one event fits it well enough, or
* it has no cue but fits an event by meaning clearly better than any single service
  ("my father passed away") and no service is named, or
* (Chinese, with a cue) its words fall under the bar but the event together with its steps'
  services' texts covers them far better than the best single service does: a situation told in
  the words of what its checklist is about (开个奶茶铺 营业执照 食品许可 消防 要办哪些).

A question about one service ("how do I register my baby's birth", 丧葬补助金怎么领) keeps its
service. The thresholds were set on the ``tune`` part of ``evaluation/event_queries.yaml``;
``tests/integration/test_event_search.py`` judges the ``holdout`` part.

Which event: its cosine and the share of the question's words its texts cover, counted without
the cue's words and those naming whom it is asked for (they say how and for whom, not what
happened), plus a vote of the services search found best for the events whose steps they are. A
Chinese question's share counts jieba's words and character bigrams half each, so a paraphrase
sharing two-character stems counts. The later thresholds were chosen on the catalogue's own
phrasings (each event's held out in turn, the services' as one-service questions), not on a writer's.
Written sets by writers who never saw the project judge how this transfers (docs/evaluation.md).
"""

from __future__ import annotations

import functools
import hashlib
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from .documents import lexical_text
from .embedder import Embedder
from .lexical import LexicalIndex
from .text import Tokenizer, detect_lang

if TYPE_CHECKING:
    from ..catalogue import Catalogue

__all__ = ["EventMatch", "EventMatcher", "situational"]

_ONE_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")  # a one-character Chinese word (好, 跟, 弄, 讲): grammar more than situation

_CUE_EN = re.compile(
    r"\bwhat (?:do|should|must|have|shall) (?:i|we)\b(?! (?:need to )?(?:bring|pay))"
    r"|\bwhat (?:now|next|paperwork|papers|formalities|steps|follows)\b|\bwhat(?:'s| is) the process\b|\bwhere (?:do|should) (?:i|we) start\b"
    r"|\bchecklist\b|\bsteps\b|\bpaperwork\b|\bwhat help\b|\bsort out\b|\bhas to be done\b|\bwhich (?:paperwork|forms)\b"
    # asking what there is for a situation: "what support is there", "any government help",
    # "what can we apply for", "what are my options", "which licences", "from start to finish"
    r"|\bwhat (?:kinds? of |sort of )?(?:government |public |official )?(?:support|help|benefits|options|registrations|approvals|permits|licen[cs]es|obligations|stuff)\b"
    r"|\bwhat are (?:my|our|the) options\b|\bany (?:help|support|government|goverment|subsid|loan|financ|funding|grant)|\bis there (?:any )?(?:\w+ )?(?:help|support)\b"
    r"|\bwhat (?:i|we) need\b|\bwhat (?:do|does|should) (?:they|he|she|tenants|parents|families|owners|employers) (?:need|have) to do\b"
    r"|\bwhat can (?:i|we|they|she|he) (?:claim|apply|get|do)\b|\bwhich (?:licen[cs]es|permits|registrations|approvals)\b"
    r"|\bwhere do (?:i|we) (?:even )?(?:start|begin)\b|\bfrom start to finish\b|\ball of it\b"
    # for someone else and in general: "what does my client need to take care of", "what must the company
    # register", "what should he do now", "what needs to happen", "what all", "an overview", "everything we
    # need", "what are the things we need to do", "step by step" (what to bring or pay stays one service's)
    r"|\bwhat (?:do|does|should|must|will|would|did|can) (?:i|we|he|she|they|you|(?:my|our|his|her|their|the) [\w'’-]+(?: \w+)?) (?:\w+ )?"
    r"(?:(?:need|needs|have|has|got|ought) to (?!bring\b|pay\b)\w+|do|register|arrange|prepare|set up|sort out|take care of|apply for|handle)\b"
    r"|\bwhat (?:he|she|they|it) (?:needs|has|have|need) to\b|\bwhat (?:else )?(?:needs|has|have|need) to (?:happen|be done|be sorted|be arranged|be handled)\b"
    r"|\b(?:what|which) all\b(?! (?:(?:i |we )?(?:need |have |must )?to )?(?:carry|bring|pay)\b)|\boverview\b|\bto-?do list\b|\bstep by step\b|\bwhole process\b|\bobligations\b"
    r"|\beverything (?:i|we|he|she|they|you)\b|\ball (?:the )?(?:steps|things|paperwork|formalities|admin|procedures|bureaucracy)\b|\bwhat are the (?:\w+ )?things\b"
    r"|\bwhere to (?:start|begin)\b|\bwhat happens (?:now|next)\b|\bwhat (?:\w+ )?stuff\b|\bwhat (?:admin|bureaucracy|red tape|procedures|formalities)\b"
    r"|\bwhat (?:\w+ )?(?:support|help|funding|programs?|programmes?|schemes?|services are there)\b|\bgovernment (?:programs?|programmes?|schemes?)\b"
    r"|\banything (?:else )?(?:i|we|he|she|they) (?:need|needs|should|must|have|has)\b|\bwhere can (?:i|we|he|she|they) get help\b"
    # what a situation involves or what the rules are, and whether the city helps at all ("what are the
    # rules for dog owners", "what's involved", "can the government help us")
    r"|\bwhat are the (?:rules|regulations)\b|\bwhat(?:'s| is) (?:involved|required|needed)\b|\bwhat to expect\b"
    r"|\b(?:can|could|will|would|does|do) (?:the )?(?:government|city|state|authorities) (?:help|support|do)\b"
    # the whole of it, or what there is ("what is the full procedure", "pls list", "what are rules for",
    # "which services are available"); "what all to carry" stays a question about one service
    r"|\bwhat(?:'s| is| are) (?:the )?(?:full|whole|complete|entire|overall) (?:procedure|process|steps|formalities|list)\b"
    r"|\bwhat are (?:the )?(?:rules|regulations) for\b|\b(?:complete|full|whole) list\b|\b(?:pls|plz|please|kindly) list\b"
    r"|\b(?:options|services|schemes|help|support|programs?|programmes?|benefits|subsidies) (?:\w+ ){0,3}?(?:is|are) available\b",
    re.I,
)
_CUE_ZH = re.compile(
    r"要办什么|办什么|办理什么|哪些手续|什么手续|手续有哪些|办哪些|哪些事|要办的|要做什么|怎么办(?!理)|流程|一件事|要准备什么|接下来|该办|后事"
    # colloquial and Shanghainese ways of asking the same: 办点啥, 弄点啥, 哪能弄 (怎么弄),
    # 有啥补贴/救助/扶持 (what is there for me), 从哪开始, 能拿点啥
    r"|[办弄做搞准备跑](?:点|些)?(?:啥|什么)(?!时候|辰光|地方)|办哪[点些]|哪能[弄办搞]|从哪(?:里|儿)?(?:开始|下手|入手)"
    r"|有(?:点|些)?(?:啥|什么|哪些)(?:补贴|补助|救助|帮助|帮忙|福利|扶持|政策|待遇|服务|路子|办法|保障|优惠|照顾|关照)|(?:能|可以|好)(?:拿|领|申请|享受)(?:点|些)?(?:啥|什么|哪些)|到底有哪些|帮(?:点|些)?(?:啥|什么)忙"
    # everything at once, where to go, one by one (所有手续, 全套, 要跑几个地方, 一样一样讲, 从何下手, 捋一下),
    # what there is with words between (有啥介绍工作的路子, 有什么担保贷款或者扶持), how to handle it all,
    # and the colloquial 咋 (咋弄, 咋走) for 怎么
    r"|所有(?:的)?(?:手续|事情|事|流程|步骤|要办的)|全套|整套|一条龙|一揽子|清单|攻略|捋一[下捋]|理一[下理]"
    r"|[办弄做准备跑走补](?:哪几|哪些)|哪几(?:样|件|个|步)|跑(?:几|哪些|哪几)(?:个)?(?:地方|部门)|(?:哪些|几个)(?:地方|部门)要跑"
    r"|一起(?:告诉|讲|说|介绍|理|梳理)|一样一样|一[件条步项]一[件条步项]|挨个|逐一|从何(?:下手|入手|开始)|无从下手|咋(?:弄|办|整|搞|走)"
    r"|有(?:点|些)?(?:啥|什么|哪些)[^，。,.？?！!\s]{1,10}?(?:补贴|补助|救助|帮助|帮忙|福利|扶持|政策|待遇|路子|办法|保障|优惠|渠道|照顾|活动)"
    # what to declare or file (每年要申报点啥, 要报哪些税; the papers to hand in stay one service's), what the
    # things to do are (要做的事情有哪些), several things named and then how (婚检登记这些要怎么弄)
    r"|(?:申报|要报|要交)(?:点|些)?(?:啥|什么|哪些)(?!材料|资料|证件|东西)|(?:做|办|弄|跑)的事(?:情|体)?(?:有哪些|有啥|是啥|是什么)"
    r"|这些(?:都)?(?:要|该|得)?(?:怎么|咋|哪能|如何)(?:弄|办|搞)"
    r"|有(?:啥|什么|哪些)(?:可以|能|好)(?:办|申请|领|享受|帮)|有(?:啥|什么|哪些)好?去处|(?:怎么|如何|哪能)(?:处理|安排)"
    # what comes next (接下来干嘛, 后面该干啥), which approvals a venture needs (要哪些审批/许可), whether the
    # city helps at all (政府能帮吗, 有政府支持吗), what is all there to do (都要办啥 is 办啥 above)
    r"|干(?:嘛|啥|什么)|(?:需要|要|得)(?:哪些|什么|啥)(?:审批|许可|证照)|政府(?:能|可以|会|有没有|有)?(?:帮|支持|扶持|补贴|介绍|管)"
    r"|有(?:没有)?政府(?:的)?(?:支持|补贴|扶持|帮助|帮扶)"
)


_GOVT = re.compile(r"\bgov(?:t|'t|’t)\b", re.I)


def situational(text: str) -> bool:
    """Whether a question asks what to do in a situation rather than about one service."""
    text = _GOVT.sub("government", text)
    return bool(_CUE_EN.search(text) or _CUE_ZH.search(text))


# Who a question is asked for, when it is not part of the situation: a neighbour, a resident, a client,
# a colleague, "the old couple downstairs" (kin such as 儿子, 老婆 stay: they often are the situation).
_WHO = re.compile(
    r"楼[上下里]|隔壁|邻居|老两口|居民|家属|客户|朋友|同事|同学|亲戚|[表堂][哥弟姐妹]|阿姨|大爷|大妈|辖区|问我|帮(?:他|她)(?:们)?问"
    r"|\b(?:my|our|a|the) (?:neighbou?r|client|friend|colleague|coworker|co-worker|cousin|resident|tenant|customer)s?(?:'s)?\b",
    re.I,
)


def _situation(text: str) -> str:
    """The question without its cues: what is left says what the situation is.

    How a person asks for a checklist (接下来要办哪点事体, "what does he need to take care of") is
    not part of the situation; counted in the share of words an event covers, the words of a cue
    the event's texts happen not to use pulled a clear situation under the bar.
    """
    return _WHO.sub(" ", _CUE_ZH.sub(" ", _CUE_EN.sub(" ", text)))


@dataclass(frozen=True)
class EventMatch:
    """The event that fits a question best, how well (cosine, share of words), and whether it answers."""

    id: str
    dense: float
    coverage: float
    cue: bool
    answers: bool

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "dense": round(self.dense, 3), "coverage": round(self.coverage, 3), "cue": self.cue}


# Set on the tune split of evaluation/event_queries.yaml (see the module docstring).
CUE_DENSE = 0.45  # with a cue: the event's best cosine at least this ...
CUE_COVERAGE = 0.34  # ... or this share of the question's words in the event's texts
CUE_COVERAGE_ZH = 0.27  # a Chinese question, judged by its words only (set on the tune split and the written dev set)
ALONE_DENSE = 0.62  # without a cue: this cosine ...
ALONE_MARGIN = 0.05  # ... and this much above the best service's
STEPS_VOTE = 0.3  # weight of the share of the best services that are an event's steps (set on the written dev sets w1 and w3)
# Chosen on the catalogue's own phrasings (each event's phrasings held out in turn, 5 folds) with the
# services' phrasings as one-service questions, then checked on the written dev sets (docs/evaluation.md).
BIGRAMS = 0.5  # a Chinese question's share of words: this much of it counted on character bigrams
REACH = 0.5  # with a cue, a Chinese question under the bar answers when its event with its steps covers this share ...
REACH_MARGIN = 0.2  # ... and this much more than the best single service does


class EventMatcher:
    """Matches questions against a catalogue's events (those with a checklist).

    Args:
        catalogue: the events and their checklists.
        embedder: the services' model (its vectors are comparable with the services').
        tokenizer: the services' tokenizer.
        multilingual: the model reads Chinese (else Chinese questions are matched by their words).
        embed: embeds the events' texts in place of ``embedder.embed`` (the build reuses stored vectors).
    """

    def __init__(
        self,
        catalogue: Catalogue,
        embedder: Embedder,
        tokenizer: Tokenizer,
        multilingual: bool = False,
        embed: Callable[[list[str]], np.ndarray] | None = None,
    ) -> None:
        self.multilingual = multilingual
        self.ids = [e.id for e in catalogue.events.values() if catalogue.checklist(e)]
        texts: list[str] = []
        owners: list[int] = []
        lexical: list[str] = []
        for n, eid in enumerate(self.ids):
            event = catalogue.events[eid]
            mine = [event.label.zh, event.label.en]
            if event.summary is not None:
                mine += [event.summary.zh, event.summary.en]
            mine += event.phrasings.zh + event.phrasings.en
            mine = list(dict.fromkeys(t for t in mine if t.strip()))
            texts += mine
            owners += [n] * len(mine)
            lexical.append("\n".join(mine))
        self._steps = [frozenset(step.service for step in catalogue.checklist(catalogue.events[eid])) for eid in self.ids]
        # Which events' own texts have a token (a posting list each), and which have it with their
        # steps' services' texts: an event's reach, the words of everything its checklist is about.
        own = [frozenset(tokenizer.tokenize(text)) for text in lexical]
        postings: dict[str, list[int]] = {}
        for n, mine_tokens in enumerate(own):
            for t in mine_tokens:
                postings.setdefault(t, []).append(n)
        self._postings = {t: np.asarray(docs, dtype=np.int64) for t, docs in postings.items()}
        services = catalogue.services
        self._service_tokens: Callable[[str], frozenset[str]] = functools.lru_cache(maxsize=4096)(
            lambda sid: frozenset(tokenizer.tokenize(lexical_text(services[sid]))) if sid in services else frozenset()
        )
        self._reach = [own[n].union(*(self._service_tokens(sid) for sid in self._steps[n])) for n in range(len(self.ids))]
        self._reach_df: dict[str, int] = {}
        for reach in self._reach:
            for t in reach:
                self._reach_df[t] = self._reach_df.get(t, 0) + 1
        self._owners = np.asarray(owners, dtype=np.int64)
        self.fingerprint = hashlib.sha256("\0".join(texts).encode()).hexdigest()[:16]
        self._vectors = (embed or embedder.embed)(texts) if texts else np.zeros((0, embedder.dim), dtype=np.float32)
        self._lexical = LexicalIndex(lexical or ["∅"], tokenizer=tokenizer)

    def match(
        self,
        text: str,
        vector: np.ndarray,
        best_service_dense: float,
        service_named: bool,
        known: Callable[[str], bool] | None = None,
        ranked: Sequence[tuple[str, float]] = (),
    ) -> EventMatch | None:
        """The best-fitting event for a question (None when the catalogue has no events).

        Args:
            text: the normalised question.
            vector: its vector (from the services' model).
            best_service_dense: the best cosine of any service, for the no-cue rule.
            service_named: a service was clearly found (search's ``best``): without a cue, it wins.
            known: whether the services' texts have a word. Words neither the services nor the
                events have ("阿拉", "侬", "搞勿清爽": chatter and dialect) do not count in the share
                of the question's words an event covers; without them a long, chatty Chinese
                question covered every word the catalogue knows and still fell under the bar.
            ranked: the search's best services with their fused scores. The event whose steps they
                are gets a vote (``STEPS_VOTE`` times the share of their scores among its steps):
                which services a question finds says what it is about when the events' own texts
                are confused ("help for job seekers" read as moving to the city, a puppy as
                foreigners in the city). It picks the event; whether its checklist answers is
                still the cue's and the words' decision (a question about one service finds the
                steps of an event as often as a situational one).
        """
        if not self.ids:
            return None
        sims = self._vectors @ vector.astype(np.float32)
        dense = np.full(len(self.ids), -1.0, dtype=np.float64)
        np.maximum.at(dense, self._owners, sims)
        cue = situational(text)
        tokens = self._lexical.query_tokens(_situation(text) if cue else text)
        words = [t for t in tokens if not t.startswith("§")] or tokens
        if known is not None:
            words = [t for t in words if known(t) or self._lexical.df(t)] or words
        words = [t for t in words if not _ONE_HAN.fullmatch(t)] or words
        coverage = self._coverage(words)
        # Character bigrams count too (IDF-weighted like the words): a paraphrase that shares
        # two-character stems with the event's texts (生娃/生孩子, 辞退/被辞) but not jieba's words.
        grams = [t for t in tokens if t.startswith("§") and (known is None or known(t) or t in self._postings)]
        if grams:
            coverage = (1 - BIGRAMS) * coverage + BIGRAMS * self._coverage(grams)
        # A Chinese question is judged by its words: the packaged English model maps Chinese to
        # near-identical vectors (two unrelated Chinese texts can have a cosine of 1.0).
        chinese = detect_lang(text) == "zh" and not self.multilingual
        vote = np.zeros(len(self.ids))
        mass = sum(fused for _, fused in ranked) or 1.0
        for service, fused in ranked:
            for n, steps in enumerate(self._steps):
                if service in steps:
                    vote[n] += fused / mass
        score = coverage + 0.1 * dense if chinese else dense + 0.5 * coverage
        score += STEPS_VOTE * vote
        best = int(np.argmax(score))
        d, c = float(dense[best]), float(coverage[best])
        if cue:
            answers = c >= CUE_COVERAGE_ZH if chinese else (d >= CUE_DENSE or c >= CUE_COVERAGE)
            if chinese and not answers:
                # Put in words the event's own texts lack, a situation is still told by what its
                # checklist is about: the event with its steps covers the question's words far
                # better than the best single service does (a question about one service does not).
                single = self._service_tokens(ranked[0][0]) if ranked else frozenset()
                reach = self._reach_share(words, grams, self._reach[best])
                answers = reach >= REACH and reach >= self._reach_share(words, grams, single) + REACH_MARGIN
        else:
            answers = not chinese and not service_named and d >= ALONE_DENSE and d >= best_service_dense + ALONE_MARGIN
        return EventMatch(self.ids[best], d, c, cue, answers)

    def _coverage(self, tokens: Sequence[str]) -> np.ndarray:
        """Per event, the IDF-weighted share of ``tokens`` its own texts have."""
        out = np.zeros(len(self.ids))
        total = 0.0
        for t in tokens:
            weight = self._lexical.idf(t)
            total += weight
            docs = self._postings.get(t)
            if docs is not None:
                out[docs] += weight
        return out / total if total else out

    def _reach_share(self, words: Sequence[str], grams: Sequence[str], has: frozenset[str]) -> float:
        """The share of a question's words and of its bigrams (the mean of the two) in a token set,
        each weighted by how few events reach it (a word every checklist touches says little)."""
        shares = []
        for part in (words, grams):
            weights = [(math.log(1 + (len(self.ids) + 1) / (self._reach_df.get(t, 0) + 0.5)), t in has) for t in part]
            total = sum(w for w, _ in weights)
            if total:
                shares.append(sum(w for w, hit in weights if hit) / total)
        return sum(shares) / len(shares) if shares else 0.0
