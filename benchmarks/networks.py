"""Deterministic, synthetic fibre-like networks of any size, as inventory GeoDataFrames (EPSG:25832).

Layout (all distances in metres; everything is vectorised numpy/shapely):

- **Meshed core**: a jittered square grid of core vertices, `CELL` apart. Every vertical core edge and
  the middle row's horizontal edges are kept (so the network is connected); every other horizontal edge
  is dropped with a probability growing from 5 % in the centre to 50 % at the edge. Each grid cell is a
  ring; outer columns become long dead-end chains.
- **Tree spurs** (access trees), more and larger towards the edge of the region: in a cell, a feeder
  runs from the cell's lower-left core vertex to a trunk; branches leave the trunk up and down; drops
  from branch vertices end at building entries. A trunk is sometimes closed into a ring by a link from
  its end to the cell's upper-right core vertex (likelier in the centre); a tenth of these closing links
  are `planned` (not in the in-service network).
- **Parallel cables**: about 2 % extra routes between the same two vertices as an existing route (the
  drawn line bends 1.5 m off the original); half of them lie in the original's trench.
- **Shared trenches**: about 2 % of the segments share a trench_id with the next segment of their chain
  (core row or column, trunk, branch).
- **POPs**: `3 + n // 100_000` in-service POPs on core vertices spread over the centre.
- **Sites** (schools, business parks, public buildings): at 60 % of the building entries and 3 % of the
  other vertices, each 8-30 m from its handover node; 1 % of them have no handover_node_id and attach to
  the nearest vertex.

Geometry is laid out so that no vertex comes within 3 m of a line it is not an end of, and no two
vertices within 1 m: with the default 0.5 m snap tolerance no route is split and no vertices merge,
so every route is exactly one graph edge. The routes layer has exactly `n_segments` rows.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

CRS = "EPSG:25832"
ORIGIN = (330_000.0, 5_680_000.0)
CELL = 400.0
CORE_JITTER = 30.0
JITTER = 1.0
MARGIN = 80.0
TRUNK_STEP = 30.0
BRANCH_STEP = 25.0
DROP_DX, DROP_DY = -10.0, 6.25
PARALLEL_SHARE = 0.02
PARALLEL_OFFSET = 1.5
SHARED_TRENCH_SHARE = 0.02
SEGMENTS_PER_CELL_GUESS = 9.0


@dataclass
class Inventory:
    routes: gpd.GeoDataFrame
    nodes: gpd.GeoDataFrame
    sites: gpd.GeoDataFrame

    def summary(self) -> dict[str, int]:
        return {"routes": len(self.routes), "nodes": len(self.nodes), "sites": len(self.sites)}


def _ids(prefix: str, n: int, width: int = 7) -> np.ndarray:
    return np.array([f"{prefix}{i:0{width}d}" for i in range(n)], dtype=object)


def _ranks(counts: np.ndarray) -> np.ndarray:
    """0..count-1 for each group, concatenated (groups of `counts`)."""
    total = int(counts.sum())
    starts = np.repeat(np.cumsum(counts) - counts, counts)
    return np.arange(total) - starts


@dataclass
class _Plan:
    a: int
    core_keep_h: np.ndarray
    comb_cells: np.ndarray
    trunk_len: np.ndarray
    branch_len: np.ndarray
    closing: np.ndarray
    branch_cell: np.ndarray
    branch_k: np.ndarray
    branch_side: np.ndarray
    bnode_drop: np.ndarray
    n_base: int


def _plan(a: int, rng: np.random.Generator) -> _Plan:
    """Random choices for an a×a core grid; sizes are known before any geometry is made."""
    half = (a - 1) / 2
    # core horizontals (i, j)-(i, j+1): keep the middle row, drop the others more often towards the edge
    i, j = np.divmod(np.arange(a * (a - 1)), a - 1)
    r_edge = np.maximum(np.abs(i - half), np.abs(j + 0.5 - half)) / max(half, 1)
    keep_h = (i == a // 2) | (rng.random(len(i)) >= 0.05 + 0.45 * r_edge)
    n_core = int(keep_h.sum()) + a * (a - 1)

    # cells (ci, cj), 0 <= ci, cj < a - 1: access trees, more and larger towards the edge
    nc = (a - 1) ** 2
    ci, cj = np.divmod(np.arange(nc), a - 1)
    r = np.maximum(np.abs(ci + 0.5 - half), np.abs(cj + 0.5 - half)) / max(half, 1)
    has = rng.random(nc) < 0.25 + 0.75 * r
    trunk_len = rng.integers(1, 3 + np.floor(4 * r).astype(int))  # 1..6 trunk segments
    branch_len = rng.integers(1, 2 + np.floor(3 * r).astype(int))  # 1..4 segments per branch
    closing = rng.random(nc) < 0.05 + 0.5 * (1 - r)
    cells = np.flatnonzero(has)
    # branches: at trunk vertices 1..L, up and/or down (each with probability 0.8)
    per_cell = trunk_len[cells]
    b_cell = np.repeat(cells, per_cell * 2)
    b_k = np.repeat(_ranks(per_cell) + 1, 2)
    b_side = np.tile(np.array([1, -1]), int(per_cell.sum()))
    present = rng.random(len(b_cell)) < 0.8
    b_cell, b_k, b_side = b_cell[present], b_k[present], b_side[present]
    drop = rng.random(int(branch_len[b_cell].sum())) < 0.5
    n_comb = (
        len(cells)  # feeders
        + int(trunk_len[cells].sum())
        + int(branch_len[b_cell].sum())
        + int(drop.sum())
        + int(closing[cells].sum())
    )
    return _Plan(a, keep_h, cells, trunk_len, branch_len, closing, b_cell, b_k, b_side, drop, n_core + n_comb)


def _trim(plan: _Plan, target: int, rng: np.random.Generator) -> _Plan:
    """Drop whole access trees (random cells) until at most `target` base segments remain."""
    cells = plan.comb_cells
    bnode_branch = np.repeat(np.arange(len(plan.branch_cell)), plan.branch_len[plan.branch_cell])
    size = 1 + plan.trunk_len + plan.closing.astype(int)
    size = size.astype(np.int64)
    np.add.at(size, plan.branch_cell, plan.branch_len[plan.branch_cell])
    np.add.at(size, plan.branch_cell[bnode_branch], plan.bnode_drop.astype(np.int64))
    excess = plan.n_base - target
    if excess <= 0:
        return plan
    order = rng.permutation(cells)
    removed = np.cumsum(size[order])
    n_drop = int(np.searchsorted(removed, excess, side="left")) + 1
    gone = np.zeros(len(size), dtype=bool)
    gone[order[:n_drop]] = True
    keep_branch = ~gone[plan.branch_cell]
    return _Plan(
        plan.a,
        plan.core_keep_h,
        cells[~gone[cells]],
        plan.trunk_len,
        plan.branch_len,
        plan.closing,
        plan.branch_cell[keep_branch],
        plan.branch_k[keep_branch],
        plan.branch_side[keep_branch],
        plan.bnode_drop[keep_branch[bnode_branch]],
        plan.n_base - int(removed[n_drop - 1]),
    )


def fibre_network(n_segments: int, *, seed: int = 20261126) -> Inventory:
    """A fibre-like inventory with exactly `n_segments` routes (deterministic for a given size and seed)."""
    if n_segments < 200:
        raise ValueError("n_segments must be at least 200")
    rng = np.random.default_rng([seed, n_segments])
    target_base = int(round(n_segments / (1 + PARALLEL_SHARE)))
    a = max(4, math.ceil(math.sqrt(target_base / SEGMENTS_PER_CELL_GUESS)) + 1)
    while True:
        plan = _plan(a, rng)
        if plan.n_base >= target_base:
            break
        a = math.ceil(a * math.sqrt(target_base / plan.n_base) * 1.02) + 1
    plan = _trim(plan, target_base, rng)
    return _materialise(plan, n_segments, rng)


def _materialise(plan: _Plan, n_segments: int, rng: np.random.Generator) -> Inventory:
    a = plan.a
    x0, y0 = ORIGIN

    # --- vertices: core grid, trunk vertices, branch vertices, drop ends
    gi, gj = np.divmod(np.arange(a * a), a)
    core_xy = np.column_stack([x0 + gj * CELL, y0 + gi * CELL]) + rng.uniform(-CORE_JITTER, CORE_JITTER, (a * a, 2))

    cells = plan.comb_cells
    ci, cj = np.divmod(cells, a - 1)
    lower_left = ci * a + cj
    upper_right = (ci + 1) * a + cj + 1
    trunk_n = plan.trunk_len[cells] + 1  # vertices 0..L
    t_cell = np.repeat(np.arange(len(cells)), trunk_n)
    t_k = _ranks(trunk_n)
    trunk_xy = np.column_stack(
        [
            x0 + cj[t_cell] * CELL + MARGIN + t_k * TRUNK_STEP,
            y0 + ci[t_cell] * CELL + CELL / 2 + np.zeros(len(t_cell)),
        ]
    ) + rng.uniform(-JITTER, JITTER, (len(t_cell), 2))
    n_core = a * a
    trunk_base = n_core
    trunk_start = trunk_base + np.cumsum(trunk_n) - trunk_n  # vertex index of trunk vertex 0 of each comb

    # branches: position of the comb among `cells`
    comb_of_cell = np.full((a - 1) ** 2, -1, dtype=np.int64)
    comb_of_cell[cells] = np.arange(len(cells))
    b_comb = comb_of_cell[plan.branch_cell]
    b_len = plan.branch_len[plan.branch_cell]
    b_root = trunk_start[b_comb] + plan.branch_k
    bn_branch = np.repeat(np.arange(len(b_comb)), b_len)
    bn_j = _ranks(b_len) + 1
    side = plan.branch_side[bn_branch]
    bn_xy = trunk_xy[b_root[bn_branch] - trunk_base] + np.column_stack([np.zeros(len(bn_j)), side * bn_j * BRANCH_STEP])
    bn_xy += rng.uniform(-JITTER, JITTER, bn_xy.shape)
    bn_base = trunk_base + len(trunk_xy)
    b_start = bn_base + np.cumsum(b_len) - b_len

    drop_of = np.flatnonzero(plan.bnode_drop)
    drop_xy = bn_xy[drop_of] + np.column_stack([np.full(len(drop_of), DROP_DX), side[drop_of] * DROP_DY])
    drop_xy += rng.uniform(-JITTER, JITTER, drop_xy.shape)
    drop_base = bn_base + len(bn_xy)

    xy = np.concatenate([core_xy, trunk_xy, bn_xy, drop_xy])
    n_vertices = len(xy)
    del core_xy, trunk_xy, bn_xy, drop_xy

    # --- edges, chain by chain (consecutive edges of a chain share a vertex)
    parts: list[tuple[np.ndarray, np.ndarray, int]] = []
    hi, hj = np.divmod(np.flatnonzero(plan.core_keep_h), a - 1)  # row-major: chains along rows
    parts.append((hi * a + hj, hi * a + hj + 1, 0))
    vj, vi = np.divmod(np.arange(a * (a - 1)), a - 1)  # column-major: chains along columns
    parts.append((vi * a + vj, (vi + 1) * a + vj, 0))
    # feeder + trunk per comb: lower-left corner, trunk 0, trunk 1, ..., trunk L
    f_comb = np.repeat(np.arange(len(cells)), trunk_n)  # L + 1 edges per comb
    f_m = _ranks(trunk_n)
    f_u = np.where(f_m == 0, lower_left[f_comb], trunk_start[f_comb] + f_m - 1)
    parts.append((f_u, trunk_start[f_comb] + f_m, 1))
    # branches: trunk vertex k, branch vertex 1, ..., branch vertex b
    b_u = np.where(bn_j == 1, b_root[bn_branch], b_start[bn_branch] + bn_j - 2)
    parts.append((b_u, b_start[bn_branch] + bn_j - 1, 2))
    # drops
    parts.append((bn_base + drop_of, drop_base + np.arange(len(drop_of)), 3))
    # closing links: trunk end -> upper-right corner
    closing = np.flatnonzero(plan.closing[cells])
    parts.append((trunk_start[closing] + trunk_n[closing] - 1, upper_right[closing], 4))

    u = np.concatenate([p[0] for p in parts]).astype(np.int64)
    v = np.concatenate([p[1] for p in parts]).astype(np.int64)
    family = np.concatenate([np.full(len(p[0]), p[2], dtype=np.int8) for p in parts])
    del parts
    n_base = len(u)
    assert n_base == plan.n_base, (n_base, plan.n_base)

    # --- trench groups: merge some edges with the next edge of their chain
    chained = np.zeros(n_base, dtype=bool)
    chained[:-1] = (v[:-1] == u[1:]) & (family[:-1] == family[1:])
    merge_next = chained & (rng.random(n_base) < SHARED_TRENCH_SHARE)
    merge_prev = np.zeros(n_base, dtype=bool)
    merge_prev[1:] = merge_next[:-1]
    trench = np.cumsum(~merge_prev) - 1

    # --- parallel cables
    n_par = n_segments - n_base
    status_base = np.full(n_base, "in_service", dtype=object)
    status_base[(family == 4) & (rng.random(n_base) < 0.1)] = "planned"
    candidates = np.flatnonzero(status_base == "in_service")
    original = np.sort(rng.choice(candidates, size=n_par, replace=False))
    p_u, p_v = u[original], v[original]
    same_trench = rng.random(n_par) < 0.5
    p_trench = np.where(same_trench, trench[original], trench.max() + 1 + np.arange(n_par))

    # --- geometry: straight lines for base edges, a 1.5 m bend at the middle for parallel cables
    coords = np.stack([xy[u], xy[v]], axis=1)
    base_lines = shapely.linestrings(coords)
    del coords
    a_xy, b_xy = xy[p_u], xy[p_v]
    d = b_xy - a_xy
    normal = np.column_stack([-d[:, 1], d[:, 0]]) / np.hypot(d[:, 0], d[:, 1])[:, None]
    mid = (a_xy + b_xy) / 2 + PARALLEL_OFFSET * normal
    par_lines = shapely.linestrings(np.stack([a_xy, mid, b_xy], axis=1)) if n_par else np.empty(0, dtype=object)
    lines = np.concatenate([base_lines, par_lines])
    del base_lines, par_lines

    all_trench = np.concatenate([trench, p_trench])
    _, trench_rank = np.unique(all_trench, return_inverse=True)
    method_choice = np.array(["open_trench", "micro_trench", "drilling", "aerial", "existing_duct"], dtype=object)
    routes = gpd.GeoDataFrame(
        {
            "route_id": _ids("R", n_segments),
            "trench_id": np.array([f"T{t:07d}" for t in trench_rank.ravel().tolist()], dtype=object),
            "status": np.concatenate([status_base, np.full(n_par, "in_service", dtype=object)]),
            "method": method_choice[rng.integers(0, len(method_choice), n_segments)],
            "fibre_count": rng.choice(np.array([24, 48, 96, 144]), n_segments),
            "source": "synthetic",
        },
        geometry=gpd.GeoSeries(lines, crs=CRS),
        crs=CRS,
    )
    del lines

    # --- nodes: every vertex; POPs on core vertices spread over the centre
    kind = np.empty(n_vertices, dtype=object)
    kind[:n_core] = np.array(["cabinet", "closure", "chamber"], dtype=object)[rng.integers(0, 3, n_core)]
    kind[trunk_base:bn_base] = "closure"
    kind[bn_base:drop_base] = np.array(["chamber", "junction"], dtype=object)[rng.integers(0, 2, drop_base - bn_base)]
    kind[drop_base:] = "building_entry"
    n_pops = 3 + n_segments // 100_000
    side_n = math.ceil(math.sqrt(n_pops))
    spots = np.round(np.linspace(0.2, 0.8, side_n) * (a - 1)).astype(int)
    pi, pj = np.meshgrid(spots, spots, indexing="ij")
    pops = (pi.ravel() * a + pj.ravel())[:n_pops]
    kind[pops] = "pop"
    node_ids = _ids("N", n_vertices)
    nodes = gpd.GeoDataFrame(
        {"node_id": node_ids, "kind": kind, "status": "in_service", "source": "synthetic"},
        geometry=gpd.GeoSeries(shapely.points(xy), crs=CRS),
        crs=CRS,
    )

    # --- sites
    host = rng.random(n_vertices) < np.where(kind == "building_entry", 0.6, 0.03)
    host[pops] = False
    at = np.flatnonzero(host)
    n_sites = len(at)
    angle = rng.uniform(0, 2 * np.pi, n_sites)
    dist = rng.uniform(8, 30, n_sites)
    site_xy = xy[at] + np.column_stack([np.cos(angle), np.sin(angle)]) * dist[:, None]
    site_kind = np.array(["school", "business_park", "public_building", "other"], dtype=object)[
        rng.choice(4, n_sites, p=[0.55, 0.25, 0.15, 0.05])
    ]
    label = {"school": "Schule", "business_park": "Gewerbepark", "public_building": "Rathaus", "other": "Standort"}
    names = np.array([f"{label[k]} {i}" for i, k in enumerate(site_kind.tolist())], dtype=object)
    handover = node_ids[at].copy()
    handover[rng.random(n_sites) < 0.01] = None
    pupils = pd.array(np.where(site_kind == "school", rng.integers(80, 1600, n_sites), 0), dtype="Int64")
    pupils[site_kind != "school"] = pd.NA
    sites = gpd.GeoDataFrame(
        {
            "site_id": _ids("S", n_sites),
            "kind": site_kind,
            "name": names,
            "connection": np.array(["connected", "planned", "none"], dtype=object)[
                rng.choice(3, n_sites, p=[0.85, 0.10, 0.05])
            ],
            "handover_node_id": handover,
            "pupils": pupils,
            "source": "synthetic",
        },
        geometry=gpd.GeoSeries(shapely.points(site_xy), crs=CRS),
        crs=CRS,
    )
    return Inventory(routes, nodes, sites)
