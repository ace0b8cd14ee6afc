"""The console command: help for every subcommand, validation report, schema commands."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from factories import small_inventory

from inventory.cli import EXIT_DATA, EXIT_USAGE, build_parser, main

SUBCOMMANDS = [
    ["demo"], ["db"], ["db", "upgrade"], ["db", "current"], ["db", "roles"], ["db", "backup"], ["db", "restore"],
    ["import"], ["export"], ["validate"], ["history"], ["edit"],
    ["analyse"], ["impact"], ["paths"], ["coverage"], ["plan"],  # plugged in by topology and coverage
]


def test_console_script_is_installed():
    out = subprocess.run([sys.executable, "-m", "inventory.cli", "--help"], capture_output=True, text=True, check=True)
    assert "gelsennet" in out.stdout and "import" in out.stdout


@pytest.mark.parametrize("command", SUBCOMMANDS, ids=" ".join)
def test_every_subcommand_has_help(command, capsys):
    with pytest.raises(SystemExit) as stop:
        build_parser().parse_args([*command, "--help"])
    assert stop.value.code == 0
    assert "usage: gelsennet " + " ".join(command) in capsys.readouterr().out


def test_validate_clean_store(store, capsys):
    store.write(small_inventory())
    assert main(["validate", "--db", store.url]) == 0
    assert "0 error(s)" in capsys.readouterr().out
    assert main(["validate", "--db", store.url, "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["errors"] == 0 and report["counts"]["nodes"] == 4


def test_validate_finds_what_a_gis_editor_broke(tmp_path, capsys):
    """Edits made outside the tool (e.g. in QGIS) are caught: duplicate ids, dangling references."""
    import pyogrio

    path = tmp_path / "edited.gpkg"
    frames = small_inventory()
    main(["db", "upgrade", "--db", str(path)])
    from inventory.stores import open_store

    open_store(path).write(frames)
    capsys.readouterr()
    nodes = frames["nodes"].copy()
    nodes.loc[3, "node_id"] = "C2"  # a duplicate
    sites = frames["sites"].copy()
    sites.loc[0, "handover_node_id"] = "GONE"
    pyogrio.write_dataframe(nodes, path, layer="nodes")
    pyogrio.write_dataframe(sites, path, layer="sites")
    assert main(["validate", "--db", str(path), "--json"]) == EXIT_DATA
    report = json.loads(capsys.readouterr().out)
    rules = {(p["layer"], p["rule"], p["value"]) for p in report["problems"] if p["severity"] == "error"}
    assert rules == {("nodes", "duplicate_id", "C2"), ("sites", "reference", "GONE")}
    warnings = {(p["rule"], p["row"]) for p in report["problems"] if p["severity"] == "warning"}
    assert warnings == set()


def test_validate_warns_about_implausible_sites(tmp_path, capsys):
    frames = small_inventory()
    sites = frames["sites"].copy()
    sites.loc[0, "bandwidth_mbps"] = None
    sites.loc[1, "planned_date"] = None
    from inventory.stores import open_store

    open_store(tmp_path / "w.gpkg").write({**frames, "sites": sites})
    assert main(["validate", "--db", str(tmp_path / "w.gpkg"), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert {(p["rule"], p["row"]) for p in report["problems"]} == {
        ("connected_without_bandwidth", "site_id 118928"),
        ("planned_without_date", "site_id GE-PARK"),
    }


def test_unknown_store_is_a_usage_error(tmp_path, capsys):
    assert main(["validate", "--db", str(tmp_path / "x.shp")]) == EXIT_USAGE
    assert "expected a PostgreSQL URL" in capsys.readouterr().err


def test_db_upgrade_and_current_on_postgis(pg_url, capsys):
    assert main(["db", "upgrade", "--db", pg_url]) == 0
    assert main(["db", "current", "--db", pg_url]) == 0
    out = capsys.readouterr().out
    assert "revision 0003 (latest 0003)" in out and "nodes" in out


def test_a_mapping_with_an_unknown_read_key_is_a_usage_error_naming_it(tmp_path, capsys):
    """A mapping file's [read] table may set only the reading options there are, else a clear message."""
    mapping = tmp_path / "m.toml"
    mapping.write_text('[read]\ndelimiter = ";"\ncrs = "EPSG:25832"\n', encoding="utf-8")
    data = tmp_path / "n.csv"
    data.write_text("node_id,kind,status,wkt\nN9,cabinet,in_service,POINT (368000 5710000)\n", encoding="utf-8")
    store = tmp_path / "s.gpkg"
    assert main(["import", "nodes", str(data), "--db", str(store), "--mapping", str(mapping)]) == EXIT_USAGE
    err = capsys.readouterr().err
    assert "delimiter" in err and "crs, x, y, wkt, encoding, source_layer" in err and str(mapping) in err
    assert not store.exists()
