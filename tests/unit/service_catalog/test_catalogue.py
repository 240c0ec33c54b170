"""Tests for service_catalog.catalogue: the demo catalogue, and every kind of broken service file."""

from __future__ import annotations

import csv
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from service_catalog.catalogue import Catalogue, Issue, load_catalogue, read_catalogue, validate_catalogue
from service_catalog.errors import CatalogInvalid
from service_catalog.io.importing import prune_steps

REPO_ROOT = Path(__file__).resolve().parents[3]
SHARED = REPO_ROOT.parent / "shared"
CORE_CSV = SHARED / "catalogue" / "core_services.csv"
BROKEN_SERVICES = REPO_ROOT / "tests" / "fixtures" / "broken_services"
VENV_PYTHON = REPO_ROOT / ".venv" / "bin" / "python"
PYTHON = str(VENV_PYTHON) if VENV_PYTHON.exists() else sys.executable

# One line per broken fixture file: exactly what `str(issue)` must be.
EXPECTED = {
    "invalid YAML, with the line": "services/invalid-yaml.yaml:10: invalid YAML: did not find expected ',' or ']'",
    "missing zh title": "services/missing-zh-title.yaml:6: title.zh: required, but there is no zh text",
    "English-only zh text": "services/english-zh-text.yaml:10: summary.zh: the zh text contains no Chinese characters",
    "unknown event": "services/unknown-event.yaml:15: events[1]: unknown event 'winning-the-lottery' (see events/)",
    "unknown centre": "services/unknown-centre.yaml:41: channels.centres[0]: unknown service centre 'atlantis-citizen-centre' (see districts.yaml)",
    "unknown district": "services/unknown-district.yaml:43: districts[1]: unknown district 'atlantis'",
    "unknown question": "services/unknown-question.yaml:46: eligibility.all.0.q: unknown question 'star_sign' (see questions/)",
    "choice value not an option": (
        "services/choice-not-option.yaml:46: eligibility.all.0.value: 'astronaut' is not an option of employment_status (employed, self_employed, unemployed, student, retired)"
    ),
    "number question given a word": "services/number-wrong-type.yaml:46: eligibility.all.0.value: age is a number question: the value must be a number",
    "duplicate id": "services/duplicate-id.yaml:2: id: duplicate service id 'duplicate-id' (also in services/duplicate-id-copy.yaml)",
    "file name of the duplicate": "services/duplicate-id-copy.yaml:2: id: file name must be duplicate-id.yaml to match the id",
    "file name not matching the id": "services/file-name-mismatch.yaml:2: id: file name must be name-in-the-file.yaml to match the id",
    "online_url without the id": "services/url-without-id.yaml:39: channels: online_url must contain the service id 'url-without-id'",
    "fewer than 3 phrasings": "services/two-phrasings.yaml:22: phrasings: at least 3 example phrasings are needed in en",
    "duplicate YAML key": "services/duplicate-key.yaml:36: processing_days: duplicate key (the later value would silently win)",
    "missing sample-data comment": "services/no-sample-comment.yaml:1: the file must start with a comment '# Sample data ...' marking it as sample data",
}


# -- the demo catalogue -----------------------------------------------------------------------


def test_demo_catalogue_has_no_issues(demo_catalog_path: Path) -> None:
    assert [str(i) for i in validate_catalogue(demo_catalog_path)] == []


def test_demo_catalogue_loads_with_its_vocabularies(catalogue: Catalogue) -> None:
    assert catalogue.services and catalogue.questions and catalogue.events
    assert len(catalogue.districts) == 16
    assert len(catalogue.content_hash) == 64
    assert all(s.sample_data for s in catalogue.services.values())


def test_every_core_service_is_present_with_the_same_meaning(catalogue: Catalogue) -> None:
    if not CORE_CSV.is_file():
        pytest.skip(f"{CORE_CSV} not found: the shared folder lives beside the repository (../shared)")
    with CORE_CSV.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    assert rows
    missing = [r["id"] for r in rows if r["id"] not in catalogue.services]
    assert missing == [], f"core services missing from the demo catalogue: {missing}"
    different = [
        (r["id"], column, r[column], actual)
        for r in rows
        for column, actual in (
            ("audience", catalogue.services[r["id"]].audience),
            ("theme", catalogue.services[r["id"]].theme),
            ("title_en", catalogue.services[r["id"]].title.en),
            ("title_zh", catalogue.services[r["id"]].title.zh),
        )
        if r[column] != actual
    ]
    assert different == []


def test_content_hash_changes_with_any_file(demo_catalog_path: Path, tmp_path: Path, catalogue: Catalogue) -> None:
    copy = tmp_path / "catalogue"
    shutil.copytree(demo_catalog_path, copy)
    assert load_catalogue(copy).content_hash == catalogue.content_hash
    service = copy / "services" / "birth-registration.yaml"
    service.write_text(service.read_text(encoding="utf-8").replace("processing_days: 3", "processing_days: 4"), encoding="utf-8")
    assert load_catalogue(copy).content_hash != catalogue.content_hash


def test_missing_folder_is_one_issue(tmp_path: Path) -> None:
    cat, issues = read_catalogue(tmp_path / "nowhere")
    assert cat is None
    assert [i.message for i in issues] == ["catalogue folder not found"]


# -- broken service files ---------------------------------------------------------------------


@pytest.fixture
def broken_catalog(tmp_path: Path, demo_catalog_path: Path) -> Path:
    """The demo's questions, events and districts plus the hand-written broken services."""
    root = tmp_path / "broken_catalog"
    root.mkdir()
    shutil.copytree(demo_catalog_path / "questions", root / "questions")
    shutil.copytree(demo_catalog_path / "events", root / "events")
    prune_steps(root / "events", set())  # the checklists name demo services this catalogue lacks
    shutil.copy2(demo_catalog_path / "districts.yaml", root / "districts.yaml")
    shutil.copytree(BROKEN_SERVICES, root / "services")
    return root


@pytest.fixture
def broken_issues(broken_catalog: Path) -> list[str]:
    cat, issues = read_catalogue(broken_catalog)
    assert cat is None
    return [str(i) for i in issues]


@pytest.mark.parametrize("expected", EXPECTED.values(), ids=EXPECTED.keys())
def test_broken_file_is_reported_exactly(broken_issues: list[str], expected: str) -> None:
    assert expected in broken_issues


def test_nothing_else_is_reported(broken_issues: list[str]) -> None:
    """The valid fixture file passes, and each broken file reports only its own problem."""
    assert sorted(broken_issues) == sorted(EXPECTED.values())


def test_issues_are_sorted_by_file_and_line(broken_catalog: Path) -> None:
    issues = validate_catalogue(broken_catalog)
    assert issues == sorted(issues, key=lambda i: (i.file, i.line or 0, i.field))


def test_load_refuses_a_broken_catalogue_with_every_issue(broken_catalog: Path) -> None:
    with pytest.raises(CatalogInvalid, match=r"has 16 problem\(s\)") as caught:
        load_catalogue(broken_catalog)
    details = caught.value.details
    assert len(details) == len(EXPECTED)
    assert {"file": "services/unknown-district.yaml", "line": 43, "field": "districts[1]", "message": "unknown district 'atlantis'"} in details


def test_issue_without_line_or_field_prints_compactly() -> None:
    assert str(Issue("districts.yaml", None, "", "missing")) == "districts.yaml: missing"
    assert str(Issue("services/a.yaml", 3, "id", "bad")) == "services/a.yaml:3: id: bad"


def test_cli_validate_exits_1_and_prints_every_issue(broken_catalog: Path) -> None:
    result = subprocess.run(
        [PYTHON, "-m", "service_catalog", "catalog", "validate", str(broken_catalog)],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 1, result.stderr
    printed = result.stdout.splitlines()
    for line in EXPECTED.values():
        assert line in printed
    assert f"{len(EXPECTED)} problem(s) in {broken_catalog}" in result.stderr


def test_cli_validate_accepts_the_demo(demo_catalog_path: Path) -> None:
    result = subprocess.run(
        [PYTHON, "-m", "service_catalog", "catalog", "validate", str(demo_catalog_path)],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.startswith("ok: ")
