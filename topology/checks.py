"""Topology checks: what in the route geometry needs a planner's review.

Dangling ends, parts cut off from every POP, near-misses (ends closer than `near_miss_m`
but beyond the snap tolerance), duplicate or overlapping segments in different trenches,
routes in different trenches drawn side by side (possibly one trench drawn twice),
crossings without a junction (for review: they may be at different depths), plus what
the graph build found (zero-length segments, sites that cannot be attached).
"""

from __future__ import annotations

from collections.abc import Mapping

import geopandas as gpd
import numpy as np
import shapely
from scipy.sparse import coo_array
from scipy.sparse.csgraph import connected_components

from inventory.problems import Problem
from topology.findings import geometry_finding
from topology.network import DEFAULT_SNAP_TOLERANCE_M, Network, build_network
from topology.parallel import PARALLEL_DISTANCE_M, shared_piece_pairs, side_by_side_pairs
from topology.trench_review import pair_text, percent

DEFAULT_NEAR_MISS_M = 5.0
MAX_LISTED = 10_000


def _degree(network: Network) -> np.ndarray:
    return np.bincount(np.concatenate([network.edge_u, network.edge_v]), minlength=network.n_vertices)


def _at(network: Network, vertex: int) -> str:
    x, y = network.vertex_xy[vertex]
    return f"({x:.1f}, {y:.1f})"


def _xy(network: Network, vertex: int) -> dict[str, float]:
    """Return the place of `vertex` as parameters of a finding: x, y in metres (EPSG:25832)."""
    x, y = network.vertex_xy[vertex]
    return {"x": float(x), "y": float(y)}


def dangling_ends(network: Network) -> list[Problem]:
    """Report the route ends that meet nothing: no other route and no inventory node.

    A dangling end is a vertex of degree 1 (after snapping, docs/design.md, "Building the graph") that
    carries no node id.

    Parameters
    ----------
    network : Network
        The built network (`topology.network.build_network`), EPSG:25832 metres.

    Returns
    -------
    list of Problem
        One warning 'dangling_end' per loose end (layer routes, row the route id), in vertex order; at most
        `MAX_LISTED`.
    """
    ends = np.flatnonzero((_degree(network) == 1) & np.array([n is None for n in network.vertex_node_id]))
    edge_at = _edge_at_vertex(network)
    return [
        geometry_finding("dangling_end", "routes", f"route_id {network.edge_route_id[edge_at[v]]}",
                         expected="a route end at a node or another route", value=f"a loose end at {_at(network, v)}",
                         fix="connect it, or add the node it ends at (e.g. a building entry or closure)",
                         params={"route_id": network.edge_route_id[edge_at[v]], **_xy(network, v)})
        for v in ends[:MAX_LISTED]
    ]


def _edge_at_vertex(network: Network) -> np.ndarray:
    edge_at = np.full(network.n_vertices, -1, dtype=np.int64)
    edge_at[network.edge_v[::-1]] = np.arange(network.n_edges)[::-1]
    edge_at[network.edge_u[::-1]] = np.arange(network.n_edges)[::-1]
    return edge_at


def separate_components(network: Network) -> list[Problem]:
    """Report the connected parts of the network without an in-service POP.

    The parts are the connected components of the graph (scipy's `connected_components`); a part is fed
    when it holds a vertex of `network.pop_vertices` (the core, docs/design.md, "Data model").

    Parameters
    ----------
    network : Network
        The built network (`topology.network.build_network`), EPSG:25832 metres.

    Returns
    -------
    list of Problem
        One warning 'separate_component' per part without a POP, naming its first route, its number of
        segments and its length in km; empty for a network without edges.
    """
    n = network.n_vertices
    if not network.n_edges:
        return []
    graph = coo_array((np.ones(network.n_edges), (network.edge_u, network.edge_v)), shape=(n, n))
    _, label = connected_components(graph, directed=False)
    fed = set(label[network.pop_vertices].tolist())
    problems = []
    edge_label = label[network.edge_u]
    for component in np.unique(edge_label):
        if component in fed:
            continue
        edges = np.flatnonzero(edge_label == component)
        length_km = network.edge_length_m[edges].sum() / 1000
        problems.append(geometry_finding(
            "separate_component", "routes", f"route_id {network.edge_route_id[edges[0]]}",
            expected="every route connected to an in-service POP",
            value=f"a separate part of {len(edges)} segments ({length_km:.2f} km) without a POP",
            fix="connect it to the network, or add its POP",
            params={"route_id": network.edge_route_id[edges[0]], "segments": len(edges),
                    "length_km": float(length_km)}))
    return problems


def near_misses(network: Network, *, snap_tolerance_m: float, near_miss_m: float) -> list[Problem]:
    """Report the route ends within `near_miss_m` of another route, but beyond the snap tolerance.

    Ends at a building entry are left out: a building next to a street route is expected.

    Parameters
    ----------
    network : Network
        The built network (`topology.network.build_network`), EPSG:25832 metres.
    snap_tolerance_m : float
        The snap tolerance the network was built with (metres); ends this close were joined.
    near_miss_m : float
        Ends closer than this (metres) to another route are near-misses (`topology_findings` passes
        `DEFAULT_NEAR_MISS_M`, 5 m, the project's own default, not taken from a standard).

    Returns
    -------
    list of Problem
        One warning 'near_miss' per such end (the first route found near it), with the gap in metres.
    """
    degree = _degree(network)
    ends = np.flatnonzero((degree == 1) & (network.vertex_kind != "building_entry"))
    if not len(ends) or not network.n_edges:
        return []
    points = shapely.points(network.vertex_xy[ends])
    end_idx, edge_idx = shapely.STRtree(network.edge_geometry).query(points, predicate="dwithin", distance=near_miss_m)
    own = (network.edge_u[edge_idx] == ends[end_idx]) | (network.edge_v[edge_idx] == ends[end_idx])
    end_idx, edge_idx = end_idx[~own], edge_idx[~own]
    distance = shapely.distance(points[end_idx], network.edge_geometry[edge_idx])
    far = distance > snap_tolerance_m
    problems, seen = [], set()
    edge_at = _edge_at_vertex(network)
    for i, e, d in zip(end_idx[far].tolist(), edge_idx[far].tolist(), distance[far].tolist(), strict=True):
        if i in seen:
            continue
        seen.add(i)
        v = int(ends[i])
        route_id = network.edge_route_id[edge_at[v]]
        problems.append(geometry_finding(
            "near_miss", "routes", f"route_id {route_id}",
            expected=(f"a route end joined to route {network.edge_route_id[e]} (within {snap_tolerance_m:g} m) "
                      "or clearly apart"),
            value=f"an end {d:.2f} m from it at {_at(network, v)}",
            fix="move the end onto the other route, or check the gap",
            params={"route_id": route_id,
                    "other_route_id": network.edge_route_id[e], "snap_tolerance_m": float(snap_tolerance_m),
                    "distance_m": d, **_xy(network, v)}))
    return problems


def overlapping_segments(network: Network, *, snap_tolerance_m: float) -> list[Problem]:
    """Report the segments that share more than the tolerance of their length but are not in one trench.

    The pairs come from `topology.parallel.shared_piece_pairs` (an exact upper bound, then GEOS).

    Parameters
    ----------
    network : Network
        The built network (`topology.network.build_network`), EPSG:25832 metres.
    snap_tolerance_m : float
        Segments sharing this much line (metres) or less are not reported.

    Returns
    -------
    list of Problem
        One warning per pair: 'duplicate_segment' (the same line) or 'overlapping_segments' (with the shared
        length in metres); at most `MAX_LISTED`.
    """
    a, b, shared = shared_piece_pairs(network, snap_tolerance_m=snap_tolerance_m)
    problems = []
    for i, j, length in zip(a.tolist(), b.tolist(), shared.tolist(), strict=True):
        duplicate = shapely.equals(network.edge_geometry[i], network.edge_geometry[j])
        problems.append(geometry_finding(
            "duplicate_segment" if duplicate else "overlapping_segments", "routes",
            f"route_id {network.edge_route_id[i]}",
            expected="segments in different trenches apart, or a shared trench_id",
            value=f"{'the same line as' if duplicate else f'{length:.1f} m shared with'} route "
                  f"{network.edge_route_id[j]} (trenches {network.edge_trench_id[i]} and {network.edge_trench_id[j]})",
            fix="give both the same trench_id if they lie in one trench, or delete the duplicate",
            params={"route_id": network.edge_route_id[i], "other_route_id": network.edge_route_id[j],
                    "trench_id": network.edge_trench_id[i], "other_trench_id": network.edge_trench_id[j],
                    "shared_m": length}))
    return problems[:MAX_LISTED]


def side_by_side_routes(network: Network, *, snap_tolerance_m: float) -> list[Problem]:
    """Routes in different trenches drawn side by side along most of one's length: possibly one trench.

    The same kind as `overlapping_segments`, for lines a little apart (see `topology.parallel`);
    pairs that share line are reported there, not here. The thresholds and their sources are those of
    `topology.parallel.side_by_side_pairs`: `PARALLEL_DISTANCE_M` (2 m, from DIN 4124 trench widths),
    `MIN_SIDE_BY_SIDE_SHARE` and `MIN_SIDE_BY_SIDE_M`.

    Parameters
    ----------
    network : Network
        The built network (`topology.network.build_network`), EPSG:25832 metres.
    snap_tolerance_m : float
        Pairs sharing more line than this (metres) are left out: `overlapping_segments` reports them.

    Returns
    -------
    list of Problem
        One warning 'side_by_side_routes' per pair, with the distance (metres) and the share of the length;
        at most `MAX_LISTED`.
    """
    pairs = side_by_side_pairs(network, snap_tolerance_m=snap_tolerance_m)
    return [
        geometry_finding(
            "side_by_side_routes", "routes", f"route_id {row.route_a}",
            expected=(f"routes in different trenches more than {PARALLEL_DISTANCE_M:g} m apart along most of their "
                      "length, or one trench_id"),
            value=f"within {row.distance_m:.1f} m of route {row.route_b} along {percent(row.share)} of its length",
            fix=f"{pair_text(row)}: possibly one trench; give them one trench_id if they lie in one trench",
            params={"route_id": row.route_a, "trench_id": row.trench_a, "other_route_id": row.route_b,
                    "other_trench_id": row.trench_b, "distance_m": float(row.distance_m), "share": float(row.share),
                    "side_by_side_m": float(row.side_by_side_m), "length_m": float(row.length_a_m),
                    "apart_m": float(PARALLEL_DISTANCE_M)})
        for row in pairs.itertuples(index=False)
    ][:MAX_LISTED]


def crossings_without_junction(network: Network) -> list[Problem]:
    """Segments that cross without a shared vertex: not joined (they may lie at different depths).

    Crossing routes are not joined when the graph is built (docs/design.md, "Building the graph"); this
    lists them for review. Pairs come from an STRtree query with the 'crosses' predicate.

    Parameters
    ----------
    network : Network
        The built network (`topology.network.build_network`), EPSG:25832 metres.

    Returns
    -------
    list of Problem
        One info 'crossing_without_junction' per crossing pair, near the crossing point; at most
        `MAX_LISTED`.
    """
    if network.n_edges < 2:
        return []
    a, b = shapely.STRtree(network.edge_geometry).query(network.edge_geometry, predicate="crosses")
    keep = a < b
    a, b = a[keep], b[keep]
    shares = (
        (network.edge_u[a] == network.edge_u[b]) | (network.edge_u[a] == network.edge_v[b])
        | (network.edge_v[a] == network.edge_u[b]) | (network.edge_v[a] == network.edge_v[b])
    )
    a, b = a[~shares], b[~shares]
    points = shapely.intersection(network.edge_geometry[a], network.edge_geometry[b])
    return [
        geometry_finding("crossing_without_junction", "routes", f"route_id {network.edge_route_id[i]}",
                         expected="a junction node where routes meet, if they do",
                         value=f"a crossing with route {network.edge_route_id[j]} near ({p.centroid.x:.1f}, "
                               f"{p.centroid.y:.1f})",
                         fix="for review only: add a node if the cables are spliced there",
                         params={"route_id": network.edge_route_id[i], "other_route_id": network.edge_route_id[j],
                                 "x": p.centroid.x, "y": p.centroid.y}, severity="info")
        for i, j, p in zip(a.tolist(), b.tolist(), points, strict=True)
    ][:MAX_LISTED]


def topology_findings(
    network: Network, *, snap_tolerance_m: float = DEFAULT_SNAP_TOLERANCE_M, near_miss_m: float = DEFAULT_NEAR_MISS_M
) -> list[Problem]:
    """Run every topology check over a built network, plus what the build itself reported.

    The checks are those of the module text; dangling ends, overlapping segments, routes side by side and
    crossings list at most `MAX_LISTED` findings each.

    Parameters
    ----------
    network : Network
        The network (`build_network`).
    snap_tolerance_m : float, default DEFAULT_SNAP_TOLERANCE_M
        The snap tolerance the network was built with (metres; 0.5 by default).
    near_miss_m : float, default DEFAULT_NEAR_MISS_M
        Route ends closer than this (metres) to another route, but beyond the snap tolerance, are near-misses.

    Returns
    -------
    list of Problem
        An error when the network has no POP, then the build's findings, then dangling ends, separate parts,
        near-misses, overlapping segments, routes side by side and crossings without a junction.
    """
    if not len(network.pop_vertices):
        no_pop = [geometry_finding("no_pop", "nodes", None, expected="at least one node of kind pop, in service",
                                   value="none", fix="add the POPs: without them nothing is reachable", params={},
                                   severity="error")]
    else:
        no_pop = []
    return [
        *no_pop,
        *network.findings,
        *dangling_ends(network),
        *separate_components(network),
        *near_misses(network, snap_tolerance_m=snap_tolerance_m, near_miss_m=near_miss_m),
        *overlapping_segments(network, snap_tolerance_m=snap_tolerance_m),
        *side_by_side_routes(network, snap_tolerance_m=snap_tolerance_m),
        *crossings_without_junction(network),
    ]


def check_topology(frames: Mapping[str, gpd.GeoDataFrame]) -> list[Problem]:
    """Run the topology checks for `gelsennet validate` (registered as a `gelsennet.checks` entry point).

    Parameters
    ----------
    frames : mapping of str to geopandas.GeoDataFrame
        The store's layers; the checks need `routes`, `nodes` and `sites` (EPSG:25832, metres).

    Returns
    -------
    list of Problem
        The findings of the network built from them (`topology_findings`); none when a layer is missing.
    """
    if any(name not in frames for name in ("routes", "nodes", "sites")):
        return []
    network = build_network(frames["routes"], frames["nodes"], frames["sites"])
    return topology_findings(network)
