"""Cables: the route segments under construction, their years, second and retired cables, merged chains."""

from __future__ import annotations

import itertools
from collections import Counter
from dataclasses import dataclass, field

import networkx as nx
import numpy as np
import pandas as pd

from inventory.sample.base import (
    FIRST_YEAR,
    LAST_YEAR,
    MAX_SEGMENT_M,
    MERGE_SHARE,
    METHOD_SHARES,
    N_RETIRED_CABLES,
    PLANNED_YEARS,
    distance_m,
    random_day,
)
from inventory.sample.grid import Grid


@dataclass
class Cable:
    """One route segment under construction, between two node indices, in a trench group."""

    u: int
    v: int
    trench: str
    role: str
    via: list[int] = field(default_factory=list)
    """Interior vertices (nodes merged away), in order from u to v."""
    status: str = "in_service"
    built_year: int | None = None
    planned_date: pd.Timestamp | None = None
    fibre_count: int = 24
    method: str | None = None
    route_id: str = ""


@dataclass
class Network:
    """Nodes (grid points, then building entries) and cables of the synthetic GELSEN-NET."""

    xy: list[tuple[float, float]]
    pops: dict[int, str]
    cables: list[Cable] = field(default_factory=list)
    entries: dict[int, dict] = field(default_factory=dict)
    """Building-entry node index -> its site_id, site name and status."""

    def node_years(self) -> dict[int, int]:
        """Year each node came into service: its first in-service cable."""
        years: dict[int, int] = {}
        for c in self.cables:
            if c.status == "in_service" and c.built_year is not None:
                for n in (c.u, c.v):
                    years[n] = min(years.get(n, c.built_year), c.built_year)
        return years

    def core(self) -> set[int]:
        """Nodes 2-edge-connected to the POPs over in-service cables (parallel cables count twice)."""
        count = Counter((min(c.u, c.v), max(c.u, c.v)) for c in self.cables if c.status == "in_service")
        graph = nx.Graph()
        graph.add_edges_from(sorted(count))
        bridges = [e for e in nx.bridges(graph) if count[(min(e), max(e))] == 1]
        graph.remove_edges_from(bridges)
        pop = min(self.pops)
        return set(nx.node_connected_component(graph, pop))


def add_trunk_cables(net: Network, grid: Grid, ring, tree, mesh, closures, dist, sizes) -> None:
    """One cable per ring, feeder, mesh and planned-closure link, in its own trench.

    Fibre counts: 288 on the ring; on a feeder link by the nodes fed through it (144 from 100 nodes,
    96 from 25, 48 from 5, else 24); 48 on mesh and closure links. Closures are planned, the rest
    in service. Each link's trench is ``e<row>``.

    Parameters
    ----------
    net : Network
        The network to add the cables to (changed in place).
    grid : Grid
        The grid whose links the cables follow.
    ring, tree, mesh, closures : iterable of int
        Rows of ``grid.edges``: the backbone ring, the feeder tree, mesh links and planned closures.
    dist : dict of int to float
        Distance of every grid point from the ring (`feeder_tree`); a link's child is its farther end.
    sizes : dict of int to int
        Nodes fed through each node (`subtree_sizes`).
    """
    for role, edges in (("ring", ring), ("feeder", tree), ("mesh", mesh), ("closure", closures)):
        for e in edges:
            u, v = (int(n) for n in grid.edges[e])
            child = max(u, v, key=lambda n: dist[n])
            fibres = {"ring": 288, "feeder": _feeder_fibres(sizes.get(child, 1))}.get(role, 48)
            status = "planned" if role == "closure" else "in_service"
            net.cables.append(Cable(u, v, trench=f"e{e}", role=role, status=status, fibre_count=fibres))


def _feeder_fibres(nodes_fed: int) -> int:
    return 144 if nodes_fed >= 100 else 96 if nodes_fed >= 25 else 48 if nodes_fed >= 5 else 24


def assign_build_years(net: Network, dist: dict[int, float], rng: np.random.Generator) -> None:
    """Years 1996-2025: the ring first, then outwards from it, rings closed a little later; ~20 km a year.

    In-service cables are ordered by distance from the ring (mesh links' distance counted 1.25 times,
    plus up to 1.5 km of noise) and share out the years by length, each year's share drawn uniformly
    from [0.75, 1.25). Planned cables get a `planned_date` in `PLANNED_YEARS` instead.

    Parameters
    ----------
    net : Network
        The network after `add_trunk_cables`; its cables' ``built_year`` / ``planned_date`` are set in place.
    dist : dict of int to float
        Distance of every grid point from the ring (`feeder_tree`), noisy metres.
    rng : numpy.random.Generator
        The stage's random stream.
    """
    trunk = [c for c in net.cables if c.status == "in_service"]
    delay = {"feeder": 1.0, "mesh": 1.25}  # a mesh link comes after the feeders at the same distance
    noise_m = rng.uniform(0, 1500, len(trunk))
    key = np.array(
        [
            -1.0 if c.role == "ring" else max(dist[c.u], dist[c.v]) * delay[c.role] + noise_m[i]
            for i, c in enumerate(trunk)
        ]
    )
    lengths = np.array([distance_m(net.xy[c.u], net.xy[c.v]) for c in trunk])
    years = np.arange(FIRST_YEAR, LAST_YEAR + 1)
    share = np.cumsum(rng.uniform(0.75, 1.25, len(years)))
    share /= share[-1]
    order = np.argsort(key, kind="stable")
    done = (np.cumsum(lengths[order]) - lengths[order] / 2) / lengths.sum()
    for i, year_index in zip(order, np.searchsorted(share, done), strict=True):
        trunk[i].built_year = int(years[min(year_index, len(years) - 1)])
    for c in net.cables:
        if c.status == "planned":
            c.planned_date = random_day(rng, PLANNED_YEARS)


def add_ring_second_cables(net: Network, pops: dict[int, str], rng: np.random.Generator) -> None:
    """Add a second cable in every ring trench, four cables next to the POPs: trenches shared by 2-4 cables.

    Each added cable is built 2 to 14 years after the ring cable (at most `LAST_YEAR`).

    Parameters
    ----------
    net : Network
        The network after `assign_build_years` (changed in place).
    pops : dict of int to str
        POP node index -> Stadtteil; a ring link ending at one gets three more cables (144, 96, 96
        fibres), any other one more (144 fibres).
    rng : numpy.random.Generator
        The stage's random stream.
    """
    for c in [c for c in net.cables if c.role == "ring"]:
        extra = 3 if (c.u in pops or c.v in pops) else 1
        for k in range(extra):
            year = min(LAST_YEAR, c.built_year + int(rng.integers(2, 15)))
            net.cables.append(Cable(c.u, c.v, c.trench, role="second", built_year=year, fibre_count=(144, 96, 96)[k]))


def double_spurs(net: Network, plan: pd.DataFrame, parent: dict[int, int], rng) -> None:
    """Collapsed rings: a second cable in the same trench along the spurs of some schools.

    For each site planned ``collapsed``, every link from both ends of its grid link back along the
    feeder tree to the core (`Network.core`) gets a second cable with the same fibre count, built 1
    to 7 years later (at most `LAST_YEAR`).

    Parameters
    ----------
    net : Network
        The network after `add_ring_second_cables` (changed in place).
    plan : pandas.DataFrame
        The connection plan (`plan_connections`), with ``style``, ``u`` and ``v``.
    parent : dict of int to int
        Each node's parent in the feeder tree (`feeder_tree`).
    rng : numpy.random.Generator
        The stage's random stream.
    """
    core = net.core()
    by_edge = {(min(c.u, c.v), max(c.u, c.v)): c for c in net.cables if c.status == "in_service"}
    spur_edges: set[tuple[int, int]] = set()
    for row in plan[plan["style"] == "collapsed"].itertuples():
        for start in (row.u, row.v):
            node = start
            while node not in core:
                spur_edges.add((min(node, parent[node]), max(node, parent[node])))
                node = parent[node]
    for key in sorted(spur_edges):
        c = by_edge[key]
        year = min(LAST_YEAR, c.built_year + int(rng.integers(1, 8)))
        net.cables.append(Cable(c.u, c.v, c.trench, role="second", built_year=year, fibre_count=c.fibre_count))


def add_retired_cables(net: Network, rng: np.random.Generator) -> None:
    """Add a few old cables left in early feeder trenches, retired.

    Parameters
    ----------
    net : Network
        The network after `assign_build_years` (changed in place): `N_RETIRED_CABLES` feeder trenches
        built up to 2002, drawn at random, get a retired 12-fibre cable of the same year.
    rng : numpy.random.Generator
        The stage's random stream.
    """
    early = [c for c in net.cables if c.role == "feeder" and c.built_year <= 2002]
    for i in sorted(rng.choice(len(early), size=min(N_RETIRED_CABLES, len(early)), replace=False).tolist()):
        c = early[i]
        net.cables.append(
            Cable(c.u, c.v, c.trench, role="retired", status="retired", built_year=c.built_year, fibre_count=12)
        )


def merge_chains(net: Network, keep: set[int], rng: np.random.Generator) -> None:
    """Join some pairs of cables that meet at a plain node into one longer route with a bend.

    Only cables alone in their trench, of one status and not drops are joined (keeping the earlier year and the
    larger fibre count), never through a POP, a building entry or a node that a site is connected from,
    and never beyond MAX_SEGMENT_M. The joined-away node disappears: the route bends there. Each
    eligible node is merged with probability `MERGE_SHARE`.

    Parameters
    ----------
    net : Network
        The network with all its cables (changed in place: the first cable of a pair is extended, the
        second removed).
    keep : set of int
        Node indices never merged away (those sites are connected from).
    rng : numpy.random.Generator
        The stage's random stream.
    """
    trench_size = Counter(c.trench for c in net.cables)
    incident: dict[int, list[Cable]] = {}
    for c in net.cables:
        for n in (c.u, c.v):
            incident.setdefault(n, []).append(c)
    for n in sorted(incident):
        pair = incident[n]
        if n in keep or n in net.pops or n in net.entries or len(pair) != 2 or rng.random() > MERGE_SHARE:
            continue
        a, b = pair
        if not _joinable(a, b, trench_size):
            continue
        path = _joined_path(a, b, n)
        if _path_length(net, path) > MAX_SEGMENT_M:
            continue
        a.u, a.via, a.v = path[0], path[1:-1], path[-1]
        if a.built_year is not None:  # the earlier year keeps every node's first year in service
            a.built_year = min(a.built_year, b.built_year)
        a.fibre_count = max(a.fibre_count, b.fibre_count)
        far = b.v if b.u == n else b.u
        incident[far] = [a if c is b else c for c in incident[far]]
        incident[n] = []
        net.cables.remove(b)


def _joinable(a: Cable, b: Cable, trench_size: Counter) -> bool:
    alone = trench_size[a.trench] == trench_size[b.trench] == 1
    ends = {a.u, a.v} ^ {b.u, b.v}
    return a.status == b.status and "drop" not in (a.role, b.role) and alone and len(ends) == 2


def _joined_path(a: Cable, b: Cable, n: int) -> list[int]:
    first = [a.u, *a.via, a.v] if a.v == n else [a.v, *reversed(a.via), a.u]
    second = [b.u, *b.via, b.v] if b.u == n else [b.v, *reversed(b.via), b.u]
    return first + second[1:]


def _path_length(net: Network, path: list[int]) -> float:
    return sum(distance_m(net.xy[p], net.xy[q]) for p, q in itertools.pairwise(path))


def set_cable_attributes(net: Network, rng: np.random.Generator) -> None:
    """Set the construction method by era; cables added to an existing trench are pulled through its duct.

    Parameters
    ----------
    net : Network
        The network (changed in place): second cables get ``existing_duct``, the others a method drawn
        from the row of `METHOD_SHARES` for their build year (planned cables: the last row).
    rng : numpy.random.Generator
        The stage's random stream.
    """
    for c in net.cables:
        if c.role == "second":
            c.method = "existing_duct"
            continue
        year = c.built_year if c.built_year is not None else 9999
        shares = next(s for last, s in METHOD_SHARES if year <= last)
        c.method = str(rng.choice(list(shares), p=list(shares.values())))
