"""Text encodings in every format: never mojibake, never "the file may be damaged".

Shapefiles are written by GDAL in the encoding under test (so the .dbf bytes are what real
exporters produce); then the .cpg is removed or replaced and the .dbf header's language driver
byte set, as the case needs. The oracle is the Python text the file was written from.
Imports run into both stores; a refused import leaves the store as it was.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import geopandas as gpd
import pyogrio
import pytest
import shapely
from factories import X0, Y0

from inventory.dbf_encoding import GUESS_RULE
from inventory.formats import read_file
from inventory.formats.base import ReadOptions
from inventory.importer import import_file
from inventory.problems import DataError

NAMES = ["Muffe Grüner Weg", "Verteiler Schloßstraße", "Straße Über der Ölmühle", "Mäusebrücke"]
"""Names with umlauts and ß: where code pages differ (cp850 ü is 0x81, cp1252 ü is 0xfc)."""


def nodes_frame(names=NAMES) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {
            "node_id": [f"K{i + 1}" for i in range(len(names))],
            "kind": ["closure"] * len(names),
            "name": names,
            "status": ["in_service"] * len(names),
        },
        geometry=[shapely.Point(X0 + 10 * i, Y0 + 10 * i) for i in range(len(names))],
        crs="EPSG:25832",
    )


def shapefile(folder: Path, encoding: str, cpg: str | None, ldid: int = 0, names=NAMES) -> Path:
    """A nodes Shapefile whose .dbf text is in `encoding`; `cpg` its .cpg text (None: no .cpg)."""
    path = folder / f"nodes_{encoding.replace('-', '')}.shp"
    pyogrio.write_dataframe(nodes_frame(names), path, encoding=encoding)
    cpg_path = path.with_suffix(".cpg")
    cpg_path.unlink(missing_ok=True)
    if cpg is not None:
        cpg_path.write_text(cpg)
    with open(path.with_suffix(".dbf"), "r+b") as dbf:
        dbf.seek(29)
        dbf.write(bytes([ldid]))
    return path


def stored_names(store) -> list[str]:
    frame = store.read_all()["nodes"]
    return list(frame.sort_values("node_id")["name"])


def refused(store, path: Path, options: ReadOptions | None = None) -> list:
    before = store.read_all()
    with pytest.raises(DataError) as info:
        import_file(store, "nodes", path, mode="upsert", options=options)
    after = store.read_all()
    for name, frame in before.items():
        assert after[name].equals(frame), f"{name} changed after a refused import"
    return info.value.problems


def imported(store, path: Path, options: ReadOptions | None = None):
    result = import_file(store, "nodes", path, mode="upsert", options=options)
    assert len(store.read_all()["nodes"]) == len(NAMES)
    return result


# ---------------------------------------------------------------- Shapefile
def test_utf8_dbf_without_cpg_is_read_as_utf8_with_a_warning(store, tmp_path):
    path = shapefile(tmp_path, "UTF-8", cpg=None)
    result = imported(store, path)
    assert stored_names(store) == NAMES
    [warning] = [w for w in result.warnings if w.rule == GUESS_RULE]
    assert warning.severity == "warning"
    assert (warning.row, warning.field, warning.value) == ("feature 1", "name", NAMES[0])
    assert "UTF-8" in warning.expected and ".cpg" in warning.fix


def test_a_cpg_that_lies_is_refused_with_row_field_byte_and_the_encoding_that_fits(store, tmp_path):
    path = shapefile(tmp_path, "CP1252", cpg="UTF-8")
    [problem] = refused(store, path)
    assert (problem.rule, problem.row, problem.field) == ("encoding", "feature 1", "name")
    assert "0xfc" in problem.value and "ü" in problem.value
    assert "--encoding cp1252" in problem.fix
    assert "damaged" not in str(problem)
    # --encoding overrides the .cpg
    imported(store, path, ReadOptions(encoding="cp1252"))
    assert stored_names(store) == NAMES


def test_a_cpg_naming_a_code_page_for_utf8_bytes_is_refused(store, tmp_path):
    path = shapefile(tmp_path, "UTF-8", cpg="ISO-8859-1")
    [problem] = refused(store, path)
    assert (problem.rule, problem.row, problem.field) == ("encoding", "feature 1", "name")
    assert "GrÃ¼ner" in problem.value  # the reading that would have been stored, shown
    assert "--encoding utf-8" in problem.fix
    imported(store, path, ReadOptions(encoding="utf-8"))
    assert stored_names(store) == NAMES


@pytest.mark.parametrize("cpg", ["1252", "ANSI 1252", "CP1252", "windows-1252"])
def test_cpg_spellings_of_windows_1252(store, tmp_path, cpg):
    path = shapefile(tmp_path, "CP1252", cpg=cpg)
    result = imported(store, path)
    assert stored_names(store) == NAMES
    assert not [w for w in result.warnings if w.rule.startswith("encoding")]


@pytest.mark.parametrize("encoding", ["CP850", "CP1252", "ISO-8859-1"])
def test_a_dos_or_windows_dbf_without_cpg_is_read_in_the_code_page_its_bytes_fit(store, tmp_path, encoding):
    path = shapefile(tmp_path, encoding, cpg=None)
    result = imported(store, path)
    assert stored_names(store) == NAMES
    [warning] = [w for w in result.warnings if w.rule == GUESS_RULE]
    assert warning.value == NAMES[0]


def test_the_language_driver_byte_names_the_code_page(store, tmp_path):
    path = shapefile(tmp_path, "CP850", cpg=None, ldid=0x02)  # dBASE LDID 2: DOS code page 850
    result = imported(store, path)
    assert stored_names(store) == NAMES
    assert not [w for w in result.warnings if w.rule.startswith("encoding")]


def test_an_encoding_given_that_does_not_fit_is_refused_and_names_one_that_does(store, tmp_path):
    path = shapefile(tmp_path, "CP1252", cpg="1252")
    [problem] = refused(store, path, ReadOptions(encoding="utf-8"))
    assert (problem.rule, problem.row, problem.field) == ("encoding", "feature 1", "name")
    assert "--encoding cp1252" in problem.fix
    [problem] = refused(store, path, ReadOptions(encoding="klingon-8"))
    assert (problem.rule, problem.value) == ("encoding", "klingon-8")


def test_ascii_text_needs_no_encoding(tmp_path):
    path = shapefile(tmp_path, "UTF-8", cpg=None, names=["Muffe Nord", "Verteiler Sued"])
    raw = read_file(path, "nodes", ReadOptions())
    assert raw.problems == []
    assert list(raw.frame["name"]) == ["Muffe Nord", "Verteiler Sued"]


def test_the_row_is_counted_as_gdal_counts_features(tmp_path):
    names = ["Nord", "Sued", "Grüner Weg"]
    path = shapefile(tmp_path, "CP1252", cpg="UTF-8", names=names)
    [problem] = read_file(path, "nodes", ReadOptions()).problems
    assert problem.row == "feature 3"
    assert list(read_file(path, "nodes", ReadOptions(encoding="cp1252")).frame["name"]) == names


# ---------------------------------------------------------------- GeoJSON and GeoPackage
def geojson_bytes(names=NAMES) -> str:
    features = [
        {
            "type": "Feature",
            "properties": {"node_id": f"K{i + 1}", "kind": "closure", "name": name, "status": "in_service"},
            "geometry": {"type": "Point", "coordinates": [X0 + 10 * i, Y0 + 10 * i]},
        }
        for i, name in enumerate(names)
    ]
    doc = {
        "type": "FeatureCollection",
        "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::25832"}},
        "features": features,
    }
    return json.dumps(doc, ensure_ascii=False, indent=1)


def test_geojson_that_is_not_utf8_is_refused_with_line_and_byte(store, tmp_path):
    text = geojson_bytes()
    path = tmp_path / "nodes.geojson"
    path.write_bytes(text.encode("cp1252"))
    [problem] = refused(store, path)
    line = text[: text.index("ü")].count("\n") + 1
    assert (problem.rule, problem.row) == ("encoding", f"line {line}")
    offset = text.encode("cp1252").index("ü".encode("cp1252"))
    assert problem.value.endswith(f"at byte {offset} of the file")
    assert "0xfc" in problem.value and "--encoding cp1252" in problem.fix
    imported(store, path, ReadOptions(encoding="cp1252"))
    assert stored_names(store) == NAMES


def test_utf8_geojson_with_byte_order_mark_reads(tmp_path):
    path = tmp_path / "nodes.geojson"
    path.write_bytes(b"\xef\xbb\xbf" + geojson_bytes().encode("utf-8"))
    raw = read_file(path, "nodes", ReadOptions())
    assert raw.problems == [] and list(raw.frame["name"]) == NAMES


def test_geopackage_text_that_is_not_utf8_is_refused_with_row_and_field(store, tmp_path):
    path = tmp_path / "nodes.gpkg"
    pyogrio.write_dataframe(nodes_frame(), path, layer="nodes")
    con = sqlite3.connect(path)
    for (trigger,) in con.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'").fetchall():
        con.execute(f'DROP TRIGGER "{trigger}"')  # GDAL's triggers call functions sqlite3 lacks
    con.execute("UPDATE nodes SET name = CAST(? AS TEXT) WHERE node_id = 'K3'", (NAMES[2].encode("cp1252"),))
    con.commit()
    con.close()
    [problem] = refused(store, path)
    assert (problem.rule, problem.row, problem.field) == ("encoding", "feature 3", "name")
    assert "--encoding cp1252" in problem.fix and "damaged" not in str(problem)


def test_csv_keeps_utf8_with_or_without_bom_as_default(tmp_path):
    assert ReadOptions().encoding is None  # "not given": each format's own rule applies
    for bom in (b"", b"\xef\xbb\xbf"):
        path = tmp_path / "nodes.csv"
        row = "K1,closure,Grüner Weg,in_service,POINT (368000 5710000)\n"
        path.write_bytes(bom + f"node_id,kind,name,status,wkt\n{row}".encode())
        raw = read_file(path, "nodes", ReadOptions(crs="EPSG:25832"))
        assert raw.problems == [] and list(raw.frame.columns)[:3] == ["node_id", "kind", "name"]
        assert raw.frame["name"][0] == "Grüner Weg"
