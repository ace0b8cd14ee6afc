"""Headline figures of an inventory: record counts and route lengths, for the CLI and the app."""

from __future__ import annotations

from collections.abc import Mapping

import geopandas as gpd
import pandas as pd

from inventory.schema import LAYER_ORDER


def route_length_km(routes: gpd.GeoDataFrame) -> pd.Series:
    """Route length in km per status (in_service, planned, retired).

    Parameters
    ----------
    routes : geopandas.GeoDataFrame
        The routes layer, one row per route, in a metric CRS (EPSG:25832).

    Returns
    -------
    pandas.Series
        Float kilometres indexed by status; statuses without routes are left out.
    """
    length_km = routes.geometry.length / 1000.0
    return length_km.groupby(routes["status"].astype(object)).sum().astype(float)


def inventory_summary(frames: Mapping[str, gpd.GeoDataFrame]) -> dict[str, object]:
    """Return the counts per layer, route km per status, sites by kind and connection, synthetic share.

    Parameters
    ----------
    frames : mapping of str to geopandas.GeoDataFrame
        The layers by name; needs at least `routes` and `sites`, EPSG:25832.

    Returns
    -------
    dict of str to object
        `counts` (records per layer, in layer order), `route_km` (km per status, 2 decimals), `trenches`
        (distinct trench ids), `sites_by_kind` and `sites_by_connection` (counts), `synthetic_records`
        (records per layer whose `source` mentions "synthetic").
    """
    routes = frames["routes"]
    sites = frames["sites"]
    synthetic = {
        name: int((frame["source"].fillna("").str.lower().str.contains("synthetic")).sum())
        for name, frame in frames.items()
    }
    return {
        "counts": {name: len(frames[name]) for name in LAYER_ORDER if name in frames},
        "route_km": {k: round(v, 2) for k, v in route_length_km(routes).items()},
        "trenches": int(routes["trench_id"].nunique()),
        "sites_by_kind": {k: int(v) for k, v in sites["kind"].value_counts().sort_index().items()},
        "sites_by_connection": {k: int(v) for k, v in sites["connection"].value_counts().sort_index().items()},
        "synthetic_records": synthetic,
    }
