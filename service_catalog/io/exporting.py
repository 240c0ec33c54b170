"""Writing a catalogue with a registered exporter."""

from __future__ import annotations

from pathlib import Path

from ..catalogue import Catalogue
from .registry import get_exporter

__all__ = ["export_catalogue"]


def export_catalogue(format: str, catalogue: Catalogue, out: Path) -> None:
    """Write ``catalogue`` to the file ``out`` in ``format`` (``csv``, ``jsonld`` or a registered add-on).

    Raises:
        ValueError: unknown format, or a value the format cannot represent.
    """
    exporter = get_exporter(format)
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    exporter(catalogue, out)
