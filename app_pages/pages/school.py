"""Meine Schule (school IT coordinators): one school's connection in plain words, and its map, printable as
one page (the PDF download, and the browser's print through `PRINT_CSS`)."""

from __future__ import annotations

import streamlit as st

from app_pages.i18n import plain, t
from app_pages.late_maps import place_map
from app_pages.logic import find_school, school_options
from app_pages.maps import school_map
from app_pages.page_context import PageContext, current
from app_pages.school_card_pdf import PRINT_CSS, school_card_pdf, school_facts
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
    st.html(PRINT_CSS)
    st.download_button(t("school.card_pdf", lang), lambda: school_card_pdf(location, version, chosen, lang),
                       file_name=f"schulkarte_{chosen}.pdf", mime="application/pdf", key="school_pdf",
                       on_click="ignore")
    with st.container(key="school_card"):
        st.subheader(plain(options[chosen]))  # data: shown literally, never as Markdown
        for label, text in school_facts(location, version, chosen, lang).items():
            st.markdown(f"**{plain(label)}:** {plain(text)}")
        st.markdown(f"*{plain(t('school.card_note', lang))}*")
        st.subheader(t("school.map", lang))
        chart, keys = school_map(location, version, chosen, lang)
        place_map(chart)
        legend(keys)


page_school(current())
