"""Inventory stores behind one interface, chosen by a URL or a path."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

from inventory.settings import is_postgres_url
from inventory.stores.base import MODES, Store, StoreError
from inventory.stores.geopackage import GeoPackageStore
from inventory.stores.postgis_store import PostGISStore

__all__ = ["MODES", "GeoPackageStore", "PostGISStore", "Store", "StoreError", "open_store"]


def open_store(location: str | os.PathLike, *, as_of: dt.datetime | None = None) -> Store:
    """Return the store at `location`: a PostGIS store for a PostgreSQL URL, a GeoPackage store for a `.gpkg` path.

    Opening connects to nothing and creates nothing: the first read or write does (see `Store.read`,
    `Store.write`).

    Parameters
    ----------
    location : str or os.PathLike
        `postgresql://user@host/db` (or `postgresql+psycopg://...`), or a path ending in `.gpkg`
        (optionally written `gpkg:path`).
    as_of : datetime.datetime, optional
        A read-only view of the inventory as it was then (a naive time is Europe/Berlin time). PostGIS only:
        a GeoPackage keeps no history.

    Returns
    -------
    Store
        A `PostGISStore` or a `GeoPackageStore`.

    Raises
    ------
    StoreError
        When `location` is neither a PostgreSQL URL nor a `.gpkg` path (the message says what is expected).
    HistoryNotKept
        A StoreError: `as_of` asked of a GeoPackage.

    Examples
    --------
    >>> from inventory.stores import open_store
    >>> open_store("network.gpkg")
    GeoPackageStore('network.gpkg')
    >>> open_store("network.csv")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    inventory.errors.StoreError: cannot tell the store from 'network.csv': expected a PostgreSQL URL ...
    """
    text = str(location)
    if is_postgres_url(text):
        return PostGISStore(text, as_of=as_of)
    if text.startswith("gpkg:"):
        text = text.removeprefix("gpkg:")
    if Path(text).suffix.lower() != ".gpkg":
        raise StoreError(
            f"cannot tell the store from {text!r}: expected a PostgreSQL URL "
            "(postgresql://user@host/db) or a GeoPackage path ending in .gpkg"
        )
    store = GeoPackageStore(text)
    return store if as_of is None else store.as_of(as_of)
