"""Identifiers and text: ids in NFC, no invisible or look-alike ids, no control characters in text, and
nothing from the data reaches a terminal raw."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import unicodedata
from pathlib import Path

import geopandas as gpd
import pytest
from factories import X0, Y0, small_inventory
from shapely.geometry import Point

from inventory.characters import compatibility_key, normalise_id
from inventory.display import TerminalSafeStream, escape_for_terminal
from inventory.formats.base import ReadOptions
from inventory.import_prepare import prepare
from inventory.schema import CRS, LAYERS
from inventory.stores import open_store
from inventory.validation import ID_COMPATIBILITY, ID_INVISIBLE, TEXT_CONTROL, check_frame

UTM = ReadOptions(crs="EPSG:25832")
GELSENNET = Path(sys.executable).with_name("gelsennet")


def nodes_geojson(tmp_path, rows: list[dict]) -> Path:
    doc = {
        "type": "FeatureCollection",
        "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::25832"}},
        "features": [
            {
                "type": "Feature",
                "properties": {"kind": "closure", "status": "in_service", **row},
                "geometry": {"type": "Point", "coordinates": [X0 + i, Y0]},
            }
            for i, row in enumerate(rows)
        ],
    }
    path = tmp_path / "nodes.geojson"
    path.write_text(json.dumps(doc, ensure_ascii=True))  # \u escapes: the file itself is plain ASCII
    return path


def test_compatibility_key_is_nfkc():
    assert compatibility_key("Ｓ1") == "S1"
    assert compatibility_key("ﬁbre-1") == "fibre-1"
    assert compatibility_key("S1") == "S1"


def test_ids_are_stored_in_nfc(tmp_path):
    decomposed = "Mu\u0308ller-1"  # u + combining diaeresis, as macOS file names and some exports write it
    path = nodes_geojson(tmp_path, [{"node_id": decomposed, "name": "x"}])
    typed, _, problems = prepare(path, "nodes")
    assert problems == []
    assert typed["node_id"].tolist() == ["M\u00fcller-1"]
    assert normalise_id(decomposed) == "M\u00fcller-1"


@pytest.mark.parametrize(
    "identifier,code",
    [
        ("N\u200b1", "U+200B"),  # zero-width space
        ("N1\u200d", "U+200D"),  # zero-width joiner
        ("\u202eN1", "U+202E"),  # right-to-left override
        ("N\u00a01", "U+00A0"),  # no-break space
        ("N\t1", "U+0009"),
        ("N\u20281", "U+2028"),  # line separator
        ("N\x1b1", "U+001B"),
    ],
)
def test_an_id_with_an_invisible_or_control_character_is_refused_naming_the_code_point(tmp_path, identifier, code):
    path = nodes_geojson(tmp_path, [{"node_id": identifier, "name": "x"}, {"node_id": "N2", "name": "y"}])
    typed, _, problems = prepare(path, "nodes")
    (p,) = problems
    assert (p.rule, p.row, p.field, p.severity) == (ID_INVISIBLE, "feature 1", "node_id", "error")
    assert code in str(p.value) and code in p.fix
    assert typed["node_id"].isna().tolist() == [True, False]


def test_an_id_with_a_plain_space_is_an_id(tmp_path):
    path = nodes_geojson(tmp_path, [{"node_id": "Schule Nord 1"}])
    typed, _, problems = prepare(path, "nodes")
    assert problems == [] and typed["node_id"].tolist() == ["Schule Nord 1"]


@pytest.mark.parametrize("identifier,fix", [("Ｓ1", "S1"), ("N①", "N1"), ("ﬁ-7", "fi-7"), ("N²", "N2")])
def test_an_id_that_changes_under_nfkc_is_refused_with_the_nfkc_form_as_fix(tmp_path, identifier, fix):
    path = nodes_geojson(tmp_path, [{"node_id": identifier}])
    _, _, problems = prepare(path, "nodes")
    (p,) = problems
    assert (p.rule, p.field, p.value) == (ID_COMPATIBILITY, "node_id", identifier)
    assert f"'{fix}'" in p.fix


def test_reference_and_trench_ids_follow_the_same_rules(tmp_path):
    path = tmp_path / "sites.csv"
    path.write_text(
        "site_id,kind,name,connection,handover_node_id,x,y\n"
        f"S1,school,A,connected,C\u200b1,{X0},{Y0}\n",
        encoding="utf-8",
    )
    _, _, problems = prepare(path, "sites", options=UTM)
    assert [(p.rule, p.field) for p in problems] == [(ID_INVISIBLE, "handover_node_id")]


@pytest.mark.parametrize(
    "name,code",
    [
        ("Schule\x1b[31m rot", "U+001B (ESC)"),
        ("Klingel\x07", "U+0007 (BEL)"),
        ("a\x00b", "U+0000 (NUL)"),
        ("Zeile 1\nZeile 2", "U+000A"),
        ("C1\x9b", "U+009B"),
        ("\u202eevil", "U+202E"),
        ("Tab\there", "U+0009"),
    ],
)
def test_text_with_control_characters_is_refused_with_row_field_and_code_point(name, code):
    # Checked on a frame: files cannot carry all of these (the CSV reader refuses NUL as binary data,
    # GDAL ends strings at NUL), but a store written by other tools can, and `validate` checks it so.
    frame = gpd.GeoDataFrame(
        {"node_id": ["N1"], "kind": ["closure"], "name": [name], "status": ["in_service"]},
        geometry=[Point(X0, Y0)],
        crs=CRS,
    )
    typed, problems = check_frame(frame, LAYERS["nodes"], row_labels=["feature 1"])
    (p,) = problems
    assert (p.rule, p.row, p.field, p.severity) == (TEXT_CONTROL, "feature 1", "name", "error")
    assert code in str(p.value)
    assert typed["name"].isna().all()


def test_ordinary_unicode_text_is_kept(tmp_path):
    names = ["Gesamtschule Berger Feld – Süd", "Café «Nord»", "مدرسة\u200f", "👩\u200d👩\u200d👧 Familienzentrum"]
    path = nodes_geojson(tmp_path, [{"node_id": f"N{i}", "name": n} for i, n in enumerate(names)])
    typed, _, problems = prepare(path, "nodes")
    assert problems == []
    assert typed["name"].tolist() == names


def test_escape_for_terminal():
    assert escape_for_terminal("a\x1b[2Jb") == "a\\x1b[2Jb"
    assert escape_for_terminal("bell\x07 del\x7f csi\x9b rlo\u202e") == "bell\\x07 del\\u007f csi\\u009b rlo\\u202e"
    assert escape_for_terminal("line\n\tindented\r") == "line\n\tindented\\x0d"
    assert escape_for_terminal("progress\r", keep="\n\t\r") == "progress\r"
    assert escape_for_terminal("Heßler – Süd 👩\u200d👧") == "Heßler – Süd 👩\u200d👧"
    # JSON stays JSON: what json.dumps leaves raw is escaped the JSON way
    text = json.dumps({"name": "x\x9by\u202e"}, ensure_ascii=False)
    assert json.loads(escape_for_terminal(text)) == {"name": "x\x9by\u202e"}


def test_terminal_safe_stream_writes_escaped_text(tmp_path):
    with open(tmp_path / "out.txt", "w", encoding="utf-8") as handle:
        stream = TerminalSafeStream(handle)
        assert stream.write("a\x1bb\n") == 4
        assert stream.encoding == handle.encoding  # everything else is the wrapped stream's
    assert (tmp_path / "out.txt").read_text(encoding="utf-8") == "a\\x1bb\n"


@pytest.fixture
def store_with_a_hostile_name(tmp_path):
    """A GeoPackage whose school name carries ESC sequences and a bidi override, as another tool could write."""
    inventory = small_inventory()
    sites = inventory["sites"]
    sites.loc[sites["site_id"] == "118928", "name"] = "Schule\x1b]0;owned\x07\x1b[2J \u202eNord"
    store = open_store(tmp_path / "hostile.gpkg")
    store.create()
    store.write(inventory)
    return store


def run(*args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    return subprocess.run([str(GELSENNET), *args], capture_output=True, text=True, env=env, timeout=300)


def test_analyse_and_validate_print_control_characters_escaped(store_with_a_hostile_name):
    db = str(store_with_a_hostile_name.path)

    analyse = run("analyse", "--db", db)
    validate = run("validate", "--db", db)
    as_json = run("analyse", "--db", db, "--json")

    assert analyse.returncode == 0, analyse.stderr
    assert "Schule\\x1b]0;owned\\x07\\x1b[2J \\u202eNord" in analyse.stdout  # the school is single-homed: listed
    assert validate.returncode == 1
    assert "U+001B (ESC)" in validate.stdout and "site_id 118928: field 'name'" in validate.stdout
    for result in (analyse, validate, as_json):
        for raw in ("\x1b", "\x07", "\u202e"):
            assert raw not in result.stdout and raw not in result.stderr
    names = {s["site_id"]: s["name"] for s in json.loads(as_json.stdout)["sites"]}
    assert names["118928"] == unicodedata.normalize("NFC", "Schule\x1b]0;owned\x07\x1b[2J \u202eNord")


def test_the_text_control_pattern_matches_its_unicode_definition_on_every_code_point():
    from inventory.characters import BIDI_CONTROLS, control_in_text

    for number in range(sys.maxunicode + 1):
        ch = chr(number)
        defined = unicodedata.category(ch) in ("Cc", "Zl", "Zp") or ch in BIDI_CONTROLS
        assert (control_in_text(ch) is not None) == defined, hex(number)
