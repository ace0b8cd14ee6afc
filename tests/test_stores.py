"""Both stores behind one interface: same data in, same typed frames out."""

from __future__ import annotations

import geopandas as gpd
import pytest
from factories import small_inventory
from geopandas.testing import assert_geodataframe_equal

from inventory.frames import empty_frame, sort_by_key
from inventory.schema import CRS, LAYER_ORDER, LAYERS
from inventory.stores import GeoPackageStore, PostGISStore, StoreError, open_store


def assert_same(actual: gpd.GeoDataFrame, expected: gpd.GeoDataFrame, layer: str) -> None:
    spec = LAYERS[layer]
    assert_geodataframe_equal(sort_by_key(actual, spec), sort_by_key(expected, spec), check_less_precise=False)


def test_open_store_chooses_by_url(tmp_path):
    assert isinstance(open_store(tmp_path / "a.gpkg"), GeoPackageStore)
    assert isinstance(open_store("postgresql://u@localhost/db"), PostGISStore)
    with pytest.raises(StoreError, match="expected a PostgreSQL URL"):
        open_store(tmp_path / "a.shp")


def test_new_store_has_all_layers_empty_and_typed(store):
    assert store.exists()
    assert store.counts() == dict.fromkeys(LAYER_ORDER, 0)
    for name in LAYER_ORDER:
        frame = store.read(name)
        assert frame.crs == CRS
        assert_geodataframe_equal(frame, empty_frame(LAYERS[name]))


def test_write_then_read_gives_identical_frames(store):
    frames = small_inventory()
    store.write(frames)
    for name in LAYER_ORDER:
        assert_same(store.read(name), frames[name], name)


def test_upsert_updates_by_key_and_keeps_the_rest(store):
    frames = small_inventory()
    store.write(frames)
    change = frames["nodes"].iloc[[1]].copy()
    change["name"] = change["name"].astype("string").str.upper()
    store.write({"nodes": change}, mode="upsert")
    nodes = store.read("nodes")
    assert len(nodes) == len(frames["nodes"])
    assert nodes.set_index("node_id").loc["C1", "name"] == "MUFFE 1"
    assert nodes.set_index("node_id").loc["POP1", "name"] == "POP Altstadt"


def test_replace_makes_the_layer_exactly_the_new_rows(store):
    frames = small_inventory()
    store.write(frames)
    store.write({"site_areas": frames["site_areas"].iloc[0:0]})
    assert store.count("site_areas") == 0
    assert store.count("sites") == 2


def test_gpkg_and_postgis_read_back_the_same(pg_store, tmp_path):
    frames = small_inventory()
    gpkg = open_store(tmp_path / "x.gpkg")
    gpkg.write(frames)
    pg_store.write(frames)
    for name in LAYER_ORDER:
        assert_same(pg_store.read(name), gpkg.read(name), name)


def test_gpkg_write_is_atomic_when_a_layer_fails(tmp_path):
    path = tmp_path / "x.gpkg"
    store = GeoPackageStore(path)
    store.write(small_inventory())
    before = path.read_bytes()
    broken = small_inventory()
    broken["routes"] = broken["routes"].drop(columns=["status"])  # the store cannot write this
    with pytest.raises(KeyError):
        store.write({"nodes": broken["nodes"].iloc[:1], "routes": broken["routes"]})
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["x.gpkg"]  # no temporary file left behind


def test_postgis_write_is_one_transaction(pg_store):
    frames = small_inventory()
    pg_store.write(frames)
    bad = frames["sites"].copy()
    bad.loc[0, "handover_node_id"] = "NO-SUCH-NODE"  # only the deferred foreign key can catch this
    with pytest.raises(StoreError, match="nothing was changed"):
        pg_store.write({"nodes": frames["nodes"].iloc[:2], "sites": bad})
    assert pg_store.count("nodes") == 4
    assert_same(pg_store.read("sites"), frames["sites"], "sites")


def test_postgis_without_schema_says_how_to_create_it(pg_url):
    store = open_store(pg_url)
    with pytest.raises(StoreError, match="gelsennet db upgrade"):
        store.read("nodes")
    store.close()


def test_a_transaction_on_a_name_that_is_no_layer_is_refused_in_both_stores(store):
    """A misspelt layer would lock nothing: both stores refuse it before anything starts."""
    store.write(small_inventory())
    with pytest.raises(ValueError, match="nodez"), store.transaction(["nodes", "nodez"]):
        pass
