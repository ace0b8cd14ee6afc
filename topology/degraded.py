"""Who loses their second path: for every segment, node and trench, the sites its loss leaves connected
but no longer redundant (issue 16.1).

A site is *degraded* by an element X when it is redundant (`site_redundancy`: reachable, no single
segment, trench or node other than a POP and its own handover node cuts it off), X alone does not cut
it off, and after X's loss it has a single point of failure: some segment, trench or node Y (not a
POP, not the site's own handover node) such that X and Y failing together cut it off.

Method. Every element is a set of edges of the `CutIndex` graph (super-source included): a segment
its route's edges, a trench its routes' edges, a node n every edge at n (its loss cuts the other
vertices off exactly when the loss of those edges does; n's own sites are cut off by n alone).
Random cycle-space labels (`topology.cuts`) make a set of edges F a cut (an element of the cut space)
iff the XOR of its labels is 0. If X and Y together cut off a vertex that neither cuts alone, a
minimal cut (a bond) D in X ∪ Y meets both, and XOR(D ∩ X) = XOR(D \\ X) ≠ 0 (0 would make a proper
part of a bond a cut): the GF(2) spans of X's and Y's labels share a non-zero value. So:

1. every element with at most `MAX_ENUMERATED_LABELS` distinct non-zero labels lists its span (all
   subset XORs; vectorised per size; a route of one edge has one value, a node of degree d has 2^d-1);
   elements sharing a value are candidate pairs (sort and group, near-linear in their number);
2. each candidate pair is decided exactly by `isolated_ranges(X ∪ Y)` (the GF(2) elimination over
   the pieces of the DFS tree); what X or Y cuts off alone, and the sites at a failed node, are left out;
3. an element with more distinct labels (a trench of many routes, a node of high degree: rare) is
   decided by the slower, documented method: remove it, rebuild the cut index and take every other
   element's single-failure impact on the rest (O(V + E) per such element).

Two edges e, f form a cut pair exactly when label(e) == label(f) != 0: the equal-label classes are
where the candidate pairs come from. A chain of L edges with one label (a ring of closures) gives
O(L^2) candidate pairs, whose answers (the arcs between them) are that large too. Probability of a
wrong answer: at most about (pairs tested) * 2^-64 per test.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from topology.cuts import CutIndex, build_cut_index, isolated_ranges
from topology.network import Network
from topology.redundancy import node_impact, segment_impact, site_redundancy, trench_impact, vertex_label

MAX_ENUMERATED_LABELS = 12
"""Elements with more distinct non-zero labels take the rebuild method (2^12 span values at most)."""
DEGRADED_COLUMNS = ["element", "element_id", "degraded_sites", "n_degraded_sites", "n_degraded_schools",
                    "degraded_pupils", "n_degraded_business_parks"]


@dataclass
class _Elements:
    kind: list[str]
    element_id: list[str]
    edges: list[np.ndarray]
    vertex: list[int]
    """The failed vertex of a node element, else -1."""
    may_be_second: list[bool]
    """May it be a site's single point of failure after another loss (not a POP)?"""


def _elements(index: CutIndex) -> _Elements:
    network = index.network
    out = _Elements([], [], [], [], [])
    for kind, keys in (("segment", network.edge_route_id), ("trench", network.edge_trench_id)):
        keys = keys.astype(str)
        if not len(keys):
            continue
        order = np.argsort(keys, kind="stable")
        unique, first = np.unique(keys[order], return_index=True)
        for key, edges in zip(unique.tolist(), np.split(order, first[1:]), strict=True):
            out.kind.append(kind)
            out.element_id.append(key)
            out.edges.append(edges.astype(np.int64))
            out.vertex.append(-1)
            out.may_be_second.append(True)
    # a node: every edge at it, the super-source's link to a POP included
    a, b = index.edge_a, index.edge_b
    loop = a == b
    ends = np.concatenate([a[~loop], b[~loop]])
    eids = np.concatenate([np.flatnonzero(~loop), np.flatnonzero(~loop)])
    order = np.argsort(ends, kind="stable")
    ends, eids = ends[order], eids[order]
    starts = np.searchsorted(ends, np.arange(len(index.parent) + 1))
    pops = set(network.pop_vertices.tolist())
    for v in range(network.n_vertices):
        if index.tin[v] < 0:
            continue  # unreachable: its loss changes nothing for a reachable site
        out.kind.append("node")
        out.element_id.append(vertex_label(network, v))
        out.edges.append(eids[starts[v]:starts[v + 1]])
        out.vertex.append(v)
        out.may_be_second.append(v not in pops)
    return out


def _span_values(labels: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """(value, element) for every non-zero XOR of a subset of each element's labels (its GF(2) span)."""
    sizes = np.array([len(x) for x in labels])
    values, owners = [], []
    for k in range(1, MAX_ENUMERATED_LABELS + 1):
        which = np.flatnonzero(sizes == k)
        if not len(which):
            continue
        matrix = np.stack([labels[i] for i in which])  # (n, k)
        span = np.zeros((len(which), 1 << k), dtype=np.uint64)
        for mask in range(1, 1 << k):
            low = (mask & -mask).bit_length() - 1
            span[:, mask] = span[:, mask & (mask - 1)] ^ matrix[:, low]
        span = span[:, 1:]
        values.append(span.ravel())
        owners.append(np.repeat(which, span.shape[1]))
    if not values:
        return np.zeros(0, dtype=np.uint64), np.zeros(0, dtype=np.int64)
    values, owners = np.concatenate(values), np.concatenate(owners)
    keep = values != 0
    return values[keep], owners[keep]


def _candidate_pairs(values: np.ndarray, owners: np.ndarray, n: int, useful: np.ndarray) -> np.ndarray:
    """Unique (i, j), i < j, of elements whose spans share a value, one of them `useful`."""
    if not len(values):
        return np.zeros((0, 2), dtype=np.int64)
    order = np.lexsort((owners, values))
    values, owners = values[order], owners[order]
    fresh = np.r_[True, (values[1:] != values[:-1]) | (owners[1:] != owners[:-1])]
    values, owners = values[fresh], owners[fresh]
    bounds = np.flatnonzero(np.r_[True, values[1:] != values[:-1], True])
    runs = np.flatnonzero(np.diff(bounds) > 1)
    found = []
    for r in runs.tolist():
        members = owners[bounds[r]:bounds[r + 1]]
        mine = members[useful[members]]
        if not len(mine):
            continue
        i, j = np.meshgrid(mine, members, indexing="ij")
        i, j = i.ravel(), j.ravel()
        keep = i != j
        low, high = np.minimum(i[keep], j[keep]), np.maximum(i[keep], j[keep])
        found.append(low * n + high)
    if not found:
        return np.zeros((0, 2), dtype=np.int64)
    codes = np.unique(np.concatenate(found))
    return np.stack([codes // n, codes % n], axis=1)


def _without(network: Network, edges: np.ndarray, vertices: np.ndarray) -> Network:
    """`network` with `edges` and every edge at `vertices` removed (the vertices stay, isolated; a removed
    POP leaves the core). Vertex numbers and labels are unchanged."""
    dead = np.zeros(network.n_edges, dtype=bool)
    dead[np.asarray(edges, dtype=np.int64)[np.asarray(edges) < network.n_edges]] = True
    vertices = np.asarray(vertices, dtype=np.int64)
    dead |= np.isin(network.edge_u, vertices) | np.isin(network.edge_v, vertices)
    keep = ~dead
    return replace(
        network,
        edge_u=network.edge_u[keep], edge_v=network.edge_v[keep], edge_id=network.edge_id[keep],
        edge_route_id=network.edge_route_id[keep], edge_trench_id=network.edge_trench_id[keep],
        edge_length_m=network.edge_length_m[keep], edge_geometry=network.edge_geometry[keep],
        pop_vertices=network.pop_vertices[~np.isin(network.pop_vertices, vertices)],
        findings=[],
    )


def without(network: Network, edges, vertices) -> Network:
    """`network` after the loss of `edges` (edge indices) and `vertices` (vertex indices): every edge at a
    lost vertex goes too, a lost POP leaves the core; vertex numbers, node labels and sites stay."""
    return _without(network, np.asarray(edges, dtype=np.int64), np.asarray(vertices, dtype=np.int64))


def degraded_sites(network: Network, *, index: CutIndex | None = None,
                   sites: pd.DataFrame | None = None) -> pd.DataFrame:
    """Every segment, node and trench whose loss leaves at least one site connected but single-homed.

    Returns one row per such element: element (segment, node, trench), element_id (route id, node
    label as in the criticality table, trench id), degraded_sites (site ids, sorted), n_degraded_sites,
    n_degraded_schools, degraded_pupils, n_degraded_business_parks. Only sites that are redundant
    before the loss count (`site_redundancy`), and none that the element alone cuts off.
    `sites` is `site_redundancy(network)` if already computed; `index` the network's cut index.
    """
    index = index or build_cut_index(network)
    if sites is None:
        sites = site_redundancy(network, index=index)
    redundant = set(sites.loc[sites["redundant"].astype(bool), "site_id"])
    found: dict[int, set[str]] = {}
    elements = _elements(index)
    if redundant:
        _pairs_by_labels(index, elements, redundant, found)
    return _rows(network, elements, found)


def _sites_at(network: Network) -> dict[int, set[str]]:
    at: dict[int, set[str]] = {}
    for site_id, v in zip(network.sites["site_id"], network.sites["vertex"], strict=True):
        if v >= 0:
            at.setdefault(int(v), set()).add(site_id)
    return at


def _pairs_by_labels(index: CutIndex, elements: _Elements, redundant: set[str], found: dict[int, set[str]]) -> None:
    n = len(elements.kind)
    labels = []
    big = []
    for i, edges in enumerate(elements.edges):
        lab = np.unique(index.label[edges])
        lab = lab[lab != 0]
        if len(lab) > MAX_ENUMERATED_LABELS:
            big.append(i)
            lab = lab[:0]
        labels.append(lab)
    values, owners = _span_values(labels)
    pairs = _candidate_pairs(values, owners, n, _above_redundant(index, elements, redundant))
    at = _sites_at(index.network)
    edge_sets = [None] * n
    order = index.site_order
    mask = order["site_id"].isin(redundant).to_numpy()
    tins = order["tin"].to_numpy(dtype=np.int64)[mask]  # sorted: site_order is in preorder
    ids = order["site_id"].to_numpy(dtype=object)[mask]

    def redundant_in(ranges: list[tuple[int, int]]) -> set[str]:
        """The redundant sites in preorder ranges (as `CutIndex.sites_in_ranges`, on cached arrays)."""
        out: set[str] = set()
        for start, stop in ranges:
            a, b = np.searchsorted(tins, start), np.searchsorted(tins, stop)
            if b > a:
                out.update(ids[a:b].tolist())
        return out

    def edge_set(i: int) -> frozenset:
        if edge_sets[i] is None:
            edge_sets[i] = frozenset(elements.edges[i].tolist())
        return edge_sets[i]

    alone: dict[int, set[str]] = {}

    def cut_alone(i: int) -> set[str]:
        if i not in alone:
            alone[i] = redundant_in(isolated_ranges(index, elements.edges[i]))
        return alone[i]

    for i, j in pairs.tolist():
        if edge_set(i) <= edge_set(j) or edge_set(j) <= edge_set(i):
            continue  # a route and its own trench: together no more than the trench
        union = np.concatenate([elements.edges[i], elements.edges[j]])
        cut = redundant_in(isolated_ranges(index, union))
        if not cut:
            continue
        for v in (elements.vertex[i], elements.vertex[j]):
            cut -= at.get(v, set())  # a failed node's own sites: cut off by it alone
        _record(elements, found, i, j, cut, cut_alone)

    for i in big:
        _pairs_by_rebuild(index, elements, i, redundant, at, found, cut_alone)


def _above_redundant(index: CutIndex, elements: _Elements, redundant: set[str]) -> np.ndarray:
    """Per element: does it hold a tree edge with a redundant site below it? Whatever a pair of elements
    cuts off lies below a tree edge of one of them, so a pair without one cannot cut a redundant site off."""
    order = index.site_order
    tins = np.sort(order.loc[order["site_id"].isin(redundant), "tin"].to_numpy(dtype=np.int64))
    tree = np.flatnonzero(index.is_tree)
    head = index.child[tree]
    below = np.searchsorted(tins, index.end[head]) - np.searchsorted(tins, index.tin[head])
    holds = np.zeros(len(index.edge_a), dtype=bool)
    holds[tree[below > 0]] = True
    return np.array([bool(holds[edges].any()) for edges in elements.edges], dtype=bool)


def _record(elements: _Elements, found: dict[int, set[str]], i: int, j: int, cut: set[str], cut_alone) -> None:
    """Sites `cut` off by i and j together: degraded by i when j may be a second failure, and vice versa."""
    if not cut:
        return
    if elements.may_be_second[j]:
        mine = cut - cut_alone(i)
        if mine:
            found.setdefault(i, set()).update(mine)
    if elements.may_be_second[i]:
        theirs = cut - cut_alone(j)
        if theirs:
            found.setdefault(j, set()).update(theirs)


def _pairs_by_rebuild(index: CutIndex, elements: _Elements, i: int, redundant: set[str],
                      at: dict[int, set[str]], found: dict[int, set[str]], cut_alone) -> None:
    """The slower method for an element with many labels: remove it, rebuild, every other element's impact."""
    network = index.network
    v = elements.vertex[i]
    rest = _without(network, elements.edges[i], np.array([v] if v >= 0 else [], dtype=np.int64))
    rest_index = build_cut_index(rest)
    position = {(k, e): p for p, (k, e) in enumerate(zip(elements.kind, elements.element_id, strict=True))}
    for table in (segment_impact(rest_index), trench_impact(rest_index), node_impact(rest_index)):
        for row in table.itertuples(index=False):
            j = position.get((row.element, row.element_id))
            if j is None or j == i:
                continue
            cut = (set(row.sites) & redundant) - at.get(v, set()) - at.get(elements.vertex[j], set())
            _record(elements, found, i, j, cut, cut_alone)


def _rows(network: Network, elements: _Elements, found: dict[int, set[str]]) -> pd.DataFrame:
    sites = network.sites.set_index("site_id")
    rows = []
    for i in sorted(found, key=lambda k: (elements.kind[k], elements.element_id[k])):
        ids = sorted(found[i])
        chosen = sites.loc[ids]
        rows.append({
            "element": elements.kind[i], "element_id": elements.element_id[i], "degraded_sites": ids,
            "n_degraded_sites": len(ids), "n_degraded_schools": int((chosen["kind"] == "school").sum()),
            "degraded_pupils": int(chosen["pupils"].sum()),
            "n_degraded_business_parks": int((chosen["kind"] == "business_park").sum()),
        })
    return pd.DataFrame(rows, columns=DEGRADED_COLUMNS)


def with_degraded(criticality: pd.DataFrame, degraded: pd.DataFrame) -> pd.DataFrame:
    """The criticality table with degraded_sites, n_degraded_sites, n_degraded_schools, degraded_pupils and
    n_degraded_business_parks on every row, and a row (nothing cut off) for every element that only
    degrades sites; ranked by pupils cut off, then pupils degraded."""
    merged = criticality.merge(degraded, on=["element", "element_id"], how="outer")
    merged["sites"] = merged["sites"].map(lambda x: x if isinstance(x, list) else [])
    merged["degraded_sites"] = merged["degraded_sites"].map(lambda x: x if isinstance(x, list) else [])
    for column in ("n_sites", "n_schools", "pupils", "n_business_parks", "n_vertices", *DEGRADED_COLUMNS[3:]):
        merged[column] = merged[column].fillna(0).astype(np.int64)
    if "handover_only" in merged:
        merged["handover_only"] = merged["handover_only"].astype("boolean").fillna(False).astype(bool)
    return merged.sort_values(
        ["pupils", "n_sites", "n_vertices", "degraded_pupils", "n_degraded_sites", "element", "element_id"],
        ascending=[False, False, False, False, False, True, True], kind="stable",
    ).reset_index(drop=True)
