"""Sites on the network: the link each is connected from, its connection state, building entry and drops."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import shapely

from inventory.sample.base import (
    BE_OFFSET_M,
    FIRST_CONNECTION_YEAR,
    LARGE_SCHOOL_TYPES,
    LAST_YEAR,
    LOW_BANDWIDTHS,
    N_COLLAPSED_RING_SCHOOLS,
    N_DOUBLE_DROP_SCHOOLS,
    N_LEGACY_SCHOOLS,
    N_PLANNED_SCHOOLS,
    PARK_CONNECTION,
    PARK_EARLIEST_YEAR,
    PLANNED_YEARS,
    random_day,
)
from inventory.sample.cables import Cable, Network
from inventory.sample.grid import Grid


def site_attachments(grid: Grid, sites: pd.DataFrame) -> pd.DataFrame:
    """For each site the nearest grid link (u nearer, v farther) it is connected from.

    Parameters
    ----------
    grid : Grid
        The grid.
    sites : pandas.DataFrame
        The sites, with point ``geometry`` in EPSG:25832.

    Returns
    -------
    pandas.DataFrame
        Columns ``u`` and ``v`` (grid point indices: the link's end nearer to the site, then the other),
        indexed like `sites`.
    """
    lines = shapely.linestrings(np.stack([grid.xy[grid.edges[:, 0]], grid.xy[grid.edges[:, 1]]], axis=1))
    tree = shapely.STRtree(lines)
    points = sites["geometry"].to_numpy()
    _, nearest = tree.query_nearest(points, return_distance=False, all_matches=False)
    rows = []
    for point, e in zip(points, nearest.tolist(), strict=True):
        a, b = (int(n) for n in grid.edges[e])
        da, db = (np.hypot(*(grid.xy[n] - (point.x, point.y))) for n in (a, b))
        rows.append((a, b) if da <= db else (b, a))
    return pd.DataFrame(rows, columns=["u", "v"], index=sites.index)


def plan_connections(sites: pd.DataFrame, attach: pd.DataFrame, core: set[int], rng) -> pd.DataFrame:
    """Plan the connection state and drop style per site.

    Styles: loop (the ring is looped through the building: dual-homed), collapsed (looped in, but the
    spur back to the core carries both directions in one trench), double (two drop cables in one
    trench), single (one drop: single-homed), legacy (one old drop below gigabit), or None (not
    connected yet).

    Private schools are not connected; business parks as `PARK_CONNECTION` says. Of the schools
    outside the core, `N_PLANNED_SCHOOLS` are planned and `N_COLLAPSED_RING_SCHOOLS` collapsed; of those
    in it, `N_LEGACY_SCHOOLS` are legacy (one each of `LOW_BANDWIDTHS`) and `N_DOUBLE_DROP_SCHOOLS` double.
    Bandwidths: 10 000 Mbit/s for business parks and for large schools (`LARGE_SCHOOL_TYPES` or at least
    900 pupils) that are not single-homed; a single-homed school one of `LOW_BANDWIDTHS` in 30 % of
    cases; else 1000 Mbit/s.

    Parameters
    ----------
    sites : pandas.DataFrame
        The sites (schools and business parks): ``site_id``, ``kind``, ``name``, ``private``, ``pupils``,
        ``school_type``.
    attach : pandas.DataFrame
        Each site's grid link (`site_attachments`): ``u``, ``v``, indexed like `sites`.
    core : set of int
        Nodes 2-edge-connected to the POPs (`Network.core`); a site whose link has both ends there is
        in the core.
    rng : numpy.random.Generator
        The stage's random stream.

    Returns
    -------
    pandas.DataFrame
        One row per site, indexed like `sites`: the columns above, ``u`` and ``v`` of `attach`, ``in_core``
        (bool), ``connection`` ("connected", "planned" or "none"), ``style``, ``bandwidth_mbps`` (Mbit/s or
        None) and ``symmetric``.
    """
    plan = pd.concat([sites[["site_id", "kind", "name", "private", "pupils", "school_type"]], attach], axis=1)
    plan["in_core"] = [u in core and v in core for u, v in zip(plan["u"], plan["v"], strict=True)]
    plan["connection"] = "connected"
    plan.loc[plan["private"], "connection"] = "none"
    for name, state in PARK_CONNECTION.items():
        plan.loc[(plan["kind"] == "business_park") & (plan["name"] == name), "connection"] = state
    plan["style"] = np.where(plan["in_core"], "loop", "single")

    school = (plan["kind"] == "school") & (plan["connection"] == "connected")
    planned = _pick(plan.index[school & ~plan["in_core"]], N_PLANNED_SCHOOLS, rng)
    plan.loc[planned, "connection"] = "planned"
    outer = plan.index[school & ~plan["in_core"]].difference(planned)
    collapsed = _pick(outer, N_COLLAPSED_RING_SCHOOLS, rng)
    plan.loc[collapsed, "style"] = "collapsed"
    core_schools = plan.index[school & plan["in_core"]]
    legacy = _pick(core_schools, N_LEGACY_SCHOOLS, rng)
    plan.loc[legacy, "style"] = "legacy"
    double = _pick(core_schools.difference(legacy), N_DOUBLE_DROP_SCHOOLS, rng)
    plan.loc[double, "style"] = "double"
    plan.loc[plan["connection"] != "connected", "style"] = None
    plan[["bandwidth_mbps", "symmetric"]] = [_bandwidth(row, rng) for row in plan.itertuples()]
    for label, (mbps, symmetric) in zip(legacy, itertools.cycle(LOW_BANDWIDTHS)):  # each old product once
        plan.loc[label, ["bandwidth_mbps", "symmetric"]] = [mbps, symmetric]
    return plan


def _pick(index: pd.Index, count: int, rng: np.random.Generator) -> pd.Index:
    """`count` labels of `index` at random (fewer if there are fewer)."""
    chosen = rng.choice(len(index), size=min(count, len(index)), replace=False)
    return index[np.sort(chosen)]


def _bandwidth(row, rng: np.random.Generator) -> tuple[float | None, bool | None]:
    if row.connection != "connected":
        return None, None
    if row.kind == "business_park":
        return 10_000.0, True
    if row.style == "single" and rng.random() < 0.3:
        return LOW_BANDWIDTHS[int(rng.integers(len(LOW_BANDWIDTHS)))]
    large = row.school_type in LARGE_SCHOOL_TYPES or (pd.notna(row.pupils) and row.pupils >= 900)
    return (10_000.0 if large and row.style != "single" else 1000.0), True


def add_drops(net: Network, sites: pd.DataFrame, plan: pd.DataFrame, rng) -> pd.DataFrame:
    """Add a building entry and drop cable(s) per connected or planned site; return the sites' connection fields.

    The entry lies `BE_OFFSET_M` from the site towards its link (sites on one spot fan out by 40°).
    Drops have 48 fibres to a business park, 24 for loop and collapsed styles, else 12. A connected
    site is connected 0 to 4 years after the node(s) its drops start from came into service (not before
    `FIRST_CONNECTION_YEAR` or `PARK_EARLIEST_YEAR`, at most `LAST_YEAR`); a planned one gets a date in
    `PLANNED_YEARS`.

    Parameters
    ----------
    net : Network
        The network after `assign_build_years` (changed in place: entries and drop cables added).
    sites : pandas.DataFrame
        The sites, with ``site_id``, ``name`` and point ``geometry`` (EPSG:25832).
    plan : pandas.DataFrame
        The connection plan (`plan_connections`), row for row with `sites`.
    rng : numpy.random.Generator
        The stage's random stream.

    Returns
    -------
    pandas.DataFrame
        One row per site: ``site_id``, ``connection``, ``bandwidth_mbps`` (Mbit/s; None unless connected),
        ``symmetric``, ``connected_since`` and ``planned_date`` (pandas.Timestamp or None) and ``handover_node_id`` (the
        building entry's node index, or None).
    """
    years = net.node_years()
    rows = []
    for site, p in zip(sites.itertuples(), plan.itertuples(), strict=True):
        row = {
            "site_id": site.site_id,
            "connection": p.connection,
            "bandwidth_mbps": p.bandwidth_mbps,
            "symmetric": p.symmetric,
            "connected_since": None,
            "planned_date": None,
            "handover_node_id": None,
        }
        if p.connection == "none":
            rows.append(row)
            continue
        entry = _add_entry(net, site, p, sites)
        row["handover_node_id"] = entry
        if p.connection == "planned":
            date = random_day(rng, PLANNED_YEARS)
            row["planned_date"] = date
            _add_drop_cables(net, entry, p, status="planned", year=None, date=date)
        else:
            ready = max([years[p.u]] + ([years[p.v]] if p.style in ("loop", "collapsed") else []))
            earliest = max(ready, FIRST_CONNECTION_YEAR, PARK_EARLIEST_YEAR.get(site.name, 0))
            year = min(LAST_YEAR, earliest + int(rng.integers(0, 5)))
            row["connected_since"] = random_day(rng, (year,))
            _add_drop_cables(net, entry, p, status="in_service", year=year, date=None)
        rows.append(row)
    return pd.DataFrame(rows)


def _add_entry(net: Network, site, p, sites: pd.DataFrame) -> int:
    """Add a building entry BE_OFFSET_M from the site towards its link and return its node.

    Sites on one spot fan out.
    """
    same_spot = sites.index[sites["geometry"].apply(lambda g: g.equals(site.geometry))]
    rank = int(np.flatnonzero(same_spot == site.Index)[0])
    towards = np.array(net.xy[p.u]) - (site.geometry.x, site.geometry.y)
    angle = np.arctan2(towards[1], towards[0]) + np.radians(40.0) * rank
    x = round(site.geometry.x + BE_OFFSET_M * np.cos(angle), 2)
    y = round(site.geometry.y + BE_OFFSET_M * np.sin(angle), 2)
    net.xy.append((x, y))
    node = len(net.xy) - 1
    net.entries[node] = {
        "site_id": site.site_id,
        "name": site.name,
        "status": "in_service" if p.connection == "connected" else "planned",
    }
    return node


def _add_drop_cables(net: Network, entry: int, p, *, status: str, year: int | None, date) -> None:
    fibres = 48 if p.kind == "business_park" else 24 if p.style in ("loop", "collapsed") else 12
    legs = {
        "loop": [(p.u, "a"), (p.v, "b")],
        "collapsed": [(p.u, "a"), (p.v, "b")],
        "double": [(p.u, "a"), (p.u, "a")],
    }.get(p.style, [(p.u, "a")])
    for node, trench in legs:
        net.cables.append(
            Cable(
                node,
                entry,
                trench=f"d{p.site_id}{trench}",
                role="drop",
                status=status,
                built_year=year,
                planned_date=date,
                fibre_count=fibres,
            )
        )
