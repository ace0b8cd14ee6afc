"""The app's helpers: labels, number formats, redundancy in plain words, the school card, finding locations."""

from __future__ import annotations

import html
import re
import string

import pandas as pd
import pytest
from factories import X0, Y0, small_inventory

from app_pages.i18n import LABELS, column_label, fmt, fmt_share, t
from app_pages.logic import (
    find_school,
    problem_locations,
    redundancy_text,
    school_card,
    school_options,
    share_colour,
    status_reason,
    table_html,
)
from coverage.expansion import expansion_plan
from coverage.layers import trench_cut_layer
from coverage.status import REASONS, reason_text, site_status
from topology import build_network
from topology.analysis import analyse
from topology.diverse import diverse_paths


def test_every_label_has_german_and_english():
    for key, (de, en) in LABELS.items():
        assert de and en, key
        assert t(key, "de") == de or "{" in de
        assert t(key, "en") == en or "{" in en


@pytest.mark.parametrize(("value", "decimals", "lang", "text"), [
    (1234.5, 1, "de", "1.234,5"), (1234.5, 1, "en", "1,234.5"), (3, 0, "de", "3"),
    (float("nan"), 0, "de", "–"), (None, 0, "en", "–"), (pd.NA, 0, "de", "–"),
])
def test_numbers_in_each_language(value, decimals, lang, text):
    assert fmt(value, decimals, lang) == text


def test_share_as_percent():
    assert fmt_share(0.782, "de") == "78,2 %"
    assert fmt_share(float("nan")) == "–"


def row(**changes):
    base = {"reachable": True, "redundant": False, "spof_segments": [], "spof_nodes": [], "spof_trenches": []}
    return base | changes


class Pair:
    """What `redundancy_text` reads of a `topology.diverse.PathPair`."""

    def __init__(self, trench_disjoint):
        self.trench_disjoint = trench_disjoint


def test_redundancy_in_plain_words():
    two_ways = "Ihre Schule ist über zwei getrennte Wege angebunden: fällt einer aus, bleibt sie am Netz."
    no_single_cut = "Kein einzelner Ausfall (einer Leitung, eines Netzknotens oder eines Grabens) trennt Ihre " \
                    "Schule vom Netz."
    # "two separate paths" only with two paths that share no trench to show for it
    assert redundancy_text(row(redundant=True), pair=Pair(True)) == two_ways
    assert redundancy_text(row(redundant=True)) == no_single_cut
    assert redundancy_text(row(redundant=True), pair=Pair(None)) == no_single_cut  # the search limit was hit
    shared = redundancy_text(row(redundant=True), pair=Pair(False))
    assert shared.startswith(no_single_cut) and "teilen sich einen Graben" in shared and "zwei getrennte" not in shared
    assert "über den Netzknoten (POP) POP-1" in redundancy_text(row(redundant=True, depends_on_pop="POP-1"))
    assert redundancy_text(row(reachable=False, connection="none", on_network=False)) == t("red.not_connected")
    assert redundancy_text(row(reachable=False, connection="planned", on_network=False)) == t("red.planned")
    assert redundancy_text(row(spof_trenches=["TR-0090"], spof_segments=["R1"])) == \
        "Ein einzelner Bagger an Trasse TR-0090 würde Ihre Schule vom Netz trennen."
    assert "Leitung (R1)" in redundancy_text(row(spof_segments=["R1"]))
    assert "Netzknotens N-1" in redundancy_text(row(spof_nodes=["N-1"]))
    assert "nicht über das Glasfasernetz erreichbar" in redundancy_text(row(reachable=False))
    many = redundancy_text(row(spof_trenches=["A", "B", "C", "D", "E"]), "en")
    assert many == "A single digger at trench A, B, C (and 2 more places) would cut your school off the network."


def test_school_search():
    sites = small_inventory()["sites"]
    assert school_options(sites) == {"118928": "Städt. Gem. Grundschule (118928)"}
    assert find_school(sites, " 118928 ") == "118928"
    assert find_school(sites, "GE-PARK") is None  # a business park is no school
    assert find_school(sites, "999999") is None


def test_school_card_from_the_library():
    frames = small_inventory()
    sites = frames["sites"]
    status = site_status(sites, frames["routes"])
    result = analyse(build_network(frames["routes"], frames["nodes"], sites))
    redundancy = {"site_id": "118928", **result.sites.set_index("site_id").loc["118928"].to_dict()}
    plan = expansion_plan(frames)
    card = school_card(sites.iloc[0], status.iloc[0], redundancy, None)
    assert card["Status"] == "Gigabit – angeschlossen mit 1.000 Mbit/s symmetrisch"
    assert card["Bandbreite"] == "1.000 Mbit/s symmetrisch"
    assert card["Angeschlossen seit"] == "01.08.2012"
    assert card["Netzknoten (POP)"] == "POP1"
    assert card["Weg bis zum POP"].startswith(fmt(redundancy["distance_m"] / 1000, 2))
    assert "Trasse T1" in card["Ausfallsicherheit"]
    assert card[t("school.inventory_plan")] == t("school.inventory_nothing")
    assert card[t("school.estimate")] == t("school.estimate_none")  # gigabit, and 2,1 Mbit/s per head
    assert "118928" not in set(plan["site_id"])  # on gigabit: not in the plan


def sample_library():
    from inventory.settings import SAMPLE_GPKG
    from inventory.stores import open_store

    frames = open_store(SAMPLE_GPKG).read_all()
    network = build_network(frames["routes"], frames["nodes"], frames["sites"])
    return SAMPLE_GPKG, frames, network, analyse(network)


def test_the_card_of_a_school_that_is_not_connected_shows_no_path():
    """193800 (connection none, fibre nearby) had a POP, '2,49 km, 9 Abschnitte' and 'two separate paths'."""
    _, frames, network, result = sample_library()
    sites = frames["sites"]
    status = site_status(sites, frames["routes"])
    unconnected = sites.index[sites["connection"] == "none"]
    assert "193800" in set(sites.loc[unconnected, "site_id"])
    for i in unconnected:
        site_id = sites.at[i, "site_id"]
        redundancy = {"site_id": site_id, **result.sites.set_index("site_id").loc[site_id].to_dict()}
        card = school_card(sites.loc[i], status.loc[i], redundancy, None,
                           pair=diverse_paths(network, site_id))
        assert card["Netzknoten (POP)"] == card["Weg bis zum POP"] == "–"
        assert card["Ausfallsicherheit"] == t("red.not_connected")
        assert card["Status"].startswith("nicht angeschlossen")  # passed, near or gap: from the distance
        assert status.at[i, "status"] in ("passed", "near", "gap")


def drawn_trenches(network, chart) -> list[set[str]]:
    """The trenches of each line a school map draws: the edges whose [lon, lat] vertices (as the map rounds
    them) run as one stretch along the drawn line, forwards or backwards."""
    import geopandas as gpd

    from inventory.display import path_table

    edges = path_table(gpd.GeoDataFrame({"trench_id": network.edge_trench_id},
                                        geometry=list(network.edge_geometry), crs=network.crs))
    [lines] = [layer.data for layer in chart.layers if layer.id == "school-paths"]  # not the routes around it
    out = []
    for line in lines:
        drawn = [tuple(p) for p in line["path"]]
        text = "|" + "|".join(map(str, drawn)) + "|"
        on = set()
        for trench, path in zip(edges["trench_id"], edges["path"], strict=True):
            run = "|" + "|".join(str(tuple(p)) for p in path) + "|"
            back = "|" + "|".join(str(tuple(p)) for p in path[::-1]) + "|"
            if run in text or back in text:
                on.add(trench)
        out.append(on)
    return out


def test_the_school_map_shows_a_redundant_school_by_two_paths_without_a_shared_trench():
    """The map drew the shortest edge-disjoint pair, which for ten redundant schools of the sample shares
    308 to 1,353 m of trench; it draws a pair that shares none, and says so in its legend."""
    from app_pages import data, maps

    location, _, network, result = sample_library()
    version = data.store_version(str(location))
    redundant = result.sites[result.sites["redundant"] & (result.sites["kind"] == "school")]
    assert len(redundant) >= 40
    for site_id in redundant["site_id"]:
        chart, keys = maps.school_map(str(location), version, site_id, "de")
        a, b = drawn_trenches(network, chart)
        assert a and b, f"school {site_id}: a drawn path runs along no route"
        assert not a & b, f"school {site_id}: the drawn paths share trenches {sorted(a & b)}"
        assert keys[1][0] == t("legend.path_b_apart")


def test_the_school_map_names_the_trench_a_pair_shares():
    """A school with two edge-disjoint paths in one trench (not redundant): the legend says how much they share."""
    from app_pages import data, maps

    location, _, network, result = sample_library()
    version = data.store_version(str(location))
    for site_id in result.single_homed("school")["site_id"]:
        pair = diverse_paths(network, site_id)
        if not pair.found:
            continue
        chart, keys = maps.school_map(str(location), version, site_id, "de")
        assert pair.trench_disjoint is False and pair.shared_trench_length_m > 0
        assert keys[1][0] == t("legend.path_b_shared", m=fmt(pair.shared_trench_length_m, 0))
        a, b = drawn_trenches(network, chart)
        assert a & b == set(pair.shared_trenches)
        break
    else:
        pytest.fail("no single-homed school of the sample has two edge-disjoint paths")


def test_route_criticality_is_the_pupils_of_the_trench():
    frames = small_inventory()
    result = analyse(build_network(frames["routes"], frames["nodes"], frames["sites"]))
    pupils = trench_cut_layer(frames["routes"], result.criticality_with_degraded())["cut_pupils"]
    assert dict(zip(frames["routes"]["route_id"], pupils, strict=True)) == {"R1": 430, "R2": 0, "R3": 0, "R4": 430}


def test_share_colour_runs_from_red_to_green():
    assert share_colour(0.0)[0] > share_colour(1.0)[0]
    assert share_colour(1.0)[1] > share_colour(0.0)[1]
    assert share_colour(float("nan"))[:3] == [200, 200, 200]


def test_problem_locations():
    frames = small_inventory()
    problems = [
        {"severity": "info", "layer": "routes", "rule": "crossing", "row": "route_id R1",
         "value": f"a crossing with route R3 near ({X0 + 10:.1f}, {Y0 + 20:.1f})"},
        {"severity": "error", "layer": "routes", "rule": "x", "row": "route_id R2", "value": None},
        {"severity": "warning", "layer": "sites", "rule": "y", "row": "site_id NOPE", "value": None},
        {"severity": "error", "layer": "nodes", "rule": "z", "row": "line 3", "value": None},
    ]
    located = problem_locations(problems, frames)
    assert list(located["finding"]) == [0, 1]
    assert (located.geometry.iloc[0].x, located.geometry.iloc[0].y) == (X0 + 10, Y0 + 20)
    assert frames["routes"].geometry.iloc[1].distance(located.geometry.iloc[1]) < 1e-6


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_every_status_reason_has_words_in_both_languages():
    """Each reason code of coverage.status has app words in German and English, with the placeholders of the
    library's (CLI) English words, so no value is dropped or asked for that the library does not give."""
    for code, english in REASONS.items():
        de, en = LABELS[f"reason.{code}"]
        assert de and en and de != en, code
        assert placeholders(de) == placeholders(en) == placeholders(english), code


def test_status_reasons_in_german():
    sites = small_inventory()["sites"]
    date = pd.Timestamp("2027-01-25")
    samples = [
        ("bandwidth_unknown", {}), ("below_gigabit", {"bandwidth_mbps": 100.0, "gigabit_mbps": 1000.0}),
        ("asymmetric", {"bandwidth_mbps": 1000.0}), ("symmetry_unknown", {"bandwidth_mbps": 1000.0}),
        ("gigabit_symmetric", {"bandwidth_mbps": 1000.0}), ("gigabit", {"bandwidth_mbps": 2.5}),
        ("planned_on", {"planned_date": date}), ("planned_no_date", {}),
        ("passed", {"distance_m": 12.4, "limit_m": 20.0}), ("near", {"distance_m": 99.6, "limit_m": 150.0}),
        ("gap", {"distance_m": 1234.0, "limit_m": 150.0}), ("gap_no_fibre", {"limit_m": 150.0}),
    ]
    assert {code for code, _ in samples} == set(REASONS)
    table = site_status(sites, small_inventory()["routes"])
    for code, values in samples + list(zip(table["reason_code"], table["reason_values"], strict=True)):
        german = status_reason(code, values)
        for word in ("connected", "fibre", "away", "planned", "symmetric", "below", "unknown", "date"):
            assert word not in german, (code, german)
        # the app's English groups thousands (1,234), the CLI's does not (1234): the same words otherwise
        assert status_reason(code, values, "en").replace(",", "") == reason_text(code, values).replace(",", ""), code
    assert status_reason("passed", {"distance_m": 12.4, "limit_m": 20.0}) == \
        "nicht angeschlossen; Glasfaser in Betrieb 12 m entfernt (≤ 20 m)"
    assert status_reason("below_gigabit", {"bandwidth_mbps": 100.0, "gigabit_mbps": 1000.0}) == \
        "angeschlossen mit 100 Mbit/s, unter 1.000"
    assert status_reason("planned_on", {"planned_date": date}) == "Anschluss geplant für 25.01.2027"
    assert status_reason("gigabit", {"bandwidth_mbps": 2.5}) == "angeschlossen mit 2,5 Mbit/s"


def test_table_html_shows_numbers_in_the_language_escaped_and_aligned():
    table = pd.DataFrame({"name": ["Altstadt", "<b>Buer</b>"], "schools": [1234, 0],
                          "share_schools_gigabit": [0.456, None], "route_km": [12.345, 0.0],
                          "route_km_per_km2": [1.234, 0.5], "park_area_m2": [1500.4, 0.0]})
    for lang, expected in (("de", ["1.234", "45,6 %", "12,3", "1,23", "1.500", "–"]),
                           ("en", ["1,234", "45.6 %", "12.3", "1.23", "1,500", "–"])):
        page = table_html(table, lang)
        cells = re.findall(r"<td( class=\"text\")?>([^<]*)</td>", page)
        assert len(cells) == table.size
        for text in expected:
            assert ("", text) in cells, (lang, text)  # numbers right-aligned (no text class)
        assert (' class="text"', "&lt;b&gt;Buer&lt;/b&gt;") in cells  # text escaped, left-aligned
        assert "<b>" not in page
        headers = re.findall(r"<th>([^<]*)</th>", page)
        assert headers == [html.escape(column_label(c, lang)) for c in table.columns]


def test_two_page_tables_cannot_word_one_label_twice():
    from app_pages.i18n import join_label_tables

    assert join_label_tables({"a": ("A", "A")}, {"a": ("A", "A"), "b": ("B", "B")}) == {"a": ("A", "A"), "b": ("B", "B")}
    with pytest.raises(ValueError, match="'a' is worded twice"):
        join_label_tables({"a": ("A", "A")}, {"a": ("Ä", "A")})
