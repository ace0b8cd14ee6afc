"""Ring closure candidates: each one's benefit confirmed by rebuilding the network with the new route."""

from __future__ import annotations

import math

import pandas as pd
import pytest
from factories import X0, Y0, frame
from shapely import LineString, Point

from coverage.config import load_config
from coverage.ring_closure import ring_closures
from topology import build_network, site_redundancy

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


# --- the cheapest set of proposals (issue 15 point 8) ---------------------------------------------------------------

def rebuilt_redundancy(frames, lines) -> pd.Series:
    """Independent re-analysis: the new links as real routes through the validator and the graph builder."""
    extra = frame("routes", [{"route_id": f"NEW{i}", "status": "in_service", "geometry": g}
                             for i, g in enumerate(lines)]) if lines else frames["routes"].iloc[:0]
    network = build_network(pd.concat([frames["routes"], extra], ignore_index=True), frames["nodes"], frames["sites"])
    table = site_redundancy(network)
    return table.set_index("site_id")["redundant"][table.set_index("site_id")["reachable"]]


def test_each_proposal_once_and_the_plan_covers_the_spur_with_one_link():
    from coverage.ring_closure import ring_closure_plan

    frames = layers()
    network = build_network(frames["routes"], frames["nodes"], frames["sites"])
    plan = ring_closure_plan(network)
    pairs = [frozenset((r.from_node, r.to_node)) for r in plan.proposals.itertuples(index=False)]
    assert len(pairs) == len(set(pairs)) and plan.proposals["link_id"].is_unique
    assert plan.single_homed == ["LONELY", "ONE", "TWO"]
    assert plan.coverable == ["ONE", "TWO"] and plan.remaining == ["LONELY"]  # FAR is 2 km from any node
    assert plan.verified and not plan.complete and plan.method == "exact"
    [link] = plan.chosen.itertuples(index=False)
    assert {link.from_node, link.to_node} == {"S2", "B"}
    totals = plan.totals()
    assert totals["links"] == 1 and totals["length_m"] == pytest.approx(math.hypot(500, 300))
    # the range spans the range methods (60 to 120 €/m of new route)
    assert totals["cost_low_eur"] == pytest.approx(math.hypot(500, 300) * 1.3 * 60)
    assert totals["cost_high_eur"] == pytest.approx(math.hypot(500, 300) * 1.3 * 120)
    redundant = rebuilt_redundancy(frames, [link.geometry])
    assert sorted(redundant.index[~redundant]) == plan.remaining


def random_layers(seed: int, spurs: int = 5):
    """A ring POP–A1–…–Ak, closed far below (out of reach of any link), with a spur of one or two
    segments going up from each Ai to a school at its tip (and one halfway on two-segment spurs).
    Spacings are random, so neighbouring tips are 350–550 m apart: links between tips, and from tips to
    the ring, make different sets of schools redundant at different costs."""
    import random

    rng = random.Random(seed)
    xs = [0.0]
    for _ in range(spurs):
        xs.append(xs[-1] + rng.uniform(350, 550))
    ring = {"POP": (0.0, 0.0), **{f"A{i}": (xs[i], 0.0) for i in range(1, spurs + 1)},
            "B": (xs[-1], -3000.0), "C": (0.0, -3000.0)}
    points = dict(ring)
    routes = [("POP", "A1")] + [(f"A{i}", f"A{i + 1}") for i in range(1, spurs)] + [
        (f"A{spurs}", "B"), ("B", "C"), ("C", "POP")]
    schools = []
    for i in range(1, spurs + 1):
        x = xs[i] + rng.uniform(-60, 60)
        if rng.random() < 0.5:
            points[f"M{i}"] = (x, 250.0)
            points[f"T{i}"] = (x + rng.uniform(-60, 60), 500.0)
            routes += [(f"A{i}", f"M{i}"), (f"M{i}", f"T{i}")]
            schools += [f"M{i}", f"T{i}"]
        else:
            points[f"T{i}"] = (x, rng.uniform(250, 450))
            routes.append((f"A{i}", f"T{i}"))
            schools.append(f"T{i}")
    xy = lambda n: (X0 + points[n][0], Y0 + points[n][1])  # noqa: E731
    nodes = frame("nodes", [{"node_id": n, "kind": "pop" if n == "POP" else "closure", "status": "in_service",
                             "geometry": Point(*xy(n))} for n in points])
    routes = frame("routes", [{"route_id": f"R-{a}-{b}", "status": "in_service", "geometry": LineString([xy(a), xy(b)])}
                              for a, b in routes])
    sites = frame("sites", [{"site_id": f"S-{n}", "kind": "school", "name": n, "connection": "connected",
                             "handover_node_id": n, "pupils": 100 + k, "geometry": Point(xy(n)[0] + 3, xy(n)[1] + 3)}
                            for k, n in enumerate(schools)])
    return {"nodes": nodes, "routes": routes, "sites": sites}


@pytest.mark.parametrize("seed", range(8))
def test_the_plan_is_as_cheap_as_a_brute_force_search_with_real_re_analysis(seed):
    """Oracle: every subset of the proposals, cheapest first, each added as real routes and re-analysed by
    rebuilding the network; the first subset that leaves none of the coverable sites single-homed is optimal."""
    import itertools

    from coverage.ring_closure import ring_closure_plan

    frames = random_layers(seed)
    network = build_network(frames["routes"], frames["nodes"], frames["sites"])
    plan = ring_closure_plan(network)
    proposals = plan.proposals.reset_index(drop=True)
    assert len(proposals) <= 12, "keep the oracle small"
    before = rebuilt_redundancy(frames, [])
    assert sorted(before.index[~before]) == plan.single_homed
    subsets = sorted((c for k in range(len(proposals) + 1) for c in itertools.combinations(range(len(proposals)), k)),
                     key=lambda c: sum(proposals.loc[list(c), "cost_eur"]))
    best = None
    for subset in subsets:
        redundant = rebuilt_redundancy(frames, proposals.loc[list(subset), "geometry"].tolist())
        if all(redundant[s] for s in plan.coverable):
            best = subset
            break
    assert best is not None
    assert plan.totals()["cost_eur"] == pytest.approx(sum(proposals.loc[list(best), "cost_eur"]))
    # and the plan's own verification agrees with the independent rebuild
    redundant = rebuilt_redundancy(frames, plan.chosen["geometry"].tolist())
    assert sorted(redundant.index[~redundant]) == plan.remaining
    assert plan.verified


def test_cheapest_cover_against_every_subset():
    """The set-cover step alone against enumeration, on random instances (costs and covers)."""
    import itertools
    import random

    from coverage.ring_closure import cheapest_cover

    rng = random.Random(7)
    for _ in range(40):
        n = rng.randint(1, 9)
        universe = [f"s{i}" for i in range(rng.randint(1, 6))]
        covers = [set(rng.sample(universe, rng.randint(1, len(universe)))) for _ in range(n)]
        costs = [float(rng.randint(1, 50)) for _ in range(n)]
        need = set().union(*covers)
        picked, method = cheapest_cover(costs, covers, need)
        assert method == "exact" and set().union(*(covers[i] for i in picked)) >= need
        oracle = min(sum(costs[i] for i in c) for k in range(n + 1) for c in itertools.combinations(range(n), k)
                     if set().union(set(), *(covers[i] for i in c)) >= need)
        assert sum(costs[i] for i in picked) == pytest.approx(oracle)


def test_on_the_sample_the_chosen_links_leave_exactly_the_named_sites_single_homed():
    from coverage.ring_closure import ring_closure_plan
    from inventory.settings import SAMPLE_GPKG
    from inventory.stores import open_store

    frames = open_store(SAMPLE_GPKG).read_all()
    network = build_network(frames["routes"], frames["nodes"], frames["sites"])
    plan = ring_closure_plan(network)
    assert plan.proposals["link_id"].is_unique
    pairs = {frozenset((r.from_node, r.to_node)) for r in plan.proposals.itertuples(index=False)}
    assert len(pairs) == len(plan.proposals)  # each proposal once
    assert len(plan.chosen) < len(plan.proposals)  # alternatives are not all needed
    redundant = rebuilt_redundancy(frames, plan.chosen["geometry"].tolist())
    assert sorted(redundant.index[~redundant]) == plan.remaining
    assert plan.verified and set(plan.coverable) <= set(redundant.index[redundant])


def test_a_link_that_costs_nothing_is_the_best_value_not_a_crash(tmp_path):
    """A configured price of 0 € per metre (an existing duct) makes a link free: infinitely good value."""
    config_path = tmp_path / "free.toml"
    config_path.write_text('[cost]\ndefault_method = "existing_duct"\nrange_methods = ["existing_duct"]\n'
                           '[cost.eur_per_m]\nexisting_duct = 0\n')
    config = load_config(config_path)
    frames = layers()
    table = ring_closures(build_network(frames["routes"], frames["nodes"], frames["sites"]), config=config)
    assert len(table) and (table["cost_eur"] == 0).all()
    assert all(math.isinf(v) for v in table["sites_per_million_eur"])
