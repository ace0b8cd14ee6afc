"""SQLAlchemy 2 ORM models of the inventory tables in PostGIS (GeoAlchemy2 geometry columns).

They mirror `inventory.schema` column for column; a test checks that they do and that
the Alembic migrations produce exactly these tables. Constraints live in the database:
enums and ranges as CHECK constraints, references as deferrable foreign keys, geometry
type and SRID in the column type, validity and non-emptiness as CHECKs.

Besides the schema's fields every layer table has a `version` column (a store-level
column for optimistic locking, kept by a trigger, never read into a layer frame), and
`History` is the change log the triggers of revision 0002 write (see `inventory.history`).
"""

from __future__ import annotations

import datetime as dt

from geoalchemy2 import Geometry
from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    Text,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from inventory.schema import SRID

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_name)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """The SQLAlchemy base of the inventory tables, with the constraint naming convention `NAMING`.

    Parameters
    ----------
    **kwargs
        Column values of the mapped subclass by attribute name. SQLAlchemy's declarative constructor sets
        them; columns not given stay unset (None, or the database's server default on insert).
    """

    metadata = MetaData(naming_convention=NAMING)


def _geometry(kind: str) -> Geometry:
    # The GiST index is declared explicitly per table, so migrations and models agree.
    return Geometry(geometry_type=kind, srid=SRID, spatial_index=False)


def _version() -> Mapped[int]:
    # Owned by the trigger `history_version` (revision 0002): +1 on every real change.
    return mapped_column(Integer, nullable=False, server_default=text("1"))


def _deferred_fk(target: str) -> ForeignKey:
    # Deferred to commit, so that one transaction may replace a referenced layer whole.
    return ForeignKey(target, deferrable=True, initially="DEFERRED")


class Node(Base):
    """Table `nodes`: POPs, distribution points, handover points and junctions (points, EPSG:25832).

    Parameters
    ----------
    **kwargs
        Column values by attribute name, e.g. `node_id`, `kind`, `status`, `geom` as a GeoAlchemy2 element or
        EWKT string in EPSG:25832. SQLAlchemy's declarative constructor sets them; columns not given stay
        unset (None, or the database's server default on insert).
    """

    __tablename__ = "nodes"
    node_id: Mapped[str] = mapped_column(Text, primary_key=True)
    kind: Mapped[str] = mapped_column(Text)
    name: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(Text)
    built_year: Mapped[int | None] = mapped_column(Integer)
    source: Mapped[str | None] = mapped_column(Text)
    geom = mapped_column(_geometry("POINT"), nullable=False)
    version: Mapped[int] = _version()
    __table_args__ = (Index("ix_nodes_geom", "geom", postgresql_using="gist"),)


class Route(Base):
    """Table `routes`: fibre routes (lines, EPSG:25832), with their trench, status and fibre counts.

    Parameters
    ----------
    **kwargs
        Column values by attribute name, e.g. `route_id`, `status`, `fibre_count` (fibres), `geom` as a
        GeoAlchemy2 element or EWKT string in EPSG:25832. SQLAlchemy's declarative constructor sets them;
        columns not given stay unset (None, or the database's server default on insert).
    """

    __tablename__ = "routes"
    route_id: Mapped[str] = mapped_column(Text, primary_key=True)
    trench_id: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(Text)
    fibre_count: Mapped[int | None] = mapped_column(Integer)
    fibres_used: Mapped[int | None] = mapped_column(Integer)
    method: Mapped[str | None] = mapped_column(Text)
    built_year: Mapped[int | None] = mapped_column(Integer)
    planned_date: Mapped[dt.date | None] = mapped_column(Date)
    owner: Mapped[str | None] = mapped_column(Text)
    source: Mapped[str | None] = mapped_column(Text)
    geom = mapped_column(_geometry("LINESTRING"), nullable=False)
    version: Mapped[int] = _version()
    __table_args__ = (
        Index("ix_routes_geom", "geom", postgresql_using="gist"),
        Index("ix_routes_trench_id", "trench_id"),
    )


class Site(Base):
    """Table `sites`: schools, public buildings and business parks (points, EPSG:25832) and their connection.

    Parameters
    ----------
    **kwargs
        Column values by attribute name, e.g. `site_id`, `kind`, `bandwidth_mbps` (Mbit/s), `geom` as a
        GeoAlchemy2 element or EWKT string in EPSG:25832. SQLAlchemy's declarative constructor sets them;
        columns not given stay unset (None, or the database's server default on insert).
    """

    __tablename__ = "sites"
    site_id: Mapped[str] = mapped_column(Text, primary_key=True)
    kind: Mapped[str] = mapped_column(Text)
    name: Mapped[str] = mapped_column(Text)
    address: Mapped[str | None] = mapped_column(Text)
    district: Mapped[str | None] = mapped_column(Text)
    connection: Mapped[str] = mapped_column(Text)
    bandwidth_mbps: Mapped[float | None] = mapped_column(Float)
    symmetric: Mapped[bool | None] = mapped_column(Boolean)
    connected_since: Mapped[dt.date | None] = mapped_column(Date)
    planned_date: Mapped[dt.date | None] = mapped_column(Date)
    handover_node_id: Mapped[str | None] = mapped_column(Text, _deferred_fk("nodes.node_id"))
    pupils: Mapped[int | None] = mapped_column(Integer)
    school_type: Mapped[str | None] = mapped_column(Text)
    source: Mapped[str | None] = mapped_column(Text)
    geom = mapped_column(_geometry("POINT"), nullable=False)
    version: Mapped[int] = _version()
    __table_args__ = (
        Index("ix_sites_geom", "geom", postgresql_using="gist"),
        Index("ix_sites_handover_node_id", "handover_node_id"),
    )


class SiteArea(Base):
    """Table `site_areas`: the grounds of a site (multipolygons, EPSG:25832), one per site.

    Parameters
    ----------
    **kwargs
        Column values by attribute name: `site_id`, `source`, `geom` as a GeoAlchemy2 element or EWKT string
        in EPSG:25832. SQLAlchemy's declarative constructor sets them; columns not given stay unset (None, or
        the database's server default on insert).
    """

    __tablename__ = "site_areas"
    site_id: Mapped[str] = mapped_column(Text, _deferred_fk("sites.site_id"), primary_key=True)
    source: Mapped[str | None] = mapped_column(Text)
    geom = mapped_column(_geometry("MULTIPOLYGON"), nullable=False)
    version: Mapped[int] = _version()
    __table_args__ = (Index("ix_site_areas_geom", "geom", postgresql_using="gist"),)


class District(Base):
    """Table `districts`: city districts (multipolygons, EPSG:25832) for the KPIs.

    Parameters
    ----------
    **kwargs
        Column values by attribute name: `district_id`, `name`, `level`, `parent_id`, `source`, `geom` as a
        GeoAlchemy2 element or EWKT string in EPSG:25832. SQLAlchemy's declarative constructor sets them;
        columns not given stay unset (None, or the database's server default on insert).
    """

    __tablename__ = "districts"
    district_id: Mapped[str] = mapped_column(Text, primary_key=True)
    name: Mapped[str] = mapped_column(Text)
    level: Mapped[str] = mapped_column(Text)
    parent_id: Mapped[str | None] = mapped_column(Text, _deferred_fk("districts.district_id"))
    source: Mapped[str | None] = mapped_column(Text)
    geom = mapped_column(_geometry("MULTIPOLYGON"), nullable=False)
    version: Mapped[int] = _version()
    __table_args__ = (Index("ix_districts_geom", "geom", postgresql_using="gist"),)


MODELS = {m.__tablename__: m for m in (Node, Route, Site, SiteArea, District)}
"""The layer tables by layer name."""


class History(Base):
    """One real change of one element (or its `baseline` when history began); written by triggers only.

    Parameters
    ----------
    **kwargs
        Column values by attribute name, e.g. `layer`, `element_id`, `action`, `before` and `after` (JSON
        dicts); only the triggers write rows, code reads them. SQLAlchemy's declarative constructor sets them;
        columns not given stay unset (None, or the database's server default on insert).
    """

    __tablename__ = "history"
    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    layer: Mapped[str] = mapped_column(Text)
    element_id: Mapped[str] = mapped_column(Text)
    action: Mapped[str] = mapped_column(Text)
    version: Mapped[int] = mapped_column(Integer)
    changed_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), server_default=text("transaction_timestamp()")
    )
    db_user: Mapped[str] = mapped_column(Text, server_default=text("session_user"))
    app_user: Mapped[str | None] = mapped_column(
        Text, server_default=text("nullif(current_setting('gelsennet.user', true), '')")
    )
    txid: Mapped[int] = mapped_column(BigInteger, server_default=text("txid_current()"))
    before: Mapped[dict | None] = mapped_column(JSONB)
    after: Mapped[dict | None] = mapped_column(JSONB)
    # Set at commit by the trigger `history_stamp` (revision 0003), with `changed_at`; None before 0003.
    commit_seq: Mapped[int | None] = mapped_column(BigInteger)
    __table_args__ = (
        CheckConstraint("action IN ('insert', 'update', 'delete', 'baseline')", name="action"),
        Index("ix_history_layer_element_id", "layer", "element_id", "id"),
        Index("ix_history_changed_at", "changed_at"),
        Index("ix_history_txid", "txid"),
    )


class HistoryClock(Base):
    """One row, locked by `history_stamp` from a writer's stamp to its commit (revision 0003).

    Parameters
    ----------
    **kwargs
        Column values by attribute name: `id`, always 1. SQLAlchemy's declarative constructor sets them;
        columns not given stay unset (None, or the database's server default on insert).
    """

    __tablename__ = "history_clock"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    __table_args__ = (CheckConstraint("id = 1", name="one_row"),)
