"""GELSEN-NET inventory: a multi-page Streamlit app for management, school IT coordinators, planners
and data stewards (German labels, English selectable).

Thin by design: every figure comes from the `inventory`, `topology` and `coverage` libraries, so the
app and the CLI agree; labels and plain-words texts live in `app_pages`.
This script is the frame of every page: sidebar, store, checks; the pages are `app_pages/pages/*.py`,
listed once in `app_pages.registry`. The store is $GELSENNET_DB,
else the embedded sample GeoPackage. Run: `bash scripts/run.sh` (see README).
"""

from __future__ import annotations

import streamlit as st

from app_pages import data
from app_pages.data import NoInventory, store_version
from app_pages.edit_page import signed_in_editor
from app_pages.i18n import DEFAULT_LANGUAGE, LANGUAGES, code_span, plain, t
from app_pages.late_maps import INTERACTIVE_KEY, draw_maps, start_run
from app_pages.page_context import PageContext, set_current
from app_pages.registry import pages_for
from inventory.settings import shown_location
from inventory.stores import StoreError

st.set_page_config(page_title="GELSEN-NET Inventar", layout="wide")
PAGE_KEY = "page"  # the sidebar's page menu
PAGE_SEEN_KEY = "_page_seen"  # the page the last run showed


# ---------------------------------------------------------------- frame of every page
# The sidebar's switches outlive a change of page: a page switch may drop a widget's state, so each is kept
# under a second key and given back when its own is gone.
for _key, _default in (("lang", DEFAULT_LANGUAGE), (INTERACTIVE_KEY, False)):
    if _key not in st.session_state:
        st.session_state[_key] = st.session_state.get(f"_kept_{_key}", _default)
lang = st.sidebar.radio(t("language"), list(LANGUAGES), format_func=LANGUAGES.get, key="lang", horizontal=True)
editor = signed_in_editor(lang)  # the import and edit page exists only for a signed-in editor
shown = pages_for(editor=editor is not None)
registered = {entry: st.Page(entry.script, title=t(entry.title_label, lang), icon=entry.icon or None,
                             url_path=entry.key, default=n == 0) for n, entry in enumerate(shown)}
navigation = st.navigation(list(registered.values()), position="hidden")
page = next(entry for entry, registered_page in registered.items() if registered_page is navigation)
# The sidebar's menu is a radio of the registered pages (key "page", its value the page's key): it follows
# the page a visitor reached by its URL, and a choice in it switches to that page's URL.
if st.session_state.get(PAGE_SEEN_KEY) != page.key or st.session_state.get(PAGE_KEY) not in {e.key for e in shown}:
    st.session_state[PAGE_KEY] = page.key
st.session_state[PAGE_SEEN_KEY] = page.key
chosen = st.sidebar.radio(t("page", lang), [entry.key for entry in shown],
                          format_func=lambda key: t(f"page.{key}", lang), key=PAGE_KEY)
interactive = st.sidebar.toggle(t("maps.interactive", lang), key=INTERACTIVE_KEY,
                                help=t("maps.interactive_help", lang))
st.session_state["_kept_lang"], st.session_state[f"_kept_{INTERACTIVE_KEY}"] = lang, interactive
if chosen != page.key:  # after every sidebar widget: a widget this run does not draw would lose its state
    st.switch_page(registered[next(entry for entry in shown if entry.key == chosen)])
start_run()
st.title(t("title", lang))
location = data.configured_location()
st.caption(f"{t('store', lang)}: {code_span(shown_location(location))}")
version = store_version(location)
try:
    with st.spinner(t("loading", lang)):
        frames = data.load(location, version)
except NoInventory as exc:
    st.error(t("store_error", lang, error=t("no_inventory", lang, location=plain(shown_location(exc.location)))))
    st.stop()
except StoreError as exc:
    st.error(t("store_error", lang, error=plain(exc)))
    st.stop()

st.warning(t("synthetic", lang))
if page.needs_network and (not len(frames["sites"]) or not len(frames["routes"])):
    st.info(t("empty_store", lang))
    st.stop()
in_service_pops = (frames["nodes"]["kind"] == "pop") & (frames["nodes"]["status"] == "in_service")
if page.warns_without_pop and not in_service_pops.any():
    st.warning(t("no_pop", lang))
set_current(PageContext(location, version, frames, lang, editor))
navigation.run()
draw_maps(interactive, lang)
