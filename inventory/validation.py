"""Schema rules: parse and check a layer, collecting every problem at once.

`check_frame` turns a raw frame (any dtypes, e.g. all text from a CSV) into a typed
layer and lists each problem with its row, field, value, expectation and fix.
`check_references` (`inventory.references`) and `check_layers` add the rules that span layers; the geometry
rules are in `inventory.geometry_checks`.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping, Sequence

import geopandas as gpd
import numpy as np
import pandas as pd

from inventory.characters import (
    code_point,
    compatibility_key,
    control_in_text,
    invisible_in_id,
    normalise_id,
)
from inventory.frames import (
    EXPECTED,
    PARSERS,
    AsWritten,
    ListChoice,
    is_missing,
    is_structured,
    parse_text,
    shown,
    typed_series,
)
from inventory.geometry_checks import check_geometry
from inventory.multipart import part_ids, parts_of_one_original
from inventory.number_text import DECIMAL_COMMA, AmbiguousNumber, number_convention
from inventory.problems import Problem
from inventory.references import check_references, key_labels, referenced_keys, row_labels_of
from inventory.schema import CRS, LAYER_ORDER, LAYERS, MAX_TEXT_CHARS, Layer
from inventory.spreadsheet_formulas import looks_like_formula

NUMBER_AMBIGUOUS = "number_ambiguous"
"""A number written as text that reads two ways (`1.000`: 1000 with a decimal comma, 1 with a point)."""
LIST_VALUE = "list_value"
"""A list value whose elements the value mapping translates to different values."""
ID_INVISIBLE = "id_invisible_character"
"""An id holding a control, format (zero-width, bidi) or separator character, or whitespace other than a space."""
ID_COMPATIBILITY = "id_compatibility"
"""An id that changes under Unicode compatibility normalisation (NFKC): full-width `Ｓ1`, ligatures."""
TEXT_CONTROL = "text_control_character"
"""Text holding a control character (ESC, BEL, NUL, tab, line break, C1) or a bidi control."""


def _expected(f) -> str:
    return f"one of {', '.join(f.choices)}" if f.choices else EXPECTED[f.dtype]


def _expected_params(f) -> dict:
    """Return the parameters `_expected` words: the allowed values (variant 'choices'), else the type."""
    return {"choices": list(f.choices), "variant": "choices"} if f.choices else {"dtype": f.dtype}


def _check_fibres(frame: pd.DataFrame, layer: Layer, labels, file) -> list[Problem]:
    problems = []
    count, used = frame["fibre_count"], frame["fibres_used"]
    bad = count.notna() & used.notna() & (used > count)
    for i in np.flatnonzero(bad.to_numpy(dtype=bool)):
        problems.append(
            Problem(
                "fibres_used_le_fibre_count",
                layer.name,
                f"fibres_used ≤ fibre_count ({count.iloc[i]})",
                row=labels[i],
                field="fibres_used",
                value=int(used.iloc[i]),
                fix="correct fibres_used or fibre_count",
                file=file,
                params={"fibre_count": int(count.iloc[i]), "fibres_used": int(used.iloc[i])},
            )
        )
    return problems


def _check_text(value: str, name: str, layer: Layer, label: str, file: str | None) -> list[Problem]:
    """Check the rules for one text value: `field_too_long`, TEXT_CONTROL and `formula_injection` (one problem each)."""
    problems = []
    control = control_in_text(value)
    if control is not None:
        position, ch = control
        problems.append(
            Problem(
                TEXT_CONTROL,
                layer.name,
                "text without control characters (ESC, BEL, NUL, tab, line breaks, C1 controls, bidi controls)",
                row=label,
                field=name,
                value=AsWritten(f"{code_point(ch)} at character {position} of {value[:200]!r}"),
                fix=(
                    "remove the character; write a line break as ', ' (a record's text is one line)"
                    if ch in "\n\r\u2028\u2029"
                    else "remove the character (it can change how terminals and screens show the text)"
                ),
                file=file,
                params={"variant": "line_break" if ch in "\n\r\u2028\u2029" else None,
                        "code_point": code_point(ch), "position": position, "text": repr(value[:200])},
            )
        )
    if len(value) > MAX_TEXT_CHARS:
        problems.append(
            Problem(
                "field_too_long",
                layer.name,
                f"at most {MAX_TEXT_CHARS:,} characters",
                row=label,
                field=name,
                value=f"{len(value):,} characters",
                fix="shorten the value; a whole file or a list may have landed in one cell (check quotes)",
                file=file,
                params={"max_chars": MAX_TEXT_CHARS, "chars": len(value)},
            )
        )
    if looks_like_formula(value):
        problems.append(
            Problem(
                "formula_injection",
                layer.name,
                "text that does not start like a spreadsheet formula (=, @, tab, or +/- followed by a formula)",
                row=label,
                field=name,
                value=value if len(value) <= 200 else value[:197] + "...",
                fix="remove the leading character: opened in a spreadsheet, such text runs as a formula",
                file=file,
            )
        )
    return problems


def _check_id(value: str, name: str, layer: Layer, label: str, file: str | None) -> list[Problem]:
    """Check the rules for one identifier (already NFC): no invisible characters, stable under NFKC."""
    invisible = invisible_in_id(value)
    if invisible is not None:
        position, ch = invisible
        return [
            Problem(
                ID_INVISIBLE,
                layer.name,
                "an id of visible characters (no control, zero-width, bidi or line-separator characters, "
                "no whitespace but spaces)",
                row=label,
                field=name,
                value=AsWritten(f"{code_point(ch)} at character {position} of {value[:200]!r}"),
                fix=f"remove {code_point(ch)} from the id",
                file=file,
                params={"code_point": code_point(ch), "position": position, "text": repr(value[:200])},
            )
        ]
    compatible = compatibility_key(value)
    if compatible != value:
        return [
            Problem(
                ID_COMPATIBILITY,
                layer.name,
                "an id written with ordinary characters (the same under Unicode NFKC normalisation)",
                row=label,
                field=name,
                value=value,
                fix=f"write it as {compatible!r} (full-width letters, ligatures and the like look alike but differ)",
                file=file,
                params={"compatible": repr(compatible)},
            )
        ]
    return []


def id_fields(layer: Layer) -> set[str]:
    """Return the fields that hold identifiers: the layer key, references to other layers, and other `*_id` fields.

    Parameters
    ----------
    layer : inventory.schema.Layer
        The layer.

    Returns
    -------
    set of str
        The names of its identifier fields.
    """
    return {f.name for f in layer.fields if f.name == layer.key or f.references or f.name.endswith("_id")}


def _number_problem(
    exc: AmbiguousNumber, f, layer: Layer, label: str, file: str | None, examples: dict[str, str]
) -> Problem:
    r = exc.readings

    def plain(x: float) -> str:
        return str(int(x)) if float(x).is_integer() else repr(x)

    if examples:
        context = (
            f"the file writes numbers both ways ({examples[DECIMAL_COMMA]!r} has a decimal comma, "
            f"{examples[next(k for k in examples if k != DECIMAL_COMMA)]!r} a decimal point)"
        )
    else:
        context = "no other number in the file shows which convention it uses"
    return Problem(
        NUMBER_AMBIGUOUS,
        layer.name,
        f"a number that reads one way; {r.text!r} is {plain(r.comma)} with a decimal comma "
        f"(German, '.' groups thousands) or {plain(r.point)} with a decimal point (English); {context}",
        row=label,
        field=f.name,
        value=r.text,
        fix=f"write it without thousands separators: {plain(r.comma)} or {plain(r.point)}",
        file=file,
        params={"text": repr(r.text), "comma": r.comma, "point": r.point,
                "comma_example": repr(examples[DECIMAL_COMMA]) if examples else None,
                "point_example": repr(examples[next(k for k in examples if k != DECIMAL_COMMA)]) if examples else None},
    )


_CHECK = object()
"""In `_plain_values`' answer: this value needs the full per-value check."""
_PLAIN_TEXT = re.compile(r"[!-*,./0-<>?A-~](?:[ -~]*[!-~])?")
"""Printable ASCII without surrounding blanks, not starting like a formula (=, @, +, -) or a blank: such
text parses to itself, is the same in NFC and NFKC, and holds no control or invisible character."""
_EXACT_FLOAT = 2.0**53
"""Integers up to this size convert to float exactly."""


def _plain_values(raw_values: list, f) -> list:
    """Return the typed value of every raw value that passes `check_frame`'s rules for field `f` by a cheap test.

    The others get `_CHECK` (missing values, text, numbers outside the range, anything unusual); they take
    the full per-value path with its messages.

    The cheap tests accept only values whose full check is known to give the same value and no
    problem: printable-ASCII text that parses to itself and fits the field's choices and length;
    Python ints and floats (as GeoPackage, GeoJSON and Shapefile readers give numbers) that are
    finite, whole for an int field and within the field's range; Python bools for a bool field.
    Printable ASCII is NFC, NFKC-stable and visible, so an identifier of it passes the id rules as it is.
    """
    n = len(raw_values)
    low, high = f.min, f.max
    choices = set(f.choices) if f.choices is not None else None
    if f.dtype == "text":
        if low is not None or high is not None:
            return [_CHECK] * n
        plain = _PLAIN_TEXT.fullmatch
        return [
            raw
            if type(raw) is str and len(raw) <= MAX_TEXT_CHARS and plain(raw) and (choices is None or raw in choices)
            else _CHECK
            for raw in raw_values
        ]
    if choices is not None:
        return [_CHECK] * n
    if f.dtype == "bool" and low is None and high is None:
        return [raw if type(raw) is bool else _CHECK for raw in raw_values]
    if f.dtype not in ("int", "float"):
        return [_CHECK] * n
    low = -math.inf if low is None else low
    high = math.inf if high is None else high
    if f.dtype == "int":
        return [
            (raw if type(raw) is int else int(raw))
            if (type(raw) is int or (type(raw) is float and raw.is_integer())) and low <= raw <= high
            else _CHECK
            for raw in raw_values
        ]
    return [
        float(raw)
        if ((type(raw) is float and math.isfinite(raw)) or (type(raw) is int and -_EXACT_FLOAT <= raw <= _EXACT_FLOAT))
        and low <= raw <= high
        else _CHECK
        for raw in raw_values
    ]


ROW_CHECKS: dict[str, Callable[[pd.DataFrame, Layer, list[str], str | None], list[Problem]]] = {
    "fibres_used_le_fibre_count": _check_fibres,
}


def check_frame(
    frame: pd.DataFrame,
    layer: Layer,
    *,
    row_labels: Sequence[str] | None = None,
    file: str | None = None,
    decimal: str | None = None,
) -> tuple[gpd.GeoDataFrame, list[Problem]]:
    """Parse `frame` into the typed layer and list every problem of its own rows.

    The frame must already be in the storage CRS (reprojection happens on reading).
    Values that fail to parse become missing in the typed result and are reported.
    References to other layers are checked separately (`check_references`).

    Numbers written as text follow one convention per file: `decimal` (DECIMAL_COMMA for German
    `1.234,5`, DECIMAL_POINT for `1,234.5`), or by default the one the file's own number cells
    show (`inventory.number_text.number_convention`); a text that reads two ways (`1.000`) with no
    convention, or in a file that shows both, is refused (NUMBER_AMBIGUOUS) with both readings.
    Identifiers are stored in Unicode NFC and checked by `_check_id`; text by `_check_text`.

    Parameters
    ----------
    frame : pandas.DataFrame
        Raw rows of one file, columns named as in `layer` (after mapping), plus `geometry` in EPSG:25832.
    layer : inventory.schema.Layer
        The layer the rows belong to.
    row_labels : sequence of str or None, default None
        One label per row for the messages ("feature 3"); None for 'row 1', 'row 2', ...
    file : str or None, default None
        The file the rows come from, for the messages.
    decimal : str or None, default None
        DECIMAL_COMMA or DECIMAL_POINT to read numbers written as text; None to go by the file's own cells.

    Returns
    -------
    typed : geopandas.GeoDataFrame
        One row per row of `frame` with a fresh 0..n-1 index, the layer's columns in their nullable dtypes;
        values that failed are missing.
    problems : list of inventory.problems.Problem
        Every error and warning of the rows: missing columns or values, values that do not parse or are not
        allowed, geometry problems (`check_geometry`), duplicate ids, and the layer's row checks.
    """
    labels = row_labels_of(frame, row_labels)
    problems: list[Problem] = []
    number_columns = [f.name for f in layer.fields if f.dtype in ("int", "float") and f.name in frame.columns]
    detected, examples = number_convention(
        value for name in number_columns for value in frame[name].tolist()
    )
    convention = decimal or detected
    identifiers = id_fields(layer)
    unknown = [c for c in frame.columns if c not in layer.columns and c != "geometry"]
    typed: dict[str, pd.Series] = {}
    for f in layer.fields:
        if f.name not in frame.columns:
            if f.required:
                problems.append(
                    Problem(
                        "column_missing",
                        layer.name,
                        f"a column '{f.name}' ({EXPECTED[f.dtype]})",
                        field=f.name,
                        value=f"no such column; the file has {', '.join(unknown) or 'no other columns'}",
                        fix=f"add the column or map a column to it (--map {f.name}=YOUR_COLUMN)",
                        file=file,
                        params={"variant": "field", "field": f.name, "dtype": f.dtype, "columns": unknown,
                                "new_count": None, "new_ids": None},
                    )
                )
            typed[f.name] = typed_series([None] * len(frame), f, frame.index)
            continue
        parse = PARSERS[f.dtype]
        numeric = f.dtype in ("int", "float")
        raw_values = frame[f.name].tolist()

        def check_value(raw, label, f=f, parse=parse, numeric=numeric):
            """One value by every rule: the typed value, or None with its problem appended."""
            if isinstance(raw, ListChoice):
                problems.append(
                    Problem(
                        LIST_VALUE,
                        layer.name,
                        f"one value; the list's elements map to {', '.join(raw.candidates)}",
                        row=label,
                        field=f.name,
                        value=AsWritten(raw.written),
                        fix=(
                            f"set one value (--set {f.name}=VALUE applies to every record), or map the whole "
                            f"list in the mapping file: [values.{f.name}] '{raw.written}' = \"{raw.candidates[0]}\""
                        ),
                        file=file,
                        params={"candidates": list(raw.candidates), "first_candidate": raw.candidates[0],
                                "written": raw.written, "field": f.name},
                    )
                )
                return None
            if is_missing(raw):
                if f.required:
                    problems.append(
                        Problem(
                            "required",
                            layer.name,
                            f"a value ({_expected(f)})",
                            row=label,
                            field=f.name,
                            value=None,
                            fix="fill in the value",
                            file=file,
                            params=_expected_params(f),
                        )
                    )
                return None
            try:
                value = parse(raw, convention) if numeric else parse(raw)
            except AmbiguousNumber as exc:
                problems.append(_number_problem(exc, f, layer, label, file, examples if detected is None else {}))
                return None
            except (TypeError, ValueError, OverflowError):
                problems.append(
                    Problem(
                        "type",
                        layer.name,
                        EXPECTED[f.dtype],
                        row=label,
                        field=f.name,
                        value=shown(raw),
                        fix="correct the value",
                        file=file,
                        params={"dtype": f.dtype},
                    )
                )
                return None
            if f.name in identifiers and isinstance(value, str):
                value = normalise_id(value)
                id_problems = _check_id(value, f.name, layer, label, file)
                if id_problems:
                    problems.extend(id_problems)
                    return None
            if f.choices is not None and value not in f.choices:
                problems.append(
                    Problem(
                        "choice",
                        layer.name,
                        f"one of {', '.join(f.choices)}",
                        row=label,
                        field=f.name,
                        value=shown(raw),
                        fix=(
                            f"a list: map its elements with a [values.{f.name}] table in a mapping file "
                            f"(or the whole list, as '{parse_text(raw)}' = \"VALUE\"), or --set {f.name}=VALUE"
                            if is_structured(raw)
                            else "use one of the allowed values, or map values on import"
                        ),
                        file=file,
                        params=(
                            {"choices": list(f.choices), "field": f.name, "written": parse_text(raw), "variant": "list"}
                            if is_structured(raw)
                            else {"choices": list(f.choices)}
                        ),
                    )
                )
                return None
            if (f.min is not None and value < f.min) or (f.max is not None and value > f.max):
                problems.append(
                    Problem(
                        "range",
                        layer.name,
                        f"a value from {f.min:g} to {f.max:g}",
                        row=label,
                        field=f.name,
                        value=shown(raw),
                        fix="correct the value",
                        file=file,
                        params={"min": f.min, "max": f.max},
                    )
                )
                return None
            if f.dtype == "text":
                text_problems = _check_text(value, f.name, layer, label, file)
                if text_problems:
                    problems.extend(text_problems)
                    return None
            return value

        fast = _plain_values(raw_values, f)
        values = [
            check_value(raw, label) if value is _CHECK else value
            for value, raw, label in zip(fast, raw_values, labels, strict=True)
        ]
        typed[f.name] = typed_series(values, f, frame.index)

    if "trench_id" in typed:  # a segment alone in its trench: its own id
        typed["trench_id"] = typed["trench_id"].fillna(typed[layer.key]) if layer.key in typed else typed["trench_id"]

    geoms = (
        frame.geometry if isinstance(frame, gpd.GeoDataFrame) else frame.get("geometry", pd.Series([None] * len(frame)))
    )
    geom_values, geom_problems = check_geometry(
        list(geoms), layer, labels, file, ids=frame[layer.key].tolist() if layer.key in frame.columns else None
    )
    problems += geom_problems

    result = gpd.GeoDataFrame(typed, geometry=gpd.GeoSeries(geom_values, index=frame.index, crs=CRS), crs=CRS)

    keys = result[layer.key]
    dup = keys.notna() & keys.duplicated(keep=False)
    if dup.any():
        first: dict[str, int] = {}
        for i in np.flatnonzero(dup.to_numpy(dtype=bool)):
            key = keys.iloc[i]
            if key in first:
                fix = "give each record its own id, or remove the duplicate"
                params = {"key": layer.key, "other": labels[first[key]]}
                lines = layer.geometry_type == "LineString" and isinstance(frame, gpd.GeoDataFrame)
                if lines and parts_of_one_original(frame, [first[key], int(i)]):
                    fix = (
                        "these look like parts of one line (QGIS 'Multipart to singleparts' copies the id): "
                        f"give each part its own id (e.g. {', '.join(part_ids(key, 2))}) and the same "
                        "trench_id, or import with --explode, which does that"
                    )
                    params |= {"part_ids": part_ids(key, 2), "variant": "parts_of_one_line"}
                problems.append(
                    Problem(
                        "duplicate_id",
                        layer.name,
                        f"a unique {layer.key} (already used by {labels[first[key]]})",
                        row=labels[i],
                        field=layer.key,
                        value=key,
                        fix=fix,
                        file=file,
                        params=params,
                    )
                )
            else:
                first[key] = int(i)

    for name in layer.checks:
        problems += ROW_CHECKS[name](result, layer, labels, file)
    return result.reset_index(drop=True), problems


def check_layers(frames: Mapping[str, gpd.GeoDataFrame]) -> list[Problem]:
    """Check every schema rule over a complete inventory (the store's contents), plus soft warnings.

    Parameters
    ----------
    frames : mapping of str to geopandas.GeoDataFrame
        The layers by name, as a store returns them; layers not given are skipped.

    Returns
    -------
    list of inventory.problems.Problem
        The problems of every layer (labelled by id), broken references between them, and the warnings for
        connected sites without bandwidth or handover node and planned sites without a planned date.
    """
    problems: list[Problem] = []
    available = referenced_keys(frames)
    for name in LAYER_ORDER:
        if name not in frames:
            continue
        layer = LAYERS[name]
        frame = frames[name]
        labels = key_labels(frame, layer)
        _, found = check_frame(frame, layer, row_labels=labels)
        problems += found
        problems += check_references(frame, layer, available, row_labels=labels)
    if "sites" in frames:
        problems += _site_warnings(frames["sites"])
    return problems


def _site_warnings(sites: pd.DataFrame) -> list[Problem]:
    """Plausibility findings that do not block an import."""
    out = []
    for row in sites.itertuples(index=False):
        label = f"site_id {row.site_id}"
        if row.connection == "connected" and is_missing(row.bandwidth_mbps):
            out.append(
                Problem(
                    "connected_without_bandwidth",
                    "sites",
                    "a bandwidth for a connected site",
                    row=label,
                    field="bandwidth_mbps",
                    fix="fill in bandwidth_mbps",
                    severity="warning",
                )
            )
        if row.connection == "connected" and is_missing(row.handover_node_id):
            out.append(
                Problem(
                    "connected_without_handover",
                    "sites",
                    "a handover node for a connected site",
                    row=label,
                    field="handover_node_id",
                    fix="fill in handover_node_id",
                    severity="warning",
                )
            )
        if row.connection == "planned" and is_missing(row.planned_date):
            out.append(
                Problem(
                    "planned_without_date",
                    "sites",
                    "a planned date for a planned connection",
                    row=label,
                    field="planned_date",
                    fix="fill in planned_date",
                    severity="warning",
                )
            )
    return out
