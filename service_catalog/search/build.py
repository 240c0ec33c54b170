"""Building a search index: from cache files when the key matches, else by embedding the catalogue.

``build_index`` is what the service, the CLI, the evaluation and the benchmarks call: the
measured configuration (``tuned.json``) with the deployment's settings, files under
``<data_dir>/index/``. ``load_or_build`` is the same for any configuration and cache folder.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
import os
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from . import storage
from .calibration import calibrate, sparse_config
from .config import SearchConfig
from .dense import DenseIndex, IndexKind
from .documents import dense_texts, domain_vocabulary, lexical_text
from .embedder import Embedder
from .events import EventMatcher
from .fusion import Confidence
from .index import SearchIndex
from .lexical import LexicalIndex
from .text import Tokenizer
from .tuned import tuned_config

if TYPE_CHECKING:
    from ..catalogue import Catalogue
    from ..settings import Settings

__all__ = ["build_index", "load_or_build"]

log = logging.getLogger(__name__)


def build_index(settings: Settings, catalogue: Catalogue, embedder: Embedder, progress: bool = False, **overrides: Any) -> SearchIndex:
    """The search index for a catalogue with the measured configuration (cached on disk).

    Args:
        settings: ``data_dir`` (files go to ``data_dir/index``), ``index_kind``, ``hnsw_threshold``
            and ``compact_langs``.
        catalogue: the services to index.
        embedder: the model that embeds them (and, later, the queries).
        progress: print what is embedded and show a progress bar (the CLI does).
        **overrides: ``SearchConfig`` fields that replace the measured ones (``eval --dense-fields``).
    """
    overrides.setdefault("compact_langs", tuple(settings.compact_langs.split(",")))
    config = tuned_config(kind=settings.index_kind, hnsw_threshold=settings.hnsw_threshold, **overrides)
    return load_or_build(catalogue, embedder, Path(settings.data_dir) / "index", config, progress=progress)


def load_or_build(
    catalogue: Catalogue, embedder: Embedder, cache_dir: Path | None, config: SearchConfig | None = None, progress: bool = False, calibrated: bool = True
) -> SearchIndex:
    """The index for ``catalogue``: its dense part loaded from ``cache_dir`` when the key matches, else built and saved.

    Args:
        catalogue: the services to index.
        embedder: the model; its name is part of the key.
        cache_dir: the folder of index folders; None builds in memory and writes nothing.
        config: how to build and query (defaults: ``SearchConfig()``).
        progress: print what is embedded and show a progress bar.
        calibrated: adjust weights and thresholds to this catalogue (``calibration.py``); off only
            to measure what the calibration changes.
    """
    config = config or SearchConfig()
    ids = sorted(catalogue.services)
    key = config.cache_key(catalogue.content_hash, embedder.name, len(ids))
    folder = storage.index_folder(cache_dir, key)
    dense = storage.read_dense(folder, ids)
    if dense is None:
        started = time.perf_counter()
        fields, langs = config.fields_for(len(ids)), config.langs_for(len(ids))
        texts: list[str] = []
        owners: list[int] = []
        for n, sid in enumerate(ids):
            for t in dense_texts(catalogue.services[sid], fields, langs):
                texts.append(t)
                owners.append(n)
        if progress:
            print(f"embedding {len(texts)} texts of {len(ids)} services with {embedder.name}", flush=True)
        vectors = _embed(embedder, texts, progress)
        dense = DenseIndex.build(vectors, np.asarray(owners, dtype=np.int32), IndexKind.from_str(config.kind), config.hnsw_threshold)
        if folder is not None:
            meta = {"ids": ids, "model": embedder.name, "fields": list(fields), "langs": list(langs), "built_s": round(time.perf_counter() - started, 2)}
            storage.write_dense(folder, dense, meta)
        log.info("search index %s built: %d vectors in %.1f s", key, len(texts), time.perf_counter() - started)
    tokenizer = Tokenizer(domain_vocabulary(catalogue))
    lexical = LexicalIndex([lexical_text(catalogue.services[i]) for i in ids], tokenizer=tokenizer)

    # The events' texts (a few hundred short ones) are stored beside the dense index, by their hash.
    def embed_events(texts: list[str]) -> NDArray[np.float32]:
        name = "events-" + hashlib.sha256("\0".join(texts).encode()).hexdigest()[:16]
        stored = storage.read_vectors(folder, name)
        if stored is not None and stored.shape == (len(texts), embedder.dim):
            return stored.astype(np.float32)
        vectors = embedder.embed(texts)
        storage.write_vectors(folder, name, vectors)
        return vectors

    multilingual = "zh" in config.langs_for(len(ids)) and "zh" in config.compact_langs
    events = EventMatcher(catalogue, embedder, tokenizer, multilingual, embed_events)
    index = SearchIndex(catalogue, embedder, dense, lexical, ids, sparse_config(config, catalogue) if calibrated else config, key, events)
    if calibrated:
        index.config = _calibrated(index, folder)
        log.info("search calibrated on %s: thresholds %s", key, {lang: m.threshold for lang, m in index.config.confidence.items()})
    index.warm()
    return index


def _calibrated(index: SearchIndex, folder: Path | None) -> SearchConfig:
    """The calibrated configuration, stored in the index folder by a hash of what it depends on."""
    base = {lang: dataclasses.asdict(m) for lang, m in sorted(index.config.confidence.items())}
    depends = json.dumps(
        {"confidence": base, "weights": index.config.weights, "fusion": index.config.fusion, "events": index.events and index.events.fingerprint}
    )
    name = "calibration-" + hashlib.sha256(depends.encode()).hexdigest()[:16] + ".json"
    if folder is not None and (folder / name).is_file():
        try:
            stored = json.loads((folder / name).read_text(encoding="utf-8"))
            return dataclasses.replace(index.config, confidence={lang: Confidence(**m) for lang, m in stored.items()})
        except (OSError, ValueError, TypeError) as exc:
            log.warning("unreadable %s (%s): calibrating again", folder / name, exc)
    config = calibrate(index)
    if folder is not None and folder.is_dir():
        partial = folder / f".{name}.{os.getpid()}"
        partial.write_text(json.dumps({lang: dataclasses.asdict(m) for lang, m in config.confidence.items()}), encoding="utf-8")
        os.replace(partial, folder / name)
    return config


def _embed(embedder: Embedder, texts: list[str], progress: bool) -> NDArray[np.float32]:
    if not texts:
        return np.zeros((0, embedder.dim), dtype=np.float32)
    return embedder.embed(texts, progress=progress)
