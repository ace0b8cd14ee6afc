"""Drawings that the Überblick page and its printable PDF share (matplotlib), so both show the same.

The page shows them as SVG images: a static picture needs no charting script in the browser, which
matters on a landing page without a GPU (see `benchmarks/APP.md`).
"""

from __future__ import annotations

import io

import pandas as pd

from app_pages.i18n import t

TREND_COLUMNS = ("schools_gigabit", "schools_connected", "business_parks_connected")
TREND_LABELS = ("kpi.schools_gigabit", "trend.schools_connected", "report.parks_connected")


def draw_trend(ax, trend: pd.DataFrame, lang: str = "de", fontsize: float = 7) -> None:
    """The trend since 2016 (`coverage.trend.kpis_by_year`) on `ax`: one line per count, plan years shaded."""
    for column, key in zip(TREND_COLUMNS, TREND_LABELS, strict=True):
        ax.plot(trend["year"], trend[column], marker="o", markersize=3, label=t(key, lang))
    planned = trend[trend["kind"] != "actual"]["year"]
    if len(planned):
        ax.axvspan(planned.min() - 0.5, planned.max() + 0.5, color="#eeeeee", zorder=0, label=t("report.plan", lang))
    ax.legend(fontsize=fontsize)
    ax.grid(alpha=0.3)
    ax.tick_params(labelsize=fontsize)
    ax.xaxis.get_major_locator().set_params(integer=True)


def trend_svg(trend: pd.DataFrame, lang: str = "de") -> str:
    """The trend as an SVG picture for the page (10 × 3.2 in)."""
    import matplotlib
    from matplotlib.figure import Figure

    figure = Figure(figsize=(10, 3.2))
    draw_trend(figure.add_axes((0.05, 0.1, 0.93, 0.86)), trend, lang, fontsize=8)
    buffer = io.StringIO()
    with matplotlib.rc_context({"svg.fonttype": "none"}):  # text as text: smaller, and readable by tools
        figure.savefig(buffer, format="svg", metadata={"Date": None})  # no date: same data, same picture
    return buffer.getvalue()
