"""Überblick's district table fits its column in a real browser (issue 15.7): every view, both levels, at a
1400 px wide window. Uses the browser test's server and Chromium (skipped like it when they are missing)."""

from __future__ import annotations

import pytest
from test_browser import PAGES, app_url, browser  # noqa: F401  (fixtures)

from app_pages import data
from app_pages.i18n import t

TABLE = '[data-testid="stHtml"] table.gn-table'


def table_widths(page) -> tuple[int, int]:
    """(the district table's scrollWidth, its st.html container's clientWidth) in CSS pixels.

    Read in one step in the page, once the table sits in its container: Streamlit may replace the table
    between a lookup and a later read (a rerun under load), which would leave a read of a detached table.
    """
    handle = page.wait_for_function(
        """sel => {
            const table = document.querySelector(sel);
            const box = table && table.closest('[data-testid="stHtml"]');
            return box ? [table.scrollWidth, box.clientWidth] : null;
        }""", arg=TABLE, timeout=30_000)
    width, column = handle.json_value()
    return int(width), int(column)


@pytest.mark.parametrize("level", ["stadtbezirk", "stadtteil"])
def test_district_table_fits_its_column(browser, app_url, level):  # noqa: F811
    label, marker = PAGES["overview"]
    page = browser.new_page(viewport={"width": 1400, "height": 1800})
    try:
        page.goto(app_url, timeout=60_000)
        page.locator('[data-testid="stSidebar"]').get_by_text(label, exact=True).click(timeout=60_000)
        page.get_by_text(marker).first.wait_for(timeout=90_000)
        if level != "stadtbezirk":
            page.locator(".st-key-kpi_level").get_by_text(t(f"level.{level}"), exact=True).click()
        for view in data.DISTRICT_VIEWS:
            page.locator(".st-key-kpi_view").get_by_text(t(f"districts.view.{view}"), exact=True).click()
            page.locator('[data-testid="stStatusWidget"]').wait_for(state="detached", timeout=90_000)
            header = page.locator(f"{TABLE} th").nth(1)
            header.wait_for(timeout=30_000)
            page.wait_for_function(
                "([sel, n]) => document.querySelectorAll(sel + ' thead th').length === n",
                arg=[TABLE, len(data.DISTRICT_VIEWS[view])], timeout=30_000)
            width, column = table_widths(page)
            assert column > 800, column  # the page's main column at this window width
            assert width <= column, f"{view}/{level}: table {width} px wide in a {column} px column"
    finally:
        page.close()
