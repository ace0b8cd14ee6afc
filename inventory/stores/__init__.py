"""Inventory stores behind one interface, chosen by a URL or a path."""

from __future__ import annotations

import os
from pathlib import Path

from inventory.postgis import is_postgres_url
from inventory.stores.base import MODES, Store, StoreError
from inventory.stores.geopackage import GeoPackageStore
from inventory.stores.postgis_store import PostGISStore

__all__ = ["MODES", "GeoPackageStore", "PostGISStore", "Store", "StoreError", "open_store"]


def open_store(location: str | os.PathLike) -> Store:
    """A PostGIS store for `postgresql://...` URLs, a GeoPackage store for `.gpkg` paths."""
    text = str(location)
    if is_postgres_url(text):
        return PostGISStore(text)
    if text.startswith("gpkg:"):
        text = text.removeprefix("gpkg:")
    if Path(text).suffix.lower() != ".gpkg":
        raise StoreError(
            f"cannot tell the store from {text!r}: expected a PostgreSQL URL "
            "(postgresql://user@host/db) or a GeoPackage path ending in .gpkg"
        )
    return GeoPackageStore(text)
