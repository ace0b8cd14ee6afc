"""Read GeoPackage, GeoJSON, Shapefile and CSV files into a raw frame in EPSG:25832.

A reader never stops at the first problem: it returns what it could read, a label
per row ('line 12', 'feature 3') and every problem found on the way.
"""

from __future__ import annotations

import bisect
import codecs
import csv
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely
from pyproj import CRS as ProjCRS
from pyproj import Transformer
from pyproj.exceptions import CRSError

from inventory import limits
from inventory.crs_guess import crs_hint, fitting_crs, has_crs_member, looks_like_degrees
from inventory.encodings import check_utf8_file, codec_name, display_name, shapefile_encoding, suggestion
from inventory.gpkg_guard import check_geopackage
from inventory.problems import Problem
from inventory.schema import CRS
from inventory.validation import in_nrw

GEO_FORMATS = {".gpkg": "GeoPackage", ".geojson": "GeoJSON", ".json": "GeoJSON", ".shp": "Shapefile"}
CSV_FORMATS = {".csv": "CSV", ".txt": "CSV", ".tsv": "CSV"}
WKT_COLUMNS = ("wkt", "geometry", "geom", "the_geom")
XY_COLUMNS = (
    ("x", "y"),
    ("lon", "lat"),
    ("longitude", "latitude"),
    ("easting", "northing"),
    ("rechtswert", "hochwert"),
)
MAX_CSV_CELL_CHARS = 1_000_000
"""A CSV cell longer than this makes the file unreadable (a guard for memory, far above any real value).
The schema's own limit for text fields (`inventory.schema.MAX_TEXT_CHARS`) is checked in validation."""

CONTENT_KINDS = {"GeoPackage": ".gpkg", "GeoJSON": ".geojson", "Shapefile": ".shp", "CSV text": ".csv"}
"""What a file's first bytes say it is, and the extension that goes with it."""

_NEUTRALISED = re.compile(r"'+[=+\-@\t\r]")
"""A CSV cell as the exporter neutralises it (see `inventory.exporter.neutralise_formulas`)."""


CSV_DEFAULT_ENCODING = "utf-8-sig"
"""A CSV without --encoding is UTF-8, with or without the byte order mark Excel writes."""


@dataclass
class ReadOptions:
    """How to read a file: declared CRS, CSV geometry columns, encoding, source layer.

    `encoding` None means the file's own: UTF-8 for CSV, GeoJSON and GeoPackage, the `.cpg`
    (or what the bytes show, see `inventory.encodings`) for a Shapefile. A given encoding
    (--encoding) applies to every format and overrides a Shapefile's `.cpg`.
    """

    crs: str | None = None
    x: str | None = None
    y: str | None = None
    wkt: str | None = None
    encoding: str | None = None
    source_layer: str | None = None
    force_2d: bool = False


@dataclass
class RawData:
    """What a reader found: a frame (CRS already EPSG:25832), one label per row, problems."""

    frame: gpd.GeoDataFrame
    labels: list[str]
    problems: list[Problem] = field(default_factory=list)
    file_format: str = ""
    has_geometry: bool = True
    """False for a CSV without any geometry column (no WKT, no x/y, none named by an option): such a
    file can still patch the attributes of stored rows (`inventory.importer`)."""


def supported_formats() -> str:
    return ", ".join(sorted({*GEO_FORMATS, *CSV_FORMATS}))


def read_file(path: str | Path, layer: str, options: ReadOptions | None = None) -> RawData:
    """Read `path` for the target `layer` (used in messages and to pick a GeoPackage layer)."""
    options = options or ReadOptions()
    path = Path(path)
    suffix = path.suffix.lower()

    def fail(expected: str, value, fix: str, rule: str = "file") -> RawData:
        empty = gpd.GeoDataFrame(geometry=gpd.GeoSeries([], crs=CRS))
        return RawData(empty, [], [Problem(rule, layer, expected, value=value, fix=fix, file=str(path))])

    if not path.exists():
        return fail("an existing file", "no such file", "check the path")
    if suffix not in GEO_FORMATS and suffix not in CSV_FORMATS:
        kind = content_kind(path)
        hint = f"it holds {kind}: rename it to {CONTENT_KINDS[kind]}" if kind in CONTENT_KINDS else "convert it"
        return fail(
            f"a file ending in one of {supported_formats()}",
            suffix or "no extension",
            f"{hint} (e.g. with ogr2ogr; a spreadsheet: save it as CSV)",
        )
    if path.stat().st_size == 0:
        return fail("a non-empty file", "0 bytes", "export the file again")
    fmt = GEO_FORMATS.get(suffix) or CSV_FORMATS[suffix]
    expected_kind = "CSV text" if fmt == "CSV" else fmt
    kind = content_kind(path)
    if kind != expected_kind:
        fix = f"rename it to {CONTENT_KINDS[kind]}" if kind in CONTENT_KINDS else f"convert it to {fmt}"
        found = f"{kind} content" if kind in CONTENT_KINDS else kind
        return fail(f"{expected_kind} content, as the extension {suffix} says", found, fix)
    damage = _damage(path, fmt)
    if damage is None and fmt == "GeoPackage":
        damage = check_geopackage(path)  # before GDAL opens it: a view can run forever
    if damage is not None:
        expected, value, fix = damage
        return fail(expected, value, fix)
    if suffix in CSV_FORMATS:
        return _read_csv(path, layer, options)
    return _read_geo(path, layer, options, fmt)


def content_kind(path: Path) -> str:
    """What the first bytes of a file say it is: one of CONTENT_KINDS, or a description of something else."""
    with open(path, "rb") as handle:
        head = handle.read(4096)
    if head.startswith(b"SQLite format 3\x00"):
        return "GeoPackage"
    if head[:4] == b"\x00\x00\x27\x0a":
        return "Shapefile"
    if head[:4] == b"PK\x03\x04":
        return "a ZIP archive (e.g. an Excel workbook or a zipped Shapefile)"
    if head[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return "CSV text"  # UTF-16: decoding reports it, with the --encoding to use
    stripped = head.removeprefix(b"\xef\xbb\xbf").lstrip()
    if stripped[:1] == b"{" or stripped[:1] == b"[" and stripped[1:].lstrip()[:1] in (b"{", b"]"):
        return "GeoJSON"
    if b"\x00" in head:
        return "binary data"
    return "CSV text"


def _damage(path: Path, fmt: str) -> tuple[str, str, str] | None:
    """(expected, found, fix) when the file is cut short or a Shapefile lacks a part; else None.

    The sizes come from the files' own headers: GDAL would otherwise read a truncated
    Shapefile as records without geometry, and a truncated GeoPackage fails with SQLite's
    "database disk image is malformed".
    """
    size = path.stat().st_size
    if fmt == "GeoPackage":
        with open(path, "rb") as handle:
            header = handle.read(100)
        page_size = int.from_bytes(header[16:18], "big") if len(header) >= 18 else 0
        page_size = 65536 if page_size == 1 else page_size
        # The in-header page count is valid when the "version-valid-for" number equals the change counter.
        valid = len(header) == 100 and header[92:96] == header[24:28]
        pages = int.from_bytes(header[28:32], "big") if valid else 0
        if len(header) < 100 or (page_size and pages and size < page_size * pages):
            whole = f"{page_size * pages} bytes, as its header says" if page_size and pages else "at least 100 bytes"
            return (
                f"a complete GeoPackage ({whole})",
                f"{size} bytes",
                "the file is truncated: copy or export it again",
            )
    if fmt == "Shapefile":
        parts = {ext: _part(path, ext) for ext in (".shx", ".dbf")}
        missing = [ext for ext, part in parts.items() if part is None]
        if missing:
            return (
                "a Shapefile with its .shx (index) and .dbf (attributes) next to the .shp",
                "no " + " and no ".join(path.stem + ext for ext in missing),
                "copy every part of the Shapefile (.shp, .shx, .dbf, .prj, .cpg) together",
            )
        for part in (path, parts[".shx"]):
            with open(part, "rb") as handle:
                header = handle.read(100)
            declared = int.from_bytes(header[24:28], "big") * 2 if len(header) >= 28 else 0
            actual = part.stat().st_size
            if len(header) < 100 or actual < declared:
                return (
                    f"a complete {part.name} ({declared or 100} bytes, as its header says)",
                    f"{actual} bytes",
                    "the Shapefile is truncated: copy or export it again",
                )
        dbf = parts[".dbf"]
        with open(dbf, "rb") as handle:
            header = handle.read(12)
        if len(header) == 12:
            records = int.from_bytes(header[4:8], "little")
            declared = int.from_bytes(header[8:10], "little") + records * int.from_bytes(header[10:12], "little")
            if dbf.stat().st_size < declared:
                return (
                    f"a complete {dbf.name} ({declared} bytes for {records} records, as its header says)",
                    f"{dbf.stat().st_size} bytes",
                    "the Shapefile is truncated: copy or export it again",
                )
    return None


def _part(shp: Path, ext: str) -> Path | None:
    """The Shapefile part with extension `ext` next to `shp` (lower or upper case), if there is one."""
    for candidate in (shp.with_suffix(ext), shp.with_suffix(ext.upper())):
        if candidate.exists():
            return candidate
    return None


def _crs_problem(path: Path, layer: str, expected: str, value, fix: str) -> Problem:
    return Problem("crs", layer, expected, field="crs", value=value, fix=fix, file=str(path))


def _parse_crs(text: str | None, path: Path, layer: str, problems: list[Problem]) -> ProjCRS | None:
    if text is None:
        return None
    try:
        return ProjCRS.from_user_input(text)
    except CRSError:
        problems.append(_crs_problem(path, layer, "a CRS like EPSG:25832 or EPSG:4326", text, "correct --crs"))
        return None


def _to_storage_crs(frame: gpd.GeoDataFrame, options: ReadOptions) -> gpd.GeoDataFrame:
    if options.force_2d:
        frame = frame.set_geometry(shapely.force_2d(frame.geometry.values))
    if frame.crs is not None and not frame.crs.equals(ProjCRS.from_user_input(CRS)):
        frame = frame.to_crs(CRS)
    return frame


def _number(value: float) -> str:
    return f"{value:.10g}"


def check_source_coordinates(
    frame: gpd.GeoDataFrame, labels: list[str], path: Path, layer: str, fmt: str
) -> list[Problem]:
    """Coordinates that do not fit the file's CRS, checked before reprojection (one problem per row).

    - `geometry_axes_swapped`: the geometry lies outside NRW, but with x and y exchanged it
      lies inside: latitude/longitude (or northing/easting) in the wrong order.
    - `geometry_crs_mismatch`: the coordinates cannot be reprojected from the file's CRS at
      all, e.g. UTM metres in a GeoJSON without a "crs" member (which means longitude/latitude).

    Geometries outside NRW for other reasons are left to `inventory.validation.check_geometry`.
    """
    if frame.crs is None or len(frame) == 0:
        return []
    geoms = frame.geometry.values
    bounds = shapely.bounds(geoms)  # NaN for missing and empty geometries
    with np.errstate(invalid="ignore"):
        cx, cy = (bounds[:, 0] + bounds[:, 2]) / 2, (bounds[:, 1] + bounds[:, 3]) / 2
    rows = np.flatnonzero(np.isfinite(cx) & np.isfinite(cy))
    if not len(rows):
        return []
    to_storage = Transformer.from_crs(frame.crs, CRS, always_xy=True)
    x, y = to_storage.transform(cx[rows], cy[rows], errcheck=False)
    sx, sy = to_storage.transform(cy[rows], cx[rows], errcheck=False)
    x, y, sx, sy = (np.asarray(v, dtype=float) for v in (x, y, sx, sy))
    inside, swapped_inside = in_nrw(x, y), in_nrw(sx, sy)
    geographic = frame.crs.is_geographic
    names = ("longitude", "latitude") if geographic else ("x (easting)", "y (northing)")
    crs_name = frame.crs.to_string()
    problems = []
    suspect = (~inside & swapped_inside) | ~(np.isfinite(x) & np.isfinite(y))
    for k in np.flatnonzero(suspect).tolist():  # the others are fine: no message to build
        i = rows[k]
        found = f"x {_number(cx[i])}, y {_number(cy[i])} in {crs_name}"
        if not inside[k] and swapped_inside[k]:
            fix = (
                "swap the coordinate columns (e.g. --x lat --y lon becomes --x lon --y lat) or the values"
                if fmt == "CSV"
                else "swap x and y in the file (QGIS: Processing > Swap X and Y coordinates)"
            )
            problems.append(
                Problem(
                    "geometry_axes_swapped",
                    layer,
                    f"{names[0]} as x and {names[1]} as y (exchanged, the place lies in NRW)",
                    row=labels[i],
                    field="geometry",
                    value=found,
                    fix=fix,
                    file=str(path),
                )
            )
        elif not (np.isfinite(x[k]) and np.isfinite(y[k])):
            if fmt == "GeoJSON":
                fix = (
                    'a GeoJSON without a "crs" member is longitude/latitude (RFC 7946): '
                    "reproject the file to EPSG:4326, or write it with its CRS"
                )
            elif fmt == "Shapefile":
                fix = "the .prj names the wrong CRS: correct it, or delete it and pass --crs"
            else:
                fix = "declare the CRS the coordinates are in, e.g. --crs EPSG:25832 for UTM metres"
            problems.append(
                Problem(
                    "geometry_crs_mismatch",
                    layer,
                    f"coordinates that exist in the file's CRS {crs_name}",
                    row=labels[i],
                    field="geometry",
                    value=found,
                    fix=fix,
                    file=str(path),
                )
            )
    return problems


def _geo_failure(path: Path, layer: str, fmt: str, expected: str, value: str, fix: str) -> RawData:
    return RawData(
        gpd.GeoDataFrame(geometry=gpd.GeoSeries([], crs=CRS)),
        [],
        [Problem("file", layer, expected, value=value, fix=fix, file=str(path))],
        fmt,
    )


def _read_geo(path: Path, layer: str, options: ReadOptions, fmt: str) -> RawData:
    problems: list[Problem] = []
    encoding, encoding_problems = _geo_encoding(path, layer, options, fmt)
    problems += encoding_problems
    if any(p.severity == "error" for p in encoding_problems):
        empty = gpd.GeoDataFrame(geometry=gpd.GeoSeries([], crs=CRS))
        return RawData(empty, [], problems, fmt)
    try:
        layers = [str(name) for name, _ in pyogrio.list_layers(path)]
    except Exception as exc:
        return _geo_failure(
            path,
            layer,
            fmt,
            f"a readable {fmt} file",
            str(exc).strip(),
            "the file may be truncated or of another format; export it again",
        )
    source_layer = options.source_layer
    if source_layer is None:
        source_layer = layer if layer in layers else (layers[0] if len(layers) == 1 else None)
    if source_layer not in layers:
        value = f"layers {', '.join(layers)}" if layers else "no layers"
        return _geo_failure(
            path,
            layer,
            fmt,
            f"a layer named {options.source_layer or layer!r}",
            value,
            "choose one with --source-layer",
        )
    try:
        frame = pyogrio.read_dataframe(path, layer=source_layer, encoding=encoding)
    except UnicodeDecodeError as exc:
        return RawData(
            gpd.GeoDataFrame(geometry=gpd.GeoSeries([], crs=CRS)),
            [],
            [*problems, _undecodable(path, layer, fmt, source_layer, encoding, exc)],
            fmt,
        )
    except Exception as exc:
        return _geo_failure(
            path, layer, fmt, f"a readable {fmt} layer", str(exc).strip(), "the file may be damaged; export it again"
        )
    declared = _parse_crs(options.crs, path, layer, problems)
    labels = [f"feature {i + 1}" for i in range(len(frame))]
    if fmt == "GeoJSON" and frame.crs is not None and _is_wgs84(frame.crs) and not has_crs_member(path):
        return _geojson_without_crs(frame, labels, path, layer, options, declared, problems)
    if frame.crs is None:
        if declared is None:
            cx, cy = _centres(frame)
            hint = crs_hint(cx, cy)
            problems.append(
                _crs_problem(
                    path,
                    layer,
                    "a coordinate reference system",
                    "none (no .prj or CRS in the file)",
                    f"declare it with --crs: {hint}" if hint else "declare it with --crs, e.g. --crs EPSG:25832",
                )
            )
            frame = frame.set_crs(CRS, allow_override=True)  # only so that checks can run; the import fails
        else:
            frame = frame.set_crs(declared)
            problems += check_source_coordinates(frame, labels, path, layer, fmt)
    elif declared is not None and not frame.crs.equals(declared):
        problems.append(
            _crs_problem(
                path,
                layer,
                f"the declared CRS {declared.to_string()}",
                frame.crs.to_string(),
                "drop --crs to use the file's own CRS, or fix the file",
            )
        )
    else:
        problems += check_source_coordinates(frame, labels, path, layer, fmt)
    return RawData(_to_storage_crs(frame, options), labels, problems, fmt)


def _is_wgs84(crs) -> bool:
    return crs.equals(ProjCRS.from_user_input("EPSG:4326")) or crs.equals(ProjCRS.from_user_input("OGC:CRS84"))


def _centres(frame: gpd.GeoDataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Centres of the geometries' bounding boxes (NaN for missing and empty geometries)."""
    bounds = shapely.bounds(frame.geometry.values)
    with np.errstate(invalid="ignore"):
        return (bounds[:, 0] + bounds[:, 2]) / 2, (bounds[:, 1] + bounds[:, 3]) / 2


def _geojson_without_crs(
    frame: gpd.GeoDataFrame,
    labels: list[str],
    path: Path,
    layer: str,
    options: ReadOptions,
    declared: ProjCRS | None,
    problems: list[Problem],
) -> RawData:
    """A GeoJSON without a "crs" member: longitude/latitude (RFC 7946), unless --crs says otherwise.

    GDAL reports EPSG:4326 for such a file; --crs is the user's word for what it really holds.
    Coordinates that cannot be degrees, without --crs, are refused with the CRS they fit.
    """
    cx, cy = _centres(frame)
    rows = np.flatnonzero(np.isfinite(cx) & np.isfinite(cy))
    if declared is not None:
        if not declared.is_geographic and len(rows) and _lon_lat_in_nrw(cx[rows], cy[rows], declared):
            first = rows[0]
            problems.append(
                _crs_problem(
                    path,
                    layer,
                    f"coordinates in the declared CRS {declared.to_string()}",
                    f"longitude/latitude in NRW, e.g. x {_number(cx[first])}, y {_number(cy[first])} "
                    f"({labels[first]})",
                    'drop --crs: a GeoJSON without a "crs" member is longitude/latitude (RFC 7946)',
                )
            )
            declared = ProjCRS.from_user_input("EPSG:4326")  # only so that checks can run; the import fails
        frame = frame.set_crs(declared, allow_override=True)
        problems += check_source_coordinates(frame, labels, path, layer, "GeoJSON")
        return RawData(_to_storage_crs(frame, options), labels, problems, "GeoJSON")
    projected = rows[~looks_like_degrees(cx[rows], cy[rows])]
    fits = fitting_crs(cx[projected], cy[projected]) if len(projected) else []
    if len(projected) and len(projected) == len(rows) and fits:
        first = projected[0]
        problems.append(
            _crs_problem(
                path,
                layer,
                'longitude/latitude in degrees, as a GeoJSON without a "crs" member has them (RFC 7946)',
                f"x {_number(cx[first])}, y {_number(cy[first])} ({labels[first]}), not degrees",
                f"{crs_hint(cx[projected], cy[projected])}; or write the file with its CRS",
            )
        )
        # Checked as if in the CRS they fit, so that no follow-up error is about the CRS; the import fails.
        frame = frame.set_crs(fits[0][0], allow_override=True)
        return RawData(_to_storage_crs(frame, options), labels, problems, "GeoJSON")
    problems += check_source_coordinates(frame, labels, path, layer, "GeoJSON")
    return RawData(_to_storage_crs(frame, options), labels, problems, "GeoJSON")


def _lon_lat_in_nrw(x: np.ndarray, y: np.ndarray, declared: ProjCRS) -> bool:
    """True when the points are plainly longitude/latitude in NRW and not in NRW under `declared`."""
    if not looks_like_degrees(x, y).all():
        return False
    as_lon_lat = in_nrw(*Transformer.from_crs("EPSG:4326", CRS, always_xy=True).transform(x, y, errcheck=False))
    as_declared = in_nrw(*Transformer.from_crs(declared, CRS, always_xy=True).transform(x, y, errcheck=False))
    return bool(as_lon_lat.mean() >= 0.9 and as_declared.mean() < 0.1)


def _geo_encoding(path: Path, layer: str, options: ReadOptions, fmt: str) -> tuple[str | None, list[Problem]]:
    """The encoding to pass to GDAL (None: the driver's own) and problems with the file's text."""
    if fmt == "Shapefile":
        dbf, cpg = _part(path, ".dbf"), _part(path, ".cpg")
        return shapefile_encoding(path, dbf, cpg, layer, options.encoding)
    if options.encoding is not None:
        if codec_name(options.encoding) is None:
            return None, [
                Problem(
                    "encoding",
                    layer,
                    "a known encoding like utf-8 or cp1252",
                    field="encoding",
                    value=options.encoding,
                    fix="correct --encoding",
                    file=str(path),
                )
            ]
        return options.encoding, []
    if fmt == "GeoJSON":
        problem = check_utf8_file(path, layer, "UTF-8 text, as every GeoJSON is (RFC 8259)")
        return None, [problem] if problem else []
    return None, []


def _undecodable(
    path: Path, layer: str, fmt: str, source_layer: str, encoding: str | None, exc: UnicodeDecodeError
) -> Problem:
    """GDAL handed over text that `encoding` (UTF-8 by default) cannot decode: where, and the fix."""
    used = encoding or "utf-8"
    row, column = None, None
    if fmt == "GeoPackage":
        row, column = _bad_gpkg_text(path, source_layer, used)
    data = exc.object if isinstance(exc.object, bytes) else b""
    byte = data[exc.start] if exc.start < len(data) else 0
    suggested = suggestion([data], exclude=used)
    return Problem(
        "encoding",
        layer,
        f"text in {display_name(used)}" + (", as every GeoPackage holds it" if fmt == "GeoPackage" else ""),
        row=row,
        field=column,
        value=f"byte 0x{byte:02x} in {data.decode(suggested, 'replace')!r}",
        fix=f"pass --encoding {suggested}, or write the text as UTF-8",
        file=str(path),
    )


def _bad_gpkg_text(path: Path, table: str, encoding: str) -> tuple[str | None, str | None]:
    """('feature N', column) of the first text value of a GeoPackage layer `encoding` cannot decode."""
    import sqlite3
    from urllib.parse import quote

    try:
        con = sqlite3.connect(f"file:{quote(str(path.resolve()))}?mode=ro", uri=True)
    except sqlite3.Error:
        return None, None
    try:
        con.text_factory = bytes
        name = '"' + table.replace('"', '""') + '"'
        columns = [
            r[1].decode() for r in con.execute(f"PRAGMA table_info({name})") if r[2].decode().upper().startswith("TEXT")
        ]
        if not columns:
            return None, None
        select = ", ".join('"' + c.replace('"', '""') + '"' for c in columns)
        for number, values in enumerate(con.execute(f"SELECT {select} FROM {name} ORDER BY rowid"), start=1):
            for column, value in zip(columns, values, strict=True):
                if isinstance(value, bytes):
                    try:
                        value.decode(encoding)
                    except UnicodeDecodeError:
                        return f"feature {number}", column
    except sqlite3.Error:
        return None, None
    finally:
        con.close()
    return None, None


class _BadBytes:
    """A codec error handler that notes where undecodable bytes are and goes on (one pass over the file)."""

    def __init__(self) -> None:
        self.positions: list[int] = []

    def __call__(self, exc: UnicodeDecodeError) -> tuple[str, int]:
        self.positions.append(exc.start)
        return "\ufffd", exc.end


_bad_bytes: list[_BadBytes] = []
codecs.register_error("gelsennet_note", lambda exc: _bad_bytes[-1](exc))


def _split_sep_line(text: str) -> tuple[str, str | None, int]:
    """Remove Excel's `sep=;` first line: (rest of the text, its delimiter or None, number of the first line)."""
    head = text.split("\n", 1)[0].strip()
    if head.lower().startswith("sep=") and len(head) == 5:
        return (text.split("\n", 1)[1] if "\n" in text else ""), head[4], 2
    return text, None, 1


def _sniff_delimiter(text: str) -> str:
    try:
        return csv.Sniffer().sniff(text[:20_000], delimiters=",;\t|").delimiter
    except csv.Error:
        return ","


def _decode(path: Path, layer: str, encoding: str) -> tuple[str | None, Problem | None]:
    data = path.read_bytes()
    try:
        return data.decode(encoding), None
    except UnicodeDecodeError:
        pass
    except LookupError:
        return None, Problem(
            "encoding",
            layer,
            "a known encoding like utf-8 or cp1252",
            value=encoding,
            fix="correct --encoding",
            file=str(path),
        )
    noted = _BadBytes()
    _bad_bytes.append(noted)
    try:
        text = data.decode(encoding, errors="gelsennet_note")
    finally:
        _bad_bytes.pop()
    first = noted.positions[0]
    newlines = [m.start() for m in re.finditer(b"\n", data)]
    lines = sorted({bisect.bisect_left(newlines, pos) + 1 for pos in noted.positions})
    line = lines[0]
    byte = data[first]
    # The column: parse the text up to the bad byte as the reader will (sep line, quotes, separators).
    body, delimiter, first_line = _split_sep_line(text)
    delimiter = delimiter or _sniff_delimiter(body)
    column = None
    if line > first_line:
        header = next(csv.reader(io.StringIO(body, newline=""), delimiter=delimiter), [])
        prefix, _, _ = _split_sep_line(data[:first].decode(encoding, errors="replace"))
        records = list(csv.reader(io.StringIO(prefix, newline=""), delimiter=delimiter))
        at_record_start = prefix.endswith("\n") and not _ends_inside_quotes(prefix, delimiter)
        index = 0 if at_record_start or not records else len(records[-1]) - 1
        column = header[index].strip() if index < len(header) else None
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        fix, as_text = "pass --encoding utf-16, or save the file as UTF-8", ""
    else:
        try:
            as_text = f" ({bytes([byte]).decode('cp1252')!r} in Windows-1252)"
            fix = "pass --encoding cp1252 (the file looks like Windows text), or save the file as UTF-8"
        except UnicodeDecodeError:
            as_text, fix = "", "pass --encoding latin-1, or save the file as UTF-8"
    more = f"; {len(lines) - 1} more line(s) have such bytes" if len(lines) > 1 else ""
    return None, Problem(
        "encoding",
        layer,
        f"text in {encoding.removesuffix('-sig').upper()}",
        row=f"line {line}",
        field=column,
        value=f"byte 0x{byte:02x}{as_text} at byte {first} of the file{more}",
        fix=fix,
        file=str(path),
    )


def unneutralise_cell(cell: str) -> str:
    """Undo the exporter's formula neutralisation: one leading quote before =, +, -, @, tab or CR."""
    return cell[1:] if cell[:1] == "'" and _NEUTRALISED.match(cell) else cell


def _read_csv(path: Path, layer: str, options: ReadOptions) -> RawData:
    empty = gpd.GeoDataFrame(geometry=gpd.GeoSeries([], crs=CRS))
    text, problem = _decode(path, layer, options.encoding or CSV_DEFAULT_ENCODING)
    if problem is not None:
        return RawData(empty, [], [problem], "CSV")
    problems: list[Problem] = []
    text, delimiter, first_line = _split_sep_line(text)  # Excel's separator hint
    if delimiter is None:
        delimiter = _sniff_delimiter(text)
    csv.field_size_limit(MAX_CSV_CELL_CHARS)
    reader = csv.reader(_guarded_lines(text), delimiter=delimiter)

    def unreadable(expected: str, value: str, fix: str, row: str | None = None) -> RawData:
        return RawData(
            empty, [], [Problem("file", layer, expected, row=row, value=value, fix=fix, file=str(path))], "CSV"
        )

    try:
        header = next(reader)
    except _LineTooLong as exc:
        first = text[: text.find("\n")] if "\n" in text else text
        columns = first.count(delimiter) + 1
        if columns > limits.MAX_CSV_COLUMNS:
            return unreadable(*_too_many_columns(columns))
        return unreadable(*_too_long_line(exc), row=f"line {first_line}")
    except (StopIteration, csv.Error):
        return RawData(
            empty,
            [],
            [
                Problem(
                    "file",
                    layer,
                    "a header line with column names",
                    value="no lines" if not text.strip() else "an unreadable first line",
                    fix="export the file again",
                    file=str(path),
                )
            ],
            "CSV",
        )
    if len(header) > limits.MAX_CSV_COLUMNS:
        return unreadable(*_too_many_columns(len(header)))
    header = [h.strip() for h in header]
    keep = [i for i, h in enumerate(header) if h]  # a trailing separator gives a nameless column
    names = [header[i] for i in keep]
    rows, labels = [], []
    line = first_line
    try:
        previous_end = reader.line_num
        for record in reader:
            line = first_line + previous_end  # where the record starts (quoted newlines span lines)
            previous_end = reader.line_num
            if not any(cell.strip() for cell in record):
                continue
            too_short = any(i >= len(record) for i in keep)
            too_long = any(cell.strip() for cell in record[len(header) :])
            if too_short or too_long:
                problems.append(
                    Problem(
                        "columns",
                        layer,
                        f"{len(names)} columns like the header",
                        row=f"line {line}",
                        value=f"{len(record)} columns",
                        fix="the line may be cut off or have extra separators; check quotes",
                        file=str(path),
                    )
                )
            rows.append([unneutralise_cell(record[i]) if i < len(record) else "" for i in keep])
            labels.append(f"line {line}")
            if len(rows) * max(len(keep), 1) > limits.MAX_CSV_CELLS:
                return unreadable(
                    f"at most {limits.MAX_CSV_CELLS:,} cells (rows times columns) in a CSV",
                    f"more than {len(rows) - 1:,} rows of {len(keep)} columns",
                    "split the file, or import it as a GeoPackage (no such limit)",
                    row=f"line {line}",
                )
    except _LineTooLong as exc:
        return unreadable(*_too_long_line(exc), row=f"line {first_line + exc.args[0] - 1}")
    except csv.Error as exc:
        problems.append(
            Problem(
                "file",
                layer,
                "well-formed CSV",
                row=f"line {first_line + reader.line_num - 1}",
                value=str(exc),
                fix="check quotes and separators (a cell may be longer than 1,000,000 characters)",
                file=str(path),
            )
        )
    else:
        if _ends_inside_quotes(text, delimiter):
            problems.append(
                Problem(
                    "file",
                    layer,
                    "a closing quote before the end of the file",
                    row=f"line {line}",
                    value="the file ends inside a quoted value",
                    fix="the file is truncated or a quote is not closed: export it again",
                    file=str(path),
                )
            )
    frame = pd.DataFrame(rows, columns=names, dtype=object)
    geometry, geometry_columns = _csv_geometry(frame, labels, path, layer, options, problems)
    frame = frame.drop(columns=geometry_columns)
    declared = _parse_crs(options.crs, path, layer, problems)
    if options.crs is None:
        problems.append(
            _crs_problem(
                path,
                layer,
                "a declared CRS for the coordinates of a CSV",
                "none",
                "pass --crs, e.g. --crs EPSG:25832 for UTM or --crs EPSG:4326 for longitude/latitude",
            )
        )
    gdf = gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries(geometry, crs=declared or CRS))
    if declared is not None:
        problems += check_source_coordinates(gdf, labels, path, layer, "CSV")
    has_geometry = bool(geometry_columns or options.wkt or options.x or options.y)
    return RawData(_to_storage_crs(gdf, options), labels, problems, "CSV", has_geometry)


class _LineTooLong(Exception):
    """A physical line over MAX_CSV_LINE_CHARS: args (line number in the text, its length)."""


def _guarded_lines(text: str):
    """The lines of `text` for csv.reader, stopping at one too long to split into cells safely."""
    for number, line in enumerate(io.StringIO(text, newline=""), start=1):
        if len(line) > limits.MAX_CSV_LINE_CHARS:
            raise _LineTooLong(number, len(line))
        yield line


def _too_many_columns(columns: int) -> tuple[str, str, str]:
    return (
        f"at most {limits.MAX_CSV_COLUMNS:,} columns in a CSV",
        f"{columns:,} columns in the header",
        "keep only the columns the layer needs (e.g. delete the others in the spreadsheet) and export again",
    )


def _too_long_line(exc: _LineTooLong) -> tuple[str, str, str]:
    return (
        f"lines of at most {limits.MAX_CSV_LINE_CHARS:,} characters",
        f"{exc.args[1]:,} characters",
        "the file may be damaged or not a table; export it again",
    )


def _ends_inside_quotes(text: str, delimiter: str) -> bool:
    """True when the text ends within a quoted value (the lenient reader above accepts that silently)."""
    try:
        for _ in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True):
            pass
    except csv.Error as exc:
        return "unexpected end of data" in str(exc)
    return False


def _find(frame: pd.DataFrame, name: str) -> str | None:
    lowered = {c.lower(): c for c in frame.columns}
    return lowered.get(name.lower())


def _csv_geometry(frame, labels, path, layer, options, problems) -> tuple[list, list[str]]:
    """Geometry from a WKT column or x/y columns; (geometries, columns used)."""
    n = len(frame)
    wkt_col = (
        _find(frame, options.wkt)
        if options.wkt
        else next((c for c in map(lambda n: _find(frame, n), WKT_COLUMNS) if c), None)
    )
    if options.wkt and wkt_col is None:
        problems.append(
            Problem(
                "column_missing",
                layer,
                f"a WKT column {options.wkt!r}",
                value=f"columns {', '.join(frame.columns)}",
                fix="correct --wkt",
                file=str(path),
            )
        )
        return [None] * n, []
    if wkt_col is not None and not (options.x or options.y):
        out = []
        for value, label in zip(frame[wkt_col], labels, strict=True):
            if not value.strip():
                out.append(None)
                continue
            try:
                out.append(shapely.from_wkt(value))
            except shapely.errors.GEOSException:
                problems.append(
                    Problem(
                        "geometry_wkt",
                        layer,
                        "geometry as WKT, e.g. POINT (368578 5710348)",
                        row=label,
                        field=wkt_col,
                        value=value,
                        fix="correct the WKT",
                        file=str(path),
                    )
                )
                out.append(None)
        return out, [wkt_col]
    if options.x or options.y:
        pair = (_find(frame, options.x or ""), _find(frame, options.y or ""))
        if None in pair:
            problems.append(
                Problem(
                    "column_missing",
                    layer,
                    f"coordinate columns {options.x!r} and {options.y!r}",
                    value=f"columns {', '.join(frame.columns)}",
                    fix="correct --x and --y",
                    file=str(path),
                )
            )
            return [None] * n, []
    else:
        pair = next(
            ((_find(frame, a), _find(frame, b)) for a, b in XY_COLUMNS if _find(frame, a) and _find(frame, b)),
            (None, None),
        )
        if None in pair:
            problems.append(
                Problem(
                    "column_missing",
                    layer,
                    "a WKT column (wkt) or coordinate columns (x and y)",
                    value=f"columns {', '.join(frame.columns)}",
                    fix="name them with --wkt COLUMN or --x COLUMN --y COLUMN",
                    file=str(path),
                )
            )
            return [None] * n, []
    xcol, ycol = pair
    xs = pd.to_numeric(frame[xcol].str.strip().str.replace(",", ".", regex=False), errors="coerce")
    ys = pd.to_numeric(frame[ycol].str.strip().str.replace(",", ".", regex=False), errors="coerce")
    out = []
    for x, y, rawx, rawy, label in zip(xs, ys, frame[xcol], frame[ycol], labels, strict=True):
        bad = [(col, raw) for col, raw, v in ((xcol, rawx, x), (ycol, rawy, y)) if pd.isna(v) or not np.isfinite(v)]
        for col, raw in bad:
            problems.append(
                Problem(
                    "coordinate",
                    layer,
                    "a finite number",
                    row=label,
                    field=col,
                    value=raw or None,
                    fix="fill in both coordinates as numbers (not NaN or infinity)",
                    file=str(path),
                )
            )
        out.append(None if bad else shapely.Point(x, y))
    return out, [xcol, ycol]
