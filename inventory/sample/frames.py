"""The layers as frames: node and route records with their ids, kinds and shared trench ids."""

from __future__ import annotations

from collections import Counter

import geopandas as gpd
import numpy as np
import shapely

from inventory.sample.base import OWNER, SYNTHETIC, slug
from inventory.sample.cables import Cable, Network
from inventory.schema import CRS


def node_ids(net: Network) -> list[str]:
    """POP-<STADTTEIL> for POPs, BE-<site_id> for building entries, N-00001... for the others.

    Parameters
    ----------
    net : Network
        The network; its node indices are positions in ``net.xy``.

    Returns
    -------
    list of str
        The id of every node, by node index (``N-`` numbers count from 1).
    """
    ids = []
    for n in range(len(net.xy)):
        if n in net.pops:
            ids.append("POP-" + slug(net.pops[n]))
        elif n in net.entries:
            ids.append("BE-" + net.entries[n]["site_id"])
        else:
            ids.append(f"N-{n + 1:05d}")
    return ids


def node_frame(net: Network, stadtteile: dict, rng: np.random.Generator) -> gpd.GeoDataFrame:
    """Every node with its kind (by role and degree), status, first year in service and name.

    Kinds: POPs and building entries by role; a node that drops leave from is a cabinet (20 %) or a
    closure; a node of degree 3 or more a junction (40 %), closure (45 %) or cabinet; an end a closure
    (80 %) or cabinet; any other a chamber (75 %) or closure. Nodes that `merge_chains` joined away
    (no cable ends there) are left out.

    Parameters
    ----------
    net : Network
        The finished network (after `merge_chains`).
    stadtteile : dict of str to shapely geometry
        Stadtteil name -> polygon (EPSG:25832), to name the cabinets ("cabinet Buer 3").
    rng : numpy.random.Generator
        The stage's random stream: one draw per node.

    Returns
    -------
    geopandas.GeoDataFrame
        The nodes layer's rows, by node index: ``node_id``, ``kind``, ``name``, ``status``, ``built_year``
        (the first in-service cable's year, or None), ``source`` and point ``geometry``, CRS EPSG:25832.
    """
    ids = node_ids(net)
    years = net.node_years()
    neighbours: dict[int, set[int]] = {}
    for c in net.cables:
        neighbours.setdefault(c.u, set()).add(c.v)
        neighbours.setdefault(c.v, set()).add(c.u)
    drop_points = {c.u for c in net.cables if c.role == "drop"}
    points = shapely.points(np.array(net.xy))
    area = _stadtteil_of(points, stadtteile)
    cabinets: Counter[str] = Counter()
    rows = []
    for n, point in enumerate(points):
        if n not in neighbours:
            continue  # merged away: a bend of a route, not a node
        kind = _node_kind(n, net, len(neighbours[n]), n in drop_points, rng)
        name = None
        if kind == "pop":
            name = f"POP {net.pops[n]}"
        elif kind == "building_entry":
            name = f"building entry {net.entries[n]['name']}"
        elif kind == "cabinet":
            cabinets[area[n]] += 1
            name = f"cabinet {area[n]} {cabinets[area[n]]}"
        status = net.entries[n]["status"] if n in net.entries else "in_service"
        rows.append(
            {
                "node_id": ids[n],
                "kind": kind,
                "name": name,
                "status": status,
                "built_year": years.get(n),
                "source": SYNTHETIC,
                "geometry": point,
            }
        )
    return gpd.GeoDataFrame(rows, geometry="geometry", crs=CRS)


def _stadtteil_of(points: np.ndarray, stadtteile: dict) -> list[str]:
    names = np.full(len(points), "Gelsenkirchen", dtype=object)
    for name in sorted(stadtteile):
        names[shapely.contains(stadtteile[name], points)] = name
    return names.tolist()


def _node_kind(n: int, net: Network, degree: int, drop_point: bool, rng: np.random.Generator) -> str:
    draw = rng.random()  # one draw per node, so kinds stay put when one rule changes
    if n in net.pops:
        return "pop"
    if n in net.entries:
        return "building_entry"
    if drop_point:
        return "cabinet" if draw < 0.2 else "closure"
    if degree >= 3:
        return "junction" if draw < 0.4 else "closure" if draw < 0.85 else "cabinet"
    if degree == 1:
        return "closure" if draw < 0.8 else "cabinet"
    return "chamber" if draw < 0.75 else "closure"


def route_frame(net: Network, rng: np.random.Generator) -> gpd.GeoDataFrame:
    """Every cable as a route: ids, shared trench ids, fibres in use, geometry between its two nodes.

    Route ids are ``R-00001``... for trunk cables and ``D-<site_id>-<k>`` for the k-th drop of a site;
    they are also written to each cable's ``route_id`` (in place). An in-service cable uses 10-80 % of
    its fibres (uniform), any other none.

    Parameters
    ----------
    net : Network
        The finished network (after `set_cable_attributes`).
    rng : numpy.random.Generator
        The stage's random stream, for the fibres in use.

    Returns
    -------
    geopandas.GeoDataFrame
        The routes layer's rows, one per cable in ``net.cables`` order: ``route_id``, ``trench_id``,
        ``status``, ``fibre_count``, ``fibres_used``, ``method``, ``built_year``, ``planned_date``, ``owner``,
        ``source`` and LineString ``geometry`` through the cable's nodes, CRS EPSG:25832.
    """
    ids = node_ids(net)
    trunk_number = 0
    drop_number: Counter[int] = Counter()
    for c in net.cables:
        if c.role == "drop":
            drop_number[c.v] += 1
            c.route_id = f"D-{ids[c.v].removeprefix('BE-')}-{drop_number[c.v]}"
        else:
            trunk_number += 1
            c.route_id = f"R-{trunk_number:05d}"
    trenches = trench_ids(net.cables)
    rows = []
    for c in net.cables:
        used = int(c.fibre_count * rng.uniform(0.1, 0.8)) if c.status == "in_service" else 0
        rows.append(
            {
                "route_id": c.route_id,
                "trench_id": trenches[c.route_id],
                "status": c.status,
                "fibre_count": c.fibre_count,
                "fibres_used": used,
                "method": c.method,
                "built_year": c.built_year,
                "planned_date": c.planned_date,
                "owner": OWNER,
                "source": SYNTHETIC,
                "geometry": shapely.linestrings([net.xy[n] for n in (c.u, *c.via, c.v)]),
            }
        )
    return gpd.GeoDataFrame(rows, geometry="geometry", crs=CRS)


def trench_ids(cables: list[Cable]) -> dict[str, str]:
    """Route id -> trench id: 'TR-0001'... for trenches shared by several cables, else the route's own id.

    Parameters
    ----------
    cables : list of Cable
        The cables, their ``route_id`` set; shared trenches are numbered in the order of their first cable.

    Returns
    -------
    dict of str to str
        The trench id of every cable's route id.
    """
    members = Counter(c.trench for c in cables)
    shared: dict[str, str] = {}
    out = {}
    for c in cables:
        if members[c.trench] == 1:
            out[c.route_id] = c.route_id
            continue
        shared.setdefault(c.trench, f"TR-{len(shared) + 1:04d}")
        out[c.route_id] = shared[c.trench]
    return out
