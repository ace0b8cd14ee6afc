"""GELSEN-NET inventory: a multi-page Streamlit app for management, school IT coordinators, planners
and data stewards (German labels, English selectable).

Thin by design: every figure comes from the `inventory`, `topology` and `coverage` libraries, so the
app and the CLI agree; labels and plain-words texts live in `app_pages`. The store is $GELSENNET_DB,
else the embedded sample GeoPackage. Run: `bash scripts/run.sh` (see README).
"""

from __future__ import annotations

import pandas as pd
import pydeck as pdk
import streamlit as st
from pyproj import Transformer

from app_pages import data
from app_pages.data import NoInventory, store_version
from app_pages.edit_page import page_edit, signed_in_editor
from app_pages.i18n import LANGUAGES, MAP_KEY, code_span, fmt, pair_kind_label, plain, rule_label, t
from app_pages.logic import (
    ROUTE_COLOURS,
    STATUS_COLOURS,
    find_school,
    labelled,
    legend_html,
    natural_key,
    school_card,
    school_options,
    share_colour,
    table_html,
)
from app_pages.map_picture import picture_of
from app_pages.maps import (
    BASEMAPS,
    HEIGHT_PX,
    INVENTORY_HEIGHT_PX,
    INVENTORY_MAP_DEFAULT,
    SHARE_HEIGHT_PX,
    basemap_style,
    coverage_map,
    criticality_map,
    inventory_map,
    picked_routes,
    quality_map,
    school_map,
    share_map,
    whatif_map,
    with_basemap,
)
from app_pages.report_pdf import overview_content, render_pdf
from coverage.expansion import plan_totals
from inventory.exporter import neutralise_formulas
from inventory.schema import CRS, LAYER_ORDER, LAYERS
from inventory.settings import shown_location
from inventory.stores import StoreError
from inventory.summary import inventory_summary
from topology.parallel import PARALLEL_DISTANCE_M

PAGES = ("overview", "school", "network", "quality", "inventory")

st.set_page_config(page_title="GELSEN-NET Inventar", layout="wide")


# ---------------------------------------------------------------- map helpers
# The maps of this run, drawn after the rest of the page (`draw_maps`): figures, texts and tables come first,
# and each map then fills the place kept for it. By default a map is a still picture drawn on the server
# (`map_picture`); the sidebar switch makes them interactive deck.gl maps (zoom, tooltips), which a
# computer without a graphics card draws on its CPU: a second or more per map (benchmarks/APP.md).
LATE_MAPS: list = []
PICK_KEY = "criticality_pick"  # the Netz page's interactive map: the routes picked on it
INTERACTIVE_KEY = "interactive_maps"  # the sidebar switch for interactive maps


def place_map(chart: pdk.Deck, height: int = HEIGHT_PX, pick_key: str | None = None) -> None:
    """Keep `chart`'s place in the page; `draw_maps` draws it there. `pick_key`: on the interactive map, a
    click picks objects (shift-click more), kept in st.session_state[pick_key]."""
    LATE_MAPS.append((st.empty(), chart, height, pick_key))


def draw_maps(interactive: bool, lang: str) -> None:
    """Draw this run's maps into their places, in page order: interactive (over the basemap, if one is set),
    or as still pictures."""
    style = None
    if interactive and LATE_MAPS:
        setting = data.configured_basemap()
        try:
            style = basemap_style(setting)
        except ValueError:
            st.sidebar.warning(t("basemap.unknown", lang, value=plain(setting), choices=", ".join(BASEMAPS)))
    for n, (place, chart, height, pick_key) in enumerate(LATE_MAPS, start=1):
        chart = with_basemap(chart, style) if style else chart
        with place.container(key=f"{MAP_KEY}{n}"):
            if interactive and pick_key:
                st.pydeck_chart(chart, height=height, on_select="rerun", selection_mode="multi-object", key=pick_key)
            elif interactive:
                st.pydeck_chart(chart, height=height)
            else:
                st.image(picture_of(chart, height))  # its own size, at most the page's width
                st.caption(t("maps.picture", lang))
    LATE_MAPS.clear()


def csv_button(table: pd.DataFrame, name: str, lang: str, key: str) -> None:
    """A CSV download of `table`, with formula-like text cells neutralised for spreadsheets."""
    data = neutralise_formulas(table).to_csv(index=False).encode("utf-8")
    st.download_button(t("download_csv", lang), data, file_name=name, mime="text/csv", key=key)


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
        place_map(shares, height=SHARE_HEIGHT_PX)
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
    st.subheader(plain(options[chosen]))  # data: shown literally, never as Markdown
    for label, text in card.items():
        st.markdown(f"**{plain(label)}:** {plain(text)}")

    st.subheader(t("school.map", lang))
    chart, keys = school_map(location, version, chosen, lang)
    place_map(chart)
    legend(keys)


def page_network(location: str, version: int, frames: dict, lang: str) -> None:
    network = data.network_of(location, version)
    result = data.analysis_of(location, version)
    st.subheader(t("net.criticality", lang))
    chart, keys = criticality_map(location, version, lang)
    place_map(chart, pick_key=PICK_KEY)
    legend(keys)
    interactive = st.session_state.get(INTERACTIVE_KEY, False)
    picked = picked_routes(st.session_state.get(PICK_KEY)) if interactive else []
    if interactive:
        st.caption(t("net.pick", lang))
    trenches = result.criticality[result.criticality["element"] == "trench"]
    st.dataframe(labelled(trenches, lang), hide_index=True, key="criticality")
    possibly_one_trench(result, lang)

    st.subheader(t("net.whatif", lang))
    left, right = st.columns(2)
    failed_trenches = left.multiselect(t("net.trenches", lang),
                                       sorted(set(network.edge_trench_id.tolist()), key=natural_key),
                                       key="whatif_trenches", placeholder=t("choose", lang))
    failed_segments = []  # ~2,000 options: offered on request, so that the page paints sooner
    if left.checkbox(t("net.by_segment", lang), key="whatif_by_segment"):
        failed_segments = left.multiselect(t("net.segments", lang),
                                           sorted(set(network.edge_route_id.tolist()), key=natural_key),
                                           key="whatif_segments", placeholder=t("choose", lang))
    site = None
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
        site = (float(x), float(y), float(radius))
    if picked:
        in_service = set(network.edge_route_id.tolist())  # a planned or retired route cannot fail
        left.caption(t("net.picked", lang, routes=plain(", ".join(picked))))
        if idle := [r for r in picked if r not in in_service]:
            left.caption(t("net.picked_idle", lang, routes=plain(", ".join(idle))))
        failed_segments = sorted({*failed_segments, *(r for r in picked if r in in_service)})
    if not (failed_trenches or failed_segments or site is not None):
        st.info(t("net.nothing", lang))
    else:
        choice = (location, version, tuple(failed_segments), tuple(failed_trenches), site)
        outcome = data.what_if_of(*choice)
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
        chart, keys = whatif_map(*choice, lang)
        place_map(chart)
        legend(keys)

    st.subheader(t("net.diverse", lang))
    names = dict(sorted(zip(frames["sites"]["site_id"].astype(str), frames["sites"]["name"], strict=True),
                        key=lambda item: (natural_key(item[1]), natural_key(item[0]))))
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

    st.subheader(t("net.export", lang))
    st.download_button(t("net.gpkg", lang), lambda: data.network_gpkg(location, version),
                       file_name="gelsennet_netzanalyse_synthetisch.gpkg", mime="application/geopackage+sqlite3",
                       key="network_gpkg", on_click="ignore", help=t("net.gpkg_help", lang))


def possibly_one_trench(result, lang: str) -> None:
    """The pairs of routes that are possibly one trench, and the sites whose redundancy rests on them."""
    pairs = result.possibly_one_trench
    if not len(pairs):
        return
    st.subheader(t("net.one_trench", lang, n=len(pairs)))
    st.caption(t("net.one_trench_help", lang, m=fmt(PARALLEL_DISTANCE_M, 0, lang)))
    shown = pairs.rename(columns={"share": "share_side_by_side", "length_a_m": "route_length_m",
                                  "distance_m": "max_distance_m"})
    shown["kind"] = shown["kind"].map(lambda kind: pair_kind_label(kind, lang))
    st.html(table_html(shown, lang))
    review = result.for_review()
    if len(review):
        st.subheader(t("net.review", lang, n=len(review)))
        st.caption(t("net.review_help", lang))
        st.dataframe(labelled(review[["site_id", "name", "pupils", "redundant", "review_trenches"]], lang),
                     hide_index=True, key="for_review")


def page_quality(location: str, version: int, frames: dict, lang: str) -> None:
    result = data.report(location, version)
    st.subheader(t("q.summary", lang, e=result["errors"], w=result["warnings"], n=result["notes"]))
    if not result["problems"]:
        st.success(t("q.clean", lang))
        return
    st.dataframe(labelled(pd.DataFrame(result["summary"]), lang), hide_index=True, key="quality_summary")
    columns = ["severity", "layer", "rule", "rule_text", "row", "field", "value", "expected", "fix"]
    problems = pd.DataFrame(result["problems"])
    problems["rule_text"] = problems["rule"].map(lambda rule: rule_label(rule, lang))
    problems = problems[columns].astype(str)
    st.dataframe(labelled(problems, lang), hide_index=True, key="quality_problems")
    csv_button(problems, "validation.csv", lang, "quality_csv")
    located = quality_map(location, version, lang)
    if located is not None:
        st.subheader(t("q.map", lang))
        chart, keys = located
        place_map(chart)
        legend(keys)


def page_inventory(location: str, version: int, frames: dict, lang: str) -> None:
    summary = inventory_summary(frames)
    columns = st.columns(len(LAYER_ORDER) + 1)
    for column, name in zip(columns, LAYER_ORDER, strict=False):
        column.metric(t(f"layer.{name}", lang), fmt(summary["counts"][name], 0, lang))
    columns[-1].metric(t("kpi.route_km", lang), fmt(summary["route_km"].get("in_service", 0.0), 1, lang))
    shown = st.multiselect(t("inv.layers", lang), LAYER_ORDER, default=list(INVENTORY_MAP_DEFAULT),
                           format_func=lambda n: t(f"layer.{n}", lang), key="inv_layers",
                           placeholder=t("choose", lang))
    chart, keys = inventory_map(location, version, tuple(shown), lang)
    place_map(chart, height=INVENTORY_HEIGHT_PX)
    legend(keys)
    layer = st.selectbox(t("inv.table", lang), LAYER_ORDER, format_func=lambda n: t(f"layer.{n}", lang),
                         key="inv_table")
    st.caption(LAYERS[layer].description)
    st.dataframe(frames[layer].drop(columns="geometry"), hide_index=True, key="inv_dataframe")


PAGE_FUNCTIONS = {"overview": page_overview, "school": page_school, "network": page_network,
                  "quality": page_quality, "inventory": page_inventory}


# ---------------------------------------------------------------- frame of every page
lang = st.sidebar.radio(t("language"), list(LANGUAGES), format_func=LANGUAGES.get, key="lang", horizontal=True)
editor = signed_in_editor(lang)  # the import and edit page exists only for a signed-in editor
page = st.sidebar.radio(t("page", lang), PAGES + (("edit",) if editor else ()),
                        format_func=lambda p: t(f"page.{p}", lang), key="page")
interactive = st.sidebar.toggle(t("maps.interactive", lang), key=INTERACTIVE_KEY,
                                help=t("maps.interactive_help", lang))
st.title(t("title", lang))
location = data.configured_location()
st.caption(f"{t('store', lang)}: {code_span(shown_location(location))}")
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
    draw_maps(interactive, lang)
