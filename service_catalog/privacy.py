"""Masking of personal data (ID numbers, phone numbers, e-mail addresses) in logs and summaries."""

from __future__ import annotations

import re
from typing import Any

__all__ = ["mask", "mask_obj"]

_ID_CARD = re.compile(r"(?<![0-9A-Za-z])(\d{6})\d{8}(\d{3}[0-9Xx])(?![0-9A-Za-z])")
_MOBILE = re.compile(r"(?<!\d)(?:\+?86[- ]?)?(1[3-9]\d)[- ]?\d{4}[- ]?(\d{4})(?!\d)")
_LANDLINE = re.compile(r"(?<!\d)(0\d{2,3})-?\d{4}(\d{4})(?!\d)")
_EMAIL = re.compile(r"([A-Za-z0-9._%+-])[A-Za-z0-9._%+-]*@([A-Za-z0-9.-]+\.[A-Za-z]{2,})")
_PASSPORT = re.compile(r"(?<![A-Za-z0-9])([EGDPS])\d{8}(?![A-Za-z0-9])")


def mask(text: str) -> str:
    """The text with ID numbers, phone numbers, e-mails and passport numbers masked.

    >>> mask("ID 310101199001011234, call 13812345678, a@b.cn")
    'ID 310101********1234, call 138****5678, a***@b.cn'
    """
    text = _ID_CARD.sub(lambda m: f"{m.group(1)}********{m.group(2)[-4:]}", text)
    text = _MOBILE.sub(lambda m: f"{m.group(1)}****{m.group(2)}", text)
    text = _LANDLINE.sub(lambda m: f"{m.group(1)}-****{m.group(2)}", text)
    text = _EMAIL.sub(lambda m: f"{m.group(1)}***@{m.group(2)}", text)
    return _PASSPORT.sub(lambda m: f"{m.group(1)}********", text)


def mask_obj(value: Any) -> Any:
    """``mask`` applied to every string inside dicts and lists."""
    if isinstance(value, str):
        return mask(value)
    if isinstance(value, dict):
        return {k: mask_obj(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [mask_obj(v) for v in value]
    return value
