"""The app's pages under Streamlit's AppTest: they render the library's numbers, and say clearly when they cannot."""

from __future__ import annotations

import json
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pytest
from app_pages_helper import open_page
from factories import X0, Y0, small_inventory
from streamlit.testing.v1 import AppTest

from app_pages.i18n import (
    COLUMNS,
    WORD_JOINER,
    cell_text,
    column_label,
    fmt,
    fmt_share,
    rule_label,
    t,
    value_label,
)
from app_pages.logic import city_row, redundancy_text, status_reason
from app_pages.maps import BASEMAPS
from app_pages.places import SchoolPlaces
from app_pages.registry import PAGES, PUBLIC_PAGES
from app_pages.registry import page as app_page
from coverage.expansion import expansion_plan, plan_totals
from coverage.kpis import district_kpis
from coverage.ring_closure import ring_closure_plan, ring_closures
from coverage.status import site_status
from inventory.report import validation_report
from inventory.settings import SAMPLE_GPKG
from inventory.stores import open_store
from inventory.summary import inventory_summary
from topology import build_network
from topology.analysis import analyse
from topology.diverse import diverse_paths
from topology.whatif import Failure, what_if

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "app.py")


@pytest.fixture
def sample_gpkg(tmp_path, monkeypatch):
    if not SAMPLE_GPKG.exists():
        pytest.skip("the sample GeoPackage is missing (gelsennet demo)")
    path = tmp_path / "sample.gpkg"
    shutil.copy(SAMPLE_GPKG, path)
    monkeypatch.setenv("GELSENNET_DB", str(path))
    return path


def run_app(page: str | None = None, lang: str | None = None, interactive: bool = False) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    assert not at.exception, at.exception
    if lang:
        at.radio(key="lang").set_value(lang).run()
    if interactive:
        at.toggle(key="interactive_maps").set_value(True).run()
    if page:
        open_page(at, page)
    assert not at.exception, at.exception
    return at


def maps_shown(at) -> tuple[int, int]:
    """How many maps the page shows: (still pictures, interactive deck.gl maps)."""
    pictures = [i for i in at.get("image") if i.proto.imgs[0].url.endswith(".png")]
    return len(pictures), len(at.get("deck_gl_json_chart"))


def library(frames):
    """What the CLI computes for these layers."""
    network = build_network(frames["routes"], frames["nodes"], frames["sites"])
    result = analyse(network)
    return network, result, district_kpis(frames, redundancy=result.sites), expansion_plan(frames)


def shown(markdown: str) -> str:
    """What a reader sees of `markdown` that holds only text and backslash-escapes (as `app_pages.i18n.plain`
    makes it): every escaped punctuation character as itself, and no invisible word joiner."""
    return re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", markdown).replace(WORD_JOINER, "")


def markdown_text(at) -> str:
    return "\n".join(shown(m.value) for m in at.markdown)


class _TableCells(HTMLParser):
    """The rows of an HTML table, as the text of their header or data cells."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[list[str]] = []
        self._cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        if tag == "tr":
            self.rows.append([])
        elif tag in ("th", "td"):
            self._cell = []

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)

    def handle_endtag(self, tag):
        if tag in ("th", "td") and self._cell is not None:
            self.rows[-1].append("".join(self._cell))
            self._cell = None


def html_tables(at) -> list[pd.DataFrame]:
    """The tables a page shows with st.html, their cells as the browser shows them."""
    tables = []
    for element in at.get("html"):
        if "<table" in element.proto.body:
            parser = _TableCells()
            parser.feed(element.proto.body)
            tables.append(pd.DataFrame(parser.rows[1:], columns=parser.rows[0]))
    return tables


def legends(at) -> list[str]:
    return [h.proto.body for h in at.get("html") if "background:rgb(" in h.proto.body]


# ---------------------------------------------------------------- frame and inventory page (the first page)
def test_every_page_warns_that_the_network_is_synthetic(small_gpkg):
    for page in [entry.key for entry in PUBLIC_PAGES]:
        at = run_app(page)
        assert any("synthetisch" in w.value for w in at.warning), page


def test_page_shows_the_library_figures(small_gpkg):
    at = run_app("inventory")
    expected = inventory_summary(small_inventory())
    metrics = {m.label: m.value for m in at.metric}
    assert metrics[t("count.nodes")] == str(expected["counts"]["nodes"])
    assert metrics[t("count.sites")] == str(expected["counts"]["sites"])
    assert metrics[t("count.route_km")] == "3,0"  # three of the four 1 km ring segments are in service
    assert any("synthetisch" in w.value for w in at.warning)
    assert maps_shown(at) == (1, 0)


def test_table_follows_the_selected_layer(small_gpkg):
    at = run_app("inventory")
    at.selectbox(key="inv_table").set_value("routes").run()
    assert not at.exception
    assert list(at.dataframe[0].value[column_label("route_id")]) == ["R1", "R2", "R3", "R4"]


def test_missing_store_gives_a_clear_message(tmp_path, monkeypatch):
    monkeypatch.setenv("GELSENNET_DB", str(tmp_path / "nothing.gpkg"))
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    assert not at.exception
    assert "gelsennet demo" in at.error[0].value


def test_empty_store_gives_a_clear_message(tmp_path, monkeypatch):
    path = tmp_path / "empty.gpkg"
    open_store(path).write({name: frame.iloc[0:0] for name, frame in small_inventory().items()})
    monkeypatch.setenv("GELSENNET_DB", str(path))
    for page in [entry.key for entry in PUBLIC_PAGES if entry.needs_network]:
        at = run_app(page)
        assert any("gelsennet import" in i.value for i in at.info), page
    at = run_app("inventory")  # the inventory page shows the empty layers
    assert [m.value for m in at.metric][:5] == ["0"] * 5


def test_english_labels_can_be_chosen(small_gpkg):
    at = run_app("overview", lang="en")
    labels = [m.label for m in at.metric]
    assert t("kpi.schools_gigabit", "en") in labels
    assert any("synthetic" in w.value for w in at.warning)


# ---------------------------------------------------------------- 1. overview
@pytest.mark.parametrize("store", ["small_gpkg", "sample_gpkg"])
def test_overview_cards_equal_the_library(store, request):
    path = request.getfixturevalue(store)
    frames = open_store(path).read_all()
    _, result, kpis, plan = library(frames)
    city = city_row(kpis)
    at = run_app("overview")
    metrics = {m.label: m for m in at.metric}
    schools = metrics[t("kpi.schools_gigabit")]
    assert schools.value == f"{fmt(city['schools_gigabit'])} ({fmt_share(city['share_schools_gigabit'])})"
    captions = [c.value for c in at.caption]
    assert f"noch {fmt(city['schools_to_target'])} bis zum Ziel" in captions
    assert f"von {fmt(city['schools'])} Schulen" in schools.help
    parks = metrics[t("kpi.parks")]
    assert parks.value == f"{city['business_parks_gigabit']} / {city['business_parks']}"
    assert f"noch {city['business_parks_to_target']} bis zum Ziel" in captions
    assert metrics[t("kpi.route_km")].value == fmt(inventory_summary(frames)["route_km"]["in_service"], 1)
    assert f"noch {fmt(plan_totals(plan)['new_route_km'], 1)} km zu bauen" in captions
    assert metrics[t("kpi.single_homed")].value == str(result.summary()["sites_single_homed"])
    assert maps_shown(at) == (2, 0)  # coverage map and choropleth, as pictures
    assert at.get("image")[-1].proto.imgs[0].url.startswith("data:image/svg+xml")  # the trend
    shown = html_tables(at)[0]
    expected = kpis[kpis["level"].isin(["city", "stadtbezirk"])].reset_index(drop=True)
    for column in ("name", "schools_gigabit", "share_schools_gigabit", "route_km"):
        assert shown[column_label(column)].tolist() == [cell_text(column, v) for v in expected[column]], column


def test_overview_district_level_switches_the_table(small_gpkg):
    at = run_app("overview")
    at.radio(key="kpi_level").set_value("stadtteil").run()
    assert not at.exception
    frames = open_store(small_gpkg).read_all()
    kpis = district_kpis(frames)
    shown = kpis[kpis["level"].isin(["city", "stadtteil"])]
    assert html_tables(at)[0][column_label("name")].tolist() == shown["name"].tolist()
    assert at.get("download_button")


# ---------------------------------------------------------------- 2. my school
def test_school_card_shows_status_and_redundancy_from_the_library(small_gpkg):
    frames = small_inventory()
    network, result, _, _ = library(frames)
    status = site_status(frames["sites"], frames["routes"])
    at = run_app("school")
    text = markdown_text(at)
    school = status.loc[frames["sites"]["site_id"] == "118928"].iloc[0]
    assert status_reason(school["reason_code"], school["reason_values"]) in text
    row = result.sites.set_index("site_id").loc["118928"]
    places = SchoolPlaces(frames, "118928")
    assert redundancy_text({"site_id": "118928", **row.to_dict()}, places=places,
                           pair=diverse_paths(network, "118928")) in text
    # the school hangs on the ring's only in-service trench T1, named by where it is, not by its id
    assert f"Bagger an einer dieser Stellen würde Ihre Schule vom Netz trennen: {places('trench', ['T1'])[0]}" in text
    assert "T1" not in text
    assert "POP Altstadt" in text  # the POP POP1 by its name
    assert maps_shown(at) == (1, 0)


def test_school_found_by_number(sample_gpkg):
    frames = open_store(sample_gpkg).read_all()
    school = frames["sites"][frames["sites"]["kind"] == "school"].iloc[5]
    at = run_app("school")
    at.text_input(key="school_number").input(f" {school['site_id']} ").run()
    assert not at.exception
    assert not at.error
    assert any(str(school["site_id"]) in shown(s.value) for s in at.subheader)


def test_unknown_school_number_gives_a_clear_message(small_gpkg):
    at = run_app("school")
    at.text_input(key="school_number").input("999999").run()
    assert not at.exception
    assert "999999" in at.error[0].value
    assert "gibt es im Datenbestand nicht" in at.error[0].value


# ---------------------------------------------------------------- 3. network
def isolated_ids(at) -> list[str]:
    for frame in at.dataframe:
        state, site_id = column_label("state"), column_label("site_id")
        if state in frame.value.columns and set(frame.value[state]) <= {value_label("state", "isolated")}:
            return sorted(frame.value[site_id])
    return []


def test_what_if_changes_the_isolated_sites(small_gpkg):
    frames = small_inventory()
    network, *_ = library(frames)
    at = run_app("network")
    assert isolated_ids(at) == []
    at.multiselect(key="whatif_trenches").select("T1").run()
    assert not at.exception
    expected = sorted(what_if(network, Failure(trenches=["T1"])).isolated()["site_id"])
    assert expected and isolated_ids(at) == expected
    at.multiselect(key="whatif_trenches").unselect("T1").run()
    at.checkbox(key="whatif_by_segment").check().run()
    at.multiselect(key="whatif_segments").select("R4").run()
    assert isolated_ids(at) == sorted(what_if(network, Failure(segments=["R4"])).isolated()["site_id"]) == []
    assert at.success


def test_routes_picked_on_the_interactive_map_fail_in_the_what_if(small_gpkg):
    """The map's selection state (as a click sets it; tests/test_browser.py clicks for real) feeds the what-if."""
    network, *_ = library(small_inventory())
    at = run_app("network", interactive=True)
    at.session_state["criticality_pick"] = {"selection": {"indices": {"criticality": [0]},
                                                          "objects": {"criticality": [{"route_id": "R1"}]}}}
    at.run()
    assert not at.exception
    assert t("net.picked", routes="R1") in [c.value for c in at.caption]
    expected = sorted(what_if(network, Failure(segments=["R1"])).isolated()["site_id"])
    assert expected and isolated_ids(at) == expected
    idle = small_inventory()["routes"].query("status != 'in_service'")["route_id"].iloc[0]
    at.session_state["criticality_pick"] = {"selection": {"indices": {"criticality": [0, 1]}, "objects": {
        "criticality": [{"route_id": "R1"}, {"route_id": idle}]}}}
    at.run()
    assert not at.exception  # a planned route on the map is named, not failed
    assert t("net.picked_idle", routes=idle) in [shown(c.value) for c in at.caption]
    assert isolated_ids(at) == expected


@pytest.mark.parametrize("failure", [{"trenches": ["T1"]}, {"site": (X0 + 500, Y0 + 10, 50.0)}])
def test_what_if_map_shows_what_failed_and_what_it_cuts_off(small_gpkg, failure):
    network, *_ = library(small_inventory())
    at = run_app("network", interactive=True)
    if "trenches" in failure:
        at.multiselect(key="whatif_trenches").select("T1").run()
        outcome = what_if(network, Failure(trenches=["T1"]))
    else:
        x, y, radius = failure["site"]
        at.checkbox(key="whatif_point").check().run()
        at.number_input(key="whatif_x").set_value(x).run()
        at.number_input(key="whatif_y").set_value(y).run()
        at.number_input(key="whatif_radius").set_value(radius).run()
        outcome = what_if(network, Failure.around(x, y, radius))
    assert not at.exception
    assert maps_shown(at) == (0, 3)  # criticality, the what-if, then the planning map
    layers = json.loads(at.get("deck_gl_json_chart")[1].proto.json)["layers"]
    failed = next(layer for layer in layers if layer.get("widthMinPixels") == 4)["data"]
    assert sorted(row["label"].split(" / ")[0] for row in failed) == sorted(network.edge_route_id[outcome.failed_edges])
    circles = [layer for layer in layers if layer.get("stroked")]  # the construction site: its circle's outline
    assert (len(circles) == 1) == ("site" in failure)
    assert all(layer["getRadius"] == failure["site"][2] for layer in circles)
    sites = [row for layer in layers if layer["@@type"] == "ScatterplotLayer" and not layer.get("stroked")
             for row in layer["data"]]
    shown = {re.search(r"\((\w+)\):", row["label"]).group(1): row["colour"] for row in sites}
    expected = outcome.sites.set_index("site_id")["state"]
    assert {s for s, c in shown.items() if c == [200, 30, 30]} == set(expected[expected == "isolated"].index)
    assert {s for s, c in shown.items() if c == [230, 140, 0]} == set(expected[expected == "detour"].index)
    assert any(t("state.isolated") in text for text in legends(at)) == bool((expected == "isolated").any())
    at.toggle(key="interactive_maps").set_value(False).run()
    assert maps_shown(at) == (3, 0)


def test_what_if_at_a_construction_site(small_gpkg):
    frames = small_inventory()
    network, *_ = library(frames)
    at = run_app("network")
    at.checkbox(key="whatif_point").check().run()
    at.number_input(key="whatif_x").set_value(X0 + 500).run()
    at.number_input(key="whatif_y").set_value(Y0 + 10).run()
    at.number_input(key="whatif_radius").set_value(50.0).run()
    assert not at.exception
    expected = sorted(what_if(network, Failure.around(X0 + 500, Y0 + 10, 50.0)).isolated()["site_id"])
    assert expected == ["118928"] and isolated_ids(at) == expected


def test_network_tables_equal_the_library(sample_gpkg):
    frames = open_store(sample_gpkg).read_all()
    network, result, _, plan = library(frames)
    at = run_app("network")
    tables = {tuple(f.value.columns): f.value for f in at.dataframe}
    by_column = {columns[0]: frame for columns, frame in tables.items()}
    trenches = result.criticality_with_degraded()  # cut off or left on one path (issue 16.3)
    trenches = trenches[trenches["element"] == "trench"]
    trench_id, site_id, link_id = map(column_label, ("trench_id", "site_id", "link_id"))
    assert list(by_column[trench_id][trench_id]) == list(trenches["element_id"])
    assert list(by_column[site_id][site_id]) == list(plan["site_id"])
    proposals = ring_closure_plan(network).proposals  # the cheapest set first
    assert list(by_column[link_id][link_id]) == [value_label("link_id", i) for i in proposals.sort_values(
        "in_cheapest_set", ascending=False, kind="stable")["link_id"]]
    assert sorted(proposals["link_id"]) == sorted(ring_closures(network)["link_id"])
    # the chosen site's paths (GeoPackage, CSV), expansion and ring closures (CSV), the GeoPackage,
    assert len(at.get("download_button")) == 6  # and the plan variants (GeoPackage)


# ---------------------------------------------------------------- 4. data quality
def test_quality_page_equals_the_validation_report(sample_gpkg):
    report = validation_report(open_store(sample_gpkg))
    at = run_app("quality")
    assert at.subheader[0].value == t("q.summary", e=len(report.errors), w=len(report.warnings), n=len(report.notes))
    if report.problems:
        problems = at.dataframe[1].value
        assert len(problems) == len(report.problems)
        assert list(problems[column_label("rule")]) == [rule_label(p.rule) for p in report.problems]
        assert maps_shown(at) == (1, 0)


def test_quality_page_of_a_clean_store(small_gpkg):
    report = validation_report(open_store(small_gpkg))
    at = run_app("quality")
    assert at.subheader[0].value == t("q.summary", e=len(report.errors), w=len(report.warnings), n=len(report.notes))


def test_a_store_without_pops_says_so(tmp_path, monkeypatch):
    frames = small_inventory()
    frames["nodes"].loc[frames["nodes"]["kind"] == "pop", "status"] = "planned"
    path = tmp_path / "no_pop.gpkg"
    open_store(path).write(frames)
    monkeypatch.setenv("GELSENNET_DB", str(path))
    for page in ("overview", "school", "network"):
        at = run_app(page)
        assert any("keinen POP in Betrieb" in w.value for w in at.warning), page


def test_the_store_can_come_from_the_app_secrets(tmp_path, monkeypatch):
    path = tmp_path / "from_secrets.gpkg"
    open_store(path).write(small_inventory())
    monkeypatch.delenv("GELSENNET_DB", raising=False)
    at = AppTest.from_file(APP, default_timeout=120)
    at.secrets["db"] = str(path)
    at.run()
    assert not at.exception, at.exception
    assert str(path) in at.caption[0].value


# ---------------------------------------------------------------- labels, legends, report
@pytest.mark.parametrize("lang", ["de", "en"])
def test_every_table_header_is_in_plain_words(sample_gpkg, lang):
    """No library column name (snake_case) reaches a table of the overview, network or quality page."""
    known = {labels[1 if lang == "en" else 0] for labels in COLUMNS.values()}
    for page in ("overview", "network", "quality"):
        at = run_app(page, lang=lang)
        columns = [list(frame.value.columns) for frame in [*at.dataframe, *at.table]]
        columns += [list(table.columns) for table in html_tables(at)]
        assert columns, page
        for shown in columns:
            assert set(shown) <= known, (page, set(shown) - known)


def test_interactive_maps_stay_on_from_page_to_page(small_gpkg):
    """The sidebar switch turns every map into a deck.gl map, and stays on as the visitor moves on."""
    at = run_app("overview", interactive=True)
    assert maps_shown(at) == (0, 2)
    open_page(at, "network")
    assert maps_shown(at) == (0, app_page("network").maps)
    spec = json.loads(at.get("deck_gl_json_chart")[0].proto.json)
    routes = next(layer for layer in spec["layers"] if layer["id"] == "criticality")  # over the city's outline
    assert len(routes["data"]) == len(small_inventory()["routes"])
    at.toggle(key="interactive_maps").set_value(False).run()
    assert maps_shown(at) == (app_page("network").maps, 0)


@pytest.mark.parametrize(("setting", "style"), [(None, None), ("light", BASEMAPS["light"]),
                                                ("https://tiles.example/style.json", "https://tiles.example/style.json")])
def test_interactive_maps_lie_on_the_basemap_that_is_set(small_gpkg, monkeypatch, setting, style):
    if setting:
        monkeypatch.setenv("GELSENNET_BASEMAP", setting)
    at = run_app("overview", interactive=True)
    specs = [json.loads(chart.proto.json) for chart in at.get("deck_gl_json_chart")]
    assert len(specs) == 2 and all(spec.get("mapStyle") == style for spec in specs)
    assert all(spec["layers"] for spec in specs)
    assert not at.sidebar.warning


def test_an_unknown_basemap_is_named_and_the_maps_stay(small_gpkg, monkeypatch):
    monkeypatch.setenv("GELSENNET_BASEMAP", "satellit")
    at = run_app("overview", interactive=True)
    assert "„satellit“" in at.sidebar.warning[0].value and "light" in at.sidebar.warning[0].value
    assert maps_shown(at) == (0, 2)
    assert all("mapStyle" not in json.loads(chart.proto.json) for chart in at.get("deck_gl_json_chart"))


@pytest.mark.parametrize("interactive", [False, True])
def test_every_map_has_a_colour_legend(small_gpkg, interactive):
    for entry in PUBLIC_PAGES:  # the quality page of this clean store has no map
        maps = entry.maps if entry.key != "quality" else 0
        at = run_app(entry.key, interactive=interactive)
        assert maps_shown(at) == ((0, maps) if interactive else (maps, 0)), entry.key
        assert len(legends(at)) == maps, entry.key
    at = run_app("overview")
    legend = legends(at)[0]
    for status in ("gigabit", "connected", "planned", "passed", "near", "gap"):
        assert t(f"status.{status}") in legend


def test_overview_offers_a_pdf_report(small_gpkg):
    at = run_app("overview")
    labels = [b.proto.label for b in at.get("download_button")]
    assert t("download_pdf") in labels


@pytest.mark.parametrize("script", [APP, *(str(ROOT / entry.script) for entry in PAGES)])
def test_app_has_no_bare_strings_that_streamlit_would_show(script):
    """Streamlit's magic writes a bare string statement onto the page: only the module docstring may be one."""
    import ast

    tree = ast.parse(Path(script).read_text(encoding="utf-8"))
    bare = [node.lineno for node in ast.walk(tree) if isinstance(node, ast.Expr)
            and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str)]
    docstrings = {body[0].lineno for node in ast.walk(tree)
                  if isinstance(node, ast.Module | ast.FunctionDef) and (body := node.body)
                  and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant)}
    assert [line for line in bare if line not in docstrings] == []


# ---------------------------------------------------------------- the planners' downloads and the ring plan
def test_what_if_and_paths_download_as_geopackage_and_csv(small_gpkg, tmp_path):
    import pyogrio

    from topology.diverse import diverse_paths
    from topology.layers import diverse_path_layers

    frames = small_inventory()
    network, *_ = library(frames)
    at = run_app("network")
    at.multiselect(key="whatif_trenches").select("T1").run()
    assert not at.exception
    labels = [b.proto.label for b in at.get("download_button")]
    for label in (t("net.whatif_gpkg"), t("net.pair_gpkg")):
        assert label in labels
    assert labels.count(t("download_csv")) >= 4  # what-if, paths, expansion plan, ring closures
    from app_pages import data

    site_id = "118928"
    at.selectbox(key="diverse_site").set_value(site_id).run()
    for content, expected in ((data.what_if_gpkg(str(small_gpkg), data.store_version(str(small_gpkg)), (), ("T1",)),
                               {"failed_routes", "failed_nodes", "sites"}),
                              (data.pair_gpkg(str(small_gpkg), data.store_version(str(small_gpkg)), site_id),
                               {"diverse_paths", "shared_trenches"})):
        path = tmp_path / "download.gpkg"
        path.write_bytes(content)
        assert {name for name, _ in pyogrio.list_layers(path)} == expected | {"layer_styles"}  # + QGIS styles
    failed = pyogrio.read_dataframe(tmp_path / "download.gpkg", layer="diverse_paths")
    expected = diverse_path_layers(network, diverse_paths(network, site_id))["diverse_paths"]
    assert len(failed) == len(expected) >= 1 and set(failed["site_id"]) == {site_id}
    assert list(failed["length_m"].round(3)) == list(expected["length_m"].round(3))


def test_ring_closures_are_listed_once_with_the_verified_cheapest_set(sample_gpkg):
    frames = open_store(sample_gpkg).read_all()
    network = build_network(frames["routes"], frames["nodes"], frames["sites"])
    plan = ring_closure_plan(network)
    at = run_app("network")
    assert not at.exception
    totals = plan.totals()
    expected = t("net.ring_set", links=totals["links"], km=fmt(totals["new_route_m"] / 1000, 1),
                 low=fmt(totals["cost_low_eur"], 0), high=fmt(totals["cost_high_eur"], 0),
                 fixed=len(plan.single_homed) - len(plan.remaining), single=len(plan.single_homed))
    assert expected in [c.value for c in at.caption]
    rings = next(f.value for f in at.dataframe if column_label("link_id") in f.value.columns)
    assert len(rings) == len(plan.proposals) == plan.proposals["link_id"].nunique()
    assert plan.verified


# ---------------------------------------------------------------- a construction site is a place, never a silent 0
def _construction_site(at, x: float, y: float, radius_m: float = 50.0):
    at.checkbox(key="whatif_point").check().run()
    at.number_input(key="whatif_x").set_value(x).run()
    at.number_input(key="whatif_y").set_value(y).run()
    at.number_input(key="whatif_radius").set_value(radius_m).run()
    assert not at.exception
    return at


def test_a_point_far_from_the_network_is_refused_not_answered_with_nothing(small_gpkg):
    at = _construction_site(run_app("network"), 0.0, 0.0)
    assert any(t("net.point_outside", x="0,0", y="0,0", m="").split(" m ")[0][:30] in e.value for e in at.error)
    assert not at.success and not isolated_ids(at)  # no all-clear for a place that is not one


def test_lon_lat_typed_into_metres_is_recognised_and_said(small_gpkg):
    from pyproj import Transformer

    lon, lat = Transformer.from_crs("EPSG:25832", "EPSG:4326", always_xy=True).transform(X0 + 500, Y0 + 10)
    at = _construction_site(run_app("network"), round(lon, 6), round(lat, 6))
    notes = [c.value for c in at.caption if c.value.startswith(t("net.point_lonlat").split(":")[0])]
    assert notes, [c.value for c in at.caption]
    network, *_ = library(small_inventory())
    expected = sorted(what_if(network, Failure.around(X0 + 500, Y0 + 10, 50.0)).isolated()["site_id"])
    assert isolated_ids(at) == expected == ["118928"]  # the same as the point in metres


def test_a_construction_site_touching_no_route_says_where_the_fibre_is(small_gpkg):
    from topology.whatif import nearest_route

    network, *_ = library(small_inventory())
    x, y = X0 + 500, Y0 + 400  # inside the network's extent, away from its routes
    distance, route = nearest_route(network, Failure.around(x, y, 50.0).area)
    assert distance > 0
    at = _construction_site(run_app("network"), x, y)
    assert t("net.nothing_fails", route=route, m=fmt(distance, 0)) in [w.value for w in at.warning]
