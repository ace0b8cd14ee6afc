"""KML and KMZ from field crews (`inventory.formats.kml`): placemarks, ExtendedData through the column
mapping, folders as a layer hint, lines cut at the file's nodes; broken files with clear problems."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
import shapely
from factories import X0, Y0, small_inventory
from pyproj import Transformer

from inventory.importer import import_file
from inventory.mapping import ColumnMapping
from inventory.problems import DataError
from inventory.stores.geopackage import GeoPackageStore

TO_LONLAT = Transformer.from_crs("EPSG:25832", "EPSG:4326", always_xy=True)
NODE = (X0 + 100.0, Y0 + 50.0)
"""A cabinet on the line's interior (the line's second vertex)."""
LINE = [(X0, Y0), NODE, (X0 + 260.0, Y0 + 40.0)]


def lonlat(x: float, y: float) -> str:
    lon, lat = TO_LONLAT.transform(x, y)
    return f"{lon:.9f},{lat:.9f},0"


def field_kml(line=LINE, node=NODE, coords: str | None = None) -> str:
    """A crew's KML: a Schema, a folder of lines (SimpleData) and a folder of points (Data)."""
    line_coords = coords or " ".join(lonlat(*p) for p in line)
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<kml xmlns="http://www.opengis.net/kml/2.2"><Document><name>Trupp 3</name>
<Schema name="trasse" id="trasse"><SimpleField name="Zustand" type="string"/>
<SimpleField name="Fasern" type="int"/></Schema>
<Folder><name>Trassen</name>
<Placemark><name>KR-1</name><ExtendedData><SchemaData schemaUrl="#trasse">
<SimpleData name="Zustand">planned</SimpleData><SimpleData name="Fasern">48</SimpleData></SchemaData></ExtendedData>
<LineString><coordinates>{line_coords}</coordinates></LineString></Placemark>
</Folder>
<Folder><name>Knoten</name>
<Placemark><name>KN-1</name><ExtendedData><Data name="kind"><value>cabinet</value></Data>
<Data name="status"><value>planned</value></Data></ExtendedData>
<Point><coordinates>{lonlat(*node)}</coordinates></Point></Placemark>
</Folder></Document></kml>
"""


def kmz(path: Path, kml_text: str) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("doc.kml", kml_text)
        archive.writestr("files/photo.jpg", b"\xff\xd8 not read")
    return path


@pytest.fixture
def store(gpkg_path):
    store = GeoPackageStore(gpkg_path)
    store.write(small_inventory())
    return store


ROUTES = ColumnMapping(columns={"route_id": "name", "status": "Zustand", "fibre_count": "Fasern"})


def test_a_kmz_from_the_field_imports_its_nodes_and_its_lines_cut_at_them(store, tmp_path):
    path = kmz(tmp_path / "trupp3.kmz", field_kml())
    nodes = import_file(store, "nodes", path, mapping=ColumnMapping(columns={"node_id": "name"}))
    assert nodes.new == ["KN-1"]
    routes = import_file(store, "routes", path, mapping=ROUTES)
    assert sorted(routes.new) == ["KR-1-1", "KR-1-2"]
    stored = store.read("routes").set_index("route_id").loc[["KR-1-1", "KR-1-2"]]
    assert set(stored["trench_id"]) == {"KR-1"} and set(stored["fibre_count"]) == {48}
    assert set(stored["status"]) == {"planned"}
    # Oracle: the cut lies at the node, and the parts together are the drawn line.
    first, second = stored.geometry["KR-1-1"], stored.geometry["KR-1-2"]
    assert shapely.Point(first.coords[-1]).distance(shapely.Point(NODE)) < 0.01
    assert shapely.Point(second.coords[0]).distance(shapely.Point(NODE)) < 0.01
    assert abs(first.length + second.length - shapely.LineString(LINE).length) < 0.01


def test_a_line_without_a_node_on_it_stays_one_route(store, tmp_path):
    path = tmp_path / "t.kml"
    path.write_text(field_kml(node=(X0 + 100.0, Y0 + 500.0)), encoding="utf-8")
    assert import_file(store, "routes", path, mapping=ROUTES).new == ["KR-1"]


def problems_of(store, path: Path, layer: str = "routes") -> list:
    before = store.counts()
    with pytest.raises(DataError) as error:
        import_file(store, layer, path, mapping=ROUTES)
    assert store.counts() == before, "a refused import changes nothing"
    return error.value.problems


def test_a_damaged_kmz_is_named_with_the_fix(store, tmp_path):
    good = kmz(tmp_path / "good.kmz", field_kml()).read_bytes()
    broken = tmp_path / "broken.kmz"
    broken.write_bytes(good[: len(good) // 2])
    (problem,) = problems_of(store, broken)
    assert problem.rule == "file" and problem.file == str(broken)
    assert "damaged ZIP" in problem.value and "KMZ" in problem.expected and problem.fix


def test_a_kmz_without_a_kml_inside(store, tmp_path):
    path = tmp_path / "photos.kmz"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("photo.jpg", b"\xff\xd8")
    (problem,) = problems_of(store, path)
    assert problem.rule == "file" and problem.expected == "KMZ content, as the extension .kmz says"
    assert problem.value.startswith("a ZIP archive")


def test_placemarks_missing_is_one_clear_problem(store, tmp_path):
    path = tmp_path / "empty.kml"
    path.write_text('<?xml version="1.0"?><kml xmlns="http://www.opengis.net/kml/2.2"><Document>'
                    "<Style id='a'/></Document></kml>", encoding="utf-8")
    (problem,) = problems_of(store, path)
    assert (problem.rule, problem.value, problem.expected) == ("file", "no placemarks", "placemarks with points or lines")


@pytest.mark.parametrize("coords, found", [
    ("7.08,abc,0 7.09,51.5,0", "7.08,abc,0"),
    ("7.08,51.51,0", "7.08,51.51,0 (1 position)"),
    ("51.51,700.0 7.09,51.5", "51.51,700.0 (not longitude,latitude)"),
])
def test_bad_coordinates_name_the_placemark_and_the_value(store, tmp_path, coords, found):
    path = tmp_path / "bad.kml"
    path.write_text(field_kml(coords=coords), encoding="utf-8")
    (problem,) = problems_of(store, path)
    assert (problem.row, problem.field, problem.value) == ("placemark 1 (KR-1)", "coordinates", found)
    assert problem.fix and "longitude,latitude" in problem.expected


def test_a_kml_cut_off_is_refused(store, tmp_path):
    path = tmp_path / "cut.kml"
    path.write_text(field_kml()[:400], encoding="utf-8")
    (problem,) = problems_of(store, path)
    assert problem.rule == "file" and problem.expected == "well-formed KML (XML)"


@pytest.mark.parametrize("layout", ["folders", "points_folder_first", "no_folders"])
def test_a_row_is_named_by_its_placemark_s_position_in_the_file(layout, tmp_path):
    """'placemark 2' means the file's second placemark, whichever folder it is in and whatever the layer takes,
    as the coordinate checks number them: a steward finds the same one either way."""
    from inventory.formats import read_file

    text = field_kml()
    lines_folder = text[text.index("<Folder><name>Trassen"):text.index("<Folder><name>Knoten")]
    if layout == "points_folder_first":
        text = text.replace(lines_folder, "").replace("</Document>", lines_folder + "</Document>")
    elif layout == "no_folders":
        text = text.replace("<Folder><name>Trassen</name>", "").replace("<Folder><name>Knoten</name>", "")
        text = text.replace("</Folder>", "")
    path = tmp_path / "crew.kml"
    path.write_text(text, encoding="utf-8")
    first, second = ("KN-1", "KR-1") if layout == "points_folder_first" else ("KR-1", "KN-1")
    layer_of = {"KR-1": "routes", "KN-1": "nodes"}
    assert read_file(path, layer_of[first]).labels == [f"placemark 1 ({first})"]
    assert read_file(path, layer_of[second]).labels == [f"placemark 2 ({second})"]
