"""Hybrid search over the catalogue: BM25 with jieba, sentence-transformers vectors in faiss,
weighted fusion and a calibrated confidence. See ``README.md`` in this folder.

Scoring is pure (no I/O, no aiohttp); ``storage.py`` owns the index files and ``build.py``
builds an index or loads it from them.
"""

from .build import build_index, load_or_build
from .config import SearchConfig
from .dense import DenseIndex, IndexKind
from .embedder import Embedder, FakeEmbedder, SentenceTransformerEmbedder, make_embedder, resolve_model
from .fusion import Confidence, Fuser, FusionMode, SearchMode
from .index import MAX_QUERY, Filters, Hit, SearchIndex, SearchResponse
from .lexical import LexicalIndex
from .place import other_place
from .text import Tokenizer, detect_lang, normalise, tokenize
from .tuned import TUNED_FILE, tuned_config

__all__ = [
    "MAX_QUERY",
    "TUNED_FILE",
    "Confidence",
    "DenseIndex",
    "Embedder",
    "FakeEmbedder",
    "Filters",
    "Fuser",
    "FusionMode",
    "Hit",
    "IndexKind",
    "LexicalIndex",
    "SearchConfig",
    "SearchIndex",
    "SearchMode",
    "SearchResponse",
    "SentenceTransformerEmbedder",
    "Tokenizer",
    "build_index",
    "detect_lang",
    "load_or_build",
    "make_embedder",
    "normalise",
    "other_place",
    "resolve_model",
    "tokenize",
    "tuned_config",
]
