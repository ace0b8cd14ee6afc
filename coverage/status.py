"""The coverage status of every site, with its reason (a code and its values), distance to fibre and bandwidth
per head.

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


REASONS: dict[str, str] = {
    "bandwidth_unknown": "connected, bandwidth unknown",
    "below_gigabit": "connected at {bandwidth_mbps:g} Mbit/s, below {gigabit_mbps:g}",
    "symmetry_unknown": "connected at {bandwidth_mbps:g} Mbit/s, symmetry unknown",
    "asymmetric": "connected at {bandwidth_mbps:g} Mbit/s, asymmetric",
    "gigabit_symmetric": "connected at {bandwidth_mbps:g} Mbit/s symmetric",
    "gigabit": "connected at {bandwidth_mbps:g} Mbit/s",
    "planned_on": "connection planned for {planned_date:%Y-%m-%d}",
    "planned_no_date": "planned, no date set",
    "passed": "not connected; in-service fibre {distance_m:.0f} m away (≤ {limit_m:g} m)",
    "near": "not connected; in-service fibre {distance_m:.0f} m away (≤ {limit_m:g} m)",
    "gap": "not connected; in-service fibre {distance_m:.0f} m away (> {limit_m:g} m)",
    "gap_no_fibre": "not connected; no in-service fibre (> {limit_m:g} m)",
}
"""Each reason code of `site_status` and its English words (the CLI's); its values fill the placeholders:
bandwidth_mbps and gigabit_mbps in Mbit/s, distance_m and limit_m in metres, planned_date a pandas Timestamp.
The app words the codes in German and English through `app_pages.i18n` (keys `reason.<code>`)."""


def reason_text(code: str, values: dict) -> str:
    """The English sentence of a reason code with its values, e.g. ('near', {'distance_m': 42.3, 'limit_m': 150})
    -> 'not connected; in-service fibre 42 m away (≤ 150 m)'. KeyError for a code not in REASONS."""
    return REASONS[code].format(**values)


def _status(row, distance_m: float, config: CoverageConfig) -> tuple[str, str, dict]:
    """The status of one site, its reason code and the values the reason's words need."""
    t = config.status
    if row.connection == "connected":
        bandwidth = row.bandwidth_mbps
        if pd.isna(bandwidth):
            return "connected", "bandwidth_unknown", {}
        mbps = {"bandwidth_mbps": float(bandwidth)}
        if bandwidth < t.gigabit_mbps:
            return "connected", "below_gigabit", {**mbps, "gigabit_mbps": float(t.gigabit_mbps)}
        unknown = pd.isna(row.symmetric)
        if t.require_symmetric and (unknown or not bool(row.symmetric)):
            return "connected", "symmetry_unknown" if unknown else "asymmetric", mbps
        return "gigabit", "gigabit_symmetric" if t.require_symmetric else "gigabit", mbps
    if row.connection == "planned":
        when = row.planned_date
        if pd.isna(when):
            return "planned", "planned_no_date", {}
        return "planned", "planned_on", {"planned_date": pd.Timestamp(when)}
    if distance_m <= t.passed_m:
        return "passed", "passed", {"distance_m": float(distance_m), "limit_m": float(t.passed_m)}
    if distance_m <= t.near_m:
        return "near", "near", {"distance_m": float(distance_m), "limit_m": float(t.near_m)}
    if not np.isfinite(distance_m):
        return "gap", "gap_no_fibre", {"limit_m": float(t.near_m)}
    return "gap", "gap", {"distance_m": float(distance_m), "limit_m": float(t.near_m)}


def site_status(
    sites: gpd.GeoDataFrame, routes: gpd.GeoDataFrame, *, config: CoverageConfig | None = None
) -> pd.DataFrame:
    """One row per site, aligned to `sites`: status, reason_code (a key of REASONS) and reason_values (a dict
    for its words: `reason_text` in English, `app_pages.i18n` in the app), distance_to_fibre_m, and for schools
    mbps_per_head and meets_school_benchmark (bandwidth against pupils and staff)."""
    config = config or load_config()
    distance = distance_to_fibre_m(sites.geometry, routes)
    statuses, codes, values = zip(*(_status(row, d, config) for row, d in
                                    zip(sites.itertuples(index=False), distance, strict=True)), strict=True) \
        if len(sites) else ((), (), ())
    heads = sites["pupils"].astype("Float64") * (1 + config.schools.staff_per_pupil)
    is_school = sites["kind"] == "school"
    on_line = sites["connection"] == "connected"
    per_head = (sites["bandwidth_mbps"] / heads).where(is_school & on_line & (heads > 0))
    return pd.DataFrame(
        {
            "site_id": sites["site_id"],
            "status": pd.Categorical(statuses, categories=STATUSES),
            "reason_code": list(codes),
            "reason_values": list(values),
            "distance_to_fibre_m": np.where(np.isfinite(distance), distance, np.nan),
            "mbps_per_head": per_head.astype("Float64"),
            "meets_school_benchmark": (per_head >= config.schools.mbps_per_head).where(per_head.notna()),
        },
        index=sites.index,
    )
