"""The topology and coverage raise named errors (topology/errors.py, coverage/errors.py) that carry what was
wrong as attributes, name it in the message, and are still ValueErrors for callers that catch those.
"""

from __future__ import annotations

import ast
from pathlib import Path

import geopandas as gpd
import networkx as nx
import numpy as np
import pytest
import shapely
from shapely.geometry import LineString, Point

from coverage.config import load_config
from coverage.errors import (
    ConfigError,
    CoverageError,
    InvalidPointsError,
    NoCoverError,
    NotWithDegradedError,
    ScenarioError,
)
from coverage.premises import premises_status
from coverage.ring_closure import cheapest_cover
from inventory.cli import EXIT_USAGE, main
from inventory.settings import SAMPLE_GPKG
from topology import build_network, from_networkx
from topology.diverse import diverse_paths
from topology.errors import (
    CRSMismatchError,
    InvalidFailureError,
    InvalidParameterError,
    MissingCRSError,
    PointNotOnNetwork,
    TopologyError,
    UnknownElementError,
    UnknownScenarioError,
)
from topology.network import joins_network
from topology.trench_cuts import trench_cuts
from topology.whatif import Failure, what_if

ROOT = Path(__file__).resolve().parents[1]
PROJECT = ("inventory", "topology", "coverage", "app_pages", "app")
CORNERS = [(0, 0), (100, 0), (100, 100), (0, 100)]


def frames(crs: str = "EPSG:25832"):
    """The square ring of `build_network`'s example: four routes in four trenches, a POP, a school."""
    routes = gpd.GeoDataFrame(
        {"route_id": ["r1", "r2", "r3", "r4"], "trench_id": ["t1", "t2", "t3", "t4"], "status": ["in_service"] * 4},
        geometry=[LineString([CORNERS[i], CORNERS[(i + 1) % 4]]) for i in range(4)], crs=crs)
    nodes = gpd.GeoDataFrame({"node_id": ["pop1"], "kind": ["pop"], "status": ["in_service"]},
                             geometry=[Point(0, 0)], crs=crs)
    sites = gpd.GeoDataFrame(
        {"site_id": ["s1"], "name": ["School"], "kind": ["school"], "pupils": [300], "connection": ["connected"],
         "handover_node_id": [None]}, geometry=[Point(100, 101)], crs=crs)
    return routes, nodes, sites


@pytest.fixture(scope="module")
def network():
    return build_network(*frames())


def test_an_unknown_route_of_a_what_if_is_named_with_its_kind(network):
    with pytest.raises(UnknownElementError) as caught:
        what_if(network, Failure(segments=["r1", "r9"]))
    error = caught.value
    assert isinstance(error, TopologyError) and isinstance(error, ValueError)
    assert error.kind == "segment" and error.values == ("r9",) and error.unknown == {"segment": ("r9",)}
    assert "segment r9" in str(error) and "r1" not in str(error)


def test_unknown_ids_of_several_kinds_are_all_named(network):
    with pytest.raises(UnknownElementError) as caught:
        what_if(network, Failure(segments=["r9"], nodes=["n7"], trenches=["t8"]))
    error = caught.value
    assert error.kind == "element" and set(error.values) == {"r9", "n7", "t8"}
    assert error.unknown == {"segment": ("r9",), "trench": ("t8",), "node": ("n7",)}
    assert all(name in str(error) for name in ("segment r9", "trench t8", "node n7"))


def test_an_unknown_site_of_diverse_paths_is_named(network):
    with pytest.raises(UnknownElementError, match="'nowhere'") as caught:
        diverse_paths(network, "nowhere")
    assert caught.value.kind == "site" and caught.value.values == ("nowhere",)


def test_an_unknown_scenario_names_it_and_the_known_ones():
    with pytest.raises(UnknownScenarioError) as caught:
        build_network(*frames(), scenario="someday")
    error = caught.value
    assert error.scenario == "someday" and error.expected == ("in_service", "planned")
    assert "'someday'" in str(error) and "in_service, planned" in str(error) and isinstance(error, ValueError)
    with pytest.raises(UnknownScenarioError):
        joins_network(["connected"], "someday")


def test_a_layer_in_another_crs_is_named():
    routes, nodes, sites = frames()
    with pytest.raises(CRSMismatchError) as caught:
        build_network(routes.set_crs("EPSG:3857", allow_override=True), nodes, sites)
    error = caught.value
    assert (error.layer, error.found, error.expected) == ("routes", "EPSG:3857", "EPSG:25832")
    assert ".to_crs('EPSG:25832')" in str(error)


def test_a_graph_without_crs_is_refused(network):
    with pytest.raises(MissingCRSError, match="crs") as caught:
        from_networkx(nx.MultiGraph())
    assert caught.value.source == "graph"


def test_a_failure_that_fails_nothing_is_refused(network):
    with pytest.raises(InvalidFailureError) as caught:
        Failure.around(50, 0, 0)
    assert (caught.value.name, caught.value.value) == ("radius_m", 0)
    bowtie = shapely.Polygon([(0, 0), (10, 10), (10, 0), (0, 10)])
    with pytest.raises(InvalidFailureError, match="valid, non-empty polygon") as caught:
        what_if(network, Failure(area=bowtie))
    assert caught.value.name == "area" and isinstance(caught.value, InvalidParameterError)


def test_trench_cuts_refuses_top_below_one(network):
    with pytest.raises(InvalidParameterError, match="top=0") as caught:
        trench_cuts(network, top=0)
    assert (caught.value.name, caught.value.value) == ("top", 0)


def test_the_cli_reports_an_unknown_id_as_a_usage_error(capsys):
    assert main(["impact", "--db", str(SAMPLE_GPKG), "--segment", "no-such-route"]) == EXIT_USAGE
    assert "segment no-such-route" in capsys.readouterr().err


@pytest.mark.parametrize("text,key,message", [
    ("[status]\npased_m = 50\n", "pased_m", "unknown key 'pased_m'"),
    ("[status]\npassed_m = 'far'\n", "passed_m", "expected a number"),
    ("status = 1\n", "status", "must be a table"),
    ("[status]\npassed_m = 500\n", "passed_m", "passed_m <= near_m"),
    ("[status\n", None, "not valid TOML"),
    ("[cost]\ndetour_factor = 0.8\n", "detour_factor", "detour_factor = 0.8, expected 1 or more"),
    ("[cost.eur_per_m]\ndrilling = -5\n", "eur_per_m.drilling", "eur_per_m.drilling = -5, expected 0 € or more"),
    ("[ring_closure]\nmax_link_m = 0\ncandidates_per_site = 0\n", "max_link_m",
     "max_link_m = 0, expected a length above 0 m; candidates_per_site = 0, expected 1 or more"),
])
def test_a_bad_configuration_names_file_and_key(tmp_path, text, key, message):
    path = tmp_path / "bad.toml"
    path.write_text(text)
    with pytest.raises(ConfigError, match=message) as caught:
        load_config(path)
    error = caught.value
    assert error.source == str(path) and error.key == key and str(path) in str(error)
    assert key is None or key in str(error)
    assert isinstance(error, CoverageError) and isinstance(error, ValueError)


@pytest.mark.parametrize("points,reason", [
    (np.zeros((2, 3)), "shape"),
    (np.array([[0.0, np.nan]]), "not_finite"),
    ([Point(0, 0), LineString([(0, 0), (1, 1)])], "not_point"),
    (gpd.GeoSeries([Point(7, 51)], crs="EPSG:4326"), "crs"),
])
def test_premises_refuse_points_they_cannot_place(points, reason):
    routes, _, _ = frames()
    with pytest.raises(InvalidPointsError) as caught:
        premises_status(points, routes)
    assert caught.value.reason == reason


def test_a_site_no_proposal_covers_is_named():
    with pytest.raises(NoCoverError, match="no proposal covers s2") as caught:
        cheapest_cover([1.0], [{"s1"}], {"s1", "s2"})
    assert caught.value.missing == ("s2",)


def test_each_name_has_one_home():
    for error, home in ((PointNotOnNetwork, "topology.errors"), (ScenarioError, "coverage.errors"),
                        (NotWithDegradedError, "coverage.errors")):
        assert error.__module__ == home


@pytest.mark.parametrize("module", ["inventory/errors.py", "topology/errors.py", "coverage/errors.py"])
def test_an_errors_module_imports_nothing_of_the_project(module):
    tree = ast.parse((ROOT / module).read_text(encoding="utf-8"))
    imported = [alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names]
    imported += ["." * node.level + (node.module or "") for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)]
    assert not [name for name in imported if name.startswith(".") or name.split(".")[0] in PROJECT], imported
