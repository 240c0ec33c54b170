"""The demo catalogue has no near-duplicate entries; the check does catch a reworded copy."""

from __future__ import annotations

from pathlib import Path

from service_catalog.catalogue import Catalogue, load_catalogue
from service_catalog.tooling.quality import near_duplicates

DEMO = Path(__file__).resolve().parents[3] / "service_catalog" / "data"


def test_demo_catalogue_has_no_near_duplicates() -> None:
    assert near_duplicates(load_catalogue(DEMO)) == []


def test_a_copy_with_a_few_words_swapped_is_caught() -> None:
    cat = load_catalogue(DEMO)
    original = cat.services["senior-citizen-card"]
    copy = original.model_copy(update={"id": "senior-citizen-card-copy", "title": original.title.model_copy(update={"en": "Senior resident card"})})
    cat2 = Catalogue({**cat.services, copy.id: copy}, cat.questions, cat.events, cat.districts, "x")
    pairs = near_duplicates(cat2)
    assert [(a, b) for a, b, _ in pairs] == [("senior-citizen-card", "senior-citizen-card-copy")]


def test_demo_catalogue_size_and_core_services() -> None:
    cat = load_catalogue(DEMO)
    assert len(cat.services) >= 205
    with_criteria = [s for s in cat.services.values() if s.eligibility is not None]
    assert len(with_criteria) >= 150
