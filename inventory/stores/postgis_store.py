"""The server store: PostGIS tables made by the Alembic migrations, written in one transaction."""

from __future__ import annotations

from collections.abc import Mapping

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from sqlalchemy import Engine, inspect, text
from sqlalchemy.exc import DBAPIError, OperationalError
from tqdm import tqdm

from inventory.frames import conform
from inventory.postgis import current_revision, head_revision, make_engine, normalise_url, upgrade
from inventory.schema import CRS, LAYER_ORDER, SRID, Layer, get_layer
from inventory.stores.base import Store, StoreError, check_mode

COPY_CHUNK_ROWS = 20_000


class PostGISStore(Store):
    """The inventory in a PostgreSQL/PostGIS database (tables as in `inventory.models`).

    A write is one transaction: rows are streamed with COPY into a temporary staging
    table, then moved into the layer table (replace: delete and insert; upsert:
    insert ... on conflict update). Foreign keys are deferred to commit, so a layer and
    the layers referencing it may change together. Any error rolls everything back.
    """

    def __init__(self, url: str, *, engine: Engine | None = None) -> None:
        self.url = normalise_url(url)
        self._engine = engine

    @property
    def engine(self) -> Engine:
        if self._engine is None:
            self._engine = make_engine(self.url)
        return self._engine

    def close(self) -> None:
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None

    def _safe_url(self) -> str:
        from sqlalchemy.engine import make_url

        return make_url(self.url).render_as_string(hide_password=True)

    def _tables(self) -> set[str]:
        try:
            return set(inspect(self.engine).get_table_names())
        except OperationalError as exc:
            raise StoreError(f"cannot connect to {self._safe_url()}: {exc.orig}") from exc

    def exists(self) -> bool:
        return set(LAYER_ORDER) <= self._tables()

    def create(self) -> None:
        """Create or upgrade the schema (Alembic `upgrade head`)."""
        upgrade(self.url)

    def revision(self) -> tuple[str | None, str | None]:
        """(current, head) migration revisions."""
        return current_revision(self.engine), head_revision()

    def _require_schema(self) -> None:
        if not self.exists():
            raise StoreError(
                f"{self._safe_url()} has no inventory tables; create them with `gelsennet db upgrade --db URL`"
            )

    def read(self, layer: str) -> gpd.GeoDataFrame:
        spec = get_layer(layer)
        self._require_schema()
        columns = ", ".join(map(_q, spec.columns))
        sql = text(f"SELECT {columns}, ST_AsBinary(geom) AS geom_wkb FROM {spec.name} ORDER BY {_q(spec.key)}")
        with self.engine.connect() as connection:
            result = connection.execute(sql)
            rows = result.fetchall()
        frame = pd.DataFrame(rows, columns=[*spec.columns, "geom_wkb"])
        geometry = shapely.from_wkb([bytes(b) for b in frame.pop("geom_wkb")]) if len(frame) else []
        frame = gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries(geometry, crs=CRS), crs=CRS)
        return conform(frame, spec)

    def count(self, layer: str) -> int:
        spec = get_layer(layer)
        if spec.name not in self._tables():
            return 0
        with self.engine.connect() as connection:
            return int(connection.execute(text(f"SELECT count(*) FROM {spec.name}")).scalar_one())

    def write(self, frames: Mapping[str, gpd.GeoDataFrame], *, mode: str = "replace") -> None:
        check_mode(mode)
        self._require_schema()
        specs = [get_layer(name) for name in LAYER_ORDER if name in frames]
        total = sum(len(frames[s.name]) for s in specs)
        with tqdm(total=total, unit="rows", desc="writing", disable=None, leave=False) as progress:
            try:
                with self.engine.begin() as connection:
                    connection.execute(text("SET CONSTRAINTS ALL DEFERRED"))
                    for spec in specs:
                        _write_layer(connection, spec, frames[spec.name], mode, progress)
            except DBAPIError as exc:
                raise StoreError(f"the database refused the write, nothing was changed: {exc.orig}") from exc


def _write_layer(connection, spec: Layer, frame: gpd.GeoDataFrame, mode: str, progress: tqdm) -> None:
    columns = [*spec.columns, "geom"]
    column_list = ", ".join(map(_q, columns))
    stage = f"_stage_{spec.name}"
    connection.execute(text(f"DROP TABLE IF EXISTS {stage}"))
    connection.execute(text(f"CREATE TEMP TABLE {stage} (LIKE {spec.name} INCLUDING DEFAULTS) ON COMMIT DROP"))
    cursor = connection.connection.driver_connection.cursor()
    with cursor.copy(f"COPY {stage} ({column_list}) FROM STDIN") as copy:
        for start in range(0, len(frame), COPY_CHUNK_ROWS):
            chunk = frame.iloc[start : start + COPY_CHUNK_ROWS]
            for row in _rows(chunk, spec):
                copy.write_row(row)
            progress.update(len(chunk))
    if mode == "replace":
        connection.execute(text(f"DELETE FROM {spec.name}"))
        connection.execute(text(f"INSERT INTO {spec.name} ({column_list}) SELECT {column_list} FROM {stage}"))
    else:
        updates = ", ".join(f"{_q(c)} = EXCLUDED.{_q(c)}" for c in columns if c != spec.key)
        connection.execute(
            text(
                f"INSERT INTO {spec.name} ({column_list}) SELECT {column_list} FROM {stage} "
                f"ON CONFLICT ({_q(spec.key)}) DO UPDATE SET {updates}"
            )
        )
    connection.execute(text(f"DROP TABLE {stage}"))


def _q(identifier: str) -> str:
    """A quoted SQL identifier (some field names, like `symmetric`, are reserved words)."""
    return '"' + identifier.replace('"', '""') + '"'


def _rows(frame: gpd.GeoDataFrame, spec: Layer):
    """COPY rows: Python values with None for missing, geometry as hex EWKB."""
    columns = []
    for f in spec.fields:
        series = frame[f.name]
        if f.dtype == "date":
            values = [None if pd.isna(v) else v.date() for v in series]
        else:
            values = series.astype(object).where(series.notna(), None).tolist()
        columns.append(values)
    geoms = shapely.set_srid(np.asarray(frame.geometry.values, dtype=object), SRID)
    columns.append(shapely.to_wkb(geoms, hex=True, include_srid=True).tolist())
    return zip(*columns, strict=True)
