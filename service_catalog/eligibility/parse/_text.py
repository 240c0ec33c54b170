"""Text helpers shared by the free-text parsers (pure: no I/O)."""

from __future__ import annotations

import re
import unicodedata

__all__ = ["HAN", "normalize"]

HAN = re.compile(r"[\u4e00-\u9fff]")
"""One Chinese character."""


def normalize(text: str) -> str:
    """NFKC (full-width to ASCII), lower case, curly apostrophes straightened."""
    return unicodedata.normalize("NFKC", text).lower().replace("’", "'").replace("‘", "'").strip()
