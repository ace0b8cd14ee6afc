"""The PostGIS schema: Alembic migrations up and down, and the revision a database is at.

Connections (the driver URL and the engine) are `inventory.engine`; no engine is made at import time.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

from inventory.engine import make_engine
from inventory.settings import is_postgres_url  # noqa: F401 - inventory/cli.py still imports it from here

MIGRATIONS = Path(__file__).with_name("migrations")


def alembic_config() -> Config:
    """Return an Alembic configuration for the migrations shipped in `inventory/migrations`.

    Returns
    -------
    alembic.config.Config
        A configuration without an ini file, whose ``script_location`` is `MIGRATIONS`; the migrations
        take their connection from ``config.attributes["connection"]``.
    """
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def upgrade(url: str, revision: str = "head") -> None:
    """Create or upgrade the inventory schema in the database at `url`.

    Runs in one transaction with `inventory.roles.refresh_grants` after the migrations, so tables a
    migration creates or recreates get the viewer and editor grants too; on an error nothing changes.

    Parameters
    ----------
    url : str
        SQLAlchemy URL of the PostGIS database, password included if any.
    revision : str, default "head"
        The Alembic revision to upgrade to: a revision id, ``"head"`` for the newest, or a relative
        one such as ``"+1"``.

    Raises
    ------
    sqlalchemy.exc.SQLAlchemyError
        When the database cannot be reached or a migration fails (e.g. `sqlalchemy.exc.OperationalError`).
    alembic.util.exc.CommandError
        When `revision` names no revision of the shipped migrations.
    """
    engine = make_engine(url)
    try:
        with engine.begin() as connection:
            config = alembic_config()
            config.attributes["connection"] = connection
            command.upgrade(config, revision)
            from inventory.roles import refresh_grants  # new tables get the viewer/editor grants too

            refresh_grants(connection)
    finally:
        engine.dispose()


def downgrade(url: str, revision: str) -> None:
    """Downgrade the inventory schema in the database at `url` to `revision`, in one transaction.

    Parameters
    ----------
    url : str
        SQLAlchemy URL of the PostGIS database, password included if any.
    revision : str
        The Alembic revision to downgrade to: a revision id, ``"base"`` for an empty schema, or a
        relative one such as ``"-1"``.

    Raises
    ------
    sqlalchemy.exc.SQLAlchemyError
        When the database cannot be reached (`sqlalchemy.exc.OperationalError`) or a step fails;
        nothing changes then.
    alembic.util.exc.CommandError
        When `revision` names no revision of the shipped migrations.
    """
    engine = make_engine(url)
    try:
        with engine.begin() as connection:
            config = alembic_config()
            config.attributes["connection"] = connection
            command.downgrade(config, revision)
    finally:
        engine.dispose()


def current_revision(engine: Engine) -> str | None:
    """Return the Alembic revision the database of `engine` is at, or None for a database without one.

    Parameters
    ----------
    engine : sqlalchemy.Engine
        Engine of the PostGIS database; one connection is taken and returned.

    Returns
    -------
    str or None
        The revision id in ``alembic_version``, or None when the database has no such table or row.
    """
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def head_revision() -> str | None:
    """Return the newest Alembic revision shipped with the package.

    Returns
    -------
    str or None
        The head revision id of `MIGRATIONS`, or None if there were no migrations.
    """
    return ScriptDirectory.from_config(alembic_config()).get_current_head()
