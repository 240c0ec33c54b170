"""One turn of a conversation about finding a service, decided in one place (pure).

Every channel, the agent console and the bot share this policy (``POST /api/search/turn``): the
caller sends what the person said and what the conversation holds (the list shown, the selected
service, the district so far, the NLU's intent and service mention) and gets a decision it only
has to word. Before, the action server made the decisions itself with up to four catalogue calls
per turn (a pick, a search, a second "narrowed" search, the card); now it makes one.

Two modes:

- ``find`` (a search turn), in this order:

  1. a step of the checklist shown is done ("I already registered the birth", 出生登记已经办好了):
     the step by its title (fuzzy, both languages), else by searching the words → ``steps_done``
     with the steps that come next;
  2. a pick from the list shown ("number 5", "the last one", 第七个, a title; ``search/picks.py``)
     → ``service``, or ``out_of_range`` ("there are only 3");
  3. search; without a clear winner, the district the text names and the audience filter a second
     search, whose answer is taken when it is confident (they break ties, they never select);
  4. no clear winner, a district named and a service selected → ``about_selected`` ("I'm in
     Pudong, where do I go" is about the selected service: a district never switches it);
  5. the question asks what to do in a situation → ``checklist`` (the event's steps in order);
  6. not confident → ``nothing`` (``off_topic`` when the NLU said out of scope or chitchat;
     otherwise ``no_match`` with up to three suggestions);
  7. a clear winner → ``service`` — but only as a list to pick from when a service is selected
     and the words are an answer or say something is done (NLU ``inform``, 租房合同备案过了), or
     do not name the winner (no word of its title or keywords that the selected one lacks:
     "her legs are bad, can her son go for her" finds a care subsidy by its words), with the
     selected service first: these never switch the selected service; else ``list``, trimmed to
     the hits within reach of the best.

- ``about`` ("which service is this about", for follow-ups, the eligibility check and applying):
  a service the NLU saw named and search finds clearly (and not the selected one); a pick from the
  list shown; the selected service (``about_selected``); the words' own clear winner; else the list
  shown (or the words' hits) offered again, or ``nothing``.

The district a text settles on is decided here too: the first district it names that no "not" /
不是 / 不在 rules out ("I meant Pudong, not Minhang" → Pudong); a text that only rules one out
drops it from the conversation; a text naming none keeps the conversation's.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field, replace
from typing import Any, Literal, Protocol

from rapidfuzz import fuzz

from .index import MAX_QUERY, Filters, Hit, SearchIndex, SearchResponse
from .picks import Pick, Shown, resolve_pick

__all__ = [
    "ALREADY",
    "Decision",
    "Finder",
    "IndexFinder",
    "ShownItem",
    "Turn",
    "clear_winner",
    "decide",
    "names",
    "next_steps",
    "prepare",
    "settle_district",
    "trimmed",
]

TurnKind = Literal["service", "list", "checklist", "steps_done", "out_of_range", "nothing", "about_selected"]
Mode = Literal["find", "about"]

# "I already registered the birth", "done the birth certificate", 出生登记已经办好了, 已经上好户口了.
ALREADY = re.compile(
    r"\balready\b|\b(?:i'?ve|we'?ve|i have|we have) (?:done|got|registered|applied|finished)\b|\bdone\b|\bfinished\b|已经|办好|办完|办了|拿到了|弄好|(?:办|做|弄|交|备案|登记|认证|申请|领)过了",
    re.I,
)
OFF_TOPIC = frozenset({"out_of_scope", "chitchat"})  # NLU intents whose words are not a request for a service
NAME_FIELDS = frozenset({"title", "keywords"})  # the fields whose words name a service (search/explain.py)
STATEMENTS = frozenset({"inform"})  # NLU intents of an answer or a statement, not of a request for a service
STEP_TITLE_SCORE = 80  # rapidfuzz partial_ratio a step's title must reach in "I already did <title>"
WINNER_RATIO = 1.5  # a first hit this many times the second's fused score is a clear winner
TRIM_SHARE = 0.4  # hits offered: fused score at least this share of the best's
MAX_OFFERED = 5
# Just before a district it rules that one out: "I meant Pudong, not Minhang", "是浦东不是闵行", "我不在闵行".
NEGATED_BEFORE = re.compile(r"(?:\bnot|\bno|n't|不是|不在|而非|非)\s*(?:in\s+|the\s+)?$", re.I)


@dataclass(frozen=True)
class ShownItem:
    """One item of the list the person was shown: a service, or a step of a checklist (with its order)."""

    id: str
    title: str = ""
    order: int | None = None
    after: tuple[int, ...] = ()
    event: str | None = None
    done: bool = False

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"id": self.id, "title": self.title}
        if self.order is not None:
            out.update(order=self.order, after=list(self.after), event=self.event, done=self.done)
        return out


@dataclass(frozen=True)
class Turn:
    """What the person said and what the conversation holds."""

    text: str
    lang: str
    shown: tuple[ShownItem, ...] = ()
    selected: str | None = None
    district: str | None = None  # the conversation's district so far
    audience: str | None = None
    intent: str | None = None
    mention: str | None = None  # a service the NLU saw named ("how much is the dog licence")
    mode: Mode = "find"


@dataclass(frozen=True)
class Decision:
    """What the turn does; the caller words it (``kind`` says how).

    ``service`` is the id of the service to show or answer about (``selects``: the turn selects it;
    false for ``about_selected``). ``shown`` is the list the conversation shows from now on (None:
    unchanged). ``district`` is the one the conversation settles on.
    """

    kind: TurnKind
    query: str
    lang: str
    district: str | None
    confident: bool = False
    service: str | None = None
    selects: bool = False
    hits: list[Hit] = field(default_factory=list)
    suggestions: list[Hit] = field(default_factory=list)
    event: dict[str, Any] | None = None
    step: ShownItem | None = None
    remaining: list[ShownItem] = field(default_factory=list)
    shown: list[ShownItem] | None = None
    count: int | None = None
    asked: int | None = None
    reason: Literal["off_topic", "no_match"] | None = None

    def to_json(self) -> dict[str, Any]:
        """The response body of ``POST /api/search/turn`` (without the card, which the route adds)."""
        return {
            "kind": self.kind,
            "query": self.query,
            "lang": self.lang,
            "district": self.district,
            "confident": self.confident,
            "selects": self.selects,
            "hits": [_hit_json(h) for h in self.hits],
            "suggestions": [_hit_json(h) for h in self.suggestions],
            "event": self.event,
            "step": self.step.to_json() if self.step else None,
            "remaining": [s.to_json() for s in self.remaining],
            "shown": [s.to_json() for s in self.shown] if self.shown is not None else None,
            "count": self.count,
            "asked": self.asked,
            "reason": self.reason,
        }


class Finder(Protocol):
    """What the policy needs of the catalogue: search, every title of a service, and the districts' names."""

    def search(self, query: str, lang: str, limit: int, filters: Filters | None) -> SearchResponse: ...

    def titles(self, service_id: str) -> tuple[str, ...]: ...

    def districts(self) -> Sequence[tuple[re.Pattern[str], str]]: ...


class IndexFinder:
    """The served index as a ``Finder``."""

    def __init__(self, index: SearchIndex) -> None:
        self.index = index
        self._districts = index.districts()

    def search(self, query: str, lang: str, limit: int, filters: Filters | None) -> SearchResponse:
        return self.index.search(query, lang, limit, filters)

    def titles(self, service_id: str) -> tuple[str, ...]:
        service = self.index.catalogue.services.get(service_id)
        return tuple(t for t in (service.title.zh, service.title.en) if t) if service is not None else ()

    def districts(self) -> Sequence[tuple[re.Pattern[str], str]]:
        return self._districts


def prepare(text: str, index: SearchIndex) -> None:
    """Embed what a search turn on ``text`` would search (``_find``'s text), ahead of the turn itself."""
    index.prepare(text.strip()[:MAX_QUERY])


def _hit_json(hit: Hit) -> dict[str, Any]:
    return asdict(hit)


def clear_winner(result: SearchResponse) -> str | None:
    """The one clearly best hit of a search: search's ``best``, the only hit, or a fused score 1.5 times the runner-up's.

    The last rule matters for short texts (a mention, "失业金"), whose confidence stays below the
    bar for ``best`` even when nothing else comes close. Not confident: no winner.
    """
    hits = result.results if result.confident else []
    if not hits:
        return None
    if result.best == hits[0].id or len(hits) == 1 or hits[0].score >= WINNER_RATIO * hits[1].score:
        return hits[0].id
    return None


def trimmed(hits: Sequence[Hit]) -> list[Hit]:
    """The hits worth offering: at most five, each with a fused score at least 40 % of the best's.

    A list padded with far weaker hits (adoption for a pregnancy, a food licence for a care home)
    costs the citizen's trust more than a shorter list.
    """
    if not hits:
        return []
    top = float(hits[0].score)
    return [h for h in hits[:MAX_OFFERED] if float(h.score) >= TRIM_SHARE * top]


def next_steps(steps: Sequence[ShownItem], done: set[str]) -> list[ShownItem]:
    """The steps that come next: after the last step done, with everything they come after done.

    A step done counts the steps before it in the order as behind the person (whoever registered
    the birth has the birth certificate and is past the pregnancy handbook).
    """
    reached = max((s.order or 0 for s in steps if s.id in done), default=0)
    finished = {s.order for s in steps if (s.order or 0) <= reached or s.id in done}
    return [s for s in steps if s.order not in finished and all(a in finished for a in s.after)]


def settle_district(text: str, districts: Sequence[tuple[re.Pattern[str], str]], previous: str | None) -> tuple[str | None, str | None]:
    """The district the text names (not ruled out), and the one the conversation settles on.

    "I meant Pudong, not Minhang" → Pudong for both; "I'm not in Minhang" → none named, and the
    conversation drops Minhang if it held it; no district named → the conversation's own.
    """
    found: list[tuple[int, str, bool]] = []
    for pattern, district_id in districts:
        for match in pattern.finditer(text):
            before = text[max(0, match.start() - 8) : match.start()]
            if match.group(0)[:1] in "在到去":  # 不在闵行: the pattern took 在 as part of the name's match
                before += match.group(0)[0]
            found.append((match.start(), district_id, bool(NEGATED_BEFORE.search(before))))
    found.sort()
    kept = [d for _, d, negated in found if not negated]
    if kept:
        return kept[0], kept[0]
    ruled_out = {d for _, d, negated in found if negated}
    return None, (None if previous in ruled_out else previous)


def decide(turn: Turn, finder: Finder) -> Decision:
    """What ``turn`` does (see the module docstring for the order of the rules)."""
    named, district = settle_district(turn.text, finder.districts(), turn.district)
    if turn.mode == "about":
        return _about(turn, finder, district)
    return _find(turn, finder, named, district)


def _find(turn: Turn, finder: Finder, named: str | None, district: str | None) -> Decision:
    text = turn.text.strip()[:MAX_QUERY]

    def decision(kind: TurnKind, **fields: Any) -> Decision:
        return Decision(kind, text, turn.lang, district, **fields)

    searched: SearchResponse | None = None
    steps = [s for s in turn.shown if s.order is not None and s.event]
    if steps and ALREADY.search(text):
        step = _step_named(text, steps, finder)
        if step is None:  # the step in other words ("we got the hukou sorted"): search, and take the best hit that is a step
            searched = finder.search(text, turn.lang, MAX_OFFERED, None)
            by_id = {s.id: s for s in steps}
            step = next((by_id[h.id] for h in searched.results if h.id in by_id), None)
        if step is not None:
            done = {s.id for s in steps if s.done} | {step.id}
            updated = [replace(s, done=True) if s.id in done else s for s in steps]
            return decision("steps_done", confident=True, step=step, remaining=next_steps(updated, done), shown=updated)
    pick = _pick(text, turn, finder)
    if pick is not None and pick.kind == "picked":
        return decision("service", confident=True, service=pick.id, selects=True)
    if pick is not None and pick.kind == "out_of_range":
        return decision("out_of_range", count=pick.count, asked=pick.asked)
    result = searched or finder.search(text, turn.lang, MAX_OFFERED, None)
    winner = clear_winner(result)
    if winner is None and (named or turn.audience):
        # A district or "our company" only breaks ties: searched again with them as filters,
        # that answer is taken when it is confident.
        narrowed = finder.search(text, turn.lang, MAX_OFFERED, Filters(audience=turn.audience, district=named))
        if narrowed.confident:
            result, winner = narrowed, clear_winner(narrowed)
    off_topic = turn.intent in OFF_TOPIC
    if winner is None and named and turn.selected and not off_topic:
        # "sorry, I meant Pudong" / "I'm in Pudong, where do I go": a district locates, it never
        # selects; with no other service named, the answer is about the selected one.
        return decision("about_selected", confident=result.confident, service=turn.selected)
    if result.event and not off_topic:
        event = result.event
        steps_shown = [
            ShownItem(str(s["id"]), str(s.get("title") or ""), int(s["order"]), tuple(int(a) for a in s.get("after") or []), str(event["id"]))
            for s in event.get("steps") or []
        ]
        return decision("checklist", confident=True, event=event, shown=steps_shown)
    if not result.confident or not result.results:
        if off_topic:
            return decision("nothing", reason="off_topic")
        suggestions = list(result.suggestions[:3])
        return decision("nothing", reason="no_match", suggestions=suggestions, shown=[ShownItem(h.id, h.title) for h in suggestions] if suggestions else None)
    if winner and turn.selected and winner != turn.selected and (turn.intent in STATEMENTS or ALREADY.search(text)):
        # An answer, or a statement that something is done, while a service is selected
        # ("租房合同备案过了" after the rent subsidy's check) does not name a service as wanted: what
        # it finds is offered to pick from, the selected service stays selected (no silent switch).
        hits = trimmed(result.results)
        return decision("list", confident=True, hits=hits, shown=[ShownItem(h.id, h.title) for h in hits])
    if winner and turn.selected and winner != turn.selected and not names(result, winner, turn.selected):
        # A follow-up describing the situation ("her legs are bad, can her son go for her") names no
        # other service: the selected one comes first in a list to pick from, and stays selected.
        hits = [h for h in trimmed(result.results) if h.id != turn.selected][: MAX_OFFERED - 1]
        mine = next((h for h in result.results if h.id == turn.selected), None)
        hits.insert(0, mine or Hit(turn.selected, next(iter(finder.titles(turn.selected)), turn.selected), 0.0, []))
        return decision("list", confident=True, hits=hits, shown=[ShownItem(h.id, h.title) for h in hits])
    if winner:
        return decision("service", confident=True, service=winner, selects=True)
    hits = trimmed(result.results)
    return decision("list", confident=True, hits=hits, shown=[ShownItem(h.id, h.title) for h in hits])


def names(result: SearchResponse, winner: str, selected: str) -> bool:
    """Whether the words name ``winner`` rather than describe a situation: they share a word with its
    title or keywords that the selected service's title and keywords (as far as this search matched
    them) do not have. Matched by meaning, summary or example phrasings alone is a description."""
    hits = {h.id: h for h in result.results}
    own = _name_terms(hits[winner]) if winner in hits else set()
    return bool(own - (_name_terms(hits[selected]) if selected in hits else set()))


def _name_terms(hit: Hit) -> set[str]:
    return {str(t) for reason in hit.why if reason.get("field") in NAME_FIELDS for t in reason.get("terms") or ()}


def _about(turn: Turn, finder: Finder, district: str | None) -> Decision:
    text = turn.text.strip()[:MAX_QUERY]

    def decision(kind: TurnKind, **fields: Any) -> Decision:
        return Decision(kind, text, turn.lang, district, **fields)

    if turn.mention:
        named = clear_winner(finder.search(turn.mention[:MAX_QUERY], turn.lang, 3, None))
        if named and named != turn.selected:
            return decision("service", confident=True, service=named, selects=True)
    pick = _pick(text, turn, finder)
    if pick is not None and pick.kind == "picked":
        return decision("service", confident=True, service=pick.id, selects=True)
    if pick is not None and pick.kind == "out_of_range":
        return decision("out_of_range", count=pick.count, asked=pick.asked)
    if turn.selected:
        return decision("about_selected", confident=True, service=turn.selected)
    hits: list[Hit] = []
    if text and not text.startswith("/"):
        result = finder.search(text, turn.lang, MAX_OFFERED, None)
        winner = clear_winner(result)
        if winner:
            return decision("service", confident=True, service=winner, selects=True)
        hits = trimmed(result.results) if result.confident else []
    if turn.shown:  # "what documents do I need?" right after a list is about one of those
        hits = [Hit(s.id, s.title or next(iter(finder.titles(s.id)), s.id), 0.0, []) for s in turn.shown]
        return decision("list", hits=hits, shown=list(turn.shown))
    if hits:
        return decision("list", hits=hits, shown=[ShownItem(h.id, h.title) for h in hits])
    return decision("nothing", reason="no_match")


def _pick(text: str, turn: Turn, finder: Finder) -> Pick | None:
    """What the text picks from the list shown (titles as shown and the catalogue's, both languages); None when nothing was shown."""
    if not turn.shown:
        return None
    return resolve_pick(text, [Shown(s.id, tuple(dict.fromkeys(t for t in (s.title, *finder.titles(s.id)) if t))) for s in turn.shown])


def _step_named(text: str, steps: Sequence[ShownItem], finder: Finder) -> ShownItem | None:
    """The step whose title (as shown, or the catalogue's in either language) the text names."""
    said = text.lower()
    best, score = None, 0.0
    for step in steps:
        for title in dict.fromkeys(t for t in (step.title, *finder.titles(step.id)) if t):
            value = fuzz.partial_ratio(title.lower(), said)
            if value > score:
                best, score = step, value
    return best if score >= STEP_TITLE_SCORE else None
