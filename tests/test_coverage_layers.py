"""Planning layers for QGIS (`coverage.layers`): what they hold, and the GeoPackage the app offers."""

from __future__ import annotations

import pandas as pd
import pyogrio
import pytest
from factories import small_inventory

from coverage.errors import NotWithDegradedError
from coverage.expansion import expansion_plan
from coverage.layers import geopackage_bytes, planning_layers, trench_cut_layer
from coverage.ring_closure import ring_closures
from coverage.trench_effects import EFFECT_CLASSES
from inventory.settings import SAMPLE_GPKG
from inventory.stores import open_store
from topology import build_network
from topology.analysis import analyse
from topology.whatif import Failure, what_if


def test_trench_cuts_equal_a_what_if_per_trench():
    """Oracle: cut each trench with the what-if engine and count what it isolates."""
    frames = small_inventory()
    network = build_network(frames["routes"], frames["nodes"], frames["sites"])
    layer = trench_cut_layer(frames["routes"], analyse(network).criticality_with_degraded())
    assert list(layer["route_id"]) == list(frames["routes"]["route_id"])
    in_service = set(network.edge_trench_id.tolist())
    for row in layer.itertuples():
        isolated = what_if(network, Failure(trenches=[row.trench_id])).isolated() if row.trench_id in in_service \
            else None
        expected_sites = [] if isolated is None else sorted(isolated["site_id"])
        assert row.cut_sites == len(expected_sites), row.route_id
        assert sorted(filter(None, row.cut_site_ids.split(", "))) == expected_sites, row.route_id
        assert row.cut_pupils == (0 if isolated is None else int(isolated["pupils"].sum())), row.route_id
    assert layer["cut_sites"].sum() > 0  # the ring's only in-service trench T1 cuts a school off


def test_without_a_pop_in_service_no_cut_isolates_anything():
    frames = small_inventory()
    frames["nodes"].loc[frames["nodes"]["kind"] == "pop", "status"] = "planned"
    network = build_network(frames["routes"], frames["nodes"], frames["sites"])
    layer = trench_cut_layer(frames["routes"], analyse(network).criticality_with_degraded())
    assert len(layer) == len(frames["routes"])
    assert (layer["cut_pupils"] == 0).all() and (layer["cut_sites"] == 0).all()
    assert (layer["cut_site_ids"] == "").all()
    assert (layer["degraded_sites"] == 0).all() and (layer["degraded_site_ids"] == "").all()
    assert (layer["effect"] == "none").all()


def test_the_geopackage_opens_with_every_layer_in_the_store_crs(tmp_path):
    frames = small_inventory()
    network = build_network(frames["routes"], frames["nodes"], frames["sites"])
    expansion, rings = expansion_plan(frames), ring_closures(network)
    layers = {"trench_cuts": trench_cut_layer(frames["routes"], analyse(network).criticality_with_degraded()),
              **planning_layers(frames, expansion, rings)}
    data = geopackage_bytes(layers)
    path = tmp_path / "analysis.gpkg"
    path.write_bytes(data)
    assert data[:16] == b"SQLite format 3\x00"
    assert {name for name, _ in pyogrio.list_layers(path)} == {"trench_cuts", "expansion", "ring_closures",
                                                               "layer_styles"}  # + the QGIS styles
    for name, frame in layers.items():
        back = pyogrio.read_dataframe(path, layer=name)
        assert back.crs.to_epsg() == 25832, name
        assert len(back) == len(frame), name
    back = pyogrio.read_dataframe(path, layer="expansion")
    assert list(back["site_id"]) == list(expansion["site_id"])
    assert back["cost_eur"].tolist() == pytest.approx(expansion["cost_eur"].tolist())
    sites = frames["sites"].set_index("site_id").geometry
    assert back.geometry.iloc[0].equals(sites.loc[expansion["site_id"].iloc[0]])


@pytest.fixture(scope="module")
def sample_layer():
    """The sample's network, and its trench_cuts layer."""
    frames = open_store(SAMPLE_GPKG).read_all()
    network = build_network(frames["routes"], frames["nodes"], frames["sites"])
    return network, trench_cut_layer(frames["routes"], analyse(network).criticality_with_degraded())


def test_each_route_says_whom_its_trench_cuts_off_and_who_loses_the_second_path(sample_layer):
    """Oracle: the what-if engine, one failed trench at a time (its `isolated` and `now_single_homed` sites),
    for five routes of each class (the sample holds every class); the class by the rule written out here:
    cut off before degraded, dark red from half the pupils the worst trench cuts off."""
    network, layer = sample_layer
    assert set(layer["effect"]) == set(EFFECT_CLASSES)
    most = int(layer["cut_pupils"].max())
    in_service = set(network.edge_trench_id.tolist())
    outside = layer[~layer["trench_id"].isin(in_service)].head(1)  # a planned or retired route: 'none'
    assert len(outside) == 1
    chosen = pd.concat([layer.sort_values("route_id").groupby("effect").head(5), outside])
    for row in chosen.itertuples():
        nothing = pd.DataFrame({"site_id": [], "pupils": []})
        result = what_if(network, Failure(trenches=[row.trench_id])) if row.trench_id in in_service else None
        isolated, degraded = (nothing, nothing) if result is None else (result.isolated(), result.now_single_homed())
        assert sorted(filter(None, row.cut_site_ids.split(", "))) == sorted(isolated["site_id"]), row.route_id
        assert sorted(filter(None, row.degraded_site_ids.split(", "))) == sorted(degraded["site_id"]), row.route_id
        assert (row.cut_sites, row.cut_pupils) == (len(isolated), int(isolated["pupils"].sum())), row.route_id
        assert (row.degraded_sites, row.degraded_pupils) == (len(degraded), int(degraded["pupils"].sum()))
        expected = ("cut_most" if 2 * row.cut_pupils >= most else "cut") if len(isolated) else \
            "degraded" if len(degraded) else "none"
        assert row.effect == expected, row.route_id


def test_the_layer_refuses_the_criticality_table_without_the_degraded_sites():
    frames = small_inventory()
    result = analyse(build_network(frames["routes"], frames["nodes"], frames["sites"]))
    with pytest.raises(NotWithDegradedError, match="criticality_with_degraded"):
        trench_cut_layer(frames["routes"], result.criticality)
