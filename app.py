"""GELSEN-NET inventory: a first Streamlit page listing the layers and showing them on a map.

Thin by design: every figure comes from the `inventory` library, so the app and the
CLI agree. The store is $GELSENNET_DB, else the embedded sample GeoPackage.
Run: `bash scripts/run.sh` (see README).
"""

from __future__ import annotations

import pydeck as pdk
import streamlit as st

from inventory.display import path_table, point_table, polygon_table
from inventory.schema import LAYER_ORDER, LAYERS
from inventory.settings import store_location
from inventory.stores import StoreError, open_store
from inventory.summary import inventory_summary

ROUTE_COLOURS = {"in_service": [0, 92, 169], "planned": [230, 140, 0], "retired": [150, 150, 150]}
SITE_COLOURS = {"connected": [0, 140, 70], "planned": [230, 140, 0], "none": [200, 30, 30]}
LAYER_LABELS = {
    "districts": "Stadtbezirke und Stadtteile (Näherung)",
    "routes": "Trassen (synthetisch)",
    "nodes": "Netzknoten (synthetisch)",
    "sites": "Standorte (Schulen, Gewerbegebiete)",
    "site_areas": "Gewerbeflächen (Näherung)",
}

st.set_page_config(page_title="GELSEN-NET Inventar", layout="wide")


@st.cache_data(show_spinner="Lade Inventar …")
def load(location: str) -> dict:
    store = open_store(location)
    try:
        if not store.exists():
            raise StoreError(f"{location} enthält kein Inventar")
        return store.read_all()
    finally:
        store.close()


def map_layers(frames: dict, shown: list[str]) -> list[pdk.Layer]:
    layers = []
    if "districts" in shown:
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
        layers.append(pdk.Layer("PathLayer", routes, get_path="path", get_color="colour", width_min_pixels=2,
                                pickable=True))
    if "nodes" in shown and len(frames["nodes"]):
        layers.append(pdk.Layer("ScatterplotLayer", point_table(frames["nodes"]), get_position=["lon", "lat"],
                                get_radius=12, radius_min_pixels=2, get_fill_color=[40, 40, 40], pickable=True))
    if "sites" in shown and len(frames["sites"]):
        sites = point_table(frames["sites"])
        sites["colour"] = sites["connection"].map(SITE_COLOURS)
        layers.append(pdk.Layer("ScatterplotLayer", sites, get_position=["lon", "lat"], get_radius=40,
                                radius_min_pixels=4, get_fill_color="colour", pickable=True))
    return layers


st.title("GELSEN-NET – Glasfaser-Inventar")
location = store_location()
st.caption(f"Datenbestand: `{location}`")
try:
    frames = load(location)
except StoreError as exc:
    st.error(f"Das Inventar kann nicht geöffnet werden: {exc}. "
             "Beispieldaten erzeugen: `gelsennet demo`, oder GELSENNET_DB auf einen Datenbestand setzen.")
    st.stop()

st.warning("Das Glasfasernetz (Trassen, Knoten, Anschlüsse) ist **synthetisch**: die echten Trassen sind nicht "
           "öffentlich. Schulstandorte und Stadtgrenze sind amtliche Daten; Stadtteile und Gewerbeflächen sind "
           "Näherungen. Quellen: data/README.md.")

summary = inventory_summary(frames)
columns = st.columns(len(LAYER_ORDER) + 1)
for column, name in zip(columns, LAYER_ORDER, strict=False):
    column.metric(LAYER_LABELS[name], f"{summary['counts'][name]:,}".replace(",", "."))
columns[-1].metric("Trassen-km in Betrieb", f"{summary['route_km'].get('in_service', 0.0):,.1f}"
                   .replace(",", "X").replace(".", ",").replace("X", "."))

shown = st.multiselect("Ebenen auf der Karte", LAYER_ORDER, default=list(LAYER_ORDER),
                       format_func=LAYER_LABELS.get)
bounds = frames["districts"].to_crs("EPSG:4326").total_bounds if len(frames["districts"]) else None
view = pdk.ViewState(latitude=51.54, longitude=7.08, zoom=11.3)
if bounds is not None:
    view = pdk.ViewState(latitude=(bounds[1] + bounds[3]) / 2, longitude=(bounds[0] + bounds[2]) / 2, zoom=11.3)
st.pydeck_chart(pdk.Deck(layers=map_layers(frames, shown), initial_view_state=view, map_style=None,
                         tooltip={"text": "{name}"}), height=600)

layer = st.selectbox("Tabelle", LAYER_ORDER, format_func=LAYER_LABELS.get)
st.caption(LAYERS[layer].description)
st.dataframe(frames[layer].drop(columns="geometry"), hide_index=True)
