"""Text helpers shared by the free-text parsers (pure: no I/O)."""

from __future__ import annotations

import functools
import re
import unicodedata
from typing import Any

__all__ = ["HAN", "normalize"]

HAN = re.compile(r"[\u4e00-\u9fff]")
"""One Chinese character."""


@functools.cache
def _to_simplified() -> Any:
    import opencc  # the same conversion search uses (service_catalog/search/text.py), tables shipped in the wheel

    return opencc.OpenCC("t2s")


def normalize(text: str) -> str:
    """NFKC (full-width to ASCII), traditional Chinese to simplified, lower case, curly apostrophes straightened.

    The questions' situation words are written in simplified characters; an answer written in
    traditional ones ("過期了 一直沒去續", "營業執照還在審") is read as 过期了 一直没去续, 营业执照还在审.
    """
    folded = unicodedata.normalize("NFKC", text)
    if HAN.search(folded):
        folded = _to_simplified().convert(folded)
    return folded.lower().replace("’", "'").replace("‘", "'").strip()
