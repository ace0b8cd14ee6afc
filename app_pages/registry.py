"""The app's pages, in one table: what `app.py` registers with `st.navigation`, what the browser test, the
AppTest tests and the benchmark open, and what a page needs from the frame around it.

A page is a script in `app_pages/pages/<key>.py`, its title the label `page.<key>` (`app_pages/texts/frame.py`),
its other labels in a module of `app_pages/texts/` joined into `app_pages.i18n.LABELS`. Adding a page means one
row here, its script and its texts: every test and benchmark that walks the pages reads this (README, "Adding a
format, an analysis or an app page").
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class AppPage:
    """One page of the app.

    key: its name (`page.<key>` label, `app_pages/pages/<key>.py`, URL path `/<key>`).
    marker: the label of the last part it draws; once shown, the page has painted (browser test, benchmark).
    maps: how many maps it draws on the sample (browser test, benchmark).
    needs_network: stops with a note on a store without sites or routes.
    warns_without_pop: warns when no POP is in service (its figures then have no source).
    editor_only: registered only for a signed-in editor.
    icon: Streamlit's Material icon name.
    """

    key: str
    marker: str
    maps: int
    needs_network: bool = True
    warns_without_pop: bool = False
    editor_only: bool = False
    icon: str = ""

    @property
    def script(self) -> str:
        """The page's script, relative to `app.py` (what `st.Page` and `AppTest.switch_page` take)."""
        return f"app_pages/pages/{self.key}.py"

    @property
    def title_label(self) -> str:
        return f"page.{self.key}"


PAGES: tuple[AppPage, ...] = (
    AppPage("overview", "trend", 2, warns_without_pop=True, icon=":material/dashboard:"),
    AppPage("school", "school.map", 1, warns_without_pop=True, icon=":material/school:"),
    AppPage("network", "net.export", 2, warns_without_pop=True, icon=":material/hub:"),
    AppPage("quality", "q.summary", 1, icon=":material/rule:"),
    AppPage("inventory", "inv.table", 1, needs_network=False, icon=":material/table_view:"),
    AppPage("edit", "edit.element", 0, needs_network=False, editor_only=True, icon=":material/edit:"),
)
"""Every page, in the sidebar's order; the first is where a visitor lands."""

MAP_KEY = "map_"
"""`app_pages.late_maps` keys each map's place map_1, map_2, ... on a page (CSS class st-key-map_1)."""
MAP_PICTURES = f'[class*="st-key-{MAP_KEY}"] img'
"""CSS selector of a page's maps drawn as pictures (browser test, benchmark: `AppPage.maps` of them)."""
DECK_CANVAS = '[data-testid="stDeckGlJsonChart"] canvas'
"""CSS selector of an interactive map's WebGL canvas."""


def page(key: str) -> AppPage:
    """The page named `key`; KeyError for an unknown one."""
    for entry in PAGES:
        if entry.key == key:
            return entry
    raise KeyError(key)


def pages_for(editor: bool) -> tuple[AppPage, ...]:
    """The pages a visitor sees: the editor-only ones only for a signed-in editor."""
    return tuple(entry for entry in PAGES if editor or not entry.editor_only)


PUBLIC_PAGES = pages_for(editor=False)
"""The pages every visitor sees (the browser test and the benchmark open each)."""
