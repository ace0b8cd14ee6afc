"""Opening the app's pages in Streamlit's AppTest, by the page table (`app_pages.registry`)."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from app_pages.registry import page


def open_page(at: AppTest, key: str) -> AppTest:
    """Switch `at` (run at least once) to the page `key` and run it."""
    return at.switch_page(page(key).script).run()


def page_titles(at: AppTest) -> list[str]:
    """The titles of the pages the app registered in its last run (what the sidebar offers)."""
    return [info["page_name"] for info in at._registered_pages.values()]
