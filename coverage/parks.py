"""Business parks: the share of each park's area within the drop length of in-service fibre."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from coverage.config import CoverageConfig, load_config
from coverage.in_service import in_service_lines


def park_coverage(
    site_areas: gpd.GeoDataFrame, routes: gpd.GeoDataFrame, *, config: CoverageConfig | None = None
) -> pd.DataFrame:
    """Measure the share of each business park's area within the drop length of in-service fibre.

    A park counts as covered when its whole area lies within the drop length (share ≥ 99.5 %,
    which absorbs rounding at polygon edges). The drop length is the `near` threshold (docs/design.md,
    "Coverage words and thresholds").

    Parameters
    ----------
    site_areas : geopandas.GeoDataFrame
        The parks' areas (site_id and polygons), in EPSG:25832 (metres).
    routes : geopandas.GeoDataFrame
        The routes layer (its `status` column and line geometries), in the same CRS.
    config : CoverageConfig, optional
        The drop length `status.near_m` (default `load_config()`).

    Returns
    -------
    pandas.DataFrame
        One row per area, with the index of `site_areas`: site_id, area_m2, covered_m2 (m² within `near_m` of
        in-service fibre), covered_share (0..1) and covered (bool).

    Raises
    ------
    coverage.errors.ConfigError
        When no `config` is given and the configured TOML file cannot be used (`load_config`).
    """
    config = config or load_config()
    reach_m = config.status.near_m
    lines = in_service_lines(routes)
    tree = shapely.STRtree(lines) if len(lines) else None
    covered = []
    for area in site_areas.geometry.values:
        if tree is None:
            covered.append(0.0)
            continue
        near = tree.query(area, predicate="dwithin", distance=reach_m)
        if not len(near):
            covered.append(0.0)
            continue
        corridor = shapely.union_all(shapely.buffer(lines[near], reach_m, quad_segs=16))
        covered.append(float(shapely.area(shapely.intersection(area, corridor))))
    area_m2 = shapely.area(np.asarray(site_areas.geometry.values, dtype=object)) if len(site_areas) else np.zeros(0)
    covered_m2 = np.minimum(np.asarray(covered, dtype=float), area_m2)
    share = np.divide(covered_m2, area_m2, out=np.zeros_like(area_m2), where=area_m2 > 0)
    return pd.DataFrame(
        {
            "site_id": site_areas["site_id"].to_numpy(dtype=object),
            "area_m2": area_m2,
            "covered_m2": covered_m2,
            "covered_share": share,
            "covered": share >= 0.995,
        },
        index=site_areas.index,
    )
