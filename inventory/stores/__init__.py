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
    """A PostGIS store for `postgresql://...` URLs, a GeoPackage store for `.gpkg` paths.

    With `as_of`, a read-only view of the inventory as it was then (PostGIS only: a
    GeoPackage keeps no history, and asking it for one raises a StoreError).
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
