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


@dataclass
class ReadOptions:
    """How to read a file: declared CRS, CSV geometry columns, encoding, source layer."""

    crs: str | None = None
    x: str | None = None
    y: str | None = None
    wkt: str | None = None
    encoding: str = "utf-8-sig"
    source_layer: str | None = None
    force_2d: bool = False


@dataclass
class RawData:
    """What a reader found: a frame (CRS already EPSG:25832), one label per row, problems."""

    frame: gpd.GeoDataFrame
    labels: list[str]
    problems: list[Problem] = field(default_factory=list)
    file_format: str = ""


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
        frame = pyogrio.read_dataframe(path, layer=source_layer)
    except Exception as exc:
        return _geo_failure(
            path, layer, fmt, f"a readable {fmt} layer", str(exc).strip(), "the file may be damaged; export it again"
        )
    declared = _parse_crs(options.crs, path, layer, problems)
    labels = [f"feature {i + 1}" for i in range(len(frame))]
    if frame.crs is None:
        if declared is None:
            problems.append(
                _crs_problem(
                    path,
                    layer,
                    "a coordinate reference system",
                    "none (no .prj or CRS in the file)",
                    "declare it with --crs, e.g. --crs EPSG:25832",
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
    text, problem = _decode(path, layer, options.encoding)
    if problem is not None:
        return RawData(empty, [], [problem], "CSV")
    problems: list[Problem] = []
    text, delimiter, first_line = _split_sep_line(text)  # Excel's separator hint
    if delimiter is None:
        delimiter = _sniff_delimiter(text)
    csv.field_size_limit(MAX_CSV_CELL_CHARS)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = next(reader)
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
    return RawData(_to_storage_crs(gdf, options), labels, problems, "CSV")


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
