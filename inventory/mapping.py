"""Column mappings for foreign schemas: rename, combine, set constants, translate values.

A mapping is a TOML file (or the same as command-line options)::

    [columns]              # target field = source column, or a template of columns
    site_id = "Schulnummer"
    name = "{Schulbezeichnung_1} {Schulbezeichnung_2}"
    [constants]            # target field = fixed value for every row
    kind = "school"
    [values.school_type]   # translate source values (others pass through unchanged)
    "02" = "Grundschule"
    '["pop", "ixp"]' = "pop"   # a whole list value, written as JSON
    [read]                 # reading options: crs, x, y, wkt, encoding, source_layer
    crs = "EPSG:25832"

Columns of the file that are already named like a schema field pass through unmapped. Every
other column is accounted for (`ColumnMapping.apply`): one named like a field but for case or
separators (`Site_ID`, `Bandwidth Mbps`) or cut to 10 characters by a Shapefile (`fibre_coun`)
is read as that field with a note (COLUMN_MATCHED); the rest are reported (COLUMN_UNMAPPED,
a warning the importer's --strict makes an error) with the closest field and how to map it.

List values (GeoJSON arrays such as OFDS's `"type": ["pop"]`) go through a value table too:
the whole list, written as JSON, is looked up first; else each element is. When every element
is in the table and all map to one value, that value is taken; when they map to different
values the row is refused (`inventory.validation.LIST_VALUE`) naming them; when some element
is not in the table the list stays as written (and is shown as JSON in any message).
"""

from __future__ import annotations

import contextlib
import difflib
import json
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd

from inventory.frames import AsWritten, ListChoice, as_json, is_missing, is_structured
from inventory.problems import Problem
from inventory.schema import Layer

COLUMN_UNMAPPED = "column_unmapped"
"""A column of the file that no field takes: a warning (the importer's --strict makes it an error)."""
COLUMN_MATCHED = "column_matched"
"""Note: a column read as a field it is named like (case, separators, a Shapefile's 10-character cut)."""
SHAPEFILE_NAME_CHARS = 10
"""dBASE field names (Shapefile attributes) are cut to this many characters."""
_NAMED_ALIKE = "named like it but for case or separators"
_CUT_NAME = "a Shapefile field name, cut to 10 characters"

BUILTIN_DIR = Path(__file__).with_name("mappings")
READ_KEYS = ("crs", "x", "y", "wkt", "encoding", "source_layer")
"""The reading options a mapping's [read] table may set (`inventory.formats.base.ReadOptions`)."""
_TEMPLATE = re.compile(r"\{([^{}]+)\}")


@dataclass
class ColumnMapping:
    """How a file's columns become the schema's fields: renamed `columns`, fixed `constants`, translated `values`.

    `columns` maps a schema field to a source column or a `{template}`; `constants` sets a field for
    every row; `values` maps, per field, source values to schema values; `read` carries reading options,
    fields of `inventory.formats.base.ReadOptions` (e.g. a CSV's crs, x and y; the delimiter is sniffed, not
    set). Built-in mappings are in `inventory/mappings/`.
    """

    columns: dict[str, str] = field(default_factory=dict)
    constants: dict[str, str] = field(default_factory=dict)
    values: dict[str, dict[str, str]] = field(default_factory=dict)
    read: dict[str, str] = field(default_factory=dict)

    @classmethod
    def load(cls, name_or_path: str) -> ColumnMapping:
        """Return a mapping from a TOML path, or a built-in one by name (e.g. `nrw_schuldaten`).

        Parameters
        ----------
        name_or_path : str
            A TOML file; when no such file exists, the name of a file in `inventory/mappings/` (without .toml).

        Returns
        -------
        ColumnMapping
            The file's [columns], [constants], [values] and [read] tables, every value as text.

        Raises
        ------
        FileNotFoundError
            When neither the file nor a built-in mapping of that name exists; the message lists the built-in ones.
        ValueError
            For a section other than columns, constants, values and read, a [read] key other than `READ_KEYS`,
            or text that is no TOML
            (`tomllib.TOMLDecodeError`, a ValueError).
        OSError
            When the file exists but cannot be read.
        """
        path = Path(name_or_path)
        if not path.exists():
            builtin = BUILTIN_DIR / f"{name_or_path}.toml"
            if not builtin.exists():
                known = ", ".join(sorted(p.stem for p in BUILTIN_DIR.glob("*.toml")))
                raise FileNotFoundError(
                    f"mapping {name_or_path!r}: no such file, and no built-in mapping of that name ({known})"
                )
            path = builtin
        with open(path, "rb") as handle:
            data = tomllib.load(handle)
        unknown = set(data) - {"columns", "constants", "values", "read"}
        if unknown:
            raise ValueError(
                f"mapping {path}: unknown sections {sorted(unknown)}; expected columns, constants, values, read"
            )
        unknown = sorted(set(data.get("read", {})) - set(READ_KEYS))
        if unknown:
            raise ValueError(
                f"mapping {path}: [read] has unknown keys {unknown}; expected some of {', '.join(READ_KEYS)} "
                "(a CSV's delimiter is recognised from the file)"
            )
        return cls(
            columns={k: str(v) for k, v in data.get("columns", {}).items()},
            constants={k: str(v) for k, v in data.get("constants", {}).items()},
            values={k: {str(a): str(b) for a, b in v.items()} for k, v in data.get("values", {}).items()},
            read={k: str(v) for k, v in data.get("read", {}).items()},
        )

    def merged(self, other: ColumnMapping) -> ColumnMapping:
        """Return a mapping of these entries with `other`'s taking precedence."""
        return ColumnMapping(
            {**self.columns, **other.columns},
            {**self.constants, **other.constants},
            {**self.values, **other.values},
            {**self.read, **other.read},
        )

    def is_empty(self) -> bool:
        """Tell whether the mapping renames, sets and translates nothing."""
        return not (self.columns or self.constants or self.values)

    def apply(
        self, frame: gpd.GeoDataFrame, layer: Layer, *, file: str | None = None
    ) -> tuple[gpd.GeoDataFrame, list[Problem]]:
        """Return the frame with columns named as in `layer`, and problems.

        Problems: errors for unknown targets or missing sources of the mapping; a warning note
        (COLUMN_MATCHED) for each column read as the field it is named like; a warning
        (COLUMN_UNMAPPED) for each column no field takes, with the closest field.
        """
        problems: list[Problem] = []
        for target in {*self.columns, *self.constants, *self.values}:
            if target not in layer.columns:
                problems.append(
                    Problem(
                        "mapping",
                        layer.name,
                        f"a field of layer {layer.name}: {', '.join(layer.columns)}",
                        field=target,
                        value=target,
                        fix="correct the mapping's target name",
                        file=file,
                        params={"variant": "target", "layer": layer.name, "columns": list(layer.columns)},
                    )
                )
        out = {c: frame[c] for c in frame.columns if c in layer.columns and c not in self.columns and c != "geometry"}
        matched, column_problems = self._account_for_columns(frame, layer, file)
        problems += column_problems
        for column, target in matched.items():
            out[target] = frame[column]
        for target, source in self.columns.items():
            names = _TEMPLATE.findall(source) if "{" in source else [source]
            missing = [n for n in names if n not in frame.columns]
            if missing:
                problems.append(
                    Problem(
                        "mapping",
                        layer.name,
                        f"a column {missing[0]!r} in the file",
                        field=target,
                        value=f"columns {', '.join(map(str, frame.columns))}",
                        fix="correct the mapping's source column",
                        file=file,
                        params={"variant": "source", "column": repr(missing[0]),
                                "columns": [str(c) for c in frame.columns]},
                    )
                )
                continue
            out[target] = _template(frame, source) if "{" in source else frame[source]
        for target, value in self.constants.items():
            out[target] = pd.Series([value] * len(frame), index=frame.index, dtype=object)
        for target, table in self.values.items():
            if target in out:
                lists = _list_keys(table)
                out[target] = pd.Series(
                    [_map_value(v, table, lists) for v in out[target].tolist()], index=frame.index, dtype=object
                )
        return gpd.GeoDataFrame(out, geometry=frame.geometry, crs=frame.crs), problems

    def sources(self) -> set[str]:
        """Return the file columns the mapping reads (template placeholders included)."""
        return {n for src in self.columns.values() for n in (_TEMPLATE.findall(src) if "{" in src else [src])}

    def _account_for_columns(
        self, frame: pd.DataFrame, layer: Layer, file: str | None
    ) -> tuple[dict[str, str], list[Problem]]:
        """({file column: field} to read as named-alike fields, problems) for columns the mapping does not use."""
        sources = self.sources()
        filled = {c for c in frame.columns if c in layer.columns} | set(self.columns) | set(self.constants)
        open_fields = [f for f in layer.columns if f not in filled]
        problems: list[Problem] = []
        candidates: dict[str, list[str]] = {}
        how: dict[str, str] = {}
        for column in frame.columns:
            if column == "geometry" or column in sources or not isinstance(column, str):
                continue
            if column in layer.columns:
                if column in self.columns or column in self.constants:
                    problems.append(self._overridden(frame, layer, column, file))
                continue
            same = [f for f in open_fields if _plain_name(f) == _plain_name(column)]
            if same:
                candidates[column], how[column] = same, _NAMED_ALIKE
                continue
            cut = [
                f
                for f in layer.columns
                if len(column) == SHAPEFILE_NAME_CHARS
                and len(f) > SHAPEFILE_NAME_CHARS
                and f.casefold().startswith(column.casefold())
            ]
            if cut:
                candidates[column] = [f for f in cut if f in open_fields] if len(cut) == 1 else cut
                how[column] = _CUT_NAME
                continue
            candidates[column] = []
        claims: dict[str, list[str]] = {}
        for column, fields in candidates.items():
            if len(fields) == 1:
                claims.setdefault(fields[0], []).append(column)
        matched = {columns[0]: target for target, columns in claims.items() if len(columns) == 1}
        for column, fields in candidates.items():
            if column in matched:
                target = matched[column]
                problems.append(
                    Problem(
                        COLUMN_MATCHED,
                        layer.name,
                        f"a field of layer {layer.name}",
                        field=column,
                        value=AsWritten(f"column {column!r} ({how[column]}): read as {target}"),
                        fix=f"none needed; to say so in the mapping: --map {target}={column}",
                        file=file,
                        severity="warning",
                        params={"variant": "cut" if how[column] == _CUT_NAME else "case", "column": column,
                                "target": target, "layer": layer.name},
                    )
                )
                continue
            problems.append(self._unmapped(frame, layer, column, fields, claims, how.get(column), file))
        return matched, problems

    def _unmapped(self, frame, layer: Layer, column: str, fields: list[str], claims, how, file) -> Problem:
        params: dict = {"column": column, "fields": fields, "first_value": _first_value_param(frame[column]),
                        "layer": layer.name}
        if len(fields) > 1:
            hint = f"{column} is {how} of several fields ({', '.join(fields)}): map it to the right one"
            target = fields[0]
            params["variant"] = "several_cut" if how == _CUT_NAME else "several"
        elif len(fields) == 1 and len(claims.get(fields[0], [])) > 1:
            others = [c for c in claims[fields[0]] if c != column]
            hint = f"{column} → {fields[0]}? so is {', '.join(others)}: map the right one"
            target = fields[0]
            params.update(variant="shared", others=others)
        else:
            close = _closest_field(column, layer.columns)
            target = close or "FIELD"
            hint = (
                f"{column} → {close}?"
                if close
                else f"no field is named like {column} (fields of {layer.name}: {', '.join(layer.columns)})"
            )
            params.update(variant="close" if close else "unlike", columns=list(layer.columns))
        params["target"] = target
        return Problem(
            COLUMN_UNMAPPED,
            layer.name,
            f"a field of layer {layer.name}",
            field=column,
            value=AsWritten(f"a column that maps to no field ({_first_value(frame[column])})"),
            fix=(
                f"{hint}; map it with --map {target}={column} (or [columns] {target} = \"{column}\" in a mapping "
                "file), or leave the column out of the file; it is not imported"
            ),
            file=file,
            severity="warning",
            params=params,
        )

    def _overridden(self, frame, layer: Layer, column: str, file) -> Problem:
        by = (
            f"--set {column}={self.constants[column]}"
            if column in self.constants
            else f"the mapping's {column} = {self.columns[column]!r}"
        )
        return Problem(
            COLUMN_UNMAPPED,
            layer.name,
            f"a field of layer {layer.name} that the mapping does not fill otherwise",
            field=column,
            value=AsWritten(f"a column the mapping replaces by {by} ({_first_value(frame[column])})"),
            fix=f"leave the column out of the file, or drop {column} from the mapping to import it",
            file=file,
            params={"variant": "replaced_by_set" if column in self.constants else "replaced_by_column",
                    "column": column, "constant": self.constants.get(column),
                    "source": repr(self.columns[column]) if column in self.columns else None,
                    "first_value": _first_value_param(frame[column]), "layer": layer.name},
            severity="warning",
        )


def _plain_name(name: str) -> str:
    """Return a column name compared without case and separators: `Bandwidth Mbps` and `bandwidth_mbps` alike."""
    return re.sub(r"[\s\-_.]+", "_", name.strip().casefold()).strip("_")


def _closest_field(column: str, fields: list[str]) -> str | None:
    """Return the field a column most likely means.

    That is the only field it begins (`handover`), else the closest by difflib.
    """
    plain = _plain_name(column)
    starts = [f for f in fields if len(plain) >= 4 and f.startswith(plain)]
    if len(starts) == 1:
        return starts[0]
    close = difflib.get_close_matches(plain, fields, n=1, cutoff=0.7)
    return close[0] if close else None


def _first_value(column: pd.Series) -> str:
    first = _first_value_param(column)
    return "empty in every row" if first is None else f"first value {first}"


def _first_value_param(column: pd.Series) -> str | None:
    """Return the column's first value, quoted (cut to 30 characters), or None when it is empty in every row."""
    for value in column.tolist():
        if not is_missing(value):
            text = as_json(value) if is_structured(value) else str(value)
            return f"{text[:30]!r}" + ("..." if len(text) > 30 else "")
    return None


def _list_keys(table: dict[str, str]) -> dict[str, str]:
    """Return the table's entries for whole lists, keyed by canonical JSON.

    So spacing in the TOML key does not matter.
    """
    out = {}
    for key, value in table.items():
        if key.lstrip().startswith("["):
            with contextlib.suppress(ValueError):
                out[as_json(json.loads(key))] = value
    return out


def _map_value(value: Any, table: dict[str, str], lists: dict[str, str]) -> Any:
    """One value through a value table; lists by the rule in the module docstring."""
    if isinstance(value, str):
        return table.get(value.strip(), value)
    if not is_structured(value) or isinstance(value, dict):
        return value
    written = as_json(value)
    if written in lists:
        return lists[written]
    items = [str(v).strip() for v in (value.tolist() if hasattr(value, "tolist") else value)]
    if not items or not all(item in table for item in items):
        return value
    mapped = list(dict.fromkeys(table[item] for item in items))
    return mapped[0] if len(mapped) == 1 else ListChoice(written, tuple(mapped))


def _template(frame: pd.DataFrame, template: str) -> pd.Series:
    """Fill `{column}` placeholders row by row; empty parts vanish, spaces collapse."""

    def fill(row) -> str:
        text = _TEMPLATE.sub(lambda m: str(row[m.group(1)] or "").strip(), template)
        text = re.sub(r"\s+", " ", text).strip()
        return re.sub(r"^[,;\s]+|[,;\s]+$", "", text.replace(" ,", ","))

    return frame.apply(fill, axis=1) if len(frame) else pd.Series([], dtype=object)


def parse_pairs(pairs: list[str] | None, option: str) -> dict[str, str]:
    """`["a=b", ...]` from repeated command-line options.

    Parameters
    ----------
    pairs : list of str or None
        The option's values, each `TARGET=SOURCE`; None when the option was not given.
    option : str
        The option's name (e.g. "--map"), for the message.

    Returns
    -------
    dict of str to str
        Target to source, both stripped; a later pair for the same target wins.

    Raises
    ------
    ValueError
        For a pair without `=` or with an empty target.

    Examples
    --------
    >>> parse_pairs(["node_id = ID", "kind=Typ"], "--map")
    {'node_id': 'ID', 'kind': 'Typ'}
    """
    out = {}
    for pair in pairs or []:
        target, sep, source = pair.partition("=")
        if not sep or not target.strip():
            raise ValueError(f"{option} {pair!r}: expected FIELD=VALUE")
        out[target.strip()] = source.strip()
    return out
