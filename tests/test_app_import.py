"""The app's file import follows the CLI's rules: it adds and updates by default, shows the change,
and deletes only after a confirmation of the plan that was shown (a stale plan is a conflict)."""

from __future__ import annotations

import geopandas as gpd
from app_pages_helper import open_page
from factories import small_inventory
from geopandas.testing import assert_geodataframe_equal
from test_app_editing import HASH, app, sign_in

from app_pages.i18n import t
from inventory.formats.base import ReadOptions
from inventory.importer import import_file
from inventory.stores import open_store


def _routes_file(tmp_path, ids: list[str]) -> bytes:
    routes = small_inventory()["routes"]
    routes = routes[routes["route_id"].isin(ids)]
    path = tmp_path / "routes.geojson"
    routes.to_file(path, driver="GeoJSON")
    return path.read_bytes()


def _import_page(layer: str):
    at = sign_in(app({"editors": {"password_hash": HASH}}))
    open_page(at, "edit")
    at.selectbox(key="edit_layer").set_value(layer).run()
    return at


def _same(after: dict, before: dict) -> None:
    for name in before:
        assert_geodataframe_equal(after[name], before[name])


def test_the_default_mode_never_deletes(small_gpkg, tmp_path):
    at = _import_page("routes")
    assert at.radio(key="edit_mode").value == "upsert"
    at.file_uploader(key="edit_upload").upload("routes.geojson", _routes_file(tmp_path, ["R1"]),
                                               "application/geo+json").run()
    at.button(key="edit_run").click().run()
    assert not at.exception, at.exception
    assert "0 neu, 0 geändert, 1 unverändert, 0 gelöscht" in at.success[0].value
    assert len(open_store(small_gpkg).read("routes")) == 4


def test_replace_shows_the_deletions_and_waits_for_the_confirmation(small_gpkg, tmp_path):
    before = open_store(small_gpkg).read_all()
    at = _import_page("routes")
    at.radio(key="edit_mode").set_value("replace").run()
    at.file_uploader(key="edit_upload").upload("routes.geojson", _routes_file(tmp_path, ["R1"]),
                                               "application/geo+json").run()
    at.button(key="edit_run").click().run()
    assert not at.exception, at.exception
    assert "3 gelöscht" in at.success[0].value and "Noch nichts übernommen" in at.success[0].value
    table = at.dataframe[0].value
    assert sorted(table[t("import.id")]) == ["R2", "R3", "R4"]
    assert set(table[t("import.change")]) == {t("import.deleted")}
    assert at.button(key="import_confirm").disabled, "the confirm button waits for the check box"
    _same(open_store(small_gpkg).read_all(), before)

    at.checkbox(key="import_confirm_check").check().run()
    at.button(key="import_confirm").click().run()
    assert not at.exception, at.exception
    assert "Importiert" in at.success[0].value and "3 gelöscht" in at.success[0].value
    assert set(at.dataframe[0].value[t("import.change")]) == {t("import.deleted_done")}
    assert open_store(small_gpkg).read("routes")["route_id"].tolist() == ["R1"]


def test_a_confirmation_of_a_stale_plan_changes_nothing(small_gpkg, tmp_path):
    at = _import_page("routes")
    at.radio(key="edit_mode").set_value("replace").run()
    at.file_uploader(key="edit_upload").upload("routes.geojson", _routes_file(tmp_path, ["R1"]),
                                               "application/geo+json").run()
    at.button(key="edit_check").click().run()
    # someone else changes route R2 before the confirmation
    other = tmp_path / "other.csv"
    other.write_text("route_id,fibre_count,wkt\nR2,96,\"LINESTRING (369000 5710000, 369000 5711000)\"\n")
    store = open_store(small_gpkg)
    import_file(store, "routes", other, options=ReadOptions(crs="EPSG:25832"))
    before = store.read_all()
    at.checkbox(key="import_confirm_check").check().run()
    at.button(key="import_confirm").click().run()
    assert not at.exception, at.exception
    assert t("import.conflict") in at.error[0].value
    _same(open_store(small_gpkg).read_all(), before)
    assert gpd.GeoDataFrame(before["routes"])["route_id"].tolist() == ["R1", "R2", "R3", "R4"]
