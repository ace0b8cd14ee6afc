"""What every format's reader shares: the read options, the result, CRS checks and reprojection.

A reader never stops at the first problem: it returns what it could read, a label per row
('line 12', 'feature 3') and every problem found on the way (`inventory.problems.Problem`).
"""

from __future__ import annotations

import os
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely
from pyproj import CRS as ProjCRS
from pyproj import Transformer
from pyproj.exceptions import CRSError

from inventory.geometry_checks import in_nrw
from inventory.problems import Problem
from inventory.schema import CRS


@dataclass
class ReadOptions:
    """How to read a file: declared CRS, CSV geometry columns, encoding, source layer.

    `encoding` None means the file's own: UTF-8 for CSV, GeoJSON and GeoPackage, the `.cpg`
    (or what the bytes show, see `inventory.dbf_encoding`) for a Shapefile. A given encoding
    (--encoding) applies to every format and overrides a Shapefile's `.cpg`.
    """

    crs: str | None = None
    x: str | None = None
    y: str | None = None
    wkt: str | None = None
    encoding: str | None = None
    source_layer: str | None = None
    force_2d: bool = False
    raw_columns: bool = False
    """Read a standard's file (OFDS GeoJSON) as its plain columns, not translated to the layer's fields: set
    when the user maps columns himself (`inventory.import_prepare.prepare_file`)."""


@dataclass
class RawData:
    """What a reader found: a frame (CRS already EPSG:25832), one label per row, problems."""

    frame: gpd.GeoDataFrame
    labels: list[str]
    problems: list[Problem] = field(default_factory=list)
    file_format: str = ""
    has_geometry: bool = True
    """False for a CSV without any geometry column (no WKT, no x/y, none named by an option): such a
    file can still patch the attributes of stored rows (`inventory.importer`)."""
    split_at_nodes: bool = False
    """True when the reader cut lines at the file's nodes into multi-part lines (KML): the importer gives
    each part its own record, as --explode does (`inventory.multipart.explode_multipart`)."""



def empty_frame() -> gpd.GeoDataFrame:
    """Return a frame without rows in the storage CRS (what a reader returns for a file it cannot read).

    Returns
    -------
    geopandas.GeoDataFrame
        No rows, only a `geometry` column, CRS EPSG:25832.

    Examples
    --------
    >>> frame = empty_frame()
    >>> len(frame), frame.crs.to_string()
    (0, 'EPSG:25832')
    """
    return gpd.GeoDataFrame(geometry=gpd.GeoSeries([], crs=CRS))


def unreadable(
    path: Path,
    layer: str,
    expected: str,
    value,
    fix: str,
    fmt: str = "",
    row: str | None = None,
    params: dict | None = None,
) -> RawData:
    """Return the result for a file that cannot be read at all: no rows, one `file` problem.

    Parameters
    ----------
    path : pathlib.Path
        The file, named in the problem.
    layer : str
        The target layer.
    expected : str
        What the file should have been, e.g. 'a readable GeoJSON file'.
    value : object
        What was found instead (GDAL's message, 'no such file', ...).
    fix : str
        What the user can do about it.
    fmt : str, optional
        The format's name for `RawData.file_format`; '' when not known yet.
    row : str, optional
        The row label ('line 12') when the problem sits in one row.
    params : dict, optional
        The problem's `Problem.params`: its `variant` (which of the rule's texts) and the values in them.

    Returns
    -------
    RawData
        An empty frame (`empty_frame`), no labels, and the one problem.
    """
    problem = Problem("file", layer, expected, row=row, value=value, fix=fix, file=str(path), params=params or {})
    return RawData(empty_frame(), [], [problem], fmt)


def crs_problem(path: Path, layer: str, expected: str, value, fix: str, params: dict | None = None) -> Problem:
    """Return a `crs` problem of the file at `path` for `layer`: what was expected, the value found and the fix.

    Parameters
    ----------
    path : pathlib.Path
        The file.
    layer : str
        The target layer.
    expected : str
        The CRS or coordinates that were expected.
    value : object
        What was found (the file's CRS, a coordinate pair, 'none').
    fix : str
        What the user can do, usually which --crs to pass.
    params : dict, optional
        The problem's `Problem.params`: its `variant` (which of the rule's texts) and the values in them.

    Returns
    -------
    Problem
        An error with rule 'crs' and field 'crs'.
    """
    return Problem("crs", layer, expected, field="crs", value=value, fix=fix, file=str(path), params=params or {})


def parse_crs(text: str | None, path: Path, layer: str, problems: list[Problem]) -> ProjCRS | None:
    """Return the CRS written as `text` (e.g. 'EPSG:25832'), or None for no text.

    Text pyproj cannot read adds a `crs` problem to `problems` and gives None.

    Parameters
    ----------
    text : str or None
        The user's --crs, any form pyproj reads ('EPSG:25832', a WKT, a PROJ string); None when not given.
    path : pathlib.Path
        The file being read, for the problem.
    layer : str
        The target layer, for the problem.
    problems : list of Problem
        Appended to (in place) when `text` is no CRS.

    Returns
    -------
    pyproj.CRS or None
        The CRS; None for no text or unreadable text.
    """
    if text is None:
        return None
    try:
        return ProjCRS.from_user_input(text)
    except CRSError:
        problems.append(crs_problem(path, layer, "a CRS like EPSG:25832 or EPSG:4326", text, "correct --crs",
                                    {"variant": "unknown"}))
        return None


def to_storage_crs(frame: gpd.GeoDataFrame, options: ReadOptions) -> gpd.GeoDataFrame:
    """`frame` in the storage CRS (EPSG:25832), made 2D first when `options.force_2d` asks for it.

    Parameters
    ----------
    frame : geopandas.GeoDataFrame
        A reader's rows in the file's CRS (or without a CRS, then left as it is).
    options : ReadOptions
        Only `force_2d` is used: drop z coordinates.

    Returns
    -------
    geopandas.GeoDataFrame
        The same rows reprojected (PROJ, through geopandas) to EPSG:25832, metres; `frame` itself when it is
        already there and nothing is made 2D.
    """
    if options.force_2d:
        frame = frame.set_geometry(shapely.force_2d(frame.geometry.values))
    if frame.crs is not None and not frame.crs.equals(ProjCRS.from_user_input(CRS)):
        frame = frame.to_crs(CRS)
    return frame


def number_text(value: float) -> str:
    """`value` in at most 10 significant digits, for messages (`1e+10`, `0.1`).

    Parameters
    ----------
    value : float
        A coordinate or other number.

    Returns
    -------
    str
        The number in `format` code '.10g'.

    Examples
    --------
    >>> number_text(368578.123456789), number_text(1e10)
    ('368578.1235', '1e+10')
    """
    return f"{value:.10g}"


def check_source_coordinates(
    frame: gpd.GeoDataFrame, labels: list[str], path: Path, layer: str, fmt: str
) -> list[Problem]:
    """Coordinates that do not fit the file's CRS, checked before reprojection (one problem per row).

    - `geometry_axes_swapped`: the geometry lies outside NRW, but with x and y exchanged it
      lies inside: latitude/longitude (or northing/easting) in the wrong order.
    - `geometry_crs_mismatch`: the coordinates cannot be reprojected from the file's CRS at
      all, e.g. UTM metres in a GeoJSON without a "crs" member (which means longitude/latitude).

    Geometries outside NRW for other reasons are left to `inventory.geometry_checks.check_geometry`.
    Each geometry is tested by the centre of its bounding box, transformed (PROJ) to EPSG:25832 and
    compared with `inventory.schema.NRW_BOUNDS`.

    Parameters
    ----------
    frame : geopandas.GeoDataFrame
        A reader's rows with the file's CRS set (not yet reprojected); a frame without CRS gives no problems.
    labels : list of str
        One label per row of `frame` ('line 12', 'feature 3').
    path : pathlib.Path
        The file, named in the problems.
    layer : str
        The target layer.
    fmt : str
        The format's name; 'CSV', 'GeoJSON' and 'Shapefile' get fixes of their own.

    Returns
    -------
    list of Problem
        Errors with rules 'geometry_axes_swapped' or 'geometry_crs_mismatch', at most one per row, in row
        order; rows with missing or empty geometry are skipped.
    """
    if frame.crs is None or len(frame) == 0:
        return []
    geoms = frame.geometry.values
    bounds = shapely.bounds(geoms)  # NaN for missing and empty geometries
    with np.errstate(invalid="ignore"):
        cx, cy = (bounds[:, 0] + bounds[:, 2]) / 2, (bounds[:, 1] + bounds[:, 3]) / 2
    rows = np.flatnonzero(np.isfinite(cx) & np.isfinite(cy))
    if not len(rows):
        return []
    to_storage = Transformer.from_crs(frame.crs, CRS, always_xy=True)
    x, y = to_storage.transform(cx[rows], cy[rows], errcheck=False)
    sx, sy = to_storage.transform(cy[rows], cx[rows], errcheck=False)
    x, y, sx, sy = (np.asarray(v, dtype=float) for v in (x, y, sx, sy))
    inside, swapped_inside = in_nrw(x, y), in_nrw(sx, sy)
    geographic = frame.crs.is_geographic
    names = ("longitude", "latitude") if geographic else ("x (easting)", "y (northing)")
    crs_name = frame.crs.to_string()
    problems = []
    suspect = (~inside & swapped_inside) | ~(np.isfinite(x) & np.isfinite(y))
    for k in np.flatnonzero(suspect).tolist():  # the others are fine: no message to build
        i = rows[k]
        found = f"x {number_text(cx[i])}, y {number_text(cy[i])} in {crs_name}"
        params = {"x": float(cx[i]), "y": float(cy[i]), "crs": crs_name, "format": fmt}
        if not inside[k] and swapped_inside[k]:
            fix = (
                "swap the coordinate columns (e.g. --x lat --y lon becomes --x lon --y lat) or the values"
                if fmt == "CSV"
                else "swap x and y in the file (QGIS: Processing > Swap X and Y coordinates)"
            )
            problems.append(
                Problem(
                    "geometry_axes_swapped",
                    layer,
                    f"{names[0]} as x and {names[1]} as y (exchanged, the place lies in NRW)",
                    row=labels[i],
                    field="geometry",
                    value=found,
                    fix=fix,
                    file=str(path),
                    params={**params, "variant": "csv" if fmt == "CSV" else None, "geographic": geographic},
                )
            )
        elif not (np.isfinite(x[k]) and np.isfinite(y[k])):
            if fmt == "GeoJSON":
                fix = (
                    'a GeoJSON without a "crs" member is longitude/latitude (RFC 7946): '
                    "reproject the file to EPSG:4326, or write it with its CRS"
                )
            elif fmt == "Shapefile":
                fix = "the .prj names the wrong CRS: correct it, or delete it and pass --crs"
            else:
                fix = "declare the CRS the coordinates are in, e.g. --crs EPSG:25832 for UTM metres"
            problems.append(
                Problem(
                    "geometry_crs_mismatch",
                    layer,
                    f"coordinates that exist in the file's CRS {crs_name}",
                    row=labels[i],
                    field="geometry",
                    value=found,
                    fix=fix,
                    file=str(path),
                    params={**params, "variant": fmt if fmt in ("GeoJSON", "Shapefile") else None},
                )
            )
    return problems


def atomic(target: Path, write) -> None:
    """Call `write(tmp)` on a temporary name beside `target`, then rename it: readers never see half a file.

    Parameters
    ----------
    target : pathlib.Path
        The file to write; replaced (`os.replace`) only when `write` succeeds.
    write : callable
        Called with the temporary path (a hidden name in the same folder, same suffix); writes the file.

    Notes
    -----
    When `write` or the rename raises, the temporary file is removed, `target` is unchanged and the error
    propagates.
    """
    tmp = target.with_name(f".{target.stem}.{uuid.uuid4().hex[:8]}.tmp{target.suffix}")
    try:
        write(tmp)
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
