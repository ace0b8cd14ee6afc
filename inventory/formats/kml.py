"""KML and KMZ (OGC 07-147r2) from field crews, Google Earth and survey apps: read through GDAL's LIBKML driver.

- Placemarks with points and lines become rows; their ExtendedData (`<Data>` values, and `<SimpleData>`
  of a `<Schema>` the file declares) become columns, named as in the file, for the column mapping.
  The placemark's `<name>` is the column `name`.
- Folders are a layer hint: a folder named like the target layer (`routes`, `Trassen`, ...) is read
  alone; otherwise every folder is read and the placemarks whose geometry fits the layer are kept.
- KML is longitude/latitude (WGS 84) by definition; altitudes are dropped (the inventory is 2D).
- Lines into `routes` are cut where a point placemark of the file lies on them, as
  `topology.network.build_network` cuts them (`inventory.line_split.split_at_points`): part k of route R becomes `R-k`
  in trench R (the importer's --explode).
- A KMZ is a ZIP holding the KML (`doc.kml` first); only that member is unpacked, within
  `inventory.limits.MAX_UNZIPPED_BYTES`.
"""

from __future__ import annotations

import re
import tempfile
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path, PurePosixPath

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely

from inventory.formats.base import RawData, ReadOptions, check_source_coordinates, to_storage_crs, unreadable
from inventory.limits import MAX_UNZIPPED_BYTES
from inventory.line_split import split_at_points
from inventory.problems import Problem
from inventory.schema import CRS, get_layer

NAME = "KML"
KMZ_NAME = "KMZ"
KML_CRS = "OGC:CRS84"
"""Longitude, latitude on WGS 84 (KML 2.2, section 16.9.1)."""
FOLDER_NAMES = {
    "nodes": ("nodes", "knoten", "netzknoten"),
    "routes": ("routes", "trassen", "routen", "kabel", "leitungen"),
    "sites": ("sites", "standorte", "schulen"),
    "site_areas": ("site_areas", "flaechen", "flächen"),
    "districts": ("districts", "stadtteile", "bezirke"),
}
"""Folder names that say which layer their placemarks are for (lower case)."""
LIBKML_COLUMNS = ("id", "description", "timestamp", "begin", "end", "altitudeMode", "tessellate", "extrude",
                  "visibility", "drawOrder", "icon", "snippet")
"""Columns GDAL's LIBKML driver adds for every placemark; dropped when the file leaves them all empty."""
_DEFAULTS = {"tessellate": -1, "extrude": 0, "visibility": -1}
_XML_START = re.compile(rb"^(\xef\xbb\xbf)?\s*(<\?xml[^>]*\?>\s*)?(<!--.*?-->\s*)*<kml[\s>]", re.S)
_NS = "{http://www.opengis.net/kml/2.2}"
BAD_COORDINATES = "kml_coordinates"
"""Rule: a placemark's coordinates are not numbers GDAL can read; no row of the file can be checked then."""
_SNAP_TOLERANCE_M = 0.5
"""Where a point lies on a line (metres): `topology.network.DEFAULT_SNAP_TOLERANCE_M`."""


def sniff(head: bytes, path: Path | None) -> bool:
    """Tell whether the first bytes are an XML document whose root element is <kml>.

    Parameters
    ----------
    head : bytes
        The file's first `inventory.formats.SNIFF_BYTES` (64 KiB) bytes, fewer for a shorter file.
    path : pathlib.Path or None
        The file; not read by this test (the registry passes it to every format's test).

    Returns
    -------
    bool
        True when the bytes are this format's.

    Examples
    --------
    >>> sniff(b'<?xml version="1.0"?><kml xmlns="http://www.opengis.net/kml/2.2">', None)
    True
    """
    return _XML_START.match(head) is not None


def sniff_kmz(head: bytes, path: Path | None) -> bool:
    """Tell whether the first bytes are a ZIP whose first member is a .kml (Google Earth writes doc.kml first).

    The member's name is read from the ZIP's first local file header (name length at bytes 26-27, the
    name from byte 30; PKWARE APPNOTE, section 4.3.7).

    Parameters
    ----------
    head : bytes
        The file's first `inventory.formats.SNIFF_BYTES` (64 KiB) bytes, fewer for a shorter file.
    path : pathlib.Path or None
        The file; not read by this test (the registry passes it to every format's test).

    Returns
    -------
    bool
        True when the bytes are this format's.
    """
    if head[:4] != b"PK\x03\x04" or len(head) < 30:
        return False
    length = int.from_bytes(head[26:28], "little")
    return head[30 : 30 + length].lower().endswith(b".kml")


def read(path: Path, layer: str, options: ReadOptions) -> RawData:
    """Return the placemarks of the KML or KMZ `path` that fit `layer`, in EPSG:25832 (see the module's notes).

    Never raises for bad data.

    Parameters
    ----------
    path : pathlib.Path
        The `.kml` file, or a `.kmz` (by its extension) whose KML member is unpacked to a temporary folder.
    layer : str
        The target layer, one of `inventory.schema.LAYER_ORDER`: it picks the folder (`FOLDER_NAMES`) and the
        geometry type kept; lines into 'routes' are cut at the file's point placemarks (within 0.5 m).
    options : ReadOptions
        The user's --source-layer (a folder name) and --force-2d; the CRS is always `KML_CRS`.

    Returns
    -------
    RawData
        One row per placemark of the layer's geometry type, geometry in EPSG:25832 (metres), the columns of
        its ExtendedData and `name`, labels 'placemark N (name)'; problems for a damaged KMZ, a file without
        placemarks, coordinates that are not longitude,latitude[,altitude] numbers, and a warning for
        placemarks of another geometry type (left out). `split_at_nodes` is True when a line was cut.

    Raises
    ------
    ValueError
        For an unknown layer name (`inventory.schema.get_layer`).
    """
    if path.suffix.lower() == ".kmz":
        with tempfile.TemporaryDirectory(prefix="gelsennet-kmz-") as folder:
            kml, problem = _unpack(path, layer, Path(folder))
            if problem is not None:
                return RawData(gpd.GeoDataFrame(geometry=gpd.GeoSeries([], crs=CRS)), [], [problem], KMZ_NAME)
            raw = _read_kml(kml, layer, options, shown=path)
            raw.file_format = KMZ_NAME
            return raw
    return _read_kml(path, layer, options, shown=path)


def _unpack(path: Path, layer: str, folder: Path) -> tuple[Path | None, Problem | None]:
    """Return the KML member of the KMZ `path` written into `folder`, or the problem why not."""

    def problem(value: str, fix: str, **params) -> Problem:
        return Problem("file", layer, "a KMZ: a ZIP archive holding a KML (doc.kml)", value=value, fix=fix,
                       file=str(path), params=params)

    try:
        with zipfile.ZipFile(path) as archive:
            members = [m for m in archive.infolist() if PurePosixPath(m.filename).suffix.lower() == ".kml"]
            if not members:
                return None, problem("a ZIP without a .kml file", "export the KMZ again, or import the KML itself",
                                     variant="kmz_no_kml")
            member = next((m for m in members if PurePosixPath(m.filename).name.lower() == "doc.kml"), members[0])
            if member.file_size > MAX_UNZIPPED_BYTES:
                return None, problem(f"{member.filename}: {member.file_size:,} bytes unpacked",
                                     f"at most {MAX_UNZIPPED_BYTES:,} bytes: split the file", variant="kmz_too_big",
                                     member=member.filename, bytes=member.file_size, max_bytes=MAX_UNZIPPED_BYTES)
            target = folder / "doc.kml"
            with archive.open(member) as source, open(target, "wb") as out:
                size = 0
                while chunk := source.read(1 << 20):
                    size += len(chunk)
                    if size > MAX_UNZIPPED_BYTES:
                        return None, problem(f"{member.filename}: more than {MAX_UNZIPPED_BYTES:,} bytes unpacked",
                                             "split the file", variant="kmz_grows_too_big", member=member.filename,
                                             max_bytes=MAX_UNZIPPED_BYTES)
                    out.write(chunk)
            return target, None
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError, NotImplementedError) as exc:
        return None, problem(f"a damaged ZIP ({exc})", "export the KMZ again (Google Earth: Save Place As, KMZ)",
                             variant="kmz_damaged", message=str(exc))


def _placemarks(path: Path, layer: str, shown: Path) -> tuple[list[str | None], list[Problem]]:
    """Return each placemark's folder (or document; None outside both) in file order, and every wrong coordinate.

    A coordinate is wrong unless it is 'longitude,latitude[,altitude]' in degrees. A placemark's number in the
    messages is its position in the file (1 for the first), as `_read_kml` numbers the rows.
    """
    problems: list[Problem] = []
    folders: list[str | None] = []
    open_folders: list[str | None] = []
    count = 0
    try:
        for event, element in ET.iterparse(path, events=("start", "end")):
            tag = element.tag.removeprefix(_NS)
            if tag in ("Folder", "Document"):  # GDAL names a layer after its folder, or its document
                if event == "start":
                    open_folders.append(None)
                else:
                    open_folders.pop()
                continue
            if event == "start":
                continue
            if tag == "name" and open_folders and open_folders[-1] is None and element.text is not None:
                open_folders[-1] = element.text.strip()  # a folder's own <name> comes before its placemarks
            if tag != "Placemark":
                continue
            count += 1
            folders.append(open_folders[-1] if open_folders else None)
            name = element.findtext(f"{_NS}name") or element.findtext("name")
            label = f"placemark {count}" + (f" ({name.strip()})" if name and name.strip() else "")
            for coords in element.iter():
                if coords.tag.removeprefix(_NS) == "coordinates":
                    bad = _bad_coordinates(coords.text or "", coords is not None and _in_line(element))
                    if bad:
                        problems.append(Problem(
                            BAD_COORDINATES, layer, "longitude,latitude[,altitude] in degrees, tuples separated by "
                            "spaces (a line: at least two)", row=label, field="coordinates", value=bad[0],
                            fix="correct the coordinates in the KML (or redraw the placemark)", file=str(shown),
                            params=bad[1]))
            element.clear()
    except ET.ParseError as exc:
        problems.append(Problem("file", layer, "well-formed KML (XML)", value=str(exc),
                                fix="the file is damaged or cut off: export it again", file=str(shown),
                                params={"variant": "kml_malformed"}))
    return folders, problems


def _in_line(placemark) -> bool:
    return any(e.tag.removeprefix(_NS) == "LineString" for e in placemark.iter())


def _bad_coordinates(text: str, line: bool) -> tuple[str, dict] | None:
    """Return the first wrong coordinates of `text` as the problem's value and params, or None."""
    tuples = text.split()
    if line and len(tuples) < 2:
        return f"{text.strip()[:60]} ({len(tuples)} position)", {
            "variant": "too_few", "text": text.strip()[:60], "positions": len(tuples)}
    for item in tuples:
        parts = item.split(",")
        try:
            numbers = [float(p) for p in parts]
        except ValueError:
            return item[:60], {"text": item[:60]}
        if len(numbers) not in (2, 3) or not all(np.isfinite(numbers)):
            return item[:60], {"text": item[:60]}
        if not (-180 <= numbers[0] <= 180 and -90 <= numbers[1] <= 90):
            return f"{item[:60]} (not longitude,latitude)", {"variant": "not_degrees", "text": item[:60]}
    return None


def _read_kml(path: Path, layer: str, options: ReadOptions, shown: Path) -> RawData:
    spec = get_layer(layer)
    placemark_folders, problems = _placemarks(path, layer, shown)
    count = len(placemark_folders)
    if any(p.rule == "file" for p in problems):
        return RawData(gpd.GeoDataFrame(geometry=gpd.GeoSeries([], crs=CRS)), [], problems, NAME)
    if count == 0:
        return unreadable(shown, layer, "placemarks with points or lines", "no placemarks",
                          "export the features as placemarks (Google Earth: Save Place As), not only styles or images",
                          NAME, params={"variant": "kml_no_placemarks"})
    if problems:
        return RawData(gpd.GeoDataFrame(geometry=gpd.GeoSeries([], crs=CRS)), [], problems, NAME)
    try:
        folders = [str(name) for name, _ in pyogrio.list_layers(path)]
        hint = options.source_layer or next(
            (f for f in folders if f.strip().lower() in FOLDER_NAMES.get(layer, (layer,))), None)
        frames = {f: pyogrio.read_dataframe(path, layer=f) for f in folders}
    except Exception as exc:  # GDAL's own words for a file it cannot read
        return unreadable(shown, layer, "a readable KML file", str(exc).strip(), "export the file again", NAME,
                          params={"variant": "unreadable_file", "format": NAME})
    every = gpd.GeoDataFrame(pd.concat(frames.values(), ignore_index=True), geometry="geometry", crs=KML_CRS)
    points = every.geometry[every.geometry.geom_type.isin(("Point", "Point Z"))]
    points = shapely.force_2d(points.to_crs(CRS).to_numpy())  # the nodes of every folder
    numbers = _placemark_numbers(frames, placemark_folders)
    chosen = [hint] if hint in frames else list(frames)
    frame = pd.concat([frames[f] for f in chosen], ignore_index=True)
    numbers = [n for f in chosen for n in numbers[f]]
    frame = gpd.GeoDataFrame(frame, geometry="geometry", crs=KML_CRS)
    frame = frame.set_geometry(shapely.force_2d(frame.geometry.values))
    wanted = {"Point": ("Point",), "LineString": ("LineString", "MultiLineString")}.get(
        spec.geometry_type, ("Polygon", "MultiPolygon"))
    fits = frame.geometry.geom_type.isin(wanted).to_numpy()
    others = frame[~fits]
    if len(others):
        kinds = ", ".join(sorted(set(others.geometry.geom_type.dropna())))
        problems.append(Problem("kml_other_geometry", layer, f"placemarks with {spec.geometry_type} for {layer}",
                                value=f"{len(others)} placemark(s) with {kinds or 'no geometry'}",
                                fix="they are left out: import them into their layer", file=str(shown),
                                severity="warning",
                                params={"geometry_type": spec.geometry_type, "count": len(others), "layer": layer,
                                        "kinds": sorted(set(others.geometry.geom_type.dropna()))}))
    frame = frame[fits].reset_index(drop=True)
    numbers = [n for n, keep in zip(numbers, fits, strict=True) if keep]
    frame = _tidy(frame)
    labels = [f"placemark {number}" + (f" ({n})" if isinstance(n, str) and n else "")
              for number, n in zip(numbers, frame.get("name", pd.Series([None] * len(frame))), strict=True)]
    problems += check_source_coordinates(frame, labels, shown, layer, NAME)
    frame = to_storage_crs(frame, options)
    split = False
    if spec.geometry_type == "LineString" and len(frame) and len(points):

        pieces = split_at_points(frame.geometry.to_numpy(), points, _SNAP_TOLERANCE_M)
        split = any(len(p) > 1 for p in pieces)
        frame = frame.set_geometry(gpd.GeoSeries(
            [p[0] if len(p) == 1 else shapely.MultiLineString(p) for p in pieces], crs=CRS))
    raw = RawData(frame, labels, problems, NAME)
    raw.split_at_nodes = split
    return raw


def _placemark_numbers(frames: dict[str, pd.DataFrame], folders: list[str | None]) -> dict[str, list[str]]:
    """Give each folder's rows the placemarks' positions in the file, as the coordinate checks number them.

    GDAL reads a folder's placemarks in file order, so the k-th row of folder `f` is the k-th placemark whose
    innermost folder is named `f`. Where the counts differ (placemarks outside any folder, folders of one
    name), a row is numbered within its folder instead, and says so ("2 in folder Trassen").
    """
    numbers = {}
    for name, rows in frames.items():
        in_file = [str(i + 1) for i, folder in enumerate(folders) if folder == name]
        numbers[name] = in_file if len(in_file) == len(rows) else [
            f"{k + 1} in folder {name}" for k in range(len(rows))]
    return numbers


def _tidy(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Drop LIBKML's bookkeeping columns the file leaves empty; the placemark's <name> as `name`."""
    drop = []
    for column in LIBKML_COLUMNS:
        if column in frame.columns:
            values = frame[column]
            empty = values.isna() | (values == _DEFAULTS[column] if column in _DEFAULTS else values.isna())
            if column in ("description", "id", "snippet"):
                empty = empty | (values.astype(str).str.strip() == "")
            if bool(empty.all()):
                drop.append(column)
    frame = frame.drop(columns=drop)
    return frame.rename(columns={"Name": "name"})
