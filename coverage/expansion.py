"""Expansion planning: the cheapest way to bring every site that is not on gigabit there.

The new route runs from the site to the nearest in-service fibre: its length is the straight
line times the detour factor (real streets are not straight). Cost = route length × € per metre
of the construction method + the building connection (the pricing rule: `coverage.config.CostTable`).
A site that is connected below gigabit and whose handover node lies on in-service fibre already has
fibre at its door: it needs no new route, only its building connection (new termination) is counted.
Costs come as a range over `range_methods`, with the default method as the point estimate: these are
planning figures, not quotes.
"""

from __future__ import annotations

from collections.abc import Mapping

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from coverage.config import CoverageConfig, load_config
from coverage.in_service import in_service_lines
from coverage.status import site_status


def expansion_plan(
    frames: Mapping[str, gpd.GeoDataFrame], *, config: CoverageConfig | None = None, kinds: tuple[str, ...] = ()
) -> pd.DataFrame:
    """Estimate what connecting each site not yet on gigabit would cost: one row per site, cheapest per pupil first.

    New route is the straight distance to in-service fibre times the detour factor (1.3: real street
    networks average 1.2-1.35), priced per metre of the default construction method, with a range over the
    range methods, plus one building connection (`coverage.config.CostTable`; the defaults are in
    `coverage/defaults.toml` and docs/design.md, "Coverage words and thresholds"). A connected site whose
    handover node lies on in-service fibre (within 1 m) needs no new route. A site with no fibre anywhere
    gets no price (NaN).

    Parameters
    ----------
    frames : mapping of str to geopandas.GeoDataFrame
        The store's layers `sites`, `routes` and `nodes`, in EPSG:25832 (metres).
    config : CoverageConfig, optional
        Thresholds and the cost table (default `load_config()`).
    kinds : tuple of str
        Site kinds to plan for (e.g. ('school',)); empty: every kind.

    Returns
    -------
    pandas.DataFrame
        One row per site not on gigabit: site_id, name, kind, status, pupils, distance_to_fibre_m (metres,
        rounded), fibre_at_door (bool), new_route_m (metres), method, cost_eur, cost_low_eur, cost_high_eur,
        cost_per_pupil_eur (NaN without pupils); sorted by cost per pupil, cost, site id.

    Raises
    ------
    KeyError
        When `frames` lacks one of the layers named above.
    coverage.errors.ConfigError
        From `load_config` when no `config` is given and the configured TOML file is invalid.

    See Also
    --------
    plan_totals : the plan's sums.
    """
    config = config or load_config()
    sites, routes = frames["sites"], frames["routes"]
    status = site_status(sites, routes, config=config)
    todo = (status["status"] != "gigabit").to_numpy(dtype=bool)
    if kinds:
        todo = todo & sites["kind"].isin(kinds).to_numpy(dtype=bool)
    cost = config.cost
    distance = np.round(status["distance_to_fibre_m"].to_numpy(dtype=float))[todo]
    at_door = _fibre_at_door(sites, frames["nodes"], routes)[todo]
    straight = np.where(at_door, 0.0, distance)
    length = cost.route_m(np.where(np.isfinite(straight), straight, np.nan))  # no fibre at all: no price
    point = cost.laid_eur(length) + cost.building_connection_eur
    low, high = (eur + cost.building_connection_eur for eur in cost.laid_range_eur(length))
    chosen = sites[todo]
    pupils = chosen["pupils"].astype("Float64").to_numpy(dtype=float, na_value=np.nan)
    plan = pd.DataFrame(
        {
            "site_id": chosen["site_id"].to_numpy(dtype=object),
            "name": chosen["name"].to_numpy(dtype=object),
            "kind": chosen["kind"].to_numpy(dtype=object),
            "status": status["status"].to_numpy(dtype=object)[todo],
            "pupils": chosen["pupils"].to_numpy(),
            "distance_to_fibre_m": distance,
            "fibre_at_door": at_door,
            "new_route_m": length,
            "method": cost.default_method,
            "cost_eur": point,
            "cost_low_eur": low,
            "cost_high_eur": high,
            "cost_per_pupil_eur": np.divide(point, pupils, out=np.full_like(point, np.nan), where=pupils > 0),
        }
    )
    return plan.sort_values(["cost_per_pupil_eur", "cost_eur", "site_id"], na_position="last",
                            ignore_index=True)


FIBRE_AT_DOOR_M = 1.0
"""A connected site's handover node this close to in-service fibre has fibre at the door (metres): on the route up
to drawing precision (the project's own default, docs/design.md "Defaults without an outside source")."""


def _fibre_at_door(sites: gpd.GeoDataFrame, nodes: gpd.GeoDataFrame, routes: gpd.GeoDataFrame) -> np.ndarray:
    """Tell which connected sites have their handover node on in-service fibre (within `FIBRE_AT_DOOR_M`)."""
    node_xy = nodes.set_index("node_id").geometry
    handover = sites["handover_node_id"].map(node_xy)
    connected = (sites["connection"] == "connected").to_numpy(dtype=bool) & handover.notna().to_numpy(dtype=bool)
    out = np.zeros(len(sites), dtype=bool)
    lines = in_service_lines(routes)
    if connected.any() and len(lines):
        points = np.asarray(handover[connected].values, dtype=object)
        hit, _ = shapely.STRtree(lines).query(points, predicate="dwithin", distance=FIBRE_AT_DOOR_M)
        out[np.flatnonzero(connected)[np.unique(hit)]] = True
    return out


def plan_totals(plan: pd.DataFrame) -> dict[str, float]:
    """Sum up a plan: sites, new route km, cost (point, low, high); the same for schools only under `schools_`.

    Parameters
    ----------
    plan : pandas.DataFrame
        An expansion plan (`expansion_plan`).

    Returns
    -------
    dict of str to float
        sites, new_route_km (km, to 1 m), cost_eur, cost_low_eur, cost_high_eur (€, whole), and each again with
        the prefix `schools_` for the schools alone; sites without a price (NaN) add nothing to the sums.
    """
    schools = plan[plan["kind"] == "school"]
    out = {}
    for prefix, part in (("", plan), ("schools_", schools)):
        out[f"{prefix}sites"] = len(part)
        out[f"{prefix}new_route_km"] = round(float(np.nansum(part["new_route_m"])) / 1000, 3)
        for column in ("cost_eur", "cost_low_eur", "cost_high_eur"):
            out[f"{prefix}{column}"] = round(float(np.nansum(part[column])), 0)
    return out
