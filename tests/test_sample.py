"""The sample dataset: schema-valid, deterministic, and with the network states the other parts need."""

from __future__ import annotations

import itertools
import os
import subprocess
import sys
from pathlib import Path

import networkx as nx
import numpy as np
import pytest
import shapely
from geopandas.testing import assert_geodataframe_equal

from inventory.sample import SOURCE_DIR, build_sample, read_city
from inventory.schema import LAYER_ORDER, LAYERS
from inventory.validation import check_frame, check_references, referenced_keys

PROJECT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def sample():
    return build_sample()


@pytest.fixture(scope="module")
def city():
    return read_city(SOURCE_DIR)


def test_five_layers_with_schema_columns(sample):
    assert set(sample) == set(LAYER_ORDER)
    for name, frame in sample.items():
        assert list(frame.columns) == [*LAYERS[name].columns, "geometry"], name
        assert frame.crs.to_epsg() == 25832
        assert len(frame) > 0


def test_no_schema_errors(sample):
    available = referenced_keys(sample)
    for name in LAYER_ORDER:
        _, problems = check_frame(sample[name], LAYERS[name])
        problems += check_references(sample[name], LAYERS[name], available)
        errors = [str(p) for p in problems if p.severity == "error"]
        assert not errors, f"{name}: {errors[:5]}"


def test_real_schools_without_the_school_authority(sample):
    schools = sample["sites"].query("kind == 'school'")
    assert len(schools) == 78
    assert "600513" not in set(schools["site_id"])
    assert schools["pupils"].notna().all()


def test_route_total_is_about_600_km(sample):
    total_km = sample["routes"].length.sum() / 1000
    assert 550 <= total_km <= 650


def test_network_is_labelled_synthetic(sample):
    assert (sample["nodes"]["source"] == "synthetic").all()
    assert (sample["routes"]["source"] == "synthetic").all()
    assert sample["sites"]["source"].str.contains("synthetic").all()


def test_routes_meet_exactly_at_nodes(sample):
    nodes = set(map(tuple, shapely.get_coordinates(sample["nodes"].geometry.to_numpy())))
    for line in sample["routes"].geometry:
        coords = shapely.get_coordinates(line)
        assert tuple(coords[0]) in nodes and tuple(coords[-1]) in nodes
        assert not {tuple(c) for c in coords[1:-1]} & nodes, "a route passes a node without ending there"
    assert (sample["routes"].length > 1.0).all()


def test_everything_lies_in_the_city(sample, city):
    inside = city.buffer(1.0)
    for name, frame in sample.items():
        assert frame.geometry.covered_by(inside).all(), name


def test_districts_tile_the_city(sample, city):
    districts = sample["districts"]
    bezirke = districts.query("level == 'stadtbezirk'")
    teile = districts.query("level == 'stadtteil'")
    assert len(bezirke) == 5 and len(teile) == 18
    assert set(teile["parent_id"]) == set(bezirke["district_id"])
    assert bezirke["parent_id"].isna().all()
    assert "ST-BUER" in set(teile["district_id"]) and "SB-NORD" in set(bezirke["district_id"])
    union = shapely.union_all(teile.geometry.to_numpy())
    assert union.area == pytest.approx(city.area, rel=1e-3)
    overlap_m2 = sum(a.intersection(b).area for a, b in itertools.combinations(teile.geometry, 2))
    assert overlap_m2 < 1.0
    assert (teile.geom_type == "MultiPolygon").all() and teile.is_valid.all()


def test_schools_lie_in_their_stadtteil(sample):
    teile = sample["districts"].query("level == 'stadtteil'").set_index("name").geometry
    for site in sample["sites"].itertuples():
        assert teile[site.district].contains(site.geometry), site.site_id


def test_business_parks_inside_their_areas(sample):
    parks = sample["sites"].query("kind == 'business_park'").set_index("site_id")
    areas = sample["site_areas"].set_index("site_id")
    assert set(areas.index) == set(parks.index)
    assert "GE-ARENA-PARK" in parks.index
    for site_id, area in areas.geometry.items():
        assert area.contains(parks.geometry[site_id])
    assert areas.loc["GE-ARENA-PARK"].geometry.area == pytest.approx(120 * 10_000, rel=0.01)
    assert areas["source"].str.contains("location not verified").sum() == 1


def test_two_builds_are_identical(sample):
    again = build_sample()
    for name in LAYER_ORDER:
        assert_geodataframe_equal(sample[name], again[name], check_less_precise=False)


DIGEST = """
import hashlib
from inventory.sample import build_sample
h = hashlib.sha256()
for name, frame in sorted(build_sample().items()):
    h.update(name.encode() + frame.drop(columns="geometry").to_csv(index=False).encode())
    h.update(b"".join(frame.geometry.to_wkb()))
print(h.hexdigest())
"""


def test_build_does_not_depend_on_string_hashing():
    digests = set()
    for hash_seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": hash_seed, "PYTHONPATH": str(PROJECT)}
        out = subprocess.run([sys.executable, "-c", DIGEST], cwd=PROJECT, env=env, capture_output=True, text=True)
        assert out.returncode == 0, out.stderr
        digests.add(out.stdout.strip())
    assert len(digests) == 1


def test_some_trenches_are_shared(sample):
    per_trench = sample["routes"]["trench_id"].value_counts()
    assert (per_trench >= 2).sum() >= 1
    assert per_trench.max() <= 4


def test_school_connection_mix(sample):
    schools = sample["sites"].query("kind == 'school'")
    connected = schools.query("connection == 'connected'")
    assert (schools["connection"] == "planned").sum() >= 2
    assert (schools["connection"] == "none").sum() >= 2
    assert (connected["bandwidth_mbps"] < 1000).sum() >= 3
    assert connected["handover_node_id"].notna().all() and connected["connected_since"].notna().all()
    assert schools.query("connection == 'planned'")["planned_date"].notna().all()


def _route_graph(routes) -> nx.Graph:
    """In-service routes as a graph over endpoints rounded to the cm; parallel routes add capacity."""
    graph = nx.Graph()
    for line in routes.query("status == 'in_service'").geometry:
        coords = np.round(shapely.get_coordinates(line), 2)
        a, b = tuple(coords[0]), tuple(coords[-1])
        if graph.has_edge(a, b):
            graph[a][b]["capacity"] += 1
        else:
            graph.add_edge(a, b, capacity=1)
    return graph


def test_most_schools_dual_homed_some_single(sample):
    graph = _route_graph(sample["routes"])
    nodes = sample["nodes"]
    where = {row.node_id: (round(row.geometry.x, 2), round(row.geometry.y, 2)) for row in nodes.itertuples()}
    for pop in nodes.query("kind == 'pop' and status == 'in_service'")["node_id"]:
        graph.add_edge("core", where[pop], capacity=10)
    connected = sample["sites"].query("kind == 'school' and connection == 'connected'")
    paths = [nx.maximum_flow_value(graph, where[node], "core") for node in connected["handover_node_id"]]
    dual = sum(p >= 2 for p in paths)
    single = sum(p == 1 for p in paths)
    assert dual > len(connected) / 2
    assert single >= 3
    assert dual + single == len(connected)
