"""Multi-part lines: merge parts that join end to end, or split them into one record per part (--explode).

A route is one line. A MultiLineString whose parts join end to end (what QGIS "Dissolve" or
"Merge selected features" gives) is that line, merged by `merge_touching_parts`. One whose parts
do not join must become several routes, each with its own id: QGIS "Multipart to singleparts"
copies the id to every part, so its result is refused for duplicate ids. `explode_multipart`
(the importer's --explode) does it right: part k of route R becomes route `R-k` in R's trench.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import geopandas as gpd
import pandas as pd
import shapely
from shapely.geometry import LineString, MultiLineString

from inventory.frames import AsWritten, as_json, is_missing, is_structured, parse_text
from inventory.problems import Problem
from inventory.schema import Layer

PARTS_MERGED = "geometry_parts_merged"
"""Note: a multi-part line whose parts join end to end was merged into one line."""
PARTS_EXPLODED = "parts_exploded"
"""Note (--explode): a record was split into one record per part, or renamed as a part of one original."""
EXPLODE_ID_CLASH = "explode_id_clash"
"""Error (--explode): an id made for a part is already the id of another record of the file."""

TRENCH_FIELD = "trench_id"


def merge_touching_parts(geom: MultiLineString) -> LineString | None:
    """Return the single line a multi-part line makes when its parts join end to end; None when they do not.

    Uses shapely.line_merge (parts may run either way). Parts that overlap along a stretch
    (a part drawn twice) or meet only in their middles do not join end to end; nor do parts whose merged
    length differs from their summed length by more than 1e-9 relative (a floating-point tolerance).

    Parameters
    ----------
    geom : shapely.MultiLineString
        The multi-part line, in metres (EPSG:25832); empty parts are ignored.

    Returns
    -------
    shapely.LineString or None
        The merged line (the only part when there is one), or None when the parts do not join end to end
        or there are none.

    Examples
    --------
    >>> merge_touching_parts(MultiLineString([[(0, 0), (1, 0)], [(2, 0), (1, 0)]])).wkt
    'LINESTRING (0 0, 1 0, 2 0)'
    >>> merge_touching_parts(MultiLineString([[(0, 0), (1, 0)], [(2, 0), (3, 0)]])) is None
    True
    """
    parts = [p for p in geom.geoms if not p.is_empty]
    if len(parts) < 2:
        return parts[0] if parts else None
    try:
        merged = shapely.line_merge(MultiLineString(parts))
    except shapely.errors.GEOSException:
        return None
    if not isinstance(merged, LineString):
        return None
    for i, a in enumerate(parts):
        for b in parts[i + 1 :]:
            if a.intersection(b).length > 0:  # overlapping parts: not end to end
                return None
    total = sum(p.length for p in parts)
    if abs(merged.length - total) > 1e-9 * max(total, 1.0):
        return None
    return merged


def part_ids(identifier: str, count: int) -> list[str]:
    """Return the ids of the parts of `identifier`: `R-1`, `R-2`, ...

    Parameters
    ----------
    identifier : str
        The id of the multi-part record.
    count : int
        The number of parts.

    Returns
    -------
    list of str
        `count` ids, numbered from 1.

    Examples
    --------
    >>> part_ids("R7", 2)
    ['R7-1', 'R7-2']
    """
    return [f"{identifier}-{k}" for k in range(1, count + 1)]


def _comparable(value: Any) -> Any:
    if is_missing(value):
        return None
    if is_structured(value):
        return as_json(value)
    return parse_text(value)


def same_attributes(frame: pd.DataFrame, positions: Sequence[int], geometry: str = "geometry") -> bool:
    """Tell whether the rows at `positions` hold the same value in every column but the geometry.

    Values are compared as text (`parse_text`; lists and objects as JSON), missing values alike.

    Parameters
    ----------
    frame : pandas.DataFrame
        The mapped rows of one file.
    positions : sequence of int
        Row positions (not index labels), at least one.
    geometry : str, default "geometry"
        The name of the geometry column, left out of the comparison.

    Returns
    -------
    bool
        True when every row agrees with the first.
    """
    columns = [c for c in frame.columns if c != geometry]
    first = [_comparable(frame[c].iloc[positions[0]]) for c in columns]
    return all([_comparable(frame[c].iloc[p]) for c in columns] == first for p in positions[1:])


def lines_connected(geoms: Sequence) -> bool:
    """Tell whether the lines form one connected piece (each touches the others through some chain).

    Parameters
    ----------
    geoms : sequence of shapely geometries
        The lines; a missing or empty one makes the answer False.

    Returns
    -------
    bool
        True when the lines intersect along a chain that reaches all of them; False for an empty sequence.
    """
    lines = [g for g in geoms if g is not None and not getattr(g, "is_empty", True)]
    if len(lines) != len(geoms) or not lines:
        return False
    reached, todo = {0}, [0]
    while todo:
        i = todo.pop()
        for j in range(len(lines)):
            if j not in reached and lines[i].intersects(lines[j]):
                reached.add(j)
                todo.append(j)
    return len(reached) == len(lines)


def parts_of_one_original(frame: gpd.GeoDataFrame, positions: Sequence[int]) -> bool:
    """Tell whether rows sharing one id look like the parts of one line split by a GIS.

    "Multipart to singleparts" copies every attribute, so the rows agree in all of them; or
    their lines touch, forming one connected piece. Only line geometries qualify.

    Parameters
    ----------
    frame : geopandas.GeoDataFrame
        The mapped rows of one file.
    positions : sequence of int
        Row positions (not index labels) of the rows sharing the id, at least one.

    Returns
    -------
    bool
        True when every geometry is a (multi-)line and the rows agree in all attributes or their lines
        are connected.
    """
    geoms = [frame.geometry.iloc[p] for p in positions]
    if not all(isinstance(g, LineString | MultiLineString) for g in geoms):
        return False
    return same_attributes(frame, positions, frame.geometry.name) or lines_connected(geoms)


def explode_multipart(
    frame: gpd.GeoDataFrame, layer: Layer, labels: Sequence[str]
) -> tuple[gpd.GeoDataFrame, list[str], list[Problem]]:
    """One record per part of every multi-part line; for --explode, on the mapped frame before checking.

    `frame` is the output of `ColumnMapping.apply` (columns named as in `layer`, raw values),
    `labels` its row labels. For a line layer:

    - a MultiLineString of n > 1 parts with id R becomes n records `R-1` ... `R-n`, labelled
      "feature 3 part 2", with every other attribute copied and the trench kept: `trench_id` is
      R's trench_id, or R itself when it had none (a route alone in its trench has its own id
      as trench, so the parts stay in R's trench);
    - records that share an id and look like the parts of one original (`parts_of_one_original`:
      QGIS "Multipart to singleparts" output) are numbered the same way, in file order.

    Records without an id are left alone (the checks report them). Other layers pass unchanged.
    Checking the new ids against the store is the caller's part.

    Parameters
    ----------
    frame : geopandas.GeoDataFrame
        The mapped rows of one file, one row per record, raw values.
    layer : inventory.schema.Layer
        The layer the file is imported into.
    labels : sequence of str
        The row labels ("feature 3"), one per row of `frame`.

    Returns
    -------
    frame : geopandas.GeoDataFrame
        One row per part, with a fresh 0..n-1 index; `frame` itself when nothing was split or renamed.
    labels : list of str
        The row labels of the returned frame.
    problems : list of inventory.problems.Problem
        A warning (PARTS_EXPLODED) per record split or renamed, and an error (EXPLODE_ID_CLASH) for every
        id made here that another record of the file already uses.
    """
    labels = list(labels)
    if layer.geometry_type != "LineString" or layer.key not in frame.columns or frame.empty:
        return frame, labels, []
    geometry = frame.geometry.name
    keys = [None if is_missing(k) else parse_text(k) for k in frame[layer.key].tolist()]
    geoms = list(frame.geometry)

    groups: dict[str, list[int]] = {}
    for i, key in enumerate(keys):
        if key is not None:
            groups.setdefault(key, []).append(i)
    renamed_groups = {key for key, rows in groups.items() if len(rows) > 1 and parts_of_one_original(frame, rows)}

    def parts(geom) -> list:
        if isinstance(geom, MultiLineString) and len(geom.geoms) > 1:
            return list(geom.geoms)
        return [geom]

    positions, new_geoms, new_keys, new_labels, created = [], [], [], [], []
    trench_updates: dict[int, str] = {}
    notes: list[Problem] = []
    counter: dict[str, int] = {}
    for i, (key, geom, label) in enumerate(zip(keys, geoms, labels, strict=True)):
        pieces = parts(geom)
        in_group = key in renamed_groups
        if key is None or (len(pieces) == 1 and not in_group):
            positions.append(i)
            new_geoms.append(geom)
            new_keys.append(None)
            new_labels.append(label)
            created.append(False)
            continue
        made = []
        for k, piece in enumerate(pieces, start=1):
            counter[key] = counter.get(key, 0) + 1
            new_id = f"{key}-{counter[key]}"
            made.append(new_id)
            trench_updates[len(positions)] = _trench_of(frame, i, key)
            positions.append(i)
            new_geoms.append(piece)
            new_keys.append(new_id)
            new_labels.append(f"{label} part {k}" if len(pieces) > 1 else label)
            created.append(True)
        how = (
            f"a line of {len(pieces)} parts" if len(pieces) > 1 else f"one of {len(groups[key])} records with this id"
        )
        notes.append(
            Problem(
                PARTS_EXPLODED,
                layer.name,
                f"one {layer.key} per line",
                row=label,
                field=layer.key,
                value=AsWritten(f"{layer.key} {key!r}, {how}: now {', '.join(made)}"),
                fix=f"none needed; the parts stay in trench {_trench_of(frame, i, key)!r}",
                severity="warning",
                params={"variant": "parts" if len(pieces) > 1 else "records", "key": layer.key, "id": repr(key),
                        "count": len(pieces) if len(pieces) > 1 else len(groups[key]), "made": made,
                        "trench_id": repr(_trench_of(frame, i, key))},
            )
        )

    if not any(created):
        return frame, labels, []
    out = frame.iloc[positions].reset_index(drop=True).copy()
    out[geometry] = gpd.GeoSeries(new_geoms, index=out.index, crs=frame.crs)
    out_keys = out[layer.key].astype(object).tolist()
    for j, new_id in enumerate(new_keys):
        if new_id is not None:
            out_keys[j] = new_id
    out[layer.key] = pd.Series(out_keys, index=out.index, dtype=object)
    if trench_updates and TRENCH_FIELD in layer.columns:
        trench = out[TRENCH_FIELD].astype(object).tolist() if TRENCH_FIELD in out.columns else [None] * len(out)
        for j, value in trench_updates.items():
            trench[j] = value
        out[TRENCH_FIELD] = pd.Series(trench, index=out.index, dtype=object)

    problems = notes + _clashes(out_keys, created, new_labels, layer)
    return out, new_labels, problems


def _trench_of(frame: pd.DataFrame, i: int, key: str) -> str:
    if TRENCH_FIELD in frame.columns and not is_missing(frame[TRENCH_FIELD].iloc[i]):
        return parse_text(frame[TRENCH_FIELD].iloc[i])
    return key


def _clashes(keys: list, created: list[bool], labels: list[str], layer: Layer) -> list[Problem]:
    """Errors for ids made by explode_multipart that another record of the file also has."""
    seen: dict[str, list[int]] = {}
    for j, key in enumerate(keys):
        if not is_missing(key):
            seen.setdefault(parse_text(key), []).append(j)
    problems = []
    for key, rows in seen.items():
        if len(rows) < 2 or not any(created[j] for j in rows):
            continue
        for j in rows:
            if not created[j]:
                continue
            other = next(labels[o] for o in rows if o != j)
            problems.append(
                Problem(
                    EXPLODE_ID_CLASH,
                    layer.name,
                    f"a new {layer.key} for this part that no other record of the file uses (used by {other})",
                    row=labels[j],
                    field=layer.key,
                    value=key,
                    fix=f"rename the record {other}, or give the multi-part record an id whose parts are free",
                    params={"key": layer.key, "other": other},
                )
            )
    return problems
