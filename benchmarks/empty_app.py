"""The app benchmark's peer: a Streamlit page with only a title and the landing page's marker text.

Its paint time is what Streamlit itself costs in this browser on this machine (loading the
frontend, opening the websocket, one script run), the floor under every page of the real app.
"""

import streamlit as st

from app_pages.i18n import page_marker, t
from app_pages.registry import PUBLIC_PAGES

st.title(t("title"))
st.write(page_marker(PUBLIC_PAGES[0].key))
