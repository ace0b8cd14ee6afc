"""GeoPackage geometry blobs, and the SQL functions a GeoPackage's triggers call.

A GeoPackage stores each geometry as a "GeoPackageBinary" blob (OGC 12-128r18, §2.1.3): the magic
bytes `GP`, a version byte (0), a flags byte, the srs_id (int32) and an optional envelope of doubles,
followed by standard (ISO) WKB. The flags byte holds the byte order of the header (bit 0), the
envelope code (bits 1-3: 0 none, 1 [minx, maxx, miny, maxy], 2 adds z, 3 adds m, 4 adds z and m) and
an "empty geometry" bit (bit 4). Like GDAL, points are written without an envelope and every other
geometry with the xy envelope.

The R-tree spatial index of a GDAL-written layer is kept by triggers that call ST_IsEmpty,
ST_MinX, ST_MaxX, ST_MinY and ST_MaxY (and, with the geometry type triggers extension, ST_GeometryType,
ST_SRID and GPKG_IsAssignable). SpatiaLite or GDAL provide them inside their own connections;
`register_functions` provides them on a plain `sqlite3` connection so that writes through it keep
the index right.
"""

from __future__ import annotations

import sqlite3
import struct
from collections.abc import Sequence

import numpy as np
import shapely

MAGIC = b"GP"
ENVELOPE_BYTES = {0: 0, 1: 32, 2: 48, 3: 48, 4: 64}
"""Envelope size in bytes by envelope code."""
FLAG_LITTLE_ENDIAN = 0x01
FLAG_ENVELOPE_XY = 0x02  # envelope code 1, shifted into bits 1-3
FLAG_EMPTY = 0x10
HEADER = np.dtype([("magic", "S2"), ("version", "u1"), ("flags", "u1"), ("srs_id", "<i4")])
ENVELOPE = np.dtype([("minx", "<f8"), ("maxx", "<f8"), ("miny", "<f8"), ("maxy", "<f8")])


def encode(geometries: Sequence | np.ndarray, srs_id: int) -> list[bytes | None]:
    """GeoPackage blobs of shapely `geometries` (None stays None), in the layer's `srs_id`.

    2D geometries only (the inventory's layers are 2D). Vectorised: WKB and bounds come from
    shapely for the whole array at once.

    Parameters
    ----------
    geometries : sequence or numpy.ndarray
        (n,) shapely geometries or None; z and m values are dropped.
    srs_id : int
        The layer's ``srs_id`` in ``gpkg_spatial_ref_sys`` (25832 for the inventory's layers).

    Returns
    -------
    list of bytes or None
        (n,) GeoPackageBinary blobs, little-endian: the 8-byte header, the xy envelope (32 bytes) for
        every non-empty geometry but a point, then ISO WKB; an empty geometry has the empty flag set.

    Examples
    --------
    >>> from shapely import Point
    >>> blobs = encode([Point(1, 2), None], 25832)
    >>> blobs[0][:2], len(blobs[0]), blobs[1]
    (b'GP', 29, None)
    """
    geoms = np.asarray(geometries, dtype=object)
    n = len(geoms)
    missing = shapely.is_missing(geoms)
    empty = shapely.is_empty(geoms) & ~missing
    points = (shapely.get_type_id(geoms) == shapely.GeometryType.POINT) & ~missing
    with_envelope = ~points & ~empty & ~missing
    wkb = shapely.to_wkb(geoms, byte_order=1, flavor="iso", output_dimension=2)
    header = np.zeros(n, dtype=HEADER)
    header["magic"] = MAGIC
    header["flags"] = FLAG_LITTLE_ENDIAN | np.where(with_envelope, FLAG_ENVELOPE_XY, 0) | np.where(empty, FLAG_EMPTY, 0)
    header["srs_id"] = srs_id
    bounds = shapely.bounds(geoms)
    envelope = np.zeros(n, dtype=ENVELOPE)
    envelope["minx"], envelope["miny"], envelope["maxx"], envelope["maxy"] = bounds.T
    head_bytes = header.tobytes()
    env_bytes = envelope.tobytes()
    size_h, size_e = HEADER.itemsize, ENVELOPE.itemsize
    out: list[bytes | None] = []
    append = out.append
    for i in range(n):
        if missing[i]:
            append(None)
        elif with_envelope[i]:
            append(head_bytes[i * size_h:(i + 1) * size_h] + env_bytes[i * size_e:(i + 1) * size_e] + wkb[i])
        else:
            append(head_bytes[i * size_h:(i + 1) * size_h] + wkb[i])
    return out


def wkb_offset(blob: bytes) -> int:
    """Where the WKB starts in a GeoPackage blob; ValueError if `blob` is not one.

    Parameters
    ----------
    blob : bytes
        A GeoPackageBinary blob.

    Returns
    -------
    int
        The byte offset of the WKB: 8 (the header) plus the envelope's size by its code (0 to 64 bytes).

    Raises
    ------
    ValueError
        When `blob` is shorter than a header, lacks the ``GP`` magic, or has an envelope code above 4.

    Examples
    --------
    >>> from shapely import LineString
    >>> wkb_offset(encode([LineString([(0, 0), (1, 1)])], 25832)[0])
    40
    """
    if len(blob) < 8 or blob[:2] != MAGIC:
        raise ValueError("not a GeoPackage geometry blob (no 'GP' header)")
    code = (blob[3] >> 1) & 0x07
    if code not in ENVELOPE_BYTES:
        raise ValueError(f"GeoPackage geometry blob with an invalid envelope code {code}")
    return 8 + ENVELOPE_BYTES[code]


def decode(blobs: Sequence[bytes | None]) -> np.ndarray:
    """Shapely geometries of GeoPackage `blobs` (None for NULL).

    Parameters
    ----------
    blobs : sequence of bytes or None
        (n,) GeoPackageBinary blobs (bytes or memoryview), None for NULL.

    Returns
    -------
    numpy.ndarray
        (n,) of object: shapely geometries, None where the blob was None. The srs_id is not read; the
        caller knows the layer's CRS.

    Raises
    ------
    ValueError
        When a blob is not a GeoPackage geometry (`wkb_offset`).
    shapely.errors.GEOSException
        When a blob's WKB is damaged.

    Examples
    --------
    >>> from shapely import Point
    >>> [None if g is None else g.wkt for g in decode(encode([Point(1, 2), None], 25832))]
    ['POINT (1 2)', None]
    """
    wkb = [None if b is None else bytes(b[wkb_offset(b):]) for b in blobs]
    return shapely.from_wkb(np.asarray(wkb, dtype=object))


def _is_empty(blob: bytes | None) -> int | None:
    if blob is None:
        return None
    if blob[3] & FLAG_EMPTY:
        return 1
    return int(shapely.is_empty(shapely.from_wkb(blob[wkb_offset(blob):])))


def _box(blob: bytes) -> tuple[float, float, float, float] | None:
    """(minx, maxx, miny, maxy) of a blob: from its envelope, a point's coordinates, or shapely."""
    flags = blob[3]
    if flags & FLAG_EMPTY:
        return None
    start = wkb_offset(blob)
    code = (flags >> 1) & 0x07
    if code:
        order = "<" if flags & FLAG_LITTLE_ENDIAN else ">"
        return struct.unpack_from(f"{order}4d", blob, 8)
    order = "<" if blob[start] == 1 else ">"
    (kind,) = struct.unpack_from(f"{order}I", blob, start + 1)
    if kind == 1:  # a 2D point: x, y follow the type
        x, y = struct.unpack_from(f"{order}2d", blob, start + 5)
        return (x, x, y, y)
    minx, miny, maxx, maxy = shapely.bounds(shapely.from_wkb(blob[start:]))
    return (minx, maxx, miny, maxy)


def _coordinate(index: int):
    def extract(blob: bytes | None) -> float | None:
        if blob is None:
            return None
        box = _box(blob)
        return None if box is None else box[index]

    return extract


def _geometry_type(blob: bytes | None) -> str | None:
    if blob is None:
        return None
    return shapely.from_wkb(blob[wkb_offset(blob):]).geom_type.upper()


def _srid(blob: bytes | None) -> int | None:
    if blob is None:
        return None
    order = "<" if blob[3] & FLAG_LITTLE_ENDIAN else ">"
    return struct.unpack_from(f"{order}i", blob, 4)[0]


_GENERIC = {"GEOMETRY": None, "GEOMETRYCOLLECTION": ("MULTIPOINT", "MULTILINESTRING", "MULTIPOLYGON"),
            "CURVE": ("LINESTRING",), "SURFACE": ("POLYGON",)}


def _is_assignable(expected: str | None, actual: str | None) -> int:
    """GPKG_IsAssignable: 1 when a geometry of type `actual` may be stored in a column of type `expected`."""
    if expected is None or actual is None:
        return 0
    expected, actual = expected.upper(), actual.upper()
    if expected == actual or expected == "GEOMETRY":
        return 1
    return int(actual in (_GENERIC.get(expected) or ()))


def register_functions(connection: sqlite3.Connection) -> None:
    """Provide the SQL functions that GeoPackage triggers call on `connection`.

    Registers ST_IsEmpty, ST_MinX, ST_MaxX, ST_MinY, ST_MaxY, ST_GeometryType and ST_SRID (one blob
    argument each) and GPKG_IsAssignable (two type names), all deterministic; functions of these names
    registered before are replaced.

    Parameters
    ----------
    connection : sqlite3.Connection
        A plain connection to the GeoPackage.
    """
    functions = {
        "ST_IsEmpty": _is_empty,
        "ST_MinX": _coordinate(0),
        "ST_MaxX": _coordinate(1),
        "ST_MinY": _coordinate(2),
        "ST_MaxY": _coordinate(3),
        "ST_GeometryType": _geometry_type,
        "ST_SRID": _srid,
    }
    for name, function in functions.items():
        connection.create_function(name, 1, function, deterministic=True)
    connection.create_function("GPKG_IsAssignable", 2, _is_assignable, deterministic=True)
