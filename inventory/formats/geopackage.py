"""GeoPackage (.gpkg, OGC 12-128r19): read through GDAL, written by the GeoPackage store."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import geopandas as gpd

from inventory.formats.base import RawData, ReadOptions
from inventory.formats.ogr import OgrFlavour, read_ogr
from inventory.gpkg_guard import check_geopackage

NAME = "GeoPackage"
MAGIC = b"SQLite format 3\x00"
"""The first 16 bytes of every SQLite database, so of every GeoPackage."""


def sniff(head: bytes, path: Path) -> bool:
    """Tell whether the first bytes are an SQLite database's.

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
    >>> sniff(MAGIC + bytes(84), Path("inventory.gpkg"))
    True
    """
    return head.startswith(MAGIC)


def damage(path: Path) -> tuple[str, str, str, dict] | None:
    """Return (expected, found, fix, params) when the file is cut short or cannot be read within the limits; else None.

    The size comes from the SQLite header (page size times page count, valid when the
    "version-valid-for" number equals the change counter): a truncated GeoPackage otherwise fails
    with SQLite's "database disk image is malformed". Then `inventory.gpkg_guard` (a view can run forever).
    The header layout is SQLite's database file format (page size at bytes 16-17, change counter at 24-27,
    page count at 28-31, version-valid-for at 92-95).

    Parameters
    ----------
    path : pathlib.Path
        The GeoPackage file.

    Returns
    -------
    tuple of (str, str, str, dict) or None
        (expected, found, fix, params) of a `file` problem: the size the header gives and the file's size in bytes,
        or what `inventory.gpkg_guard.check_geopackage` found; None when the file looks whole.

    Raises
    ------
    OSError
        When the file cannot be read.
    """
    size = path.stat().st_size
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
            {"variant": "truncated", "part": path.name, "declared_bytes": page_size * pages or None,
             "bytes": size, "records": None},
        )
    return check_geopackage(path)


def locate_bad_text(path: Path, table: str, encoding: str) -> tuple[str | None, str | None]:
    """('feature N', column) of the first text value of a GeoPackage layer `encoding` cannot decode.

    Parameters
    ----------
    path : pathlib.Path
        The GeoPackage file (opened read-only with SQLite).
    table : str
        The layer's table name.
    encoding : str
        The encoding the text should be in (UTF-8 in every GeoPackage, GeoPackage 1.3 requirement 5).

    Returns
    -------
    tuple of (str or None, str or None)
        The row label ('feature N', in rowid order) and the TEXT column of the first undecodable value;
        (None, None) when there is none or SQLite cannot read the table.
    """
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

FLAVOUR = OgrFlavour(NAME, locate_bad_text=locate_bad_text, text_note=", as every GeoPackage holds it")


def read(path: Path, layer: str, options: ReadOptions) -> RawData:
    """Return the layer `layer` (or --source-layer) of the GeoPackage `path`, see `inventory.formats.ogr.read_ogr`.

    Parameters
    ----------
    path : pathlib.Path
        The GeoPackage file.
    layer : str
        The target layer, one of `inventory.schema.LAYER_ORDER`; also the name of the source layer unless
        --source-layer names another or the file has only one.
    options : ReadOptions
        The user's --source-layer, --crs, --encoding and --force-2d.

    Returns
    -------
    RawData
        One row per feature, geometry in EPSG:25832 (metres), labels 'feature N', every problem found.
    """
    return read_ogr(path, layer, options, FLAVOUR)


def write(frames: Mapping[str, gpd.GeoDataFrame], target: Path) -> list[Path]:
    """Every frame as a layer of the GeoPackage `target`, atomically, in the store's own layout.

    Parameters
    ----------
    frames : mapping of str to geopandas.GeoDataFrame
        Per layer name, its typed rows (schema columns and geometry in EPSG:25832), as a store reads them.
    target : pathlib.Path
        The GeoPackage to write; an existing one keeps the layers not in `frames`.

    Returns
    -------
    list of pathlib.Path
        `[target]`.

    Raises
    ------
    ValueError
        For an unknown layer name.
    StoreBusy, StoreError
        When the file cannot be written (`inventory.stores.base.Store.write`); nothing changed.
    """
    from inventory.stores.geopackage import GeoPackageStore

    GeoPackageStore(target).write(dict(frames))
    return [target]
