"""Every column of a file is accounted for: taken by a field, read as the field it is named like (with a
note), or reported with the closest field and how to map it; never dropped silently."""

from __future__ import annotations

import warnings

import geopandas as gpd
import pandas as pd
import pyogrio
import pytest
from factories import X0, Y0
from shapely.geometry import LineString, Point

from inventory.formats.base import ReadOptions
from inventory.import_prepare import prepare
from inventory.mapping import COLUMN_MATCHED, COLUMN_UNMAPPED, ColumnMapping
from inventory.schema import CRS, Field, Layer

UTM = ReadOptions(crs="EPSG:25832")


def write_csv(tmp_path, text: str, name: str = "sites.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def by_rule(problems, rule):
    return [p for p in problems if p.rule == rule]


def test_the_rule_names_are_constants_the_cli_can_escalate():
    assert COLUMN_UNMAPPED == "column_unmapped"
    assert COLUMN_MATCHED == "column_matched"


def test_an_unknown_column_is_reported_with_file_column_and_first_value_and_the_rows_still_land(tmp_path):
    path = write_csv(
        tmp_path,
        "site_id,kind,name,connection,Bemerkung,x,y\n"
        f"S1,school,Schule A,none,,{X0},{Y0}\n"
        f"S2,school,Schule B,none,Zufahrt über Hof,{X0 + 5},{Y0}\n",
    )
    typed, labels, problems = prepare(path, "sites", options=UTM)

    assert [p.severity for p in problems] == ["warning"]
    (p,) = problems
    assert p.rule == COLUMN_UNMAPPED and p.file == str(path) and p.field == "Bemerkung" and p.row is None
    assert "Zufahrt über Hof" in str(p.value)
    assert p.expected.startswith("a field of layer sites")
    assert "--map FIELD=Bemerkung" in p.fix and "not imported" in p.fix
    assert list(typed["site_id"]) == ["S1", "S2"]  # the coordinate columns x, y are the reader's, not reported


def test_a_misspelt_column_names_the_closest_field_and_the_exact_map_option(tmp_path):
    path = write_csv(
        tmp_path,
        f"site_id,kind,name,connection,bandwith_mbps,x,y\nS1,school,Schule A,connected,1000,{X0},{Y0}\n",
    )
    _, _, problems = prepare(path, "sites", options=UTM)
    (p,) = by_rule(problems, COLUMN_UNMAPPED)
    assert p.field == "bandwith_mbps"
    assert "bandwith_mbps → bandwidth_mbps?" in p.fix
    assert "--map bandwidth_mbps=bandwith_mbps" in p.fix


def test_the_suggested_map_option_works(tmp_path):
    path = write_csv(
        tmp_path,
        f"site_id,kind,name,connection,bandwith_mbps,x,y\nS1,school,Schule A,connected,250,{X0},{Y0}\n",
    )
    mapping = ColumnMapping(columns={"bandwidth_mbps": "bandwith_mbps"})
    typed, _, problems = prepare(path, "sites", mapping=mapping, options=UTM)
    assert problems == []
    assert typed["bandwidth_mbps"].tolist() == [250.0]


@pytest.mark.parametrize("column", ["Site_ID", "SITE_ID", "Site ID", "site-id"])
def test_a_column_named_like_a_field_but_for_case_or_separators_is_read_as_it_with_a_note(tmp_path, column):
    path = write_csv(tmp_path, f"{column},kind,name,connection,x,y\n118928,school,Schule A,none,{X0},{Y0}\n")
    typed, _, problems = prepare(path, "sites", options=UTM)
    assert [(p.rule, p.severity, p.field) for p in problems] == [(COLUMN_MATCHED, "warning", column)]
    assert "read as site_id" in str(problems[0].value)
    assert typed["site_id"].tolist() == ["118928"]


def test_two_columns_claiming_one_field_are_both_reported_and_neither_is_guessed(tmp_path):
    path = write_csv(tmp_path, f"SITE_ID,Site_Id,kind,name,connection,x,y\nA,B,school,Schule,none,{X0},{Y0}\n")
    _, _, problems = prepare(path, "sites", options=UTM)
    unmapped = by_rule(problems, COLUMN_UNMAPPED)
    assert sorted(p.field for p in unmapped) == ["SITE_ID", "Site_Id"]
    assert all("site_id" in p.fix for p in unmapped)
    assert [p.field for p in by_rule(problems, "column_missing")] == ["site_id"]


def test_a_column_the_mapping_replaces_is_reported(tmp_path):
    path = write_csv(
        tmp_path, f"site_id,kind,name,connection,source,x,y\nS1,school,Schule,none,Schulamt,{X0},{Y0}\n"
    )
    typed, _, problems = prepare(path, "sites", mapping=ColumnMapping(constants={"source": "survey"}), options=UTM)
    (p,) = problems
    assert p.rule == COLUMN_UNMAPPED and p.field == "source" and "--set source=survey" in str(p.value)
    assert typed["source"].tolist() == ["survey"]


def test_columns_a_mapping_reads_are_accounted_for(tmp_path):
    path = write_csv(
        tmp_path,
        f"Nr,Art,Teil1,Teil2,Status,x,y\n7,school,Schule,am Park,none,{X0},{Y0}\n",
    )
    mapping = ColumnMapping(
        columns={"site_id": "Nr", "kind": "Art", "name": "{Teil1} {Teil2}", "connection": "Status"}
    )
    typed, _, problems = prepare(path, "sites", mapping=mapping, options=UTM)
    assert problems == []
    assert typed["name"].tolist() == ["Schule am Park"]


def _write_shapefile(path, layer: str, columns: dict, geometry) -> None:
    frame = gpd.GeoDataFrame(pd.DataFrame(columns), geometry=geometry, crs=CRS)
    with warnings.catch_warnings():  # the driver says it cuts the names: that is the point here
        warnings.filterwarnings("ignore", "Normalized/laundered field name", RuntimeWarning)
        pyogrio.write_dataframe(frame, path, layer=layer, driver="ESRI Shapefile", encoding="UTF-8")


def test_shapefile_names_cut_to_ten_characters_are_read_as_the_site_fields_they_cut_short(tmp_path):
    path = tmp_path / "schools.shp"
    columns = {
        "site_id": ["118928", "118930"],
        "kind": ["school", "school"],
        "name": ["Schule A", "Schule B"],
        "connection": ["connected", "planned"],
        "bandwidth_mbps": [1000.5, None],
        "connected_since": ["2012-08-01", None],
        "handover_node_id": [None, None],
        "planned_date": [None, "2027-01-01"],
        "school_type": ["Grundschule", "Gymnasium"],
    }
    _write_shapefile(path, "schools", columns, [Point(X0, Y0), Point(X0 + 10, Y0)])
    assert "bandwidth_" in pyogrio.read_info(path)["fields"]  # the driver really cut the names

    typed, _, problems = prepare(path, "sites")

    notes = {p.field: p for p in problems}
    assert set(notes) == {"bandwidth_", "connected_", "handover_n", "planned_da", "school_typ"}
    assert all(p.rule == COLUMN_MATCHED and p.severity == "warning" for p in problems)
    assert "read as bandwidth_mbps" in str(notes["bandwidth_"].value)
    assert "10 characters" in str(notes["bandwidth_"].value)
    assert typed["bandwidth_mbps"].tolist()[0] == 1000.5
    assert typed["school_type"].tolist() == ["Grundschule", "Gymnasium"]
    assert str(typed["connected_since"].iloc[0].date()) == "2012-08-01"
    assert str(typed["planned_date"].iloc[1].date()) == "2027-01-01"


def test_shapefile_names_cut_to_ten_characters_for_routes(tmp_path):
    path = tmp_path / "routes.shp"
    columns = {
        "route_id": ["R1"],
        "status": ["in_service"],
        "fibre_count": [48],
        "fibres_used": [12],
        "planned_date": [None],
    }
    _write_shapefile(path, "routes", columns, [LineString([(X0, Y0), (X0 + 50, Y0)])])
    typed, _, problems = prepare(path, "routes")
    assert {p.field for p in problems} == {"fibre_coun", "fibres_use", "planned_da"}
    assert typed["fibre_count"].tolist() == [48] and typed["fibres_used"].tolist() == [12]


def test_an_ambiguous_ten_character_name_is_reported_with_its_candidates():
    layer = Layer(
        "things",
        key="thing_id",
        geometry_type="Point",
        fields=(Field("thing_id", "text"), Field("connection_speed", "text"), Field("connection_type", "text")),
    )
    frame = gpd.GeoDataFrame({"thing_id": ["T1"], "connection": ["x"]}, geometry=[Point(X0, Y0)], crs=CRS)
    out, problems = ColumnMapping().apply(frame, layer, file="t.shp")
    (p,) = problems
    assert p.rule == COLUMN_UNMAPPED and p.field == "connection" and p.file == "t.shp"
    assert "connection_speed, connection_type" in p.fix
    assert "connection_speed" not in out.columns and "connection_type" not in out.columns


def test_a_cut_name_is_not_taken_when_the_file_also_has_the_full_name(tmp_path):
    path = write_csv(
        tmp_path,
        f"site_id,kind,name,connection,bandwidth_mbps,bandwidth_,x,y\nS1,school,S,connected,100,200,{X0},{Y0}\n",
    )
    typed, _, problems = prepare(path, "sites", options=UTM)
    (p,) = problems
    assert p.rule == COLUMN_UNMAPPED and p.field == "bandwidth_"
    assert typed["bandwidth_mbps"].tolist() == [100.0]


@pytest.mark.parametrize("column,field", [("handover", "handover_node_id"), ("Schultyp", "school_type"), ("pupil", "pupils")])
def test_the_closest_field_is_named_for_a_column_that_begins_or_resembles_it(tmp_path, column, field):
    path = write_csv(tmp_path, f"site_id,kind,name,connection,{column},x,y\nS1,school,S,none,v,{X0},{Y0}\n")
    _, _, problems = prepare(path, "sites", options=UTM)
    (p,) = problems
    assert f"{column} → {field}?" in p.fix and f"--map {field}={column}" in p.fix


def test_a_column_like_no_field_lists_the_layers_fields(tmp_path):
    path = write_csv(tmp_path, f"site_id,kind,name,connection,Bemerkung,x,y\nS1,school,S,none,v,{X0},{Y0}\n")
    _, _, problems = prepare(path, "sites", options=UTM)
    (p,) = problems
    assert "no field is named like Bemerkung" in p.fix and "bandwidth_mbps" in p.fix
