"""Netz (planners): criticality of every trench, what-if failures, diverse paths, the expansion plan, ring
closures and the analysis download."""

from __future__ import annotations

import pandas as pd
import streamlit as st
from pyproj import Transformer

from app_pages import data
from app_pages.criticality import trench_sites, trench_table
from app_pages.i18n import fmt, pair_kind_label, plain, t
from app_pages.late_maps import INTERACTIVE_KEY, PICK_KEY, place_map
from app_pages.logic import natural_key, table_html
from app_pages.maps import criticality_map, picked_routes, planning_map, whatif_map
from app_pages.page_context import PageContext, current
from app_pages.widgets import csv_button, legend, table
from coverage.expansion import plan_totals
from coverage.plan_variants import PER_EUR, VIEW_COLUMNS
from coverage.trench_effects import trench_effects
from inventory.schema import CRS
from topology.errors import PointNotOnNetwork
from topology.layers import diverse_path_layers
from topology.parallel import PARALLEL_DISTANCE_M
from topology.whatif import CONSTRUCTION_SITE_RADIUS_M, Failure, locate_point, nearest_route


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
    criticality = data.criticality_of(location, version)
    st.caption(t("net.trench_table_help", lang))
    table(trench_table(criticality, frames["sites"]), lang, "criticality")
    trench_detail(criticality, network, frames["sites"], lang)
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
        centre = network.vertex_xy.mean(axis=0) if network.n_vertices else (368_000.0, 5_710_000.0)
        centre = (float(centre[0]), float(centre[1]))
        crs = right.radio(t("net.crs", lang), ("EPSG:25832", "lon/lat"), horizontal=True, key="whatif_crs",
                          on_change=keep_point, args=(centre,))
        if crs == "lon/lat":
            lon0, lat0 = TO_LONLAT.transform(*centre)
            st.session_state.setdefault("whatif_lon", round(lon0, 6))
            st.session_state.setdefault("whatif_lat", round(lat0, 6))
            lon = right.number_input("lon", format="%.6f", step=0.0001, key="whatif_lon")
            lat = right.number_input("lat", format="%.6f", step=0.0001, key="whatif_lat")
            x, y = FROM_LONLAT.transform(lon, lat)
        else:
            st.session_state.setdefault("whatif_x", round(centre[0], 1))
            st.session_state.setdefault("whatif_y", round(centre[1], 1))
            x = right.number_input("x (EPSG:25832)", format="%.1f", step=1.0, key="whatif_x")
            y = right.number_input("y (EPSG:25832)", format="%.1f", step=1.0, key="whatif_y")
        radius = right.number_input(t("net.radius", lang), min_value=1.0, value=CONSTRUCTION_SITE_RADIUS_M,
                                    key="whatif_radius")
        try:  # a point off the city and far from every route is no place on the network: never a silent 0
            x, y, note = locate_point(network, float(x), float(y), districts=frames["districts"])
        except PointNotOnNetwork as exc:
            right.error(t(f"net.point_{exc.reason}", lang, x=fmt(exc.value[0], 1, lang), y=fmt(exc.value[1], 1, lang),
                          m=fmt(exc.distance_m or 0, 0, lang)))
        else:
            if note:
                right.caption(t("net.point_lonlat", lang, x=fmt(x, 0, lang), y=fmt(y, 0, lang)))
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
        if site is not None and not (len(outcome.failed_edges) or len(outcome.failed_vertices)):
            distance, route = nearest_route(network, Failure.around(*site).area)
            st.warning(t("net.nothing_fails", lang, route=plain(route), m=fmt(distance, 0, lang)))
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
        gpkg_column, csv_column = st.columns(2)
        with gpkg_column:
            st.download_button(t("net.whatif_gpkg", lang), lambda: data.what_if_gpkg(*choice),
                               file_name="gelsennet_was_waere_wenn_synthetisch.gpkg",
                               mime="application/geopackage+sqlite3", key="whatif_gpkg", on_click="ignore")
        with csv_column:
            csv_button(outcome.sites, "gelsennet_was_waere_wenn.csv", lang, "whatif_csv")

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
        gpkg_column, csv_column = st.columns(2)
        with gpkg_column:
            st.download_button(t("net.pair_gpkg", lang), lambda: data.pair_gpkg(location, version, site_id),
                               file_name=f"gelsennet_wege_{site_id}_synthetisch.gpkg",
                               mime="application/geopackage+sqlite3", key="pair_gpkg", on_click="ignore")
        with csv_column:
            layers = diverse_path_layers(network, pair)
            csv_button(pd.DataFrame(layers["diverse_paths"].drop(columns="geometry")), f"gelsennet_wege_{site_id}.csv",
                       lang, "pair_csv")

    st.subheader(t("net.expansion", lang))
    expansion = data.plan(location, version)
    totals = plan_totals(expansion)
    st.caption(t("net.total", lang, sites=totals["sites"], km=fmt(totals["new_route_km"], 1, lang),
                 low=fmt(totals["cost_low_eur"], 0, lang), high=fmt(totals["cost_high_eur"], 0, lang)))
    table(expansion, lang, "expansion")
    csv_button(expansion, "expansion_plan.csv", lang, "expansion_csv")

    st.subheader(t("net.rings", lang))
    ring_set = data.ring_plan(location, version)
    totals = ring_set.totals()
    st.caption(t("net.ring_set", lang, links=totals["links"], km=fmt(totals["new_route_m"] / 1000, 1, lang),
                 low=fmt(totals["cost_low_eur"], 0, lang), high=fmt(totals["cost_high_eur"], 0, lang),
                 fixed=len(ring_set.single_homed) - len(ring_set.remaining), single=len(ring_set.single_homed)))
    if ring_set.remaining:
        st.caption(t("net.ring_rest", lang, n=len(ring_set.remaining), sites=plain(", ".join(ring_set.remaining))))
    closures = ring_set.proposals.sort_values("in_cheapest_set", ascending=False, kind="stable")
    closures = pd.DataFrame(closures.drop(columns="geometry")).assign(sites=closures["sites"].map(", ".join))
    table(closures, lang, "rings")
    csv_button(closures, "ring_closures.csv", lang, "rings_csv")
    chart, keys = planning_map(location, version, lang)
    place_map(chart)
    legend(keys)

    plan_variants(context)

    st.subheader(t("net.export", lang))
    st.download_button(t("net.gpkg", lang), lambda: data.network_gpkg(location, version),
                       file_name="gelsennet_netzanalyse_synthetisch.gpkg", mime="application/geopackage+sqlite3",
                       key="network_gpkg", on_click="ignore", help=t("net.gpkg_help", lang))


TO_LONLAT = Transformer.from_crs(CRS, "EPSG:4326", always_xy=True)
FROM_LONLAT = Transformer.from_crs("EPSG:4326", CRS, always_xy=True)


def keep_point(centre: tuple[float, float]) -> None:
    """When the construction site's coordinate system changes (radio `whatif_crs`), the inputs of the new one
    take the point the old ones held (else the network's `centre`), transformed by pyproj: lon/lat to 6
    decimals (about 0.1 m), x/y (EPSG:25832, m) to 0.1 m."""
    state = st.session_state
    if state["whatif_crs"] == "lon/lat":
        lon, lat = TO_LONLAT.transform(state.get("whatif_x", centre[0]), state.get("whatif_y", centre[1]))
        state["whatif_lon"], state["whatif_lat"] = round(float(lon), 6), round(float(lat), 6)
    else:
        lon0, lat0 = TO_LONLAT.transform(*centre)
        x, y = FROM_LONLAT.transform(state.get("whatif_lon", lon0), state.get("whatif_lat", lat0))
        state["whatif_x"], state["whatif_y"] = round(float(x), 1), round(float(y), 1)


def trench_detail(criticality: pd.DataFrame, network, sites: pd.DataFrame, lang: str) -> None:
    """Any trench of the network, picked (the most critical first): the sites its loss cuts off and the sites
    it leaves connected but on one path, by name (`criticality.trench_sites`), with their counts and pupils
    as the analysis gives them."""
    effects = trench_effects(criticality)
    ranked = list(effects.index)
    options = ranked + sorted(set(network.edge_trench_id.astype(str).tolist()) - set(ranked), key=natural_key)
    if not options:
        return
    trench = st.selectbox(t("net.trench_pick", lang), options, key="trench_pick")
    cut, degraded = trench_sites(criticality, sites, trench)
    if trench not in effects.index:
        st.info(t("net.trench_nothing", lang))
        return
    row = effects.loc[trench]
    if len(cut):
        st.error(t("net.trench_cut", lang, n=fmt(row["n_sites"], 0, lang), p=fmt(row["pupils"], 0, lang)))
        table(cut, lang, "trench_cut")
    if len(degraded):
        st.warning(t("net.trench_degraded", lang, n=fmt(row["n_degraded_sites"], 0, lang),
                     p=fmt(row["degraded_pupils"], 0, lang)))
        table(degraded, lang, "trench_degraded")


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


def plan_variants(context: PageContext) -> None:
    """Plan variants: today's network beside the planned routes, the ring closures and both
    (`coverage.plan_variants`), and the comparison as a GeoPackage."""
    location, version, lang = context.location, context.version, context.lang
    st.subheader(t("net.variants", lang))
    st.caption(t("net.variants_help", lang, amount=fmt(PER_EUR, 0, lang)))
    table(data.variants_of(location, version).table()[list(VIEW_COLUMNS)], lang, "variants")
    st.download_button(t("net.variants_gpkg", lang), lambda: data.variants_gpkg(location, version),
                       file_name="gelsennet_planvarianten_synthetisch.gpkg", mime="application/geopackage+sqlite3",
                       key="variants_gpkg", on_click="ignore")


page_network(current())
