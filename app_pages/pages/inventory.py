"""Inventar (everyone): counts per layer, the inventory map with chosen layers, and each layer's table."""

from __future__ import annotations

import streamlit as st

from app_pages.i18n import fmt, t
from app_pages.late_maps import place_map
from app_pages.maps import INVENTORY_HEIGHT_PX, INVENTORY_MAP_DEFAULT, inventory_map
from app_pages.page_context import PageContext, current
from app_pages.widgets import legend, table
from inventory.schema import LAYER_ORDER
from inventory.summary import inventory_summary


def page_inventory(context: PageContext) -> None:
    location, version, frames, lang = context.location, context.version, context.frames, context.lang
    summary = inventory_summary(frames)
    columns = st.columns(len(LAYER_ORDER) + 1)
    for column, name in zip(columns, LAYER_ORDER, strict=False):
        column.metric(t(f"count.{name}", lang), fmt(summary["counts"][name], 0, lang), help=t(f"layer.{name}", lang))
    columns[-1].metric(t("count.route_km", lang), fmt(summary["route_km"].get("in_service", 0.0), 1, lang),
                       help=t("count.route_km_help", lang))
    shown = st.multiselect(t("inv.layers", lang), LAYER_ORDER, default=list(INVENTORY_MAP_DEFAULT),
                           format_func=lambda n: t(f"layer.{n}", lang), key="inv_layers",
                           placeholder=t("choose", lang))
    chart, keys = inventory_map(location, version, tuple(shown), lang)
    place_map(chart, height=INVENTORY_HEIGHT_PX)
    legend(keys)
    layer = st.selectbox(t("inv.table", lang), LAYER_ORDER, format_func=lambda n: t(f"layer.{n}", lang),
                         key="inv_table")
    st.caption(t(f"layer_about.{layer}", lang))
    table(frames[layer], lang, "inv_dataframe")


page_inventory(current())
