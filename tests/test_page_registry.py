"""The app's pages come from one table (`app_pages.registry`): every page script is in it, every entry has
its script, its titles and its marker in both languages, and the app registers exactly the pages a visitor
may see."""

from __future__ import annotations

from pathlib import Path

import pytest
from app_pages_helper import open_page, page_titles
from streamlit.testing.v1 import AppTest

from app_pages.i18n import LABELS, LANGUAGES, page_marker, t
from app_pages.registry import PAGES, PUBLIC_PAGES, page, pages_for

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "app.py")


def test_every_page_script_is_in_the_table_and_every_entry_has_its_script():
    scripts = {p.stem for p in (ROOT / "app_pages" / "pages").glob("*.py") if p.stem != "__init__"}
    assert scripts == {entry.key for entry in PAGES}
    for entry in PAGES:
        assert (ROOT / entry.script).is_file(), entry


@pytest.mark.parametrize("entry", PAGES, ids=lambda entry: entry.key)
def test_every_page_has_its_title_and_marker_in_both_languages(entry):
    for label in (entry.title_label, entry.marker):
        assert label in LABELS, label
        assert all(t(label, lang).strip() for lang in LANGUAGES)


def test_editor_pages_only_for_editors():
    assert [entry.key for entry in pages_for(editor=False)] == [entry.key for entry in PUBLIC_PAGES]
    assert set(pages_for(editor=True)) == set(PAGES)
    assert any(entry.editor_only for entry in PAGES)
    with pytest.raises(KeyError):
        page("nope")


def test_the_app_registers_the_public_pages_and_each_shows_its_marker(small_gpkg):
    at = AppTest.from_file(APP, default_timeout=120).run()
    assert page_titles(at) == [t(entry.title_label) for entry in PUBLIC_PAGES]
    for entry in PUBLIC_PAGES:
        open_page(at, entry.key)
        assert not at.exception, (entry.key, at.exception)
        shown = [e.value for e in (*at.subheader, *at.caption, *at.markdown, *at.selectbox) if isinstance(e.value, str)]
        shown += [e.label for e in at.selectbox]
        assert any(page_marker(entry.key) in text for text in shown), entry.key


def test_the_sidebar_menu_follows_the_page_and_switches_it(small_gpkg):
    """The menu (radio "page") offers the registered pages; a page reached by its URL (switch_page) is the one
    the menu marks, and a choice in the menu runs that page."""
    at = AppTest.from_file(APP, default_timeout=120).run()
    assert list(at.radio(key="page").options) == [t(entry.title_label) for entry in PUBLIC_PAGES]
    open_page(at, "quality")
    assert at.radio(key="page").value == "quality"
    at.radio(key="page").set_value("inventory").run()
    assert not at.exception
    assert any(page_marker("inventory") in e.label for e in at.selectbox)
    assert at.radio(key="page").value == "inventory"


def test_a_choice_in_the_menu_keeps_the_sidebar_switches(small_gpkg):
    """The run that switches pages draws every sidebar widget first: a widget a run does not draw loses its
    state, and the interactive-maps switch would turn itself off on the next page."""
    at = AppTest.from_file(APP, default_timeout=120).run()
    at.toggle(key="interactive_maps").set_value(True).run()
    at.radio(key="page").set_value("inventory").run()
    assert not at.exception
    assert at.toggle(key="interactive_maps").value is True
    assert len(at.get("deck_gl_json_chart")) == page("inventory").maps
    at.radio(key="lang").set_value("en").run()
    at.radio(key="page").set_value("quality").run()
    assert at.radio(key="lang").value == "en" and at.radio(key="page").value == "quality"
    assert any(page_marker("quality", "en") in e.value for e in at.subheader)
