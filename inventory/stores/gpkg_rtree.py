"""A packed R-tree for a bulk load: the GeoPackage spatial index written in one pass, not box by box.

A GeoPackage's spatial index is an SQLite `rtree` virtual table (`rtree_<layer>_<geometry column>`,
columns id, minx, maxx, miny, maxy) kept by GDAL's triggers. Inserting N boxes one by one through
the virtual table costs N searches and node splits; for a load into an empty layer this module
writes the finished tree into the rtree's three shadow tables instead, the way GDAL (3.6+) bulk
loads its index: the boxes are grouped in the order given (a space-filling curve), `capacity` to a
leaf, leaves to parents, up to one root.

The format is SQLite's own (ext/rtree/rtree.c, "Database Format of R-Tree Tables"):

- `<rtree>_node(nodeno INTEGER PRIMARY KEY, data BLOB)`: node 1 is the root. A node's blob has the
  length the table was created with (read from the empty root); it starts with a 2-byte big-endian
  tree depth (root only; 0 elsewhere) and a 2-byte cell count, then the cells: an 8-byte big-endian
  id (the feature id in a leaf, a child node number above) and the box as four big-endian float32
  in column order (minx, maxx, miny, maxy); the rest is zeros.
- `<rtree>_rowid(rowid INTEGER PRIMARY KEY, nodeno)`: the leaf that holds each feature id.
- `<rtree>_parent(nodeno INTEGER PRIMARY KEY, parentnode)`: every node but the root.

Boxes are rounded to float32 outwards exactly as the rtree module rounds the values it is given
(`rtreeValueDown` / `rtreeValueUp`), so the index holds the same entries the triggers would write;
a parent's box is the union of its children's. `PRAGMA`-free check: SQLite's `rtreecheck()`.
"""

from __future__ import annotations

import sqlite3

import numpy as np

CELL_BYTES = 8 + 4 * 4
"""One cell: an int64 id and four float32 coordinates."""
_CELL = np.dtype([("id", ">i8"), ("box", ">f4", (4,))])
_TOWARDS_ZERO = 1.0 - 1.0 / 8388608.0
_AWAY_FROM_ZERO = 1.0 + 1.0 / 8388608.0


def round_down(values: np.ndarray) -> np.ndarray:
    """float64 to the float32 at or below each value, as SQLite's rtree rounds a box's minimum.

    Parameters
    ----------
    values : numpy.ndarray
        Array of float64 (any shape; anything `numpy.asarray` turns into floats).

    Returns
    -------
    numpy.ndarray
        float32, same shape: each value itself where float32 holds it exactly, else just below it
        (`rtreeValueDown` in SQLite's ext/rtree/rtree.c).

    Examples
    --------
    >>> import numpy as np
    >>> float(round_down(np.array([0.1]))[0]) <= 0.1, float(round_down(np.array([2.0]))[0])
    (True, 2.0)
    """
    d = np.asarray(values, dtype=np.float64)
    f = d.astype(np.float32)
    over = f.astype(np.float64) > d
    f[over] = (d[over] * np.where(d[over] < 0, _AWAY_FROM_ZERO, _TOWARDS_ZERO)).astype(np.float32)
    return f


def round_up(values: np.ndarray) -> np.ndarray:
    """float64 to the float32 at or above each value, as SQLite's rtree rounds a box's maximum.

    Parameters
    ----------
    values : numpy.ndarray
        Array of float64 (any shape; anything `numpy.asarray` turns into floats).

    Returns
    -------
    numpy.ndarray
        float32, same shape: each value itself where float32 holds it exactly, else just above it
        (`rtreeValueUp` in SQLite's ext/rtree/rtree.c).

    Examples
    --------
    >>> import numpy as np
    >>> float(round_up(np.array([0.1]))[0]) >= 0.1, float(round_up(np.array([2.0]))[0])
    (True, 2.0)
    """
    d = np.asarray(values, dtype=np.float64)
    f = d.astype(np.float32)
    under = f.astype(np.float64) < d
    f[under] = (d[under] * np.where(d[under] < 0, _TOWARDS_ZERO, _AWAY_FROM_ZERO)).astype(np.float32)
    return f


def write_packed(connection: sqlite3.Connection, rtree: str, ids: np.ndarray, bounds: np.ndarray) -> None:
    """Fill the empty rtree virtual table `rtree` with one entry per id, packed in the given order.

    Must run inside the caller's transaction, on an rtree that holds no entry yet, with nothing else
    writing it in this statement. Nodes hold as many cells as the table's node size allows (the
    rtree's capacity); the format and rounding are described in the module docstring.

    Parameters
    ----------
    connection : sqlite3.Connection
        The GeoPackage's connection, in the caller's transaction (nothing is committed here).
    rtree : str
        Name of the rtree virtual table, e.g. ``rtree_routes_geom`` (unquoted).
    ids : numpy.ndarray
        (n,) of int64: the feature ids, in the order to pack them (a space-filling curve).
    bounds : numpy.ndarray
        (n, 4) of float64: minx, miny, maxx, maxy of each feature (shapely's order), finite, in the
        layer's CRS units (metres in EPSG:25832).

    Raises
    ------
    ValueError
        When the rtree already holds an entry, or has no root node.
    sqlite3.Error
        When the shadow tables cannot be read or written (e.g. no table named `rtree`).
    """
    q = _quote
    node_table, rowid_table, parent_table = (q(f"{rtree}_{part}") for part in ("node", "rowid", "parent"))
    (entries,) = connection.execute(f"SELECT count(*) FROM {rowid_table}").fetchone()
    root = connection.execute(f"SELECT length(data) FROM {node_table} WHERE nodeno = 1").fetchone()
    if entries or root is None:
        raise ValueError(f"{rtree}: a packed R-tree can only be written into an empty index")
    node_bytes = int(root[0])
    capacity = (node_bytes - 4) // CELL_BYTES
    ids = np.asarray(ids, dtype=np.int64)
    if not len(ids):
        return
    boxes = np.column_stack(
        [round_down(bounds[:, 0]), round_up(bounds[:, 2]), round_down(bounds[:, 1]), round_up(bounds[:, 3])]
    )

    # Bottom up: each level's cells grouped into nodes of `capacity` cells, until one node is left.
    levels: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []  # (cell ids or child levels, boxes, node starts)
    refs, level_boxes = ids, boxes
    while True:
        starts = np.arange(0, len(refs), capacity)
        levels.append((refs, level_boxes, starts))
        if len(starts) == 1:
            break
        level_boxes = np.column_stack(
            [
                np.minimum.reduceat(level_boxes[:, 0], starts),
                np.maximum.reduceat(level_boxes[:, 1], starts),
                np.minimum.reduceat(level_boxes[:, 2], starts),
                np.maximum.reduceat(level_boxes[:, 3], starts),
            ]
        )
        refs = np.arange(len(starts), dtype=np.int64)  # child node positions; numbered below
    depth = len(levels) - 1

    # Node numbers top down: the root is 1, then each level in order.
    numbers: list[np.ndarray] = [np.empty(0, dtype=np.int64)] * len(levels)
    next_number = 1
    for level in range(depth, -1, -1):
        count = len(levels[level][2])
        numbers[level] = np.arange(next_number, next_number + count, dtype=np.int64)
        next_number += count

    connection.execute(f"DELETE FROM {node_table}")
    connection.execute(f"DELETE FROM {parent_table}")
    for level, (refs, level_boxes, starts) in enumerate(levels):
        cells = np.empty(len(refs), dtype=_CELL)
        cells["id"] = refs if level == 0 else numbers[level - 1][refs]
        cells["box"] = level_boxes
        data = cells.tobytes()
        ends = np.append(starts[1:], len(refs))
        blobs = []
        for number, start, end in zip(numbers[level].tolist(), starts.tolist(), ends.tolist(), strict=True):
            header = (depth if number == 1 else 0).to_bytes(2, "big") + (end - start).to_bytes(2, "big")
            body = data[start * CELL_BYTES : end * CELL_BYTES]
            blobs.append((number, header + body + bytes(node_bytes - 4 - len(body))))
        connection.executemany(f"INSERT INTO {node_table} (nodeno, data) VALUES (?, ?)", blobs)
        if level == 0:
            leaf_of = np.repeat(numbers[0], np.diff(np.append(starts, len(refs))))
            connection.executemany(
                f"INSERT INTO {rowid_table} (rowid, nodeno) VALUES (?, ?)",
                zip(ids.tolist(), leaf_of.tolist(), strict=True),
            )
        if level < depth:
            parent_starts = levels[level + 1][2]
            parent_of = np.repeat(numbers[level + 1], np.diff(np.append(parent_starts, len(starts))))
            connection.executemany(
                f"INSERT INTO {parent_table} (nodeno, parentnode) VALUES (?, ?)",
                zip(numbers[level].tolist(), parent_of.tolist(), strict=True),
            )


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'
