"""What the pairs of routes possibly in one trench (`topology.parallel`) mean, for review.

- `pair_text`: a pair in words for the terminal (with `percent`, a share rounded down);
- `trench_groups`: the trench ids that pairs join, transitively;
- `review_sites`: the sites that the trenches of such pairs, failing together, would cut off
  although none of those trenches alone does: their redundancy rests on the pairs being
  separate trenches, so it is for review.

All lengths and distances are metres in the network's CRS (EPSG:25832).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.sparse import coo_array
from scipy.sparse.csgraph import connected_components

from inventory.cli_format import metres, number
from inventory.cli_format import share as cli_share
from topology.cuts import CutIndex, isolated_ranges


def pair_text(row) -> str:
    """Word a pair of routes (a row of `possibly_one_trench`) for the terminal.

    Parameters
    ----------
    row : namedtuple
        A row of `possibly_one_trench` (`itertuples`): route_a, trench_a, route_b, trench_b, kind,
        distance_m and side_by_side_m (metres), share (0..1), length_a_m (metres).

    Returns
    -------
    str
        One English phrase, e.g. 'routes A (trench TA) and B (trench TB) run within 0.3 m of each other
        along 98 % of A's length (102 of 104 m)'; for a duplicate '... are the same line', for an overlap
        '... share 12.0 m of line (40 % of A)'.
    """
    a = f"{row.route_a} (trench {row.trench_a})"
    b = f"{row.route_b} (trench {row.trench_b})"
    if row.kind == "duplicate":
        return f"routes {a} and {b} are the same line"
    if row.kind == "overlapping":
        return (f"routes {a} and {b} share {metres(row.side_by_side_m, 1)} of line "
                f"({percent(row.share)} of {row.route_a})")
    return (f"routes {a} and {b} run within {metres(row.distance_m, 1)} of each other along {percent(row.share)} "
            f"of {row.route_a}'s length ({number(row.side_by_side_m)} of {metres(row.length_a_m)})")


def percent(share: float) -> str:
    """Format a share 0..1 as whole per cent, rounded down (so '98 %' is never more than is true).

    Parameters
    ----------
    share : float
        The share, 0..1.

    Returns
    -------
    str
        The whole per cent and ' %', in the terminal's number format (`inventory.cli_format.share`).

    Examples
    --------
    >>> percent(0.989), percent(1.0)
    ('98 %', '100 %')
    """
    return cli_share(np.floor(share * 100) / 100)


def trench_groups(pairs: pd.DataFrame) -> list[list[str]]:
    """Group the trench ids that pairs join, transitively: if A and B are one trench, and B and C, so are A and C.

    Parameters
    ----------
    pairs : pandas.DataFrame
        Pairs of routes (`possibly_one_trench`; at least trench_a and trench_b).

    Returns
    -------
    list of list of str
        The groups of trench ids, each sorted, in order of their first id; none without pairs.
    """
    if not len(pairs):
        return []
    codes, trenches = pd.factorize(pd.concat([pairs["trench_a"], pairs["trench_b"]], ignore_index=True))
    n, half = len(trenches), len(pairs)
    graph = coo_array((np.ones(half), (codes[:half], codes[half:])), shape=(n, n))
    _, label = connected_components(graph, directed=False)
    groups: dict[int, list[str]] = {}
    for trench, group in zip(trenches.tolist(), label.tolist(), strict=True):
        groups.setdefault(group, []).append(str(trench))
    return sorted((sorted(g) for g in groups.values()), key=lambda g: g[0])


def review_sites(index: CutIndex, sites: pd.DataFrame, pairs: pd.DataFrame) -> dict[str, list[str]]:
    """Find the sites whose redundancy rests on the routes of `pairs` lying in separate trenches.

    Each group of `trench_groups(pairs)` is failed at once with the trench-cut engine (`isolated_ranges`);
    a site it cuts off counts unless one of the group's trenches alone already does (its spof_trenches).

    Parameters
    ----------
    index : CutIndex
        The cut index of the network (`topology.cuts`).
    sites : pandas.DataFrame
        The per-site table of `site_redundancy` (at least site_id and spof_trenches).
    pairs : pandas.DataFrame
        Pairs of routes from `possibly_one_trench`.

    Returns
    -------
    dict of str to list of str
        Site id -> the trench ids that, failing together, cut the site off although none of them alone does.
    """
    network = index.network
    already = dict(zip(sites["site_id"], sites["spof_trenches"], strict=True))
    out: dict[str, list[str]] = {}
    groups = trench_groups(pairs)
    if not groups:
        return out
    # the edges of each trench, by one sort (not a scan of every edge per group)
    codes, trenches = pd.factorize(network.edge_trench_id)
    by_trench = np.argsort(codes, kind="stable")
    bounds = np.searchsorted(codes[by_trench], np.arange(len(trenches) + 1))
    code_of = {trench: code for code, trench in enumerate(trenches.tolist())}
    for group in groups:
        found = [code_of[t] for t in group if t in code_of]
        edges = np.concatenate([by_trench[bounds[c]:bounds[c + 1]] for c in found] or [[]])
        for site_id in index.sites_in_ranges(isolated_ranges(index, edges)):
            if not set(already.get(site_id, ())) & set(group):
                out.setdefault(site_id, []).extend(t for t in group if t not in out.get(site_id, []))
    return out
