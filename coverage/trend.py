"""KPIs over time: the years since 2016 from connection and build dates, and the planned path to the target.

What the inventory records, and so what this can and cannot say:
- a site counts as connected from the year of `connected_since`, with its current bandwidth
  (earlier bandwidths are not recorded, so past gigabit shares are an upper bound);
- a route counts from its `built_year`; retired routes are left out (their retirement year is
  not recorded);
- planned connections and routes count from the year of their `planned_date`; a planned
  connection is assumed to be gigabit (the target it is planned for).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

import geopandas as gpd
import numpy as np
import pandas as pd

from coverage.config import CoverageConfig, load_config
from coverage.in_service import in_service_mask

FIRST_YEAR = 2016


def _year(dates: pd.Series) -> np.ndarray:
    return dates.dt.year.astype("Float64").fillna(np.inf).to_numpy(dtype=float)


def kpis_by_year(
    frames: Mapping[str, gpd.GeoDataFrame],
    *,
    config: CoverageConfig | None = None,
    first_year: int = FIRST_YEAR,
    today: dt.date | None = None,
) -> pd.DataFrame:
    """Count the KPIs per year, from `first_year` to the last planned year.

    What the dates can and cannot say is in the module text; gigabit uses `config.status` as `coverage.status`
    does (a planned connection counts as gigabit from its year).

    Parameters
    ----------
    frames : mapping of str to geopandas.GeoDataFrame
        The store's layers `sites` and `routes`, in EPSG:25832 (metres).
    config : CoverageConfig, optional
        The gigabit threshold (default `load_config()`).
    first_year : int
        The first year of the table (default `FIRST_YEAR`).
    today : datetime.date, optional
        The date that separates actual from planned years (default: today).

    Returns
    -------
    pandas.DataFrame
        One row per year: year; kind ('actual' up to this year, else 'planned'); schools, schools_connected,
        schools_gigabit, share_schools_gigabit (0..1, NaN without schools), pupils_gigabit,
        business_parks_connected; route_km (km of route in service or planned by then).

    Raises
    ------
    coverage.errors.ConfigError
        When no `config` is given and the configured TOML file cannot be used (`load_config`).
    """
    config = config or load_config()
    today = today or dt.date.today()
    sites, routes = frames["sites"], frames["routes"]
    school = (sites["kind"] == "school").to_numpy(dtype=bool)
    park = (sites["kind"] == "business_park").to_numpy(dtype=bool)
    pupils = sites["pupils"].fillna(0).to_numpy(dtype=float)
    connected = (sites["connection"] == "connected").to_numpy(dtype=bool)
    planned = (sites["connection"] == "planned").to_numpy(dtype=bool)
    symmetric = sites["symmetric"].fillna(False).to_numpy(dtype=bool) | (not config.status.require_symmetric)
    gigabit_now = connected & (sites["bandwidth_mbps"].fillna(0).to_numpy(dtype=float) >= config.status.gigabit_mbps)
    gigabit_now &= symmetric
    since = np.where(connected, _year(sites["connected_since"]), np.inf)
    since = np.where(connected & ~np.isfinite(since), -np.inf, since)  # connected, date unknown: always counted
    planned_year = np.where(planned, _year(sites["planned_date"]), np.inf)

    in_service = in_service_mask(routes)
    route_planned = (routes["status"] == "planned").to_numpy(dtype=bool)
    length_km = routes.geometry.length.to_numpy() / 1000
    built = np.where(in_service, routes["built_year"].astype("Float64").fillna(-np.inf).to_numpy(dtype=float), np.inf)
    route_planned_year = np.where(route_planned, _year(routes["planned_date"]), np.inf)

    future = np.concatenate([planned_year, route_planned_year])
    last_year = int(max([today.year, *future[np.isfinite(future)].tolist()]))
    rows = []
    n_schools = int(school.sum())
    for year in range(first_year, last_year + 1):
        on = since <= year
        coming = planned_year <= year
        gig = (on & gigabit_now) | coming
        rows.append({
            "year": year,
            "kind": "actual" if year <= today.year else "planned",
            "schools": n_schools,
            "schools_connected": int((school & (on | coming)).sum()),
            "schools_gigabit": int((school & gig).sum()),
            "share_schools_gigabit": (school & gig).sum() / n_schools if n_schools else np.nan,
            "pupils_gigabit": int(pupils[school & gig].sum()),
            "business_parks_connected": int((park & (on | coming)).sum()),
            "route_km": float(length_km[(built <= year) | (route_planned_year <= year)].sum()),
        })
    return pd.DataFrame(rows)


def inventory_at_year_end(frames: Mapping[str, gpd.GeoDataFrame], year: int) -> dict[str, gpd.GeoDataFrame]:
    """Return the inventory as its own dates say it stood at the end of `year`, for comparing a KPI with then.

    The result has the same layers under the same rules, so any KPI function applies unchanged:

    - routes and nodes count from their `built_year`; those built later are left out, those without a
      year are kept (as `kpis_by_year` counts them: built before the records begin); retired and planned
      routes are left out (a retirement year is not recorded, and a plan is no past state), while nodes are
      kept whatever their status;
    - a site connected later (`connected_since` after `year`) was not connected then: its connection is
      'none', without bandwidth; a site connected at an unknown date counts as connected then;
    - every site, district and business-park area is kept (the places existed; their founding dates are
      not recorded).

    The same limits as `kpis_by_year` apply: earlier bandwidths are not recorded, so a site connected
    then has its current bandwidth.

    Parameters
    ----------
    frames : mapping of str to geopandas.GeoDataFrame
        The store's layers, at least `routes`, `nodes` and `sites`; any other layer is passed on unchanged.
    year : int
        The year whose end to go back to.

    Returns
    -------
    dict of str to geopandas.GeoDataFrame
        The same layers; `routes`, `nodes` and `sites` are copies as they stood then.
    """
    out = dict(frames)
    routes = frames["routes"]
    built = routes["built_year"].astype("Float64").fillna(-np.inf).to_numpy(dtype=float)
    out["routes"] = routes[in_service_mask(routes) & (built <= year)].copy()
    nodes = frames["nodes"]
    node_built = nodes["built_year"].astype("Float64").fillna(-np.inf).to_numpy(dtype=float)
    out["nodes"] = nodes[node_built <= year].copy()
    sites = frames["sites"].copy()
    later = ((sites["connection"] == "connected").to_numpy(dtype=bool)
             & (_year(sites["connected_since"]) > year) & np.isfinite(_year(sites["connected_since"])))
    if later.any():
        sites.loc[later, "connection"] = "none"
        sites.loc[later, ["bandwidth_mbps", "symmetric"]] = None
        sites.loc[later, "connected_since"] = pd.NaT
    out["sites"] = sites
    return out
