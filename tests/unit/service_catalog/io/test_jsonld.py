"""Tests for service_catalog.io.jsonld: CPSV-AP JSON-LD export and import."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from service_catalog.catalogue import Catalogue, load_catalogue
from service_catalog.io import export_catalogue, import_file
from service_catalog.io.jsonld import CONTEXT, CSA, service_node

REPO_ROOT = Path(__file__).resolve().parents[4]


@pytest.fixture(scope="module")
def exported(catalogue: Catalogue, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    out = tmp_path_factory.mktemp("jsonld") / "catalogue.jsonld"
    export_catalogue("jsonld", catalogue, out)
    return json.loads(out.read_text(encoding="utf-8"))


def node_of(doc: dict[str, Any], sid: str) -> dict[str, Any]:
    return next(n for n in doc["@graph"] if n["dct:identifier"] == sid)


def write(path: Path, doc: Any) -> Path:
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    return path


# -- export -----------------------------------------------------------------------------------


def test_context_declares_the_vocabularies(exported: dict[str, Any]) -> None:
    ctx = exported["@context"]
    assert ctx["cpsv"] == "http://purl.org/vocab/cpsv#"
    assert ctx["dct"] == "http://purl.org/dc/terms/"
    assert ctx["cv"] == "http://data.europa.eu/m8g/"
    assert ctx["schema"] == "https://schema.org/"
    assert ctx["csa"] == CSA


def test_our_namespace_is_documented() -> None:
    mapping = (REPO_ROOT / "docs" / "cpsv-mapping.md").read_text(encoding="utf-8")
    assert CSA in mapping


def test_one_public_service_node_per_service(exported: dict[str, Any], catalogue: Catalogue) -> None:
    assert [n["dct:identifier"] for n in exported["@graph"]] == sorted(catalogue.services)
    for node in exported["@graph"]:
        assert node["@type"] == ["cpsv:PublicService", "schema:GovernmentService"]


def test_service_node_uses_cpsv_terms_and_language_tags(exported: dict[str, Any], catalogue: Catalogue) -> None:
    dog = catalogue.services["dog-registration"]
    node = node_of(exported, "dog-registration")
    assert node["dct:title"] == [{"@value": dog.title.zh, "@language": "zh"}, {"@value": dog.title.en, "@language": "en"}]
    assert {"@value": dog.description.en, "@language": "en"} in node["dct:description"]
    assert node["cv:hasCompetentAuthority"]["@type"] == "cv:PublicOrganisation"
    assert {"@value": dog.competent_authority.zh, "@language": "zh"} in node["cv:hasCompetentAuthority"]["skos:prefLabel"]
    cost = node["cv:hasCost"]
    assert (cost["@type"], cost["cv:hasValue"], cost["cv:currency"]) == (
        "cv:Cost",
        500.0,
        {"@id": "http://publications.europa.eu/resource/authority/currency/CNY"},
    )
    assert node["cv:processingTime"] == {"@value": "P3D", "@type": "xsd:duration"}
    assert len(node["cpsv:hasInput"]) == len(dog.documents)
    assert node["cpsv:hasInput"][0]["@type"] == "cv:Evidence"
    assert [e["dct:identifier"] for e in node["cv:isGroupedBy"]] == dog.events
    assert node["cv:isGroupedBy"][0]["@type"] == "cv:LifeEvent"
    channels = node["cv:hasChannel"]
    assert channels[0]["schema:serviceUrl"] == {"@id": dog.channels.online_url}
    assert [c["dct:identifier"] for c in channels[1:]] == dog.channels.centres
    assert node["cv:contactPoint"] == {"@type": "cv:ContactPoint", "cv:telephone": "12345"}
    assert {"@value": "养犬登记", "@language": "zh"} in node["dcat:keyword"] or dog.keywords.zh[0] in [k["@value"] for k in node["dcat:keyword"]]
    assert len(node["csa:examplePhrasing"]) == len(dog.phrasings.zh) + len(dog.phrasings.en)
    criterion = node["cv:holdsRequirement"]["csa:criterion"]
    assert criterion["@type"] == "@json"
    assert criterion["@value"]["all"][0] == {"q": "owns_dog", "op": "eq", "value": True}


def test_whole_city_and_listed_districts(exported: dict[str, Any], catalogue: Catalogue) -> None:
    assert node_of(exported, "dog-registration")["dct:spatial"]["skos:notation"] == "all"
    limited = next(s for s in catalogue.services.values() if s.districts != "all")
    assert [d["skos:notation"] for d in node_of(exported, limited.id)["dct:spatial"]] == limited.districts


def test_service_node_without_catalogue_still_round_trips(catalogue: Catalogue, demo_catalog_path: Path, tmp_path: Path) -> None:
    node = service_node(catalogue.services["birth-registration"])
    source = write(tmp_path / "one.jsonld", {"@context": CONTEXT, **node})
    result = import_file("jsonld", source, tmp_path / "out", demo_catalog_path)
    assert result.errors == []
    assert load_catalogue(tmp_path / "out").services["birth-registration"] == catalogue.services["birth-registration"]


# -- round trip -------------------------------------------------------------------------------


def test_export_then_import_gives_an_equal_catalogue(catalogue: Catalogue, demo_catalog_path: Path, tmp_path: Path) -> None:
    source = tmp_path / "catalogue.jsonld"
    export_catalogue("jsonld", catalogue, source)
    out = tmp_path / "out"
    result = import_file("jsonld", source, out, demo_catalog_path)
    assert [str(e) for e in result.errors] == []
    assert result.count == len(catalogue.services)
    assert load_catalogue(out).services == catalogue.services


def test_csv_and_jsonld_agree(catalogue: Catalogue, demo_catalog_path: Path, tmp_path: Path) -> None:
    """JSON-LD → catalogue → CSV → catalogue changes nothing either."""
    export_catalogue("jsonld", catalogue, tmp_path / "a.jsonld")
    assert import_file("jsonld", tmp_path / "a.jsonld", tmp_path / "one", demo_catalog_path).errors == []
    export_catalogue("csv", load_catalogue(tmp_path / "one"), tmp_path / "b.csv")
    assert import_file("csv", tmp_path / "b.csv", tmp_path / "two", demo_catalog_path).errors == []
    assert load_catalogue(tmp_path / "two").services == catalogue.services


# -- import of other shapes -------------------------------------------------------------------


def test_other_prefixes_full_iris_and_plain_literals(catalogue: Catalogue, demo_catalog_path: Path, tmp_path: Path) -> None:
    node = service_node(catalogue.services["dog-registration"], catalogue)
    renamed = {}
    for key, value in node.items():
        if key.startswith("dct:"):
            key = "dcterms:" + key[4:]
        elif key.startswith("cv:"):
            key = "http://data.europa.eu/m8g/" + key[3:]
        renamed[key] = value
    renamed["dcterms:description"] = [{"@value": d["@value"], "@language": "zh-Hans" if d["@language"] == "zh" else "en-GB"} for d in node["dct:description"]]
    renamed["dcterms:title"] = [{"@value": "养犬登记", "@language": "zh"}, "Dog registration and licence"]
    doc = {"@context": [{"dcterms": "http://purl.org/dc/terms/", "@language": "en"}], "@graph": [renamed]}
    result = import_file("jsonld", write(tmp_path / "other.jsonld", doc), tmp_path / "out", demo_catalog_path)
    assert [str(e) for e in result.errors] == []
    assert load_catalogue(tmp_path / "out").services["dog-registration"] == catalogue.services["dog-registration"]


def test_flattened_graph_with_references(catalogue: Catalogue, demo_catalog_path: Path, tmp_path: Path) -> None:
    node = service_node(catalogue.services["dog-registration"], catalogue)
    authority = {"@id": "https://example.org/org/psb", **node["cv:hasCompetentAuthority"]}
    cost = {"@id": "https://example.org/cost/dog", **node["cv:hasCost"]}
    node["cv:hasCompetentAuthority"] = {"@id": "https://example.org/org/psb"}
    node["cv:hasCost"] = [{"@id": "https://example.org/cost/dog"}]
    doc = {"@context": CONTEXT, "@graph": [authority, node, cost]}
    result = import_file("jsonld", write(tmp_path / "flat.jsonld", doc), tmp_path / "out", demo_catalog_path)
    assert [str(e) for e in result.errors] == []
    assert load_catalogue(tmp_path / "out").services["dog-registration"] == catalogue.services["dog-registration"]


def test_free_cost_and_not_free_zero(catalogue: Catalogue, demo_catalog_path: Path, tmp_path: Path) -> None:
    node = service_node(catalogue.services["dog-registration"], catalogue)
    node["cv:hasCost"] = {"@type": "cv:Cost", "cv:hasValue": 0}
    free = copy.deepcopy(node)
    node["@id"], node["dct:identifier"] = "https://example.org/s/2", "dog-registration-2"
    node["cv:hasChannel"] = node["cv:hasChannel"][1:]
    node["cv:hasCost"] = {
        "@type": "cv:Cost",
        "cv:hasValue": 0,
        "csa:free": False,
        "dct:description": [{"@value": "视情况", "@language": "zh"}, {"@value": "It depends", "@language": "en"}],
    }
    result = import_file("jsonld", write(tmp_path / "c.jsonld", {"@context": CONTEXT, "@graph": [free, node]}), tmp_path / "out", demo_catalog_path)
    assert result.errors == []
    services = load_catalogue(tmp_path / "out").services
    assert (services["dog-registration"].cost.free, services["dog-registration"].cost.note) == (True, None)
    assert (services["dog-registration-2"].cost.free, services["dog-registration-2"].cost.amount_cny) == (False, 0.0)


# -- errors -----------------------------------------------------------------------------------


def test_bad_entries_give_per_entry_errors_and_nothing_is_written(catalogue: Catalogue, demo_catalog_path: Path, tmp_path: Path) -> None:
    good = service_node(catalogue.services["dog-registration"], catalogue)

    def variant(n: int, **changes: Any) -> dict[str, Any]:
        node = copy.deepcopy(good)
        node["@id"], node["dct:identifier"] = f"https://example.org/s/{n}", f"dog-variant-{n}"
        node["cv:hasChannel"] = node["cv:hasChannel"][1:]  # the online URL names the original id
        for key, value in changes.items():
            key = key.replace("__", ":")
            if value is None:
                node.pop(key)
            else:
                node[key] = value
        return node

    graph = [
        good,  # 0: fine
        variant(1, dct__title=[{"@value": "Dog licence", "@language": "en"}]),
        variant(2, dct__description=["plain text without a language"]),
        {"@id": "https://example.org/s/3", "@type": "schema:Thing", "dct:identifier": "thing"},
        variant(
            4,
            cv__processingTime="three days",
            cv__hasCost={"@type": "cv:Cost", "cv:hasValue": 5, "cv:currency": {"@id": "http://publications.europa.eu/resource/authority/currency/EUR"}},
        ),
        variant(5, cv__isGroupedBy=[{"@id": "csa:event/flying-to-mars", "dct:identifier": "flying-to-mars"}]),
        "not an object",
        variant(
            7,
            dct__title=[{"@value": "养狗", "@language": "zh"}, {"@value": "养犬", "@language": "zh-CN"}, {"@value": "Dogs", "@language": "en"}],
            csa__lastReviewed=None,
        ),
        variant(1),  # the id of entry 1 again
    ]
    out = tmp_path / "out"
    result = import_file("jsonld", write(tmp_path / "bad.jsonld", {"@context": CONTEXT, "@graph": graph}), out, demo_catalog_path)
    assert result.count == 0
    assert [str(e) for e in result.errors] == [
        "bad.jsonld: @graph[1].dct:title: required, but there is no zh text",
        'bad.jsonld: @graph[2].dct:description: expected language-tagged text like {"@value": "...", "@language": "zh"}, got "plain text without a language"',
        "bad.jsonld: @graph[3].@type: not a cpsv:PublicService (types: https://schema.org/Thing)",
        "bad.jsonld: @graph[4].cv:hasCost: only amounts in CNY (http://publications.europa.eu/resource/authority/currency/CNY) can be imported",
        "bad.jsonld: @graph[4].cv:processingTime: 'three days' is not a number of days as an ISO 8601 duration like P3D",
        "bad.jsonld: @graph[5].cv:isGroupedBy: unknown event 'flying-to-mars' (see events/)",
        "bad.jsonld: @graph[6]: expected a node (a JSON object)",
        "bad.jsonld: @graph[7].dct:title: 2 zh texts; expected one",
        "bad.jsonld: @graph[8].dct:identifier: duplicate id 'dog-variant-1' (also at @graph[1])",
    ]
    assert not out.exists()


def test_invalid_json_names_the_line(demo_catalog_path: Path, tmp_path: Path) -> None:
    source = tmp_path / "broken.jsonld"
    source.write_text('{\n  "@graph": [\n    {"a": 1,}\n  ]\n}\n', encoding="utf-8")
    result = import_file("jsonld", source, tmp_path / "out", demo_catalog_path)
    assert [str(e) for e in result.errors] == ["broken.jsonld:3: invalid JSON: Expecting property name enclosed in double quotes (column 13)"]


def test_document_of_the_wrong_shape(demo_catalog_path: Path, tmp_path: Path) -> None:
    result = import_file("jsonld", write(tmp_path / "n.jsonld", 42), tmp_path / "out", demo_catalog_path)
    assert [e.message for e in result.errors] == ["expected a JSON-LD document: an object with @graph, a node, or a list of nodes"]
    result = import_file("jsonld", write(tmp_path / "g.jsonld", {"@graph": {"a": 1}}), tmp_path / "out", demo_catalog_path)
    assert [str(e) for e in result.errors] == ["g.jsonld: @graph: expected a list of nodes"]
    result = import_file("jsonld", write(tmp_path / "e.jsonld", {"@context": CONTEXT, "@graph": []}), tmp_path / "out", demo_catalog_path)
    assert [str(e) for e in result.errors] == ["e.jsonld: no services found in the file"]
