"""The rules that span layers: every reference points at a record that exists; and the row labels of problems."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pandas as pd

from inventory.frames import is_missing
from inventory.problems import Problem
from inventory.schema import LAYERS, Layer


def row_labels_of(frame: pd.DataFrame, row_labels: Sequence[str] | None) -> list[str]:
    """Return the given row labels, else 'row 1', 'row 2', ... (the rows of a file as a user counts them).

    Parameters
    ----------
    frame : pandas.DataFrame
        The rows to label.
    row_labels : sequence of str or None
        Labels given by the caller, one per row; None to number the rows.

    Returns
    -------
    list of str
        One label per row.

    Examples
    --------
    >>> row_labels_of(pd.DataFrame({"a": [1, 2]}), None)
    ['row 1', 'row 2']
    """
    if row_labels is not None:
        return list(row_labels)
    return [f"row {i + 1}" for i in range(len(frame))]


def check_references(
    frame: pd.DataFrame,
    layer: Layer,
    available: Mapping[tuple[str, str], set],
    *,
    row_labels: Sequence[str] | None = None,
    file: str | None = None,
    into: str | None = None,
) -> list[Problem]:
    """Check that every non-empty reference of `frame` exists in `available[(layer, field)]`.

    Parameters
    ----------
    frame : pandas.DataFrame
        Typed rows of `layer` (as `check_frame` returns them).
    layer : inventory.schema.Layer
        The layer of `frame`; its fields' `references` name (layer, field) pairs.
    available : mapping of (str, str) to set
        (layer, field) to the values that exist (`referenced_keys`); a pair not given counts as empty.
    row_labels : sequence of str or None, default None
        One label per row for the messages; None for 'row 1', 'row 2', ...
    file : str or None, default None
        The file the rows come from, for the messages.
    into : str or None, default None
        Check only references into this layer; None for all.

    Returns
    -------
    list of inventory.problems.Problem
        A "reference" error per non-empty reference that does not exist.
    """
    labels = row_labels_of(frame, row_labels)
    problems = []
    for f in layer.fields:
        if f.references is None or f.name not in frame.columns:
            continue
        if into is not None and f.references[0] != into:
            continue
        target = available.get(f.references, set())
        ref_layer, ref_field = f.references
        for value, label in zip(frame[f.name].tolist(), labels, strict=True):
            if not is_missing(value) and value not in target:
                problems.append(
                    Problem(
                        "reference",
                        layer.name,
                        f"an existing {ref_field} of layer '{ref_layer}'",
                        row=label,
                        field=f.name,
                        value=value,
                        fix=f"import the missing {ref_layer} first, or correct the reference",
                        file=file,
                        params={"field": ref_field, "layer": ref_layer},
                    )
                )
    return problems


def referenced_keys(frames: Mapping[str, pd.DataFrame]) -> dict[tuple[str, str], set]:
    """Return the key sets that references may point at, from a complete set of layers.

    Parameters
    ----------
    frames : mapping of str to pandas.DataFrame
        Layers by name (names of `inventory.schema.LAYERS`).

    Returns
    -------
    dict of (str, str) to set
        (layer, key field) to the layer's non-missing keys, for the layers that have their key column.
    """
    keys = {}
    for name, frame in frames.items():
        layer = LAYERS[name]
        if layer.key in frame.columns:
            keys[(name, layer.key)] = set(frame[layer.key].dropna().tolist())
    return keys


def key_labels(frame: pd.DataFrame, layer: Layer) -> list[str]:
    """Row labels for data already in a store: the record's id.

    Parameters
    ----------
    frame : pandas.DataFrame
        Rows of `layer`, with its key column.
    layer : inventory.schema.Layer
        The layer; `layer.key` names the key column.

    Returns
    -------
    list of str
        One label per row, e.g. 'route_id R7'.
    """
    return [f"{layer.key} {k}" for k in frame[layer.key].tolist()]
