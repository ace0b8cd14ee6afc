"""District KPIs and business-park coverage on hand-made layers with exact areas and lengths."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from factories import X0, Y0, frame
from shapely import LineString, MultiPolygon, Point, box

from coverage.kpis import CITY_ID, district_kpis
from coverage.parks import park_coverage


def route(rid: str, coords, status="in_service") -> dict:
    return {"route_id": rid, "status": status, "geometry": LineString([(X0 + x, Y0 + y) for x, y in coords])}


def school(sid, x, y, **kw) -> dict:
    return {"site_id": sid, "kind": "school", "name": sid, "connection": "none", "geometry": Point(X0 + x, Y0 + y), **kw}


def square(x0, y0, x1, y1) -> MultiPolygon:
    return MultiPolygon([box(X0 + x0, Y0 + y0, X0 + x1, Y0 + y1)])


@pytest.fixture
def layers():
    gig = {"connection": "connected", "bandwidth_mbps": 1000, "symmetric": True}
    return {
        "routes": frame("routes", [route("R1", [(0, 500), (2000, 500)]), route("P1", [(0, 900), (2000, 900)], "planned")]),
        "sites": frame("sites", [
            school("A1", 100, 100, pupils=300, **gig),
            school("A2", 200, 100, pupils=100, connection="connected", bandwidth_mbps=100, symmetric=True),
            school("B1", 1500, 100, pupils=50, connection="planned", planned_date=dt.date(2027, 1, 1)),
            {"site_id": "PARK", "kind": "business_park", "name": "Park", "connection": "none",
             "geometry": Point(X0 + 1100, Y0 + 600)},
        ]),
        "site_areas": frame("site_areas", [{"site_id": "PARK", "geometry": square(1000, 550, 1200, 750)}]),
        "districts": frame("districts", [
            {"district_id": "SB", "name": "Bezirk", "level": "stadtbezirk", "geometry": square(0, 0, 2000, 1000)},
            {"district_id": "ST-A", "name": "A", "level": "stadtteil", "parent_id": "SB", "geometry": square(0, 0, 1000, 1000)},
            {"district_id": "ST-B", "name": "B", "level": "stadtteil", "parent_id": "SB", "geometry": square(1000, 0, 2000, 1000)},
        ]),
    }


def test_park_coverage_is_the_area_within_the_drop_length(layers):
    # the park spans y = 550..750 above the route at y = 500: within 150 m lies y = 550..650, half of it
    result = park_coverage(layers["site_areas"], layers["routes"]).iloc[0]
    assert result["area_m2"] == pytest.approx(40_000)
    assert result["covered_m2"] == pytest.approx(20_000, rel=1e-6)
    assert result["covered_share"] == pytest.approx(0.5, rel=1e-6) and not result["covered"]


def test_kpis_per_district_and_city(layers):
    kpis = district_kpis(layers).set_index("district_id")
    a, b, city = kpis.loc["ST-A"], kpis.loc["ST-B"], kpis.loc[CITY_ID]
    assert (a["schools"], a["schools_gigabit"], a["schools_connected"]) == (2, 1, 1)
    assert a["share_schools_gigabit"] == 0.5
    assert (a["pupils"], a["pupils_gigabit"]) == (400, 300) and a["share_pupils_gigabit"] == 0.75
    assert (b["schools"], b["schools_planned"], b["business_parks"]) == (1, 1, 1)
    assert b["share_park_area_covered"] == pytest.approx(0.5, rel=1e-6)
    assert pd.isna(a["share_park_area_covered"])  # no park there: no share, not 0 %
    assert a["area_km2"] == pytest.approx(1.0) and city["area_km2"] == pytest.approx(2.0)
    assert a["route_km"] == pytest.approx(1.0) and city["route_km"] == pytest.approx(2.0)  # planned P1 left out
    assert city["route_km_per_km2"] == pytest.approx(1.0)
    assert (city["schools"], city["schools_gigabit"], city["schools_to_target"]) == (3, 1, 2)
    assert city["business_parks_to_target"] == 1
    assert kpis.loc["SB", "schools"] == city["schools"]
    assert pd.isna(city["sites_single_homed"])  # not given without the topology table


def test_single_homed_sites_come_from_the_topology_table(layers):
    redundancy = pd.DataFrame({"site_id": ["A1", "A2", "B1"], "reachable": [True, True, False],
                               "redundant": [False, True, False]})
    kpis = district_kpis(layers, redundancy=redundancy).set_index("district_id")
    assert kpis.loc["ST-A", "sites_single_homed"] == 1 and kpis.loc["ST-B", "sites_single_homed"] == 0


def test_kpis_by_year_follow_the_recorded_dates():
    from coverage.trend import kpis_by_year

    gig = {"connection": "connected", "bandwidth_mbps": 1000, "symmetric": True}
    layers = {
        "sites": frame("sites", [
            school("OLD", 0, 0, pupils=100, connected_since=dt.date(2018, 8, 1), **gig),
            school("SLOW", 0, 0, pupils=50, connected_since=dt.date(2016, 1, 1), connection="connected",
                   bandwidth_mbps=100, symmetric=True),
            school("NEW", 0, 0, pupils=10, connection="planned", planned_date=dt.date(2028, 3, 1)),
        ]),
        "routes": frame("routes", [
            {**route("R1", [(0, 0), (1000, 0)]), "built_year": 2017},
            {**route("R2", [(0, 0), (0, 500)], "planned"), "planned_date": dt.date(2028, 1, 1)},
            {**route("R3", [(0, 0), (0, 250)], "retired"), "built_year": 2000},
        ]),
    }
    trend = kpis_by_year(layers, today=dt.date(2026, 11, 26)).set_index("year")
    assert list(trend.index) == list(range(2016, 2029))
    assert trend.loc[2026, "kind"] == "actual" and trend.loc[2027, "kind"] == "planned"
    assert trend["schools_connected"].to_dict() == {**dict.fromkeys(range(2016, 2018), 1),
                                                    **dict.fromkeys(range(2018, 2028), 2), 2028: 3}
    assert trend.loc[2017, "schools_gigabit"] == 0 and trend.loc[2018, "schools_gigabit"] == 1
    assert trend.loc[2028, "schools_gigabit"] == 2 and trend.loc[2028, "pupils_gigabit"] == 110
    assert trend.loc[2016, "route_km"] == 0 and trend.loc[2017, "route_km"] == pytest.approx(1.0)
    assert trend.loc[2028, "route_km"] == pytest.approx(1.5)  # the retired route never counts
