"""The coverage status of every site, with its reason, distance to fibre and bandwidth per head.

The statuses, worst coverage last, are gigabit, connected, planned, passed, near and gap (docs/design.md,
"Coverage words and thresholds"); their thresholds come from `CoverageConfig`. Each status comes with a reason:
a code (a key of `REASONS`) and the values its words need.
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
    """Return the distance in metres from each point to the nearest in-service route.

    Parameters
    ----------
    points : geopandas.GeoSeries
        Points, shape (n,), in EPSG:25832 (metres).
    routes : geopandas.GeoDataFrame
        The routes layer (its `status` column and line geometries), in the same CRS.

    Returns
    -------
    numpy.ndarray
        Float array of shape (n,): metres to the nearest route in service; inf for every point when no route
        is in service.
    """
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
"""Each reason code of `site_status` and its English words (the CLI's).

The reason's values fill the placeholders: bandwidth_mbps and gigabit_mbps in Mbit/s, distance_m and limit_m in
metres, planned_date a pandas Timestamp. The app words the codes in German and English through `app_pages.i18n`
(keys `reason.<code>`).
"""


def reason_text(code: str, values: dict) -> str:
    """Word a reason code with its values as an English sentence.

    Parameters
    ----------
    code : str
        A reason code, a key of `REASONS`.
    values : dict
        The reason's values (`site_status`'s reason_values): the placeholders of its words.

    Returns
    -------
    str
        The sentence, e.g. ('near', {'distance_m': 42.3, 'limit_m': 150}) -> 'not connected; in-service fibre
        42 m away (≤ 150 m)'.

    Raises
    ------
    KeyError
        For a code not in `REASONS`, or a placeholder missing from `values`.

    Examples
    --------
    >>> reason_text("below_gigabit", {"bandwidth_mbps": 250.0, "gigabit_mbps": 1000.0})
    'connected at 250 Mbit/s, below 1000'
    """
    return REASONS[code].format(**values)


def _status(row, distance_m: float, config: CoverageConfig) -> tuple[str, str, dict]:
    """Return the status of one site, its reason code and the values the reason's words need.

    The rules and their order are those of docs/design.md ("Coverage words and thresholds"): a connected site
    is gigabit or connected by its bandwidth (and symmetry, if required), a planned one is planned, and any
    other is passed, near or gap by `distance_m` against `config.status`.
    """
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
    """Return the coverage status of every site, with its reason, distance to fibre and bandwidth per head.

    Thresholds and their sources: docs/design.md, "Coverage words and thresholds" (`coverage.config.StatusThresholds`
    and `coverage.config.SchoolBenchmark`, defaults in `coverage/defaults.toml`).

    Parameters
    ----------
    sites : geopandas.GeoDataFrame
        The sites layer (`connection`, `bandwidth_mbps`, `symmetric`, `planned_date`, `kind`, `pupils` and point
        geometries), in EPSG:25832 (metres).
    routes : geopandas.GeoDataFrame
        The routes layer (its `status` column and line geometries), in the same CRS.
    config : CoverageConfig, optional
        The thresholds (default `load_config()`).

    Returns
    -------
    pandas.DataFrame
        One row per site, with the index and order of `sites`: site_id; status (categorical, `STATUSES`);
        reason_code (a key of `REASONS`) and reason_values (a dict for its words: `reason_text` in English,
        `app_pages.i18n` in the app); distance_to_fibre_m (metres to the nearest in-service route, NaN without
        any); and, for connected schools with pupils and a known bandwidth, mbps_per_head (Mbit/s per pupil and
        staff member) and meets_school_benchmark (bool), else missing.

    Raises
    ------
    coverage.errors.ConfigError
        From `load_config` when no `config` is given and the configured TOML file is invalid.
    """
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
