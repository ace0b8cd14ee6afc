"""Überblick (management): KPI cards, the coverage map, the district table, the share map and the trend,
with PDF and CSV downloads."""

from __future__ import annotations

import streamlit as st

from app_pages import data
from app_pages.i18n import t
from app_pages.late_maps import place_map
from app_pages.logic import share_colour
from app_pages.maps import SHARE_HEIGHT_PX, context_legend, coverage_map, share_map
from app_pages.page_context import PageContext, current
from app_pages.report_pdf import overview_content, render_pdf
from app_pages.widgets import csv_button, legend, status_legend


def page_overview(context: PageContext) -> None:
    location, version, frames, lang = context.location, context.version, context.frames, context.lang
    table = data.kpis(location, version)
    cards = data.cards(location, version, lang)
    for column, card in zip(st.columns(len(cards)), cards, strict=True):
        column.metric(card["label"], card["value"], card["delta"] or None, delta_color=card["delta_color"],
                      delta_description=card["delta_description"] or None, help=card["help"])
        column.caption(card["target"])
        if card["rings"]:
            column.caption(card["rings"])

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
    status_legend(lang, context_legend(location, version, lang))

    st.subheader(t("districts", lang))
    left, right = st.columns(2)
    level = left.radio(t("level", lang), ("stadtbezirk", "stadtteil"), format_func=lambda v: t(f"level.{v}", lang),
                       horizontal=True, key="kpi_level")
    view = right.radio(t("districts.view", lang), tuple(data.DISTRICT_VIEWS),
                       format_func=lambda v: t(f"districts.view.{v}", lang), horizontal=True, key="kpi_view")
    st.html(data.district_table(location, version, level, lang, view))
    csv_button(table, "district_kpis.csv", lang, "kpi_csv")

    st.subheader(t("choropleth", lang))
    shares = share_map(location, version, lang)
    if shares is not None:
        place_map(shares, height=SHARE_HEIGHT_PX)
        legend([(t("legend.share_low", lang), share_colour(0.0)), (t("legend.share_high", lang), share_colour(1.0)),
                (t("legend.no_schools", lang), share_colour(None))] + context_legend(location, version, lang))

    st.subheader(t("trend", lang))
    st.image(data.trend_svg(location, version, lang), width="stretch")


page_overview(current())
