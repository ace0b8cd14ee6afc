"""Planning results as map layers for QGIS: one GeoPackage (geometry kept) or CSV files (geometry as WKT).

Shared by `gelsennet-coverage plan --export` and the app's Netz page, so both write the same layers.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd


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


def export_tables(layers: dict, destination: str) -> list[str]:
    """Layers to one GeoPackage (a `.gpkg` path) or to CSV files in a directory (geometry as WKT); the
    files written."""
    import pyogrio

    from inventory.exporter import to_csv_frame

    path = Path(destination)
    if path.suffix.lower() == ".gpkg":
        path.parent.mkdir(parents=True, exist_ok=True)
        for name, frame in layers.items():
            pyogrio.write_dataframe(frame, path, layer=name, driver="GPKG")
        return [str(path)]
    path.mkdir(parents=True, exist_ok=True)
    written = []
    for name, frame in layers.items():
        target = path / f"{name}.csv"
        to_csv_frame(frame).to_csv(target, index=False)
        written.append(str(target))
    return written


def geopackage_bytes(layers: dict) -> bytes:
    """Layers as the bytes of one GeoPackage file (a download)."""
    with tempfile.TemporaryDirectory() as folder:
        (path,) = export_tables(layers, str(Path(folder) / "layers.gpkg"))
        return Path(path).read_bytes()
