"""What every single failure isolates: all segments, nodes and trenches at once, in near-linear time.

Method (docs/design.md, "Failure algorithms"): a super-source joins every in-service POP; one DFS
tree from it (SciPy, compiled) gives preorder intervals, so a subtree is a contiguous
range. Every non-tree edge gets a random 64-bit label, and every tree edge the XOR of
the labels of the non-tree edges whose cycle runs through it (Pritchard and Thurimella's
cycle-space labels). Then, with probability 1 - 2^-64 per test:

- a segment isolates the subtree below it iff it is a tree edge with label 0 (a bridge);
- a node isolates itself and each child subtree c whose tree edge label, XORed with the
  labels of the back edges from that subtree to the node, is 0 (a DFS tree has no cross edges);
- a set of edges F (a trench) cuts the tree into pieces; a group of pieces is cut off
  iff the XOR over the F-edges leaving it is 0: Gaussian elimination over GF(2) on one
  64-bit vector per piece finds every such group.

Removing each element and searching again would be O(E·(V+E)); it serves only as the test oracle.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pandas as pd
from scipy.sparse import coo_array
from scipy.sparse.csgraph import depth_first_order

from topology.network import Network

LABEL_SEED = 20261126
"""The seed of the random 64-bit cycle-space labels (`build_cut_index`).

Fixed so that every run labels the same edges alike and so gives the same answers bit for bit; any seed is as
good (each test errs with probability 2^-64 whatever the seed), and this one has no meaning beyond being fixed.
"""


@dataclass
class CutIndex:
    """A DFS tree of the network rooted at the super-source, with cycle-space labels.

    Vertices 0..V-1 are the network's; vertex V is the super-source. Edges 0..E-1 are the
    network's; edges E.. are virtual links from the super-source to each POP (never fail).
    """

    network: Network
    root: int
    edge_a: np.ndarray
    edge_b: np.ndarray
    order: np.ndarray
    tin: np.ndarray
    end: np.ndarray
    parent: np.ndarray
    parent_edge: np.ndarray
    is_tree: np.ndarray
    child: np.ndarray
    label: np.ndarray

    @property
    def n_real_edges(self) -> int:
        """Number of the network's own edges (without the virtual links to the super-source)."""
        return self.network.n_edges

    def reachable(self, vertex) -> np.ndarray:
        """Per vertex (an int or an int array): whether the search from the core reached it."""
        return self.tin[vertex] >= 0

    @cached_property
    def site_order(self) -> pd.DataFrame:
        """Attached, reachable sites sorted by the preorder position of their vertex."""
        sites = self.network.attached_sites().copy()
        sites["tin"] = self.tin[sites["vertex"].to_numpy()]
        sites = sites[sites["tin"] >= 0].sort_values(["tin", "site_id"], kind="stable").reset_index(drop=True)
        return sites

    @cached_property
    def prefix(self) -> dict[str, np.ndarray]:
        """Prefix sums of the site weights in preorder: the sum over [a, b) is p[b] - p[a]."""
        sites = self.site_order
        n = len(self.order)
        values = {
            "sites": np.ones(len(sites)),
            "schools": (sites["kind"] == "school").to_numpy(dtype=float),
            "pupils": sites["pupils"].to_numpy(dtype=float),
            "business_parks": (sites["kind"] == "business_park").to_numpy(dtype=float),
        }
        out = {}
        for name, v in values.items():
            per_position = np.bincount(sites["tin"].to_numpy(dtype=np.int64), weights=v, minlength=n)
            out[name] = np.concatenate([[0.0], np.cumsum(per_position)])
        return out

    @cached_property
    def site_tin(self) -> np.ndarray:
        """`site_order["tin"]` as an array (int64)."""
        return self.site_order["tin"].to_numpy(dtype=np.int64)

    @cached_property
    def site_ids(self) -> np.ndarray:
        """`site_order["site_id"]` as an array of objects."""
        return self.site_order["site_id"].to_numpy(dtype=object)

    def range_sums(self, start: np.ndarray, stop: np.ndarray) -> dict[str, np.ndarray]:
        """Per preorder range [start, stop) (int arrays): the summed site weights (sites, schools, pupils, parks)."""
        return {name: p[stop] - p[start] for name, p in self.prefix.items()}

    def sites_in_ranges(self, ranges: list[tuple[int, int]]) -> list[str]:
        """Ids of the sites whose vertex lies in any preorder range [start, stop)."""
        if not len(ranges):
            return []
        tins, ids = self.site_tin, self.site_ids
        start, stop = np.asarray(ranges, dtype=np.int64).T
        first, last = np.searchsorted(tins, start), np.searchsorted(tins, stop)
        hit = last > first
        return [site for a, b in zip(first[hit], last[hit], strict=True) for site in ids[a:b]]


def build_cut_index(network: Network, *, seed: int = LABEL_SEED) -> CutIndex:
    """Build the DFS tree and the cycle-space labels of `network` (O(V + E), compiled DFS, vectorised labels).

    The method and its source are in the module text (docs/design.md, "Failure algorithms").

    Parameters
    ----------
    network : Network
        The network; its in-service POPs are joined to the super-source.
    seed : int
        The seed of the random 64-bit labels (default `LABEL_SEED`).

    Returns
    -------
    CutIndex
        The DFS tree from the super-source, with a label per edge.
    """
    n_vertices, root = network.n_vertices, network.n_vertices
    pops = network.pop_vertices
    edge_a = np.concatenate([network.edge_u, np.full(len(pops), root)]).astype(np.int64)
    edge_b = np.concatenate([network.edge_v, pops]).astype(np.int64)
    n_edges = len(edge_a)
    size = n_vertices + 1
    graph = coo_array((np.ones(n_edges, dtype=np.int8), (edge_a, edge_b)), shape=(size, size)).tocsr()
    order, predecessors = depth_first_order(graph, root, directed=False, return_predecessors=True)
    order = order.astype(np.int64)
    parent = np.where(predecessors < 0, -1, predecessors).astype(np.int64)
    tin = np.full(size, -1, dtype=np.int64)
    tin[order] = np.arange(len(order))

    # the tree edge of each child: among parallel edges, the first one
    src, dst = np.concatenate([edge_a, edge_b]), np.concatenate([edge_b, edge_a])
    eid = np.concatenate([np.arange(n_edges), np.arange(n_edges)])
    candidate = (parent[dst] == src) & (tin[dst] >= 0) & (dst != root)
    children, first = np.unique(dst[candidate], return_index=True)
    parent_edge = np.full(size, -1, dtype=np.int64)
    parent_edge[children] = eid[candidate][first]
    is_tree = np.zeros(n_edges, dtype=bool)
    is_tree[parent_edge[children]] = True
    child = np.full(n_edges, -1, dtype=np.int64)
    child[parent_edge[children]] = children

    end = _subtree_ends(order, parent, tin)

    # labels: random for non-tree edges among reachable vertices, XOR of the subtree for tree edges
    rng = np.random.Generator(np.random.PCG64(seed))
    label = np.zeros(n_edges, dtype=np.uint64)
    non_tree = ~is_tree & (tin[edge_a] >= 0) & (tin[edge_b] >= 0) & (edge_a != edge_b)
    label[non_tree] = rng.integers(1, np.iinfo(np.uint64).max, size=int(non_tree.sum()), dtype=np.uint64, endpoint=True)
    at_vertex = np.zeros(size, dtype=np.uint64)
    np.bitwise_xor.at(at_vertex, edge_a[non_tree], label[non_tree])
    np.bitwise_xor.at(at_vertex, edge_b[non_tree], label[non_tree])
    prefix_xor = np.zeros(len(order) + 1, dtype=np.uint64)
    prefix_xor[1:] = np.bitwise_xor.accumulate(at_vertex[order])
    label[parent_edge[children]] = prefix_xor[end[children]] ^ prefix_xor[tin[children]]
    return CutIndex(network, root, edge_a, edge_b, order, tin, end, parent, parent_edge, is_tree, child, label)


def _subtree_ends(order: np.ndarray, parent: np.ndarray, tin: np.ndarray) -> np.ndarray:
    """One past the last preorder position of each subtree, by pointer jumping along last children."""
    size = len(parent)
    last = np.arange(size, dtype=np.int64)
    last_tin = tin.copy()
    non_root = order[1:]
    np.maximum.at(last_tin, parent[non_root], tin[non_root])
    reachable = tin >= 0
    last[reachable] = order[last_tin[reachable]]
    while True:  # O(log depth) rounds
        jumped = last[last]
        if np.array_equal(jumped, last):
            break
        last = jumped
    end = np.full(size, -1, dtype=np.int64)
    end[reachable] = tin[last[reachable]] + 1
    return end


# ---------------------------------------------------------------------------------------------
# single segments and nodes, vectorised


def segment_cuts(index: CutIndex) -> pd.DataFrame:
    """List every edge whose loss alone isolates something: the bridges of the cut index (tree edges with label 0).

    Parameters
    ----------
    index : CutIndex
        The cut index (`build_cut_index`).

    Returns
    -------
    pandas.DataFrame
        One row per bridge: edge (its index) and start, stop, the preorder range [start, stop) of the subtree
        it cuts off.
    """
    e = np.flatnonzero(index.is_tree[: index.n_real_edges] & (index.label[: index.n_real_edges] == 0))
    head = index.child[e]
    return pd.DataFrame({"edge": e, "start": index.tin[head], "stop": index.end[head]})


def node_cuts(index: CutIndex) -> tuple[np.ndarray, pd.DataFrame]:
    """Find the child subtrees each vertex's loss cuts off (docs/design.md, "Failure algorithms").

    A child subtree is cut off when its tree edge's label, XORed with the labels of the back edges from the
    subtree to the vertex, is 0.

    Parameters
    ----------
    index : CutIndex
        The cut index (`build_cut_index`).

    Returns
    -------
    vertices : numpy.ndarray
        The network's vertices the search reached, in DFS order.
    cuts : pandas.DataFrame
        One row per cut-off child subtree: vertex (the failed vertex), start, stop (its preorder range).
    """
    root = index.root
    tree_children = index.order[1:]
    tree_children = tree_children[index.parent[tree_children] != root]  # the super-source never fails
    y = index.label[index.parent_edge[tree_children]].copy()
    position = np.full(len(index.parent), -1, dtype=np.int64)
    position[tree_children] = np.arange(len(tree_children))

    # back edges between each node and its descendants: XOR them into the child subtree they enter
    a, b = index.edge_a, index.edge_b
    back = ~index.is_tree & (index.tin[a] >= 0) & (index.tin[b] >= 0) & (a != b) & (a != root) & (b != root)
    a, b, lab = a[back], b[back], index.label[back]
    upper = np.where(index.tin[a] < index.tin[b], a, b)
    lower = np.where(index.tin[a] < index.tin[b], b, a)
    n = np.int64(len(index.parent) + 1)
    keys = index.parent[tree_children] * n + index.tin[tree_children]
    sort = np.argsort(keys, kind="stable")
    at = np.searchsorted(keys[sort], upper * n + index.tin[lower], side="right") - 1
    entered = tree_children[sort][at]
    np.bitwise_xor.at(y, position[entered], lab)

    cut = y == 0
    heads = tree_children[cut]
    vertices = index.order[index.order != root]
    return vertices, pd.DataFrame({"vertex": index.parent[heads], "start": index.tin[heads], "stop": index.end[heads]})


# ---------------------------------------------------------------------------------------------
# any set of edges (a trench): pieces and GF(2) elimination


def isolated_ranges(index: CutIndex, edges: np.ndarray) -> list[tuple[int, int]]:
    """Return the preorder ranges [start, stop) of the vertices that losing all `edges` together cuts off.

    The edges split the DFS tree into pieces; a group of pieces is cut off exactly when the labels of the
    edges leaving it XOR to zero, found by Gaussian elimination over GF(2) (docs/design.md, "Failure
    algorithms").

    Parameters
    ----------
    index : CutIndex
        The cut index (`build_cut_index`).
    edges : numpy.ndarray
        Edge indices of the index's graph, shape (k,), in any order, repeats allowed.

    Returns
    -------
    list of tuple of (int, int)
        The ranges of DFS entry times (`CutIndex.tin`) of the cut-off vertices; none when the loss cuts
        nothing off.
    """
    edges = np.unique(np.asarray(edges, dtype=np.int64))
    tree = edges[index.is_tree[edges]]
    if not len(tree):
        return []
    heads = index.child[tree]
    heads = heads[np.argsort(index.tin[heads])]
    starts, stops = index.tin[heads], index.end[heads]
    k = len(heads)

    def piece(vertex: int) -> int:
        t = index.tin[vertex]
        inside = np.flatnonzero((starts <= t) & (t < stops))
        return int(inside[-1]) if len(inside) else k  # the innermost head; k is the root's piece

    vectors = [0] * (k + 1)
    for e in edges.tolist():
        pa, pb = piece(int(index.edge_a[e])), piece(int(index.edge_b[e]))
        if pa != pb:
            lab = int(index.label[e])
            vectors[pa] ^= lab
            vectors[pb] ^= lab
    cut_mask = _dependent_pieces(vectors[:k])
    if not cut_mask:
        return []
    nested_in = [max((j for j in range(i) if starts[j] <= starts[i] < stops[j]), default=-1) for i in range(k)]
    ranges = []
    for i in range(k):
        if not cut_mask >> i & 1:
            continue
        holes = sorted((starts[j], stops[j]) for j in range(k) if nested_in[j] == i)
        position = int(starts[i])
        for hole_start, hole_stop in holes:
            if hole_start > position:
                ranges.append((position, int(hole_start)))
            position = int(hole_stop)
        if position < stops[i]:
            ranges.append((position, int(stops[i])))
    return ranges


def _dependent_pieces(vectors: list[int]) -> int:
    """Bit mask of the pieces that belong to some GF(2) dependency among `vectors` (i.e. are cut off)."""
    basis: dict[int, tuple[int, int]] = {}  # pivot bit -> (vector, combination mask)
    dependent = 0
    for i, vector in enumerate(vectors):
        mask = 1 << i
        while vector:
            pivot = vector.bit_length() - 1
            if pivot not in basis:
                basis[pivot] = (vector, mask)
                break
            bv, bm = basis[pivot]
            vector ^= bv
            mask ^= bm
        if not vector:
            dependent |= mask
    return dependent
