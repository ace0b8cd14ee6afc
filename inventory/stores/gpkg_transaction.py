"""One write transaction on a GeoPackage: the reads an import plans with and the row writes.

`GeoPackageStore.transaction` opens it after `BEGIN IMMEDIATE` and commits after `finish`; see
`inventory.stores.geopackage` for how SQLite keeps the file whole.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Collection, Sequence
from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely

from inventory import qgis_styles
from inventory.frames import sort_by_key
from inventory.schema import LAYER_ORDER, Layer, get_layer
from inventory.sql_names import quote_name
from inventory.stores import gpkg_geometry, gpkg_rtree
from inventory.stores.base import StoreError, Transaction
from inventory.stores.gpkg_messages import NOTHING_CHANGED
from inventory.stores.gpkg_sql import (
    LIST_VALUES,
    declared_types,
    feature_tables,
    geometry_column_of,
    index_name,
    list_parameter,
    non_ascii,
    select_rows,
)

BULK_ROWS = 5_000
"""From this many rows into an empty layer, the R-tree is written packed after the rows
(`inventory.stores.gpkg_rtree`), not by a trigger per row (as GDAL does for bulk loads)."""


class GeoPackageTransaction(Transaction):
    """One `BEGIN IMMEDIATE` ... `COMMIT` on a GeoPackage (from `GeoPackageStore.transaction`).

    Parameters
    ----------
    connection : sqlite3.Connection
        The connection holding the write lock; the transaction is already begun.
    path : pathlib.Path
        The GeoPackage file, for messages.
    """

    def __init__(self, connection: sqlite3.Connection, path: Path) -> None:
        self.connection = connection
        self.path = path
        self.changed: set[str] = set()
        self.extents: dict[str, np.ndarray] = {}
        """Bounds (minx, miny, maxx, maxy) of the geometries written per layer."""
        self._indexed: set[str] = set()

    # --- setup and end ------------------------------------------------------------------------

    def prepare(self, layers: Sequence[str]) -> None:
        """Create the key and reference indexes of every layer present.

        Parameters
        ----------
        layers : sequence of str
            The layers the transaction may change: on these the key's UNIQUE index must succeed.

        Raises
        ------
        StoreError
            When a layer of `layers` holds a key more than once (the message names the ids), or the file is
            no GeoPackage (`feature_tables`).
        sqlite3.DatabaseError
            When another connection holds the file (`feature_tables`).
        """
        present = feature_tables(self.connection, self.path)
        for name in LAYER_ORDER:
            if name in present:
                self._index(name, required=name in layers)

    def _index(self, layer: str, *, required: bool) -> None:
        """Create `layer`'s indexes once; a duplicate key is a StoreError when `required`, else left unindexed."""
        if layer in self._indexed:
            return
        spec = get_layer(layer)
        execute = self.connection.execute
        for f in spec.fields:
            if f.references:
                execute(
                    f"CREATE INDEX IF NOT EXISTS {quote_name(index_name(layer, f.name))} "
                    f"ON {quote_name(layer)}({quote_name(f.name)})"
                )
        execute(
            f"CREATE INDEX IF NOT EXISTS {quote_name(index_name(layer, spec.key + '_non_ascii'))} "
            f"ON {quote_name(layer)}({quote_name(spec.key)}) WHERE {non_ascii(spec.key)}"
        )
        execute("SAVEPOINT unique_key")
        try:
            execute(
                f"CREATE UNIQUE INDEX IF NOT EXISTS {quote_name(index_name(layer, spec.key, unique=True))} "
                f"ON {quote_name(layer)}({quote_name(spec.key)})"
            )
        except sqlite3.IntegrityError:
            execute("ROLLBACK TO unique_key")
            execute("RELEASE unique_key")
            if required:
                raise StoreError(self._duplicates(spec)) from None
            return
        execute("RELEASE unique_key")
        self._indexed.add(layer)

    def _duplicates(self, spec: Layer) -> str:
        """Say which keys of `spec`'s layer are stored more than once (the first ten) and what to do."""
        rows = self.connection.execute(
            f"SELECT {quote_name(spec.key)}, count(*) FROM {quote_name(spec.name)} "
            f"WHERE {quote_name(spec.key)} IS NOT NULL "
            f"GROUP BY 1 HAVING count(*) > 1 ORDER BY 1 LIMIT 10"
        ).fetchall()
        shown = ", ".join(f"{key!r} ({n} times)" for key, n in rows)
        return (
            f"{self.path}: layer {spec.name} holds {spec.key} values more than once ({shown}), "
            f"so rows cannot be matched by id; {NOTHING_CHANGED}. Give each {spec.name} record its own "
            f"{spec.key} (e.g. in QGIS) and run the import again"
        )

    def finish(self) -> None:
        """Set each changed layer's last_change (as GDAL sets it) and grown extent, and the QGIS styles.

        Called before COMMIT, in the same transaction.
        """
        for layer in sorted(self.changed):
            now = dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
            self.connection.execute("UPDATE gpkg_contents SET last_change = ? WHERE table_name = ?", (now, layer))
            if layer not in self.extents:
                continue
            minx, miny, maxx, maxy = self.extents[layer]
            old = self.connection.execute(
                "SELECT min_x, min_y, max_x, max_y FROM gpkg_contents WHERE table_name = ?", (layer,)
            ).fetchone()
            if old is not None and None not in old:
                minx, miny, maxx, maxy = min(minx, old[0]), min(miny, old[1]), max(maxx, old[2]), max(maxy, old[3])
            self.connection.execute(
                "UPDATE gpkg_contents SET min_x = ?, min_y = ?, max_x = ?, max_y = ? WHERE table_name = ?",
                (float(minx), float(miny), float(maxx), float(maxy), layer),
            )
        qgis_styles.write_styles(self.connection)  # QGIS opens the store in the app's colours; same transaction

    # --- reads --------------------------------------------------------------------------------

    def _layer(self, layer: str) -> Layer:
        """Return `layer`'s schema; ValueError for an unknown name, StoreError when the file lacks it."""
        spec = get_layer(layer)
        if layer not in feature_tables(self.connection, self.path):
            raise StoreError(f"{self.path}: has no layer {layer!r}; run an import or `gelsennet db init`")
        return spec

    def keys(self, layer: str) -> set[str]:
        """Return every id of `layer` (see `Transaction.keys`); StoreError when the file lacks the layer."""
        spec = self._layer(layer)
        sql = f"SELECT {quote_name(spec.key)} FROM {quote_name(layer)} WHERE {quote_name(spec.key)} IS NOT NULL"
        return {row[0] for row in self.connection.execute(sql)}

    def rows(self, layer: str, keys: Collection[str]) -> gpd.GeoDataFrame:
        """Read the stored rows with these ids (see `Transaction.rows`)."""
        return self.rows_where(layer, get_layer(layer).key, keys)

    def rows_where(self, layer: str, field: str, values: Collection[str]) -> gpd.GeoDataFrame:
        """Read the rows whose `field` is one of `values` (see `Transaction.rows_where`).

        A KeyError for a field the layer does not have.
        """
        spec = self._layer(layer)
        spec.field(field)
        where = f"WHERE {quote_name(field)} IN {LIST_VALUES}"
        return select_rows(self.connection, spec, where, (list_parameter(values),))

    def present(self, layer: str, field: str, values: Collection[str]) -> set[str]:
        """Return which of `values` occur in `field` (see `Transaction.present`); KeyError for an unknown field."""
        spec = self._layer(layer)
        spec.field(field)
        sql = f"SELECT DISTINCT {quote_name(field)} FROM {quote_name(layer)} WHERE {quote_name(field)} IN {LIST_VALUES}"
        return {row[0] for row in self.connection.execute(sql, (list_parameter(values),))}

    def count(self, layer: str) -> int:
        """Count the rows in `layer` (see `Transaction.count`).

        The count GDAL keeps in gpkg_ogr_contents when its insert and delete triggers keep it (as GDAL
        itself reads it), else `count(*)`, which reads a whole index.
        """
        self._layer(layer)
        kept = self.connection.execute(
            "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND tbl_name = ? AND name IN (?, ?)",
            (layer, f"trigger_insert_feature_count_{layer}", f"trigger_delete_feature_count_{layer}"),
        ).fetchone()[0]
        if kept == 2:
            row = self.connection.execute(
                "SELECT feature_count FROM gpkg_ogr_contents WHERE lower(table_name) = lower(?)", (layer,)
            ).fetchone()
            if row is not None and row[0] is not None:
                return int(row[0])
        return int(self.connection.execute(f"SELECT count(*) FROM {quote_name(layer)}").fetchone()[0])

    def non_ascii_keys(self, layer: str) -> set[str]:
        """Return the ids of `layer` that are not plain ASCII (see `Transaction.non_ascii_keys`).

        Read through a partial index of those keys (their UTF-8 is longer than the text).
        """
        spec = self._layer(layer)
        self._index(layer, required=True)
        sql = f"SELECT {quote_name(spec.key)} FROM {quote_name(layer)} WHERE {non_ascii(spec.key)}"
        return {k for (k,) in self.connection.execute(sql) if isinstance(k, str) and not k.isascii()}

    # --- writes -------------------------------------------------------------------------------

    def upsert(self, layer: str, frame: gpd.GeoDataFrame, columns: Sequence[str]) -> None:
        """Write `frame`'s rows by key (see `Transaction.upsert`); the layer's extent grows to cover them.

        Raises
        ------
        ValueError
            When `columns` lacks the layer's key or names a field the layer does not have, or `layer` is
            no layer name.
        StoreError
            When the file lacks the layer, or the layer holds a key more than once.
        """
        spec = self._layer(layer)
        unknown = [c for c in columns if c != "geometry" and c not in spec.columns]
        if unknown or spec.key not in columns:
            raise ValueError(f"upsert into {layer}: columns {list(columns)} must hold {spec.key!r} and only "
                             f"fields of the layer (unknown: {unknown})")
        if frame.empty:
            return
        self._index(layer, required=True)
        geometry_column, srs_id = geometry_column_of(self.connection, layer)
        frame = sort_by_key(frame, spec)  # key order: the index grows at its end on a bulk load
        columns = [spec.key, *(c for c in columns if c != spec.key)]
        names = [geometry_column if c == "geometry" else c for c in columns]
        rows = list(zip(*(self._values(frame, spec, c, srs_id) for c in columns), strict=True))
        stored = self.present(layer, spec.key, frame[spec.key]) if self.count(layer) else set()
        is_new = ~frame[spec.key].isin(stored).to_numpy()
        table = quote_name(layer)
        changes = self.connection.total_changes
        if is_new.any():
            new_rows = [row for row, new in zip(rows, is_new, strict=True) if new]
            insert = (
                f"INSERT INTO {table} ({', '.join(map(quote_name, names))}) VALUES ({', '.join('?' * len(names))})"
            )
            if len(new_rows) >= BULK_ROWS and self.count(layer) == 0:
                self._bulk_insert(layer, geometry_column, insert, new_rows, frame[is_new])
            else:
                self.connection.executemany(insert, new_rows)
        if len(names) > 1 and not is_new.all():
            # A patch of the stored rows whose values differ: ?1 is the key, ?2... the given columns.
            sets = ", ".join(f"{quote_name(n)} = ?{i}" for i, n in enumerate(names[1:], start=2))
            differs = " OR ".join(f"{quote_name(n)} IS NOT ?{i}" for i, n in enumerate(names[1:], start=2))
            update = f"UPDATE {table} SET {sets} WHERE {quote_name(spec.key)} = ?1 AND ({differs})"
            self.connection.executemany(update, [row for row, new in zip(rows, is_new, strict=True) if not new])
        if self.connection.total_changes == changes:
            return  # every row was stored already, exactly so: nothing was written
        self.changed.add(layer)
        if "geometry" in columns:
            self._grow_extent(layer, frame.geometry.values)

    def _values(self, frame: gpd.GeoDataFrame, spec: Layer, column: str, srs_id: int) -> list:
        """Convert one column to Python values for sqlite3, stored as GDAL stores that field type."""
        if column == "geometry":
            return gpkg_geometry.encode(frame.geometry.values, srs_id)
        series = frame[column]
        kind = spec.field(column).dtype
        if kind == "date":
            declared = declared_types(self.connection, spec.name).get(column, "DATETIME")
            text = series.dt.strftime("%Y-%m-%d" if declared == "DATE" else "%Y-%m-%dT%H:%M:%S")
            return text.astype(object).where(series.notna(), None).tolist()
        if kind == "bool":
            series = series.astype("boolean").astype("Int64")
        return series.to_numpy(dtype=object, na_value=None).tolist()

    def _bulk_insert(self, layer: str, geometry_column: str, sql: str, rows: list, frame: gpd.GeoDataFrame) -> None:
        """Insert rows into an empty layer as GDAL bulk-loads them.

        The per-row triggers (R-tree entry, feature count) are dropped, the R-tree is written afterwards as
        one packed tree in space-filling-curve order (`gpkg_rtree.write_packed`), the count set once, and
        the triggers are created again exactly as they were. All in the same transaction, so a crash or
        error restores the triggers with everything else.
        """
        execute = self.connection.execute
        rtree = f"rtree_{layer}_{geometry_column}"
        triggers = dict(
            execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = ? AND name IN (?, ?)",
                (layer, f"{rtree}_insert", f"trigger_insert_feature_count_{layer}"),
            ).fetchall()
        )
        for name in triggers:
            execute(f"DROP TRIGGER {quote_name(name)}")
        self.connection.executemany(sql, rows)
        if f"{rtree}_insert" in triggers:
            fid_rows = execute(f"SELECT fid FROM {quote_name(layer)} ORDER BY fid")
            fids = np.array([r[0] for r in fid_rows], dtype=np.int64)
            geoms = frame.geometry.values
            keep = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
            order = np.argsort(gpd.GeoSeries(geoms[keep]).hilbert_distance().to_numpy(), kind="stable")
            bounds = shapely.bounds(geoms[keep])[order]
            gpkg_rtree.write_packed(self.connection, rtree, fids[keep][order], bounds)
        if f"trigger_insert_feature_count_{layer}" in triggers:
            execute(
                f"UPDATE gpkg_ogr_contents SET feature_count = (SELECT count(*) FROM {quote_name(layer)}) "
                "WHERE lower(table_name) = lower(?)",
                (layer,),
            )
        for statement in triggers.values():
            execute(statement)

    def _grow_extent(self, layer: str, geometries: np.ndarray) -> None:
        """Widen `layer`'s extent written so far to the bounds of `geometries` (empty ones aside)."""
        present = geometries[~(shapely.is_missing(geometries) | shapely.is_empty(geometries))]
        if not len(present):
            return
        box = np.asarray(shapely.total_bounds(present))
        if layer in self.extents:
            old = self.extents[layer]
            box = np.array([min(box[0], old[0]), min(box[1], old[1]), max(box[2], old[2]), max(box[3], old[3])])
        self.extents[layer] = box

    def delete(self, layer: str, keys: Collection[str]) -> None:
        """Delete the rows with these ids (see `Transaction.delete`)."""
        spec = self._layer(layer)
        if len(keys) == 0:
            return
        self._index(layer, required=True)
        cursor = self.connection.execute(
            f"DELETE FROM {quote_name(layer)} WHERE {quote_name(spec.key)} IN {LIST_VALUES}", (list_parameter(keys),)
        )
        if cursor.rowcount:
            self.changed.add(layer)
