"""Drawings that the Überblick page and its printable PDF share (matplotlib), so both show the same.

The page shows them as SVG images: a static picture needs no charting script in the browser, which
matters on a landing page without a GPU (see `benchmarks/APP.md`).
"""

from __future__ import annotations

import io
import math

import pandas as pd

from app_pages.i18n import fmt, t
from coverage.config import Target, load_config

TREND_COLUMNS = ("schools_gigabit", "schools_connected", "business_parks_connected")
TREND_LABELS = ("kpi.schools_gigabit", "trend.schools_connected", "report.parks_connected")
TARGET_COLOUR = "#c0392b"


def target_schools(trend: pd.DataFrame, target: Target) -> int:
    """How many schools the target asks to be on gigabit: its share of the trend's schools, rounded up."""
    schools = int(trend["schools"].max()) if len(trend) else 0
    return math.ceil(round(target.share_schools_gigabit * schools, 9))


def target_label(trend: pd.DataFrame, target: Target, lang: str = "de") -> str:
    """'Ziel 2030: 100 % der Schulen mit Gigabit (78)': the target's year, share and number of schools."""
    share = 100 * target.share_schools_gigabit
    share_text = f"{fmt(share, 0 if share == round(share) else 1, lang)} %"
    return t("trend.target", lang, year=target.year, share=share_text, n=fmt(target_schools(trend, target), 0, lang))


def draw_trend(ax, trend: pd.DataFrame, lang: str = "de", fontsize: float = 7, target: Target | None = None) -> None:
    """The trend since 2016 (`coverage.trend.kpis_by_year`) on `ax`: one line per count, plan years shaded,
    and the target (`target`, else the coverage configuration's) as a dashed line of the schools it asks to be
    on gigabit, up to its year, which the time axis reaches."""
    target = target or load_config().target
    for column, key in zip(TREND_COLUMNS, TREND_LABELS, strict=True):
        ax.plot(trend["year"], trend[column], marker="o", markersize=3, label=t(key, lang))
    planned = trend[trend["kind"] != "actual"]["year"]
    if len(planned):
        ax.axvspan(planned.min() - 0.5, planned.max() + 0.5, color="#eeeeee", zorder=0, label=t("report.plan", lang))
    if len(trend):
        goal = target_schools(trend, target)
        first = min(int(trend["year"].min()), target.year)
        ax.plot([first, target.year], [goal, goal], linestyle="--", color=TARGET_COLOUR, linewidth=1.2,
                label=t("trend.target_short", lang, year=target.year))
        ax.plot([target.year], [goal], marker="*", markersize=9, color=TARGET_COLOUR, linestyle="")
        ax.annotate(target_label(trend, target, lang), (target.year, goal), xytext=(-4, 6),
                    textcoords="offset points", ha="right", fontsize=fontsize, color=TARGET_COLOUR)
        ax.set_xlim(first - 0.5, max(int(trend["year"].max()), target.year) + 0.5)
        ax.set_ylim(0, goal * 1.12 + 1)
    ax.legend(fontsize=fontsize)
    ax.grid(alpha=0.3)
    ax.tick_params(labelsize=fontsize)
    ax.xaxis.get_major_locator().set_params(integer=True)


def trend_svg(trend: pd.DataFrame, lang: str = "de", target: Target | None = None) -> str:
    """The trend as an SVG picture for the page (10 × 3.2 in), with the target (`draw_trend`)."""
    import matplotlib
    from matplotlib.figure import Figure

    figure = Figure(figsize=(10, 3.2))
    draw_trend(figure.add_axes((0.05, 0.1, 0.93, 0.86)), trend, lang, fontsize=8, target=target)
    buffer = io.StringIO()
    with matplotlib.rc_context({"svg.fonttype": "none"}):  # text as text: smaller, and readable by tools
        figure.savefig(buffer, format="svg", metadata={"Date": None})  # no date: same data, same picture
    return buffer.getvalue()
