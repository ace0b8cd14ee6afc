"""The bad-input corpus (tests/corpus): every broken file is refused with exactly its problems, store unchanged.

Each file of `tests/corpus/MANIFEST.toml` is imported with the real command line into both
stores, each filled with a small valid inventory first. The import must exit with EXIT_DATA,
report exactly the manifest's problems (rule, row, field and, where the manifest gives it, the
value), name the file, what was expected and how to fix it, and leave the store as it was:
byte for byte for the GeoPackage, row for row for PostGIS.
"""

from __future__ import annotations

import json
import tomllib
from collections import Counter
from pathlib import Path

import pytest
from factories import small_inventory, snapshot
from geopandas.testing import assert_geodataframe_equal

from inventory.cli import EXIT_DATA, main
from inventory.schema import LAYER_ORDER
from inventory.stores import GeoPackageStore

CORPUS = Path(__file__).parent / "corpus"
MANIFEST = tomllib.loads((CORPUS / "MANIFEST.toml").read_text(encoding="utf-8"))["file"]
SUPPORT_FILES = {"MANIFEST.toml", "make_corpus.py"}
SHAPEFILE_PARTS = {".shx", ".dbf", ".prj", ".cpg"}
FORMATS = {".gpkg": "GeoPackage", ".geojson": "GeoJSON", ".shp": "Shapefile", ".csv": "CSV", ".kml": "KML"}

NO_ROW = {"file", "crs", "column_missing", "mapping"}
"""Rules about the whole file or a whole column: they have no row."""
NO_FIELD = {"file", "columns"}
"""Rules about the file or a whole record: they have no field."""
NO_VALUE = {"required", "geometry_missing"}
"""Rules whose point is that there is no value."""

ISSUE_EXAMPLES = {
    "invalid or self-intersecting geometry": {"geometry_invalid"},
    "empty geometry": {"geometry_empty", "geometry_missing"},
    "wrong geometry type, mixed types": {"geometry_type"},
    "3D where 2D is expected": {"geometry_3d"},
    "no CRS": {"crs"},
    "a wrong CRS (coordinates outside NRW)": {"geometry_outside_nrw", "geometry_outside_crs_area", "geometry_crs_mismatch"},
    "latitude and longitude swapped": {"geometry_axes_swapped"},
    "NaN or infinite coordinates": {"geometry_not_finite", "coordinate"},
    "duplicate IDs": {"duplicate_id"},
    "missing required fields": {"required", "column_missing"},
    "unknown enum values": {"choice"},
    "negative or impossible numbers": {"range", "fibres_used_le_fibre_count", "type"},
    "a reference to a node that does not exist": {"reference"},
    "a truncated or zero-byte file, a wrong file extension": {"file"},
    "non-UTF-8 text with umlauts": {"encoding"},
    "a huge field": {"field_too_long"},
    "a formula-injection cell": {"formula_injection"},
}


@pytest.fixture(scope="module", params=["gpkg", "postgis"])
def filled_store(request, tmp_path_factory):
    """A store of each kind holding `small_inventory()`, shared by the module's cases.

    Like conftest's `store`, but made once per module: a refused import changes nothing, and a
    case that does change it writes the inventory back (see `changed`), so cases stay independent.
    """
    from inventory import postgis
    from inventory.stores import open_store

    if request.param == "gpkg":
        store = open_store(tmp_path_factory.mktemp("corpus_store") / "store.gpkg")
        store.create()
        store.write(small_inventory())
        yield store
        return
    with request.getfixturevalue("pg_database_factory")() as url:
        postgis.upgrade(url)
        store = open_store(url)
        store.write(small_inventory())
        yield store
        store.close()


def changed(store, before) -> str | None:
    """How the store differs from `before` (None if not at all); a changed store gets its inventory back."""
    after = snapshot(store)
    difference = None
    if isinstance(store, GeoPackageStore):
        files = sorted(p.name for p in store.path.parent.iterdir())
        if after != before:
            difference = "the GeoPackage changed"
        elif files != [store.path.name]:
            difference = f"files were left next to the GeoPackage: {files}"
    else:
        for name in before:
            try:
                assert_geodataframe_equal(after[name], before[name])
            except AssertionError as exc:
                difference = f"layer {name} changed: {exc}"
                break
    if difference:
        store.write(small_inventory())
    return difference


def corpus_inputs() -> set[str]:
    """Every input file of the corpus, relative to it; a Shapefile's parts count as its .shp."""
    found = set()
    for path in CORPUS.rglob("*"):
        if not path.is_file() or path.name in SUPPORT_FILES or "__pycache__" in path.parts:
            continue
        if path.suffix.lower() in SHAPEFILE_PARTS:
            path = path.with_suffix(".shp")
        found.add(path.relative_to(CORPUS).as_posix())
    return found


def expected_key(item: dict) -> tuple:
    return (item["rule"], item.get("row"), item.get("field"))


@pytest.mark.parametrize("entry", MANIFEST, ids=lambda e: e["path"])
def test_corpus_file_is_refused_with_exactly_its_problems_and_the_store_unchanged(entry, filled_store, capsys):
    store = filled_store
    before = snapshot(store)
    path = CORPUS / entry["path"]
    argv = ["import", entry["layer"], str(path), "--db", store.url, "--json", "--mode", entry.get("mode", "upsert")]

    code = main([*argv, *entry.get("args", [])])

    assert changed(store, before) is None
    assert code == EXIT_DATA
    report = json.loads(capsys.readouterr().out)
    assert report["ok"] is False
    problems = report["problems"]
    assert Counter((p["rule"], p["row"], p["field"]) for p in problems) == Counter(
        expected_key(item) for item in entry["expect"]
    )
    for item in entry["expect"]:
        if "value" in item:
            values = [p["value"] for p in problems if (p["rule"], p["row"], p["field"]) == expected_key(item)]
            assert item["value"] in values, (item, values)
    for p in problems:
        assert p["severity"] == "error"
        assert p["file"] == str(path) and p["layer"] == entry["layer"]
        assert p["expected"] and p["fix"], p
        assert p["row"] or p["rule"] in NO_ROW, p
        assert p["field"] or p["rule"] in NO_FIELD, p
        assert p["value"] not in (None, "") or p["rule"] in NO_VALUE, p
        assert p["message"].startswith(f"[error] {path}") and "expected" in p["message"] and "Fix:" in p["message"]


def test_text_output_names_the_file_and_says_nothing_changed(filled_store, capsys):
    store = filled_store
    before = snapshot(store)
    path = CORPUS / "csv" / "sites_formula_injection.csv"
    assert main(["import", "sites", str(path), "--db", store.url, "--crs", "EPSG:25832"]) == EXIT_DATA
    err = capsys.readouterr().err
    assert "the store was not changed" in err
    assert f"{path}: line 2: field 'name': found \"=cmd|' /C calc'!A0\", expected text that does not start" in err
    assert changed(store, before) is None


def test_manifest_and_directory_agree():
    listed = [entry["path"] for entry in MANIFEST]
    assert len(listed) == len(set(listed)), "a file is listed twice"
    on_disk = corpus_inputs()
    assert set(listed) - on_disk == set(), "manifest entries without a file"
    assert on_disk - set(listed) == set(), "corpus files without a manifest entry"
    assert len(on_disk) >= 30
    for entry in MANIFEST:
        assert set(entry) <= {"path", "layer", "args", "mode", "problem", "expect"}, entry["path"]
        assert entry["layer"] in LAYER_ORDER and entry["problem"].strip() and entry["expect"], entry["path"]
        for item in entry["expect"]:
            assert set(item) <= {"rule", "row", "field", "value"} and item["rule"], entry["path"]


def test_corpus_covers_every_format_and_every_example_of_the_issue():
    suffixes = Counter(Path(entry["path"]).suffix for entry in MANIFEST)
    assert all(suffixes[suffix] >= 5 for suffix in FORMATS), suffixes
    rules = {item["rule"] for entry in MANIFEST for item in entry["expect"]}
    missing = {example for example, wanted in ISSUE_EXAMPLES.items() if not wanted & rules}
    assert not missing
    for suffix in (".gpkg", ".shp", ".csv", ".geojson", ".kml", ".kmz"):  # a zero-byte or truncated file, per format
        assert any("truncated" in e["path"] or "zero_bytes" in e["path"] for e in MANIFEST if e["path"].endswith(suffix))


def test_generator_rebuilds_the_same_files(tmp_path):
    """make_corpus.py writes the committed files: the text ones byte for byte, the binary ones by name.

    Binary files depend on the GDAL version that wrote them, so only their names are compared.
    """
    import importlib.util

    spec = importlib.util.spec_from_file_location("make_corpus", CORPUS / "make_corpus.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.build(tmp_path)
    committed = {p.relative_to(CORPUS) for p in CORPUS.rglob("*") if p.is_file() and p.parent != CORPUS}
    committed = {p for p in committed if "__pycache__" not in p.parts}
    rebuilt = {p.relative_to(tmp_path) for p in tmp_path.rglob("*") if p.is_file()}
    assert rebuilt == committed
    for rel in committed:
        if rel.suffix in (".csv", ".geojson") and (CORPUS / rel).read_bytes()[:6] != b"SQLite":
            assert (tmp_path / rel).read_bytes() == (CORPUS / rel).read_bytes(), rel


# Reader details the corpus files do not pin down.


def test_encoding_error_names_the_column_after_a_quoted_newline_and_a_sep_line(tmp_path):
    from inventory.formats import read_file
    from inventory.formats.base import ReadOptions

    path = tmp_path / "n.csv"
    path.write_bytes('sep=;\nnode_id;note;name;x;y\nA;"zwei\nZeilen";Heßler;1;2\nB;x;Bülse;1;2\n'.encode("cp1252"))
    (problem,) = read_file(path, "nodes", ReadOptions(crs="EPSG:25832")).problems
    assert (problem.rule, problem.row, problem.field) == ("encoding", "line 4", "name")
    assert problem.value.startswith("byte 0xdf ('ß' in Windows-1252)") and "1 more line(s)" in problem.value
    assert "--encoding cp1252" in problem.fix
    assert read_file(path, "nodes", ReadOptions(crs="EPSG:25832", encoding="cp1252")).problems == []


def test_utf16_text_gets_the_utf16_hint(tmp_path):
    from inventory.formats import read_file
    from inventory.formats.base import ReadOptions

    path = tmp_path / "n.csv"
    path.write_bytes("node_id,x,y\nA,1,2\n".encode("utf-16"))
    (problem,) = read_file(path, "nodes", ReadOptions(crs="EPSG:25832")).problems
    assert problem.rule == "encoding" and "--encoding utf-16" in problem.fix


def test_truncated_dbf_is_a_damaged_file(tmp_path):
    from inventory.formats import read_file

    for part in (CORPUS / "shp").glob("sites_impossible_pupils.*"):
        data = part.read_bytes()
        (tmp_path / f"s{part.suffix}").write_bytes(data[: len(data) - 10] if part.suffix == ".dbf" else data)
    (problem,) = read_file(tmp_path / "s.shp", "sites").problems
    assert problem.rule == "file" and problem.expected.startswith("a complete s.dbf")
