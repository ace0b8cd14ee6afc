"""Settings: which store to use, from the command line, the environment or the default."""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = PROJECT_DIR / "data"
SAMPLE_GPKG = DATA_DIR / "gelsenkirchen.gpkg"
ENV_DB = "GELSENNET_DB"


def store_location(explicit: str | None = None) -> str:
    """`explicit` (the --db option), else $GELSENNET_DB, else the embedded sample GeoPackage.

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
    """Whether `location` names a PostgreSQL database (a URL), not a GeoPackage file.

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
    """`location` fit to show or log: a database URL without its password.

    Parameters
    ----------
    location : str
        A store location: a file path or a database URL.

    Returns
    -------
    str
        A path unchanged; a URL with its password written as `***`.

    Examples
    --------
    >>> shown_location("postgresql://gis:secret@db/net")
    'postgresql://gis:***@db/net'
    """
    if not is_postgres_url(location):
        return location
    from sqlalchemy.engine import make_url

    return make_url(location).render_as_string(hide_password=True)
