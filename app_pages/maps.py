"""The app's pydeck maps: layers, the view, and the two maps of the Überblick page, made once per store
version and language (`st.cache_resource`) with their JSON, so a visit only sends them.

Without a GPU the browser draws these maps on its CPU; what they carry is kept to what deck.gl draws
with and what the tooltip shows.
"""

from __future__ import annotations

import re

import pandas as pd
import pydeck as pdk
import streamlit as st

from app_pages import data
from app_pages.i18n import t
from app_pages.logic import ROUTE_COLOURS, STATUS_COLOURS, share_colour

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


def frozen(chart: pdk.Deck) -> pdk.Deck:
    """`chart` with its JSON made now: a cached map is not serialised again on every visit."""
    spec = chart.to_json()
    chart.to_json = lambda: spec
    return chart


def path_layer(table: pd.DataFrame, colour="colour", width: int = 2) -> pdk.Layer:
    return pdk.Layer("PathLayer", table, get_path="path", get_color=colour, width_min_pixels=width, pickable=True)


def point_layer(table: pd.DataFrame, colour="colour", radius: int = 40) -> pdk.Layer:
    return pdk.Layer("ScatterplotLayer", table, get_position=["lon", "lat"], get_radius=radius,
                     radius_min_pixels=4, get_fill_color=colour, pickable=True)


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
    layer = pdk.Layer("PolygonLayer", polygons, get_polygon="polygon", filled=True, get_fill_color="colour",
                      get_line_color=[80, 80, 80], line_width_min_pixels=1, pickable=True)
    return frozen(make_deck([layer], data.load(location, version), "{name}: {share}"))
