r"""Who loses their second path: the sites each element's loss leaves connected but no longer redundant.

The elements are every segment, node and trench.

A site is *degraded* by an element X when it is redundant (`site_redundancy`: reachable, no single
segment, trench or node other than a POP and its own handover node cuts it off), X alone does not cut
it off, and after X's loss it has a single point of failure: some segment, trench or node Y (not a
POP, not the site's own handover node) such that X and Y failing together cut it off.

Method. Every element is a set of edges of the `CutIndex` graph (super-source included): a segment
its route's edges, a trench its routes' edges, a node n every edge at n (its loss cuts the other
vertices off exactly when the loss of those edges does; n's own sites are cut off by n alone).
Random cycle-space labels (`topology.cuts`) make a set of edges F a cut (an element of the cut space)
iff the XOR of its labels is 0. If X and Y together cut off a vertex that neither cuts alone, a
minimal cut (a bond) D in X ∪ Y meets both, and XOR(D ∩ X) = XOR(D \ X) ≠ 0 (0 would make a proper
part of a bond a cut): the GF(2) spans of X's and Y's labels share a non-zero value. So:

1. every element with at most `MAX_ENUMERATED_LABELS` distinct non-zero labels lists its span (all
   subset XORs; vectorised per size; a route of one edge has one value, a node of degree d has 2^d-1);
   elements sharing a value are candidate pairs (sort and group, near-linear in their number);
2. each candidate pair (unless one element lies within the other: a route and its own trench) is
   decided exactly by what X ∪ Y cuts off, all pairs at once (`topology.batch_cuts`: the GF(2)
   elimination over the pieces of the DFS tree of `isolated_ranges`, vectorised across the pairs);
   what X alone cuts off (the same batch over single elements), and the sites at a failed node, are
   left out;
3. an element with more distinct labels (a trench of many routes, a node of high degree: rare) is
   decided by the slower, documented method: remove it, rebuild the cut index and take every other
   element's single-failure impact on the rest (O(V + E) per such element).

Two edges e, f form a cut pair exactly when label(e) == label(f) != 0: the equal-label classes are
where the candidate pairs come from. A chain of L edges with one label (a ring of closures) gives
O(L^2) candidate pairs, whose answers (the arcs between them) are that large too. Probability of a
wrong answer: at most about (pairs tested) * 2^-64 per test. At 100,000 segments (`benchmarks/
topology_bench.py`, phase `degraded`) about 160,000 candidate pairs: within the time of the single-failure
table (segment, node and trench impact).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from topology.batch_cuts import batch_isolated_ranges, sorted_unique
from topology.cuts import CutIndex, build_cut_index
from topology.network import Network
from topology.redundancy import node_impact, segment_impact, site_redundancy, trench_impact, vertex_label

MAX_ENUMERATED_LABELS = 12
"""Elements with more distinct non-zero labels take the rebuild method (2^12 span values at most)."""
DEGRADED_COLUMNS = ["element", "element_id", "degraded_sites", "n_degraded_sites", "n_degraded_schools",
                    "degraded_pupils", "n_degraded_business_parks"]


@dataclass
class _Elements:
    """Every segment, trench and node as a set of cut-index edges, in compressed rows.

    Element i's edges are flat[ptr[i]:ptr[i + 1]].
    """

    kind: np.ndarray
    key: np.ndarray
    """Route or trench id; for a node None (its label is made only when it is reported)."""
    ptr: np.ndarray
    flat: np.ndarray
    vertex: np.ndarray
    """The failed vertex of a node element, else -1."""
    may_be_second: np.ndarray
    """May it be a site's single point of failure after another loss (not a POP)?"""

    def __len__(self) -> int:
        return len(self.kind)

    def edges(self, i: int) -> np.ndarray:
        return self.flat[self.ptr[i]:self.ptr[i + 1]]

    @property
    def sizes(self) -> np.ndarray:
        return np.diff(self.ptr)

    @property
    def owner(self) -> np.ndarray:
        """The element of each entry of `flat`."""
        return np.repeat(np.arange(len(self.kind), dtype=np.int64), self.sizes)

    def element_id(self, network: Network, i: int) -> str:
        return vertex_label(network, int(self.vertex[i])) if self.vertex[i] >= 0 else str(self.key[i])


def _elements(index: CutIndex) -> _Elements:
    network = index.network
    kinds, keys, sizes, flats, vertices = [], [], [], [], []
    for kind, values in (("segment", network.edge_route_id), ("trench", network.edge_trench_id)):
        values = values.astype(str)
        if not len(values):
            continue
        unique, inverse, counts = np.unique(values, return_inverse=True, return_counts=True)
        kinds.append(np.full(len(unique), kind, dtype=object))
        keys.append(unique.astype(object))
        sizes.append(counts)
        flats.append(np.argsort(inverse, kind="stable").astype(np.int64))
        vertices.append(np.full(len(unique), -1, dtype=np.int64))
    # a node: every edge at it, the super-source's link to a POP included
    a, b = index.edge_a, index.edge_b
    loop = a == b
    ends = np.concatenate([a[~loop], b[~loop]])
    eids = np.concatenate([np.flatnonzero(~loop), np.flatnonzero(~loop)])
    order = np.argsort(ends, kind="stable")
    ends, eids = ends[order], eids[order]
    starts = np.searchsorted(ends, np.arange(len(index.parent) + 1))
    nodes = np.flatnonzero(index.tin[: network.n_vertices] >= 0)  # unreachable: changes nothing for a site
    reachable = np.zeros(len(index.parent), dtype=bool)
    reachable[nodes] = True
    kinds.append(np.full(len(nodes), "node", dtype=object))
    keys.append(np.full(len(nodes), None, dtype=object))
    sizes.append(starts[nodes + 1] - starts[nodes])
    flats.append(eids[reachable[ends]].astype(np.int64))
    vertices.append(nodes.astype(np.int64))
    vertex = np.concatenate(vertices)
    may_be_second = ~np.isin(vertex, network.pop_vertices) | (vertex < 0)
    ptr = np.concatenate([[0], np.cumsum(np.concatenate(sizes))]).astype(np.int64)
    return _Elements(np.concatenate(kinds), np.concatenate(keys), ptr, np.concatenate(flats), vertex, may_be_second)


def _distinct_labels(index: CutIndex, elements: _Elements) -> tuple[np.ndarray, np.ndarray]:
    """(element, label) for every distinct non-zero label on each element's edges, sorted by element."""
    owner, label = elements.owner, index.label[elements.flat]
    keep = label != 0
    owner, label = owner[keep], label[keep]
    order = np.lexsort((label, owner))
    owner, label = owner[order], label[order]
    fresh = np.r_[True, (owner[1:] != owner[:-1]) | (label[1:] != label[:-1])][: len(owner)]
    return owner[fresh], label[fresh]


def _span_values(owner: np.ndarray, label: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Return (value, element) for every non-zero XOR of a subset of each element's labels (its GF(2) span).

    `owner`, `label` as from `_distinct_labels`; elements with more than MAX_ENUMERATED_LABELS are left out.
    """
    sizes = np.bincount(owner, minlength=n)
    first = np.searchsorted(owner, np.arange(n))
    values, owners = [], []
    for k in range(1, MAX_ENUMERATED_LABELS + 1):
        which = np.flatnonzero(sizes == k)
        if not len(which):
            continue
        matrix = label[first[which][:, None] + np.arange(k)]  # (n, k)
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
    """Return the unique pairs (i, j), i < j, of elements whose spans share a value, one of them `useful`."""
    if not len(values):
        return np.zeros((0, 2), dtype=np.int64)
    order = np.lexsort((owners, values))
    values, owners = values[order], owners[order]
    fresh = np.r_[True, (values[1:] != values[:-1]) | (owners[1:] != owners[:-1])]
    values, owners = values[fresh], owners[fresh]
    bounds = np.flatnonzero(np.r_[True, values[1:] != values[:-1], True])
    run_start, run_size = bounds[:-1], np.diff(bounds)
    shared = run_size > 1
    run_start, run_size = run_start[shared], run_size[shared]
    # every entry of a shared run (of a useful element) against every member of its run
    entry_size, entry_start = np.repeat(run_size, run_size), np.repeat(run_start, run_size)
    entry = entry_start + _ramp(run_size)
    useful_entry = useful[owners[entry]]
    entry, entry_size, entry_start = entry[useful_entry], entry_size[useful_entry], entry_start[useful_entry]
    mine = np.repeat(entry, entry_size)
    partner = np.repeat(entry_start, entry_size) + _ramp(entry_size)
    i, j = owners[mine], owners[partner]
    keep = i != j
    low, high = np.minimum(i[keep], j[keep]), np.maximum(i[keep], j[keep])
    codes = sorted_unique(low * np.int64(n) + high)
    return np.stack([codes // n, codes % n], axis=1)


def _ramp(sizes: np.ndarray) -> np.ndarray:
    """0, 1, ..., sizes[0]-1, 0, 1, ..., sizes[1]-1, ...: the position inside each run."""
    sizes = np.asarray(sizes, dtype=np.int64)
    return np.arange(int(sizes.sum()), dtype=np.int64) - np.repeat(np.cumsum(sizes) - sizes, sizes)


def _without(network: Network, edges: np.ndarray, vertices: np.ndarray) -> Network:
    """Return `network` with `edges` and every edge at `vertices` removed.

    The vertices stay, isolated; a removed POP leaves the core. Vertex numbers and labels are unchanged.
    """
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
    """Return `network` after the loss of `edges` and `vertices`.

    Every edge at a lost vertex goes too, and a lost POP leaves the core; vertex numbers, node labels and
    sites stay.

    Parameters
    ----------
    network : Network
        The network before the loss.
    edges : array_like of int
        Indices of the lost edges, shape (k,); indices beyond the network's edges are ignored.
    vertices : array_like of int
        Indices of the lost vertices, shape (m,).

    Returns
    -------
    Network
        A copy without those edges and without every edge at those vertices.
    """
    return _without(network, np.asarray(edges, dtype=np.int64), np.asarray(vertices, dtype=np.int64))


def degraded_sites(network: Network, *, index: CutIndex | None = None,
                   sites: pd.DataFrame | None = None) -> pd.DataFrame:
    """List every segment, node and trench whose loss leaves at least one site connected but single-homed.

    Only sites redundant before the loss count (`site_redundancy`), and none that the element alone cuts
    off. A pair of elements X, Y cuts off something neither cuts alone only if a bond inside X ∪ Y meets
    both, so candidates are found by equal label spans and decided exactly by elimination over GF(2)
    (docs/design.md "Failure algorithms"; checked against remove-and-search-again in the tests).

    Parameters
    ----------
    network : Network
        The network (`build_network`).
    index : CutIndex, optional
        Its cut index (`build_cut_index`), reused when given.
    sites : pandas.DataFrame, optional
        `site_redundancy(network)`, reused when given.

    Returns
    -------
    pandas.DataFrame
        One row per such element: element ('segment', 'node', 'trench'), element_id (route id, node label
        as in the criticality table, trench id), degraded_sites (site ids, sorted), n_degraded_sites,
        n_degraded_schools, degraded_pupils, n_degraded_business_parks.

    Examples
    --------
    `network` is the square ring of `build_network`'s example (four routes in four trenches, a POP at one
    corner, a school 1 m off the opposite corner). On a ring every segment, trench and other corner degrades
    the school:

    >>> len(degraded_sites(network))
    10
    """
    index = index or build_cut_index(network)
    if sites is None:
        sites = site_redundancy(network, index=index)
    elements = _elements(index)
    table = _RedundantSites(index, set(sites.loc[sites["redundant"].astype(bool), "site_id"]))
    if not len(table.ids):
        return _rows(network, elements, table, np.zeros(0, dtype=np.int64))
    return _rows(network, elements, table, _pairs_by_labels(index, elements, table))


class _RedundantSites:
    """The redundant sites in preorder: position p is site ids[p] at vertex vertex[p], preorder tin[p]."""

    def __init__(self, index: CutIndex, redundant: set[str]) -> None:
        order = index.site_order
        mask = order["site_id"].isin(redundant).to_numpy()
        self.tin = order["tin"].to_numpy(dtype=np.int64)[mask]  # sorted: site_order is in preorder
        self.ids = order["site_id"].to_numpy(dtype=object)[mask]
        self.vertex = order["vertex"].to_numpy(dtype=np.int64)[mask]
        self.position = {site: p for p, site in enumerate(self.ids.tolist())}

    def in_ranges(self, owner: np.ndarray, start: np.ndarray, stop: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(owner, position) of every redundant site in the ranges [start, stop) of each owner."""
        first, last = np.searchsorted(self.tin, start), np.searchsorted(self.tin, stop)
        count = last - first
        return np.repeat(owner, count), np.repeat(first, count) + _ramp(count)


def _gather(elements: _Elements, which: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(k, edge) for every edge of element which[k]."""
    sizes = elements.sizes[which]
    return np.repeat(np.arange(len(which), dtype=np.int64), sizes), \
        elements.flat[np.repeat(elements.ptr[which], sizes) + _ramp(sizes)]


def _cut_sites(index: CutIndex, table: _RedundantSites, owner: np.ndarray, edges: np.ndarray,
               n_sets: int) -> tuple[np.ndarray, np.ndarray]:
    """(set, site position) of every redundant site that each set of edges, lost together, cuts off."""
    return table.in_ranges(*batch_isolated_ranges(index, owner, edges, n_sets))


def _pairs_by_labels(index: CutIndex, elements: _Elements, table: _RedundantSites) -> np.ndarray:
    """Codes element * n_sites + site position of every (element, site it degrades)."""
    n, n_sites = len(elements), np.int64(len(table.ids))
    owner, label = _distinct_labels(index, elements)
    n_labels = np.bincount(owner, minlength=n)
    big = np.flatnonzero(n_labels > MAX_ENUMERATED_LABELS)
    small = n_labels[owner] <= MAX_ENUMERATED_LABELS
    values, owners = _span_values(owner[small], label[small], n)
    pairs = _candidate_pairs(values, owners, n, _above_redundant(index, elements, table))

    # a route and its own trench (one within the other): together no more than the larger
    sizes = elements.sizes
    set_of, edges = _gather(elements, pairs.ravel())
    set_of //= 2
    union = np.bincount(sorted_unique(set_of * np.int64(len(index.edge_a)) + edges) // len(index.edge_a),
                        minlength=len(pairs))
    pairs = pairs[union > np.maximum(sizes[pairs[:, 0]], sizes[pairs[:, 1]])]

    set_of, edges = _gather(elements, pairs.ravel())
    pair, site = _cut_sites(index, table, set_of // 2, edges, len(pairs))
    i, j = pairs[pair, 0], pairs[pair, 1]
    own = (table.vertex[site] == elements.vertex[i]) | (table.vertex[site] == elements.vertex[j])
    i, j, site = i[~own], j[~own], site[~own]  # a failed node's own sites: cut off by it alone
    # sites cut off by i and j together: degraded by i when j may be a second failure, and vice versa
    first = np.concatenate([i[elements.may_be_second[j]], j[elements.may_be_second[i]]])
    site = np.concatenate([site[elements.may_be_second[j]], site[elements.may_be_second[i]]])
    codes = sorted_unique(first * n_sites + site)

    alone = _cut_alone(index, elements, table, sorted_unique(codes // n_sites))
    found = [codes[~np.isin(codes, alone)]]
    if len(big):
        alone_of = {}

        def cut_alone(k: int) -> set[int]:
            if k not in alone_of:
                alone_of[k] = set((_cut_alone(index, elements, table, np.array([k])) % n_sites).tolist())
            return alone_of[k]

        rebuilt: dict[int, set[int]] = {}
        for k in big.tolist():
            _pairs_by_rebuild(index, elements, k, table, rebuilt, cut_alone)
        found.append(np.array([e * n_sites + p for e, ps in rebuilt.items() for p in ps], dtype=np.int64))
    return sorted_unique(np.concatenate(found))


def _cut_alone(index: CutIndex, elements: _Elements, table: _RedundantSites, which: np.ndarray) -> np.ndarray:
    """Codes element * n_sites + site position of the redundant sites each of `which` cuts off alone."""
    set_of, edges = _gather(elements, which)
    k, site = _cut_sites(index, table, set_of, edges, len(which))
    return which[k] * np.int64(len(table.ids)) + site


def _above_redundant(index: CutIndex, elements: _Elements, table: _RedundantSites) -> np.ndarray:
    """Tell per element whether it holds a tree edge with a redundant site below it.

    Whatever a pair of elements cuts off lies below a tree edge of one of them, so a pair without one cannot
    cut a redundant site off.
    """
    tree = np.flatnonzero(index.is_tree)
    head = index.child[tree]
    below = np.searchsorted(table.tin, index.end[head]) - np.searchsorted(table.tin, index.tin[head])
    holds = np.zeros(len(index.edge_a), dtype=bool)
    holds[tree[below > 0]] = True
    return np.bincount(elements.owner, weights=holds[elements.flat], minlength=len(elements)) > 0


def _pairs_by_rebuild(index: CutIndex, elements: _Elements, i: int, table: _RedundantSites,
                      found: dict[int, set[int]], cut_alone) -> None:
    """Find the pairs of element `i`, which has many labels, the slower way: remove it, rebuild, measure.

    Every other element's impact is measured on the network without `i`; the sites each pair cuts off, and
    neither element alone, are added to `found` (element -> site positions).
    """
    network = index.network
    v = int(elements.vertex[i])
    rest = _without(network, elements.edges(i), np.array([v] if v >= 0 else [], dtype=np.int64))
    rest_index = build_cut_index(rest)
    position = {(elements.kind[k], elements.element_id(network, k)): k for k in range(len(elements))}
    at = _sites_at(table)
    for impact in (segment_impact(rest_index), trench_impact(rest_index), node_impact(rest_index)):
        for row in impact.itertuples(index=False):
            j = position.get((row.element, row.element_id))
            if j is None or j == i:
                continue
            cut = {table.position[s] for s in row.sites if s in table.position}
            cut -= at.get(v, set()) | at.get(int(elements.vertex[j]), set())
            if not cut:
                continue
            if elements.may_be_second[j]:
                found.setdefault(i, set()).update(cut - cut_alone(i))
            if elements.may_be_second[i]:
                found.setdefault(j, set()).update(cut - cut_alone(j))


def _sites_at(table: _RedundantSites) -> dict[int, set[int]]:
    at: dict[int, set[int]] = {}
    for p, v in enumerate(table.vertex.tolist()):
        at.setdefault(v, set()).add(p)
    return at


def _rows(network: Network, elements: _Elements, table: _RedundantSites, codes: np.ndarray) -> pd.DataFrame:
    n_sites = np.int64(max(len(table.ids), 1))
    element, position = codes // n_sites, codes % n_sites
    rank = np.empty(len(table.ids), dtype=np.int64)
    rank[np.argsort(table.ids.astype(str), kind="stable")] = np.arange(len(table.ids))
    order = np.lexsort((rank[position], element))
    element, position = element[order], position[order]
    ids = table.ids[position]
    info = network.sites.drop_duplicates("site_id").set_index("site_id").loc[table.ids]
    school = (info["kind"] == "school").to_numpy()[position]
    park = (info["kind"] == "business_park").to_numpy()[position]
    pupils = info["pupils"].to_numpy()[position]
    heads = np.flatnonzero(np.r_[True, element[1:] != element[:-1]]) if len(element) else np.zeros(0, dtype=np.int64)
    bounds = np.r_[heads, len(element)]
    rows = []
    for a, b in zip(bounds[:-1].tolist(), bounds[1:].tolist(), strict=True):
        k = int(element[a])
        rows.append({
            "element": elements.kind[k], "element_id": elements.element_id(network, k),
            "degraded_sites": ids[a:b].tolist(), "n_degraded_sites": b - a,
            "n_degraded_schools": int(school[a:b].sum()), "degraded_pupils": int(pupils[a:b].sum()),
            "n_degraded_business_parks": int(park[a:b].sum()),
        })
    rows.sort(key=lambda r: (r["element"], r["element_id"]))
    return pd.DataFrame(rows, columns=DEGRADED_COLUMNS)


def with_degraded(criticality: pd.DataFrame, degraded: pd.DataFrame) -> pd.DataFrame:
    """Merge the degraded sites into the criticality table, ranked by what is cut off, then pupils degraded.

    The ranking: pupils, sites and vertices cut off, then pupils and sites degraded, then element and id.

    Every row gets degraded_sites, n_degraded_sites, n_degraded_schools, degraded_pupils and
    n_degraded_business_parks, and every element that only degrades sites gets a row (nothing cut off).

    Parameters
    ----------
    criticality : pandas.DataFrame
        The criticality table (`topology.redundancy.failure_impact`).
    degraded : pandas.DataFrame
        `degraded_sites` of the same network (`DEGRADED_COLUMNS`).

    Returns
    -------
    pandas.DataFrame
        The columns of both, one row per element in either; counts missing on one side are 0, lists empty.
    """
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
