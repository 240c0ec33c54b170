"""A question that is little more than a service's name ("敬老卡怎么办", "我要办居住证", "how do I get a
senior citizen card") is answered with that service: first, taken as found, and not with the checklist
of a life event it belongs to; a situation told in more words keeps its checklist (real packaged model,
slow). Written from the shape of the question (a title or keyword plus a few words), not from any set."""

from __future__ import annotations

import pytest

from service_catalog.catalogue import load_catalogue
from service_catalog.search import SearchIndex, build_index
from service_catalog.search.embedder import make_embedder
from service_catalog.search.turn import IndexFinder, Turn, decide
from service_catalog.settings import load_settings

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> SearchIndex:
    settings = load_settings(data_dir=tmp_path_factory.mktemp("named"))
    return build_index(settings, load_catalogue(settings.catalog_path), make_embedder(settings.model))


@pytest.mark.parametrize(
    ("text", "lang", "service"),
    [
        ("敬老卡怎么办", "zh", "senior-citizen-card"),
        ("護照怎麼辦", "zh", "passport-application"),  # traditional characters, normalised first
        ("我要办居住证", "zh", "residence-permit-application"),
        ("how do I get a senior citizen card", "en", "senior-citizen-card"),
        ("dog licence please", "en", "dog-registration"),
    ],
)
def test_a_service_named_with_a_few_words_is_the_answer(index: SearchIndex, text: str, lang: str, service: str) -> None:
    found = index.search(text, lang, 5)
    assert found.results[0].id == service and found.confident and found.best == service
    assert found.event is None, "a named service is not answered with a checklist"
    decision = decide(Turn(text=text, lang=lang), IndexFinder(index))
    assert (decision.kind, decision.service) == ("service", service)


@pytest.mark.parametrize(
    ("text", "lang", "event"),
    [
        ("孩子出生了怎么办", "zh", "having-a-baby"),
        ("I lost my job, what should I do", "en", "losing-a-job"),  # a keyword in the first person tells a situation
        ("my dad passed away last week, what do we need to sort out", "en", "death-of-a-loved-one"),
    ],
)
def test_a_situation_that_mentions_a_service_word_keeps_its_checklist(index: SearchIndex, text: str, lang: str, event: str) -> None:
    found = index.search(text, lang, 5)
    assert found.event is not None and found.event["id"] == event


def test_a_name_two_services_share_changes_nothing(index: SearchIndex) -> None:
    shared = {}
    for sid, service in sorted(index.catalogue.services.items()):
        for keyword in service.keywords.zh:
            shared.setdefault(keyword, []).append(sid)
    text = next(k for k, holders in sorted(shared.items()) if len(holders) >= 2 and len(k) >= 2)
    plain = index.decide(index.retrieve(text), "zh")
    assert index.named(text, plain) is None
    assert index.named_first(plain, index.named(text, plain)) is plain


def test_the_disability_certificate_named_is_answered_with_it(index: SearchIndex) -> None:
    found = index.search("残疾人证怎么办", "zh", 5)
    assert found.results[0].id == "disability-certificate" and found.event is None
