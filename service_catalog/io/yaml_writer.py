"""One service as the YAML file text of a catalogue folder, as the hand-written files look."""

from __future__ import annotations

import yaml

from ..model import Service

__all__ = ["SAMPLE_HEADER", "service_yaml"]

SAMPLE_HEADER = "# Sample data modelled on real Shanghai services; not an official record."
"""First line of every service file the importer writes (the catalogue requires the mark)."""


class _Dumper(yaml.SafeDumper):
    """Block style for multi-line strings; flow style for short text pairs, as the hand-written files do."""


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    if "\n" in value:
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|")
    return dumper.represent_scalar("tag:yaml.org,2002:str", value)


_Dumper.add_representer(str, _str)


def service_yaml(service: Service) -> str:
    """The YAML file text for one service, starting with the sample-data mark."""
    data = service.model_dump(mode="python", by_alias=True, exclude_none=True)
    body = yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=100_000, default_flow_style=False)
    return f"{SAMPLE_HEADER}\n{body}"
