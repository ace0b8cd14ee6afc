"""The real statewide NRW school list through the built-in column mapping (a foreign schema)."""

from __future__ import annotations

from pathlib import Path

import pytest

from inventory.cli import main

NRW = Path(__file__).resolve().parent.parent / "data" / "nrw" / "schuldaten_nrw_2021-09.csv"


def test_the_file_is_the_awkward_real_one():
    head = NRW.read_text(encoding="utf-8").splitlines()[:2]
    assert head[0] == "sep=;"
    assert head[1].startswith("Schulnummer;Schulform;Schulbezeichnung_1")


@pytest.mark.parametrize("mode", ["replace", "upsert"])
def test_nrw_school_list_lands_as_sites(store, mode, capsys):
    code = main(["import", "sites", str(NRW), "--db", store.url, "--mapping", "nrw_schuldaten", "--mode", mode])
    assert code == 0, capsys.readouterr().err
    sites = store.read("sites").set_index("site_id")
    assert len(sites) == 5507  # every row of the file: about 5,500 schools
    assert (sites["kind"] == "school").all() and (sites["connection"] == "none").all()
    school = sites.loc["118928"]  # a Gelsenkirchen primary school, official UTM coordinates
    assert school["school_type"] == "Grundschule"
    assert school["address"] == "Marschallstr. 13, 45889 Gelsenkirchen"
    assert (school.geometry.x, school.geometry.y) == (368578.0, 5710348.0)
    assert sites.loc["100000", "name"].startswith("Studienkolleg des Ökumenischen Studienwerks")


def test_mapping_can_be_given_on_the_command_line(tmp_path):
    db = tmp_path / "s.gpkg"
    code = main([
        "import", "sites", str(NRW), "--db", str(db), "--crs", "EPSG:25832", "--x", "UTMRechtswert",
        "--y", "UTMHochwert", "--map", "site_id=Schulnummer", "--map", "name={Schulbezeichnung_1} {Ort}",
        "--set", "kind=school", "--set", "connection=none",
    ])
    assert code == 0
