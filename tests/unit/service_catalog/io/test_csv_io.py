"""Tests for service_catalog.io.csv_io, and through it the import pipeline (service_catalog.io.importing) and the registry."""

from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path

import pytest
import yaml

from service_catalog.__main__ import main
from service_catalog.catalogue import Catalogue, load_catalogue, validate_catalogue
from service_catalog.io import EXPORTERS, IMPORTERS, export_catalogue, get_exporter, get_importer, import_file
from service_catalog.io.csv_io import COLUMNS, CORE, service_row
from service_catalog.io.importing import prune_steps
from service_catalog.io.yaml_writer import SAMPLE_HEADER

REPO_ROOT = Path(__file__).resolve().parents[4]
CORE_CSV = REPO_ROOT.parent / "shared" / "catalogue" / "core_services.csv"
CORE_COLUMNS = ["id", "audience", "theme", "title_en", "title_zh", "summary_en"]

# A complete new service in the core columns plus extra ones (and one column we do not know).
NEW_ROW = {
    "id": "pet-cat-registration",
    "audience": "individual",
    "theme": "daily-life",
    "title_en": "Register a pet cat",
    "title_zh": "宠物猫登记",
    "summary_en": "Cat owners register their cat with the neighbourhood.",
    "notes": "an internal remark that is not one of our fields",
    "summary_zh": "养猫人向居委会登记宠物猫。",
    "description_en": "Cat owners register their cat and its vaccinations.\nThe neighbourhood keeps the record.",
    "description_zh": "养猫人为猫办理登记并记录疫苗接种情况。\n居委会保存登记记录。",
    "authority_en": "Neighbourhood committee",
    "authority_zh": "居民委员会",
    "legal_basis_en": "Sample regulations on pets",
    "legal_basis_zh": "《宠物管理示例规定》",
    "keywords_en": "cat|pet cat|cat registration",
    "keywords_zh": "猫|宠物猫|养猫登记",
    "phrasings_en": "how do I register my cat|do cats need a licence|I just adopted a kitten",
    "phrasings_zh": "养猫要登记吗|小猫怎么登记|刚领养了一只猫",
    "documents_en": "Owner's ID card|Vaccination record",
    "documents_zh": "养猫人身份证|疫苗接种记录",
    "cost_cny": "20",
    "cost_note_en": "Waived for dibao households",
    "cost_note_zh": "低保家庭免收",
    "processing_days": "2",
    "events": "keeping-pets",
    "districts": "huangpu|pudong",
    "online_url": "https://portal.example.gov.cn/apply/pet-cat-registration",
    "centres": "huangpu-citizen-centre",
    "hotline": "",
    "last_reviewed": "2026-05-01",
    "eligibility": '{"q": "age", "op": "ge", "value": 18}',
}


def write_csv(path: Path, rows: list[dict[str, str]], columns: list[str] | None = None) -> Path:
    columns = columns or list(rows[0])
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=columns)
        writer.writeheader()
        for row in rows:
            writer.writerow({c: row.get(c, "") for c in columns})
    return path


def files_under(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()} if folder.exists() else {}


# -- registry ---------------------------------------------------------------------------------


def test_builtin_formats_are_registered() -> None:
    assert get_importer("csv") is IMPORTERS["csv"]
    assert get_exporter("csv") is EXPORTERS["csv"]
    assert {"csv", "jsonld"} <= IMPORTERS.keys() and {"csv", "jsonld"} <= EXPORTERS.keys()


def test_unknown_format_lists_the_valid_ones(tmp_path: Path, catalogue: Catalogue) -> None:
    with pytest.raises(ValueError, match=r"unknown import format 'xlsx'; valid: csv, jsonld"):
        import_file("xlsx", tmp_path / "a.xlsx", tmp_path / "out", tmp_path)
    with pytest.raises(ValueError, match=r"unknown export format 'xml'; valid: csv, jsonld"):
        export_catalogue("xml", catalogue, tmp_path / "a.xml")


# -- export and round trip --------------------------------------------------------------------


def test_export_has_every_column_and_one_row_per_service(catalogue: Catalogue, tmp_path: Path) -> None:
    out = tmp_path / "sub" / "services.csv"
    export_catalogue("csv", catalogue, out)
    with out.open(encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        rows = list(reader)
    assert reader.fieldnames == list(COLUMNS)
    assert tuple(COLUMNS[: len(CORE)]) == CORE == tuple(CORE_COLUMNS)
    assert [r["id"] for r in rows] == sorted(catalogue.services)
    dog = next(r for r in rows if r["id"] == "dog-registration")
    assert dog["cost_cny"] == "500"
    assert dog["keywords_en"].split("|") == catalogue.services["dog-registration"].keywords.en
    assert json.loads(dog["eligibility"])["all"][0] == {"q": "owns_dog", "op": "eq", "value": True}


def test_export_then_import_gives_an_equal_catalogue(catalogue: Catalogue, demo_catalog_path: Path, tmp_path: Path) -> None:
    exported = tmp_path / "services.csv"
    export_catalogue("csv", catalogue, exported)
    out = tmp_path / "out"
    result = import_file("csv", exported, out, base=demo_catalog_path)
    assert [str(e) for e in result.errors] == []
    assert result.count == len(catalogue.services)
    again = load_catalogue(out)
    assert again.services == catalogue.services
    assert again.questions == catalogue.questions and again.events == catalogue.events and again.districts == catalogue.districts


def test_round_trip_does_not_need_the_base_services(catalogue: Catalogue, demo_catalog_path: Path, tmp_path: Path) -> None:
    """Every field is in the export, so importing it on a base without those services loses nothing."""
    base = tmp_path / "base"
    shutil.copytree(demo_catalog_path, base, ignore=shutil.ignore_patterns("services"))
    (base / "services").mkdir()
    shutil.copy2(demo_catalog_path / "services" / "dog-registration.yaml", base / "services")
    prune_steps(base / "events", {"dog-registration"})  # the base's checklists only name services it has
    exported = tmp_path / "services.csv"
    export_catalogue("csv", catalogue, exported)
    result = import_file("csv", exported, tmp_path / "out", base=base)
    assert result.errors == []
    assert load_catalogue(tmp_path / "out").services == catalogue.services


def test_pipe_inside_a_list_item_cannot_be_exported(catalogue: Catalogue) -> None:
    service = catalogue.services["dog-registration"]
    bad = service.model_copy(update={"keywords": service.keywords.model_copy(update={"en": ["dog|cat"]})})
    with pytest.raises(ValueError, match=r"dog-registration: keywords_en: 'dog\|cat' contains '\|'"):
        service_row(bad)


# -- import -----------------------------------------------------------------------------------


def test_import_core_columns_with_extra_columns(demo_catalog_path: Path, tmp_path: Path) -> None:
    source = write_csv(tmp_path / "new.csv", [NEW_ROW])
    out = tmp_path / "out"
    result = import_file("csv", source, out, base=demo_catalog_path)
    assert result.errors == []
    assert result.count == 1
    assert result.ignored == ("notes",)
    written = out / "services" / "pet-cat-registration.yaml"
    text = written.read_text(encoding="utf-8")
    assert text.splitlines()[0] == SAMPLE_HEADER == "# Sample data modelled on real Shanghai services; not an official record."
    assert yaml.safe_load(text)["id"] == "pet-cat-registration"
    assert validate_catalogue(out) == []
    s = load_catalogue(out).services["pet-cat-registration"]
    assert (s.title.zh, s.title.en, s.summary.zh) == ("宠物猫登记", "Register a pet cat", "养猫人向居委会登记宠物猫。")
    assert s.description.en == "Cat owners register their cat and its vaccinations.\nThe neighbourhood keeps the record."
    assert s.keywords.zh == ["猫", "宠物猫", "养猫登记"]
    assert s.phrasings.en[2] == "I just adopted a kitten"
    assert [(d.zh, d.en) for d in s.documents] == [("养猫人身份证", "Owner's ID card"), ("疫苗接种记录", "Vaccination record")]
    assert (s.cost.free, s.cost.amount_cny, s.cost.note and s.cost.note.en) == (False, 20.0, "Waived for dibao households")
    assert s.processing_days == 2 and s.events == ["keeping-pets"] and s.districts == ["huangpu", "pudong"]
    assert s.channels.centres == ["huangpu-citizen-centre"] and s.channels.hotline == "12345"
    assert s.competent_authority.zh == "居民委员会" and s.legal_basis.en == "Sample regulations on pets"
    assert s.last_reviewed.isoformat() == "2026-05-01"
    assert s.eligibility is not None and s.eligibility.model_dump(exclude_none=True) == {"q": "age", "op": "ge", "value": 18}


def test_columns_the_file_lacks_come_from_the_base_service(catalogue: Catalogue, demo_catalog_path: Path, tmp_path: Path) -> None:
    """A file with only the core columns updates existing services and keeps their other fields."""
    dog = catalogue.services["dog-registration"]
    row = {"id": dog.id, "audience": dog.audience, "theme": dog.theme, "title_en": "Dog licence", "title_zh": dog.title.zh, "summary_en": "Register your dog."}
    result = import_file("csv", write_csv(tmp_path / "core.csv", [row]), tmp_path / "out", base=demo_catalog_path)
    assert result.errors == [] and result.count == 1
    imported = load_catalogue(tmp_path / "out").services["dog-registration"]
    assert imported.title.en == "Dog licence" and imported.summary.en == "Register your dog."
    assert imported.summary.zh == dog.summary.zh
    assert imported.model_copy(update={"title": dog.title, "summary": dog.summary}) == dog


def test_import_of_the_shared_core_services_file(demo_catalog_path: Path, catalogue: Catalogue, tmp_path: Path) -> None:
    if not CORE_CSV.is_file():
        pytest.skip(f"{CORE_CSV} not found: the shared folder lives beside the repository (../shared)")
    with CORE_CSV.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    result = import_file("csv", CORE_CSV, tmp_path / "out", base=demo_catalog_path)
    assert [str(e) for e in result.errors] == []
    assert result.count == len(rows)
    imported = load_catalogue(tmp_path / "out")
    for row in rows:
        s = imported.services[row["id"]]
        assert (s.audience, s.theme, s.title.en, s.title.zh, s.summary.en) == (
            row["audience"],
            row["theme"],
            row["title_en"],
            row["title_zh"],
            row["summary_en"],
        )
        assert s.phrasings == catalogue.services[row["id"]].phrasings


def test_bad_rows_give_per_row_errors_and_nothing_is_written(demo_catalog_path: Path, tmp_path: Path) -> None:
    rows = [
        {**NEW_ROW, "notes": ""},  # row 2: fine
        {**NEW_ROW, "id": "cat-two", "online_url": "", "title_zh": ""},  # row 3
        {**NEW_ROW, "id": "cat-three", "online_url": "", "processing_days": "two", "cost_cny": "cheap"},  # row 4
        {**NEW_ROW, "id": "cat-four", "online_url": "", "events": "keeping-pets|flying-to-mars"},  # row 5
        {**NEW_ROW, "id": "Cat Five", "online_url": "", "eligibility": "{not json"},  # row 6
        {**NEW_ROW, "id": "cat-six", "online_url": "", "title_zh": "Cat", "phrasings_en": "one|two", "last_reviewed": "May 2026"},  # row 7
        {
            **NEW_ROW,
            "id": "cat-seven",
            "online_url": "",
            "documents_en": "ID card",
            "centres": "moon-centre",
            "eligibility": '{"q": "star_sign", "value": "leo"}',
        },  # row 8
        {**NEW_ROW},  # row 9: the id of row 2 again
        {**NEW_ROW, "id": "cat-nine", "online_url": "https://portal.example.gov.cn/apply/other", "cost_cny": ""},  # row 10
    ]
    out = tmp_path / "out"
    result = import_file("csv", write_csv(tmp_path / "bad.csv", rows), out, base=demo_catalog_path)
    assert result.count == 0
    assert [str(e) for e in result.errors] == [
        "bad.csv:3: title_zh: required, but there is no zh text",
        "bad.csv:4: cost_cny: 'cheap' is not an amount: write free for a free service, else the amount in yuan",
        "bad.csv:4: processing_days: 'two' is not a whole number of days",
        "bad.csv:5: events: unknown event 'flying-to-mars' (see events/)",
        "bad.csv:6: eligibility: invalid JSON: Expecting property name enclosed in double quotes at character 2",
        "bad.csv:6: id: String should match pattern '^[a-z0-9]+(?:[-_][a-z0-9]+)*$'",
        "bad.csv:7: last_reviewed: 'May 2026' is not a date like 2026-06-11",
        "bad.csv:7: phrasings_zh, phrasings_en: at least 3 example phrasings are needed in en",
        "bad.csv:7: title_zh: the zh text contains no Chinese characters",
        "bad.csv:8: centres: unknown service centre 'moon-centre' (see districts.yaml)",
        "bad.csv:8: documents_en: 1 item(s), but documents_zh has 2: the two columns pair up item by item",
        "bad.csv:8: eligibility: unknown question 'star_sign' (see questions/)",
        "bad.csv:9: id: duplicate id 'pet-cat-registration' (also at row 2)",
        "bad.csv:10: online_url: online_url must contain the service id 'cat-nine'",
    ]
    assert not out.exists()


def test_reference_errors_point_at_the_row(demo_catalog_path: Path, tmp_path: Path) -> None:
    rows = [
        {**NEW_ROW, "notes": ""},
        {
            **NEW_ROW,
            "id": "cat-seven",
            "online_url": "",
            "centres": "moon-centre",
            "districts": "huangpu|atlantis",
            "eligibility": '{"q": "star_sign", "value": "leo"}',
        },
    ]
    out = tmp_path / "out"
    out.mkdir()
    result = import_file("csv", write_csv(tmp_path / "refs.csv", rows), out, base=demo_catalog_path)
    assert [str(e) for e in result.errors] == [
        "refs.csv:3: centres: unknown service centre 'moon-centre' (see districts.yaml)",
        "refs.csv:3: districts: unknown district 'atlantis'",
        "refs.csv:3: eligibility: unknown question 'star_sign' (see questions/)",
    ]
    assert list(out.iterdir()) == []


def test_row_numbers_are_spreadsheet_rows(demo_catalog_path: Path, tmp_path: Path) -> None:
    """Blank rows count, and a cell spanning several lines is still one row."""
    text = io.StringIO()
    writer = csv.DictWriter(text, fieldnames=list(NEW_ROW), lineterminator="\n")
    writer.writeheader()
    writer.writerow(NEW_ROW)  # row 2, its descriptions span two lines each
    text.write(",,,,\n")  # row 3: blank
    writer.writerow({**NEW_ROW, "id": "cat-two", "online_url": "", "title_en": ""})  # row 4
    source = tmp_path / "rows.csv"
    source.write_text(text.getvalue(), encoding="utf-8")
    result = import_file("csv", source, tmp_path / "out", base=demo_catalog_path)
    assert [str(e) for e in result.errors] == ["rows.csv:4: title_en: required, but there is no en text"]


def test_missing_core_column_is_a_header_error(demo_catalog_path: Path, tmp_path: Path) -> None:
    row = {k: v for k, v in NEW_ROW.items() if k not in {"id", "title_en", "title_zh"}}
    result = import_file("csv", write_csv(tmp_path / "h.csv", [row]), tmp_path / "out", base=demo_catalog_path)
    assert [str(e) for e in result.errors] == [
        "h.csv:1: id, title_en or title_zh: missing column(s); the header needs at least id, title_en or title_zh, summary_en or summary_zh"
    ]


def test_new_service_without_a_required_column(demo_catalog_path: Path, tmp_path: Path) -> None:
    row = {k: v for k, v in NEW_ROW.items() if k not in {"summary_en", "summary_zh"}}
    result = import_file("csv", write_csv(tmp_path / "p.csv", [row]), tmp_path / "out", base=demo_catalog_path)
    assert [str(e) for e in result.errors] == [
        "p.csv:1: summary_en or summary_zh: missing column(s); the header needs at least id, title_en or title_zh, summary_en or summary_zh"
    ]


def test_processing_days_and_cost_are_optional(demo_catalog_path: Path, tmp_path: Path) -> None:
    row = {k: v for k, v in NEW_ROW.items() if k != "processing_days"} | {"cost_cny": ""}
    result = import_file("csv", write_csv(tmp_path / "p.csv", [row]), tmp_path / "out", base=demo_catalog_path)
    assert result.errors == []
    service = load_catalogue(tmp_path / "out").services[NEW_ROW["id"]]
    assert service.processing_days is None and service.cost is None


def test_free_cost_and_defaults(demo_catalog_path: Path, tmp_path: Path) -> None:
    row = {
        **NEW_ROW,
        "cost_cny": "free",
        "cost_note_en": "",
        "cost_note_zh": "",
        "districts": "",
        "online_url": "",
        "centres": "",
        "eligibility": "",
        "documents_en": "",
        "documents_zh": "",
    }
    result = import_file("csv", write_csv(tmp_path / "free.csv", [row]), tmp_path / "out", base=demo_catalog_path)
    assert result.errors == []
    s = load_catalogue(tmp_path / "out").services["pet-cat-registration"]
    assert (s.cost.free, s.cost.amount_cny, s.cost.note) == (True, None, None)
    assert (s.districts, s.channels.online_url, s.channels.centres, s.eligibility, s.documents) == ("all", None, [], None, [])


def test_byte_order_mark_and_header_case_are_accepted(demo_catalog_path: Path, tmp_path: Path) -> None:
    plain = write_csv(tmp_path / "plain.csv", [NEW_ROW])
    lines = plain.read_text(encoding="utf-8").split("\n", 1)
    source = tmp_path / "excel.csv"
    source.write_text(lines[0].upper() + "\n" + lines[1], encoding="utf-8-sig")
    result = import_file("csv", source, tmp_path / "out", base=demo_catalog_path)
    assert result.errors == [] and result.count == 1


def test_not_utf8_and_empty_files(demo_catalog_path: Path, tmp_path: Path) -> None:
    latin = tmp_path / "latin.csv"
    latin.write_bytes("id,title_zh\nx,\xe9\n".encode("latin-1"))
    assert str(import_file("csv", latin, tmp_path / "out", demo_catalog_path).errors[0]).startswith("latin.csv: not UTF-8 text")
    empty = tmp_path / "empty.csv"
    empty.write_text("", encoding="utf-8")
    assert [str(e) for e in import_file("csv", empty, tmp_path / "out", demo_catalog_path).errors] == [
        "empty.csv:1: the file is empty; the first row must name the columns"
    ]


def test_target_must_be_a_catalogue_folder(demo_catalog_path: Path, tmp_path: Path) -> None:
    source = write_csv(tmp_path / "new.csv", [NEW_ROW])
    other = tmp_path / "documents"
    other.mkdir()
    (other / "letter.txt").write_text("hello", encoding="utf-8")
    result = import_file("csv", source, other, base=demo_catalog_path)
    assert [e.message for e in result.errors] == [
        "not a catalogue folder (no services/, questions/, events/ or districts.yaml); use a catalogue folder or a new one"
    ]
    assert files_under(other) == {"letter.txt": b"hello"}
    a_file = tmp_path / "file"
    a_file.write_text("x", encoding="utf-8")
    assert import_file("csv", source, a_file, base=demo_catalog_path).errors[0].message == "the import target must be a catalogue folder, not a file"


def test_import_into_an_existing_catalogue_keeps_its_files(demo_catalog_path: Path, tmp_path: Path) -> None:
    out = tmp_path / "catalogue"
    shutil.copytree(demo_catalog_path, out)
    before = files_under(out)
    result = import_file("csv", write_csv(tmp_path / "new.csv", [NEW_ROW]), out, base=tmp_path / "no-base-needed")
    assert result.errors == []
    after = files_under(out)
    assert set(after) - set(before) == {"services/pet-cat-registration.yaml"}
    assert all(after[name] == content for name, content in before.items())
    assert validate_catalogue(out) == []


def test_failed_import_leaves_an_existing_catalogue_alone(demo_catalog_path: Path, tmp_path: Path) -> None:
    out = tmp_path / "catalogue"
    shutil.copytree(demo_catalog_path, out)
    before = files_under(out)
    rows = [{**NEW_ROW, "notes": ""}, {**NEW_ROW, "id": "dog-registration", "online_url": "", "events": "nope"}]
    result = import_file("csv", write_csv(tmp_path / "mixed.csv", rows), out, base=demo_catalog_path)
    assert [str(e) for e in result.errors] == ["mixed.csv:3: events: unknown event 'nope' (see events/)"]
    assert files_under(out) == before


# -- command line -----------------------------------------------------------------------------


def test_cli_export_and_import(demo_catalog_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    exported = tmp_path / "all.csv"
    assert main(["--catalog", str(demo_catalog_path), "catalog", "export", "csv", "--out", str(exported)]) == 0
    assert "exported" in capsys.readouterr().out
    assert main(["--catalog", str(demo_catalog_path), "catalog", "import", "csv", str(exported), "--out", str(tmp_path / "out")]) == 0
    assert capsys.readouterr().out.startswith("imported ")
    bad = write_csv(tmp_path / "bad.csv", [{**NEW_ROW, "title_zh": ""}])
    assert main(["--catalog", str(demo_catalog_path), "catalog", "import", "csv", str(bad), "--out", str(tmp_path / "out2")]) == 1
    err = capsys.readouterr().err
    assert "bad.csv:2: title_zh: required, but there is no zh text" in err
    assert "1 error(s); nothing was written" in err
    assert not (tmp_path / "out2").exists()
