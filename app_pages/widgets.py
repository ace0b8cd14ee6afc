"""Small parts several pages share: tables, CSV downloads and map legends."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from app_pages.formats import csv_bytes, number_headers, shown_table
from app_pages.i18n import t
from app_pages.logic import ROUTE_COLOURS, STATUS_COLOURS, legend_html


def csv_button(table: pd.DataFrame, name: str, lang: str, key: str) -> None:
    """A CSV download of `table` for a spreadsheet in `lang` (`app_pages.formats.csv_bytes`: German Excel's
    semicolons and decimal commas on the German side, UTF-8 with a byte-order mark), formula-like text
    neutralised."""
    content = csv_bytes(table, lang)
    st.download_button(t("download_csv", lang), content, file_name=name, mime="text/csv", key=key)


def table(data: pd.DataFrame, lang: str, key: str) -> None:
    """A table of the app (`st.dataframe`): as `app_pages.formats.shown_table` shows it in `lang`, numbers
    right-aligned."""
    right = {header: st.column_config.Column(alignment="right") for header in number_headers(data, lang)}
    st.dataframe(shown_table(data, lang), hide_index=True, key=key, column_config=right)


def legend(items: list[tuple[str, list[int]]]) -> None:
    """A map's legend: (label, RGB colour) pairs."""
    st.html(legend_html(items))


def status_legend(lang: str, extra: list[tuple[str, list[int]]] = ()) -> None:
    """The legend of the coverage statuses and route statuses, then the `extra` items (the city context)."""
    legend([(t(f"status.{s}", lang), c) for s, c in STATUS_COLOURS.items()]
           + [(t(f"route.{s}", lang), c) for s, c in ROUTE_COLOURS.items()] + list(extra))
