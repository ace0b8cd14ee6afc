"""The printable overview report: its content is the library's numbers, and it is a two-page A4 PDF."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from app_pages.figures import TREND_LABELS, trend_svg
from app_pages.i18n import cell_text, column_label, fmt, fmt_share, t
from app_pages.logic import card_note, overview_cards
from app_pages.report_pdf import DISTRICT_COLUMNS, overview_content, render_pdf
from coverage.expansion import expansion_plan, plan_totals
from coverage.kpis import district_kpis
from coverage.status import site_status
from coverage.trend import kpis_by_year
from inventory.settings import SAMPLE_GPKG
from inventory.stores import open_store
from inventory.summary import inventory_summary
from topology import build_network
from topology.analysis import analyse


@pytest.fixture(scope="module")
def sample():
    frames = open_store(SAMPLE_GPKG).read_all()
    result = analyse(build_network(frames["routes"], frames["nodes"], frames["sites"]))
    kpis = district_kpis(frames, redundancy=result.sites)
    return frames, result, kpis


@pytest.mark.parametrize("lang", ["de", "en"])
def test_report_content_is_the_library_figures(sample, lang):
    frames, result, kpis = sample
    cards = overview_cards(kpis, inventory_summary(frames), result.summary(),
                           plan_totals(expansion_plan(frames)), lang)
    content = overview_content(cards, kpis, kpis_by_year(frames), lang, today=dt.date(2026, 11, 26))
    assert content["cards"] == [{"label": c["label"], "value": c["value"], "delta": card_note(c)} for c in cards]
    assert all(c["target"] in card["delta"] for c, card in zip(cards, content["cards"], strict=True))
    assert ("26.11.2026" if lang == "de" else "2026-11-26") in content["subtitle"]
    assert content["columns"] == [column_label(c, lang) for c in DISTRICT_COLUMNS]
    shown = kpis[kpis["level"].isin(["city", "stadtbezirk"])]
    assert [row[0] for row in content["table"]] == [cell_text("name", n, lang) for n in shown["name"]]
    city = content["table"][0]
    assert city[DISTRICT_COLUMNS.index("schools_gigabit")] == fmt(shown.iloc[0]["schools_gigabit"], 0, lang)
    assert city[DISTRICT_COLUMNS.index("share_schools_gigabit")] == fmt_share(
        shown.iloc[0]["share_schools_gigabit"], lang)
    assert list(content["trend"]["year"]) == list(kpis_by_year(frames)["year"])
    assert "synthet" in content["synthetic"]


def test_report_is_a_two_page_pdf(sample):
    frames, result, kpis = sample
    cards = overview_cards(kpis, inventory_summary(frames), result.summary(), plan_totals(expansion_plan(frames)))
    content = overview_content(cards, kpis, kpis_by_year(frames))
    pdf = render_pdf(content, frames["routes"], frames["sites"],
                     site_status(frames["sites"], frames["routes"])["status"].astype(str))
    assert pdf.startswith(b"%PDF-") and pdf.rstrip().endswith(b"%%EOF")
    assert len(re.findall(rb"/Type\s*/Page\b", pdf)) == 2
    assert re.search(rb"/MediaBox\s*\[\s*0\s+0\s+595\.44\s+841\.68\s*\]", pdf), "A4 pages"
    assert t("title").encode("utf-16-be") in pdf or b"GELSEN-NET" in pdf  # the title in the metadata


@pytest.mark.parametrize("lang", ["de", "en"])
def test_trend_picture_has_a_line_per_count_and_shades_the_plan_years(sample, lang):
    frames, _, _ = sample
    trend = kpis_by_year(frames)
    picture = trend_svg(trend, lang)
    for key in TREND_LABELS:
        assert t(key, lang) in picture
    lines = re.findall(r'<path d="M ([^"]*)"[^>]*clip-path', picture)  # the data lines, clipped to the axes
    assert sum(1 for d in lines if d.count("L ") == len(trend) - 1) == len(TREND_LABELS)
    assert (t("report.plan", lang) in picture) == bool((trend["kind"] != "actual").any())
    assert trend_svg(trend.assign(kind="actual"), lang).count(t("report.plan", lang)) == 0
