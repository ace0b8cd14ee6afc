"""The embedded store: one GeoPackage file, written in place in SQLite transactions.

A GeoPackage is an SQLite database, so the store writes it the way SQLite is made to be written:
`BEGIN IMMEDIATE` (one writer at a time; a second one waits up to `BUSY_TIMEOUT_S`, then gets
`StoreBusy` with nothing changed), indexed row changes, `COMMIT`. SQLite's rollback journal (or the
write-ahead log, when QGIS has put the file in WAL mode) makes a transaction all-or-nothing even when
the writer is killed or the disk fills up; the next connection rolls a dead writer's journal back.
The file is never copied or replaced, so a symlink stays a link, the file keeps its mode, owner and
inode, and programs that hold it open (QGIS, the app, another import) keep seeing one database.

Reads and writes both go through Python's `sqlite3`. GDAL (pyogrio) only creates new files: it
brings its own copy of SQLite, and two copies of SQLite in one process release each other's POSIX
locks when one of them closes the file (https://www.sqlite.org/howtocorrupt.html, 2.2.1).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import sqlite3
import stat
import uuid
from collections.abc import Collection, Iterator, Sequence
from pathlib import Path
from urllib.parse import quote

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely

from inventory import qgis_styles
from inventory.frames import conform, empty_frame, sort_by_key
from inventory.schema import CRS, LAYER_ORDER, SRID, Layer, get_layer
from inventory.stores import gpkg_geometry, gpkg_rtree
from inventory.stores.base import BUSY_TIMEOUT_S, Store, StoreError, Transaction
from inventory.stores.gpkg_messages import NOTHING_CHANGED, owner_name, sqlite_error, user_name

BULK_ROWS = 5_000
"""From this many rows into an empty layer, the R-tree is written packed after the rows
(`inventory.stores.gpkg_rtree`), not by a trigger per row (as GDAL does for bulk loads)."""
CACHE_KIB = 128 * 1024
"""SQLite page cache per connection: a large write stays in memory until COMMIT."""


class GeoPackageStore(Store):
    """A GeoPackage file holding the five inventory layers (geometry column `geom`, EPSG:25832).

    Writes change the file in place inside one SQLite transaction (see the module docstring).
    The key of every layer has a UNIQUE index and every reference field a plain index (created on
    the first write), so lookups by id cost what the ids asked for cost, not the layer's size.
    """

    def __init__(self, path: str | os.PathLike) -> None:
        self.path = Path(path)
        self.url = str(self.path)

    # --- reading ------------------------------------------------------------------------------

    def _target(self) -> Path:
        """The file itself: a symlink is followed, so a write lands where the link points."""
        return Path(os.path.realpath(self.path))

    @contextlib.contextmanager
    def _reader(self) -> Iterator[sqlite3.Connection]:
        """A connection inside a read transaction: one consistent snapshot for all its queries.

        Opened read-write when the file allows it, so that SQLite rolls back the journal of a
        writer that was killed (a "hot journal") before anything is read.
        """
        if not self.path.exists():
            raise StoreError(f"{self.path}: no such GeoPackage; create it with `gelsennet demo` or an import")
        try:
            connection = _connect(self._target())
        except sqlite3.Error as exc:
            raise sqlite_error(exc, self.path, "open") from exc
        try:
            connection.execute("BEGIN")
            _gpkg_tables(connection, self.path)  # the first read: takes the snapshot, checks the format
            yield connection
        except sqlite3.Error as exc:
            raise sqlite_error(exc, self.path, "read") from exc
        finally:
            with contextlib.suppress(sqlite3.Error):
                connection.execute("ROLLBACK")
            connection.close()

    def _layers(self) -> list[str]:
        with self._reader() as connection:
            return sorted(_gpkg_tables(connection, self.path))

    def exists(self) -> bool:
        """True when the file exists and holds every inventory layer; StoreError when it is no GeoPackage."""
        if not self.path.exists():
            return False
        return set(LAYER_ORDER) <= set(self._layers())

    def read(self, layer: str) -> gpd.GeoDataFrame:
        """The whole `layer`, typed, ordered by its key (see `Store.read`).

        Raises ValueError for an unknown layer name; StoreError when the file is missing, not a GeoPackage,
        cannot be read, or lacks the layer.
        """
        spec = get_layer(layer)
        with self._reader() as connection:
            if layer not in _gpkg_tables(connection, self.path):
                raise StoreError(f"{self.path}: has no layer {layer!r}; run an import or `gelsennet db init`")
            return _select(connection, spec)

    def count(self, layer: str) -> int:
        """Number of rows in `layer`; 0 when the file or the layer does not exist (ValueError for an unknown name)."""
        get_layer(layer)
        if not self.path.exists():
            return 0
        with self._reader() as connection:
            if layer not in _gpkg_tables(connection, self.path):
                return 0
            return int(connection.execute(f"SELECT count(*) FROM {_q(layer)}").fetchone()[0])

    # --- creating -----------------------------------------------------------------------------

    def create(self) -> None:
        """Create the file (a new file is built beside it and linked into place, so nobody sees it
        half made) or the layers it lacks, then the key and reference indexes.
        """
        target = self._target()
        if not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            scratch = target.with_name(f".{target.stem}.{os.getpid()}.{uuid.uuid4().hex[:8]}.new.gpkg")
            try:
                for name in LAYER_ORDER:
                    _create_layer(scratch, get_layer(name))
                _ensure_indexes(scratch, LAYER_ORDER)
                _fsync(scratch)
                with contextlib.suppress(FileExistsError):  # another writer created it meanwhile: keep theirs
                    os.link(scratch, target)
                _fsync(target.parent)
            except OSError as exc:
                raise StoreError(f"{target}: cannot create the GeoPackage ({exc}); {NOTHING_CHANGED}") from exc
            finally:
                scratch.unlink(missing_ok=True)
        missing = [name for name in LAYER_ORDER if name not in self._layers()]
        if missing:
            self._check_writable(target)
            for name in missing:  # GDAL writes these itself; no connection of ours is open now
                _create_layer(target, get_layer(name))
        with self.transaction([]):
            pass  # creates the indexes

    # --- writing ------------------------------------------------------------------------------

    @contextlib.contextmanager
    def transaction(self, layers: Sequence[str], *, commit: bool = True) -> Iterator[Transaction]:
        """A write transaction on the file, creating it first when needed (see `Store.transaction`).

        SQLite's `BEGIN IMMEDIATE` serialises writers. Raises ValueError for an unknown layer name, `StoreBusy`
        when another writer holds the file longer than `BUSY_TIMEOUT_S`, `StoreError` when the file or its
        folder cannot be written; the file is unchanged then.
        """
        for name in layers:
            get_layer(name)
        if not self.exists():
            self.create()
        target = self._target()
        self._check_writable(target)
        try:
            connection = _connect(target)
            journal = connection.execute("PRAGMA journal_mode").fetchone()[0].lower()
        except sqlite3.Error as exc:
            raise sqlite_error(exc, target, "open") from exc
        try:
            self._check_folder(target, journal)
            try:
                connection.execute("BEGIN IMMEDIATE")
            except sqlite3.Error as exc:
                raise sqlite_error(exc, target, "start writing") from exc
            tx = GeoPackageTransaction(connection, target)
            try:
                tx.prepare(layers)
                yield tx
                if commit:
                    tx.finish()
                    connection.execute("COMMIT")
                else:
                    connection.execute("ROLLBACK")
            except BaseException as exc:
                with contextlib.suppress(sqlite3.Error):
                    connection.execute("ROLLBACK")
                if isinstance(exc, sqlite3.Error):
                    raise sqlite_error(exc, target, "write") from exc
                raise
        finally:
            connection.close()

    def _check_writable(self, target: Path) -> None:
        """Refuse, before anything is written, a file this user may not (or should not) write."""
        mode = target.stat().st_mode
        user = user_name()
        if not os.access(target, os.W_OK):
            raise StoreError(
                f"{target}: permission denied: user {user} may not write this GeoPackage "
                f"(mode {stat.filemode(mode)}, owner {owner_name(target)}); {NOTHING_CHANGED}. "
                "Ask its owner for write access (e.g. `chmod g+w` for a shared group) or import into a copy"
            )
        if not mode & 0o222:
            raise StoreError(
                f"{target}: the GeoPackage is write-protected (mode {stat.filemode(mode)}); {NOTHING_CHANGED}. "
                "Make it writable first (`chmod u+w`) if it is meant to change"
            )

    @staticmethod
    def _check_folder(target: Path, journal: str) -> None:
        """SQLite keeps its journal (store.gpkg-journal, or -wal and -shm in WAL mode) beside the file."""
        folder = target.parent
        if journal == "wal":
            side = [target.with_name(target.name + s) for s in ("-wal", "-shm")]
            if all(p.exists() and os.access(p, os.W_OK) for p in side):
                return
        if not os.access(folder, os.W_OK | os.X_OK):
            raise StoreError(
                f"{target}: permission denied: SQLite must create its journal file in {folder} to change the "
                f"GeoPackage safely, and user {user_name()} may not create files there; {NOTHING_CHANGED}. "
                "Allow writing to that folder or import into a copy in a folder of yours"
            )


class GeoPackageTransaction(Transaction):
    """One `BEGIN IMMEDIATE` ... `COMMIT` on a GeoPackage (from `GeoPackageStore.transaction`)."""

    def __init__(self, connection: sqlite3.Connection, path: Path) -> None:
        self.connection = connection
        self.path = path
        self.changed: set[str] = set()
        self.extents: dict[str, np.ndarray] = {}
        """Bounds (minx, miny, maxx, maxy) of the geometries written per layer."""
        self._indexed: set[str] = set()

    # --- setup and end ------------------------------------------------------------------------

    def prepare(self, layers: Sequence[str]) -> None:
        """Create the indexes: for every layer present; a key index must succeed on `layers`."""
        present = _gpkg_tables(self.connection, self.path)
        for name in LAYER_ORDER:
            if name in present:
                self._index(name, required=name in layers)

    def _index(self, layer: str, *, required: bool) -> None:
        if layer in self._indexed:
            return
        spec = get_layer(layer)
        execute = self.connection.execute
        for f in spec.fields:
            if f.references:
                execute(f"CREATE INDEX IF NOT EXISTS {_q(_index_name(layer, f.name))} ON {_q(layer)}({_q(f.name)})")
        execute(
            f"CREATE INDEX IF NOT EXISTS {_q(_index_name(layer, spec.key + '_non_ascii'))} "
            f"ON {_q(layer)}({_q(spec.key)}) WHERE {_non_ascii(spec.key)}"
        )
        execute("SAVEPOINT unique_key")
        try:
            execute(
                f"CREATE UNIQUE INDEX IF NOT EXISTS {_q(_index_name(layer, spec.key, unique=True))} "
                f"ON {_q(layer)}({_q(spec.key)})"
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
        rows = self.connection.execute(
            f"SELECT {_q(spec.key)}, count(*) FROM {_q(spec.name)} WHERE {_q(spec.key)} IS NOT NULL "
            f"GROUP BY 1 HAVING count(*) > 1 ORDER BY 1 LIMIT 10"
        ).fetchall()
        shown = ", ".join(f"{key!r} ({n} times)" for key, n in rows)
        return (
            f"{self.path}: layer {spec.name} holds {spec.key} values more than once ({shown}), "
            f"so rows cannot be matched by id; {NOTHING_CHANGED}. Give each {spec.name} record its own "
            f"{spec.key} (e.g. in QGIS) and run the import again"
        )

    def finish(self) -> None:
        """Before COMMIT: each changed layer's last_change (as GDAL sets it) and grown extent."""
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
        spec = get_layer(layer)
        if layer not in _gpkg_tables(self.connection, self.path):
            raise StoreError(f"{self.path}: has no layer {layer!r}; run an import or `gelsennet db init`")
        return spec

    def keys(self, layer: str) -> set[str]:
        """Every id of `layer` (see `Transaction.keys`); StoreError when the file lacks the layer."""
        spec = self._layer(layer)
        sql = f"SELECT {_q(spec.key)} FROM {_q(layer)} WHERE {_q(spec.key)} IS NOT NULL"
        return {row[0] for row in self.connection.execute(sql)}

    def rows(self, layer: str, keys: Collection[str]) -> gpd.GeoDataFrame:
        """The stored rows with these ids (see `Transaction.rows`)."""
        return self.rows_where(layer, get_layer(layer).key, keys)

    def rows_where(self, layer: str, field: str, values: Collection[str]) -> gpd.GeoDataFrame:
        """The rows whose `field` is one of `values` (see `Transaction.rows_where`); KeyError for an unknown field."""
        spec = self._layer(layer)
        spec.field(field)
        return _select(self.connection, spec, f"WHERE {_q(field)} IN {_VALUES}", (_json(values),))

    def present(self, layer: str, field: str, values: Collection[str]) -> set[str]:
        """Which of `values` occur in `field` (see `Transaction.present`); KeyError for an unknown field."""
        spec = self._layer(layer)
        spec.field(field)
        sql = f"SELECT DISTINCT {_q(field)} FROM {_q(layer)} WHERE {_q(field)} IN {_VALUES}"
        return {row[0] for row in self.connection.execute(sql, (_json(values),))}

    def count(self, layer: str) -> int:
        """The row count GDAL keeps in gpkg_ogr_contents when its insert and delete triggers keep it
        (as GDAL itself reads it), else `count(*)`, which reads a whole index.
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
        return int(self.connection.execute(f"SELECT count(*) FROM {_q(layer)}").fetchone()[0])

    def non_ascii_keys(self, layer: str) -> set[str]:
        """Through a partial index of the keys that are not plain ASCII (UTF-8 longer than the text)."""
        spec = self._layer(layer)
        self._index(layer, required=True)
        sql = f"SELECT {_q(spec.key)} FROM {_q(layer)} WHERE {_non_ascii(spec.key)}"
        return {k for (k,) in self.connection.execute(sql) if isinstance(k, str) and not k.isascii()}

    # --- writes -------------------------------------------------------------------------------

    def upsert(self, layer: str, frame: gpd.GeoDataFrame, columns: Sequence[str]) -> None:
        """Write `frame`'s rows by key (see `Transaction.upsert`); the layer's extent grows to cover them."""
        spec = self._layer(layer)
        unknown = [c for c in columns if c != "geometry" and c not in spec.columns]
        if unknown or spec.key not in columns:
            raise ValueError(f"upsert into {layer}: columns {list(columns)} must hold {spec.key!r} and only "
                             f"fields of the layer (unknown: {unknown})")
        if frame.empty:
            return
        self._index(layer, required=True)
        geometry_column, srs_id = _geometry_column(self.connection, layer)
        frame = sort_by_key(frame, spec)  # key order: the index grows at its end on a bulk load
        columns = [spec.key, *(c for c in columns if c != spec.key)]
        names = [geometry_column if c == "geometry" else c for c in columns]
        rows = list(zip(*(self._values(frame, spec, c, srs_id) for c in columns), strict=True))
        stored = self.present(layer, spec.key, frame[spec.key]) if self.count(layer) else set()
        is_new = ~frame[spec.key].isin(stored).to_numpy()
        table = _q(layer)
        changes = self.connection.total_changes
        if is_new.any():
            new_rows = [row for row, new in zip(rows, is_new, strict=True) if new]
            insert = f"INSERT INTO {table} ({', '.join(map(_q, names))}) VALUES ({', '.join('?' * len(names))})"
            if len(new_rows) >= BULK_ROWS and self.count(layer) == 0:
                self._bulk_insert(layer, geometry_column, insert, new_rows, frame[is_new])
            else:
                self.connection.executemany(insert, new_rows)
        if len(names) > 1 and not is_new.all():
            # A patch of the stored rows whose values differ: ?1 is the key, ?2... the given columns.
            sets = ", ".join(f"{_q(n)} = ?{i}" for i, n in enumerate(names[1:], start=2))
            differs = " OR ".join(f"{_q(n)} IS NOT ?{i}" for i, n in enumerate(names[1:], start=2))
            update = f"UPDATE {table} SET {sets} WHERE {_q(spec.key)} = ?1 AND ({differs})"
            self.connection.executemany(update, [row for row, new in zip(rows, is_new, strict=True) if not new])
        if self.connection.total_changes == changes:
            return  # every row was stored already, exactly so: nothing was written
        self.changed.add(layer)
        if "geometry" in columns:
            self._grow_extent(layer, frame.geometry.values)

    def _values(self, frame: gpd.GeoDataFrame, spec: Layer, column: str, srs_id: int) -> list:
        """One column as Python values for sqlite3, stored as GDAL stores that field type."""
        if column == "geometry":
            return gpkg_geometry.encode(frame.geometry.values, srs_id)
        series = frame[column]
        kind = spec.field(column).dtype
        if kind == "date":
            declared = _declared_types(self.connection, spec.name).get(column, "DATETIME")
            text = series.dt.strftime("%Y-%m-%d" if declared == "DATE" else "%Y-%m-%dT%H:%M:%S")
            return text.astype(object).where(series.notna(), None).tolist()
        if kind == "bool":
            series = series.astype("boolean").astype("Int64")
        return series.to_numpy(dtype=object, na_value=None).tolist()

    def _bulk_insert(self, layer: str, geometry_column: str, sql: str, rows: list, frame: gpd.GeoDataFrame) -> None:
        """Rows into an empty layer as GDAL bulk-loads them: the per-row triggers (R-tree entry, feature
        count) are dropped, the R-tree is written afterwards as one packed tree in space-filling-curve order
        (`gpkg_rtree.write_packed`), the
        count set once, and the triggers are created again exactly as they were. All in the same
        transaction, so a crash or error restores the triggers with everything else.
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
            execute(f"DROP TRIGGER {_q(name)}")
        self.connection.executemany(sql, rows)
        if f"{rtree}_insert" in triggers:
            fids = np.array([r[0] for r in execute(f"SELECT fid FROM {_q(layer)} ORDER BY fid")], dtype=np.int64)
            geoms = frame.geometry.values
            keep = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
            order = np.argsort(gpd.GeoSeries(geoms[keep]).hilbert_distance().to_numpy(), kind="stable")
            bounds = shapely.bounds(geoms[keep])[order]
            gpkg_rtree.write_packed(self.connection, rtree, fids[keep][order], bounds)
        if f"trigger_insert_feature_count_{layer}" in triggers:
            execute(
                f"UPDATE gpkg_ogr_contents SET feature_count = (SELECT count(*) FROM {_q(layer)}) "
                "WHERE lower(table_name) = lower(?)",
                (layer,),
            )
        for statement in triggers.values():
            execute(statement)

    def _grow_extent(self, layer: str, geometries: np.ndarray) -> None:
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
            f"DELETE FROM {_q(layer)} WHERE {_q(spec.key)} IN {_VALUES}", (_json(keys),)
        )
        if cursor.rowcount:
            self.changed.add(layer)


# --- SQL helpers ----------------------------------------------------------------------------------

_VALUES = "(SELECT value FROM json_each(?))"
"""A list of any length as one parameter (a JSON array), looked up through the column's index."""


def _q(name: str) -> str:
    """An SQL identifier, quoted."""
    return '"' + name.replace('"', '""') + '"'


def _non_ascii(column: str) -> str:
    """True for text that is not plain ASCII (or holds a NUL): its UTF-8 has more bytes than characters.
    Built-in functions only, so every SQLite (QGIS, GDAL) can keep a partial index on it.
    """
    return f"length({_q(column)}) != length(CAST({_q(column)} AS BLOB))"


def _json(values: Collection) -> str:
    series = pd.Series(list(values) if not isinstance(values, pd.Series) else values, dtype=object)
    return json.dumps(series.dropna().astype(str).tolist())


def _index_name(layer: str, field: str, *, unique: bool = False) -> str:
    return f"gelsennet_{layer}_{field}_{'unique' if unique else 'lookup'}"


def _connect(path: Path) -> sqlite3.Connection:
    """A connection that waits up to BUSY_TIMEOUT_S for other writers and never creates the file."""
    uri = f"file:{quote(str(path))}?mode=rw"
    connection = sqlite3.connect(uri, uri=True, timeout=BUSY_TIMEOUT_S, isolation_level=None)
    gpkg_geometry.register_functions(connection)
    connection.execute(f"PRAGMA cache_size = -{CACHE_KIB}")
    connection.execute("PRAGMA temp_store = MEMORY")
    return connection


def _gpkg_tables(connection: sqlite3.Connection, path: Path) -> set[str]:
    """The feature tables listed in gpkg_contents that exist; StoreError if this is no GeoPackage."""
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


def _geometry_column(connection: sqlite3.Connection, layer: str) -> tuple[str, int]:
    row = connection.execute(
        "SELECT column_name, srs_id FROM gpkg_geometry_columns WHERE table_name = ?", (layer,)
    ).fetchone()
    return (row[0], int(row[1])) if row else ("geom", SRID)


def _declared_types(connection: sqlite3.Connection, layer: str) -> dict[str, str]:
    return {row[1]: str(row[2]).upper() for row in connection.execute(f"PRAGMA table_info({_q(layer)})")}


def _layer_crs(connection: sqlite3.Connection, srs_id: int) -> str:
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


def _select(connection: sqlite3.Connection, spec: Layer, where: str = "", params: tuple = ()) -> gpd.GeoDataFrame:
    """The rows of `spec`'s layer matching `where`, typed like every layer (`inventory.frames.conform`)."""
    geometry_column, srs_id = _geometry_column(connection, spec.name)
    declared = _declared_types(connection, spec.name)
    columns = [c for c in spec.columns if c in declared]
    names = ", ".join(_q(c) for c in [*columns, geometry_column])
    rows = connection.execute(f"SELECT {names} FROM {_q(spec.name)} {where}", params).fetchall()
    data = dict(zip([*columns, "geometry"], map(list, zip(*rows, strict=True)), strict=True)) if rows else {}
    blobs = data.pop("geometry", [])
    frame = pd.DataFrame({c: pd.Series(data.get(c, []), dtype=object) for c in columns})
    for f in spec.fields:
        if f.dtype == "date" and f.name in frame:
            frame[f.name] = _dates(frame[f.name])
    crs = _layer_crs(connection, srs_id)
    geometry = gpd.GeoSeries(gpkg_geometry.decode(blobs), crs=crs)
    out = gpd.GeoDataFrame(frame, geometry=geometry, crs=crs)
    if crs != CRS and not out.empty:
        out = out.to_crs(CRS)
    return sort_by_key(conform(out, spec), spec)


def _dates(series: pd.Series) -> pd.Series:
    """Stored dates ('2024-05-01', '2024-05-01T00:00:00', '...Z' as GDAL and QGIS write them)."""
    stamps = pd.to_datetime(series, format="ISO8601", utc=True)
    return stamps.dt.tz_convert(None).astype("datetime64[ms]")


def _create_layer(path: Path, spec: Layer) -> None:
    """An empty layer, written by GDAL (the GeoPackage tables, R-tree, triggers and metadata)."""
    pyogrio.write_dataframe(
        empty_frame(spec),
        path,
        layer=spec.name,
        driver="GPKG",
        geometry_type=spec.geometry_type,
        layer_options={"GEOMETRY_NAME": "geom", "DESCRIPTION": spec.description, "FID": "fid"},
    )


def _ensure_indexes(path: Path, layers: Sequence[str]) -> None:
    connection = _connect(path)
    try:
        connection.execute("BEGIN IMMEDIATE")
        GeoPackageTransaction(connection, path).prepare(layers)
        connection.execute("COMMIT")
    finally:
        connection.close()


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
