"""Passed, near or gap for many address points (premises) at once: the distance to in-service fibre.

`premises_status` is the bulk counterpart of the site status (coverage/status.py) for points that
are not sites: the same thresholds (`[status] passed_m` and `near_m`), the same inclusive edges,
the distance to the nearest in-service route, fast enough for millions of points.

How: the in-service routes are cut into straight segments, and an STRtree over the segments'
envelopes gives the candidates near each point. The search runs in passes of growing radius
(passed_m, then near_m): a point whose nearest candidate lies within the pass's radius is settled,
because every segment within that distance is a candidate; the others go on to the next pass.
Candidates are measured with numpy (point to segment, exact). The few points beyond near_m get
their true distance from a nearest-neighbour search (`coverage.gaps.nearest_distance_m`).
Points are processed in chunks, which bounds the memory of the candidate pairs.
"""

from __future__ import annotations

from collections.abc import Sequence

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from coverage.config import CoverageConfig, load_config
from coverage.errors import InvalidPointsError
from coverage.gaps import in_service_lines, nearest_distance_m

PREMISES_STATUSES = ("passed", "near", "gap")
CHUNK = 100_000  # points per chunk; a chunk's candidate pairs are a few per point
_PAD = 1e-6  # metres added to each search box, so that rounding cannot drop a segment at the exact radius


def _xy(points) -> tuple[np.ndarray, pd.Index | None, object]:
    """(n, 2) float coordinates, the index to keep (GeoSeries only) and the CRS (GeoSeries only)."""
    if isinstance(points, gpd.GeoSeries | gpd.GeoDataFrame):
        geoms, index, crs = np.asarray(points.geometry.values, dtype=object), points.index, points.crs
    else:
        arr = np.asarray(points)
        if arr.dtype != object:
            arr = arr.astype(float, copy=False)
            if arr.ndim != 2 or arr.shape[1] != 2:
                raise InvalidPointsError(f"points: expected an (n, 2) array of x, y; got shape {arr.shape}",
                                         reason="shape")
            if not np.isfinite(arr).all():
                raise InvalidPointsError(f"points: {int((~np.isfinite(arr).all(axis=1)).sum())} rows with NaN or inf",
                                         reason="not_finite")
            return arr, None, None
        geoms, index, crs = arr.ravel(), None, None
    bad = ~(shapely.get_type_id(geoms) == shapely.GeometryType.POINT) | shapely.is_empty(geoms)
    if bad.any():
        where = np.flatnonzero(bad)
        raise InvalidPointsError(f"points: {len(where)} entries are not non-empty Points, e.g. at "
                                 f"{where[:5].tolist()}", reason="not_point")
    return np.column_stack([shapely.get_x(geoms), shapely.get_y(geoms)]), index, crs


def _segments(lines: np.ndarray) -> tuple[np.ndarray, ...]:
    """Start and end coordinates (ax, ay, bx, by) of every straight segment of `lines` (parts apart)."""
    coords, which = shapely.get_coordinates(shapely.get_parts(lines), return_index=True)
    same = which[1:] == which[:-1]
    a, b = coords[:-1][same], coords[1:][same]
    return a[:, 0].copy(), a[:, 1].copy(), b[:, 0].copy(), b[:, 1].copy()


def _point_segment_m(px, py, ax, ay, bx, by) -> np.ndarray:
    """Distance from each point to the segment of the same position (a zero-length segment is its end)."""
    dx, dy = bx - ax, by - ay
    wx, wy = px - ax, py - ay
    length2 = dx * dx + dy * dy
    t = np.clip((wx * dx + wy * dy) / np.where(length2 > 0, length2, 1.0), 0.0, 1.0)
    return np.hypot(wx - t * dx, wy - t * dy)


def _distance_within(xy: np.ndarray, tree: shapely.STRtree, seg: tuple[np.ndarray, ...], radii: Sequence[float]):
    """Distance to the nearest segment for points within max(radii) of one; inf for the others."""
    out = np.full(len(xy), np.inf)
    todo = np.arange(len(xy))
    ax, ay, bx, by = seg
    for radius in radii:
        if not len(todo):
            break
        x, y = xy[todo, 0], xy[todo, 1]
        half = radius + _PAD
        point_k, seg_k = tree.query(shapely.box(x - half, y - half, x + half, y + half))
        d = _point_segment_m(x[point_k], y[point_k], ax[seg_k], ay[seg_k], bx[seg_k], by[seg_k])
        best = np.full(len(todo), np.inf)
        np.minimum.at(best, point_k, d)
        settled = best <= radius
        out[todo[settled]] = best[settled]
        todo = todo[~settled]
    return out


def premises_status(points, routes: gpd.GeoDataFrame, *, config: CoverageConfig | None = None) -> pd.DataFrame:
    """Measure each point's `distance_m` to the nearest in-service route and class it passed, near or gap.

    passed: distance <= passed_m; near: <= near_m; gap: further away. The defaults, 20 m (the
    Bundesnetzagentur's homes-passed rule) and 150 m (the FCC's maximum drop length, 500 ft), and their
    sources are in docs/design.md, "Coverage words and thresholds". The distance is the true one for every
    point, gap points included; it is NaN (and the status gap) only when no route is in service. The
    search (an STRtree in passes of growing radius, then a nearest-neighbour search) is in the module text.

    Parameters
    ----------
    points : geopandas.GeoSeries, geopandas.GeoDataFrame, sequence of shapely.Point or array_like of shape (n, 2)
        The premises: a GeoSeries or GeoDataFrame of Points (its index is kept), a sequence of shapely
        Points, or x, y in the routes' CRS (EPSG:25832 metres).
    routes : geopandas.GeoDataFrame
        The routes layer (`status` and line geometries, EPSG:25832); only routes in service count.
    config : CoverageConfig, optional
        The thresholds `[status] passed_m` and `near_m` (metres); default `load_config()`.

    Returns
    -------
    pandas.DataFrame
        One row per point, indexed as `points` (a GeoSeries or GeoDataFrame) or 0..n-1: `distance_m`
        (float, metres) and `status` (categorical of `PREMISES_STATUSES`).

    Raises
    ------
    coverage.errors.InvalidPointsError
        With `reason` 'shape' (an array not of shape (n, 2)), 'not_finite' (NaN or inf), 'not_point'
        (missing, empty or non-point geometries) or 'crs' (points in another CRS than the routes).
    coverage.errors.ConfigError
        From `load_config` when no `config` is given and the configured TOML file is invalid.

    Examples
    --------
    >>> import shapely
    >>> routes = gpd.GeoDataFrame({"status": ["in_service"]}, geometry=[shapely.LineString([(0, 0), (100, 0)])],
    ...                           crs="EPSG:25832")
    >>> premises_status(np.array([[50.0, 10.0], [50.0, 100.0], [50.0, 500.0]]), routes)
       distance_m  status
    0        10.0  passed
    1       100.0    near
    2       500.0     gap
    """
    config = config or load_config()
    xy, index, crs = _xy(points)
    if crs is not None and routes.crs is not None and not routes.crs.equals(crs):
        raise InvalidPointsError(f"points are in {crs.to_string()}, routes in {routes.crs.to_string()}: reproject one "
                                 "of them", reason="crs")
    t = config.status
    lines = in_service_lines(routes)
    distance = np.full(len(xy), np.inf)
    if len(lines) and len(xy):
        seg = _segments(lines)
        tree = shapely.STRtree(
            shapely.box(np.minimum(seg[0], seg[2]), np.minimum(seg[1], seg[3]),
                        np.maximum(seg[0], seg[2]), np.maximum(seg[1], seg[3]))
        )
        radii = sorted({t.passed_m, t.near_m})
        for start in range(0, len(xy), CHUNK):
            distance[start : start + CHUNK] = _distance_within(xy[start : start + CHUNK], tree, seg, radii)
        far = np.flatnonzero(np.isinf(distance))
        if len(far):
            distance[far] = nearest_distance_m(xy[far], lines)
    status = np.where(distance <= t.passed_m, 0, np.where(distance <= t.near_m, 1, 2))
    return pd.DataFrame(
        {
            "distance_m": np.where(np.isfinite(distance), distance, np.nan),
            "status": pd.Categorical.from_codes(status, categories=list(PREMISES_STATUSES)),
        },
        index=index if index is not None else pd.RangeIndex(len(xy)),
    )
