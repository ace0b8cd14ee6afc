"""Possibly one trench drawn twice: routes in different trenches that lie side by side.

Two cables in one trench fail together (one digger cuts both), so the trench analysis counts
them as one failure only when they carry one `trench_id`. A second cable digitised a little
beside an existing one under its own trench id makes a single-homed site look redundant.
This module finds such pairs:

- `shared_line_pairs`: routes that share part of their line (duplicates, overlaps);
- `side_by_side_pairs`: routes within `PARALLEL_DISTANCE_M` of each other along most of one
  route's length, without sharing the line;
- `possibly_one_trench`: both, one row per pair of routes.

What the pairs mean for the sites, and the pairs in words, is in `topology.trench_review`.

All lengths and distances are metres in the network's CRS (EPSG:25832).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import shapely

from topology.network import DEFAULT_SNAP_TOLERANCE_M, Network

PARALLEL_DISTANCE_M = 2.0
"""Routes closer than this (metres) are side by side: possibly in one trench.

Chosen, not taken from a standard. A cable trench is 0.30 m (laying depth up to 0.70 m) to
0.60 m (up to 1.25 m) wide: DIN 4124, table "Lichte Mindestbreite für Gräben ohne
Arbeitsraum", as reproduced in DGUV Information 201-052 (BG BAU), Anhang 1. Trenching slots are
narrower still: nano up to 2 cm, micro 8-12 cm, mini 12-20 cm, macro 20-30 cm (BMDV expert
workshop on trenching, 5 November 2018; the methods are standardised in DIN 18220:2023-08). So two
cables in one trench lie at most about 0.6 m apart on site; the rest of the 2 m allows for the
position error of as-built plans digitised by hand, which we cannot source as a number. Trenches on
the two sides of a street lie several metres apart (a carriageway alone is wider than 2 m), so they
stay apart.
"""

MIN_SIDE_BY_SIDE_SHARE = 0.8
"""The share of its length (0..1) by which a route counts as drawn beside others.

A route counts as drawn beside others when at least this share of its length lies within
`PARALLEL_DISTANCE_M` of routes in other trenches.

Chosen: "most of its length". Routes that only meet at a junction, or run along another for a
short stretch before turning off, stay below it.
"""

MIN_SIDE_BY_SIDE_M = 10.0
"""The side-by-side stretch of a pair must be at least this long (metres).

Chosen: a route leaving a junction at an angle θ stays within `PARALLEL_DISTANCE_M` of the other
route for `PARALLEL_DISTANCE_M / sin θ` metres: 2 m at a right angle, 10 m at about 11.5°. So every
junction at a wider angle stays below it, while a short drop beside another is still found.
"""

BUFFER_QUAD_SEGS = 4
"""Segments per quarter circle of the buffers.

The arcs at route ends and bends are within `PARALLEL_DISTANCE_M * (1 - cos(π/16))` (4 cm at 2 m) of the true
circle.
"""

PAIR_COLUMNS = ["route_a", "trench_a", "route_b", "trench_b", "kind", "distance_m", "side_by_side_m", "share",
                "length_a_m"]
"""One row per pair of routes in different trenches:

- route_a, trench_a: the route whose share is given; route_b, trench_b: the other route;
- kind: 'duplicate' (the same line), 'overlapping' (a shared stretch of line) or 'side_by_side';
- distance_m: the largest distance from route_a's side-by-side stretch to route_b (0 when shared);
- side_by_side_m: the length of route_a within `PARALLEL_DISTANCE_M` of route_b (shared length for
  duplicates and overlaps);
- share: side_by_side_m / length_a_m (0..1); length_a_m: route_a's length.
"""


def _routes(network: Network) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return (route ids, trench ids, merged route lines): the pieces of each route as one geometry.

    A route's pieces need not be neighbours in the edge arrays (a graph read by `from_networkx`, edges
    in any order): they are grouped by route first, as `shapely.multilinestrings` needs sorted indices.
    """
    codes, route_ids = pd.factorize(network.edge_route_id)
    trench_ids = np.empty(len(route_ids), dtype=object)
    trench_ids[codes] = network.edge_trench_id
    lines = np.empty(len(route_ids), dtype=object)
    # a route of one piece is its line already, as line_merge would give it (same direction), unless
    # line_merge would change it: drop repeated points, or drop a line without length
    pieces = np.bincount(codes, minlength=len(route_ids))
    edge_of = np.empty(len(route_ids), dtype=np.int64)
    edge_of[codes] = np.arange(len(codes))
    plain = pieces == 1
    candidates = network.edge_geometry[edge_of[plain]]
    coords, owner = shapely.get_coordinates(candidates, return_index=True)
    repeated = np.zeros(len(candidates), dtype=bool)
    repeated[owner[1:][(owner[1:] == owner[:-1]) & (coords[1:] == coords[:-1]).all(axis=1)]] = True
    ok = ~repeated & (shapely.get_type_id(candidates) == shapely.GeometryType.LINESTRING) & (
        shapely.length(candidates) > 0)
    lines[np.flatnonzero(plain)[ok]] = candidates[ok]
    plain[np.flatnonzero(plain)[~ok]] = False
    # the others through line_merge, their pieces grouped by route (multilinestrings needs sorted indices)
    rest = np.flatnonzero(~plain[codes])
    rank = np.cumsum(~plain) - 1
    by_route = rest[np.argsort(codes[rest], kind="stable")]
    lines[~plain] = shapely.line_merge(shapely.multilinestrings(network.edge_geometry[by_route],
                                                                indices=rank[codes[by_route]]))
    return np.asarray(route_ids, dtype=object), trench_ids, lines


def _empty() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=float if c.endswith(("_m", "share")) else object) for c in PAIR_COLUMNS})


def shared_piece_pairs(network: Network, *, snap_tolerance_m: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Find the pairs of edge pieces in different trenches whose lines share more than the snap tolerance.

    Candidates come from an STRtree query of the pieces' bounding boxes, thinned by the exact upper bound of
    `_may_share` before GEOS measures the shared line of the rest.

    Parameters
    ----------
    network : Network
        The network; its edges are the pieces.
    snap_tolerance_m : float
        Pieces sharing this much line (metres) or less are not a pair.

    Returns
    -------
    a, b : numpy.ndarray
        Edge indices (int64, shape (k,)), a < b, in the order of the STRtree query.
    shared : numpy.ndarray
        The length of line each pair shares, metres, shape (k,).
    """
    if network.n_edges < 2:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, np.zeros(0)
    # bounding boxes first, in the STRtree's order (the order of the findings); pieces that share line
    # intersect, so no GEOS predicate is needed: the exact bound below drops pieces that only meet
    a, b = shapely.STRtree(network.edge_geometry).query(network.edge_geometry)
    pair = (a < b) & (network.edge_trench_id[a] != network.edge_trench_id[b])
    a, b = a[pair], b[pair]
    may = _may_share(network.edge_geometry, a, b, snap_tolerance_m)
    a, b = a[may], b[may]
    shared = shapely.length(shapely.intersection(network.edge_geometry[a], network.edge_geometry[b]))
    keep = shared > snap_tolerance_m
    return a[keep], b[keep], shared[keep]


SHARED_LINE_BOUND_M = 0.01
"""Width (metres) of the exact prefilter of `shared_piece_pairs`.

A piece's length within this distance of another piece bounds the line they share from above.

Chosen: far above the tolerances of GEOS's overlay noding (10^-12 of the coordinate magnitude, a few
micrometres in EPSG:25832; GEOS OverlayNGRobust), so no pair GEOS finds sharing line is dropped; far
below the snap tolerance, so pieces meeting at a junction stay below it unless they meet at under
about 1° (`SHARED_LINE_BOUND_M / sin θ`).
"""


MAX_SEGMENT_COMBINATIONS = 64
"""The most pairs of straight segments a pair of pieces may have for the prefilter of `shared_piece_pairs`.

Pairs of pieces with more skip the prefilter and go to GEOS directly (this bounds the prefilter's memory;
chosen).
"""


def _segments(geometry: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Cut lines (LineStrings or MultiLineStrings), shape (n,), into their straight segments.

    Returns the start and the end points of the segments, shape (m, 2) each, and the index of the line each
    belongs to, shape (m,), ascending (the segments of a line lie together, in its order). A segment never
    joins two parts of a MultiLineString.
    """
    if (shapely.get_type_id(geometry) == shapely.GeometryType.LINESTRING).all():
        parts, part_line = geometry, np.arange(len(geometry))  # get_parts would copy every line
    else:
        parts, part_line = shapely.get_parts(geometry, return_index=True)
    coords, part = shapely.get_coordinates(parts, return_index=True)
    same = part[1:] == part[:-1]
    return coords[:-1][same], coords[1:][same], part_line[part[:-1][same]]


def _may_share(geometry: np.ndarray, a: np.ndarray, b: np.ndarray, snap_tolerance_m: float) -> np.ndarray:
    """For each pair of pieces (a[k], b[k]): False when they surely share no more than `snap_tolerance_m` of line.

    An exact upper bound on the shared length, as in `_candidate_pairs`: the pieces are cut into
    straight segments, and for every pair of a segment of a and one of b the length of the first
    within `SHARED_LINE_BOUND_M` of the second (`segment_length_within`) is summed. Every point of the
    line a and b share lies on a segment of b, so the sum is never less than the shared length;
    pieces that only meet at a junction get about `SHARED_LINE_BOUND_M` and are dropped before any
    GEOS overlay. Shape of the result: that of `a`.
    """
    start, end, piece = _segments(geometry)
    first = np.searchsorted(piece, np.arange(len(geometry) + 1))
    count = np.diff(first)
    combinations = count[a] * count[b]
    small = combinations <= MAX_SEGMENT_COMBINATIONS
    pair = np.repeat(np.flatnonzero(small), combinations[small])
    rank = np.arange(len(pair)) - np.repeat(np.cumsum(combinations[small]) - combinations[small], combinations[small])
    s = first[a[pair]] + rank // count[b[pair]]
    t = first[b[pair]] + rank % count[b[pair]]
    bound = segment_length_within(start[s], end[s], start[t], end[t], SHARED_LINE_BOUND_M)
    upper = np.bincount(pair, weights=bound, minlength=len(a))
    # the margin covers floating-point differences between the bound and GEOS's length; NaN is kept
    return ~small | ~(upper < snap_tolerance_m - SHARED_LINE_BOUND_M)


def shared_line_pairs(network: Network, *, snap_tolerance_m: float = DEFAULT_SNAP_TOLERANCE_M) -> pd.DataFrame:
    """Find the pairs of routes in different trenches that share more than `snap_tolerance_m` of line.

    The shared pieces come from `shared_piece_pairs` (an exact prefilter, then GEOS) and are summed per pair
    of routes.

    Parameters
    ----------
    network : Network
        The network whose routes (the pieces of each merged to one line) are compared.
    snap_tolerance_m : float
        Routes sharing this much line (metres) or less are not a pair (default `DEFAULT_SNAP_TOLERANCE_M`).

    Returns
    -------
    pandas.DataFrame
        One row per pair, `PAIR_COLUMNS`: kind 'duplicate' (the same line) or 'overlapping', distance_m 0,
        side_by_side_m the shared length; route_a is the route of which the larger share is shared.
    """
    a, b, shared = shared_piece_pairs(network, snap_tolerance_m=snap_tolerance_m)
    if not len(a):
        return _empty()
    route_ids, trench_ids, lines = _routes(network)
    position = {r: k for k, r in enumerate(route_ids.tolist())}
    ra = np.array([position[r] for r in network.edge_route_id[a]], dtype=np.int64)
    rb = np.array([position[r] for r in network.edge_route_id[b]], dtype=np.int64)
    first, second = np.minimum(ra, rb), np.maximum(ra, rb)
    totals = pd.DataFrame({"i": first, "j": second, "shared": shared}).groupby(["i", "j"], as_index=False).sum()
    i, j, shared = totals["i"].to_numpy(), totals["j"].to_numpy(), totals["shared"].to_numpy()
    length = shapely.length(lines)
    # name first the route of which the larger share is shared
    swap = shared / length[j] > shared / length[i]
    i, j = np.where(swap, j, i), np.where(swap, i, j)
    duplicate = shapely.equals(lines[i], lines[j])
    return pd.DataFrame({
        "route_a": route_ids[i], "trench_a": trench_ids[i], "route_b": route_ids[j], "trench_b": trench_ids[j],
        "kind": np.where(duplicate, "duplicate", "overlapping").astype(object), "distance_m": 0.0,
        "side_by_side_m": shared, "share": np.minimum(shared / length[i], 1.0), "length_a_m": length[i],
    }, columns=PAIR_COLUMNS)


def side_by_side_pairs(
    network: Network,
    *,
    distance_m: float = PARALLEL_DISTANCE_M,
    min_share: float = MIN_SIDE_BY_SIDE_SHARE,
    min_length_m: float = MIN_SIDE_BY_SIDE_M,
    snap_tolerance_m: float = DEFAULT_SNAP_TOLERANCE_M,
) -> pd.DataFrame:
    """Find the pairs of routes in different trenches drawn side by side (kind 'side_by_side').

    A route is drawn beside others when at least `min_share` of its length lies within
    `distance_m` of routes in other trenches, each along at least `min_length_m`; every such
    neighbour makes a pair (so a cable drawn beside a street route cut into several records is
    found too). Pairs that share line (`shared_line_pairs`) are left out: they are reported as
    duplicates or overlaps. Vectorised: an STRtree query over the straight segments and an exact
    bound per segment pair (`_candidate_pairs`), then one GEOS intersection with a buffer for each
    pair the bound leaves. The thresholds and their sources: `PARALLEL_DISTANCE_M`, `MIN_SIDE_BY_SIDE_SHARE`
    and `MIN_SIDE_BY_SIDE_M`.

    Parameters
    ----------
    network : Network
        The network whose routes (the pieces of each merged to one line) are compared.
    distance_m : float
        Routes closer than this (metres) are side by side.
    min_share : float
        The share of a route's length (0..1) that must lie beside others.
    min_length_m : float
        The least length (metres) of a route beside one neighbour for that neighbour to count.
    snap_tolerance_m : float
        Pairs sharing more line than this (metres) are left out: `shared_line_pairs` reports them.

    Returns
    -------
    pandas.DataFrame
        One row per unordered pair, `PAIR_COLUMNS`, sorted by route_a, route_b; route_a is a route drawn
        beside others (when both are, the one with the larger share beside the other).
    """
    if network.n_edges < 2:
        return _empty()
    route_ids, trench_ids, lines = _routes(network)
    length = shapely.length(lines)
    i, j = _candidate_pairs(lines, trench_ids, distance_m, min_length_m)
    if not len(i):
        return _empty()
    buffers = np.empty(len(lines), dtype=object)
    near = np.unique(j)
    buffers[near] = shapely.buffer(lines[near], distance_m, quad_segs=BUFFER_QUAD_SEGS)
    within = shapely.length(shapely.intersection(lines[i], buffers[j]))
    long_enough = within >= min_length_m
    i, j, within = i[long_enough], j[long_enough], within[long_enough]

    # a route is beside others if the union of its long-enough neighbours covers min_share of it
    total = np.bincount(i, weights=within, minlength=len(lines))
    covered = np.zeros(len(lines))
    routes = np.flatnonzero(total >= min_share * length)
    by_route = np.argsort(i, kind="stable")  # the pairs of each route together, in their order
    first = np.searchsorted(i[by_route], routes)
    count = np.searchsorted(i[by_route], routes, side="right") - first
    single = count == 1
    covered[routes[single]] = within[by_route[first[single]]]
    for route, start, n in zip(routes[~single].tolist(), first[~single].tolist(), count[~single].tolist(),
                               strict=True):
        mine = j[by_route[start:start + n]]
        covered[route] = shapely.length(shapely.intersection(lines[route], shapely.union_all(buffers[mine])))
    beside = covered >= min_share * np.maximum(length, 1e-9)
    chosen = beside[i]
    i, j, within = i[chosen], j[chosen], within[chosen]
    if not len(i):
        return _empty()

    # one row per unordered pair: the orientation with the larger share of its route
    share = within / length[i]
    order = np.lexsort((-share, np.maximum(i, j), np.minimum(i, j)))
    i, j, within, share = i[order], j[order], within[order], share[order]
    key = np.minimum(i, j) * len(lines) + np.maximum(i, j)
    first = np.r_[True, key[1:] != key[:-1]]
    i, j, within, share = i[first], j[first], within[first], share[first]
    shared = shapely.length(shapely.intersection(lines[i], lines[j]))
    apart = shared <= snap_tolerance_m  # the others are duplicates or overlaps
    i, j, within, share = i[apart], j[apart], within[apart], share[apart]
    return pd.DataFrame({
        "route_a": route_ids[i], "trench_a": trench_ids[i], "route_b": route_ids[j], "trench_b": trench_ids[j],
        "kind": "side_by_side", "distance_m": _largest_distance(lines[i], lines[j], buffers[j]),
        "side_by_side_m": within, "share": np.minimum(share, 1.0), "length_a_m": length[i],
    }, columns=PAIR_COLUMNS).sort_values(["route_a", "route_b"], ignore_index=True)


def _candidate_pairs(lines: np.ndarray, trench_ids: np.ndarray, distance_m: float, min_length_m: float
                     ) -> tuple[np.ndarray, np.ndarray]:
    """Return the ordered pairs of routes (i, j) in different trenches of which i may lie near enough to j.

    Near enough means `min_length_m` or more of i within `distance_m` of j.

    A cheap upper bound decides: the routes are cut into straight segments, and for every pair of
    segments within `distance_m` of each other the exact length of one within the distance of the
    other is summed (`segment_length_within`; a sum over j's segments, so never less than the length
    within the distance of the whole of j). Most pairs that an STRtree finds are routes that only
    meet at a junction; this drops them without a GEOS overlay each.
    """
    start, end, route = _segments(lines)
    # boxes grown by half the distance (and a hair, against rounding) overlap when the segments' boxes
    # are within the distance: a cheap superset of the pairs within it (the bound is 0 for the rest)
    grow = distance_m / 2 * (1 + 1e-9) + 1e-9
    low, high = np.minimum(start, end) - grow, np.maximum(start, end) + grow
    boxes = shapely.box(low[:, 0], low[:, 1], high[:, 0], high[:, 1])
    s, t = shapely.STRtree(boxes).query(boxes)
    keep = (route[s] != route[t]) & (trench_ids[route[s]] != trench_ids[route[t]])
    s, t = s[keep], t[keep]
    bound = segment_length_within(start[s], end[s], start[t], end[t], distance_m)
    n = np.int64(len(lines))
    key, total = np.unique(route[s] * n + route[t], return_inverse=True)
    upper = np.bincount(total.ravel(), weights=bound, minlength=len(key))
    key = key[upper >= min_length_m]
    return key // n, key % n


def segment_length_within(p0: np.ndarray, p1: np.ndarray, q0: np.ndarray, q1: np.ndarray, distance_m: float
                          ) -> np.ndarray:
    """Measure the length of each segment p0-p1 that lies within `distance_m` of segment q0-q1.

    The points within the distance of a segment form a capsule (a rectangle along it and a disc at
    each end), which is convex: a line meets it in one interval, the hull of the intervals in which
    it meets the rectangle (slab clipping of the parametric line, as in Y.-D. Liang and B. A. Barsky, "A new
    concept and method for line clipping", ACM TOG 3(1), 1984) and the two discs (a quadratic each).
    Vectorised, exact up to floating point.

    Parameters
    ----------
    p0, p1 : numpy.ndarray
        Start and end points of the measured segments, shape (n, 2), metres.
    q0, q1 : numpy.ndarray
        Start and end points of the segments measured against, shape (n, 2), metres.
    distance_m : float
        The distance (metres).

    Returns
    -------
    numpy.ndarray
        The length (metres) of each p-segment within the distance of its q-segment, shape (n,); 0 for a
        segment of no length.
    """
    n = len(p0)
    direction = p1 - p0
    a = np.einsum("ij,ij->i", direction, direction)
    lo, hi = np.full(n, np.inf), np.full(n, -np.inf)
    with np.errstate(divide="ignore", invalid="ignore"):
        for centre in (q0, q1):
            offset = p0 - centre
            b = 2 * np.einsum("ij,ij->i", direction, offset)
            c = np.einsum("ij,ij->i", offset, offset) - distance_m**2
            disc = b * b - 4 * a * c
            meets = (disc >= 0) & (a > 0)
            root = np.sqrt(np.where(meets, disc, 0.0))
            lo = np.where(meets, np.minimum(lo, (-b - root) / (2 * a)), lo)
            hi = np.where(meets, np.maximum(hi, (-b + root) / (2 * a)), hi)
        axis = q1 - q0
        axis_length = np.hypot(axis[:, 0], axis[:, 1])
        along = axis / np.where(axis_length > 0, axis_length, 1.0)[:, None]
        across = np.stack([-along[:, 1], along[:, 0]], axis=1)
        offset = p0 - q0
        enter, leave = np.full(n, -np.inf), np.full(n, np.inf)
        for unit, low, high in ((along, 0.0, axis_length), (across, -distance_m, distance_m)):
            s0, ds = np.einsum("ij,ij->i", offset, unit), np.einsum("ij,ij->i", direction, unit)
            flat = ds == 0
            inside = (s0 >= low) & (s0 <= high)
            ua, ub = (low - s0) / np.where(flat, 1.0, ds), (high - s0) / np.where(flat, 1.0, ds)
            enter = np.maximum(enter, np.where(flat, np.where(inside, -np.inf, np.inf), np.minimum(ua, ub)))
            leave = np.minimum(leave, np.where(flat, np.where(inside, np.inf, -np.inf), np.maximum(ua, ub)))
        meets = (enter <= leave) & (axis_length > 0)
        lo = np.where(meets, np.minimum(lo, enter), lo)
        hi = np.where(meets, np.maximum(hi, leave), hi)
    lo, hi = np.clip(lo, 0.0, 1.0), np.clip(hi, 0.0, 1.0)
    return np.maximum(hi - lo, 0.0) * np.sqrt(a)


def _largest_distance(lines_a: np.ndarray, lines_b: np.ndarray, buffers_b: np.ndarray, step_m: float = 0.5
                      ) -> np.ndarray:
    """Return the largest distance from the part of each line a inside buffer b to line b, sampled every `step_m`."""
    part = shapely.segmentize(shapely.intersection(lines_a, buffers_b), step_m)
    coords, owner = shapely.get_coordinates(part, return_index=True)
    if not len(coords):
        return np.zeros(len(lines_a))
    # GEOS measures only the points within a hair of each pair's largest distance as numpy finds it
    estimate = _distance_to_segments(coords, owner, lines_b)
    top = np.full(len(lines_a), -np.inf)
    np.maximum.at(top, owner, estimate)
    near = ~(estimate < top[owner] - DISTANCE_ESTIMATE_MARGIN_M)  # NaN (not estimated) is measured
    distance = shapely.distance(shapely.points(coords[near]), lines_b[owner[near]])
    out = np.zeros(len(lines_a))
    np.maximum.at(out, owner[near], distance)
    return out


DISTANCE_ESTIMATE_MARGIN_M = 1e-6
"""The margin (metres) below a pair's largest numpy distance within which GEOS measures points again.

Points whose numpy distance (`_distance_to_segments`) is more than this below the largest of their pair are
not measured again by GEOS. Both compute in double precision on coordinates of about 6·10^6 m, so they differ
by some 10^-9 m; the margin is a thousand times that.
"""

MAX_POINT_SEGMENT_PAIRS = 2_000_000
"""Point-segment pairs that `_distance_to_segments` holds in memory at once (chosen: about 100 MB)."""


def _distance_to_segments(points: np.ndarray, owner: np.ndarray, lines: np.ndarray) -> np.ndarray:
    """Return the distance (metres) from each point, shape (n, 2), to lines[owner], shape (n,), by numpy.

    The distance is the least one to the line's straight segments (`_segments`); NaN for a point whose line has
    no segment. Memory is bounded by `MAX_POINT_SEGMENT_PAIRS`.
    """
    start, end, line = _segments(lines)
    first = np.searchsorted(line, np.arange(len(lines) + 1))
    count = np.diff(first)[owner]
    out = np.full(len(points), np.nan)
    measured = np.flatnonzero(count > 0)
    ends = np.cumsum(count[measured])
    blocks = np.searchsorted(ends, np.arange(0, ends[-1], MAX_POINT_SEGMENT_PAIRS), side="right") if len(
        measured) else np.zeros(0, dtype=np.int64)
    for lo, hi in zip(blocks.tolist(), [*blocks[1:].tolist(), len(measured)], strict=True):
        chunk = measured[lo:hi]
        n = count[chunk]
        point = np.repeat(chunk, n)
        segment = first[owner[point]] + np.arange(len(point)) - np.repeat(np.cumsum(n) - n, n)
        a, direction = start[segment], end[segment] - start[segment]
        length2 = np.einsum("ij,ij->i", direction, direction)
        offset = points[point] - a
        along = np.einsum("ij,ij->i", offset, direction) / np.where(length2 > 0, length2, 1.0)
        nearest = offset - np.clip(along, 0.0, 1.0)[:, None] * direction
        distance = np.hypot(nearest[:, 0], nearest[:, 1])
        out[chunk] = np.minimum.reduceat(distance, np.cumsum(n) - n)
    return out


def possibly_one_trench(network: Network, *, snap_tolerance_m: float = DEFAULT_SNAP_TOLERANCE_M) -> pd.DataFrame:
    """Find every pair of routes in different trenches that may lie in one trench: shared line or side by side.

    Parameters
    ----------
    network : Network
        The network whose routes are compared.
    snap_tolerance_m : float
        Routes sharing more line than this (metres) are duplicates or overlaps, the others may be side by side.

    Returns
    -------
    pandas.DataFrame
        `PAIR_COLUMNS`: the rows of `shared_line_pairs`, then those of `side_by_side_pairs` (with its default
        thresholds).
    """
    frames = [f for f in (shared_line_pairs(network, snap_tolerance_m=snap_tolerance_m),
                          side_by_side_pairs(network, snap_tolerance_m=snap_tolerance_m)) if len(f)]
    return pd.concat(frames, ignore_index=True) if frames else _empty()
