"""GELSEN-NET inventory: a multi-page Streamlit app for management, school IT coordinators, planners
and data stewards (German labels, English selectable).

Thin by design: every figure comes from the `inventory`, `topology` and `coverage` libraries, so the
app and the CLI agree; labels and plain-words texts live in `app_pages`. The store is $GELSENNET_DB,
else the embedded sample GeoPackage. Run: `bash scripts/run.sh` (see README).
"""

from __future__ import annotations

import pandas as pd
import pydeck as pdk
import shapely
import streamlit as st
from pyproj import Transformer

from app_pages import data
from app_pages.data import NoInventory, store_version
from app_pages.edit_page import page_edit, signed_in_editor
from app_pages.i18n import LANGUAGES, fmt, plain, t
from app_pages.logic import (
    ROUTE_COLOURS,
    STATUS_COLOURS,
    find_school,
    labelled,
    legend_html,
    problem_locations,
    ramp_colour,
    route_criticality,
    school_card,
    school_options,
    share_colour,
)
from app_pages.maps import coverage_map, make_deck, path_layer, point_layer, share_map
from app_pages.report_pdf import overview_content, render_pdf
from coverage.expansion import plan_totals
from inventory.display import path_table, point_table
from inventory.exporter import neutralise_formulas
from inventory.schema import CRS, LAYER_ORDER, LAYERS
from inventory.settings import shown_location
from inventory.stores import StoreError
from inventory.summary import inventory_summary
from topology.whatif import Failure, what_if

PAGES = ("overview", "school", "network", "quality", "inventory")
SITE_COLOURS = {"connected": [0, 140, 70], "planned": [230, 140, 0], "none": [200, 30, 30]}
NODE_COLOUR, DISTRICT_COLOUR, SITE_AREA_COLOUR = [40, 40, 40], [120, 120, 160, 25], [160, 60, 160, 60]
INVENTORY_MAP_DEFAULT = ("routes", "sites", "site_areas")  # nodes and districts on request: a lighter first map
SEVERITY_COLOURS = {"error": [200, 30, 30], "warning": [230, 140, 0], "note": [0, 92, 169]}

st.set_page_config(page_title="GELSEN-NET Inventar", layout="wide")


# ---------------------------------------------------------------- map helpers
# The maps of this run, drawn after the rest of the page (`draw_maps`). Without a GPU the browser takes a
# second or more to draw a map, and nothing else shows meanwhile: so the figures, texts and tables come
# first, and each map then fills the place kept for it.
LATE_MAPS: list = []


def place_map(chart: pdk.Deck, height: int = 550) -> None:
    """Keep `chart`'s place in the page; `draw_maps` draws it there."""
    LATE_MAPS.append((st.empty(), chart, height))


def deck(layers: list, frames: dict, tooltip: str = "{name}", height: int = 550,
         view: pdk.ViewState | None = None) -> None:
    place_map(make_deck(layers, frames, tooltip, view), height)


def draw_maps() -> None:
    """Draw this run's maps into their places, in page order."""
    for place, chart, height in LATE_MAPS:
        place.pydeck_chart(chart, height=height)
    LATE_MAPS.clear()


def csv_button(table: pd.DataFrame, name: str, lang: str, key: str) -> None:
    """A CSV download of `table`, with formula-like text cells neutralised for spreadsheets."""
    data = neutralise_formulas(table).to_csv(index=False).encode("utf-8")
    st.download_button(t("download_csv", lang), data, file_name=name, mime="text/csv", key=key)


def lines_table(geometries: list, labels: list[str], colours: list) -> pd.DataFrame:
    frame = pd.DataFrame({"name": labels, "colour": colours})
    return path_table(gpd_frame(frame, geometries))


def gpd_frame(frame: pd.DataFrame, geometries: list):
    import geopandas as gpd

    return gpd.GeoDataFrame(frame, geometry=geometries, crs=CRS)


# ---------------------------------------------------------------- pages
def legend(items: list[tuple[str, list[int]]]) -> None:
    st.html(legend_html(items))


def status_legend(lang: str) -> None:
    legend([(t(f"status.{s}", lang), c) for s, c in STATUS_COLOURS.items()]
           + [(t(f"route.{s}", lang), c) for s, c in ROUTE_COLOURS.items()])


def page_overview(location: str, version: int, frames: dict, lang: str) -> None:
    table = data.kpis(location, version)
    cards = data.cards(location, version, lang)
    for column, card in zip(st.columns(len(cards)), cards, strict=True):
        column.metric(card["label"], card["value"], card["delta"], delta_color="off", help=card["help"])

    def pdf() -> bytes:
        content = overview_content(cards, table, data.trend(location, version), lang)
        site_status = data.statuses(location, version)["status"].astype(str)
        return render_pdf(content, frames["routes"], frames["sites"], site_status)

    left, right = st.columns(2)
    with left:
        st.download_button(t("download_pdf", lang), pdf, file_name="gelsennet_ueberblick.pdf",
                           mime="application/pdf", key="overview_pdf", on_click="ignore")
    with right:
        csv_button(table, "district_kpis.csv", lang, "kpi_csv_top")

    st.subheader(t("map.coverage", lang))
    place_map(coverage_map(location, version, lang))
    status_legend(lang)

    st.subheader(t("districts", lang))
    level = st.radio(t("level", lang), ("stadtbezirk", "stadtteil"), format_func=lambda v: t(f"level.{v}", lang),
                     horizontal=True, key="kpi_level")
    st.html(data.district_table(location, version, level, lang))
    csv_button(table, "district_kpis.csv", lang, "kpi_csv")

    st.subheader(t("choropleth", lang))
    shares = share_map(location, version)
    if shares is not None:
        place_map(shares, height=450)
        legend([(t("legend.share_low", lang), share_colour(0.0)), (t("legend.share_high", lang), share_colour(1.0)),
                (t("legend.no_schools", lang), share_colour(None))])

    st.subheader(t("trend", lang))
    st.image(data.trend_svg(location, version, lang), width="stretch")


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
            st.error(t("school.unknown", lang, number=plain(number.strip())))
            return
    i = sites.index[sites["site_id"] == chosen][0]
    site = sites.loc[i]
    status = data.statuses(location, version).loc[i]
    redundancy = data.analysis_of(location, version).sites.set_index("site_id").loc[chosen]
    redundancy = {"site_id": chosen, **redundancy.to_dict()}
    expansion = data.plan(location, version)
    rows = expansion[expansion["site_id"] == chosen]
    card = school_card(site, status, redundancy, rows.iloc[0] if len(rows) else None, lang)
    st.subheader(options[chosen])
    for label, text in card.items():
        st.markdown(f"**{label}:** {text}")

    st.subheader(t("school.map", lang))
    network = data.network_of(location, version)
    pair = data.pair_of(location, version, chosen)
    if pair.found:
        geometries = [shapely.line_merge(shapely.multilinestrings(network.edge_geometry[p].tolist()))
                      for p in (pair.path_a, pair.path_b)]
        labels, colours = [t("legend.path_a", lang), t("legend.path_b", lang)], [[0, 92, 169], [230, 140, 0]]
    else:
        path = data.single_paths(location, version).set_index("site_id").geometry.get(chosen)
        geometries, labels, colours = ([path], [t("legend.path", lang)], [[200, 30, 30]]) \
            if path is not None else ([], [], [])
    layers = []
    if geometries:
        layers.append(path_layer(lines_table(geometries, labels, colours), width=4))
    point = point_table(sites.loc[[i]])
    point["colour"] = [STATUS_COLOURS[str(status["status"])]]
    layers.append(point_layer(point, radius=60))
    deck(layers, frames, view=pdk.ViewState(latitude=float(point["lat"].iloc[0]), longitude=float(point["lon"].iloc[0]),
                                            zoom=13))
    legend([*zip(labels, colours, strict=True),
            (f"{options[chosen]}: {t('status.' + str(status['status']), lang)}", point["colour"].iloc[0])])


def page_network(location: str, version: int, frames: dict, lang: str) -> None:
    network = data.network_of(location, version)
    result = data.analysis_of(location, version)
    st.subheader(t("net.criticality", lang))
    routes = data.map_table(location, version, "routes").copy()
    routes["pupils"] = route_criticality(frames["routes"], result.criticality).to_numpy()
    top = float(routes["pupils"].max()) if len(routes) else 0.0
    routes["colour"] = [ramp_colour(p, top) for p in routes["pupils"]]
    deck([path_layer(routes, width=3)], frames, "{route_id} / {trench_id}: {pupils}")
    legend([(t("legend.criticality", lang), ramp_colour(0, top)),
            (t("legend.critical_mid", lang, n=fmt(top / 2, 0, lang)), ramp_colour(top / 2, top)),
            (t("legend.critical_top", lang, n=fmt(top, 0, lang)), ramp_colour(top, top))])
    trenches = result.criticality[result.criticality["element"] == "trench"]
    st.dataframe(labelled(trenches, lang), hide_index=True, key="criticality")

    st.subheader(t("net.whatif", lang))
    left, right = st.columns(2)
    failed_trenches = left.multiselect(t("net.trenches", lang), sorted(set(network.edge_trench_id.tolist())),
                                       key="whatif_trenches", placeholder=t("choose", lang))
    failed_segments = []  # ~2,000 options: offered on request, so that the page paints sooner
    if left.checkbox(t("net.by_segment", lang), key="whatif_by_segment"):
        failed_segments = left.multiselect(t("net.segments", lang), sorted(set(network.edge_route_id.tolist())),
                                           key="whatif_segments", placeholder=t("choose", lang))
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
            st.dataframe(labelled(isolated, lang), hide_index=True, key="whatif_isolated")
        else:
            st.success(t("net.no_isolated", lang))
        detours = outcome.sites[outcome.sites["state"] == "detour"]
        if len(detours):
            st.dataframe(labelled(detours, lang), hide_index=True, key="whatif_detours")

    st.subheader(t("net.diverse", lang))
    names = dict(zip(frames["sites"]["site_id"].astype(str), frames["sites"]["name"], strict=True))
    site_id = st.selectbox(t("net.site", lang), list(names), format_func=lambda s: f"{names[s]} ({s})",
                           key="diverse_site")
    if site_id is not None:
        pair = data.pair_of(location, version, site_id)
        st.dataframe(labelled(pd.DataFrame([{
            "found": pair.found, "length_a_m": pair.length_a_m, "length_b_m": pair.length_b_m,
            "routes_a": ", ".join(pair.route_ids(network, pair.path_a)),
            "routes_b": ", ".join(pair.route_ids(network, pair.path_b)),
            "shared_trenches": ", ".join(pair.shared_trenches), "shared_trench_length_m": pair.shared_trench_length_m,
            "trench_disjoint": pair.trench_disjoint}]), lang), hide_index=True, key="diverse_table")

    st.subheader(t("net.expansion", lang))
    expansion = data.plan(location, version)
    totals = plan_totals(expansion)
    st.caption(t("net.total", lang, sites=totals["sites"], km=fmt(totals["new_route_km"], 1, lang),
                 low=fmt(totals["cost_low_eur"], 0, lang), high=fmt(totals["cost_high_eur"], 0, lang)))
    st.dataframe(labelled(expansion, lang), hide_index=True, key="expansion")
    csv_button(expansion, "expansion_plan.csv", lang, "expansion_csv")

    st.subheader(t("net.rings", lang))
    closures = data.rings(location, version)
    closures = pd.DataFrame(closures.drop(columns="geometry")).assign(sites=closures["sites"].map(", ".join))
    st.dataframe(labelled(closures, lang), hide_index=True, key="rings")
    csv_button(closures, "ring_closures.csv", lang, "rings_csv")


def page_quality(location: str, version: int, frames: dict, lang: str) -> None:
    result = data.report(location, version)
    st.subheader(t("q.summary", lang, e=result["errors"], w=result["warnings"], n=result["notes"]))
    if not result["problems"]:
        st.success(t("q.clean", lang))
        return
    st.dataframe(labelled(pd.DataFrame(result["summary"]), lang), hide_index=True, key="quality_summary")
    columns = ["severity", "layer", "rule", "row", "field", "value", "expected", "fix"]
    problems = pd.DataFrame(result["problems"])[columns].astype(str)
    st.dataframe(labelled(problems, lang), hide_index=True, key="quality_problems")
    csv_button(problems, "validation.csv", lang, "quality_csv")
    located = problem_locations(result["problems"], frames)
    if len(located):
        st.subheader(t("q.map", lang))
        points = point_table(located)
        points["colour"] = [SEVERITY_COLOURS.get(s, SEVERITY_COLOURS["note"]) for s in points["severity"]]
        routes = data.map_table(location, version, "routes").assign(colour=[[180, 180, 180]] * len(frames["routes"]))
        deck([path_layer(routes, width=1), point_layer(points, radius=30)], frames, "{rule}: {message}")
        legend([(t(f"legend.{s}", lang), c) for s, c in SEVERITY_COLOURS.items()])


def page_inventory(location: str, version: int, frames: dict, lang: str) -> None:
    summary = inventory_summary(frames)
    columns = st.columns(len(LAYER_ORDER) + 1)
    for column, name in zip(columns, LAYER_ORDER, strict=False):
        column.metric(t(f"layer.{name}", lang), fmt(summary["counts"][name], 0, lang))
    columns[-1].metric(t("kpi.route_km", lang), fmt(summary["route_km"].get("in_service", 0.0), 1, lang))
    shown = st.multiselect(t("inv.layers", lang), LAYER_ORDER, default=list(INVENTORY_MAP_DEFAULT),
                           format_func=lambda n: t(f"layer.{n}", lang), key="inv_layers",
                           placeholder=t("choose", lang))
    layers, keys = [], []
    if "districts" in shown and len(frames["districts"]):
        layers.append(pdk.Layer("PolygonLayer", data.map_table(location, version, "districts", "stadtteil"),
                                get_polygon="polygon", filled=True, get_fill_color=DISTRICT_COLOUR,
                                get_line_color=[90, 90, 130], line_width_min_pixels=1, pickable=True))
        keys.append((t("legend.district", lang), DISTRICT_COLOUR))
    if "site_areas" in shown and len(frames["site_areas"]):
        layers.append(pdk.Layer("PolygonLayer", data.map_table(location, version, "site_areas"),
                                get_polygon="polygon", get_fill_color=SITE_AREA_COLOUR,
                                get_line_color=[160, 60, 160], line_width_min_pixels=1, pickable=True))
        keys.append((t("legend.site_area", lang), SITE_AREA_COLOUR))
    if "routes" in shown and len(frames["routes"]):
        routes = data.map_table(location, version, "routes").copy()
        routes["colour"] = routes["status"].map(ROUTE_COLOURS)
        layers.append(path_layer(routes))
        keys += [(t(f"route.{s}", lang), c) for s, c in ROUTE_COLOURS.items()]
    if "nodes" in shown and len(frames["nodes"]):
        nodes = data.map_table(location, version, "nodes")
        layers.append(point_layer(nodes.assign(colour=[NODE_COLOUR] * len(nodes)), radius=12))
        keys.append((t("legend.node", lang), NODE_COLOUR))
    if "sites" in shown and len(frames["sites"]):
        sites = data.map_table(location, version, "sites").copy()
        sites["colour"] = sites["connection"].map(SITE_COLOURS)
        layers.append(point_layer(sites))
        keys += [(t(f"legend.site_{s}", lang), c) for s, c in SITE_COLOURS.items()]
    deck(layers, frames, "{label}", height=600)
    legend(keys)
    layer = st.selectbox(t("inv.table", lang), LAYER_ORDER, format_func=lambda n: t(f"layer.{n}", lang),
                         key="inv_table")
    st.caption(LAYERS[layer].description)
    st.dataframe(frames[layer].drop(columns="geometry"), hide_index=True, key="inv_dataframe")


PAGE_FUNCTIONS = {"overview": page_overview, "school": page_school, "network": page_network,
                  "quality": page_quality, "inventory": page_inventory}


# ---------------------------------------------------------------- frame of every page
lang = st.sidebar.selectbox(t("language"), list(LANGUAGES), format_func=LANGUAGES.get, key="lang")
editor = signed_in_editor(lang)  # the import and edit page exists only for a signed-in editor
page = st.sidebar.radio(t("page", lang), PAGES + (("edit",) if editor else ()),
                        format_func=lambda p: t(f"page.{p}", lang), key="page")
st.title(t("title", lang))
location = data.configured_location()
st.caption(f"{t('store', lang)}: `{shown_location(location)}`")
version = store_version(location)
try:
    with st.spinner(t("loading", lang)):
        frames = data.load(location, version)
except NoInventory as exc:
    st.error(t("store_error", lang, error=t("no_inventory", lang, location=plain(shown_location(exc.location)))))
    st.stop()
except StoreError as exc:
    st.error(t("store_error", lang, error=plain(exc)))
    st.stop()

st.warning(t("synthetic", lang))
if page not in ("inventory", "edit") and (not len(frames["sites"]) or not len(frames["routes"])):
    st.info(t("empty_store", lang))
    st.stop()
in_service_pops = (frames["nodes"]["kind"] == "pop") & (frames["nodes"]["status"] == "in_service")
if page in ("overview", "school", "network") and not in_service_pops.any():
    st.warning(t("no_pop", lang))
if page == "edit":
    page_edit(location, version, frames, lang, editor)
else:
    PAGE_FUNCTIONS[page](location, version, frames, lang)
    draw_maps()
