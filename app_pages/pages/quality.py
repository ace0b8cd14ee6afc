"""Datenqualität (data stewards): the validation report, its table and CSV, and the located problems on a
map."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from app_pages import data
from app_pages.i18n import rule_label, t
from app_pages.late_maps import place_map
from app_pages.logic import labelled
from app_pages.maps import quality_map
from app_pages.page_context import PageContext, current
from app_pages.widgets import csv_button, legend


def page_quality(context: PageContext) -> None:
    location, version, lang = context.location, context.version, context.lang
    result = data.report(location, version)
    st.subheader(t("q.summary", lang, e=result["errors"], w=result["warnings"], n=result["notes"]))
    if not result["problems"]:
        st.success(t("q.clean", lang))
        return
    st.dataframe(labelled(pd.DataFrame(result["summary"]), lang), hide_index=True, key="quality_summary")
    columns = ["severity", "layer", "rule", "rule_text", "row", "field", "value", "expected", "fix"]
    problems = pd.DataFrame(result["problems"])
    problems["rule_text"] = problems["rule"].map(lambda rule: rule_label(rule, lang))
    problems = problems[columns].astype(str)
    st.dataframe(labelled(problems, lang), hide_index=True, key="quality_problems")
    csv_button(problems, "validation.csv", lang, "quality_csv")
    located = quality_map(location, version, lang)
    if located is not None:
        st.subheader(t("q.map", lang))
        chart, keys = located
        place_map(chart)
        legend(keys)


page_quality(current())
