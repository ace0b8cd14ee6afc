"""SQL on a GeoPackage connection: names and lists in statements, the GeoPackage catalogue, typed rows.

Shared by the store (`inventory.stores.geopackage`) and its transactions
(`inventory.stores.gpkg_transaction`); everything here reads, nothing writes.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Collection
from pathlib import Path

import geopandas as gpd
import pandas as pd

from inventory.frames import conform, sort_by_key
from inventory.schema import CRS, SRID, Layer
from inventory.sql_names import quote_name
from inventory.stores import gpkg_geometry
from inventory.stores.base import StoreError

LIST_VALUES = "(SELECT value FROM json_each(?))"
"""A list of any length as one parameter (a JSON array), looked up through the column's index."""


def non_ascii(column: str) -> str:
    """Return an SQL condition true for text that is not plain ASCII (or holds a NUL).

    Such text has more bytes in UTF-8 than characters. The condition uses built-in functions only, so
    every SQLite (QGIS, GDAL) can keep a partial index on it.

    Parameters
    ----------
    column : str
        The column's name (quoted here).

    Returns
    -------
    str
        The condition, for a WHERE clause or a partial index.
    """
    return f"length({quote_name(column)}) != length(CAST({quote_name(column)} AS BLOB))"


def list_parameter(values: Collection) -> str:
    """Write `values` as the one JSON-array parameter that `LIST_VALUES` reads.

    Parameters
    ----------
    values : collection
        Ids or field values; missing ones (None, NaN) are left out, the rest written as text.

    Returns
    -------
    str
        A JSON array of strings.
    """
    series = pd.Series(list(values) if not isinstance(values, pd.Series) else values, dtype=object)
    return json.dumps(series.dropna().astype(str).tolist())


def index_name(layer: str, field: str, *, unique: bool = False) -> str:
    """Name the store's index on `field` of `layer` (a UNIQUE one for the key, else a lookup index).

    Parameters
    ----------
    layer : str
        The layer (table) name.
    field : str
        The indexed column.
    unique : bool, default False
        True for the key's UNIQUE index.

    Returns
    -------
    str
        ``gelsennet_<layer>_<field>_unique`` or ``..._lookup``.

    Examples
    --------
    >>> index_name("sites", "site_id", unique=True)
    'gelsennet_sites_site_id_unique'
    """
    return f"gelsennet_{layer}_{field}_{'unique' if unique else 'lookup'}"


def feature_tables(connection: sqlite3.Connection, path: Path) -> set[str]:
    """Return the feature tables listed in gpkg_contents that exist.

    Parameters
    ----------
    connection : sqlite3.Connection
        An open connection to the file.
    path : pathlib.Path
        The file's path, for the message.

    Returns
    -------
    set of str
        The tables' names.

    Raises
    ------
    StoreError
        When the file is no GeoPackage (no gpkg_contents, or not an SQLite database).
    sqlite3.DatabaseError
        When another connection holds the file (SQLITE_BUSY, SQLITE_LOCKED), unchanged.
    """
    try:
        rows = connection.execute(
            "SELECT table_name FROM gpkg_contents WHERE table_name IN "
            "(SELECT name FROM sqlite_master WHERE type IN ('table', 'view'))"
        ).fetchall()
    except sqlite3.DatabaseError as exc:
        if getattr(exc, "sqlite_errorname", "").startswith(("SQLITE_BUSY", "SQLITE_LOCKED")):
            raise
        raise StoreError(f"{path}: cannot open as GeoPackage ({exc}); is it a .gpkg file?") from exc
    return {row[0] for row in rows}


def geometry_column_of(connection: sqlite3.Connection, layer: str) -> tuple[str, int]:
    """Return the geometry column of `layer` and its srs_id, as gpkg_geometry_columns lists them.

    Parameters
    ----------
    connection : sqlite3.Connection
        An open GeoPackage.
    layer : str
        The layer (table) name.

    Returns
    -------
    tuple of (str, int)
        The column name and the srs_id; ("geom", `SRID`) if the layer is not listed.
    """
    row = connection.execute(
        "SELECT column_name, srs_id FROM gpkg_geometry_columns WHERE table_name = ?", (layer,)
    ).fetchone()
    return (row[0], int(row[1])) if row else ("geom", SRID)


def declared_types(connection: sqlite3.Connection, layer: str) -> dict[str, str]:
    """Return the declared SQL type of each column of `layer`, upper case (e.g. DATE, DATETIME, TEXT).

    Parameters
    ----------
    connection : sqlite3.Connection
        An open GeoPackage.
    layer : str
        The layer (table) name.

    Returns
    -------
    dict of str to str
        Column name → declared type (empty for a missing table).
    """
    return {row[1]: str(row[2]).upper() for row in connection.execute(f"PRAGMA table_info({quote_name(layer)})")}


def layer_crs(connection: sqlite3.Connection, srs_id: int) -> str:
    """Return the CRS of a GeoPackage srs_id: "EPSG:<code>", else its WKT definition.

    Parameters
    ----------
    connection : sqlite3.Connection
        An open GeoPackage.
    srs_id : int
        An id of gpkg_spatial_ref_sys.

    Returns
    -------
    str
        "EPSG:<code>" for an EPSG-organised entry, else its WKT; the store's CRS when `srs_id` is the store's
        `SRID` or is not listed.
    """
    if srs_id == SRID:
        return CRS
    row = connection.execute(
        "SELECT organization, organization_coordsys_id, definition FROM gpkg_spatial_ref_sys WHERE srs_id = ?",
        (srs_id,),
    ).fetchone()
    if row is None:
        return CRS
    organization, code, definition = row
    return f"{organization.upper()}:{code}" if str(organization).upper() == "EPSG" else definition


def select_rows(connection: sqlite3.Connection, spec: Layer, where: str = "", params: tuple = ()) -> gpd.GeoDataFrame:
    """Read the rows of `spec`'s layer matching `where`, typed like every layer (`inventory.frames.conform`).

    Parameters
    ----------
    connection : sqlite3.Connection
        An open connection to the file.
    spec : Layer
        The layer; schema columns the table lacks are left empty.
    where : str, default ""
        SQL appended to the SELECT, starting with its WHERE keyword (e.g. ``WHERE "site_id" IN ...``); ""
        for every row.
    params : tuple, default ()
        The parameters of `where`.

    Returns
    -------
    geopandas.GeoDataFrame
        The rows in EPSG:25832 (reprojected when the layer is stored in another CRS), ordered by key.
    """
    geometry_column, srs_id = geometry_column_of(connection, spec.name)
    declared = declared_types(connection, spec.name)
    columns = [c for c in spec.columns if c in declared]
    names = ", ".join(quote_name(c) for c in [*columns, geometry_column])
    rows = connection.execute(f"SELECT {names} FROM {quote_name(spec.name)} {where}", params).fetchall()
    data = dict(zip([*columns, "geometry"], map(list, zip(*rows, strict=True)), strict=True)) if rows else {}
    blobs = data.pop("geometry", [])
    frame = pd.DataFrame({c: pd.Series(data.get(c, []), dtype=object) for c in columns})
    for f in spec.fields:
        if f.dtype == "date" and f.name in frame:
            frame[f.name] = _dates(frame[f.name])
    crs = layer_crs(connection, srs_id)
    geometry = gpd.GeoSeries(gpkg_geometry.decode(blobs), crs=crs)
    out = gpd.GeoDataFrame(frame, geometry=geometry, crs=crs)
    if crs != CRS and not out.empty:
        out = out.to_crs(CRS)
    return sort_by_key(conform(out, spec), spec)


def _dates(series: pd.Series) -> pd.Series:
    """Parse stored dates ('2024-05-01', '2024-05-01T00:00:00', '...Z' as GDAL and QGIS write them)."""
    stamps = pd.to_datetime(series, format="ISO8601", utc=True)
    return stamps.dt.tz_convert(None).astype("datetime64[ms]")
