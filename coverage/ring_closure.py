"""Ring closure: short new links between existing nodes that make single-homed sites redundant.

For every single-homed site, the part of the network that one of its single points of failure
would cut off is its "island". Candidates join an inventory node on the island to the nearest
inventory nodes off it, within `max_link_m`. Every candidate is then checked by the topology
engine: the link is added (in a trench of its own) and the redundancy analysis runs again; only
sites that are really redundant afterwards count. Ranked by sites, then pupils, made redundant
per euro.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import shapely

from coverage.config import CoverageConfig, load_config
from topology.cuts import CutIndex, build_cut_index, isolated_ranges
from topology.network import Network
from topology.redundancy import failure_impact, site_redundancy, vertex_label

COLUMNS = ["link_id", "from_node", "to_node", "length_m", "new_route_m", "cost_eur", "sites_made_redundant",
           "pupils_made_redundant", "sites", "sites_per_million_eur", "pupils_per_thousand_eur", "geometry"]


def with_link(network: Network, a: int, b: int, *, link_id: str, length_m: float) -> Network:
    """A copy of `network` with one more in-service edge a–b in a trench of its own."""
    line = shapely.LineString([network.vertex_xy[a], network.vertex_xy[b]])
    return dataclasses.replace(
        network,
        edge_u=np.append(network.edge_u, a),
        edge_v=np.append(network.edge_v, b),
        edge_id=np.append(network.edge_id, link_id),
        edge_route_id=np.append(network.edge_route_id, link_id),
        edge_trench_id=np.append(network.edge_trench_id, link_id),
        edge_length_m=np.append(network.edge_length_m, length_m),
        edge_geometry=np.append(network.edge_geometry, np.array([line], dtype=object)),
        findings=[],
    )


def _islands(index: CutIndex, network: Network, table: pd.DataFrame) -> dict[str, np.ndarray]:
    """Per single-homed site: the vertices that its single points of failure would cut off with it."""
    edges_of: dict[tuple[str, str], np.ndarray] = {}
    for kind, keys in (("segment", network.edge_route_id), ("trench", network.edge_trench_id)):
        for key in np.unique(keys):
            edges_of[(kind, key)] = np.flatnonzero(keys == key)
    vertex_of = {vertex_label(network, v): v for v in range(network.n_vertices)}
    islands = {}
    for row in table.itertuples(index=False):
        ranges = []
        for kind, ids in (("segment", row.spof_segments), ("trench", row.spof_trenches)):
            for element in ids:
                ranges += isolated_ranges(index, edges_of[(kind, element)])
        for node in row.spof_nodes:
            v = vertex_of[node]
            incident = np.flatnonzero((network.edge_u == v) | (network.edge_v == v))
            ranges += isolated_ranges(index, incident)
        vertices = np.unique(np.concatenate([index.order[a:b] for a, b in ranges])) if ranges else np.zeros(0, int)
        islands[row.site_id] = vertices[vertices < network.n_vertices]
    return islands


def ring_closures(network: Network, *, config: CoverageConfig | None = None, top: int | None = None) -> pd.DataFrame:
    """Candidate links, each verified by re-running the redundancy analysis with it added, best value first."""
    config = config or load_config()
    index = build_cut_index(network)
    before = site_redundancy(network, index=index, impact=failure_impact(network, index=index))
    single = before[before["reachable"] & ~before["redundant"]]
    if single.empty:
        return pd.DataFrame(columns=COLUMNS)
    islands = _islands(index, network, single)
    reachable = index.tin[: network.n_vertices] >= 0
    named = np.array([n is not None for n in network.vertex_node_id]) & reachable
    max_m, per_site = config.ring_closure.max_link_m, config.ring_closure.candidates_per_site
    candidates: dict[tuple[int, int], None] = {}
    for row in single.itertuples(index=False):
        island = islands[row.site_id]
        spof_nodes = {v for v in range(network.n_vertices) if vertex_label(network, v) in set(row.spof_nodes)}
        on = island[named[island]]
        off = np.flatnonzero(named)
        off = off[~np.isin(off, island) & ~np.isin(off, list(spof_nodes))]
        if not len(on) or not len(off):
            continue
        tree = shapely.STRtree(shapely.points(network.vertex_xy[off]))
        a_idx, b_idx = tree.query(shapely.points(network.vertex_xy[on]), predicate="dwithin", distance=max_m)
        if not len(a_idx):
            continue
        length = np.hypot(*(network.vertex_xy[on[a_idx]] - network.vertex_xy[off[b_idx]]).T)
        for k in np.argsort(length, kind="stable")[:per_site]:
            a, b = int(on[a_idx[k]]), int(off[b_idx[k]])
            candidates[(min(a, b), max(a, b))] = None
    single_ids = set(single["site_id"])
    pupils = dict(zip(before["site_id"], before["pupils"], strict=True))
    rows = []
    for a, b in candidates:
        straight = float(np.hypot(*(network.vertex_xy[a] - network.vertex_xy[b])))
        link_id = f"NEW {vertex_label(network, a)}–{vertex_label(network, b)}"
        route_m = straight * config.cost.detour_factor
        after = site_redundancy(with_link(network, a, b, link_id=link_id, length_m=route_m))
        fixed = sorted(set(after.loc[after["redundant"], "site_id"]) & single_ids)
        if not fixed:
            continue
        cost = config.cost.route_eur(straight)
        gained = int(sum(pupils[s] or 0 for s in fixed))
        rows.append({
            "link_id": link_id, "from_node": vertex_label(network, a), "to_node": vertex_label(network, b),
            "length_m": straight, "new_route_m": route_m, "cost_eur": cost, "sites_made_redundant": len(fixed),
            "pupils_made_redundant": gained, "sites": fixed, "sites_per_million_eur": len(fixed) / cost * 1e6,
            "pupils_per_thousand_eur": gained / cost * 1e3,
            "geometry": shapely.LineString([network.vertex_xy[a], network.vertex_xy[b]]),
        })
    table = pd.DataFrame(rows, columns=COLUMNS)
    table = table.sort_values(["sites_per_million_eur", "pupils_per_thousand_eur", "link_id"],
                              ascending=[False, False, True], ignore_index=True)
    return table.head(top) if top else table
