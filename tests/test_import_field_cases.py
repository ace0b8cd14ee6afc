"""Field cases on the real sample, in both stores: the README's own import form and a partial update.

- case 14: `gelsennet import routes FILE` with a file of 2 new routes adds them; the other 2,031 stay;
- case 05: a bandwidth update that carries only some columns changes only those (GeoJSON and CSV).
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from inventory.cli import EXIT_OK, main
from inventory.stores import GeoPackageStore, PostGISStore

CASES = Path(__file__).parent / "data" / "cases"
SAMPLE = Path(__file__).parent.parent / "data" / "gelsenkirchen.gpkg"
KEPT = ["kind", "address", "district", "connection", "symmetric", "connected_since", "planned_date",
        "handover_node_id", "pupils", "school_type", "source"]


@pytest.fixture(params=["gpkg", "postgis"])
def sample_store(request, tmp_path):
    frames = GeoPackageStore(SAMPLE).read_all()
    if request.param == "gpkg":
        store = GeoPackageStore(tmp_path / "sample.gpkg")
    else:
        store = PostGISStore(request.getfixturevalue("pg_url"))
        store.create()
    store.write(frames)
    yield store, frames
    store.close()


def test_the_readme_import_form_adds_and_deletes_nothing(sample_store, capsys):
    store, before = sample_store
    path = CASES / "14-default-replace-wipes-routes" / "neue_trassen.geojson"
    assert main(["import", "routes", str(path), "--db", store.url, "--json"]) == EXIT_OK
    report = json.loads(capsys.readouterr().out)
    assert report["mode"] == "upsert"
    assert report["ids"]["new"] == ["NEU-N1", "NEU-N2"]
    assert report["counts"] == {"new": 2, "changed": 0, "unchanged": 0, "deleted": 0}
    routes = store.read("routes")
    assert len(routes) == len(before["routes"]) + 2
    assert set(before["routes"]["route_id"]) < set(routes["route_id"])


def test_a_partial_update_keeps_every_other_field(sample_store, capsys):
    store, before = sample_store
    old = before["sites"].set_index("site_id").loc["193008"]
    folder = CASES / "05-upsert-partial-columns"
    for args in (["bandbreite_update.geojson"], ["bandbreite_update.csv", "--crs", "EPSG:25832"]):
        assert main(["import", "sites", str(folder / args[0]), *args[1:], "--db", store.url]) == EXIT_OK
        row = store.read("sites").set_index("site_id").loc["193008"]
        assert row["bandwidth_mbps"] == 10000 and row["name"] == "Berufskolleg (Beispiel)"
        for name in KEPT:
            assert (pd.isna(row[name]) and pd.isna(old[name])) or row[name] == old[name], name
    out = capsys.readouterr().out
    assert "0 new, 1 changed (name 1, bandwidth_mbps 1), 0 unchanged, 0 deleted" in out
    assert "0 new, 0 changed, 1 unchanged, 0 deleted" in out, "the CSV carries the same values"
    assert len(store.read("sites")) == len(before["sites"])
