"""Geometry rules of a layer, which `inventory.validation.check_frame` runs on every record.

A geometry must be present, of the layer's type, 2D, finite, non-empty, valid, inside the storage CRS's area and
NRW; a multi-part line whose parts join end to end is merged (with a warning), one whose parts do not is refused
with a fix.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import lru_cache

import numpy as np
import shapely
from pyproj import CRS as ProjCRS
from pyproj import Transformer
from shapely.geometry import LineString, MultiLineString, MultiPoint, MultiPolygon, Point, Polygon

from inventory.frames import AsWritten, is_missing
from inventory.multipart import PARTS_MERGED, merge_touching_parts, part_ids
from inventory.problems import Problem
from inventory.schema import CRS, NRW_BOUNDS, Layer

GEOMETRY_FIXES = {
    "Point": "one point per record",
    "LineString": "one line per record",
    "MultiPolygon": "a polygon or multi-polygon",
}


@lru_cache(maxsize=1)
def storage_bounds() -> tuple[float, float, float, float]:
    """Return the area of use of the storage CRS, in its own coordinates (minx, miny, maxx, maxy)."""
    aou = ProjCRS.from_user_input(CRS).area_of_use
    to_utm = Transformer.from_crs("EPSG:4326", CRS, always_xy=True)
    xs, ys = to_utm.transform(
        [aou.west, aou.east, aou.west, aou.east, (aou.west + aou.east) / 2],
        [aou.south, aou.south, min(aou.north, 72.0), min(aou.north, 72.0), aou.south],
    )
    return (min(xs), min(ys), max(xs), max(ys))


def in_nrw(x, y) -> np.ndarray:
    """Whether EPSG:25832 coordinates lie within NRW_BOUNDS (element-wise; NaN and inf are outside).

    Parameters
    ----------
    x : array_like
        Eastings in metres (EPSG:25832), any shape.
    y : array_like
        Northings in metres (EPSG:25832), the shape of `x` (or broadcastable to it).

    Returns
    -------
    ndarray
        Of bool, the broadcast shape of `x` and `y`: True where the point lies within the bounds (edges
        included).

    Examples
    --------
    >>> in_nrw([368000.0, 0.0], [5710000.0, float("nan")]).tolist()
    [True, False]
    """
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    minx, miny, maxx, maxy = NRW_BOUNDS
    with np.errstate(invalid="ignore"):
        return (x >= minx) & (x <= maxx) & (y >= miny) & (y <= maxy)



def _coerce_geometry(geom, geometry_type: str):
    """Promote single-part geometries to the layer type where that loses nothing.

    A multi-part line whose parts join end to end becomes that one line (`merge_touching_parts`).
    """
    if geometry_type == "MultiPolygon" and isinstance(geom, Polygon):
        return MultiPolygon([geom])
    if geometry_type == "LineString" and isinstance(geom, MultiLineString) and len(geom.geoms) == 1:
        return geom.geoms[0]
    if geometry_type == "LineString" and isinstance(geom, MultiLineString) and len(geom.geoms) > 1:
        return merge_touching_parts(geom) or geom
    if geometry_type == "Point" and isinstance(geom, MultiPoint) and len(geom.geoms) == 1:
        return geom.geoms[0]
    return geom


_GEOM_CLASSES = {"Point": Point, "LineString": LineString, "MultiPolygon": MultiPolygon}


def _multipart_fix(identifier) -> str:
    """Return the fix for a line of parts that do not join: one record and id per part (QGIS copies the id)."""
    example = ", ".join(part_ids(str(identifier) if not is_missing(identifier) else "ID", 2))
    return (
        f"split it into one record per part with its own id (e.g. {example}) and the same trench_id "
        "(QGIS 'Multipart to singleparts' copies the id, so rename the parts), or import with --explode"
    )


def _plain_geometries(geoms: list, want: type) -> np.ndarray:
    """Return which geometries pass every rule of `check_geometry` as they are (a boolean array).

    They are tested over the whole array at once (shapely's vectorised functions): already of the
    layer's class (nothing to coerce), non-empty, 2D, finite, valid, with bounds inside the storage
    CRS's area and NRW. The others take the per-geometry path with its messages.
    """
    ok = np.array([type(g) is want for g in geoms], dtype=bool)
    if not ok.any():
        return ok
    positions = np.flatnonzero(ok)
    arr = np.empty(len(positions), dtype=object)
    arr[:] = [geoms[i] for i in positions]
    good = ~shapely.is_empty(arr) & ~shapely.has_z(arr)
    coords, owner = shapely.get_coordinates(arr, return_index=True)
    bad_coords = np.bincount(owner[~np.isfinite(coords).all(axis=1)], minlength=len(arr)) > 0
    good &= ~bad_coords
    good[good] = shapely.is_valid(arr[good])
    bounds = shapely.bounds(arr)
    minx, miny, maxx, maxy = storage_bounds()
    with np.errstate(invalid="ignore"):
        inside = (bounds[:, 0] >= minx) & (bounds[:, 2] <= maxx) & (bounds[:, 1] >= miny) & (bounds[:, 3] <= maxy)
    good &= inside & in_nrw(bounds[:, 0], bounds[:, 1]) & in_nrw(bounds[:, 2], bounds[:, 3])
    ok[positions] = good
    return ok


def check_geometry(
    geoms: Iterable,
    layer: Layer,
    labels: Sequence[str],
    file: str | None,
    *,
    ids: Sequence | None = None,
) -> tuple[list, list[Problem]]:
    """Check each geometry: present, right type, 2D, finite, non-empty, valid, inside the CRS area.

    A multi-part line whose parts join end to end is merged into one line, with a warning
    (PARTS_MERGED); one whose parts do not join is refused with a fix naming part ids made
    from `ids` (the records' ids, if known).

    Parameters
    ----------
    geoms : iterable of shapely geometries
        One geometry (or None/NaN when missing) per record, in EPSG:25832.
    layer : inventory.schema.Layer
        The layer; its `geometry_type` is the type wanted.
    labels : sequence of str
        One row label per geometry, for the messages.
    file : str or None
        The file the records come from, for the messages.
    ids : sequence or None, default None
        The records' ids, one per geometry, for the part ids a fix suggests; None when unknown.

    Returns
    -------
    geometries : list
        One geometry per record: coerced to the layer's type where that loses nothing (a Polygon to a
        MultiPolygon, a one-part multi to its part, touching line parts merged); None where missing. A refused
        geometry stays in the list; its error says why.
    problems : list of inventory.problems.Problem
        An error per refused geometry, and a PARTS_MERGED warning per merged line.
    """
    problems: list[Problem] = []
    out = []
    minx, miny, maxx, maxy = storage_bounds()
    want = _GEOM_CLASSES[layer.geometry_type]
    ids = list(ids) if ids is not None else [None] * len(labels)

    def add(label, value, expected, fix, rule, severity="error", params=None):
        problems.append(
            Problem(
                rule,
                layer.name,
                expected,
                row=label,
                field="geometry",
                value=value,
                fix=fix,
                file=file,
                severity=severity,
                params=params or {},
            )
        )

    geoms = list(geoms)
    plain = _plain_geometries(geoms, want)
    for geom, label, identifier, ok in zip(geoms, labels, ids, plain, strict=True):
        if ok:  # passes every rule below as it is
            out.append(geom)
            continue
        if geom is None or (isinstance(geom, float) and np.isnan(geom)):
            add(label, None, f"a {layer.geometry_type} geometry", "give every record a geometry", "geometry_missing",
                params={"geometry_type": layer.geometry_type})
            out.append(None)
            continue
        original = geom
        geom = _coerce_geometry(geom, layer.geometry_type)
        out.append(geom)
        multipart = isinstance(original, MultiLineString) and len(original.geoms) > 1
        if multipart and isinstance(geom, LineString) and layer.geometry_type == "LineString":
            add(
                label,
                AsWritten(f"a MultiLineString of {len(original.geoms)} parts that join end to end"),
                "geometry type LineString",
                "none needed: merged into one line; check it if the parts were meant as separate routes "
                "(then import with --explode)",
                PARTS_MERGED,
                severity="warning",
                params={"parts": len(original.geoms)},
            )
        if not isinstance(geom, want):
            if multipart and layer.geometry_type == "LineString":
                add(
                    label,
                    AsWritten(f"a MultiLineString of {len(original.geoms)} parts that do not join end to end"),
                    "geometry type LineString (one line per record)",
                    _multipart_fix(identifier),
                    "geometry_type",
                    params={"variant": "parts_apart", "parts": len(original.geoms),
                            "part_ids": part_ids(str(identifier) if not is_missing(identifier) else "ID", 2)},
                )
                continue
            add(
                label,
                geom.geom_type,
                f"geometry type {layer.geometry_type}",
                GEOMETRY_FIXES[layer.geometry_type],
                "geometry_type",
                params={"variant": layer.geometry_type, "geometry_type": layer.geometry_type},
            )
            continue
        if geom.is_empty:
            add(
                label,
                "an empty geometry",
                f"a non-empty {layer.geometry_type}",
                "remove the record or draw its geometry",
                "geometry_empty",
                params={"geometry_type": layer.geometry_type},
            )
            continue
        if shapely.has_z(geom):
            add(
                label,
                "3D coordinates (x, y, z)",
                "2D coordinates (x, y)",
                "drop Z values (import with --force-2d, or QGIS: Drop M/Z Values)",
                "geometry_3d",
            )
            continue
        coords = shapely.get_coordinates(geom)
        if not np.isfinite(coords).all():
            add(
                label,
                "NaN or infinite coordinates",
                "finite coordinates",
                "fix the coordinates of this record",
                "geometry_not_finite",
            )
            continue
        if not shapely.is_valid(geom):
            reason = shapely.is_valid_reason(geom)
            add(
                label,
                reason,
                "a valid geometry (OGC simple features)",
                "repair it (QGIS: Vector > Geometry Tools > Fix Geometries)",
                "geometry_invalid",
            )
            continue
        x0, y0, x1, y1 = geom.bounds
        if x0 < minx or x1 > maxx or y0 < miny or y1 > maxy:
            add(
                label,
                f"coordinates near ({x0:.1f}, {y0:.1f}) in {CRS}",
                f"coordinates inside the area of use of {CRS}",
                "check the declared CRS (--crs), and whether x/y or longitude/latitude are swapped",
                "geometry_outside_crs_area",
                params={"x": x0, "y": y0, "crs": CRS},
            )
            continue
        if not (in_nrw([x0, x1], [y0, y1]).all()):
            add(
                label,
                f"coordinates near ({x0:.1f}, {y0:.1f}) in {CRS}",
                f"coordinates in North Rhine-Westphalia (x {NRW_BOUNDS[0]:.0f} to {NRW_BOUNDS[2]:.0f}, "
                f"y {NRW_BOUNDS[1]:.0f} to {NRW_BOUNDS[3]:.0f} in {CRS})",
                "the file's CRS is probably wrong: check the declared CRS (--crs, the .prj or the GeoJSON crs)",
                "geometry_outside_nrw",
                params={"x": x0, "y": y0, "crs": CRS, "min_x": NRW_BOUNDS[0], "max_x": NRW_BOUNDS[2],
                        "min_y": NRW_BOUNDS[1], "max_y": NRW_BOUNDS[3]},
            )
    return out, problems
