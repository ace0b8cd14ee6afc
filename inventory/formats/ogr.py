"""Reading through GDAL (pyogrio): what GeoPackage, GeoJSON, Shapefile and KML share.

Each format module gives its own rules as an `OgrFlavour` (how its text is encoded, where a bad byte
sits, what its CRS means when it names none) and calls `read_ogr`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pyogrio
import shapely

from inventory.crs_guess import crs_fit_params, crs_hint
from inventory.encodings import check_utf8_file, codec_name, display_name, suggestion
from inventory.formats.base import (
    RawData,
    ReadOptions,
    check_source_coordinates,
    crs_problem,
    empty_frame,
    parse_crs,
    to_storage_crs,
    unreadable,
)
from inventory.problems import Problem
from inventory.schema import CRS


@dataclass(frozen=True)
class OgrFlavour:
    """One format's rules for `read_ogr`."""

    fmt: str
    """The format's name in messages, e.g. 'GeoPackage'."""
    encoding: Callable[[Path, str, ReadOptions], tuple[str | None, list[Problem]]] | None = None
    """The encoding to pass to GDAL and problems with the file's text; None: --encoding or the driver's own."""
    utf8_rule: str = ""
    """When set (and no --encoding), the file must be UTF-8: the 'expected' text of the problem if not."""
    locate_bad_text: Callable[[Path, str, str], tuple[str | None, str | None]] | None = None
    """(row label, column) of the first text value the encoding cannot decode, if the format can tell."""
    text_note: str = ""
    """Added to 'text in UTF-8' in an encoding problem, e.g. ', as every GeoPackage holds it'."""
    own_crs_rule: Callable[..., RawData | None] | None = None
    """(frame, labels, path, layer, options, declared CRS, problems) -> RawData when the format decides what
    its CRS means (a GeoJSON without "crs" member is longitude/latitude), else None."""


def read_ogr(path: Path, layer: str, options: ReadOptions, flavour: OgrFlavour) -> RawData:
    """Read one layer of a file GDAL opens (GeoPackage, GeoJSON, Shapefile, KML) in EPSG:25832.

    Parameters
    ----------
    path : pathlib.Path
        The file.
    layer : str
        The target layer, one of `inventory.schema.LAYER_ORDER`; it names the source layer unless
        --source-layer does or the file has only one.
    options : ReadOptions
        The user's --source-layer, --crs, --encoding and --force-2d.
    flavour : OgrFlavour
        The format's own rules: its text encoding, where a bad byte sits, what a missing CRS means.

    Returns
    -------
    RawData
        One row per feature, geometry in EPSG:25832 (metres), one label 'feature N' per row and every
        problem found; no rows when the text or the file cannot be read (never raises for bad data).
    """
    fmt = flavour.fmt
    problems: list[Problem] = []
    encoding, encoding_problems = _encoding(path, layer, options, flavour)
    problems += encoding_problems
    if any(p.severity == "error" for p in encoding_problems):
        return RawData(empty_frame(), [], problems, fmt)
    try:
        layers = [str(name) for name, _ in pyogrio.list_layers(path)]
    except Exception as exc:
        return unreadable(
            path,
            layer,
            f"a readable {fmt} file",
            str(exc).strip(),
            "the file may be truncated or of another format; export it again",
            fmt,
            params={"variant": "unreadable_file", "format": fmt},
        )
    source_layer = options.source_layer
    if source_layer is None:
        source_layer = layer if layer in layers else (layers[0] if len(layers) == 1 else None)
    if source_layer not in layers:
        value = f"layers {', '.join(layers)}" if layers else "no layers"
        return unreadable(
            path,
            layer,
            f"a layer named {options.source_layer or layer!r}",
            value,
            "choose one with --source-layer",
            fmt,
            params={"variant": "no_layer", "source_layer": options.source_layer or layer, "layers": layers},
        )
    try:
        frame = pyogrio.read_dataframe(path, layer=source_layer, encoding=encoding)
    except UnicodeDecodeError as exc:
        return RawData(empty_frame(), [], [*problems, _undecodable(path, layer, flavour, source_layer, encoding, exc)],
                       fmt)
    except Exception as exc:
        return unreadable(
            path, layer, f"a readable {fmt} layer", str(exc).strip(), "the file may be damaged; export it again", fmt,
            params={"variant": "unreadable_layer", "format": fmt},
        )
    declared = parse_crs(options.crs, path, layer, problems)
    labels = [f"feature {i + 1}" for i in range(len(frame))]
    if flavour.own_crs_rule is not None:
        ruled = flavour.own_crs_rule(frame, labels, path, layer, options, declared, problems)
        if ruled is not None:
            return ruled
    if frame.crs is None:
        if declared is None:
            cx, cy = centres(frame)
            hint = crs_hint(cx, cy)
            problems.append(
                crs_problem(
                    path,
                    layer,
                    "a coordinate reference system",
                    "none (no .prj or CRS in the file)",
                    f"declare it with --crs: {hint}" if hint else "declare it with --crs, e.g. --crs EPSG:25832",
                    {"variant": "none", **crs_fit_params(cx, cy)},
                )
            )
            frame = frame.set_crs(CRS, allow_override=True)  # only so that checks can run; the import fails
        else:
            frame = frame.set_crs(declared)
            problems += check_source_coordinates(frame, labels, path, layer, fmt)
    elif declared is not None and not frame.crs.equals(declared):
        problems.append(
            crs_problem(
                path,
                layer,
                f"the declared CRS {declared.to_string()}",
                frame.crs.to_string(),
                "drop --crs to use the file's own CRS, or fix the file",
                {"variant": "declared_differs", "declared": declared.to_string()},
            )
        )
    else:
        problems += check_source_coordinates(frame, labels, path, layer, fmt)
    return RawData(to_storage_crs(frame, options), labels, problems, fmt)


def centres(frame: gpd.GeoDataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Centres of the geometries' bounding boxes (NaN for missing and empty geometries).

    Parameters
    ----------
    frame : geopandas.GeoDataFrame
        Any rows; coordinates in the frame's own CRS and units.

    Returns
    -------
    x, y : numpy.ndarray
        Arrays (n,) of float, one centre per row, in the frame's coordinates.

    Examples
    --------
    >>> frame = gpd.GeoDataFrame(geometry=[shapely.LineString([(0, 0), (2, 4)]), None])
    >>> centres(frame)
    (array([ 1., nan]), array([ 2., nan]))
    """
    bounds = shapely.bounds(frame.geometry.values)
    with np.errstate(invalid="ignore"):
        return (bounds[:, 0] + bounds[:, 2]) / 2, (bounds[:, 1] + bounds[:, 3]) / 2


def _encoding(path: Path, layer: str, options: ReadOptions, flavour: OgrFlavour) -> tuple[str | None, list[Problem]]:
    """Return the encoding to pass to GDAL (None: the driver's own) and problems with the file's text."""
    if flavour.encoding is not None:
        return flavour.encoding(path, layer, options)
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
                    params={"variant": "unknown", "encoding": options.encoding},
                )
            ]
        return options.encoding, []
    if flavour.utf8_rule:
        problem = check_utf8_file(path, layer, flavour.utf8_rule)
        return None, [problem] if problem else []
    return None, []


def _undecodable(
    path: Path, layer: str, flavour: OgrFlavour, source_layer: str, encoding: str | None, exc: UnicodeDecodeError
) -> Problem:
    """GDAL handed over text that `encoding` (UTF-8 by default) cannot decode: where, and the fix."""
    used = encoding or "utf-8"
    row, column = None, None
    if flavour.locate_bad_text is not None:
        row, column = flavour.locate_bad_text(path, source_layer, used)
    data = exc.object if isinstance(exc.object, bytes) else b""
    byte = data[exc.start] if exc.start < len(data) else 0
    suggested = suggestion([data], exclude=used)
    return Problem(
        "encoding",
        layer,
        f"text in {display_name(used)}{flavour.text_note}",
        row=row,
        field=column,
        value=f"byte 0x{byte:02x} in {data.decode(suggested, 'replace')!r}",
        fix=f"pass --encoding {suggested}, or write the text as UTF-8",
        file=str(path),
        params={"variant": "gdal_text", "encoding": display_name(used), "byte": byte,
                "text": repr(data.decode(suggested, "replace")), "suggested": suggested,
                "geopackage": bool(flavour.text_note)},
    )
