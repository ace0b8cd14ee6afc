"""The whole topology analysis of a network in one call: per-site table, criticality table, summary."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from topology.cuts import build_cut_index
from topology.network import Network
from topology.redundancy import failure_impact, site_redundancy


@dataclass
class Analysis:
    network: Network
    sites: pd.DataFrame
    """One row per site (see `site_redundancy`)."""
    criticality: pd.DataFrame
    """Every segment, node and trench whose loss isolates sites, most pupils first (see `failure_impact`)."""

    def single_homed(self, kind: str | None = None) -> pd.DataFrame:
        """Reachable sites that one failure (segment, node or trench) can cut off."""
        table = self.sites[self.sites["reachable"] & ~self.sites["redundant"]]
        return table if kind is None else table[table["kind"] == kind]

    def summary(self) -> dict[str, object]:
        sites = self.sites
        schools = sites[sites["kind"] == "school"]
        return {
            "scenario": self.network.scenario,
            "vertices": self.network.n_vertices,
            "segments": self.network.n_edges,
            "route_km": round(float(self.network.edge_length_m.sum()) / 1000, 2),
            "pops": len(self.network.pop_vertices),
            "sites": len(sites),
            "sites_reachable": int(sites["reachable"].sum()),
            "sites_redundant": int(sites["redundant"].sum()),
            "sites_single_homed": len(self.single_homed()),
            "schools_single_homed": len(self.single_homed("school")),
            "pupils_single_homed": int(self.single_homed("school")["pupils"].sum()),
            "schools_unreachable": int((~schools["reachable"]).sum()),
            "critical_segments": int((self.criticality["element"] == "segment").sum()),
            "critical_nodes": int((self.criticality["element"] == "node").sum()),
            "critical_trenches": int((self.criticality["element"] == "trench").sum()),
        }

    def to_text(self, *, top: int = 10) -> str:
        s = self.summary()
        lines = [
            f"Network ({s['scenario']}): {s['segments']} segments, {s['route_km']} km, {s['vertices']} vertices, "
            f"{s['pops']} POP(s)",
            f"Sites: {s['sites']}, reachable {s['sites_reachable']}, redundant {s['sites_redundant']}, "
            f"single-homed {s['sites_single_homed']}",
            "",
            f"Single-homed schools ({s['schools_single_homed']}, {s['pupils_single_homed']} pupils): "
            "one segment, node or trench can cut them off",
        ]
        schools = self.single_homed("school").sort_values(["pupils", "site_id"], ascending=[False, True])
        for row in schools.itertuples(index=False):
            lines.append(
                f"  {row.site_id:<8} {str(row.name)[:48]:<48} {row.pupils:>5} pupils  paths e/n "
                f"{row.edge_disjoint_paths}/{row.node_disjoint_paths}  cut by {len(row.spof_segments)} segment(s), "
                f"{len(row.spof_nodes)} node(s), {len(row.spof_trenches)} trench(es)"
            )
        unreachable = self.sites[~self.sites["reachable"]]
        if len(unreachable):
            lines += ["", f"Not reachable from any in-service POP ({len(unreachable)}):"]
            lines += [f"  {r.site_id:<8} {str(r.name)[:60]}" for r in unreachable.itertuples(index=False)]
        trenches = self.criticality[self.criticality["element"] == "trench"].head(top)
        lines += ["", f"Trenches whose cut isolates the most pupils (top {top}):"]
        for row in trenches.itertuples(index=False):
            lines.append(f"  {row.element_id:<20} {row.n_sites:>3} site(s) {row.pupils:>6} pupils  "
                         f"{', '.join(row.sites[:6])}{' ...' if len(row.sites) > 6 else ''}")
        lines += ["", f"Most critical elements beyond a site's own handover node (top {top}):"]
        for row in self.criticality[~self.criticality["handover_only"]].head(top).itertuples(index=False):
            lines.append(f"  {row.element:<8} {row.element_id:<24} {row.n_sites:>3} site(s) {row.pupils:>6} pupils")
        return "\n".join(lines)


def analyse(network: Network) -> Analysis:
    """Reachability, redundancy and failure impact of every element, from one cut index."""
    index = build_cut_index(network)
    impact = failure_impact(network, index=index)
    return Analysis(network, site_redundancy(network, index=index, impact=impact), impact)
