"""Every GeoPackage the tool writes carries QGIS layer styles (`inventory.qgis_styles`): the store (created,
imported into, exported) and the analysis exports. Each style is well-formed QML whose renderer names only
fields the layer has, and whose categories are values of the field's domain, taken from where the domain is
defined (`inventory.schema`, `topology.whatif`, `coverage.status`), not from the style module. Where Debian's
QGIS is installed (`python3-qgis`), the files are opened with PyQGIS and the default style must load.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import subprocess
import warnings
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from factories import small_inventory

from coverage.status import STATUSES
from coverage.trench_effects import EFFECT_CLASSES
from inventory import palette
from inventory.cli import main
from inventory.qgis_styles import STYLE_NAME, StyleWarning
from inventory.schema import LAYER_ORDER, LAYERS
from inventory.settings import SAMPLE_GPKG
from inventory.stores.geopackage import GeoPackageStore
from topology.whatif import SITE_STATES

SYSTEM_PYTHON = "/usr/bin/python3"
"""Debian's Python, where `python3-qgis` installs PyQGIS (the project's venv has no QGIS)."""

DOMAINS: dict[tuple[str, str], set] = {
    **{(layer.name, f.name): set(f.choices) for layer in LAYERS.values() for f in layer.fields if f.choices},
    ("sites", "state"): set(SITE_STATES),  # the what-if's sites
    ("site_status", "status"): set(STATUSES),
    ("expansion", "status"): set(STATUSES),
    ("gap_grid", "class"): {"passed", "near", "gap"},  # coverage.gaps.gap_grid
    ("diverse_paths", "path"): {"a", "b"},  # topology.layers.diverse_path_layers
    ("trench_cuts", "effect"): set(EFFECT_CLASSES),  # what the loss of the route's trench does
}
"""Where each categorised field's values come from, independently of the style module."""


def feature_tables(path: Path) -> dict[str, str]:
    with sqlite3.connect(path) as connection:
        return dict(connection.execute("SELECT table_name, column_name FROM gpkg_geometry_columns"))


def style_rows(path: Path) -> list[dict]:
    with sqlite3.connect(path) as connection:
        connection.row_factory = sqlite3.Row
        return [dict(row) for row in connection.execute("SELECT * FROM layer_styles ORDER BY id")]


def check_styles(path: Path) -> dict[str, ET.Element]:
    """Each feature table has exactly one default style, ours, in QGIS's form; each QML is sound against the
    layer's fields and data. Returns layer → its renderer element."""
    tables = feature_tables(path)
    rows = style_rows(path)
    assert tables, f"{path} has no layers"
    renderers = {}
    connection = sqlite3.connect(path)
    try:
        for table, geometry_column in tables.items():
            mine = [r for r in rows if r["f_table_name"] == table and r["styleName"] == STYLE_NAME]
            assert len(mine) == 1, f"{path}: {table} has {len(mine)} styles of ours"
            row = mine[0]
            assert (row["f_table_catalog"], row["f_table_schema"], row["f_geometry_column"]) == ("", "", geometry_column)
            assert [r["useAsDefault"] for r in rows if r["f_table_name"] == table].count(1) == 1 and row["useAsDefault"]
            root = ET.fromstring(row["styleQML"].split("\n", 1)[1])  # after the DOCTYPE line
            assert root.tag == "qgis"
            renderer = root.find("renderer-v2")
            renderers[table] = renderer
            fields = {r[1] for r in connection.execute(f'PRAGMA table_info("{table}")')} - {geometry_column}
            attribute = renderer.get("attr")
            if renderer.get("type") == "singleSymbol":
                assert attribute is None and len(renderer.findall("symbols/symbol")) == 1
                continue
            assert attribute in fields, f"{table}: the style names {attribute!r}, the layer has {sorted(fields)}"
            symbols = {s.get("name") for s in renderer.findall("symbols/symbol")}
            data = [v for (v,) in connection.execute(f'SELECT DISTINCT "{attribute}" FROM "{table}"')]
            if renderer.get("type") == "categorizedSymbol":
                categories = renderer.findall("categories/category")
                values = {c.get("value") for c in categories}
                assert values <= DOMAINS[(table, attribute)], f"{table}.{attribute}: {values}"
                assert {v for v in data if v is not None} <= values, f"{table}.{attribute}: unstyled values"
                assert all(c.get("label") and c.get("label") != c.get("value") for c in categories)  # German words
                assert {c.get("symbol") for c in categories} <= symbols
            else:
                assert renderer.get("type") == "graduatedSymbol"
                ranges = [(float(r.get("lower")), float(r.get("upper"))) for r in renderer.findall("ranges/range")]
                present = [v for v in data if v is not None]
                assert all(any(lo <= v <= hi for lo, hi in ranges) for v in present), f"{table}: {ranges} {present}"
                assert {r.get("symbol") for r in renderer.findall("ranges/range")} <= symbols
    finally:
        connection.close()
    return renderers


def category_colours(renderer: ET.Element) -> dict[str, str]:
    names = {c.get("symbol"): c.get("value") for c in renderer.findall("categories/category")}
    out = {}
    for symbol in renderer.findall("symbols/symbol"):
        options = {o.get("name"): o.get("value") for o in symbol.findall("layer/Option/Option")}
        out[names[symbol.get("name")]] = options.get("line_color") or options.get("color")
    return out


def rgba(colour) -> str:
    return ",".join(map(str, [*colour[:3], colour[3] if len(colour) > 3 else 255]))


# ------------------------------------------------------------------------------------------ the store
def test_a_new_store_carries_a_default_style_per_layer_in_the_app_colours(tmp_path):
    path = tmp_path / "store.gpkg"
    assert main(["demo", "--db", str(path)]) == 0
    renderers = check_styles(path)
    assert set(renderers) == set(LAYER_ORDER)
    assert renderers["routes"].get("attr") == "status" and renderers["nodes"].get("attr") == "kind"
    assert renderers["sites"].get("attr") == "connection"
    assert category_colours(renderers["routes"]) == {s: rgba(c) for s, c in palette.ROUTE_COLOURS.items()}
    assert category_colours(renderers["sites"]) == {s: rgba(c) for s, c in palette.SITE_COLOURS.items()}


def test_the_committed_sample_carries_the_styles():
    check_styles(SAMPLE_GPKG)


def test_an_import_styles_a_store_that_had_none_and_a_second_write_changes_nothing(tmp_path):
    path = tmp_path / "old.gpkg"
    store = GeoPackageStore(path)
    store.write(small_inventory())
    with sqlite3.connect(path) as connection:  # a store written before the styles existed
        connection.execute("DROP TABLE layer_styles")
        connection.execute("DELETE FROM gpkg_contents WHERE table_name = 'layer_styles'")
    source = tmp_path / "routes.gpkg"
    small_inventory()["routes"].to_file(source, layer="routes", engine="pyogrio")
    assert main(["import", "routes", str(source), "--mode", "upsert", "--db", str(path)]) == 0
    check_styles(path)
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    assert main(["import", "routes", str(source), "--mode", "upsert", "--db", str(path)]) == 0
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before


def test_a_users_own_default_style_is_kept(tmp_path):
    path = tmp_path / "store.gpkg"
    store = GeoPackageStore(path)
    store.write(small_inventory())
    with sqlite3.connect(path) as connection:  # as QGIS's "save as default" does: unset ours, add theirs
        connection.execute("UPDATE layer_styles SET useAsDefault = 0, styleQML = 'old' WHERE f_table_name = 'routes'")
        connection.execute("INSERT INTO layer_styles (f_table_catalog, f_table_schema, f_table_name, "
                           "f_geometry_column, styleName, styleQML, useAsDefault) "
                           "VALUES ('', '', 'routes', 'geom', 'Planung', '<qgis/>', 1)")
    store.write(small_inventory(), mode="upsert")
    rows = {r["styleName"]: r for r in style_rows(path) if r["f_table_name"] == "routes"}
    assert rows["Planung"]["useAsDefault"] == 1 and rows["Planung"]["styleQML"] == "<qgis/>"
    assert rows[STYLE_NAME]["useAsDefault"] == 0 and rows[STYLE_NAME]["styleQML"].startswith("<!DOCTYPE qgis")


def test_a_foreign_layer_styles_table_does_not_stop_the_data(tmp_path):
    path = tmp_path / "store.gpkg"
    store = GeoPackageStore(path)
    store.write(small_inventory())
    with sqlite3.connect(path) as connection:
        connection.execute("DROP TABLE layer_styles")
        connection.execute("CREATE TABLE layer_styles (id INTEGER PRIMARY KEY, note TEXT)")
    frames = small_inventory()
    frames["routes"].loc[0, "owner"] = "Stadtwerke"
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        store.write(frames, mode="upsert")
    assert any(issubclass(w.category, StyleWarning) for w in caught)
    assert "Stadtwerke" in set(store.read("routes")["owner"])


def test_gelsennet_export_to_gpkg_carries_the_styles(tmp_path):
    store = tmp_path / "store.gpkg"
    GeoPackageStore(store).write(small_inventory())
    out = tmp_path / "export.gpkg"
    assert main(["export", str(out), "--db", str(store)]) == 0
    assert set(check_styles(out)) == set(LAYER_ORDER)


# ------------------------------------------------------------------------------ the analysis exports
@pytest.fixture(scope="module")
def analysis_files(tmp_path_factory):
    """The analysis GeoPackages of the CLI (impact, paths, plan, coverage) and the app's downloads."""
    from app_pages import data
    from coverage.layers import geopackage_bytes, trench_cut_layer
    from topology import build_network
    from topology.analysis import analyse

    folder = tmp_path_factory.mktemp("analysis")
    store = folder / "store.gpkg"
    GeoPackageStore(store).write(small_inventory())
    files = {}
    for name, args in {"impact": ["impact", "--trench", "T1"], "paths": ["paths", "118928"],
                       "plan": ["plan"], "coverage": ["coverage"]}.items():
        files[name] = folder / f"{name}.gpkg"
        assert main([*args, "--db", str(store), "--export", str(files[name])]) == 0, name
    frames = small_inventory()
    network = build_network(frames["routes"], frames["nodes"], frames["sites"])
    files["trench_cuts"] = folder / "cuts.gpkg"
    files["trench_cuts"].write_bytes(geopackage_bytes(
        {"trench_cuts": trench_cut_layer(frames["routes"], analyse(network).criticality_with_degraded())}))
    files["what_if_download"] = folder / "whatif.gpkg"
    files["what_if_download"].write_bytes(data.what_if_gpkg(str(store), data.store_version(str(store)), (), ("T1",)))
    return files


def test_every_analysis_export_carries_sound_styles(analysis_files):
    expected = {"impact": {"failed_routes", "failed_nodes", "sites"}, "paths": {"diverse_paths", "shared_trenches"},
                "plan": {"expansion", "ring_closures"}, "coverage": {"site_status", "district_kpis", "gap_grid"},
                "trench_cuts": {"trench_cuts"}, "what_if_download": {"failed_routes", "failed_nodes", "sites"}}
    for name, path in analysis_files.items():
        renderers = check_styles(path)
        assert set(renderers) == expected[name], name
    impact = check_styles(analysis_files["impact"])
    assert impact["sites"].get("attr") == "state"
    assert check_styles(analysis_files["trench_cuts"])["trench_cuts"].get("attr") == "effect"
    assert check_styles(analysis_files["coverage"])["site_status"].get("attr") == "status"


def category_labels(renderer: ET.Element) -> dict[str, str]:
    return {c.get("value"): c.get("label") for c in renderer.findall("categories/category")}


def test_trench_cuts_are_drawn_in_the_criticality_maps_classes_colours_and_words(analysis_files):
    """The QGIS style of `trench_cuts` colours each class as the app's criticality map does
    (`app_pages.criticality.CLASS_COLOURS`) and words it as the map's legend does (`class_legend`, from the
    same criticality table), worst first."""
    from app_pages.criticality import CLASS_COLOURS, class_legend
    from coverage.trench_effects import trench_effects
    from topology import build_network
    from topology.analysis import analyse

    renderer = check_styles(analysis_files["trench_cuts"])["trench_cuts"]
    frames = small_inventory()  # as in the fixture
    effects = trench_effects(analyse(build_network(frames["routes"], frames["nodes"],
                                                   frames["sites"])).criticality_with_degraded())
    held = set(EFFECT_CLASSES)
    assert category_colours(renderer) == {c: rgba(CLASS_COLOURS[c]) for c in EFFECT_CLASSES}
    legend = class_legend(effects, held, "de")
    assert list(category_labels(renderer).values()) == [label for label, _ in legend]
    assert [category_colours(renderer)[c] for c in category_labels(renderer)] == [rgba(c) for _, c in legend]
    assert "Schülerinnen und Schüler und mehr" in category_labels(renderer)["cut_most"]


# ------------------------------------------------------------------------------------- QGIS itself
PROBE = """
import json, os, sys
from qgis.core import QgsApplication, QgsVectorLayer
app = QgsApplication([], False)
app.initQgis()
out = {}
for path in sys.argv[1:]:
    for name in json.loads(sys.stdin.readline()):
        layer = QgsVectorLayer(f"{path}|layername={name}", name, "ogr")
        renderer = layer.renderer()
        entry = {"valid": layer.isValid(), "type": renderer.type()}
        if renderer.type() == "categorizedSymbol":
            entry["attr"] = renderer.classAttribute()
            entry["colours"] = {str(c.value()): c.symbol().color().name() for c in renderer.categories()}
        elif renderer.type() == "graduatedSymbol":
            entry["attr"] = renderer.classAttribute()
        else:
            entry["colour"] = renderer.symbol().color().name()
        out[f"{path}|{name}"] = entry
        del renderer, layer
print(json.dumps(out), flush=True)
os._exit(0)  # standalone PyQGIS 3.22 may crash in its own teardown (exitQgis): the answer is out already
"""


def qgis_available() -> bool:
    try:
        return subprocess.run([SYSTEM_PYTHON, "-c", "import qgis.core"], capture_output=True,
                              timeout=120).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


def open_in_qgis(paths: dict[Path, list[str]]) -> dict:
    results = {}
    for path, layers in paths.items():
        done = subprocess.run([SYSTEM_PYTHON, "-c", PROBE, str(path)], input=json.dumps(layers) + "\n",
                              capture_output=True, text=True, env={"QT_QPA_PLATFORM": "offscreen", "HOME": "/tmp",
                                                                   "PATH": "/usr/bin:/bin"}, timeout=300)
        assert done.returncode == 0 and done.stdout.strip(), done.stderr[-2000:]
        results.update(json.loads(done.stdout.strip().splitlines()[-1]))
    return results


def hex_colour(colour) -> str:
    return "#" + "".join(f"{c:02x}" for c in colour[:3])


def test_qgis_opens_the_store_and_an_analysis_export_with_the_default_style(tmp_path, analysis_files):
    if not qgis_available():  # the test command installs it (scripts/qgis.sh); in CI its absence is a failure
        message = "PyQGIS not installed (scripts/qgis.sh; Debian: apt-get install python3-qgis)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    store = tmp_path / "store.gpkg"
    GeoPackageStore(store).write(small_inventory())
    result = open_in_qgis({store: list(LAYER_ORDER),
                           analysis_files["impact"]: ["failed_routes", "sites"],
                           analysis_files["trench_cuts"]: ["trench_cuts"]})
    layer = {key.split("|", 1)[1] if key.startswith(str(store)) else key.rsplit("|", 1)[1] + "@" +
             Path(key.split("|", 1)[0]).stem: value for key, value in result.items()}
    assert all(v["valid"] for v in layer.values())
    assert layer["routes"]["type"] == "categorizedSymbol" and layer["routes"]["attr"] == "status"
    assert layer["routes"]["colours"] == {s: hex_colour(c) for s, c in palette.ROUTE_COLOURS.items()}
    assert layer["sites"]["attr"] == "connection"
    assert layer["sites"]["colours"] == {s: hex_colour(c) for s, c in palette.SITE_COLOURS.items()}
    assert layer["nodes"]["attr"] == "kind" and layer["nodes"]["colours"]["pop"] == hex_colour(palette.POP_COLOUR)
    assert layer["districts"]["colour"] == hex_colour(palette.DISTRICT_FILL)
    assert layer["sites@impact"]["attr"] == "state"
    assert layer["sites@impact"]["colours"]["isolated"] == hex_colour(palette.WHATIF_COLOURS["isolated"])
    assert layer["failed_routes@impact"]["colour"] == hex_colour(palette.WHATIF_COLOURS["failed"])
    assert layer["trench_cuts@cuts"]["type"] == "categorizedSymbol"
    assert layer["trench_cuts@cuts"]["attr"] == "effect"
    assert layer["trench_cuts@cuts"]["colours"] == {c: hex_colour(palette.EFFECT_COLOURS[c]) for c in EFFECT_CLASSES}
