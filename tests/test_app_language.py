"""German throughout, in German formats (issue 15.6), under AppTest: every table's cells and headers, every
label, caption and text of every page in both languages; the CSV downloads as German and English
spreadsheets read them; the Datenqualität findings in German. The real-browser twin is in test_browser.py."""

from __future__ import annotations

import ast
import csv
import io
import json
import re
import shutil
import zipfile
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from app_pages_helper import open_page
from factories import X0, Y0, small_inventory
from factories import frame as layer_frame
from language_check import data_texts, language_findings
from shapely import LineString, Point
from streamlit.testing.v1 import AppTest
from test_app import APP
from test_corpus import CORPUS
from test_corpus import MANIFEST as CORPUS_MANIFEST

from app_pages.formats import CSV_DIALECT, csv_bytes, shown_table
from app_pages.i18n import WORD_JOINER, cell_text, column_label, value_label
from app_pages.problem_text import DTYPE_DE, WORDING_DE, missing_wording, problem_rows
from app_pages.registry import PUBLIC_PAGES
from coverage.plan_variants import read_candidates
from coverage.ring_closure import ring_closures
from inventory.cli import EXIT_DATA, main
from inventory.editing import _geometry as edited_geometry
from inventory.formats.base import ReadOptions
from inventory.frames import EXPECTED
from inventory.import_prepare import prepare_file
from inventory.mapping import ColumnMapping
from inventory.problems import DataError, Problem
from inventory.report import validation_report
from inventory.schema import CRS, LAYERS
from inventory.settings import SAMPLE_GPKG
from inventory.stores import open_store
from inventory.validation import check_layers
from topology import build_network
from topology.checks import topology_findings

REPOSITORY = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    if not SAMPLE_GPKG.exists():
        pytest.skip("the sample GeoPackage is missing (gelsennet demo)")
    path = tmp_path_factory.mktemp("language") / "sample.gpkg"
    shutil.copy(SAMPLE_GPKG, path)
    return path


@pytest.fixture(scope="module")
def sample_frames(sample):
    return open_store(sample).read_all()


def page_text(at: AppTest) -> str:
    """Everything a page shows as text under AppTest: tables' headers and cells (`st.dataframe` and the HTML
    tables), metrics, headers, captions, Markdown, alerts, widgets' labels and options."""
    parts: list[str] = []
    for frame in at.dataframe:
        parts += [str(c) for c in frame.value.columns]
        parts += [str(v) for v in frame.value.to_numpy().ravel().tolist()]
    for element in at.get("html"):
        body = re.sub(r"<style>.*?</style>", " ", element.proto.body, flags=re.S)
        parts.append(re.sub(r"<[^>]+>", "\n", body))
    for metric in at.metric:
        parts += [metric.label, str(metric.value)]
    for kind in ("title", "subheader", "header", "caption", "markdown", "warning", "info", "success", "error"):
        parts += [re.sub(r"`[^`]*`", " ", str(e.value)) for e in at.get(kind)]  # code spans: store paths
    for widget in [*at.selectbox, *at.multiselect, *at.radio]:
        parts.append(widget.label)
        parts += [str(o) for o in widget.options][:20]
    for widget in [*at.checkbox, *at.toggle, *at.text_input, *at.number_input]:
        parts.append(widget.label)
    parts += [b.proto.label for b in at.get("download_button")]
    text = "\n".join(parts)
    text = re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", text)  # Markdown escapes of `plain`
    return text.replace(WORD_JOINER, "")


def without_data(text: str, texts: list[str]) -> str:
    for data_text in texts:
        text = text.replace(data_text, " ")
    return text


@pytest.mark.parametrize("lang", ["de", "en"])
def test_every_page_speaks_one_language_in_its_formats(sample, sample_frames, monkeypatch, lang):
    """Each page, and the what-if's tables with a trench failed, in one language and its number format."""
    monkeypatch.setenv("GELSENNET_DB", str(sample))
    at = AppTest.from_file(APP, default_timeout=180)
    at.run()
    if lang == "en":
        at.radio(key="lang").set_value("en").run()
    data = data_texts(sample_frames)
    findings = {}
    for entry in PUBLIC_PAGES:
        open_page(at, entry.key)
        assert not at.exception, at.exception
        texts = [page_text(at)]
        if entry.key == "overview":
            at.radio(key="kpi_level").set_value("stadtteil").run()
            texts.append(page_text(at))
        if entry.key == "network":  # the what-if's tables: sites cut off and on a detour
            network = build_network(sample_frames["routes"], sample_frames["nodes"], sample_frames["sites"])
            trench = network.edge_trench_id[network.edge_route_id.tolist().index("R-00333")] \
                if "R-00333" in network.edge_route_id.tolist() else network.edge_trench_id[0]
            at.multiselect(key="whatif_trenches").select(trench).run()
            assert not at.exception, at.exception
            texts.append(page_text(at))
        if entry.key == "inventory":
            for layer in ("routes", "sites", "districts", "site_areas"):
                at.selectbox(key="inv_table").set_value(layer).run()
                texts.append(page_text(at))
        found = language_findings(without_data("\n".join(texts), data), lang)
        if found:
            findings[entry.key] = found
    assert not findings, "\n".join(f"{page}: {f}" for page, items in findings.items() for f in items)


def test_numbers_in_tables_are_written_as_each_language_writes_them():
    table = pd.DataFrame({"cost_eur": [16573.3555], "length_a_m": [2556.25], "pupils": [2185.0],
                          "built_year": [2007], "share_schools_gigabit": [0.782], "found": [True],
                          "kind": ["school"], "status": ["near"], "level": ["city"]})
    assert shown_table(table, "de").iloc[0].tolist() == ["16.573", "2.556,2", "2.185", "2007", "78,2 %", "ja",
                                                         "Schule", "Glasfaser in der Nähe", "Stadt"]
    assert shown_table(table, "en").iloc[0].tolist() == ["16,573", "2,556.2", "2,185", "2007", "78.2 %", "yes",
                                                         "school", "fibre nearby", "city"]
    assert list(shown_table(table, "de").columns)[:2] == ["Kosten (€)", "Länge Weg 1 (m)"]  # units in headers


def test_the_whole_city_is_named_in_each_language():
    assert cell_text("name", "Stadt gesamt", "de") == "Stadt gesamt"
    assert cell_text("name", "Stadt gesamt", "en") == "Whole city"
    assert cell_text("district_id", "CITY", "de") == "Stadt"


def read_csv(content: bytes, lang: str) -> list[list[str]]:
    assert content.startswith(b"\xef\xbb\xbf")  # UTF-8 with a byte-order mark: Excel reads it as UTF-8
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=CSV_DIALECT[lang]["sep"]))


def test_csv_downloads_open_in_german_and_english_spreadsheets(sample_frames):
    """The ring closures as CSV: German with semicolons and decimal commas, English with commas and decimal
    points; each number read back the spreadsheet's way equals the library's, at full precision."""
    network = build_network(sample_frames["routes"], sample_frames["nodes"], sample_frames["sites"])
    closures = ring_closures(network)
    closures = pd.DataFrame(closures.drop(columns="geometry")).assign(sites=closures["sites"].map(", ".join))
    for lang, to_float in (("de", lambda s: float(s.replace(",", "."))), ("en", float)):
        rows = read_csv(csv_bytes(closures, lang), lang)
        header, body = rows[0], rows[1:]
        assert header == [column_label(c, lang) for c in closures.columns]
        assert len(body) == len(closures)
        cost = header.index(column_label("cost_eur", lang))
        read = [to_float(row[cost]) for row in body]
        assert read == pytest.approx(closures["cost_eur"].tolist(), rel=1e-12)
        if lang == "de":
            assert all("," in row[cost] and "." not in row[cost] for row in body)  # no thousands separators
        link = header.index(column_label("link_id", lang))
        assert [row[link] for row in body] == [value_label("link_id", i, lang) for i in closures["link_id"]]


def test_csv_downloads_keep_formulas_neutralised():
    table = pd.DataFrame({"name": ["=HYPERLINK(\"http://x\")", "+1", "Schule"], "pupils": [-5, 10, 1234]})
    for lang in ("de", "en"):
        rows = read_csv(csv_bytes(table, lang), lang)
        assert [r[0] for r in rows[1:]] == ["'=HYPERLINK(\"http://x\")", "'+1", "Schule"]
        assert [r[1] for r in rows[1:]] == ["-5", "10", "1234"]  # numbers stay numbers


def test_findings_of_the_sample_are_german_on_the_german_side(sample):
    """Every part of every finding of the sample reads German (the rule's German text, the library's values
    in it); the English side keeps the library's words."""
    problems = validation_report(open_store(sample)).to_dict()["problems"]
    assert problems
    german, english = problem_rows(problems, "de"), problem_rows(problems, "en")
    for problem in problems:
        assert not missing_wording(problem), (problem["rule"], missing_wording(problem))
    for part in ("value", "expected", "fix"):
        assert list(english[part]) == [str(p[part]) for p in problems]
        for rule, text in zip(german["rule"], german[part], strict=True):
            assert not language_findings(text, "de"), (rule, part, text)
    assert "1,3 m" in " ".join(german["value"])  # the library's 1.3 m, written the German way


def _line(*points) -> LineString:
    return LineString([(X0 + dx, Y0 + dy) for dx, dy in points])


def _topology_findings() -> list[Problem]:
    """A hand-made network with one of each thing the topology build and checks report, and one without a POP."""
    nodes = layer_frame("nodes", [  # M1 and M2 at one place
        {"node_id": nid, "kind": kind, "status": "in_service", "geometry": Point(X0 + dx, Y0 + dy)}
        for nid, kind, (dx, dy) in [("POP1", "pop", (0, 0)), ("M1", "closure", (500, 500)),
                                    ("M2", "closure", (500.2, 500))]
    ])
    lines = {
        "R1": _line((0, 0), (100, 0)), "R2": _line((100, 0), (200, 0)),  # R2 ends loose
        "R3": _line((50, 3), (50, 60)),  # ends 3 m short of R1, in a part without a POP
        "R4": _line((0, 0), (100, 0)),  # the same line as R1
        "R6": _line((300, 0), (400, 0)), "R7": _line((300, 0), (350, 0), (400, 30)),  # share 50 m
        "R8": _line((0, 1000), (100, 1000)), "R9": _line((0, 1001.2), (100, 1001.2)),  # side by side
        "R10": _line((0, 2000), (100, 2000)), "R11": _line((50, 1950), (50, 2050)),  # a crossing
        "R12": _line((0, 3000), (100, 3000), (100, 3100), (0, 3000)),  # returns to its start
        "R13": _line((0, 4000), (0.1, 4000)),  # (almost) zero length
    }
    routes = layer_frame("routes", [
        {"route_id": rid, "trench_id": f"T-{rid}", "status": "in_service", "geometry": line}
        for rid, line in lines.items()
    ])
    sites = layer_frame("sites", [
        {"site_id": sid, "kind": "school", "name": sid, "connection": "connected", "handover_node_id": handover,
         "pupils": 100, "geometry": Point(X0 + dx, Y0 + dy)}
        for sid, handover, (dx, dy) in [("S1", "M1", (500, 510)), ("S2", None, (10, 10)), ("S3", None, (9000, 9000))]
    ])
    without_pop = layer_frame("nodes", [
        {"node_id": "C1", "kind": "closure", "status": "in_service", "geometry": Point(X0, Y0)}
    ])
    return [*topology_findings(build_network(routes, nodes, sites)),
            *topology_findings(build_network(routes, without_pop, sites.iloc[:0]))]


def _schema_findings() -> list[Problem]:
    """Layers breaking each schema rule and plausibility warning once."""
    def raw(name, rows):
        columns = [c for c in LAYERS[name].columns if c != "geometry"]
        return gpd.GeoDataFrame(pd.DataFrame(rows).reindex(columns=[*columns, "geometry"]), geometry="geometry",
                                crs=CRS)

    node = {"kind": "closure", "status": "in_service"}
    nodes = raw("nodes", [
        {**node, "node_id": "N1", "geometry": Point(X0, Y0)},
        {**node, "node_id": "N1", "geometry": Point(X0 + 1, Y0)},  # duplicate id
        {**node, "node_id": "N3", "kind": "castle", "geometry": Point(X0 + 2, Y0)},  # not a kind
        {**node, "node_id": "N4", "status": None, "geometry": Point(X0 + 3, Y0)},  # required
        {**node, "node_id": "N5", "built_year": "soon", "geometry": Point(X0 + 4, Y0)},  # type
        {**node, "node_id": "N6", "built_year": 1066, "geometry": Point(X0 + 5, Y0)},  # range
        {**node, "node_id": "N7", "geometry": None},  # no geometry
    ])
    routes = raw("routes", [
        {"route_id": "R1", "status": "in_service", "fibre_count": 12, "fibres_used": 24,
         "geometry": _line((0, 0), (100, 0))},
        {"route_id": "R2", "status": "in_service", "geometry": _line((0, 0), (0, 0))},  # invalid
    ])
    site = {"kind": "school", "name": "Schule", "geometry": Point(X0 + 10, Y0 + 10)}
    sites = raw("sites", [
        {**site, "site_id": "S1", "connection": "connected", "handover_node_id": "N9"},  # a broken reference
        {**site, "site_id": "S2", "connection": "connected", "bandwidth_mbps": 1000.0},
        {**site, "site_id": "S3", "connection": "planned"},
    ])
    return check_layers({"nodes": nodes, "routes": routes, "sites": sites})


TOPOLOGY_RULES = {"dangling_end", "separate_component", "near_miss", "duplicate_segment", "overlapping_segments",
                  "side_by_side_routes", "crossing_without_junction", "no_pop", "zero_length", "nodes_merged",
                  "self_loop", "handover_not_on_network", "site_attached_by_distance", "site_unattached"}
SCHEMA_RULES = {"duplicate_id", "choice", "required", "type", "range", "geometry_missing", "geometry_invalid",
                "fibres_used_le_fibre_count", "reference", "connected_without_bandwidth", "connected_without_handover",
                "planned_without_date"}


@pytest.mark.parametrize(("findings", "rules"),
                         [(_topology_findings, TOPOLOGY_RULES), (_schema_findings, SCHEMA_RULES)])
def test_every_rule_is_worded_in_german_from_its_params(findings, rules):
    """Each rule the topology checks and the schema rules report has a German text for every part, and each
    finding carries every parameter its German text names: a parameter the library stops passing fails here."""
    problems = [p.to_dict() for p in findings()]
    assert rules <= {p["rule"] for p in problems}
    for problem in (p for p in problems if p["rule"] in rules):
        assert not missing_wording(problem), (problem["message"], missing_wording(problem))
    problems = [p for p in problems if p["rule"] in rules]
    german = problem_rows(problems, "de")
    for part in ("value", "expected", "fix"):
        for problem, text in zip(problems, german[part], strict=True):
            values = [v for value in problem["params"].values()
                      for v in (value if isinstance(value, list) else [value])]
            codes = sorted((v for v in values if isinstance(v, str)), key=len, reverse=True)  # ids and codes, as typed
            text = without_data(text, codes)
            assert not language_findings(text, "de"), (problem["rule"], part, text)


def test_the_german_words_come_from_the_params_not_the_english():
    """The library may reword its English freely: the German side is made from the rule and its params."""
    problem = Problem("near_miss", "routes", "gibberish expected", row="route_id R1", field="geometry",
                      value="gibberish value", fix="gibberish fix", severity="warning",
                      params={"route_id": "R1", "other_route_id": "R2", "snap_tolerance_m": 0.5,
                              "distance_m": 1234.5678, "x": 368000.04, "y": 5710000.0})
    row = problem_rows([problem.to_dict()], "de").iloc[0]
    assert row["value"] == "ein Ende 1.234,57 m von Trasse R2 entfernt bei (368000,0; 5710000,0)"
    assert row["expected"] == ("ein Trassenende, das an Trasse R2 anschließt (Abstand höchstens 0,5 m) oder "
                               "deutlich von ihr entfernt ist")
    assert row["fix"] == "das Ende auf Trasse R2 legen oder die Lücke prüfen"
    english = problem_rows([problem.to_dict()], "en").iloc[0]
    assert (english["value"], english["expected"]) == ("gibberish value", "gibberish expected")


def test_a_variant_of_a_rule_has_its_own_german_text():
    """A finding names which of its rule's texts it has (`variant`); one the app does not know stays English."""
    params = {"key": "route_id", "other": "line 2", "part_ids": ["R1-1", "R1-2"], "variant": "parts_of_one_line"}
    problem = Problem("duplicate_id", "routes", "x", row="line 3", field="route_id", value="R1", fix="y",
                      params=params).to_dict()
    row = problem_rows([problem], "de").iloc[0]
    assert row["expected"] == "eine eindeutige route_id (schon vergeben an Zeile 2)"
    assert "R1-1, R1-2" in row["fix"] and "--explode" in row["fix"]
    unknown = {**problem, "params": {**params, "variant": "something new"}}
    assert problem_rows([unknown], "de").iloc[0]["fix"] == "y"
    assert missing_wording(unknown) == ["fix: no German text for rule 'duplicate_id', variant 'something new'"]


def test_every_data_type_has_its_german_expectation():
    assert set(DTYPE_DE) == set(EXPECTED)


def test_a_finding_without_a_german_text_keeps_its_words():
    """Nothing is lost: a finding without the params its rule's German text needs is shown as the library
    wrote it."""
    problem = {"rule": "side_by_side_routes", "value": "something new", "expected": "x", "fix": "y", "row": "line 3"}
    row = problem_rows([problem], "de").iloc[0]
    assert (row["value"], row["expected"], row["fix"], row["row"]) == ("something new", "x", "y", "Zeile 3")


# Every finding of reading and importing files, in German: the bad-input corpus and hand-made files.

ENGLISH_LEFTOVERS = ("expected", "found", "fix", " the ", " or ")
"""Words of the library's English that a German text must not hold (lower case; padded with spaces)."""


def assert_worded_in_german(problems: list[dict]) -> None:
    """Each finding has a German text for every part that its params fill, and none of them reads English."""
    assert problems
    for problem in problems:
        assert missing_wording(problem) == [], (problem["message"], missing_wording(problem))
    german = problem_rows(problems, "de")
    for problem, (_, row) in zip(problems, german.iterrows(), strict=True):
        for part in ("row", "value", "expected", "fix"):
            text = f" {row[part].lower()} "
            assert not [w for w in ENGLISH_LEFTOVERS if w in text], (problem["message"], part, row[part])


@pytest.fixture(scope="module")
def import_store(tmp_path_factory):
    """A GeoPackage store holding `small_inventory()`; a refused import leaves it as it is."""
    store = open_store(tmp_path_factory.mktemp("language_import") / "store.gpkg")
    store.create()
    store.write(small_inventory())
    return store


def cli_findings(argv: list[str], capsys) -> list[dict]:
    """The errors and warnings a refused `gelsennet import ... --json` reports."""
    assert main([*argv, "--json"]) == EXIT_DATA
    report = json.loads(capsys.readouterr().out)
    return [*report["problems"], *report.get("warnings", [])]


@pytest.mark.parametrize("entry", CORPUS_MANIFEST, ids=lambda e: e["path"])
def test_every_finding_of_the_bad_input_corpus_is_german(entry, import_store, capsys):
    path = CORPUS / entry["path"]
    argv = ["import", entry["layer"], str(path), "--db", import_store.url, "--mode", entry.get("mode", "upsert")]
    assert_worded_in_german(cli_findings([*argv, *entry.get("args", [])], capsys))


def _fc(features: list[dict], crs: str | None = "EPSG:25832") -> str:
    doc = {"type": "FeatureCollection", "features": features}
    if crs:
        doc["crs"] = {"type": "name", "properties": {"name": f"urn:ogc:def:crs:{crs.replace(':', '::')}"}}
    return json.dumps(doc, ensure_ascii=False)


def _feature(props: dict, geometry: dict) -> dict:
    return {"type": "Feature", "properties": props, "geometry": geometry}


def _multiline(*parts) -> dict:
    return {"type": "MultiLineString", "coordinates": [[[X0 + dx, Y0 + dy] for dx, dy in part] for part in parts]}


def _zip(members: dict[str, str]) -> bytes:
    data = io.BytesIO()
    with zipfile.ZipFile(data, "w") as archive:
        for name, text in members.items():
            archive.writestr(name, text)
    return data.getvalue()


_CSV_NODES = "node_id,kind,status,wkt\n"
_UTM = ReadOptions(crs="EPSG:25832")
_KML = """<?xml version="1.0" encoding="UTF-8"?><kml xmlns="http://www.opengis.net/kml/2.2"><Document>
<Placemark><name>A</name><Point><coordinates>7.08,51.51</coordinates></Point></Placemark>
<Placemark><name>B</name><LineString><coordinates>7.08,51.51 7.09,51.52</coordinates></LineString></Placemark>
</Document></kml>"""
HAND_MADE_FILES = {  # name: (layer, file name, content (None: no file), prepare_file's keywords)
    "columns": ("nodes", "n.csv", _CSV_NODES + "N9,closure\n", {"options": _UTM}),
    "mapping_and_columns": ("nodes", "n.csv", "Node_ID,kind,statuss,colour,wkt\nN9,closure,in_service,red,"
                            "POINT (368000 5710000)\n",
                            {"options": _UTM, "mapping": ColumnMapping(columns={"nonsense": "kind", "name": "nope"})}),
    "column_replaced": ("nodes", "n.csv", _CSV_NODES + "N9,closure,planned,POINT (368000 5710000)\n",
                        {"options": _UTM, "mapping": ColumnMapping(constants={"status": "in_service"})}),
    "texts_and_ids": ("sites", "s.csv", "site_id,kind,name,connection,bandwidth_mbps,wkt\n"
                      "S\u200b1,school,A\x1bB,none,1.234,POINT (368000 5710000)\n"
                      "Ｓ2,school,x,none,\"2,5\",POINT (368000 5710000)\n"
                      "S3,school,x,none,\"3,000.5\",POINT (368000 5710000)\n" f"S4,school,{'x' * 1200},none,,\n",
                      {"options": _UTM}),
    "list_value": ("nodes", "n.geojson", _fc([_feature({"node_id": "N9", "kind": ["pop", "ixp"], "status": "in_service"},
                                                      {"type": "Point", "coordinates": [X0, Y0]})]),
                   {"mapping": ColumnMapping(values={"kind": {"pop": "pop", "ixp": "closure"}})}),
    "multipart": ("routes", "r.geojson", _fc([
        _feature({"route_id": "R1", "status": "in_service"}, _multiline([(0, 0), (10, 0)], [(10, 0), (20, 0)])),
        _feature({"route_id": "R2", "status": "in_service"}, _multiline([(0, 50), (10, 50)], [(30, 50), (40, 50)])),
    ]), {}),
    "explode": ("routes", "r.geojson", _fc([
        _feature({"route_id": "R2", "status": "in_service"}, _multiline([(0, 50), (10, 50)], [(30, 50), (40, 50)])),
        _feature({"route_id": "R2-1", "status": "in_service"}, _multiline([(0, 90), (10, 90)])),
    ]), {"explode": True}),
    "kml_other_geometry": ("nodes", "n.kml", _KML, {}),
    "no_file": ("nodes", "missing.csv", None, {"options": _UTM}),
    "no_header": ("nodes", "h.csv", "\n \n", {"options": _UTM}),
    "unknown_crs": ("nodes", "c.csv", _CSV_NODES, {"options": ReadOptions(crs="EPSG:nope")}),
    "unknown_encoding": ("nodes", "e.csv", _CSV_NODES, {"options": ReadOptions(crs="EPSG:25832", encoding="nope")}),
    "no_wkt_column": ("nodes", "w.csv", _CSV_NODES, {"options": ReadOptions(crs="EPSG:25832", wkt="geom")}),
    "no_xy_columns": ("nodes", "w.csv", _CSV_NODES, {"options": ReadOptions(crs="EPSG:25832", x="a", y="b")}),
    "no_geometry_column": ("nodes", "g.csv", "node_id,kind,status\nN9,closure,in_service\n", {"options": _UTM}),
    "degrees_declared_utm": ("nodes", "d.geojson", _fc([_feature({"node_id": "N9", "kind": "closure", "status": "in_service"},
                                                                 {"type": "Point", "coordinates": [7.08, 51.51]})],
                                                       crs=None), {"options": _UTM}),
    "geojson_not_utf8": ("nodes", "u.geojson", _fc([_feature({"node_id": "N9", "kind": "closure", "name": "Heßler",
                                                              "status": "in_service"},
                                                             {"type": "Point", "coordinates": [X0, Y0]})]).encode("cp1252"),
                         {}),
    "csv_blank": ("nodes", "b.csv", "  \n", {"options": _UTM}),
    "csv_too_many_columns": ("nodes", "m.csv", ",".join(f"c{i}" for i in range(1001)) + "\n", {"options": _UTM}),
    "csv_line_too_long": ("nodes", "l.csv", _CSV_NODES + "N9," + "x" * 2_000_001 + "\n", {"options": _UTM}),
    "csv_utf16": ("nodes", "u.csv", (_CSV_NODES + "N9,closure,in_service,POINT (368000 5710000)\n").encode("utf-16"),
                  {"options": _UTM}),
    "csv_undefined_byte": ("nodes", "x.csv", _CSV_NODES.encode() + b"N\x819,closure,in_service,POINT (1 2)\n",
                           {"options": _UTM}),
    "kmz_without_kml": ("nodes", "k.kmz", _zip({"readme.txt": "no KML here"}), {}),
}


@pytest.mark.parametrize("name", HAND_MADE_FILES)
def test_every_finding_of_hand_made_files_is_german(name, tmp_path):
    """Rules and texts the corpus does not show: mapping notes, text and id rules, multi-part lines, KML, and
    the readers' other refusals."""
    layer, file_name, content, keywords = HAND_MADE_FILES[name]
    path = tmp_path / file_name
    if name == "no_file":
        assert_worded_in_german([p.to_dict() for p in prepare_file(tmp_path, layer, **keywords).problems])  # a folder
    if content is not None:
        path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    assert_worded_in_german([p.to_dict() for p in prepare_file(path, layer, **keywords).problems])


@pytest.mark.parametrize(("written", "cpg", "options"), [
    ("cp1252", None, {}),  # the encoding told from the bytes (a warning)
    ("cp1252", "FOO", {}),  # a .cpg naming no encoding
    ("cp1252", None, {"options": ReadOptions(encoding="utf-8")}),  # bytes --encoding cannot read
    ("utf-8", "1252", {}),  # UTF-8 text under a code page's .cpg
], ids=["guessed", "cpg_unknown", "option_bytes", "cpg_utf8"])
def test_every_finding_of_a_shapefiles_text_is_german(written, cpg, options, tmp_path):
    frame = gpd.GeoDataFrame({"node_id": ["N9"], "kind": ["closure"], "status": ["in_service"], "name": ["Heßler"]},
                             geometry=[Point(X0, Y0)], crs=CRS)
    frame.to_file(tmp_path / "n.shp", encoding=written)
    for part in tmp_path.glob("*.cpg"):
        part.unlink()
    if cpg:
        (tmp_path / "n.cpg").write_text(cpg)
    problems = prepare_file(tmp_path / "n.shp", "nodes", **options).problems
    assert {p.rule for p in problems} & {"encoding", "encoding_guessed"}
    assert_worded_in_german([p.to_dict() for p in problems])


def test_every_finding_of_a_declared_crs_the_file_contradicts_is_german(tmp_path):
    frame = gpd.GeoDataFrame({"node_id": ["N9"], "kind": ["closure"], "status": ["in_service"]},
                             geometry=[Point(X0, Y0)], crs=CRS)
    frame.to_file(tmp_path / "n.gpkg", layer="nodes")
    assert_worded_in_german([p.to_dict() for p in prepare_file(tmp_path / "n.gpkg", "nodes",
                                                               options=ReadOptions(crs="EPSG:4326")).problems])


def test_every_finding_of_an_import_against_the_store_is_german(import_store, tmp_path, capsys):
    """What only the store shows: a replace that would break references, one that needs a confirmation."""
    nodes = [_feature({"node_id": nid, "kind": kind, "status": "in_service"}, {"type": "Point", "coordinates": [X0, Y0]})
             for nid, kind in (("POP1", "pop"), ("C1", "closure"), ("C2", "cabinet"))]
    path = tmp_path / "n.geojson"
    path.write_text(_fc(nodes[:1]), encoding="utf-8")
    argv = ["import", "nodes", str(path), "--db", import_store.url, "--mode", "replace"]
    broken = cli_findings(argv, capsys)
    assert "reference_broken" in {p["rule"] for p in broken}
    path.write_text(_fc(nodes), encoding="utf-8")
    unconfirmed = cli_findings(argv, capsys)
    assert {p["rule"] for p in unconfirmed} == {"delete_unconfirmed"}
    assert_worded_in_german(broken + unconfirmed)


def test_every_finding_of_candidate_routes_is_german(tmp_path):
    path = tmp_path / "c.csv"
    path.write_text("route_id,wkt\nR1,\"LINESTRING (368000 5710000, 368100 5710000)\"\n", encoding="utf-8")
    with pytest.raises(DataError) as known:
        read_candidates(path, options=_UTM, known_route_ids={"R1"})
    path.write_text("route_id,wkt\n", encoding="utf-8")
    with pytest.raises(DataError) as empty:
        read_candidates(path, options=_UTM)
    problems = [p.to_dict() for p in [*known.value.problems, *empty.value.problems]]
    assert {p["rule"] for p in problems} == {"candidate_known", "candidate_empty"}
    assert_worded_in_german(problems)


def test_a_geometry_an_editor_types_wrongly_is_german():
    with pytest.raises(DataError) as refused:
        edited_geometry("POINT (368000", LAYERS["nodes"])
    assert_worded_in_german([p.to_dict() for p in refused.value.problems])


def library_rules() -> tuple[set[str], list[str]]:
    """Every rule name the library can raise, read from its source: the first argument of `Problem` and of
    `topology.findings.geometry_finding`, the rule argument of `inventory.geometry_checks`' `add`, 'file' for
    `unreadable` and 'crs' for `crs_problem`; a name is resolved through the modules' string constants.
    Also the calls whose rule could not be read (a wrapper passing on its own `rule` argument is fine)."""
    rule_position = {"Problem": 0, "geometry_finding": 0, "add": 4}
    fixed = {"unreadable": "file", "crs_problem": "crs"}
    trees = [ast.parse(path.read_text(encoding="utf-8")) for package in ("inventory", "topology", "coverage")
             for path in sorted((REPOSITORY / package).rglob("*.py"))]
    constants = {target.id: node.value.value for tree in trees for node in tree.body
                 if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant)
                 and isinstance(node.value.value, str) for target in node.targets if isinstance(target, ast.Name)}

    def names(node) -> list[str] | None:
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            return [node.value]
        if isinstance(node, ast.Name) and node.id in constants:
            return [constants[node.id]]
        if isinstance(node, ast.IfExp):
            body, orelse = names(node.body), names(node.orelse)
            return body + orelse if body is not None and orelse is not None else None
        return None

    rules, unread = set(), []
    for call in (n for tree in trees for n in ast.walk(tree) if isinstance(n, ast.Call)):
        name = call.func.id if isinstance(call.func, ast.Name) else None
        if name in fixed:
            rules.add(fixed[name])
        if name not in rule_position:
            continue
        argument = next((k.value for k in call.keywords if k.arg == "rule"), None)
        if argument is None and len(call.args) > rule_position[name]:
            argument = call.args[rule_position[name]]
        if argument is None and any(k.arg is None for k in call.keywords):
            continue  # Problem(**{**p.__dict__, ...}): a copy of a finding made elsewhere
        found = names(argument)
        if found is not None:
            rules.update(found)
        elif not (isinstance(argument, ast.Name) and argument.id == "rule"):
            unread.append(ast.unparse(call)[:100])
    return rules, unread


def test_every_rule_of_the_library_has_german_texts():
    """A new rule without German fails here, before a German user reads it in English."""
    rules, unread = library_rules()
    assert not unread, f"rules the test cannot read (name them with a constant): {unread}"
    assert {"file", "crs", "encoding", "geometry_3d", "dangling_end", "duplicate_segment", "candidate_empty"} <= rules
    assert sorted(rules - set(WORDING_DE)) == []
    for rule in rules:
        assert set(WORDING_DE[rule]) == {"value", "expected", "fix"}, rule


@pytest.mark.parametrize("row,german", [
    ("placemark 2 (KR-1)", "Ortsmarke 2 (KR-1)"),
    ("placemark 2 in folder Trassen (KR-1)", "Ortsmarke 2 im Ordner Trassen (KR-1)"),
    ("feature 3 part 2", "Objekt 3 Teil 2"),
    ("route_id R17", "Trasse R17"),
])
def test_row_labels_read_german(row, german):
    from app_pages.problem_text import row_text

    assert row_text(row, "de") == german and row_text(row, "en") == row
