"""OFDS both ways (`inventory.formats.ofds`, `ofds_geojson`, `ofds_model`): the sample's export passes the
standard's own validator (libcoveofds) with zero schema errors, store → OFDS → store gives nodes and routes
back exactly (JSON package and GeoJSON pair), and the examples published with the standard import."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import shapely
from geopandas.testing import assert_geodataframe_equal
from libcoveofds.geojson import GeoJSONAssumeFeatureType, GeoJSONToJSONConverter
from libcoveofds.jsonschemavalidate import JSONSchemaValidator
from libcoveofds.schema import OFDSSchema

from inventory.cli import main
from inventory.formats import content_of, read_file
from inventory.formats.ofds_model import EXTENSION, ofds_id
from inventory.import_prepare import prepare_file
from inventory.importer import import_file
from inventory.settings import SAMPLE_GPKG
from inventory.stores.geopackage import GeoPackageStore

EXAMPLES = Path(__file__).parent / "data" / "ofds"


@pytest.fixture(scope="module")
def sample(tmp_path_factory) -> Path:
    if not SAMPLE_GPKG.exists():
        assert main(["demo"]) == 0
    path = tmp_path_factory.mktemp("ofds") / "sample.gpkg"
    shutil.copy(SAMPLE_GPKG, path)
    return path


def schema_errors(package: dict) -> list:
    return [e.json() for e in JSONSchemaValidator(OFDSSchema()).validate(package)]


def empty_copy(sample: Path, target: Path) -> GeoPackageStore:
    frames = GeoPackageStore(sample).read_all()
    store = GeoPackageStore(target)
    store.write({name: frame.iloc[0:0] for name, frame in frames.items()})
    return store


def assert_same_network(sample: Path, store: GeoPackageStore) -> None:
    original = GeoPackageStore(sample)
    for layer, key in (("nodes", "node_id"), ("routes", "route_id")):
        want = original.read(layer).sort_values(key).reset_index(drop=True)
        got = store.read(layer).sort_values(key).reset_index(drop=True)
        assert_geodataframe_equal(got, want, check_less_precise=False)
        # Bit for bit, not within a tolerance: the extension's coordinates are taken.
        assert (shapely.get_coordinates(got.geometry.values) == shapely.get_coordinates(want.geometry.values)).all()


def test_the_sample_as_an_ofds_package_passes_the_validator_and_comes_back_exactly(sample, tmp_path):
    target = tmp_path / "network.json"
    assert main(["export", str(target), "--format", "ofds", "--db", str(sample)]) == 0
    package = json.loads(target.read_text(encoding="utf-8"))
    assert schema_errors(package) == []
    (network,) = package["networks"]
    nodes, routes = GeoPackageStore(sample).read("nodes"), GeoPackageStore(sample).read("routes")
    assert (len(network["nodes"]), len(network["spans"])) == (len(nodes), len(routes))
    assert network["nodes"][0]["id"] == ofds_id("node", nodes["node_id"].iloc[0]), "ids are uuid5 of our ids"
    trenches = {s[EXTENSION]["trenchId"] for s in network["spans"]}
    assert trenches == set(routes["trench_id"].where(routes["trench_id"].notna(), None))
    assert content_of(target).key == "ofds"
    store = empty_copy(sample, tmp_path / "back.gpkg")
    for layer in ("nodes", "routes"):
        import_file(store, layer, target)
    assert_same_network(sample, store)
    again = tmp_path / "again.json"
    assert main(["export", str(again), "--format", "ofds", "--db", str(tmp_path / "back.gpkg")]) == 0
    assert again.read_bytes() == target.read_bytes(), "ids and content stable from one export to the next"


def test_the_geojson_pair_passes_the_validator_and_comes_back_exactly(sample, tmp_path):
    folder = tmp_path / "pair"
    assert main(["export", str(folder), "--format", "ofds-geojson", "--db", str(sample)]) == 0
    converter = GeoJSONToJSONConverter()
    converter.process_data(json.loads((folder / "nodes.geojson").read_text()), GeoJSONAssumeFeatureType.NODE)
    converter.process_data(json.loads((folder / "spans.geojson").read_text()), GeoJSONAssumeFeatureType.SPAN)
    assert schema_errors(converter.get_json()) == []
    store = empty_copy(sample, tmp_path / "back.gpkg")
    import_file(store, "nodes", folder / "nodes.geojson")
    import_file(store, "routes", folder / "spans.geojson")
    assert_same_network(sample, store)


def test_the_published_example_package_imports(tmp_path):
    path = EXAMPLES / "network-package.json"
    nodes, routes = read_file(path, "nodes"), read_file(path, "routes")
    assert (nodes.problems, routes.problems) == ([], [])
    assert nodes.frame[["node_id", "kind", "name", "status"]].values.tolist() == [
        ["1", "pop", "Accra", "in_service"], ["2", "pop", "Kumasi", "in_service"]]
    span = routes.frame.iloc[0]
    assert (span.route_id, span.status, span.fibre_count, span.owner, span.built_year) == (
        "1", "in_service", 24, "FibreCo", 2018)
    assert len(span.geometry.coords) == 13
    # Ghana lies outside UTM zone 32N and NRW: that, and only that, keeps it out of this inventory.
    rules = {p.rule for p in prepare_file(path, "routes").problems if p.severity == "error"}
    assert rules == {"geometry_outside_crs_area"}


def test_the_published_geojson_pair_imports():
    nodes = read_file(EXAMPLES / "nodes.geojson", "nodes")
    routes = read_file(EXAMPLES / "spans.geojson", "routes")
    assert nodes.problems == [] and routes.problems == []
    assert set(nodes.frame["name"]) == {"Accra", "Kumasi"} and list(routes.frame["fibre_count"]) == [24]
    wrong = read_file(EXAMPLES / "nodes.geojson", "routes")
    (problem,) = wrong.problems
    assert problem.rule == "file" and "spans.geojson" in problem.fix


def test_ofds_holds_only_nodes_and_routes(tmp_path):
    (problem,) = read_file(EXAMPLES / "network-package.json", "sites").problems
    assert problem.rule == "file" and problem.value == "layer sites"


def test_an_ofds_node_type_without_a_kind_is_named_in_the_error(tmp_path):
    package = json.loads((EXAMPLES / "network-package.json").read_text(encoding="utf-8"))
    package["networks"][0]["nodes"][1]["type"] = ["aggregationPoint"]
    path = tmp_path / "aggregation.json"
    path.write_text(json.dumps(package), encoding="utf-8")
    kinds = [p for p in prepare_file(path, "nodes").problems if p.field == "kind"]
    assert [(p.row, p.value) for p in kinds] == [("node 2 (2)", "aggregationPoint")], kinds
    assert "pop" in kinds[0].expected


@pytest.mark.parametrize("damage", ["null_feature", "list_properties"])
def test_an_ofds_geojson_feature_that_is_no_feature_is_a_problem_not_a_crash(damage, tmp_path):
    """A null feature or properties that are no object: a problem naming the feature, nothing read."""
    package = json.loads((EXAMPLES / "nodes.geojson").read_text(encoding="utf-8"))
    if damage == "null_feature":
        package["features"].append(None)
        where = f"feature {len(package['features'])}"
    else:
        package["features"][0]["properties"] = [1, 2]
        where = "feature 1"
    path = tmp_path / "nodes.geojson"
    path.write_text(json.dumps(package), encoding="utf-8")
    (problem,) = read_file(path, "nodes").problems
    assert problem.rule == "file" and where in str(problem.value) and problem.severity == "error"
