"""Life and business events as checklists (一件事), and catalogues in one language (issue 14)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from service_catalog.catalogue import Catalogue, load_catalogue, read_catalogue
from service_catalog.model import Step

SAMPLE = "# Sample data for a test; not an official record.\n"
CORE_EVENTS = (
    "having-a-baby",
    "death-of-a-loved-one",
    "moving-to-the-city",
    "starting-a-company",
    "closing-a-company",
    "losing-a-job",
    "getting-married",
    "retiring",
    "buying-a-home",
)


def position(cat: Catalogue, event: str, service: str) -> int:
    return [s.service for s in cat.checklist(cat.events[event])].index(service)


# -- the demo catalogue's checklists ----------------------------------------------------------


@pytest.mark.parametrize("event", CORE_EVENTS)
def test_core_events_carry_an_ordered_checklist_of_known_services(catalogue: Catalogue, event: str) -> None:
    steps = catalogue.checklist(catalogue.events[event])
    assert len(steps) >= 3
    assert [s.order for s in steps] == sorted(s.order for s in steps)
    assert all(s.service in catalogue.services for s in steps)
    assert any(not s.optional for s in steps), "a checklist of optional steps only says nothing"


@pytest.mark.parametrize(
    ("event", "first", "then"),
    [
        ("having-a-baby", "birth-medical-certificate", "birth-registration"),  # the certificate is needed to register
        ("having-a-baby", "birth-registration", "resident-medical-insurance-enrolment"),  # the baby's hukou first
        ("starting-a-company", "company-name-reservation", "business-registration"),
        ("starting-a-company", "business-registration", "invoice-application"),
        ("closing-a-company", "liquidation-group-filing", "tax-clearance-certificate"),
        ("closing-a-company", "tax-clearance-certificate", "business-deregistration"),
        ("losing-a-job", "employment-registration", "unemployment-insurance-benefit"),
        ("moving-to-the-city", "residence-registration", "residence-permit-application"),
        ("death-of-a-loved-one", "funeral-subsidy", "property-registration"),
    ],
)
def test_what_must_come_first_comes_first(catalogue: Catalogue, event: str, first: str, then: str) -> None:
    assert position(catalogue, event, first) < position(catalogue, event, then)
    steps = {s.service: s for s in catalogue.checklist(catalogue.events[event])}
    assert steps[first].order in _prerequisites(steps, steps[then].order)


def _prerequisites(steps: dict[str, Step], order: int) -> set[int]:
    """Every step that must come before ``order``, directly or through another step."""
    by_order = {s.order: s for s in steps.values()}
    seen: set[int] = set()
    todo = list(by_order[order].after)
    while todo:
        n = todo.pop()
        if n not in seen:
            seen.add(n)
            todo += by_order[n].after
    return seen


def test_an_event_without_steps_lists_the_services_tagged_with_it(catalogue: Catalogue) -> None:
    event = catalogue.events["keeping-pets"]
    assert not event.steps
    assert [s.service for s in catalogue.checklist(event)] == ["dog-registration"]


def test_every_event_reaches_at_least_one_service(catalogue: Catalogue) -> None:
    assert len(catalogue.events) == 37
    assert [e for e in catalogue.events.values() if not catalogue.checklist(e)] == []


# -- validation of steps ----------------------------------------------------------------------

BROKEN_EVENTS = """\
- id: having-a-baby
  kind: life
  label: {zh: 生育, en: Having a baby}
  steps:
    - {order: 1, service: birth-medical-certificate}
    - {order: 2, service: birth-registration, after: [1]}
    - {order: 2, service: childcare-subsidy}
    - {order: 3, service: winning-the-lottery}
    - {order: 4, service: vaccination-record, after: [5]}
    - {order: 5, service: birth-registration, after: [4]}
"""


@pytest.fixture
def copy_of_demo(tmp_path: Path, demo_catalog_path: Path) -> Path:
    root = tmp_path / "catalogue"
    shutil.copytree(demo_catalog_path, root)
    return root


def test_broken_steps_are_reported_with_file_line_and_field(copy_of_demo: Path) -> None:
    events = copy_of_demo / "events" / "core.yaml"
    text = events.read_text(encoding="utf-8")
    start = text.index("- id: having-a-baby")
    end = text.index("- id: getting-married")
    events.write_text(text[:start] + BROKEN_EVENTS.replace("- id: having-a-baby", "- id: having-a-baby", 1) + text[end:], encoding="utf-8")
    line0 = text[:start].count("\n") + 1  # the line of "- id: having-a-baby"
    cat, issues = read_catalogue(copy_of_demo)
    assert cat is None
    shown = [str(i) for i in issues]
    assert f"events/core.yaml:{line0 + 6}: [1].steps[2].order: duplicate order 2 (also steps[1])" in shown
    assert f"events/core.yaml:{line0 + 7}: [1].steps[3].service: unknown service 'winning-the-lottery' (see services/)" in shown
    assert f"events/core.yaml:{line0 + 8}: [1].steps[4].after[0]: step 5 cannot come first: it is not before step 4" in shown
    assert f"events/core.yaml:{line0 + 9}: [1].steps[5].service: 'birth-registration' is already steps[1]" in shown
    assert len(shown) == 4, shown


# -- one-language catalogues ------------------------------------------------------------------


def write_english_catalogue(root: Path) -> None:
    (root / "services").mkdir(parents=True)
    (root / "services" / "snap.yaml").write_text(
        SAMPLE + "id: snap\ntitle: {en: Food assistance (SNAP)}\nsummary: {en: Money each month to buy groceries for low-income households.}\n",
        encoding="utf-8",
    )
    (root / "services" / "burial.yaml").write_text(
        SAMPLE + "id: burial\ntitle:\n  en: Burial allowance\nsummary:\n  en: Help paying for a veteran's burial and funeral.\n", encoding="utf-8"
    )


def test_an_english_only_catalogue_needs_only_id_title_and_summary(tmp_path: Path) -> None:
    write_english_catalogue(tmp_path)
    cat = load_catalogue(tmp_path)  # no districts.yaml, no events, no questions, no cost, no processing days
    assert cat.langs == ("en",)
    snap = cat.services["snap"]
    assert snap.title.get("zh") == "Food assistance (SNAP)"  # asked in Chinese, it answers in the language it has
    assert snap.description.en == snap.summary.en
    assert snap.cost is None and snap.processing_days is None and snap.districts == "all" and snap.events == []
    assert cat.service_centres(snap) == []


def test_a_bilingual_catalogue_still_needs_both_languages(tmp_path: Path, copy_of_demo: Path) -> None:
    (copy_of_demo / "services" / "snap.yaml").write_text(
        SAMPLE + "id: snap\ntitle: {en: Food assistance}\nsummary: {en: Money for groceries.}\n", encoding="utf-8"
    )
    cat, issues = read_catalogue(copy_of_demo)
    assert cat is None
    assert "services/snap.yaml:3: title.zh: required, but there is no zh text" in [str(i) for i in issues]


def test_a_chinese_only_catalogue_loads(tmp_path: Path) -> None:
    (tmp_path / "services").mkdir()
    (tmp_path / "services" / "hukou.yaml").write_text(SAMPLE + "id: hukou\ntitle: {zh: 户口迁入}\nsummary: {zh: 把户口迁入本市。}\n", encoding="utf-8")
    cat = load_catalogue(tmp_path)
    assert cat.langs == ("zh",)
    assert cat.services["hukou"].title.get("en") == "户口迁入"
