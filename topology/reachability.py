"""Reachability of every site from the core: network distance in metres, hops, the path."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from scipy.sparse import coo_array
from scipy.sparse.csgraph import dijkstra

from topology.network import Network


def shortest_edges(network: Network, failed: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return (u, v, edge index) of the shortest edge between each joined vertex pair, without `failed` edges.

    Parameters
    ----------
    network : Network
        The network (`build_network`).
    failed : numpy.ndarray, optional
        Indices of edges to leave out, shape (k,).

    Returns
    -------
    u, v, edge : numpy.ndarray
        int arrays of shape (p,), one entry per vertex pair joined by an edge, u <= v, sorted by (u, v); `edge`
        is the index of the pair's shortest edge (by `edge_length_m`).
    """
    keep = np.ones(network.n_edges, dtype=bool)
    if failed is not None and len(failed):
        keep[np.asarray(failed, dtype=np.int64)] = False
    e = np.flatnonzero(keep)
    a, b = np.minimum(network.edge_u[e], network.edge_v[e]), np.maximum(network.edge_u[e], network.edge_v[e])
    order = np.lexsort((network.edge_length_m[e], b, a))
    a, b, e = a[order], b[order], e[order]
    first = np.ones(len(e), dtype=bool)
    first[1:] = (a[1:] != a[:-1]) | (b[1:] != b[:-1])
    return a[first], b[first], e[first]


def core_distances(
    network: Network, *, failed_edges: np.ndarray | None = None, failed_vertices: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray, dict]:
    """Measure the network distance from every vertex to the nearest in-service POP (multi-source Dijkstra).

    Dijkstra's algorithm (E. W. Dijkstra, "A note on two problems in connexion with graphs", Numer. Math. 1,
    1959) from every POP at once, by `scipy.sparse.csgraph.dijkstra` with `min_only`.

    Between two vertices only the shortest of their edges counts (`shortest_edges`).

    Parameters
    ----------
    network : Network
        The network (`build_network`).
    failed_edges : numpy.ndarray, optional
        Indices of edges to leave out, shape (k,).
    failed_vertices : numpy.ndarray, optional
        Indices of vertices to leave out with every edge at them, shape (m,); a failed POP is no source.

    Returns
    -------
    distance : numpy.ndarray
        Metres from each vertex to its nearest POP, shape (V,); inf where none is reachable.
    predecessor : numpy.ndarray
        The previous vertex on that shortest path, shape (V,); -1 at a POP and where unreachable.
    source : numpy.ndarray
        The POP vertex each vertex is nearest to, shape (V,); -1 where unreachable.
    pair_edge : dict
        (u, v), u < v → the index of the edge the paths use between them (for `path_edges`).
    """
    a, b, e = shortest_edges(network, failed_edges)
    pops = network.pop_vertices
    if failed_vertices is not None and len(failed_vertices):
        dead = np.zeros(network.n_vertices, dtype=bool)
        dead[np.asarray(failed_vertices, dtype=np.int64)] = True
        alive = ~dead[a] & ~dead[b]
        a, b, e = a[alive], b[alive], e[alive]
        pops = pops[~dead[pops]]
    n = network.n_vertices
    if not len(pops) or n == 0:
        inf = np.full(n, np.inf)
        return inf, np.full(n, -1), np.full(n, -1), {}
    graph = coo_array((network.edge_length_m[e], (a, b)), shape=(n, n)).tocsr()
    dist, pred, source = dijkstra(graph, directed=False, indices=pops, min_only=True, return_predecessors=True)
    pred, source = np.where(pred < 0, -1, pred), np.where(source < 0, -1, source)  # SciPy marks "none" -9999
    pair_edge = dict(zip(zip(a.tolist(), b.tolist(), strict=True), e.tolist(), strict=True))
    return dist, pred, source, pair_edge


def path_edges(vertex: int, pred: np.ndarray, pair_edge: dict) -> list[int]:
    """Return the edge indices from `vertex` back to its POP along the predecessor tree.

    Parameters
    ----------
    vertex : int
        The vertex to start from.
    pred, pair_edge
        The predecessor array and the pair → edge map of `core_distances`.

    Returns
    -------
    list of int
        The edges in order from `vertex` to the POP; empty at a POP or where unreachable.
    """
    edges = []
    while vertex >= 0 and pred[vertex] >= 0:
        p = int(pred[vertex])
        edges.append(pair_edge[(min(p, vertex), max(p, vertex))])
        vertex = p
    return edges


def tree_hops(pred: np.ndarray) -> np.ndarray:
    """Count the edges from each vertex to its tree root along `pred` (-1 marks a root), by pointer jumping.

    Pointer jumping (J. C. Wyllie, "The complexity of parallel computations", Cornell, 1979): each round
    adds the hops counted at the vertex pointed to and then points to that vertex's pointer, doubling the
    reach, so O(log depth) rounds suffice.

    Parameters
    ----------
    pred : numpy.ndarray
        The predecessor of each vertex, shape (V,), -1 at a root (as `core_distances` gives it).

    Returns
    -------
    numpy.ndarray
        int64 array of shape (V,): the hops to the root, 0 at a root; O(log depth) vectorised rounds.
    """
    hops = (pred >= 0).astype(np.int64)
    up = pred.copy()
    while (up >= 0).any():  # O(log depth) rounds
        step = up >= 0
        hops = hops + np.where(step, hops[np.where(step, up, 0)], 0)
        up = np.where(step, up[np.where(step, up, 0)], -1)
    return hops


def reachability(network: Network, *, paths: bool = True) -> gpd.GeoDataFrame:
    """Tell for every site whether the core reaches it, how far along the network, in how many hops, from which POP.

    Distances and hops come from one multi-source Dijkstra (`core_distances`); the paths (Python walks) only when
    asked for.

    Parameters
    ----------
    network : Network
        The network (`build_network`).
    paths : bool
        Also give each site's path: its route ids and its line.

    Returns
    -------
    geopandas.GeoDataFrame
        One row per site of `network.sites`, in its order: site_id, reachable (bool), distance_m (metres to the
        nearest in-service POP along the network, NaN if unreachable), hops (edges on that path, nullable int),
        pop (the POP's node id, None if unreachable); with `paths` also path_route_ids (route ids from the
        site to the POP, each once) and the path's line as geometry (None without one), in the network's CRS.
    """
    dist, pred, source, pair_edge = core_distances(network)
    vertex = network.sites["vertex"].to_numpy(dtype=np.int64)
    # a sentinel at the end stands for "no vertex" (-1): unreachable, no hops, no POP
    at = np.where(vertex >= 0, vertex, len(dist))
    distance = np.append(dist, np.inf)[at]
    reachable = np.isfinite(distance)
    pop_vertex = np.append(source, -1)[at]
    pop_id = np.append(network.vertex_node_id, None)[pop_vertex]
    frame = pd.DataFrame({
        "site_id": network.sites["site_id"].to_numpy(dtype=object),
        "reachable": reachable,
        "distance_m": np.where(reachable, distance, np.nan),
        "hops": pd.Series(np.append(tree_hops(pred), 0)[at]).astype("Int64").where(reachable),
        "pop": np.where(reachable, pop_id, None),
    })
    geoms = None
    if paths:
        edges = [path_edges(int(v), pred, pair_edge) if ok else [] for v, ok in zip(vertex, reachable, strict=True)]
        frame["path_route_ids"] = [list(dict.fromkeys(network.edge_route_id[e].tolist())) for e in edges]
        geoms = [shapely.line_merge(shapely.multilinestrings(network.edge_geometry[e].tolist())) if e else None
                 for e in edges]
    return gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries(geoms if geoms is not None else [None] * len(frame),
                                                          crs=network.crs), crs=network.crs)
