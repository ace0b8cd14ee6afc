"""Shared pytest fixtures: throwaway PostGIS databases and scratch GeoPackages.

PostGIS tests need a server: ``scripts/test.sh`` starts a throwaway cluster and
sets ``GELSENNET_TEST_DB_URL`` to its maintenance URL. Without one the tests are
skipped, except under ``CI=true`` where a missing server is a failure.

Every test gets its own database ``gelsennet_test_<hex>``, dropped afterwards.
"""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

ENV_URL = "GELSENNET_TEST_DB_URL"
DB_PREFIX = "gelsennet_test_"
# Per-session part of the database names: the end-of-session sweep only drops
# this session's databases, so parallel runs (or xdist workers) sharing one
# server cannot drop each other's.
SESSION_TOKEN = uuid.uuid4().hex[:8]
_created: set[str] = set()  # databases this session made (for the final sweep)


def _under_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() == "true"


def _admin_engine(url: str) -> sa.Engine:
    """An autocommit engine (CREATE/DROP DATABASE cannot run in a transaction)."""
    return sa.create_engine(
        url,
        isolation_level="AUTOCOMMIT",
        poolclass=NullPool,
        connect_args={"connect_timeout": 5},
    )


def _normalise(url: str) -> str:
    """Force the psycopg 3 driver (plain ``postgresql://`` would mean psycopg2)."""
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


def _drop_database(engine: sa.Engine, name: str) -> None:
    with engine.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "postgis: needs a PostGIS server (GELSENNET_TEST_DB_URL, see scripts/test.sh)",
    )


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test that uses the database, so ``-m 'not postgis'`` works."""
    for item in items:
        if "pg_admin_url" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.postgis)


@pytest.fixture(scope="session")
def pg_admin_url() -> str:
    """Maintenance URL of the PostGIS test server; skip (fail under CI) if none."""

    def unavailable(reason: str) -> None:
        if _under_ci():
            pytest.fail(
                f"PostGIS is required under CI=true; run scripts/test.sh. {reason}",
                pytrace=False,
            )
        pytest.skip(reason)

    raw = os.environ.get(ENV_URL, "").strip()
    if not raw:
        unavailable(f"{ENV_URL} is not set; scripts/test.sh starts a server and sets it")
    url = _normalise(raw)
    engine = _admin_engine(url)
    try:
        with engine.connect() as conn:
            has_postgis = conn.execute(sa.text("SELECT 1 FROM pg_available_extensions WHERE name = 'postgis'")).scalar()
    except sa.exc.OperationalError as exc:
        unavailable(f"PostgreSQL at {ENV_URL} is unreachable: {exc.orig}")
    finally:
        engine.dispose()
    if not has_postgis:
        unavailable(f"the PostgreSQL server at {ENV_URL} has no PostGIS extension")
    return url


@contextlib.contextmanager
def _fresh_database(pg_admin_url: str) -> Iterator[str]:
    """URL of a new, empty database (no extensions) on the test server, dropped afterwards."""
    name = f"{DB_PREFIX}{SESSION_TOKEN}_{uuid.uuid4().hex[:12]}"
    admin = _admin_engine(pg_admin_url)
    try:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
        _created.add(name)
        yield make_url(pg_admin_url).set(database=name).render_as_string(hide_password=False)
    finally:
        # FORCE ends connections the test's own engines still hold in their pools.
        _drop_database(admin, name)
        admin.dispose()


@pytest.fixture(scope="session")
def pg_database_factory(pg_admin_url: str) -> Callable[[], contextlib.AbstractContextManager[str]]:
    """Fresh databases on demand, for fixtures of any scope: ``with pg_database_factory() as url:`` gives
    the URL of a new, empty database (no extensions), dropped when the block ends."""
    return lambda: _fresh_database(pg_admin_url)


@pytest.fixture
def pg_url(pg_admin_url: str) -> Iterator[str]:
    """URL of a fresh, empty database (no extensions), dropped after the test."""
    with _fresh_database(pg_admin_url) as url:
        yield url


@pytest.fixture
def pg_other_url(pg_admin_url: str) -> Iterator[str]:
    """A second fresh, empty database on the same server (e.g. a restore target), dropped after the test."""
    with _fresh_database(pg_admin_url) as url:
        yield url


@pytest.fixture
def pg_store(pg_url: str):
    """A store on a fresh database migrated to the current schema."""
    from inventory import postgis
    from inventory.stores import open_store

    postgis.upgrade(pg_url)
    store = open_store(pg_url)
    yield store
    close = getattr(store, "close", None)
    if callable(close):
        close()


@pytest.fixture
def gpkg_path(tmp_path: Path) -> Path:
    """Path for a scratch GeoPackage (not created)."""
    return tmp_path / "test.gpkg"


def pytest_sessionfinish(session: pytest.Session) -> None:
    """Drop any of this session's test databases a crashed teardown left behind."""
    raw = os.environ.get(ENV_URL, "").strip()
    if not raw or not _created:
        return
    pattern = f"{DB_PREFIX}{SESSION_TOKEN}_".replace("_", r"\_") + "%"
    engine = _admin_engine(_normalise(raw))
    try:
        with engine.connect() as conn:
            leftovers = (
                conn.execute(
                    sa.text("SELECT datname FROM pg_database WHERE datname LIKE :p"),
                    {"p": pattern},
                )
                .scalars()
                .all()
            )
        for name in leftovers:
            _drop_database(engine, name)
    except sa.exc.OperationalError:
        return  # server gone or never there: nothing we can clean up
    finally:
        engine.dispose()
    if leftovers:
        reporter = session.config.pluginmanager.get_plugin("terminalreporter")
        if reporter is not None:
            reporter.write_line(f"conftest: dropped leftover test databases {leftovers}")


@pytest.fixture(params=["gpkg", "postgis"])
def store(request: pytest.FixtureRequest, tmp_path: Path):
    """An empty store of each kind: the same test runs against both."""
    from inventory.stores import open_store

    if request.param == "postgis":
        return request.getfixturevalue("pg_store")
    gpkg = open_store(tmp_path / "store.gpkg")
    gpkg.create()
    return gpkg


@pytest.fixture
def small_gpkg(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The small test inventory in a GeoPackage, and $GELSENNET_DB pointing at it (the app's store)."""
    from factories import small_inventory

    from inventory.stores import open_store

    path = tmp_path / "small.gpkg"
    open_store(path).write(small_inventory())
    monkeypatch.setenv("GELSENNET_DB", str(path))
    return path
