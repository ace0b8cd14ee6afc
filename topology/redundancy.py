"""Failure impact of every element and the redundancy of every site, from one `CutIndex`.

Elements are what an operator names and what fails as one:
- a segment: one route record (all pieces of a route split at junctions fail together);
- a node: one graph vertex (an inventory node, or a junction where lines meet);
- a trench: every route with the same trench_id.
"""

from __future__ import annotations

import itertools

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
    """Name `vertex`: its inventory node id, else 'junction@x,y' (coordinates to 0.1 m).

    Parameters
    ----------
    network : Network
        The network (`build_network`).
    vertex : int
        The vertex index.

    Returns
    -------
    str
        The node id, e.g. 'POP-1', or e.g. 'junction@361234.5,5716789.0' for a vertex without a node.
    """
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
    return pd.DataFrame(
        {
            "element": element,
            "element_id": np.asarray(ids, dtype=object),
            "sites": _site_lists(index, n, owner, start, stop),
            "n_sites": sums["sites"].round().astype(np.int64),
            "n_schools": sums["schools"].round().astype(np.int64),
            "pupils": sums["pupils"].round().astype(np.int64),
            "n_business_parks": sums["business_parks"].round().astype(np.int64),
            "n_vertices": np.bincount(owner, weights=stop - start, minlength=n).astype(np.int64),
        },
        columns=IMPACT_COLUMNS,
    )


def _site_lists(index: CutIndex, n: int, owner: np.ndarray, start: np.ndarray, stop: np.ndarray) -> list[list[str]]:
    """List per element 0..n-1 the ids of the sites in its preorder ranges.

    Range by range, in the order given; within a range in preorder. Vectorised: one gather of every listed site,
    then one slice per element.
    """
    first, last = np.searchsorted(index.site_tin, start), np.searchsorted(index.site_tin, stop)
    hit = np.flatnonzero(last > first)
    hit = hit[np.argsort(owner[hit], kind="stable")]
    sizes = last[hit] - first[hit]
    total = int(sizes.sum())
    # positions in site_order: first[k], first[k] + 1, ... for every hit range k in turn
    offsets = np.cumsum(sizes) - sizes
    positions = np.arange(total, dtype=np.int64) - np.repeat(offsets - first[hit], sizes)
    flat = index.site_ids[positions].tolist()
    per_owner = np.bincount(owner[hit], weights=sizes, minlength=n).astype(np.int64)
    ends = np.cumsum(per_owner).tolist()
    begins = [0, *ends[:-1]] if n else []
    return [flat[a:b] for a, b in zip(begins, ends, strict=True)]


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
    """List every route whose loss alone isolates part of the network.

    Parameters
    ----------
    index : CutIndex
        The cut index of the network (`topology.cuts.build_cut_index`).

    Returns
    -------
    pandas.DataFrame
        `IMPACT_COLUMNS`, element 'segment', element_id the route id; also routes that cut off vertices but no
        site (`failure_impact` keeps only those that cut off sites).
    """
    return _group_impact(index, index.network.edge_route_id, "segment")


def trench_impact(index: CutIndex) -> pd.DataFrame:
    """List every trench whose loss (all its routes at once) isolates part of the network.

    Parameters
    ----------
    index : CutIndex
        The cut index of the network (`topology.cuts.build_cut_index`).

    Returns
    -------
    pandas.DataFrame
        `IMPACT_COLUMNS`, element 'trench', element_id the trench id; as `segment_impact`, also trenches that
        cut off no site.
    """
    return _group_impact(index, index.network.edge_trench_id, "trench")


def node_impact(index: CutIndex) -> pd.DataFrame:
    """List every vertex whose loss isolates part of the network: itself and the subtrees it alone feeds.

    Parameters
    ----------
    index : CutIndex
        The cut index of the network (`topology.cuts.build_cut_index`).

    Returns
    -------
    pandas.DataFrame
        `IMPACT_COLUMNS` and handover_only (True when the node cuts off only itself, i.e. the sites attached
        at it), element 'node', element_id its node id or junction label (`vertex_label`); a vertex with no
        site and nothing below it has no row.
    """
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
    """Build the criticality table: every segment, node and trench whose loss isolates sites, most pupils first.

    From the cut index (docs/design.md "Failure algorithms"): a segment cuts off the subtree below it when
    its cycle-space label is 0 (a bridge); a node each child subtree whose label, XORed with the back edges
    from it to the node, is 0; a trench each group of tree pieces whose leaving trench edges XOR to 0
    (Gaussian elimination over GF(2)). Exact but for a 2^-64 chance per test (Pritchard and Thurimella,
    ACM TALG 2011), and checked against remove-and-search-again in the tests.

    Parameters
    ----------
    network : Network
        The network (`build_network`).
    index : CutIndex, optional
        Its cut index (`build_cut_index`), reused when given.

    Returns
    -------
    pandas.DataFrame
        One row per element whose loss cuts off at least one site. Columns: element ('segment', 'node',
        'trench'), element_id (route id, node id or junction label, trench id), sites (list of ids),
        n_sites, n_schools, pupils, n_business_parks, n_vertices (cut off, itself included for nodes),
        handover_only (a node that cuts off only the sites attached at it, e.g. a building entry).

    Examples
    --------
    `network` is the square ring of `build_network`'s example (four routes in four trenches, a POP at one
    corner, a school 1 m off the opposite corner). Only nodes cut the school off alone:

    >>> failure_impact(network)[["element", "n_sites", "handover_only"]].to_dict("list")
    {'element': ['node', 'node'], 'n_sites': [1, 1], 'handover_only': [False, True]}
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
    """Tabulate per site its reachability, distance, disjoint paths (capped at 2) and single points of failure.

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
      outages stay out of `spof_nodes` and do not make a site single-homed (docs/design.md,
      "Redundancy words").

    Parameters
    ----------
    network : Network
        The network (`build_network`).
    index : CutIndex, optional
        Its cut index (`build_cut_index`), reused when given.
    impact : pandas.DataFrame, optional
        Segment, node and trench impact rows (`failure_impact`), reused when given.

    Returns
    -------
    pandas.DataFrame
        One row per row of `network.sites`, same order, with the columns `SITE_COLUMNS`: site_id, name,
        kind, pupils, the columns above, distance_m (metres along routes to the nearest POP; NaN when
        unreachable), hops (edges on that path) and pop (that POP).

    Examples
    --------
    `network` is the square ring of `build_network`'s example (four routes in four trenches, a POP at one
    corner, a school 1 m off the opposite corner).

    >>> row = site_redundancy(network).iloc[0]
    >>> bool(row["redundant"]), int(row["edge_disjoint_paths"]), float(row["distance_m"])
    (True, 2, 200.0)
    """
    index = index or build_cut_index(network)
    if impact is None:
        impact = pd.concat([segment_impact(index), node_impact(index), trench_impact(index)], ignore_index=True)
    reach = reachability(network, paths=False)
    site_ids = network.sites["site_id"].to_numpy(dtype=object)
    # one code per distinct site id: a site id listed in the impact table names every site row with that id
    site_code, distinct = pd.factorize(site_ids)
    n_distinct = len(distinct)
    element, element_id, listed = _impact_pairs(impact, distinct)
    vertex = network.sites["vertex"].to_numpy(dtype=np.int64)
    own = np.full(n_distinct, None, dtype=object)
    attached = np.flatnonzero(vertex >= 0)
    own[site_code[attached]] = [vertex_label(network, v) for v in vertex[attached].tolist()]
    core_labels = np.array(sorted({vertex_label(network, v) for v in network.pop_vertices.tolist()}), dtype=object)

    segments = _lists_per_site(listed[element == "segment"], element_id[element == "segment"], n_distinct)
    trenches = _lists_per_site(listed[element == "trench"], element_id[element == "trench"], n_distinct)
    node = element == "node"
    node_site, node_id = listed[node], element_id[node]
    at_core = np.isin(node_id, core_labels) if len(core_labels) else np.zeros(len(node_id), dtype=bool)
    inner = ~at_core & (node_id != own[node_site])
    nodes = _lists_per_site(node_site[inner], node_id[inner], n_distinct)
    pops = _lists_per_site(node_site[at_core], node_id[at_core], n_distinct)  # at most one: see the docstring
    depends_on_pop = np.array([p[0] if p else None for p in pops], dtype=object)

    # path counts are about graph edges: a site behind a bridge (one piece of a route) has one edge path
    bridges = segment_cuts(index)
    behind_bridge = np.zeros(n_distinct, dtype=bool)
    behind_bridge[pd.Index(distinct).get_indexer(
        _sites_in_ranges(index, bridges["start"].to_numpy(), bridges["stop"].to_numpy()))] = True
    has_segment = np.array([bool(x) for x in segments], dtype=bool)
    has_node = np.array([bool(x) for x in nodes], dtype=bool)
    has_trench = np.array([bool(x) for x in trenches], dtype=bool)

    reachable = reach["reachable"].to_numpy(dtype=bool)
    edge_paths = np.where(~reachable, 0, np.where(behind_bridge[site_code], 1, 2)).astype(np.int64)
    # Menger, capped at 2: one path if a vertex separates the site from the core, else as many as edge
    # paths (no vertex separates a site on a direct edge to a POP: that edge's path has no inner vertex)
    node_paths = np.where(has_node[site_code], np.minimum(edge_paths, 1), edge_paths)
    spof = has_segment | has_node | has_trench
    columns = {
        "site_id": site_ids,
        "name": network.sites["name"].to_numpy(dtype=object),
        "kind": network.sites["kind"].to_numpy(dtype=object),
        "pupils": network.sites["pupils"].to_numpy(),
        "connection": network.sites["connection"].to_numpy(dtype=object),
        "on_network": network.on_network().astype(bool),
        "reachable": reachable,
        "distance_m": reach["distance_m"].to_numpy(dtype=float),
        "hops": reach["hops"].astype(object).to_numpy(dtype=object),
        "pop": reach["pop"].to_numpy(dtype=object),
        "edge_disjoint_paths": edge_paths,
        "node_disjoint_paths": node_paths,
        "spof_segments": _per_row(segments, site_code),
        "spof_nodes": _per_row(nodes, site_code),
        "spof_trenches": _per_row(trenches, site_code),
        "redundant": reachable & ~spof[site_code],
        "depends_on_pop": depends_on_pop[site_code],
    }
    return pd.DataFrame(columns, columns=SITE_COLUMNS)


def _impact_pairs(impact: pd.DataFrame, distinct: pd.Index) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return (element, element_id, site code) for every site listed in every row of `impact`.

    The codes are positions in `distinct`; sites not among them are left out.
    """
    lists = impact["sites"].to_numpy(dtype=object)
    sizes = np.fromiter(map(len, lists), dtype=np.int64, count=len(lists))
    flat = np.fromiter(itertools.chain.from_iterable(lists), dtype=object, count=int(sizes.sum()))
    element = np.repeat(impact["element"].to_numpy(dtype=object), sizes)
    element_id = np.repeat(impact["element_id"].to_numpy(dtype=object), sizes)
    code = pd.Index(distinct).get_indexer(flat) if len(flat) else np.zeros(0, dtype=np.int64)
    known = code >= 0
    return element[known], element_id[known], code[known]


def _lists_per_site(site: np.ndarray, names: np.ndarray, n_sites: int) -> list[list[str]]:
    """Per site code 0..n_sites-1, the sorted list of the `names` paired with it."""
    out: list[list[str]] = [[] for _ in range(n_sites)]
    if not len(site):
        return out
    name_code, uniques = pd.factorize(names, sort=True)
    order = np.lexsort((name_code, site))
    site, names = site[order], names[order]
    bounds = np.flatnonzero(np.r_[True, site[1:] != site[:-1], True])
    for a, b in zip(bounds[:-1].tolist(), bounds[1:].tolist(), strict=True):
        out[int(site[a])] = names[a:b].tolist()
    return out


def _per_row(lists: list[list[str]], site_code: np.ndarray) -> list[list[str]]:
    """One list per site row (rows with the same site id get equal, separate lists)."""
    return [list(lists[c]) for c in site_code.tolist()]


def _sites_in_ranges(index: CutIndex, start: np.ndarray, stop: np.ndarray) -> np.ndarray:
    """Return the ids of the sites whose vertex lies in any preorder range [start, stop).

    As `CutIndex.sites_in_ranges`, vectorised: a difference array over the sites in preorder.
    """
    tins = index.site_order["tin"].to_numpy()
    ids = index.site_order["site_id"].to_numpy(dtype=object)
    if not len(start):
        return ids[:0]
    first, last = np.searchsorted(tins, start), np.searchsorted(tins, stop)
    cover = np.zeros(len(tins) + 1, dtype=np.int64)
    np.add.at(cover, first, 1)
    np.add.at(cover, last, -1)
    return ids[np.cumsum(cover[:-1]) > 0]
