"""Failure impact of every element and the redundancy of every site, from one `CutIndex`.

Elements are what an operator names and what fails as one:
- a segment: one route record (all pieces of a route split at junctions fail together);
- a node: one graph vertex (an inventory node, or a junction where lines meet);
- a trench: every route with the same trench_id.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from topology.cuts import CutIndex, build_cut_index, isolated_ranges, node_cuts, segment_cuts
from topology.network import Network
from topology.reachability import reachability

IMPACT_COLUMNS = ["element", "element_id", "sites", "n_sites", "n_schools", "pupils", "n_business_parks", "n_vertices"]


def vertex_label(network: Network, vertex: int) -> str:
    """The inventory node id at `vertex`, else 'junction@x,y' (coordinates to 0.1 m)."""
    node_id = network.vertex_node_id[vertex]
    if node_id is not None:
        return str(node_id)
    x, y = network.vertex_xy[vertex]
    return f"junction@{x:.1f},{y:.1f}"


def _rows(index: CutIndex, element: str, ids: list[str], ranges: list[list[tuple[int, int]]]) -> pd.DataFrame:
    records = []
    for element_id, spans in zip(ids, ranges, strict=True):
        start = np.array([s for s, _ in spans], dtype=np.int64)
        stop = np.array([t for _, t in spans], dtype=np.int64)
        sums = index.range_sums(start, stop)
        records.append(
            {
                "element": element,
                "element_id": element_id,
                "sites": index.sites_in_ranges(spans),
                "n_sites": int(sums["sites"].sum()),
                "n_schools": int(sums["schools"].sum()),
                "pupils": int(sums["pupils"].sum()),
                "n_business_parks": int(sums["business_parks"].sum()),
                "n_vertices": int((stop - start).sum()),
            }
        )
    return pd.DataFrame(records, columns=IMPACT_COLUMNS)


def _groups(keys: np.ndarray) -> dict[str, np.ndarray]:
    """Edge indices per key (route id or trench id)."""
    order = np.argsort(keys, kind="stable")
    sorted_keys = keys[order]
    starts = np.flatnonzero(np.r_[True, sorted_keys[1:] != sorted_keys[:-1]])
    return {sorted_keys[s]: order[s:t] for s, t in zip(starts, np.r_[starts[1:], len(keys)], strict=True)}


def _group_impact(index: CutIndex, keys: np.ndarray, element: str) -> pd.DataFrame:
    """Impact of groups of edges failing together; single-edge groups take the vectorised bridge test."""
    groups = _groups(keys)
    single = {k: g[0] for k, g in groups.items() if len(g) == 1}
    bridges = segment_cuts(index).set_index("edge")
    ids, ranges = [], []
    for key, edge in single.items():
        if edge in bridges.index:
            ids.append(str(key))
            ranges.append([(int(bridges.at[edge, "start"]), int(bridges.at[edge, "stop"]))])
    for key, group in groups.items():
        if len(group) > 1:
            spans = isolated_ranges(index, group)
            if spans:
                ids.append(str(key))
                ranges.append(spans)
    return _rows(index, element, ids, ranges)


def segment_impact(index: CutIndex) -> pd.DataFrame:
    """Every route whose loss alone isolates part of the network."""
    return _group_impact(index, index.network.edge_route_id, "segment")


def trench_impact(index: CutIndex) -> pd.DataFrame:
    """Every trench whose loss (all its routes at once) isolates part of the network."""
    return _group_impact(index, index.network.edge_trench_id, "trench")


def node_impact(index: CutIndex) -> pd.DataFrame:
    """Every vertex whose loss isolates part of the network: itself and the subtrees it alone feeds."""
    network = index.network
    vertices, cuts = node_cuts(index)
    by_vertex = {v: list(zip(g["start"], g["stop"], strict=True)) for v, g in cuts.groupby("vertex")}
    ids, ranges = [], []
    for vertex in vertices.tolist():
        own = (int(index.tin[vertex]), int(index.tin[vertex]) + 1)
        spans = [own, *[(int(a), int(b)) for a, b in by_vertex.get(vertex, [])]]
        ids.append(vertex_label(network, vertex))
        ranges.append(spans)
    table = _rows(index, "node", ids, ranges)
    table["handover_only"] = table["n_vertices"] == 1
    keep = ~table["handover_only"] | (table["n_sites"] > 0)  # only itself, and nothing attached: no impact
    return table[keep].reset_index(drop=True)


def failure_impact(network: Network, *, index: CutIndex | None = None) -> pd.DataFrame:
    """The criticality table: every segment, node and trench whose loss isolates sites, most pupils first.

    Columns: element (segment, node, trench), element_id, sites (ids), n_sites, n_schools, pupils,
    n_business_parks, n_vertices (cut off, itself included for nodes), handover_only (a node that
    cuts off only the sites attached at it, e.g. a building entry).
    """
    index = index or build_cut_index(network)
    table = pd.concat([segment_impact(index), node_impact(index), trench_impact(index)], ignore_index=True)
    table["handover_only"] = table["handover_only"].astype("boolean").fillna(False).astype(bool)
    table = table[table["n_sites"] > 0]
    return table.sort_values(
        ["pupils", "n_sites", "n_vertices", "element", "element_id"],
        ascending=[False, False, False, True, True],
        kind="stable",
    ).reset_index(drop=True)


def site_redundancy(
    network: Network, *, index: CutIndex | None = None, impact: pd.DataFrame | None = None
) -> pd.DataFrame:
    """One row per site: reachability, distance, disjoint paths (capped at 2), single points of failure.

    `edge_disjoint_paths` / `node_disjoint_paths` are 0, 1 or 2 (two or more). A node SPOF list
    leaves out the site's own handover node, whose loss always cuts the site off. A site is
    `redundant` when it is reachable and no single segment, node or trench isolates it.
    """
    index = index or build_cut_index(network)
    if impact is None:
        impact = pd.concat([segment_impact(index), node_impact(index), trench_impact(index)], ignore_index=True)
    reach = reachability(network).set_index("site_id")
    spof = {kind: {} for kind in ("segment", "node", "trench")}
    for row in impact.itertuples(index=False):
        for site_id in row.sites:
            spof[row.element].setdefault(site_id, []).append(row.element_id)
    rows = []
    for site in network.sites.itertuples(index=False):
        reachable = bool(reach.at[site.site_id, "reachable"])
        own = vertex_label(network, int(site.vertex)) if site.vertex >= 0 else None
        segments = sorted(spof["segment"].get(site.site_id, []))
        nodes = sorted(n for n in spof["node"].get(site.site_id, []) if n != own)
        trenches = sorted(spof["trench"].get(site.site_id, []))
        at_core = site.vertex >= 0 and site.vertex in set(network.pop_vertices.tolist())
        rows.append(
            {
                "site_id": site.site_id,
                "name": site.name,
                "kind": site.kind,
                "pupils": site.pupils,
                "reachable": reachable,
                "distance_m": reach.at[site.site_id, "distance_m"],
                "hops": reach.at[site.site_id, "hops"],
                "pop": reach.at[site.site_id, "pop"],
                "edge_disjoint_paths": 0 if not reachable else (2 if at_core or not segments else 1),
                "node_disjoint_paths": 0 if not reachable else (2 if at_core or not (nodes or segments) else 1),
                "spof_segments": segments,
                "spof_nodes": nodes,
                "spof_trenches": trenches,
                "redundant": reachable and not (segments or nodes or trenches),
            }
        )
    return pd.DataFrame(rows)
