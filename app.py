"""GELSEN-NET inventory: a multi-page Streamlit app for management, school IT coordinators, planners
and data stewards (German labels, English selectable).

Thin by design: every figure comes from the `inventory`, `topology` and `coverage` libraries, so the
app and the CLI agree; labels and plain-words texts live in `app_pages`. The store is $GELSENNET_DB,
else the embedded sample GeoPackage. Run: `bash scripts/run.sh` (see README).
"""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
import pydeck as pdk
import shapely
import streamlit as st
from pyproj import Transformer
from streamlit.errors import StreamlitSecretNotFoundError

from app_pages.i18n import LANGUAGES, fmt, t
from app_pages.logic import (
    ROUTE_COLOURS,
    STATUS_COLOURS,
    find_school,
    overview_cards,
    problem_locations,
    ramp_colour,
    route_criticality,
    school_card,
    school_options,
    share_colour,
)
from coverage.expansion import expansion_plan, plan_totals
from coverage.kpis import district_kpis
from coverage.ring_closure import ring_closures
from coverage.status import site_status
from coverage.trend import kpis_by_year
from inventory.display import path_table, point_table, polygon_table
from inventory.report import validation_report
from inventory.schema import CRS, LAYER_ORDER, LAYERS
from inventory.settings import ENV_DB, store_location
from inventory.stores import StoreError, open_store
from inventory.summary import inventory_summary
from topology import build_network, reachability
from topology.analysis import analyse
from topology.diverse import diverse_paths
from topology.whatif import Failure, what_if

PAGES = ("overview", "school", "network", "quality", "inventory")
SITE_COLOURS = {"connected": [0, 140, 70], "planned": [230, 140, 0], "none": [200, 30, 30]}

st.set_page_config(page_title="GELSEN-NET Inventar", layout="wide")


# ---------------------------------------------------------------- cached library calls, keyed by the store
def store_version(location: str) -> int:
    """Changes when a GeoPackage file changes, so the caches follow the store (0 for PostGIS)."""
    try:
        return Path(location).stat().st_mtime_ns
    except OSError:
        return 0


@st.cache_data(show_spinner=False)
def load(location: str, version: int) -> dict:
    store = open_store(location)
    try:
        if not store.exists():
            raise StoreError(t("no_inventory", "de", location=location))
        return store.read_all()
    finally:
        store.close()


@st.cache_resource(show_spinner=False)
def network_of(location: str, version: int):
    frames = load(location, version)
    return build_network(frames["routes"], frames["nodes"], frames["sites"])


@st.cache_resource(show_spinner=False)
def analysis_of(location: str, version: int):
    return analyse(network_of(location, version))


@st.cache_data(show_spinner=False)
def statuses(location: str, version: int) -> pd.DataFrame:
    frames = load(location, version)
    return site_status(frames["sites"], frames["routes"])


@st.cache_data(show_spinner=False)
def kpis(location: str, version: int) -> pd.DataFrame:
    return district_kpis(load(location, version), redundancy=analysis_of(location, version).sites)


@st.cache_data(show_spinner=False)
def trend(location: str, version: int) -> pd.DataFrame:
    return kpis_by_year(load(location, version))


@st.cache_data(show_spinner=False)
def plan(location: str, version: int) -> pd.DataFrame:
    return expansion_plan(load(location, version))


@st.cache_data(show_spinner=False)
def rings(location: str, version: int) -> pd.DataFrame:
    return ring_closures(network_of(location, version))


@st.cache_data(show_spinner=False)
def single_paths(location: str, version: int):
    return reachability(network_of(location, version))


@st.cache_data(show_spinner=False)
def pair_of(location: str, version: int, site_id: str):
    return diverse_paths(network_of(location, version), site_id)


@st.cache_data(show_spinner=False)
def report(location: str, version: int) -> dict:
    store = open_store(location)
    try:
        return validation_report(store).to_dict()
    finally:
        store.close()


# ---------------------------------------------------------------- map helpers
def view_of(frames: dict) -> pdk.ViewState:
    for name in ("districts", "routes", "sites"):
        if len(frames[name]):
            b = frames[name].to_crs("EPSG:4326").total_bounds
            return pdk.ViewState(latitude=(b[1] + b[3]) / 2, longitude=(b[0] + b[2]) / 2, zoom=11.3)
    return pdk.ViewState(latitude=51.54, longitude=7.08, zoom=11.3)


def deck(layers: list, frames: dict, tooltip: str = "{name}", height: int = 550,
         view: pdk.ViewState | None = None) -> None:
    st.pydeck_chart(pdk.Deck(layers=layers, initial_view_state=view or view_of(frames), map_style=None,
                             tooltip={"text": tooltip}), height=height)


def path_layer(table: pd.DataFrame, colour="colour", width: int = 2) -> pdk.Layer:
    return pdk.Layer("PathLayer", table, get_path="path", get_color=colour, width_min_pixels=width, pickable=True)


def point_layer(table: pd.DataFrame, colour="colour", radius: int = 40) -> pdk.Layer:
    return pdk.Layer("ScatterplotLayer", table, get_position=["lon", "lat"], get_radius=radius,
                     radius_min_pixels=4, get_fill_color=colour, pickable=True)


def csv_button(table: pd.DataFrame, name: str, lang: str, key: str) -> None:
    st.download_button(t("download_csv", lang), table.to_csv(index=False).encode("utf-8"), file_name=name,
                       mime="text/csv", key=key)


def lines_table(geometries: list, labels: list[str], colours: list) -> pd.DataFrame:
    frame = pd.DataFrame({"name": labels, "colour": colours})
    return path_table(gpd_frame(frame, geometries))


def gpd_frame(frame: pd.DataFrame, geometries: list):
    import geopandas as gpd

    return gpd.GeoDataFrame(frame, geometry=geometries, crs=CRS)


# ---------------------------------------------------------------- pages
def page_overview(location: str, version: int, frames: dict, lang: str) -> None:
    table = kpis(location, version)
    cards = overview_cards(table, inventory_summary(frames), analysis_of(location, version).summary(),
                           plan_totals(plan(location, version)), lang)
    for column, card in zip(st.columns(len(cards)), cards, strict=True):
        column.metric(card["label"], card["value"], card["delta"], delta_color="off", help=card["help"])

    st.subheader(t("map.coverage", lang))
    routes = path_table(frames["routes"])
    routes["colour"] = routes["status"].map(ROUTE_COLOURS)
    sites = point_table(frames["sites"])
    sites["status"] = statuses(location, version)["status"].astype(str).to_numpy()
    sites["colour"] = sites["status"].map(STATUS_COLOURS)
    deck([path_layer(routes), point_layer(sites)], frames, "{name} {status}")

    st.subheader(t("districts", lang))
    level = st.radio(t("level", lang), ("stadtbezirk", "stadtteil"), format_func=lambda v: t(f"level.{v}", lang),
                     horizontal=True, key="kpi_level")
    st.dataframe(table[table["level"].isin(["city", level])], hide_index=True, key="kpi_table")
    csv_button(table, "district_kpis.csv", lang, "kpi_csv")

    st.subheader(t("choropleth", lang))
    quarters = frames["districts"][frames["districts"]["level"] == "stadtteil"]
    if len(quarters):
        polygons = polygon_table(quarters).merge(table[["district_id", "share_schools_gigabit", "schools"]],
                                                 on="district_id", how="left")
        polygons["colour"] = polygons["share_schools_gigabit"].map(share_colour)
        polygons["share"] = polygons["share_schools_gigabit"].map(lambda s: "–" if pd.isna(s) else f"{s:.0%}")
        layer = pdk.Layer("PolygonLayer", polygons, get_polygon="polygon", filled=True, get_fill_color="colour",
                          get_line_color=[80, 80, 80], line_width_min_pixels=1, pickable=True)
        deck([layer], frames, "{name}: {share}", height=450)

    st.subheader(t("trend", lang))
    years = trend(location, version)
    st.line_chart(years.set_index("year")[["schools_gigabit", "schools_connected", "business_parks_connected"]])


def page_school(location: str, version: int, frames: dict, lang: str) -> None:
    sites = frames["sites"]
    options = school_options(sites)
    if not options:
        st.info(t("school.none", lang))
        return
    chosen = st.selectbox(t("school.search", lang), list(options), format_func=options.get, key="school")
    number = st.text_input(t("school.number", lang), key="school_number")
    if number.strip():
        chosen = find_school(sites, number)
        if chosen is None:
            st.error(t("school.unknown", lang, number=number.strip()))
            return
    i = sites.index[sites["site_id"] == chosen][0]
    site = sites.loc[i]
    status = statuses(location, version).loc[i]
    redundancy = analysis_of(location, version).sites.set_index("site_id").loc[chosen]
    redundancy = {"site_id": chosen, **redundancy.to_dict()}
    expansion = plan(location, version)
    rows = expansion[expansion["site_id"] == chosen]
    card = school_card(site, status, redundancy, rows.iloc[0] if len(rows) else None, lang)
    st.subheader(options[chosen])
    for label, text in card.items():
        st.markdown(f"**{label}:** {text}")

    st.subheader(t("school.map", lang))
    network = network_of(location, version)
    pair = pair_of(location, version, chosen)
    if pair.found:
        geometries = [shapely.line_merge(shapely.multilinestrings(network.edge_geometry[p].tolist()))
                      for p in (pair.path_a, pair.path_b)]
        labels, colours = ["Weg 1" if lang != "en" else "Path 1", "Weg 2" if lang != "en" else "Path 2"], \
            [[0, 92, 169], [230, 140, 0]]
    else:
        path = single_paths(location, version).set_index("site_id").geometry.get(chosen)
        geometries, labels, colours = ([path], ["Weg" if lang != "en" else "Path"], [[200, 30, 30]]) \
            if path is not None else ([], [], [])
    layers = []
    if geometries:
        layers.append(path_layer(lines_table(geometries, labels, colours), width=4))
    point = point_table(sites.loc[[i]])
    point["colour"] = [STATUS_COLOURS[str(status["status"])]]
    layers.append(point_layer(point, radius=60))
    deck(layers, frames, view=pdk.ViewState(latitude=float(point["lat"].iloc[0]), longitude=float(point["lon"].iloc[0]),
                                            zoom=13))


def page_network(location: str, version: int, frames: dict, lang: str) -> None:
    network = network_of(location, version)
    result = analysis_of(location, version)
    st.subheader(t("net.criticality", lang))
    routes = path_table(frames["routes"])
    routes["pupils"] = route_criticality(frames["routes"], result.criticality).to_numpy()
    top = float(routes["pupils"].max()) if len(routes) else 0.0
    routes["colour"] = [ramp_colour(p, top) for p in routes["pupils"]]
    deck([path_layer(routes, width=3)], frames, "{route_id} / {trench_id}: {pupils}")
    trenches = result.criticality[result.criticality["element"] == "trench"]
    st.dataframe(trenches.assign(sites=trenches["sites"].map(", ".join)), hide_index=True, key="criticality")

    st.subheader(t("net.whatif", lang))
    left, right = st.columns(2)
    failed_trenches = left.multiselect(t("net.trenches", lang), sorted(set(network.edge_trench_id.tolist())),
                                       key="whatif_trenches")
    failed_segments = left.multiselect(t("net.segments", lang), sorted(set(network.edge_route_id.tolist())),
                                       key="whatif_segments")
    area = None
    if right.checkbox(t("net.point", lang), key="whatif_point"):
        crs = right.radio(t("net.crs", lang), ("EPSG:25832", "lon/lat"), horizontal=True, key="whatif_crs")
        centre = network.vertex_xy.mean(axis=0) if network.n_vertices else (368_000.0, 5_710_000.0)
        if crs == "lon/lat":
            lon0, lat0 = Transformer.from_crs(CRS, "EPSG:4326", always_xy=True).transform(*centre)
            lon = right.number_input("lon", value=round(float(lon0), 5), format="%.5f", key="whatif_lon")
            lat = right.number_input("lat", value=round(float(lat0), 5), format="%.5f", key="whatif_lat")
            x, y = Transformer.from_crs("EPSG:4326", CRS, always_xy=True).transform(lon, lat)
        else:
            x = right.number_input("x (EPSG:25832)", value=round(float(centre[0])), key="whatif_x")
            y = right.number_input("y (EPSG:25832)", value=round(float(centre[1])), key="whatif_y")
        radius = right.number_input(t("net.radius", lang), min_value=1.0, value=200.0, key="whatif_radius")
        area = Failure.around(float(x), float(y), float(radius)).area
    if not (failed_trenches or failed_segments or area is not None):
        st.info(t("net.nothing", lang))
    else:
        outcome = what_if(network, Failure(segments=failed_segments, trenches=failed_trenches, area=area))
        summary = outcome.summary()
        isolated = outcome.isolated()
        if len(isolated):
            st.error(t("net.isolated", lang, n=summary["isolated_sites"], p=fmt(summary["isolated_pupils"], 0, lang)))
            st.dataframe(isolated, hide_index=True, key="whatif_isolated")
        else:
            st.success(t("net.no_isolated", lang))
        detours = outcome.sites[outcome.sites["state"] == "detour"]
        if len(detours):
            st.dataframe(detours, hide_index=True, key="whatif_detours")

    st.subheader(t("net.diverse", lang))
    names = dict(zip(frames["sites"]["site_id"].astype(str), frames["sites"]["name"], strict=True))
    site_id = st.selectbox(t("net.site", lang), list(names), format_func=lambda s: f"{names[s]} ({s})",
                           key="diverse_site")
    if site_id is not None:
        pair = pair_of(location, version, site_id)
        st.dataframe(pd.DataFrame([{
            "found": pair.found, "length_a_m": pair.length_a_m, "length_b_m": pair.length_b_m,
            "routes_a": ", ".join(pair.route_ids(network, pair.path_a)),
            "routes_b": ", ".join(pair.route_ids(network, pair.path_b)),
            "shared_trenches": ", ".join(pair.shared_trenches), "shared_trench_length_m": pair.shared_trench_length_m,
            "trench_disjoint": pair.trench_disjoint}]), hide_index=True, key="diverse_table")

    st.subheader(t("net.expansion", lang))
    expansion = plan(location, version)
    totals = plan_totals(expansion)
    st.caption(t("net.total", lang, sites=totals["sites"], km=fmt(totals["new_route_km"], 1, lang),
                 low=fmt(totals["cost_low_eur"], 0, lang), high=fmt(totals["cost_high_eur"], 0, lang)))
    st.dataframe(expansion, hide_index=True, key="expansion")
    csv_button(expansion, "expansion_plan.csv", lang, "expansion_csv")

    st.subheader(t("net.rings", lang))
    closures = rings(location, version)
    closures = pd.DataFrame(closures.drop(columns="geometry")).assign(sites=closures["sites"].map(", ".join))
    st.dataframe(closures, hide_index=True, key="rings")
    csv_button(closures, "ring_closures.csv", lang, "rings_csv")


def page_quality(location: str, version: int, frames: dict, lang: str) -> None:
    result = report(location, version)
    st.subheader(t("q.summary", lang, e=result["errors"], w=result["warnings"], n=result["notes"]))
    if not result["problems"]:
        st.success(t("q.clean", lang))
        return
    st.dataframe(pd.DataFrame(result["summary"]), hide_index=True, key="quality_summary")
    columns = ["severity", "layer", "rule", "row", "field", "value", "expected", "fix"]
    problems = pd.DataFrame(result["problems"])[columns].astype(str)
    st.dataframe(problems, hide_index=True, key="quality_problems")
    csv_button(problems, "validation.csv", lang, "quality_csv")
    located = problem_locations(result["problems"], frames)
    if len(located):
        st.subheader(t("q.map", lang))
        points = point_table(located)
        points["colour"] = points["severity"].map({"error": [200, 30, 30], "warning": [230, 140, 0]}) \
            .map(lambda c: c if isinstance(c, list) else [0, 92, 169])
        routes = path_table(frames["routes"]).assign(colour=[[180, 180, 180]] * len(frames["routes"]))
        deck([path_layer(routes, width=1), point_layer(points, radius=30)], frames, "{rule}: {message}")


def page_inventory(location: str, version: int, frames: dict, lang: str) -> None:
    summary = inventory_summary(frames)
    columns = st.columns(len(LAYER_ORDER) + 1)
    for column, name in zip(columns, LAYER_ORDER, strict=False):
        column.metric(t(f"layer.{name}", lang), fmt(summary["counts"][name], 0, lang))
    columns[-1].metric(t("kpi.route_km", lang), fmt(summary["route_km"].get("in_service", 0.0), 1, lang))
    shown = st.multiselect(t("inv.layers", lang), LAYER_ORDER, default=list(LAYER_ORDER),
                           format_func=lambda n: t(f"layer.{n}", lang), key="inv_layers")
    layers = []
    if "districts" in shown and len(frames["districts"]):
        stadtteile = frames["districts"][frames["districts"]["level"] == "stadtteil"]
        layers.append(pdk.Layer("PolygonLayer", polygon_table(stadtteile), get_polygon="polygon", filled=True,
                                get_fill_color=[120, 120, 160, 25], get_line_color=[90, 90, 130],
                                line_width_min_pixels=1, pickable=True))
    if "site_areas" in shown and len(frames["site_areas"]):
        layers.append(pdk.Layer("PolygonLayer", polygon_table(frames["site_areas"]), get_polygon="polygon",
                                get_fill_color=[160, 60, 160, 60], get_line_color=[160, 60, 160],
                                line_width_min_pixels=1, pickable=True))
    if "routes" in shown and len(frames["routes"]):
        routes = path_table(frames["routes"])
        routes["colour"] = routes["status"].map(ROUTE_COLOURS)
        layers.append(path_layer(routes))
    if "nodes" in shown and len(frames["nodes"]):
        layers.append(point_layer(point_table(frames["nodes"]).assign(colour=[[40, 40, 40]] * len(frames["nodes"])),
                                  radius=12))
    if "sites" in shown and len(frames["sites"]):
        sites = point_table(frames["sites"])
        sites["colour"] = sites["connection"].map(SITE_COLOURS)
        layers.append(point_layer(sites))
    deck(layers, frames, height=600)
    layer = st.selectbox(t("inv.table", lang), LAYER_ORDER, format_func=lambda n: t(f"layer.{n}", lang),
                         key="inv_table")
    st.caption(LAYERS[layer].description)
    st.dataframe(frames[layer].drop(columns="geometry"), hide_index=True, key="inv_dataframe")


def configured_store() -> str | None:
    """The store URL or path of the app's secrets (`db = "postgresql://viewer@host/db"` in secrets.toml)."""
    try:
        return st.secrets.get("db")
    except StreamlitSecretNotFoundError:  # no secrets file: the sample
        return None


PAGE_FUNCTIONS = {"overview": page_overview, "school": page_school, "network": page_network,
                  "quality": page_quality, "inventory": page_inventory}


# ---------------------------------------------------------------- frame of every page
lang = st.sidebar.selectbox(t("language"), list(LANGUAGES), format_func=LANGUAGES.get, key="lang")
page = st.sidebar.radio(t("page", lang), PAGES, format_func=lambda p: t(f"page.{p}", lang), key="page")
st.title(t("title", lang))
location = store_location(None if os.environ.get(ENV_DB) else configured_store())
st.caption(f"{t('store', lang)}: `{location}`")
version = store_version(location)
try:
    with st.spinner(t("loading", lang)):
        frames = load(location, version)
except StoreError as exc:
    st.error(t("store_error", lang, error=exc))
    st.stop()

st.warning(t("synthetic", lang))
if page != "inventory" and (not len(frames["sites"]) or not len(frames["routes"])):
    st.info(t("empty_store", lang))
    st.stop()
in_service_pops = (frames["nodes"]["kind"] == "pop") & (frames["nodes"]["status"] == "in_service")
if page in ("overview", "school", "network") and not in_service_pops.any():
    st.warning(t("no_pop", lang))
PAGE_FUNCTIONS[page](location, version, frames, lang)
