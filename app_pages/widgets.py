"""Small parts several pages share: CSV downloads and map legends."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from app_pages.i18n import t
from app_pages.logic import ROUTE_COLOURS, STATUS_COLOURS, legend_html
from inventory.exporter import neutralise_formulas


def csv_button(table: pd.DataFrame, name: str, lang: str, key: str) -> None:
    """A CSV download of `table`, with formula-like text cells neutralised for spreadsheets."""
    content = neutralise_formulas(table).to_csv(index=False).encode("utf-8")
    st.download_button(t("download_csv", lang), content, file_name=name, mime="text/csv", key=key)


def legend(items: list[tuple[str, list[int]]]) -> None:
    """A map's legend: (label, RGB colour) pairs."""
    st.html(legend_html(items))


def status_legend(lang: str, extra: list[tuple[str, list[int]]] = ()) -> None:
    """The legend of the coverage statuses and route statuses, then the `extra` items (the city context)."""
    legend([(t(f"status.{s}", lang), c) for s, c in STATUS_COLOURS.items()]
           + [(t(f"route.{s}", lang), c) for s, c in ROUTE_COLOURS.items()] + list(extra))
