"""The overview as a printable two-page A4 PDF (matplotlib): KPI cards and the coverage map, then the
district table and the trend since 2016.

`overview_content` gathers what the report says from the library's tables (the same cards and
labels as the Überblick page); `render_pdf` only lays it out, so a test can check the content.
Text from the data (district names) is drawn literally: matplotlib's maths mode ($...$) is off for it.
"""

from __future__ import annotations

import datetime as dt
import io
import textwrap
from collections.abc import Mapping

import geopandas as gpd
import pandas as pd

from app_pages.figures import TREND_COLUMNS, draw_trend
from app_pages.i18n import cell_text, column_label, t
from app_pages.logic import ROUTE_COLOURS, STATUS_COLOURS, card_note

A4_IN = (8.27, 11.69)
DISTRICT_COLUMNS = ("name", "schools", "schools_gigabit", "share_schools_gigabit", "business_parks",
                    "business_parks_gigabit", "route_km", "sites_single_homed")


def overview_content(cards: list[Mapping], kpis: pd.DataFrame, trend: pd.DataFrame, lang: str = "de",
                     today: dt.date | None = None) -> dict:
    """Title, date, cards, the district table (city and Stadtbezirke, formatted) and the trend."""
    rows = kpis[kpis["level"].isin(["city", "stadtbezirk"])]
    table = [[cell_text(column, row[column], lang) for column in DISTRICT_COLUMNS] for _, row in rows.iterrows()]
    return {
        "title": t("title", lang),
        "subtitle": t("report.subtitle", lang, date=(today or dt.date.today()).strftime(
            "%d.%m.%Y" if lang != "en" else "%Y-%m-%d")),
        "synthetic": t("report.synthetic", lang),
        "cards": [{"label": card["label"], "value": card["value"], "delta": card_note(card)} for card in cards],
        "columns": [column_label(c, lang) for c in DISTRICT_COLUMNS],
        "table": table,
        "trend": trend[["year", "kind", "schools", *TREND_COLUMNS]].copy(),  # schools: for the target line
        "lang": lang,
    }


def _rgb(colour: list[int]) -> tuple[float, float, float]:
    return tuple(c / 255 for c in colour[:3])


def render_pdf(content: Mapping, routes: gpd.GeoDataFrame, sites: gpd.GeoDataFrame,
               site_status: pd.Series) -> bytes:
    """The report as PDF bytes. `routes` and `sites` in the store's CRS; `site_status` aligned to `sites`."""
    from matplotlib.backends.backend_pdf import PdfPages

    buffer = io.BytesIO()
    with PdfPages(buffer, metadata={"Title": content["title"], "Subject": content["subtitle"]}) as pdf:
        for page in report_pages(content, routes, sites, site_status):
            pdf.savefig(page)
    return buffer.getvalue()


def report_pages(content: Mapping, routes: gpd.GeoDataFrame, sites: gpd.GeoDataFrame,
                 site_status: pd.Series) -> list:
    """The report's pages as matplotlib Figures (A4 portrait)."""
    import matplotlib.patches
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D

    lang = content["lang"]
    pages = []
    page = Figure(figsize=A4_IN)
    page.text(0.06, 0.965, content["title"], fontsize=16, weight="bold")
    page.text(0.06, 0.945, content["subtitle"], fontsize=9)
    page.text(0.06, 0.925, content["synthetic"], fontsize=7.5, style="italic", wrap=True)
    for i, card in enumerate(content["cards"]):
        x = 0.06 + i * 0.225
        page.patches.append(matplotlib.patches.FancyBboxPatch(
            (x, 0.80), 0.205, 0.1, boxstyle="round,pad=0.005", transform=page.transFigure,
            facecolor="#f2f4f7", edgecolor="#c0c6cf"))
        page.text(x + 0.01, 0.88, card["label"], fontsize=7.5, wrap=True)
        page.text(x + 0.01, 0.835, card["value"], fontsize=13, weight="bold")
        page.text(x + 0.01, 0.81, card["delta"], fontsize=7, color="#555555")
    ax = page.add_axes((0.06, 0.14, 0.88, 0.64))
    ax.set_axis_off()
    ax.set_aspect("equal")
    for status, colour in ROUTE_COLOURS.items():
        part = routes[routes["status"] == status]
        if len(part):
            part.plot(ax=ax, color=_rgb(colour), linewidth=0.6 if status == "in_service" else 0.9)
    for status, colour in STATUS_COLOURS.items():
        part = sites[(site_status == status).to_numpy()]
        if len(part):
            part.plot(ax=ax, color=_rgb(colour), markersize=14, edgecolor="black", linewidth=0.3, zorder=3)
    handles = [Line2D([], [], color=_rgb(c), marker="o", linestyle="", markeredgecolor="black",
                      label=t(f"status.{s}", lang)) for s, c in STATUS_COLOURS.items()]
    handles += [Line2D([], [], color=_rgb(c), label=t(f"route.{s}", lang)) for s, c in ROUTE_COLOURS.items()]
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(0.0, -0.01), ncol=3, fontsize=6.5, frameon=False,
              title=t("map.coverage", lang), title_fontsize=7)
    page.text(0.06, 0.04, t("report.crs", lang), fontsize=6.5, color="#555555")
    pages.append(page)

    page = Figure(figsize=A4_IN)
    page.text(0.06, 0.965, t("districts", lang), fontsize=13, weight="bold")
    table_ax = page.add_axes((0.04, 0.55, 0.92, 0.39))
    table_ax.set_axis_off()
    widths = [0.2] + [0.8 / (len(content["columns"]) - 1)] * (len(content["columns"]) - 1)
    headers = [textwrap.fill(label, 14) for label in content["columns"]]
    table = table_ax.table(cellText=content["table"], colLabels=headers, colWidths=widths, loc="upper center",
                           cellLoc="right", colLoc="center")
    table.auto_set_font_size(False)
    table.set_fontsize(6.5)
    table.scale(1, 1.6)
    for (row, column), cell in table.get_celld().items():
        cell.get_text().set_parse_math(False)  # district names are data: a '$' is a dollar sign, not maths
        if row == 0:
            cell.set_text_props(weight="bold")
            cell.set_height(cell.get_height() * 2.4)
        if column == 0:
            cell.set_text_props(ha="left")
    trend_ax = page.add_axes((0.1, 0.08, 0.84, 0.38))
    draw_trend(trend_ax, content["trend"], lang)
    trend_ax.set_title(t("trend", lang), fontsize=10)
    pages.append(page)
    return pages
