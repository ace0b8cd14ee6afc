"""Cutting lines where points lie on them.

The one rule the network graph (`topology.network.build_network`) and the importers (KML lines cut at the
file's nodes) share, kept here so that `inventory` needs nothing from the later packages (docs/design.md,
"Building the graph": a line is split only where another route's endpoint or a node lies on it within the
snap tolerance).
"""

from __future__ import annotations

import numpy as np
import shapely
from shapely.ops import substring


def split_positions(lines: np.ndarray, points: np.ndarray, owner: np.ndarray, tol: float) -> dict[int, list[float]]:
    """Distances along each line where a foreign point lies on its interior (within `tol`)."""
    tree = shapely.STRtree(lines)
    point_idx, line_idx = tree.query(points, predicate="dwithin", distance=tol)
    foreign = owner[point_idx] != line_idx
    point_idx, line_idx = point_idx[foreign], line_idx[foreign]
    if not len(point_idx):
        return {}
    along = shapely.line_locate_point(lines[line_idx], points[point_idx])
    length = shapely.length(lines[line_idx])
    inside = (along > tol) & (along < length - tol)
    positions: dict[int, list[float]] = {}
    for line, at in zip(line_idx[inside].tolist(), along[inside].tolist(), strict=True):
        positions.setdefault(line, []).append(at)
    return positions


def cut_line(line, positions: list[float], tol: float) -> list:
    """`line` cut at the given distances along it (positions closer than `tol` merge)."""
    cuts = sorted(positions)
    merged = [cuts[0]]
    for at in cuts[1:]:
        if at - merged[-1] > tol:
            merged.append(at)
    bounds = [0.0, *merged, line.length]
    return [substring(line, a, b) for a, b in zip(bounds[:-1], bounds[1:], strict=True)]


def split_at_points(lines: np.ndarray, points: np.ndarray, tol: float) -> list[list]:
    """Each line cut where one of `points` lies on its interior (within `tol` metres), as the network graph cuts.

    Parameters
    ----------
    lines : array of shapely LineStrings, metres (EPSG:25832); points : array of shapely Points, metres.

    Returns
    -------
    One list of pieces per line, in order along it (a single piece when nothing lies on it). Used by
    importers (KML) so that a file's lines split at its nodes exactly as the network graph splits them.
    """
    lines = np.asarray(lines, dtype=object)
    points = np.asarray(points, dtype=object)
    positions = split_positions(lines, points, np.full(len(points), -1), tol) if len(lines) and len(points) else {}
    return [cut_line(line, positions[i], tol) if i in positions else [line] for i, line in enumerate(lines)]
