"""Trench cuts to isolate each site (`topology.trench_cuts`) against a naive oracle.

The oracle removes each trench, then each pair of trenches, from the MultiGraph and searches again
from the POPs (`tests.test_topology_oracle.isolated`): nothing of `topology.cuts` is used. Random
multigraphs come from the same generator as the other oracle tests (parallel edges, routes split into
pieces, trenches shared by up to four edges, 0-3 POPs, islands); the hand-made cases pin the named shapes.
"""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given

from tests.test_topology_oracle import FAST, X0, Y0, Case, Site, cases, isolated, make_case, midpoint, reached
from topology.trench_cuts import trench_cuts

TOP = 3


def oracle(case: Case, top: int = TOP) -> dict[str, tuple[int, list[dict]]]:
    """site id -> (trench cuts to isolate 0-3, its best pairs), by removing trenches and searching again."""
    pupils = {s.site_id: s.pupils for s in case.sites}
    before = reached(case)
    single = set()
    for keys in case.trenches.values():
        single |= isolated(case, frozenset(keys))
    by_pair: dict[tuple[str, str], set[str]] = {}
    for a, b in itertools.combinations(sorted(case.trenches), 2):
        cut = isolated(case, frozenset(case.trenches[a] | case.trenches[b]))
        if cut:
            by_pair[(a, b)] = cut
    out = {}
    for site in case.sites:
        if site.vertex not in before:
            out[site.site_id] = (0, [])
        elif site.site_id in single:
            out[site.site_id] = (1, [])
        else:
            pairs = [((-sum(pupils[s] for s in cut), -len(cut), key), key) for key, cut in by_pair.items()
                     if site.site_id in cut]
            ranked = [{"trench_a": key[0], "trench_b": key[1], "pupils": -rank[0], "n_sites": -rank[1]}
                      for rank, key in sorted(pairs)[:top]]
            out[site.site_id] = (2 if pairs else 3, ranked)
    return out


def ours(case: Case, **options) -> dict[str, tuple[int, list[dict]]]:
    table = trench_cuts(case.network, **options)
    return {row.site_id: (int(row.trench_cuts_to_isolate), row.weakest_trench_pairs)
            for row in table.itertuples(index=False)}


def assert_matches(case: Case, **options) -> None:
    got, want = ours(case, **options), oracle(case, options.get("top", TOP))
    assert got.keys() == want.keys()
    for site_id in want:
        assert got[site_id] == want[site_id], f"site {site_id}: got {got[site_id]}, oracle {want[site_id]}"


@FAST
@given(case=cases())
def test_trench_cuts_equal_the_remove_every_pair_oracle(case):
    assert_matches(case)


@FAST
@given(case=cases())
def test_removal_path_for_wide_trenches_gives_the_same_answer(case):
    """max_span_rank=0 sends every trench of several edges through removal and recomputation."""
    assert_matches(case, max_span_rank=0)


@FAST
@given(case=cases(max_vertices=8, max_edges=16))
def test_one_pair_kept_is_the_oracle_best(case):
    assert_matches(case, top=1)


# ---------------------------------------------------------------------------------------------
# hand-made shapes


def _case(xy, links, pops, sites, trench_of=None) -> Case:
    trench_of = trench_of or {}
    edges = [(u, v, f"R{k}", f"R{k}", trench_of.get(k, f"T{k}"), midpoint(xy, u, v, 3.0, 7.0))
             for k, (u, v) in enumerate(links)]
    node_id = [f"P{v}" if v in pops else f"N{v}" for v in range(len(xy))]
    return make_case(xy, edges, pops, node_id, sites)


def ring_with_chord() -> Case:
    """POP 0 - 1 - 2 - 3 - 0 is a ring of four trenches; the chord 0-2 is a fifth (T4).

    School A at 1 needs two cuts (T0 and T1, its two links, nothing else); school B at 2, where the
    chord lands, three (any set of vertices around it is left by three trenches)."""
    xy = [(X0, Y0), (X0 + 100, Y0), (X0 + 100, Y0 + 100), (X0, Y0 + 100)]
    links = [(0, 1), (1, 2), (2, 3), (3, 0), (0, 2)]
    return _case(xy, links, [0], [Site("A", 1, 400, "school"), Site("B", 2, 300, "school")])


def test_ring_with_a_chord():
    case = ring_with_chord()
    got = ours(case)
    assert got["A"] == (2, [{"trench_a": "T0", "trench_b": "T1", "pupils": 400, "n_sites": 1}])
    assert got["B"] == (3, [])
    assert got == oracle(case)


def ladder(rungs: int = 4) -> Case:
    """Two rails 0..n-1 and n..2n-1 with a rung at every step; POPs at both corners of the first rung.

    Cutting both rails' first links (T0 and T{n-1}) cuts off everything beyond the first rung, so every
    site off the POPs needs two cuts, and that pair is the worst for each; a site at a POP needs three."""
    xy = [(X0 + 100 * i, Y0) for i in range(rungs)] + [(X0 + 100 * i, Y0 + 100) for i in range(rungs)]
    links = [(i, i + 1) for i in range(rungs - 1)] + [(rungs + i, rungs + i + 1) for i in range(rungs - 1)]
    links += [(i, rungs + i) for i in range(rungs)]
    sites = [Site("S", 2 * rungs - 1, 500, "school"), Site("M", rungs + 1, 200, "school"),
             Site("Q", rungs - 1, 10, "other"), Site("P", 0, 80, "school")]
    return _case(xy, links, [0, rungs], sites)


def test_ladder():
    case = ladder()
    got = ours(case)
    assert {k: v[0] for k, v in got.items()} == {"S": 2, "M": 2, "Q": 2, "P": 3}
    worst = {"trench_a": "T0", "trench_b": "T3", "pupils": 710, "n_sites": 3}
    assert got["S"][1][0] == got["M"][1][0] == got["Q"][1][0] == worst
    assert got == oracle(case)


def two_rings_sharing_a_trench() -> Case:
    """Two rings 0-1-2-0 and 0-3-4-0 from one POP; their links 1-2 and 3-4 lie in one trench TX.

    No trench alone cuts anything off (TX leaves both rings as two spurs each); school A at 2 is cut off
    by TX with T2 (its other link: 2 alone) and by T0 with T2 (1 and 2)."""
    xy = [(X0, Y0), (X0 + 100, Y0), (X0 + 100, Y0 + 100), (X0 - 100, Y0), (X0 - 100, Y0 + 100)]
    links = [(0, 1), (1, 2), (2, 0), (0, 3), (3, 4), (4, 0)]
    sites = [Site("A", 2, 600, "school"), Site("B", 4, 100, "school"), Site("C", 1, 50, "school")]
    return _case(xy, links, [0], sites, trench_of={1: "TX", 4: "TX"})


def test_two_rings_sharing_one_trench():
    case = two_rings_sharing_a_trench()
    got = ours(case)
    assert {k: v[0] for k, v in got.items()} == {"A": 2, "B": 2, "C": 2}
    assert got["A"][1] == [{"trench_a": "T0", "trench_b": "T2", "pupils": 650, "n_sites": 2},
                           {"trench_a": "T2", "trench_b": "TX", "pupils": 600, "n_sites": 1}]
    assert got == oracle(case)


def test_unreachable_and_single_trench_sites():
    """A spur (one trench) gives 1, an island without a POP 0; the oracle agrees."""
    xy = [(X0, Y0), (X0 + 100, Y0), (X0 + 300, Y0), (X0 + 400, Y0)]
    case = _case(xy, [(0, 1), (2, 3)], [0], [Site("A", 1, 5, "school"), Site("I", 3, 7, "school"),
                                            Site("P", 0, 9, "school")])
    assert ours(case) == {"A": (1, []), "I": (0, []), "P": (3, [])} == oracle(case)


def test_a_route_in_pieces_is_one_trench_and_pairs_across_pieces():
    """A ring whose far side is one route in two pieces (R1#1, R1#2 in trench T1): the school between
    the pieces is cut off by T1 alone; the school beside it needs T1 and one more."""
    xy = [(X0, Y0), (X0 + 100, Y0), (X0 + 100, Y0 + 100), (X0, Y0 + 100)]
    edges = [(0, 1, "R0", "R0", "T0", midpoint(xy, 0, 1, 0, 5)),
             (1, 2, "R1#1", "R1", "T1", midpoint(xy, 1, 2, 5, 0)),
             (2, 3, "R1#2", "R1", "T1", midpoint(xy, 2, 3, 0, 5)),
             (3, 0, "R3", "R3", "T3", midpoint(xy, 3, 0, 5, 0))]
    case = make_case(xy, edges, [0], ["P0", "N1", "N2", "N3"], [Site("A", 2, 100, "school"),
                                                                Site("B", 1, 40, "school")])
    got = ours(case)
    assert got["A"] == (1, [])
    assert got["B"] == (2, [{"trench_a": "T0", "trench_b": "T1", "pupils": 140, "n_sites": 2},
                            {"trench_a": "T0", "trench_b": "T3", "pupils": 140, "n_sites": 2}])
    assert got == oracle(case)


def test_top_must_be_positive():
    with pytest.raises(ValueError, match="top=0"):
        trench_cuts(ring_with_chord().network, top=0)


@pytest.mark.parametrize("names", list(itertools.permutations(["Ta", "Tb", "Tc", "Td", "Te"], 5))[::7])
def test_ties_keep_the_first_names(names):
    """A ring of five trenches with one school at vertex 2: every pair with one link on each side of it
    cuts off the school and nobody else, so all tie on pupils and sites and the trench ids decide. Kept
    to one pair (top=1), the winner must be the smallest ids, wherever they lie on the ring."""
    xy = [(X0, Y0), (X0 + 100, Y0), (X0 + 200, Y0), (X0 + 200, Y0 + 100), (X0 + 100, Y0 + 100)]
    links = [(0, 1), (1, 2), (2, 3), (3, 4), (4, 0)]
    case = _case(xy, links, [0], [Site("A", 2, 100, "school")], trench_of=dict(enumerate(names)))
    assert ours(case, top=1) == oracle(case, top=1)
    assert ours(case, top=2) == oracle(case, top=2)


# ---------------------------------------------------------------------------------------------
# in analyse, the CLI and the district KPIs


def test_analyse_json_and_text_carry_the_trench_cuts(capsys):
    """`analyse --json` per site equals the library; the text names the schools two cuts isolate."""
    import json

    from inventory.cli import main
    from inventory.settings import SAMPLE_GPKG
    from inventory.stores import open_store
    from topology import build_network

    frames = open_store(SAMPLE_GPKG).read_all()
    table = trench_cuts(build_network(frames["routes"], frames["nodes"], frames["sites"]))
    assert main(["analyse", "--db", str(SAMPLE_GPKG), "--json"]) == 0
    payload = json.loads(capsys.readouterr().out)
    got = {s["site_id"]: (s["trench_cuts_to_isolate"], s["weakest_trench_pairs"]) for s in payload["sites"]}
    assert got == {r.site_id: (r.trench_cuts_to_isolate, r.weakest_trench_pairs) for r in table.itertuples()}
    two = table[table["trench_cuts_to_isolate"] == 2]["site_id"]
    schools = set(two) & {s["site_id"] for s in payload["sites"] if s["kind"] == "school"}
    assert payload["summary"]["schools_two_trench_cuts"] == len(schools) > 0
    assert main(["analyse", "--db", str(SAMPLE_GPKG), "--top", "3"]) == 0
    text = capsys.readouterr().out.split("Schools that two trench cuts at once can cut off")[1]
    assert text.startswith(f" ({len(schools)}, ")
    assert sum(f"  {site_id} " in text.split("\n\n")[0] for site_id in schools) == 3


def _ring_inventory(*, ring_in_one_trench: bool):
    """The factories' small inventory with its planned link built and (unless `ring_in_one_trench`, as
    the factory has it: R1 and R4 in T1) four trenches around the ring: the school at C1 needs two cuts."""
    from factories import small_inventory

    frames = small_inventory()
    routes = frames["routes"].copy()
    routes["status"] = "in_service"
    if not ring_in_one_trench:
        routes.loc[routes["route_id"] == "R4", "trench_id"] = "T4"
    frames["routes"] = routes
    return frames


@pytest.mark.parametrize("ring_in_one_trench", [False, True])
def test_district_kpi_counts_schools_two_trench_cuts_isolate(ring_in_one_trench):
    from coverage.kpis import CITY_ID, district_kpis
    from topology import build_network
    from topology.analysis import analyse

    frames = _ring_inventory(ring_in_one_trench=ring_in_one_trench)
    sites = analyse(build_network(frames["routes"], frames["nodes"], frames["sites"])).sites
    level = dict(zip(sites["site_id"], sites["trench_cuts_to_isolate"], strict=True))
    assert level["118928"] == (1 if ring_in_one_trench else 2)  # T1 holds both links to the POP
    kpis = district_kpis(frames, redundancy=sites).set_index("district_id")["schools_two_trench_cuts"]
    want = 0 if ring_in_one_trench else 1
    assert kpis[CITY_ID] == want and kpis["SB-MITTE"] == want
    assert kpis["ST-BISMARCK"] == 0  # the school lies east of Bismarck
    assert district_kpis(frames)["schools_two_trench_cuts"].isna().all()  # no topology given: not known


def test_coverage_cli_reports_the_city_kpi(capsys):
    """`gelsennet coverage` fills the KPI from the topology engine: the city's count equals analyse's."""
    import json

    from inventory.cli import main
    from inventory.settings import SAMPLE_GPKG

    assert main(["analyse", "--db", str(SAMPLE_GPKG), "--json"]) == 0
    want = json.loads(capsys.readouterr().out)["summary"]["schools_two_trench_cuts"]
    assert main(["coverage", "--db", str(SAMPLE_GPKG), "--by", "city", "--json"]) == 0
    (city,) = json.loads(capsys.readouterr().out)["kpis"]
    assert city["schools_two_trench_cuts"] == want > 0
    assert main(["coverage", "--db", str(SAMPLE_GPKG), "--by", "city"]) == 0
    header, row = capsys.readouterr().out.split("district ")[1].splitlines()[:2]
    assert "2 cuts" in header and f" {want} " in row
