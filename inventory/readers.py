"""Read GeoPackage, GeoJSON, Shapefile and CSV files into a raw frame in EPSG:25832.

A reader never stops at the first problem: it returns what it could read, a label
per row ('line 12', 'feature 3') and every problem found on the way.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio
import shapely
from pyproj import CRS as ProjCRS
from pyproj.exceptions import CRSError

from inventory.problems import Problem
from inventory.schema import CRS

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
MAX_FIELD_CHARS = 100_000


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
        return fail(
            f"a file ending in one of {supported_formats()}",
            suffix or "no extension",
            "rename the file or convert it (e.g. with ogr2ogr)",
        )
    if path.stat().st_size == 0:
        return fail("a non-empty file", "0 bytes", "export the file again")
    if suffix in CSV_FORMATS:
        return _read_csv(path, layer, options)
    return _read_geo(path, layer, options, GEO_FORMATS[suffix])


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


def _read_geo(path: Path, layer: str, options: ReadOptions, fmt: str) -> RawData:
    problems: list[Problem] = []
    try:
        layers = [str(name) for name, _ in pyogrio.list_layers(path)]
    except Exception as exc:
        return RawData(
            gpd.GeoDataFrame(geometry=gpd.GeoSeries([], crs=CRS)),
            [],
            [
                Problem(
                    "file",
                    layer,
                    f"a readable {fmt} file",
                    value=str(exc).strip(),
                    fix="the file may be truncated or of another format; export it again",
                    file=str(path),
                )
            ],
            fmt,
        )
    source_layer = options.source_layer
    if source_layer is None:
        source_layer = layer if layer in layers else (layers[0] if len(layers) == 1 else None)
    if source_layer not in layers:
        value = f"layers {', '.join(layers)}" if layers else "no layers"
        return RawData(
            gpd.GeoDataFrame(geometry=gpd.GeoSeries([], crs=CRS)),
            [],
            [
                Problem(
                    "file",
                    layer,
                    f"a layer named {options.source_layer or layer!r}",
                    value=value,
                    fix="choose one with --source-layer",
                    file=str(path),
                )
            ],
            fmt,
        )
    try:
        frame = pyogrio.read_dataframe(path, layer=source_layer)
    except Exception as exc:
        return RawData(
            gpd.GeoDataFrame(geometry=gpd.GeoSeries([], crs=CRS)),
            [],
            [
                Problem(
                    "file",
                    layer,
                    f"a readable {fmt} layer",
                    value=str(exc).strip(),
                    fix="the file may be damaged; export it again",
                    file=str(path),
                )
            ],
            fmt,
        )
    declared = _parse_crs(options.crs, path, layer, problems)
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
    labels = [f"feature {i + 1}" for i in range(len(frame))]
    return RawData(_to_storage_crs(frame, options), labels, problems, fmt)


def _decode(path: Path, layer: str, encoding: str) -> tuple[str | None, Problem | None]:
    data = path.read_bytes()
    try:
        return data.decode(encoding), None
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        bad = data[exc.start : exc.start + 1].hex()
        return None, Problem(
            "encoding",
            layer,
            f"text in {encoding.removesuffix('-sig').upper()}",
            row=f"line {line}",
            value=f"byte 0x{bad}",
            fix="save the file as UTF-8, or pass --encoding cp1252 (Windows) / latin-1",
            file=str(path),
        )
    except LookupError:
        return None, Problem(
            "encoding",
            layer,
            "a known encoding like utf-8 or cp1252",
            value=encoding,
            fix="correct --encoding",
            file=str(path),
        )


def _read_csv(path: Path, layer: str, options: ReadOptions) -> RawData:
    empty = gpd.GeoDataFrame(geometry=gpd.GeoSeries([], crs=CRS))
    text, problem = _decode(path, layer, options.encoding)
    if problem is not None:
        return RawData(empty, [], [problem], "CSV")
    problems: list[Problem] = []
    first_line = 1
    delimiter = None
    head = text.split("\n", 1)[0].strip()
    if head.lower().startswith("sep=") and len(head) == 5:  # Excel's separator hint
        delimiter = head[4]
        text = text.split("\n", 1)[1] if "\n" in text else ""
        first_line = 2
    if delimiter is None:
        sample = text[:20_000]
        try:
            delimiter = csv.Sniffer().sniff(sample, delimiters=",;\t|").delimiter
        except csv.Error:
            delimiter = ","
    csv.field_size_limit(max(MAX_FIELD_CHARS * 10, 1_000_000))
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = next(reader)
    except StopIteration:
        return RawData(
            empty,
            [],
            [
                Problem(
                    "file",
                    layer,
                    "a header line with column names",
                    value="no lines",
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
            values = [record[i] if i < len(record) else "" for i in keep]
            for name, value in zip(names, values, strict=True):
                if len(value) > MAX_FIELD_CHARS:
                    problems.append(
                        Problem(
                            "field_too_long",
                            layer,
                            f"at most {MAX_FIELD_CHARS} characters",
                            row=f"line {line}",
                            field=name,
                            value=f"{len(value)} characters",
                            fix="shorten the value",
                            file=str(path),
                        )
                    )
            rows.append(values)
            labels.append(f"line {line}")
    except csv.Error as exc:
        problems.append(
            Problem(
                "file",
                layer,
                "well-formed CSV",
                row=f"line {first_line + reader.line_num - 1}",
                value=str(exc),
                fix="check quotes and separators",
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
    return RawData(_to_storage_crs(gdf, options), labels, problems, "CSV")


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
        if pd.isna(x) or pd.isna(y):
            col, raw = (xcol, rawx) if pd.isna(x) else (ycol, rawy)
            problems.append(
                Problem(
                    "coordinate",
                    layer,
                    "a number",
                    row=label,
                    field=col,
                    value=raw or None,
                    fix="fill in both coordinates",
                    file=str(path),
                )
            )
            out.append(None)
        else:
            out.append(shapely.Point(x, y))
    return out, [xcol, ycol]
