"""What-if outcomes and diverse path pairs export to GeoPackage and CSV (issue 15 point 8c): layers in
EPSG:25832 with units in their field names, valid GeoPackages read back through pyogrio (GDAL)."""

from __future__ import annotations

import json

import pandas as pd
import pyogrio
import pytest
import shapely

from inventory.cli import EXIT_USAGE, main
from inventory.settings import SAMPLE_GPKG
from inventory.stores import open_store
from topology import build_network
from topology.analysis import analyse
from topology.diverse import diverse_paths
from topology.layers import diverse_path_layers, what_if_layers
from topology.whatif import Failure, what_if


@pytest.fixture(scope="module")
def sample():
    frames = open_store(SAMPLE_GPKG).read_all()
    network = build_network(frames["routes"], frames["nodes"], frames["sites"])
    return frames, network, analyse(network)


def worst_trench(result):
    return result.criticality[result.criticality["element"] == "trench"].iloc[0]


def test_what_if_layers_hold_the_failed_elements_and_every_site_with_its_state(sample):
    frames, network, result = sample
    x, y = network.vertex_xy[network.pop_vertices[0]]
    failure = Failure.around(x, y, 150)
    outcome = what_if(network, failure)
    layers = what_if_layers(network, outcome, frames["sites"], failure)
    assert set(layers) == {"failed_routes", "failed_nodes", "sites", "failure_area"}
    assert all(layer.crs.to_epsg() == 25832 for layer in layers.values())
    # independent oracle for the failed routes: every edge piece that meets the circle
    hit = [g for g in network.edge_geometry if g.intersects(failure.area)]
    assert len(layers["failed_routes"]) == len(hit) > 0
    assert layers["failed_routes"]["length_m"].to_numpy() == pytest.approx(layers["failed_routes"].length.to_numpy())
    assert all(failure.area.contains(p) for p in layers["failed_nodes"].geometry)
    sites = layers["sites"].set_index("site_id")
    assert len(sites) == len(frames["sites"])
    assert sites.geometry.equals(frames["sites"].set_index("site_id").geometry.loc[sites.index])
    assert sorted(sites.index[sites["state"] == "isolated"]) == sorted(outcome.isolated()["site_id"])
    assert {"distance_before_m", "distance_after_m", "detour_m"} <= set(sites.columns)


def test_impact_export_gpkg_opens_through_gdal_and_equals_the_json(sample, tmp_path, capsys):
    frames, network, result = sample
    trench = worst_trench(result)
    out = tmp_path / "impact.gpkg"
    assert main(["impact", "--db", str(SAMPLE_GPKG), "--trench", trench.element_id, "--json",
                 "--export", str(out)]) == 0
    payload = json.loads(capsys.readouterr().out)
    layers = dict(pyogrio.list_layers(out).tolist())
    assert layers == {"failed_routes": "LineString", "failed_nodes": "Point", "sites": "Point",
                      "layer_styles": None}  # the QGIS styles (inventory.qgis_styles)
    info = pyogrio.read_info(out, layer="sites")
    assert info["crs"] == "EPSG:25832" and info["features"] == len(frames["sites"])
    sites = pyogrio.read_dataframe(out, layer="sites")
    assert sorted(sites.loc[sites["state"] == "isolated", "site_id"]) == sorted(
        s["site_id"] for s in payload["sites"] if s["state"] == "isolated") == sorted(trench.sites)
    routes = pyogrio.read_dataframe(out, layer="failed_routes")
    assert set(routes["trench_id"]) == {trench.element_id}
    assert len(routes) == payload["summary"]["failed_segments"]


def test_impact_export_csv_writes_one_file_per_layer_beside_the_name(tmp_path, capsys):
    x, y = 368500, 5710500
    assert main(["impact", "--db", str(SAMPLE_GPKG), "--at", f"{x},{y}", "--radius-m", "200",
                 "--export", str(tmp_path / "impact.csv")]) == 0
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == ["impact_failed_nodes.csv", "impact_failed_routes.csv", "impact_failure_area.csv",
                     "impact_sites.csv"]
    area = pd.read_csv(tmp_path / "impact_failure_area.csv")
    circle = shapely.from_wkt(area.loc[0, "wkt"])
    assert circle.area == pytest.approx(area.loc[0, "area_m2"]) and circle.centroid.distance(shapely.Point(x, y)) < 1
    assert "wrote " in capsys.readouterr().err


def test_diverse_path_layers_are_the_two_paths_with_their_lengths_and_shared_trenches(sample):
    _, network, result = sample
    # a school whose shortest edge-disjoint pair shares a trench: the pair, and the trench-disjoint one
    for site_id in result.sites.loc[result.sites["reachable"], "site_id"]:
        pair = diverse_paths(network, site_id)
        if pair.found and pair.shared_trenches and pair.trench_disjoint:
            break
    else:
        pytest.skip("no site with a shared trench in the sample")
    layers = diverse_path_layers(network, pair)
    paths = layers["diverse_paths"]
    assert paths.crs.to_epsg() == 25832
    shortest = paths[paths["pair"] == "shortest_edge_disjoint"].set_index("path")
    assert shortest.loc["a", "length_m"] == pytest.approx(pair.length_a_m)
    assert shortest.loc["b", "length_m"] == pytest.approx(pair.length_b_m)
    # the drawn line is as long as the path (independent: the geometry's own length)
    assert shortest.length.to_numpy() == pytest.approx(shortest["length_m"].to_numpy())
    assert set(paths["pair"]) == {"shortest_edge_disjoint", "trench_disjoint"}
    shared = layers["shared_trenches"]
    assert set(shared["trench_id"]) == set(pair.shared_trenches)
    # both paths run through each shared trench: it is drawn from both
    for trench in pair.shared_trenches:
        in_trench = shared[shared["trench_id"] == trench].geometry
        assert any(shortest.loc["a"].geometry.covers(g) for g in in_trench)
        assert any(shortest.loc["b"].geometry.covers(g) for g in in_trench)


def test_paths_export_gpkg_and_an_empty_layer_keeps_its_type(sample, tmp_path, capsys):
    _, network, result = sample
    site_id = result.sites[result.sites["redundant"]].iloc[0].site_id
    pair = diverse_paths(network, site_id)
    out = tmp_path / "paths.gpkg"
    assert main(["paths", site_id, "--db", str(SAMPLE_GPKG), "--export", str(out)]) == 0
    layers = dict(pyogrio.list_layers(out).tolist())
    assert layers == {"diverse_paths": "LineString", "shared_trenches": "LineString", "layer_styles": None}
    read = pyogrio.read_dataframe(out, layer="diverse_paths")
    assert read.crs.to_epsg() == 25832
    assert read.loc[read["path"] == "a", "length_m"].iloc[0] == pytest.approx(pair.length_a_m)
    assert pyogrio.read_info(out, layer="shared_trenches")["features"] == len(
        diverse_path_layers(network, pair)["shared_trenches"])


@pytest.mark.parametrize("command", [["impact", "--trench", "TR-0090"], ["paths", "118928"]])
def test_an_export_name_that_cannot_take_layers_is_refused_before_any_work(command, tmp_path, capsys):
    target = tmp_path / "out.geojson"
    assert main([*command, "--db", str(SAMPLE_GPKG), "--export", str(target)]) == EXIT_USAGE
    err = capsys.readouterr().err
    assert "out.geojson" in err and "expected a .gpkg file" in err and "fix:" in err
    assert not target.exists()
