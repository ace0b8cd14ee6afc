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

    The first dict maps each existing id to those fields (empty list: unchanged); the second maps
    each carried field to a boolean array: which rows it changes.
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
    """Which rows of a column change: missing against present, or two values that are not equal."""
    old_na, new_na = old.isna().to_numpy(dtype=bool), new.isna().to_numpy(dtype=bool)
    both = ~old_na & ~new_na
    changed = old_na != new_na
    if both.any():
        a = old.to_numpy(dtype=object)[both]
        b = new.to_numpy(dtype=object)[both]
        changed[both] = np.array([x != y for x, y in zip(a, b, strict=True)], dtype=bool)
    return changed


def row_digests_of(frame: gpd.GeoDataFrame, spec: Layer) -> dict[str, int]:
    """Id -> a 64-bit hash of the row's values and geometry (vectorised: pandas' hash_pandas_object)."""
    if not len(frame):
        return {}
    values = frame[spec.columns].astype(object)
    hashes = pd.util.hash_pandas_object(values.where(values.notna(), None), index=False).to_numpy()
    wkb = shapely.to_wkb(np.asarray(frame.geometry.values, dtype=object))
    hashes = hashes ^ pd.util.hash_array(np.asarray(wkb, dtype=object))
    return dict(zip(frame[spec.key].tolist(), (int(h) for h in hashes), strict=True))


def plan_digest_of(row_digests: dict[str, int], new_ids, deleted) -> str:
    """Return a digest of the stored rows a plan reads and of its id sets: equal digests, equal plans."""
    h = hashlib.sha256()
    h.update(repr(sorted(row_digests.items())).encode())
    h.update(repr((sorted(map(str, new_ids)), list(deleted))).encode())
    return h.hexdigest()[:16]
