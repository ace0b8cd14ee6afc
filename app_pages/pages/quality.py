"""Datenqualität (data stewards): the validation report, its table and CSV, and the located problems on a
map."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from app_pages import data
from app_pages.i18n import t
from app_pages.late_maps import place_map
from app_pages.maps import quality_map
from app_pages.page_context import PageContext, current
from app_pages.problem_text import problem_rows
from app_pages.widgets import csv_button, legend, table


def page_quality(context: PageContext) -> None:
    location, version, lang = context.location, context.version, context.lang
    result = data.report(location, version)
    st.subheader(t("q.summary", lang, e=result["errors"], w=result["warnings"], n=result["notes"]))
    if not result["problems"]:
        st.success(t("q.clean", lang))
        return
    table(pd.DataFrame(result["summary"]), lang, "quality_summary")
    problems = problem_rows(result["problems"], lang)
    table(problems, lang, "quality_problems")
    csv_button(problems, "validation.csv", lang, "quality_csv")
    located = quality_map(location, version, lang)
    if located is not None:
        st.subheader(t("q.map", lang))
        chart, keys = located
        place_map(chart)
        legend(keys)


page_quality(current())
