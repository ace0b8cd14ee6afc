"""The sample inventory: real schools and city boundary of Gelsenkirchen, a synthetic GELSEN-NET.

`build_sample()` reads only the project's `data/source/` folder and returns the five layers,
typed as the stores return them. What each record is made of is said in its `source` column:

- real: the schools (official NRW school list with official coordinates; pupils from IT.NRW)
  and the city boundary (Geobasis NRW);
- approximate: the Stadtteil and Stadtbezirk polygons (Voronoi cells of the schools, merged per
  Stadtteil) and the business parks (named in press reports, placed and sized here);
- synthetic: every node and route and every site's connection data. The real route geometry is not
  public, so the network is invented: a jittered street-like grid, a backbone ring through two POPs,
  meshed rings around it, tree-like spurs towards the city edge, about 600 km in all.

The build is deterministic: every random choice comes from a fixed-seed stream per stage, and
nothing depends on the iteration order of sets or of hashed strings.

The build is split by stage: `base` (fixed numbers, random streams, helpers), `sources`, `districts`,
`parks`, `grid`, `cables`, `sites`, `frames` and `network` (the stages in order). This module keeps the
names the rest of the project imports.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd

from inventory.frames import conform, sort_by_key
from inventory.sample.base import (
    POP_STADTTEILE,
    SOURCE_DIR,
    as_multipolygon,
    slug,
)
from inventory.sample.cables import (
    Cable,
    Network,
    add_retired_cables,
    add_ring_second_cables,
    add_trunk_cables,
    assign_build_years,
    double_spurs,
    merge_chains,
    set_cable_attributes,
)
from inventory.sample.districts import build_districts, district_id, district_seeds, stadtteil_polygons
from inventory.sample.frames import node_frame, node_ids, route_frame, trench_ids
from inventory.sample.grid import Grid, backbone_ring, feeder_tree, grid_graph, make_grid, mesh_links, subtree_sizes
from inventory.sample.network import build_network
from inventory.sample.parks import build_business_parks, park_area, park_site_id
from inventory.sample.sites import add_drops, plan_connections, site_attachments
from inventory.sample.sources import read_business_parks, read_city, read_schools, read_stadtbezirke, stadtteil_centre
from inventory.schema import CRS, LAYERS

__all__ = [
    "Cable",
    "Grid",
    "Network",
    "SOURCE_DIR",
    "add_drops",
    "add_retired_cables",
    "add_ring_second_cables",
    "add_trunk_cables",
    "as_multipolygon",
    "assign_build_years",
    "backbone_ring",
    "build_business_parks",
    "build_districts",
    "build_network",
    "build_sample",
    "district_id",
    "district_seeds",
    "double_spurs",
    "feeder_tree",
    "finish_layer",
    "grid_graph",
    "make_grid",
    "merge_chains",
    "mesh_links",
    "node_frame",
    "node_ids",
    "park_area",
    "park_site_id",
    "plan_connections",
    "read_business_parks",
    "read_city",
    "read_schools",
    "read_stadtbezirke",
    "route_frame",
    "set_cable_attributes",
    "site_attachments",
    "slug",
    "stadtteil_centre",
    "stadtteil_polygons",
    "subtree_sizes",
    "trench_ids",
]


def build_sample(source_dir: Path | None = None) -> dict[str, gpd.GeoDataFrame]:
    """Return the five sample layers in EPSG:25832, typed as the stores return them and sorted by key.

    Parameters
    ----------
    source_dir : pathlib.Path or None, default None
        Folder with the source files (city boundary, school list, district names, business parks);
        None for the project's `SOURCE_DIR` (``data/source/``).

    Returns
    -------
    dict of str to geopandas.GeoDataFrame
        ``nodes``, ``routes``, ``sites``, ``site_areas`` and ``districts``, each with its schema columns
        (`inventory.schema.LAYERS`), one row per element, CRS EPSG:25832.

    Raises
    ------
    ValueError
        When the sources disagree: a school names a Stadtteil the district list lacks, or a POP's
        Stadtteil has no school (`stadtteil_centre`).
    OSError
        When a source file is missing or cannot be read (`FileNotFoundError` for a missing one).
    """
    source = Path(source_dir) if source_dir is not None else SOURCE_DIR
    city = read_city(source)
    schools = read_schools(source)
    districts = build_districts(city, schools, read_stadtbezirke(source))
    stadtteile = {r.name: r.geometry for r in districts.itertuples() if r.level == "stadtteil"}
    parks, site_areas = build_business_parks(read_business_parks(source), stadtteile)
    sites = pd.concat([schools, parks], ignore_index=True)
    pop_points = {name: stadtteil_centre(schools, name) for name in POP_STADTTEILE}
    nodes, routes, connections = build_network(city, sites, stadtteile, pop_points)
    sites = sites.drop(columns=["private"]).merge(connections, on="site_id", how="left", validate="1:1")
    layers = {"nodes": nodes, "routes": routes, "sites": sites, "site_areas": site_areas, "districts": districts}
    return {name: finish_layer(frame, name) for name, frame in layers.items()}


def finish_layer(frame: pd.DataFrame, name: str) -> gpd.GeoDataFrame:
    """Give `frame` the schema columns and dtypes of layer `name` and the storage CRS, rows sorted by key.

    Parameters
    ----------
    frame : pandas.DataFrame
        Rows of layer `name` with a ``geometry`` column of shapely geometries in EPSG:25832.
    name : str
        The layer's name, a key of `inventory.schema.LAYERS`.

    Returns
    -------
    geopandas.GeoDataFrame
        The layer's columns in schema order and dtypes, CRS EPSG:25832, one row per element sorted by its key.

    Raises
    ------
    KeyError
        When `name` is not a layer.
    ValueError
        When a column's values do not fit its schema dtype (`inventory.frames.conform`).
    """
    layer = LAYERS[name]
    gdf = gpd.GeoDataFrame(frame, geometry="geometry", crs=CRS)
    return sort_by_key(conform(gdf, layer), layer)
