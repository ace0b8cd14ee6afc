"""Netz (planners): criticality of every trench, what-if failures, diverse paths, the expansion plan, ring
closures and the analysis download."""

from __future__ import annotations

import pandas as pd
import streamlit as st
from pyproj import Transformer

from app_pages import data
from app_pages.i18n import fmt, pair_kind_label, plain, t
from app_pages.late_maps import INTERACTIVE_KEY, PICK_KEY, place_map
from app_pages.logic import natural_key, table_html
from app_pages.maps import criticality_map, picked_routes, whatif_map
from app_pages.page_context import PageContext, current
from app_pages.widgets import csv_button, legend, table
from coverage.expansion import plan_totals
from inventory.schema import CRS
from topology.parallel import PARALLEL_DISTANCE_M


def page_network(context: PageContext) -> None:
    location, version, frames, lang = context.location, context.version, context.frames, context.lang
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
    table(trenches, lang, "criticality")
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
            table(isolated, lang, "whatif_isolated")
        else:
            st.success(t("net.no_isolated", lang))
        detours = outcome.sites[outcome.sites["state"] == "detour"]
        if len(detours):
            table(detours, lang, "whatif_detours")
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
        table(pd.DataFrame([{
            "found": pair.found, "length_a_m": pair.length_a_m, "length_b_m": pair.length_b_m,
            "routes_a": ", ".join(pair.route_ids(network, pair.path_a)),
            "routes_b": ", ".join(pair.route_ids(network, pair.path_b)),
            "shared_trenches": ", ".join(pair.shared_trenches), "shared_trench_length_m": pair.shared_trench_length_m,
            "trench_disjoint": pair.trench_disjoint}]), lang, "diverse_table")

    st.subheader(t("net.expansion", lang))
    expansion = data.plan(location, version)
    totals = plan_totals(expansion)
    st.caption(t("net.total", lang, sites=totals["sites"], km=fmt(totals["new_route_km"], 1, lang),
                 low=fmt(totals["cost_low_eur"], 0, lang), high=fmt(totals["cost_high_eur"], 0, lang)))
    table(expansion, lang, "expansion")
    csv_button(expansion, "expansion_plan.csv", lang, "expansion_csv")

    st.subheader(t("net.rings", lang))
    closures = data.rings(location, version)
    closures = pd.DataFrame(closures.drop(columns="geometry")).assign(sites=closures["sites"].map(", ".join))
    table(closures, lang, "rings")
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
        table(review[["site_id", "name", "pupils", "redundant", "review_trenches"]], lang, "for_review")


page_network(current())
