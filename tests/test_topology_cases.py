"""The topology engine on hand-made networks with known answers, built from GeoDataFrames by `build_network`.

Coordinates are metres in EPSG:25832 relative to (X0, Y0); every frame goes through
`inventory.validation.check_frame`, as a store would give it.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from factories import X0, Y0, frame
from shapely import LineString, Point

from inventory.schema import CRS
from topology import build_network, edges_frame, failure_impact, from_networkx, site_redundancy, to_networkx
from topology import reachability as reachability_table
from topology.analysis import analyse
from topology.checks import crossings_without_junction, near_misses, topology_findings
from topology.diverse import diverse_paths
from topology.network import vertices_frame
from topology.whatif import Failure, what_if


def at(dx: float, dy: float) -> tuple[float, float]:
    return (X0 + dx, Y0 + dy)


def nodes(*rows) -> gpd.GeoDataFrame:
    """rows: (node_id, kind, (dx, dy)[, status])"""
    return frame("nodes", [
        {"node_id": nid, "kind": kind, "status": rest[0] if rest else "in_service", "geometry": Point(at(*xy))}
        for nid, kind, xy, *rest in rows
    ])


def routes(*rows) -> gpd.GeoDataFrame:
    """rows: (route_id, [(dx, dy), ...][, trench_id[, status]])"""
    out = []
    for rid, points, *rest in rows:
        out.append({"route_id": rid, "trench_id": rest[0] if rest else None,
                    "status": rest[1] if len(rest) > 1 else "in_service",
                    "geometry": LineString([at(*p) for p in points])})
    return frame("routes", out)


def sites(*rows) -> gpd.GeoDataFrame:
    """rows: (site_id, (dx, dy), handover_node_id[, pupils[, kind[, connection]]])"""
    out = []
    for sid, xy, handover, *rest in rows:
        kind = rest[1] if len(rest) > 1 else "school"
        out.append({"site_id": sid, "kind": kind, "name": f"Site {sid}", "connection": rest[2] if len(rest) > 2 else
                    "connected", "handover_node_id": handover, "pupils": (rest[0] if rest else 100) if kind == "school"
                    else None, "geometry": Point(at(*xy))})
    return frame("sites", out)


def impact_sets(network) -> dict[tuple[str, str], set[str]]:
    table = failure_impact(network)
    return {(r.element, r.element_id): set(r.sites) for r in table.itertuples(index=False)}


def redundancy(network) -> pd.DataFrame:
    return site_redundancy(network).set_index("site_id")


def rules(problems) -> list[str]:
    return [p.rule for p in problems]


# ---------------------------------------------------------------------------------------------
# the networks

RING_XY = {"POP1": (0, 0), "C1": (600, 0), "POP2": (1000, 1000), "C3": (0, 1000)}


def ring_two_pops(spur: bool = False, far_site: bool = False):
    """POP1 - C1 - POP2 - C3 - POP1, one route per side; with `spur`: C1 - junction - building entry B1.

    With `far_site`: a site F 2 km away and without handover node, so unattached.
    """
    node_rows = [(n, "pop" if n.startswith("POP") else "closure", xy) for n, xy in RING_XY.items()]
    route_rows = [("R1", [RING_XY["POP1"], RING_XY["C1"]]), ("R2", [RING_XY["C1"], RING_XY["POP2"]]),
                  ("R3", [RING_XY["POP2"], RING_XY["C3"]]), ("R4", [RING_XY["C3"], RING_XY["POP1"]])]
    site_rows = [("A", (610, 10), "C1", 400), ("B", (10, 990), "C3", 250)]
    if spur:
        node_rows.append(("B1", "building_entry", (600, -600)))
        route_rows += [("SP1", [(600, 0), (600, -300)]), ("SP2", [(600, -300), (600, -600)])]
        site_rows += [("S", (605, -605), "B1", 700), ("S2", (595, -605), "B1", 0, "business_park")]
    if far_site:
        site_rows.append(("F", (3000, 3000), None, 50))
    return build_network(routes(*route_rows), nodes(*node_rows), sites(*site_rows))


SPUR_JUNCTION = f"junction@{X0 + 600:.1f},{Y0 - 300:.1f}"


def ring_one_pop():
    """A 1 km square ring from a single POP: POP1 - C1 - C2 - C3 - POP1, sites at C1 and C2."""
    xy = {"POP1": (0, 0), "C1": (1000, 0), "C2": (1000, 1000), "C3": (0, 1000)}
    ring = ["POP1", "C1", "C2", "C3", "POP1"]
    return build_network(
        routes(*[(f"R{i + 1}", [xy[a], xy[b]]) for i, (a, b) in enumerate(zip(ring, ring[1:], strict=False))]),
        nodes(*[(n, "pop" if n == "POP1" else "closure", p) for n, p in xy.items()]),
        sites(("A", (1000, 10), "C1"), ("B", (990, 1000), "C2")),
    )


# ---------------------------------------------------------------------------------------------
# rings and spurs


def test_ring_with_two_pops_has_no_single_homed_site_and_no_bridge():
    network = ring_two_pops()
    assert network.n_vertices == 4 and network.n_edges == 4
    # only each site's own handover node cuts it off
    assert impact_sets(network) == {("node", "C1"): {"A"}, ("node", "C3"): {"B"}}
    assert failure_impact(network)["handover_only"].all()
    table = redundancy(network)
    assert table["reachable"].all() and table["redundant"].all()
    assert (table["edge_disjoint_paths"] == 2).all() and (table["node_disjoint_paths"] == 2).all()
    assert all(not x for col in ("spof_segments", "spof_nodes", "spof_trenches") for x in table[col])
    assert analyse(network).single_homed().empty
    assert table.loc["A", "distance_m"] == pytest.approx(600) and table.loc["A", "pop"] == "POP1"


def test_ring_with_one_pop_lists_the_pop_outage_but_no_site_spof():
    """A single-POP ring: the POP's outage is in the criticality table, but the core is no site's SPOF."""
    network = ring_one_pop()
    assert impact_sets(network) == {("node", "POP1"): {"A", "B"}, ("node", "C1"): {"A"}, ("node", "C2"): {"B"}}
    table = redundancy(network)
    assert (table["edge_disjoint_paths"] == 2).all() and (table["node_disjoint_paths"] == 2).all()
    assert all(not x for col in ("spof_segments", "spof_nodes", "spof_trenches") for x in table[col])


def test_ring_with_one_pop_has_no_single_homed_site():
    network = ring_one_pop()
    assert redundancy(network)["redundant"].all()
    assert analyse(network).single_homed().empty


def test_ring_with_a_spur():
    network = ring_two_pops(spur=True)
    spur = {"S", "S2"}
    assert impact_sets(network) == {
        ("segment", "SP1"): spur, ("segment", "SP2"): spur,
        ("trench", "SP1"): spur, ("trench", "SP2"): spur,
        ("node", "C1"): {"A", *spur},  # the ring node where the spur starts
        ("node", SPUR_JUNCTION): spur,
        ("node", "B1"): spur,
        ("node", "C3"): {"B"},
    }
    table = failure_impact(network).set_index(["element", "element_id"])
    assert table.loc[("segment", "SP1"), "pupils"] == 700
    assert table.loc[("segment", "SP1"), "n_schools"] == 1 and table.loc[("segment", "SP1"), "n_business_parks"] == 1
    assert table.loc[("node", "C1"), "pupils"] == 1100 and not table.loc[("node", "C1"), "handover_only"]
    assert table.loc[("node", "B1"), "handover_only"]
    assert failure_impact(network)["element_id"].iloc[0] == "C1"  # most pupils first

    red = redundancy(network)
    assert red.loc["S", "spof_segments"] == ["SP1", "SP2"]
    assert red.loc["S", "spof_nodes"] == ["C1", SPUR_JUNCTION]  # not its own B1
    assert red.loc["S", "spof_trenches"] == ["SP1", "SP2"]
    assert red.loc["S", "edge_disjoint_paths"] == 1 and red.loc["S", "node_disjoint_paths"] == 1
    assert not red.loc["S", "redundant"] and red.loc["A", "redundant"]
    assert red.loc["S", "distance_m"] == pytest.approx(1200) and red.loc["S", "hops"] == 3


def test_two_cables_in_one_trench_are_one_failure():
    network = build_network(
        routes(("A", [(0, 0), (500, 0)], "T1"), ("B", [(0, 0), (250, 5), (500, 0)], "T1")),
        nodes(("POP1", "pop", (0, 0)), ("C1", "closure", (500, 0))),
        sites(("S", (505, 0), "C1", 300)),
    )
    assert network.n_edges == 2 and network.n_vertices == 2
    assert impact_sets(network) == {("trench", "T1"): {"S"}, ("node", "POP1"): {"S"}, ("node", "C1"): {"S"}}
    red = redundancy(network)
    assert red.loc["S", "edge_disjoint_paths"] == 2
    assert red.loc["S", "spof_segments"] == [] and red.loc["S", "spof_trenches"] == ["T1"]
    assert not red.loc["S", "redundant"]
    pair = diverse_paths(network, "S")
    assert pair.found and pair.shared_trenches == ["T1"] and pair.trench_disjoint is False
    assert pair.length_a_m + pair.length_b_m == pytest.approx(500 + 2 * np.hypot(250, 5))


def test_two_cables_in_different_trenches_with_the_same_line_are_reported_as_duplicates():
    network = build_network(
        routes(("A", [(0, 0), (500, 0)], "T1"), ("B", [(0, 0), (500, 0)], "T2")),
        nodes(("POP1", "pop", (0, 0)), ("C1", "closure", (500, 0))), sites(("S", (505, 0), "C1")),
    )
    assert "duplicate_segment" in rules(topology_findings(network))
    assert redundancy(network).loc["S", "spof_trenches"] == []


def test_suurballe_finds_the_pair_that_shortest_path_then_delete_misses():
    """The trap: the shortest path s-a-b-t blocks both of the only disjoint pair s-a-t + s-b-t."""
    network = build_network(
        routes(("sa", [(0, 0), (100, 0)]), ("ab", [(100, 0), (100, 100)]), ("bt", [(100, 100), (200, 100)]),
               ("sb", [(0, 0), (0, 100), (100, 100)]), ("at", [(100, 0), (200, 0), (200, 100)])),
        nodes(("POP", "pop", (200, 100))), sites(("S", (0, 0), None)),
    )
    pair = diverse_paths(network, "S")
    assert pair.found
    routes_a, routes_b = sorted([pair.route_ids(network, pair.path_a), pair.route_ids(network, pair.path_b)])
    assert (routes_a, routes_b) == (["sa", "at"], ["sb", "bt"])
    assert pair.length_a_m + pair.length_b_m == pytest.approx(600)
    assert pair.trench_disjoint is True


# ---------------------------------------------------------------------------------------------
# the topology rules: crossings, T-junctions, snapping


def test_lines_that_merely_cross_stay_apart_and_the_crossing_is_reported():
    network = build_network(
        routes(("H", [(0, 500), (1000, 500)]), ("V", [(500, 0), (500, 1000)])),
        nodes(("POP1", "pop", (0, 500)), ("C", "closure", (500, 1000))),
        sites(("S", (505, 1000), "C")),
    )
    assert network.n_vertices == 4 and network.n_edges == 2
    h, v = (np.flatnonzero(network.edge_route_id == r)[0] for r in ("H", "V"))
    assert not {network.edge_u[h], network.edge_v[h]} & {network.edge_u[v], network.edge_v[v]}
    crossings = crossings_without_junction(network)
    assert rules(crossings) == ["crossing_without_junction"] and crossings[0].severity == "info"
    assert "separate_component" in rules(topology_findings(network))
    assert not redundancy(network).loc["S", "reachable"]


def test_a_line_ending_on_another_line_splits_it():
    network = build_network(
        routes(("H", [(0, 0), (1000, 0)]), ("V", [(400, 0.3), (400, 500)])),
        nodes(("POP1", "pop", (0, 0)), ("C", "closure", (400, 500))),
        sites(("S", (400, 505), "C")),
    )
    assert network.n_vertices == 4 and network.n_edges == 3
    lengths = dict(zip(network.edge_id, network.edge_length_m, strict=True))
    assert lengths == pytest.approx({"H#1": 400.0, "H#2": 600.0, "V": 499.7})
    assert sorted(network.edge_route_id) == ["H", "H", "V"]
    red = redundancy(network)
    assert red.loc["S", "reachable"] and red.loc["S", "distance_m"] == pytest.approx(899.7)
    # the route H fails as one: its two pieces together; piece H#1 is the bridge
    assert impact_sets(network)[("segment", "H")] == {"S"} and impact_sets(network)[("segment", "V")] == {"S"}
    assert not near_misses(network, snap_tolerance_m=0.5, near_miss_m=5.0)


def closure_on_a_route():
    """One route R from POP1 to POP2 passes the closure C (a node on its interior): R is split there."""
    return build_network(
        routes(("R", [(0, 0), (1000, 0)])),
        nodes(("POP1", "pop", (0, 0)), ("C", "closure", (500, 0.2)), ("POP2", "pop", (1000, 0))),
        sites(("S", (500, 10), "C", 300)),
    )


def test_a_node_on_a_line_splits_it_and_the_route_fails_as_one():
    network = closure_on_a_route()
    assert sorted(network.edge_id) == ["R#1", "R#2"] and network.n_vertices == 3
    assert impact_sets(network) == {("segment", "R"): {"S"}, ("trench", "R"): {"S"}, ("node", "C"): {"S"}}
    red = redundancy(network)
    assert red.loc["S", "spof_segments"] == ["R"] and red.loc["S", "spof_trenches"] == ["R"]
    assert red.loc["S", "spof_nodes"] == [] and not red.loc["S", "redundant"]
    pair = diverse_paths(network, "S")
    assert pair.found and pair.shared_trenches == ["R"] and pair.trench_disjoint is False


def test_disjoint_path_counts_of_a_site_on_a_route_passing_through():
    """Two paths C-POP1 and C-POP2 share no edge (piece) and no vertex: 2 and 2, though route R cuts both."""
    red = redundancy(closure_on_a_route())
    assert red.loc["S", "edge_disjoint_paths"] == 2
    assert red.loc["S", "node_disjoint_paths"] == 2


def test_a_line_ending_3_m_from_another_line_is_a_near_miss_not_a_junction():
    network = build_network(
        routes(("H", [(0, 0), (1000, 0)]), ("V", [(400, 3), (400, 500)])),
        nodes(("POP1", "pop", (0, 0)), ("C", "closure", (400, 500))),
        sites(("S", (400, 505), "C")),
    )
    assert network.n_vertices == 4 and list(network.edge_id) == ["H", "V"]
    misses = near_misses(network, snap_tolerance_m=0.5, near_miss_m=5.0)
    assert [(p.row, p.value.startswith("an end 3.00 m")) for p in misses] == [("route_id V", True)]
    assert not redundancy(network).loc["S", "reachable"]


@pytest.mark.parametrize(("gap", "joined"), [(0.3, True), (3.0, False)])
def test_endpoints_snap_within_the_tolerance_only(gap, joined):
    network = build_network(
        routes(("A", [(0, 0), (100, 0)]), ("B", [(100 + gap, 0), (200, 0)])),
        nodes(("POP1", "pop", (0, 0)), ("C", "closure", (200, 0))),
        sites(("S", (205, 0), "C")),
        snap_tolerance_m=0.5,
    )
    assert network.n_vertices == (3 if joined else 4)
    red = redundancy(network)
    assert red.loc["S", "reachable"] == joined
    misses = [p for p in topology_findings(network, snap_tolerance_m=0.5) if p.rule == "near_miss"]
    if joined:
        assert red.loc["S", "distance_m"] == pytest.approx(200 - gap)
        assert not misses
    else:
        assert misses and all(f"{gap:.2f} m" in p.value for p in misses)


def test_a_zero_length_segment_is_reported_and_left_out():
    network = build_network(
        routes(("A", [(0, 0), (100, 0)]), ("Z", [(500, 500), (500.2, 500)])),
        nodes(("POP1", "pop", (0, 0))), None,
    )
    assert "Z" not in network.edge_route_id.tolist() and network.n_edges == 1
    zero = [p for p in topology_findings(network) if p.rule == "zero_length"]
    assert [p.row for p in zero] == ["route_id Z"]


# ---------------------------------------------------------------------------------------------
# sites


def test_a_site_without_handover_node_attaches_to_the_nearest_vertex_within_the_drop_length():
    frames = (
        routes(("R", [(0, 0), (1000, 0)])),
        nodes(("POP1", "pop", (0, 0)), ("C", "closure", (1000, 0))),
        sites(("NEAR", (1040, 0), None), ("FAR", (1000, 400), None), ("PLANNED", (1000, 300), None, 10, "school",
                                                                          "planned")),
    )
    network = build_network(*frames, max_drop_m=150)
    table = network.sites.set_index("site_id")
    c = int(np.flatnonzero(network.vertex_node_id == "C")[0])
    assert table.loc["NEAR", "vertex"] == c and table.loc["NEAR", "attach"] == "nearest_vertex"
    assert table.loc["NEAR", "drop_m"] == pytest.approx(40)
    assert table.loc["FAR", "vertex"] == -1 and table.loc["FAR", "attach"] == "unattached"
    found = {(p.rule, p.row) for p in network.findings}
    assert ("site_attached_by_distance", "site_id NEAR") in found
    assert ("site_unattached", "site_id FAR") in found
    assert not any(row == "site_id PLANNED" for _, row in found)  # not connected: nothing to report
    red = redundancy(network)
    assert red.loc["NEAR", "reachable"] and red.loc["NEAR", "distance_m"] == pytest.approx(1000)
    assert not red.loc["FAR", "reachable"] and red.loc["FAR", "edge_disjoint_paths"] == 0
    assert diverse_paths(network, "FAR").found is False
    assert build_network(*frames, max_drop_m=500).sites.set_index("site_id").loc["FAR", "vertex"] == c


def test_the_planned_scenario_adds_planned_routes_and_a_closure_makes_a_site_redundant():
    frames = (
        routes(("R1", [(0, 0), (500, 0)]), ("R2", [(500, 0), (1000, 0)]),
               ("R3", [(1000, 0), (1500, 0)], None, "planned")),
        nodes(("POP1", "pop", (0, 0)), ("C1", "closure", (500, 0)), ("C2", "closure", (1000, 0)),
              ("POP2", "pop", (1500, 0))),
        sites(("S", (1000, 5), "C2", 321)),
    )
    now = build_network(*frames)
    red = redundancy(now)
    assert red.loc["S", "spof_segments"] == ["R1", "R2"] and not red.loc["S", "redundant"]
    assert analyse(now).single_homed()["pupils"].sum() == 321
    with pytest.raises(ValueError, match="segment R3"):
        what_if(now, Failure(segments=["R3"]))

    planned = build_network(*frames, scenario="planned")
    assert planned.scenario == "planned" and planned.n_edges == 3
    red = redundancy(planned)
    assert red.loc["S", "redundant"] and red.loc["S", "edge_disjoint_paths"] == 2
    assert red.loc["S", "node_disjoint_paths"] == 2
    assert impact_sets(planned) == {("node", "C2"): {"S"}}
    assert analyse(planned).single_homed().empty


def test_a_network_without_pops_reaches_nothing():
    network = build_network(
        routes(("R", [(0, 0), (1000, 0)])),
        nodes(("POP1", "pop", (0, 0), "planned"), ("C", "closure", (1000, 0))),  # a planned POP is no core
        sites(("S", (1000, 5), "C")),
    )
    assert len(network.pop_vertices) == 0
    assert "no_pop" in rules(topology_findings(network))
    red = redundancy(network)
    assert not red.loc["S", "reachable"] and red.loc["S", "edge_disjoint_paths"] == 0
    assert red.loc["S", "node_disjoint_paths"] == 0 and not red.loc["S", "redundant"]
    assert failure_impact(network).empty
    assert reachability_table(network)["distance_m"].isna().all()
    assert diverse_paths(network, "S").found is False
    assert what_if(network, Failure(segments=["R"])).sites["state"].tolist() == ["unreachable_before"]


def routes_only():
    """routes and nodes, no sites (e.g. before the sites are imported)."""
    return build_network(routes(("R", [(0, 0), (1000, 0)])), nodes(("POP1", "pop", (0, 0))), None)


def test_failure_impact_of_a_network_without_sites_is_empty():
    assert failure_impact(routes_only()).empty


def test_site_redundancy_of_a_network_without_sites_has_the_columns():
    table = site_redundancy(routes_only())
    assert table.empty and {"site_id", "reachable", "redundant", "kind"} <= set(table.columns)


def test_analysis_of_a_network_without_sites():
    summary = analyse(routes_only()).summary()
    assert summary["sites"] == 0 and summary["sites_single_homed"] == 0


def test_what_if_on_a_network_without_sites():
    result = what_if(routes_only(), Failure(segments=["R"]))
    assert result.isolated().empty
    assert result.summary()["isolated_sites"] == 0


# ---------------------------------------------------------------------------------------------
# what-if with an area


def test_what_if_an_area_cuts_the_routes_crossing_it():
    network = ring_two_pops(spur=True)
    result = what_if(network, Failure.around(X0 + 600, Y0 - 450, 10))  # on the spur SP2
    assert network.edge_route_id[result.failed_edges].tolist() == ["SP2"] and not len(result.failed_vertices)
    states = result.sites.set_index("site_id")["state"].to_dict()
    assert states == {"A": "unchanged", "B": "unchanged", "S": "isolated", "S2": "isolated"}
    assert result.summary()["isolated_pupils"] == 700

    result = what_if(network, Failure.around(X0 + 300, Y0, 10))  # on the ring route R1, POP1 - C1
    assert network.edge_route_id[result.failed_edges].tolist() == ["R1"]
    table = result.sites.set_index("site_id")
    assert table.loc["A", "state"] == "detour"
    assert table.loc["A", "distance_after_m"] == pytest.approx(np.hypot(400, 1000))
    assert table.loc["S", "detour_m"] == pytest.approx(np.hypot(400, 1000) - 600)

    result = what_if(network, Failure.around(*at(*RING_XY["C1"]), 5))  # the closure C1 itself
    assert sorted(network.edge_route_id[result.failed_edges].tolist()) == ["R1", "R2", "SP1"]
    assert [network.vertex_node_id[v] for v in result.failed_vertices] == ["C1"]
    assert set(result.isolated()["site_id"]) == {"A", "S", "S2"}


# ---------------------------------------------------------------------------------------------
# NetworkX and GeoDataFrames


TOPOLOGY_COLUMNS = ["reachable", "distance_m", "hops", "pop", "edge_disjoint_paths", "node_disjoint_paths",
                    "spof_segments", "spof_nodes", "spof_trenches", "redundant"]


def test_to_networkx_gives_crs_lengths_routes_and_trenches():
    network = ring_two_pops(spur=True)
    graph = to_networkx(network)
    assert graph.graph["crs"] == CRS
    assert sorted(graph.graph["pops"]) == sorted(network.pop_vertices.tolist())
    assert graph.number_of_edges() == network.n_edges and graph.number_of_nodes() == network.n_vertices
    for _, _, key, data in graph.edges(keys=True, data=True):
        assert data["length_m"] == pytest.approx(data["geometry"].length)
        assert data["route_id"] == key.split("#")[0] and data["trench_id"] == data["route_id"]
    assert sorted(s for _, d in graph.nodes(data=True) for s in d["sites"]) == ["A", "B", "S", "S2"]


def test_from_networkx_of_to_networkx_gives_the_same_topology():
    network = ring_two_pops(spur=True)
    again = from_networkx(to_networkx(network))
    assert impact_sets(again) == impact_sets(network)
    assert redundancy(again)[TOPOLOGY_COLUMNS].sort_index().equals(redundancy(network)[TOPOLOGY_COLUMNS].sort_index())
    for site_id in ("A", "S"):
        a, b = diverse_paths(network, site_id), diverse_paths(again, site_id)
        assert a.found == b.found and a.route_ids(network, a.path_a) == b.route_ids(again, b.path_a)
        assert np.allclose([a.length_a_m, a.length_b_m], [b.length_a_m, b.length_b_m], equal_nan=True)


def test_from_networkx_of_to_networkx_gives_the_same_analysis_results():
    """The whole criticality table and site table, pupils, kinds and unattached sites included."""
    network = ring_two_pops(spur=True, far_site=True)
    assert network.sites.set_index("site_id").loc["F", "vertex"] == -1
    again = from_networkx(to_networkx(network))
    pd.testing.assert_frame_equal(failure_impact(again), failure_impact(network))
    columns = ["kind", "pupils", *TOPOLOGY_COLUMNS]
    pd.testing.assert_frame_equal(redundancy(again)[columns].sort_index(), redundancy(network)[columns].sort_index(),
                                  check_dtype=False)


def test_edges_and_vertices_frames_are_geodataframes_in_the_storage_crs():
    network = ring_two_pops(spur=True)
    edges, vertices = edges_frame(network), vertices_frame(network)
    for table in (edges, vertices):
        assert isinstance(table, gpd.GeoDataFrame) and table.crs.to_epsg() == 25832
    assert len(edges) == network.n_edges and len(vertices) == network.n_vertices
    assert np.allclose(edges["length_m"], edges.geometry.length)
    assert vertices.set_index("node_id").loc["C1", "degree"] == 3
    assert (vertices.geometry.geom_type == "Point").all()
