"""The committed sample GeoPackage is exactly what `gelsennet demo` builds today."""

from __future__ import annotations

import json

from geopandas.testing import assert_geodataframe_equal

from inventory.cli import EXIT_USAGE, main
from inventory.schema import LAYER_ORDER
from inventory.settings import SAMPLE_GPKG
from inventory.stores import open_store


def test_demo_rebuilds_the_committed_sample(tmp_path, capsys):
    rebuilt = tmp_path / "rebuilt.gpkg"
    assert main(["demo", "--db", str(rebuilt)]) == 0
    assert "SYNTHETIC" in capsys.readouterr().out
    committed, fresh = open_store(SAMPLE_GPKG), open_store(rebuilt)
    for name in LAYER_ORDER:
        assert_geodataframe_equal(fresh.read(name), committed.read(name))


def test_demo_refuses_to_overwrite_data_without_force(tmp_path, capsys):
    db = tmp_path / "s.gpkg"
    assert main(["demo", "--db", str(db)]) == 0
    assert main(["demo", "--db", str(db)]) == EXIT_USAGE
    assert "--force" in capsys.readouterr().err
    assert main(["demo", "--db", str(db), "--force"]) == 0


def test_demo_into_postgis_reads_back_like_the_geopackage(pg_url):
    assert main(["db", "upgrade", "--db", pg_url]) == 0
    assert main(["demo", "--db", pg_url]) == 0
    store, committed = open_store(pg_url), open_store(SAMPLE_GPKG)
    for name in LAYER_ORDER:
        assert_geodataframe_equal(store.read(name), committed.read(name))
    store.close()


def test_committed_sample_validates_cleanly(capsys):
    """No errors. The only warnings are drops of looped-in schools drawn within about 1 m beside the
    street route between the two ends of the loop (possibly one trench, `topology.parallel`)."""
    assert main(["validate", "--db", str(SAMPLE_GPKG), "--json"]) == 0
    problems = json.loads(capsys.readouterr().out)["problems"]
    assert [p for p in problems if p["severity"] == "error"] == []
    warnings = [p for p in problems if p["severity"] == "warning"]
    assert {p["rule"] for p in warnings} <= {"side_by_side_routes"}
    assert all(p["row"].startswith("route_id D-") for p in warnings)
