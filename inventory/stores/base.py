"""The interface both stores implement: read a layer, write layers atomically."""

from __future__ import annotations

import datetime as dt
from abc import ABC, abstractmethod
from collections.abc import Mapping

import geopandas as gpd
import pandas as pd

from inventory.schema import LAYER_ORDER, get_layer

MODES = ("replace", "upsert")


class StoreError(Exception):
    """A store cannot be opened, read or written (not a data problem)."""


class Store(ABC):
    """An inventory store. Every layer reads as a typed GeoDataFrame in EPSG:25832.

    `write` is all-or-nothing: either every given layer lands, or the store is unchanged.
    Callers validate before writing (`inventory.importer`); the store enforces what it can.
    """

    url: str

    @abstractmethod
    def exists(self) -> bool:
        """True when the store holds the inventory layers."""

    @abstractmethod
    def create(self) -> None:
        """Create the empty inventory layers (no-op where they exist)."""

    @abstractmethod
    def read(self, layer: str) -> gpd.GeoDataFrame:
        """The whole layer, ordered by its key."""

    @abstractmethod
    def write(self, frames: Mapping[str, gpd.GeoDataFrame], *, mode: str = "replace") -> None:
        """Replace the given layers' contents, or upsert their rows by key, in one atomic step."""

    @abstractmethod
    def count(self, layer: str) -> int:
        """Number of records in `layer`."""

    def as_of(self, when: dt.datetime) -> Store:
        """A read-only view of the store as it was at `when`; only stores that keep a history have one."""
        from inventory.history import HISTORY_ONLY_IN_POSTGIS

        raise StoreError(HISTORY_ONLY_IN_POSTGIS.format(store=self.url))

    def close(self) -> None:  # noqa: B027 - an optional hook: files hold no connections
        """Release connections (no-op for files)."""

    def read_all(self) -> dict[str, gpd.GeoDataFrame]:
        return {name: self.read(name) for name in LAYER_ORDER}

    def counts(self) -> dict[str, int]:
        return {name: self.count(name) for name in LAYER_ORDER}

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.url!r})"


def check_mode(mode: str) -> None:
    if mode not in MODES:
        raise ValueError(f"unknown mode {mode!r}; expected one of {', '.join(MODES)}")


def merge_upsert(existing: gpd.GeoDataFrame, new: gpd.GeoDataFrame, layer_name: str) -> gpd.GeoDataFrame:
    """Rows of `new` replace rows of `existing` with the same key; other existing rows stay."""
    key = get_layer(layer_name).key
    kept = existing[~existing[key].isin(new[key])]
    merged = pd.concat([kept, new], ignore_index=True) if len(kept) else new.reset_index(drop=True)
    return gpd.GeoDataFrame(merged, geometry="geometry", crs=new.crs or existing.crs)
