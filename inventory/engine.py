"""PostGIS connections: a database URL with the psycopg 3 driver, and a SQLAlchemy engine for it.

No engine is made at import time. Whether a location is a database URL at all is
`inventory.settings.is_postgres_url`; the schema (Alembic migrations) is `inventory.postgis`.
"""

from __future__ import annotations

from sqlalchemy import Engine, create_engine
from sqlalchemy.engine import make_url


def normalise_url(url: str) -> str:
    """`url` with the psycopg 3 driver where it names none (`postgresql://`, `postgres://`).

    Parameters
    ----------
    url : str
        A PostgreSQL URL (SQLAlchemy's form), password included if any.

    Returns
    -------
    str
        The URL as SQLAlchemy renders it, password kept, driver ``postgresql+psycopg`` unless another was named.

    Raises
    ------
    sqlalchemy.exc.ArgumentError
        When `url` is not a URL SQLAlchemy can parse.
    ValueError
        When the port of `url` is not a number (SQLAlchemy's `make_url`).
    """
    parsed = make_url(url.replace("postgres://", "postgresql://", 1) if url.startswith("postgres://") else url)
    if parsed.drivername == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


def make_engine(url: str) -> Engine:
    """Return a pooled engine for `url` (`normalise_url`) that tests each connection before use (pre-ping).

    Parameters
    ----------
    url : str
        A PostgreSQL URL.

    Returns
    -------
    sqlalchemy.Engine
        Connects lazily, on first use; dispose of it when done.
    """
    return create_engine(normalise_url(url), pool_pre_ping=True)
