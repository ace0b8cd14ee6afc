"""Plan variants (`coverage.plan_variants`) against oracles.

Small hand-made networks: the oracle builds each scenario's graph itself from node ids (today's routes, the
planned ones, the candidate routes as the node sequences they were drawn through, the chosen ring links),
and works out every site's state by removing elements and searching again from the POPs: reachable,
redundant (no single route, trench or node but a POP and the site's own cuts it off), trench cuts to isolate
(each trench, then each pair). Nothing of `topology` is used by it.

The sample: each scenario network is built on its own path (`build_network` of the planned scenario; today's
graph through NetworkX with the ring links added) and `analyse` runs on it; its site states, diffed with
today's, must equal the comparison's.
"""

from __future__ import annotations

import itertools

import geopandas as gpd
import networkx as nx
import pandas as pd
import pytest
from factories import at, nodes_frame, routes_frame, sites_frame
from shapely import LineString

from coverage.config import load_config
from coverage.errors import ScenarioError
from coverage.plan_variants import (
    Scenario,
    compare,
    parse_scenario,
    read_candidates,
    scenario_network,
    standard_scenarios,
)
from inventory.problems import DataError
from inventory.schema import CRS
from inventory.settings import SAMPLE_GPKG
from inventory.stores import open_store
from topology import build_network, from_networkx, to_networkx
from topology.analysis import analyse

# ---------------------------------------------------------------------------------------------
# hand-made networks and the naive oracle

XY = {"P": (0, 0), "A": (1000, 0), "B": (2000, 0), "C": (2000, 1000), "D": (1000, 1000), "E": (0, 1000),
      "F": (3000, 0), "Q": (3000, 1000)}
POPS = {"P", "Q"}


def make_frames(today, planned, shared_trench: bool = False) -> dict:
    """today / planned: (route_id, [node ids], trench_id). Q is a second POP only candidates reach."""
    nodes = nodes_frame(*[(n, "pop" if n in POPS else "closure", XY[n]) for n in XY])
    rows = [(rid, [XY[n] for n in path], trench) for rid, path, trench in today]
    rows += [(rid, [XY[n] for n in path], trench, "planned") for rid, path, trench in planned]
    routes = routes_frame(*rows)
    sites = sites_frame(("SA", XY["A"], "A", 100), ("SB", XY["B"], "B", 200), ("SC", XY["C"], "C", 300),
                        ("SD", XY["D"], "D", 400), ("SF", XY["F"], "F", 50))
    sites.loc[sites["site_id"] == "SF", "connection"] = "planned"
    return {"nodes": nodes, "routes": routes, "sites": sites, "shared": shared_trench}


TODAY = [("R1", ["P", "A"], "T1"), ("R2", ["A", "B"], "T2"), ("R3", ["B", "C"], "T3"), ("R4", ["P", "E"], "T4"),
         ("R5", ["E", "D"], "T5")]
PLANNED = [("RP1", ["C", "D"], "TP1"), ("RP2", ["B", "F"], "TP2")]
CANDIDATES = [("K1", ["D", "C", "Q"], "TK1")]
"""K1 is drawn straight from D through C to the POP Q: split at C as every route is."""


def candidate_file(tmp_path, rows=CANDIDATES, name="candidates.geojson"):
    frame = gpd.GeoDataFrame({"route_id": [r for r, _, _ in rows], "trench_id": [t for _, _, t in rows],
                              "method": ["drilling"] * len(rows)},
                             geometry=[LineString([at(*XY[n]) for n in path]) for _, path, _ in rows], crs=CRS)
    path = tmp_path / name
    frame.to_file(path, driver="GeoJSON")
    return path


def oracle_states(edges, site_nodes: dict[str, str | None]) -> dict[str, tuple[bool, bool, int]]:
    """site -> (reachable, redundant, trench cuts 0-3) by removal and search; edges: (u, v, route, trench)."""

    def reached(dead_edges=frozenset(), dead_nodes=frozenset()):
        adjacency: dict[str, set[str]] = {}
        for k, (u, v, _, _) in enumerate(edges):
            if k not in dead_edges and u not in dead_nodes and v not in dead_nodes:
                adjacency.setdefault(u, set()).add(v)
                adjacency.setdefault(v, set()).add(u)
        seen = {p for p in POPS if p not in dead_nodes and p in adjacency}
        stack = list(seen)
        while stack:
            for w in adjacency.get(stack.pop(), ()):
                if w not in seen:
                    seen.add(w)
                    stack.append(w)
        return seen

    by_route, by_trench = {}, {}
    for k, (_, _, route, trench) in enumerate(edges):
        by_route.setdefault(route, set()).add(k)
        by_trench.setdefault(trench, set()).add(k)
    nodes = {n for u, v, _, _ in edges for n in (u, v)}
    base = reached()
    out = {}
    for site, node in site_nodes.items():
        if node is None or node not in base:
            out[site] = (False, False, 0)
            continue
        failures = [(frozenset(e), frozenset()) for e in [*by_route.values(), *by_trench.values()]]
        failures += [(frozenset(), frozenset([n])) for n in nodes - POPS - {node}]
        redundant = all(node in reached(*f) for f in failures)
        if any(node not in reached(frozenset(e)) for e in by_trench.values()):
            cuts = 1
        elif any(node not in reached(frozenset(a | b)) for a, b in itertools.combinations(by_trench.values(), 2)):
            cuts = 2
        else:
            cuts = 3
        out[site] = (True, redundant, cuts)
    return out


def oracle_edges(scenario: Scenario, today, planned, candidates, ring_links) -> list[tuple[str, str, str, str]]:
    routes = list(today) + (list(planned) if scenario.planned else []) + (list(candidates) if scenario.candidates
                                                                          else [])
    edges = [(a, b, rid, trench) for rid, path, trench in routes for a, b in itertools.pairwise(path)]
    if scenario.ring:
        edges += [(a, b, link, link) for link, a, b in ring_links]
    return edges


def oracle_diff(before, after) -> dict[str, set[str]]:
    flags = {"newly_connected": set(), "made_redundant": set(), "trench_cuts_up": set(), "worse": set()}
    for site, (was, red, cuts) in before.items():
        now, red_after, cuts_after = after[site]
        if now and not was:
            flags["newly_connected"].add(site)
        if was and now and not red and red_after:
            flags["made_redundant"].add(site)
        if was and now and cuts_after > cuts:
            flags["trench_cuts_up"].add(site)
        if was and (not now or (red and not red_after) or cuts_after < cuts):
            flags["worse"].add(site)
    return flags


@pytest.fixture
def wide_rings(tmp_path):
    """Ring closures up to 1,500 m (the hand-made nodes are 1,000 m apart)."""
    path = tmp_path / "rings.toml"
    path.write_text("[ring_closure]\nmax_link_m = 1500\ncandidates_per_site = 4\n")
    return load_config(path)


@pytest.mark.parametrize("today", [TODAY, [*TODAY[:3], ("R4", ["P", "E"], "T1"), TODAY[4]]],
                         ids=["own trenches", "P-A and P-E in one trench"])
def test_every_scenario_equals_the_removal_oracle(tmp_path, wide_rings, today):
    frames = make_frames(today, PLANNED)
    candidates = read_candidates(candidate_file(tmp_path))
    scenarios = [Scenario("planned", planned=True), Scenario("ring", ring=True),
                 Scenario("candidates", candidates=[candidates]),
                 Scenario("all", planned=True, ring=True, candidates=[candidates])]
    result = compare(frames, scenarios, config=wide_rings)
    ring_links = [(r.link_id, r.from_node, r.to_node) for r in result.ring.chosen.itertuples(index=False)]
    handover = dict(zip(frames["sites"]["site_id"], frames["sites"]["handover_node_id"], strict=True))
    today_sites = {s: (n if s != "SF" else None) for s, n in handover.items()}
    before = oracle_states(oracle_edges(Scenario("today"), today, PLANNED, CANDIDATES, ring_links), today_sites)
    got_today = {r.site_id: (r.reachable, r.redundant, r.trench_cuts_to_isolate)
                 for r in result.today.itertuples(index=False)}
    assert got_today == before
    for scenario, variant in zip(scenarios, result.variants, strict=True):
        builds = scenario.planned or bool(scenario.candidates)
        joined = {s: (n if s != "SF" or builds else None) for s, n in handover.items()}
        after = oracle_states(oracle_edges(scenario, today, PLANNED, CANDIDATES, ring_links), joined)
        got = {r.site_id: (r.reachable_after, r.redundant_after, r.trench_cuts_to_isolate_after)
               for r in variant.sites.itertuples(index=False)}
        assert got == after, scenario.name
        for flag, sites in oracle_diff(before, after).items():
            assert set(variant.sites.loc[variant.sites[flag], "site_id"]) == sites, (scenario.name, flag)


def test_the_hand_made_figures(tmp_path, wide_rings):
    """Own trenches: the planned ring closes P-A-B-C-D-E (every site redundant) and connects SF; the
    candidate from D through C to the second POP Q closes both lines onto the core (the POPs together), so
    every connected site gains a second path too, and SF stays unconnected (the candidate does not reach F)."""
    frames = make_frames(TODAY, PLANNED)
    candidates = read_candidates(candidate_file(tmp_path))
    result = compare(frames, [Scenario("planned", planned=True), Scenario("cand", candidates=[candidates])],
                     config=wide_rings)
    planned, cand = (v.summary() for v in result.variants)
    assert planned["site_ids_newly_connected"] == ["SF"]
    assert sorted(planned["site_ids_made_redundant"]) == ["SA", "SB", "SC", "SD"]
    assert planned["sites_worse"] == 0
    length = 1000 + 1000  # C-D and B-F, both drawn (no detour factor)
    assert planned["new_route_km_low"] == planned["new_route_km_high"] == length / 1000
    cost = wide_rings.cost
    assert planned["cost_low_eur"] == round(min(cost.laid_eur(length, m) for m in cost.range_methods))
    assert planned["cost_high_eur"] == round(max(cost.laid_eur(length, m) for m in cost.range_methods))
    assert planned["building_connection_eur"] == cost.building_connection_eur
    assert sorted(cand["site_ids_made_redundant"]) == ["SA", "SB", "SC", "SD"]
    assert cand["site_ids_newly_connected"] == []
    # the candidate's method (drilling) prices it: one price, no range
    assert cand["cost_low_eur"] == cand["cost_high_eur"] == round(cost.laid_eur(2000, "drilling"))
    gain = cand["sites_made_redundant"] + cand["sites_trench_cuts_up"]
    assert cand["resilience_per_100k_eur_low"] == pytest.approx(gain / cand["cost_high_eur"] * 100_000)


def test_a_candidate_is_split_at_the_node_it_passes(tmp_path):
    frames = make_frames(TODAY, PLANNED)
    network = scenario_network(frames, Scenario("c", candidates=[read_candidates(candidate_file(tmp_path))]))
    assert sorted(e for e in network.edge_id if e.startswith("K1")) == ["K1#1", "K1#2"]


def test_candidate_files_are_checked_like_an_import(tmp_path):
    bad = gpd.GeoDataFrame({"route_id": ["R1", None], "trench_id": ["X", "Y"], "method": ["drilling", "spade"]},
                           geometry=[LineString([at(0, 0), at(10, 0)]), LineString([at(0, 0), at(0, 10)])], crs=CRS)
    path = tmp_path / "bad.geojson"
    bad.to_file(path, driver="GeoJSON")
    with pytest.raises(DataError) as caught:
        read_candidates(path, known_route_ids={"R1"})
    fields = {p.field for p in caught.value.problems}
    assert {"method", "route_id"} <= fields  # 'spade' is no method; a missing route_id
    assert all(p.file == str(path) for p in caught.value.problems)
    ok = tmp_path / "ok.geojson"
    bad.assign(route_id=["N1", "N2"], method=["drilling", None]).to_file(ok, driver="GeoJSON")
    with pytest.raises(DataError) as caught:
        read_candidates(ok, known_route_ids={"N1"})
    (problem,) = caught.value.problems
    assert (problem.rule, problem.field, problem.value) == ("candidate_known", "route_id", "N1")


def test_scenario_names_and_parts(tmp_path):
    path = candidate_file(tmp_path)
    assert parse_scenario("planned") == ("planned", ["planned"])
    assert parse_scenario(f"mix=planned+ring+{path}") == ("mix", ["planned", "ring", str(path)])
    for text in ("plannd", "mix=planned+", "1x=ring", "today=ring", "x=ring+ring"):
        with pytest.raises(ScenarioError):
            parse_scenario(text)


# ---------------------------------------------------------------------------------------------
# the sample against analyse on independently built networks


@pytest.fixture(scope="module")
def sample():
    if not SAMPLE_GPKG.exists():
        pytest.skip("the sample GeoPackage is missing (gelsennet demo)")
    store = open_store(str(SAMPLE_GPKG))
    try:
        frames = {name: store.read(name) for name in ("routes", "nodes", "sites")}
    finally:
        store.close()
    return frames, compare(frames, standard_scenarios())


def states(result_sites: pd.DataFrame) -> dict[str, tuple[bool, bool, int]]:
    return {r.site_id: (bool(r.reachable), bool(r.redundant), int(r.trench_cuts_to_isolate))
            for r in result_sites.itertuples(index=False)}


def with_links(network, links) -> object:
    graph = to_networkx(network)
    vertex = {d["node_id"]: v for v, d in graph.nodes(data=True) if d["node_id"] is not None}
    for row in links.itertuples(index=False):
        a, b = vertex[row.from_node], vertex[row.to_node]
        graph.add_edge(a, b, key=row.link_id, route_id=row.link_id, trench_id=row.link_id, length_m=row.new_route_m,
                       geometry=row.geometry)
    return from_networkx(nx.MultiGraph(graph))


def test_the_sample_equals_analyse_on_each_scenario_network(sample):
    frames, result = sample
    today_network = build_network(frames["routes"], frames["nodes"], frames["sites"])
    planned_network = build_network(frames["routes"], frames["nodes"], frames["sites"], scenario="planned")
    before = states(analyse(today_network).sites)
    assert states(result.today) == before
    networks = {"planned": planned_network, "ring": with_links(today_network, result.ring.chosen),
                "both": with_links(planned_network, result.ring.chosen)}
    for variant in result.variants:
        after = states(analyse(networks[variant.name]).sites)
        got = {r.site_id: (bool(r.reachable_after), bool(r.redundant_after), int(r.trench_cuts_to_isolate_after))
               for r in variant.sites.itertuples(index=False)}
        assert got == after, variant.name
        for flag, sites in oracle_diff(before, after).items():
            assert set(variant.sites.loc[variant.sites[flag], "site_id"]) == sites, (variant.name, flag)


def test_the_sample_planned_routes_as_a_candidate_file_give_the_planned_scenario(sample, tmp_path):
    frames, result = sample
    planned = frames["routes"][frames["routes"]["status"] == "planned"]
    path = tmp_path / "planned.gpkg"
    planned.drop(columns="status").to_file(path, driver="GPKG")
    candidates = read_candidates(path)
    again = compare(frames, [Scenario("candidates", candidates=[candidates])])
    assert states(again.variants[0].sites.rename(columns=lambda c: c.removesuffix("_after"))[
        ["site_id", "reachable", "redundant", "trench_cuts_to_isolate"]]) == states(
        result.variants[0].sites.rename(columns=lambda c: c.removesuffix("_after"))[
            ["site_id", "reachable", "redundant", "trench_cuts_to_isolate"]])
    figures = again.variants[0].summary()
    for key in ("new_route_km_high", "cost_low_eur", "cost_high_eur"):
        assert figures[key] == result.variants[0].summary()[key]


def test_the_sample_ring_costs_are_the_ring_plan(sample):
    _, result = sample
    ring = next(v for v in result.variants if v.name == "ring").summary()
    totals = result.ring.totals()
    assert ring["cost_low_eur"] == round(totals["cost_low_eur"])
    assert ring["cost_high_eur"] == round(totals["cost_high_eur"])
    assert ring["new_route_km_low"] == round(totals["length_m"] / 1000, 3)
    assert ring["new_route_km_high"] == round(totals["new_route_m"] / 1000, 3)
    assert set(ring["site_ids_made_redundant"]) == set(result.ring.single_homed) - set(result.ring.remaining)
