"""Issue 16.3 on the Netz page under AppTest: for any trench a planner reads who its loss cuts off and who
it leaves connected but on one path, by name, with the counts in German; the trench table says both.

The oracle is the library run here on the store's layers (`analyse(...).criticality_with_degraded()`)."""

from __future__ import annotations

import pytest
from test_app import run_app, sample_gpkg  # noqa: F401  (the fixture)

from app_pages.i18n import column_label, fmt, t
from inventory.stores import open_store
from topology import build_network
from topology.analysis import analyse


@pytest.fixture
def library_on(sample_gpkg):  # noqa: F811
    frames = open_store(sample_gpkg).read_all()
    result = analyse(build_network(frames["routes"], frames["nodes"], frames["sites"]))
    trenches = result.criticality_with_degraded()
    return frames, trenches[trenches["element"] == "trench"].set_index("element_id")


def detail_tables(at) -> list:
    """The picked trench's tables (the sites cut off, then those left on one path), in the page's order."""
    columns = [column_label(c) for c in ("site_id", "name", "kind", "pupils")]
    return [f.value for f in at.dataframe if list(f.value.columns) == columns]


def picked(at, trench: str):
    at.selectbox(key="trench_pick").set_value(trench).run()
    assert not at.exception, at.exception
    return at


def test_a_planner_reads_for_any_trench_who_is_cut_off_and_who_loses_the_second_path(library_on):
    frames, trenches = library_on
    names = frames["sites"].set_index("site_id")["name"]
    at = run_app("network")
    cut_off = trenches[trenches["n_sites"] > 0].index[0]
    assert at.selectbox(key="trench_pick").value == cut_off  # the most critical first
    row = trenches.loc[cut_off]
    assert [e.value for e in at.error] == [t("net.trench_cut", n=fmt(row["n_sites"], 0), p=fmt(row["pupils"], 0))]
    assert len(row["degraded_sites"]) == 0  # on the sample no trench does both
    (table,) = detail_tables(at)
    assert table[column_label("site_id")].tolist() == list(row["sites"])

    degraded = trenches[(trenches["n_sites"] == 0) & (trenches["n_degraded_sites"] > 0)]
    degraded = degraded.sort_values("n_degraded_sites", ascending=False).index[0]
    row = trenches.loc[degraded]
    picked(at, degraded)
    assert not at.error
    assert t("net.trench_degraded", n=fmt(row["n_degraded_sites"], 0), p=fmt(row["degraded_pupils"], 0)) in \
        [e.value for e in at.warning]
    (table,) = detail_tables(at)
    assert table[column_label("site_id")].tolist() == list(row["degraded_sites"])
    assert table[column_label("name")].tolist() == [names.loc[s] for s in row["degraded_sites"]]

    network_trenches = set(frames["routes"].loc[frames["routes"]["status"] == "in_service", "trench_id"])
    quiet = sorted(network_trenches - set(trenches.index))[0]  # any trench: also one whose loss does nothing
    picked(at, quiet)
    assert t("net.trench_nothing") in [i.value for i in at.info] and not at.error and not detail_tables(at)


def test_the_trench_table_counts_and_names_the_sites_left_on_one_path(library_on):
    frames, trenches = library_on
    names = frames["sites"].set_index("site_id")["name"]
    at = run_app("network")
    table = next(f.value for f in at.dataframe if column_label("trench_id") in f.value.columns)
    table = table.set_index(column_label("trench_id"))
    assert list(table.index) == list(trenches.index)
    checked = 0
    for trench, row in trenches.iterrows():
        shown = table.loc[trench]
        assert shown[column_label("n_degraded_sites")] == fmt(row["n_degraded_sites"], 0)
        assert shown[column_label("degraded_pupils")] == fmt(row["degraded_pupils"], 0)
        assert shown[column_label("cut_pupils")] == fmt(row["pupils"], 0)
        cell = shown[column_label("degraded_names")]
        if not row["n_degraded_sites"]:
            assert cell == "–"
            continue
        for site_id in list(row["degraded_sites"])[:5]:
            assert f"{names.loc[site_id]} ({site_id})" in cell
        if row["n_degraded_sites"] > 5:
            assert cell.endswith(f"(+ {row['n_degraded_sites'] - 5})")
        checked += 1
    assert checked >= 50
    assert not [c for c in table.columns if "_" in c]  # headers in words, no snake_case
