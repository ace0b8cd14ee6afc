"""What an import changes: the fields a file changes per stored record, and the digest of a plan.

Equal digests, equal plans: by the digest `inventory.importer` sees that the store changed since a plan was shown.
"""

from __future__ import annotations

import hashlib

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from inventory.schema import Layer

GEOMETRY_TOLERANCE_M = 1e-6
"""Stored and imported geometries closer than this (vertex by vertex, metres) are the same: a round
trip through a text format (GeoJSON, WKT) may change the last bits of a coordinate."""


def differences(
    base: gpd.GeoDataFrame, patched: gpd.GeoDataFrame, columns, spec: Layer
) -> tuple[dict[str, list[str]], dict[str, np.ndarray]]:
    """Return the carried fields whose value the file changes, per existing id and per field.

    Geometries count as changed when a vertex moved by more than `GEOMETRY_TOLERANCE_M`.

    Parameters
    ----------
    base : geopandas.GeoDataFrame
        The stored rows of the existing ids, aligned row by row with `patched`, EPSG:25832.
    patched : geopandas.GeoDataFrame
        The same rows with the file's values applied, one row per existing id.
    columns : iterable of str
        The fields the file carries (may include "geometry"; the key is skipped).
    spec : inventory.schema.Layer
        The layer; `spec.key` names the id column.

    Returns
    -------
    by_id : dict of str to list of str
        Each existing id to the fields the file changes (an empty list: unchanged).
    by_field : dict of str to ndarray
        Each carried field to an ndarray (n,) of bool, one per row: which rows it changes.
    """
    ids = patched[spec.key].tolist()
    flags = {}
    for name in columns:
        if name == "geometry":
            same = shapely.equals_exact(
                np.asarray(base.geometry.values, dtype=object),
                np.asarray(patched.geometry.values, dtype=object),
                tolerance=GEOMETRY_TOLERANCE_M,
            )
            flags[name] = ~np.asarray(same, dtype=bool)
        elif name != spec.key:
            flags[name] = column_changed(base[name], patched[name])
    return {k: [name for name, flag in flags.items() if flag[i]] for i, k in enumerate(ids)}, flags


def column_changed(old: pd.Series, new: pd.Series) -> np.ndarray:
    """Which rows of a column change: missing against present, or two values that are not equal.

    Parameters
    ----------
    old : pandas.Series
        The stored values.
    new : pandas.Series
        The imported values, aligned by position with `old`.

    Returns
    -------
    ndarray
        (n,) of bool, True where the row's value changes.

    Examples
    --------
    >>> column_changed(pd.Series([1, None, 3]), pd.Series([1, 2, 4])).tolist()
    [False, True, True]
    """
    old_na, new_na = old.isna().to_numpy(dtype=bool), new.isna().to_numpy(dtype=bool)
    both = ~old_na & ~new_na
    changed = old_na != new_na
    if both.any():
        a = old.to_numpy(dtype=object)[both]
        b = new.to_numpy(dtype=object)[both]
        changed[both] = np.array([x != y for x, y in zip(a, b, strict=True)], dtype=bool)
    return changed


def row_digests_of(frame: gpd.GeoDataFrame, spec: Layer) -> dict[str, int]:
    """Id -> a 64-bit hash of the row's values and geometry (vectorised: pandas' hash_pandas_object).

    Parameters
    ----------
    frame : geopandas.GeoDataFrame
        Rows of the layer, with its columns.
    spec : inventory.schema.Layer
        The layer; its columns are hashed, `spec.key` names the id.

    Returns
    -------
    dict of str to int
        Each id to the hash of its values XOR the hash of its geometry's WKB; empty for an empty frame.
    """
    if not len(frame):
        return {}
    values = frame[spec.columns].astype(object)
    hashes = pd.util.hash_pandas_object(values.where(values.notna(), None), index=False).to_numpy()
    wkb = shapely.to_wkb(np.asarray(frame.geometry.values, dtype=object))
    hashes = hashes ^ pd.util.hash_array(np.asarray(wkb, dtype=object))
    return dict(zip(frame[spec.key].tolist(), (int(h) for h in hashes), strict=True))


def plan_digest_of(row_digests: dict[str, int], new_ids, deleted) -> str:
    """Return a digest of the stored rows a plan reads and of its id sets: equal digests, equal plans.

    Parameters
    ----------
    row_digests : dict of str to int
        The stored rows the plan reads, as `row_digests_of` gives them.
    new_ids : iterable
        The ids the plan inserts (order does not matter).
    deleted : iterable
        The ids the plan deletes, in the plan's order.

    Returns
    -------
    str
        The first 16 hex digits of a SHA-256 over both.
    """
    h = hashlib.sha256()
    h.update(repr(sorted(row_digests.items())).encode())
    h.update(repr((sorted(map(str, new_ids)), list(deleted))).encode())
    return h.hexdigest()[:16]
