"""Premises status (coverage/premises.py): exact distances and threshold edges, and a naive oracle."""

from __future__ import annotations

from unittest import mock

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from factories import X0, Y0
from hypothesis import given, settings
from hypothesis import strategies as st
from shapely import LineString, MultiLineString, Point, Polygon

from coverage import premises
from coverage.config import load_config
from coverage.premises import premises_status
from inventory.schema import CRS


def routes(*rows: tuple[str, object]) -> gpd.GeoDataFrame:
    """(status, geometry) per route."""
    return gpd.GeoDataFrame(
        {"route_id": [f"R{i}" for i in range(len(rows))], "status": [s for s, _ in rows]},
        geometry=[g for _, g in rows],
        crs=CRS,
    )


STRAIGHT = routes(("in_service", LineString([(X0, Y0), (X0 + 1000, Y0)])))


def test_distances_to_a_straight_route_are_exact():
    points = [
        (X0 + 500, Y0),  # on the route
        (X0 + 500, Y0 + 7.5),  # beside it
        (X0 + 500, Y0 - 30),  # the other side
        (X0 + 1030, Y0),  # beyond the end: distance to the end point
        (X0 - 3, Y0 - 4),  # before the start, diagonally: 5
        (X0 + 250, Y0 + 400),  # far: the true distance, not a cap
    ]
    result = premises_status(np.array(points), STRAIGHT)
    assert result["distance_m"].tolist() == pytest.approx([0, 7.5, 30, 30, 5, 400], abs=1e-9)
    assert result["status"].tolist() == ["passed", "passed", "near", "near", "passed", "gap"]
    assert list(result.columns) == ["distance_m", "status"]
    assert list(result["status"].cat.categories) == ["passed", "near", "gap"]


@pytest.mark.parametrize(
    ("dy", "expected"),
    [(20, "passed"), (20.000001, "near"), (19.999999, "passed"), (150, "near"), (150.000001, "gap"),
     (149.999999, "near")],
)
def test_threshold_edges_are_inclusive(dy, expected):
    result = premises_status(np.array([[X0 + 500, Y0 + dy], [X0 + 500, Y0 - dy]]), STRAIGHT)
    assert result["status"].tolist() == [expected, expected]
    assert result["distance_m"].tolist() == pytest.approx([dy, dy], abs=1e-9)


def test_thresholds_come_from_the_configuration(tmp_path):
    path = tmp_path / "coverage.toml"
    path.write_text("[status]\npassed_m = 5\nnear_m = 50\n")
    config = load_config(path)
    result = premises_status(np.array([[X0 + 9, Y0 + 5], [X0 + 9, Y0 + 6], [X0 + 9, Y0 + 50], [X0 + 9, Y0 + 51]]),
                             STRAIGHT, config=config)
    assert result["status"].tolist() == ["passed", "near", "near", "gap"]


def test_planned_and_retired_routes_are_ignored():
    layer = routes(
        ("planned", LineString([(X0, Y0 + 100), (X0 + 1000, Y0 + 100)])),  # right through the point
        ("in_service", LineString([(X0, Y0), (X0 + 1000, Y0)])),
        ("retired", LineString([(X0 + 500, Y0 + 90), (X0 + 500, Y0 + 110)])),
    )
    result = premises_status(np.array([[X0 + 500, Y0 + 100]]), layer)
    assert result["distance_m"].tolist() == pytest.approx([100])
    assert result["status"].tolist() == ["near"]


@pytest.mark.parametrize(
    "layer",
    [routes(), routes(("planned", LineString([(X0, Y0), (X0 + 1000, Y0)])))],
    ids=["no routes", "only planned routes"],
)
def test_without_in_service_routes_everything_is_a_gap(layer):
    result = premises_status(np.array([[X0, Y0], [X0 + 5, Y0 + 5]]), layer)
    assert result["distance_m"].isna().all()
    assert result["status"].tolist() == ["gap", "gap"]


def test_bent_and_multipart_routes():
    layer = routes(
        ("in_service", LineString([(X0, Y0), (X0 + 100, Y0), (X0 + 100, Y0 + 100)])),
        # the gap between the parts is not a segment: (X0 + 500, Y0 + 3) is 30 m from the nearest end
        ("in_service", MultiLineString([[(X0 + 300, Y0), (X0 + 470, Y0)], [(X0 + 530, Y0), (X0 + 700, Y0)]])),
    )
    result = premises_status(np.array([[X0 + 110, Y0 + 50], [X0 + 50, Y0 + 60], [X0 + 500, Y0]]), layer)
    assert result["distance_m"].tolist() == pytest.approx([10, 50, 30])
    assert result["status"].tolist() == ["passed", "near", "near"]


def test_input_forms_agree_and_a_geoseries_keeps_its_index():
    xy = np.array([[X0 + 10, Y0 + 10], [X0 + 10, Y0 + 100], [X0 + 10, Y0 + 1000]])
    series = gpd.GeoSeries(shapely.points(xy), index=["a", "b", "c"], crs=CRS)
    by_series = premises_status(series, STRAIGHT)
    assert list(by_series.index) == ["a", "b", "c"]
    for other in (xy, shapely.points(xy), list(shapely.points(xy)), xy.tolist()):
        pd.testing.assert_frame_equal(premises_status(other, STRAIGHT), by_series.reset_index(drop=True))
    assert by_series["status"].tolist() == ["passed", "near", "gap"]
    assert len(premises_status(np.zeros((0, 2)), STRAIGHT)) == 0


@pytest.mark.parametrize(
    ("points", "message"),
    [
        (gpd.GeoSeries([Point(X0, Y0), None], crs=CRS), "not non-empty Points"),
        ([Point(X0, Y0), Polygon([(X0, Y0), (X0 + 1, Y0), (X0, Y0 + 1)])], "not non-empty Points"),
        ([Point()], "not non-empty Points"),
        (np.zeros((3, 3)), r"\(n, 2\)"),
        (np.array([[X0, np.nan]]), "NaN"),
        (gpd.GeoSeries([Point(7.1, 51.5)], crs="EPSG:4326"), "reproject"),
    ],
)
def test_bad_points_are_refused(points, message):
    with pytest.raises(ValueError, match=message):
        premises_status(points, STRAIGHT)


def naive(point: Point, layer: gpd.GeoDataFrame) -> float:
    lines = layer.geometry[layer["status"] == "in_service"]
    return min((point.distance(line) for line in lines), default=float("inf"))


coordinate = st.floats(min_value=-300, max_value=300, allow_nan=False).map(lambda v: round(v, 3))
line = st.lists(st.tuples(coordinate, coordinate), min_size=2, max_size=5)  # repeated vertices allowed
route_rows = st.lists(st.tuples(st.sampled_from(["in_service", "in_service", "planned"]), line), max_size=6)


@settings(max_examples=200, deadline=None)
@given(rows=route_rows, xy=st.lists(st.tuples(coordinate, coordinate), min_size=1, max_size=25),
       chunk=st.sampled_from([1, 3, 100_000]))
def test_against_a_naive_oracle(rows, xy, chunk):
    layer = routes(*[(s, LineString([(X0 + x, Y0 + y) for x, y in coords])) for s, coords in rows])
    points = np.array([(X0 + x, Y0 + y) for x, y in xy])
    with mock.patch.object(premises, "CHUNK", chunk):
        result = premises_status(points, layer)
    t = load_config().status
    for (x, y), distance, status in zip(points, result["distance_m"], result["status"], strict=True):
        expected = naive(Point(x, y), layer)
        if np.isinf(expected):
            assert np.isnan(distance) and status == "gap"
            continue
        assert distance == pytest.approx(expected, abs=1e-9)
        if min(abs(expected - t.passed_m), abs(expected - t.near_m)) > 1e-9:
            assert status == ("passed" if expected <= t.passed_m else "near" if expected <= t.near_m else "gap")
