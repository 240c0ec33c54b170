"""Reading the sources' values: ids, yes/no words and option texts."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from service_catalog.model import SLUG

from .errors import RulesetInvalid

if TYPE_CHECKING:
    from .ruleset import ImportedQuestion

__all__ = ["NO", "YES", "flag", "option_for", "slug"]

_SLUG_RUN = re.compile(r"[^a-z0-9]+")
_STOP_WORDS = frozenset({"a", "an", "the", "of", "or", "and"})
# Acceptable values that name an option by another word.
_SYNONYMS = {"unmarried": "not married", "not married": "unmarried"}
YES = frozenset({"yes", "true"})
NO = frozenset({"no", "false"})


def slug(text: str, where: str) -> str:
    """``text`` itself when it is already one of our ids, else lower case with ``_`` between words."""
    if SLUG.fullmatch(text):
        return text
    made = _SLUG_RUN.sub("_", text.lower()).strip("_")
    if not made:
        raise RulesetInvalid(f"{where}: {text!r} gives an empty id", field=where)
    return made


def _words(text: str) -> frozenset[str]:
    return frozenset(re.findall(r"[a-z0-9]+", text.lower())) - _STOP_WORDS


def _squash(text: str) -> str:
    return " ".join(text.lower().split())


def option_for(question: ImportedQuestion, raw: str) -> tuple[str | None, str | None]:
    """(option value, how it was read) for a source value; (None, None) when no option fits."""
    by_label = {_squash(o.label): o.value for o in question.options}
    by_value = {o.value: o.value for o in question.options}
    key = _squash(raw)
    if key in by_label:
        return by_label[key], None
    if key in by_value:
        return by_value[key], None
    synonym = _SYNONYMS.get(key)
    if synonym is not None and synonym in by_label:
        return by_label[synonym], f"read {raw!r} as the option {synonym!r}"
    words = _words(raw)
    near = [o for o in question.options if _words(o.label) and _words(o.label) <= words]
    if len(near) == 1:
        return near[0].value, f"read {raw!r} as the option {near[0].label!r}"
    return None, None


def flag(value: Any, where: str) -> bool:
    """A yes/no value (true, "Yes", "false", ...) as a bool; RulesetInvalid otherwise."""
    if isinstance(value, bool):
        return value
    word = str(value).strip().lower()
    if word in YES:
        return True
    if word in NO:
        return False
    raise RulesetInvalid(f"{where}: {value!r} is not a yes/no value", field=where)
