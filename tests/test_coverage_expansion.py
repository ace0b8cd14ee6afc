"""Expansion costs on hand-made sites with exact distances."""

from __future__ import annotations

import datetime as dt

import pytest
from factories import X0, Y0, frame
from shapely import LineString, Point

from coverage.config import load_config
from coverage.expansion import expansion_plan, plan_totals


@pytest.fixture
def layers():
    return {
        "routes": frame("routes", [{"route_id": "R", "status": "in_service",
                                    "geometry": LineString([(X0, Y0), (X0 + 1000, Y0)])}]),
        "nodes": frame("nodes", [{"node_id": "BE", "kind": "building_entry", "status": "in_service",
                                  "geometry": Point(X0 + 500, Y0)}]),
        "sites": frame("sites", [
            {"site_id": "FAR", "kind": "school", "name": "far", "connection": "none", "pupils": 400,
             "geometry": Point(X0 + 200, Y0 + 100)},
            {"site_id": "SLOW", "kind": "school", "name": "slow", "connection": "connected", "pupils": 100,
             "bandwidth_mbps": 100, "symmetric": True, "handover_node_id": "BE", "geometry": Point(X0 + 500, Y0 + 8)},
            {"site_id": "FAST", "kind": "school", "name": "fast", "connection": "connected", "pupils": 100,
             "bandwidth_mbps": 1000, "symmetric": True, "handover_node_id": "BE", "geometry": Point(X0 + 500, Y0 + 9)},
            {"site_id": "PARK", "kind": "business_park", "name": "park", "connection": "planned",
             "planned_date": dt.date(2027, 1, 1), "geometry": Point(X0 + 900, Y0 - 50)},
        ]),
    }


def test_costs_follow_the_table(layers):
    config = load_config()
    plan = expansion_plan(layers, config=config).set_index("site_id")
    assert set(plan.index) == {"FAR", "SLOW", "PARK"}  # FAST is on gigabit already
    far = plan.loc["FAR"]
    assert far["new_route_m"] == pytest.approx(100 * 1.3)
    assert far["cost_eur"] == pytest.approx(130 * 120 + 2000)
    assert (far["cost_low_eur"], far["cost_high_eur"]) == pytest.approx((130 * 60 + 2000, 130 * 120 + 2000))
    assert far["cost_per_pupil_eur"] == pytest.approx((130 * 120 + 2000) / 400)
    slow = plan.loc["SLOW"]
    assert slow["fibre_at_door"] and slow["new_route_m"] == 0 and slow["cost_eur"] == 2000
    assert plan.loc["PARK", "new_route_m"] == pytest.approx(50 * 1.3)
    assert list(plan.index[:2]) == ["SLOW", "FAR"]  # cheapest per pupil first: 20 € and 44 € per pupil


def test_totals_and_a_changed_price(layers, tmp_path):
    path = tmp_path / "cost.toml"
    path.write_text("[cost]\ndetour_factor = 1.0\ndefault_method = \"drilling\"\n")
    plan = expansion_plan(layers, config=load_config(path), kinds=("school",))
    totals = plan_totals(plan)
    assert totals["schools_sites"] == 2
    assert totals["schools_new_route_km"] == pytest.approx(0.1)
    assert totals["schools_cost_eur"] == pytest.approx(100 * 90 + 2000 + 2000)


def test_an_unpriced_method_is_named(tmp_path):
    path = tmp_path / "cost.toml"
    path.write_text("[cost]\ndefault_method = \"tunnel_boring\"\n")
    with pytest.raises(ValueError, match="'tunnel_boring' have no price"):
        load_config(path)
