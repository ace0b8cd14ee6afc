"""`gelsennet coverage` on the sample: what it prints equals the library's numbers."""

from __future__ import annotations

import json

import pytest

from coverage.kpis import CITY_ID, district_kpis
from coverage.status import site_status
from inventory.cli import EXIT_USAGE, main
from inventory.settings import SAMPLE_GPKG
from inventory.stores import open_store
from topology import build_network, site_redundancy


@pytest.fixture(scope="module")
def library():
    frames = open_store(SAMPLE_GPKG).read_all()
    redundancy = site_redundancy(build_network(frames["routes"], frames["nodes"], frames["sites"]))
    return site_status(frames["sites"], frames["routes"]), district_kpis(frames, redundancy=redundancy)


@pytest.mark.parametrize("by,levels", [("city", {"city"}), ("stadtbezirk", {"stadtbezirk"}),
                                       ("district", {"city", "stadtbezirk", "stadtteil"})])
def test_coverage_json_equals_the_library(library, capsys, by, levels):
    status, kpis = library
    assert main(["coverage", "--db", str(SAMPLE_GPKG), "--json", "--by", by]) == 0
    payload = json.loads(capsys.readouterr().out)
    assert [s["status"] for s in payload["sites"]] == status["status"].astype(str).tolist()
    assert {k["level"] for k in payload["kpis"]} == levels
    expected = kpis.set_index("district_id")
    for row in payload["kpis"]:
        assert row["schools_gigabit"] == expected.loc[row["district_id"], "schools_gigabit"]
        assert row["pupils_gigabit"] == expected.loc[row["district_id"], "pupils_gigabit"]


def test_coverage_text_shows_the_share_per_district_and_the_schools_below_target(library, capsys):
    status, kpis = library
    assert main(["coverage", "--db", str(SAMPLE_GPKG), "--by", "stadtbezirk"]) == 0
    out = capsys.readouterr().out
    for row in kpis[kpis["level"] == "stadtbezirk"].itertuples():
        assert f"{100 * row.share_schools_gigabit:.0f} %" in out.split(str(row.name))[1].splitlines()[0]
    city = kpis.set_index("district_id").loc[CITY_ID]
    assert f"Schools not on gigabit ({city.schools_to_target})" in out


def test_a_config_file_changes_the_thresholds(tmp_path, capsys):
    path = tmp_path / "strict.toml"
    path.write_text("[status]\ngigabit_mbps = 100000\n")
    assert main(["coverage", "--db", str(SAMPLE_GPKG), "--json", "--config", str(path)]) == 0
    payload = json.loads(capsys.readouterr().out)
    assert not any(s["status"] == "gigabit" for s in payload["sites"])
    path.write_text("[status]\ngigabit = 1\n")
    assert main(["coverage", "--db", str(SAMPLE_GPKG), "--config", str(path)]) == EXIT_USAGE
    assert "unknown key 'gigabit'" in capsys.readouterr().err


def test_plan_json_equals_the_library_and_exports_for_qgis(tmp_path, capsys):
    import pyogrio

    from coverage.expansion import expansion_plan, plan_totals
    from coverage.ring_closure import ring_closures

    frames = open_store(SAMPLE_GPKG).read_all()
    out = tmp_path / "plan.gpkg"
    assert main(["plan", "--db", str(SAMPLE_GPKG), "--json", "--export", str(out)]) == 0
    payload = json.loads(capsys.readouterr().out)
    expansion = expansion_plan(frames)
    assert payload["totals"] == plan_totals(expansion)
    assert [r["site_id"] for r in payload["expansion"]] == expansion["site_id"].tolist()
    rings = ring_closures(build_network(frames["routes"], frames["nodes"], frames["sites"]))
    assert [r["link_id"] for r in payload["ring_closures"]] == rings["link_id"].tolist()
    assert len(rings) > 0
    layers = dict(pyogrio.list_layers(out).tolist())
    assert layers == {"expansion": "Point", "ring_closures": "LineString", "layer_styles": None}  # + QGIS styles
    assert pyogrio.read_info(out, layer="ring_closures")["features"] == len(rings)


def test_plan_text_and_csv_export(tmp_path, capsys):
    assert main(["plan", "--db", str(SAMPLE_GPKG), "--top", "3", "--export", str(tmp_path / "csv")]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Every school on gigabit: ")
    assert "Ring closures: " in out and "Cheapest set (exact): " in out
    assert sorted(p.name for p in (tmp_path / "csv").iterdir()) == ["expansion.csv", "ring_closures.csv"]


def test_coverage_export_for_qgis(tmp_path, library):
    import pyogrio

    status, kpis = library
    out = tmp_path / "coverage.gpkg"
    assert main(["coverage", "--db", str(SAMPLE_GPKG), "--export", str(out)]) == 0
    layers = dict(pyogrio.list_layers(out).tolist())
    assert layers == {"site_status": "Point", "district_kpis": "MultiPolygon", "gap_grid": "Polygon",
                      "layer_styles": None}  # the QGIS styles (inventory.qgis_styles)
    assert pyogrio.read_info(out, layer="site_status")["features"] == len(status)
    assert pyogrio.read_info(out, layer="district_kpis")["features"] == len(kpis)


def test_coverage_and_plan_on_postgis_equal_the_geopackage(pg_url, capsys):
    assert main(["db", "upgrade", "--db", pg_url]) == 0
    assert main(["demo", "--db", pg_url]) == 0
    capsys.readouterr()
    for command in (["coverage", "--by", "district"], ["plan"]):
        results = []
        for db in (str(SAMPLE_GPKG), pg_url):
            assert main([*command, "--db", db, "--json"]) == 0
            results.append(json.loads(capsys.readouterr().out))
        results[0].pop("config", None), results[1].pop("config", None)
        assert results[0] == results[1], command
