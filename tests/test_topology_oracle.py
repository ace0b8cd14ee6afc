"""The topology engine against naive oracles, on random small multigraphs (hypothesis).

Every answer of `topology` is checked against an independent, deliberately naive oracle
written here with plain Python and NetworkX: remove the element(s), search again from the
in-service POPs, see which sites are no longer reached (docs/design.md, "Failure algorithms": remove-and-
recheck is the test oracle). Nothing here uses `topology.cuts`.

The graphs: 2-14 vertices on a 100 m grid, parallel edges, 0-3 POPs, disconnected parts,
routes split into pieces (a route's pieces fail together), trenches shared by up to four
edges (also far apart ones), sites at random vertices (several per vertex). Every edge is a
bent line u -> bend -> v whose geometric length is its length_m.
"""

from __future__ import annotations

import itertools
import math
import os
from dataclasses import dataclass, field

import networkx as nx
import numpy as np
import pandas as pd
import pytest
import shapely
from factories import X0, Y0
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from networkx.algorithms.connectivity import local_node_connectivity
from shapely import LineString

from topology import failure_impact, from_networkx, reachability, site_redundancy, to_networkx
from topology.diverse import diverse_paths
from topology.network import Network
from topology.whatif import Failure, what_if

CRS = "EPSG:25832"
GRID_M = 100.0
SITE_KINDS = ("school", "business_park", "public_building", "other")
COST_SCALE = 1_000_000  # lengths to integer micrometres for network_simplex
TOL = 1e-6

EXAMPLES = int(os.environ.get("TOPOLOGY_ORACLE_EXAMPLES", "150"))
"""Examples per property; raise it for a long soak (e.g. TOPOLOGY_ORACLE_EXAMPLES=5000)."""
FAST = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])


# ---------------------------------------------------------------------------------------------
# the random networks


@dataclass
class Edge:
    key: str
    u: int
    v: int
    route_id: str
    trench_id: str
    length_m: float
    geometry: LineString


@dataclass
class Site:
    site_id: str
    vertex: int
    pupils: int
    kind: str


@dataclass
class Case:
    graph: nx.MultiGraph
    network: Network
    xy: list[tuple[float, float]]
    node_id: list[str | None]
    pops: list[int]
    edges: list[Edge]
    sites: list[Site]
    routes: dict[str, set[str]] = field(default_factory=dict)
    """route id -> edge keys"""
    trenches: dict[str, set[str]] = field(default_factory=dict)
    """trench id -> edge keys"""

    def label(self, vertex: int) -> str:
        """What an operator calls a vertex: its node id, else junction@x,y (DESIGN: ids are the operator's)."""
        if self.node_id[vertex] is not None:
            return self.node_id[vertex]
        x, y = self.xy[vertex]
        return f"junction@{x:.1f},{y:.1f}"

    @property
    def labels(self) -> dict[str, int]:
        return {self.label(v): v for v in range(len(self.xy))}

    def edge(self, key: str) -> Edge:
        return self._by_key[key]

    def __post_init__(self) -> None:
        self._by_key = {e.key: e for e in self.edges}

    def __repr__(self) -> str:
        """Short enough to read a failing example: vertices, POPs, edges, sites."""
        edges = ", ".join(f"{e.key}:{e.u}-{e.v}/{e.route_id}/{e.trench_id}/{e.length_m:.1f}m" for e in self.edges)
        sites = ", ".join(f"{s.site_id}@{s.vertex}({s.kind},{s.pupils})" for s in self.sites)
        labels = ", ".join(f"{v}={self.label(v)}" for v in range(len(self.xy)))
        return f"Case(vertices=[{labels}], pops={self.pops}, edges=[{edges}], sites=[{sites}])"


def make_case(
    xy: list[tuple[float, float]],
    edges: list[tuple[int, int, str, str, str, tuple[float, float]]],
    pops: list[int],
    node_id: list[str | None],
    sites: list[Site],
) -> Case:
    """The MultiGraph (as `to_networkx` makes it) and the Network `from_networkx` reads from it.

    `edges`: (u, v, key, route_id, trench_id, bend point); `node_id`: None for a junction.
    """
    graph = nx.MultiGraph(crs=CRS, pops=list(pops), scenario="in_service")
    for v, (x, y) in enumerate(xy):
        graph.add_node(v, x=x, y=y, node_id=node_id[v], kind="pop" if v in pops else None,
                       sites=[s.site_id for s in sites if s.vertex == v])
    made = []
    for u, v, key, route_id, trench_id, bend in edges:
        geometry = LineString([xy[u], bend, xy[v]])
        edge = Edge(key, u, v, route_id, trench_id, float(geometry.length), geometry)
        made.append(edge)
        graph.add_edge(u, v, key=key, route_id=route_id, trench_id=trench_id, length_m=edge.length_m,
                       geometry=geometry)
    network = from_networkx(graph)
    by_id = {s.site_id: s for s in sites}
    network.sites["pupils"] = [by_id[s].pupils for s in network.sites["site_id"]]
    network.sites["kind"] = [by_id[s].kind for s in network.sites["site_id"]]
    network.sites["name"] = [f"site {s}" for s in network.sites["site_id"]]
    case = Case(graph, network, list(xy), list(node_id), list(pops), made, list(sites))
    for edge in made:
        case.routes.setdefault(edge.route_id, set()).add(edge.key)
        case.trenches.setdefault(edge.trench_id, set()).add(edge.key)
    return case


def midpoint(xy, u: int, v: int, dx: float = 0.0, dy: float = 0.0) -> tuple[float, float]:
    return ((xy[u][0] + xy[v][0]) / 2 + dx, (xy[u][1] + xy[v][1]) / 2 + dy)


@st.composite
def cases(draw, *, max_vertices: int = 14, max_edges: int = 22, split_routes: bool = True) -> Case:
    n = draw(st.integers(2, max_vertices))
    cells = draw(st.lists(st.tuples(st.integers(0, 7), st.integers(0, 7)), min_size=n, max_size=n, unique=True))
    xy = [(X0 + GRID_M * cx, Y0 + GRID_M * cy) for cx, cy in cells]

    pairs = []
    for _ in range(draw(st.integers(0, max_edges))):
        u = draw(st.integers(0, n - 1))
        v = (u + draw(st.integers(1, n - 1))) % n
        pairs.append((u, v))
    if pairs:  # some more parallel cables
        for i in draw(st.lists(st.integers(0, len(pairs) - 1), max_size=3)):
            if len(pairs) < max_edges:
                pairs.append(pairs[i][::-1] if draw(st.booleans()) else pairs[i])

    # routes: mostly one piece; sometimes an edge is another piece of an earlier route (up to 3 pieces)
    route_of: list[int] = []
    for e in range(len(pairs)):
        joined = split_routes and e > 0 and draw(st.integers(0, 3)) == 0
        r = route_of[draw(st.integers(0, e - 1))] if joined else e
        if joined and route_of.count(r) >= 3:
            r = e
        route_of.append(r)
    # trenches: per route (a route's pieces lie in its trench), shared by routes of up to 4 edges in all
    trench_of: dict[int, int] = {}
    for r in dict.fromkeys(route_of):
        t = r
        if trench_of and draw(st.integers(0, 2)) == 0:
            t = trench_of[draw(st.sampled_from(sorted(trench_of)))]
            if sum(route_of.count(q) for q, tq in trench_of.items() if tq == t) + route_of.count(r) > 4:
                t = r
        trench_of[r] = t

    n_pops = (0, 1, 1, 2, 2, 3, 3)[draw(st.integers(0, 6))]
    pops = draw(st.lists(st.integers(0, n - 1), min_size=min(n_pops, n), max_size=min(n_pops, n), unique=True))
    node_id = [f"P{v}" if v in pops else (f"N{v}" if draw(st.booleans()) else None) for v in range(n)]
    sites = [
        Site(f"S{i}", draw(st.integers(0, n - 1)), draw(st.integers(0, 1500)), draw(st.sampled_from(SITE_KINDS)))
        for i in range(draw(st.integers(0, 8)))
    ]
    pieces = {r: route_of.count(r) for r in route_of}
    seen: dict[int, int] = {}
    edges = []
    for e, (u, v) in enumerate(pairs):
        r = route_of[e]
        seen[r] = seen.get(r, 0) + 1
        key = f"R{r}" if pieces[r] == 1 else f"R{r}#{seen[r]}"
        bend = midpoint(xy, u, v, draw(st.integers(-30, 30)), draw(st.integers(-30, 30)))
        edges.append((u, v, key, f"R{r}", f"T{trench_of[r]}", bend))
    return make_case(xy, edges, pops, node_id, sites)


def ring_with_spur() -> Case:
    """POP(0) - 1 - 2 - POP(0) is a ring, 2 - 3 a spur; site S (school, 10 pupils) at 3, site R at 2."""
    xy = [(X0, Y0), (X0 + 100, Y0), (X0 + 100, Y0 + 100), (X0 + 200, Y0 + 100)]
    edges = [(u, v, f"R{k}", f"R{k}", f"T{k}", midpoint(xy, u, v)) for k, (u, v) in enumerate([(0, 1), (1, 2), (2, 0), (2, 3)])]
    return make_case(xy, edges, [0], ["P0", "N1", "N2", None], [Site("S", 3, 10, "school"), Site("R", 2, 5, "other")])


def hanging_off_one_pop() -> Case:
    """Site S at vertex 1, hanging off POP P (vertex 0) by the single route R: one path, by edges and by nodes."""
    xy = [(X0, Y0), (X0 + 100, Y0)]
    return make_case(xy, [(0, 1, "R", "R", "R", midpoint(xy, 0, 1, 0, 10))], [0], ["P", "B"],
                     [Site("S", 1, 50, "school")])


def route_through_the_site() -> Case:
    """One route R from POP A (vertex 1) to POP B (vertex 2), split at vertex 0 where site S hangs.

    As `build_network` makes it when a route passes a closure: two pieces R#1, R#2 of one route.
    The graph has two edge-disjoint (and internally node-disjoint) paths 0-1-core and 0-2-core;
    losing route R (both pieces at once) isolates S.
    """
    xy = [(X0 + 100, Y0), (X0, Y0), (X0 + 200, Y0)]
    edges = [(1, 0, "R#1", "R", "R", midpoint(xy, 1, 0)), (0, 2, "R#2", "R", "R", midpoint(xy, 0, 2))]
    return make_case(xy, edges, [1, 2], ["C", "A", "B"], [Site("S", 0, 300, "school")])


# ---------------------------------------------------------------------------------------------
# the oracles: naive, on the MultiGraph, nothing from topology.cuts


def reached(case: Case, dead_edges=frozenset(), dead_nodes=frozenset()) -> set[int]:
    """Vertices a search from the in-service POPs still reaches without `dead_edges` (keys) and `dead_nodes`."""
    start = [p for p in case.pops if p not in dead_nodes]
    seen, stack = set(start), list(start)
    while stack:
        u = stack.pop()
        for w, keys in case.graph.adj[u].items():
            if w in seen or w in dead_nodes or all(k in dead_edges for k in keys):
                continue
            seen.add(w)
            stack.append(w)
    return seen


def isolated(case: Case, dead_edges=frozenset(), dead_nodes=frozenset()) -> set[str]:
    """Sites reachable before, and not after (a dead vertex takes its own sites with it)."""
    before, after = reached(case), reached(case, dead_edges, dead_nodes)
    return {s.site_id for s in case.sites if s.vertex in before and s.vertex not in after}


def elements(case: Case) -> dict[str, dict[str, tuple[frozenset, frozenset]]]:
    """element kind -> element id -> (dead edge keys, dead vertices)."""
    none = frozenset()
    return {
        "segment": {rid: (frozenset(keys), none) for rid, keys in case.routes.items()},
        "node": {label: (none, frozenset([v])) for label, v in case.labels.items()},
        "trench": {tid: (frozenset(keys), none) for tid, keys in case.trenches.items()},
    }


def oracle_impact(case: Case) -> dict[tuple[str, str], set[str]]:
    out = {}
    for kind, table in elements(case).items():
        for element_id, (dead_edges, dead_nodes) in table.items():
            sites = isolated(case, dead_edges, dead_nodes)
            if sites:
                out[(kind, element_id)] = sites
    return out


def distances(case: Case, dead_edges=frozenset(), dead_nodes=frozenset()) -> dict[int, float]:
    """networkx multi-source Dijkstra from the surviving POPs over the surviving edges."""
    h = nx.MultiGraph()
    h.add_nodes_from(v for v in range(len(case.xy)) if v not in dead_nodes)
    h.add_edges_from(
        (e.u, e.v, e.key, {"length_m": e.length_m})
        for e in case.edges
        if e.key not in dead_edges and e.u not in dead_nodes and e.v not in dead_nodes
    )
    sources = [p for p in case.pops if p not in dead_nodes]
    if not sources:
        return {}
    return nx.multi_source_dijkstra_path_length(h, sources, weight="length_m")


def max_edge_disjoint(case: Case, vertex: int) -> int:
    """min(2, edge-disjoint paths vertex -> core): max flow, capacities = edge multiplicities; at a POP: 2."""
    if vertex in case.pops:
        return 2
    if not case.pops:
        return 0
    d = nx.DiGraph()
    d.add_nodes_from(range(len(case.xy)))
    for e in case.edges:
        for a, b in ((e.u, e.v), (e.v, e.u)):
            cap = d.edges[a, b]["capacity"] + 1 if d.has_edge(a, b) else 1
            d.add_edge(a, b, capacity=cap)
    for p in case.pops:
        d.add_edge(p, "core")  # no capacity attribute: infinite
    return min(2, int(nx.maximum_flow_value(d, vertex, "core")))


def max_node_disjoint(case: Case, vertex: int) -> int:
    """min(2, paths vertex -> core that share no vertex but their two ends), the core being every POP
    contracted into one vertex (the one resilient end point `site_redundancy` documents); at a POP: 2.

    Menger's theorem for ends that may be adjacent: each direct edge vertex-core is a path of its own,
    plus networkx's `local_node_connectivity` (max flow with unit vertex capacities) without them.
    """
    if vertex in case.pops:
        return 2
    if vertex not in reached(case):
        return 0
    core = "core"
    h = nx.Graph()
    h.add_nodes_from([*range(len(case.xy)), core])
    direct = 0
    for e in case.edges:
        a, b = (core if x in case.pops else x for x in (e.u, e.v))
        if a == b:
            continue  # between two POPs: inside the core
        if {a, b} == {vertex, core}:
            direct += 1
        else:
            h.add_edge(a, b)
    rest = local_node_connectivity(h, vertex, core) if nx.has_path(h, vertex, core) else 0
    return min(2, direct + rest)


def pop_dependency(case: Case, vertex: int) -> str | None:
    """The POP whose loss alone cuts `vertex` off (remove and recheck), else None."""
    cut_by = [p for p in case.pops if vertex in reached(case) and vertex not in reached(case, dead_nodes=frozenset([p]))]
    assert len(cut_by) <= 1, f"vertex {vertex} depends on the POPs {cut_by}"
    return case.label(cut_by[0]) if cut_by else None


def min_cost_pair(case: Case, vertex: int) -> tuple[int, float]:
    """(units, total length) of the cheapest flow of up to 2 units vertex -> core, each edge used once at most.

    Each undirected edge is a gadget {u, v} -> in -> out -> {u, v} with the in->out arc of capacity 1,
    so it carries one unit in either direction; POPs drain into a super-sink, 2 units each.
    """
    d = nx.DiGraph()
    d.add_edge("S", ("v", vertex), capacity=2, weight=0)
    d.add_nodes_from(("v", v) for v in range(len(case.xy)))
    d.add_node("T")
    for e in case.edges:
        ein, eout = ("in", e.key), ("out", e.key)
        d.add_edge(ein, eout, capacity=1, weight=round(e.length_m * COST_SCALE))
        for end in (e.u, e.v):
            d.add_edge(("v", end), ein, capacity=1, weight=0)
            d.add_edge(eout, ("v", end), capacity=1, weight=0)
    for p in case.pops:
        d.add_edge(("v", p), "T", capacity=2, weight=0)
    flow = nx.max_flow_min_cost(d, "S", "T")
    units = sum(flow["S"].values())
    return units, nx.cost_of_flow(d, flow) / COST_SCALE


def simple_edge_paths(case: Case, vertex: int) -> list[tuple[str, ...]]:
    """Every simple path (as edge keys) from `vertex` to the first POP it meets."""
    out = []

    def walk(u: int, visited: set[int], path: list[str]) -> None:
        if u in case.pops:
            out.append(tuple(path))
            return
        for w, keys in case.graph.adj[u].items():
            if w in visited:
                continue
            for k in keys:
                walk(w, visited | {w}, [*path, k])

    walk(vertex, {vertex}, [])
    return out


def trench_disjoint_exists(case: Case, vertex: int) -> bool:
    paths = simple_edge_paths(case, vertex)
    trenches = [frozenset(case.edge(k).trench_id for k in p) for p in paths]
    return any(not (a & b) for a, b in itertools.combinations_with_replacement(trenches, 2))


# ---------------------------------------------------------------------------------------------
# helpers for checking answers


def edge_keys(case: Case, indices) -> list[str]:
    return [case.network.edge_id[i] for i in indices]


def assert_walk(case: Case, vertex: int, keys: list[str]) -> None:
    """`keys` is a walk from `vertex` to a POP using no edge twice."""
    assert len(keys) == len(set(keys)), f"an edge used twice: {keys}"
    at = vertex
    for k in keys:
        e = case.edge(k)
        assert at in (e.u, e.v), f"edge {k} ({e.u}-{e.v}) does not continue the walk at vertex {at}: {keys}"
        at = e.v if at == e.u else e.u
    assert at in case.pops, f"the walk {keys} from {vertex} ends at {at}, not at a POP {case.pops}"


def same(a: float, b: float, tol: float = TOL) -> bool:
    if a is None or b is None or pd.isna(a) or pd.isna(b):
        return (a is None or pd.isna(a)) and (b is None or pd.isna(b))
    return math.isclose(a, b, rel_tol=0, abs_tol=tol)


# ---------------------------------------------------------------------------------------------
# failure impact


@FAST
@given(case=cases())
def test_failure_impact_equals_remove_and_recheck(case):
    impact = failure_impact(case.network)
    keys = list(zip(impact["element"], impact["element_id"], strict=True))
    assert len(keys) == len(set(keys)), "an element listed twice"
    got = {key: set(sites) for key, sites in zip(keys, impact["sites"], strict=True)}
    assert got == oracle_impact(case)

    pupils = {s.site_id: s.pupils for s in case.sites}
    kind = {s.site_id: s.kind for s in case.sites}
    for row in impact.itertuples(index=False):
        assert len(row.sites) == len(set(row.sites)) == row.n_sites > 0
        assert row.pupils == sum(pupils[s] for s in row.sites)
        assert row.n_schools == sum(kind[s] == "school" for s in row.sites)
        assert row.n_business_parks == sum(kind[s] == "business_park" for s in row.sites)
    assert list(impact["pupils"]) == sorted(impact["pupils"], reverse=True), "not ranked by pupils"


# ---------------------------------------------------------------------------------------------
# site redundancy


@FAST
@given(case=cases())
def test_site_redundancy_spofs_equal_remove_and_recheck(case):
    if not case.sites:
        return  # a network without sites: see test_topology_cases.py
    table = site_redundancy(case.network).set_index("site_id")
    assert sorted(table.index) == sorted(s.site_id for s in case.sites)
    before = reached(case)
    kinds = elements(case)
    for site in case.sites:
        row = table.loc[site.site_id]
        reachable = site.vertex in before
        assert row["reachable"] == reachable
        cut_by = {
            kind: sorted(eid for eid, (de, dn) in table_.items() if site.site_id in isolated(case, de, dn))
            for kind, table_ in kinds.items()
        }
        assert list(row["spof_segments"]) == cut_by["segment"]
        core = {case.label(p) for p in case.pops}
        assert list(row["spof_nodes"]) == [n for n in cut_by["node"] if n != case.label(site.vertex) and n not in core]
        assert list(row["spof_trenches"]) == cut_by["trench"]
        spof = row["spof_segments"] or row["spof_nodes"] or row["spof_trenches"]
        assert row["redundant"] == (reachable and not spof)
        pop = row["depends_on_pop"]
        assert (None if pd.isna(pop) else pop) == pop_dependency(case, site.vertex)


def check_disjoint_path_counts(case: Case) -> None:
    if not case.sites:
        return
    table = site_redundancy(case.network).set_index("site_id")
    for site in case.sites:
        row = table.loc[site.site_id]
        expected_edge = max_edge_disjoint(case, site.vertex)
        assert row["edge_disjoint_paths"] == expected_edge, (
            f"site {site.site_id} at vertex {site.vertex}: edge_disjoint_paths {row['edge_disjoint_paths']}, "
            f"max flow says {expected_edge}"
        )
        expected_node = max_node_disjoint(case, site.vertex)
        assert row["node_disjoint_paths"] == expected_node, (
            f"site {site.site_id} at vertex {site.vertex}: node_disjoint_paths {row['node_disjoint_paths']}, "
            f"Menger (networkx node connectivity) says {expected_node}"
        )
        assert row["node_disjoint_paths"] <= row["edge_disjoint_paths"], f"site {site.site_id}: more node paths"


@FAST
@given(case=cases(split_routes=False))
def test_disjoint_path_counts_equal_max_flow_and_node_connectivity(case):
    """Every route is one edge: the counts must equal max flow / Menger's node connectivity, node <= edge."""
    check_disjoint_path_counts(case)


@FAST
@example(case=route_through_the_site())
@example(case=hanging_off_one_pop())
@given(case=cases(split_routes=True))
def test_disjoint_path_counts_with_routes_split_into_pieces(case):
    """Routes of several pieces: the counts are about graph edges (DESIGN: an edge is a route segment)."""
    check_disjoint_path_counts(case)


# ---------------------------------------------------------------------------------------------
# reachability


@FAST
@given(case=cases())
def test_reachability_equals_dijkstra_and_the_path_is_real(case):
    dist = distances(case)
    table = reachability(case.network).set_index("site_id")
    at_xy = {xy: v for v, xy in enumerate(case.xy)}
    for site in case.sites:
        row = table.loc[site.site_id]
        assert row["reachable"] == (site.vertex in dist)
        if site.vertex not in dist:
            assert pd.isna(row["distance_m"]) and pd.isna(row["hops"]) and row.geometry is None
            continue
        assert same(row["distance_m"], dist[site.vertex])
        hops = int(row["hops"])
        if hops == 0:
            assert site.vertex in case.pops and row.geometry is None
            assert row["pop"] == case.node_id[site.vertex]
            continue
        line = row.geometry
        assert line.geom_type == "LineString", line.geom_type
        assert same(line.length, dist[site.vertex], 1e-6)
        coords = [tuple(c) for c in shapely.get_coordinates(line).tolist()]
        assert len(coords) == 2 * hops + 1, "every edge of the path is a bent line of 3 points"
        if coords[0] != case.xy[site.vertex]:
            coords = coords[::-1]
        assert coords[0] == case.xy[site.vertex]
        total, routes = 0.0, []
        for i in range(hops):
            a, bend, b = coords[2 * i : 2 * i + 3]
            u, v = at_xy[a], at_xy[b]
            match = [
                e for e in case.edges
                if {e.u, e.v} == {u, v} and shapely.get_coordinates(e.geometry)[1].tolist() == list(bend)
            ]
            assert match, f"no edge {u}-{v} bent at {bend}"
            total += match[0].length_m
            routes.append(match[0].route_id)
        end = at_xy[coords[-1]]
        assert end in case.pops
        assert row["pop"] == case.node_id[end]
        assert same(total, dist[site.vertex])
        assert list(row["path_route_ids"]) == list(dict.fromkeys(routes))


# ---------------------------------------------------------------------------------------------
# what-if


@FAST
@given(case=cases(), data=st.data())
def test_what_if_equals_remove_and_recheck(case, data):
    segments = data.draw(st.lists(st.sampled_from(sorted(case.routes)), max_size=3)) if case.routes else []
    nodes = data.draw(st.lists(st.sampled_from(sorted(case.labels)), max_size=2))
    trenches = data.draw(st.lists(st.sampled_from(sorted(case.trenches)), max_size=2)) if case.trenches else []
    result = what_if(case.network, Failure(segments=segments, nodes=nodes, trenches=trenches))

    dead_edges = frozenset().union(*(case.routes[r] for r in segments), *(case.trenches[t] for t in trenches))
    dead_nodes = frozenset(case.labels[n] for n in nodes)
    assert set(edge_keys(case, result.failed_edges)) == dead_edges
    assert set(result.failed_vertices.tolist()) == dead_nodes

    if not case.sites:
        return  # a network without sites: see test_topology_cases.py
    before, after = distances(case), distances(case, dead_edges, dead_nodes)
    table = result.sites.set_index("site_id")
    assert set(result.isolated()["site_id"]) == isolated(case, dead_edges, dead_nodes)
    for site in case.sites:
        row = table.loc[site.site_id]
        assert same(row["distance_before_m"], before.get(site.vertex, np.nan))
        assert same(row["distance_after_m"], after.get(site.vertex, np.nan))
    summary = result.summary()
    assert summary["isolated_pupils"] == sum(
        s.pupils for s in case.sites if s.site_id in isolated(case, dead_edges, dead_nodes)
    )


# ---------------------------------------------------------------------------------------------
# diverse paths


@FAST
@given(case=cases())
def test_diverse_paths_is_the_min_cost_edge_disjoint_pair(case):
    for site in case.sites:
        pair = diverse_paths(case.network, site.site_id)
        units, total = min_cost_pair(case, site.vertex)
        assert pair.found == (units == 2), f"site at {site.vertex}: found {pair.found}, max flow {units}"
        if not pair.found:
            assert pair.trench_disjoint is False
            continue
        a, b = edge_keys(case, pair.path_a), edge_keys(case, pair.path_b)
        assert_walk(case, site.vertex, a)
        assert_walk(case, site.vertex, b)
        assert not set(a) & set(b), f"paths share edges: {a} / {b}"
        assert same(pair.length_a_m, sum(case.edge(k).length_m for k in a))
        assert same(pair.length_b_m, sum(case.edge(k).length_m for k in b))
        assert same(pair.length_a_m + pair.length_b_m, total, 1e-4), (
            f"site at {site.vertex}: pair of {pair.length_a_m + pair.length_b_m:.6f} m, "
            f"the cheapest edge-disjoint pair has {total:.6f} m"
        )
        shared = {case.edge(k).trench_id for k in a} & {case.edge(k).trench_id for k in b}
        assert pair.shared_trenches == sorted(shared)


@FAST
@given(case=cases(max_vertices=7, max_edges=10))
def test_trench_disjoint_equals_brute_force(case):
    for site in case.sites:
        pair = diverse_paths(case.network, site.site_id)
        if not pair.found:
            continue
        expected = trench_disjoint_exists(case, site.vertex)
        assert pair.trench_disjoint == expected, f"site at vertex {site.vertex}"
        if expected:
            a, b = (edge_keys(case, p) for p in pair.trench_disjoint_pair)
            assert_walk(case, site.vertex, a)
            assert_walk(case, site.vertex, b)
            assert not {case.edge(k).trench_id for k in a} & {case.edge(k).trench_id for k in b}


# ---------------------------------------------------------------------------------------------
# NetworkX round trip


@FAST
@given(case=cases())
def test_networkx_round_trip_keeps_the_graph(case):
    g = to_networkx(case.network)
    assert g.graph["crs"] == CRS
    assert sorted(g.graph["pops"]) == sorted(case.pops)
    got = sorted((min(u, v), max(u, v), k, d["route_id"], d["trench_id"], d["length_m"])
                 for u, v, k, d in g.edges(keys=True, data=True))
    want = sorted((min(e.u, e.v), max(e.u, e.v), e.key, e.route_id, e.trench_id, e.length_m) for e in case.edges)
    assert got == want
    again = from_networkx(g)
    assert sorted(again.sites["site_id"]) == sorted(case.network.sites["site_id"])
    impact = failure_impact(again)
    assert {(r.element, r.element_id): set(r.sites) for r in impact.itertuples()} == oracle_impact(case)


def test_oracle_self_check():
    """The oracles themselves, on a case small enough to check by hand."""
    case = ring_with_spur()
    ring, diagonal = 200.0, math.hypot(100, 100)
    assert oracle_impact(case) == {("segment", "R3"): {"S"}, ("trench", "T3"): {"S"}, ("node", "P0"): {"S", "R"},
                                   ("node", "N2"): {"S", "R"}, (("node", "junction@368200.0,5710100.0")): {"S"}}
    assert max_edge_disjoint(case, 2) == 2 and max_edge_disjoint(case, 3) == 1 and max_edge_disjoint(case, 0) == 2
    assert max_node_disjoint(case, 3) == 1
    assert max_node_disjoint(case, 2) == 2  # the only POP is the core: two paths may end at it
    assert pop_dependency(case, 3) == pop_dependency(case, 2) == "P0"
    units, total = min_cost_pair(case, 2)
    assert units == 2 and same(total, ring + diagonal, 1e-4)
    assert min_cost_pair(case, 3)[0] == 1 and min_cost_pair(case, 0) == (2, 0)
    assert trench_disjoint_exists(case, 2) and not trench_disjoint_exists(case, 3)
    assert distances(case) == pytest.approx({0: 0.0, 1: 100.0, 2: diagonal, 3: diagonal + 100})
    assert isolated(case, dead_nodes=frozenset([2])) == {"S", "R"}

    case = route_through_the_site()
    assert max_edge_disjoint(case, 0) == 2 and max_node_disjoint(case, 0) == 2
    assert pop_dependency(case, 0) is None
    assert oracle_impact(case) == {("segment", "R"): {"S"}, ("trench", "R"): {"S"}, ("node", "C"): {"S"}}

    case = hanging_off_one_pop()
    assert max_edge_disjoint(case, 1) == 1 and max_node_disjoint(case, 1) == 1
    assert pop_dependency(case, 1) == "P" and pop_dependency(case, 0) == "P"
