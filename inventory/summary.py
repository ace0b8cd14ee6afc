"""Headline figures of an inventory: record counts and route lengths, for the CLI and the app."""

from __future__ import annotations

from collections.abc import Mapping

import geopandas as gpd
import pandas as pd

from inventory.schema import LAYER_ORDER


def route_length_km(routes: gpd.GeoDataFrame) -> pd.Series:
    """Route length in km per status (in_service, planned, retired)."""
    length_km = routes.geometry.length / 1000.0
    return length_km.groupby(routes["status"].astype(object)).sum().astype(float)


def inventory_summary(frames: Mapping[str, gpd.GeoDataFrame]) -> dict[str, object]:
    """Return the counts per layer, route km per status, sites by kind and connection, synthetic share."""
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
