"""The search index's files: ``<cache_dir>/<key>/`` holds the dense index and a ``meta.json``.

The only module of the package that reads or writes the index files. A folder is written
under a temporary name and renamed into place, so a reader sees a whole folder or none;
replicas that share the cache folder agree because the key names everything the files
depend on (see ``SearchConfig.cache_key``).
"""

from __future__ import annotations

import json
import logging
import os
import shutil
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from .dense import DenseIndex, IndexKind

__all__ = ["index_folder", "load_dense", "read_dense", "read_vectors", "save_dense", "write_dense", "write_vectors"]

log = logging.getLogger(__name__)

META = "meta.json"


def _faiss() -> Any:
    try:
        import faiss
    except ImportError as exc:  # pragma: no cover - a dependency of the package
        raise ImportError("faiss is missing: run `make setup` (pip install faiss-cpu)") from exc
    return faiss


def index_folder(cache_dir: Path | None, key: str) -> Path | None:
    """Where the files of index ``key`` live (None: no cache, build in memory)."""
    return cache_dir / key if cache_dir is not None else None


def save_dense(dense: DenseIndex, folder: Path) -> None:
    """Write the faiss index, the vector owners and the kind into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    _faiss().write_index(dense.faiss_index, str(folder / "dense.faiss"))
    np.save(folder / "owners.npy", dense.owners)
    (folder / "kind").write_text(dense.kind.value)


def load_dense(folder: Path) -> DenseIndex:
    """The dense index ``save_dense`` wrote into ``folder``."""
    index = _faiss().read_index(str(folder / "dense.faiss"))
    kind = IndexKind.from_str((folder / "kind").read_text().strip())
    return DenseIndex(index, np.load(folder / "owners.npy"), kind)


def read_dense(folder: Path | None, ids: Sequence[str]) -> DenseIndex | None:
    """The dense index stored in ``folder`` for exactly these service ids, or None.

    None when there is no folder, no complete folder, or one for other ids; an unreadable
    folder is logged and treated as missing (the caller rebuilds and overwrites it).
    """
    if folder is None or not (folder / META).is_file():
        return None
    try:
        meta = json.loads((folder / META).read_text())
        if meta.get("ids") != list(ids):
            return None
        dense = load_dense(folder)
    except (OSError, ValueError, RuntimeError) as exc:
        log.warning("search index cache %s unreadable (%s); rebuilding", folder, exc)
        return None
    log.info("search index %s loaded from %s", folder.name, folder)
    return dense


def write_dense(folder: Path, dense: DenseIndex, meta: dict[str, Any]) -> None:
    """Write ``dense`` and ``meta`` (plus nothing else) as ``folder``, replacing an older one whole."""
    tmp = folder.with_name(folder.name + ".tmp")
    save_dense(dense, tmp)
    (tmp / META).write_text(json.dumps(meta))
    if folder.exists():
        shutil.rmtree(folder)
    tmp.rename(folder)


def read_vectors(folder: Path | None, name: str) -> np.ndarray | None:
    """Extra vectors stored beside the dense index as ``<name>.npy`` (the events'), or None."""
    if folder is None or not (folder / f"{name}.npy").is_file():
        return None
    try:
        return np.asarray(np.load(folder / f"{name}.npy"))
    except (OSError, ValueError) as exc:
        log.warning("unreadable %s in %s (%s): embedding again", name, folder, exc)
        return None


def write_vectors(folder: Path | None, name: str, vectors: np.ndarray) -> None:
    """Store vectors as ``<name>.npy`` in an index folder, under a temporary name then renamed."""
    if folder is None or not folder.is_dir():
        return
    partial = folder / f".{name}.{os.getpid()}.npy"
    np.save(partial, vectors)
    os.replace(partial, folder / f"{name}.npy")
