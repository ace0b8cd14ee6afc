"""CSV text (.csv, .txt, .tsv): read with Python's csv module, written for spreadsheets and re-import.

A CSV carries no CRS: the user declares it (--crs). Geometry comes from a WKT column or x/y columns.
"""

from __future__ import annotations

import bisect
import codecs
import csv
import io
import re
from collections.abc import Mapping
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from inventory import limits
from inventory.formats.base import (
    RawData,
    ReadOptions,
    check_source_coordinates,
    crs_problem,
    parse_crs,
    to_storage_crs,
)
from inventory.problems import Problem
from inventory.schema import CRS
from inventory.spreadsheet_formulas import neutralise_formulas, unneutralise_cell

NAME = "CSV"
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

CSV_DEFAULT_ENCODING = "utf-8-sig"
"""A CSV without --encoding is UTF-8, with or without the byte order mark Excel writes."""

def sniff(head: bytes, path: Path) -> bool:
    """Tell whether the first bytes are text: no NUL byte among them.

    UTF-16 with its byte order mark counts as text; decoding then reports it with the --encoding to use.

    Parameters
    ----------
    head : bytes
        The file's first `inventory.formats.SNIFF_BYTES` (64 KiB) bytes, fewer for a shorter file.
    path : pathlib.Path
        The file; not read by this test (the registry passes it to every format's test).

    Returns
    -------
    bool
        True when the bytes are this format's.

    Examples
    --------
    >>> sniff(b"route_id;status;wkt", Path("routes.csv"))
    True
    """
    return head[:2] in (b"\xff\xfe", b"\xfe\xff") or b"\x00" not in head


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
            params={"variant": "unknown", "encoding": encoding},
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
    char = None
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        fix, as_text, variant = "pass --encoding utf-16, or save the file as UTF-8", "", "bytes_utf16"
    else:
        try:
            char = bytes([byte]).decode("cp1252")
            as_text = f" ({char!r} in Windows-1252)"
            fix = "pass --encoding cp1252 (the file looks like Windows text), or save the file as UTF-8"
            variant = "bytes_cp1252"
        except UnicodeDecodeError:
            as_text, fix, variant = "", "pass --encoding latin-1, or save the file as UTF-8", "bytes_latin1"
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
        params={"variant": variant, "encoding": encoding.removesuffix("-sig").upper(), "byte": byte,
                "char": repr(char) if char else None, "char_encoding": "Windows-1252" if char else None,
                "position": first, "more_lines": len(lines) - 1},
    )


def read(path: Path, layer: str, options: ReadOptions) -> RawData:
    """Return the rows of the CSV `path`: text cells, geometry from a WKT or x/y columns in the declared CRS.

    The delimiter is Excel's `sep=` line or sniffed (, ; tab |); an exporter's formula quote is removed
    (`unneutralise_cell`). Limits: `inventory.limits` (columns, cells, line length). Never raises for bad data.

    Parameters
    ----------
    path : pathlib.Path
        The CSV file (.csv, .txt, .tsv).
    layer : str
        The target layer, one of `inventory.schema.LAYER_ORDER`; named in the problems.
    options : ReadOptions
        `crs` (the CRS of the coordinates; without it the file is refused with a `crs` problem), `wkt` or
        `x` and `y` (geometry columns, case-insensitive; default: the first of `WKT_COLUMNS` or `XY_COLUMNS`
        present), `encoding` (default `CSV_DEFAULT_ENCODING`) and `force_2d`.

    Returns
    -------
    RawData
        One row per non-blank record with every named column as text (the geometry columns removed), the
        geometry in EPSG:25832 (metres), labels 'line N' (the line where the record starts), every problem
        found; `has_geometry` False when the file has no geometry column at all.

    Raises
    ------
    OSError
        When the file cannot be read.
    """
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

    def unreadable(expected: str, value: str, fix: str, row: str | None = None, params: dict | None = None) -> RawData:
        problem = Problem("file", layer, expected, row=row, value=value, fix=fix, file=str(path), params=params or {})
        return RawData(empty, [], [problem], "CSV")

    try:
        header = next(reader)
    except _LineTooLong as exc:
        first = text[: text.find("\n")] if "\n" in text else text
        columns = first.count(delimiter) + 1
        if columns > limits.MAX_CSV_COLUMNS:
            return unreadable(**_too_many_columns(columns))
        return unreadable(**_too_long_line(exc), row=f"line {first_line}")
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
                    params={"variant": "csv_no_header", "empty": not text.strip()},
                )
            ],
            "CSV",
        )
    if len(header) > limits.MAX_CSV_COLUMNS:
        return unreadable(**_too_many_columns(len(header)))
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
                        params={"columns": len(record), "header_columns": len(names)},
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
                    params={"variant": "csv_too_many_cells", "max_cells": limits.MAX_CSV_CELLS,
                            "rows": len(rows) - 1, "columns": len(keep)},
                )
    except _LineTooLong as exc:
        return unreadable(**_too_long_line(exc), row=f"line {first_line + exc.args[0] - 1}")
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
                params={"variant": "csv_malformed", "message": str(exc)},
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
                    params={"variant": "csv_open_quote"},
                )
            )
    frame = pd.DataFrame(rows, columns=names, dtype=object)
    geometry, geometry_columns = _csv_geometry(frame, labels, path, layer, options, problems)
    frame = frame.drop(columns=geometry_columns)
    declared = parse_crs(options.crs, path, layer, problems)
    if options.crs is None:
        problems.append(
            crs_problem(
                path,
                layer,
                "a declared CRS for the coordinates of a CSV",
                "none",
                "pass --crs, e.g. --crs EPSG:25832 for UTM or --crs EPSG:4326 for longitude/latitude",
                {"variant": "csv_none"},
            )
        )
    gdf = gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries(geometry, crs=declared or CRS))
    if declared is not None:
        problems += check_source_coordinates(gdf, labels, path, layer, "CSV")
    has_geometry = bool(geometry_columns or options.wkt or options.x or options.y)
    return RawData(to_storage_crs(gdf, options), labels, problems, "CSV", has_geometry)


class _LineTooLong(Exception):
    """A physical line over MAX_CSV_LINE_CHARS: args (line number in the text, its length)."""


def _guarded_lines(text: str):
    """Return the lines of `text` for csv.reader, stopping at one too long to split into cells safely."""
    for number, line in enumerate(io.StringIO(text, newline=""), start=1):
        if len(line) > limits.MAX_CSV_LINE_CHARS:
            raise _LineTooLong(number, len(line))
        yield line


def _too_many_columns(columns: int) -> dict:
    return {
        "expected": f"at most {limits.MAX_CSV_COLUMNS:,} columns in a CSV",
        "value": f"{columns:,} columns in the header",
        "fix": "keep only the columns the layer needs (e.g. delete the others in the spreadsheet) and export again",
        "params": {"variant": "csv_too_many_columns", "max_columns": limits.MAX_CSV_COLUMNS, "columns": columns},
    }


def _too_long_line(exc: _LineTooLong) -> dict:
    return {
        "expected": f"lines of at most {limits.MAX_CSV_LINE_CHARS:,} characters",
        "value": f"{exc.args[1]:,} characters",
        "fix": "the file may be damaged or not a table; export it again",
        "params": {"variant": "csv_line_too_long", "max_chars": limits.MAX_CSV_LINE_CHARS, "chars": exc.args[1]},
    }


def _ends_inside_quotes(text: str, delimiter: str) -> bool:
    """Tell whether the text ends within a quoted value (the lenient reader above accepts that silently)."""
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
                params={"variant": "wkt", "wkt": options.wkt, "columns": list(frame.columns)},
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
                    params={"variant": "xy", "x": options.x, "y": options.y, "columns": list(frame.columns)},
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
                    params={"variant": "geometry", "columns": list(frame.columns)},
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


def to_csv_frame(frame: gpd.GeoDataFrame) -> pd.DataFrame:
    """Return the attribute table with the geometry as WKT (full precision) in a `wkt` column, safe to open in Excel.

    Text cells that a spreadsheet would run as formulas are neutralised (`neutralise_formulas`);
    importing the CSV again removes that quote.

    Parameters
    ----------
    frame : geopandas.GeoDataFrame
        One layer's rows, geometry in EPSG:25832 (metres).

    Returns
    -------
    pandas.DataFrame
        The same rows: the attribute columns (dates as 'YYYY-MM-DD' text, formula-like text quoted) and a
        last column `wkt` with the geometry as WKT at full precision (missing geometry: None).
    """
    table = pd.DataFrame(frame.drop(columns=frame.geometry.name))
    for column in table.columns:
        if str(table[column].dtype).startswith("datetime64"):
            table[column] = table[column].dt.strftime("%Y-%m-%d").astype("string")
    table = neutralise_formulas(table)
    table["wkt"] = shapely.to_wkt(frame.geometry.values, rounding_precision=-1)
    return table


def write(frames: Mapping[str, gpd.GeoDataFrame], target: Path) -> list[Path]:
    """One layer as UTF-8 CSV with a `wkt` column (`to_csv_frame`).

    Parameters
    ----------
    frames : mapping of str to geopandas.GeoDataFrame
        Exactly one layer: its name and its rows (EPSG:25832).
    target : pathlib.Path
        The file to write (replaced if it exists); `inventory.exporter` passes a temporary name.

    Returns
    -------
    list of pathlib.Path
        `[target]`.

    Raises
    ------
    ValueError
        When `frames` holds more or fewer than one layer.
    OSError
        When the file cannot be written.
    """
    ((_, frame),) = frames.items()
    to_csv_frame(frame).to_csv(target, index=False, encoding="utf-8")
    return [target]
