"""The gap map: a 100 m grid over the city with the distance to in-service fibre, and the uncovered areas.

A 100 m grid is what the federal broadband atlas uses. A cell is classed by the distance
from its centre; `covered_share` samples a 5 × 5 lattice inside the cell, because a class
per cell overstates coverage where fibre only touches a corner of a sparse cell.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import shapely

from coverage.config import CoverageConfig, load_config
from coverage.in_service import in_service_lines


def nearest_distance_m(xy: np.ndarray, lines: np.ndarray) -> np.ndarray:
    """Return the distance from each (x, y) to the nearest of `lines` (inf without lines).

    A nearest-neighbour query of a `shapely.STRtree` (the Sort-Tile-Recursive packed R-tree: S. T.
    Leutenegger, M. A. Lopez and J. Edgington, "STR: a simple and efficient algorithm for R-tree packing",
    ICDE 1997), exact distances by GEOS.

    Parameters
    ----------
    xy : numpy.ndarray
        Points, shape (n, 2), in metres (EPSG:25832).
    lines : numpy.ndarray
        Object array of shapely lines, shape (k,), in the same CRS.

    Returns
    -------
    numpy.ndarray
        Float array of shape (n,): metres to the nearest line; inf for every point when `lines` is empty.
    """
    if not len(lines):
        return np.full(len(xy), np.inf)
    points = shapely.points(xy)
    (point_idx, _), distance = shapely.STRtree(lines).query_nearest(points, return_distance=True, all_matches=False)
    out = np.full(len(xy), np.inf)
    out[point_idx] = distance
    return out


def gap_grid(
    city, routes: gpd.GeoDataFrame, *, cell_m: float = 100.0, config: CoverageConfig | None = None, samples: int = 5
) -> gpd.GeoDataFrame:
    """Lay a grid of square cells over `city` and class each cell by its distance to in-service fibre.

    The 100 m cell is the federal broadband atlas's; the classes use the site status thresholds (docs/design.md,
    "Coverage words and thresholds"). `covered_share` shows where a class per cell overstates coverage.

    Parameters
    ----------
    city : shapely.Polygon or shapely.MultiPolygon
        The area to cover, in EPSG:25832 (metres).
    routes : geopandas.GeoDataFrame
        The routes layer (its `status` column and line geometries), in the same CRS.
    cell_m : float
        The side of a cell, metres; cells are aligned to multiples of it.
    config : CoverageConfig, optional
        The thresholds `status.passed_m` and `status.near_m` (default `load_config()`).
    samples : int
        Points per side of the lattice sampled inside each cell for `covered_share` (samples² in all).

    Returns
    -------
    geopandas.GeoDataFrame
        One row per cell whose centre lies in `city`: cell_id ('<x0>_<y0>', its lower-left corner), distance_m
        (from the centre to in-service fibre, NaN without any), class ('passed', 'near' or 'gap' by that
        distance), covered_share (0..1, the share of the lattice within `near_m`) and the cell's square.

    Raises
    ------
    coverage.errors.ConfigError
        When no `config` is given and the configured TOML file cannot be used (`load_config`).
    """
    config = config or load_config()
    x0, y0, x1, y1 = city.bounds
    x0, y0 = np.floor(x0 / cell_m) * cell_m, np.floor(y0 / cell_m) * cell_m
    xs = np.arange(x0, x1, cell_m) + cell_m / 2
    ys = np.arange(y0, y1, cell_m) + cell_m / 2
    cx, cy = (a.ravel() for a in np.meshgrid(xs, ys))
    inside = shapely.contains_xy(city, cx, cy)
    cx, cy = cx[inside], cy[inside]
    lines = in_service_lines(routes)
    centre = nearest_distance_m(np.column_stack([cx, cy]), lines)
    offsets = (np.arange(samples) + 0.5) / samples * cell_m - cell_m / 2
    ox, oy = (a.ravel() for a in np.meshgrid(offsets, offsets))
    sample_xy = np.column_stack([(cx[:, None] + ox).ravel(), (cy[:, None] + oy).ravel()])
    sample = nearest_distance_m(sample_xy, lines).reshape(len(cx), -1)
    t = config.status
    klass = np.where(centre <= t.passed_m, "passed", np.where(centre <= t.near_m, "near", "gap"))
    half = cell_m / 2
    return gpd.GeoDataFrame(
        {
            "cell_id": [f"{int(x - half)}_{int(y - half)}" for x, y in zip(cx, cy, strict=True)],
            "distance_m": np.where(np.isfinite(centre), centre, np.nan),
            "class": klass,
            "covered_share": (sample <= t.near_m).mean(axis=1) if len(cx) else np.zeros(0),
        },
        geometry=shapely.box(cx - half, cy - half, cx + half, cy + half),
        crs=routes.crs,
    )


def uncovered_areas(city, routes: gpd.GeoDataFrame, *, config: CoverageConfig | None = None) -> gpd.GeoDataFrame:
    """Return the parts of `city` farther than the drop length from in-service fibre, largest first.

    The drop length is the `near` threshold, 150 m by default: the FCC's maximum drop length, 500 ft
    (docs/design.md, "Coverage words and thresholds"). The city minus the union of buffers of that radius
    around the routes in service.

    Parameters
    ----------
    city : shapely.Polygon or shapely.MultiPolygon
        The area to cover, in EPSG:25832 (metres).
    routes : geopandas.GeoDataFrame
        The routes layer (its `status` column and line geometries), in the same CRS.
    config : CoverageConfig, optional
        The drop length `status.near_m` (default `load_config()`).

    Returns
    -------
    geopandas.GeoDataFrame
        One row per polygon of what is left, with its area in `area_m2` (m²), largest first.

    Raises
    ------
    coverage.errors.ConfigError
        When no `config` is given and the configured TOML file cannot be used (`load_config`).
    """
    config = config or load_config()
    lines = in_service_lines(routes)
    corridor = shapely.union_all(shapely.buffer(lines, config.status.near_m, quad_segs=8)) if len(lines) else None
    rest = city if corridor is None else shapely.difference(city, corridor)
    parts = [g for g in shapely.get_parts(rest) if g.area > 0]
    frame = gpd.GeoDataFrame({"area_m2": [g.area for g in parts]}, geometry=parts, crs=routes.crs)
    return frame.sort_values("area_m2", ascending=False, ignore_index=True)
