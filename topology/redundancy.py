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

SITE_COLUMNS = ["site_id", "name", "kind", "pupils", "connection", "on_network", "reachable", "distance_m", "hops",
                "pop", "edge_disjoint_paths", "node_disjoint_paths", "spof_segments", "spof_nodes", "spof_trenches",
                "redundant", "depends_on_pop"]
IMPACT_COLUMNS = ["element", "element_id", "sites", "n_sites", "n_schools", "pupils", "n_business_parks", "n_vertices"]


def vertex_label(network: Network, vertex: int) -> str:
    """The inventory node id at `vertex`, else 'junction@x,y' (coordinates to 0.1 m)."""
    node_id = network.vertex_node_id[vertex]
    if node_id is not None:
        return str(node_id)
    x, y = network.vertex_xy[vertex]
    return f"junction@{x:.1f},{y:.1f}"


def _table(
    index: CutIndex, element: str, ids: np.ndarray, owner: np.ndarray, start: np.ndarray, stop: np.ndarray
) -> pd.DataFrame:
    """Impact rows from ragged preorder ranges: range k [start[k], stop[k]) belongs to element owner[k]."""
    n = len(ids)
    owner, start, stop = (np.asarray(x, dtype=np.int64) for x in (owner, start, stop))
    sums = {name: np.bincount(owner, weights=p[stop] - p[start], minlength=n) for name, p in index.prefix.items()}
    tins = index.site_order["tin"].to_numpy()
    site_ids = index.site_order["site_id"].to_numpy(dtype=object)
    first, last = np.searchsorted(tins, start), np.searchsorted(tins, stop)
    lists: list[list[str]] = [[] for _ in range(n)]
    hit = last > first
    for k, a, b in zip(owner[hit].tolist(), first[hit].tolist(), last[hit].tolist(), strict=True):
        lists[k].extend(site_ids[a:b].tolist())
    return pd.DataFrame(
        {
            "element": element,
            "element_id": np.asarray(ids, dtype=object),
            "sites": lists,
            "n_sites": sums["sites"].round().astype(np.int64),
            "n_schools": sums["schools"].round().astype(np.int64),
            "pupils": sums["pupils"].round().astype(np.int64),
            "n_business_parks": sums["business_parks"].round().astype(np.int64),
            "n_vertices": np.bincount(owner, weights=stop - start, minlength=n).astype(np.int64),
        },
        columns=IMPACT_COLUMNS,
    )


def _group_impact(index: CutIndex, keys: np.ndarray, element: str) -> pd.DataFrame:
    """Impact of groups of edges failing together; single-edge groups take the vectorised bridge test."""
    unique, code, count = np.unique(keys.astype(str), return_inverse=True, return_counts=True)
    single = count[code] == 1
    bridges = segment_cuts(index)
    bridges = bridges[single[bridges["edge"].to_numpy()]]
    ids = list(keys[bridges["edge"].to_numpy()].astype(str))
    owner = list(range(len(ids)))
    start, stop = bridges["start"].tolist(), bridges["stop"].tolist()
    multi = np.flatnonzero(~single)
    multi = multi[np.argsort(code[multi], kind="stable")]
    bounds = np.flatnonzero(np.r_[True, code[multi][1:] != code[multi][:-1], True])
    for a, b in zip(bounds[:-1], bounds[1:], strict=True):
        spans = isolated_ranges(index, multi[a:b])
        if spans:
            ids.append(str(unique[code[multi[a]]]))
            owner += [len(ids) - 1] * len(spans)
            start += [s for s, _ in spans]
            stop += [t for _, t in spans]
    return _table(index, element, np.asarray(ids, dtype=object), np.asarray(owner), np.asarray(start), np.asarray(stop))


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
    row_of = np.full(len(index.parent), -1, dtype=np.int64)
    row_of[vertices] = np.arange(len(vertices))
    owner = np.concatenate([np.arange(len(vertices)), row_of[cuts["vertex"].to_numpy()]])
    start = np.concatenate([index.tin[vertices], cuts["start"].to_numpy()])
    stop = np.concatenate([index.tin[vertices] + 1, cuts["stop"].to_numpy()])
    n_vertices = np.bincount(owner, weights=stop - start, minlength=len(vertices))
    n_sites = np.bincount(
        owner, weights=index.prefix["sites"][stop] - index.prefix["sites"][start], minlength=len(vertices)
    )
    keep = (n_vertices > 1) | (n_sites > 0)  # only itself, and nothing attached: no impact
    new_row = np.cumsum(keep) - 1
    ranges = keep[owner]
    ids = np.array([vertex_label(network, v) for v in vertices[keep].tolist()], dtype=object)
    table = _table(index, "node", ids, new_row[owner[ranges]], start[ranges], stop[ranges])
    table["handover_only"] = table["n_vertices"] == 1
    return table


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

    The core (every in-service POP together) counts as one resilient end point: a POP's own
    outage is in the criticality table, but it does not make a site single-homed.

    - `connection`, `on_network`: the site's connection value, and whether it is on the network in
      the network's scenario (`Network.on_network`); a site that is not is never reachable.
    - `edge_disjoint_paths` / `node_disjoint_paths`: 0, 1 or 2 (two or more) paths from the site's
      vertex to the core that share no edge / no vertex besides their two ends, the ends being the
      site's vertex and the core with all its POPs taken as one vertex (so two paths may end at one
      POP). By Menger's theorem (K. Menger, "Zur allgemeinen Kurventheorie", Fund. Math. 10, 1927;
      e.g. Diestel, Graph Theory, 5th ed., Thm 3.3.1 and Cor. 3.3.5) these are the smallest number of
      edges / vertices (besides the site's own and the POPs) whose loss cuts the site off, where a
      site on a direct edge to a POP counts that edge as one path no vertex can cut: so 1 edge path
      by a single route means 1 node path, and `node_disjoint_paths <= edge_disjoint_paths` always.
      A site at a POP has 2 of each.
    - `spof_segments`, `spof_nodes`, `spof_trenches`: every route, node and trench whose loss
      alone cuts the site off; nodes leave out the site's own handover node (its loss always
      does) and the POPs.
    - `redundant`: reachable, and no single segment, node or trench cuts the site off.
    - `depends_on_pop`: the POP (node id) whose outage alone cuts the site off, because every path
      of the site runs through it (its own POP for a site at one); None if no single POP does. POP
      outages stay out of `spof_nodes` and do not make a site single-homed (docs/design.md).
    """
    index = index or build_cut_index(network)
    if impact is None:
        impact = pd.concat([segment_impact(index), node_impact(index), trench_impact(index)], ignore_index=True)
    reach = reachability(network, paths=False)
    spof = {kind: {} for kind in ("segment", "node", "trench")}
    for row in impact.itertuples(index=False):
        for site_id in row.sites:
            spof[row.element].setdefault(site_id, []).append(row.element_id)
    # path counts are about graph edges: a site behind a bridge (one piece of a route) has one edge path
    bridges = segment_cuts(index)
    behind_bridge = set(index.sites_in_ranges(list(zip(bridges["start"], bridges["stop"], strict=True))))
    core_labels = {vertex_label(network, v) for v in network.pop_vertices.tolist()}
    on_network = network.on_network()
    rows = []
    for site, joins, (reachable, distance_m, hops, pop) in zip(
        network.sites.itertuples(index=False),
        on_network.tolist(),
        reach[["reachable", "distance_m", "hops", "pop"]].itertuples(index=False, name=None),
        strict=True,
    ):
        own = vertex_label(network, int(site.vertex)) if site.vertex >= 0 else None
        segments = sorted(spof["segment"].get(site.site_id, []))
        cut_by_node = spof["node"].get(site.site_id, [])
        nodes = sorted(n for n in cut_by_node if n != own and n not in core_labels)
        pops = sorted(n for n in cut_by_node if n in core_labels)  # at most one: see the docstring
        trenches = sorted(spof["trench"].get(site.site_id, []))
        edge_paths = 0 if not reachable else (1 if site.site_id in behind_bridge else 2)
        # Menger, capped at 2: one path if a vertex separates the site from the core, else as many as edge
        # paths (no vertex separates a site on a direct edge to a POP: that edge's path has no inner vertex)
        node_paths = min(edge_paths, 1) if nodes else edge_paths
        rows.append(
            {
                "site_id": site.site_id,
                "name": site.name,
                "kind": site.kind,
                "pupils": site.pupils,
                "connection": site.connection,
                "on_network": bool(joins),
                "reachable": bool(reachable),
                "distance_m": distance_m,
                "hops": hops,
                "pop": pop,
                "edge_disjoint_paths": edge_paths,
                "node_disjoint_paths": node_paths,
                "spof_segments": segments,
                "spof_nodes": nodes,
                "spof_trenches": trenches,
                "redundant": reachable and not (segments or nodes or trenches),
                "depends_on_pop": pops[0] if pops else None,
            }
        )
    return pd.DataFrame(rows, columns=SITE_COLUMNS)
