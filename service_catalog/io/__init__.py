"""Import and export of catalogues: CSV and CPSV-AP JSON-LD, as registries of formats.

See :mod:`service_catalog.io.registry` for the pipeline and how to add a format.
"""

from .registry import (
    BUILTIN_FORMATS,
    EXPORTERS,
    IMPORTERS,
    Entry,
    Exporter,
    Importer,
    ImportResult,
    Parsed,
    export_catalogue,
    get_exporter,
    get_importer,
    import_file,
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
