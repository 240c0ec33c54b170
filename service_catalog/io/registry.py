"""Importers and exporters as registries, and the contract a format implements.

Formats register like add-ons: a module calls :func:`register_importer` /
:func:`register_exporter` when it is imported, and the built-in modules named in
:data:`BUILTIN_FORMATS` are imported the first time a format is looked up. A
third-party format only has to be imported (or appended to
``BUILTIN_FORMATS``) before the first look-up.

An importer reads a file into :class:`Entry` objects, collected in a
:class:`Parsed`: service-shaped data (the keys of
:class:`~service_catalog.model.Service`) plus where each entry came from, so
that every error can name the source file, the spreadsheet row (CSV) or the
entry (JSON-LD), and the source column or property, never our internal field
path. :func:`~service_catalog.io.importing.import_file` runs an importer;
:func:`~service_catalog.io.exporting.export_catalogue` runs an exporter.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..catalogue import Catalogue, Issue

__all__ = [
    "BUILTIN_FORMATS",
    "EXPORTERS",
    "IMPORTERS",
    "Entry",
    "Exporter",
    "Importer",
    "Loc",
    "Parsed",
    "get_exporter",
    "get_importer",
    "register_exporter",
    "register_importer",
]

BUILTIN_FORMATS: tuple[str, ...] = ("service_catalog.io.csv_io", "service_catalog.io.jsonld")
"""Modules that register the built-in formats when imported."""

Loc = tuple[Any, ...]


@dataclass(frozen=True)
class Entry:
    """One service as read from an import file, before validation.

    Attributes:
        file: The source file's name, as shown in errors.
        line: Spreadsheet row (header = 1) for CSV; None where rows make no sense.
        label: Prefix of every field named in errors (``@graph[3]`` for JSON-LD); empty for CSV.
        data: Service-shaped data; a key that is absent may be filled from the base catalogue.
        source_field: Maps a field path of :class:`Service` (a pydantic ``loc``) to the
            source's column or property name.
    """

    file: str
    line: int | None
    label: str
    data: dict[str, Any]
    source_field: Callable[[Loc], str]

    def issue(self, field_: str, message: str) -> Issue:
        """An error about this entry's ``field_`` (a source column or property)."""
        where = f"{self.label}.{field_}" if self.label and field_ else self.label or field_
        return Issue(self.file, self.line, where, message)


@dataclass
class Parsed:
    """What an importer read: entries, errors found while reading them, and what it ignored.

    In an entry's data a key that is absent was not given by the file (the base catalogue
    may fill it); a key whose value is ``None`` was given empty.
    """

    entries: list[Entry] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)
    ignored: tuple[str, ...] = ()


Importer = Callable[[Path], Parsed]
Exporter = Callable[[Catalogue, Path], None]

IMPORTERS: dict[str, Importer] = {}
"""Registered importers by format name."""
EXPORTERS: dict[str, Exporter] = {}
"""Registered exporters by format name."""

_loaded = False


def register_importer(name: str) -> Callable[[Importer], Importer]:
    """Decorator registering an importer under ``name`` (a later registration replaces it).

    Args:
        name: The format name used on the command line (``catalog import NAME``).

    Returns:
        A decorator that registers the function and returns it unchanged.
    """

    def wrap(fn: Importer) -> Importer:
        IMPORTERS[name] = fn
        return fn

    return wrap


def register_exporter(name: str) -> Callable[[Exporter], Exporter]:
    """Decorator registering an exporter under ``name`` (a later registration replaces it).

    Args:
        name: The format name used on the command line (``catalog export NAME``).

    Returns:
        A decorator that registers the function and returns it unchanged.
    """

    def wrap(fn: Exporter) -> Exporter:
        EXPORTERS[name] = fn
        return fn

    return wrap


def _load_builtins() -> None:
    global _loaded
    if not _loaded:
        for module in BUILTIN_FORMATS:
            importlib.import_module(module)
        _loaded = True


def get_importer(name: str) -> Importer:
    """The importer registered as ``name``.

    Raises:
        ValueError: no such format; the message lists the registered ones.
    """
    _load_builtins()
    try:
        return IMPORTERS[name]
    except KeyError:
        raise ValueError(f"unknown import format {name!r}; valid: {', '.join(sorted(IMPORTERS))}") from None


def get_exporter(name: str) -> Exporter:
    """The exporter registered as ``name``.

    Raises:
        ValueError: no such format; the message lists the registered ones.
    """
    _load_builtins()
    try:
        return EXPORTERS[name]
    except KeyError:
        raise ValueError(f"unknown export format {name!r}; valid: {', '.join(sorted(EXPORTERS))}") from None
