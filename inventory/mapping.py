"""Column mappings for foreign schemas: rename, combine, set constants, translate values.

A mapping is a TOML file (or the same as command-line options)::

    [columns]              # target field = source column, or a template of columns
    site_id = "Schulnummer"
    name = "{Schulbezeichnung_1} {Schulbezeichnung_2}"
    [constants]            # target field = fixed value for every row
    kind = "school"
    [values.school_type]   # translate source values (others pass through unchanged)
    "02" = "Grundschule"
    [read]                 # reading options: crs, x, y, wkt, encoding, source_layer
    crs = "EPSG:25832"

Columns of the file that are already named like a schema field pass through unmapped.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import pandas as pd

from inventory.problems import Problem
from inventory.schema import Layer

BUILTIN_DIR = Path(__file__).with_name("mappings")
_TEMPLATE = re.compile(r"\{([^{}]+)\}")


@dataclass
class ColumnMapping:
    columns: dict[str, str] = field(default_factory=dict)
    constants: dict[str, str] = field(default_factory=dict)
    values: dict[str, dict[str, str]] = field(default_factory=dict)
    read: dict[str, str] = field(default_factory=dict)

    @classmethod
    def load(cls, name_or_path: str) -> ColumnMapping:
        """A mapping from a TOML path, or a built-in one by name (e.g. `nrw_schuldaten`)."""
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
        return cls(
            columns={k: str(v) for k, v in data.get("columns", {}).items()},
            constants={k: str(v) for k, v in data.get("constants", {}).items()},
            values={k: {str(a): str(b) for a, b in v.items()} for k, v in data.get("values", {}).items()},
            read={k: str(v) for k, v in data.get("read", {}).items()},
        )

    def merged(self, other: ColumnMapping) -> ColumnMapping:
        """This mapping with `other`'s entries taking precedence."""
        return ColumnMapping(
            {**self.columns, **other.columns},
            {**self.constants, **other.constants},
            {**self.values, **other.values},
            {**self.read, **other.read},
        )

    def is_empty(self) -> bool:
        return not (self.columns or self.constants or self.values)

    def apply(
        self, frame: gpd.GeoDataFrame, layer: Layer, *, file: str | None = None
    ) -> tuple[gpd.GeoDataFrame, list[Problem]]:
        """The frame with columns named as in `layer`; problems for unknown targets or sources."""
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
                    )
                )
        out = {c: frame[c] for c in frame.columns if c in layer.columns and c not in self.columns and c != "geometry"}
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
                    )
                )
                continue
            out[target] = _template(frame, source) if "{" in source else frame[source]
        for target, value in self.constants.items():
            out[target] = pd.Series([value] * len(frame), index=frame.index, dtype=object)
        for target, table in self.values.items():
            if target in out:
                out[target] = out[target].map(lambda v, t=table: t.get(str(v).strip(), v) if isinstance(v, str) else v)
        return gpd.GeoDataFrame(out, geometry=frame.geometry, crs=frame.crs), problems


def _template(frame: pd.DataFrame, template: str) -> pd.Series:
    """Fill `{column}` placeholders row by row; empty parts vanish, spaces collapse."""

    def fill(row) -> str:
        text = _TEMPLATE.sub(lambda m: str(row[m.group(1)] or "").strip(), template)
        text = re.sub(r"\s+", " ", text).strip()
        return re.sub(r"^[,;\s]+|[,;\s]+$", "", text.replace(" ,", ","))

    return frame.apply(fill, axis=1) if len(frame) else pd.Series([], dtype=object)


def parse_pairs(pairs: list[str] | None, option: str) -> dict[str, str]:
    """`["a=b", ...]` from repeated command-line options."""
    out = {}
    for pair in pairs or []:
        target, sep, source = pair.partition("=")
        if not sep or not target.strip():
            raise ValueError(f"{option} {pair!r}: expected FIELD=VALUE")
        out[target.strip()] = source.strip()
    return out
