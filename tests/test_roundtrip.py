"""Export then import gives back the same data, in both stores and every format."""

from __future__ import annotations

import pytest
from factories import small_inventory
from geopandas.testing import assert_geodataframe_equal

from inventory.cli import main
from inventory.formats import writable
from inventory.frames import sort_by_key
from inventory.schema import LAYER_ORDER, LAYERS
from inventory.stores import open_store


def assert_layers_equal(a, b, *, tolerance_m: float = 0.0) -> None:
    for name in LAYER_ORDER:
        left, right = sort_by_key(a.read(name), LAYERS[name]), sort_by_key(b.read(name), LAYERS[name])
        if tolerance_m:
            assert left.geometry.geom_equals_exact(right.geometry, tolerance=tolerance_m).all(), name
            left, right = left.drop(columns="geometry"), right.drop(columns="geometry")
            assert left.equals(right), name
        else:
            assert_geodataframe_equal(left, right)


def test_gpkg_export_import_round_trip(store, tmp_path):
    store.write(small_inventory())
    out = tmp_path / "export" / "all.gpkg"
    assert main(["export", str(out), "--db", store.url]) == 0
    target = open_store(tmp_path / "again.gpkg")
    for name in LAYER_ORDER:
        assert main(["import", name, str(out), "--db", str(target.url)]) == 0
    assert_layers_equal(store, target)


@pytest.mark.parametrize("fmt", [f.key for f in writable() if f.bundle == "layer"])  # one file per layer
def test_per_layer_export_import_round_trip(store, tmp_path, fmt):
    store.write(small_inventory())
    out = tmp_path / "export"
    assert main(["export", str(out), "--db", store.url, "--format", fmt]) == 0
    written = sorted(p.name for p in out.iterdir())
    assert written == sorted(f"{name}.{fmt}" for name in LAYER_ORDER)
    # back into a store of the same kind, emptied first
    again = store
    for name in reversed(LAYER_ORDER):
        again.write({name: again.read(name).iloc[0:0]})
    extra = ["--crs", "EPSG:25832"] if fmt == "csv" else []
    for name in LAYER_ORDER:
        assert main(["import", name, str(out / f"{name}.{fmt}"), "--db", again.url, *extra]) == 0
    reference = open_store(tmp_path / "reference.gpkg")
    reference.write(small_inventory())
    # GeoJSON keeps coordinates to the micrometre; CSV keeps them exactly.
    assert_layers_equal(again, reference, tolerance_m=1e-6 if fmt == "geojson" else 0.0)


def test_single_layer_export_to_one_file(store, tmp_path):
    store.write(small_inventory())
    assert main(["export", str(tmp_path / "sites.geojson"), "--db", store.url, "--layer", "sites"]) == 0
    assert main(["export", str(tmp_path / "x.geojson"), "--db", store.url]) == 2  # many layers, one file
