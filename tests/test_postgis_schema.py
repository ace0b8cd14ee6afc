"""The PostGIS schema: made by the migrations, equal to the ORM models, enforcing the rules itself."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from inventory import postgis
from inventory.engine import make_engine
from inventory.models import MODELS, Base
from inventory.schema import LAYER_ORDER, LAYERS

GOOD_POINT = "ST_SetSRID(ST_MakePoint(368000, 5710000), 25832)"


@pytest.fixture
def engine(pg_url):
    postgis.upgrade(pg_url)
    engine = make_engine(pg_url)
    yield engine
    engine.dispose()


def test_models_mirror_the_schema():
    for name in LAYER_ORDER:
        table = MODELS[name].__table__
        assert [c.name for c in table.columns] == [*LAYERS[name].columns, "geom", "version"]  # version: store-level
        for f in LAYERS[name].fields:
            assert table.c[f.name].nullable is (not f.required and f.name != LAYERS[name].key), f.name


def test_migrations_build_exactly_the_models(engine):
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        diff = [d for d in compare_metadata(context, Base.metadata) if "spatial_ref_sys" not in str(d)]
    assert diff == []


def test_spatial_indexes_exist(engine):
    with engine.connect() as connection:
        rows = connection.execute(sa.text("SELECT tablename, indexdef FROM pg_indexes WHERE indexdef LIKE '%gist%'"))
        tables = {r.tablename for r in rows}
    assert tables >= set(LAYER_ORDER)


def test_downgrade_and_upgrade_again(pg_url):
    postgis.upgrade(pg_url)
    postgis.downgrade(pg_url, "base")
    engine = make_engine(pg_url)
    assert not set(LAYER_ORDER) & set(sa.inspect(engine).get_table_names())
    engine.dispose()
    postgis.upgrade(pg_url)


NODE = "INSERT INTO nodes (node_id, kind, status, geom) VALUES ('N1', 'pop', 'in_service', " + GOOD_POINT + ")"
ROUTE = (
    "INSERT INTO routes (route_id, status, fibre_count, fibres_used, method, geom) VALUES "
    "('R1', 'in_service', {count}, {used}, {method}, {geom})"
)
LINE = "ST_SetSRID(ST_GeomFromText('LINESTRING(368000 5710000, 368100 5710000)'), 25832)"
VIOLATIONS = {
    "node kind": "INSERT INTO nodes (node_id, kind, status, geom) VALUES ('N2', 'kabinet', 'in_service', "
    + GOOD_POINT + ")",
    "node status": "INSERT INTO nodes (node_id, kind, status, geom) VALUES ('N2', 'pop', 'broken', " + GOOD_POINT + ")",
    "blank id": "INSERT INTO nodes (node_id, kind, status, geom) VALUES ('', 'pop', 'in_service', " + GOOD_POINT + ")",
    "duplicate id": NODE,
    "missing required": "INSERT INTO nodes (node_id, kind, geom) VALUES ('N2', 'pop', " + GOOD_POINT + ")",
    "fibres used > count": ROUTE.format(count=12, used=24, method="NULL", geom=LINE),
    "fibre count range": ROUTE.format(count=0, used=0, method="NULL", geom=LINE),
    "route method": ROUTE.format(count=12, used=1, method="'by_pigeon'", geom=LINE),
    "geometry type": ROUTE.format(count=12, used=1, method="NULL", geom=GOOD_POINT),
    "wrong srid": ROUTE.format(
        count=12, used=1, method="NULL", geom="ST_GeomFromText('LINESTRING(7 51, 7.1 51)', 4326)"
    ),
    "empty geometry": ROUTE.format(
        count=12, used=1, method="NULL", geom="ST_SetSRID(ST_GeomFromText('LINESTRING EMPTY'), 25832)"
    ),
    "invalid polygon": "INSERT INTO districts (district_id, name, level, geom) VALUES ('D', 'D', 'stadtteil', "
    "ST_SetSRID(ST_GeomFromText('MULTIPOLYGON(((0 0, 10 10, 10 0, 0 10, 0 0)))'), 25832))",
    "district level": "INSERT INTO districts (district_id, name, level, geom) VALUES ('D', 'D', 'land', "
    "ST_SetSRID(ST_GeomFromText('MULTIPOLYGON(((0 0, 10 0, 10 10, 0 0)))'), 25832))",
    "dangling handover node": "INSERT INTO sites (site_id, kind, name, connection, handover_node_id, geom) "
    "VALUES ('S1', 'school', 'S', 'connected', 'NOPE', " + GOOD_POINT + ")",
    "site kind": "INSERT INTO sites (site_id, kind, name, connection, geom) VALUES ('S1', 'zoo', 'S', 'none', "
    + GOOD_POINT + ")",
    "negative pupils": "INSERT INTO sites (site_id, kind, name, connection, pupils, geom) "
    "VALUES ('S1', 'school', 'S', 'none', -5, " + GOOD_POINT + ")",
    "area of unknown site": "INSERT INTO site_areas (site_id, geom) VALUES ('NOPE', "
    "ST_SetSRID(ST_GeomFromText('MULTIPOLYGON(((0 0, 10 0, 10 10, 0 0)))'), 25832))",
}


@pytest.mark.parametrize("statement", VIOLATIONS.values(), ids=VIOLATIONS.keys())
def test_the_database_itself_refuses_bad_rows(engine, statement):
    with engine.begin() as connection:
        connection.execute(sa.text(NODE))
    with pytest.raises(sa.exc.DBAPIError), engine.begin() as connection:
        connection.execute(sa.text(statement))
    with engine.connect() as connection:  # and the good row is still there alone
        assert connection.execute(sa.text("SELECT count(*) FROM nodes")).scalar_one() == 1


def test_a_good_row_is_accepted(engine):
    """The control case: the statements above fail for their violation, not for their form."""
    with engine.begin() as connection:
        connection.execute(sa.text(NODE))
        connection.execute(sa.text(ROUTE.format(count=12, used=12, method="'drilling'", geom=LINE)))
        connection.execute(
            sa.text(
                "INSERT INTO sites (site_id, kind, name, connection, handover_node_id, \"symmetric\", geom) "
                "VALUES ('S1', 'school', 'S', 'connected', 'N1', true, " + GOOD_POINT + ")"
            )
        )
