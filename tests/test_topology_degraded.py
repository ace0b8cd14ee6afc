"""Degraded sites (issue 16.1) against a naive oracle: remove each element, then try every second failure.

The oracle uses nothing from `topology`: for every element X (route, trench, vertex) and every
second element Y that may be a single point of failure (a route, a trench, a vertex that is not a POP
and not the site's own vertex), it removes both from the MultiGraph and searches from the surviving
POPs (`reached` of the oracle tests). A site is degraded by X when it is redundant before (no single
element but a POP cuts it off), X alone leaves it reachable, and some such Y cuts it off with X.
"""

from __future__ import annotations

import math
import os

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from tests.test_topology_oracle import X0, Y0, Case, Site, cases, elements, make_case, midpoint, reached
from topology import failure_impact, site_redundancy
from topology.analysis import Analysis
from topology.degraded import MAX_ENUMERATED_LABELS, degraded_sites
from topology.whatif import Failure, what_if

EXAMPLES = int(os.environ.get("TOPOLOGY_ORACLE_EXAMPLES", "150"))
FAST = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def cut_off(case: Case, failures: list[tuple[frozenset, frozenset]]) -> set[str]:
    """Sites reachable before and not after all `failures` together (a dead vertex takes its own sites)."""
    edges = frozenset().union(*(e for e, _ in failures))
    nodes = frozenset().union(*(n for _, n in failures))
    before, after = reached(case), reached(case, edges, nodes)
    return {s.site_id for s in case.sites if s.vertex in before and s.vertex not in after}


def oracle_redundant(case: Case) -> set[str]:
    """Reachable sites that no single element cuts off, POPs and the site's own vertex aside (docs/design.md)."""
    table = elements(case)
    pops = {case.label(p) for p in case.pops}
    before = reached(case)
    out = set()
    for site in case.sites:
        if site.vertex not in before:
            continue
        hit = any(site.site_id in cut_off(case, [f]) for kind, t in table.items() for eid, f in t.items()
                  if not (kind == "node" and (eid in pops or eid == case.label(site.vertex))))
        if not hit:
            out.add(site.site_id)
    return out


def oracle_degraded(case: Case) -> dict[tuple[str, str], set[str]]:
    table = elements(case)
    pops = {case.label(p) for p in case.pops}
    redundant = oracle_redundant(case)
    where = {s.site_id: case.label(s.vertex) for s in case.sites}
    seconds = [(kind, eid, f) for kind, t in table.items() for eid, f in t.items()
               if not (kind == "node" and eid in pops)]
    out = {}
    for kind, t in table.items():
        for eid, first in t.items():
            alone = cut_off(case, [first])
            hit = set()
            for kind2, eid2, second in seconds:
                for site_id in cut_off(case, [first, second]) & redundant:
                    if site_id in alone or (kind2 == "node" and where[site_id] == eid2):
                        continue
                    hit.add(site_id)
            if hit:
                out[(kind, eid)] = hit
    return out


def got(case: Case) -> dict[tuple[str, str], set[str]]:
    table = degraded_sites(case.network)
    keys = list(zip(table["element"], table["element_id"], strict=True))
    assert len(keys) == len(set(keys)), "an element listed twice"
    pupils = {s.site_id: s.pupils for s in case.sites}
    for row in table.itertuples(index=False):
        assert row.n_degraded_sites == len(row.degraded_sites) > 0
        assert row.degraded_pupils == sum(pupils[s] for s in row.degraded_sites)
    return {key: set(sites) for key, sites in zip(keys, table["degraded_sites"], strict=True)}


# ---------------------------------------------------------------------------------------------
# hand-made cases


def ring_with_chord() -> Case:
    """POP 0 - 1 - 2 - 3 - 0 (a ring of four routes in four trenches), chord 1-3; school A at 2, B at 1."""
    xy = [(X0, Y0), (X0 + 100, Y0), (X0 + 100, Y0 + 100), (X0, Y0 + 100)]
    pairs = [(0, 1), (1, 2), (2, 3), (3, 0), (1, 3)]
    edges = [(u, v, f"R{k}", f"R{k}", f"T{k}", midpoint(xy, u, v, 5, 5)) for k, (u, v) in enumerate(pairs)]
    return make_case(xy, edges, [0], ["P0", "N1", "N2", "N3"],
                     [Site("A", 2, 100, "school"), Site("B", 1, 10, "school")])


def ladder() -> Case:
    """Two rails 0-1-2 and 3-4-5 with rungs 0-3, 1-4, 2-5; POP at 0; schools at 2 and 5."""
    xy = [(X0, Y0), (X0 + 100, Y0), (X0 + 200, Y0), (X0, Y0 + 100), (X0 + 100, Y0 + 100), (X0 + 200, Y0 + 100)]
    pairs = [(0, 1), (1, 2), (3, 4), (4, 5), (0, 3), (1, 4), (2, 5)]
    edges = [(u, v, f"R{k}", f"R{k}", f"T{k}", midpoint(xy, u, v, 5, 5)) for k, (u, v) in enumerate(pairs)]
    return make_case(xy, edges, [0], ["P0", "N1", "N2", "N3", "N4", "N5"],
                     [Site("A", 2, 200, "school"), Site("B", 5, 300, "school")])


def two_rings_sharing_a_trench() -> Case:
    """Rings POP0-1-2-POP0 and POP0-3-4-POP0; the routes 0-1 and 0-3 lie in one trench TS.

    Losing TS leaves school A (at 2) and school B (at 4) each on one path; before, no single
    trench cuts them off, so both are redundant."""
    xy = [(X0, Y0), (X0 + 100, Y0), (X0 + 100, Y0 + 100), (X0 - 100, Y0), (X0 - 100, Y0 + 100)]
    edges = [(0, 1, "R0", "R0", "TS", midpoint(xy, 0, 1, 5, 5)), (1, 2, "R1", "R1", "T1", midpoint(xy, 1, 2, 5, 5)),
             (2, 0, "R2", "R2", "T2", midpoint(xy, 2, 0, 5, 5)), (0, 3, "R3", "R3", "TS", midpoint(xy, 0, 3, 5, 5)),
             (3, 4, "R4", "R4", "T4", midpoint(xy, 3, 4, 5, 5)), (4, 0, "R5", "R5", "T5", midpoint(xy, 4, 0, 5, 5))]
    return make_case(xy, edges, [0], ["P0", "N1", "N2", "N3", "N4"],
                     [Site("A", 2, 100, "school"), Site("B", 4, 50, "school"), Site("C", 1, 7, "other")])


def test_ring_with_chord():
    result = got(ring_with_chord())
    # R0 lost: A and B hang on 1-3 / 3-0 ... node N3 and route R3 become single points of failure
    assert result[("segment", "R0")] == {"A", "B"}
    assert result[("trench", "T0")] == {"A", "B"}
    # R1 lost: A at 2 hangs on R2 alone; B still has 1-0 and 1-3-0
    assert result[("segment", "R1")] == {"A"}
    # node N3 lost: A and B each on one path (0-1-2)
    assert result[("node", "N3")] == {"A", "B"}
    assert result == oracle_degraded(ring_with_chord())


def test_ladder():
    case = ladder()
    assert got(case) == oracle_degraded(case)
    assert got(case)[("segment", "R4")] == {"A", "B"}  # the rung at the POP: everything hangs on rail 0-1


def test_two_rings_sharing_one_trench():
    case = two_rings_sharing_a_trench()
    result = got(case)
    assert result[("trench", "TS")] == {"A", "B", "C"}
    assert result[("segment", "R0")] == {"A", "C"}  # only the first ring loses a side
    assert result[("segment", "R3")] == {"B"}
    assert result == oracle_degraded(case)


def test_a_big_node_takes_the_rebuild_method_and_agrees():
    """A hub of more than MAX_ENUMERATED_LABELS spokes, each a ring through it: the rebuild path."""
    n = MAX_ENUMERATED_LABELS + 2
    xy = [(X0, Y0), (X0 + 1000, Y0)] + [(X0 + 500, Y0 + 100 * (k + 1)) for k in range(n)]
    edges = []
    for k in range(n):
        edges.append((0, 2 + k, f"A{k}", f"A{k}", f"A{k}", midpoint(xy, 0, 2 + k, 5, 5)))
        edges.append((2 + k, 1, f"B{k}", f"B{k}", f"B{k}", midpoint(xy, 2 + k, 1, 5, 5)))
    edges.append((0, 1, "C", "C", "C", midpoint(xy, 0, 1, 0, -50)))
    sites = [Site(f"S{k}", 2 + k, 10 * k, "school") for k in range(3)] + [Site("H", 1, 5, "other")]
    case = make_case(xy, edges, [0], ["P0", "HUB"] + [f"N{k}" for k in range(n)], sites)
    assert got(case) == oracle_degraded(case)
    assert got(case)[("node", "HUB")] == {"S0", "S1", "S2"}


# ---------------------------------------------------------------------------------------------
# random multigraphs: parallel edges, routes in pieces, shared trenches, several POPs, islands


@FAST
@example(case=ring_with_chord())
@example(case=two_rings_sharing_a_trench())
@given(case=cases(max_vertices=10, max_edges=16))
def test_degraded_sites_equal_remove_and_recheck(case):
    assert got(case) == oracle_degraded(case)


@st.composite
def long_rings(draw) -> Case:
    """A ring of 4-16 closures through POP 0 (long equal-label chains: O(L^2) candidate pairs), with doubled
    routes (parallel edges, in the same trench or not), consecutive routes in one trench, a few chords,
    a second POP at times and sites on the ring; for the batched pair check's wide groups."""
    n = draw(st.integers(4, 16))
    xy = [(X0 + 500 * math.cos(2 * math.pi * k / n), Y0 + 500 * math.sin(2 * math.pi * k / n)) for k in range(n)]
    pairs = [(k, (k + 1) % n) for k in range(n)]
    pairs += [tuple(draw(st.lists(st.integers(0, n - 1), min_size=2, max_size=2, unique=True)))
              for _ in range(draw(st.integers(0, 2)))]
    edges, trench = [], 0
    for k, (u, v) in enumerate(pairs):
        if k == 0 or draw(st.integers(0, 3)) != 0:
            trench += 1  # else: in the previous route's trench
        edges.append((u, v, f"R{k}", f"R{k}", f"T{trench}", midpoint(xy, u, v, 5, 5)))
        copies = draw(st.integers(0, 2)) if draw(st.integers(0, 3)) == 0 else 0
        for c in range(copies):
            same = draw(st.booleans())
            edges.append((u, v, f"R{k}p{c}", f"R{k}p{c}", f"T{trench}" if same else f"T{k}p{c}",
                          midpoint(xy, u, v, -5 - 3 * c, 5)))
    pops = [0] + ([draw(st.integers(1, n - 1))] if draw(st.booleans()) else [])
    sites = [Site(f"S{i}", draw(st.integers(0, n - 1)), draw(st.integers(0, 900)), "school")
             for i in range(draw(st.integers(1, 6)))]
    node_id = [f"P{v}" if v in pops else f"N{v}" for v in range(n)]
    return make_case(xy, edges, pops, node_id, sites)


@settings(max_examples=max(10, EXAMPLES // 3), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=long_rings())
def test_long_rings_with_parallel_routes_equal_remove_and_recheck(case):
    assert got(case) == oracle_degraded(case)


@FAST
@given(case=cases(max_vertices=10, max_edges=16))
def test_criticality_rows_cover_cut_off_and_degraded(case):
    # as `analyse` joins them (analyse itself also runs topology.parallel, not the subject here)
    table = Analysis(case.network, site_redundancy(case.network), failure_impact(case.network),
                     degraded=degraded_sites(case.network)).criticality_with_degraded()
    keys = list(zip(table["element"], table["element_id"], strict=True))
    assert len(keys) == len(set(keys))
    assert ((table["n_sites"] > 0) | (table["n_degraded_sites"] > 0)).all()
    degraded = oracle_degraded(case)
    assert {k for k, n in zip(keys, table["n_degraded_sites"], strict=True) if n} == set(degraded)
    for row in table.itertuples(index=False):
        assert not set(row.sites) & set(row.degraded_sites), "a site both cut off and degraded"


@FAST
@given(case=cases(max_vertices=10, max_edges=16))
def test_what_if_names_the_sites_now_single_homed(case):
    degraded = oracle_degraded(case)
    for kind, eid in [(k, e) for k, t in elements(case).items() for e in t][:8]:
        spec = {"segment": Failure(segments=[eid]), "trench": Failure(trenches=[eid]),
                "node": Failure(nodes=[eid])}[kind]
        result = what_if(case.network, spec)
        now = set(result.sites.loc[result.sites["now_single_homed"], "site_id"])
        assert now == degraded.get((kind, eid), set())
        assert not now & set(result.isolated()["site_id"])


def test_oracle_self_check():
    case = two_rings_sharing_a_trench()
    assert oracle_redundant(case) == {"A", "B", "C"}
    assert cut_off(case, [elements(case)["trench"]["TS"], elements(case)["segment"]["R1"]]) == {"C"}
    with pytest.raises(KeyError):
        elements(case)["trench"]["R0"]
