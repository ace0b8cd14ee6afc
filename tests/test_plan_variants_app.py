"""The Netz page's plan variants (AppTest on the sample): the table is the library's comparison in German,
and the GeoPackage download holds the scenarios table and each scenario's layers."""

from __future__ import annotations

import pyogrio
from test_app import run_app, sample_gpkg  # noqa: F401 (the fixture)

from app_pages import data
from app_pages.i18n import cell_text, column_label, t
from coverage.plan_variants import VIEW_COLUMNS, compare, standard_scenarios
from inventory.stores import open_store


def test_the_netz_page_compares_the_planned_routes_and_the_ring_closures(sample_gpkg, tmp_path):  # noqa: F811
    at = run_app("network")
    scenario = column_label("scenario")
    (shown,) = [f.value for f in at.dataframe if list(f.value.columns)[:1] == [scenario]]
    assert list(shown.columns) == [column_label(c) for c in VIEW_COLUMNS]
    store = open_store(str(sample_gpkg))
    frames = {name: store.read(name) for name in ("routes", "nodes", "sites")}
    store.close()
    expected = compare(frames, standard_scenarios()).table()
    assert list(shown[scenario]) == ["heute", "geplante Trassen", "Ringschlüsse", "geplante Trassen und Ringschlüsse"]
    for column in VIEW_COLUMNS[1:]:
        assert list(shown[column_label(column)]) == [cell_text(column, v) for v in expected[column]], column
    assert t("net.variants") in [s.value for s in at.subheader]
    labels = [b.proto.label for b in at.get("download_button")]
    assert t("net.variants_gpkg") in labels
    path = tmp_path / "variants.gpkg"
    location = str(sample_gpkg)
    path.write_bytes(data.variants_gpkg(location, data.store_version(location)))
    assert {name for name, _ in pyogrio.list_layers(path)} == {
        "scenarios", "layer_styles",  # + the QGIS styles every GeoPackage the tool writes carries
        *(f"{n}_{k}" for n in ("planned", "ring", "both") for k in ("new_routes", "sites"))}
