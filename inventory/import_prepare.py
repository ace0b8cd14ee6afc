"""Read, map and check a file's rows on their own, without a store: the first half of an import.

The reader reports what it cannot read, the column mapping renames and translates, `--explode` splits
multi-part lines, and `inventory.validation.check_frame` types every row against the layer's schema.
Problems in the data are collected, never raised; `inventory.importer` then compares the rows with the store.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd

from inventory.formats import read_file
from inventory.formats.base import ReadOptions
from inventory.formats.kml import BAD_COORDINATES
from inventory.frames import empty_frame
from inventory.mapping import COLUMN_UNMAPPED, ColumnMapping
from inventory.multipart import explode_multipart
from inventory.problems import Problem
from inventory.schema import get_layer
from inventory.validation import check_frame

UNREADABLE = {"file", "encoding", BAD_COORDINATES}
"""Reader problems after which no row can be checked."""
SOURCE_COORDINATE_RULES = {"geometry_axes_swapped", "geometry_crs_mismatch"}
"""Reader findings on coordinates in the file's own CRS (`inventory.formats.base.check_source_coordinates`)."""
PLACEMENT_RULES = {"geometry_outside_crs_area", "geometry_outside_nrw", "geometry_not_finite"}
"""Validation findings that follow from those and are not reported again for the same row."""


@dataclass
class Prepared:
    """A file read, mapped and checked on its own (`prepare_file`), before the store is compared.

    The typed rows (every schema column), a label per row, the schema fields the file carries (plus
    "geometry") and every problem found.
    """

    frame: gpd.GeoDataFrame
    labels: list[str]
    columns: list[str]
    problems: list[Problem]
    made_ids: set[str] = field(default_factory=set)
    """Ids that --explode made for the parts of multi-part lines (they must be new to the store)."""


def prepare_file(
    path: str | Path,
    layer: str,
    *,
    mapping: ColumnMapping | None = None,
    options: ReadOptions | None = None,
    strict: bool = False,
    explode: bool = False,
    patch: bool = False,
) -> Prepared:
    """Read, map and check a file's rows on their own, without a store.

    The reader (`inventory.formats.read_file`) reports what it cannot read, the mapping renames and
    translates, and `check_frame` types every row against the layer's schema; every problem is collected.

    Parameters
    ----------
    path : str or pathlib.Path
        The file (any format of `inventory.formats.FORMATS`).
    layer : str
        The target layer (nodes, routes, sites, site_areas, districts).
    mapping : ColumnMapping, optional
        How the file's columns become the schema's fields (default: names as they are).
    options : ReadOptions, optional
        CRS, coordinate or WKT columns, encoding, source layer and the like for formats that need them.
    strict : bool, default False
        File columns that map to no field are errors, not warnings.
    explode : bool, default False
        Multi-part lines become one route per part (`inventory.multipart`).
    patch : bool, default False
        For an upsert: a CSV without geometry columns patches attributes; its missing geometry and CRS are
        not problems here (`inventory.importer.import_file` refuses such a file only for new ids).

    Returns
    -------
    Prepared
        The typed frame (EPSG:25832), a label per row for messages, the columns the file carries, every
        problem (file, row, field, value found, expected, fix) and the ids `explode` made.

    Raises
    ------
    ValueError
        For an unknown layer name. Bad data never raises: it is in the problems.
    OSError
        When an existing file cannot be opened or read (`inventory.formats.read_file`).
    """
    spec = get_layer(layer)
    mapping = mapping or ColumnMapping()
    options = options or ReadOptions()
    if mapping.columns and not options.raw_columns:  # the user maps the file's own columns (e.g. OFDS GeoJSON's)
        options = dataclasses.replace(options, raw_columns=True)
    raw = read_file(path, layer, options)
    explode = explode or raw.split_at_nodes  # lines a reader cut at nodes: one record per part
    problems = list(raw.problems)
    attributes_only = patch and not raw.has_geometry
    if attributes_only:  # the reader's "no geometry columns" becomes the file's missing geometry column
        problems = [
            Problem(**{**p.__dict__, "field": "geometry"}) if p.rule == "column_missing" and p.field is None else p
            for p in problems
            if not (p.rule == "crs" and p.field == "crs" and p.value == "none")
        ]
    if any(p.rule in UNREADABLE and p.severity == "error" for p in problems):
        return Prepared(empty_frame(spec), [], [], problems)
    frame, mapping_problems = mapping.apply(raw.frame, spec, file=str(path))
    problems += [_strict(p) if strict else p for p in mapping_problems]
    labels = raw.labels
    # The fields the file carries, before --explode may add a trench_id for the parts it makes: the
    # other rows' stored trench must not be cleared by a column the file never had.
    columns = [c for c in spec.columns if c in frame.columns] + ([] if attributes_only else ["geometry"])
    made_ids: set[str] = set()
    if explode:
        before = set(frame[spec.key].astype(str)) if spec.key in frame.columns else set()
        frame, labels, explode_problems = explode_multipart(frame, spec, labels)
        problems += explode_problems
        made_ids = (set(frame[spec.key].astype(str)) - before) if spec.key in frame.columns else set()
    typed, row_problems = check_frame(frame, spec, row_labels=labels, file=str(path))
    # A geometry the reader could not parse is already reported; do not call it missing too.
    unreadable = {p.row for p in problems if p.rule in ("geometry_wkt", "coordinate")}
    row_problems = [p for p in row_problems if not (p.rule == "geometry_missing" and p.row in unreadable)]
    # Swapped axes or coordinates foreign to the CRS explain where the geometry landed; say it once.
    misplaced = {p.row for p in problems if p.rule in SOURCE_COORDINATE_RULES}
    row_problems = [p for p in row_problems if not (p.rule in PLACEMENT_RULES and p.row in misplaced)]
    if attributes_only:  # the geometry stays as stored; new ids are refused for the missing column
        row_problems = [p for p in row_problems if p.rule != "geometry_missing"]
    return Prepared(typed, labels, columns, problems + row_problems, made_ids)


def prepare(
    path: str | Path,
    layer: str,
    *,
    mapping: ColumnMapping | None = None,
    options: ReadOptions | None = None,
) -> tuple[gpd.GeoDataFrame, list[str], list[Problem]]:
    """Read, map and check a file's rows on their own, as `prepare_file` does with its defaults.

    Parameters
    ----------
    path : str or pathlib.Path
        The file (any format of `inventory.formats.FORMATS`).
    layer : str
        The target layer (nodes, routes, sites, site_areas, districts).
    mapping : ColumnMapping, optional
        How the file's columns become the schema's fields (default: names as they are).
    options : ReadOptions, optional
        CRS, coordinate or WKT columns, encoding, source layer and the like for formats that need them.

    Returns
    -------
    frame : geopandas.GeoDataFrame
        The typed rows (EPSG:25832).
    labels : list of str
        A label per row for messages.
    problems : list of Problem
        Every problem found.

    Raises
    ------
    ValueError
        For an unknown layer name.
    OSError
        When an existing file cannot be opened or read (`inventory.formats.read_file`).
    """
    prepared = prepare_file(path, layer, mapping=mapping, options=options)
    return prepared.frame, prepared.labels, prepared.problems


def _strict(problem: Problem) -> Problem:
    """Make an unmapped column's warning an error (`--strict`); return any other problem as it is."""
    if problem.rule != COLUMN_UNMAPPED or problem.severity == "error":
        return problem
    return Problem(**{**problem.__dict__, "severity": "error"})
