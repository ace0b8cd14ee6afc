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
    """Distances along each line where a foreign point lies on its interior (within `tol`).

    A point within `tol` of a line is on it; it is on the interior when its projection lies more than
    `tol` from both ends (docs/design.md, "Building the graph").

    Parameters
    ----------
    lines : ndarray
        (n,) of shapely LineStrings, metres (EPSG:25832).
    points : ndarray
        (m,) of shapely Points, metres (EPSG:25832).
    owner : ndarray
        (m,) of int: the position in `lines` of the line each point belongs to (e.g. its own endpoint), whose
        cuts it does not make; -1 for points of no line.
    tol : float
        The snap tolerance in metres.

    Returns
    -------
    dict of int to list of float
        Line position to the distances in metres along it where points lie, unsorted; lines without such
        points are left out.
    """
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
    """`line` cut at the given distances along it (positions closer than `tol` merge).

    Parameters
    ----------
    line : shapely.LineString
        The line, metres (EPSG:25832).
    positions : list of float
        Distances along the line in metres, at least one, each inside (0, length); any order.
    tol : float
        The snap tolerance in metres: a cut within `tol` of the previous kept cut is dropped.

    Returns
    -------
    list of shapely.LineString
        The pieces, in order along the line.

    Examples
    --------
    >>> [p.wkt for p in cut_line(shapely.LineString([(0, 0), (10, 0)]), [4.0, 4.05], 0.1)]
    ['LINESTRING (0 0, 4 0)', 'LINESTRING (4 0, 10 0)']
    """
    cuts = sorted(positions)
    merged = [cuts[0]]
    for at in cuts[1:]:
        if at - merged[-1] > tol:
            merged.append(at)
    bounds = [0.0, *merged, line.length]
    return [substring(line, a, b) for a, b in zip(bounds[:-1], bounds[1:], strict=True)]


def split_at_points(lines: np.ndarray, points: np.ndarray, tol: float) -> list[list]:
    """Each line cut where one of `points` lies on its interior (within `tol` metres), as the network graph cuts.

    Used by importers (KML) so that a file's lines split at its nodes exactly as the network graph splits them.

    Parameters
    ----------
    lines : array_like
        (n,) of shapely LineStrings, metres (EPSG:25832).
    points : array_like
        (m,) of shapely Points, metres (EPSG:25832).
    tol : float
        The snap tolerance in metres.

    Returns
    -------
    list of list of shapely.LineString
        One list of pieces per line, in order along it (the line itself alone when nothing lies on it).

    Examples
    --------
    >>> pieces = split_at_points([shapely.LineString([(0, 0), (10, 0)])], [shapely.Point(5, 0.01)], 0.1)
    >>> [[p.wkt for p in line] for line in pieces]
    [['LINESTRING (0 0, 5 0)', 'LINESTRING (5 0, 10 0)']]
    """
    lines = np.asarray(lines, dtype=object)
    points = np.asarray(points, dtype=object)
    positions = split_positions(lines, points, np.full(len(points), -1), tol) if len(lines) and len(points) else {}
    return [cut_line(line, positions[i], tol) if i in positions else [line] for i, line in enumerate(lines)]
