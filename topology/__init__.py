"""Topology and redundancy: the route graph, reachability, single points of failure, failure impact.

Typical use::

    from topology import build_network, failure_impact, site_redundancy
    network = build_network(routes, nodes, sites)          # GeoDataFrames from a store
    impact = failure_impact(network)                        # every segment, node, trench at once
    table = site_redundancy(network)                        # one row per site
"""

from topology.cuts import CutIndex, build_cut_index, isolated_ranges
from topology.network import Network, build_network, edges_frame, from_networkx, to_networkx, vertices_frame
from topology.reachability import reachability
from topology.redundancy import failure_impact, site_redundancy

__all__ = [
    "CutIndex",
    "Network",
    "build_cut_index",
    "build_network",
    "edges_frame",
    "failure_impact",
    "from_networkx",
    "isolated_ranges",
    "reachability",
    "site_redundancy",
    "to_networkx",
    "vertices_frame",
]
