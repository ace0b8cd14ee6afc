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

This module opens, creates and locks the file; the reads and writes inside a transaction are
`inventory.stores.gpkg_transaction`'s, and the SQL both use is `inventory.stores.gpkg_sql`'s.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import stat
import uuid
from collections.abc import Iterator, Sequence
from pathlib import Path
from urllib.parse import quote

import geopandas as gpd
import pyogrio

from inventory.frames import empty_frame
from inventory.schema import LAYER_ORDER, Layer, get_layer
from inventory.sql_names import quote_name
from inventory.stores import gpkg_geometry
from inventory.stores.base import BUSY_TIMEOUT_S, Store, StoreError, Transaction
from inventory.stores.gpkg_messages import NOTHING_CHANGED, owner_name, sqlite_error, user_name
from inventory.stores.gpkg_sql import feature_tables, select_rows
from inventory.stores.gpkg_transaction import GeoPackageTransaction

CACHE_KIB = 128 * 1024
"""SQLite page cache per connection: a large write stays in memory until COMMIT."""


class GeoPackageStore(Store):
    """A GeoPackage file holding the five inventory layers (geometry column `geom`, EPSG:25832).

    Writes change the file in place inside one SQLite transaction (see the module docstring).
    The key of every layer has a UNIQUE index and every reference field a plain index (created on
    the first write), so lookups by id cost what the ids asked for cost, not the layer's size.

    Parameters
    ----------
    path : str or os.PathLike
        The GeoPackage file; it need not exist before the first write.
    """

    def __init__(self, path: str | os.PathLike) -> None:
        self.path = Path(path)
        self.url = str(self.path)

    # --- reading ------------------------------------------------------------------------------

    def _target(self) -> Path:
        """Return the file itself: a symlink is followed, so a write lands where the link points."""
        return Path(os.path.realpath(self.path))

    @contextlib.contextmanager
    def _reader(self) -> Iterator[sqlite3.Connection]:
        """Open a connection inside a read transaction: one consistent snapshot for all its queries.

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
            feature_tables(connection, self.path)  # the first read: takes the snapshot, checks the format
            yield connection
        except sqlite3.Error as exc:
            raise sqlite_error(exc, self.path, "read") from exc
        finally:
            with contextlib.suppress(sqlite3.Error):
                connection.execute("ROLLBACK")
            connection.close()

    def _layers(self) -> list[str]:
        with self._reader() as connection:
            return sorted(feature_tables(connection, self.path))

    def exists(self) -> bool:
        """Tell whether the file exists and holds every inventory layer.

        Returns
        -------
        bool
            True when every layer of `inventory.schema.LAYER_ORDER` is in the file; False when the file or
            a layer is missing.

        Raises
        ------
        StoreError
            When the file is no GeoPackage or cannot be read.
        """
        if not self.path.exists():
            return False
        return set(LAYER_ORDER) <= set(self._layers())

    def read(self, layer: str) -> gpd.GeoDataFrame:
        """Read the whole `layer`, typed, ordered by its key (see `Store.read`).

        Parameters
        ----------
        layer : str
            One of `inventory.schema.LAYER_ORDER`: nodes, routes, sites, site_areas, districts.

        Returns
        -------
        geopandas.GeoDataFrame
            One row per stored element: the layer's schema columns, typed, and `geometry` in EPSG:25832
            (metres; a layer stored in another CRS is reprojected).

        Raises
        ------
        ValueError
            For an unknown layer name.
        StoreError
            When the file is missing, not a GeoPackage, cannot be read, or lacks the layer.
        """
        spec = get_layer(layer)
        with self._reader() as connection:
            if layer not in feature_tables(connection, self.path):
                raise StoreError(f"{self.path}: has no layer {layer!r}; run an import or `gelsennet db init`")
            return select_rows(connection, spec)

    def count(self, layer: str) -> int:
        """Count the rows in `layer`.

        Parameters
        ----------
        layer : str
            One of `inventory.schema.LAYER_ORDER`.

        Returns
        -------
        int
            The number of rows; 0 when the file or the layer does not exist.

        Raises
        ------
        ValueError
            For an unknown layer name.
        StoreError
            When the file is no GeoPackage or cannot be read.
        """
        get_layer(layer)
        if not self.path.exists():
            return 0
        with self._reader() as connection:
            if layer not in feature_tables(connection, self.path):
                return 0
            return int(connection.execute(f"SELECT count(*) FROM {quote_name(layer)}").fetchone()[0])

    # --- creating -----------------------------------------------------------------------------

    def create(self) -> None:
        """Create the file or the layers it lacks, then the key and reference indexes.

        A new file is built beside the target and linked into place, so nobody sees it half made; when
        another writer created it meanwhile, theirs is kept.

        Raises
        ------
        StoreError
            When the new file cannot be synced or linked into place (an OSError such as a full disk), or
            the existing file lacks layers and this user may not write it; nothing changed.
        StoreBusy
            When another writer holds the file longer than `BUSY_TIMEOUT_S` (a StoreError too).
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
        """Open a write transaction on the file, creating it first when needed (see `Store.transaction`).

        SQLite's `BEGIN IMMEDIATE` serialises writers. The transaction's indexes are created first
        (`GeoPackageTransaction.prepare`); before COMMIT it sets each changed layer's metadata
        (`GeoPackageTransaction.finish`).

        Parameters
        ----------
        layers : sequence of str
            The layers the transaction may change (others may be read).
        commit : bool
            False for a dry run: everything is rolled back at the end.

        Yields
        ------
        GeoPackageTransaction
            Reads inside it see the transaction's own changes.

        Raises
        ------
        ValueError
            For an unknown layer name.
        StoreBusy
            When another writer holds the file longer than `BUSY_TIMEOUT_S`; nothing changed.
        StoreError
            When the file or its folder cannot be written, or a layer in `layers` holds a key more than
            once; nothing changed.
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


def _connect(path: Path) -> sqlite3.Connection:
    """Open a connection that waits up to BUSY_TIMEOUT_S for other writers and never creates the file."""
    uri = f"file:{quote(str(path))}?mode=rw"
    connection = sqlite3.connect(uri, uri=True, timeout=BUSY_TIMEOUT_S, isolation_level=None)
    gpkg_geometry.register_functions(connection)
    connection.execute(f"PRAGMA cache_size = -{CACHE_KIB}")
    connection.execute("PRAGMA temp_store = MEMORY")
    return connection


def _create_layer(path: Path, spec: Layer) -> None:
    """Add an empty layer, written by GDAL (the GeoPackage tables, R-tree, triggers and metadata)."""
    pyogrio.write_dataframe(
        empty_frame(spec),
        path,
        layer=spec.name,
        driver="GPKG",
        geometry_type=spec.geometry_type,
        layer_options={"GEOMETRY_NAME": "geom", "DESCRIPTION": spec.description, "FID": "fid"},
    )


def _ensure_indexes(path: Path, layers: Sequence[str]) -> None:
    """Create the key and reference indexes of a file no one else has opened yet, in one transaction."""
    connection = _connect(path)
    try:
        connection.execute("BEGIN IMMEDIATE")
        GeoPackageTransaction(connection, path).prepare(layers)
        connection.execute("COMMIT")
    finally:
        connection.close()


def _fsync(path: Path) -> None:
    """Flush a file, or a folder's entries, to the disk."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
