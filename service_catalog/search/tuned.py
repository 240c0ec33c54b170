"""The search settings chosen by measurement, stored in ``tuned.json`` beside this module.

``python -m service_catalog eval --fit`` rewrites that file from the tuning part of
the evaluation set; the held-out part is never used for it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from .config import SearchConfig
from .fusion import Confidence

__all__ = ["TUNED_FILE", "tuned_config"]

TUNED_FILE = Path(__file__).with_name("tuned.json")


def tuned_config(path: Path = TUNED_FILE, **overrides: Any) -> SearchConfig:
    """The measured configuration (defaults where the file is missing), with overrides."""
    values: dict[str, Any] = {}
    if path.is_file():
        raw = json.loads(path.read_text(encoding="utf-8"))
        values = {k: v for k, v in raw.items() if not k.startswith("_")}
        if "weights" in values:
            values["weights"] = {lang: tuple(w) for lang, w in values["weights"].items()}
        if "confidence" in values:
            values["confidence"] = {lang: Confidence(**c) for lang, c in values["confidence"].items()}
        for key in ("dense_fields", "dense_langs", "compact_langs"):
            if key in values:
                values[key] = tuple(values[key])
    values.update({k: v for k, v in overrides.items() if v is not None})
    return SearchConfig(**values)
