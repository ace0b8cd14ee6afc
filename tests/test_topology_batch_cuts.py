"""`batch_isolated_ranges` (many edge sets at once, vectorised) against the naive oracle and `isolated_ranges`.

The oracle removes the edges of each set from the MultiGraph and searches from the POPs (`reached` of the
oracle tests); the sets are every element (route, trench, the edges at a vertex), every pair of them, and
random subsets of edges, so that sets with many tree edges (deep nesting, parallel edges, the super-source's
links to POPs) come up. The one-by-one fallback for sets with more than MAX_PIECES tree edges is checked
by lowering that bound.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.test_topology_degraded import EXAMPLES
from tests.test_topology_oracle import cases, reached
from topology import batch_cuts
from topology.batch_cuts import batch_isolated_ranges, sorted_unique
from topology.cuts import build_cut_index, isolated_ranges

FAST = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def vertices_in(index, ranges) -> set[int]:
    return {int(v) for start, stop in ranges for v in index.order[start:stop]}


def element_sets(index) -> list[np.ndarray]:
    """Cut-index edge sets: each route, each trench, the edges at each vertex, and each pair of those."""
    network = index.network
    single = [np.flatnonzero(network.edge_route_id == r) for r in set(network.edge_route_id.tolist())]
    single += [np.flatnonzero(network.edge_trench_id == t) for t in set(network.edge_trench_id.tolist())]
    single += [np.flatnonzero((index.edge_a == v) | (index.edge_b == v)) for v in range(network.n_vertices)]
    pairs = [np.concatenate([a, b]) for k, a in enumerate(single) for b in single[k + 1:]]
    return single + pairs


def batch(index, sets: list[np.ndarray]) -> list[set[int]]:
    owner = np.repeat(np.arange(len(sets)), [len(s) for s in sets])
    edges = np.concatenate(sets) if sets else np.zeros(0, dtype=np.int64)
    got, start, stop = batch_isolated_ranges(index, owner, edges, len(sets))
    out = [set() for _ in sets]
    for s, a, b in zip(got.tolist(), start.tolist(), stop.tolist(), strict=True):
        assert a < b
        assert not out[s] & vertices_in(index, [(a, b)]), "overlapping ranges"
        out[s] |= vertices_in(index, [(a, b)])
    return out


def oracle(case, index, edges: np.ndarray) -> set[int]:
    """Vertices reachable before and not after losing `edges` (cut-index edges; losing a super-source link
    leaves its POP in place, but no longer a source)."""
    network = index.network
    keys = {network.edge_id[e] for e in edges.tolist() if e < network.n_edges}
    unlinked = {int(index.edge_b[e]) for e in edges.tolist() if e >= network.n_edges}
    seen = {p for p in case.pops if p not in unlinked}
    stack = list(seen)
    while stack:
        u = stack.pop()
        for w, by_key in case.graph.adj[u].items():
            if w not in seen and not all(k in keys for k in by_key):
                seen.add(w)
                stack.append(w)
    return reached(case) - seen


@FAST
@given(case=cases(max_vertices=9, max_edges=14), data=st.data())
def test_batch_equals_remove_and_recheck(case, data):
    index = build_cut_index(case.network)
    sets = element_sets(index)
    n_edges = len(index.edge_a)
    if n_edges:
        sets += [np.array(data.draw(st.lists(st.integers(0, n_edges - 1), max_size=n_edges + 3)), dtype=np.int64)
                 for _ in range(6)]
    sets.append(np.zeros(0, dtype=np.int64))
    got = batch(index, sets)
    for edges, mine in zip(sets, got, strict=True):
        assert mine == vertices_in(index, isolated_ranges(index, edges)) if len(edges) else mine == set()
        assert mine == oracle(case, index, edges)


@FAST
@given(case=cases(max_vertices=9, max_edges=14))
def test_sets_with_many_tree_edges_take_the_one_by_one_path(case):
    index = build_cut_index(case.network)
    sets = element_sets(index)[:40]
    expected = batch(index, sets)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(batch_cuts, "MAX_PIECES", 1)
        assert batch(index, sets) == expected


def test_sorted_unique():
    values = np.array([5, 3, 5, -1, 3, 9], dtype=np.int64)
    assert sorted_unique(values).tolist() == [-1, 3, 5, 9]
    assert sorted_unique(np.zeros(0, dtype=np.int64)).tolist() == []
