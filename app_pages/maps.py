"""The app's pydeck maps: layers, the view, and every page's map, made once per store version and language
(and per choice: a school, the Inventar layers) with their JSON (`st.cache_resource`), so a visit only sends
them. Each map is shown as a still picture by default (`map_picture`, drawn once per map); `warm` makes the
first maps and pictures of every page right after the start.

Without a GPU the browser draws the interactive maps on its CPU; what they carry is kept to what deck.gl draws
with and what the tooltip shows.
"""

from __future__ import annotations

import re

import geopandas as gpd
import pandas as pd
import pydeck as pdk
import shapely
import streamlit as st

from app_pages import data
from app_pages.i18n import fmt, t
from app_pages.logic import (
    ROUTE_COLOURS,
    STATUS_COLOURS,
    problem_locations,
    ramp_colour,
    school_label,
    school_options,
    share_colour,
)
from app_pages.map_picture import picture_of
from coverage.layers import trench_cut_layer
from inventory.display import path_table, point_table, polygon_table
from inventory.schema import CRS
from topology.whatif import Failure

SITE_COLOURS = {"connected": [0, 140, 70], "planned": [230, 140, 0], "none": [200, 30, 30]}
NODE_COLOUR, DISTRICT_COLOUR, SITE_AREA_COLOUR = [40, 40, 40], [120, 120, 160, 25], [160, 60, 160, 60]
SEVERITY_COLOURS = {"error": [200, 30, 30], "warning": [230, 140, 0], "note": [0, 92, 169]}
PATH_COLOURS = ([0, 92, 169], [230, 140, 0])  # a school's two diverse paths
SINGLE_PATH_COLOUR = [200, 30, 30]
POP_COLOUR = [90, 40, 140]  # the school's POP on its map
WHATIF_COLOURS = {"failed": [0, 0, 0], "construction": [120, 0, 160, 70], "isolated": [200, 30, 30],
                  "detour": [230, 140, 0], "unchanged": [0, 140, 70]}
BACKGROUND_ROUTE_COLOUR = [180, 180, 180]
CRITICALITY_LAYER = "criticality"  # the Netz map's routes: picked on the interactive map for a what-if
ISOLATED_MIN_PX = 8  # sites cut off by a what-if are drawn larger
INVENTORY_MAP_DEFAULT = ("routes", "sites", "site_areas")  # nodes and districts on request: a lighter first map
HEIGHT_PX, SHARE_HEIGHT_PX, INVENTORY_HEIGHT_PX = 550, 450, 600  # maps' heights on the page

# What deck.gl draws with: with the tooltip's fields, all that a map's rows carry to the browser.
MAP_KEYS = {"path", "polygon", "lon", "lat", "colour"}


def view_of(frames: dict) -> pdk.ViewState:
    for name in ("districts", "routes", "sites"):
        if len(frames[name]):
            b = frames[name].to_crs("EPSG:4326").total_bounds
            return pdk.ViewState(latitude=(b[1] + b[3]) / 2, longitude=(b[0] + b[2]) / 2, zoom=11.3)
    return pdk.ViewState(latitude=51.54, longitude=7.08, zoom=11.3)


def make_deck(layers: list, frames: dict, tooltip: str = "{name}", view: pdk.ViewState | None = None) -> pdk.Deck:
    """A map of `layers`, each row cut to what it is drawn with and the `tooltip`'s fields."""
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


def polygon_layer(table: pd.DataFrame, fill, line: list[int]) -> pdk.Layer:
    """Filled areas (`fill`: a colour or a column of colours) with a one-pixel outline."""
    return pdk.Layer("PolygonLayer", table, get_polygon="polygon", filled=True, get_fill_color=fill,
                     get_line_color=line, line_width_min_pixels=1, pickable=True)


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
    routes["status_text"] = [t(f"route.{s}", lang) for s in routes["status"]]
    sites = data.map_table(location, version, "sites").copy()
    sites["status"] = data.statuses(location, version)["status"].astype(str).to_numpy()
    sites["colour"] = sites["status"].map(STATUS_COLOURS)
    sites["status_text"] = [t(f"status.{s}", lang) for s in sites["status"]]
    return frozen(make_deck([path_layer(routes), point_layer(sites)], frames, "{name}: {status_text}"))


@st.cache_resource(show_spinner=False, max_entries=8)
def share_map(location: str, version: int) -> pdk.Deck | None:
    """The Stadtteile coloured by their share of schools on gigabit (Überblick); None without districts."""
    quarters = data.map_table(location, version, "districts", "stadtteil")
    if not len(quarters):
        return None
    table = data.kpis(location, version)
    polygons = quarters.merge(table[["district_id", "share_schools_gigabit", "schools"]], on="district_id",
                              how="left")
    polygons["colour"] = polygons["share_schools_gigabit"].map(share_colour)
    polygons["share"] = polygons["share_schools_gigabit"].map(lambda s: "–" if pd.isna(s) else f"{s:.0%}")
    layer = polygon_layer(polygons, "colour", [80, 80, 80])
    return frozen(make_deck([layer], data.load(location, version), "{name}: {share}"))


Legend = list[tuple[str, list[int]]]


@st.cache_resource(show_spinner=False, max_entries=8)
def criticality_map(location: str, version: int, lang: str) -> tuple[pdk.Deck, Legend]:
    """Routes coloured by the pupils their trench's cut would cut off (Netz), with the legend."""
    routes = data.map_table(location, version, "routes").copy()
    cuts = trench_cut_layer(data.load(location, version)["routes"], data.analysis_of(location, version).criticality)
    routes["pupils"] = cuts["cut_pupils"].to_numpy()
    top = float(routes["pupils"].max()) if len(routes) else 0.0
    routes["colour"] = [ramp_colour(p, top) for p in routes["pupils"]]
    routes = routes.sort_values("pupils", kind="stable")  # the most critical drawn last, on top
    keys = [(t("legend.criticality", lang), ramp_colour(0, top)),
            (t("legend.critical_mid", lang, n=fmt(top / 2, 0, lang)), ramp_colour(top / 2, top)),
            (t("legend.critical_top", lang, n=fmt(top, 0, lang)), ramp_colour(top, top))]
    chart = make_deck([path_layer(routes, width=3, layer_id=CRITICALITY_LAYER)], data.load(location, version),
                      "{route_id} / {trench_id}: {pupils}")
    return frozen(chart), keys


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
    chart = make_deck([path_layer(routes, width=1), point_layer(points, radius=30)], frames, "{rule}: {message}")
    return frozen(chart), [(t(f"legend.{s}", lang), c) for s, c in SEVERITY_COLOURS.items()]


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
    if site is not None:
        area = gpd.GeoDataFrame({"label": [t("legend.construction", lang)]},
                                geometry=[Failure.around(*site).area], crs=CRS)
        layers.append(polygon_layer(polygon_table(area), WHATIF_COLOURS["construction"], WHATIF_COLOURS["failed"]))
        keys.append((t("legend.construction", lang), WHATIF_COLOURS["construction"]))
    failed = outcome.failed_edges
    if len(failed):
        names = [f"{r} / {tr}" for r, tr in zip(network.edge_route_id[failed], network.edge_trench_id[failed],
                                                strict=True)]
        lines = gpd.GeoDataFrame({"label": names}, geometry=network.edge_geometry[failed], crs=CRS)
        layers.append(path_layer(path_table(lines).assign(colour=[WHATIF_COLOURS["failed"]] * len(lines)), width=4))
        keys.append((t("legend.failed", lang), WHATIF_COLOURS["failed"]))
    sites = data.map_table(location, version, "sites").drop(columns="label")
    states = outcome.sites[["site_id", "state"]].astype({"site_id": str})
    sites = sites.astype({"site_id": str}).merge(states, on="site_id")
    sites = sites[sites["state"].isin(["isolated", "detour", "unchanged"])]
    sites = sites.sort_values("state", key=lambda s: s.map({"unchanged": 0, "detour": 1}))
    sites["colour"] = sites["state"].map(WHATIF_COLOURS)
    sites["label"] = [f"{n} ({i}): {t('state.' + s, lang)}"
                      for n, i, s in zip(sites["name"], sites["site_id"], sites["state"], strict=True)]
    cut_off = sites["state"] == "isolated"
    layers += [point_layer(sites[~cut_off]), point_layer(sites[cut_off], min_pixels=ISOLATED_MIN_PX)]  # on top
    keys += [(t(f"state.{s}", lang), WHATIF_COLOURS[s]) for s in ("isolated", "detour", "unchanged")]
    return frozen(make_deck(layers, frames, "{label}")), keys


@st.cache_resource(show_spinner=False, max_entries=16)
def inventory_map(location: str, version: int, shown: tuple[str, ...], lang: str) -> tuple[pdk.Deck, Legend]:
    """The inventory's `shown` layers (Inventar), with the legend."""
    frames = data.load(location, version)
    layers, keys = [], []
    if "districts" in shown and len(frames["districts"]):
        layers.append(polygon_layer(data.map_table(location, version, "districts", "stadtteil"), DISTRICT_COLOUR,
                                    [90, 90, 130]))
        keys.append((t("legend.district", lang), DISTRICT_COLOUR))
    if "site_areas" in shown and len(frames["site_areas"]):
        layers.append(polygon_layer(data.map_table(location, version, "site_areas"), SITE_AREA_COLOUR,
                                    [160, 60, 160]))
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
    return frozen(make_deck(layers, frames, "{label}")), keys


@st.cache_resource(show_spinner=False, max_entries=64)
def school_map(location: str, version: int, site_id: str, lang: str) -> tuple[pdk.Deck, Legend]:
    """A school and its path(s) to the POP: the two diverse paths if it has them, else its one path (Meine
    Schule), with the legend."""
    frames = data.load(location, version)
    sites = frames["sites"]
    i = sites.index[sites["site_id"] == site_id][0]
    status = str(data.statuses(location, version).loc[i, "status"])
    network = data.network_of(location, version)
    pair = data.pair_of(location, version, site_id)
    if pair.found:
        geometries = [shapely.line_merge(shapely.multilinestrings(network.edge_geometry[p].tolist()))
                      for p in (pair.path_a, pair.path_b)]
        labels, colours = [t("legend.path_a", lang), t("legend.path_b", lang)], list(PATH_COLOURS)
    else:
        path = data.single_paths(location, version).set_index("site_id").geometry.get(site_id)
        geometries, labels, colours = ([path], [t("legend.path", lang)], [SINGLE_PATH_COLOUR]) \
            if path is not None else ([], [], [])
    layers = []
    if geometries:
        lines = gpd.GeoDataFrame({"name": labels, "colour": colours}, geometry=geometries, crs=CRS)
        layers.append(path_layer(path_table(lines), width=4))
    point = point_table(sites.loc[[i]])
    point["colour"] = [STATUS_COLOURS[status]]
    layers.append(point_layer(point, radius=60))
    view = pdk.ViewState(latitude=float(point["lat"].iloc[0]), longitude=float(point["lon"].iloc[0]), zoom=13)
    keys = [*zip(labels, colours, strict=True), (f"{school_label(sites.loc[i])}: {t('status.' + status, lang)}",
                                                 STATUS_COLOURS[status])]
    reached = data.analysis_of(location, version).sites.set_index("site_id")
    if site_id in reached.index and bool(reached.loc[site_id, "reachable"]):  # its POP, marked
        nodes = frames["nodes"]
        pop = nodes[nodes["node_id"] == reached.loc[site_id, "pop"]]
        if len(pop):
            marker = point_table(pop[["node_id", "name", "geometry"]]).assign(colour=[POP_COLOUR])
            layers.append(point_layer(marker, radius=60, min_pixels=6))
            keys.append((f"{t('legend.pop', lang)}: {pop['name'].iloc[0] or pop['node_id'].iloc[0]}", POP_COLOUR))
    return frozen(make_deck(layers, frames, view=view)), keys


def warm(location: str, version: int, lang: str = "de") -> None:
    """Make every page's first map and its picture (the app's data caches first: `data.warm`)."""
    frames = data.load(location, version)
    first = [(coverage_map(location, version, lang), HEIGHT_PX), (share_map(location, version), SHARE_HEIGHT_PX),
             (criticality_map(location, version, lang)[0], HEIGHT_PX),
             (inventory_map(location, version, INVENTORY_MAP_DEFAULT, lang)[0], INVENTORY_HEIGHT_PX)]
    if (located := quality_map(location, version, lang)) is not None:
        first.append((located[0], HEIGHT_PX))
    if schools := school_options(frames["sites"]):
        first.append((school_map(location, version, next(iter(schools)), lang)[0], HEIGHT_PX))
    for chart, height in first:
        if chart is not None:
            picture_of(chart, height)
