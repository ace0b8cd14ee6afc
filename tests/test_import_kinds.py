"""One import per kind of field file, through the real importer into both stores: after a refusal the
store is unchanged, after an acceptance the counts are exact and the change report says what changed.

The kinds (issue: stewardship without surprises): columns no field takes (`--strict`), Shapefile's
10-character names, German numbers, multi-part lines (`--explode`), identifiers and control
characters, list values from other standards (OFDS).
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pytest
from factories import X0, Y0, small_inventory
from geopandas.testing import assert_geodataframe_equal
from shapely import LineString, MultiLineString

from inventory.formats.base import ReadOptions
from inventory.importer import import_file
from inventory.mapping import ColumnMapping
from inventory.problems import DataError
from inventory.schema import CRS

CASES = Path(__file__).parent / "data" / "cases"
UTM = ReadOptions(crs="EPSG:25832")


@pytest.fixture
def filled(store):
    store.write(small_inventory())
    return store


def refused(store, *args, **kwargs) -> list[tuple[str, str | None]]:
    """Import that must be refused: the rules and fields of its errors; the store must not change."""
    before = store.read_all()
    with pytest.raises(DataError) as error:
        import_file(store, *args, **kwargs)
    after = store.read_all()
    for name in before:
        assert_geodataframe_equal(after[name], before[name])
    return sorted({(p.rule, p.field) for p in error.value.problems})


def sites_csv(path: Path, header: str, *rows: str, encoding: str = "utf-8") -> Path:
    path.write_text("\n".join([header, *rows]) + "\n", encoding=encoding)
    return path


def test_a_column_no_field_takes_is_reported_and_strict_refuses(filled, tmp_path):
    path = sites_csv(tmp_path / "s.csv", "site_id;Bandbreite;x;y", f"118928;10000;{X0 + 1010};{Y0 + 5}")
    assert refused(filled, "sites", path, options=UTM, strict=True) == [("column_unmapped", "Bandbreite")]
    result = import_file(filled, "sites", path, options=UTM)
    assert (result.changed, result.unchanged) == ({}, ["118928"]), "nothing the file does not map changes"
    assert [w.field for w in result.warnings if w.rule == "column_unmapped"] == ["Bandbreite"]


@pytest.mark.filterwarnings("ignore:Column names longer than 10:UserWarning")
@pytest.mark.filterwarnings("ignore:Normalized/laundered field name:RuntimeWarning")
def test_shapefile_names_cut_to_ten_characters_update_their_fields(filled, tmp_path):
    sites = filled.read("sites")[["site_id", "bandwidth_mbps", "handover_node_id", "school_type", "geometry"]]
    sites = sites.assign(bandwidth_mbps=[2500.0, 300.0])
    path = tmp_path / "sites.shp"
    sites.to_file(path)  # the driver cuts bandwidth_mbps, handover_node_id, school_type to 10 characters
    result = import_file(filled, "sites", path)
    assert result.changed == {"118928": ["bandwidth_mbps"], "GE-PARK": ["bandwidth_mbps"]}
    assert {w.field for w in result.warnings if w.rule == "column_matched"} == {"bandwidth_", "handover_n",
                                                                                 "school_typ"}
    assert filled.read("sites").set_index("site_id").loc["GE-PARK", "bandwidth_mbps"] == 300


def test_german_numbers_are_thousands_where_the_file_uses_decimal_commas(filled, tmp_path):
    header = "site_id;bandwidth_mbps;pupils;x;y"
    ambiguous = sites_csv(tmp_path / "a.csv", header, f"118928;1.000;430;{X0 + 1010};{Y0 + 5}")
    assert refused(filled, "sites", ambiguous, options=UTM) == [("number_ambiguous", "bandwidth_mbps")]
    german = sites_csv(tmp_path / "g.csv", header, f"118928;1.000;1.234;{X0 + 1010};{Y0 + 5}",
                       f"GE-PARK;2,5;;{X0 + 500};{Y0 + 500}")
    result = import_file(filled, "sites", german, options=UTM)
    assert result.changed == {"118928": ["pupils"], "GE-PARK": ["bandwidth_mbps"]}
    stored = filled.read("sites").set_index("site_id")
    assert (stored.loc["118928", "bandwidth_mbps"], stored.loc["118928", "pupils"]) == (1000, 1234)
    assert stored.loc["GE-PARK", "bandwidth_mbps"] == 2.5


def _routes(path: Path, rows: list[dict]) -> Path:
    gpd.GeoDataFrame(rows, geometry="geometry", crs=CRS).to_file(path, driver="GeoJSON")
    return path


def test_multi_part_lines_merge_refuse_or_explode(filled, tmp_path):
    touching = MultiLineString([[(X0, Y0 + 300), (X0 + 100, Y0 + 300)], [(X0 + 100, Y0 + 300), (X0 + 200, Y0 + 300)]])
    apart = MultiLineString([[(X0, Y0 + 400), (X0 + 100, Y0 + 400)], [(X0 + 200, Y0 + 400), (X0 + 300, Y0 + 400)]])
    base = {"status": "in_service", "trench_id": "T-M"}
    separate = _routes(tmp_path / "apart.geojson", [{"route_id": "M2", **base, "geometry": apart}])
    assert refused(filled, "routes", separate) == [("geometry_type", "geometry")]
    result = import_file(filled, "routes", separate, explode=True)
    assert result.new == ["M2-1", "M2-2"] and not result.changed
    merged = import_file(filled, "routes", _routes(tmp_path / "touch.geojson",
                                                   [{"route_id": "M1", **base, "geometry": touching}]))
    assert merged.new == ["M1"]
    routes = filled.read("routes").set_index("route_id")
    assert isinstance(routes.loc["M1", "geometry"], LineString)
    assert set(routes.loc[["M2-1", "M2-2"], "trench_id"]) == {"T-M"}
    assert len(routes) == 4 + 3


def test_ids_and_text_with_invisible_or_control_characters_are_refused(filled, tmp_path):
    header = "site_id;kind;name;connection;x;y"
    row = f"school;Schule;none;{X0 + 20};{Y0 + 20}"
    wide = refused(filled, "sites", sites_csv(tmp_path / "w.csv", header, f"Ｓ1;{row}"), options=UTM)
    assert wide == [("id_compatibility", "site_id")]
    invisible = refused(filled, "sites", sites_csv(tmp_path / "z.csv", header, f"S\u200b1;{row}"), options=UTM)
    assert invisible == [("id_invisible_character", "site_id")]
    control = refused(filled, "sites", sites_csv(tmp_path / "c.csv", header,
                                                 f"S1;school;Schule \x1b[31mrot;none;{X0 + 20};{Y0 + 20}"),
                      options=UTM)
    assert control == [("text_control_character", "name")]
    composed = sites_csv(tmp_path / "nfd.csv", header, f"Mu\u0308nster-1;{row}")
    assert import_file(filled, "sites", composed, options=UTM).new == ["M\u00fcnster-1"], "ids are stored as NFC"


def test_ofds_list_values_go_through_the_value_mapping(filled):
    folder = CASES / "12-ofds-import"
    nodes = folder / "ofds_nodes.geojson"
    mapping = ColumnMapping.load(str(folder / "ofds_nodes.toml"))
    assert refused(filled, "nodes", nodes, mapping=mapping) == [("choice", "kind")]
    spans = import_file(filled, "routes", folder / "ofds_spans.geojson",
                        mapping=ColumnMapping.load(str(folder / "ofds_spans.toml")))
    assert spans.new == ["OFDS-S1", "OFDS-S2"]
    assert set(filled.read("routes").set_index("route_id").loc[spans.new, "method"]) == {"open_trench"}
