"""The maps of a page run, drawn after the rest of the page: figures, texts and tables come first, and each
map then fills the place kept for it (`place_map`, then `draw_maps` at the end of the run).

By default a map is a still picture drawn on the server (`map_picture`); the sidebar switch makes them
interactive deck.gl maps (zoom, tooltips), which a computer without a graphics card draws on its CPU: a
second or more per map (benchmarks/APP.md). The places are kept in the session's state, so sessions never
see each other's maps.
"""

from __future__ import annotations

import pydeck as pdk
import streamlit as st

from app_pages import data
from app_pages.i18n import plain, t
from app_pages.map_picture import picture_of
from app_pages.maps import BASEMAPS, HEIGHT_PX, basemap_style, with_basemap
from app_pages.registry import MAP_KEY

PICK_KEY = "criticality_pick"  # the Netz page's interactive map: the routes picked on it
INTERACTIVE_KEY = "interactive_maps"  # the sidebar switch for interactive maps
_PENDING_KEY = "_late_maps"


def _pending() -> list:
    return st.session_state.setdefault(_PENDING_KEY, [])


def start_run() -> None:
    """Forget the places of an earlier run (one that stopped before drawing its maps)."""
    st.session_state[_PENDING_KEY] = []


def place_map(chart: pdk.Deck, height: int = HEIGHT_PX, pick_key: str | None = None) -> None:
    """Keep `chart`'s place in the page; `draw_maps` draws it there. `pick_key`: on the interactive map, a
    click picks objects (shift-click more), kept in st.session_state[pick_key]."""
    _pending().append((st.empty(), chart, height, pick_key))


def draw_maps(interactive: bool, lang: str) -> None:
    """Draw this run's maps into their places, in page order: interactive (over the basemap, if one is set),
    or as still pictures."""
    pending = _pending()
    style = None
    if interactive and pending:
        setting = data.configured_basemap()
        try:
            style = basemap_style(setting)
        except ValueError:
            st.sidebar.warning(t("basemap.unknown", lang, value=plain(setting), choices=", ".join(BASEMAPS)))
    for n, (place, chart, height, pick_key) in enumerate(pending, start=1):
        chart = with_basemap(chart, style) if style else chart
        with place.container(key=f"{MAP_KEY}{n}"):
            if interactive and pick_key:
                st.pydeck_chart(chart, height=height, on_select="rerun", selection_mode="multi-object", key=pick_key)
            elif interactive:
                st.pydeck_chart(chart, height=height)
            else:
                st.image(picture_of(chart, height))  # its own size, at most the page's width
                st.caption(t("maps.picture", lang))
    pending.clear()
