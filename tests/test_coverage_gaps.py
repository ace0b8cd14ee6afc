"""Gap grid and uncovered areas on a square city with one straight route: exact answers."""

from __future__ import annotations

import geopandas as gpd
import pytest
from factories import X0, Y0
from shapely import LineString, box

from coverage.gaps import gap_grid, uncovered_areas
from inventory.schema import CRS

CITY = box(X0, Y0, X0 + 1000, Y0 + 1000)


def routes(status="in_service") -> gpd.GeoDataFrame:
    line = LineString([(X0 - 100, Y0), (X0 + 1100, Y0)])  # along the southern edge, beyond both corners
    return gpd.GeoDataFrame({"route_id": ["R"], "status": [status]}, geometry=[line], crs=CRS)


def test_grid_cells_distances_and_classes():
    grid = gap_grid(CITY, routes())
    assert len(grid) == 100 and grid.crs == CRS
    assert grid.geometry.area.round(6).eq(10_000).all()
    row = (grid.geometry.centroid.y - Y0 - 50) // 100
    assert grid["distance_m"].to_numpy() == pytest.approx((row * 100 + 50).to_numpy())
    assert grid.groupby(row)["class"].first().tolist() == ["near", "near"] + ["gap"] * 8
    # cells of the second row reach 100..200 m: 3 of the 5 sample rows (110, 130, 150) lie within 150 m
    assert grid.loc[row == 1, "covered_share"].round(6).eq(0.6).all()
    assert grid.loc[row == 0, "covered_share"].eq(1).all() and grid.loc[row >= 2, "covered_share"].eq(0).all()


def test_passed_needs_fibre_within_20_m():
    grid = gap_grid(CITY, routes(), cell_m=20)
    first_row = grid[grid.geometry.centroid.y < Y0 + 20]
    assert (first_row["class"] == "passed").all()  # centres 10 m from the route


def test_uncovered_area_is_the_city_beyond_the_drop_length():
    areas = uncovered_areas(CITY, routes())
    assert len(areas) == 1
    assert areas["area_m2"].iloc[0] == pytest.approx(1000 * 850, rel=1e-9)


def test_planned_fibre_covers_nothing():
    assert (gap_grid(CITY, routes("planned"))["class"] == "gap").all()
    assert uncovered_areas(CITY, routes("planned"))["area_m2"].sum() == pytest.approx(1e6)
