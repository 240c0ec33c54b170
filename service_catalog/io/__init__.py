"""Import and export of catalogues: CSV and CPSV-AP JSON-LD, as registries of formats.

See ``README.md`` in this folder: :mod:`.registry` (how to add a format),
:mod:`.importing` (the import pipeline), :mod:`.exporting`, :mod:`.yaml_writer`.
"""

from .exporting import export_catalogue
from .importing import ImportResult, import_file
from .registry import (
    BUILTIN_FORMATS,
    EXPORTERS,
    IMPORTERS,
    Entry,
    Exporter,
    Importer,
    Parsed,
    get_exporter,
    get_importer,
    register_exporter,
    register_importer,
)

__all__ = [
    "BUILTIN_FORMATS",
    "EXPORTERS",
    "IMPORTERS",
    "Entry",
    "Exporter",
    "ImportResult",
    "Importer",
    "Parsed",
    "export_catalogue",
    "get_exporter",
    "get_importer",
    "import_file",
    "register_exporter",
    "register_importer",
]
