"""Multi-part lines: parts that join end to end are merged into one route (with a note); parts that do not
are refused with a fix that works, and --explode (`explode_multipart`) makes one route per part in the trench."""

from __future__ import annotations

import json
import math
from itertools import pairwise
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from factories import X0, Y0, small_inventory
from geopandas.testing import assert_geodataframe_equal
from shapely.geometry import LineString, MultiLineString

from inventory.cli import EXIT_DATA, EXIT_OK, main
from inventory.formats import read_file
from inventory.import_prepare import prepare
from inventory.mapping import ColumnMapping
from inventory.multipart import EXPLODE_ID_CLASH, PARTS_EXPLODED, explode_multipart, merge_touching_parts
from inventory.schema import CRS, LAYERS
from inventory.stores import GeoPackageStore
from inventory.validation import check_frame

CASE = Path(__file__).parent / "data" / "cases" / "02-multipart-route"
ROUTES = LAYERS["routes"]
ROUTE = {"status": "in_service", "fibre_count": 48, "method": "drilling"}


def routes_geojson(tmp_path, features: list[tuple[dict, dict]], name="routes.geojson") -> Path:
    doc = {
        "type": "FeatureCollection",
        "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::25832"}},
        "features": [{"type": "Feature", "properties": p, "geometry": g} for p, g in features],
    }
    path = tmp_path / name
    path.write_text(json.dumps(doc))
    return path


def multi(*parts) -> dict:
    return {"type": "MultiLineString", "coordinates": [[[X0 + x, Y0 + y] for x, y in part] for part in parts]}


def line(*points) -> dict:
    return {"type": "LineString", "coordinates": [[X0 + x, Y0 + y] for x, y in points]}


def mapped(path: Path):
    """The frame as the importer hands it to explode_multipart: read, then mapped."""
    raw = read_file(path, "routes")
    frame, problems = ColumnMapping().apply(raw.frame, ROUTES, file=str(path))
    assert problems == []
    return frame, raw.labels


def test_a_dissolved_route_whose_parts_join_is_merged_into_one_line_with_a_note():
    path = CASE / "route_dissolved.geojson"
    typed, labels, problems = prepare(path, "routes")

    assert [(p.rule, p.severity, p.row) for p in problems] == [("geometry_parts_merged", "warning", "feature 1")]
    (geom,) = typed.geometry
    assert isinstance(geom, LineString)
    parts = json.loads(path.read_text())["features"][0]["geometry"]["coordinates"]
    length_of_parts = sum(math.dist(a, b) for part in parts for a, b in pairwise(part))  # independent oracle
    assert geom.length == pytest.approx(length_of_parts)
    assert {tuple(c) for part in parts for c in part} == set(geom.coords)
    assert typed["route_id"].tolist() == ["NEU-M1"] and typed["trench_id"].tolist() == ["TR-NEU-M1"]


def test_parts_drawn_in_opposite_directions_still_join():
    geom = MultiLineString([[(0, 0), (10, 0)], [(20, 0), (10, 0)]])
    assert merge_touching_parts(geom).length == 20


@pytest.mark.parametrize(
    "geom",
    [
        MultiLineString([[(0, 0), (10, 0)], [(10.5, 0), (20, 0)]]),  # a gap of half a metre
        MultiLineString([[(0, 0), (10, 0)], [(5, 0), (15, 0)]]),  # overlapping
        MultiLineString([[(0, 0), (10, 0)], [(10, 0), (20, 0)], [(10, 0), (10, 10)]]),  # a fork
    ],
)
def test_parts_that_do_not_join_end_to_end_are_not_merged(geom):
    assert merge_touching_parts(geom) is None


def test_separate_parts_are_refused_with_a_fix_naming_one_id_per_part_and_explode(tmp_path):
    path = routes_geojson(
        tmp_path, [({"route_id": "NEU-M2", "trench_id": "TR-9", **ROUTE}, multi([(0, 0), (50, 0)], [(60, 0), (90, 0)]))]
    )
    _, _, problems = prepare(path, "routes")
    (p,) = problems
    assert (p.rule, p.row, p.field, p.severity) == ("geometry_type", "feature 1", "geometry", "error")
    assert "2 parts that do not join" in str(p.value)
    assert "NEU-M2-1, NEU-M2-2" in p.fix and "same trench_id" in p.fix and "--explode" in p.fix


def test_the_singleparts_file_is_refused_for_the_duplicate_with_explode_suggested():
    _, _, problems = prepare(CASE / "route_singleparts.geojson", "routes")
    (p,) = problems
    assert (p.rule, p.row, p.value) == ("duplicate_id", "feature 2", "NEU-M1")
    assert "--explode" in p.fix and "NEU-M1-1, NEU-M1-2" in p.fix


def test_a_true_duplicate_id_gets_the_plain_fix(tmp_path):
    path = routes_geojson(
        tmp_path,
        [
            ({"route_id": "R7", **ROUTE}, line((0, 0), (50, 0))),
            ({"route_id": "R7", **ROUTE, "fibre_count": 96}, line((500, 500), (550, 500))),
        ],
    )
    _, _, problems = prepare(path, "routes")
    (p,) = problems
    assert p.rule == "duplicate_id" and "--explode" not in p.fix


def test_explode_makes_one_route_per_part_in_the_original_trench(tmp_path):
    path = routes_geojson(
        tmp_path,
        [
            ({"route_id": "A", "trench_id": "TR-A", **ROUTE}, multi([(0, 0), (50, 0)], [(60, 0), (90, 0)])),
            ({"route_id": "B", **ROUTE}, multi([(0, 100), (50, 100)], [(60, 100), (90, 100)], [(95, 100), (99, 100)])),
            ({"route_id": "C", **ROUTE}, line((0, 200), (50, 200))),
        ],
    )
    frame, labels = mapped(path)

    out, out_labels, problems = explode_multipart(frame, ROUTES, labels)

    assert out["route_id"].tolist() == ["A-1", "A-2", "B-1", "B-2", "B-3", "C"]
    assert out["trench_id"].tolist()[:5] == ["TR-A", "TR-A", "B", "B", "B"]
    assert pd.isna(out["trench_id"].iloc[5])  # C is no multi-part line: untouched
    assert out_labels == [
        "feature 1 part 1", "feature 1 part 2", "feature 2 part 1", "feature 2 part 2", "feature 2 part 3", "feature 3"
    ]
    assert [(p.rule, p.severity, p.row) for p in problems] == [
        (PARTS_EXPLODED, "warning", "feature 1"),
        (PARTS_EXPLODED, "warning", "feature 2"),
    ]
    assert "A-1, A-2" in str(problems[0].value)
    assert [len(g.coords) for g in out.geometry] == [2, 2, 2, 2, 2, 2]
    assert out.geometry.iloc[1].equals(LineString([(X0 + 60, Y0), (X0 + 90, Y0)]))
    assert out["fibre_count"].tolist() == [48] * 6  # every other attribute copied

    typed, checked = check_frame(out, ROUTES, row_labels=out_labels, file=str(path))
    assert checked == []
    assert typed["trench_id"].tolist() == ["TR-A", "TR-A", "B", "B", "B", "C"]


def test_explode_also_numbers_the_rows_multipart_to_singleparts_left_with_one_id():
    frame, labels = mapped(CASE / "route_singleparts.geojson")
    out, out_labels, problems = explode_multipart(frame, ROUTES, labels)
    assert out["route_id"].tolist() == ["NEU-M1-1", "NEU-M1-2"]
    assert out["trench_id"].tolist() == ["TR-NEU-M1", "TR-NEU-M1"]
    assert out_labels == ["feature 1", "feature 2"]
    assert [p.rule for p in problems] == [PARTS_EXPLODED, PARTS_EXPLODED]
    assert check_frame(out, ROUTES, row_labels=out_labels)[1] == []


def test_explode_reports_a_part_id_another_record_already_has(tmp_path):
    path = routes_geojson(
        tmp_path,
        [
            ({"route_id": "A", **ROUTE}, multi([(0, 0), (50, 0)], [(60, 0), (90, 0)])),
            ({"route_id": "A-2", **ROUTE}, line((0, 300), (50, 300))),
        ],
    )
    frame, labels = mapped(path)
    _, _, problems = explode_multipart(frame, ROUTES, labels)
    (clash,) = [p for p in problems if p.rule == EXPLODE_ID_CLASH]
    assert (clash.row, clash.value, clash.severity) == ("feature 1 part 2", "A-2", "error")
    assert "feature 2" in clash.expected


def test_explode_leaves_other_layers_and_single_lines_alone():
    frame = gpd.GeoDataFrame({"route_id": ["R1"]}, geometry=[LineString([(X0, Y0), (X0 + 1, Y0)])], crs=CRS)
    out, labels, problems = explode_multipart(frame, ROUTES, ["feature 1"])
    assert out is frame and labels == ["feature 1"] and problems == []
    nodes = gpd.GeoDataFrame({"node_id": ["N1"]}, geometry=[MultiLineString([[(0, 0), (1, 0)], [(2, 0), (3, 0)]])])
    assert explode_multipart(nodes, LAYERS["nodes"], ["feature 1"])[0] is nodes


def _snapshot(store):
    if isinstance(store, GeoPackageStore):
        return store.path.read_bytes()
    return store.read_all()


def test_the_merged_route_lands_in_both_stores_and_a_refusal_changes_nothing(store, tmp_path, capsys):
    store.write(small_inventory())
    before = _snapshot(store)
    refused = routes_geojson(
        tmp_path, [({"route_id": "NEU-M2", **ROUTE}, multi([(0, 0), (50, 0)], [(60, 0), (90, 0)]))], "sep.geojson"
    )
    assert main(["import", "routes", str(refused), "--db", store.url, "--mode", "upsert"]) == EXIT_DATA
    if isinstance(store, GeoPackageStore):
        assert _snapshot(store) == before
    else:
        for name, frame in before.items():
            assert_geodataframe_equal(store.read_all()[name], frame)

    path = CASE / "route_dissolved.geojson"
    assert main(["import", "routes", str(path), "--db", store.url, "--mode", "upsert"]) == EXIT_OK
    routes = store.read_all()["routes"]
    assert len(routes) == len(small_inventory()["routes"]) + 1
    (geom,) = routes.loc[routes["route_id"] == "NEU-M1"].geometry
    assert geom.geom_type == "LineString" and len(geom.coords) == 3
    assert "feature 1: field 'geometry': found a MultiLineString of 2 parts that join end to end" in capsys.readouterr().err
