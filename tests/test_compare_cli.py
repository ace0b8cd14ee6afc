"""`gelsennet compare` on a small hand-made store: the table, --json and --gpkg say what the library says."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import geopandas as gpd
import pyogrio
import pytest
from shapely import LineString
from test_plan_variants import CANDIDATES, PLANNED, TODAY, candidate_file, make_frames

from coverage.config import load_config
from coverage.plan_variants import Scenario, compare, read_candidates
from inventory.cli import EXIT_DATA, EXIT_USAGE, main
from inventory.cli_format import count, euro_range
from inventory.frames import empty_frame
from inventory.schema import CRS, get_layer
from inventory.stores import open_store

GELSENNET = Path(sys.executable).with_name("gelsennet")


@pytest.fixture
def store(tmp_path):
    frames = make_frames(TODAY, PLANNED)
    frames.pop("shared")
    frames |= {name: empty_frame(get_layer(name)) for name in ("site_areas", "districts")}
    path = tmp_path / "small.gpkg"
    opened = open_store(str(path))
    opened.create()
    opened.write(frames)
    opened.close()
    config = tmp_path / "rings.toml"
    config.write_text("[ring_closure]\nmax_link_m = 1500\ncandidates_per_site = 4\n")
    return path, frames, config, candidate_file(tmp_path)


def library(store):
    path, frames, config, candidates = store
    opened = open_store(str(path))
    read = {name: opened.read(name) for name in ("routes", "nodes", "sites")}
    opened.close()
    cand = read_candidates(candidates)
    return compare(read, [Scenario("planned", planned=True, sources=["planned"]),
                          Scenario("cand", candidates=[cand], sources=[str(candidates)]),
                          Scenario("mix", planned=True, ring=True, sources=["planned", "ring"])],
                   config=load_config(config))


def args(store, *extra):
    path, _, config, candidates = store
    return ["compare", "--db", str(path), "--config", str(config), "--scenario", "planned",
            "--scenario", f"cand={candidates}", "--scenario", "mix=planned+ring", *extra]


def test_the_table_shows_each_scenario_beside_today(store, capsys):
    assert main(args(store)) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert lines[0].split()[:4] == ["scenario", "reachable", "redundant", "single-homed"]
    assert lines[1].split() == ["today", "4", "0", "4"]
    expected = library(store)
    for variant in expected.variants:
        s = variant.summary()
        (row,) = [line for line in lines[:lines.index("")] if line.split()[:1] == [variant.name]]
        assert row.split()[1:8] == [count(s[k]) for k in ("sites_reachable", "sites_redundant", "sites_single_homed",
                                                          "sites_newly_connected", "sites_made_redundant",
                                                          "sites_trench_cuts_up", "sites_worse")]
        assert euro_range(s["cost_low_eur"], s["cost_high_eur"]) in row
    assert "made redundant (4, 1,000 pupils): SA, SB, SC, SD" in out
    assert "resilience per 100 k€" in out


def test_json_is_the_library_comparison(store, capsys):
    assert main(args(store, "--json")) == 0
    payload = json.loads(capsys.readouterr().out)
    expected = library(store)
    assert payload["today"] == expected.today_summary()
    assert [s["scenario"] for s in payload["scenarios"]] == ["planned", "cand", "mix"]
    for got, variant in zip(payload["scenarios"], expected.variants, strict=True):
        want = json.loads(json.dumps({k: (v.item() if hasattr(v, "item") else v)
                                      for k, v in variant.summary().items()}))
        assert got == want
    assert payload["ring_closures"] == expected.ring.chosen["link_id"].tolist()
    assert payload["ring_closures"], "the wide ring limit finds links on the hand-made lines"


def test_gpkg_has_a_layer_per_scenario_and_part(store, tmp_path):
    out = tmp_path / "variants.gpkg"
    done = subprocess.run([str(GELSENNET), *args(store, "--gpkg", str(out))], capture_output=True, text=True,
                          timeout=600)
    assert done.returncode == 0, done.stderr
    layers = dict(pyogrio.list_layers(out).tolist())
    assert set(layers) == {"scenarios", "layer_styles",  # + the QGIS styles (inventory.qgis_styles)
                           *(f"{n}_{k}" for n in ("planned", "cand", "mix") for k in ("new_routes", "sites"))}
    assert layers["planned_new_routes"] == "LineString" and layers["mix_sites"] == "Point"
    assert layers["scenarios"] is None  # an attribute table
    expected = library(store)
    table = pyogrio.read_dataframe(out, layer="scenarios")
    assert table["scenario"].tolist() == ["today", "planned", "cand", "mix"]
    for variant in expected.variants:
        routes = pyogrio.read_dataframe(out, layer=f"{variant.name}_new_routes")
        assert sorted(routes["route_id"]) == sorted(variant.routes["route_id"])
        assert routes.crs.to_epsg() == 25832
        sites = pyogrio.read_dataframe(out, layer=f"{variant.name}_sites")
        assert sorted(sites.loc[sites["made_redundant"].astype(bool), "site_id"]) == sorted(
            variant.sites.loc[variant.sites["made_redundant"], "site_id"])
        assert {"reachable_before", "reachable_after", "trench_cuts_to_isolate_before",
                "trench_cuts_to_isolate_after"} <= set(sites.columns)
    assert {r for r in pyogrio.read_dataframe(out, layer="cand_new_routes")["route_id"]} == {c[0] for c in CANDIDATES}


def test_a_bad_candidate_file_is_reported_like_an_import_and_nothing_compared(store, tmp_path, capsys):
    path, *_ = store
    bad = gpd.GeoDataFrame({"route_id": ["R1"], "method": ["spade"]}, geometry=[LineString([(368_000, 5_710_000),
                                                                                          (368_010, 5_710_000)])],
                           crs=CRS)
    file = tmp_path / "bad.geojson"
    bad.to_file(file, driver="GeoJSON")
    assert main(["compare", "--db", str(path), "--scenario", f"bad={file}"]) == EXIT_DATA
    err = capsys.readouterr().err
    assert str(file) in err and "'spade'" in err and "route_id" in err and "'R1'" in err
    assert main(["compare", "--db", str(path), "--scenario", f"bad={file}", "--json"]) == EXIT_DATA
    payload = json.loads(capsys.readouterr().out)
    assert payload["ok"] is False and {p["field"] for p in payload["problems"]} >= {"method", "route_id"}


def test_an_unknown_part_is_a_usage_error(store, capsys):
    path, *_ = store
    assert main(["compare", "--db", str(path), "--scenario", "mix=planned+rings"]) == EXIT_USAGE
    assert "'rings' is neither planned nor ring" in capsys.readouterr().err
    assert main(["compare", "--db", str(path), "--scenario", "planned", "--gpkg", "out.shp"]) == EXIT_USAGE
