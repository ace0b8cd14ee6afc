"""Meine Schule (school IT coordinators): one school's connection in plain words, and its map."""

from __future__ import annotations

import streamlit as st

from app_pages import data
from app_pages.i18n import plain, t
from app_pages.late_maps import place_map
from app_pages.logic import find_school, school_card, school_options
from app_pages.maps import school_map
from app_pages.page_context import PageContext, current
from app_pages.widgets import legend


def page_school(context: PageContext) -> None:
    location, version, frames, lang = context.location, context.version, context.frames, context.lang
    sites = frames["sites"]
    options = school_options(sites)
    if not options:
        st.info(t("school.none", lang))
        return
    chosen = st.selectbox(t("school.search", lang), list(options), format_func=options.get, key="school")
    number = st.text_input(t("school.number", lang), key="school_number")
    if number.strip():
        chosen = find_school(sites, number)
        if chosen is None:
            st.error(t("school.unknown", lang, number=plain(number.strip())))
            return
    i = sites.index[sites["site_id"] == chosen][0]
    site = sites.loc[i]
    status = data.statuses(location, version).loc[i]
    redundancy = data.analysis_of(location, version).sites.set_index("site_id").loc[chosen]
    redundancy = {"site_id": chosen, **redundancy.to_dict()}
    expansion = data.plan(location, version)
    rows = expansion[expansion["site_id"] == chosen]
    card = school_card(site, status, redundancy, rows.iloc[0] if len(rows) else None, lang,
                       pair=data.pair_of(location, version, chosen))
    st.subheader(plain(options[chosen]))  # data: shown literally, never as Markdown
    for label, text in card.items():
        st.markdown(f"**{plain(label)}:** {plain(text)}")

    st.subheader(t("school.map", lang))
    chart, keys = school_map(location, version, chosen, lang)
    place_map(chart)
    legend(keys)


page_school(current())
