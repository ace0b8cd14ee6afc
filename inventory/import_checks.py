"""The checks of an import that need the store: what a file's rows may not do to the rows stored.

New ids need every required field and must not be a stored id written in another Unicode form; ids that
`--explode` made must be new; references must point at rows that exist after the import, and a replace
may not delete rows that other stored rows reference.
"""

from __future__ import annotations

import numpy as np

from inventory.characters import compatibility_key
from inventory.frames import is_missing
from inventory.multipart import EXPLODE_ID_CLASH
from inventory.problems import Problem
from inventory.schema import LAYER_ORDER, LAYERS, Layer
from inventory.stores.base import Transaction
from inventory.validation import check_references


def required_for_new(spec: Layer, frame, positions, missing_columns: list[Problem]) -> list[Problem]:
    """Say the file's missing required columns of the new ids that need them.

    In an upsert a missing required column is no problem for the stored rows the file patches (they keep
    their value); it is one for the ids the file adds, which are named in the problem.

    Parameters
    ----------
    spec : Layer
        The layer imported into.
    frame : geopandas.GeoDataFrame
        The file's typed rows (`inventory.import_prepare.Prepared.frame`).
    positions : sequence of int
        Positions in `frame` of the rows whose id is new to the store.
    missing_columns : list of Problem
        The reader's "column_missing" problems for required fields, held back until new ids showed up.

    Returns
    -------
    list of Problem
        `missing_columns`, each with the new ids (the first five) added to what it expected; empty when
        no column is missing.
    """
    if not missing_columns:
        return []
    keys = frame[spec.key].tolist()
    ids = [str(keys[i]) for i in positions]
    shown = ", ".join(ids[:5]) + (", ..." if len(ids) > 5 else "")
    note = f" for the {len(ids)} new {spec.name} ({shown}); stored rows would keep their value"
    return [
        Problem(**{**p.__dict__, "expected": p.expected + note,
                   "params": {**p.params, "new_count": len(ids), "new_ids": ids[:5] + ["..."] * (len(ids) > 5)}})
        for p in missing_columns
    ]


def made_ids_in_store(spec: Layer, frame, labels, clashes: set[str], file) -> list[Problem]:
    """Refuse the ids --explode made for parts that the store already holds: they are never overwritten.

    Parameters
    ----------
    spec : Layer
        The layer imported into.
    frame : geopandas.GeoDataFrame
        The file's typed rows.
    labels : sequence of str
        A label per row of `frame` for the messages.
    clashes : set of str
        The ids --explode made that are stored already.
    file : str
        The file's name, for the messages.

    Returns
    -------
    list of Problem
        An error for each row whose id is in `clashes` (rule `inventory.multipart.EXPLODE_ID_CLASH`).
    """
    problems = []
    for position in np.flatnonzero(frame[spec.key].isin(clashes).to_numpy(dtype=bool)):
        value = frame[spec.key].iloc[position]
        problems.append(
            Problem(
                EXPLODE_ID_CLASH,
                spec.name,
                f"an id for this part that no stored {spec.name[:-1]} has (--explode makes <id>-1, <id>-2, ...)",
                row=labels[position],
                field=spec.key,
                value=value,
                fix=f"{spec.key} {value!r} is already stored: give the multi-part line another id before "
                "exploding it, or split it yourself with ids of your choice",
                file=file,
                params={"variant": "stored", "layer": spec.name, "key": spec.key, "id": repr(value)},
            )
        )
    return problems


def compatibility_clashes(tx: Transaction, spec: Layer, frame, labels, positions, file) -> list[Problem]:
    """Refuse new ids that equal a stored id under Unicode compatibility but are written another way.

    Only stored ids that are not plain ASCII can clash with another id, so only those are read
    (`Transaction.non_ascii_keys`, through an index where the store has one).

    Parameters
    ----------
    tx : Transaction
        The import's write transaction.
    spec : Layer
        The layer imported into.
    frame : geopandas.GeoDataFrame
        The file's typed rows.
    labels : sequence of str
        A label per row of `frame` for the messages.
    positions : sequence of int
        Positions in `frame` of the rows whose id is new to the store.
    file : str
        The file's name, for the messages.

    Returns
    -------
    list of Problem
        An "id_compatibility" error for each new id whose `inventory.characters.compatibility_key`
        equals that of a different stored id.
    """
    keys = frame[spec.key].tolist()
    new = {str(keys[i]): labels[i] for i in positions}
    stored = {compatibility_key(k): k for k in tx.non_ascii_keys(spec.name)}
    if not stored:
        return []
    problems = []
    for identifier, label in new.items():
        twin = stored.get(compatibility_key(identifier))
        if twin is not None and twin != identifier:
            problems.append(
                Problem(
                    "id_compatibility",
                    spec.name,
                    f"an id that differs from the stored {spec.key} {twin!r} in more than its Unicode form",
                    row=label,
                    field=spec.key,
                    value=identifier,
                    fix=f"use the stored id {twin!r} to update that record, or choose another id",
                    file=file,
                    params={"variant": "stored", "key": spec.key, "stored": repr(twin)},
                )
            )
    return problems


def references_out_of_file(tx, spec: Layer, frame, labels, columns, key_set, deleted, file) -> list[Problem]:
    """Check that every reference the file carries points at a row that exists after the import.

    Only the reference fields the file carries are checked; a reference into the layer imported into
    may also point at an id of the file, but not at a row the replace deletes.

    Parameters
    ----------
    tx : Transaction
        The import's write transaction.
    spec : Layer
        The layer imported into.
    frame : geopandas.GeoDataFrame
        The file's typed rows.
    labels : sequence of str
        A label per row of `frame` for the messages.
    columns : sequence of str
        The fields the file carries.
    key_set : set of str
        The ids of the file.
    deleted : set of str
        The stored ids a replace deletes (empty for an upsert).
    file : str
        The file's name, for the messages.

    Returns
    -------
    list of Problem
        A "reference" error for each value that names no row (`inventory.references.check_references`).
    """
    available = {}
    for f in spec.fields:
        if f.references is None or f.name not in columns:
            continue
        ref_layer, ref_field = f.references
        values = {v for v in frame[f.name].tolist() if not is_missing(v)}
        found = tx.present(ref_layer, ref_field, values) if values else set()
        if ref_layer == spec.name:
            found = (found | key_set) - deleted
        available[f.references] = found
    return check_references(frame, spec, available, row_labels=labels, file=file) if available else []


def dangling_references(tx, spec: Layer, deleted: set, key_set: set, columns, file) -> list[Problem]:
    """Refuse a replace that deletes rows which stored rows of any layer still reference.

    Rows of the layer imported into do not count when they are deleted too, or when the file carries
    them with their reference field (the file's value is checked by `references_out_of_file`).

    Parameters
    ----------
    tx : Transaction
        The import's write transaction.
    spec : Layer
        The layer imported into.
    deleted : set of str
        The stored ids the replace deletes.
    key_set : set of str
        The ids of the file.
    columns : sequence of str
        The fields the file carries.
    file : str
        The file's name (unused: the problems are about stored rows, not the file's).

    Returns
    -------
    list of Problem
        A "reference_broken" error for each stored row that references a deleted id.
    """
    problems = []
    for name in LAYER_ORDER:
        other = LAYERS[name]
        for f in other.fields:
            if f.references != (spec.name, spec.key):
                continue
            rows = tx.rows_where(name, f.name, deleted)
            if name == spec.name:  # rows of this layer: deleted too, or their reference comes from the file
                gone = rows[other.key].isin(deleted) | (rows[other.key].isin(key_set) & (f.name in columns))
                rows = rows[~gone]
            for element, value in zip(rows[other.key].tolist(), rows[f.name].tolist(), strict=True):
                problems.append(
                    Problem(
                        "reference_broken",
                        name,
                        f"an existing {spec.key} of layer '{spec.name}' (the import would remove it)",
                        row=f"{other.key} {element}",
                        field=f.name,
                        value=value,
                        fix=(
                            f"keep that {spec.name} record in the file, use --mode upsert (which never deletes), "
                            f"or change the {name} first"
                        ),
                        params={"key": spec.key, "layer": spec.name, "referring_layer": name},
                    )
                )
    return problems
