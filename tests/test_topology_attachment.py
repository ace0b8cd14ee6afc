"""Which sites join the graph: every `connection` value in every scenario, against a naive oracle.

docs/design.md: `connection` is connected, planned or none; the in_service scenario has the in-service
routes, the planned scenario adds the planned ones. A connected site is on the network in both, a
planned site only in the planned scenario, a site with connection none in neither: how far it lies
from fibre is a coverage fact (`coverage.status`), never a path. The oracle here builds its own
NetworkX graph from the route end points of the scenario and attaches a site by the documented rule
(handover node, else the nearest route end within the drop length) only if its connection puts it on
the network; nothing from `topology` is used for the expected answers.
"""

from __future__ import annotations

import itertools
import math

import networkx as nx
import numpy as np
import pandas as pd
import pytest
from factories import at, nodes_frame, routes_frame, sites_frame, small_inventory

from coverage.kpis import CITY_ID, district_kpis
from coverage.status import site_status
from topology import build_network
from topology.analysis import analyse
from topology.diverse import diverse_paths
from topology.whatif import Failure, what_if

MAX_DROP_M = 150.0
CONNECTIONS = ("connected", "planned", "none")
SCENARIOS = ("in_service", "planned")

# A 1 km ring of in-service routes around POP (0, 0), each in its own trench, and a planned spur from C2
# to a planned building entry BE.
ROUTES = (("R1", [(0, 0), (1000, 0)], "T1"), ("R2", [(1000, 0), (1000, 1000)], "T2"),
          ("R3", [(1000, 1000), (0, 1000)], "T3"), ("R4", [(0, 1000), (0, 0)], "T4"),
          ("P1", [(1000, 1000), (1500, 1000)], "T5", "planned"))
NODES = (("POP", "pop", (0, 0)), ("C1", "closure", (1000, 0)), ("C2", "closure", (1000, 1000)),
         ("C3", "closure", (0, 1000)), ("BE", "building_entry", (1500, 1000), "planned"))
NODE_XY = {node_id: xy for node_id, _, xy, *_ in NODES}

PLACES = {  # where a site is and its handover node
    "handover_on_ring": ((1010, 5), "C1"),
    "handover_on_planned_spur": ((1505, 1000), "BE"),
    "near_the_ring_no_handover": ((1040, 1000), None),  # 40 m from C2
    "near_the_spur_end_no_handover": ((1540, 1000), None),  # 40 m from BE, 540 m from C2
    "far_from_everything": ((2500, 2500), None),
}


def inventory(place: str, connection: str):
    xy, handover = PLACES[place]
    sites = sites_frame(("S", xy, handover, 300))
    sites["connection"] = connection
    if connection == "planned":
        sites["planned_date"] = pd.Timestamp("2027-06-30")
    return routes_frame(*ROUTES), nodes_frame(*NODES), sites


# ---------------------------------------------------------------------------------------------
# the oracle


def oracle(place: str, connection: str, scenario: str) -> dict:
    """What the DESIGN's rules give for the one site S: on the network, its vertex, reachable, distance,
    whether one trench, route or (non-POP, not its own) node cuts it off."""
    on_network = connection == "connected" or (connection == "planned" and scenario == "planned")
    routes = [r for r in ROUTES if (r[3] if len(r) > 3 else "in_service") in
              (("in_service",) if scenario == "in_service" else ("in_service", "planned"))]
    graph = nx.MultiGraph()
    graph.add_nodes_from(at(*xy) for xy in NODE_XY.values())
    for route_id, points, trench, *_ in routes:
        a, b = at(*points[0]), at(*points[-1])
        graph.add_edge(a, b, key=route_id, trench=trench, length_m=math.dist(a, b))
    out = {"on_network": on_network, "vertex": None, "reachable": False, "distance_m": np.nan, "redundant": False}
    if not on_network:
        return out
    xy, handover = PLACES[place]
    if handover is not None:
        vertex = at(*NODE_XY[handover])
    else:
        ends = [v for v in graph.nodes if graph.degree(v) > 0]
        nearest = min(ends, key=lambda v: math.dist(v, at(*xy)))
        vertex = nearest if math.dist(nearest, at(*xy)) <= MAX_DROP_M else None
    out["vertex"] = vertex
    pop = at(*NODE_XY["POP"])
    if vertex is None or not nx.has_path(graph, vertex, pop):
        return out
    out["reachable"] = True
    out["distance_m"] = nx.shortest_path_length(graph, vertex, pop, weight="length_m")

    def cut_off(edges=(), node=None) -> bool:
        h = graph.copy()
        h.remove_edges_from([(u, v, k) for u, v, k in graph.edges(keys=True) if k in edges])
        if node is not None:
            h.remove_node(node)
        return not nx.has_path(h, vertex, pop)

    trenches = {d["trench"] for *_, d in graph.edges(keys=True, data=True)}
    spof = any(cut_off([k for *_, k, d in graph.edges(keys=True, data=True) if d["trench"] == t]) for t in trenches)
    spof |= any(cut_off([k]) for *_, k in graph.edges(keys=True))
    spof |= any(cut_off(node=v) for v in graph.nodes if v not in (vertex, pop))
    out["redundant"] = not spof
    return out


CASES = list(itertools.product(PLACES, CONNECTIONS, SCENARIOS))


@pytest.mark.parametrize(("place", "connection", "scenario"), CASES)
def test_a_site_joins_the_graph_only_where_its_connection_puts_it_on_the_network(place, connection, scenario):
    routes, nodes, sites = inventory(place, connection)
    network = build_network(routes, nodes, sites, scenario=scenario, max_drop_m=MAX_DROP_M)
    expected = oracle(place, connection, scenario)
    attached = network.sites.iloc[0]
    if expected["vertex"] is None:
        assert attached["vertex"] == -1
    else:
        assert tuple(network.vertex_xy[attached["vertex"]]) == pytest.approx(expected["vertex"])
    if not expected["on_network"]:
        assert attached["attach"] == ("planned" if connection == "planned" else "not_connected")
        assert pd.isna(attached["drop_m"])

    result = analyse(network)
    row = result.sites.iloc[0]
    assert row["connection"] == connection and row["on_network"] == expected["on_network"]
    assert row["reachable"] == expected["reachable"]
    assert row["redundant"] == expected["redundant"]
    if expected["reachable"]:
        assert row["distance_m"] == pytest.approx(expected["distance_m"])
        assert row["pop"] == "POP" and row["edge_disjoint_paths"] >= 1
    else:
        assert pd.isna(row["distance_m"]) and row["pop"] is None
        assert row["edge_disjoint_paths"] == row["node_disjoint_paths"] == 0
        assert not row["spof_segments"] and not row["spof_nodes"] and not row["spof_trenches"]
        assert not diverse_paths(network, "S").found
        assert result.criticality.empty  # nothing cuts off a site that is not on the network
    assert row["node_disjoint_paths"] <= row["edge_disjoint_paths"]

    summary = result.summary()
    assert summary["sites_on_network"] == int(expected["on_network"])
    assert summary["sites_not_connected"] == int(connection == "none")
    assert summary["sites_planned"] == int(connection == "planned" and scenario == "in_service")
    assert summary["sites_reachable"] == int(expected["reachable"])
    assert summary["sites_single_homed"] == int(expected["reachable"] and not expected["redundant"])
    unreachable = expected["on_network"] and not expected["reachable"]
    assert result.unreachable()["site_id"].tolist() == (["S"] if unreachable else [])
    states = what_if(network, Failure(segments=["R1"])).sites["state"].tolist()
    off_network = ("not_connected" if connection == "none" else
                   "planned" if connection == "planned" and scenario == "in_service" else "unattached")
    assert (states == [off_network]) == (expected["vertex"] is None)  # a what-if names why a site is off it


@pytest.mark.parametrize("place", list(PLACES))
def test_the_coverage_status_of_a_site_that_is_not_connected_comes_from_its_distance(place):
    """The status (passed, near, gap) and the distance to in-service fibre do not depend on attachment."""
    routes, nodes, sites = inventory(place, "none")
    status = site_status(sites, routes).iloc[0]
    xy, _ = PLACES[place]
    lines = routes[routes["status"] == "in_service"].geometry
    distance = float(lines.distance(sites.geometry.iloc[0]).min())
    assert status["distance_to_fibre_m"] == pytest.approx(distance)
    assert status["status"] == ("passed" if distance <= 20 else "near" if distance <= 150 else "gap")
    assert not analyse(build_network(routes, nodes, sites)).sites.iloc[0]["reachable"]


def test_the_kpis_count_no_site_that_is_not_connected_as_single_homed():
    frames = small_inventory()
    spur = frames["sites"].iloc[[0]].copy()  # a second school, not connected, 5 m from the ring
    spur["site_id"], spur["connection"], spur["handover_node_id"] = "NONE1", "none", None
    spur["bandwidth_mbps"], spur["symmetric"], spur["connected_since"] = np.nan, None, pd.NaT
    frames["sites"] = pd.concat([frames["sites"], spur], ignore_index=True)
    redundancy = analyse(build_network(frames["routes"], frames["nodes"], frames["sites"])).sites
    table = redundancy.set_index("site_id")
    assert not table.loc["NONE1", "reachable"] and not table.loc["NONE1", "on_network"]
    kpis = district_kpis(frames, redundancy=redundancy)
    city = kpis[kpis["district_id"] == CITY_ID].iloc[0]
    single = redundancy[redundancy["reachable"] & ~redundancy["redundant"]]
    assert "NONE1" not in set(single["site_id"]) and city["sites_single_homed"] == len(single)
    assert site_status(frames["sites"], frames["routes"]).set_index("site_id").loc["NONE1", "status"] == "passed"
