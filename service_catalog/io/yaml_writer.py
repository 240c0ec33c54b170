"""One service (or a list of events) as the YAML file text of a catalogue folder, as the hand-written files look."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import yaml

from ..model import HAN, Event, Service

__all__ = ["SAMPLE_HEADER", "events_yaml", "service_yaml"]

SAMPLE_HEADER = "# Sample data modelled on real Shanghai services; not an official record."
"""First line of every service file the importer writes (the catalogue requires the mark)."""


class _Dumper(yaml.SafeDumper):
    """Block style for multi-line strings; flow style for short text pairs, as the hand-written files do."""


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    if "\n" in value:
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|")
    return dumper.represent_scalar("tag:yaml.org,2002:str", value)


_Dumper.add_representer(str, _str)


def _one_language(node: Any) -> Any:
    """Texts of a one-language catalogue written with only the language they have."""
    if isinstance(node, dict):
        if set(node) == {"zh", "en"} and isinstance(node["zh"], str) and node["zh"] == node["en"]:
            return {"zh": node["zh"]} if HAN.search(node["zh"]) else {"en": node["en"]}
        return {k: _one_language(v) for k, v in node.items() if not (k in ("zh", "en") and v == [])}
    if isinstance(node, list):
        return [_one_language(v) for v in node]
    return node


def _dump(data: Any) -> str:
    return yaml.dump(_one_language(data), Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=100_000, default_flow_style=False)


def service_yaml(service: Service) -> str:
    """The YAML file text for one service, starting with the sample-data mark."""
    return f"{SAMPLE_HEADER}\n{_dump(service.model_dump(mode='python', by_alias=True, exclude_none=True))}"


def events_yaml(events: Iterable[Event]) -> str:
    """The YAML file text for a list of events (with their checklists), starting with the sample-data mark."""
    data = [e.model_dump(mode="python", exclude_none=True, exclude_defaults=True) | {"kind": e.kind} for e in events]
    return f"{SAMPLE_HEADER}\n{_dump(data)}"
