"""Diverse paths: the shortest pair of edge-disjoint paths from a site to the core (Suurballe).

"Shortest path, delete it, search again" can miss a pair that exists (a trap topology):
Suurballe's method searches once more on reduced costs with the first path reversed,
then cancels the edges used in both directions. The pair is then checked for trenches
the two paths share, and a trench-disjoint pair is searched for.
"""

from __future__ import annotations

import heapq
import itertools
from dataclasses import dataclass, field

import networkx as nx
import numpy as np
from scipy.sparse import coo_array
from scipy.sparse.csgraph import connected_components

from topology.errors import UnknownElementError
from topology.network import Network

VIRTUAL = -1
"""Edge index of the (never failing) links between the super-source and the POPs."""


@dataclass
class PathPair:
    """The outcome of `diverse_paths` for one site: the shortest edge-disjoint pair, its lengths and shared trenches."""

    site_id: str
    found: bool
    """True when two edge-disjoint paths to the core exist."""
    path_a: list[int] = field(default_factory=list)
    path_b: list[int] = field(default_factory=list)
    """Edge indices of each path, from the site towards the core."""
    length_a_m: float = float("nan")
    length_b_m: float = float("nan")
    shared_trenches: list[str] = field(default_factory=list)
    shared_trench_length_m: float = 0.0
    """Per shared trench the longer of the two paths' lengths in it, summed."""
    trench_disjoint: bool | None = None
    """Whether some pair of paths shares no trench; None when the search limit was hit."""
    trench_disjoint_pair: tuple[list[int], list[int]] | None = None
    """Edge indices of two paths (site towards the core) that share no trench, where one was found.

    This is the shortest edge-disjoint pair itself when it shares none.
    """

    def route_ids(self, network: Network, path: list[int]) -> list[str]:
        """Return the route ids along `path` (edge indices of `network`), each once, in path order."""
        return list(dict.fromkeys(network.edge_route_id[path].tolist()))

    def shown_pair(self) -> tuple[list[int], list[int], bool] | None:
        """Return the two paths that show the site's redundancy, and whether they share no trench.

        That is the trench-disjoint pair where one was found (two cables in one trench are one failure,
        docs/design.md, "Redundancy words"), else the shortest edge-disjoint pair, which then shares
        `shared_trenches`; None without two edge-disjoint paths.
        """
        if self.trench_disjoint and self.trench_disjoint_pair is not None:
            return (*self.trench_disjoint_pair, True)
        if not self.found:
            return None
        return self.path_a, self.path_b, False


def _adjacency(network: Network) -> tuple[int, list[list[tuple[int, int, float]]]]:
    root = network.n_vertices
    adjacency: list[list[tuple[int, int, float]]] = [[] for _ in range(root + 1)]
    for e, (u, v, w) in enumerate(zip(network.edge_u.tolist(), network.edge_v.tolist(),
                                      network.edge_length_m.tolist(), strict=True)):
        adjacency[u].append((v, e, w))
        adjacency[v].append((u, e, w))
    for pop in network.pop_vertices.tolist():
        adjacency[pop].append((root, VIRTUAL, 0.0))
        adjacency[root].append((pop, VIRTUAL, 0.0))
    return root, adjacency


def _dijkstra(adjacency, source: int, cost) -> tuple[dict[int, float], dict[int, tuple[int, int]]]:
    """Distances and predecessor (vertex, edge) from `source`; `cost(x, y, e, w)` gives an arc cost or None."""
    dist = {source: 0.0}
    pred: dict[int, tuple[int, int]] = {}
    heap = [(0.0, source)]
    done = set()
    while heap:
        d, x = heapq.heappop(heap)
        if x in done:
            continue
        done.add(x)
        for y, e, w in adjacency[x]:
            c = cost(x, y, e, w)
            if c is None:
                continue
            nd = d + max(c, 0.0)
            if nd < dist.get(y, np.inf) - 1e-12:
                dist[y] = nd
                pred[y] = (x, e)
                heapq.heappush(heap, (nd, y))
    return dist, pred


def _walk(pred, source: int, target: int) -> list[tuple[int, int, int]]:
    """Arcs (from, to, edge) of the predecessor path source → target."""
    arcs, y = [], target
    while y != source:
        x, e = pred[y]
        arcs.append((x, y, e))
        y = x
    return arcs[::-1]


Arcs = list[tuple[int, int, int]]


def _suurballe(adjacency, source: int, root: int) -> tuple[Arcs, Arcs] | None:
    dist, pred = _dijkstra(adjacency, source, lambda x, y, e, w: w)
    if root not in dist:
        return None
    first = _walk(pred, source, root)
    used = {(e, x, y) for x, y, e in first if e != VIRTUAL}
    used_edges = {e for e, _, _ in used}

    def reduced(x, y, e, w):
        if e == VIRTUAL:
            return w + dist.get(x, np.inf) - dist.get(y, np.inf) if x in dist and y in dist else None
        if (e, x, y) in used:
            return None  # the first path's own arc is full
        if e in used_edges:
            return 0.0  # the residual arc against the first path: -w, reduced to 0
        if x not in dist or y not in dist:
            return None
        return w + dist[x] - dist[y]

    _, pred2 = _dijkstra(adjacency, source, reduced)
    if root not in pred2:
        return first, []
    second = _walk(pred2, source, root)
    # cancel edges the second path runs against the first, then split into two paths
    arcs = {}
    for x, y, e in first + second:
        if e != VIRTUAL and (e, y, x) in arcs:
            del arcs[(e, y, x)]
        else:
            arcs.setdefault((e, x, y), 0)
            arcs[(e, x, y)] += 1
    out: dict[int, list[tuple[int, int]]] = {}
    for (e, x, y), count in arcs.items():
        out.setdefault(x, []).extend([(y, e)] * count)
    paths = []
    for _ in range(2):
        path, x = [], source
        while x != root:
            y, e = out[x].pop()
            path.append((x, y, e))
            x = y
        paths.append(path)
    return paths[0], paths[1]


def _connected_without(network: Network, vertex: int, removed: np.ndarray) -> bool:
    """Whether `vertex` is still connected to a POP once the edges `removed` are gone."""
    keep = np.ones(network.n_edges, dtype=bool)
    keep[removed] = False
    n = network.n_vertices + 1
    a = np.concatenate([network.edge_u[keep], np.full(len(network.pop_vertices), n - 1)])
    b = np.concatenate([network.edge_v[keep], network.pop_vertices])
    _, labels = connected_components(coo_array((np.ones(len(a)), (a, b)), shape=(n, n)), directed=False)
    return bool(labels[vertex] == labels[n - 1])


def _trench_edges(network: Network, path: list[int]) -> np.ndarray:
    return np.flatnonzero(np.isin(network.edge_trench_id, network.edge_trench_id[path]))


def diverse_paths(network: Network, site_id: str, *, max_candidates: int = 500) -> PathPair:
    """Find the shortest edge-disjoint pair of paths from `site_id` to the core, and its trench diversity.

    Suurballe's method (Suurballe and Tarjan, Networks 14, 1984): a second Dijkstra search on reduced costs
    with the first path reversed, then cancelling edges used both ways; it finds the pair of least total
    length, also in trap topologies where "shortest path, delete it, search again" finds none. When the
    pair shares a trench, pairs of simple paths are tried by length for one that shares none (two cables in
    one trench are one failure, docs/design.md, "Redundancy words"; the method and why it is right:
    "Failure algorithms").

    Parameters
    ----------
    network : Network
        The network (`build_network`).
    site_id : str
        A site of `network.sites`.
    max_candidates : int
        How many paths the search for a trench-disjoint pair tries at most; when it runs out,
        `trench_disjoint` is None (unknown).

    Returns
    -------
    PathPair
        `found` (two edge-disjoint paths exist), `path_a`, `path_b` (edge indices, site towards the core),
        `length_a_m`, `length_b_m` (metres; NaN without a path), `shared_trenches`,
        `shared_trench_length_m`, `trench_disjoint` and `trench_disjoint_pair`. A site not on the graph
        gives `found` False.

    Raises
    ------
    topology.errors.UnknownElementError
        When `site_id` is not a site of the network (the message names it; `values` holds it).

    Examples
    --------
    `network` is the square ring of `build_network`'s example (four routes in four trenches, a POP at one
    corner, a school 1 m off the opposite corner).

    >>> pair = diverse_paths(network, "s1")
    >>> pair.found, pair.length_a_m, pair.length_b_m, pair.trench_disjoint
    (True, 200.0, 200.0, True)
    """
    match = network.sites.index[network.sites["site_id"] == site_id]
    if not len(match):
        raise UnknownElementError(f"no site {site_id!r} in the network", unknown={"site": [site_id]})
    vertex = int(network.sites.at[match[0], "vertex"])
    if vertex < 0:
        return PathPair(site_id, False, trench_disjoint=False)
    root, adjacency = _adjacency(network)
    pair = _suurballe(adjacency, vertex, root)
    if pair is None:
        return PathPair(site_id, False, trench_disjoint=False)
    edges = sorted(([e for _, _, e in p if e != VIRTUAL] for p in pair),
                   key=lambda p: (not p, float(network.edge_length_m[p].sum())))
    result = PathPair(site_id, bool(pair[1]), edges[0], edges[1])
    result.length_a_m = float(network.edge_length_m[edges[0]].sum())
    result.length_b_m = float(network.edge_length_m[edges[1]].sum()) if pair[1] else float("nan")
    if not result.found:
        result.trench_disjoint = False
        return result
    trenches_a = _lengths_by_trench(network, edges[0])
    trenches_b = _lengths_by_trench(network, edges[1])
    shared = sorted(set(trenches_a) & set(trenches_b))
    result.shared_trenches = shared
    result.shared_trench_length_m = float(sum(max(trenches_a[t], trenches_b[t]) for t in shared))
    if not shared:  # the shortest edge-disjoint pair shares no trench: the shortest trench-disjoint pair too
        result.trench_disjoint, result.trench_disjoint_pair = True, (edges[0], edges[1])
        return result
    result.trench_disjoint, result.trench_disjoint_pair = _trench_disjoint(network, vertex, edges, max_candidates)
    return result


def _lengths_by_trench(network: Network, path: list[int]) -> dict[str, float]:
    out: dict[str, float] = {}
    for e in path:
        out[network.edge_trench_id[e]] = out.get(network.edge_trench_id[e], 0.0) + float(network.edge_length_m[e])
    return out


def _trench_disjoint(network: Network, vertex: int, pair: list[list[int]], max_candidates: int):
    """(exists, pair) for a trench-disjoint pair: try the Suurballe pair's paths, then paths by length."""
    for path in pair:
        for trench in set(network.edge_trench_id[path].tolist()):
            if not _connected_without(network, vertex, np.flatnonzero(network.edge_trench_id == trench)):
                return False, None  # one trench alone cuts the site off: no pair can avoid it
    aux = _edge_split_graph(network)
    tried = 0
    for path in itertools.islice(nx.shortest_simple_paths(aux, ("v", vertex), "core", weight="w"), max_candidates):
        tried += 1
        first = _up_to_core(network, vertex, [node[1] for node in path if node[0] == "e"])
        removed = _trench_edges(network, first)
        if _connected_without(network, vertex, removed):
            return True, (first, _shortest_without(network, vertex, removed))
    return (False if tried < max_candidates else None), None  # all simple paths tried, or the limit hit


def _up_to_core(network: Network, vertex: int, path: list[int]) -> list[int]:
    """Cut `path` (edge indices from `vertex`) at the first POP it reaches.

    A simple path may run on through one POP to another; its part beyond the first is no part of the way to
    the core.
    """
    pops = set(network.pop_vertices.tolist())
    at = vertex
    for k, e in enumerate(path):
        if at in pops:
            return path[:k]
        at = int(network.edge_v[e]) if int(network.edge_u[e]) == at else int(network.edge_u[e])
    return path


def _edge_split_graph(network: Network) -> nx.Graph:
    """Build a simple graph with a vertex per edge, so simple paths in it are edge sequences (parallel edges too)."""
    graph = nx.Graph()
    for e, (u, v, w) in enumerate(zip(network.edge_u.tolist(), network.edge_v.tolist(),
                                      network.edge_length_m.tolist(), strict=True)):
        graph.add_edge(("v", u), ("e", e), w=w / 2)
        graph.add_edge(("e", e), ("v", v), w=w / 2)
    for pop in network.pop_vertices.tolist():
        graph.add_edge(("v", pop), "core", w=0.0)
    return graph


def _shortest_without(network: Network, vertex: int, removed: np.ndarray) -> list[int]:
    root, adjacency = _adjacency(network)
    gone = set(removed.tolist())
    _, pred = _dijkstra(adjacency, vertex, lambda x, y, e, w: None if e in gone else w)
    return [e for _, _, e in _walk(pred, vertex, root) if e != VIRTUAL]
