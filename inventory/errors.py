"""The named errors of the inventory's stores, in one module that imports nothing of the project.

The model is osmnx's `_errors.py` and networkx's `exception.py`: callers catch a class by its name
(`except StoreBusy:` to retry, `except StoreError:` for any store fault), and modules that raise the same
error need not import each other (`inventory.history` and `inventory.stores.base` both raise these).
Data problems are not here: they are `inventory.problems.DataError`, which carries every problem at once.
"""

from __future__ import annotations


class StoreError(Exception):
    """A store cannot be opened, read or written (not a data problem)."""


class StoreBusy(StoreError):
    """Another writer held the store longer than the busy timeout; nothing was changed."""


class HistoryNotKept(StoreError):
    """A change history was asked of a store that keeps none (a GeoPackage).

    Parameters
    ----------
    store : str
        The store's location, as shown to the user.
    """

    def __init__(self, store: str) -> None:
        """Say that `store` keeps no history, and how to record one (see the class's Parameters)."""
        super().__init__(
            f"history is kept only in PostGIS stores; {store} is a GeoPackage, which holds only the current "
            "inventory. Import it into a PostGIS store (gelsennet db upgrade --db postgresql://..., then gelsennet "
            "import) to record its history from then on"
        )
        self.store = store
