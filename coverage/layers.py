"""Planning results as map layers for QGIS: one GeoPackage (geometry kept) or CSV files (geometry as WKT),
written by `inventory.layer_files` (re-exported here for the callers).

Shared by `gelsennet plan --export`, `gelsennet coverage --export`, `gelsennet impact --export`,
`gelsennet paths --export` (their layers: `topology.layers`) and the app's Netz page, so all write alike.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd

from inventory.layer_files import EXPORT_FORMS, GEOMETRY_TYPE, export_paths, export_tables, geopackage_bytes

__all__ = ["EXPORT_FORMS", "GEOMETRY_TYPE", "export_paths", "export_tables", "geopackage_bytes", "planning_layers",
           "trench_cut_layer"]


def planning_layers(frames: dict, expansion: pd.DataFrame, rings: pd.DataFrame) -> dict[str, gpd.GeoDataFrame]:
    """`expansion` (`coverage.expansion.expansion_plan`) at each site's point, and `rings`
    (`coverage.ring_closure.ring_closures`) as the new links, with their sites as one text field."""
    crs = frames["sites"].crs
    sites = frames["sites"].set_index("site_id").geometry
    return {
        "expansion": gpd.GeoDataFrame(expansion, geometry=sites.loc[expansion["site_id"]].values, crs=crs),
        "ring_closures": gpd.GeoDataFrame(rings.assign(sites=rings["sites"].map(", ".join)), geometry="geometry",
                                          crs=crs),
    }


def trench_cut_layer(routes: gpd.GeoDataFrame, criticality: pd.DataFrame) -> gpd.GeoDataFrame:
    """Every route with what a cut of its trench would cut off (`topology.analysis` criticality): sites,
    schools, pupils and business parks; 0 where the cut isolates nothing."""
    cuts = criticality[criticality["element"] == "trench"].set_index("element_id")
    layer = routes[["route_id", "trench_id", "status", "geometry"]].copy()
    for column in ("n_sites", "n_schools", "pupils", "n_business_parks"):
        layer[f"cut_{column.removeprefix('n_')}"] = layer["trench_id"].map(cuts[column]).fillna(0).astype(np.int64)
    site_ids = {trench: ", ".join(sites) for trench, sites in cuts["sites"].items()}
    layer["cut_site_ids"] = [site_ids.get(trench, "") for trench in layer["trench_id"]]  # also with no cut at all
    return layer
