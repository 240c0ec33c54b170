"""Reading a rules file in either format."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from .errors import RulesetInvalid
from .px import convert_px, is_px
from .ruleset import ImportedRuleset
from .usagov import convert_usagov, is_usagov

__all__ = ["load_ruleset", "parse_ruleset"]


def parse_ruleset(data: Mapping[str, Any]) -> ImportedRuleset:
    """Convert already-decoded JSON data, in the format it is detected to be.

    Raises:
        RulesetInvalid: Data in neither format, or not in the format's shape.
    """
    if not isinstance(data, Mapping):
        raise RulesetInvalid("a rules file must hold a JSON object")
    if is_px(data):
        return convert_px(data)
    if is_usagov(data):
        return convert_usagov(data)
    raise RulesetInvalid("not a format we can import; known formats: px-benefit-finder, usagov-benefits-eligibility")


def load_ruleset(path: Path) -> ImportedRuleset:
    """Read a JSON rules file and convert it (see :func:`parse_ruleset`)."""
    return parse_ruleset(json.loads(path.read_text(encoding="utf-8")))
