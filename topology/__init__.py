"""Topology and redundancy: the route graph, reachability, single points of failure, failure impact.

Typical use::

    from topology import build_network
    from topology.analysis import analyse
    network = build_network(routes, nodes, sites)   # GeoDataFrames from a store
    result = analyse(network)                       # one cut index for everything:
    result.criticality                              # every segment, node, trench at once
    result.sites                                    # one row per site: paths, SPOFs, redundant
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
