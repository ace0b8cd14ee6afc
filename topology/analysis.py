"""The whole topology analysis of a network in one call.

It gives the per-site table, the criticality table, the summary, and the routes that are possibly one trench
drawn twice, with the sites whose redundancy rests on them.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import pandas as pd

from inventory.cli_format import count, km
from topology.cuts import CutIndex, build_cut_index
from topology.degraded import degraded_sites
from topology.network import DEFAULT_SNAP_TOLERANCE_M, Network
from topology.parallel import possibly_one_trench
from topology.redundancy import failure_impact, site_redundancy
from topology.trench_cuts import trench_cuts
from topology.trench_review import pair_text, review_sites


@dataclass
class Analysis:
    """The outcome of `analyse`: the network, each site's redundancy and every element whose loss matters."""

    network: Network
    sites: pd.DataFrame
    """One row per site (see `site_redundancy`)."""
    criticality: pd.DataFrame
    """Every segment, node and trench whose loss isolates sites, most pupils first (see `failure_impact`)."""
    possibly_one_trench: pd.DataFrame = field(default_factory=pd.DataFrame)
    """Pairs of routes in different trenches that may lie in one trench (see `topology.parallel`)."""
    degraded: pd.DataFrame = field(default_factory=pd.DataFrame)
    """Every segment, node and trench whose loss leaves sites connected but single-homed.

    See `topology.degraded.degraded_sites`; `criticality_with_degraded()` joins it to the criticality table.
    """

    def criticality_with_degraded(self) -> pd.DataFrame:
        """Return the criticality table with the sites each element's loss degrades.

        Every row gets degraded_sites, n_degraded_sites, degraded_pupils, n_degraded_schools and
        n_degraded_business_parks, and there is a row for every element that cuts off or degrades at least one site
        (`topology.degraded.with_degraded`).
        """
        from topology.degraded import DEGRADED_COLUMNS, with_degraded

        degraded = self.degraded if len(self.degraded.columns) else pd.DataFrame(columns=DEGRADED_COLUMNS)
        return with_degraded(self.criticality, degraded)

    def for_review(self) -> pd.DataFrame:
        """Return the sites whose redundancy against a trench cut rests on `possibly_one_trench` pairs.

        Their redundancy holds only if each pair is two trenches: the trenches in `review_trenches`, failing
        together, would cut them off.
        """
        if "review_trenches" not in self.sites:
            return self.sites.iloc[:0]
        return self.sites[self.sites["review_trenches"].map(len) > 0]

    def single_homed(self, kind: str | None = None) -> pd.DataFrame:
        """Reachable sites that one failure (segment, node or trench) can cut off."""
        table = self.sites[self.sites["reachable"] & ~self.sites["redundant"]]
        return table if kind is None else table[table["kind"] == kind]

    def not_on_network(self) -> pd.DataFrame:
        """Return the sites that are not on the network in this scenario by their `connection`.

        These are the sites with connection none, and the planned ones outside the planned scenario: not
        connected, so neither reachable nor single-homed.
        """
        return self.sites[~self.sites["on_network"].astype(bool)]

    def unreachable(self) -> pd.DataFrame:
        """Sites on the network by their `connection` that no path joins to the core: a fault to fix."""
        return self.sites[self.sites["on_network"].astype(bool) & ~self.sites["reachable"].astype(bool)]

    def depending_on_one_pop(self) -> pd.DataFrame:
        """Reachable sites whose every path runs through one POP (`depends_on_pop`)."""
        return self.sites[self.sites["depends_on_pop"].notna()]

    def two_trench_cuts(self, kind: str | None = None) -> pd.DataFrame:
        """Sites that no single trench cuts off but two at once can (`trench_cuts_to_isolate` == 2)."""
        table = self.sites[self.sites["trench_cuts_to_isolate"] == 2]
        return table if kind is None else table[table["kind"] == kind]

    def summary(self) -> dict[str, object]:
        """Count the network's elements and its sites, by name.

        `sites_on_network` are the sites whose connection puts them on the network in this scenario,
        `sites_not_connected` / `sites_planned` the others;
        `schools_unreachable` counts schools on the network that no path joins to the core;
        `schools_two_trench_cuts` the schools that only two construction sites at once can cut off.
        """
        sites = self.sites
        unreachable = self.unreachable()
        apart = self.not_on_network()
        return {
            "scenario": self.network.scenario,
            "vertices": self.network.n_vertices,
            "segments": self.network.n_edges,
            "route_km": round(float(self.network.edge_length_m.sum()) / 1000, 2),
            "pops": len(self.network.pop_vertices),
            "sites": len(sites),
            "sites_on_network": int(sites["on_network"].sum()),
            "sites_not_connected": int((apart["connection"] != "planned").sum()),
            "sites_planned": int((apart["connection"] == "planned").sum()),
            "sites_reachable": int(sites["reachable"].sum()),
            "sites_redundant": int(sites["redundant"].sum()),
            "sites_single_homed": len(self.single_homed()),
            "schools_single_homed": len(self.single_homed("school")),
            "pupils_single_homed": int(self.single_homed("school")["pupils"].sum()),
            "schools_unreachable": int((unreachable["kind"] == "school").sum()),
            "schools_two_trench_cuts": len(self.two_trench_cuts("school")),
            "pupils_two_trench_cuts": int(self.two_trench_cuts("school")["pupils"].sum()),
            "sites_depending_on_one_pop": len(self.depending_on_one_pop()),
            "critical_segments": int((self.criticality["element"] == "segment").sum()),
            "critical_nodes": int((self.criticality["element"] == "node").sum()),
            "critical_trenches": int((self.criticality["element"] == "trench").sum()),
            "possibly_one_trench_pairs": len(self.possibly_one_trench),
            "sites_for_review": len(self.for_review()),
            "redundant_sites_for_review": int(self.for_review()["redundant"].sum()),
        }

    def to_text(self, *, top: int = 10) -> str:
        """Format the summary and the `top` most critical elements as text for the terminal."""
        s = self.summary()
        lines = [
            f"Network ({s['scenario']}): {count(s['segments'])} segments, {km(s['route_km'])}, "
            f"{count(s['vertices'])} vertices, {count(s['pops'])} POP(s)",
            f"Sites: {count(s['sites'])}, on the network {count(s['sites_on_network'])}, reachable "
            f"{count(s['sites_reachable'])}, redundant {count(s['sites_redundant'])}, single-homed "
            f"{count(s['sites_single_homed'])}"
            + (f"; for review: {count(s['sites_for_review'])} (possibly one trench)" if s["sites_for_review"] else ""),
            f"Not on the network: {count(s['sites_not_connected'])} not connected (connection none), "
            f"{count(s['sites_planned'])} planned"
            + (" (--scenario planned adds them)" if s["scenario"] != "planned" else "")
            + "; their distance to fibre: gelsennet coverage",
            "",
            f"Single-homed schools ({count(s['schools_single_homed'])}, {count(s['pupils_single_homed'])} pupils): "
            "one segment, node or trench can cut them off",
        ]
        schools = self.single_homed("school").sort_values(["pupils", "site_id"], ascending=[False, True])
        for row in schools.itertuples(index=False):
            review = getattr(row, "review_trenches", [])
            lines.append(
                f"  {row.site_id:<8} {str(row.name)[:48]:<48} {count(row.pupils):>6} pupils  paths e/n "
                f"{row.edge_disjoint_paths}/{row.node_disjoint_paths}  cut by {len(row.spof_segments)} segment(s), "
                f"{len(row.spof_nodes)} node(s), {len(row.spof_trenches)} trench(es)"
                + (f"  [for review: trenches {', '.join(review)} possibly one]" if len(review) else "")
            )
        lines += self._two_trench_cuts_text(top)
        lines += self._possibly_one_trench_text()
        unreachable = self.unreachable()
        if len(unreachable):
            lines += ["", f"On the network by their connection, but not reachable from any in-service POP "
                          f"({len(unreachable)}):"]
            lines += [f"  {r.site_id:<8} {str(r.name)[:60]}" for r in unreachable.itertuples(index=False)]
        lines += self._pop_dependency_text()
        trenches = self.criticality[self.criticality["element"] == "trench"].head(top)
        lines += ["", f"Trenches whose cut isolates the most pupils (top {top}):"]
        for row in trenches.itertuples(index=False):
            lines.append(f"  {row.element_id:<20} {count(row.n_sites):>3} site(s) {count(row.pupils):>6} pupils  "
                         f"{', '.join(row.sites[:6])}{' ...' if len(row.sites) > 6 else ''}")
        lines += ["", f"Most critical elements beyond a site's own handover node (top {top}):"]
        for row in self.criticality[~self.criticality["handover_only"]].head(top).itertuples(index=False):
            lines.append(f"  {row.element:<8} {row.element_id:<24} {count(row.n_sites):>3} site(s) "
                         f"{count(row.pupils):>6} pupils")
        return "\n".join(lines)

    def _two_trench_cuts_text(self, top: int) -> list[str]:
        s = self.summary()
        schools = self.two_trench_cuts("school").sort_values(["pupils", "site_id"], ascending=[False, True])
        lines = ["", f"Schools that two trench cuts at once can cut off ({count(s['schools_two_trench_cuts'])}, "
                     f"{count(s['pupils_two_trench_cuts'])} pupils): no single trench does; the worst pair each"
                     + (f" (top {top})" if len(schools) > top else "")]
        for row in schools.head(top).itertuples(index=False):
            worst = row.weakest_trench_pairs[0]
            lines.append(f"  {row.site_id:<8} {str(row.name)[:48]:<48} {count(row.pupils):>6} pupils  trenches "
                         f"{worst['trench_a']} + {worst['trench_b']} cut off {count(worst['n_sites'])} site(s), "
                         f"{count(worst['pupils'])} pupils")
        return lines

    def _pop_dependency_text(self) -> list[str]:
        table = self.depending_on_one_pop()
        if not len(table):
            return []
        counts = table.groupby("depends_on_pop").agg(sites=("site_id", "size"), pupils=("pupils", "sum"))
        lines = ["", f"Depending on one POP ({len(table)} site(s)): every path runs through it; its outage is in the "
                     "criticality table, not in the sites' single points of failure"]
        lines += [f"  {pop:<24} {count(row.sites):>3} site(s) {count(row.pupils):>6} pupils"
                  for pop, row in counts.iterrows()]
        return lines

    def _possibly_one_trench_text(self) -> list[str]:
        pairs = self.possibly_one_trench
        if not len(pairs):
            return []
        lines = ["", f"Possibly one trench ({len(pairs)} pair(s) of routes in different trenches; give them one "
                     "trench_id if they lie in one trench):"]
        lines += [f"  {pair_text(row)}" for row in pairs.itertuples(index=False)]
        review = self.for_review().sort_values(["pupils", "site_id"], ascending=[False, True])
        lines += ["", f"For review ({len(review)}): sites that these trenches, if one, would cut off "
                      "(their redundancy rests on two trench ids)"]
        for row in review.itertuples(index=False):
            state = "redundant" if row.redundant else "single-homed"
            lines.append(f"  {row.site_id:<8} {str(row.name)[:48]:<48} {count(row.pupils):>6} pupils  {state}; "
                         f"cut off if trenches {', '.join(row.review_trenches)} are one")
        return lines


@dataclass(frozen=True)
class SiteRedundancy:
    """The first step of every analysis of a network: its cut index, criticality table and per-site table.

    The criticality table and the per-site table (`site_redundancy`) both come from the cut index.
    """

    index: CutIndex
    """The DFS tree and cycle-space labels (`topology.cuts.build_cut_index`)."""
    criticality: pd.DataFrame
    """Every segment, node and trench whose loss isolates sites (`failure_impact`)."""
    sites: pd.DataFrame
    """One row per site (`site_redundancy`)."""


def site_redundancy_of(network: Network, *, timings: dict[str, float] | None = None) -> SiteRedundancy:
    """Build one cut index of `network`, and from it the criticality table and the per-site table.

    `analyse` starts with this and adds the rest; callers that need only which sites are redundant (ring
    closures, plan variants) call it directly, at a fraction of `analyse`'s cost.

    Parameters
    ----------
    network : Network
        The network (`build_network`).
    timings : dict, optional
        Receives the wall-clock seconds of each step by name (`analyse`'s `timings`).

    Returns
    -------
    SiteRedundancy
        The index, the criticality table and the site table, computed once.
    """
    clock = _Clock(timings)
    index = clock.step("build_cut_index", build_cut_index, network)
    impact = clock.step("failure_impact", failure_impact, network, index=index)
    sites = clock.step("site_redundancy", site_redundancy, network, index=index, impact=impact)
    return SiteRedundancy(index, impact, sites)


def analyse(network: Network, *, snap_tolerance_m: float = DEFAULT_SNAP_TOLERANCE_M,
            timings: dict[str, float] | None = None) -> Analysis:
    """Analyse reachability, redundancy and the failure impact of every element of `network`, from one cut index.

    Adds to `site_redundancy_of` the pairs of routes that are possibly one trench (`topology.parallel`), the
    sites those pairs put under review, per site the trench cuts to isolate it and the weakest trench
    pairs (`topology.trench_cuts`), and the sites each element degrades (`topology.degraded`). The
    algorithms (cycle-space labels, Pritchard and Thurimella, ACM TALG 2011) and why they are exact are in
    docs/design.md ("Failure algorithms").

    Parameters
    ----------
    network : Network
        The network (`build_network`).
    snap_tolerance_m : float
        Metres; should be the tolerance the network was built with (shared line beyond it counts as
        possibly one trench).
    timings : dict, optional
        Receives the wall-clock seconds of each step by name, in order (the benchmark's itemised whole
        analysis, benchmarks/topology_bench.py).

    Returns
    -------
    Analysis
        `sites`: one row per site (the columns of `site_redundancy`, and review_trenches,
        trench_cuts_to_isolate, weakest_trench_pairs); `criticality` (`failure_impact`);
        `possibly_one_trench`; `degraded` (`degraded_sites`); `summary()` the counts by name.

    Examples
    --------
    `network` is the square ring of `build_network`'s example (four routes in four trenches, a POP at one
    corner, a school 1 m off the opposite corner).

    >>> summary = analyse(network).summary()
    >>> summary["sites_redundant"], summary["schools_two_trench_cuts"]
    (1, 1)
    """
    clock = _Clock(timings)
    first = site_redundancy_of(network, timings=timings)
    index, impact, sites = first.index, first.criticality, first.sites
    pairs = clock.step("possibly_one_trench", possibly_one_trench, network, snap_tolerance_m=snap_tolerance_m)
    review = clock.step("review_sites", review_sites, index, sites, pairs)
    sites["review_trenches"] = [review.get(site_id, []) for site_id in sites["site_id"]]
    cuts = clock.step("trench_cuts", trench_cuts, network, index=index, impact=impact).set_index("site_id")
    sites["trench_cuts_to_isolate"] = cuts["trench_cuts_to_isolate"].reindex(sites["site_id"]).to_numpy()
    sites["weakest_trench_pairs"] = cuts["weakest_trench_pairs"].reindex(sites["site_id"]).to_numpy()
    degraded = clock.step("degraded_sites", degraded_sites, network, index=index, sites=sites)
    return Analysis(network, sites, impact, pairs, degraded)


class _Clock:
    """Calls a step and, if `timings` is a dict, records its wall-clock seconds under its name."""

    def __init__(self, timings: dict[str, float] | None) -> None:
        self.timings = timings

    def step(self, name: str, func, *args, **kwargs):
        if self.timings is None:
            return func(*args, **kwargs)
        start = time.perf_counter()
        result = func(*args, **kwargs)
        self.timings[name] = time.perf_counter() - start
        return result
