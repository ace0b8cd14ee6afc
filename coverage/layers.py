"""Planning results as map layers for QGIS: one GeoPackage (geometry kept) or CSV files (geometry as WKT).

Shared by `gelsennet plan --export`, `gelsennet coverage --export`, `gelsennet impact --export`,
`gelsennet paths --export` (their layers: `topology.layers`) and the app's Netz page, so all write alike.
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


GEOMETRY_TYPE = "geometry_type"
"""`frame.attrs[GEOMETRY_TYPE]`: the geometry type ('LineString', 'Point', ...) a layer has when it is empty."""
EXPORT_FORMS = "a .gpkg file, a .csv file name (one <name>_<layer>.csv per layer) or a directory (one CSV per layer)"


def export_paths(layers: dict, destination: str) -> list[Path]:
    """The files `export_tables` writes for `layers` at `destination`; ValueError for another suffix
    (a .shp or .geojson would not take several layers), unless `destination` is an existing directory."""
    path = Path(destination)
    suffix = path.suffix.lower()
    if suffix == ".gpkg":
        return [path]
    if suffix == ".csv":
        return [path.with_name(f"{path.stem}_{name}.csv") for name in layers]
    if suffix and not path.is_dir():
        raise ValueError(f"{destination}: cannot export to {suffix!r}; expected {EXPORT_FORMS}; fix: end the name "
                         "in .gpkg or .csv, or give a directory")
    return [path / f"{name}.csv" for name in layers]


def export_tables(layers: dict, destination: str) -> list[str]:
    """Layers to one GeoPackage (a `.gpkg` path), or to CSV files (geometry as WKT in `wkt`): for a `.csv`
    path one `<stem>_<layer>.csv` beside it per layer, else one `<layer>.csv` per layer in the directory
    `destination`. Returns the files written; ValueError (before writing) for any other suffix."""
    import pyogrio

    from inventory.exporter import to_csv_frame
    from inventory.qgis_styles import add_styles

    targets = export_paths(layers, destination)
    if Path(destination).suffix.lower() == ".gpkg":
        targets[0].parent.mkdir(parents=True, exist_ok=True)
        for name, frame in layers.items():  # an empty layer keeps the type it declares (else 'Unknown')
            pyogrio.write_dataframe(frame, targets[0], layer=name, driver="GPKG",
                                    geometry_type=frame.attrs.get(GEOMETRY_TYPE) if frame.empty else None)
        add_styles(targets[0])  # opens in QGIS in the app's colours (`inventory.qgis_styles`)
        return [str(targets[0])]
    for target, frame in zip(targets, layers.values(), strict=True):
        target.parent.mkdir(parents=True, exist_ok=True)
        to_csv_frame(frame).to_csv(target, index=False)
    return [str(target) for target in targets]


def geopackage_bytes(layers: dict) -> bytes:
    """Layers as the bytes of one GeoPackage file (a download)."""
    with tempfile.TemporaryDirectory() as folder:
        (path,) = export_tables(layers, str(Path(folder) / "layers.gpkg"))
        return Path(path).read_bytes()
