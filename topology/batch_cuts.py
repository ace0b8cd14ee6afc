"""What each of many sets of edges cuts off, all sets at once: `topology.cuts.isolated_ranges`, vectorised.

Method (the same as `isolated_ranges`, see `topology.cuts`): the tree edges of a set F cut the DFS tree
into pieces (the subtree below each such edge, minus the subtrees below the deeper ones, plus the root's
piece); a group of pieces is cut off iff the XOR of the labels of the F-edges leaving it is 0, so the
pieces cut off are those in the support of some GF(2) dependency among the piece vectors. Here the sets
are grouped by their number k of tree edges and each group is done with numpy arrays of shape (sets, k):

1. each endpoint of each F-edge finds its innermost piece (the last of the set's sorted heads whose
   preorder range holds it, else the root's piece k);
2. the piece vectors are XORed together per set (`np.bitwise_xor.at`);
3. Gaussian elimination over GF(2), vectorised across the sets, in reduced form (each basis vector has a
   pivot bit no other has, the lowest set bit), tracking which original pieces each basis vector combines;
   a vector that reduces to 0 gives a dependency, and the union of their supports is every piece that
   lies in some dependency (the dependencies found form a basis of all of them);
4. the cut pieces become preorder ranges: the 2k range ends of a set's heads split preorder into
   elementary intervals, each owned by its innermost head.

Cost: O(sum of k^2 + set sizes * k) array work. Sets with more than `MAX_PIECES` tree edges (pieces
do not fit a 64-bit combination mask) take `isolated_ranges` one by one. Probability of a wrong answer
as for the labels: at most about 2^-64 per set.
"""

from __future__ import annotations

import numpy as np

from topology.cuts import CutIndex, isolated_ranges

MAX_PIECES = 62
"""Sets with more tree edges than this go through `isolated_ranges` one by one (a uint64 combination mask)."""


def sorted_unique(values: np.ndarray) -> np.ndarray:
    """Return the distinct values, sorted: `np.unique` by one sort.

    NumPy 2.4's `np.unique` of an int64 array of 10^6 values took 1.4-5 s here, against 0.05 s for a sort: it
    hashes first.

    Parameters
    ----------
    values : array_like of shape (n,)
        The values, of any sortable dtype (here int64 codes).

    Returns
    -------
    numpy.ndarray of shape (u,)
        The distinct values in ascending order, same dtype as `values`.

    Examples
    --------
    >>> sorted_unique(np.array([3, 1, 3, 2])).tolist()
    [1, 2, 3]
    """
    values = np.sort(np.asarray(values), kind="stable")
    if not len(values):
        return values
    return values[np.r_[True, values[1:] != values[:-1]]]


def batch_isolated_ranges(index: CutIndex, owner: np.ndarray, edges: np.ndarray,
                          n_sets: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Preorder ranges that each set of edges, lost together, cuts off.

    The method and its error bound are in the module docstring (docs/design.md, "Failure algorithms").

    Parameters
    ----------
    index : CutIndex
        The network's cut index (`topology.cuts.CutIndex`).
    owner, edges : numpy.ndarray of shape (m,) of int
        Edge `edges[t]` (an index into `index.edge_a`) belongs to set `owner[t]` (0 <= owner < n_sets).
        Repeats within a set are allowed.
    n_sets : int
        The number of sets.

    Returns
    -------
    set, start, stop : numpy.ndarray of shape (r,) of int64
        Set `set[q]` cuts off the vertices whose preorder position lies in [start[q], stop[q]); the ranges
        of one set are disjoint, non-empty and sorted; the sets come grouped by their number of tree edges
        (fewest first) and in ascending order within a group, not in ascending order overall.
    """
    owner = np.asarray(owner, dtype=np.int64)
    edges = np.asarray(edges, dtype=np.int64)
    n_edges = np.int64(len(index.edge_a))
    code = sorted_unique(owner * n_edges + edges)  # sorted by set, repeats dropped
    owner, edges = code // n_edges, code % n_edges
    tree = index.is_tree[edges]
    k_of = np.bincount(owner[tree], minlength=n_sets)
    out = []
    for k in sorted_unique(k_of[k_of > 0]).tolist():
        sets = np.flatnonzero(k_of == k)
        if k > MAX_PIECES:
            for s in sets.tolist():
                ranges = isolated_ranges(index, edges[owner == s])
                if ranges:
                    start, stop = np.asarray(ranges, dtype=np.int64).T
                    out.append((np.full(len(start), s, dtype=np.int64), start, stop))
            continue
        out.append(_group(index, sets, owner, edges, tree, k))
    if not out:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty.copy(), empty.copy()
    return tuple(np.concatenate([part[c] for part in out]) for c in range(3))


def _group(index: CutIndex, sets: np.ndarray, owner: np.ndarray, edges: np.ndarray, tree: np.ndarray,
           k: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """`batch_isolated_ranges` for sets that all have k tree edges (`sets` sorted)."""
    n = len(sets)
    row_of = np.full(int(owner.max()) + 1 if len(owner) else 0, -1, dtype=np.int64)
    row_of[sets] = np.arange(n)
    row = row_of[owner]
    mine = row >= 0
    row, member, is_tree = row[mine], edges[mine], tree[mine]

    # the heads (children below the tree edges), sorted by preorder within each set
    heads = index.child[member[is_tree]].reshape(n, k)  # rows in set order: `code` was sorted by set
    heads = np.take_along_axis(heads, np.argsort(index.tin[heads], axis=1, kind="stable"), axis=1)
    starts, stops = index.tin[heads], index.end[heads]

    def piece(vertex: np.ndarray, at_row: np.ndarray) -> np.ndarray:
        t = index.tin[vertex][:, None]
        inside = (starts[at_row] <= t) & (t < stops[at_row])
        last = k - 1 - np.argmax(inside[:, ::-1], axis=1)
        return np.where(inside.any(axis=1), last, k)

    pa, pb = piece(index.edge_a[member], row), piece(index.edge_b[member], row)
    cross = pa != pb
    vectors = np.zeros((n, k + 1), dtype=np.uint64)
    label = index.label[member[cross]]
    np.bitwise_xor.at(vectors, (row[cross], pa[cross]), label)
    np.bitwise_xor.at(vectors, (row[cross], pb[cross]), label)
    cut = _dependent_pieces(vectors[:, :k])

    hit = np.flatnonzero(cut != 0)
    if not len(hit):
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty.copy(), empty.copy()
    starts, stops, cut = starts[hit], stops[hit], cut[hit]
    bounds = np.sort(np.concatenate([starts, stops], axis=1), axis=1)  # (h, 2k)
    lo, hi = bounds[:, :-1], bounds[:, 1:]
    inside = (starts[:, None, :] <= lo[:, :, None]) & (lo[:, :, None] < stops[:, None, :])  # (h, 2k-1, k)
    owner_piece = k - 1 - np.argmax(inside[:, :, ::-1], axis=2)
    owned = inside.any(axis=2)
    bit = np.left_shift(np.uint64(1), owner_piece.astype(np.uint64))
    keep = owned & (lo < hi) & ((cut[:, None] & bit) != 0)
    which, _ = np.nonzero(keep)
    start, stop = lo[keep], hi[keep]
    # merge touching intervals of one set (a cut piece split by a hole that is itself cut)
    set_ids = sets[hit][which]
    fresh = np.r_[True, (set_ids[1:] != set_ids[:-1]) | (start[1:] != stop[:-1])][: len(start)]
    first = np.flatnonzero(fresh)
    last = np.r_[first[1:], len(start)] - 1
    return set_ids[first], start[first].astype(np.int64), stop[last].astype(np.int64)


def _dependent_pieces(vectors: np.ndarray) -> np.ndarray:
    """Per row of `vectors` (n, k) uint64: bit mask of the columns in some GF(2) dependency among them."""
    n, k = vectors.shape
    basis = np.zeros((n, k), dtype=np.uint64)
    combination = np.zeros((n, k), dtype=np.uint64)
    pivot = np.zeros((n, k), dtype=np.uint64)
    dependent = np.zeros(n, dtype=np.uint64)
    zero = np.uint64(0)
    for i in range(k):
        v = vectors[:, i].copy()
        mask = np.full(n, np.uint64(1) << np.uint64(i), dtype=np.uint64)
        for j in range(i):
            hit = (v & pivot[:, j]) != 0
            v ^= np.where(hit, basis[:, j], zero)
            mask ^= np.where(hit, combination[:, j], zero)
        dependent |= np.where(v == 0, mask, zero)
        low = v & (~v + np.uint64(1))  # the lowest set bit: a pivot no other basis vector has
        for j in range(i):
            hit = (basis[:, j] & low) != 0
            basis[:, j] ^= np.where(hit, v, zero)
            combination[:, j] ^= np.where(hit, mask, zero)
        basis[:, i], combination[:, i], pivot[:, i] = v, mask, low
    return dependent
