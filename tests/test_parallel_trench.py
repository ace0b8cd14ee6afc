"""One trench drawn twice: routes in different trenches lying side by side (topology.parallel).

Small synthetic networks (tests/factories.py) with known answers, an independent GEOS oracle for the
segment bound, a property test for the distance threshold, and the field case end to end through the
CLI on a copy of the sample store (tests/data/cases/10-parallel-second-cable).
"""

from __future__ import annotations

import dataclasses
import json
import math
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import shapely
from factories import at, nodes_frame, routes_frame, sites_frame, small_inventory
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from shapely import LineString
from test_app import run_app
from test_topology_oracle import X0, Y0, Site, cases, make_case, midpoint

from app_pages.i18n import RULES, column_label, rule_label, t
from app_pages.logic import redundancy_text
from inventory.cli import main
from inventory.settings import SAMPLE_GPKG
from inventory.stores import open_store
from topology import build_network
from topology.analysis import analyse
from topology.checks import topology_findings
from topology.diverse import diverse_paths
from topology.parallel import (
    MIN_SIDE_BY_SIDE_M,
    MIN_SIDE_BY_SIDE_SHARE,
    PARALLEL_DISTANCE_M,
    possibly_one_trench,
    segment_length_within,
    side_by_side_pairs,
)

CASE = Path(__file__).parent / "data" / "cases" / "10-parallel-second-cable"


def beside(route_b_points, *, trench_a="T1", trench_b="T2", more_routes=()):
    """A POP at (0, 0), a closure C1 at (500, 0), route A straight between them, route B as given,
    school S at C1: with A and B in different trenches S looks redundant."""
    return build_network(
        routes_frame(("A", [(0, 0), (500, 0)], trench_a), ("B", route_b_points, trench_b), *more_routes),
        nodes_frame(("POP1", "pop", (0, 0)), ("C1", "closure", (500, 0))),
        sites_frame(("S", (505, 0), "C1", 700)),
    )


SECOND_CABLE = [(0, 0), (10, 0.3), (490, 0.3), (500, 0)]  # 0.3 m beside A, joining it at both ends


def side_by_side_findings(network):
    return [p for p in topology_findings(network) if p.rule == "side_by_side_routes"]


def test_a_second_cable_beside_another_in_another_trench_is_a_warning_and_its_site_for_review():
    network = beside(SECOND_CABLE)
    [finding] = side_by_side_findings(network)
    assert finding.severity == "warning"
    text = str(finding)
    for word in ("A", "B", "trench T1", "trench T2", "within 0.3 m", "100 %", "possibly one trench"):
        assert word in text, (word, text)
    result = analyse(network)
    site = result.sites.set_index("site_id").loc["S"]
    assert site["redundant"]  # what the trench ids say ...
    assert site["review_trenches"] == ["T1", "T2"]  # ... and why it is for review
    assert result.summary()["sites_for_review"] == 1
    assert result.summary()["redundant_sites_for_review"] == 1
    [pair] = result.possibly_one_trench.itertuples(index=False)
    assert {pair.route_a, pair.route_b} == {"A", "B"} and pair.kind == "side_by_side"
    assert pair.distance_m == pytest.approx(0.3, abs=0.01)
    assert "For review (1)" in result.to_text() and "cut off if trenches T1, T2 are one" in result.to_text()


def test_the_same_two_cables_in_one_trench_give_nothing():
    network = beside(SECOND_CABLE, trench_b="T1")
    assert side_by_side_findings(network) == []
    result = analyse(network)
    assert result.possibly_one_trench.empty
    site = result.sites.set_index("site_id").loc["S"]
    assert not site["redundant"] and site["spof_trenches"] == ["T1"] and site["review_trenches"] == []


def test_routes_crossing_or_meeting_at_a_right_angle_give_nothing():
    crossing = build_network(
        routes_frame(("A", [(0, 0), (500, 0)], "T1"), ("B", [(250, -250), (250, 250)], "T2"),
                     ("C", [(400, 0), (400, 300)], "T3")),  # C ends on A: a junction at a right angle
        nodes_frame(("POP1", "pop", (0, 0))), None)
    assert side_by_side_findings(crossing) == []
    assert possibly_one_trench(crossing).empty


def test_two_parallel_streets_15_m_apart_give_nothing():
    network = beside([(0, 0), (0, 15), (500, 15), (500, 0)])
    assert side_by_side_findings(network) == []
    assert analyse(network).for_review().empty


@pytest.mark.parametrize("beside_m, found", [(70, False), (90, True)])
def test_a_route_beside_another_for_part_of_its_length_counts_from_the_share(beside_m, found):
    """B runs 0.3 m beside A for `beside_m` of its 100 m, then turns away at a right angle."""
    away_m = 100 - beside_m
    network = beside([(100, 0.3), (100 + beside_m, 0.3), (100 + beside_m, 0.3 + away_m)])
    pairs = side_by_side_pairs(network)
    assert len(pairs) == int(found)
    share = (beside_m + PARALLEL_DISTANCE_M - 0.3) / 100  # the turn stays within the distance for 1.7 m
    assert (share >= MIN_SIDE_BY_SIDE_SHARE) == found
    if found:
        assert pairs.iloc[0]["route_a"] == "B" and pairs.iloc[0]["share"] == pytest.approx(share, abs=0.01)


def test_a_cable_beside_a_street_route_cut_into_two_records_is_found():
    """N lies beside A1 for half its length and beside A2 for the other half: neither alone is 80 %."""
    network = build_network(
        routes_frame(("A1", [(0, 0), (1000, 0)], "T1"), ("A2", [(1000, 0), (2000, 0)], "T2"),
                     ("N", [(900, 0.5), (1100, 0.5)], "T3")),
        nodes_frame(("POP1", "pop", (0, 0))), None)
    pairs = side_by_side_pairs(network)
    assert sorted(map(tuple, pairs[["route_a", "route_b"]].to_numpy().tolist())) == [("N", "A1"), ("N", "A2")]
    past_the_end = math.sqrt(PARALLEL_DISTANCE_M**2 - 0.5**2)  # within the round end of the other route
    assert pairs["share"].tolist() == pytest.approx([(100 + past_the_end) / 200] * 2, abs=0.002)


def test_a_duplicate_is_reported_once_as_a_duplicate_and_flagged_in_analyse():
    network = beside([(500, 0), (0, 0)])  # the same line, drawn the other way
    rules = [p.rule for p in topology_findings(network)]
    assert rules.count("duplicate_segment") == 1 and "side_by_side_routes" not in rules
    result = analyse(network)
    assert result.possibly_one_trench["kind"].tolist() == ["duplicate"]
    assert result.sites.set_index("site_id").loc["S", "review_trenches"] == ["T1", "T2"]


def test_a_short_stub_beside_a_route_is_below_the_minimum_length():
    network = beside([(200, 0.3), (200 + MIN_SIDE_BY_SIDE_M / 2, 0.3)])
    assert side_by_side_pairs(network).empty


# ---------------------------------------------------------------------------------------------
# the threshold, as a property: a copy of a random line shifted by d is found iff d < the distance


@st.composite
def smooth_lines(draw):
    """A polyline of 2-6 legs of 20-200 m, turning at most 45° at each vertex."""
    legs = draw(st.integers(2, 6))
    heading = draw(st.floats(0, 2 * math.pi))
    points = [(0.0, 0.0)]
    for _ in range(legs):
        heading += draw(st.floats(-math.pi / 4, math.pi / 4))
        step = draw(st.floats(20, 200))
        x, y = points[-1]
        points.append((x + step * math.cos(heading), y + step * math.sin(heading)))
    return LineString(points)


def _pair_of(line: LineString, offset_m: float):
    shifted = shapely.offset_curve(line, offset_m, quad_segs=16, join_style="round")
    assume(shifted.geom_type == "LineString" and not shifted.is_empty)
    shift = np.array(at(0, 0))
    return build_network(
        routes_frame(("ORIG", [tuple(c) for c in np.asarray(line.coords)], "T1"),
                     ("COPY", [tuple(c) for c in np.asarray(shifted.coords)], "T2")),
        nodes_frame(("POP1", "pop", (-5000, -5000))), None,
    ), shift


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(line=smooth_lines(), fraction=st.floats(0.02, 0.95), side=st.sampled_from([-1, 1]))
def test_a_copy_shifted_by_less_than_the_distance_is_found(line, fraction, side):
    network, _ = _pair_of(line, side * fraction * PARALLEL_DISTANCE_M)
    pairs = side_by_side_pairs(network)
    assert len(pairs) == 1
    # at an inner bend the corner of one line lies d / cos(turn / 2) from the other; turns are at most 45°
    assert pairs.iloc[0]["distance_m"] <= PARALLEL_DISTANCE_M * fraction / math.cos(math.pi / 8) + 0.01


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(line=smooth_lines(), factor=st.floats(1.05, 5.0), side=st.sampled_from([-1, 1]))
def test_a_copy_shifted_by_more_than_the_distance_is_not_found(line, factor, side):
    network, _ = _pair_of(line, side * factor * PARALLEL_DISTANCE_M)
    assert side_by_side_pairs(network).empty
    assert possibly_one_trench(network).empty


# ---------------------------------------------------------------------------------------------
# the segment bound against GEOS


coordinate = st.floats(-60, 60, allow_nan=False, allow_subnormal=False)  # GEOS misreads subnormals


@settings(max_examples=300, deadline=None)
@given(p=st.tuples(coordinate, coordinate, coordinate, coordinate), q=st.tuples(coordinate, coordinate, coordinate,
                                                                                 coordinate),
       distance=st.floats(0.1, 20))
def test_segment_length_within_equals_geos(p, q, distance):
    a, b = LineString([p[:2], p[2:]]), LineString([q[:2], q[2:]])
    assume(a.length > 1e-6)
    expected = shapely.intersection(a, b.buffer(distance, quad_segs=256)).length
    got = segment_length_within(np.array([p[:2]]), np.array([p[2:]]), np.array([q[:2]]), np.array([q[2:]]),
                                distance)[0]
    assert got == pytest.approx(expected, abs=0.03 * math.sqrt(distance) + 1e-6)


# ---------------------------------------------------------------------------------------------
# routes in pieces that are not neighbours in the edge arrays (a graph read by from_networkx)


def _interleaved_pieces():
    """Route R0 in two pieces, R0#1 (0-1) and R0#2 (1-2), with R1 (0-1, the same line as R0#1, in
    another trench) between them in the edge order; a POP at 0, school S at 2."""
    xy = [(X0, Y0), (X0 + 100, Y0), (X0 + 200, Y0)]
    bend = midpoint(xy, 0, 1, 0, 10)
    edges = [(0, 1, "R0#1", "R0", "T0", bend), (0, 1, "R1", "R1", "T1", bend),
             (1, 2, "R0#2", "R0", "T0", midpoint(xy, 1, 2))]
    return make_case(xy, edges, [0], ["P0", "N1", "N2"], [Site("S", 2, 300, "school")])


def test_a_route_whose_pieces_are_apart_in_the_edge_order_is_one_route():
    """R1 is the same line as the first piece of R0: R1 shares all of its line with R0, R0 half of its."""
    case = _interleaved_pieces()
    pairs = possibly_one_trench(case.network)
    assert pairs[["route_a", "trench_a", "route_b", "trench_b", "kind"]].values.tolist() == [
        ["R1", "T1", "R0", "T0", "overlapping"]]
    r0 = case.edge("R0#1").length_m + case.edge("R0#2").length_m
    assert pairs.loc[0, "side_by_side_m"] == pytest.approx(case.edge("R1").length_m)
    assert pairs.loc[0, "share"] == pytest.approx(1.0)
    # the analysis over it: S hangs on R0#2 alone whichever trench the first stretch is in
    result = analyse(case.network)
    assert result.sites.set_index("site_id").loc["S", "spof_trenches"] == ["T0"]
    assert r0 > case.edge("R1").length_m


def _edges_permuted(network, order: np.ndarray):
    fields = ("edge_u", "edge_v", "edge_id", "edge_route_id", "edge_trench_id", "edge_length_m", "edge_geometry")
    return dataclasses.replace(network, **{f: getattr(network, f)[order] for f in fields}, findings=[])


def _same_pairs(got: pd.DataFrame, expected: pd.DataFrame) -> None:
    """The same unordered pairs of routes, each of the same kind; where both name the same route first, the
    same lengths and share; where not, a tie (the same share: which is named first follows the edge order)."""
    def rows(frame):
        return {frozenset([(r.route_a, r.trench_a), (r.route_b, r.trench_b)]): r for r in frame.itertuples()}

    got, expected = rows(got), rows(expected)
    assert got.keys() == expected.keys()
    for key, row in expected.items():
        other = got[key]
        assert other.kind == row.kind
        assert other.share == pytest.approx(row.share)
        if other.route_a == row.route_a:
            assert (other.side_by_side_m, other.distance_m, other.length_a_m) == pytest.approx(
                (row.side_by_side_m, row.distance_m, row.length_a_m))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=cases(max_vertices=8, max_edges=14), seed=st.integers(0, 2**32 - 1))
def test_possibly_one_trench_does_not_depend_on_the_order_of_the_edges(case, seed):
    """Random multigraphs with routes split into pieces anywhere in the edge order: the pairs are the
    same as with the edges grouped by route (and shuffled)."""
    network = case.network
    by_route = np.argsort(network.edge_route_id.astype(str), kind="stable")
    shuffled = np.random.default_rng(seed).permutation(network.n_edges)
    expected = possibly_one_trench(_edges_permuted(network, by_route))
    _same_pairs(possibly_one_trench(network), expected)
    _same_pairs(possibly_one_trench(_edges_permuted(network, shuffled)), expected)


# ---------------------------------------------------------------------------------------------
# the field case through the CLI, on a copy of the sample store


@pytest.fixture()
def sample_with_second_cable(tmp_path, capsys):
    store = tmp_path / "store.gpkg"
    shutil.copyfile(SAMPLE_GPKG, store)
    assert main(["import", "routes", str(CASE / "a_second_cable_0_3m_beside.geojson"), "--db", str(store),
                 "--mode", "upsert"]) == 0
    capsys.readouterr()
    return store


def run_json(capsys, *argv) -> dict:
    assert main(list(argv)) == 0
    return json.loads(capsys.readouterr().out)


def test_field_case_validate_warns_naming_both_routes_trenches_and_distance(sample_with_second_cable, capsys):
    payload = run_json(capsys, "validate", "--db", str(sample_with_second_cable), "--json")
    mine = [p for p in payload["problems"] if p["rule"] == "side_by_side_routes" and "NEU-P1" in p["message"]]
    assert len(mine) == 1
    message = mine[0]["message"]
    for word in ("D-193008-1 (trench D-193008-1)", "NEU-P1 (trench TR-NEU-P1)", "within 0.3 m", "possibly one trench"):
        assert word in message, (word, message)
    assert mine[0]["severity"] == "warning"


def test_field_case_analyse_and_impact_flag_the_school(sample_with_second_cable, capsys):
    payload = run_json(capsys, "analyse", "--db", str(sample_with_second_cable), "--json")
    pairs = {frozenset((p["route_a"], p["route_b"])) for p in payload["possibly_one_trench"]}
    assert frozenset(("D-193008-1", "NEU-P1")) in pairs
    school = next(s for s in payload["sites"] if s["site_id"] == "193008")
    assert school["spof_trenches"] == [] and school["review_trenches"] == ["D-193008-1", "TR-NEU-P1"]

    impact = run_json(capsys, "impact", "--db", str(sample_with_second_cable), "--trench", "D-193008-1", "--json")
    assert impact["summary"]["isolated_sites"] == 0  # the second trench id hides the cut ...
    [note] = impact["possibly_one_trench"]
    assert note["trenches"] == ["D-193008-1", "TR-NEU-P1"]
    assert note["isolated_sites"] == ["193008"] and note["summary"]["isolated_pupils"] == 2185  # ... this says so

    assert main(["impact", "--db", str(sample_with_second_cable), "--trench", "D-193008-1"]) == 0
    out = capsys.readouterr().out
    assert "note: possibly one trench" in out and "cuts off 1 site(s), 2,185 pupils: 193008" in out


# ---------------------------------------------------------------------------------------------
# the app: the finding on Datenqualität, the pairs and the sites for review on Netz, in German

APP = str(Path(__file__).resolve().parent.parent / "app.py")


@pytest.fixture()
def store_with_second_cable(tmp_path, monkeypatch):
    """The small inventory plus a cable 0.3 m beside R1 (POP1 - C1) in its own trench: school 118928 at C1,
    single-homed through T1, looks redundant."""
    frames = small_inventory()
    second = routes_frame(("NEU-1", [(0, 0), (10, 0.3), (990, 0.3), (1000, 0)], "T9"))
    frames["routes"] = pd.concat([frames["routes"], second], ignore_index=True)
    path = tmp_path / "store.gpkg"
    open_store(path).write(frames)
    monkeypatch.setenv("GELSENNET_DB", str(path))
    return frames


def test_the_app_shows_the_finding_and_the_school_for_review_in_german(store_with_second_cable):
    graph = build_network(*(store_with_second_cable[name] for name in ("routes", "nodes", "sites")))
    result = analyse(graph)
    assert result.for_review()["site_id"].tolist() == ["118928"]

    quality = run_app("quality")
    problems = quality.dataframe[1].value
    mine = problems[problems[column_label("rule")] == rule_label("side_by_side_routes")]  # the rule in words
    assert len(mine) == 1
    assert rule_label("side_by_side_routes") == RULES["side_by_side_routes"][0]
    assert "side_by_side_routes" not in problems.to_string()  # no code on the German side
    assert "möglicherweise ein Graben" in RULES["side_by_side_routes"][0]

    network = run_app("network")
    headers = [h.value for h in network.subheader]
    assert t("net.one_trench", n=1) in headers and t("net.review", n=1) in headers
    assert "Möglicherweise ein Graben" in t("net.one_trench", n=1) and "Zur Prüfung" in t("net.review", n=1)
    review = next(f.value for f in network.dataframe if column_label("review_trenches") in f.value.columns)
    assert review[column_label("site_id")].tolist() == ["118928"]
    assert review[column_label("review_trenches")].tolist() == ["T1, T9"]

    site = result.sites.set_index("site_id").loc["118928"].to_dict()
    words = redundancy_text(site, pair=diverse_paths(graph, "118928"))  # two paths in trenches T1 and T9
    assert words.startswith(t("red.redundant")) and "Zur Prüfung: die Gräben T1, T9" in words


def test_field_case_on_postgis_gives_what_the_geopackage_gives(pg_url, sample_with_second_cable, capsys):
    assert main(["db", "upgrade", "--db", pg_url]) == 0
    assert main(["demo", "--db", pg_url]) == 0
    assert main(["import", "routes", str(CASE / "a_second_cable_0_3m_beside.geojson"), "--db", pg_url,
                 "--mode", "upsert"]) == 0
    capsys.readouterr()
    on_postgis = run_json(capsys, "analyse", "--db", pg_url, "--json")
    in_geopackage = run_json(capsys, "analyse", "--db", str(sample_with_second_cable), "--json")
    assert on_postgis["possibly_one_trench"] == in_geopackage["possibly_one_trench"]
    assert [(s["site_id"], s["review_trenches"]) for s in on_postgis["sites"]] == [
        (s["site_id"], s["review_trenches"]) for s in in_geopackage["sites"]]
    assert any(s["review_trenches"] for s in on_postgis["sites"])
    warnings = [p["message"] for p in run_json(capsys, "validate", "--db", pg_url, "--json")["problems"]
                if p["rule"] == "side_by_side_routes"]
    assert any("NEU-P1 (trench TR-NEU-P1)" in m for m in warnings)
