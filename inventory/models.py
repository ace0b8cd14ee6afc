"""SQLAlchemy 2 ORM models of the inventory tables in PostGIS (GeoAlchemy2 geometry columns).

They mirror `inventory.schema` column for column; a test checks that they do and that
the Alembic migrations produce exactly these tables. Constraints live in the database:
enums and ranges as CHECK constraints, references as deferrable foreign keys, geometry
type and SRID in the column type, validity and non-emptiness as CHECKs.
"""

from __future__ import annotations

import datetime as dt

from geoalchemy2 import Geometry
from sqlalchemy import Boolean, Date, Float, ForeignKey, Index, Integer, MetaData, Text
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
    metadata = MetaData(naming_convention=NAMING)


def _geometry(kind: str) -> Geometry:
    # The GiST index is declared explicitly per table, so migrations and models agree.
    return Geometry(geometry_type=kind, srid=SRID, spatial_index=False)


def _deferred_fk(target: str) -> ForeignKey:
    # Deferred to commit, so that one transaction may replace a referenced layer whole.
    return ForeignKey(target, deferrable=True, initially="DEFERRED")


class Node(Base):
    __tablename__ = "nodes"
    node_id: Mapped[str] = mapped_column(Text, primary_key=True)
    kind: Mapped[str] = mapped_column(Text)
    name: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(Text)
    built_year: Mapped[int | None] = mapped_column(Integer)
    source: Mapped[str | None] = mapped_column(Text)
    geom = mapped_column(_geometry("POINT"), nullable=False)
    __table_args__ = (Index("ix_nodes_geom", "geom", postgresql_using="gist"),)


class Route(Base):
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
    __table_args__ = (
        Index("ix_routes_geom", "geom", postgresql_using="gist"),
        Index("ix_routes_trench_id", "trench_id"),
    )


class Site(Base):
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
    __table_args__ = (
        Index("ix_sites_geom", "geom", postgresql_using="gist"),
        Index("ix_sites_handover_node_id", "handover_node_id"),
    )


class SiteArea(Base):
    __tablename__ = "site_areas"
    site_id: Mapped[str] = mapped_column(Text, _deferred_fk("sites.site_id"), primary_key=True)
    source: Mapped[str | None] = mapped_column(Text)
    geom = mapped_column(_geometry("MULTIPOLYGON"), nullable=False)
    __table_args__ = (Index("ix_site_areas_geom", "geom", postgresql_using="gist"),)


class District(Base):
    __tablename__ = "districts"
    district_id: Mapped[str] = mapped_column(Text, primary_key=True)
    name: Mapped[str] = mapped_column(Text)
    level: Mapped[str] = mapped_column(Text)
    parent_id: Mapped[str | None] = mapped_column(Text, _deferred_fk("districts.district_id"))
    source: Mapped[str | None] = mapped_column(Text)
    geom = mapped_column(_geometry("MULTIPOLYGON"), nullable=False)
    __table_args__ = (Index("ix_districts_geom", "geom", postgresql_using="gist"),)


MODELS = {m.__tablename__: m for m in (Node, Route, Site, SiteArea, District)}
