"""One query's embedding three ways: the model as it is, its traced copy in float32 and in bfloat16
(docs/search.md, "Speed of a search turn"). The chat benchmark's 48 search texts, three rounds, each
text embedded by each embedder in turn so that all three see the same machine; one torch thread, as
the catalogue service embeds queries. Prints the median wall time, the mean CPU time and the least
cosine of each embedder's vectors to the model's.

    .venv/bin/python -m benchmarks.query_encode
"""

from __future__ import annotations

import os
import statistics
import time

import numpy as np

from benchmarks.texts import CHAT_SEARCHES
from service_catalog.search.embedder import SentenceTransformerEmbedder

ROUNDS = 3


def main() -> None:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    print("loading the model three ways (the model, traced float32, traced bfloat16)", flush=True)
    embedders = {
        "the model (encode)": SentenceTransformerEmbedder(trace_queries=False),
        "traced, float32": SentenceTransformerEmbedder(query_precision="float32"),
        "traced, bfloat16": SentenceTransformerEmbedder(query_precision="bfloat16"),
    }
    words = list(CHAT_SEARCHES)
    for embedder in embedders.values():
        for text in words[:5]:  # warm-up
            embedder.embed([text])
    wall: dict[str, list[float]] = {name: [] for name in embedders}
    cpu: dict[str, float] = dict.fromkeys(embedders, 0.0)
    for round_ in range(ROUNDS):
        print(f"round {round_ + 1}/{ROUNDS}: {len(words)} texts", flush=True)
        for text in words:
            for name, embedder in embedders.items():
                w, c = time.perf_counter(), time.process_time()
                embedder.embed([text])
                wall[name].append((time.perf_counter() - w) * 1000)
                cpu[name] += (time.process_time() - c) * 1000
    reference = np.concatenate([embedders["the model (encode)"].embed([t]) for t in words])
    print(f"\n{'one query':22} {'wall p50':>9} {'CPU mean':>9}  least cosine to the model")
    for name, embedder in embedders.items():
        vectors = np.concatenate([embedder.embed([t]) for t in words])
        cosine = float((reference * vectors).sum(axis=1).min())
        traced = "" if name.startswith("the model") or getattr(embedder, "traced", False) else "  (not traced: see the log)"
        print(f"{name:22} {statistics.median(wall[name]):7.2f}ms {cpu[name] / len(wall[name]):7.2f}ms  {cosine:.6f}{traced}")


if __name__ == "__main__":
    main()
