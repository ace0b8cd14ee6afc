"""The test infrastructure itself: per-test PostGIS databases and the CI gate."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

_seen_databases: list[str] = []


def _engine(url: str) -> sa.Engine:
    return sa.create_engine(url, poolclass=NullPool)


def _database_exists(admin_url: str, name: str) -> bool:
    engine = _engine(admin_url)
    try:
        with engine.connect() as conn:
            return bool(conn.execute(sa.text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}).scalar())
    finally:
        engine.dispose()


def test_pg_url_database_exists(pg_admin_url: str, pg_url: str) -> None:
    url = make_url(pg_url)
    assert url.drivername == "postgresql+psycopg"
    assert url.database.startswith("gelsennet_test_")
    assert _database_exists(pg_admin_url, url.database)
    engine = _engine(pg_url)
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT current_database()")).scalar() == url.database
    engine.dispose()


def test_postgis_extension_can_be_created(pg_url: str) -> None:
    engine = _engine(pg_url)
    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE EXTENSION postgis")
    with engine.connect() as conn:
        assert "POSTGIS=" in conn.execute(sa.text("SELECT postgis_full_version()")).scalar()
        point = conn.execute(
            sa.text("SELECT ST_AsText(ST_Transform(ST_SetSRID(ST_MakePoint(7.1, 51.5), 4326), 25832))")
        ).scalar()
        assert point.startswith("POINT(")
    engine.dispose()


@pytest.mark.parametrize("run", ["first", "second"])
def test_each_test_gets_a_fresh_database(pg_admin_url: str, pg_url: str, run: str) -> None:
    name = make_url(pg_url).database
    assert name not in _seen_databases
    # Databases of earlier tests have already been dropped.
    assert not [db for db in _seen_databases if _database_exists(pg_admin_url, db)]
    _seen_databases.append(name)
    engine = _engine(pg_url)
    with engine.connect() as conn:  # empty: no extension survives from another test
        assert conn.execute(sa.text("SELECT count(*) FROM pg_extension")).scalar() == 1
    engine.dispose()


def test_gpkg_path_is_a_fresh_path(gpkg_path: Path) -> None:
    assert gpkg_path.name == "test.gpkg"
    assert gpkg_path.parent.is_dir()
    assert not gpkg_path.exists()


@pytest.mark.parametrize(("ci", "outcome"), [("true", "1 error"), ("", "1 skipped")])
def test_missing_server_fails_under_ci_and_skips_otherwise(ci: str, outcome: str) -> None:
    env = {k: v for k, v in os.environ.items() if k != "GELSENNET_TEST_DB_URL"}
    env["CI"] = ci
    here = Path(__file__).resolve()
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-p",
            "no:cacheprovider",
            "-q",
            "-rs",
            f"{here}::test_pg_url_database_exists",
        ],
        cwd=here.parent.parent,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert outcome in result.stdout, result.stdout + result.stderr
    if ci:
        assert result.returncode == 1
        assert "PostGIS is required under CI=true; run scripts/test.sh" in result.stdout
    else:
        assert result.returncode == 0
