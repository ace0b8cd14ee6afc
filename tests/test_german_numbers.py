"""Numbers written the German way: `1.000` is a thousand in a file with decimal commas, and a number that
reads two ways with nothing to decide it is refused with both readings (never read as 1 silently)."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from factories import X0, Y0
from hypothesis import given, settings
from hypothesis import strategies as st

from inventory.formats.base import ReadOptions
from inventory.import_prepare import prepare
from inventory.number_text import (
    DECIMAL_COMMA,
    DECIMAL_POINT,
    AmbiguousNumber,
    number_convention,
    number_readings,
    parse_float,
    parse_int,
)
from inventory.validation import NUMBER_AMBIGUOUS

UTM = ReadOptions(crs="EPSG:25832")
HEAD = "site_id;kind;name;connection;bandwidth_mbps;pupils;symmetric;connected_since;x;y\n"


def sites_csv(tmp_path, rows: list[tuple[str, str, str]], name="sites.csv"):
    """A semicolon CSV (as German Excel writes it) of connected schools: (bandwidth, pupils, symmetric) per row."""
    lines = [
        f"S{i};school;Schule {i};connected;{bw};{pupils};{sym};01.09.2019;{X0 + i};{Y0}\n"
        for i, (bw, pupils, sym) in enumerate(rows, start=1)
    ]
    path = tmp_path / name
    path.write_text(HEAD + "".join(lines), encoding="utf-8")
    return path


def german(value: Decimal, decimals: int) -> str:
    """`value` as German Excel shows it: `1.234.567,89` (formatted by Python, then the separators swapped)."""
    english = f"{value:,.{decimals}f}"
    return english.replace(",", "_").replace(".", ",").replace("_", ".")


def test_in_a_file_with_decimal_commas_points_group_thousands(tmp_path):
    path = sites_csv(tmp_path, [("1.000", "1.234", "ja"), ("10.000", "87", "nein"), ("2,5", "1.000", "WAHR")])
    typed, _, problems = prepare(path, "sites", options=UTM)
    assert problems == []
    assert typed["bandwidth_mbps"].tolist() == [1000.0, 10000.0, 2.5]
    assert typed["pupils"].tolist() == [1234, 87, 1000]
    assert typed["symmetric"].tolist() == [True, False, True]  # ja, nein, WAHR keep working
    assert [str(d.date()) for d in typed["connected_since"]] == ["2019-09-01"] * 3  # 01.09.2019 too


@pytest.mark.parametrize("evidence", ["1.000.000", "1.234,5", "0,5"])
def test_each_kind_of_german_evidence_decides_the_file(tmp_path, evidence):
    path = sites_csv(tmp_path, [("1.000", "10", "ja"), (evidence, "20", "ja")])
    typed, _, problems = prepare(path, "sites", options=UTM)
    assert problems == []
    assert typed["bandwidth_mbps"].tolist()[0] == 1000.0


@pytest.mark.parametrize("evidence,expected", [("1,234.5", 1234.5), ("2.5", 2.5), ("1,000,000", 1000000.0)])
def test_english_evidence_makes_1_000_a_thousand_written_with_a_comma(tmp_path, evidence, expected):
    path = sites_csv(tmp_path, [("1,000", "10", "ja"), (evidence, "20", "ja")])
    typed, _, problems = prepare(path, "sites", options=UTM)
    assert problems == []
    assert typed["bandwidth_mbps"].tolist() == [1000.0, expected]


def test_without_evidence_1_000_is_refused_with_row_field_value_and_both_readings(tmp_path):
    path = sites_csv(tmp_path, [("1.000", "10", "ja"), ("10.000", "20", "ja"), ("100", "30", "ja")])
    typed, _, problems = prepare(path, "sites", options=UTM)
    assert [(p.rule, p.row, p.field, p.value) for p in problems] == [
        (NUMBER_AMBIGUOUS, "line 2", "bandwidth_mbps", "1.000"),
        (NUMBER_AMBIGUOUS, "line 3", "bandwidth_mbps", "10.000"),
    ]
    first = problems[0]
    assert first.severity == "error" and first.file == str(path)
    assert "1000 with a decimal comma" in first.expected and "1 with a decimal point" in first.expected
    assert "10000" in problems[1].expected and " 10 with a decimal point" in problems[1].expected
    assert typed["bandwidth_mbps"].tolist()[2] == 100.0  # an unambiguous number is read


def test_a_file_mixing_both_conventions_refuses_only_the_ambiguous_values_and_says_why(tmp_path):
    path = sites_csv(tmp_path, [("1,5", "10", "ja"), ("2.75", "20", "ja"), ("1.000", "30", "ja")])
    typed, _, problems = prepare(path, "sites", options=UTM)
    (p,) = problems
    assert (p.rule, p.row, p.value) == (NUMBER_AMBIGUOUS, "line 4", "1.000")
    assert "'1,5'" in p.expected and "'2.75'" in p.expected
    assert typed["bandwidth_mbps"].tolist()[:2] == [1.5, 2.75]


def test_typed_numbers_from_geojson_are_numbers_whatever_text_cells_say(tmp_path):
    features = [
        {"type": "Feature", "properties": {"site_id": f"S{i}", "kind": "school", "name": "S", "connection": "none",
                                           "bandwidth_mbps": bw, "pupils": pupils},
         "geometry": {"type": "Point", "coordinates": [X0 + i, Y0]}}
        for i, (bw, pupils) in enumerate([(1.0, 1000), (10.0, 2)])
    ]
    doc = {"type": "FeatureCollection", "features": features,
           "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::25832"}}}
    path = tmp_path / "s.geojson"
    path.write_text(json.dumps(doc))
    typed, _, problems = prepare(path, "sites")
    assert problems == []
    assert typed["bandwidth_mbps"].tolist() == [1.0, 10.0] and typed["pupils"].tolist() == [1000, 2]


def test_readings_and_evidence_of_single_texts():
    r = number_readings("1.000")
    assert (r.comma, r.point, r.ambiguous, r.evidence) == (1000.0, 1.0, True, None)
    assert number_readings("1,5").evidence == DECIMAL_COMMA
    assert number_readings("1.234.567").evidence == DECIMAL_COMMA
    assert number_readings("1,234.5").evidence == DECIMAL_POINT
    assert number_readings("0.500").evidence == DECIMAL_POINT  # no German group starts with 0
    assert number_readings("1234").evidence is None and not number_readings("1234").ambiguous
    for garbage in ("12.34.56", "1_000", "nan", "inf", "1.000,5,2", ""):
        r = number_readings(garbage)
        assert r.comma is None and r.point is None, garbage
    assert number_convention(["1.000", 2.5, "7"]) == (None, {})
    assert number_convention(["1.000", "1,5"])[0] == DECIMAL_COMMA
    assert number_convention(["1,5", "2.5"]) == (None, {DECIMAL_COMMA: "1,5", DECIMAL_POINT: "2.5"})


def test_parsers_settle_or_refuse_ambiguity():
    assert parse_int("1.000", DECIMAL_COMMA) == 1000
    assert parse_float("1.000", DECIMAL_POINT) == 1.0
    with pytest.raises(AmbiguousNumber):
        parse_float("1.000")
    with pytest.raises(ValueError):
        parse_int("1,5", DECIMAL_COMMA)
    assert parse_int("123456789012345678901") == 123456789012345678901  # exact beyond float precision


amounts = st.decimals(min_value=Decimal(0), max_value=Decimal(10) ** 9, places=2, allow_nan=False)


@given(amounts)
def test_any_number_formatted_the_german_way_reads_back_with_a_decimal_comma(value):
    for decimals in (0, 1, 2):
        text = german(value, decimals)
        expected = float(round(value, decimals))
        readings = number_readings(text)
        assert readings.comma == expected, text
        assert parse_float(text, DECIMAL_COMMA) == expected
        if decimals:  # a decimal comma is evidence; the English reading does not exist
            assert readings.evidence == DECIMAL_COMMA and readings.point is None
        else:  # a whole number reads two ways exactly when it has one group point (1.000, 12.345)
            assert readings.ambiguous == (text.count(".") == 1), text
            assert (readings.point is None) == (text.count(".") > 1), text


bandwidths = st.decimals(min_value=Decimal(0), max_value=Decimal(999_999), places=2, allow_nan=False)


@settings(max_examples=10, deadline=None)  # each example reads a real file
@given(st.lists(st.tuples(bandwidths, st.integers(min_value=0, max_value=99_999)), min_size=1, max_size=6))
def test_a_german_file_round_trips_through_the_import(tmp_path_factory, rows):
    path = sites_csv(
        tmp_path_factory.mktemp("de"),
        [(german(bw, 2), german(Decimal(pupils), 0), "ja") for bw, pupils in rows],
    )
    typed, _, problems = prepare(path, "sites", options=UTM)
    assert problems == []
    assert typed["bandwidth_mbps"].tolist() == [float(bw) for bw, _ in rows]
    assert typed["pupils"].tolist() == [pupils for _, pupils in rows]
