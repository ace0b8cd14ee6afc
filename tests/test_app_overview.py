"""Überblick for management (issue 15.7) and the construction site's coordinates on the Netz page (15.8):
AppTest on real GeoPackage stores, the library as the oracle."""

from __future__ import annotations

import base64
import datetime as dt
import math
import re
import urllib.parse

import pytest
from factories import X0, Y0, small_inventory
from pyproj import Transformer
from streamlit.proto.Metric_pb2 import Metric as MetricProto
from test_app import APP, html_tables, sample_gpkg  # noqa: F401 - a fixture
from test_app import run_app as run

from app_pages import data
from app_pages.figures import draw_trend, target_schools
from app_pages.i18n import column_label, fmt, t
from app_pages.logic import CARD_FIGURES, card_figures, overview_cards, ring_set_text
from coverage import ring_closure
from coverage.config import Target, load_config
from coverage.expansion import expansion_plan, plan_totals
from coverage.kpis import district_kpis
from coverage.trend import inventory_at_year_end, kpis_by_year
from inventory.schema import CRS
from inventory.stores import open_store
from inventory.summary import inventory_summary
from topology import build_network
from topology.analysis import analyse

THIS_YEAR = dt.date.today().year


def ring_closed_this_year() -> dict:
    """The small inventory with its ring closed this year: the planned route R3 built this year, and R4 in a
    trench of its own, so the school at C1 has a second path now and had none at the end of last year."""
    frames = small_inventory()
    routes = frames["routes"].copy()
    routes.loc[routes["route_id"] == "R3", ["status", "built_year", "planned_date"]] = ["in_service", THIS_YEAR, None]
    routes.loc[routes["route_id"] == "R4", "trench_id"] = "T4"
    return {**frames, "routes": routes}


@pytest.fixture
def ring_gpkg(tmp_path, monkeypatch):
    path = tmp_path / "ring.gpkg"
    open_store(path).write(ring_closed_this_year())
    monkeypatch.setenv("GELSENNET_DB", str(path))
    return path


def figures_of(frames) -> dict:
    result = analyse(build_network(frames["routes"], frames["nodes"], frames["sites"]))
    return card_figures(district_kpis(frames, redundancy=result.sites), inventory_summary(frames), result.summary())


# ---------------------------------------------------------------- cards
def test_a_fall_in_single_homed_sites_shows_as_good(ring_gpkg):
    frames = open_store(ring_gpkg).read_all()
    now, then = figures_of(frames), figures_of(inventory_at_year_end(frames, THIS_YEAR - 1))
    assert now["sites_single_homed"] < then["sites_single_homed"]  # the case: the new route closed the ring
    at = run("overview")
    metrics = {m.label: m for m in at.metric}
    for figure, label in zip(CARD_FIGURES, ("kpi.schools_gigabit", "kpi.parks", "kpi.route_km", "kpi.single_homed"),
                             strict=True):
        change = now[figure] - then[figure]
        metric = metrics[t(label)]
        assert metric.proto.delta_description == t("kpi.since", year=THIS_YEAR - 1)
        if round(change, 1) == 0:
            assert metric.delta == "0" and metric.proto.color == MetricProto.MetricColor.GRAY, figure
            continue
        good = change < 0 if figure == "sites_single_homed" else change > 0
        assert metric.proto.color == (MetricProto.MetricColor.GREEN if good else MetricProto.MetricColor.RED), figure
        assert metric.delta.startswith("-" if change < 0 else "+"), figure
    single = metrics[t("kpi.single_homed")]
    assert single.delta == f"-{then['sites_single_homed'] - now['sites_single_homed']}"
    assert single.proto.color == MetricProto.MetricColor.GREEN
    assert single.proto.direction == MetricProto.MetricDirection.DOWN
    km = metrics[t("kpi.route_km")]  # the new route: more km, and more is better
    assert km.proto.color == MetricProto.MetricColor.GREEN and km.delta.endswith(" km")


def test_each_card_colours_its_delta_by_which_way_is_better():
    frames = ring_closed_this_year()
    result = analyse(build_network(frames["routes"], frames["nodes"], frames["sites"]))
    kpis = district_kpis(frames, redundancy=result.sites)
    cards = overview_cards(kpis, inventory_summary(frames), result.summary(), plan_totals(expansion_plan(frames)),
                           before={**figures_of(inventory_at_year_end(frames, THIS_YEAR - 1)), "year": THIS_YEAR - 1})
    assert [c["delta_color"] for c in cards] == ["normal", "normal", "normal", "inverse"]
    assert cards[3]["target"] == t("kpi.to_target", n=fmt(result.summary()["sites_single_homed"]))


# ---------------------------------------------------------------- trend
def test_trend_shows_the_target_and_its_year(small_gpkg):
    frames = open_store(small_gpkg).read_all()
    target = load_config().target
    schools = int((frames["sites"]["kind"] == "school").sum())
    at = run("overview")
    url = at.get("image")[-1].proto.imgs[0].url
    head, _, body = url.partition(",")
    svg = base64.b64decode(body).decode() if head.endswith(";base64") else urllib.parse.unquote(body)
    goal = math.ceil(target.share_schools_gigabit * schools)
    assert f"Ziel {target.year}: 100 % der Schulen mit Gigabit ({goal})" in svg


def test_trend_target_line_follows_the_configuration(small_gpkg):
    from matplotlib.figure import Figure

    trend = kpis_by_year(open_store(small_gpkg).read_all())
    target = Target(year=2033, share_schools_gigabit=0.5)
    ax = Figure().add_subplot()
    draw_trend(ax, trend, target=target)
    dashed = [line for line in ax.get_lines() if line.get_linestyle() == "--"]
    assert len(dashed) == 1
    assert list(dashed[0].get_xdata())[-1] == 2033
    assert set(dashed[0].get_ydata()) == {target_schools(trend, target)} == {math.ceil(0.5 * trend["schools"].max())}
    assert ax.get_xlim()[1] >= 2033
    assert any(text.get_text().startswith("Ziel 2033: 50 %") for text in ax.texts)


# ---------------------------------------------------------------- district table
def test_district_views_together_show_every_kpi():
    frames = small_inventory()
    columns = set(district_kpis(frames).columns) - {"district_id", "level", "parent_id"}
    shown = [set(view) for view in data.DISTRICT_VIEWS.values()]
    assert set().union(*shown) == columns
    assert all(len(view) <= 11 for view in data.DISTRICT_VIEWS.values())


@pytest.mark.parametrize("view", list(data.DISTRICT_VIEWS))
def test_district_table_view_switches_the_columns(small_gpkg, view):
    at = run("overview")
    at.radio(key="kpi_view").set_value(view).run()
    assert not at.exception
    table = html_tables(at)[0]
    assert table.columns.tolist() == [column_label(c) for c in data.DISTRICT_VIEWS[view]]
    kpis = district_kpis(open_store(small_gpkg).read_all())
    assert table[column_label("name")].tolist() == kpis[kpis["level"].isin(["city", "stadtbezirk"])]["name"].tolist()


# ---------------------------------------------------------------- ring closures beside "noch … km zu bauen"
def test_route_km_card_names_the_verified_ring_closures_for_the_schools(sample_gpkg):  # noqa: F811
    """The line under "noch … km zu bauen" is the library's cheapest set for the schools, checked by
    re-analysis (coverage.ring_closure.ring_closure_plan), with the schools no proposal reaches."""
    frames = open_store(sample_gpkg).read_all()
    plan = ring_closure.ring_closure_plan(build_network(frames["routes"], frames["nodes"], frames["sites"]),
                                          kinds=("school",))
    assert plan.verified and plan.single_homed
    totals = plan.totals()
    expected = t("kpi.rings", km=fmt(totals["new_route_m"] / 1000, 1), low=fmt(totals["cost_low_eur"], 0),
                 high=fmt(totals["cost_high_eur"], 0))
    if plan.remaining:
        expected += " " + t("kpi.rings_remaining", n=fmt(len(plan.remaining), 0))
    at = run("overview")
    captions = [c.value for c in at.caption]
    assert expected in captions
    km_target = t("kpi.to_target_km", n=fmt(plan_totals(expansion_plan(frames))["new_route_km"], 1))
    assert captions.index(expected) == captions.index(km_target) + 1  # right under "noch … km zu bauen"


def test_ring_set_text_without_single_homed_schools_says_none_is_needed():
    assert ring_set_text({"single_homed": [], "remaining": [], "new_route_m": 0.0, "cost_low_eur": 0.0,
                          "cost_high_eur": 0.0}) == t("kpi.rings_none_needed")
    assert ring_set_text(None) == ""


# ---------------------------------------------------------------- construction site: the point is kept
def test_switching_the_coordinate_system_keeps_the_point(small_gpkg):
    x, y = X0 + 523.4, Y0 + 17.8
    at = run("network")
    at.checkbox(key="whatif_point").check().run()
    at.number_input(key="whatif_x").set_value(x).run()
    at.number_input(key="whatif_y").set_value(y).run()
    at.radio(key="whatif_crs").set_value("lon/lat").run()
    assert not at.exception
    lon, lat = Transformer.from_crs(CRS, "EPSG:4326", always_xy=True).transform(x, y)
    assert at.number_input(key="whatif_lon").value == pytest.approx(lon, abs=1e-6)
    assert at.number_input(key="whatif_lat").value == pytest.approx(lat, abs=1e-6)
    assert not at.warning or all("Session State" not in w.value for w in at.warning)
    at.radio(key="whatif_crs").set_value("EPSG:25832").run()
    assert not at.exception
    assert math.hypot(at.number_input(key="whatif_x").value - x, at.number_input(key="whatif_y").value - y) < 1.0


def test_a_point_entered_in_lon_lat_is_kept_in_metres(small_gpkg):
    lon, lat = 7.0861, 51.5233
    at = run("network")
    at.checkbox(key="whatif_point").check().run()
    at.radio(key="whatif_crs").set_value("lon/lat").run()
    at.number_input(key="whatif_lon").set_value(lon).run()
    at.number_input(key="whatif_lat").set_value(lat).run()
    at.radio(key="whatif_crs").set_value("EPSG:25832").run()
    x, y = Transformer.from_crs("EPSG:4326", CRS, always_xy=True).transform(lon, lat)
    assert math.hypot(at.number_input(key="whatif_x").value - x, at.number_input(key="whatif_y").value - y) < 1.0
    assert re.fullmatch(r"\d+\.\d", f"{at.number_input(key='whatif_x').value:.1f}")
