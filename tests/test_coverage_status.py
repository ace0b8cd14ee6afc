"""Coverage status of a site at the edges of every threshold, and the configuration that sets them."""

from __future__ import annotations

import datetime as dt

import geopandas as gpd
import pytest
from factories import X0, Y0
from hypothesis import given, settings
from hypothesis import strategies as st
from shapely import LineString, Point

from coverage.config import load_config
from coverage.status import reason_text, site_status
from inventory.schema import CRS, LAYERS
from inventory.validation import check_frame

ROUTE = gpd.GeoDataFrame(
    {"route_id": ["R1"], "status": ["in_service"]}, geometry=[LineString([(X0, Y0), (X0 + 1000, Y0)])], crs=CRS
)


def sites(*rows: dict) -> gpd.GeoDataFrame:
    base = {"kind": "school", "name": "S", "connection": "none"}
    raw = gpd.GeoDataFrame([{**base, "site_id": f"S{i}", **row} for i, row in enumerate(rows)], geometry="geometry",
                           crs=CRS)
    typed, problems = check_frame(raw, LAYERS["sites"])
    assert not problems
    return typed


def at(dy: float) -> Point:
    return Point(X0 + 500, Y0 + dy)


@settings(max_examples=200, deadline=None)
@given(dy=st.floats(min_value=0, max_value=400, allow_nan=False))
def test_unconnected_status_follows_the_distance_thresholds(dy):
    config = load_config()
    result = site_status(sites({"geometry": at(dy)}), ROUTE, config=config).iloc[0]
    assert result["distance_to_fibre_m"] == pytest.approx(dy, abs=1e-6)
    expected = "passed" if dy <= config.status.passed_m else "near" if dy <= config.status.near_m else "gap"
    assert result["status"] == expected


@settings(max_examples=100, deadline=None)
@given(mbps=st.floats(min_value=0, max_value=20_000, allow_nan=False), symmetric=st.sampled_from([True, False, None]))
def test_connected_status_follows_bandwidth_and_symmetry(mbps, symmetric):
    row = {"connection": "connected", "bandwidth_mbps": mbps, "symmetric": symmetric, "geometry": at(3)}
    result = site_status(sites(row), ROUTE).iloc[0]
    assert result["status"] == ("gigabit" if mbps >= 1000 and symmetric is True else "connected")


def test_exact_edges_of_the_thresholds():
    table = site_status(sites(
        {"geometry": at(20.0)},
        {"geometry": at(20.001)},
        {"geometry": at(150.0)},
        {"geometry": at(150.001)},
        {"connection": "connected", "bandwidth_mbps": 1000, "symmetric": True, "geometry": at(0)},
        {"connection": "connected", "bandwidth_mbps": 999.9, "symmetric": True, "geometry": at(0)},
        {"connection": "planned", "planned_date": dt.date(2027, 8, 1), "geometry": at(900)},
    ), ROUTE)
    assert table["status"].tolist() == ["passed", "near", "near", "gap", "gigabit", "connected", "planned"]
    assert table["reason_code"].tolist() == ["passed", "near", "near", "gap", "gigabit_symmetric", "below_gigabit",
                                            "planned_on"]
    assert reason_text(table["reason_code"].iloc[6], table["reason_values"].iloc[6]) == \
        "connection planned for 2027-08-01"
    assert reason_text(table["reason_code"].iloc[3], table["reason_values"].iloc[3]) == \
        "not connected; in-service fibre 150 m away (> 150 m)"


def test_school_benchmark_counts_pupils_and_staff():
    table = site_status(sites(
        {"connection": "connected", "bandwidth_mbps": 1100, "symmetric": True, "pupils": 1000, "geometry": at(0)},
        {"connection": "connected", "bandwidth_mbps": 1000, "symmetric": True, "pupils": 1000, "geometry": at(0)},
        {"kind": "business_park", "connection": "connected", "bandwidth_mbps": 10, "geometry": at(0)},
    ), ROUTE)
    # 1000 pupils + 10 % staff = 1100 heads: 1100 Mbit/s meets 1 Mbit/s per head, 1000 Mbit/s does not
    assert table["mbps_per_head"].iloc[0] == pytest.approx(1.0)
    assert table["meets_school_benchmark"].tolist()[:2] == [True, False]
    assert table["meets_school_benchmark"].isna().iloc[2]


def test_only_in_service_fibre_counts():
    planned = ROUTE.assign(status="planned")
    result = site_status(sites({"geometry": at(5)}), planned).iloc[0]
    assert result["status"] == "gap" and result["reason_code"] == "gap_no_fibre"
    assert "no in-service fibre" in reason_text(result["reason_code"], result["reason_values"])


def test_a_user_file_overrides_some_thresholds(tmp_path, monkeypatch):
    path = tmp_path / "coverage.toml"
    path.write_text("[status]\npassed_m = 50\n")
    config = load_config(path)
    assert config.status.passed_m == 50 and config.status.near_m == 150
    assert site_status(sites({"geometry": at(40)}), ROUTE, config=config).iloc[0]["status"] == "passed"
    monkeypatch.setenv("GELSENNET_COVERAGE_CONFIG", str(path))
    assert load_config().status.passed_m == 50


@pytest.mark.parametrize("text,message", [
    ("[status]\npased_m = 50\n", "unknown key 'pased_m'"),
    ("[status]\npassed_m = 'far'\n", "expected a number, like the default 20"),
    ("[status]\npassed_m = 500\n", "passed_m <= near_m"),
    ("[status\n", "not valid TOML"),
])
def test_bad_configuration_is_named(tmp_path, text, message):
    path = tmp_path / "bad.toml"
    path.write_text(text)
    with pytest.raises(ValueError, match=message):
        load_config(path)
