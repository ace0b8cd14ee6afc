"""No false all-clear: a construction site's point is checked before anything fails (issue 15 point 8a).

lon/lat given where EPSG:25832 metres are expected, (0, 0), swapped orders and points far outside the
city used to answer "cut off: 0 site(s)" with exit 0."""

from __future__ import annotations

import json
import math

import pytest
import shapely
from pyproj import Transformer

from inventory.cli import EXIT_USAGE, main
from inventory.settings import SAMPLE_GPKG
from inventory.stores import open_store
from topology import build_network
from topology.errors import PointNotOnNetwork
from topology.whatif import Failure, locate_point, what_if


@pytest.fixture(scope="module")
def sample():
    frames = open_store(SAMPLE_GPKG).read_all()
    return frames, build_network(frames["routes"], frames["nodes"], frames["sites"])


def city(frames):
    return shapely.union_all(frames["districts"].geometry.values)


def test_a_point_in_the_city_passes_unchanged(sample):
    frames, network = sample
    x, y = network.vertex_xy[network.pop_vertices[0]]
    assert locate_point(network, x, y, districts=frames["districts"]) == (x, y, None)


def test_lon_lat_is_recognised_and_transformed_with_a_note(sample):
    frames, network = sample
    x, y, note = locate_point(network, 7.07, 51.55, districts=frames["districts"])
    # oracle: the inverse transformation gives the input back, and the point lies in the city
    lon, lat = Transformer.from_crs("EPSG:25832", "EPSG:4326", always_xy=True).transform(x, y)
    assert lon == pytest.approx(7.07, abs=1e-9) and lat == pytest.approx(51.55, abs=1e-9)
    assert city(frames).contains(shapely.Point(x, y))
    assert "longitude, latitude" in note and "EPSG:4326" in note and f"x={x:.0f}" in note


@pytest.mark.parametrize("point,reason,words", [
    ((0.0, 0.0), "outside", ["(0, 0)", "expected", "fix:"]),
    ((51.55, 7.07), "lat_lon", ["(51.55, 7.07)", "latitude, longitude", "fix: give 7.07,51.55"]),
    ((5710500.0, 368500.0), "swapped", ["(5710500, 368500)", "Y,X", "fix: give 368500,5710500"]),
    ((368500.0, 5810500.0), "outside", ["(368500, 5810500)", "from the nearest route", "fix:"]),
    ((math.nan, 5710500.0), "not_finite", ["expected two finite numbers", "fix:"]),
])
def test_a_point_off_the_network_is_refused_naming_value_expectation_and_fix(sample, point, reason, words):
    frames, network = sample
    with pytest.raises(PointNotOnNetwork) as caught:
        locate_point(network, *point, districts=frames["districts"])
    assert caught.value.reason == reason
    for word in words:
        assert word in str(caught.value)


def test_the_refusal_rests_on_the_city_and_the_routes_not_on_fixed_numbers(sample):
    """Without districts the network's extent is the city: a point just outside the bounding box but
    near a route passes, one 5 km away from every route does not."""
    frames, network = sample
    x0, y0 = network.vertex_xy.min(axis=0)
    near = (x0 - 100.0, float(network.vertex_xy[network.vertex_xy[:, 0].argmin(), 1]))
    assert locate_point(network, *near).note is None
    with pytest.raises(PointNotOnNetwork) as caught:
        locate_point(network, x0 - 5000.0, y0 - 5000.0)
    distance = shapely.distance(shapely.Point(x0 - 5000.0, y0 - 5000.0),
                                shapely.union_all(network.edge_geometry))
    assert caught.value.distance_m == pytest.approx(distance)


def run(capsys, *argv):
    code = main(["impact", "--db", str(SAMPLE_GPKG), *argv])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_cli_impact_refuses_zero_zero(capsys):
    code, out, err = run(capsys, "--at", "0,0")
    assert code == EXIT_USAGE and out == ""
    assert "--at (0, 0)" in err and "expected" in err and "fix:" in err


def test_cli_impact_takes_lon_lat_with_a_note_and_the_same_answer_as_metres(sample, capsys):
    frames, network = sample
    x, y, _ = locate_point(network, 7.07, 51.55, districts=frames["districts"])
    code, out, _ = run(capsys, "--at", "7.07,51.55", "--radius-m", "300", "--json")
    assert code == 0
    payload = json.loads(out)
    assert "longitude, latitude" in payload["point"]["note"]
    assert payload["point"]["x"] == pytest.approx(x, abs=0.01) and payload["point"]["y"] == pytest.approx(y, abs=0.01)
    expected = what_if(network, Failure.around(x, y, 300))
    assert payload["summary"] == expected.summary()
    code, text, _ = run(capsys, "--at", "7.07,51.55", "--radius-m", "300")
    assert text.startswith("note: (7.07, 51.55) is not a place on the network in EPSG:25832 metres")


def test_cli_impact_says_why_nothing_fails_when_no_route_is_in_the_circle(sample, capsys):
    """The place in the city furthest from every route (on a 200 m grid): nothing fails there, and the
    answer says so with the nearest route and its distance instead of a bare '0 sites'."""
    import numpy as np

    from inventory.cli_format import metres

    frames, network = sample
    area = city(frames)
    x0, y0, x1, y1 = area.bounds
    xs, ys = np.meshgrid(np.arange(x0, x1, 200.0), np.arange(y0, y1, 200.0))
    points = shapely.points(xs.ravel(), ys.ravel())
    points = points[shapely.contains(area, points)]
    lines = shapely.union_all(network.edge_geometry)
    far = points[np.argmax(shapely.distance(points, lines))]
    code, out, _ = run(capsys, "--at", f"{far.x},{far.y}", "--radius-m", "50")
    assert code == 0
    nearest = int(np.argmin(shapely.distance(network.edge_geometry, far)))
    gap = shapely.distance(network.edge_geometry[nearest], far.buffer(50))
    assert (f"note: nothing fails: no route or node lies in the construction site; the nearest route, "
            f"{network.edge_route_id[nearest]}, is {metres(gap)} from its edge") in out
