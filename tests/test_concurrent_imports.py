"""Concurrent imports in real processes, in both stores: no change is lost, no layer is a mix.

- two confirmed replaces of one layer at once leave exactly one file's content (never the union);
- two patches of different fields of the same rows at once both land (the second waits for the first).
"""

from __future__ import annotations

import subprocess
import sys

import pandas as pd
import pytest
from factories import small_inventory

ROUNDS = 2


def gelsennet(*args: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "inventory.cli", *args], stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)


def routes_csv(path, owner: str, extra_id: str | None = None, **fields) -> str:
    routes = small_inventory()["routes"]
    frame = pd.DataFrame({"route_id": routes["route_id"], "owner": owner, **fields,
                          "wkt": routes.geometry.to_wkt()})
    if extra_id is not None:
        frame = pd.concat([frame, frame.iloc[[0]].assign(route_id=extra_id)], ignore_index=True)
        frame["status"] = "in_service"
    frame.to_csv(path, index=False)
    return str(path)


@pytest.fixture
def filled(store):
    store.write(small_inventory())
    return store


def test_two_replaces_at_once_leave_one_file_not_the_union(filled, tmp_path):
    files = {tag: routes_csv(tmp_path / f"{tag}.csv", tag, f"{tag}-NEW") for tag in "AB"}
    for _ in range(ROUNDS):
        runs = {tag: gelsennet("import", "routes", path, "--crs", "EPSG:25832", "--mode", "replace", "--yes",
                               "--db", filled.url) for tag, path in files.items()}
        outputs = {tag: run.communicate()[0] for tag, run in runs.items()}
        assert all(run.returncode == 0 for run in runs.values()), outputs
        routes = filled.read("routes")
        new = sorted(routes.loc[routes["route_id"].str.endswith("-NEW"), "route_id"])
        owners = set(routes["owner"])
        assert (new, owners) in ((["A-NEW"], {"A"}), (["B-NEW"], {"B"})), (new, owners, outputs)
        assert len(routes) == 5


def test_two_patches_of_different_fields_at_once_both_land(filled, tmp_path):
    for round_ in range(ROUNDS):
        owner = routes_csv(tmp_path / "owner.csv", f"owner-{round_}")
        fibres = tmp_path / "fibres.csv"
        routes = small_inventory()["routes"]
        pd.DataFrame({"route_id": routes["route_id"], "fibre_count": 100 + round_,
                      "wkt": routes.geometry.to_wkt()}).to_csv(fibres, index=False)
        runs = [gelsennet("import", "routes", path, "--crs", "EPSG:25832", "--db", filled.url)
                for path in (owner, str(fibres))]
        outputs = [run.communicate()[0] for run in runs]
        assert all(run.returncode == 0 for run in runs), outputs
        stored = filled.read("routes")
        assert set(stored["owner"]) == {f"owner-{round_}"}, outputs
        assert set(stored["fibre_count"]) == {100 + round_}, outputs
        assert set(stored["fibres_used"]) == {12}, "a field neither file carries keeps its value"
