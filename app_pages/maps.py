"""The app's pydeck maps: layers, the view, and every page's map, made once per store version and language
(and per choice: a school, the Inventar layers) with their JSON (`st.cache_resource`), so a visit only sends
them. Each map is shown as a still picture by default (`map_picture`, drawn once per map); `app_pages.serve`
makes the first maps and pictures of every page right after the start.

Without a GPU the browser draws the interactive maps on its CPU; what they carry is kept to what deck.gl draws
with and what the tooltip shows.

Every map draws the city outline and the district borders as context (`context_layers`: from the store's
districts layer, which in the sample tiles the real city boundary), so no map is ever a lone dot. What a legend
names is drawn opaque in the legend's colour (translucent areas by their outline), so the picture shows it
exactly (`map_picture`). A tooltip gives its numbers with their units (m, km, €, Mbit/s).
"""

from __future__ import annotations

import re

import geopandas as gpd
import numpy as np
import pandas as pd
import pydeck as pdk
import shapely
import streamlit as st

from app_pages import data
from app_pages.criticality import CLASS_COLOURS, CLASS_ORDER, class_legend, effect_text
from app_pages.i18n import fmt, fmt_share, t
from app_pages.logic import (
    ROUTE_COLOURS,
    STATUS_COLOURS,
    problem_locations,
    school_label,
    share_colour,
)
from app_pages.map_picture import UNFRAMED, frame_bounds
from coverage.gaps import in_service_lines
from coverage.trench_effects import route_effects, trench_effects
from inventory.display import path_table, point_table
from inventory.palette import (  # the colour rules live in inventory.palette, shared with the QGIS styles
    BACKGROUND_ROUTE_COLOUR,
    CITY_OUTLINE_COLOUR,
    DISTRICT_BORDER_COLOUR,
    DISTRICT_COLOUR,
    DISTRICT_FILL,
    NEW_ROUTE_COLOUR,
    NODE_COLOUR,
    PATH_COLOURS,
    POP_COLOUR,
    RING_CLOSURE_COLOUR,
    SEVERITY_COLOURS,
    SINGLE_PATH_COLOUR,
    SITE_AREA_COLOUR,
    SITE_AREA_FILL,
    SITE_COLOURS,
    WHATIF_COLOURS,
)
from inventory.schema import CRS

# Context on every map: the city outline over the district borders.
CITY_OUTLINE_PX, DISTRICT_BORDER_PX = 3, 2
# Areas: a light translucent fill; the legend names their outline, drawn opaque and wide enough to be seen.
AREA_LINE_PX = 2
# A school's map: its two diverse paths (in colours no route status has: the routes around are context),
# its one path, drawn wide over the routes around it (thin, `ROUTE_COLOURS`), the school a ring in its status
# colour, the POP its paths lead to, and the end of a proposed new route where it meets the fibre.
CONTEXT_ROUTE_STATUSES, CONTEXT_ROUTE_PX = ("in_service", "planned"), 2
POP_PX = 7  # the POP a school's paths lead to
SCHOOL_PATH_PX, SCHOOL_RADIUS_M, SCHOOL_MIN_PX, SCHOOL_RING_PX, FIBRE_END_PX = 4, 60, 11, 3, 4
# The construction site: the outline of a circle of its radius, never smaller on screen than
# `CONSTRUCTION_MIN_PX` (larger than a cut-off site's dot), drawn over all: what it holds keeps its colours.
CONSTRUCTION_LINE_PX, CONSTRUCTION_MIN_PX = 3, 14
# Proposals (estimates, not inventory): drawn as lines from end to end.
PROPOSAL_PX = 3
CRITICALITY_LAYER = "criticality"  # the Netz map's routes: picked on the interactive map for a what-if
ISOLATED_MIN_PX = 8  # sites cut off by a what-if are drawn larger
INVENTORY_MAP_DEFAULT = ("routes", "sites", "site_areas")  # nodes and districts on request: a lighter first map
HEIGHT_PX, SHARE_HEIGHT_PX, INVENTORY_HEIGHT_PX = 550, 450, 600  # maps' heights on the page

# What deck.gl draws with: with the tooltip's fields, all that a map's rows carry to the browser.
MAP_KEYS = {"path", "polygon", "lon", "lat", "colour"}
Legend = list[tuple[str, list[int]]]


def view_of(frames: dict) -> pdk.ViewState:
    for name in ("districts", "routes", "sites"):
        if len(frames[name]):
            b = frames[name].to_crs("EPSG:4326").total_bounds
            return pdk.ViewState(latitude=(b[1] + b[3]) / 2, longitude=(b[0] + b[2]) / 2, zoom=11.3)
    return pdk.ViewState(latitude=51.54, longitude=7.08, zoom=11.3)


def make_deck(layers: list, frames: dict, tooltip: str = "{name}", view: pdk.ViewState | None = None,
              context: list | None = None) -> pdk.Deck:
    """A map of `layers` with the `context` layers (`context_layers`) drawn over the areas and under the rest,
    each row cut to what it is drawn with and the `tooltip`'s fields."""
    areas = next((i for i, layer in enumerate(layers) if layer.type != "PolygonLayer"), len(layers))
    layers = [*layers[:areas], *(context or []), *layers[areas:]]
    keep = MAP_KEYS | set(re.findall(r"{(\w+)}", tooltip))
    for layer in layers:
        if isinstance(layer.data, list):
            layer.data = [{k: v for k, v in row.items() if k in keep} for row in layer.data]
    return pdk.Deck(layers=layers, initial_view_state=view or view_of(frames), map_style=None,
                    tooltip={"text": tooltip})


BASEMAPS = {"light": pdk.map_styles.CARTO_LIGHT, "road": pdk.map_styles.CARTO_ROAD, "dark": pdk.map_styles.CARTO_DARK}
"""Basemap tiles for the interactive maps, by name (Carto's free styles: they need internet, no key)."""


def basemap_style(value: str | None) -> str | None:
    """The style URL for the `basemap` setting: a name of `BASEMAPS`, a MapLibre style URL (https://...), or
    nothing for no tiles (the default: the maps need no internet)."""
    value = (value or "").strip()
    if value.lower() in ("", "none"):
        return None
    if value.lower() in BASEMAPS:
        return BASEMAPS[value.lower()]
    if value.startswith("https://"):
        return value
    raise ValueError(f"basemap setting {value!r} is not known: expected one of {', '.join(BASEMAPS)}, "
                     "a style URL starting with https://, or none; the maps are shown without tiles")


def with_basemap(chart: pdk.Deck, style: str) -> pdk.Deck:
    """`chart` over the basemap `style` (a style URL), made once per chart and style."""
    import copy
    import json

    styled = chart.__dict__.setdefault("_basemaps", {})
    if style not in styled:
        spec = json.loads(chart.to_json())
        spec["mapStyle"] = style
        text = json.dumps(spec)
        styled[style] = copy.copy(chart)
        styled[style].to_json = lambda: text
    return styled[style]


def frozen(chart: pdk.Deck) -> pdk.Deck:
    """`chart` with its JSON made now: a cached map is not serialised again on every visit."""
    spec = chart.to_json()
    chart.to_json = lambda: spec
    return chart


def path_layer(table: pd.DataFrame, colour="colour", width: int = 2, layer_id: str | None = None) -> pdk.Layer:
    """Lines; `layer_id` names the layer (a map whose objects can be picked needs it)."""
    return pdk.Layer("PathLayer", table, get_path="path", get_color=colour, width_min_pixels=width, pickable=True,
                     **({"id": layer_id} if layer_id else {}))


def polygon_layer(table: pd.DataFrame, fill, line: list[int], line_px: int = 1) -> pdk.Layer:
    """Filled areas (`fill`: a colour or a column of colours) with an outline `line_px` wide."""
    return pdk.Layer("PolygonLayer", table, get_polygon="polygon", filled=True, get_fill_color=fill,
                     get_line_color=line, line_width_min_pixels=line_px, pickable=True)


def opaque(colour: list[int]) -> list[int]:
    """`colour` without its alpha: drawn as the legend shows it."""
    return list(colour[:3])


def _lines(geometries, crs=CRS) -> pd.DataFrame:
    """A path table (`path`) of the single lines in `geometries` (multi-part lines and rings split)."""
    frame = gpd.GeoDataFrame(geometry=list(geometries), crs=crs).explode(index_parts=False)
    frame = frame[~frame.geometry.is_empty]
    return path_table(frame.reset_index(drop=True)) if len(frame) else pd.DataFrame({"path": []})


@st.cache_resource(show_spinner=False, max_entries=8)
def context_lines(location: str, version: int) -> tuple[pd.DataFrame, pd.DataFrame, str]:
    """The city outline and the district borders as path tables ([lon, lat] vertices), and the borders'
    level: the outline of all districts together (in the sample they tile the real city boundary, DVG2), and
    the outlines of the finest level's districts (Stadtteile, else Stadtbezirke), each with its
    `district_id`. Empty tables without districts."""
    districts = data.load(location, version)["districts"]
    districts = districts[districts.geometry.notna() & ~districts.geometry.is_empty]
    if not len(districts):
        return pd.DataFrame({"path": []}), pd.DataFrame({"path": [], "district_id": []}), "stadtteil"
    level = "stadtteil" if (districts["level"] == "stadtteil").any() else str(districts["level"].iloc[0])
    finest = districts[districts["level"] == level]
    city = shapely.boundary(shapely.union_all(districts.geometry.values))
    borders = gpd.GeoDataFrame({"district_id": finest["district_id"].astype(str).to_numpy()},
                               geometry=shapely.boundary(finest.geometry.values), crs=districts.crs)
    borders = borders.explode(index_parts=False).reset_index(drop=True)
    return _lines([city], districts.crs), path_table(borders), level


def home_district(location: str, version: int, point: shapely.Point) -> str:
    """The district_id of the finest-level district holding `point` (EPSG:25832); '' if none does."""
    districts = data.load(location, version)["districts"]
    level = context_lines(location, version)[2]
    hit = districts[(districts["level"] == level) & districts.geometry.intersects(point)]
    return str(hit["district_id"].iloc[0]) if len(hit) else ""


def context_layers(location: str, version: int, around: str | None = None) -> list[pdk.Layer]:
    """The city outline over the district borders, for any map. The picture is framed to show them all, or,
    with `around` (a district_id), only that district's border: the rest is drawn where it falls in the frame."""
    city, borders, _ = context_lines(location, version)
    home = borders[borders["district_id"] == around] if around is not None else borders.iloc[:0]
    framed = "" if around is None else UNFRAMED
    layers = [pdk.Layer("PathLayer", borders.assign(colour=[DISTRICT_BORDER_COLOUR] * len(borders)),
                        id=f"{framed}district-borders", get_path="path", get_color="colour",
                        width_min_pixels=DISTRICT_BORDER_PX, pickable=False)]
    if len(home):
        layers.append(pdk.Layer("PathLayer", home.assign(colour=[DISTRICT_BORDER_COLOUR] * len(home)),
                                id="home-district-border", get_path="path", get_color="colour",
                                width_min_pixels=DISTRICT_BORDER_PX, pickable=False))
    layers.append(pdk.Layer("PathLayer", city.assign(colour=[CITY_OUTLINE_COLOUR] * len(city)), id=f"{framed}city",
                            get_path="path", get_color="colour", width_min_pixels=CITY_OUTLINE_PX, pickable=False))
    return layers


def context_legend(location: str, version: int, lang: str) -> Legend:
    """The legend's entries for `context_layers` (none without districts)."""
    city, _, level = context_lines(location, version)
    if not len(city):
        return []
    return [(t("legend.city", lang), CITY_OUTLINE_COLOUR), (t(f"legend.border.{level}", lang),
                                                            DISTRICT_BORDER_COLOUR)]


def _km(length_m: float, lang: str) -> str:
    return f"{fmt(length_m / 1000, 2, lang)} km"


def _m(length_m: float, lang: str) -> str:
    return f"{fmt(length_m, 0, lang)} m"


def _eur(value: float, lang: str) -> str:
    return f"{fmt(value, 0, lang)} €"


def _bandwidth(value, lang: str) -> str:
    """' · 1.000 Mbit/s', or nothing where the bandwidth is not known."""
    return "" if value is None or pd.isna(value) else f" · {fmt(value, 0, lang)} Mbit/s"


def point_layer(table: pd.DataFrame, colour="colour", radius: int = 40, min_pixels: int = 4) -> pdk.Layer:
    return pdk.Layer("ScatterplotLayer", table, get_position=["lon", "lat"], get_radius=radius,
                     radius_min_pixels=min_pixels, get_fill_color=colour, pickable=True)


@st.cache_resource(show_spinner=False, max_entries=8)
def coverage_map(location: str, version: int, lang: str) -> pdk.Deck:
    """Routes and sites coloured by status (Überblick)."""
    frames = data.load(location, version)
    routes = data.map_table(location, version, "routes").copy()
    routes["colour"] = routes["status"].map(ROUTE_COLOURS)
    routes["name"] = routes["route_id"]
    routes["status_text"] = [f"{t(f'route.{s}', lang)} · {_km(m, lang)}"
                             for s, m in zip(routes["status"], frames["routes"].geometry.length, strict=True)]
    sites = data.map_table(location, version, "sites").copy()
    sites["status"] = data.statuses(location, version)["status"].astype(str).to_numpy()
    sites["colour"] = sites["status"].map(STATUS_COLOURS)
    sites["status_text"] = [t(f"status.{s}", lang) + _bandwidth(b, lang)
                            for s, b in zip(sites["status"], frames["sites"]["bandwidth_mbps"], strict=True)]
    return frozen(make_deck([path_layer(routes), point_layer(sites)], frames, "{name}: {status_text}",
                            context=context_layers(location, version)))


@st.cache_resource(show_spinner=False, max_entries=8)
def share_map(location: str, version: int, lang: str = "de") -> pdk.Deck | None:
    """The Stadtteile coloured by their share of schools on gigabit (Überblick), opaque as the legend shows
    `share_colour`; None without districts."""
    quarters = data.map_table(location, version, "districts", "stadtteil")
    if not len(quarters):
        return None
    table = data.kpis(location, version)
    polygons = quarters.merge(table[["district_id", "share_schools_gigabit", "schools", "schools_gigabit"]],
                              on="district_id", how="left")
    polygons["colour"] = [opaque(share_colour(s)) for s in polygons["share_schools_gigabit"]]
    polygons["share"] = [t("tip.share", lang, share=fmt_share(s, lang), on=fmt(on, 0, lang), all=fmt(n, 0, lang))
                         if not pd.isna(s) else t("legend.no_schools", lang)
                         for s, on, n in zip(polygons["share_schools_gigabit"], polygons["schools_gigabit"],
                                             polygons["schools"], strict=True)]
    layer = polygon_layer(polygons, "colour", [80, 80, 80])
    return frozen(make_deck([layer], data.load(location, version), "{name}: {share}",
                            context=context_layers(location, version)))


@st.cache_resource(show_spinner=False, max_entries=8)
def criticality_map(location: str, version: int, lang: str) -> tuple[pdk.Deck, Legend]:
    """Routes by what their trench's loss does (Netz, `criticality.route_effects`): cuts sites off (red; dark
    red for the heaviest), leaves sites connected but on one path (amber), or neither (grey); with the legend
    of the classes drawn, and a tooltip giving both counts."""
    routes = data.map_table(location, version, "routes").copy()
    effects = trench_effects(data.criticality_of(location, version))
    routes = pd.concat([routes, route_effects(routes, effects).set_index(routes.index)], axis=1)
    routes["colour"] = routes["effect"].map(CLASS_COLOURS)
    length_m = data.load(location, version)["routes"].geometry.length.to_numpy()
    routes["cut"] = [effect_text(*row, lang) + f" · {_km(m, lang)}" for *row, m in zip(
        routes["n_sites"], routes["pupils"], routes["n_degraded_sites"], routes["degraded_pupils"], length_m,
        strict=True)]
    routes = routes.sort_values("effect", key=lambda e: e.map(CLASS_ORDER.index), kind="stable")  # worst on top
    keys = class_legend(effects, set(routes["effect"]), lang)
    chart = make_deck([path_layer(routes, width=3, layer_id=CRITICALITY_LAYER)], data.load(location, version),
                      "{route_id} / {trench_id}: {cut}", context=context_layers(location, version))
    return frozen(chart), keys + context_legend(location, version, lang)


def picked_routes(state) -> list[str]:
    """The route ids picked on the interactive criticality map (its `st.pydeck_chart` selection state)."""
    objects = ((state or {}).get("selection") or {}).get("objects") or {}
    return sorted({str(o["route_id"]) for o in objects.get(CRITICALITY_LAYER, []) if "route_id" in o})


@st.cache_resource(show_spinner=False, max_entries=8)
def quality_map(location: str, version: int, lang: str) -> tuple[pdk.Deck, Legend] | None:
    """The validation findings that have a place, over the routes in grey (Datenqualität); None if none has."""
    frames = data.load(location, version)
    located = problem_locations(data.report(location, version)["problems"], frames)
    if not len(located):
        return None
    points = point_table(located)
    points["colour"] = [SEVERITY_COLOURS.get(s, SEVERITY_COLOURS["note"]) for s in points["severity"]]
    routes = data.map_table(location, version, "routes")
    routes = routes.assign(colour=[BACKGROUND_ROUTE_COLOUR] * len(routes))
    chart = make_deck([path_layer(routes, width=1), point_layer(points, radius=30)], frames, "{rule}: {message}",
                      context=context_layers(location, version))
    keys = [(t(f"legend.{s}", lang), c) for s, c in SEVERITY_COLOURS.items()]
    return frozen(chart), keys + context_legend(location, version, lang)


def construction_layer(site: tuple[float, float, float], label: str) -> pdk.Layer:
    """A construction site (x, y in EPSG:25832, radius in m: `Failure.around`) as the circle it fails: its
    radius in metres, at least `CONSTRUCTION_MIN_PX` on screen."""
    point = point_table(gpd.GeoDataFrame({"label": [label]}, geometry=[shapely.Point(site[:2])], crs=CRS))
    return pdk.Layer("ScatterplotLayer", point, get_position=["lon", "lat"], get_radius=float(site[2]),
                     radius_min_pixels=CONSTRUCTION_MIN_PX, filled=False, stroked=True,
                     get_line_color=WHATIF_COLOURS["construction"],
                     line_width_min_pixels=CONSTRUCTION_LINE_PX, pickable=True)


@st.cache_resource(show_spinner=False, max_entries=32)
def whatif_map(location: str, version: int, segments: tuple[str, ...], trenches: tuple[str, ...],
               site: tuple[float, float, float] | None, lang: str) -> tuple[pdk.Deck, Legend]:
    """A what-if on the map (Netz): the failed segments, the construction site, and every site by what the
    failure does to it (`data.what_if_of`), over the routes in grey; with the legend."""
    frames = data.load(location, version)
    network = data.network_of(location, version)
    outcome = data.what_if_of(location, version, segments, trenches, site)
    routes = data.map_table(location, version, "routes")
    layers = [path_layer(routes.assign(colour=[BACKGROUND_ROUTE_COLOUR] * len(routes)), width=1)]
    keys = []
    failed = outcome.failed_edges
    if len(failed):
        names = [f"{r} / {tr} · {_m(shapely.length(g), lang)}" for r, tr, g in
                 zip(network.edge_route_id[failed], network.edge_trench_id[failed], network.edge_geometry[failed],
                     strict=True)]
        lines = gpd.GeoDataFrame({"label": names}, geometry=network.edge_geometry[failed], crs=CRS)
        layers.append(path_layer(path_table(lines).assign(colour=[WHATIF_COLOURS["failed"]] * len(lines)), width=4))
        keys.append((t("legend.failed", lang), WHATIF_COLOURS["failed"]))
    if site is not None:
        keys.append((t("legend.construction", lang), WHATIF_COLOURS["construction"]))
    sites = data.map_table(location, version, "sites").drop(columns="label")
    states = outcome.sites[["site_id", "state", "detour_m"]].astype({"site_id": str})
    sites = sites.astype({"site_id": str}).merge(states, on="site_id")
    sites = sites[sites["state"].isin(["isolated", "detour", "unchanged"])]
    sites = sites.sort_values("state", key=lambda s: s.map({"unchanged": 0, "detour": 1}))
    sites["colour"] = sites["state"].map(WHATIF_COLOURS)
    sites["label"] = [f"{n} ({i}): {t('state.' + s, lang)}"
                      + (f" (+{_m(d, lang)})" if s == "detour" and not pd.isna(d) else "")
                      for n, i, s, d in zip(sites["name"], sites["site_id"], sites["state"], sites["detour_m"],
                                            strict=True)]
    cut_off = sites["state"] == "isolated"
    layers += [point_layer(sites[~cut_off]), point_layer(sites[cut_off], min_pixels=ISOLATED_MIN_PX)]  # on top
    if site is not None:
        label = f"{t('legend.construction', lang)}: {t('tip.radius', lang)} {_m(site[2], lang)}"
        layers.append(construction_layer(site, label))
    keys += [(t(f"state.{s}", lang), WHATIF_COLOURS[s]) for s in ("isolated", "detour", "unchanged")]
    return frozen(make_deck(layers, frames, "{label}", context=context_layers(location, version))), \
        keys + context_legend(location, version, lang)


@st.cache_resource(show_spinner=False, max_entries=16)
def inventory_map(location: str, version: int, shown: tuple[str, ...], lang: str) -> tuple[pdk.Deck, Legend]:
    """The inventory's `shown` layers (Inventar), with the legend."""
    frames = data.load(location, version)
    layers, keys = [], []
    if "districts" in shown and len(frames["districts"]):
        layers.append(polygon_layer(data.map_table(location, version, "districts", "stadtteil"), DISTRICT_FILL,
                                    DISTRICT_COLOUR, AREA_LINE_PX))
        keys.append((t("legend.district", lang), DISTRICT_COLOUR))
    if "site_areas" in shown and len(frames["site_areas"]):
        areas = data.map_table(location, version, "site_areas").copy()
        areas["label"] = [f"{label} · {fmt(a / 10_000, 1, lang)} ha" for label, a in
                          zip(areas["label"], _part_areas_m2(frames["site_areas"]), strict=True)]
        layers.append(polygon_layer(areas, SITE_AREA_FILL, SITE_AREA_COLOUR, AREA_LINE_PX))
        keys.append((t("legend.site_area", lang), SITE_AREA_COLOUR))
    if "routes" in shown and len(frames["routes"]):
        routes = data.map_table(location, version, "routes").copy()
        routes["colour"] = routes["status"].map(ROUTE_COLOURS)
        routes["label"] = [f"{label} · {_km(m, lang)}"
                           for label, m in zip(routes["label"], frames["routes"].geometry.length, strict=True)]
        layers.append(path_layer(routes))
        keys += [(t(f"route.{s}", lang), c) for s, c in ROUTE_COLOURS.items()]
    if "nodes" in shown and len(frames["nodes"]):
        nodes = data.map_table(location, version, "nodes")
        layers.append(point_layer(nodes.assign(colour=[NODE_COLOUR] * len(nodes)), radius=12))
        keys.append((t("legend.node", lang), NODE_COLOUR))
    if "sites" in shown and len(frames["sites"]):
        sites = data.map_table(location, version, "sites").copy()
        sites["colour"] = sites["connection"].map(SITE_COLOURS)
        sites["label"] = [label + _bandwidth(b, lang)
                          for label, b in zip(sites["label"], frames["sites"]["bandwidth_mbps"], strict=True)]
        layers.append(point_layer(sites))
        keys += [(t(f"legend.site_{s}", lang), c) for s, c in SITE_COLOURS.items()]
    return frozen(make_deck(layers, frames, "{label}", context=context_layers(location, version))), \
        keys + context_legend(location, version, lang)


def _part_areas_m2(areas: gpd.GeoDataFrame) -> list[float]:
    """The area of each part of each polygon, in the order `polygon_table` makes its rows (m², EPSG:25832)."""
    return areas.explode(index_parts=False).geometry.area.tolist()


@st.cache_resource(show_spinner=False, max_entries=64)
def school_map(location: str, version: int, site_id: str, lang: str) -> tuple[pdk.Deck, Legend]:
    """A school, its path(s) to the POP and the fibre around it (Meine Schule), with the legend.

    Paths: where it has two edge-disjoint paths, the pair that shows its redundancy (`PathPair.shown_pair`: two
    paths without a shared trench where there are such, else the shortest pair, its legend naming the metres of
    trench they share); else its one path; a school that is not on the network has none: no path is drawn that
    the network does not have. The expansion plan's new route to the school (an estimate, `new_routes`) is
    drawn over the school, with a dot where it meets the fibre, so even a route of a few metres shows. The
    school is a ring in its status colour, so what lies under it shows. Context, under all that: the routes in
    service and planned that fall in the picture (`fibre_around`, thin, in the Überblick's route colours), so a
    school that is not connected sees how close the fibre is; and the district borders and city outline. The
    picture is framed on the school, its paths, its new route and its district."""
    frames = data.load(location, version)
    sites = frames["sites"]
    i = sites.index[sites["site_id"] == site_id][0]
    status = str(data.statuses(location, version).loc[i, "status"])
    network = data.network_of(location, version)
    pair = data.pair_of(location, version, site_id)
    shown = pair.shown_pair()
    if shown is not None:
        path_a, path_b, apart = shown
        geometries = [shapely.line_merge(shapely.multilinestrings(network.edge_geometry[p].tolist()))
                      for p in (path_a, path_b)]
        second = t("legend.path_b_apart", lang) if apart else \
            t("legend.path_b_shared", lang, m=fmt(pair.shared_trench_length_m, 0, lang))
        labels, colours = [t("legend.path_a", lang), second], list(PATH_COLOURS)
    else:
        path = data.single_paths(location, version).set_index("site_id").geometry.get(site_id)
        geometries, labels, colours = ([path], [t("legend.path", lang)], [SINGLE_PATH_COLOUR]) \
            if path is not None else ([], [], [])
    keys = list(zip(labels, colours, strict=True))
    layers = []
    if geometries:
        names = [f"{label}: {_km(shapely.length(g), lang)}" for label, g in zip(labels, geometries, strict=True)]
        lines = gpd.GeoDataFrame({"name": names, "colour": colours}, geometry=geometries, crs=CRS)
        layers.append(path_layer(path_table(lines), width=SCHOOL_PATH_PX, layer_id="school-paths"))
    pop = data.analysis_of(location, version).sites.set_index("site_id")["pop"].get(site_id)
    nodes = data.map_table(location, version, "nodes")
    pop = nodes[nodes["node_id"].astype(str) == str(pop)] if geometries and isinstance(pop, str) else nodes.iloc[:0]
    if len(pop):  # where the paths end
        named = frames["nodes"].set_index("node_id")["name"].get(pop["node_id"].iloc[0])
        label = f"{t('legend.pop', lang)}: {named if isinstance(named, str) and named else pop['node_id'].iloc[0]}"
        layers.append(pdk.Layer("ScatterplotLayer", pop.assign(name=label, colour=[POP_COLOUR] * len(pop)),
                                id="school-pop", get_position=["lon", "lat"], get_radius=1,
                                radius_min_pixels=POP_PX, get_fill_color="colour", pickable=True))
        keys.append((label, POP_COLOUR))
    point = point_table(sites.loc[[i]])
    point["colour"] = [STATUS_COLOURS[status]]
    point["name"] = [f"{school_label(sites.loc[i])}: {t('status.' + status, lang)}"
                     + _bandwidth(sites.loc[i, "bandwidth_mbps"], lang)]
    layers.append(pdk.Layer("ScatterplotLayer", point, id="school", get_position=["lon", "lat"],
                            get_radius=SCHOOL_RADIUS_M, radius_min_pixels=SCHOOL_MIN_PX, filled=False, stroked=True,
                            get_fill_color="colour", get_line_color="colour",
                            line_width_min_pixels=SCHOOL_RING_PX, pickable=True))
    keys.append((f"{school_label(sites.loc[i])}: {t('status.' + status, lang)}", STATUS_COLOURS[status]))
    proposal = new_routes(location, version)
    proposal = proposal[proposal["site_id"] == str(site_id)]
    if len(proposal):  # over the school: a route shorter than the ring still shows, and where it meets fibre
        row = proposal.iloc[0]
        name = t("tip.new_route", lang, m=_m(row["new_route_m"], lang), low=fmt(row["cost_low_eur"], 0, lang),
                 high=fmt(row["cost_high_eur"], 0, lang))
        line = gpd.GeoDataFrame({"name": [name]}, geometry=[row.geometry], crs=CRS)
        end = gpd.GeoDataFrame({"name": [name]}, geometry=[shapely.get_point(row.geometry, -1)], crs=CRS)
        layers += [path_layer(path_table(line).assign(colour=[NEW_ROUTE_COLOUR]), width=SCHOOL_PATH_PX,
                              layer_id="school-new-route"),
                   pdk.Layer("ScatterplotLayer", point_table(end).assign(colour=[NEW_ROUTE_COLOUR]),
                             id="school-fibre-end", get_position=["lon", "lat"], get_radius=1,
                             radius_min_pixels=FIBRE_END_PX, get_fill_color="colour", pickable=True)]
        keys.append((t("legend.new_route", lang), NEW_ROUTE_COLOUR))
    view = pdk.ViewState(latitude=float(point["lat"].iloc[0]), longitude=float(point["lon"].iloc[0]), zoom=13)
    around = home_district(location, version, sites.geometry.loc[i])  # framed: the school, its paths, its district
    context = context_layers(location, version, around=around)
    bounds = frame_bounds(pdk.Deck(layers=[*context, *layers], initial_view_state=view), HEIGHT_PX)
    fibre, fibre_keys = fibre_around(location, version, bounds, lang)
    chart = make_deck([*fibre, *layers], frames, view=view, context=context)
    return frozen(chart), keys + fibre_keys + context_legend(location, version, lang)


def fibre_around(location: str, version: int, bounds: tuple[float, float, float, float],
                 lang: str) -> tuple[list[pdk.Layer], Legend]:
    """The routes in service and planned (`CONTEXT_ROUTE_STATUSES`) that cross `bounds` (west, south, east,
    north, degrees), as one thin `UNFRAMED` layer in their route colours (`ROUTE_COLOURS`), with the legend
    entries of the statuses it holds; no layer and no entries where none cross it."""
    frames_routes = data.load(location, version)["routes"]
    table = data.map_table(location, version, "routes")
    inside = shapely.intersects(shapely.box(*bounds), [shapely.LineString(p) for p in table["path"]])
    chosen = inside & frames_routes["status"].isin(CONTEXT_ROUTE_STATUSES).to_numpy()
    if not chosen.any():
        return [], []
    routes = frames_routes[chosen]
    names = [f"{r}: {t(f'route.{s}', lang)} · {_km(g.length, lang)}"
             for r, s, g in zip(routes["route_id"], routes["status"], routes.geometry, strict=True)]
    lines = gpd.GeoDataFrame({"name": names, "colour": routes["status"].map(ROUTE_COLOURS).to_numpy()},
                             geometry=routes.geometry.to_numpy(), crs=routes.crs).explode(index_parts=False)
    layer = path_layer(path_table(lines.reset_index(drop=True)), width=CONTEXT_ROUTE_PX,
                       layer_id=f"{UNFRAMED}school-fibre")
    held = set(routes["status"])
    return [layer], [(t(f"route.{s}", lang), ROUTE_COLOURS[s]) for s in CONTEXT_ROUTE_STATUSES if s in held]


@st.cache_resource(show_spinner=False, max_entries=8)
def new_routes(location: str, version: int) -> gpd.GeoDataFrame:
    """The expansion plan's new routes (`coverage.expansion.expansion_plan`) as lines, EPSG:25832: from each
    site that needs one to the nearest in-service fibre, the straight line whose length the plan's estimate
    starts from (`new_route_m` is that length times the detour factor). Sites with fibre at the door, or
    without any in-service fibre, have no line. Columns: site_id, name, status, new_route_m, cost_low_eur,
    cost_high_eur, geometry."""
    frames = data.load(location, version)
    plan = data.plan(location, version)
    plan = plan[~plan["fibre_at_door"].astype(bool) & plan["new_route_m"].notna() & (plan["new_route_m"] > 0)]
    lines = in_service_lines(frames["routes"])
    columns = ["site_id", "name", "status", "new_route_m", "cost_low_eur", "cost_high_eur"]
    if not len(plan) or not len(lines):
        return gpd.GeoDataFrame(pd.DataFrame(columns=columns), geometry=[], crs=CRS)
    points = frames["sites"].assign(site_id=frames["sites"]["site_id"].astype(str)).set_index("site_id").geometry
    points = np.asarray(points.loc[plan["site_id"].astype(str)].values, dtype=object)
    nearest = shapely.STRtree(lines).nearest(points)
    table = plan[columns].assign(site_id=plan["site_id"].astype(str)).reset_index(drop=True)
    return gpd.GeoDataFrame(table, geometry=shapely.shortest_line(points, lines[nearest]), crs=CRS)


@st.cache_resource(show_spinner=False, max_entries=8)
def planning_map(location: str, version: int, lang: str) -> tuple[pdk.Deck, Legend]:
    """The proposals (Netz): the ring closures (`coverage.ring_closure`) and the expansion plan's new routes
    (`new_routes`) as lines from end to end, the plan's sites by status under the new routes, over the routes
    in grey; with the legend."""
    frames = data.load(location, version)
    routes = data.map_table(location, version, "routes")
    layers = [path_layer(routes.assign(colour=[BACKGROUND_ROUTE_COLOUR] * len(routes)), width=1)]
    keys = []
    rings = data.rings(location, version)
    if len(rings):
        closures = gpd.GeoDataFrame({"label": [
            t("tip.ring", lang, id=r["link_id"], m=_m(r["new_route_m"], lang), eur=_eur(r["cost_eur"], lang),
              n=fmt(len(r["sites"]), 0, lang), sites=", ".join(map(str, r["sites"])))
            for _, r in rings.iterrows()]}, geometry=rings.geometry.values, crs=CRS)
        layers.append(path_layer(path_table(closures).assign(colour=[RING_CLOSURE_COLOUR] * len(closures)),
                                 width=PROPOSAL_PX))
        keys.append((t("legend.ring_closure", lang), RING_CLOSURE_COLOUR))
    plan = data.plan(location, version)
    if len(plan):
        sites = frames["sites"].assign(site_id=frames["sites"]["site_id"].astype(str))
        chosen = sites.set_index("site_id").loc[plan["site_id"].astype(str)].reset_index()
        points = point_table(chosen[["site_id", "name", "geometry"]])
        points["colour"] = [STATUS_COLOURS[str(s)] for s in plan["status"]]
        points["label"] = [
            f"{n} ({i}): {t('status.' + str(s), lang)} · "
            + (t("tip.at_door", lang, low=fmt(lo, 0, lang), high=fmt(hi, 0, lang)) if door else
               t("tip.new_route", lang, m=_m(m, lang), low=fmt(lo, 0, lang), high=fmt(hi, 0, lang)))
            for n, i, s, door, m, lo, hi in zip(plan["name"], plan["site_id"], plan["status"], plan["fibre_at_door"],
                                                plan["new_route_m"], plan["cost_low_eur"], plan["cost_high_eur"],
                                                strict=True)]
        layers.append(point_layer(points))
        keys += [(t(f"status.{s}", lang), c) for s, c in STATUS_COLOURS.items() if s in set(plan["status"])]
    links = new_routes(location, version)  # over the sites: a route shorter than a dot still shows
    if len(links):
        table = path_table(links[["site_id", "geometry"]])
        table["label"] = [f"{n} ({i}): " + t("tip.new_route", lang, m=_m(m, lang), low=fmt(lo, 0, lang),
                                               high=fmt(hi, 0, lang))
                          for n, i, m, lo, hi in zip(links["name"], links["site_id"], links["new_route_m"],
                                                      links["cost_low_eur"], links["cost_high_eur"], strict=True)]
        layers.append(path_layer(table.assign(colour=[NEW_ROUTE_COLOUR] * len(table)), width=PROPOSAL_PX))
        keys.append((t("legend.new_route", lang), NEW_ROUTE_COLOUR))
    chart = make_deck(layers, frames, "{label}", context=context_layers(location, version))
    return frozen(chart), keys + context_legend(location, version, lang)
