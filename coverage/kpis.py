"""KPIs per district (Stadtbezirk, Stadtteil) and for the whole city.

Sites are placed in districts by their location (not by the free-text `district` field),
routes are clipped to each district polygon.
"""

from __future__ import annotations

from collections.abc import Mapping

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from coverage.config import CoverageConfig, load_config
from coverage.in_service import in_service_lines
from coverage.parks import park_coverage
from coverage.status import STATUSES, site_status

CITY_ID = "CITY"


def district_areas(districts: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Return the districts plus one row for the whole city (the union of the top level).

    Parameters
    ----------
    districts : geopandas.GeoDataFrame
        The districts layer (district_id, name, level, parent_id; polygons), in EPSG:25832 (metres).

    Returns
    -------
    geopandas.GeoDataFrame
        The city row first (district_id `CITY_ID`, name 'Stadt gesamt', level 'city'; an empty polygon without
        districts), then every district, with the columns district_id, name, level, parent_id and geometry.
    """
    top = districts[districts["parent_id"].isna()]
    city = gpd.GeoDataFrame(
        {"district_id": [CITY_ID], "name": ["Stadt gesamt"], "level": ["city"], "parent_id": [None]},
        geometry=[shapely.union_all(top.geometry.values)] if len(top) else [shapely.Polygon()],
        crs=districts.crs,
    )
    columns = ["district_id", "name", "level", "parent_id", "geometry"]
    return pd.concat([city, districts[columns]], ignore_index=True)


def _membership(points: gpd.GeoSeries, areas: gpd.GeoDataFrame) -> tuple[np.ndarray, np.ndarray]:
    """(point index, area index) pairs of points inside areas."""
    if not len(points) or not len(areas):
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    area_idx, point_idx = shapely.STRtree(np.asarray(points.values, dtype=object)).query(
        np.asarray(areas.geometry.values, dtype=object), predicate="intersects"
    )
    return point_idx, area_idx


def _route_km(routes: gpd.GeoDataFrame, areas: gpd.GeoDataFrame) -> np.ndarray:
    lines = in_service_lines(routes)
    out = np.zeros(len(areas))
    if not len(lines):
        return out
    polygons = np.asarray(areas.geometry.values, dtype=object)
    area_idx, line_idx = shapely.STRtree(lines).query(polygons, predicate="intersects")
    lengths = shapely.length(shapely.intersection(lines[line_idx], polygons[area_idx]))
    np.add.at(out, area_idx, lengths / 1000)
    return out


def district_kpis(
    frames: Mapping[str, gpd.GeoDataFrame],
    *,
    config: CoverageConfig | None = None,
    redundancy: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Tabulate the coverage figures management reports: one row per district and one for the whole city.

    Schools by status and gigabit shares (`coverage.status.site_status`: gigabit means connected with at
    least `gigabit_mbps`, 1000 Mbit/s, symmetric: the EU Gigabit Society target), pupils on gigabit,
    business parks covered (`coverage.parks.park_coverage`: the whole area within `near_m`, 150 m, of
    in-service fibre), km of in-service route and km per km², single-homed sites, schools two trench cuts
    at once can cut off, and the distance to the target (gigabit for every school and park, full coverage of
    every park's area). A site counts in every district whose area it lies in; the city row is the union of the
    top-level districts. Thresholds and their sources: `coverage/defaults.toml`, docs/design.md,
    "Coverage words and thresholds".

    Parameters
    ----------
    frames : mapping of str to geopandas.GeoDataFrame
        The store's layers `sites`, `routes`, `districts` (with district_id, name, level, parent_id) and
        `site_areas`, in EPSG:25832 (metres).
    config : CoverageConfig, optional
        Thresholds (default `load_config()`).
    redundancy : pandas.DataFrame, optional
        The topology engine's site table (`topology.redundancy.site_redundancy`, or `Analysis.sites`) with
        site_id, reachable, redundant and, for `schools_two_trench_cuts`, trench_cuts_to_isolate. Without
        it `sites_single_homed` and `schools_two_trench_cuts` are NA.

    Returns
    -------
    pandas.DataFrame
        One row per district plus the city row (district_id `CITY_ID`), with district_id, name, level,
        parent_id, counts (schools, schools_<status> for each of `STATUSES`, business_parks, business_parks_gigabit,
        sites_single_homed, schools_two_trench_cuts, schools_to_target, business_parks_to_target), shares
        0..1 (share_schools_gigabit, share_pupils_gigabit, share_park_area_covered), pupils, pupils_gigabit,
        park_area_m2, park_area_covered_m2, area_km2, route_km and route_km_per_km2.

    Raises
    ------
    KeyError
        When `frames` lacks one of the layers named above.
    coverage.errors.ConfigError
        From `load_config` when no `config` is given and the configured TOML file is invalid (not TOML, an
        unknown key, or contradicting values).
    """
    config = config or load_config()
    sites, routes, districts = frames["sites"], frames["routes"], frames["districts"]
    status = site_status(sites, routes, config=config)
    parks = park_coverage(frames["site_areas"], routes, config=config).set_index("site_id")
    areas = district_areas(districts)
    point_idx, area_idx = _membership(sites.geometry, areas)

    table = pd.DataFrame({"site": point_idx, "area": area_idx})
    table["kind"] = sites["kind"].to_numpy(dtype=object)[point_idx]
    table["status"] = status["status"].to_numpy(dtype=object)[point_idx]
    table["pupils"] = sites["pupils"].fillna(0).to_numpy(dtype=float)[point_idx]
    site_ids = sites["site_id"].to_numpy(dtype=object)
    table["park_area"] = [parks["area_m2"].get(site_ids[i], 0.0) for i in point_idx]
    table["park_covered"] = [parks["covered_m2"].get(site_ids[i], 0.0) for i in point_idx]
    single = set()
    if redundancy is not None:
        single = set(redundancy.loc[redundancy["reachable"] & ~redundancy["redundant"], "site_id"])
    table["single_homed"] = [site_ids[i] in single for i in point_idx]
    two_cuts = redundancy is not None and "trench_cuts_to_isolate" in redundancy
    two = set(redundancy.loc[redundancy["trench_cuts_to_isolate"] == 2, "site_id"]) if two_cuts else set()
    table["two_trench_cuts"] = [site_ids[i] in two for i in point_idx]

    n = len(areas)

    def count(mask) -> np.ndarray:
        return np.bincount(table["area"][mask], minlength=n)

    def total(mask, column) -> np.ndarray:
        return np.bincount(table["area"][mask], weights=table[column][mask], minlength=n)

    school = table["kind"] == "school"
    park = table["kind"] == "business_park"
    gigabit = table["status"] == "gigabit"
    out = areas[["district_id", "name", "level", "parent_id"]].copy()
    out["area_km2"] = shapely.area(np.asarray(areas.geometry.values, dtype=object)) / 1e6
    out["schools"] = count(school)
    for name in STATUSES:
        out[f"schools_{name}"] = count(school & (table["status"] == name))
    out["share_schools_gigabit"] = _share(out["schools_gigabit"], out["schools"])
    out["pupils"] = total(school, "pupils").astype(np.int64)
    out["pupils_gigabit"] = total(school & gigabit, "pupils").astype(np.int64)
    out["share_pupils_gigabit"] = _share(out["pupils_gigabit"], out["pupils"])
    out["business_parks"] = count(park)
    out["business_parks_gigabit"] = count(park & gigabit)
    out["park_area_m2"] = total(park, "park_area")
    out["park_area_covered_m2"] = total(park, "park_covered")
    out["share_park_area_covered"] = _share(out["park_area_covered_m2"], out["park_area_m2"])
    out["route_km"] = _route_km(routes, areas)
    out["route_km_per_km2"] = _share(out["route_km"], out["area_km2"])
    out["sites_single_homed"] = count(table["single_homed"]) if redundancy is not None else pd.NA
    out["schools_two_trench_cuts"] = count(school & table["two_trench_cuts"]) if two_cuts else pd.NA
    out["schools_to_target"] = out["schools"] - out["schools_gigabit"]
    out["business_parks_to_target"] = out["business_parks"] - out["business_parks_gigabit"]
    return out.reset_index(drop=True)


def _share(part, whole) -> pd.Series:
    part, whole = np.asarray(part, dtype=float), np.asarray(whole, dtype=float)
    return pd.Series(np.divide(part, whole, out=np.full_like(part, np.nan), where=whole > 0))
