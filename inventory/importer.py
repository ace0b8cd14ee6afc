"""Import a file into a store: read, map, check everything, then write all or nothing."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
from tqdm import tqdm

from inventory.frames import empty_frame
from inventory.mapping import ColumnMapping
from inventory.problems import DataError, Problem
from inventory.readers import ReadOptions, read_file
from inventory.schema import LAYER_ORDER, LAYERS, get_layer
from inventory.stores.base import Store, check_mode, merge_upsert
from inventory.validation import check_frame, check_references, key_labels, referenced_keys

UNREADABLE = {"file", "encoding"}
"""Reader problems after which no row can be checked."""
SOURCE_COORDINATE_RULES = {"geometry_axes_swapped", "geometry_crs_mismatch"}
"""Reader findings on coordinates in the file's own CRS (`inventory.readers.check_source_coordinates`)."""
PLACEMENT_RULES = {"geometry_outside_crs_area", "geometry_outside_nrw", "geometry_not_finite"}
"""Validation findings that follow from those and are not reported again for the same row."""


@dataclass
class ImportResult:
    layer: str
    mode: str
    file: str
    rows_in_file: int
    inserted: int
    updated: int
    rows_after: int
    dry_run: bool = False
    warnings: list[Problem] = field(default_factory=list)

    def summary(self) -> str:
        verb = "would import" if self.dry_run else "imported"
        return (
            f"{verb} {self.rows_in_file} rows of {self.file} into {self.layer} ({self.mode}): "
            f"{self.inserted} new, {self.updated} updated; {self.layer} now has {self.rows_after} rows"
        )


def prepare(
    path: str | Path,
    layer: str,
    *,
    mapping: ColumnMapping | None = None,
    options: ReadOptions | None = None,
) -> tuple[gpd.GeoDataFrame, list[str], list[Problem]]:
    """Read, map and check a file's rows on their own: (typed frame, row labels, problems)."""
    spec = get_layer(layer)
    mapping = mapping or ColumnMapping()
    options = options or ReadOptions()
    raw = read_file(path, layer, options)
    problems = list(raw.problems)
    if any(p.rule in UNREADABLE for p in problems):
        return empty_frame(spec), [], problems
    frame, mapping_problems = mapping.apply(raw.frame, spec, file=str(path))
    problems += mapping_problems
    typed, row_problems = check_frame(frame, spec, row_labels=raw.labels, file=str(path))
    # A geometry the reader could not parse is already reported; do not call it missing too.
    unreadable = {p.row for p in problems if p.rule in ("geometry_wkt", "coordinate")}
    row_problems = [p for p in row_problems if not (p.rule == "geometry_missing" and p.row in unreadable)]
    # Swapped axes or coordinates foreign to the CRS explain where the geometry landed; say it once.
    misplaced = {p.row for p in problems if p.rule in SOURCE_COORDINATE_RULES}
    row_problems = [p for p in row_problems if not (p.rule in PLACEMENT_RULES and p.row in misplaced)]
    return typed, raw.labels, problems + row_problems


def import_file(
    store: Store,
    layer: str,
    path: str | Path,
    *,
    mode: str = "replace",
    mapping: ColumnMapping | None = None,
    options: ReadOptions | None = None,
    dry_run: bool = False,
) -> ImportResult:
    """Import `path` into `layer` of `store`. Raises DataError with every problem; then nothing changed.

    `replace` makes the layer exactly the file's rows; `upsert` adds new ids and updates
    existing ones. References are checked against the store as it would be afterwards,
    both from the file's rows and from other layers into this one.
    """
    check_mode(mode)
    spec = get_layer(layer)
    # Shown on a terminal only, and only when the import takes more than a second.
    with tqdm(total=3, desc=f"import {layer}", unit="step", disable=None, delay=1.0, leave=False) as progress:
        progress.set_postfix_str("reading and checking rows")
        typed, labels, problems = prepare(path, layer, mapping=mapping, options=options)
        if any(p.rule in UNREADABLE for p in problems):
            raise DataError(problems, summary=f"{path}: cannot be read; the store was not changed")
        progress.update()
        progress.set_postfix_str("checking references")
        current = store.read_all() if store.exists() else {}
        before = current.get(layer)
        after = typed if mode == "replace" or before is None else merge_upsert(before, typed, layer)
        prospective = {**current, layer: after}
        available = referenced_keys(prospective)
        problems += check_references(typed, spec, available, row_labels=labels, file=str(path))
        problems += _dangling_after(prospective, layer, available)
        errors = [p for p in problems if p.severity == "error"]
        if errors:
            raise DataError(problems, summary=f"{path}: {len(errors)} problem(s) found; the store was not changed")
        progress.update()
        existing_keys = set(before[spec.key]) if before is not None else set()
        updated = int(typed[spec.key].isin(existing_keys).sum())
        if not dry_run:
            progress.set_postfix_str(f"writing {len(typed)} rows")
            if not store.exists():
                store.create()
            store.write({layer: typed}, mode=mode)
        progress.update()
    return ImportResult(
        layer=layer,
        mode=mode,
        file=str(path),
        rows_in_file=len(typed),
        inserted=len(typed) - updated,
        updated=updated,
        rows_after=len(after),
        dry_run=dry_run,
        warnings=[p for p in problems if p.severity != "error"],
    )


def _dangling_after(prospective: dict[str, gpd.GeoDataFrame], changed: str, available) -> list[Problem]:
    """References from other layers into `changed` that the import would break."""
    problems = []
    for name in LAYER_ORDER:
        if name == changed or name not in prospective:
            continue
        spec = LAYERS[name]
        frame = prospective[name]
        for p in check_references(frame, spec, available, row_labels=key_labels(frame, spec), into=changed):
            problems.append(
                Problem(
                    "reference_broken",
                    name,
                    p.expected + " (the import would remove it)",
                    row=p.row,
                    field=p.field,
                    value=p.value,
                    fix=f"keep that {changed} record in the file, use --mode upsert, or change the {name} first",
                )
            )
    return problems
