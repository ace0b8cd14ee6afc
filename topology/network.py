"""The fibre network as a graph: vertices are snapped route endpoints, edges are route segments.

`build_network` turns the `routes`, `nodes` and `sites` layers into a `Network`: compact
arrays that the analyses run on in near-linear time. `to_networkx` gives the same graph
as a NetworkX MultiGraph (lengths in metres, route and trench ids on edges,
`G.graph["crs"]`), `from_networkx` reads one back, and `edges_frame` / `vertices_frame`
return GeoDataFrames.

Topology rules (docs/design.md, "Building the graph"): endpoints within `snap_tolerance_m` are one vertex; a line is
split only where another segment's endpoint or an inventory node lies on it; lines that
merely cross stay apart; a site attaches at its handover node, else at the nearest vertex
within `max_drop_m` (reported).

Only a site that is on the network in the scenario joins the graph (`joins_network`): a connected
site always, a planned site only in the planned scenario, a site with connection = none never. How
far a site that is not connected lies from fibre is a coverage fact (`coverage.status`), not a path.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import geopandas as gpd
import networkx as nx
import numpy as np
import pandas as pd
import shapely
from scipy.sparse import coo_array
from scipy.sparse.csgraph import connected_components
from scipy.spatial import cKDTree

from inventory.line_split import cut_line as _cut
from inventory.line_split import split_positions as _split_positions
from inventory.problems import Problem
from inventory.schema import CRS
from topology.errors import CRSMismatchError, MissingCRSError, UnknownScenarioError
from topology.findings import geometry_finding

SCENARIOS = {"in_service": ("in_service",), "planned": ("in_service", "planned")}
DEFAULT_SNAP_TOLERANCE_M = 0.5
DEFAULT_MAX_DROP_M = 150.0


@dataclass
class Network:
    """A route graph as arrays. Vertex i is at `vertex_xy[i]`; edge j joins `edge_u[j]`–`edge_v[j]`."""

    crs: str
    vertex_xy: np.ndarray
    vertex_node_id: np.ndarray
    """Inventory node id at each vertex, or None."""
    vertex_kind: np.ndarray
    edge_u: np.ndarray
    edge_v: np.ndarray
    edge_id: np.ndarray
    """Unique edge id: the route id, with '#k' for the k-th piece of a split route."""
    edge_route_id: np.ndarray
    edge_trench_id: np.ndarray
    edge_length_m: np.ndarray
    edge_geometry: np.ndarray
    pop_vertices: np.ndarray
    """Vertices of in-service POPs: together, the core."""
    sites: pd.DataFrame
    """One row per site: site_id, name, kind, pupils, vertex (-1 if not on the graph), attach, drop_m, connection.

    `attach` is how the site joined (handover_node, nearest_vertex), or why it did not:
    not_connected (connection none), planned (planned, outside the planned scenario), unattached (on
    the network by its connection, but no handover node on the graph and no vertex within the drop).
    """
    findings: list[Problem] = field(default_factory=list)
    scenario: str = "in_service"

    @property
    def n_vertices(self) -> int:
        """Number of vertices."""
        return len(self.vertex_xy)

    @property
    def n_edges(self) -> int:
        """Number of edges."""
        return len(self.edge_u)

    def attached_sites(self) -> pd.DataFrame:
        """Return the rows of `sites` on the graph (vertex not -1)."""
        return self.sites[self.sites["vertex"] >= 0]

    def on_network(self) -> np.ndarray:
        """Tell per site whether its `connection` puts it on the network in this scenario (`joins_network`).

        Such a site without a vertex is a fault of the data; any other site is simply not connected.
        """
        return joins_network(self.sites["connection"], self.scenario)


def _route_selection(routes: gpd.GeoDataFrame, scenario: str) -> gpd.GeoDataFrame:
    if scenario not in SCENARIOS:
        raise UnknownScenarioError(scenario, SCENARIOS)
    return routes[routes["status"].isin(SCENARIOS[scenario])]


def _pieces(lines, route_ids, trench_ids, positions: dict[int, list[float]], tol: float):
    """Lines cut where foreign points lie on them: (geometries, route ids, trench ids, piece ids) as arrays."""
    whole = np.ones(len(lines), dtype=bool)
    whole[list(positions)] = False
    parts = [(lines[whole], route_ids[whole], trench_ids[whole], route_ids[whole])]
    for i in sorted(positions):
        cut = _cut(lines[i], positions[i], tol)
        ids = [route_ids[i]] if len(cut) == 1 else [f"{route_ids[i]}#{k + 1}" for k in range(len(cut))]
        parts.append((np.asarray(cut, dtype=object), np.full(len(cut), route_ids[i], dtype=object),
                      np.full(len(cut), trench_ids[i], dtype=object), np.asarray(ids, dtype=object)))
    return tuple(np.concatenate([part[j] for part in parts]) for j in range(4))


def _end_xy(lines: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return the coordinates (x, y) of the first and of the last point of each line: two arrays of shape (n, 2)."""
    coords = shapely.get_coordinates(lines)
    count = shapely.get_num_coordinates(lines).astype(np.int64)
    last = np.cumsum(count) - 1
    first = last - count + 1
    return coords[first].reshape(-1, 2), coords[last].reshape(-1, 2)


def _snap_clusters(xy: np.ndarray, tol: float) -> np.ndarray:
    """Cluster label per point: points within `tol` of each other (transitively) share one.

    Labels are numbered in the order of the distinct coordinates sorted by x, then y. Candidate pairs
    come from a k-d tree (SciPy `cKDTree.query_pairs`, a radius a little above `tol`); each is then
    decided by GEOS `dwithin`, the test of the definition. `xy`: the points, shape (n, 2).
    """
    order = np.lexsort((xy[:, 1], xy[:, 0]))
    sorted_xy = xy[order]
    new = np.ones(len(xy), dtype=bool)
    new[1:] = np.any(sorted_xy[1:] != sorted_xy[:-1], axis=1)
    unique_xy = sorted_xy[new]
    inverse = np.empty(len(xy), dtype=np.int64)
    inverse[order] = np.cumsum(new) - 1
    n = len(unique_xy)
    if tol > 0 and n > 1:
        pairs = cKDTree(unique_xy).query_pairs(tol * (1 + 1e-6) + 1e-9, output_type="ndarray")
        a, b = pairs[:, 0], pairs[:, 1]
        near = shapely.dwithin(shapely.points(unique_xy[a]), shapely.points(unique_xy[b]), tol)
        graph = coo_array((np.ones(int(near.sum()), dtype=np.int8), (a[near], b[near])), shape=(n, n))
        _, labels = connected_components(graph, directed=False)
    else:
        labels = np.arange(n)
    return labels[inverse]


def build_network(
    routes: gpd.GeoDataFrame,
    nodes: gpd.GeoDataFrame,
    sites: gpd.GeoDataFrame | None = None,
    *,
    scenario: str = "in_service",
    snap_tolerance_m: float = DEFAULT_SNAP_TOLERANCE_M,
    max_drop_m: float = DEFAULT_MAX_DROP_M,
) -> Network:
    """Build the network graph of the routes of `scenario`, with the sites attached to it.

    Route endpoints within `snap_tolerance_m` become one vertex; a route is split only where another
    route's endpoint or an inventory node lies on it within the tolerance; routes that merely cross stay
    apart (they may lie in different trenches or depths). A site attaches at its handover node, else at the
    nearest vertex within `max_drop_m`. Only sites that `joins_network` in the scenario attach. The rules and
    why they hold are in docs/design.md ("Building the graph").

    Parameters
    ----------
    routes : geopandas.GeoDataFrame
        The `routes` layer, n rows of LineStrings in EPSG:25832 (metres), with route_id, trench_id (empty:
        a trench of its own) and status. Only the statuses of `scenario` are used.
    nodes : geopandas.GeoDataFrame
        The `nodes` layer, Points in EPSG:25832, with node_id, kind and status; in-service nodes of kind
        'pop' together form the core.
    sites : geopandas.GeoDataFrame, optional
        The `sites` layer, Points in EPSG:25832, with site_id, name, kind, pupils, connection and
        handover_node_id. None: a network without sites.
    scenario : {'in_service', 'planned'}
        'in_service': routes in service and connected sites; 'planned' adds planned routes and sites.
    snap_tolerance_m : float
        Metres within which endpoints are one vertex and a point splits a line (`DEFAULT_SNAP_TOLERANCE_M`,
        0.5 m, the project's own default, not taken from a standard; the CLI's `--snap-tolerance-m`).
    max_drop_m : float
        Metres a site without a usable handover node may lie from its nearest vertex (`DEFAULT_MAX_DROP_M`,
        150 m, the drop length the coverage status calls near: the FCC's longest drop, 500 ft).

    Returns
    -------
    Network
        Vertex and edge arrays (V vertices, E edges; lengths in metres), `sites` with each site's vertex
        (-1 when not on the graph), how it attached and its drop in metres, and `findings`: warnings about
        the data (zero-length routes, nodes merged by snapping, self-loops, handover nodes off the graph, sites
        attached by distance, unattached sites; the last with severity error), never raised.

    Raises
    ------
    topology.errors.CRSMismatchError
        When a layer is in another CRS than EPSG:25832 (the message names the layer and `.to_crs`); a layer
        without a CRS is taken to be in EPSG:25832.
    topology.errors.UnknownScenarioError
        For an unknown `scenario`.
    KeyError
        When a layer lacks one of the columns named above.

    See Also
    --------
    to_networkx : the same graph as a NetworkX MultiGraph.
    topology.analysis.analyse : everything the analyses derive from it.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely.geometry import LineString, Point
    >>> corners = [(0, 0), (100, 0), (100, 100), (0, 100)]
    >>> routes = gpd.GeoDataFrame(
    ...     {"route_id": ["r1", "r2", "r3", "r4"], "trench_id": ["t1", "t2", "t3", "t4"],
    ...      "status": ["in_service"] * 4},
    ...     geometry=[LineString([corners[i], corners[(i + 1) % 4]]) for i in range(4)], crs="EPSG:25832")
    >>> nodes = gpd.GeoDataFrame({"node_id": ["pop1"], "kind": ["pop"], "status": ["in_service"]},
    ...                          geometry=[Point(0, 0)], crs="EPSG:25832")
    >>> sites = gpd.GeoDataFrame(
    ...     {"site_id": ["s1"], "name": ["School"], "kind": ["school"], "pupils": [300],
    ...      "connection": ["connected"], "handover_node_id": [None]},
    ...     geometry=[Point(100, 101)], crs="EPSG:25832")
    >>> network = build_network(routes, nodes, sites)
    >>> network.n_vertices, network.n_edges
    (4, 4)
    >>> site = network.sites.iloc[0]
    >>> site["attach"], int(site["vertex"]), float(site["drop_m"])
    ('nearest_vertex', 3, 1.0)
    """
    for name, frame in (("routes", routes), ("nodes", nodes), ("sites", sites)):
        if frame is not None and frame.crs is not None and not frame.crs.equals(CRS):
            raise CRSMismatchError(name, frame.crs.to_string(), CRS)
    tol = float(snap_tolerance_m)
    findings: list[Problem] = []
    selected = _route_selection(routes, scenario)
    lines = np.asarray(selected.geometry.values, dtype=object)
    route_ids = selected["route_id"].to_numpy(dtype=object)
    trench_ids = selected["trench_id"].fillna(selected["route_id"]).to_numpy(dtype=object)

    length = shapely.length(lines)
    zero = length <= tol
    for rid in route_ids[zero]:
        findings.append(
            geometry_finding(
                "zero_length",
                "routes",
                f"route_id {rid}",
                expected=f"a segment longer than the snap tolerance ({tol:g} m)",
                value="a segment of (almost) zero length",
                fix="delete or redraw it",
                params={"snap_tolerance_m": tol},
            )
        )
    lines, route_ids, trench_ids = lines[~zero], route_ids[~zero], trench_ids[~zero]

    node_points = np.asarray(nodes.geometry.values, dtype=object)
    ends = shapely.points(np.concatenate(_end_xy(lines)))
    owners = np.concatenate([np.arange(len(lines)), np.arange(len(lines))])
    foreign_points = np.concatenate([ends, node_points])
    foreign_owner = np.concatenate([owners, np.full(len(node_points), -1)])
    positions = _split_positions(lines, foreign_points, foreign_owner, tol) if len(lines) else {}

    piece_lines, piece_route, piece_trench, piece_id = _pieces(lines, route_ids, trench_ids, positions, tol)
    n_pieces = len(piece_lines)

    xy = np.concatenate([*_end_xy(piece_lines), shapely.get_coordinates(node_points)])
    cluster = _snap_clusters(xy, tol) if len(xy) else np.array([], dtype=int)
    n_vertices = int(cluster.max()) + 1 if len(cluster) else 0

    vertex_xy = np.zeros((n_vertices, 2))
    vertex_xy[cluster[::-1]] = xy[::-1]  # the first point of each cluster gives its position ...
    node_cluster = cluster[2 * n_pieces :]
    vertex_xy[node_cluster] = xy[2 * n_pieces :]  # ... unless an inventory node is there
    vertex_node_id = np.full(n_vertices, None, dtype=object)
    vertex_kind = np.full(n_vertices, None, dtype=object)
    node_ids = nodes["node_id"].to_numpy(dtype=object)
    # the first node at a vertex names it; every later one there is reported as merged into it
    _, first = np.unique(node_cluster, return_index=True)
    vertex_node_id[node_cluster[first]] = node_ids[first]
    vertex_kind[node_cluster[first]] = nodes["kind"].to_numpy(dtype=object)[first]
    merged = np.ones(len(node_cluster), dtype=bool)
    merged[first] = False
    for vertex, node_id in zip(node_cluster[merged].tolist(), node_ids[merged].tolist(), strict=True):
        findings.append(
            geometry_finding(
                "nodes_merged",
                "nodes",
                f"node_id {node_id}",
                expected="nodes further apart than the snap tolerance",
                value=f"the same place as node {vertex_node_id[vertex]}",
                fix="merge the two nodes or move one",
                params={"node_id": node_id, "other_node_id": vertex_node_id[vertex], "snap_tolerance_m": tol},
            )
        )

    u, v = cluster[:n_pieces], cluster[n_pieces : 2 * n_pieces]
    loop = u == v
    for pid in np.asarray(piece_id, dtype=object)[loop]:
        findings.append(
            geometry_finding(
                "self_loop",
                "routes",
                f"route_id {pid}",
                expected="a segment between two different places",
                value="a segment that returns to its start",
                fix="split it at a node or delete it",
                params={"route_id": pid},
            )
        )
    keep = ~loop
    piece_lines = piece_lines[keep]
    network = Network(
        crs=CRS,
        vertex_xy=vertex_xy,
        vertex_node_id=vertex_node_id,
        vertex_kind=vertex_kind,
        edge_u=u[keep].astype(np.int64),
        edge_v=v[keep].astype(np.int64),
        edge_id=np.asarray(piece_id, dtype=object)[keep],
        edge_route_id=np.asarray(piece_route, dtype=object)[keep],
        edge_trench_id=np.asarray(piece_trench, dtype=object)[keep],
        edge_length_m=shapely.length(piece_lines) if len(piece_lines) else np.zeros(0),
        edge_geometry=piece_lines,
        pop_vertices=_pop_vertices(nodes, node_cluster),
        sites=pd.DataFrame(),
        findings=findings,
        scenario=scenario,
    )
    network.sites = _attach_sites(network, sites, nodes, node_cluster, max_drop_m)
    return network


def _pop_vertices(nodes: gpd.GeoDataFrame, node_cluster: np.ndarray) -> np.ndarray:
    is_pop = ((nodes["kind"] == "pop") & (nodes["status"] == "in_service")).to_numpy(dtype=bool)
    return np.unique(node_cluster[is_pop]).astype(np.int64)


SITE_COLUMNS = ["site_id", "name", "kind", "pupils", "vertex", "attach", "drop_m", "connection"]
CONNECTIONS_ON_NETWORK = {"in_service": ("connected",), "planned": ("connected", "planned")}
"""The `connection` values of the sites that join the graph, per scenario.

The values are those of docs/design.md, "Data model": connected, planned, none.
"""


def joins_network(connection, scenario: str) -> np.ndarray:
    """Tell per site whether it joins the graph of `scenario`.

    Parameters
    ----------
    connection : array-like of str
        The sites' `connection` values (n,): 'connected', 'planned' or 'none'.
    scenario : str
        One of `SCENARIOS`: 'in_service' takes connected sites, 'planned' connected and planned ones.

    Returns
    -------
    numpy.ndarray
        Booleans (n,).

    Raises
    ------
    topology.errors.UnknownScenarioError
        For a scenario other than those of `CONNECTIONS_ON_NETWORK`.
    """
    if scenario not in CONNECTIONS_ON_NETWORK:
        raise UnknownScenarioError(scenario, CONNECTIONS_ON_NETWORK)
    return np.isin(np.asarray(connection, dtype=object), CONNECTIONS_ON_NETWORK[scenario])


def _attach_sites(network: Network, sites, nodes, node_cluster, max_drop_m: float) -> pd.DataFrame:
    """Attach each site to a vertex: its handover node, else the nearest vertex within `max_drop_m` (vectorised).

    Only sites that `joins_network` in the network's scenario attach; the others get vertex -1.
    """
    if sites is None or not len(sites):
        return pd.DataFrame({c: pd.Series(dtype=object) for c in SITE_COLUMNS}).astype({"vertex": np.int64})
    n = len(sites)
    points = np.asarray(sites.geometry.values, dtype=object)
    ids = sites["site_id"].to_numpy(dtype=object)
    connection = sites["connection"].to_numpy(dtype=object)
    connected = connection == "connected"
    joins = joins_network(connection, network.scenario)
    vertex_of_node = pd.Series(node_cluster, index=nodes["node_id"].to_numpy(dtype=object))
    vertex_of_node = vertex_of_node[~vertex_of_node.index.duplicated()]
    handover = sites["handover_node_id"].astype(object).map(vertex_of_node).to_numpy(dtype=float)
    by_handover = ~np.isnan(handover) & joins
    vertex = np.full(n, -1, dtype=np.int64)
    vertex[by_handover] = handover[by_handover].astype(np.int64)
    attach = np.where(by_handover, "handover_node", "unattached").astype(object)
    attach[~joins] = np.where(connection[~joins] == "planned", "planned", "not_connected")
    drop_m = np.full(n, np.nan)
    drop_m[by_handover] = shapely.distance(points[by_handover], shapely.points(network.vertex_xy[vertex[by_handover]]))

    degree = np.bincount(np.concatenate([network.edge_u, network.edge_v]), minlength=network.n_vertices)
    on_graph = np.flatnonzero(degree > 0)
    rest = np.flatnonzero(~by_handover & joins)
    if len(rest) and len(on_graph):
        tree = shapely.STRtree(shapely.points(network.vertex_xy[on_graph]))
        (found, nearest), distance = tree.query_nearest(
            points[rest], max_distance=max_drop_m, return_distance=True, all_matches=False
        )
        vertex[rest[found]] = on_graph[nearest]
        attach[rest[found]] = "nearest_vertex"
        drop_m[rest[found]] = distance

    handover_ids = sites["handover_node_id"].to_numpy(dtype=object)
    for i in np.flatnonzero(by_handover & connected & (degree[np.maximum(vertex, 0)] == 0)):
        network.findings.append(geometry_finding(
            "handover_not_on_network", "sites", f"site_id {ids[i]}",
            expected="a handover node on a route of this scenario", value=handover_ids[i],
            fix="connect the node with a route, or correct handover_node_id",
            params={"site_id": ids[i], "handover_node_id": handover_ids[i]}))
    for i in np.flatnonzero((attach == "nearest_vertex") & connected):
        network.findings.append(geometry_finding(
            "site_attached_by_distance", "sites", f"site_id {ids[i]}", expected="a handover_node_id", value=None,
            fix=f"attached to the nearest vertex, {drop_m[i]:.0f} m away; fill in handover_node_id",
            params={"site_id": ids[i], "drop_m": float(drop_m[i])}))
    for i in np.flatnonzero((vertex < 0) & connected):
        network.findings.append(geometry_finding(
            "site_unattached", "sites", f"site_id {ids[i]}",
            expected=f"a network vertex within {max_drop_m:g} m or a handover node", value=None,
            fix="fill in handover_node_id or draw the drop route",
            params={"site_id": ids[i], "max_drop_m": float(max_drop_m)}, severity="error"))
    pupils = sites["pupils"].astype("Float64").fillna(0).to_numpy(dtype=float).astype(np.int64)
    frame = pd.DataFrame({"site_id": ids, "name": sites["name"].to_numpy(dtype=object),
                          "kind": sites["kind"].to_numpy(dtype=object), "pupils": pupils, "vertex": vertex,
                          "attach": attach, "drop_m": drop_m, "connection": connection}, columns=SITE_COLUMNS)
    return frame


# ---------------------------------------------------------------------------------------------
# NetworkX and GeoDataFrames


def to_networkx(network: Network) -> nx.MultiGraph:
    """Convert the network to a networkx MultiGraph.

    Vertices are the ints 0..V-1 with the attributes x, y (in `network.crs`), node_id, kind and sites (the
    ids of the sites attached there); edges are keyed by edge id, with route_id, trench_id, length_m and
    geometry. The graph's own attributes hold crs, scenario, pops (the POP vertices) and sites (every row of
    `network.sites`, unattached sites too), so `from_networkx` can rebuild the network.

    Parameters
    ----------
    network : Network
        The network (`build_network`).

    Returns
    -------
    networkx.MultiGraph
        The graph, one vertex per network vertex and one edge per network edge.
    """
    graph = nx.MultiGraph(crs=network.crs, scenario=network.scenario, pops=network.pop_vertices.tolist(),
                          sites=network.sites.to_dict("records"))  # all attributes, unattached sites too
    sites_at: dict[int, list[str]] = {}
    for site_id, vertex in zip(network.sites["site_id"], network.sites["vertex"], strict=True):
        if vertex >= 0:
            sites_at.setdefault(int(vertex), []).append(site_id)
    for i, ((x, y), node_id, kind) in enumerate(
        zip(network.vertex_xy.tolist(), network.vertex_node_id, network.vertex_kind, strict=True)
    ):
        graph.add_node(i, x=x, y=y, node_id=node_id, kind=kind, sites=sites_at.get(i, []))
    graph.add_edges_from(
        (int(u), int(v), eid, {"route_id": rid, "trench_id": tid, "length_m": float(length), "geometry": geom})
        for u, v, eid, rid, tid, length, geom in zip(
            network.edge_u,
            network.edge_v,
            network.edge_id,
            network.edge_route_id,
            network.edge_trench_id,
            network.edge_length_m,
            network.edge_geometry,
            strict=True,
        )
    )
    return graph


def from_networkx(graph: nx.MultiGraph) -> Network:
    """Build a Network from a MultiGraph as made by `to_networkx`.

    Parameters
    ----------
    graph : networkx.MultiGraph
        Vertex labels may be any hashable; the graph attribute `crs` is required. Every other attribute is
        read when present, else defaulted: an edge's route_id is its key, its trench_id its route_id, its
        length_m 1.0; without the graph attribute `sites`, the vertices' `sites` lists give connected sites.

    Returns
    -------
    Network
        The same vertices (in the graph's node order) and edges.

    Raises
    ------
    topology.errors.MissingCRSError
        When `graph.graph` has no 'crs'.
    """
    if "crs" not in graph.graph:
        raise MissingCRSError("the graph has no G.graph['crs']; expected a graph made by topology.to_networkx",
                              source="graph")
    labels = list(graph.nodes)
    index = {label: i for i, label in enumerate(labels)}
    data = graph.nodes
    edges = list(graph.edges(keys=True, data=True))
    pops = [index[p] for p in graph.graph.get("pops", []) if p in index]
    if "sites" in graph.graph:  # made by to_networkx: every attribute, vertices by their label
        sites = pd.DataFrame(graph.graph["sites"], columns=SITE_COLUMNS)
        sites["vertex"] = [index.get(v, -1) if v >= 0 else -1 for v in sites["vertex"]]
        sites["connection"] = sites["connection"].astype(object).where(sites["connection"].notna(), "connected")
    else:  # a graph made by hand: site ids as vertex attributes, every site connected
        rows = [(sid, None, None, 0, index[n], "graph", np.nan, "connected")
                for n in labels for sid in data[n].get("sites", [])]
        sites = pd.DataFrame(rows, columns=SITE_COLUMNS)
    return Network(
        crs=graph.graph["crs"],
        vertex_xy=np.array([[data[n].get("x", np.nan), data[n].get("y", np.nan)] for n in labels]).reshape(-1, 2),
        vertex_node_id=np.array([data[n].get("node_id") for n in labels], dtype=object),
        vertex_kind=np.array([data[n].get("kind") for n in labels], dtype=object),
        edge_u=np.array([index[u] for u, _, _, _ in edges], dtype=np.int64),
        edge_v=np.array([index[v] for _, v, _, _ in edges], dtype=np.int64),
        edge_id=np.array([k for _, _, k, _ in edges], dtype=object),
        edge_route_id=np.array([d.get("route_id", k) for _, _, k, d in edges], dtype=object),
        edge_trench_id=np.array([d.get("trench_id") or d.get("route_id", k) for _, _, k, d in edges], dtype=object),
        edge_length_m=np.array([float(d.get("length_m", 1.0)) for _, _, _, d in edges]),
        edge_geometry=np.array([d.get("geometry") for _, _, _, d in edges], dtype=object),
        pop_vertices=np.array(sorted(pops), dtype=np.int64),
        sites=sites.astype({"vertex": np.int64}),
        scenario=graph.graph.get("scenario", "in_service"),
    )


def edges_frame(network: Network) -> gpd.GeoDataFrame:
    """Return the network's edges as a table: one row per edge.

    Parameters
    ----------
    network : Network
        The network (`build_network`).

    Returns
    -------
    geopandas.GeoDataFrame
        edge_id, route_id, trench_id, u, v (vertex indices), length_m (metres) and the edge's line, in the
        network's CRS.
    """
    return gpd.GeoDataFrame(
        {
            "edge_id": network.edge_id,
            "route_id": network.edge_route_id,
            "trench_id": network.edge_trench_id,
            "u": network.edge_u,
            "v": network.edge_v,
            "length_m": network.edge_length_m,
        },
        geometry=gpd.GeoSeries(network.edge_geometry, crs=network.crs),
        crs=network.crs,
    )


def vertices_frame(network: Network) -> gpd.GeoDataFrame:
    """Return the network's vertices as a table: one row per vertex.

    Parameters
    ----------
    network : Network
        The network (`build_network`).

    Returns
    -------
    geopandas.GeoDataFrame
        vertex (index), node_id (None at a junction), kind, degree (edges at it) and its point, in the
        network's CRS.
    """
    degree = np.bincount(np.concatenate([network.edge_u, network.edge_v]), minlength=network.n_vertices)
    return gpd.GeoDataFrame(
        {
            "vertex": np.arange(network.n_vertices),
            "node_id": network.vertex_node_id,
            "kind": network.vertex_kind,
            "degree": degree,
        },
        geometry=gpd.GeoSeries(shapely.points(network.vertex_xy), crs=network.crs),
        crs=network.crs,
    )
