"""The synthetic GELSEN-NET built stage by stage, each stage with its own random stream."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd

from inventory.sample.base import POP_STADTTEILE, TRUNK_TARGET_M, stage_rng
from inventory.sample.cables import (
    Network,
    add_retired_cables,
    add_ring_second_cables,
    add_trunk_cables,
    assign_build_years,
    double_spurs,
    merge_chains,
    set_cable_attributes,
)
from inventory.sample.frames import node_frame, node_ids, route_frame
from inventory.sample.grid import backbone_ring, feeder_tree, grid_graph, make_grid, mesh_links, subtree_sizes
from inventory.sample.sites import add_drops, plan_connections, site_attachments


def build_network(
    city, sites: pd.DataFrame, stadtteile: dict, pop_points: dict
) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame, pd.DataFrame]:
    """Nodes, routes and the connection fields of every site.

    Parameters
    ----------
    city : shapely geometry
        The city boundary (polygonal), EPSG:25832.
    sites : pandas.DataFrame
        The schools and business parks (`read_schools`, `build_business_parks`), point ``geometry`` in
        EPSG:25832.
    stadtteile : dict of str to shapely geometry
        Stadtteil name -> polygon (EPSG:25832), to name the cabinets.
    pop_points : dict of str to tuple of float
        For each of `POP_STADTTEILE`, the (x, y) in metres to put its POP at (the nearest grid point).

    Returns
    -------
    nodes : geopandas.GeoDataFrame
        The nodes layer's rows (`node_frame`), EPSG:25832.
    routes : geopandas.GeoDataFrame
        The routes layer's rows (`route_frame`), EPSG:25832.
    connections : pandas.DataFrame
        Each site's connection fields (`add_drops`), ``handover_node_id`` as a node id (str) or None.

    Raises
    ------
    KeyError
        When `pop_points` lacks a Stadtteil of `POP_STADTTEILE`.
    """
    grid = make_grid(city, stage_rng("grid"))
    graph = grid_graph(grid, stage_rng("cost"))
    pops = {grid.nearest_node(*pop_points[name]): name for name in POP_STADTTEILE}
    ring = backbone_ring(grid, graph, list(pops))
    ring_nodes = sorted({int(n) for e in ring for n in grid.edges[e]})
    dist, parent = feeder_tree(graph, ring_nodes)
    index = grid.edge_index()
    tree = sorted(index[(min(n, p), max(n, p))] for n, p in parent.items())
    taken = set(ring) | set(tree)
    budget = TRUNK_TARGET_M - grid.length_m[sorted(taken)].sum()
    mesh, closures = mesh_links(grid, dist, taken, budget, stage_rng("mesh"))

    net = Network(xy=[tuple(p) for p in grid.xy.tolist()], pops=pops)
    add_trunk_cables(net, grid, ring, tree, mesh, closures, dist, subtree_sizes(parent, dist))
    assign_build_years(net, dist, stage_rng("years"))
    add_ring_second_cables(net, pops, stage_rng("second"))
    attach = site_attachments(grid, sites)
    plan = plan_connections(sites, attach, net.core(), stage_rng("states"))
    double_spurs(net, plan, parent, stage_rng("spurs"))
    add_retired_cables(net, stage_rng("retired"))
    connections = add_drops(net, sites, plan, stage_rng("drops"))
    merge_chains(net, keep=set(attach["u"]) | set(attach["v"]), rng=stage_rng("merge"))
    set_cable_attributes(net, stage_rng("attributes"))
    ids = node_ids(net)
    connections["handover_node_id"] = [None if pd.isna(n) else ids[int(n)] for n in connections["handover_node_id"]]
    return node_frame(net, stadtteile, stage_rng("nodes")), route_frame(net, stage_rng("fibres_used")), connections
