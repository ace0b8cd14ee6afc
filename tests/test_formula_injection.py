"""Spreadsheet formula injection (OWASP "CSV injection"): refused on import, neutralised on CSV export.

- Import: text that a spreadsheet would run as a formula is refused (`formula_injection`),
  see `inventory.spreadsheet_formulas.looks_like_formula` for which text that is.
- Export: every text cell starting with =, +, -, @, tab or CR gets a leading `'`; numbers are
  never touched. The CSV reader removes exactly that quote again, so honest text such as
  "-Nord" round-trips; text that is a formula ("=cmd|...") comes back as itself and is then
  refused by the import rule, as it would be from any other file.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from factories import X0, Y0, small_inventory
from geopandas.testing import assert_geodataframe_equal
from hypothesis import given
from hypothesis import strategies as st
from shapely import Point

from inventory.cli import EXIT_DATA, main
from inventory.formats.csvtext import to_csv_frame
from inventory.schema import LAYERS, MAX_TEXT_CHARS
from inventory.spreadsheet_formulas import looks_like_formula, neutralise_cell, neutralise_formulas, unneutralise_cell
from inventory.stores import open_store
from inventory.validation import check_frame

CMD = "=cmd|' /C calc'!A0"


def inventory_with_site_names(names: dict[str, str], addresses: dict[str, str] | None = None) -> dict:
    """small_inventory() with extra schools of the given names (and addresses), written past validation."""
    frames = small_inventory()
    sites = frames["sites"]
    template = sites.iloc[[0]]
    extra = []
    for i, (site_id, name) in enumerate(names.items()):
        row = template.copy()
        row["site_id"] = site_id
        row["name"] = name
        row["address"] = (addresses or {}).get(site_id, "Hauptstr. 1")
        row["handover_node_id"] = "C2"
        row["geometry"] = gpd.GeoSeries([Point(X0 + 100 + 10 * i, Y0 + 100)], index=row.index, crs=sites.crs)
        extra.append(row)
    frames["sites"] = gpd.GeoDataFrame(pd.concat([sites, *extra], ignore_index=True), crs=sites.crs)
    return frames


@pytest.mark.parametrize(
    "text",
    [CMD, "=1+1", "@SUM(1)", "-SUM(A1:A2)", '+HYPERLINK("http://x")', "-2+3+cmd|' /C calc'!A0", "+Tabelle1!A1",
     "\t=1", "\rx"],
)
def test_formulas_are_recognised(text):
    assert looks_like_formula(text)


@pytest.mark.parametrize(
    "text", ["-Nord", "- Ost (Altstadt)", "+49 209 123456", "-", "+", "Heßler", "A=B", "Schule @ Nord", "'=x", ""]
)
def test_honest_text_is_not_a_formula(text):
    assert not looks_like_formula(text)


def test_text_rules_name_the_field_the_value_and_the_length():
    nodes = small_inventory()["nodes"].iloc[:3].copy()
    nodes["name"] = ["x" * MAX_TEXT_CHARS, "x" * (MAX_TEXT_CHARS + 1), "@SUM(1)"]
    _, problems = check_frame(nodes, LAYERS["nodes"])
    found = {(p.rule, p.row, p.field, p.value) for p in problems}
    assert found == {
        ("field_too_long", "row 2", "name", f"{MAX_TEXT_CHARS + 1:,} characters"),
        ("formula_injection", "row 3", "name", "@SUM(1)"),
    }


@given(st.text(alphabet=st.sampled_from("'=+-@\t\rab ,\"\n"), max_size=8))
def test_the_reader_undoes_exactly_what_the_exporter_adds(text):
    assert unneutralise_cell(neutralise_cell(text)) == text


def test_neutralise_formulas_touches_text_cells_only():
    table = pd.DataFrame(
        {
            "name": pd.Series([CMD, "-Nord", None, "ok", "'=x"], dtype="string"),
            "mixed": pd.Series(["@x", -1, None, 2.5, "+Plus"], dtype=object),
            "delta": [-1, 2, -3, 4, -5],
            "ratio": [-0.5, 1.0, float("nan"), 2.0, -3.0],
        }
    )
    out = neutralise_formulas(table)
    assert out["name"].tolist() == ["'" + CMD, "'-Nord", pd.NA, "ok", "''=x"]
    assert out["mixed"].tolist()[:2] == ["'@x", -1] and out["mixed"].tolist()[3:] == [2.5, "'+Plus"]
    assert out["delta"].equals(table["delta"]) and out["ratio"].equals(table["ratio"])
    assert (out.dtypes == table.dtypes).all()
    assert table["name"].iloc[0] == CMD  # the input is not modified


def test_to_csv_frame_neutralises_and_keeps_the_wkt_and_numbers():
    sites = inventory_with_site_names({"S-1": "-Nord"})["sites"]
    table = to_csv_frame(sites)
    assert table.loc[table.site_id == "S-1", "name"].item() == "'-Nord"
    assert table["wkt"].str.startswith("POINT").all()
    assert table["pupils"].equals(sites["pupils"])


def test_csv_export_neutralises_formulas_in_both_stores(store, tmp_path):
    store.write(inventory_with_site_names({"S-CMD": CMD, "S-NORD": "-Nord", "S-SUM": "@SUM(1)"}, {"S-NORD": "@home"}))
    out = tmp_path / "export"
    assert main(["export", str(out), "--db", store.url, "--format", "csv"]) == 0

    text = (out / "sites.csv").read_text(encoding="utf-8")
    assert ",'=cmd|' /C calc'!A0," in text and ",'-Nord,'@home," in text and ",'@SUM(1)," in text
    for name in LAYERS:
        with open(out / f"{name}.csv", newline="", encoding="utf-8") as handle:
            cells = [cell for row in csv.reader(handle) for cell in row]
        assert not [cell for cell in cells if cell[:1] in ("=", "+", "-", "@", "\t", "\r")], name
    rows = {row["site_id"]: row for row in csv.DictReader(text.splitlines())}
    assert rows["118928"]["pupils"] == "430" and rows["118928"]["name"] == "Städt. Gem. Grundschule"


def test_csv_export_then_import_refuses_the_formulas_and_names_them(store, tmp_path, capsys):
    store.write(inventory_with_site_names({"S-CMD": CMD, "S-NORD": "-Nord", "S-SUM": "@SUM(1)"}))
    out = tmp_path / "sites.csv"
    assert main(["export", str(out), "--db", store.url, "--layer", "sites"]) == 0
    capsys.readouterr()
    lines = out.read_text(encoding="utf-8").splitlines()
    line_of = {line.split(",")[0]: f"line {i + 1}" for i, line in enumerate(lines)}

    code = main(["import", "sites", str(out), "--db", store.url, "--crs", "EPSG:25832", "--json"])

    assert code == EXIT_DATA
    problems = json.loads(capsys.readouterr().out)["problems"]
    assert {(p["rule"], p["row"], p["field"], p["value"]) for p in problems} == {
        ("formula_injection", line_of["S-CMD"], "name", CMD),
        ("formula_injection", line_of["S-SUM"], "name", "@SUM(1)"),
    }


def test_csv_round_trip_keeps_honest_text_that_starts_like_a_formula(store, tmp_path):
    names = {"S-NORD": "-Nord", "S-OST": "- Ost (Altstadt)", "S-PLUS": "+Plus Schule", "S-QUOTE": "'-Zitat"}
    store.write(inventory_with_site_names(names, {"S-PLUS": "+49 209 123456"}))
    out = tmp_path / "sites.csv"
    assert main(["export", str(out), "--db", store.url, "--layer", "sites"]) == 0
    assert ",'-Nord," in out.read_text(encoding="utf-8") and ",''-Zitat," in out.read_text(encoding="utf-8")

    again = open_store(tmp_path / "again.gpkg")
    frames = small_inventory()
    again.write({**frames, "sites": store.read("sites").iloc[:0]})
    assert main(["import", "sites", str(out), "--db", str(again.url), "--crs", "EPSG:25832"]) == 0

    assert_geodataframe_equal(again.read("sites"), store.read("sites"))
    assert set(names.values()) <= set(again.read("sites")["name"])


def test_coverage_table_export_is_neutralised(tmp_path):
    from coverage.layers import export_tables

    table = gpd.GeoDataFrame(
        {"site": ["-Nord", "=1+1"], "cost_eur": [-5.0, 10.0]}, geometry=[Point(X0, Y0), Point(X0, Y0)], crs=25832
    )
    (written,) = export_tables({"expansion": table}, str(tmp_path / "plan"))
    lines = Path(written).read_text(encoding="utf-8").splitlines()
    assert lines[1].startswith("'-Nord,-5.0,") and lines[2].startswith("'=1+1,10.0,")


@given(st.text(alphabet=st.sampled_from("=+-@\t\r(|!$AZaz19 '"), min_size=1, max_size=10))
def test_what_import_refuses_as_a_formula_export_quotes(text):
    """One rule, two uses: every text the import refuses as a formula, the CSV export writes quoted."""
    if looks_like_formula(text):
        assert neutralise_cell(text) == "'" + text
