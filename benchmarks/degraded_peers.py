"""Peers of `topology.degraded.degraded_sites` for the topology benchmark's `degraded` phases.

Both answer, for one failed element X (a segment, trench or node), the sites X leaves connected but no
longer redundant, by removing X and looking again; the benchmark runs them on a sample of elements and
extrapolates their time to every element.

- `naive_degraded`: the naive oracle (remove X, then try every second failure) with our engine as the checker: remove X
  (`topology.degraded.without`), recompute every site's single points of failure
  (`topology.redundancy.site_redundancy`, O(V + E)), compare with before.
- `NxDegraded`: NetworkX only. On the rest of the graph (with a super-source joined to every POP):
  `nx.bridges` (a site outside the super-source's 2-edge-connected component has a segment SPOF),
  `nx.biconnected_components` (the block-cut tree from the super-source: a cut vertex on the way that is
  neither a POP nor the site's own vertex is a node SPOF), and for trenches: only a trench with two or
  more edges inside one 2-edge-connected component can cut more than its bridges do (a bond of two or
  more edges lies in one such component), so those are removed and searched again
  (`nx.node_connected_component`) when an edge's ends no longer reach each other (`nx.has_path`).
"""

from __future__ import annotations

import numpy as np


def sample_elements(network, rng: np.random.Generator, k: int, positive: list[tuple[str, str]]) -> list[tuple]:
    """k elements drawn uniformly from all segments, trenches and nodes, plus up to k of `positive`
    (elements with degraded sites): (kind, element_id, edge indices, vertex or -1) each."""
    from topology.redundancy import vertex_label

    routes = sorted(set(network.edge_route_id.astype(str).tolist()))
    trenches = sorted(set(network.edge_trench_id.astype(str).tolist()))
    everything = [("segment", r) for r in routes] + [("trench", t) for t in trenches]
    everything += [("node", v) for v in range(network.n_vertices)]
    chosen = [everything[i] for i in rng.choice(len(everything), size=min(k, len(everything)), replace=False)]
    labels = {}
    if positive:
        picked = rng.choice(len(positive), size=min(k, len(positive)), replace=False)
        wanted_nodes = {eid for kind, eid in (positive[i] for i in picked) if kind == "node"}
        labels = {vertex_label(network, v): v for v in range(network.n_vertices)} if wanted_nodes else {}
        extra = [(kind, labels[eid] if kind == "node" else eid) for kind, eid in (positive[i] for i in picked)]
        mixed = [x for pair in zip(extra, chosen, strict=False) for x in pair]  # alternate: a budget cuts both
        chosen = mixed + extra[len(chosen):] + chosen[len(extra):]
    out = []
    for kind, key in chosen:
        if kind == "node":
            out.append(("node", vertex_label(network, key), np.zeros(0, dtype=np.int64), int(key)))
        else:
            ids = network.edge_route_id if kind == "segment" else network.edge_trench_id
            out.append((kind, key, np.flatnonzero(ids.astype(str) == key), -1))
    return out


def naive_degraded(network, before: np.ndarray, edges: np.ndarray, vertex: int) -> set[str]:
    """Sites redundant in `before` (per row of network.sites), reachable after losing X and not redundant."""
    from topology.degraded import without
    from topology.redundancy import site_redundancy

    after = site_redundancy(without(network, edges, [vertex] if vertex >= 0 else []))
    keep = before & after["reachable"].to_numpy(dtype=bool) & ~after["redundant"].to_numpy(dtype=bool)
    keep &= network.sites["vertex"].to_numpy() != vertex
    return set(network.sites["site_id"].to_numpy(dtype=object)[keep].tolist())


class NxDegraded:
    """The NetworkX approach: a MultiGraph with a super-source; per element remove, analyse, restore."""

    def __init__(self, network) -> None:
        import networkx as nx

        self.nx = nx
        n = network.n_vertices
        self.root = n
        pops = np.asarray(network.pop_vertices, dtype=np.int64)
        a = np.concatenate([network.edge_u, np.full(len(pops), n)]).astype(np.int64)
        b = np.concatenate([network.edge_v, pops]).astype(np.int64)
        self.a, self.b = a, b
        self.pops = set(pops.tolist())
        graph = nx.MultiGraph()
        graph.add_nodes_from(range(n + 1))
        graph.add_edges_from(zip(a.tolist(), b.tolist(), range(len(a)), strict=True))
        self.graph = graph
        trench = network.edge_trench_id.astype(str)
        keys, inverse, counts = np.unique(trench, return_inverse=True, return_counts=True)
        self.trenches = [np.flatnonzero(inverse == k) for k in np.flatnonzero(counts > 1)]
        self.site_id = network.sites["site_id"].to_numpy(dtype=object)
        self.site_vertex = network.sites["vertex"].to_numpy(dtype=np.int64)
        self.before = self.redundant_vertices()

    def redundant_vertices(self) -> tuple[set[int], set[int]]:
        """(reachable vertices, vertices no single segment, trench or node (not a POP, not itself) cuts off)."""
        nx, g, root = self.nx, self.graph, self.root
        reach = nx.node_connected_component(g, root)
        sub = g.subgraph(reach)
        bridges = list(nx.bridges(sub, root=root))
        no_bridges = nx.MultiGraph(sub)
        no_bridges.remove_edges_from(bridges)
        component = {}
        for c, part in enumerate(nx.connected_components(no_bridges)):
            for v in part:
                component[v] = c
        safe = set(nx.node_connected_component(no_bridges, root))
        safe -= self._node_cut(nx.Graph(sub))
        for edges in self.trenches:
            alive = [e for e in edges.tolist() if g.has_edge(self.a[e], self.b[e], e)]
            ends = [(int(self.a[e]), int(self.b[e]), e) for e in alive if self.a[e] in reach]
            by_component = {}
            for u, v, e in ends:
                if component[u] == component[v]:
                    by_component.setdefault(component[u], []).append((u, v, e))
            if not any(len(x) > 1 for x in by_component.values()):
                continue
            g.remove_edges_from(ends)
            try:
                if not all(nx.has_path(g, u, v) for u, v, _ in ends):
                    safe &= nx.node_connected_component(g, root)
            finally:
                g.add_edges_from(ends)
        return reach, safe

    def _node_cut(self, simple) -> set[int]:
        """Vertices below a cut vertex (not a POP, not the super-source, not the vertex itself) of the block-cut
        tree rooted at the super-source."""
        nx, root = self.nx, self.root
        if simple.number_of_nodes() < 3:
            return set()
        cuts = set(nx.articulation_points(simple))
        blocks_of: dict[int, list[int]] = {}
        blocks = [set(b) for b in nx.biconnected_components(simple)]
        for i, block in enumerate(blocks):
            for v in block & cuts:
                blocks_of.setdefault(v, []).append(i)
        hit = set()
        seen_blocks, seen_cuts = set(), {root} if root in cuts else set()
        start = [("c", root, False)] if root in cuts else [("b", i, False) for i, b in enumerate(blocks) if root in b]
        stack = list(start)
        while stack:
            kind, x, flag = stack.pop()
            if kind == "b":
                if x in seen_blocks:
                    continue
                seen_blocks.add(x)
                for v in blocks[x]:
                    if v in cuts:
                        if v not in seen_cuts:
                            seen_cuts.add(v)
                            stack.append(("c", v, flag))
                    elif flag:
                        hit.add(v)
            else:
                if flag:
                    hit.add(x)
                bad = flag or (x not in self.pops and x != root)
                for i in blocks_of.get(x, []):
                    stack.append(("b", i, bad))
        return hit

    def degraded(self, edges: np.ndarray, vertex: int) -> set[str]:
        """Sites redundant before, reachable after losing the edges (network edge indices) or the vertex, and
        no longer redundant."""
        g = self.graph
        if vertex >= 0:
            removed = [(u, w, k) for u, w, k in g.edges(vertex, keys=True)]
        else:
            removed = [(int(self.a[e]), int(self.b[e]), int(e)) for e in edges.tolist()]
        g.remove_edges_from(removed)
        try:
            reach, safe = self.redundant_vertices()
        finally:
            g.add_edges_from(removed)
        _, safe_before = self.before
        hit = [i for i, v in enumerate(self.site_vertex.tolist())
               if v in safe_before and v in reach and v not in safe and v != vertex]
        return set(self.site_id[hit].tolist())
