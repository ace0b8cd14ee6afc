"""A steward's imports change exactly what the file says, and say so: in both stores.

- the default mode adds and updates, never deletes; replace deletes only when confirmed;
- an update is a patch: absent columns keep their stored values, empty cells clear them;
- every import reports new / changed / unchanged / deleted, with the changed fields;
- a plan that went stale before its confirmation is a conflict, and nothing is written.
"""

from __future__ import annotations

import json

import geopandas as gpd
import pandas as pd
import pytest
from factories import X0, Y0, small_inventory
from geopandas.testing import assert_geodataframe_equal
from shapely import LineString

from inventory.cli import EXIT_DATA, EXIT_OK, main
from inventory.importer import ConfirmationRequired, ImportConflict, import_file
from inventory.problems import DataError
from inventory.schema import CRS
from inventory.stores import PostGISStore


def assert_same_frames(after: dict, before: dict) -> None:
    assert list(after) == list(before)
    for name in before:
        assert_geodataframe_equal(after[name], before[name], check_less_precise=False)


@pytest.fixture
def filled(store):
    store.write(small_inventory())
    return store


def write_csv(path, rows: list[dict]) -> str:
    pd.DataFrame(rows).to_csv(path, index=False)
    return str(path)


def write_routes(path, rows: list[dict]) -> str:
    gpd.GeoDataFrame(rows, geometry="geometry", crs=CRS).to_file(path, driver="GeoJSON")
    return str(path)


def new_route(route_id: str, dy: float) -> dict:
    return {"route_id": route_id, "status": "in_service", "fibre_count": 24,
            "geometry": LineString([(X0, Y0 + dy), (X0 + 300, Y0 + dy)])}


def test_default_mode_adds_and_never_deletes(filled, tmp_path):
    path = write_routes(tmp_path / "neu.geojson", [new_route("NEU-1", 200), new_route("NEU-2", 300)])
    result = import_file(filled, "routes", path)
    assert result.mode == "upsert"
    assert (result.new, result.changed, result.unchanged, result.deleted) == (["NEU-1", "NEU-2"], {}, [], [])
    routes = filled.read("routes")
    assert sorted(routes["route_id"]) == ["NEU-1", "NEU-2", "R1", "R2", "R3", "R4"]
    new = routes.set_index("route_id").loc["NEU-1"]
    assert new["trench_id"] == "NEU-1", "a new route alone in its trench gets its own id as trench"
    assert pd.isna(new["method"])


def test_replace_deletes_only_when_confirmed(filled, tmp_path):
    before = filled.read_all()
    path = write_routes(tmp_path / "neu.geojson", [new_route("NEU-1", 200)])
    with pytest.raises(ConfirmationRequired) as refused:
        import_file(filled, "routes", path, mode="replace")
    assert refused.value.result.deleted == ["R1", "R2", "R3", "R4"]
    assert "would delete 4 of the 4 routes; nothing was changed" in str(refused.value)
    assert_same_frames(filled.read_all(), before)

    seen = []
    with pytest.raises(ConfirmationRequired):
        import_file(filled, "routes", path, mode="replace", confirm=lambda plan: seen.append(plan) or False)
    assert seen[0].deleted == ["R1", "R2", "R3", "R4"] and seen[0].new == ["NEU-1"]
    assert_same_frames(filled.read_all(), before)

    result = import_file(filled, "routes", path, mode="replace", confirm=True)
    assert (result.new, result.deleted, result.rows_after) == (["NEU-1"], ["R1", "R2", "R3", "R4"], 1)
    assert filled.read("routes")["route_id"].tolist() == ["NEU-1"]


def test_replace_on_the_command_line_needs_yes(filled, tmp_path, capsys):
    before = filled.read_all()
    path = write_routes(tmp_path / "neu.geojson", [new_route("NEU-1", 200)])
    assert main(["import", "routes", path, "--db", filled.url, "--mode", "replace"]) == EXIT_DATA
    err = capsys.readouterr().err
    assert "--mode replace would delete 4 of the 4 routes; nothing was changed" in err
    assert "would delete 4 routes: R1, R2, R3, R4" in err and "--yes" in err
    assert_same_frames(filled.read_all(), before)

    assert main(["import", "routes", path, "--db", filled.url, "--mode", "replace", "--dry-run", "--json"]) == EXIT_OK
    plan = json.loads(capsys.readouterr().out)
    assert plan["ids"]["deleted"] == ["R1", "R2", "R3", "R4"] and plan["dry_run"] is True
    assert_same_frames(filled.read_all(), before)

    assert main(["import", "routes", path, "--db", filled.url, "--mode", "replace", "--yes"]) == EXIT_OK
    assert "1 new, 0 changed, 0 unchanged, 4 deleted; routes now has 1 rows" in capsys.readouterr().out


def test_identical_reimport_changes_nothing(filled, tmp_path):
    before = filled.read_all()
    path = tmp_path / "all.gpkg"
    before["sites"].to_file(path, layer="sites", driver="GPKG")
    result = import_file(filled, "sites", path)
    assert (result.new, result.changed, result.deleted) == ([], {}, [])
    assert result.unchanged == ["118928", "GE-PARK"]
    assert_same_frames(filled.read_all(), before)
    csv = tmp_path / "sites.csv"
    frame = before["sites"].assign(wkt=before["sites"].geometry.to_wkt()).drop(columns="geometry")
    frame.to_csv(csv, index=False)
    result = import_file(filled, "sites", csv, options=_utm())
    assert (len(result.changed), len(result.unchanged)) == (0, 2), result.changed


def _utm():
    from inventory.formats.base import ReadOptions

    return ReadOptions(crs="EPSG:25832")


def test_an_update_is_a_patch(filled, tmp_path):
    before = filled.read("sites").set_index("site_id")
    path = write_csv(tmp_path / "bw.csv", [{"site_id": "118928", "bandwidth_mbps": "10000", "x": X0 + 1010, "y": Y0 + 5}])
    result = import_file(filled, "sites", path, options=_utm())
    assert result.changed == {"118928": ["bandwidth_mbps"]}
    assert "fields not in the file keep their stored values: kind, name, address" in result.summary()
    after = filled.read("sites").set_index("site_id")
    assert after.loc["118928", "bandwidth_mbps"] == 10000
    for name in ("name", "address", "district", "pupils", "handover_node_id", "connected_since", "school_type"):
        assert after.loc["118928", name] == before.loc["118928", name], name
    assert_same_frames({"s": after.drop(index="118928")}, {"s": before.drop(index="118928")})


def test_an_empty_cell_clears_the_field(filled, tmp_path):
    path = write_csv(tmp_path / "clear.csv", [{"site_id": "118928", "pupils": "", "school_type": "Gesamtschule",
                                               "x": X0 + 1010, "y": Y0 + 5}])
    result = import_file(filled, "sites", path, options=_utm())
    assert result.changed == {"118928": ["pupils", "school_type"]}
    row = filled.read("sites").set_index("site_id").loc["118928"]
    assert pd.isna(row["pupils"]) and row["school_type"] == "Gesamtschule" and row["name"] == "Städt. Gem. Grundschule"


def test_a_new_id_in_a_patch_needs_the_required_fields(filled, tmp_path):
    before = filled.read_all()
    path = write_csv(tmp_path / "mixed.csv", [
        {"site_id": "118928", "bandwidth_mbps": "2000", "x": X0 + 1010, "y": Y0 + 5},
        {"site_id": "NEW-1", "bandwidth_mbps": "100", "x": X0 + 20, "y": Y0 + 20},
    ])
    with pytest.raises(DataError) as refused:
        import_file(filled, "sites", path, options=_utm())
    found = {(p.rule, p.field, p.row) for p in refused.value.problems}
    assert found == {("column_missing", name, None) for name in ("kind", "name", "connection")}
    assert "for the 1 new sites (NEW-1)" in refused.value.problems[0].expected
    assert_same_frames(filled.read_all(), before)


def test_a_stewards_week_is_reported_exactly(filled, tmp_path, capsys):
    routes = [new_route(f"NEU-{i}", 100 + 20 * i) for i in range(1, 6)]
    assert main(["import", "routes", write_routes(tmp_path / "r.geojson", routes), "--db", filled.url]) == EXIT_OK
    out = capsys.readouterr().out
    assert "5 new, 0 changed, 0 unchanged, 0 deleted" in out
    bandwidths = write_csv(tmp_path / "bw.csv", [
        {"site_id": "118928", "bandwidth_mbps": "10000", "x": X0 + 1010, "y": Y0 + 5},
        {"site_id": "GE-PARK", "bandwidth_mbps": "1000", "x": X0 + 500, "y": Y0 + 500},
    ])
    assert main(["import", "sites", bandwidths, "--db", filled.url, "--crs", "EPSG:25832", "--json"]) == EXIT_OK
    report = json.loads(capsys.readouterr().out)
    assert report["counts"] == {"new": 0, "changed": 2, "unchanged": 0, "deleted": 0}
    assert report["ids"]["changed"] == {"118928": ["bandwidth_mbps"], "GE-PARK": ["bandwidth_mbps"]}
    name = write_csv(tmp_path / "name.csv", [{"site_id": "GE-PARK", "name": "Gewerbepark Nord",
                                              "x": X0 + 500, "y": Y0 + 500}])
    assert main(["import", "sites", name, "--db", filled.url, "--crs", "EPSG:25832"]) == EXIT_OK
    assert "0 new, 1 changed (name 1), 0 unchanged, 0 deleted; sites now has 2 rows" in capsys.readouterr().out


def test_a_stale_plan_is_a_conflict(filled, tmp_path):
    path = write_csv(tmp_path / "bw.csv", [{"site_id": "118928", "bandwidth_mbps": "10000", "x": X0 + 1010, "y": Y0 + 5}])
    plan = import_file(filled, "sites", path, options=_utm(), dry_run=True)
    assert plan.changed == {"118928": ["bandwidth_mbps"]}
    assert import_file(filled, "sites", path, options=_utm(), dry_run=True).plan_digest == plan.plan_digest
    other = write_csv(tmp_path / "other.csv", [{"site_id": "118928", "pupils": "999", "x": X0 + 1010, "y": Y0 + 5}])
    import_file(filled, "sites", other, options=_utm())  # someone else, in between
    before = filled.read_all()
    with pytest.raises(ImportConflict) as conflict:
        import_file(filled, "sites", path, options=_utm(), expect=plan.plan_digest)
    assert "the sites changed since the import was checked, so nothing was written" in str(conflict.value)
    with pytest.raises(ImportConflict) as conflict:
        import_file(filled, "sites", path, options=_utm(), expect=plan)
    message = str(conflict.value)
    assert ": 118928" in message and "GE-PARK" not in message, "the plan names the id that changed"
    if isinstance(filled, PostGISStore):
        assert "118928 (by " in message, "PostGIS names who changed it and when"
    assert_same_frames(filled.read_all(), before)


def test_replace_that_breaks_a_reference_is_refused(filled, tmp_path):
    before = filled.read_all()
    nodes = before["nodes"][before["nodes"]["node_id"] != "C1"]
    path = tmp_path / "nodes.gpkg"
    nodes.to_file(path, layer="nodes", driver="GPKG")
    with pytest.raises(DataError) as refused:
        import_file(filled, "nodes", path, mode="replace", confirm=True)
    assert [(p.rule, p.layer, p.row, p.field) for p in refused.value.problems] == [
        ("reference_broken", "sites", "site_id 118928", "handover_node_id")]
    assert_same_frames(filled.read_all(), before)


def test_dry_run_reports_what_the_import_does(filled, tmp_path):
    path = write_routes(tmp_path / "neu.geojson", [new_route("NEU-1", 200)])
    before = filled.read_all()
    plan = import_file(filled, "routes", path, mode="replace", dry_run=True)
    assert_same_frames(filled.read_all(), before)
    done = import_file(filled, "routes", path, mode="replace", confirm=True, expect=plan.plan_digest)
    assert (done.new, done.changed, done.unchanged, done.deleted) == (plan.new, plan.changed, plan.unchanged,
                                                                     plan.deleted)


def _on_a_terminal(args: list[str], answer: str) -> tuple[int, str]:
    """Run the CLI with a pseudo-terminal as stdin/stdout/stderr, answer its prompt, return (exit, output)."""
    import os
    import subprocess
    import sys
    import time

    leader, follower = os.openpty()
    run = subprocess.Popen([sys.executable, "-m", "inventory.cli", *args], stdin=follower, stdout=follower,
                           stderr=follower, close_fds=True)
    os.close(follower)
    output, answered = b"", False
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            chunk = os.read(leader, 4096)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        output += chunk
        if not answered and b"Type 'yes' to confirm" in output:
            os.write(leader, answer.encode() + b"\n")
            answered = True
    os.close(leader)
    return run.wait(timeout=60), output.decode(errors="replace")


def test_replace_on_a_terminal_asks_first(filled, tmp_path):
    before = filled.read_all()
    path = write_routes(tmp_path / "neu.geojson", [new_route("NEU-1", 200)])
    args = ["import", "routes", path, "--db", filled.url, "--mode", "replace"]
    code, output = _on_a_terminal(args, "no")
    assert "would delete 4 routes: R1, R2, R3, R4" in output and "Delete these 4 routes?" in output
    assert code == EXIT_DATA and "nothing was changed" in output
    assert_same_frames(filled.read_all(), before)
    code, output = _on_a_terminal(args, "yes")
    assert code == EXIT_OK, output
    assert "1 new, 0 changed, 0 unchanged, 4 deleted" in output
    assert filled.read("routes")["route_id"].tolist() == ["NEU-1"]


def test_a_field_the_file_does_not_change_keeps_its_stored_value_exactly(filled, tmp_path):
    """A bandwidth update from a lon/lat GeoJSON: the geometry comes back within 1 µm, not bit for
    bit; it is reported unchanged, and so it must stay exactly as stored."""
    before = filled.read("sites")
    update = before[["site_id", "bandwidth_mbps", "geometry"]].assign(bandwidth_mbps=25000.0).to_crs("EPSG:4326")
    path = tmp_path / "bw.geojson"
    update.to_file(path, driver="GeoJSON")
    result = import_file(filled, "sites", path)
    assert result.changed == {"118928": ["bandwidth_mbps"], "GE-PARK": ["bandwidth_mbps"]}
    after = filled.read("sites")
    assert list(after.geometry.to_wkb()) == list(before.geometry.to_wkb()), "geometry rewritten"


def test_explode_never_overwrites_a_stored_route(filled, tmp_path):
    from shapely import MultiLineString

    parts = MultiLineString([[(X0, Y0 + 300), (X0 + 100, Y0 + 300)], [(X0 + 200, Y0 + 300), (X0 + 300, Y0 + 300)]])
    # the stored ring has R1 ... R4; a multi-part line "R" would explode into: new ids, fine;
    # one called like a stored route's stem would not be, so store such a route first
    import_file(filled, "routes", write_routes(tmp_path / "stem.geojson", [new_route("M-1", 400)]))
    before = filled.read_all()
    path = write_routes(tmp_path / "multi.geojson", [{**new_route("M", 0), "geometry": parts}])
    with pytest.raises(DataError) as refused:
        import_file(filled, "routes", path, explode=True)
    assert [(p.rule, p.value) for p in refused.value.problems] == [("explode_id_clash", "M-1")]
    assert_same_frames(filled.read_all(), before)


def test_a_csv_without_coordinates_patches_attributes(filled, tmp_path):
    """The steward's usual spreadsheet: ids and the changed column, no coordinates, no --crs."""
    before = filled.read("sites").set_index("site_id")
    path = tmp_path / "bw.csv"
    path.write_text("site_id;bandwidth_mbps\n118928;10000\nGE-PARK;\n", encoding="utf-8")
    result = import_file(filled, "sites", path)
    assert result.changed == {"118928": ["bandwidth_mbps"]} and result.unchanged == ["GE-PARK"]
    assert "geometry" in result.kept_fields()
    after = filled.read("sites").set_index("site_id")
    assert after.loc["118928", "bandwidth_mbps"] == 10000
    assert after.geometry.to_wkb().tolist() == before.geometry.to_wkb().tolist()

    stored = filled.read_all()
    path.write_text("site_id;bandwidth_mbps\n118928;20000\nNEW-1;100\n", encoding="utf-8")
    with pytest.raises(DataError) as refused:
        import_file(filled, "sites", path)
    found = {(p.rule, p.field) for p in refused.value.problems}
    assert ("column_missing", "geometry") in found and ("column_missing", "name") in found
    assert all("NEW-1" in p.expected for p in refused.value.problems if p.rule == "column_missing")
    assert_same_frames(filled.read_all(), stored)
    with pytest.raises(DataError):  # a replace is the whole layer: it needs the geometry
        import_file(filled, "sites", path, mode="replace", confirm=True)
    assert_same_frames(filled.read_all(), stored)


def test_a_dry_run_into_a_store_not_yet_made_creates_nothing(tmp_path):
    from inventory.stores import GeoPackageStore

    store = GeoPackageStore(tmp_path / "new.gpkg")
    path = write_routes(tmp_path / "neu.geojson", [new_route("NEU-1", 200), new_route("NEU-2", 300)])
    plan = import_file(store, "routes", path, dry_run=True)
    assert (plan.new, plan.rows_after, plan.dry_run) == (["NEU-1", "NEU-2"], 2, True)
    assert not store.path.exists()
    assert import_file(store, "routes", path).new == ["NEU-1", "NEU-2"]
    assert store.count("routes") == 2
