"""How many trenches must fail at once to cut each site off: 0, 1, 2, or 3 meaning three or more.

Only trenches fail here (a trench fails with all its routes; nodes do not fail). Per site:

- `trench_cuts_to_isolate`: 0 the site is not reachable from the core; 1 a single trench cuts it off
  (its `spof_trenches`); 2 no single trench does, but a pair does; 3 neither (three or more needed).
- `weakest_trench_pairs` (sites with 2 only): the pairs of trenches whose joint loss cuts the site off,
  most pupils cut off by the pair first (then most sites, then the trench ids), at most `top` of them;
  each a dict trench_a, trench_b (trench_a < trench_b), pupils, n_sites (everything the pair cuts off).

Method (docs/design.md, "Failure algorithms"; the cycle-space labels of `topology.cuts`, Pritchard and Thurimella):
an edge set F cut off a vertex set iff F contains a *bond* (a minimal cut) separating it from the core,
and a set of edges is a cut iff the XOR of its labels is 0 (with probability 1 - 2^-64 per test). If
the pair of trenches {A, B} cuts a site off but neither alone does, the bond C ⊆ A ∪ B meets both
trenches and x = XOR(C ∩ A) = XOR(C ∩ B) ≠ 0 (a proper part of a bond is no cut): the label spans of
A and B intersect outside 0. Bridges (label 0) never belong to such a bond. So:

1. Level 0 and 1 come from the trench impact table (one pass, `redundancy.trench_impact`).
2. *Pure* trenches (one edge, label ≠ 0), grouped by label: equal labels are a cut pair. The tree edges
   of one label class lie on one root path of the DFS tree (two edges with disjoint subtrees cannot share
   the back edges over them) and the class holds at most one non-tree edge; losing the i-th and j-th tree
   edge (i above j) cuts off subtree(i) minus subtree(j), losing a tree edge and the non-tree edge all of
   subtree(i). With subtree sums (prefix sums in preorder) each site in a class region gets its best
   pairs in O(top²): the most pupils come from the highest i and the lowest j.
3. Every other trench with a label ≠ 0 (several edges, or one edge beside bridges): a GF(2) basis of its
   labels; for rank r ≤ `max_span_rank` its 2^r - 1 span elements are looked up among all trenches' span
   elements (a hash), and every pair found is failed at once with `isolated_ranges` (exact).
4. A trench of larger rank is removed from the network and the trench impact recomputed without it
   (O(V + E) per such trench): every trench that then cuts off a site pairs with it.

Cost: O(E log E) to group labels, O(k + m·top²) per label class of k edges and m sites in its region,
per other trench 2^r lookups and one `isolated_ranges` per pair found, and O(V + E) per trench of rank
above `max_span_rank` (rare: a trench with that many independent cycles through it). Measured in
benchmarks/TRENCH_CUTS.md. Removing every pair of trenches and searching again, O(T²·(V+E)), is the
test oracle only.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict

import numpy as np
import pandas as pd

from topology.cuts import CutIndex, build_cut_index, isolated_ranges
from topology.errors import InvalidParameterError
from topology.network import Network
from topology.redundancy import trench_impact

TOP_PAIRS = 3
MAX_SPAN_RANK = 10
COLUMNS = ["site_id", "trench_cuts_to_isolate", "weakest_trench_pairs"]


def trench_cuts(
    network: Network,
    *,
    index: CutIndex | None = None,
    impact: pd.DataFrame | None = None,
    top: int = TOP_PAIRS,
    max_span_rank: int = MAX_SPAN_RANK,
) -> pd.DataFrame:
    """Find per site the least number of trenches whose joint loss cuts it off, and the weakest trench pairs.

    0: unreachable; 1: one trench cuts it off (`failure_impact`); 2: a pair does (found from equal
    cycle-space label spans and decided exactly by elimination over GF(2); docs/design.md, "Failure
    algorithms", after Pritchard and Thurimella, ACM TALG 2011); 3: three or more (the words: "Redundancy
    words"). The city KPI counts the schools two construction sites at once can cut off.

    Parameters
    ----------
    network : Network
        The network (`build_network`).
    index : CutIndex, optional
        Its cut index (`build_cut_index`), reused when given.
    impact : pandas.DataFrame, optional
        A table with element == 'trench' rows (e.g. `failure_impact`), reused when given.
    top : int
        Pairs kept per site (`TOP_PAIRS`, 3), most pupils cut off first.
    max_span_rank : int
        Trenches whose labels span more dimensions (`MAX_SPAN_RANK`, 10) are handled by removal and
        recomputation instead of span lookups: the same answer at another cost.

    Returns
    -------
    pandas.DataFrame
        One row per site of `network.sites`, same order: site_id, trench_cuts_to_isolate (int 0-3),
        weakest_trench_pairs (list of dicts trench_a, trench_b, pupils, n_sites; empty unless 2).

    Raises
    ------
    topology.errors.InvalidParameterError
        When `top` is below 1.

    Examples
    --------
    `network` is the square ring of `build_network`'s example (four routes in four trenches, a POP at one
    corner, a school 1 m off the opposite corner).

    >>> int(trench_cuts(network).loc[0, "trench_cuts_to_isolate"])
    2
    """
    if top < 1:
        raise InvalidParameterError(f"top={top}: expected at least 1 pair per site", name="top", value=top)
    index = index or build_cut_index(network)
    if impact is None:
        impact = trench_impact(index)
    site_ids = network.sites["site_id"].to_numpy(dtype=object)
    vertex = network.sites["vertex"].to_numpy(dtype=np.int64)
    reachable = (vertex >= 0) & (index.tin[np.maximum(vertex, 0)] >= 0)
    single = set(impact.loc[impact["element"] == "trench", "sites"].explode().dropna())
    level = np.where(reachable, 3, 0)
    level[reachable & np.fromiter((s in single for s in site_ids), dtype=bool, count=len(site_ids))] = 1
    candidates = set(site_ids[level == 3])
    found: dict[str, dict[tuple[str, str], tuple[int, int]]] = defaultdict(dict)
    if candidates:
        _Pairs(index, candidates, found, top, max_span_rank).run()
    level[np.fromiter((s in found for s in site_ids), dtype=bool, count=len(site_ids)) & (level == 3)] = 2
    pairs = [_best(found[s], top) if s in found else [] for s in site_ids]
    return pd.DataFrame({"site_id": site_ids, "trench_cuts_to_isolate": level, "weakest_trench_pairs": pairs},
                        columns=COLUMNS)


def _best(pairs: dict[tuple[str, str], tuple[int, int]], top: int) -> list[dict]:
    ranked = sorted(pairs.items(), key=lambda item: (-item[1][0], -item[1][1], item[0]))[:top]
    return [{"trench_a": a, "trench_b": b, "pupils": p, "n_sites": n} for (a, b), (p, n) in ranked]


@dataclasses.dataclass
class _Pairs:
    """Finds, for the candidate sites (reachable, no single trench cut), the pairs that cut them off."""

    index: CutIndex
    candidates: set[str]
    found: dict[str, dict[tuple[str, str], tuple[int, int]]]
    top: int
    max_span_rank: int

    def run(self) -> None:
        index = self.index
        n = index.n_real_edges
        codes, self.trench_names = pd.factorize(pd.Series(index.network.edge_trench_id, dtype=object))
        self.codes = codes
        n_trenches = len(self.trench_names)
        self._sorted_edges = np.argsort(codes, kind="stable")
        self._bounds = np.searchsorted(codes[self._sorted_edges], np.arange(n_trenches + 1)).tolist()
        labels = index.label[:n]
        nonzero = labels != 0
        size = np.bincount(codes, minlength=n_trenches)
        n_nonzero = np.bincount(codes[nonzero], minlength=n_trenches)
        pure = (size == 1) & (n_nonzero == 1)
        site_tin = index.site_order["tin"].to_numpy()
        site_ids = index.site_order["site_id"].to_numpy(dtype=object)
        wanted = np.flatnonzero(np.fromiter((s in self.candidates for s in site_ids), dtype=bool,
                                            count=len(site_ids)))
        self.cand_tin, self.cand_ids = site_tin[wanted], site_ids[wanted]  # candidate sites in preorder
        self._label_classes(np.flatnonzero(nonzero & pure[codes]))
        self._others(np.flatnonzero(~pure & (n_nonzero > 0)), pure)

    def _edges(self, t: int) -> np.ndarray:
        """Return the edges of trench code t."""
        return self._sorted_edges[self._bounds[t]:self._bounds[t + 1]]

    # -- step 2: pure trenches, label classes -------------------------------------------------

    def _label_classes(self, edges: np.ndarray) -> None:
        index = self.index
        if not len(edges):
            return
        labels = index.label[edges]
        order = np.lexsort((index.tin[np.where(index.is_tree[edges], index.child[edges], index.root)], labels))
        edges, labels = edges[order], labels[order]
        bounds = np.flatnonzero(np.r_[True, labels[1:] != labels[:-1], True])
        cand_tin, cand_ids = self.cand_tin, self.cand_ids
        pupils, n_sites = index.prefix["pupils"], index.prefix["sites"]
        for a, b in zip(bounds[:-1], bounds[1:], strict=True):
            if b - a < 2:
                continue
            members = edges[a:b]
            tree = members[index.is_tree[members]]
            non_tree = members[~index.is_tree[members]]
            heads = index.child[tree]  # sorted by preorder: ancestors first
            starts, stops = index.tin[heads], index.end[heads]
            if len(non_tree) > 1 or not len(tree) or np.any(np.diff(stops) > 0):
                self._verify_pairs(members)  # not one root path: never with random labels, but stay exact
                continue
            first, last = np.searchsorted(cand_tin, starts[0]), np.searchsorted(cand_tin, stops[0])
            if first == last:
                continue  # no candidate site in the region of this class
            t = cand_tin[first:last]
            # the class edges above each site: a prefix (nested subtrees: starts rise, stops fall)
            above = np.minimum(np.searchsorted(starts, t, side="right"), np.searchsorted(-stops, -t, side="left"))
            k = len(tree) + len(non_tree)
            inside = above < k
            if not inside.any():
                continue
            names = [self.trench_names[self.codes[e]] for e in tree.tolist()]
            ends = list(zip(starts.tolist(), stops.tolist(), strict=True))
            if len(non_tree):
                names.append(self.trench_names[self.codes[non_tree[0]]])
                ends.append((int(stops[-1]), int(stops[-1])))  # cuts off nothing below: an empty subtree
            sub_pupils = [round(pupils[stop] - pupils[start]) for start, stop in ends]
            sub_sites = [round(n_sites[stop] - n_sites[start]) for start, stop in ends]
            weight = list(zip(sub_pupils, sub_sites, strict=True))
            for site_id, p in zip(cand_ids[first:last][inside].tolist(), above[inside].tolist(), strict=True):
                best = self.found[site_id]
                for i in self._window(weight, 0, p, first=True):
                    for j in self._window(weight, p, k, first=False):
                        key = tuple(sorted((names[i], names[j])))
                        best[key] = (int(sub_pupils[i] - sub_pupils[j]), int(sub_sites[i] - sub_sites[j]))

    def _window(self, weight: list[tuple[float, float]], lo: int, hi: int, *, first: bool) -> range:
        """Return the members lo..hi-1 that can be in a site's best pairs.

        These are the `top` heaviest (first=True: the highest, cutting off the most) or lightest (the lowest),
        and any tied with the last of them. Subtrees are nested, so (pupils, sites) never rises along the path:
        any other member has `top` members before it that, with the same partner, cut off strictly more
        (pupils, then sites).
        """
        if first:
            cut = min(lo + self.top, hi) - 1
            while cut + 1 < hi and weight[cut + 1] == weight[cut]:
                cut += 1
            return range(lo, cut + 1)
        cut = max(hi - self.top, lo)
        while cut - 1 >= lo and weight[cut - 1] == weight[cut]:
            cut -= 1
        return range(cut, hi)

    # -- steps 3 and 4: every other trench -------------------------------------------------------

    def _others(self, trenches: np.ndarray, pure: np.ndarray) -> None:
        index = self.index
        by_element: dict[int, list[int]] = defaultdict(list)
        pure_trenches = np.flatnonzero(pure)
        if len(pure_trenches):
            pure_edges = np.concatenate([self._edges(t) for t in pure_trenches.tolist()])
            for t, lab in zip(pure_trenches.tolist(), index.label[pure_edges].tolist(), strict=True):
                by_element[lab].append(t)
        spans: dict[int, list[int]] = {}
        large: list[int] = []
        for t in trenches.tolist():
            basis = _basis([int(x) for x in index.label[self._edges(t)].tolist() if x])
            if len(basis) > self.max_span_rank:
                large.append(t)
                continue
            spans[t] = _span(basis)
            for x in spans[t]:
                by_element[x].append(t)
        seen: set[tuple[int, int]] = set()
        for t, span in spans.items():
            for x in span:
                for other in by_element[x]:
                    pair = (min(t, other), max(t, other))
                    if other != t and pair not in seen:
                        seen.add(pair)
                        self._verify(*pair)
        for t in large:
            self._by_removal(t, seen)

    def _verify_pairs(self, edges: np.ndarray) -> None:
        trenches = sorted({int(self.codes[e]) for e in edges.tolist()})
        for i, a in enumerate(trenches):
            for b in trenches[i + 1:]:
                self._verify(a, b)

    def _verify(self, a: int, b: int) -> None:
        """Fail trenches a and b at once; record the pair for every candidate site it cuts off."""
        index = self.index
        ranges = isolated_ranges(index, np.concatenate([self._edges(a), self._edges(b)]))
        if not ranges:
            return
        start, stop = (np.asarray(x, dtype=np.int64) for x in zip(*ranges, strict=True))
        first, last = np.searchsorted(self.cand_tin, start), np.searchsorted(self.cand_tin, stop)
        hit = [site for f, t in zip(first.tolist(), last.tolist(), strict=True) for site in self.cand_ids[f:t]]
        if not hit:
            return
        sums = index.range_sums(start, stop)
        value = (int(round(sums["pupils"].sum())), int(round(sums["sites"].sum())))
        key = tuple(sorted((str(self.trench_names[a]), str(self.trench_names[b]))))
        for site_id in hit:
            self.found[site_id][key] = value

    def _by_removal(self, t: int, seen: set[tuple[int, int]]) -> None:
        """Remove trench t, find the trenches that then cut off a candidate site alone, verify each pair."""
        network = self.index.network
        keep = self.codes != t
        without = dataclasses.replace(
            network,
            edge_u=network.edge_u[keep], edge_v=network.edge_v[keep], edge_id=network.edge_id[keep],
            edge_route_id=network.edge_route_id[keep], edge_trench_id=network.edge_trench_id[keep],
            edge_length_m=network.edge_length_m[keep], edge_geometry=network.edge_geometry[keep],
            findings=[],
        )
        code_of = {name: code for code, name in enumerate(self.trench_names)}
        for row in trench_impact(build_cut_index(without)).itertuples(index=False):
            if self.candidates.intersection(row.sites):
                other = code_of[row.element_id]
                pair = (min(t, other), max(t, other))
                if pair not in seen:
                    seen.add(pair)
                    self._verify(*pair)


def _basis(vectors: list[int]) -> list[int]:
    """Return a GF(2) basis of `vectors` (64-bit labels as Python ints)."""
    basis: list[int] = []
    for v in vectors:
        for b in basis:
            v = min(v, v ^ b)
        if v:
            basis.append(v)
    return basis


def _span(basis: list[int]) -> list[int]:
    """Every nonzero element of the span of an independent `basis` (2^r - 1 of them)."""
    span = [0]
    for b in basis:
        span += [x ^ b for x in span]
    return span[1:]
