"""GeoJSON (.geojson, .json; RFC 7946, and the older 2008 spec with a "crs" member).

Read through GDAL, written with its CRS (EPSG:25832) so nothing is lost to reprojection.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path

import geopandas as gpd
import numpy as np
import pyogrio
from pyproj import CRS as ProjCRS
from pyproj import Transformer

from inventory.crs_guess import crs_fit_params, crs_hint, fitting_crs, has_crs_member, looks_like_degrees
from inventory.formats.base import (
    RawData,
    ReadOptions,
    check_source_coordinates,
    crs_problem,
    number_text,
    to_storage_crs,
)
from inventory.formats.ogr import OgrFlavour, centres, read_ogr
from inventory.geometry_checks import in_nrw
from inventory.problems import Problem
from inventory.schema import CRS

NAME = "GeoJSON"
_JSON_START = re.compile(rb"^(\xef\xbb\xbf)?\s*(\{|\[\s*[{\]])")


def sniff(head: bytes, path: Path) -> bool:
    """Tell whether the first bytes open a JSON object (or an array of objects).

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
    >>> sniff(b'{"type": "FeatureCollection"}', Path("a.json")), sniff(b"id,name", Path("a.csv"))
    (True, False)
    """
    return _JSON_START.match(head) is not None


def own_crs_rule(
    frame: gpd.GeoDataFrame,
    labels: list[str],
    path: Path,
    layer: str,
    options: ReadOptions,
    declared: ProjCRS | None,
    problems: list[Problem],
) -> RawData:
    """Apply the CRS of a GeoJSON without a "crs" member: longitude/latitude (RFC 7946), unless --crs says otherwise.

    GDAL reports EPSG:4326 for such a file; --crs is the user's word for what it really holds.
    Coordinates that cannot be degrees, without --crs, are refused with the CRS they fit
    (`inventory.crs_guess.fitting_crs`). A declared projected CRS for coordinates that are plainly
    longitude/latitude in NRW (at least 90 % of the points in NRW as degrees, under 10 % as declared) is
    refused too. The signature is `OgrFlavour.own_crs_rule`'s.

    Parameters
    ----------
    frame : geopandas.GeoDataFrame
        The features as GDAL read them (CRS EPSG:4326 as GDAL reports it), one row per feature.
    labels : list of str
        One label per row ('feature N').
    path : pathlib.Path
        The file, for the problems.
    layer : str
        The target layer.
    options : ReadOptions
        Only `force_2d` is used here (--crs comes as `declared`).
    declared : pyproj.CRS or None
        The CRS passed with --crs, already parsed; None when none was.
    problems : list of Problem
        The problems found so far; the returned RawData carries them with this rule's own added.

    Returns
    -------
    RawData
        The features in EPSG:25832 (metres), `labels`, and the problems: a `crs` error when the coordinates
        do not fit the CRS they are taken in, and `check_source_coordinates`' findings.
    """
    cx, cy = centres(frame)
    rows = np.flatnonzero(np.isfinite(cx) & np.isfinite(cy))
    if declared is not None:
        if not declared.is_geographic and len(rows) and _lon_lat_in_nrw(cx[rows], cy[rows], declared):
            first = rows[0]
            problems.append(
                crs_problem(
                    path,
                    layer,
                    f"coordinates in the declared CRS {declared.to_string()}",
                    f"longitude/latitude in NRW, e.g. x {number_text(cx[first])}, y {number_text(cy[first])} "
                    f"({labels[first]})",
                    'drop --crs: a GeoJSON without a "crs" member is longitude/latitude (RFC 7946)',
                    {"variant": "geojson_declared_degrees", "declared": declared.to_string(), "x": float(cx[first]),
                     "y": float(cy[first]), "row": labels[first]},
                )
            )
            declared = ProjCRS.from_user_input("EPSG:4326")  # only so that checks can run; the import fails
        frame = frame.set_crs(declared, allow_override=True)
        problems += check_source_coordinates(frame, labels, path, layer, "GeoJSON")
        return RawData(to_storage_crs(frame, options), labels, problems, "GeoJSON")
    projected = rows[~looks_like_degrees(cx[rows], cy[rows])]
    fits = fitting_crs(cx[projected], cy[projected]) if len(projected) else []
    if len(projected) and len(projected) == len(rows) and fits:
        first = projected[0]
        problems.append(
            crs_problem(
                path,
                layer,
                'longitude/latitude in degrees, as a GeoJSON without a "crs" member has them (RFC 7946)',
                f"x {number_text(cx[first])}, y {number_text(cy[first])} ({labels[first]}), not degrees",
                f"{crs_hint(cx[projected], cy[projected])}; or write the file with its CRS",
                {"variant": "geojson_not_degrees", "x": float(cx[first]), "y": float(cy[first]), "row": labels[first],
                 **crs_fit_params(cx[projected], cy[projected])},
            )
        )
        # Checked as if in the CRS they fit, so that no follow-up error is about the CRS; the import fails.
        frame = frame.set_crs(fits[0][0], allow_override=True)
        return RawData(to_storage_crs(frame, options), labels, problems, "GeoJSON")
    problems += check_source_coordinates(frame, labels, path, layer, "GeoJSON")
    return RawData(to_storage_crs(frame, options), labels, problems, "GeoJSON")


def _lon_lat_in_nrw(x: np.ndarray, y: np.ndarray, declared: ProjCRS) -> bool:
    """Tell whether the points are plainly longitude/latitude in NRW and not in NRW under `declared`."""
    if not looks_like_degrees(x, y).all():
        return False
    as_lon_lat = in_nrw(*Transformer.from_crs("EPSG:4326", CRS, always_xy=True).transform(x, y, errcheck=False))
    as_declared = in_nrw(*Transformer.from_crs(declared, CRS, always_xy=True).transform(x, y, errcheck=False))
    return bool(as_lon_lat.mean() >= 0.9 and as_declared.mean() < 0.1)


def _is_wgs84(crs) -> bool:
    return crs.equals(ProjCRS.from_user_input("EPSG:4326")) or crs.equals(ProjCRS.from_user_input("OGC:CRS84"))



def _own_crs(frame, labels, path, layer, options, declared, problems) -> RawData | None:
    """GDAL's EPSG:4326 for a file without "crs" member is RFC 7946's default: `own_crs_rule` decides."""
    if frame.crs is not None and _is_wgs84(frame.crs) and not has_crs_member(path):
        return own_crs_rule(frame, labels, path, layer, options, declared, problems)
    return None


FLAVOUR = OgrFlavour(NAME, utf8_rule="UTF-8 text, as every GeoJSON is (RFC 8259)", own_crs_rule=_own_crs)


def read(path: Path, layer: str, options: ReadOptions) -> RawData:
    """Return the features of the GeoJSON `path`, see `inventory.formats.ogr.read_ogr`.

    The text must be UTF-8 (RFC 8259) unless --encoding says otherwise; without a "crs" member the
    coordinates are longitude/latitude (RFC 7946), see `own_crs_rule`.

    Parameters
    ----------
    path : pathlib.Path
        The GeoJSON file.
    layer : str
        The target layer, one of `inventory.schema.LAYER_ORDER`; named in the problems.
    options : ReadOptions
        The user's --crs, --encoding and --force-2d.

    Returns
    -------
    RawData
        One row per feature, geometry in EPSG:25832 (metres), labels 'feature N', every problem found.
    """
    return read_ogr(path, layer, options, FLAVOUR)


def write(frames: Mapping[str, gpd.GeoDataFrame], target: Path) -> list[Path]:
    """One layer as a GeoJSON FeatureCollection in EPSG:25832 (with its "crs" member), 6 decimals (1 µm).

    Parameters
    ----------
    frames : mapping of str to geopandas.GeoDataFrame
        Exactly one layer: its name (written as the collection's "name") and its rows (EPSG:25832).
    target : pathlib.Path
        The file to write; `inventory.exporter` passes a temporary name.

    Returns
    -------
    list of pathlib.Path
        `[target]`.

    Raises
    ------
    ValueError
        When `frames` holds more or fewer than one layer.
    """
    ((name, frame),) = frames.items()
    options = {"COORDINATE_PRECISION": "6", "WRITE_NAME": "YES",
               "AUTODETECT_JSON_STRINGS": "NO"}  # a name like "{}" stays text, not a JSON object
    pyogrio.write_dataframe(frame, target, layer=name, driver="GeoJSON", layer_options=options)
    return [target]
