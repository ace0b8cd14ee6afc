"""Ring closure: short new links between existing nodes that make single-homed sites redundant.

For every single-homed site, the part of the network that one of its single points of failure
would cut off is its "island". Candidates join an inventory node on the island to the nearest
inventory nodes off it, within `max_link_m`. Every candidate is then checked by the topology
engine: the link is added (in a trench of its own) and the redundancy analysis runs again; only
sites that are really redundant afterwards count. Each proposal (a pair of nodes) is listed once,
with every single-homed site it makes redundant; ranked by sites, then pupils, made redundant per
euro. Proposals for one site are alternatives: most planners need only some of them.

`ring_closure_plan` picks the cheapest set of proposals that together leave no single-homed site
that any proposal can help (a weighted set cover: each proposal covers the sites it makes redundant
on its own, at its cost; all costs are one price per metre, so the cheapest set is also the shortest).
Weighted set cover is NP-hard (Karp 1972), but these instances are small: it is solved exactly as a
0/1 integer program (minimise the summed cost, every coverable site covered at least once) by the
HiGHS branch-and-bound solver (Huangfu and Hall 2018) through `scipy.optimize.milp`. Should HiGHS stop
at its time limit without a proven optimum, the greedy rule takes over (Chvátal 1979: the proposal with
the least cost per newly covered site, repeatedly; within a factor H(n) ≤ 1 + ln n of the optimum) and
`RingPlan.method` says so. The chosen links are then added to the network together and the redundancy
analysis runs once more: `RingPlan.remaining` lists the sites still single-homed (those no proposal
reaches, and any the re-analysis does not confirm), so the plan is a verified fact, not a sum of
separate estimates.

References: R. M. Karp, Reducibility among combinatorial problems (1972); V. Chvátal, A greedy
heuristic for the set-covering problem, Math. Oper. Res. 4(3) (1979); Q. Huangfu and J. A. J. Hall,
Parallelizing the dual revised simplex method, Math. Prog. Comp. 10 (2018), https://highs.dev.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import shapely

from coverage.config import CoverageConfig, load_config
from coverage.errors import NoCoverError
from topology.analysis import site_redundancy_of
from topology.cuts import CutIndex, isolated_ranges
from topology.network import Network
from topology.redundancy import site_redundancy, vertex_label

COLUMNS = ["link_id", "from_node", "to_node", "length_m", "new_route_m", "cost_eur", "cost_low_eur", "cost_high_eur",
           "sites_made_redundant", "pupils_made_redundant", "sites", "sites_per_million_eur", "pupils_per_thousand_eur",
           "geometry"]
"""The columns of a ring closure proposal, one row per new link.

`length_m` is the straight line, `new_route_m` that times the detour factor; `cost_eur` is priced by the
default construction method, `cost_low_eur`–`cost_high_eur` over the range methods; `sites` lists the ids.
"""


def with_link(network: Network, a: int, b: int, *, link_id: str, length_m: float) -> Network:
    """Return a copy of `network` with one more in-service edge a–b in a trench of its own.

    Parameters
    ----------
    network : Network
        The network to add to; it is not changed.
    a, b : int
        The vertices to join; the edge is their straight line.
    link_id : str
        The new edge's id, route id and trench id.
    length_m : float
        The length the edge counts with (metres; e.g. the straight line times the detour factor).

    Returns
    -------
    Network
        The copy, with the build's findings dropped.
    """
    line = shapely.LineString([network.vertex_xy[a], network.vertex_xy[b]])
    return dataclasses.replace(
        network,
        edge_u=np.append(network.edge_u, a),
        edge_v=np.append(network.edge_v, b),
        edge_id=np.append(network.edge_id, link_id),
        edge_route_id=np.append(network.edge_route_id, link_id),
        edge_trench_id=np.append(network.edge_trench_id, link_id),
        edge_length_m=np.append(network.edge_length_m, length_m),
        edge_geometry=np.append(network.edge_geometry, np.array([line], dtype=object)),
        findings=[],
    )


def _islands(index: CutIndex, network: Network, table: pd.DataFrame) -> dict[str, np.ndarray]:
    """Per single-homed site: the vertices that its single points of failure would cut off with it."""
    edges_of: dict[tuple[str, str], np.ndarray] = {}
    for kind, keys in (("segment", network.edge_route_id), ("trench", network.edge_trench_id)):
        for key in np.unique(keys):
            edges_of[(kind, key)] = np.flatnonzero(keys == key)
    vertex_of = {vertex_label(network, v): v for v in range(network.n_vertices)}
    islands = {}
    for row in table.itertuples(index=False):
        ranges = []
        for kind, ids in (("segment", row.spof_segments), ("trench", row.spof_trenches)):
            for element in ids:
                ranges += isolated_ranges(index, edges_of[(kind, element)])
        for node in row.spof_nodes:
            v = vertex_of[node]
            incident = np.flatnonzero((network.edge_u == v) | (network.edge_v == v))
            ranges += isolated_ranges(index, incident)
        vertices = np.unique(np.concatenate([index.order[a:b] for a, b in ranges])) if ranges else np.zeros(0, int)
        islands[row.site_id] = vertices[vertices < network.n_vertices]
    return islands


def ring_closures(network: Network, *, config: CoverageConfig | None = None, top: int | None = None) -> pd.DataFrame:
    """Propose ring closures: candidate links, each verified by re-running the redundancy analysis with it added.

    The method (islands, candidates, verification) is in the module text; the defaults are in docs/design.md
    ("Coverage words and thresholds") and `coverage/defaults.toml`.

    Parameters
    ----------
    network : Network
        Today's network (`topology.network.build_network`).
    config : CoverageConfig, optional
        `ring_closure.max_link_m` (metres), `ring_closure.candidates_per_site` and the cost table (default
        `load_config()`).
    top : int, optional
        Keep only this many proposals (default: all).

    Returns
    -------
    pandas.DataFrame
        `COLUMNS`, one row per proposal (a pair of nodes, once), best value first: by sites made redundant per
        million €, then pupils per thousand €, then link_id. Empty when no site is single-homed or no
        candidate makes one redundant.

    Raises
    ------
    coverage.errors.ConfigError
        From `load_config` when no `config` is given and the configured TOML file is invalid.
    """
    config = config or load_config()
    first = site_redundancy_of(network)
    index, before = first.index, first.sites
    single = before[before["reachable"] & ~before["redundant"]]
    if single.empty:
        return pd.DataFrame(columns=COLUMNS)
    islands = _islands(index, network, single)
    reachable = index.tin[: network.n_vertices] >= 0
    named = np.array([n is not None for n in network.vertex_node_id]) & reachable
    max_m, per_site = config.ring_closure.max_link_m, config.ring_closure.candidates_per_site
    candidates: dict[tuple[int, int], None] = {}
    for row in single.itertuples(index=False):
        island = islands[row.site_id]
        spof_nodes = {v for v in range(network.n_vertices) if vertex_label(network, v) in set(row.spof_nodes)}
        on = island[named[island]]
        off = np.flatnonzero(named)
        off = off[~np.isin(off, island) & ~np.isin(off, list(spof_nodes))]
        if not len(on) or not len(off):
            continue
        tree = shapely.STRtree(shapely.points(network.vertex_xy[off]))
        a_idx, b_idx = tree.query(shapely.points(network.vertex_xy[on]), predicate="dwithin", distance=max_m)
        if not len(a_idx):
            continue
        length = np.hypot(*(network.vertex_xy[on[a_idx]] - network.vertex_xy[off[b_idx]]).T)
        for k in np.argsort(length, kind="stable")[:per_site]:
            a, b = int(on[a_idx[k]]), int(off[b_idx[k]])
            candidates[(min(a, b), max(a, b))] = None
    single_ids = set(single["site_id"])
    pupils = dict(zip(before["site_id"], before["pupils"], strict=True))
    rows = []
    for a, b in candidates:
        straight = float(np.hypot(*(network.vertex_xy[a] - network.vertex_xy[b])))
        link_id = f"NEW {vertex_label(network, a)}–{vertex_label(network, b)}"
        route_m = config.cost.route_m(straight)
        after = site_redundancy(with_link(network, a, b, link_id=link_id, length_m=route_m))
        fixed = sorted(set(after.loc[after["redundant"], "site_id"]) & single_ids)
        if not fixed:
            continue
        cost = config.cost.laid_eur(route_m)
        low, high = config.cost.laid_range_eur(route_m)
        gained = int(sum(pupils[s] or 0 for s in fixed))
        rows.append({
            "link_id": link_id, "from_node": vertex_label(network, a), "to_node": vertex_label(network, b),
            "length_m": straight, "new_route_m": route_m, "cost_eur": cost,
            "cost_low_eur": low, "cost_high_eur": high, "sites_made_redundant": len(fixed),
            "pupils_made_redundant": gained, "sites": fixed,
            # a link that costs nothing (a configured price of 0 €, e.g. an existing duct) is worth any price
            "sites_per_million_eur": len(fixed) / cost * 1e6 if cost > 0 else math.inf,
            "pupils_per_thousand_eur": gained / cost * 1e3 if cost > 0 else math.inf,
            "geometry": shapely.LineString([network.vertex_xy[a], network.vertex_xy[b]]),
        })
    table = pd.DataFrame(rows, columns=COLUMNS).drop_duplicates("link_id")  # each proposal once
    table = table.sort_values(["sites_per_million_eur", "pupils_per_thousand_eur", "link_id"],
                              ascending=[False, False, True], ignore_index=True)
    return table.head(top) if top else table


@dataclass
class RingPlan:
    """The cheapest set of ring closures and what re-analysis says about it (`ring_closure_plan`)."""

    proposals: pd.DataFrame
    """Every verified proposal once (`ring_closures`), with `in_cheapest_set` (bool)."""
    chosen: pd.DataFrame
    """The proposals in the cheapest set, in the order of `proposals` (most sites made redundant per million €
    first)."""
    single_homed: list[str]
    """Site ids single-homed before (of the kinds asked for)."""
    coverable: list[str]
    """Those that some proposal makes redundant on its own: the sites the set must cover."""
    remaining: list[str]
    """Site ids still single-homed once every chosen link is added, by re-running the redundancy analysis."""
    also_redundant: list[str] = field(default_factory=list)
    """Sites the chosen links make redundant together although no single proposal does."""
    method: str = "exact"
    """'exact' (HiGHS proved the optimum), 'greedy' (Chvátal's rule, after the solver's time limit) or 'none'."""

    @property
    def verified(self) -> bool:
        """True when the re-analysis confirms every coverable site redundant with the chosen links."""
        return not set(self.coverable) & set(self.remaining)

    @property
    def complete(self) -> bool:
        """True when no single-homed site (of the kinds asked for) remains."""
        return not self.remaining

    def totals(self) -> dict[str, float]:
        """Sum up the chosen set: links, length_m (straight), new_route_m, cost_eur, cost_low_eur, cost_high_eur."""
        out: dict[str, float] = {"links": len(self.chosen)}
        for column in ("length_m", "new_route_m", "cost_eur", "cost_low_eur", "cost_high_eur"):
            out[column] = float(self.chosen[column].sum()) if len(self.chosen) else 0.0
        return out


def cheapest_cover(costs: list[float], covers: list[set[str]], universe: set[str], *,
                   time_limit_s: float = 20.0) -> tuple[list[int], str]:
    """Return the indices of a cheapest selection of `covers` whose union contains `universe`, and the method.

    Every element of `universe` must lie in some cover. The method is 'exact' (a 0/1 integer program solved by
    HiGHS, Huangfu and Hall 2018, through `scipy.optimize.milp`: proved optimal) or 'greedy' (Chvátal's rule,
    1979: the cover with the least cost per newly covered element, repeatedly, within a factor H(n) ≤ 1 + ln n
    of the optimum; used when HiGHS stops at `time_limit_s` without a proven optimum). Ties between equally
    cheap selections go to fewer proposals, then to the earlier ones. The references are in the module text.

    Parameters
    ----------
    costs : list of float
        The cost of each cover (€), shape (n,); positive.
    covers : list of set of str
        The elements (site ids) each cover covers, aligned to `costs`.
    universe : set of str
        The elements to cover.
    time_limit_s : float
        Seconds HiGHS may search before the greedy rule takes over.

    Returns
    -------
    chosen : list of int
        The indices into `covers` of the selection, ascending; empty for an empty `universe`.
    method : str
        'exact' or 'greedy'.

    Raises
    ------
    coverage.errors.NoCoverError
        When an element of `universe` lies in no cover (its `missing` names them).

    Examples
    --------
    >>> cheapest_cover([5.0, 3.0, 3.0], [{"a", "b"}, {"a"}, {"b"}], {"a", "b"})
    ([0], 'exact')
    """
    elements = sorted(universe)
    if not elements:
        return [], "exact"
    missing = [e for e in elements if not any(e in c for c in covers)]
    if missing:
        raise NoCoverError(missing)
    from scipy.optimize import Bounds, LinearConstraint, milp

    n = len(costs)
    matrix = np.array([[e in c for c in covers] for e in elements], dtype=float)
    scale = max(costs) or 1.0
    # cost first; a tiny tie-break term prefers fewer and earlier proposals without changing the optimum
    tie = 1e-7 * (1 + np.arange(n) / max(n, 1))
    objective = np.asarray(costs, dtype=float) / scale + tie
    result = milp(objective, constraints=LinearConstraint(matrix, lb=1, ub=np.inf), integrality=np.ones(n),
                  bounds=Bounds(0, 1), options={"time_limit": time_limit_s})
    if result.status == 0 and result.x is not None:
        return sorted(int(i) for i in np.flatnonzero(result.x > 0.5)), "exact"
    chosen: list[int] = []
    left = set(elements)
    while left:
        best = min((i for i in range(n) if covers[i] & left), key=lambda i: (costs[i] / len(covers[i] & left), i))
        chosen.append(best)
        left -= covers[best]
    return sorted(chosen), "greedy"


def ring_closure_plan(network: Network, *, config: CoverageConfig | None = None, kinds: tuple[str, ...] = (),
                      proposals: pd.DataFrame | None = None) -> RingPlan:
    """Choose the cheapest set of ring closures that leaves no single-homed site any closure can help.

    A weighted set cover over the verified proposals (`ring_closures`, or `proposals` already computed for
    `network`): each covers the sites it makes redundant on its own, at its cost. Solved exactly as a 0/1
    program by HiGHS (Huangfu and Hall 2018, through `scipy.optimize.milp`), or by Chvátal's greedy rule
    (1979) should HiGHS stop at its time limit; then verified by adding every chosen link to `network` and
    re-running the redundancy analysis (see the module text for the method and its references).

    Parameters
    ----------
    network : Network
        Today's network (`topology.network.build_network`).
    config : CoverageConfig, optional
        `ring_closure.max_link_m` (600 m), `candidates_per_site` and the cost table (default `load_config()`).
    kinds : tuple of str
        Site kinds that must be covered (('school',) for the schools); empty: every kind.
    proposals : pandas.DataFrame, optional
        `ring_closures(network)`, reused when given.

    Returns
    -------
    RingPlan
        `proposals` (with in_cheapest_set), `chosen`, the site ids `single_homed`, `coverable`, `remaining`
        (still single-homed after re-analysis) and `also_redundant`, and `method` ('exact', 'greedy' or
        'none').

    Raises
    ------
    coverage.errors.ConfigError
        From `load_config` when no `config` is given and the configured TOML file is invalid.
    """
    config = config or load_config()
    table = ring_closures(network, config=config) if proposals is None else proposals.copy()
    before = site_redundancy(network)
    if kinds:
        before = before[before["kind"].isin(kinds)]
    single = sorted(before.loc[before["reachable"] & ~before["redundant"], "site_id"])
    covers = [set(sites) & set(single) for sites in table["sites"]]
    coverable = sorted(set().union(*covers)) if covers else []
    picked, method = cheapest_cover(table["cost_eur"].tolist(), covers, set(coverable))
    table["in_cheapest_set"] = False
    table.loc[table.index[picked], "in_cheapest_set"] = True
    chosen = table[table["in_cheapest_set"]]
    vertex_of = {vertex_label(network, v): v for v in range(network.n_vertices)}
    extended = network
    for row in chosen.itertuples(index=False):
        extended = with_link(extended, vertex_of[row.from_node], vertex_of[row.to_node], link_id=row.link_id,
                             length_m=row.new_route_m)
    after = site_redundancy(extended).set_index("site_id")
    remaining = [s for s in single if not after.at[s, "redundant"]]
    also = sorted(set(single) - set(coverable) - set(remaining))
    return RingPlan(proposals=table, chosen=chosen, single_homed=single, coverable=coverable, remaining=remaining,
                    also_redundant=also, method=method if len(table) else "none")
