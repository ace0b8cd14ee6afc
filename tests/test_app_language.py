"""German throughout, in German formats (issue 15.6), under AppTest: every table's cells and headers, every
label, caption and text of every page in both languages; the CSV downloads as German and English
spreadsheets read them; the Datenqualität findings in German. The real-browser twin is in test_browser.py."""

from __future__ import annotations

import csv
import io
import re
import shutil

import pandas as pd
import pytest
from app_pages_helper import open_page
from language_check import data_texts, language_findings
from streamlit.testing.v1 import AppTest
from test_app import APP

from app_pages.formats import CSV_DIALECT, csv_bytes, shown_table
from app_pages.i18n import WORD_JOINER, cell_text, column_label, value_label
from app_pages.problem_text import WORDING_DE, problem_rows
from app_pages.registry import PUBLIC_PAGES
from coverage.ring_closure import ring_closures
from inventory.report import validation_report
from inventory.settings import SAMPLE_GPKG
from inventory.stores import open_store
from topology import build_network


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    if not SAMPLE_GPKG.exists():
        pytest.skip("the sample GeoPackage is missing (gelsennet demo)")
    path = tmp_path_factory.mktemp("language") / "sample.gpkg"
    shutil.copy(SAMPLE_GPKG, path)
    return path


@pytest.fixture(scope="module")
def sample_frames(sample):
    return open_store(sample).read_all()


def page_text(at: AppTest) -> str:
    """Everything a page shows as text under AppTest: tables' headers and cells (`st.dataframe` and the HTML
    tables), metrics, headers, captions, Markdown, alerts, widgets' labels and options."""
    parts: list[str] = []
    for frame in at.dataframe:
        parts += [str(c) for c in frame.value.columns]
        parts += [str(v) for v in frame.value.to_numpy().ravel().tolist()]
    for element in at.get("html"):
        body = re.sub(r"<style>.*?</style>", " ", element.proto.body, flags=re.S)
        parts.append(re.sub(r"<[^>]+>", "\n", body))
    for metric in at.metric:
        parts += [metric.label, str(metric.value)]
    for kind in ("title", "subheader", "header", "caption", "markdown", "warning", "info", "success", "error"):
        parts += [re.sub(r"`[^`]*`", " ", str(e.value)) for e in at.get(kind)]  # code spans: store paths
    for widget in [*at.selectbox, *at.multiselect, *at.radio]:
        parts.append(widget.label)
        parts += [str(o) for o in widget.options][:20]
    for widget in [*at.checkbox, *at.toggle, *at.text_input, *at.number_input]:
        parts.append(widget.label)
    parts += [b.proto.label for b in at.get("download_button")]
    text = "\n".join(parts)
    text = re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", text)  # Markdown escapes of `plain`
    return text.replace(WORD_JOINER, "")


def without_data(text: str, texts: list[str]) -> str:
    for data_text in texts:
        text = text.replace(data_text, " ")
    return text


@pytest.mark.parametrize("lang", ["de", "en"])
def test_every_page_speaks_one_language_in_its_formats(sample, sample_frames, monkeypatch, lang):
    """Each page, and the what-if's tables with a trench failed, in one language and its number format."""
    monkeypatch.setenv("GELSENNET_DB", str(sample))
    at = AppTest.from_file(APP, default_timeout=180)
    at.run()
    if lang == "en":
        at.radio(key="lang").set_value("en").run()
    data = data_texts(sample_frames)
    findings = {}
    for entry in PUBLIC_PAGES:
        open_page(at, entry.key)
        assert not at.exception, at.exception
        texts = [page_text(at)]
        if entry.key == "overview":
            at.radio(key="kpi_level").set_value("stadtteil").run()
            texts.append(page_text(at))
        if entry.key == "network":  # the what-if's tables: sites cut off and on a detour
            network = build_network(sample_frames["routes"], sample_frames["nodes"], sample_frames["sites"])
            trench = network.edge_trench_id[network.edge_route_id.tolist().index("R-00333")] \
                if "R-00333" in network.edge_route_id.tolist() else network.edge_trench_id[0]
            at.multiselect(key="whatif_trenches").select(trench).run()
            assert not at.exception, at.exception
            texts.append(page_text(at))
        if entry.key == "inventory":
            for layer in ("routes", "sites", "districts", "site_areas"):
                at.selectbox(key="inv_table").set_value(layer).run()
                texts.append(page_text(at))
        found = language_findings(without_data("\n".join(texts), data), lang)
        if found:
            findings[entry.key] = found
    assert not findings, "\n".join(f"{page}: {f}" for page, items in findings.items() for f in items)


def test_numbers_in_tables_are_written_as_each_language_writes_them():
    table = pd.DataFrame({"cost_eur": [16573.3555], "length_a_m": [2556.25], "pupils": [2185.0],
                          "built_year": [2007], "share_schools_gigabit": [0.782], "found": [True],
                          "kind": ["school"], "status": ["near"], "level": ["city"]})
    assert shown_table(table, "de").iloc[0].tolist() == ["16.573", "2.556,2", "2.185", "2007", "78,2 %", "ja",
                                                         "Schule", "Glasfaser in der Nähe", "Stadt"]
    assert shown_table(table, "en").iloc[0].tolist() == ["16,573", "2,556.2", "2,185", "2007", "78.2 %", "yes",
                                                         "school", "fibre nearby", "city"]
    assert list(shown_table(table, "de").columns)[:2] == ["Kosten (€)", "Länge Weg 1 (m)"]  # units in headers


def test_the_whole_city_is_named_in_each_language():
    assert cell_text("name", "Stadt gesamt", "de") == "Stadt gesamt"
    assert cell_text("name", "Stadt gesamt", "en") == "Whole city"
    assert cell_text("district_id", "CITY", "de") == "Stadt"


def read_csv(content: bytes, lang: str) -> list[list[str]]:
    assert content.startswith(b"\xef\xbb\xbf")  # UTF-8 with a byte-order mark: Excel reads it as UTF-8
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=CSV_DIALECT[lang]["sep"]))


def test_csv_downloads_open_in_german_and_english_spreadsheets(sample_frames):
    """The ring closures as CSV: German with semicolons and decimal commas, English with commas and decimal
    points; each number read back the spreadsheet's way equals the library's, at full precision."""
    network = build_network(sample_frames["routes"], sample_frames["nodes"], sample_frames["sites"])
    closures = ring_closures(network)
    closures = pd.DataFrame(closures.drop(columns="geometry")).assign(sites=closures["sites"].map(", ".join))
    for lang, to_float in (("de", lambda s: float(s.replace(",", "."))), ("en", float)):
        rows = read_csv(csv_bytes(closures, lang), lang)
        header, body = rows[0], rows[1:]
        assert header == [column_label(c, lang) for c in closures.columns]
        assert len(body) == len(closures)
        cost = header.index(column_label("cost_eur", lang))
        read = [to_float(row[cost]) for row in body]
        assert read == pytest.approx(closures["cost_eur"].tolist(), rel=1e-12)
        if lang == "de":
            assert all("," in row[cost] and "." not in row[cost] for row in body)  # no thousands separators
        link = header.index(column_label("link_id", lang))
        assert [row[link] for row in body] == [value_label("link_id", i, lang) for i in closures["link_id"]]


def test_csv_downloads_keep_formulas_neutralised():
    table = pd.DataFrame({"name": ["=HYPERLINK(\"http://x\")", "+1", "Schule"], "pupils": [-5, 10, 1234]})
    for lang in ("de", "en"):
        rows = read_csv(csv_bytes(table, lang), lang)
        assert [r[0] for r in rows[1:]] == ["'=HYPERLINK(\"http://x\")", "'+1", "Schule"]
        assert [r[1] for r in rows[1:]] == ["-5", "10", "1234"]  # numbers stay numbers


def test_findings_of_the_sample_are_german_on_the_german_side(sample):
    """Every part of every finding of the sample reads German (the rule's German text, the library's values
    in it); the English side keeps the library's words."""
    problems = validation_report(open_store(sample)).to_dict()["problems"]
    assert problems
    german, english = problem_rows(problems, "de"), problem_rows(problems, "en")
    for part in ("value", "expected", "fix"):
        assert list(english[part]) == [str(p[part]) for p in problems]
        for rule, text in zip(german["rule"], german[part], strict=True):
            assert part in WORDING_DE.get(rule, {}), (rule, part)
            assert not language_findings(text, "de"), (rule, part, text)
    assert "1,3 m" in " ".join(german["value"])  # the library's 1.3 m, written the German way


def test_a_finding_without_a_german_text_keeps_its_words():
    """Nothing is lost: a text the rule's pattern does not know is shown as the library wrote it."""
    problem = {"rule": "side_by_side_routes", "value": "something new", "expected": "x", "fix": "y", "row": "line 3"}
    row = problem_rows([problem], "de").iloc[0]
    assert (row["value"], row["expected"], row["fix"], row["row"]) == ("something new", "x", "y", "Zeile 3")
