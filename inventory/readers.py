"""Read GeoPackage, GeoJSON, Shapefile and CSV files into a raw frame in EPSG:25832.

The readers live in `inventory.formats` (one module per format, one registry); this module keeps
the names the rest of the project and its tests import.
"""

from __future__ import annotations

from inventory.formats import content_kind, read_file, supported_formats
from inventory.formats.base import RawData, ReadOptions, check_source_coordinates
from inventory.formats.csvtext import CSV_DEFAULT_ENCODING, MAX_CSV_CELL_CHARS, unneutralise_cell

__all__ = [
    "CSV_DEFAULT_ENCODING",
    "MAX_CSV_CELL_CHARS",
    "RawData",
    "ReadOptions",
    "check_source_coordinates",
    "content_kind",
    "read_file",
    "supported_formats",
    "unneutralise_cell",
]
