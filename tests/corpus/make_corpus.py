"""Rebuild the bad-input corpus: every broken file of tests/corpus, one problem (class) per file.

    .venv/bin/python tests/corpus/make_corpus.py

The files are committed and `tests/test_corpus.py` reads them as they are; this script only
documents how each was made and rebuilds them (the binary ones deterministically, with a fixed
GeoPackage timestamp). What each file carries and the exact problems an import must report are
in `MANIFEST.toml` next to this script.

All coordinates are in central Gelsenkirchen, around (368000, 5710000) in EPSG:25832, unless the
point of the file is that they are not.
"""

from __future__ import annotations

import json
import shutil
import sys
import warnings
import zipfile
from pathlib import Path

import geopandas as gpd
import pyogrio
import shapely
from shapely import LineString, MultiPoint, MultiPolygon, Point, Polygon, box

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))  # tests/: the shared test helpers
from factories import X0, Y0  # noqa: E402

UTM = "EPSG:25832"
FORMATS = ("csv", "geojson", "gpkg", "shp", "kml", "other")

NODE = {"kind": "closure", "name": "Muffe", "status": "in_service", "source": "corpus"}
SITE = {"kind": "school", "connection": "none", "source": "corpus"}


def p(dx: float = 0.0, dy: float = 0.0) -> Point:
    return Point(X0 + dx, Y0 + dy)


def line(dx: float = 0.0, dy: float = 0.0, length: float = 100.0) -> LineString:
    return LineString([(X0 + dx, Y0 + dy), (X0 + dx + length, Y0 + dy)])


def raw_frame(rows: list[dict], crs: str | None = UTM) -> gpd.GeoDataFrame:
    """`rows` as they will be written, unchecked (a broken file is the point), unlike `factories.frame`."""
    return gpd.GeoDataFrame(rows, geometry="geometry", crs=crs)


def gpkg(path: Path, layers: dict[str, gpd.GeoDataFrame], geometry_type: str | None = None) -> None:
    path.unlink(missing_ok=True)
    for name, data in layers.items():
        kwargs = {"geometry_type": geometry_type} if geometry_type else {}
        pyogrio.write_dataframe(data, path, layer=name, driver="GPKG", **kwargs)


def shapefile(path: Path, data: gpd.GeoDataFrame, drop: tuple[str, ...] = ()) -> None:
    for old in path.parent.glob(f"{path.stem}.*"):
        old.unlink()
    pyogrio.write_dataframe(data, path, driver="ESRI Shapefile", layer_options={"ENCODING": "UTF-8"})
    dbf = path.with_suffix(".dbf")
    with open(dbf, "r+b") as handle:  # the header holds the date of writing: pin it, for identical rebuilds
        handle.seek(1)
        handle.write(bytes([125, 1, 1]))
    for ext in drop:
        path.with_suffix(ext).unlink()


def feature(props: dict, geometry) -> dict:
    geom = geometry if isinstance(geometry, dict | type(None)) else shapely.geometry.mapping(geometry)
    return {"type": "Feature", "properties": props, "geometry": geom}


def geojson(features: list[dict], crs: str | None = UTM) -> str:
    doc: dict = {"type": "FeatureCollection"}
    if crs:
        doc["crs"] = {"type": "name", "properties": {"name": f"urn:ogc:def:crs:{crs.replace(':', '::')}"}}
    doc["features"] = features
    return json.dumps(doc, ensure_ascii=False, indent=1) + "\n"


def truncate(source: Path, target: Path, keep: float = 0.5) -> None:
    data = source.read_bytes()
    target.write_bytes(data[: int(len(data) * keep)])


KML_HEAD = '<?xml version="1.0" encoding="UTF-8"?>\n<kml xmlns="http://www.opengis.net/kml/2.2"><Document>'
KML_TAIL = "</Document></kml>\n"


def field_kml(line_coords: str = "7.0800,51.5100,0 7.0900,51.5100,0") -> str:
    """A field crew's KML: a folder of lines with SimpleData (declared in a Schema) and a folder of points."""
    return (KML_HEAD + '<name>Trupp 3</name><Schema name="trasse" id="trasse">'
            '<SimpleField name="Zustand" type="string"/></Schema>\n'
            "<Folder><name>Trassen</name><Placemark><name>KR-1</name><ExtendedData><SchemaData "
            'schemaUrl="#trasse"><SimpleData name="Zustand">planned</SimpleData></SchemaData></ExtendedData>'
            f"<LineString><coordinates>{line_coords}</coordinates></LineString></Placemark></Folder>\n"
            "<Folder><name>Knoten</name><Placemark><name>KN-1</name><ExtendedData>"
            '<Data name="kind"><value>cabinet</value></Data></ExtendedData>'
            "<Point><coordinates>7.0850,51.5100,0</coordinates></Point></Placemark></Folder>" + KML_TAIL)


def kmz_file(path: Path, kml_text: str | None, cut: float = 1.0) -> None:
    """A KMZ (a ZIP with doc.kml first, here with a photo beside it; only the photo when `kml_text` is None),
    with fixed timestamps; `cut` < 1 keeps only that share of the bytes (a damaged download)."""
    fixed = (2025, 1, 1, 0, 0, 0)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        if kml_text is not None:
            archive.writestr(zipfile.ZipInfo("doc.kml", fixed), kml_text)
        archive.writestr(zipfile.ZipInfo("files/photo.jpg", fixed), b"\xff\xd8 a photo")
    if cut < 1.0:
        truncate(path, path, keep=cut)


def build(root: Path = HERE) -> None:
    """Write every corpus file under `root` (the format folders are emptied first)."""
    pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": "2025-01-01T00:00:00.000Z"})  # GeoPackage timestamps
    try:
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", "'crs' was not provided")  # a Shapefile without .prj is the point
            _build(root)
    finally:
        pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": None})


def _build(root: Path) -> None:
    for sub in FORMATS:
        shutil.rmtree(root / sub, ignore_errors=True)
        (root / sub).mkdir()
    cv, gj, gp, sh, km, ot = (root / sub for sub in FORMATS)

    def text(path: Path, content: str, encoding: str = "utf-8") -> None:
        path.write_bytes(content.encode(encoding))

    # ---------------------------------------------------------------- GeoPackage
    bowtie = Polygon([(X0, Y0), (X0 + 10, Y0 + 10), (X0 + 10, Y0), (X0, Y0 + 10), (X0, Y0)])
    gpkg(gp / "site_areas_self_intersecting.gpkg",
         {"site_areas": raw_frame([{"site_id": "GE-PARK", "source": "corpus", "geometry": MultiPolygon([bowtie])}])})
    gpkg(gp / "nodes_3d.gpkg", {"nodes": raw_frame([{"node_id": "N-Z1", **NODE, "geometry": Point(X0, Y0, 55.0)}])})
    gpkg(gp / "nodes_empty_geometry.gpkg",
         {"nodes": raw_frame([{"node_id": "N-E1", **NODE, "geometry": p()},
                          {"node_id": "N-E2", **NODE, "geometry": Point()}])})
    gpkg(gp / "nodes_nan_inf_coordinates.gpkg",
         {"nodes": raw_frame([{"node_id": "N-F1", **NODE, "geometry": Point(float("inf"), Y0)},
                          {"node_id": "N-F2", **NODE, "geometry": Point(float("nan"), Y0)},
                          {"node_id": "N-F3", **NODE, "geometry": p(5)}])})
    gpkg(gp / "routes_negative_numbers.gpkg",
         {"routes": raw_frame([{"route_id": "R-G1", "status": "in_service", "fibre_count": -12, "fibres_used": 0, "built_year": 2001,
                            "geometry": line()},
                           {"route_id": "R-G2", "status": "in_service", "fibre_count": 48, "fibres_used": -1,
                            "built_year": 1899, "geometry": line(0, 50)}])})
    gpkg(gp / "sites_unknown_handover_node.gpkg",
         {"sites": raw_frame([{"site_id": "S-G1", "name": "Gesamtschule Berger Feld", **SITE, "connection": "connected",
                           "handover_node_id": "N-404", "geometry": p(20, 20)}])})
    gpkg(gp / "nodes_web_mercator_labelled_utm.gpkg",
         {"nodes": raw_frame([{"node_id": "N-M1", **NODE, "geometry": Point(790_993.0, 6_711_530.0)}])})
    gpkg(gp / "districts_missing_required.gpkg",
         {"districts": raw_frame([{"district_id": "ST-X1", "name": "Erle", "source": "corpus",
                               "geometry": MultiPolygon([box(X0, Y0, X0 + 500, Y0 + 500)])},
                              {"district_id": "ST-X2", "name": None, "source": "corpus",
                               "geometry": MultiPolygon([box(X0, Y0 + 500, X0 + 500, Y0 + 900)])}])})
    gpkg(gp / "nodes_formula_injection.gpkg",
         {"nodes": raw_frame([{"node_id": "N-X1", **NODE, "name": '=HYPERLINK("http://evil.example/","Klick")',
                           "geometry": p()}])})
    gpkg(gp / "nodes_mixed_geometry_types.gpkg",
         {"nodes": raw_frame([{"node_id": "N-T1", **NODE, "geometry": p()},
                          {"node_id": "N-T2", **NODE, "geometry": line()},
                          {"node_id": "N-T3", **NODE, "geometry": box(X0, Y0, X0 + 5, Y0 + 5)}])},
         geometry_type="Unknown")
    gpkg(gp / "nodes_no_matching_layer.gpkg",
         {"knoten": raw_frame([{"node_id": "N-K1", **NODE, "geometry": p()}]),
          "kanten": raw_frame([{"route_id": "R-K1", "status": "in_service", "geometry": line()}])})
    whole = root / "whole.tmp.gpkg"
    gpkg(whole, {"nodes": raw_frame([{"node_id": f"N-C{i}", **NODE, "geometry": p(i)} for i in range(300)])})
    truncate(whole, gp / "nodes_truncated.gpkg")
    whole.unlink()
    text(gp / "nodes_zero_bytes.gpkg", "")
    text(gp / "nodes_csv_named_gpkg.gpkg", "node_id,kind,status,wkt\nN-1,closure,in_service,POINT (368000 5710000)\n")

    # ---------------------------------------------------------------- GeoJSON
    text(gj / "nodes_lat_lon_swapped.geojson",
         geojson([feature({"node_id": "N-L1", **NODE}, {"type": "Point", "coordinates": [51.5289, 7.1054]}),
                  feature({"node_id": "N-L2", **NODE}, {"type": "Point", "coordinates": [7.1054, 51.5289]})],
                 crs=None))
    text(gj / "nodes_utm_without_crs_member.geojson",
         geojson([feature({"node_id": "N-U1", **NODE}, {"type": "Point", "coordinates": [X0, Y0]})], crs=None))
    text(gj / "nodes_outside_nrw.geojson",
         geojson([feature({"node_id": "N-O1", **NODE, "name": "Marienplatz"},
                          {"type": "Point", "coordinates": [11.5755, 48.1374]})], crs="EPSG:4326"))
    text(gj / "nodes_duplicate_ids.geojson",
         geojson([feature({"node_id": "N-D1", **NODE}, p()), feature({"node_id": "N-D2", **NODE}, p(5)),
                  feature({"node_id": "N-D1", **NODE}, p(10)), feature({"node_id": "N-D1", **NODE}, p(15))]))
    text(gj / "nodes_unknown_enum_values.geojson",
         geojson([feature({"node_id": "N-V1", **NODE, "kind": "kabinet"}, p()),
                  feature({"node_id": "N-V2", **NODE, "status": "active"}, p(5))]))
    text(gj / "nodes_mixed_geometry_types.geojson",
         geojson([feature({"node_id": "N-T1", **NODE}, p()), feature({"node_id": "N-T2", **NODE}, line()),
                  feature({"node_id": "N-T3", **NODE}, MultiPoint([p(), p(5)]))]))
    full = geojson([feature({"node_id": f"N-C{i}", **NODE}, p(i)) for i in range(5)])
    text(gj / "nodes_truncated.geojson", full[: len(full) // 2])
    text(gj / "routes_3d.geojson",
         geojson([feature({"route_id": "R-Z1", "status": "in_service"},
                          {"type": "LineString", "coordinates": [[X0, Y0, 50.0], [X0 + 100, Y0, 51.5]]})]))
    text(gj / "sites_huge_field.geojson",
         geojson([feature({"site_id": "S-H1", **SITE, "name": "Grundschule " + "sehr lang " * 499}, p(30))]))
    text(gj / "nodes_nan_infinity.geojson",  # NaN and Infinity are not JSON, but GDAL reads them
         geojson([feature({"node_id": "N-F1", **NODE}, {"type": "Point", "coordinates": ["@NaN", Y0]}),
                  feature({"node_id": "N-F2", **NODE}, {"type": "Point", "coordinates": [X0, "@Infinity"]})])
         .replace('"@NaN"', "NaN").replace('"@Infinity"', "Infinity"))
    text(gj / "routes_null_and_empty_geometry.geojson",
         geojson([feature({"route_id": "R-N1", "status": "in_service"}, None),
                  feature({"route_id": "R-N2", "status": "in_service"}, {"type": "LineString", "coordinates": []}),
                  feature({"route_id": "R-N3", "status": "in_service"}, line())]))
    whole = root / "whole.tmp.gpkg"
    gpkg(whole, {"nodes": raw_frame([{"node_id": "N-1", **NODE, "geometry": p()}])})
    shutil.move(whole, gj / "nodes_geopackage_named_geojson.geojson")

    # ---------------------------------------------------------------- Shapefile
    shapefile(sh / "nodes_without_prj.shp", raw_frame([{"node_id": "N-S1", **NODE, "geometry": p()}], crs=None))
    shapefile(sh / "nodes_lines.shp",
              raw_frame([{"node_id": "N-S2", **NODE, "geometry": line()},
                     {"node_id": "N-S3", **NODE, "geometry": line(0, 20)}]))
    shapefile(sh / "nodes_3d.shp", raw_frame([{"node_id": "N-S4", **NODE, "geometry": Point(X0, Y0, 48.0)}]))
    shapefile(sh / "routes_prj_wgs84_coordinates_utm.shp",
              raw_frame([{"route_id": "R-S1", "status": "in_service", "geometry": line()}], crs="EPSG:4326"))
    shapefile(sh / "nodes_missing_dbf.shp", raw_frame([{"node_id": "N-S5", **NODE, "geometry": p()}]), drop=(".dbf",))
    shapefile(sh / "nodes_truncated.shp", raw_frame([{"node_id": f"N-S{i}", **NODE, "geometry": p(i)} for i in range(40)]))
    truncate(sh / "nodes_truncated.shp", sh / "nodes_truncated.shp")
    shapefile(sh / "sites_impossible_pupils.shp",
              raw_frame([{"site_id": "S-S1", "name": "Grundschule A", **SITE, "pupils": -5, "geometry": p(40)},
                     {"site_id": "S-S2", "name": "Grundschule B", **SITE, "pupils": 250_000, "geometry": p(60)}]))

    # ---------------------------------------------------------------- CSV
    text(cv / "nodes_cp1252_umlauts.csv",
         "node_id,kind,name,status,wkt\n"
         "N-W1,closure,Muffe Heßler,in_service,POINT (368000 5710000)\n"
         "N-W2,closure,Muffe Bülse,in_service,POINT (368010 5710000)\n", encoding="cp1252")
    text(cv / "sites_sep_line_bad_kind.csv",
         "sep=;\n"
         "site_id;kind;name;connection;x;y\n"
         "S-C1;school;Gesamtschule Ückendorf;none;368100,5;5710100,25\n"
         "S-C2;Schule;Grundschule Am Dahlbusch;none;368200,5;5710200,25\n")
    text(cv / "sites_formula_injection.csv",
         "site_id,kind,name,address,school_type,connection,wkt\n"
         "S-I1,school,=cmd|' /C calc'!A0,Hauptstr. 1,Grundschule,none,POINT (368010 5710010)\n"
         "S-I2,school,Grundschule Nord,@SUM(1+1)*cmd|' /C calc'!A0,Grundschule,none,POINT (368020 5710020)\n"
         "S-I3,school,-2+3+cmd|' /C calc'!A0,Hauptstr. 3,Grundschule,none,POINT (368030 5710030)\n"
         'S-I4,school,Realschule,Hauptstr. 4,"+HYPERLINK(""http://evil.example/"",""x"")",none,'
         "POINT (368040 5710040)\n"
         "S-I5,school,\t=1+2,Hauptstr. 5,Grundschule,none,POINT (368050 5710050)\n"
         "S-I6,school,-Nord,+49 209 123456,Grundschule,none,POINT (368060 5710060)\n")
    text(cv / "nodes_huge_field.csv",
         "node_id,kind,name,status,wkt\n"
         f"N-H1,closure,{'x' * 5000},in_service,POINT (368000 5710000)\n"
         "N-H2,closure,Muffe,in_service,POINT (368010 5710000)\n")
    text(cv / "routes_impossible_fibres.csv",
         "route_id,status,fibre_count,fibres_used,wkt\n"
         'R-C1,in_service,24,48,"LINESTRING (368000 5710000, 368100 5710000)"\n'
         'R-C2,in_service,0,0,"LINESTRING (368000 5710050, 368100 5710050)"\n'
         'R-C3,in_service,12.5,2,"LINESTRING (368000 5710100, 368100 5710100)"\n')
    text(cv / "nodes_nan_inf_xy.csv",
         "node_id,kind,status,x,y\n"
         "N-F1,closure,in_service,NaN,5710000\n"
         "N-F2,closure,in_service,368000,inf\n"
         "N-F3,closure,in_service,-Infinity,NaN\n"
         "N-F4,closure,in_service,368010,5710000\n")
    text(cv / "nodes_nan_inf_wkt.csv",
         "node_id,kind,status,wkt\n"
         "N-F1,closure,in_service,POINT (NaN 5710000)\n"
         "N-F2,closure,in_service,POINT (368000 Infinity)\n")
    text(cv / "nodes_zero_bytes.csv", "")
    text(cv / "nodes_truncated.csv",
         "node_id,kind,status,wkt\n"
         'N-C1,closure,in_service,"POINT (368000 5710000)"\n'
         'N-C2,closure,in_service,"POINT (3680')
    text(cv / "sites_missing_required.csv",
         "site_id,kind,connection,wkt\n"
         "S-R1,school,,POINT (368000 5710000)\n"
         "S-R2,school,none,POINT (368010 5710000)\n")
    text(cv / "nodes_no_crs.csv", "node_id,kind,status,x,y\nN-N1,closure,in_service,368000,5710000\n")
    text(cv / "sites_lat_lon_swapped.csv",
         "site_id,kind,name,connection,lon,lat\n"
         "S-L1,school,Grundschule Swap,none,51.5289295,7.1053814\n"
         "S-L2,school,Grundschule Ok,none,7.1053814,51.5289295\n")
    text(cv / "site_areas_unknown_site.csv",
         'site_id,source,wkt\nS-404,corpus,"POLYGON ((368000 5710000, 368100 5710000, 368100 5710100, 368000 5710000))"\n')
    text(cv / "nodes_3d_wkt.csv", "node_id,kind,status,wkt\nN-Z1,closure,in_service,POINT Z (368000 5710000 55)\n")
    text(cv / "nodes_geojson_named_csv.csv",
         geojson([feature({"node_id": "N-1", **NODE}, p())]))

    # ---------------------------------------------------------------- KML and KMZ (field crews, Google Earth)
    text(km / "nodes_no_placemarks.kml", KML_HEAD + "<Style id='s'/>" + KML_TAIL)
    text(km / "nodes_truncated.kml", field_kml()[:300])
    text(km / "routes_coordinates_not_numbers.kml", field_kml(line_coords="7.08,abc,0 7.09,51.5,0"))
    text(km / "routes_one_position.kml", field_kml(line_coords="7.08,51.51,0"))
    text(km / "routes_lat_lon_out_of_range.kml", field_kml(line_coords="51.51,700.0 7.09,51.5"))
    kmz_file(km / "nodes_truncated.kmz", field_kml(), cut=0.5)
    kmz_file(km / "nodes_photos_only.kmz", None)
    kmz_file(km / "routes_coordinates_not_numbers.kmz", field_kml(line_coords="7.08,abc,0 7.09,51.5,0"))

    # ---------------------------------------------------------------- other extensions
    text(ot / "nodes_excel_workbook.xlsx", "PK\x03\x04\x14\x00\x06\x00" + "\x00" * 22, encoding="latin-1")


if __name__ == "__main__":
    build(Path(sys.argv[1]) if len(sys.argv) > 1 else HERE)
