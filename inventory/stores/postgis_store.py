"""The server store: PostGIS tables made by the Alembic migrations, written in one transaction."""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Collection, Iterator, Sequence

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from sqlalchemy import Engine, inspect, text
from sqlalchemy.exc import DBAPIError, OperationalError
from tqdm import tqdm

from inventory.engine import make_engine, normalise_url
from inventory.frames import conform
from inventory.history import BERLIN, app_user, format_time, settle
from inventory.postgis import current_revision, head_revision, upgrade
from inventory.schema import CRS, LAYER_ORDER, SRID, Layer, get_layer
from inventory.settings import shown_location
from inventory.sql_names import quote_name
from inventory.stores.base import BUSY_TIMEOUT_S, Store, StoreBusy, StoreError, Transaction

COPY_CHUNK_ROWS = 20_000


class PostGISStore(Store):
    """The inventory in a PostgreSQL/PostGIS database (tables as in `inventory.models`).

    A write is one transaction (`transaction()`), which first locks the layer tables it may
    change in SHARE ROW EXCLUSIVE mode: writers of one layer run one after the other, so two
    replace imports never mix, and an import's reads cannot go stale before it commits.
    Readers are never blocked. Rows are streamed with COPY into a temporary staging table,
    then merged into the layer table, touching only rows that really differ, so the change
    history (revision 0002) records exactly what changed, under the application user `user`.
    Foreign keys are deferred to commit, so a layer and the layers referencing it may change
    together. Any error rolls everything back.

    With `as_of` the store is a read-only view of the inventory as it was at that instant,
    rebuilt from the history (`as_of()` makes one).

    Parameters
    ----------
    url : str
        A PostgreSQL URL, password included if any (`normalise_url` adds the driver name).
    engine : sqlalchemy.engine.Engine, optional
        An engine to use instead of one made from `url` on first use.
    as_of : datetime.datetime, optional
        For a read-only view of the past: the instant (a naive time is Europe/Berlin time).
    user : str, optional
        The application user recorded in the history; by default `app_user()`.

    Raises
    ------
    sqlalchemy.exc.ArgumentError
        When `url` is not a URL SQLAlchemy can parse.
    ValueError
        When the port of `url` is not a number (SQLAlchemy's `make_url`).
    """

    def __init__(
        self, url: str, *, engine: Engine | None = None, as_of: dt.datetime | None = None, user: str | None = None
    ) -> None:
        """Open the store at `url`; the database is first connected to when it is used (see the class's Parameters)."""
        self.url = normalise_url(url)
        self._engine = engine
        if as_of is not None and as_of.tzinfo is None:
            as_of = as_of.replace(tzinfo=BERLIN)
        self.as_of_time = as_of
        self.user = user if user is not None else app_user()
        self._history_checked = False

    def as_of(self, when: dt.datetime) -> PostGISStore:
        """Return a read-only view of this store as it was at `when` (a naive time is Europe/Berlin time)."""
        return PostGISStore(self.url, as_of=when, user=self.user)

    def __repr__(self) -> str:
        """Return the store's URL without its password, and the instant for a view of the past."""
        if self.as_of_time is None:
            return f"PostGISStore({self._safe_url()!r})"
        return f"PostGISStore({self._safe_url()!r}, as of {format_time(self.as_of_time)})"

    @property
    def engine(self) -> Engine:
        """The SQLAlchemy engine, made on first use (one connection pool per store)."""
        if self._engine is None:
            self._engine = make_engine(self.url)
        return self._engine

    def close(self) -> None:
        """Dispose of the engine and its pooled connections; the next use makes a new one."""
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None

    def _safe_url(self) -> str:
        return shown_location(self.url)

    def _tables(self) -> set[str]:
        try:
            return set(inspect(self.engine).get_table_names())
        except OperationalError as exc:
            raise StoreError(f"cannot connect to {self._safe_url()}: {exc.orig}") from exc

    def exists(self) -> bool:
        """Tell whether the database holds every inventory table; StoreError when it cannot be reached."""
        return set(LAYER_ORDER) <= self._tables()

    def create(self) -> None:
        """Create or upgrade the schema (Alembic `upgrade head`)."""
        self._refuse_write()
        try:
            upgrade(self.url)
        except OperationalError as exc:
            raise StoreError(f"cannot connect to {self._safe_url()}: {exc.orig}") from exc
        except DBAPIError as exc:
            raise StoreError(
                f"cannot create or upgrade the schema of {self._safe_url()}, nothing was changed: {exc.orig}. "
                "Run `gelsennet db upgrade` as the owner of the database"
            ) from exc

    def _refuse_write(self) -> None:
        if self.as_of_time is not None:
            raise StoreError(
                f"{self!r} is a read-only view of the past; write to the current store (without --as-of)"
            )

    def revision(self) -> tuple[str | None, str | None]:
        """Return (current, head) migration revisions."""
        try:
            return current_revision(self.engine), head_revision()
        except OperationalError as exc:
            raise StoreError(f"cannot connect to {self._safe_url()}: {exc.orig}") from exc

    def _require_schema(self) -> None:
        if not self.exists():
            raise StoreError(
                f"{self._safe_url()} has no inventory tables; create them with `gelsennet db upgrade --db URL`"
            )

    def read(self, layer: str) -> gpd.GeoDataFrame:
        """Return the whole `layer`, typed, ordered by its key (see `Store.read`).

        For a view of the past, the layer as it was at `as_of`.

        Raises ValueError for an unknown layer name; StoreError when the database cannot be reached, has no
        inventory tables, or (for a view of the past) keeps no history or none that far back.
        """
        spec = get_layer(layer)
        self._require_schema()
        columns = ", ".join(map(quote_name, spec.columns))
        if self.as_of_time is None:
            sql = text(f"SELECT {columns}, ST_AsBinary(geom) AS geom_wkb FROM {spec.name} "
                       f"ORDER BY {quote_name(spec.key)}")
            params = {}
        else:
            self._check_as_of()
            sql = text(f"SELECT {columns}, ST_AsBinary(geom) AS geom_wkb FROM ({_AS_OF.format(table=spec.name)}) "
                       f"AS r ORDER BY {quote_name(spec.key)}")
            params = {"layer": spec.name, "as_of": self.as_of_time}
        with self.engine.connect() as connection:
            rows = connection.execute(sql, params).fetchall()
        return _frame(rows, spec)

    def read_element(self, layer: str, element_id: str) -> tuple[gpd.GeoDataFrame, int] | None:
        """Return (the element as a one-row layer frame, its version), or None when there is no such element."""
        spec = get_layer(layer)
        self._require_schema()
        if self.as_of_time is not None:
            raise StoreError(f"{self!r} is a view of the past: it has no current versions to edit")
        columns = ", ".join(map(quote_name, spec.columns))
        sql = text(
            f"SELECT {columns}, ST_AsBinary(geom) AS geom_wkb, version FROM {spec.name} "
            f"WHERE {quote_name(spec.key)} = :id"
        )
        with self.engine.connect() as connection:
            row = connection.execute(sql, {"id": element_id}).first()
        if row is None:
            return None
        return _frame([tuple(row)[:-1]], spec), int(row[-1])

    def data_version(self) -> int | None:
        """Return the newest history id: it changes with every recorded change, so caches can follow the data.

        None when the store keeps no history (schema before 0002) or the user may not read it.
        """
        try:
            with self.engine.connect() as connection:
                return int(connection.execute(text("SELECT coalesce(max(id), 0) FROM history")).scalar_one())
        except DBAPIError:
            return None

    def _check_as_of(self) -> None:
        """Check that the as-of instant lies within the recorded history."""
        if self._history_checked:
            return
        if "history" not in self._tables():
            raise StoreError(
                f"{self._safe_url()} keeps no history yet (schema before revision 0002); "
                "upgrade it with `gelsennet db upgrade --db URL`"
            )
        with self.engine.connect() as connection:
            settle(connection)  # no writer between dating its changes and committing them: a stable past
            first = connection.execute(text("SELECT min(changed_at) FROM history")).scalar_one()
        if first is None:
            raise StoreError(f"{self._safe_url()} has no recorded history yet: nothing is known of its past")
        if self.as_of_time < first:
            day = first.astimezone(BERLIN).date().isoformat()
            raise StoreError(
                f"the history of {self._safe_url()} begins at {format_time(first)}; nothing is known of the "
                f"inventory as of {format_time(self.as_of_time)}. Use a later time, e.g. --as-of {day}"
            )
        self._history_checked = True

    def count(self, layer: str) -> int:
        """Return the number of rows in `layer` (at `as_of` for a view of the past); 0 when the table does not exist."""
        spec = get_layer(layer)
        if spec.name not in self._tables():
            return 0
        if self.as_of_time is not None:
            self._check_as_of()
            sql = text(f"SELECT count(*) FROM ({_AS_OF.format(table=spec.name)}) AS r")
            with self.engine.connect() as connection:
                return int(connection.execute(sql, {"layer": spec.name, "as_of": self.as_of_time}).scalar_one())
        with self.engine.connect() as connection:
            return int(connection.execute(text(f"SELECT count(*) FROM {spec.name}")).scalar_one())

    @contextlib.contextmanager
    def transaction(self, layers: Sequence[str], *, commit: bool = True) -> Iterator[Transaction]:
        """Return a write transaction locking `layers` against other writers at once (see `Store.transaction`).

        Constraints are deferred to the commit, `lock_timeout` is `BUSY_TIMEOUT_S`, and the app user is recorded
        for the history. A name in `layers` that is no layer raises ValueError, as in the GeoPackage store.
        Raises `StoreError` for a view of the past, a database without the inventory tables, or a refusal of
        the database (no permission, a broken constraint; `StoreBusy` when a lock was not granted in time);
        nothing changes then.
        """
        for name in layers:
            get_layer(name)  # ValueError for a name that is no layer: it would lock nothing
        self._refuse_write()
        self._require_schema()
        specs = [get_layer(name) for name in LAYER_ORDER if name in layers]
        try:
            with self.engine.connect() as connection, connection.begin() as outer:
                connection.execute(text("SET CONSTRAINTS ALL DEFERRED"))
                connection.execute(text(f"SET LOCAL lock_timeout = '{int(BUSY_TIMEOUT_S * 1000)}ms'"))
                set_app_user(connection, self.user)
                for spec in specs:
                    connection.execute(text(f"LOCK TABLE {spec.name} IN SHARE ROW EXCLUSIVE MODE"))
                yield _PostGISTransaction(connection)
                if not commit:
                    outer.rollback()
        except DBAPIError as exc:
            raise refusal(self.url, exc) from exc


class _PostGISTransaction(Transaction):
    """The `Transaction` of a PostGIS store: one connection inside its open transaction."""

    def __init__(self, connection) -> None:
        self.connection = connection

    def keys(self, layer: str) -> set[str]:
        spec = get_layer(layer)
        rows = self.connection.execute(text(f"SELECT {quote_name(spec.key)} FROM {spec.name}"))
        return {row[0] for row in rows}

    def _select(self, spec: Layer, field: str, values: Collection[str]) -> gpd.GeoDataFrame:
        columns = ", ".join(map(quote_name, spec.columns))
        sql = text(
            f"SELECT {columns}, ST_AsBinary(geom) AS geom_wkb FROM {spec.name} "
            f"WHERE {quote_name(field)} = ANY(:values) ORDER BY {quote_name(spec.key)}"
        )
        return _frame(self.connection.execute(sql, {"values": list(values)}).fetchall(), spec)

    def rows(self, layer: str, keys: Collection[str]) -> gpd.GeoDataFrame:
        spec = get_layer(layer)
        return self._select(spec, spec.key, keys)

    def rows_where(self, layer: str, field: str, values: Collection[str]) -> gpd.GeoDataFrame:
        spec = get_layer(layer)
        spec.field(field)
        return self._select(spec, field, values)

    def present(self, layer: str, field: str, values: Collection[str]) -> set[str]:
        spec = get_layer(layer)
        spec.field(field)
        sql = text(f"SELECT DISTINCT {quote_name(field)} FROM {spec.name} WHERE {quote_name(field)} = ANY(:values)")
        return {row[0] for row in self.connection.execute(sql, {"values": list(values)})}

    def count(self, layer: str) -> int:
        spec = get_layer(layer)
        return int(self.connection.execute(text(f"SELECT count(*) FROM {spec.name}")).scalar_one())

    def upsert(self, layer: str, frame: gpd.GeoDataFrame, columns: Sequence[str]) -> None:
        spec = get_layer(layer)
        if len(frame):
            _upsert(self.connection, spec, frame, columns)

    def delete(self, layer: str, keys: Collection[str]) -> None:
        spec = get_layer(layer)
        if keys:
            self.connection.execute(
                text(f"DELETE FROM {spec.name} WHERE {quote_name(spec.key)} = ANY(:keys)"), {"keys": list(keys)}
            )


def _upsert(connection, spec: Layer, frame: gpd.GeoDataFrame, columns: Sequence[str]) -> None:
    """Stage `frame` with COPY, then update the stored rows whose `columns` differ and insert the new keys."""
    fields = [f for f in spec.fields if f.name in columns or f.name == spec.key]
    staged = [f.name for f in fields] + (["geom"] if "geometry" in columns else [])
    column_list = ", ".join(map(quote_name, staged))
    stage = f"_stage_{spec.name}"
    connection.execute(text(f"DROP TABLE IF EXISTS {stage}"))
    # Column types only (no NOT NULL): a patch stages just the key and the columns it changes.
    connection.execute(
        text(f"CREATE TEMP TABLE {stage} ON COMMIT DROP AS SELECT {column_list} FROM {spec.name} WITH NO DATA")
    )
    cursor = connection.connection.driver_connection.cursor()
    with (
        tqdm(total=len(frame), unit="rows", desc=f"writing {spec.name}", disable=None, leave=False) as progress,
        cursor.copy(f"COPY {stage} ({column_list}) FROM STDIN") as copy,
    ):
        for start in range(0, len(frame), COPY_CHUNK_ROWS):
            chunk = frame.iloc[start : start + COPY_CHUNK_ROWS]
            for row in _rows(chunk, fields, with_geometry="geom" in staged):
                copy.write_row(row)
            progress.update(len(chunk))
    connection.execute(text(f"ANALYZE {stage}"))
    table, key = spec.name, quote_name(spec.key)
    others = [c for c in staged if c != spec.key]
    if others:
        updates = ", ".join(f"{quote_name(c)} = s.{quote_name(c)}" for c in others)
        differs = _row_differs("t", "s", others)
        connection.execute(
            text(f"UPDATE {table} AS t SET {updates} FROM {stage} AS s WHERE s.{key} = t.{key} AND {differs}")
        )
    connection.execute(
        text(
            f"INSERT INTO {table} ({column_list}) SELECT {column_list} FROM {stage} AS s "
            f"WHERE NOT EXISTS (SELECT 1 FROM {table} AS t WHERE t.{key} = s.{key})"
        )
    )
    connection.execute(text(f"DROP TABLE {stage}"))


def refusal(url: str, exc: DBAPIError) -> StoreError:
    """Return the StoreError for a write the database refused; for missing privileges it names the user and the fix.

    Parameters
    ----------
    url : str
        The store's URL; shown without its password.
    exc : sqlalchemy.exc.DBAPIError
        The refusal, wrapping psycopg's error in ``exc.orig``.

    Returns
    -------
    StoreError
        A `StoreBusy` when a lock was not granted in time (`BUSY_TIMEOUT_S`); a StoreError from
        `inventory.roles.permission_denied_message` for missing privileges; else a StoreError quoting the
        database's message. Each says that nothing was changed.
    """
    import psycopg

    if isinstance(exc.orig, psycopg.errors.LockNotAvailable):
        return StoreBusy(
            f"{shown_location(url)} is busy: another import or edit held its layers for over "
            f"{BUSY_TIMEOUT_S:g} s; nothing was changed. Try again"
        )
    if isinstance(exc.orig, psycopg.errors.InsufficientPrivilege):
        from inventory.roles import permission_denied_message

        return StoreError(permission_denied_message(url, str(exc.orig)))
    return StoreError(f"the database refused the write, nothing was changed: {exc.orig}")


def set_app_user(connection, user: str | None) -> None:
    """Name the application user for the history rows of this transaction (like SET LOCAL gelsennet.user).

    Parameters
    ----------
    connection : sqlalchemy.Connection
        A connection in the write transaction; the setting ends with it.
    user : str or None
        The application user's name; None or "" records none (the history's ``app_user`` stays NULL).
    """
    connection.execute(text("SELECT set_config('gelsennet.user', :user, true)"), {"user": user or ""})


def _row_differs(a: str, b: str, columns: list[str]) -> str:
    """Return the SQL condition: row `a` differs from row `b` in any of `columns`.

    NULLs compare equal; geometries bit for bit.
    """

    def value(alias: str, column: str) -> str:
        return f"ST_AsEWKB({alias}.geom)" if column == "geom" else f"{alias}.{quote_name(column)}"

    return f"({', '.join(value(a, c) for c in columns)}) IS DISTINCT FROM ({', '.join(value(b, c) for c in columns)})"


# The rows of a layer as of an instant: each element's newest history row up to then, unless it
# was a delete, turned back into a row of the table's type. Within one element the history id
# orders the changes exactly (row locks serialise them); the time picks what had happened by then.
_AS_OF = (
    "SELECT r.* FROM (SELECT DISTINCT ON (element_id) action, after FROM history "
    "WHERE layer = :layer AND changed_at <= :as_of ORDER BY element_id, id DESC) AS h, "
    "LATERAL jsonb_populate_record(NULL::{table}, h.after) AS r WHERE h.action <> 'delete'"
)


def _frame(rows, spec: Layer) -> gpd.GeoDataFrame:
    """Rows of (fields..., WKB geometry) as the typed layer frame."""
    frame = pd.DataFrame(rows, columns=[*spec.columns, "geom_wkb"])
    geometry = shapely.from_wkb([bytes(b) for b in frame.pop("geom_wkb")]) if len(frame) else []
    frame = gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries(geometry, crs=CRS), crs=CRS)
    return conform(frame, spec)


def _rows(frame: gpd.GeoDataFrame, fields, *, with_geometry: bool = True):
    """COPY rows of `fields`: Python values with None for missing, geometry as hex EWKB."""
    columns = []
    for f in fields:
        series = frame[f.name]
        if f.dtype == "date":
            values = [None if pd.isna(v) else v.date() for v in series]
        else:
            values = series.astype(object).where(series.notna(), None).tolist()
        columns.append(values)
    if with_geometry:
        geoms = shapely.set_srid(np.asarray(frame.geometry.values, dtype=object), SRID)
        columns.append(shapely.to_wkb(geoms, hex=True, include_srid=True).tolist())
    return zip(*columns, strict=True)
