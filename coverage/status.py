"""The coverage status of every site, with its reason, distance to fibre and bandwidth per head.

Statuses (docs/design.md, thresholds from `CoverageConfig`):
gigabit, connected, planned, passed, near, gap.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from coverage.config import CoverageConfig, load_config
from coverage.gaps import nearest_distance_m
from coverage.in_service import in_service_lines

STATUSES = ("gigabit", "connected", "planned", "passed", "near", "gap")


def distance_to_fibre_m(points: gpd.GeoSeries, routes: gpd.GeoDataFrame) -> np.ndarray:
    """Distance in metres from each point to the nearest in-service route (inf without any)."""
    return nearest_distance_m(shapely.get_coordinates(np.asarray(points.values, dtype=object)),
                              in_service_lines(routes))


def _status(row, distance_m: float, config: CoverageConfig) -> tuple[str, str]:
    t = config.status
    if row.connection == "connected":
        bandwidth = row.bandwidth_mbps
        if pd.isna(bandwidth):
            return "connected", "connected, bandwidth unknown"
        if bandwidth < t.gigabit_mbps:
            return "connected", f"connected at {bandwidth:g} Mbit/s, below {t.gigabit_mbps:g}"
        unknown = pd.isna(row.symmetric)
        if t.require_symmetric and (unknown or not bool(row.symmetric)):
            return "connected", f"connected at {bandwidth:g} Mbit/s, {'symmetry unknown' if unknown else 'asymmetric'}"
        return "gigabit", f"connected at {bandwidth:g} Mbit/s{' symmetric' if t.require_symmetric else ''}"
    if row.connection == "planned":
        when = row.planned_date
        return "planned", f"connection planned for {when:%Y-%m-%d}" if not pd.isna(when) else "planned, no date set"
    if distance_m <= t.passed_m:
        return "passed", f"not connected; in-service fibre {distance_m:.0f} m away (≤ {t.passed_m:g} m)"
    if distance_m <= t.near_m:
        return "near", f"not connected; in-service fibre {distance_m:.0f} m away (≤ {t.near_m:g} m)"
    far = "no in-service fibre" if not np.isfinite(distance_m) else f"in-service fibre {distance_m:.0f} m away"
    return "gap", f"not connected; {far} (> {t.near_m:g} m)"


def site_status(
    sites: gpd.GeoDataFrame, routes: gpd.GeoDataFrame, *, config: CoverageConfig | None = None
) -> pd.DataFrame:
    """One row per site, aligned to `sites`: status, reason, distance_to_fibre_m, and for schools
    mbps_per_head and meets_school_benchmark (bandwidth against pupils and staff)."""
    config = config or load_config()
    distance = distance_to_fibre_m(sites.geometry, routes)
    statuses, reasons = zip(*(_status(row, d, config) for row, d in
                              zip(sites.itertuples(index=False), distance, strict=True)), strict=True) \
        if len(sites) else ((), ())
    heads = sites["pupils"].astype("Float64") * (1 + config.schools.staff_per_pupil)
    is_school = sites["kind"] == "school"
    on_line = sites["connection"] == "connected"
    per_head = (sites["bandwidth_mbps"] / heads).where(is_school & on_line & (heads > 0))
    return pd.DataFrame(
        {
            "site_id": sites["site_id"],
            "status": pd.Categorical(statuses, categories=STATUSES),
            "reason": list(reasons),
            "distance_to_fibre_m": np.where(np.isfinite(distance), distance, np.nan),
            "mbps_per_head": per_head.astype("Float64"),
            "meets_school_benchmark": (per_head >= config.schools.mbps_per_head).where(per_head.notna()),
        },
        index=sites.index,
    )
