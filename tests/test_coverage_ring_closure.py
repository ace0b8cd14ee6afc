"""Ring closure candidates: each one's benefit confirmed by rebuilding the network with the new route."""

from __future__ import annotations

import math

import geopandas as gpd
import pandas as pd
import pytest
from factories import X0, Y0
from shapely import LineString, Point

from coverage.config import load_config
from coverage.ring_closure import ring_closures
from inventory.schema import CRS, LAYERS
from inventory.validation import check_frame
from topology import build_network, site_redundancy


def frame(layer, rows):
    typed, problems = check_frame(gpd.GeoDataFrame(rows, geometry="geometry", crs=CRS), LAYERS[layer])
    assert not problems, problems
    return typed


POINTS = {"POP": (0, 0), "A": (1000, 0), "B": (1000, 1000), "C": (0, 1000), "S1": (1500, 0), "S2": (1500, 700),
          "FAR": (0, 3000)}


def layers():
    node = lambda nid, kind="closure": {"node_id": nid, "kind": kind, "status": "in_service",  # noqa: E731
                                       "geometry": Point(X0 + POINTS[nid][0], Y0 + POINTS[nid][1])}
    line = lambda rid, a, b: {"route_id": rid, "status": "in_service",  # noqa: E731
                              "geometry": LineString([(X0 + POINTS[a][0], Y0 + POINTS[a][1]),
                                                      (X0 + POINTS[b][0], Y0 + POINTS[b][1])])}
    site = lambda sid, at, pupils: {"site_id": sid, "kind": "school", "name": sid, "connection": "connected",  # noqa: E731
                                    "handover_node_id": at, "pupils": pupils,
                                    "geometry": Point(X0 + POINTS[at][0] + 5, Y0 + POINTS[at][1])}
    return {
        "nodes": frame("nodes", [node("POP", "pop"), node("A"), node("B"), node("C"), node("S1"), node("S2"),
                                 node("FAR")]),
        # a ring POP-A-B-C, a spur A-S1-S2 to two schools, a long spur C-FAR out of reach
        "routes": frame("routes", [line("R1", "POP", "A"), line("R2", "A", "B"), line("R3", "B", "C"),
                                   line("R4", "C", "POP"), line("SP1", "A", "S1"), line("SP2", "S1", "S2"),
                                   line("SP3", "C", "FAR")]),
        "sites": frame("sites", [site("ONE", "S1", 300), site("TWO", "S2", 200), site("LONELY", "FAR", 100)]),
    }


def test_the_best_link_closes_the_spur_and_the_rebuilt_network_agrees():
    frames = layers()
    network = build_network(frames["routes"], frames["nodes"], frames["sites"])
    config = load_config()
    table = ring_closures(network, config=config)
    assert not table.empty
    best = table.iloc[0]
    # S2 to B (583 m) is the only link within 600 m that bypasses the spur: both schools become redundant
    assert {best["from_node"], best["to_node"]} == {"S2", "B"}
    assert best["sites"] == ["ONE", "TWO"] and best["pupils_made_redundant"] == 500
    assert best["length_m"] == pytest.approx(math.hypot(500, 300))
    assert best["cost_eur"] == pytest.approx(math.hypot(500, 300) * 1.3 * 120)
    # independent check: add the link as a real route through the inventory and the graph builder
    new_route = frame("routes", [{"route_id": "NEW", "status": "in_service", "geometry": best["geometry"]}])
    rebuilt = build_network(pd.concat([frames["routes"], new_route], ignore_index=True), frames["nodes"],
                            frames["sites"])
    redundant = site_redundancy(rebuilt).set_index("site_id")["redundant"]
    assert redundant["ONE"] and redundant["TWO"] and not redundant["LONELY"]
    # every proposed link must hold up the same way
    for row in table.itertuples(index=False):
        route = frame("routes", [{"route_id": "NEW", "status": "in_service", "geometry": row.geometry}])
        check = build_network(pd.concat([frames["routes"], route], ignore_index=True), frames["nodes"],
                              frames["sites"])
        redundant = site_redundancy(check).set_index("site_id")["redundant"]
        assert all(redundant[s] for s in row.sites)


def test_nothing_within_reach_proposes_nothing_for_that_site():
    frames = layers()
    network = build_network(frames["routes"], frames["nodes"], frames["sites"])
    table = ring_closures(network)
    assert not any("LONELY" in sites for sites in table["sites"])  # FAR is 2 km from any other node


def test_a_redundant_network_needs_no_ring_closure():
    frames = layers()
    frames["sites"] = frames["sites"].iloc[0:0]
    network = build_network(frames["routes"], frames["nodes"], frames["sites"])
    assert ring_closures(network).empty
