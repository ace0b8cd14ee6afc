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
    """(u, v, edge index) of the shortest edge between each connected vertex pair, without `failed` edges."""
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
    """Distance (m) from every vertex to the nearest in-service POP, predecessor, source POP, pair→edge map."""
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
    pair_edge = dict(zip(zip(a.tolist(), b.tolist(), strict=True), e.tolist(), strict=True))
    return dist, pred, source, pair_edge


def path_edges(vertex: int, pred: np.ndarray, pair_edge: dict) -> list[int]:
    """Edge indices from `vertex` back to its POP along the predecessor tree."""
    edges = []
    while vertex >= 0 and pred[vertex] >= 0:
        p = int(pred[vertex])
        edges.append(pair_edge[(min(p, vertex), max(p, vertex))])
        vertex = p
    return edges


def reachability(network: Network) -> gpd.GeoDataFrame:
    """One row per site: reachable, distance_m, hops, pop (node id), path_route_ids, and the path geometry."""
    dist, pred, source, pair_edge = core_distances(network)
    rows, geoms = [], []
    for site in network.sites.itertuples(index=False):
        vertex = int(site.vertex)
        reachable = vertex >= 0 and np.isfinite(dist[vertex])
        edges = path_edges(vertex, pred, pair_edge) if reachable else []
        rows.append(
            {
                "site_id": site.site_id,
                "reachable": bool(reachable),
                "distance_m": float(dist[vertex]) if reachable else np.nan,
                "hops": len(edges) if reachable else pd.NA,
                "pop": network.vertex_node_id[source[vertex]] if reachable else None,
                "path_route_ids": list(dict.fromkeys(network.edge_route_id[edges].tolist())),
            }
        )
        geoms.append(
            shapely.line_merge(shapely.multilinestrings(network.edge_geometry[edges].tolist())) if edges else None
        )
    frame = pd.DataFrame(rows, columns=["site_id", "reachable", "distance_m", "hops", "pop", "path_route_ids"])
    frame["hops"] = frame["hops"].astype("Int64")
    return gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries(geoms, crs=network.crs), crs=network.crs)
