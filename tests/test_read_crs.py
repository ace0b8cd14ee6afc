"""CRS of GeoJSON files without a "crs" member, and the --crs a file's coordinates fit.

The coordinates of each case come from pyproj (the oracle): a point in Gelsenkirchen is
projected into the CRS under test and written without a crs member.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from factories import X0, Y0
from pyproj import Transformer

from inventory.crs_guess import has_crs_member
from inventory.formats import read_file
from inventory.formats.base import ReadOptions
from inventory.importer import import_file
from inventory.problems import DataError

OFFSETS = [(0, 0), (150, 40), (-80, 300)]


def points_in(crs: str) -> list[tuple[float, float]]:
    to = Transformer.from_crs("EPSG:25832", crs, always_xy=True)
    return [to.transform(X0 + dx, Y0 + dy) for dx, dy in OFFSETS]


def geojson(path: Path, coordinates, crs_member: dict | None = None, extra: dict | None = None) -> Path:
    doc = {"type": "FeatureCollection", **(extra or {})}
    doc["features"] = [
        {
            "type": "Feature",
            "properties": {"node_id": f"N{i + 1}", "kind": "closure", "status": "in_service", "name": f"Muffe {i}"},
            "geometry": {"type": "Point", "coordinates": list(xy)},
        }
        for i, xy in enumerate(coordinates)
    ]
    if crs_member is not None:
        doc["crs"] = crs_member  # after "features", as some writers put it
    path.write_text(json.dumps(doc))
    return path


def refused(store, path: Path, options: ReadOptions | None = None) -> list:
    before = store.read_all()
    with pytest.raises(DataError) as info:
        import_file(store, "nodes", path, mode="upsert", options=options)
    after = store.read_all()
    for name, frame in before.items():
        assert after[name].equals(frame), f"{name} changed after a refused import"
    return info.value.problems


def assert_stored_at_the_points(store) -> None:
    frame = store.read_all()["nodes"].sort_values("node_id")
    assert len(frame) == len(OFFSETS)
    for geom, (dx, dy) in zip(frame.geometry, OFFSETS, strict=True):
        assert geom.distance(type(geom)(X0 + dx, Y0 + dy)) < 0.01


@pytest.mark.parametrize(
    "crs",
    ["EPSG:25832", "EPSG:4647", "EPSG:31466", "EPSG:31467", "EPSG:3857", "EPSG:25831", "EPSG:3035"],
)
def test_projected_geojson_without_crs_member_names_the_crs_and_imports_with_it(store, tmp_path, crs):
    path = geojson(tmp_path / "nodes.geojson", points_in(crs))
    [problem] = refused(store, path)
    assert (problem.rule, problem.row, problem.field) == ("crs", None, "crs")
    assert f"pass --crs {crs}" in problem.fix.split(" (or")[0]  # the first suggestion is the right one
    assert "not degrees" in problem.value
    assert "NaN" not in str(problem)
    result = import_file(store, "nodes", path, mode="upsert", options=ReadOptions(crs=crs))
    assert result.rows_in_file == len(OFFSETS)
    assert_stored_at_the_points(store)


def test_rfc7946_longitude_latitude_keeps_working(store, tmp_path):
    path = geojson(tmp_path / "nodes.geojson", points_in("EPSG:4326"))
    import_file(store, "nodes", path, mode="upsert")
    assert_stored_at_the_points(store)


@pytest.mark.parametrize(
    "member",
    [
        {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::25832"}},
        {"type": "name", "properties": {"name": "EPSG:25832"}},
        {"type": "name", "properties": {"name": "http://www.opengis.net/def/crs/EPSG/0/25832"}},
    ],
)
def test_legacy_crs_members_keep_working(store, tmp_path, member):
    path = geojson(tmp_path / "nodes.geojson", points_in("EPSG:25832"), crs_member=member)
    assert has_crs_member(path)
    import_file(store, "nodes", path, mode="upsert")
    assert_stored_at_the_points(store)
    # a --crs that contradicts the member is still refused
    [problem] = refused(store, path, ReadOptions(crs="EPSG:3857"))
    assert problem.rule == "crs"


def test_a_crs_key_elsewhere_is_not_a_crs_member(tmp_path):
    coordinates = points_in("EPSG:25832")
    path = geojson(tmp_path / "a.geojson", coordinates, extra={"meta": {"crs": "EPSG:25832", "note": '"crs": x'}})
    assert not has_crs_member(path)
    assert has_crs_member(geojson(tmp_path / "b.geojson", coordinates, crs_member={"type": "name", "properties": {}}))
    [problem] = read_file(path, "nodes", ReadOptions()).problems
    assert problem.rule == "crs" and "EPSG:25832" in problem.fix


def test_coordinates_that_fit_no_known_crs_are_refused_without_a_nan_follow_up(store, tmp_path):
    path = geojson(tmp_path / "nodes.geojson", [(1_234_567.0, 9_876_543.0)])
    problems = refused(store, path)
    assert [p.rule for p in problems] == ["geometry_crs_mismatch"]
    assert "NaN" not in str(problems[0])


def test_a_shapefile_without_prj_names_the_crs_its_coordinates_fit(tmp_path):
    import geopandas as gpd
    import shapely

    path = tmp_path / "nodes.shp"
    xs, ys = zip(*points_in("EPSG:31466"), strict=True)
    frame = gpd.GeoDataFrame(
        {"node_id": ["N1", "N2", "N3"], "kind": ["closure"] * 3, "status": ["in_service"] * 3},
        geometry=shapely.points(xs, ys),
    )
    frame.to_file(path)
    [problem] = read_file(path, "nodes", ReadOptions()).problems
    assert problem.rule == "crs" and "--crs EPSG:31466" in problem.fix


def test_a_projected_crs_declared_for_longitude_latitude_is_refused(store, tmp_path):
    """The app's CRS field says EPSG:25832 by default; an RFC 7946 file must not land in the sea."""
    path = geojson(tmp_path / "nodes.geojson", points_in("EPSG:4326"))
    [problem] = refused(store, path, ReadOptions(crs="EPSG:25832"))
    assert (problem.rule, problem.field) == ("crs", "crs")
    assert "longitude/latitude in NRW" in problem.value and "drop --crs" in problem.fix
    import_file(store, "nodes", path, mode="upsert", options=ReadOptions(crs="EPSG:4326"))
    assert_stored_at_the_points(store)
