"""Value parsing and file reading on tiny inputs with known answers."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from inventory.formats import read_file
from inventory.formats.base import ReadOptions
from inventory.frames import parse_bool, parse_date, parse_text
from inventory.number_text import DECIMAL_POINT, parse_float, parse_int


@given(st.integers(min_value=-(10**12), max_value=10**12))
def test_int_round_trips_through_text(n):
    assert parse_int(str(n)) == n
    assert parse_int(float(n)) == n
    assert parse_int(f"{n}.0") == n


@given(st.floats(allow_nan=False, allow_infinity=False))
def test_float_round_trips_through_text(x):
    # Python's repr uses a decimal point; "1.125" alone could also be German for 1125, so say which.
    assert parse_float(repr(x), DECIMAL_POINT) == x


@pytest.mark.parametrize("bad", ["1.5", "x", "nan", "inf", True])
def test_int_rejects_non_integers(bad):
    with pytest.raises(ValueError):
        parse_int(bad)


def test_float_understands_a_german_decimal_comma_and_rejects_non_finite():
    assert parse_float("1,5") == 1.5
    with pytest.raises(ValueError):
        parse_float("1,000.5,2")
    with pytest.raises(ValueError):
        parse_float("inf")


@pytest.mark.parametrize("text,value", [("ja", True), ("Nein", False), ("true", True), ("0", False), (1, True)])
def test_bool_words(text, value):
    assert parse_bool(text) is value


@given(st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2200, 12, 31)))
def test_dates_in_iso_and_german_form(day):
    expected = pd.Timestamp(day)
    assert parse_date(day.isoformat()) == expected
    assert parse_date(day.strftime("%d.%m.%Y")) == expected
    assert parse_date(f"{day.isoformat()}T00:00:00") == expected


def test_date_with_a_time_of_day_is_rejected():
    with pytest.raises(ValueError):
        parse_date("2020-01-02T13:45:00")


def test_text_of_a_whole_float_loses_the_dot():
    assert parse_text(118928.0) == "118928"


def test_csv_with_sep_line_bom_and_lon_lat_is_reprojected(tmp_path):
    path = tmp_path / "s.csv"
    path.write_bytes("sep=;\nid;lon;lat\n118928;7,1053814;51,5289295\n".encode("utf-8-sig"))
    raw = read_file(path, "sites", ReadOptions(crs="EPSG:4326"))
    assert raw.problems == []
    assert raw.labels == ["line 3"]
    point = raw.frame.geometry.iloc[0]
    # the official UTM coordinates of that school are (368578, 5710348)
    assert abs(point.x - 368578) < 2 and abs(point.y - 5710348) < 2


def test_csv_delimiter_is_sniffed_and_line_numbers_count_quoted_newlines(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text('id\tname\tx\ty\nA\t"two\nlines"\t368000\t5710000\nB\tb\t368001\t5710001\n')
    raw = read_file(path, "nodes", ReadOptions(crs="EPSG:25832"))
    assert raw.problems == []
    assert raw.labels == ["line 2", "line 4"]
    assert list(raw.frame["name"]) == ["two\nlines", "b"]


def test_encoding_option_reads_windows_text(tmp_path):
    path = tmp_path / "w.csv"
    path.write_bytes("id,name,x,y\nA,Heßler,368000,5710000\n".encode("cp1252"))
    raw = read_file(path, "nodes", ReadOptions(crs="EPSG:25832", encoding="cp1252"))
    assert raw.problems == [] and raw.frame["name"].iloc[0] == "Heßler"
