"""The turn policy (search/turn.py), pure: which decision a turn gets, over a fake finder whose searches
are scripted, with the demo catalogue's titles and districts."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

import pytest

from service_catalog.catalogue import Catalogue
from service_catalog.search.index import Filters, Hit, SearchResponse, district_names
from service_catalog.search.turn import ShownItem, Turn, clear_winner, decide, next_steps, settle_district, trimmed

BABY: dict[str, Any] = {
    "id": "having-a-baby",
    "kind": "life",
    "label": "Having a baby",
    "summary": None,
    "steps": [
        {"order": 1, "id": "maternal-child-health-handbook", "title": "Maternal and child health handbook", "after": [], "optional": False, "note": None},
        {"order": 2, "id": "birth-medical-certificate", "title": "Birth medical certificate", "after": [], "optional": False, "note": None},
        {"order": 3, "id": "birth-registration", "title": "Register a newborn's birth", "after": [2], "optional": False, "note": None},
        {"order": 4, "id": "resident-medical-insurance-enrolment", "title": "Resident medical insurance", "after": [3], "optional": False, "note": None},
        {"order": 5, "id": "childcare-subsidy", "title": "Childcare subsidy", "after": [3], "optional": True, "note": None},
    ],
}
STEPS = tuple(ShownItem(s["id"], s["title"], s["order"], tuple(s["after"]), "having-a-baby") for s in BABY["steps"])
LISTED = (ShownItem("passport-application", "Passport"), ShownItem("birth-registration", "Birth registration"), ShownItem("dog-registration", "Dog"))


def found(query: str, *hits: tuple[str, float], confident: bool = True, best: str | None = None, event: dict[str, Any] | None = None) -> SearchResponse:
    results = [Hit(sid, sid, score, []) for sid, score in hits]
    return SearchResponse(query, "en", confident, 0.9 if confident else 0.2, results, [] if confident else results[:3], best, {}, None, event, None)


class FakeFinder:
    """Scripted searches keyed by (query, district filter, audience filter); anything else finds nothing."""

    def __init__(self, catalogue: Catalogue, *responses: tuple[str, str | None, str | None, SearchResponse]) -> None:
        self.catalogue = catalogue
        self.responses = {(q, d, a): r for q, d, a, r in responses}
        self.calls: list[tuple[str, Filters | None]] = []
        self._districts = district_names(catalogue)

    def search(self, query: str, lang: str, limit: int, filters: Filters | None) -> SearchResponse:
        self.calls.append((query, filters))
        key = (query, filters.district if filters else None, filters.audience if filters else None)
        return self.responses.get(key, found(query, confident=False))

    def titles(self, service_id: str) -> tuple[str, ...]:
        service = self.catalogue.services.get(service_id)
        return (service.title.zh, service.title.en) if service else ()

    def districts(self) -> Sequence[tuple[re.Pattern[str], str]]:
        return self._districts


# -- the pieces ----------------------------------------------------------------------------------


def test_a_clear_winner_is_searchs_best_the_only_hit_or_far_ahead() -> None:
    assert clear_winner(found("q", ("a", 1.0), ("b", 0.9), best="a")) == "a"
    assert clear_winner(found("q", ("a", 1.0))) == "a"
    assert clear_winner(found("q", ("a", 1.0), ("b", 0.6))) == "a"
    assert clear_winner(found("q", ("a", 1.0), ("b", 0.7))) is None
    assert clear_winner(found("q", ("a", 1.0), confident=False)) is None


def test_trimmed_drops_far_weaker_hits_and_keeps_at_most_five() -> None:
    hits = found("q", ("a", 1.0), ("b", 0.5), ("c", 0.39), ("d", 0.45)).results
    assert [h.id for h in trimmed(hits)] == ["a", "b", "d"]
    assert len(trimmed(found("q", *[(f"s{i}", 1.0) for i in range(8)]).results)) == 5


def test_after_a_step_the_next_steps_are_those_it_unlocks() -> None:
    assert [s.id for s in next_steps(STEPS, {"birth-registration"})] == ["resident-medical-insurance-enrolment", "childcare-subsidy"]
    assert [s.id for s in next_steps(STEPS, set())] == ["maternal-child-health-handbook", "birth-medical-certificate"]


@pytest.mark.parametrize(
    ("text", "previous", "named", "settled"),
    [
        ("sorry I meant Pudong, not Minhang", "minhang", "pudong", "pudong"),
        ("not Minhang but Pudong", None, "pudong", "pudong"),
        ("not Minhang, Pudong", None, "pudong", "pudong"),
        ("我住闵行，不是浦东", "pudong", "minhang", "minhang"),
        ("是浦东不是闵行", "minhang", "pudong", "pudong"),
        ("我不在闵行，在浦东", None, "pudong", "pudong"),
        ("I'm not in Minhang", "minhang", None, None),  # only ruled out: the conversation drops it
        ("I'm not in Minhang", "xuhui", None, "xuhui"),
        ("where do I go in Minhang", "pudong", "minhang", "minhang"),
        ("想在徐汇开个面馆", None, "xuhui", "xuhui"),
        ("what do I need to bring", "jingan", None, "jingan"),
    ],
)
def test_the_district_settled_on_is_the_first_not_ruled_out(
    catalogue: Catalogue, text: str, previous: str | None, named: str | None, settled: str | None
) -> None:
    assert settle_district(text, district_names(catalogue), previous) == (named, settled)


# -- a search turn -------------------------------------------------------------------------------


def find(finder: FakeFinder, text: str, **state: Any) -> Any:
    return decide(Turn(text=text, lang="en", **state), finder)


def test_a_situation_gets_its_checklist_and_the_steps_become_the_list_shown(catalogue: Catalogue) -> None:
    text = "I just had a baby, what do I need to do?"
    decision = find(FakeFinder(catalogue, (text, None, None, found(text, ("birth-registration", 1.0), event=BABY))), text)
    assert decision.kind == "checklist" and decision.event == BABY
    assert decision.shown == list(STEPS)


def test_a_step_done_named_by_its_title_gives_the_next_steps_without_a_search(catalogue: Catalogue) -> None:
    finder = FakeFinder(catalogue)
    decision = find(finder, "I already registered the newborn's birth", shown=STEPS)
    assert decision.kind == "steps_done" and decision.step.id == "birth-registration"
    assert [s.id for s in decision.remaining] == ["resident-medical-insurance-enrolment", "childcare-subsidy"]
    assert [s.id for s in decision.shown if s.done] == ["birth-registration"]
    assert finder.calls == []


def test_a_step_done_in_other_words_is_found_by_search_among_the_steps(catalogue: Catalogue) -> None:
    text = "we already sorted out the hukou for the little one"
    finder = FakeFinder(catalogue, (text, None, None, found(text, ("passport-application", 1.0), ("birth-registration", 0.8))))
    decision = find(finder, text, shown=STEPS)
    assert decision.kind == "steps_done" and decision.step.id == "birth-registration"
    assert len(finder.calls) == 1


def test_a_step_done_twice_keeps_both_done(catalogue: Catalogue) -> None:
    shown = tuple(s if s.id != "birth-medical-certificate" else ShownItem(s.id, s.title, s.order, s.after, s.event, True) for s in STEPS)
    decision = find(FakeFinder(catalogue), "done the maternal and child health handbook", shown=shown)
    assert {s.id for s in decision.shown if s.done} == {"birth-medical-certificate", "maternal-child-health-handbook"}
    assert [s.id for s in decision.remaining] == ["birth-registration"]


@pytest.mark.parametrize(("text", "picked"), [("number 2", "birth-registration"), ("the last one", "dog-registration"), ("第一个", "passport-application")])
def test_a_pick_from_the_list_shown_selects_that_service_without_a_search(catalogue: Catalogue, text: str, picked: str) -> None:
    finder = FakeFinder(catalogue)
    decision = find(finder, text, shown=LISTED)
    assert (decision.kind, decision.service, decision.selects) == ("service", picked, True)
    assert finder.calls == []


def test_a_place_beyond_the_list_is_out_of_range(catalogue: Catalogue) -> None:
    decision = find(FakeFinder(catalogue), "number 7", shown=LISTED)
    assert (decision.kind, decision.count, decision.asked, decision.service) == ("out_of_range", 3, 7, None)


def test_a_clear_winner_is_shown_and_close_hits_are_offered_trimmed(catalogue: Catalogue) -> None:
    finder = FakeFinder(
        catalogue,
        ("renew my passport", None, None, found("renew my passport", ("passport-application", 1.0), ("birth-registration", 0.3), best="passport-application")),
        ("register", None, None, found("register", ("birth-registration", 1.0), ("business-registration", 0.9), ("dog-registration", 0.2))),
    )
    shown = find(finder, "renew my passport")
    assert (shown.kind, shown.service, shown.selects) == ("service", "passport-application", True)
    offered = find(finder, "register")
    assert offered.kind == "list" and [h.id for h in offered.hits] == ["birth-registration", "business-registration"]
    assert [s.id for s in offered.shown] == ["birth-registration", "business-registration"]


def test_nothing_confident_offers_suggestions_unless_the_nlu_said_off_topic(catalogue: Catalogue) -> None:
    text = "the dragon festival boat race"
    finder = FakeFinder(catalogue, (text, None, None, found(text, ("dog-registration", 0.2), ("pension-claim", 0.1), confident=False)))
    unsure = find(finder, text)
    assert (unsure.kind, unsure.reason) == ("nothing", "no_match")
    assert [h.id for h in unsure.suggestions] == ["dog-registration", "pension-claim"] and [s.id for s in unsure.shown] == ["dog-registration", "pension-claim"]
    off = find(finder, text, intent="out_of_scope")
    assert (off.kind, off.reason, off.suggestions, off.shown) == ("nothing", "off_topic", [], None)


def test_an_off_topic_intent_never_gets_a_checklist(catalogue: Catalogue) -> None:
    text = "babies are cute, what do I do"
    finder = FakeFinder(catalogue, (text, None, None, found(text, ("birth-registration", 0.3), confident=False, event=BABY)))
    assert find(finder, text, intent="chitchat").kind == "nothing"


def test_a_district_with_a_service_selected_answers_about_that_service(catalogue: Catalogue) -> None:
    text = "I'm in Pudong, where do I go"
    close = found(text, ("pudong-listing-support", 1.0), ("business-registration", 0.9))
    finder = FakeFinder(catalogue, (text, None, None, close))
    decision = find(finder, text, selected="passport-application", district="minhang")
    assert (decision.kind, decision.service, decision.selects, decision.district) == ("about_selected", "passport-application", False, "pudong")
    assert finder.calls[1] == (text, Filters(district="pudong")), "the district filtered a second search"


def test_a_statement_with_a_service_selected_offers_what_it_finds_without_switching(catalogue: Catalogue) -> None:
    text = "租房合同备案过了"  # said about the selected rent subsidy, not a request for the filing service
    finder = FakeFinder(catalogue, (text, None, None, found(text, ("rental-contract-registration", 1.0), best="rental-contract-registration")))
    decision = find(finder, text, selected="talent-rental-subsidy", intent="inform")
    assert (decision.kind, decision.selects, [h.id for h in decision.hits]) == ("list", False, ["rental-contract-registration"])
    done = find(finder, text, selected="talent-rental-subsidy", intent="find_service")  # "it is done", whatever the NLU calls it
    assert (done.kind, done.selects) == ("list", False)
    wanted = "how do I register my tenancy"
    named = named_hits(found(wanted, ("rental-contract-registration", 1.0), best="rental-contract-registration"), {"rental-contract-registration": ["tenancy"]})
    asked = find(FakeFinder(catalogue, (wanted, None, None, named)), wanted, selected="talent-rental-subsidy", intent="find_service")
    assert (asked.kind, asked.service, asked.selects) == ("service", "rental-contract-registration", True)


def named_hits(response: SearchResponse, terms: dict[str, list[str]]) -> SearchResponse:
    """``response`` with hits that matched ``terms`` in their title (the words name the service)."""
    results = [replace(h, why=[{"field": "title", "terms": terms[h.id]}]) if h.id in terms else h for h in response.results]
    return replace(response, results=results)


def test_a_described_situation_with_a_service_selected_keeps_it_first_in_a_list(catalogue: Catalogue) -> None:
    text = "her legs are bad, can her son go for her, what to bring"  # about the senior card's applicant, not a request for care
    described = found(text, ("elderly-care-subsidy", 1.0), ("long-term-care-insurance", 0.5), best="elderly-care-subsidy")
    described = replace(described, results=[replace(h, why=[{"field": "phrasings", "terms": ["legs"]}]) for h in described.results])
    decision = find(FakeFinder(catalogue, (text, None, None, described)), text, selected="senior-citizen-card", intent="find_service")
    assert (decision.kind, decision.selects) == ("list", False)
    assert [h.id for h in decision.hits] == ["senior-citizen-card", "elderly-care-subsidy", "long-term-care-insurance"]
    assert decision.shown[0].id == "senior-citizen-card" and decision.shown[0].title


def test_a_word_both_services_have_in_their_titles_does_not_name_the_other(catalogue: Catalogue) -> None:
    text = "can my grandson go to the school near us"
    hits = named_hits(
        found(text, ("junior-high-school-enrolment", 1.0), ("primary-school-enrolment", 0.6), best="junior-high-school-enrolment"),
        {"junior-high-school-enrolment": ["school"], "primary-school-enrolment": ["school"]},
    )
    decision = find(FakeFinder(catalogue, (text, None, None, hits)), text, selected="primary-school-enrolment", intent="find_service")
    assert (decision.kind, decision.selects, decision.hits[0].id) == ("list", False, "primary-school-enrolment")
    other = "how do I get my passport"
    passport = named_hits(found(other, ("passport-application", 1.0), best="passport-application"), {"passport-application": ["passport"]})
    switched = find(FakeFinder(catalogue, (other, None, None, passport)), other, selected="primary-school-enrolment", intent="find_service")
    assert (switched.kind, switched.service, switched.selects) == ("service", "passport-application", True)


def test_a_confident_filtered_search_breaks_the_tie(catalogue: Catalogue) -> None:
    text = "register a company in Pudong"
    finder = FakeFinder(
        catalogue,
        (text, None, None, found(text, ("business-registration", 1.0), ("individual-business-registration", 0.9))),
        (text, "pudong", "enterprise", found(text, ("business-registration", 1.0), best="business-registration")),
    )
    decision = find(finder, text, audience="enterprise")
    assert (decision.kind, decision.service, decision.district) == ("service", "business-registration", "pudong")


def test_an_unsure_filtered_search_is_not_taken(catalogue: Catalogue) -> None:
    text = "our company needs a permit"
    finder = FakeFinder(
        catalogue,
        (text, None, None, found(text, ("business-registration", 1.0), ("dog-registration", 0.9))),
        (text, None, "enterprise", found(text, ("pudong-listing-support", 1.0), confident=False)),
    )
    decision = find(finder, text, audience="enterprise")
    assert decision.kind == "list" and [h.id for h in decision.hits] == ["business-registration", "dog-registration"]


# -- which service a follow-up is about -----------------------------------------------------------


def about(finder: FakeFinder, text: str, **state: Any) -> Any:
    return decide(Turn(text=text, lang="en", mode="about", **state), finder)


def test_a_service_named_replaces_the_selected_one_only_when_search_finds_it_clearly(catalogue: Catalogue) -> None:
    finder = FakeFinder(
        catalogue,
        ("dog licence", None, None, found("dog licence", ("dog-registration", 1.0))),
        ("licence", None, None, found("licence", ("dog-registration", 1.0), ("business-registration", 0.9))),
    )
    named = about(finder, "how much is the dog licence", mention="dog licence", selected="birth-registration")
    assert (named.kind, named.service, named.selects) == ("service", "dog-registration", True)
    unclear = about(finder, "how much is the licence", mention="licence", selected="birth-registration")
    assert (unclear.kind, unclear.service, unclear.selects) == ("about_selected", "birth-registration", False)


def test_a_pick_comes_before_the_selected_service(catalogue: Catalogue) -> None:
    decision = about(FakeFinder(catalogue), "what does the second one cost", shown=LISTED, selected="pension-claim")
    assert (decision.kind, decision.service) == ("service", "birth-registration")
    beyond = about(FakeFinder(catalogue), "number 5", shown=LISTED, selected="pension-claim")
    assert (beyond.kind, beyond.count) == ("out_of_range", 3)


def test_without_a_selected_service_the_words_clear_winner_else_the_list_shown_again(catalogue: Catalogue) -> None:
    finder = FakeFinder(catalogue, ("can I get a pension", None, None, found("can I get a pension", ("pension-claim", 1.0))))
    assert about(finder, "can I get a pension").service == "pension-claim"
    again = about(finder, "what documents do I need?", shown=LISTED)
    assert again.kind == "list" and [h.id for h in again.hits] == [s.id for s in LISTED]
    assert about(finder, "what documents do I need?").kind == "nothing"
