"""What-if outcomes and diverse path pairs as map layers (EPSG:25832) for QGIS, a GeoPackage or CSV files.

Write them with `inventory.layer_files.export_tables` (as `gelsennet impact --export` and `gelsennet paths
--export` do), or as download bytes with `inventory.layer_files.geopackage_bytes`. Field names carry their
units (`length_m`, `detour_m`); lists of ids are one text field, comma-separated.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from inventory.layer_files import GEOMETRY_TYPE
from topology.diverse import PathPair
from topology.errors import UnknownElementError
from topology.network import Network
from topology.redundancy import vertex_label
from topology.whatif import Failure, WhatIf


def _frame(rows: list[dict], columns: list[str], geometry: list, crs: str, geometry_type: str) -> gpd.GeoDataFrame:
    frame = gpd.GeoDataFrame(pd.DataFrame(rows, columns=columns), geometry=gpd.GeoSeries(geometry, crs=crs), crs=crs)
    frame.attrs[GEOMETRY_TYPE] = geometry_type  # an empty layer still opens as lines or points in QGIS
    return frame


def what_if_layers(network: Network, outcome: WhatIf, sites: gpd.GeoDataFrame,
                   failure: Failure | None = None) -> dict[str, gpd.GeoDataFrame]:
    """Return the layers of a what-if (`topology.whatif.what_if`) on `network`.

    Parameters
    ----------
    network : Network
        The network the what-if ran on (`topology.network.build_network`), EPSG:25832.
    outcome : WhatIf
        The what-if's result (`topology.whatif.what_if(network, failure)`).
    sites : geopandas.GeoDataFrame
        The store's sites layer (Points, EPSG:25832, one row per site, at least site_id), the one the
        network was built from: it gives the sites their locations.
    failure : Failure, optional
        The failure; when it has an area (e.g. a construction site) that becomes the `failure_area` layer.

    Returns
    -------
    dict of str to geopandas.GeoDataFrame
        The layers by name, all in the network's CRS (EPSG:25832):

        - `failed_routes`: each failed edge (a route, or the piece of one split at a node) as a line:
          edge_id, route_id, trench_id, length_m;
        - `failed_nodes`: each failed vertex as a point: node_id (or the junction label), kind;
        - `sites`: every site of the outcome at its location in `sites`: site_id, name, kind, pupils, state
          (`topology.whatif.SITE_STATES`: isolated, detour, unchanged, unreachable_before, not_connected,
          planned, unattached), distance_before_m, distance_after_m, detour_m (empty where there is no path),
          now_single_homed;
        - `failure_area` (only when `failure` has an area): the polygon, area_m2 (square metres).

    Raises
    ------
    topology.errors.UnknownElementError
        When `sites` lacks a site of the outcome (a different store or version); `unknown` holds them under
        'site'.
    """
    crs = network.crs
    edges = outcome.failed_edges.tolist()
    routes = _frame(
        [{"edge_id": network.edge_id[e], "route_id": network.edge_route_id[e], "trench_id": network.edge_trench_id[e],
          "length_m": float(network.edge_length_m[e])} for e in edges],
        ["edge_id", "route_id", "trench_id", "length_m"], [network.edge_geometry[e] for e in edges], crs, "LineString")
    vertices = outcome.failed_vertices.tolist()
    nodes = _frame(
        [{"node_id": vertex_label(network, v), "kind": network.vertex_kind[v]} for v in vertices],
        ["node_id", "kind"], [shapely.Point(network.vertex_xy[v]) for v in vertices], crs, "Point")
    located = sites.set_index("site_id").geometry
    missing = sorted(set(outcome.sites["site_id"]) - set(located.index))
    if missing:
        raise UnknownElementError(f"sites {', '.join(map(str, missing[:5]))} of the what-if are not in the sites layer "
                                  "given; pass the sites layer the network was built from", unknown={"site": missing})
    table = outcome.sites.copy()
    table["pupils"] = table["pupils"].astype(np.int64)
    layers = {"failed_routes": routes, "failed_nodes": nodes,
              "sites": gpd.GeoDataFrame(table, geometry=located.loc[table["site_id"]].to_numpy(), crs=crs)}
    if failure is not None and failure.area is not None:
        layers["failure_area"] = _frame([{"area_m2": float(failure.area.area)}], ["area_m2"], [failure.area], crs,
                                        "Polygon")
    return layers


PAIR_COLUMNS = ["site_id", "pair", "path", "length_m", "segments", "route_ids", "shared_trench_ids",
                "shared_trench_length_m", "trench_disjoint_pair_exists"]


def _line(network: Network, path: list[int]):
    """Return the edges of a path as one line where they join up, else a MultiLineString."""
    return shapely.line_merge(shapely.MultiLineString([network.edge_geometry[e] for e in path]))


def diverse_path_layers(network: Network, pair: PathPair) -> dict[str, gpd.GeoDataFrame]:
    """Return the layers of a diverse path pair (`topology.diverse.diverse_paths`).

    Parameters
    ----------
    network : Network
        The network the pair was found on (`topology.network.build_network`), EPSG:25832.
    pair : PathPair
        The pair (`topology.diverse.diverse_paths(network, site_id)`).

    Returns
    -------
    dict of str to geopandas.GeoDataFrame
        The layers by name, lines in the network's CRS (EPSG:25832):

        - `diverse_paths`: one line per path, from the site to the core: site_id, pair
          ('shortest_edge_disjoint', the Suurballe pair; 'trench_disjoint', when such a pair was found and
          differs from it), path ('a', 'b'), length_m, segments (edges), route_ids, shared_trench_ids and
          shared_trench_length_m (of the shortest pair), trench_disjoint_pair_exists ('yes', 'no', or
          'unknown' when the search limit was hit);
        - `shared_trenches`: the pieces of the shortest pair's paths that lie in a trench both use (one
          trench cut takes both paths): trench_id, route_id, edge_id, length_m.

        A site without a path gives empty layers.
    """
    crs = network.crs
    exists = {True: "yes", False: "no", None: "unknown"}[pair.trench_disjoint]
    pairs = [("shortest_edge_disjoint", pair.path_a, pair.path_b)]
    if pair.trench_disjoint_pair is not None and sorted(map(sorted, pair.trench_disjoint_pair)) != sorted(
            map(sorted, (pair.path_a, pair.path_b))):
        pairs.append(("trench_disjoint", *pair.trench_disjoint_pair))
    rows, lines = [], []
    for name, a, b in pairs:
        for label, path in (("a", a), ("b", b)):
            if not path:
                continue
            rows.append({"site_id": pair.site_id, "pair": name, "path": label,
                         "length_m": float(network.edge_length_m[path].sum()), "segments": len(path),
                         "route_ids": ", ".join(pair.route_ids(network, path)),
                         "shared_trench_ids": ", ".join(pair.shared_trenches),
                         "shared_trench_length_m": float(pair.shared_trench_length_m),
                         "trench_disjoint_pair_exists": exists})
            lines.append(_line(network, path))
    shared = set(pair.shared_trenches)
    pieces = [e for e in dict.fromkeys([*pair.path_a, *pair.path_b]) if network.edge_trench_id[e] in shared]
    trenches = _frame(
        [{"trench_id": network.edge_trench_id[e], "route_id": network.edge_route_id[e], "edge_id": network.edge_id[e],
          "length_m": float(network.edge_length_m[e])} for e in pieces],
        ["trench_id", "route_id", "edge_id", "length_m"], [network.edge_geometry[e] for e in pieces], crs, "LineString")
    return {"diverse_paths": _frame(rows, PAIR_COLUMNS, lines, crs, "LineString"), "shared_trenches": trenches}
