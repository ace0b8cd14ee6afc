"""The topology commands on the sample, in both stores: what they print equals what the library computes."""

from __future__ import annotations

import json

import pytest

from inventory.cli import EXIT_USAGE, main
from inventory.settings import SAMPLE_GPKG
from inventory.stores import open_store
from topology import build_network
from topology.analysis import analyse
from topology.whatif import Failure, what_if


@pytest.fixture(scope="module")
def sample_analysis():
    frames = open_store(SAMPLE_GPKG).read_all()
    return analyse(build_network(frames["routes"], frames["nodes"], frames["sites"]))


def run_json(capsys, *argv) -> dict:
    assert main(list(argv)) == 0
    return json.loads(capsys.readouterr().out)


def test_analyse_names_single_homed_schools_and_worst_trenches(sample_analysis, capsys):
    assert main(["analyse", "--db", str(SAMPLE_GPKG)]) == 0
    out = capsys.readouterr().out
    single = sample_analysis.single_homed("school")
    assert len(single) > 0
    assert f"Single-homed schools ({len(single)}, " in out
    for site_id in single["site_id"]:
        assert f"  {site_id} " in out
    worst = sample_analysis.criticality[sample_analysis.criticality["element"] == "trench"].iloc[0]
    assert f"  {worst.element_id} " in out.split("Trenches whose cut isolates the most pupils")[1]


def test_analyse_json_equals_the_library(sample_analysis, capsys):
    payload = run_json(capsys, "analyse", "--db", str(SAMPLE_GPKG), "--json")
    assert payload["summary"] == sample_analysis.summary()
    assert [s["site_id"] for s in payload["sites"]] == sample_analysis.sites["site_id"].tolist()
    table = sample_analysis.criticality_with_degraded()
    assert [(c["element"], c["element_id"], c["pupils"], c["degraded_sites"]) for c in payload["criticality"]] == list(
        table[["element", "element_id", "pupils", "degraded_sites"]].itertuples(index=False, name=None))


def test_analyse_json_names_degraded_sites_and_impact_names_them_now_single_homed(sample_analysis, capsys):
    """Issue 16.1: every criticality row says whom the loss leaves on one path; impact agrees, per trench."""
    rows = run_json(capsys, "analyse", "--db", str(SAMPLE_GPKG), "--json")["criticality"]
    assert all(r["n_sites"] > 0 or r["n_degraded_sites"] > 0 for r in rows)
    assert all(r["n_degraded_sites"] == len(r["degraded_sites"]) for r in rows)
    trenches = [r for r in rows if r["element"] == "trench" and r["n_degraded_sites"]]
    assert trenches, "the sample has trenches whose cut leaves sites on one path"
    worst = max(trenches, key=lambda r: (r["degraded_pupils"], r["element_id"]))
    payload = run_json(capsys, "impact", "--db", str(SAMPLE_GPKG), "--trench", worst["element_id"], "--json")
    now = sorted(s["site_id"] for s in payload["sites"] if s["now_single_homed"])
    assert now == worst["degraded_sites"]
    assert payload["summary"]["sites_now_single_homed"] == worst["n_degraded_sites"]
    assert payload["summary"]["pupils_now_single_homed"] == worst["degraded_pupils"]
    assert main(["impact", "--db", str(SAMPLE_GPKG), "--trench", worst["element_id"]]) == 0
    out = capsys.readouterr().out
    assert f"now single-homed (connected, but one more failure cuts them off): {worst['n_degraded_sites']} site(s)" in out
    assert out.count("NOW SINGLE-HOMED") == worst["n_degraded_sites"]


def test_planned_scenario_needs_fewer_or_equal_single_homed_sites(sample_analysis, capsys):
    planned = run_json(capsys, "analyse", "--db", str(SAMPLE_GPKG), "--json", "--scenario", "planned")["summary"]
    assert planned["segments"] > sample_analysis.summary()["segments"]
    assert planned["sites_reachable"] >= sample_analysis.summary()["sites_reachable"]


def test_impact_of_the_worst_trench(sample_analysis, capsys):
    worst = sample_analysis.criticality[sample_analysis.criticality["element"] == "trench"].iloc[0]
    payload = run_json(capsys, "impact", "--db", str(SAMPLE_GPKG), "--trench", worst.element_id, "--json")
    cut = sorted(s["site_id"] for s in payload["sites"] if s["state"] == "isolated")
    assert cut == sorted(worst.sites)
    assert payload["summary"]["isolated_pupils"] == worst.pupils


def test_impact_of_a_construction_site_equals_the_library(sample_analysis, capsys):
    x, y = sample_analysis.network.vertex_xy[sample_analysis.network.pop_vertices[0]]
    payload = run_json(capsys, "impact", "--db", str(SAMPLE_GPKG), "--at", f"{x},{y}", "--radius-m", "120", "--json")
    expected = what_if(sample_analysis.network, Failure.around(x, y, 120))
    assert payload["summary"] == expected.summary()


def test_impact_of_an_area_file_in_its_own_crs_equals_the_library(sample_analysis, capsys, tmp_path):
    """An --area polygon file in WGS 84 is reprojected and fails what lies in it, as `Failure(area=...)` does."""
    import geopandas as gpd
    import shapely

    x, y = sample_analysis.network.vertex_xy[sample_analysis.network.pop_vertices[0]]
    area = shapely.box(x - 150, y - 100, x + 150, y + 100)
    path = tmp_path / "baustelle.geojson"
    gpd.GeoDataFrame(geometry=[area], crs="EPSG:25832").to_crs("EPSG:4326").to_file(path)
    payload = run_json(capsys, "impact", "--db", str(SAMPLE_GPKG), "--area", str(path), "--json")
    back = gpd.read_file(path).to_crs("EPSG:25832").geometry.iloc[0]
    expected = what_if(sample_analysis.network, Failure(area=back))
    assert payload["summary"] == expected.summary() and payload["summary"]["failed_segments"] > 0


@pytest.mark.parametrize("argv,message", [
    (["--area", "no-such-area.gpkg"], "--area no-such-area.gpkg: cannot be read"),
    (["--segment", "NO-SUCH-ROUTE"], "segment NO-SUCH-ROUTE"),
    (["--at", "here"], "expected X,Y"),
    ([], "name something that fails"),
])
def test_impact_usage_errors_are_clear(argv, message, capsys):
    assert main(["impact", "--db", str(SAMPLE_GPKG), *argv]) == EXIT_USAGE
    assert message in capsys.readouterr().err


def test_paths_reports_a_diverse_pair(sample_analysis, capsys):
    redundant = sample_analysis.sites[sample_analysis.sites["redundant"]].iloc[0]
    payload = run_json(capsys, "paths", redundant.site_id, "--db", str(SAMPLE_GPKG), "--json")
    assert payload["two_edge_disjoint_paths"] is True
    assert payload["trench_disjoint_pair_exists"] is True
    network = sample_analysis.network
    trench_of = dict(zip(network.edge_route_id, network.edge_trench_id, strict=True))
    a, b = ({trench_of[r] for r in payload[f"trench_disjoint_path_{k}"]} for k in "ab")
    assert a and b and not a & b
    assert main(["paths", "NO-SUCH-SITE", "--db", str(SAMPLE_GPKG)]) == EXIT_USAGE


def test_sites_that_are_not_connected_are_not_on_the_network(sample_analysis, capsys):
    """193800, 191838 and GE-GEWERBEPARK-A42 (connection none) were counted reachable and redundant."""
    sites = open_store(SAMPLE_GPKG).read_all()["sites"]
    unconnected = set(sites.loc[sites["connection"] == "none", "site_id"])
    assert unconnected == {"193800", "191838", "GE-GEWERBEPARK-A42"}
    planned = set(sites.loc[sites["connection"] == "planned", "site_id"])
    for scenario in ("in_service", "planned"):
        payload = run_json(capsys, "analyse", "--db", str(SAMPLE_GPKG), "--scenario", scenario, "--json")
        rows = {row["site_id"]: row for row in payload["sites"]}
        for site_id in unconnected:
            row = rows[site_id]
            assert not row["on_network"] and not row["reachable"] and not row["redundant"], (scenario, row)
            assert row["pop"] is None and row["edge_disjoint_paths"] == row["node_disjoint_paths"] == 0
        assert all(rows[s]["on_network"] == (scenario == "planned") for s in planned)
        reachable = {s for s, row in rows.items() if row["reachable"]}
        assert not reachable & unconnected and not any(unconnected & set(c["sites"]) for c in payload["criticality"])
        summary = payload["summary"]
        assert summary["sites_not_connected"] == 3 and summary["sites_reachable"] == len(reachable)
        assert summary["sites_on_network"] == len(sites) - 3 - (len(planned) if scenario == "in_service" else 0)
        assert all(row["node_disjoint_paths"] <= row["edge_disjoint_paths"] for row in rows.values())
    assert main(["analyse", "--db", str(SAMPLE_GPKG)]) == 0
    out = capsys.readouterr().out
    assert "Not on the network: 3 not connected (connection none)" in out
    assert not any(line.startswith(f"  {s} ") for s in unconnected for line in out.splitlines())


def test_validate_includes_the_topology_checks(capsys):
    payload = run_json(capsys, "validate", "--db", str(SAMPLE_GPKG), "--json")
    assert {p["rule"] for p in payload["problems"]} >= {"crossing_without_junction"}


def test_analyse_on_postgis_equals_the_geopackage(pg_url, sample_analysis, capsys):
    assert main(["db", "upgrade", "--db", pg_url]) == 0
    assert main(["demo", "--db", pg_url]) == 0
    capsys.readouterr()
    payload = run_json(capsys, "analyse", "--db", pg_url, "--json")
    assert payload["summary"] == sample_analysis.summary()
    assert [c["element_id"] for c in payload["criticality"]] == (
        sample_analysis.criticality_with_degraded()["element_id"].tolist())
