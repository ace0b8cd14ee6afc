"""The interface both stores implement: read a layer, write layers atomically."""

from __future__ import annotations

import contextlib
import datetime as dt
from abc import ABC, abstractmethod
from collections.abc import Collection, Mapping, Sequence

import geopandas as gpd
import pandas as pd

from inventory.errors import HistoryNotKept, StoreBusy, StoreError
from inventory.schema import LAYER_ORDER, get_layer

__all__ = ["BUSY_TIMEOUT_S", "MODES", "Store", "StoreBusy", "StoreError", "Transaction"]

MODES = ("replace", "upsert")

BUSY_TIMEOUT_S = 30.0
"""How long a writer waits for another writer's transaction to end before it gives up (`StoreBusy`)."""


class Transaction(ABC):
    """One write transaction on a store, from `Store.transaction()`.

    Reads see the store as this transaction has changed it so far. Writers are serialised: a
    second writer waits for the first to commit (up to BUSY_TIMEOUT_S, then `StoreBusy`), so
    what a transaction read cannot change under it before it commits. Lookups go through the
    store's indexes (the key and every reference field are indexed), so their cost follows the
    number of ids asked for, not the size of the layer.
    """

    @abstractmethod
    def keys(self, layer: str) -> set[str]:
        """Every id of `layer` (the key column only)."""

    def non_ascii_keys(self, layer: str) -> set[str]:
        """Return the ids of `layer` that are not plain ASCII.

        They are the only ones that can equal another id under Unicode compatibility. This default reads
        every id; a store with an index for it overrides it.
        """
        return {k for k in self.keys(layer) if not k.isascii()}

    @abstractmethod
    def rows(self, layer: str, keys: Collection[str]) -> gpd.GeoDataFrame:
        """Return the stored rows with these ids: typed like `Store.read`, every column, ordered by key.

        Ids that are not stored are simply absent.
        """

    @abstractmethod
    def rows_where(self, layer: str, field: str, values: Collection[str]) -> gpd.GeoDataFrame:
        """Return the stored rows of `layer` whose text `field` is one of `values`, typed and ordered by key.

        For example the sites whose handover_node_id is a node about to be deleted.
        """

    @abstractmethod
    def present(self, layer: str, field: str, values: Collection[str]) -> set[str]:
        """Which of `values` occur in `field` of `layer` (for reference checks)."""

    @abstractmethod
    def count(self, layer: str) -> int:
        """Return the number of rows in `layer` now."""

    @abstractmethod
    def upsert(self, layer: str, frame: gpd.GeoDataFrame, columns: Sequence[str]) -> None:
        """Write `frame`'s rows by key.

        A stored id gets only `columns` changed (a patch; "geometry" stands for the geometry); a new id
        is inserted with `columns` and every other field empty. `frame` is typed (all schema columns and
        `geometry`, as `check_frame` gives); `columns` always holds the key.
        """

    @abstractmethod
    def delete(self, layer: str, keys: Collection[str]) -> None:
        """Delete the rows with these ids (ids not stored are ignored)."""


class Store(ABC):
    """An inventory store. Every layer reads as a typed GeoDataFrame in EPSG:25832.

    `write` is all-or-nothing: either every given layer lands, or the store is unchanged.
    Callers validate before writing (`inventory.importer`); the store enforces what it can.
    """

    url: str

    @abstractmethod
    def exists(self) -> bool:
        """Tell whether the store holds the inventory layers."""

    @abstractmethod
    def create(self) -> None:
        """Create the empty inventory layers (no-op where they exist)."""

    @abstractmethod
    def read(self, layer: str) -> gpd.GeoDataFrame:
        """Return the whole layer, typed and ordered by its key.

        Parameters
        ----------
        layer : str
            One of `inventory.schema.LAYER_ORDER`: nodes, routes, sites, site_areas, districts.

        Returns
        -------
        geopandas.GeoDataFrame
            One row per stored element: the layer's schema columns, typed (`inventory.schema`), and `geometry`
            in EPSG:25832 (metres).

        Raises
        ------
        ValueError
            For an unknown layer name (the message lists the layers).
        StoreError
            When the store cannot be reached or read, or lacks the layer (the message says how to create it).
        """

    def transaction(
        self, layers: Sequence[str], *, commit: bool = True
    ) -> contextlib.AbstractContextManager[Transaction]:
        """Return a write transaction that may change `layers`, as a context manager.

        It commits when the block ends normally and `commit` is true; it rolls back when the block raises, or
        at the end when `commit` is false (a dry run). PostGIS locks `layers` against other writers at once;
        a GeoPackage serialises writers with SQLite's write lock.

        Parameters
        ----------
        layers : sequence of str
            The layers the transaction may change (others may be read).
        commit : bool
            False for a dry run: everything is rolled back at the end.

        Returns
        -------
        contextlib.AbstractContextManager of Transaction
            Reads inside it see the transaction's own changes.

        Raises
        ------
        ValueError
            For an unknown layer name.
        StoreBusy
            When another writer holds the store longer than `BUSY_TIMEOUT_S` (30 s); nothing changed.
        StoreError
            When the store cannot be written (read-only file, disk full, permission denied, a view of the
            past); nothing changed.
        """
        raise NotImplementedError(f"{type(self).__name__} has no write transactions yet")

    def write(self, frames: Mapping[str, gpd.GeoDataFrame], *, mode: str = "replace") -> None:
        """Replace the given layers' contents, or upsert their rows by key, in one transaction.

        All or nothing: either every given layer lands, or the store is unchanged. Callers validate first
        (`inventory.importer`, `inventory.validation.check_frame`); the store enforces what it can (unique keys,
        references in PostGIS).

        Parameters
        ----------
        frames : mapping of str to geopandas.GeoDataFrame
            Per layer name, the typed rows (every schema column and `geometry`, EPSG:25832), as `check_frame`
            gives them.
        mode : {'replace', 'upsert'}
            'replace': the layer holds exactly these rows afterwards; 'upsert': rows are inserted or updated by
            key, other stored rows stay.

        Raises
        ------
        ValueError
            For an unknown mode or layer name (before anything is written).
        StoreBusy, StoreError
            As `transaction`; nothing changed.
        """
        check_mode(mode)
        names = [name for name in LAYER_ORDER if name in frames]
        for name in frames:
            get_layer(name)
        with self.transaction(names) as tx:
            for name in names:
                spec = get_layer(name)
                frame = frames[name]
                if mode == "replace":
                    tx.delete(name, tx.keys(name) - set(frame[spec.key].dropna()))
                tx.upsert(name, frame, [*spec.columns, "geometry"])

    @abstractmethod
    def count(self, layer: str) -> int:
        """Return the number of records in `layer`."""

    def as_of(self, when: dt.datetime) -> Store:
        """Return a read-only view of the store as it was at `when`.

        Only stores that keep a history have one (`HistoryNotKept` otherwise).
        """
        raise HistoryNotKept(self.url)

    def close(self) -> None:  # noqa: B027 - an optional hook: files hold no connections
        """Release connections (no-op for files)."""

    def read_all(self) -> dict[str, gpd.GeoDataFrame]:
        """Every layer, by name, in `LAYER_ORDER` (see `read` for the errors)."""
        return {name: self.read(name) for name in LAYER_ORDER}

    def counts(self) -> dict[str, int]:
        """Return the row count of every layer, by name, in `LAYER_ORDER`."""
        return {name: self.count(name) for name in LAYER_ORDER}

    def __repr__(self) -> str:
        """Return the store's class and location, e.g. `GeoPackageStore('data/gelsenkirchen.gpkg')`."""
        return f"{type(self).__name__}({self.url!r})"


def check_mode(mode: str) -> None:
    """Refuse a write mode other than those of `MODES`.

    Parameters
    ----------
    mode : str
        The write mode asked for: ``"replace"`` or ``"upsert"``.

    Raises
    ------
    ValueError
        When `mode` is not one of `MODES` (the message lists them).

    Examples
    --------
    >>> check_mode("upsert")
    >>> check_mode("append")
    Traceback (most recent call last):
    ...
    ValueError: unknown mode 'append'; expected one of replace, upsert
    """
    if mode not in MODES:
        raise ValueError(f"unknown mode {mode!r}; expected one of {', '.join(MODES)}")


def merge_upsert(existing: gpd.GeoDataFrame, new: gpd.GeoDataFrame, layer_name: str) -> gpd.GeoDataFrame:
    """Rows of `new` replace rows of `existing` with the same key; other existing rows stay.

    Parameters
    ----------
    existing : geopandas.GeoDataFrame
        The stored rows of the layer, typed, with ``geometry``.
    new : geopandas.GeoDataFrame
        The rows to write, same columns; their keys should be unique.
    layer_name : str
        The layer's name (`inventory.schema.LAYER_ORDER`), for its key column.

    Returns
    -------
    geopandas.GeoDataFrame
        The existing rows not in `new` (in their order), then the rows of `new`; index 0..n-1, the CRS of
        `new` (else of `existing`).

    Raises
    ------
    ValueError
        For an unknown layer name.
    """
    key = get_layer(layer_name).key
    kept = existing[~existing[key].isin(new[key])]
    merged = pd.concat([kept, new], ignore_index=True) if len(kept) else new.reset_index(drop=True)
    return gpd.GeoDataFrame(merged, geometry="geometry", crs=new.crs or existing.crs)
