"""The first app page under Streamlit's AppTest: it renders the library's numbers, and says clearly when it cannot."""

from __future__ import annotations

from pathlib import Path

import pytest
from factories import small_inventory
from streamlit.testing.v1 import AppTest

from inventory.stores import open_store
from inventory.summary import inventory_summary

APP = str(Path(__file__).resolve().parent.parent / "app.py")


@pytest.fixture
def small_gpkg(tmp_path, monkeypatch):
    path = tmp_path / "small.gpkg"
    open_store(path).write(small_inventory())
    monkeypatch.setenv("GELSENNET_DB", str(path))
    return path


def run_app() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    assert not at.exception, at.exception
    return at


def test_page_shows_the_library_figures(small_gpkg):
    at = run_app()
    expected = inventory_summary(small_inventory())
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Netzknoten (synthetisch)"] == str(expected["counts"]["nodes"])
    assert metrics["Standorte (Schulen, Gewerbegebiete)"] == str(expected["counts"]["sites"])
    assert metrics["Trassen-km in Betrieb"] == "3,0"  # three of the four 1 km ring segments are in service
    assert any("synthetisch" in w.value for w in at.warning)
    assert len(at.get("deck_gl_json_chart")) == 1


def test_table_follows_the_selected_layer(small_gpkg):
    at = run_app()
    at.selectbox[0].set_value("routes").run()
    assert not at.exception
    assert list(at.dataframe[0].value["route_id"]) == ["R1", "R2", "R3", "R4"]


def test_missing_store_gives_a_clear_message(tmp_path, monkeypatch):
    monkeypatch.setenv("GELSENNET_DB", str(tmp_path / "nothing.gpkg"))
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    assert not at.exception
    assert "gelsennet demo" in at.error[0].value
