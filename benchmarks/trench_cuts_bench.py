"""Trench cuts to isolate every site (`topology.trench_cuts`) on the topology benchmark's networks.

    python -m benchmarks.trench_cuts_bench --sizes 10000 100000 [--out benchmarks/TRENCH_CUTS.md]

Per size (networks from `benchmarks.networks.fibre_network`, built once): the single-failure trench table
(`trench_impact`, what `analyse` runs today) beside `trench_cuts` (best of `--repeats`), the naive oracle
(remove a pair of trenches, search from the POPs with SciPy) timed on a sample of pairs and extrapolated
to all T(T-1)/2 pairs, and checks: every reported pair (of up to `--check-sites` sampled sites), failed
with the oracle, cuts off the site and exactly n_sites sites while neither of its trenches alone does;
the removal path (`max_span_rank=0`) gives the same table (up to 10k segments). Timings are wall-clock
seconds on this (shared) machine.
"""

from __future__ import annotations

import argparse
import os
import platform
import time

import numpy as np
from scipy.sparse import coo_array
from scipy.sparse.csgraph import breadth_first_order

from benchmarks.networks import fibre_network
from topology.cuts import build_cut_index
from topology.network import build_network
from topology.redundancy import trench_impact
from topology.trench_cuts import trench_cuts

NOTES = """\
- *single-failure trench table*: `redundancy.trench_impact`, what `analyse` computes today for every
  trench; *trench_cuts*: `topology.trench_cuts.trench_cuts` given that table and the cut index (as
  `analyse` calls it); *index built inside*: the same building its own cut index and trench table.
- *naive oracle*: remove a pair of trenches, breadth-first search from the POPs (SciPy, compiled), timed
  on 200 random pairs and multiplied by the number of pairs. The oracle tests
  (`tests/test_topology_trench_cuts.py`) run it in full on small random multigraphs.
- *checked*: every pair reported for a site with 2 (up to `--check-sites` sampled sites), failed with the
  oracle: it cuts the site off, exactly `n_sites` sites in all, and neither trench alone cuts the site
  off. That the sites with 3 have no pair is not checked at these sizes (the full oracle would take the
  days above); it is checked on the random multigraphs. *removal path same*: `max_span_rank=0` (every
  trench of several edges by removal and recomputation) gives the identical table; run up to 10,000
  segments.
"""


def best_of(repeats: int, run):
    times, result = [], None
    for _ in range(repeats):
        start = time.perf_counter()
        result = run()
        times.append(time.perf_counter() - start)
    return min(times), result


class Oracle:
    """Remove trenches, breadth-first search from a super-source joined to the POPs (SciPy)."""

    def __init__(self, network):
        self.network = network
        self.trench = network.edge_trench_id.astype(str)

    def reached(self, dead: set[str]) -> np.ndarray:
        net = self.network
        n = net.n_vertices
        keep = ~np.isin(self.trench, list(dead)) if dead else np.ones(net.n_edges, dtype=bool)
        a = np.r_[net.edge_u[keep], np.full(len(net.pop_vertices), n)]
        b = np.r_[net.edge_v[keep], net.pop_vertices]
        graph = coo_array((np.ones(len(a)), (a, b)), shape=(n + 1, n + 1)).tocsr()
        out = np.zeros(n + 1, dtype=bool)
        out[breadth_first_order(graph, n, directed=False, return_predecessors=False)] = True
        return out


def run_size(n: int, repeats: int, samples: int, check_sites: int) -> dict:
    inventory = fibre_network(n)
    network = build_network(inventory.routes, inventory.nodes, inventory.sites)
    index = build_cut_index(network)
    t_single, impact = best_of(repeats, lambda: trench_impact(index))
    t_cuts, table = best_of(repeats, lambda: trench_cuts(network, index=index, impact=impact))
    t_whole, _ = best_of(1, lambda: trench_cuts(network))

    oracle = Oracle(network)
    trenches = np.unique(network.edge_trench_id.astype(str))
    rng = np.random.default_rng(n)
    start = time.perf_counter()
    for _ in range(samples):
        oracle.reached(set(rng.choice(trenches, 2, replace=False).tolist()))
    per_pair = (time.perf_counter() - start) / samples
    n_pairs = len(trenches) * (len(trenches) - 1) // 2

    vertex = dict(zip(network.sites["site_id"], network.sites["vertex"], strict=True))
    base = oracle.reached(set())
    wrong = checked = 0
    two = table[table["trench_cuts_to_isolate"] == 2]
    two = two.iloc[np.sort(rng.choice(len(two), min(check_sites, len(two)), replace=False))]
    for row in two.itertuples(index=False):
        for pair in row.weakest_trench_pairs:
            dead = {pair["trench_a"], pair["trench_b"]}
            after = oracle.reached(dead)
            lost = [s for s, v in vertex.items() if v >= 0 and base[v] and not after[v]]
            alone = [oracle.reached({t})[vertex[row.site_id]] for t in dead]
            wrong += row.site_id not in lost or len(lost) != pair["n_sites"] or not all(alone)
            checked += 1
    # the removal path recomputes the trench table once per trench of several edges: minutes at 100k
    same = trench_cuts(network, index=index, impact=impact, max_span_rank=0).equals(table) if n <= 10_000 else None
    levels = table["trench_cuts_to_isolate"].value_counts().reindex([0, 1, 2, 3], fill_value=0).tolist()
    return {"n": n, "edges": network.n_edges, "trenches": len(trenches), "sites": len(table), "levels": levels,
            "t_single": t_single, "t_cuts": t_cuts, "t_whole": t_whole, "per_pair": per_pair, "n_pairs": n_pairs,
            "checked": checked, "wrong": wrong, "removal_same": same}


def report(rows: list[dict]) -> str:
    lines = [
        "# Trench cuts to isolate each site: measured",
        "",
        f"`python -m benchmarks.trench_cuts_bench` on {platform.machine()}, {os.cpu_count()} cores, "
        f"{time.strftime('%Y-%m-%d')}; one run, best of the repeats; networks of `benchmarks.networks`.",
        "",
        "| segments | trenches | sites 0 / 1 / 2 / 3+ | single-failure trench table | trench_cuts | trench_cuts, "
        "index built inside | naive oracle, all pairs (extrapolated) | reported pairs checked by the oracle | "
        "removal path same |",
        "| ---: | ---: | --- | ---: | ---: | ---: | ---: | --- | --- |",
    ]
    for r in rows:
        oracle_s = r["per_pair"] * r["n_pairs"]
        lines.append(
            f"| {r['n']:,} | {r['trenches']:,} | {' / '.join(f'{x:,}' for x in r['levels'])} | "
            f"{r['t_single']:.2f} s | {r['t_cuts']:.2f} s | {r['t_whole']:.2f} s | "
            f"{oracle_s / 86400:,.1f} days ({r['per_pair'] * 1000:.1f} ms × {r['n_pairs']:,} pairs) | "
            f"{r['checked']} checked, {r['wrong']} wrong | "
            f"{'yes' if r['removal_same'] else ('not run' if r['removal_same'] is None else 'NO')} |")
    return "\n".join(lines) + "\n\n" + NOTES


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--samples", type=int, default=200, help="oracle pairs timed per size")
    parser.add_argument("--check-sites", type=int, default=100, help="sites with 2 whose pairs are checked")
    parser.add_argument("--out")
    args = parser.parse_args()
    rows = []
    for n in args.sizes:
        rows.append(run_size(n, args.repeats, args.samples, args.check_sites))
        print(rows[-1], flush=True)
    text = report(rows)
    print(text)
    if args.out:
        with open(args.out, "w", encoding="utf-8") as f:
            f.write(text)
    return 1 if any(r["wrong"] or r["removal_same"] is False for r in rows) else 0


if __name__ == "__main__":
    raise SystemExit(main())
