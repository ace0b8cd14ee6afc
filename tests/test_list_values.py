"""List values from other standards (OFDS `"type": ["pop"]`): value mappings apply to them, and a value that
cannot be mapped is shown as the user wrote it (JSON), never as numpy's `['pop' 'ixp']`."""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import numpy as np
from factories import X0, Y0
from shapely.geometry import Point

from inventory.frames import ListChoice, parse_text
from inventory.import_prepare import prepare
from inventory.mapping import COLUMN_UNMAPPED, ColumnMapping
from inventory.schema import CRS, LAYERS
from inventory.validation import LIST_VALUE

CASE = Path(__file__).parent / "data" / "cases" / "12-ofds-import"


def errors(problems):
    return [p for p in problems if p.severity == "error"]


def ofds_nodes_mapping(**kind_values: str) -> ColumnMapping:
    mapping = ColumnMapping.load(str(CASE / "ofds_nodes.toml"))
    mapping.values["kind"] = {**mapping.values["kind"], **kind_values}
    return mapping


def test_ofds_nodes_one_element_lists_are_mapped_and_a_list_with_an_unmapped_element_is_shown_as_written():
    typed, _, problems = prepare(CASE / "ofds_nodes.geojson", "nodes", mapping=ofds_nodes_mapping())
    assert typed["node_id"].tolist() == ["OFDS-N1", "OFDS-N2", "OFDS-N3"]
    assert typed["kind"].tolist()[:2] == ["pop", "closure"]  # ["pop"] and ["aggregationPoint"] through the table
    (p,) = errors(problems)
    assert (p.rule, p.row, p.field, p.value) == ("choice", "feature 3", "kind", '["pop", "ixp"]')
    assert 'found ["pop", "ixp"], expected one of pop' in str(p)
    assert "['pop' 'ixp']" not in str(p)
    assert "[values.kind]" in p.fix and "--set kind=" in p.fix
    # the other OFDS properties are accounted for, not dropped silently
    assert {p.field for p in problems if p.rule == COLUMN_UNMAPPED} == {
        "phase", "address", "accessPoint", "power", "technologies", "network"
    }


def test_a_list_whose_elements_all_map_to_one_value_takes_it():
    typed, _, problems = prepare(CASE / "ofds_nodes.geojson", "nodes", mapping=ofds_nodes_mapping(ixp="pop"))
    assert errors(problems) == []
    assert typed["kind"].tolist() == ["pop", "closure", "pop"]


def test_a_list_whose_elements_map_to_different_values_is_refused_naming_the_candidates():
    typed, _, problems = prepare(CASE / "ofds_nodes.geojson", "nodes", mapping=ofds_nodes_mapping(ixp="closure"))
    (p,) = errors(problems)
    assert (p.rule, p.row, p.field, p.value) == (LIST_VALUE, "feature 3", "kind", '["pop", "ixp"]')
    assert "pop, closure" in p.expected
    assert "--set kind=" in p.fix and "'[\"pop\", \"ixp\"]' = \"pop\"" in p.fix
    assert typed["kind"].tolist()[:2] == ["pop", "closure"] and typed["kind"].isna().tolist()[2]


def test_the_fix_for_a_list_works_whatever_the_spacing_of_the_json_key():
    for key in ('["pop", "ixp"]', '["pop","ixp"]', ' [ "pop" , "ixp" ] '):
        mapping = ofds_nodes_mapping(ixp="closure", **{key: "pop"})
        typed, _, problems = prepare(CASE / "ofds_nodes.geojson", "nodes", mapping=mapping)
        assert errors(problems) == [], key
        assert typed["kind"].tolist() == ["pop", "closure", "pop"], key


def test_ofds_spans_deployment_list_maps_to_a_construction_method():
    mapping = ColumnMapping.load(str(CASE / "ofds_spans.toml"))
    typed, _, problems = prepare(CASE / "ofds_spans.geojson", "routes", mapping=mapping)
    assert errors(problems) == []
    assert typed["method"].tolist() == ["open_trench", "open_trench"]  # ["belowGround"] = open_trench
    assert typed["status"].tolist() == ["in_service", "planned"]
    assert typed["fibre_count"].tolist() == [24, 48]


def test_lists_and_objects_in_text_fields_are_json_text():
    mapping = ColumnMapping(
        columns={"node_id": "N{id}", "kind": "type", "status": "status", "name": "technologies", "source": "address"},
        values={"kind": {"pop": "pop", "aggregationPoint": "closure", "ixp": "pop"}, "status": {"operational": "in_service", "planned": "planned"}},
    )
    typed, _, problems = prepare(CASE / "ofds_nodes.geojson", "nodes", mapping=mapping)
    assert errors(problems) == []
    assert typed["name"].tolist() == ['["ip"]'] * 3
    source = json.loads(typed["source"].iloc[0])  # the JSON text reads back as the file's object
    assert source == json.loads((CASE / "ofds_nodes.geojson").read_text())["features"][0]["properties"]["address"]


def test_an_empty_list_is_no_value_and_a_numpy_array_is_written_as_json():
    assert parse_text(np.array(["pop", "ixp"])) == '["pop", "ixp"]'
    assert parse_text({"a": [1, 2]}) == '{"a": [1, 2]}'
    frame = gpd.GeoDataFrame(
        {"node_id": ["N1", "N2"], "kind": [np.array([], dtype=str), np.array(["pop", "pop"])], "status": ["in_service"] * 2},
        geometry=[Point(X0, Y0), Point(X0 + 5, Y0)],
        crs=CRS,
    )
    out, problems = ColumnMapping(values={"kind": {"pop": "pop"}}).apply(frame, LAYERS["nodes"])
    assert problems == []
    assert len(out["kind"].iloc[0]) == 0 and out["kind"].iloc[1] == "pop"


def test_the_list_choice_marker_keeps_what_was_written():
    frame = gpd.GeoDataFrame(
        {"node_id": ["N1"], "kind": [["a", "b"]], "status": ["in_service"]}, geometry=[Point(X0, Y0)], crs=CRS
    )
    out, _ = ColumnMapping(values={"kind": {"a": "pop", "b": "closure"}}).apply(frame, LAYERS["nodes"])
    assert out["kind"].iloc[0] == ListChoice('["a", "b"]', ("pop", "closure"))
