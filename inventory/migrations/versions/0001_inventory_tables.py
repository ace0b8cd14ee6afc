"""The five inventory tables with their constraints and spatial indexes.

Revision ID: 0001
Revises:
Create Date: 2026-11-26

Frozen copy of the schema as of this revision: later schema changes get their own
revision instead of editing this one.
"""

import sqlalchemy as sa
from alembic import op
from geoalchemy2 import Geometry

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

SRID = 25832


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def _between(column: str, low: int, high: int) -> str:
    return f"{column} IS NULL OR {column} BETWEEN {low} AND {high}"


def _geom(kind: str) -> sa.Column:
    return sa.Column("geom", Geometry(geometry_type=kind, srid=SRID, spatial_index=False), nullable=False)


def _geom_ok() -> sa.CheckConstraint:
    return sa.CheckConstraint("ST_IsValid(geom) AND NOT ST_IsEmpty(geom)", name="geom_valid")


STATUSES = ("in_service", "planned", "retired")


def _fk(column: str, target: str, table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], [target], name=f"fk_{table}_{column}", deferrable=True, initially="DEFERRED"
    )


def upgrade() -> None:
    op.execute("CREATE EXTENSION IF NOT EXISTS postgis")
    op.create_table(
        "nodes",
        sa.Column("node_id", sa.Text(), nullable=False),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("name", sa.Text()),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("built_year", sa.Integer()),
        sa.Column("source", sa.Text()),
        _geom("POINT"),
        sa.PrimaryKeyConstraint("node_id", name="pk_nodes"),
        sa.CheckConstraint(
            _in("kind", ("pop", "cabinet", "closure", "chamber", "building_entry", "junction")), name="kind"
        ),
        sa.CheckConstraint(_in("status", STATUSES), name="status"),
        sa.CheckConstraint(_between("built_year", 1950, 2100), name="built_year"),
        sa.CheckConstraint("node_id <> ''", name="node_id_not_blank"),
        _geom_ok(),
    )
    op.create_table(
        "routes",
        sa.Column("route_id", sa.Text(), nullable=False),
        sa.Column("trench_id", sa.Text()),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("fibre_count", sa.Integer()),
        sa.Column("fibres_used", sa.Integer()),
        sa.Column("method", sa.Text()),
        sa.Column("built_year", sa.Integer()),
        sa.Column("planned_date", sa.Date()),
        sa.Column("owner", sa.Text()),
        sa.Column("source", sa.Text()),
        _geom("LINESTRING"),
        sa.PrimaryKeyConstraint("route_id", name="pk_routes"),
        sa.CheckConstraint(_in("status", STATUSES), name="status"),
        sa.CheckConstraint(_between("fibre_count", 1, 10000), name="fibre_count"),
        sa.CheckConstraint(_between("fibres_used", 0, 10000), name="fibres_used"),
        sa.CheckConstraint(
            "fibres_used IS NULL OR fibre_count IS NULL OR fibres_used <= fibre_count",
            name="fibres_used_le_fibre_count",
        ),
        sa.CheckConstraint(
            "method IS NULL OR "
            + _in("method", ("open_trench", "micro_trench", "drilling", "aerial", "existing_duct")),
            name="method",
        ),
        sa.CheckConstraint(_between("built_year", 1950, 2100), name="built_year"),
        sa.CheckConstraint("route_id <> ''", name="route_id_not_blank"),
        _geom_ok(),
    )
    op.create_table(
        "sites",
        sa.Column("site_id", sa.Text(), nullable=False),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("address", sa.Text()),
        sa.Column("district", sa.Text()),
        sa.Column("connection", sa.Text(), nullable=False),
        sa.Column("bandwidth_mbps", sa.Float()),
        sa.Column("symmetric", sa.Boolean()),
        sa.Column("connected_since", sa.Date()),
        sa.Column("planned_date", sa.Date()),
        sa.Column("handover_node_id", sa.Text()),
        sa.Column("pupils", sa.Integer()),
        sa.Column("school_type", sa.Text()),
        sa.Column("source", sa.Text()),
        _geom("POINT"),
        sa.PrimaryKeyConstraint("site_id", name="pk_sites"),
        _fk("handover_node_id", "nodes.node_id", "sites"),
        sa.CheckConstraint(_in("kind", ("school", "business_park", "public_building", "other")), name="kind"),
        sa.CheckConstraint(_in("connection", ("connected", "planned", "none")), name="connection"),
        sa.CheckConstraint(_between("bandwidth_mbps", 0, 1_000_000), name="bandwidth_mbps"),
        sa.CheckConstraint(_between("pupils", 0, 100_000), name="pupils"),
        sa.CheckConstraint("site_id <> ''", name="site_id_not_blank"),
        _geom_ok(),
    )
    op.create_table(
        "site_areas",
        sa.Column("site_id", sa.Text(), nullable=False),
        sa.Column("source", sa.Text()),
        _geom("MULTIPOLYGON"),
        sa.PrimaryKeyConstraint("site_id", name="pk_site_areas"),
        _fk("site_id", "sites.site_id", "site_areas"),
        _geom_ok(),
    )
    op.create_table(
        "districts",
        sa.Column("district_id", sa.Text(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("level", sa.Text(), nullable=False),
        sa.Column("parent_id", sa.Text()),
        sa.Column("source", sa.Text()),
        _geom("MULTIPOLYGON"),
        sa.PrimaryKeyConstraint("district_id", name="pk_districts"),
        _fk("parent_id", "districts.district_id", "districts"),
        sa.CheckConstraint(_in("level", ("stadtbezirk", "stadtteil")), name="level"),
        sa.CheckConstraint("district_id <> ''", name="district_id_not_blank"),
        _geom_ok(),
    )
    for table in ("nodes", "routes", "sites", "site_areas", "districts"):
        op.create_index(f"ix_{table}_geom", table, ["geom"], postgresql_using="gist")
    op.create_index("ix_routes_trench_id", "routes", ["trench_id"])
    op.create_index("ix_sites_handover_node_id", "sites", ["handover_node_id"])


def downgrade() -> None:
    for table in ("site_areas", "districts", "sites", "routes", "nodes"):
        op.drop_table(table)
