"""Which CRS a file's coordinates are in when the file does not say: for the `--crs` to suggest.

A GeoJSON without a "crs" member is longitude/latitude (RFC 7946, section 4), but files in
EPSG:25832 without the member are common (mapshaper, hand-made files). GDAL reports EPSG:4326
for both, so `has_crs_member` looks at the file itself, and `fitting_crs` names the CRSs in
which the coordinates land in North Rhine-Westphalia.
"""

from __future__ import annotations

import mmap
import re
from pathlib import Path

import numpy as np
from pyproj import Transformer

from inventory.geometry_checks import in_nrw
from inventory.schema import CRS

CANDIDATES = (
    ("EPSG:25832", "ETRS89 / UTM zone 32N, metres"),
    ("EPSG:4647", "ETRS89 / UTM zone 32N with the zone number 32 before the easting, metres"),
    ("EPSG:31466", "DHDN / Gauss-Krüger zone 2, metres"),
    ("EPSG:31467", "DHDN / Gauss-Krüger zone 3, metres"),
    ("EPSG:25831", "ETRS89 / UTM zone 31N, metres"),
    ("EPSG:3857", "Web Mercator, as web maps write it"),
    ("EPSG:3035", "ETRS89 / LAEA Europe, metres"),
)
"""Projected CRSs in which files for NRW are written, most usual first."""

FIT_SHARE = 0.9
"""Share of the coordinates that must land in NRW for a candidate CRS to fit."""

_TOKENS = re.compile(rb'"(?:[^"\\]|\\.)*"\s*:?|[\[\]{}]')


def has_crs_member(path: Path) -> bool:
    """Tell whether the top-level JSON object of `path` has a "crs" member (of any form).

    The file is mapped, not loaded: when '"crs"' occurs nowhere (the usual case) that is the
    answer; otherwise the tokens before it are scanned to see whether it is a key at depth 1.

    Parameters
    ----------
    path : pathlib.Path
        A GeoJSON file (any size; it is not read into memory). An empty file has no member.

    Returns
    -------
    bool
        True when the top-level object has a "crs" key; a "crs" key inside a feature or a string value
        does not count.

    Raises
    ------
    OSError
        When the file cannot be opened.
    """
    with open(path, "rb") as handle:
        try:
            data = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
        except ValueError:  # an empty file
            return False
    with data:
        if data.find(b'"crs"') == -1:
            return False
        depth = 0
        for match in _TOKENS.finditer(data):
            token = match.group()
            if token in (b"{", b"["):
                depth += 1
            elif token in (b"}", b"]"):
                depth -= 1
            elif depth == 1 and token.endswith(b":") and token.rstrip(b" \t\r\n:") == b'"crs"':
                return True
    return False


def fitting_crs(x: np.ndarray, y: np.ndarray) -> list[tuple[str, str]]:
    """Return the CANDIDATES (code, description) in which at least FIT_SHARE of the points lie in NRW.

    Each candidate is tried by transforming the points to EPSG:25832 (pyproj) and testing them against
    `inventory.schema.NRW_BOUNDS`; more than 10,000 points are thinned to 10,000 evenly spaced ones first.

    Parameters
    ----------
    x, y : numpy.ndarray
        Arrays (n,) of float: the coordinates as the file holds them (easting first), in the file's unknown
        units. Points with NaN or infinite coordinates are left out.

    Returns
    -------
    list of tuple of (str, str)
        (code, description) of every fitting candidate, best fit (largest share in NRW) first, `CANDIDATES`
        order among equal shares; empty when none fits or no point is finite.

    Examples
    --------
    >>> fitting_crs(np.array([367000.0]), np.array([5713000.0]))
    [('EPSG:25832', 'ETRS89 / UTM zone 32N, metres')]
    """
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    keep = np.isfinite(x) & np.isfinite(y)
    x, y = x[keep], y[keep]
    if not len(x):
        return []
    if len(x) > 10_000:  # a sample is enough to tell
        pick = np.linspace(0, len(x) - 1, 10_000).astype(int)
        x, y = x[pick], y[pick]
    fits = []
    for code, description in CANDIDATES:
        tx, ty = Transformer.from_crs(code, CRS, always_xy=True).transform(x, y, errcheck=False)
        share = float(np.mean(in_nrw(tx, ty)))
        if share >= FIT_SHARE:
            fits.append((share, code, description))
    fits.sort(key=lambda fit: -fit[0])  # stable: CANDIDATES order among equal shares
    return [(code, description) for _, code, description in fits]


def crs_hint(x: np.ndarray, y: np.ndarray) -> str | None:
    """'they look like EPSG:25832 (ETRS89 / UTM zone 32N, metres): pass --crs EPSG:25832', or None.

    Parameters
    ----------
    x, y : numpy.ndarray
        Arrays (n,) of float: the coordinates as the file holds them (easting first); see `fitting_crs`.

    Returns
    -------
    str or None
        A hint naming the best fitting CRS and its `--crs` option, with the other fitting codes in
        parentheses; None when no candidate fits.

    Examples
    --------
    >>> crs_hint([367000.0], [5713000.0])
    'they look like EPSG:25832 (ETRS89 / UTM zone 32N, metres): pass --crs EPSG:25832'
    >>> crs_hint([7.1], [51.5]) is None
    True
    """
    fits = fitting_crs(x, y)
    if not fits:
        return None
    code, description = fits[0]
    others = f" (or {', '.join(c for c, _ in fits[1:])})" if len(fits) > 1 else ""
    return f"they look like {code} ({description}): pass --crs {code}{others}"


def crs_fit_params(x: np.ndarray, y: np.ndarray) -> dict[str, object]:
    """Return the CRS codes `crs_hint` names, as a problem's parameters.

    Parameters
    ----------
    x, y : numpy.ndarray
        Arrays (n,) of float: the coordinates as the file holds them (easting first); see `fitting_crs`.

    Returns
    -------
    dict
        `crs_code`: the best fitting CRS's code, None when none fits; `other_codes`: the other fitting codes
        (a list, maybe empty).

    Examples
    --------
    >>> crs_fit_params([367000.0], [5713000.0])["crs_code"]
    'EPSG:25832'
    >>> crs_fit_params([7.1], [51.5])
    {'crs_code': None, 'other_codes': []}
    """
    fits = fitting_crs(x, y)
    return {"crs_code": fits[0][0] if fits else None, "other_codes": [code for code, _ in fits[1:]]}


def looks_like_degrees(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Element-wise: the point could be longitude/latitude (|x| <= 180, |y| <= 90).

    Parameters
    ----------
    x, y : numpy.ndarray
        Arrays (n,) of float: the coordinates as the file holds them (easting or longitude first).

    Returns
    -------
    numpy.ndarray
        Array (n,) of bool: True where both coordinates are within the ranges of degrees; NaN gives False.

    Examples
    --------
    >>> looks_like_degrees([7.1, 367000.0], [51.5, 5713000.0])
    array([ True, False])
    """
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    with np.errstate(invalid="ignore"):
        return (np.abs(x) <= 180) & (np.abs(y) <= 90)
