"""Settings: which store to use, from the command line, the environment or the default."""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = PROJECT_DIR / "data"
SAMPLE_GPKG = DATA_DIR / "gelsenkirchen.gpkg"
ENV_DB = "GELSENNET_DB"


def store_location(explicit: str | None = None) -> str:
    """Return `explicit` (the --db option), else $GELSENNET_DB, else the embedded sample GeoPackage.

    Parameters
    ----------
    explicit : str or None, default None
        The location given on the command line or by the caller; None or empty to fall back.

    Returns
    -------
    str
        A store location: a PostgreSQL URL or a GeoPackage path.
    """
    return explicit or os.environ.get(ENV_DB) or str(SAMPLE_GPKG)


def is_postgres_url(location: str) -> bool:
    """Tell whether `location` names a PostgreSQL database (a URL), not a GeoPackage file.

    Parameters
    ----------
    location : str
        A store location: a file path or a database URL.

    Returns
    -------
    bool
        True for ``postgresql:``, ``postgresql+DRIVER:`` and ``postgres:`` URLs.
    """
    return location.startswith(("postgresql:", "postgresql+", "postgres:"))


def shown_location(location: str) -> str:
    """Return `location` fit to show or log: a database URL without its password.

    Parameters
    ----------
    location : str
        A store location: a file path or a database URL.

    Returns
    -------
    str
        A path unchanged; a URL with its password written as `***`.

    Raises
    ------
    sqlalchemy.exc.ArgumentError
        When `location` starts like a PostgreSQL URL but SQLAlchemy cannot parse it.
    ValueError
        When the port of `location` is not a number (SQLAlchemy's `make_url`).

    Examples
    --------
    >>> shown_location("postgresql://gis:secret@db/net")
    'postgresql://gis:***@db/net'
    """
    if not is_postgres_url(location):
        return location
    from sqlalchemy.engine import make_url

    return make_url(location).render_as_string(hide_password=True)


def without_password(url: str, **changes: str) -> str:
    """Return the database URL `url` with no password at all, and with `changes` (e.g. `username`) applied.

    For a URL to print or to hand to another program, where the password belongs in ~/.pgpass or $PGPASSWORD.
    SQLAlchemy's `URL.set(password=None)` keeps the password (None means "unchanged" there), so the URL is
    rebuilt from its parts instead.

    Parameters
    ----------
    url : str
        A SQLAlchemy database URL, with or without a password.
    **changes : str
        Parts to replace: `username`, `drivername`, `host`, `database`.

    Returns
    -------
    str
        The URL as text, everything but the password kept (unless changed).

    Raises
    ------
    sqlalchemy.exc.ArgumentError
        When `url` is not a URL SQLAlchemy can parse.
    ValueError
        When the port of `url` is not a number (SQLAlchemy's `make_url`).

    Examples
    --------
    >>> without_password("postgresql+psycopg://admin:secret@db:5432/net", username="anna")
    'postgresql+psycopg://anna@db:5432/net'
    >>> without_password("postgresql+psycopg://admin:secret@db/net", drivername="postgresql")
    'postgresql://admin@db/net'
    """
    from sqlalchemy.engine import URL, make_url

    parsed = make_url(url)
    parts = {"drivername": parsed.drivername, "username": parsed.username, "host": parsed.host,
             "port": parsed.port, "database": parsed.database, "query": parsed.query, **changes}
    return URL.create(password=None, **parts).render_as_string(hide_password=False)
