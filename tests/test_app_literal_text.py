"""Text from the data is shown literally in every element of the app (issue 14.6): a store with Markdown, HTML and
Streamlit markup in every free-text field of every layer (`hostile.py`), every page under AppTest. Elements that
render Markdown get it escaped, plain-text elements (options, tables) get it unchanged, HTML gets it
entity-escaped, the PDF draws it without maths, map tooltips are text. tests/test_browser.py checks the same
store in Chromium."""

from __future__ import annotations

import re

import pandas as pd
import pytest
from app_pages_helper import open_page
from hostile import ACTIVE, HOSTILE, hostile_inventory, text_fields, write_hostile_store
from streamlit.testing.v1 import AppTest
from test_app import APP, shown
from test_app_editing import HASH, fresh_throttle, sign_in  # noqa: F401 (an autouse fixture)

from app_pages.i18n import code_span, column_label, plain
from app_pages.logic import natural_key, school_options
from inventory.schema import LAYER_ORDER

MARKDOWN_TEXT = ("title", "header", "subheader", "markdown", "caption", "error", "warning", "info", "success")
"""AppTest element kinds whose value Streamlit renders as Markdown."""
WIDGETS = ("selectbox", "multiselect", "radio", "checkbox", "toggle", "text_input", "number_input",
           "button", "download_button", "metric", "expander", "tab")
"""Elements whose label (and help) is Markdown; a radio's options are Markdown too."""


@pytest.fixture
def hostile_gpkg(tmp_path, monkeypatch):
    path = write_hostile_store(tmp_path / "hostile.gpkg")
    monkeypatch.setenv("GELSENNET_DB", str(path))
    return path


def markdown_bodies(at: AppTest) -> list[tuple[str, str]]:
    """(kind, text) of every piece of the page that Streamlit renders as Markdown."""
    bodies = [(kind, str(e.value)) for kind in MARKDOWN_TEXT for e in at.get(kind)]
    for kind in WIDGETS:
        for e in at.get(kind):
            bodies += [(f"{kind} label", str(getattr(e, "label", "") or "")),
                       (f"{kind} help", str(getattr(e, "help", "") or ""))]
            if kind == "radio":
                bodies += [("radio option", str(o)) for o in e.options]
    return bodies


def html_bodies(at: AppTest) -> list[str]:
    return [e.proto.body for e in at.get("html")]


def check_page(at: AppTest) -> list[str]:
    """Every Markdown and HTML body of the page holds none of `HOSTILE`'s markup; the Markdown texts that show
    data, as a reader sees them."""
    assert not at.exception, at.exception
    for kind, body in markdown_bodies(at):
        for piece in ACTIVE:  # markup is active where its first character is not backslash-escaped
            assert not re.search(r"(?<!\\)" + re.escape(piece), body), (kind, piece, body[:300])
    for body in html_bodies(at):
        assert "EVIL" not in body or "&lt;script&gt;" in body, body[:300]
        for piece in ("<h1>EVIL", "<script>window", "<img src=x", "<b>EVILB"):
            assert piece not in body, (piece, body[:300])
    return [shown(body) for _, body in markdown_bodies(at) if "EVIL" in body]


def run(page: str, secrets: dict | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=300)
    for key, value in (secrets or {}).items():
        at.secrets[key] = value
    at.run()
    if secrets:
        sign_in(at)
    open_page(at, page)
    return at


def test_the_store_holds_markup_in_every_free_text_field():
    """The premise: every free-text field of every layer, ids and references included, carries the markup."""
    frames = hostile_inventory()
    for layer in LAYER_ORDER:
        for field in text_fields(layer):
            values = frames[layer][field].dropna()
            assert len(values) and values.str.startswith(HOSTILE).all(), (layer, field)


def test_overview(hostile_gpkg):
    at = run("overview")
    check_page(at)
    tables = [b for b in html_bodies(at) if "gn-table" in b]
    assert tables and all("&lt;h1&gt;EVILH1&lt;/h1&gt;" in b for b in tables)  # district names, escaped


def test_school_page_heading_and_card(hostile_gpkg):
    at = run("school")
    texts = check_page(at)
    school = hostile_inventory()["sites"].query("kind == 'school'").iloc[0]
    assert f"{school['name']} ({school['site_id']})" in texts  # the heading: exactly the data, shown literally
    nodes = hostile_inventory()["nodes"]
    pop = nodes.loc[nodes["node_id"] == f"{HOSTILE}POP1", "name"].iloc[0]
    assert any(t.endswith(f":** {pop}") for t in texts)  # the POP in the card, by its name
    assert [o for o in at.selectbox(key="school").options if HOSTILE in o]  # plain-text options: unescaped
    assert not [o for o in at.selectbox(key="school").options if "\\<" in o]


def test_school_number_typed_with_markup(hostile_gpkg):
    at = run("school")
    school_id = hostile_inventory()["sites"].query("kind == 'school'")["site_id"].iloc[0]
    at.text_input(key="school_number").input(school_id).run()  # ids with markup are found as typed
    texts = check_page(at)
    assert any(t.endswith(f"({school_id})") for t in texts)


def test_network_page_with_a_what_if_and_picked_routes(hostile_gpkg):
    at = run("network", )
    check_page(at)
    trench = at.multiselect(key="whatif_trenches").options[0]
    assert trench.startswith(HOSTILE)  # options are plain text: the id unchanged
    at.multiselect(key="whatif_trenches").set_value([trench]).run()
    check_page(at)
    at.toggle(key="interactive_maps").set_value(True).run()
    route = hostile_inventory()["routes"]["route_id"].iloc[0]
    at.session_state["criticality_pick"] = {"selection": {"indices": {"criticality": [0]},
                                                          "objects": {"criticality": [{"route_id": route}]}}}
    at.run()
    texts = check_page(at)
    assert any(route in t for t in texts)  # the picked route named in the caption, literally


def test_quality_and_inventory_pages(hostile_gpkg):
    check_page(run("quality"))
    at = run("inventory")
    check_page(at)
    for layer in LAYER_ORDER:
        at.selectbox(key="inv_table").set_value(layer).run()
        check_page(at)
        [table] = [d.value for d in at.dataframe]
        for field in text_fields(layer):
            values = [v for v in table[column_label(field)] if isinstance(v, str) and v != "–"]  # –: an empty field
            assert values and all(v.startswith(HOSTILE) for v in values), (layer, field)  # tables: unchanged


def test_edit_page(hostile_gpkg):
    check_page(run("edit", {"editors": {"password_hash": HASH}}))


def test_pdf_draws_district_names_without_maths(hostile_gpkg):
    """matplotlib reads '$...$' as maths: a district name with an unbalanced '$\\frac{' broke the report."""
    from app_pages import data
    from app_pages.report_pdf import overview_content, render_pdf, report_pages

    location = str(hostile_gpkg)
    version = data.store_version(location)
    kpis = data.kpis(location, version).copy()
    kpis["name"] = kpis["name"].astype(object).where(kpis["level"] != "stadtbezirk", "Bad $\\frac{ $x^2$ name")
    content = overview_content(data.cards(location, version, "de"), kpis, data.trend(location, version))
    frames = data.load(location, version)
    status = data.statuses(location, version)["status"].astype(str)
    assert render_pdf(content, frames["routes"], frames["sites"], status).startswith(b"%PDF")
    [table] = [a.tables[0] for page in report_pages(content, frames["routes"], frames["sites"], status)
               for a in page.axes if a.tables]
    names = [c.get_text() for (row, column), c in table.get_celld().items() if column == 0 and row > 0]
    assert "Bad $\\frac{ $x^2$ name" in [n.get_text() for n in names]
    assert not any(n.get_parse_math() for n in names)


def test_map_tooltips_are_text_never_html(hostile_gpkg):
    """Streamlit's deck.gl sets a `text` tooltip as innerText, an `html` one as innerHTML."""
    from app_pages import data, maps

    location = str(hostile_gpkg)
    version = data.store_version(location)
    site_id = next(iter(school_options(data.load(location, version)["sites"])))
    trench = hostile_inventory()["routes"]["trench_id"].iloc[0]
    charts = [maps.coverage_map(location, version, "de"), maps.share_map(location, version),
              maps.criticality_map(location, version, "de")[0],
              maps.inventory_map(location, version, tuple(LAYER_ORDER), "de")[0],
              maps.school_map(location, version, site_id, "de")[0],
              maps.whatif_map(location, version, (), (trench,), None, "de")[0]]
    if (located := maps.quality_map(location, version, "de")) is not None:
        charts.append(located[0])
    for chart in charts:
        if chart is not None:
            assert set(chart._tooltip) == {"text"}, chart._tooltip


# ---------------------------------------------------------------- the escaping and sorting rules
def test_plain_escapes_every_ascii_punctuation_and_nothing_else():
    import string

    text = string.printable + "Ünïcödé ß 😀 «»–"
    escaped = plain(text)
    assert shown(escaped) == text  # a reader sees the text itself
    for char in string.punctuation:
        assert f"\\{char}" in escaped
    assert plain("Schule 123 Ünïcödé") == "Schule 123 Ünïcödé"


def test_code_span_holds_any_backticks():
    assert code_span("a`b``c") == "``` a`b``c ```"
    assert code_span("/data/store.gpkg") == "` /data/store.gpkg `"


def test_names_sort_by_their_first_letter_not_by_markup():
    names = ["Zeppelin-Schule", f"{'![x](http://evil.example/i.png) '}Anne-Frank-Schule", "Ärztehaus", "albert",
             "**Bertha**", "Schule 10", "Schule 9", " Carl"]
    sites = pd.DataFrame({"site_id": [f"S{i}" for i in range(len(names))], "kind": "school", "name": names})
    ordered = [sites.set_index("site_id").loc[s, "name"] for s in school_options(sites)]
    assert ordered == ["albert", "Ärztehaus", "**Bertha**", " Carl", "Schule 9", "Schule 10",
                       "![x](http://evil.example/i.png) Anne-Frank-Schule", "Zeppelin-Schule"]
    assert sorted(["T10", "T2", "T1"], key=natural_key) == ["T1", "T2", "T10"]
