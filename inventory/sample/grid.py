"""The synthetic network's skeleton: a street-like grid, the backbone ring, the feeder tree and meshed rings."""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import networkx as nx
import numpy as np
import shapely

from inventory.sample.base import EDGE_MARGIN_M, GRID_JITTER_M, GRID_SPACING_M, N_PLANNED_CLOSURES, RING_BULGE_M


@dataclass(frozen=True)
class Grid:
    """Candidate street grid: jittered points inside the city and links between grid neighbours."""

    xy: np.ndarray
    """(n, 2) node coordinates, rounded to the cm."""
    edges: np.ndarray
    """(m, 2) node indices of each link."""

    @property
    def length_m(self) -> np.ndarray:
        """(m,) length of each link in metres."""
        return np.hypot(*(self.xy[self.edges[:, 0]] - self.xy[self.edges[:, 1]]).T)

    def edge_index(self) -> dict[tuple[int, int], int]:
        """Return the row of each link in `edges`, keyed by its node indices (smaller first)."""
        return {(int(min(u, v)), int(max(u, v))): i for i, (u, v) in enumerate(self.edges)}

    def nearest_node(self, x: float, y: float) -> int:
        """Return the index of the grid node nearest to (`x`, `y`) (EPSG:25832, metres)."""
        return int(np.argmin(np.hypot(self.xy[:, 0] - x, self.xy[:, 1] - y)))


def make_grid(city, rng: np.random.Generator) -> Grid:
    """Return a jittered square grid inside the city; links that leave the city are dropped.

    Points lie `GRID_SPACING_M` apart, each moved by up to `GRID_JITTER_M` in x and y, and at least
    `EDGE_MARGIN_M` inside the boundary. Only the largest connected part of the grid is kept.

    Parameters
    ----------
    city : shapely geometry
        The city boundary (polygonal), EPSG:25832.
    rng : numpy.random.Generator
        The stage's random stream (`stage_rng`), for the jitter.

    Returns
    -------
    Grid
        Points (n, 2) in metres, rounded to the cm, and links (m, 2) between grid neighbours.
    """
    minx, miny, maxx, maxy = city.bounds
    gx, gy = np.meshgrid(
        np.arange(minx, maxx + GRID_SPACING_M, GRID_SPACING_M), np.arange(miny, maxy + GRID_SPACING_M, GRID_SPACING_M)
    )
    jitter = rng.uniform(-GRID_JITTER_M, GRID_JITTER_M, size=(2, *gx.shape))
    x, y = np.round(gx + jitter[0], 2), np.round(gy + jitter[1], 2)
    inside = shapely.contains_xy(city.buffer(-EDGE_MARGIN_M), x, y)
    index = np.full(gx.shape, -1)
    index[inside] = np.arange(inside.sum())
    pairs = [(index[:, :-1], index[:, 1:]), (index[:-1, :], index[1:, :])]
    edges = np.concatenate([np.column_stack([a[(a >= 0) & (b >= 0)], b[(a >= 0) & (b >= 0)]]) for a, b in pairs])
    xy = np.column_stack([x[inside], y[inside]])
    lines = shapely.linestrings(np.stack([xy[edges[:, 0]], xy[edges[:, 1]]], axis=1))
    edges = edges[shapely.covered_by(lines, city)]
    return _largest_component(Grid(xy, edges))


def _largest_component(grid: Grid) -> Grid:
    graph = nx.Graph()
    graph.add_nodes_from(range(len(grid.xy)))
    graph.add_edges_from(map(tuple, grid.edges.tolist()))
    keep = np.array(sorted(max(nx.connected_components(graph), key=lambda c: (len(c), -min(c)))))
    renumber = np.full(len(grid.xy), -1)
    renumber[keep] = np.arange(len(keep))
    edges = renumber[grid.edges]
    return Grid(grid.xy[keep], edges[(edges >= 0).all(axis=1)])


def grid_graph(grid: Grid, rng: np.random.Generator) -> nx.Graph:
    """Return the grid as a graph; `cost` is the length with noise, so paths wander like streets.

    Parameters
    ----------
    grid : Grid
        The grid (`make_grid`).
    rng : numpy.random.Generator
        The stage's random stream, for the noise: each link's cost is its length times a factor
        drawn uniformly from [1.0, 1.6).

    Returns
    -------
    networkx.Graph
        Nodes 0..n-1 (grid point indices); each edge has ``edge`` (its row in ``grid.edges``) and
        ``cost`` (float, noisy metres).
    """
    graph = nx.Graph()
    graph.add_nodes_from(range(len(grid.xy)))
    noise = rng.uniform(1.0, 1.6, size=len(grid.edges))
    for i, ((u, v), length) in enumerate(zip(grid.edges.tolist(), grid.length_m, strict=True)):
        graph.add_edge(u, v, edge=i, cost=float(length * noise[i]))
    return graph


def backbone_ring(grid: Grid, graph: nx.Graph, pops: list[int]) -> list[int]:
    """Edge indices of a ring through the POPs; each leg bulges to its left, so two POPs get a wide ring.

    Each leg from one POP to the next goes through the grid point nearest to `RING_BULGE_M` left of
    the midpoint, by cheapest paths (Dijkstra on ``cost``) that avoid the ring's earlier nodes.

    Parameters
    ----------
    grid : Grid
        The grid.
    graph : networkx.Graph
        The grid's graph (`grid_graph`), with edge attribute ``cost``.
    pops : list of int
        Grid point indices of the POPs, in ring order; at least two, at different points.

    Returns
    -------
    list of int
        Rows of ``grid.edges`` along the ring, in order, back to the first POP.

    Raises
    ------
    networkx.NetworkXNoPath
        When a leg cannot reach its end without crossing the ring drawn so far.
    """
    stops = pops + pops[:1]
    ring_nodes: list[int] = [stops[0]]
    for start, end in itertools.pairwise(stops):
        a, b = grid.xy[start], grid.xy[end]
        left = np.array([-(b - a)[1], (b - a)[0]]) / np.hypot(*(b - a))
        waypoint = grid.nearest_node(*((a + b) / 2 + left * RING_BULGE_M))
        for leg_start, leg_end in ((start, waypoint), (waypoint, end)):
            blocked = [n for n in ring_nodes if n not in (leg_start, leg_end)]
            view = nx.restricted_view(graph, blocked, [])
            ring_nodes += nx.shortest_path(view, leg_start, leg_end, weight="cost")[1:]
    index = grid.edge_index()
    return [index[(min(u, v), max(u, v))] for u, v in itertools.pairwise(ring_nodes)]


def feeder_tree(graph: nx.Graph, sources: list[int]) -> tuple[dict[int, float], dict[int, int]]:
    """Noisy shortest-path tree from the ring: distance of each node and its parent.

    Parameters
    ----------
    graph : networkx.Graph
        The grid's graph (`grid_graph`), with edge attribute ``cost``.
    sources : list of int
        The ring's grid point indices: the roots (multi-source Dijkstra).

    Returns
    -------
    dist : dict of int to float
        Cost distance (noisy metres) of each reachable node from the nearest source; 0 at the sources.
    parent : dict of int to int
        The previous node on each node's cheapest path; the sources have none.
    """
    dist, paths = nx.multi_source_dijkstra(graph, sources, weight="cost")
    parent = {node: path[-2] for node, path in paths.items() if len(path) > 1}
    return dist, parent


def subtree_sizes(parent: dict[int, int], dist: dict[int, float]) -> dict[int, int]:
    """Return the number of nodes fed through each node (itself included).

    Parameters
    ----------
    parent : dict of int to int
        Each node's parent in the feeder tree (`feeder_tree`).
    dist : dict of int to float
        Each node's distance from the ring (`feeder_tree`); nodes are summed up from the farthest in.

    Returns
    -------
    dict of int to int
        For every node of `dist`, the size of its subtree (1 for a leaf).

    Examples
    --------
    >>> subtree_sizes({1: 0, 2: 1, 3: 1}, {0: 0.0, 1: 5.0, 2: 9.0, 3: 8.0})
    {0: 4, 1: 3, 2: 1, 3: 1}
    """
    size = dict.fromkeys(dist, 1)
    for node in sorted(parent, key=lambda n: (-dist[n], n)):
        size[parent[node]] += size[node]
    return size


def mesh_links(
    grid: Grid, dist: dict[int, float], taken: set[int], budget_m: float, rng: np.random.Generator
) -> tuple[list[int], list[int]]:
    """Extra links, nearest the ring first, until `budget_m` is used; then the next ones as planned closures.

    A link's priority is the farther of its ends' distances from the ring, times a factor drawn
    uniformly from [0.6, 1.4); up to `N_PLANNED_CLOSURES` links follow the built ones as planned.

    Parameters
    ----------
    grid : Grid
        The grid.
    dist : dict of int to float
        Distance of every grid point from the ring (`feeder_tree`), noisy metres.
    taken : set of int
        Rows of ``grid.edges`` already used (ring and feeder tree), skipped here.
    budget_m : float
        Length of mesh links to build, metres; the last link may overshoot it.
    rng : numpy.random.Generator
        The stage's random stream.

    Returns
    -------
    built : list of int
        Rows of ``grid.edges`` to build as mesh links, by priority.
    planned : list of int
        The next rows, to become planned ring closures.
    """
    depth = np.array([dist[n] for n in range(len(grid.xy))])
    priority = depth[grid.edges].max(axis=1) * rng.uniform(0.6, 1.4, size=len(grid.edges))
    lengths = grid.length_m
    built, planned, used = [], [], 0.0
    for i in np.argsort(priority, kind="stable").tolist():
        if i in taken:
            continue
        if used < budget_m:
            built.append(i)
            used += lengths[i]
        elif len(planned) < N_PLANNED_CLOSURES:
            planned.append(i)
        else:
            break
    return built, planned
