"""Import a file into a store: read, map and check the file, then plan and apply its change in one
store transaction.

The rules a data steward can rely on:

- **Nothing is deleted unless asked.** The default mode, `upsert`, adds the file's new ids and updates
  existing ones. `replace` also deletes the stored rows whose id the file lacks, and only with a
  confirmation (`confirm`), after the deletions were shown.
- **An update is a patch.** Only the fields the file carries change (a column present with an empty
  cell clears the field; an absent column keeps the stored value). A new id needs every required field.
- **Every import reports its change**: new, changed (with the fields), unchanged and deleted ids.
  Rows whose carried values equal the stored ones are unchanged and are not written.
- **All or nothing, never stale.** The plan is made inside the store's write transaction
  (`Store.transaction`), which serialises writers, so no concurrent change can slip between the
  checks and the write. A plan shown earlier (a dry run before a confirmation) is passed back as
  `expect`: if the store changed in between, the import is a conflict and writes nothing.
"""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
from tqdm import tqdm

from inventory.characters import compatibility_key
from inventory.formats import read_file
from inventory.formats.base import ReadOptions
from inventory.formats.kml import BAD_COORDINATES
from inventory.frames import empty_frame, is_missing
from inventory.import_changes import differences, plan_digest_of, row_digests_of
from inventory.mapping import COLUMN_UNMAPPED, ColumnMapping
from inventory.multipart import EXPLODE_ID_CLASH, explode_multipart
from inventory.problems import DataError, Problem
from inventory.schema import LAYER_ORDER, LAYERS, Layer, get_layer
from inventory.stores.base import Store, StoreError, Transaction, check_mode
from inventory.validation import ROW_CHECKS, check_frame, check_references

DEFAULT_MODE = "upsert"
"""The mode when none is given: it never deletes."""
UNREADABLE = {"file", "encoding", BAD_COORDINATES}
"""Reader problems after which no row can be checked."""
SOURCE_COORDINATE_RULES = {"geometry_axes_swapped", "geometry_crs_mismatch"}
"""Reader findings on coordinates in the file's own CRS (`inventory.formats.base.check_source_coordinates`)."""
PLACEMENT_RULES = {"geometry_outside_crs_area", "geometry_outside_nrw", "geometry_not_finite"}
"""Validation findings that follow from those and are not reported again for the same row."""


class ImportConflict(StoreError):
    """The store changed between the plan that was shown and the import; nothing was written."""


class ConfirmationRequired(DataError):
    """A replace would delete rows and nobody confirmed it; nothing was written. `result` is the plan."""

    def __init__(self, result: ImportResult) -> None:
        self.result = result
        shown = ", ".join(result.deleted[:10]) + (", ..." if len(result.deleted) > 10 else "")
        problem = Problem(
            "delete_unconfirmed",
            result.layer,
            "a confirmation before rows are deleted",
            field=get_layer(result.layer).key,
            value=f"{len(result.deleted)} {result.layer} not in the file ({shown})",
            fix=(
                "check the list (--dry-run --json shows every id), then confirm with --yes; "
                "or use --mode upsert, which adds and updates but never deletes"
            ),
            file=result.file,
        )
        super().__init__(
            [problem],
            summary=(
                f"{result.file}: --mode replace would delete {len(result.deleted)} of the "
                f"{result.rows_before} {result.layer}; nothing was changed"
            ),
        )


@dataclass
class Prepared:
    """A file read, mapped and checked on its own: the typed rows (every schema column), a label per
    row, the schema fields the file carries (plus "geometry") and every problem found.
    """

    frame: gpd.GeoDataFrame
    labels: list[str]
    columns: list[str]
    problems: list[Problem]
    made_ids: set[str] = field(default_factory=set)
    """Ids that --explode made for the parts of multi-part lines (they must be new to the store)."""


@dataclass
class ImportResult:
    """The change an import made (or, for a dry run or a refusal, would make) to one layer."""

    layer: str
    mode: str
    file: str
    rows_in_file: int
    columns: list[str]
    """The fields the file carries ("geometry" included); only these change on existing rows."""
    new: list[str] = field(default_factory=list)
    changed: dict[str, list[str]] = field(default_factory=dict)
    """id -> the fields whose value changes."""
    unchanged: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    rows_before: int = 0
    rows_after: int = 0
    dry_run: bool = False
    warnings: list[Problem] = field(default_factory=list)
    plan_digest: str = ""
    """A digest of the stored rows this plan touches and of its id sets (see `expect`)."""
    row_digests: dict[str, int] = field(default_factory=dict, repr=False)
    """id -> a hash of the stored row the plan read (the rows it patches and the rows it deletes)."""

    @property
    def inserted(self) -> int:
        """Number of new rows."""
        return len(self.new)

    @property
    def updated(self) -> int:
        """Number of stored rows whose values change."""
        return len(self.changed)

    def changed_field_counts(self) -> dict[str, int]:
        """How many rows change in each field, in schema order."""
        counts: dict[str, int] = {}
        for fields in self.changed.values():
            for name in fields:
                counts[name] = counts.get(name, 0) + 1
        order = [*get_layer(self.layer).columns, "geometry"]
        return {name: counts[name] for name in order if name in counts}

    def kept_fields(self) -> list[str]:
        """The fields the file lacks: on existing rows they keep their stored values."""
        return [c for c in [*get_layer(self.layer).columns, "geometry"] if c not in self.columns]

    def summary(self) -> str:
        """The plan in one sentence (and the fields kept, where the file lacks some), as the CLI prints it."""
        verb = "would import" if self.dry_run else "imported"
        fields = ", ".join(f"{name} {n}" for name, n in self.changed_field_counts().items())
        changed = f"{len(self.changed)} changed" + (f" ({fields})" if fields else "")
        now = "would then have" if self.dry_run else "now has"
        text = (
            f"{verb} {self.rows_in_file} rows of {self.file} into {self.layer} ({self.mode}): "
            f"{len(self.new)} new, {changed}, {len(self.unchanged)} unchanged, {len(self.deleted)} deleted; "
            f"{self.layer} {now} {self.rows_after} rows"
        )
        kept = self.kept_fields()
        if kept and (self.changed or self.unchanged):
            text += f"\n  fields not in the file keep their stored values: {', '.join(kept)}"
        return text

    def to_dict(self) -> dict:
        """The plan as JSON-ready values (the CLI's `--json`)."""
        return {
            "layer": self.layer,
            "mode": self.mode,
            "file": self.file,
            "dry_run": self.dry_run,
            "rows_in_file": self.rows_in_file,
            "columns": self.columns,
            "counts": {
                "new": len(self.new),
                "changed": len(self.changed),
                "unchanged": len(self.unchanged),
                "deleted": len(self.deleted),
            },
            "changed_fields": self.changed_field_counts(),
            "ids": {"new": self.new, "changed": self.changed, "unchanged": self.unchanged, "deleted": self.deleted},
            "rows_before": self.rows_before,
            "rows_after": self.rows_after,
            "plan_digest": self.plan_digest,
            "warnings": [w.to_dict() for w in self.warnings],
        }


def prepare_file(
    path: str | Path,
    layer: str,
    *,
    mapping: ColumnMapping | None = None,
    options: ReadOptions | None = None,
    strict: bool = False,
    explode: bool = False,
    patch: bool = False,
) -> Prepared:
    """Read, map and check a file's rows on their own, without a store.

    The reader (`inventory.formats.read_file`) reports what it cannot read, the mapping renames and
    translates, and `check_frame` types every row against the layer's schema; every problem is collected.

    Parameters
    ----------
    path : str or pathlib.Path
        The file (any format of `inventory.formats.FORMATS`).
    layer : str
        The target layer (nodes, routes, sites, site_areas, districts).
    mapping : ColumnMapping, optional
        How the file's columns become the schema's fields (default: names as they are).
    options : ReadOptions, optional
        CRS, encoding, delimiter and the like for formats that need them.
    strict : bool
        File columns that map to no field are errors, not warnings.
    explode : bool
        Multi-part lines become one route per part (`inventory.multipart`).
    patch : bool
        For an upsert: a CSV without geometry columns patches attributes; its missing geometry and CRS are
        not problems here (`import_file` refuses such a file only for new ids).

    Returns
    -------
    Prepared
        The typed frame (EPSG:25832), a label per row for messages, the columns the file carries, every
        problem (file, row, field, value found, expected, fix) and the ids `explode` made.

    Raises
    ------
    ValueError
        For an unknown layer name. Bad data never raises: it is in the problems.
    """
    spec = get_layer(layer)
    mapping = mapping or ColumnMapping()
    options = options or ReadOptions()
    if mapping.columns and not options.raw_columns:  # the user maps the file's own columns (e.g. OFDS GeoJSON's)
        options = dataclasses.replace(options, raw_columns=True)
    raw = read_file(path, layer, options)
    explode = explode or raw.split_at_nodes  # lines a reader cut at nodes: one record per part
    problems = list(raw.problems)
    attributes_only = patch and not raw.has_geometry
    if attributes_only:  # the reader's "no geometry columns" becomes the file's missing geometry column
        problems = [
            Problem(**{**p.__dict__, "field": "geometry"}) if p.rule == "column_missing" and p.field is None else p
            for p in problems
            if not (p.rule == "crs" and p.field == "crs" and p.value == "none")
        ]
    if any(p.rule in UNREADABLE and p.severity == "error" for p in problems):
        return Prepared(empty_frame(spec), [], [], problems)
    frame, mapping_problems = mapping.apply(raw.frame, spec, file=str(path))
    problems += [_strict(p) if strict else p for p in mapping_problems]
    labels = raw.labels
    # The fields the file carries, before --explode may add a trench_id for the parts it makes: the
    # other rows' stored trench must not be cleared by a column the file never had.
    columns = [c for c in spec.columns if c in frame.columns] + ([] if attributes_only else ["geometry"])
    made_ids: set[str] = set()
    if explode:
        before = set(frame[spec.key].astype(str)) if spec.key in frame.columns else set()
        frame, labels, explode_problems = explode_multipart(frame, spec, labels)
        problems += explode_problems
        made_ids = (set(frame[spec.key].astype(str)) - before) if spec.key in frame.columns else set()
    typed, row_problems = check_frame(frame, spec, row_labels=labels, file=str(path))
    # A geometry the reader could not parse is already reported; do not call it missing too.
    unreadable = {p.row for p in problems if p.rule in ("geometry_wkt", "coordinate")}
    row_problems = [p for p in row_problems if not (p.rule == "geometry_missing" and p.row in unreadable)]
    # Swapped axes or coordinates foreign to the CRS explain where the geometry landed; say it once.
    misplaced = {p.row for p in problems if p.rule in SOURCE_COORDINATE_RULES}
    row_problems = [p for p in row_problems if not (p.rule in PLACEMENT_RULES and p.row in misplaced)]
    if attributes_only:  # the geometry stays as stored; new ids are refused for the missing column
        row_problems = [p for p in row_problems if p.rule != "geometry_missing"]
    return Prepared(typed, labels, columns, problems + row_problems, made_ids)


def prepare(
    path: str | Path,
    layer: str,
    *,
    mapping: ColumnMapping | None = None,
    options: ReadOptions | None = None,
) -> tuple[gpd.GeoDataFrame, list[str], list[Problem]]:
    """Read, map and check a file's rows on their own: (typed frame, row labels, problems)."""
    prepared = prepare_file(path, layer, mapping=mapping, options=options)
    return prepared.frame, prepared.labels, prepared.problems


def _strict(problem: Problem) -> Problem:
    if problem.rule != COLUMN_UNMAPPED or problem.severity == "error":
        return problem
    return Problem(**{**problem.__dict__, "severity": "error"})


def import_file(
    store: Store,
    layer: str,
    path: str | Path,
    *,
    mode: str = DEFAULT_MODE,
    mapping: ColumnMapping | None = None,
    options: ReadOptions | None = None,
    dry_run: bool = False,
    confirm: bool | Callable[[ImportResult], bool] = False,
    expect: str | ImportResult | None = None,
    strict: bool = False,
    explode: bool = False,
) -> ImportResult:
    """Import `path` into `layer` of `store`, all or nothing, and return the change.

    The file is read and checked (`prepare_file`), compared with the store inside one write transaction,
    and written only when no problem is an error; see the module docstring. Whatever it raises, nothing
    was changed.

    Parameters
    ----------
    store : Store
        The target store (`inventory.stores.open_store`); created when it does not exist (not on a dry run).
    layer : str
        The target layer (nodes, routes, sites, site_areas, districts).
    path : str or pathlib.Path
        The file to import.
    mode : {'replace', 'upsert'}
        'replace': the layer holds exactly the file's rows afterwards; 'upsert': the file's rows are
        inserted or patched by key (only the columns the file carries change).
    mapping : ColumnMapping, optional
        How the file's columns become the schema's fields.
    options : ReadOptions, optional
        Reading options (CRS, encoding, delimiter, ...).
    dry_run : bool
        Plan and check only; nothing is written.
    confirm : bool or callable
        For a replace that deletes rows: True, or a callable that sees the plan (`ImportResult`) and says yes.
    expect : str or ImportResult, optional
        A plan shown before (or its `plan_digest`): the import goes ahead only if the store has not changed
        since.
    strict : bool
        File columns that map to no field are errors, not warnings.
    explode : bool
        Multi-part lines become one route per part (`inventory.multipart`).

    Returns
    -------
    ImportResult
        The ids new, changed (with the fields that change), unchanged and deleted, the rows before and
        after, the warnings and the plan's digest.

    Raises
    ------
    DataError
        With every problem at once (file, row, field, value, expected, fix) when the file cannot be read or
        any row is in error.
    ConfirmationRequired
        A DataError: a replace would delete rows and `confirm` did not agree.
    ImportConflict
        A StoreError: the store changed since the plan `expect` names (with the ids, and in PostGIS who
        changed them and when).
    StoreBusy, StoreError
        The store cannot be written (see `Store.transaction`).
    ValueError
        For an unknown mode or layer name.
    """
    check_mode(mode)
    spec = get_layer(layer)
    with tqdm(total=3, desc=f"import {layer}", unit="step", disable=None, delay=1.0, leave=False) as progress:
        progress.set_postfix_str("reading and checking rows")
        prepared = prepare_file(path, layer, mapping=mapping, options=options, strict=strict, explode=explode,
                                patch=mode == "upsert")
        problems = prepared.problems
        if any(p.rule in UNREADABLE and p.severity == "error" for p in problems):
            raise DataError(problems, summary=f"{path}: cannot be read; the store was not changed")
        # A patch: a missing required column matters only for new ids (`_plan` decides).
        deferred = [p for p in problems if mode == "upsert" and p.rule == "column_missing" and p.row is None
                    and p.field != spec.key and (p.field in spec.columns or p.field == "geometry")]
        problems = [p for p in problems if p not in deferred]
        progress.update()
        exists = store.exists()
        if not exists and not dry_run:
            store.create()
        progress.set_postfix_str("comparing with the store")
        # A dry run into a store that does not exist yet is checked against an empty one, creating nothing.
        session = store.transaction([layer], commit=not dry_run) if exists or not dry_run else _empty_store()
        with session as tx:
            result, plan_problems, writes = _plan(tx, spec, prepared, mode, str(path), deferred)
            problems = problems + plan_problems
            result.warnings = [p for p in problems if p.severity != "error"]
            result.dry_run = dry_run
            errors = [p for p in problems if p.severity == "error"]
            if errors:
                raise DataError(problems, summary=f"{path}: {len(errors)} problem(s) found; the store was not changed")
            if expect is not None and (expect if isinstance(expect, str) else expect.plan_digest) != result.plan_digest:
                raise _conflict(tx, result, expect, str(path))
            if result.deleted and not dry_run:
                agreed = confirm(result) if callable(confirm) else confirm
                if not agreed:
                    raise ConfirmationRequired(result)
            progress.update()
            if not dry_run:
                progress.set_postfix_str(f"writing {len(result.new) + len(result.changed)} rows")
                new_rows, changed_rows = writes
                tx.delete(layer, result.deleted)
                tx.upsert(layer, new_rows, [*spec.columns, "geometry"])
                tx.upsert(layer, changed_rows, prepared.columns)
            progress.update()
    return result


@contextlib.contextmanager
def _empty_store():
    """A read-only `Transaction` over an empty inventory (a dry run into a store not yet created)."""
    yield _EmptyTransaction()


class _EmptyTransaction(Transaction):
    def keys(self, layer):
        return set()

    def rows(self, layer, keys):
        return empty_frame(get_layer(layer))

    def rows_where(self, layer, field, values):
        return empty_frame(get_layer(layer))

    def present(self, layer, field, values):
        return set()

    def count(self, layer):
        return 0

    def upsert(self, layer, frame, columns):
        raise StoreError("a dry run writes nothing")

    def delete(self, layer, keys):
        raise StoreError("a dry run writes nothing")


def _plan(
    tx: Transaction, spec: Layer, prepared: Prepared, mode: str, file: str, missing_columns: list[Problem]
) -> tuple[ImportResult, list[Problem], tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]]:
    """Compare the file's rows with the store inside the transaction: (the change, problems, the rows
    to insert and the rows to patch). `missing_columns`: the file's missing required columns, which
    matter only when the file has new ids.
    """
    layer, key = spec.name, spec.key
    frame, labels, columns = prepared.frame, prepared.labels, prepared.columns
    problems: list[Problem] = []
    file_keys = [k for k in frame[key].tolist() if not is_missing(k)]
    key_set = set(file_keys)
    rows_before = tx.count(layer)
    stored = tx.rows(layer, key_set).set_index(key, drop=False)
    is_new = ~frame[key].isin(stored.index).to_numpy(dtype=bool)
    deleted = sorted(tx.keys(layer) - key_set) if mode == "replace" else []

    # New ids need every required field, and must not be an existing id written another way.
    new_positions = np.flatnonzero(is_new & frame[key].notna().to_numpy(dtype=bool))
    problems += _made_ids_in_store(spec, frame, labels, prepared.made_ids & set(stored.index), file)
    if len(new_positions):
        problems += _required_for_new(spec, frame, new_positions, missing_columns)
        problems += _compatibility_clashes(tx, spec, frame, labels, new_positions, file)

    # Existing ids: the stored row patched with the carried fields.
    old_positions = np.flatnonzero(~is_new)
    patched = frame.iloc[old_positions].copy()
    if len(old_positions):
        base = stored.loc[patched[key].tolist()].reset_index(drop=True)
        patched = patched.reset_index(drop=True)
        for name in spec.columns:
            if name not in columns:
                patched[name] = base[name].to_numpy()
        if "geometry" not in columns:
            patched = patched.set_geometry(gpd.GeoSeries(base.geometry.values, crs=patched.crs))
        old_labels = [labels[i] for i in old_positions]
        known = {(p.rule, p.row, p.field) for p in prepared.problems}
        for check in spec.checks:  # cross-field rules on the row as it would be stored
            for p in ROW_CHECKS[check](patched, spec, old_labels, file):
                if (p.rule, p.row, p.field) not in known:
                    problems.append(p)
        differs, flags = differences(base, patched, columns, spec)
        # Fields the file carries but does not change keep their stored value exactly (a geometry
        # equal within import_changes.GEOMETRY_TOLERANCE_M is not rewritten with the file's last bits).
        for name, flag in flags.items():
            if name == "geometry":
                kept = np.where(flag, patched.geometry.values, base.geometry.values)
                patched = patched.set_geometry(gpd.GeoSeries(kept, crs=patched.crs))
            else:
                patched[name] = patched[name].where(pd.Series(flag, index=patched.index), base[name])
    else:
        differs = {}

    # References out of the file's rows, and into the rows a replace deletes.
    problems += _references(tx, spec, frame, labels, columns, key_set, set(deleted), file)
    if deleted:
        problems += _dangling(tx, spec, set(deleted), key_set, columns, file)

    changed = {k: fields for k, fields in differs.items() if fields}
    unchanged = [k for k, fields in differs.items() if not fields]
    file_ids = frame[key].tolist()
    new_ids = [file_ids[i] for i in new_positions]
    new_rows = frame.iloc[new_positions]
    changed_rows = patched[patched[key].isin(list(changed))] if len(old_positions) else patched
    row_digests = row_digests_of(stored.reset_index(drop=True), spec)
    if deleted:
        row_digests |= row_digests_of(tx.rows(layer, deleted), spec)
    digest = plan_digest_of(row_digests, new_ids, deleted)
    result = ImportResult(
        layer=layer,
        mode=mode,
        file=file,
        rows_in_file=len(frame),
        columns=columns,
        new=sorted(new_ids),
        changed=dict(sorted(changed.items())),
        unchanged=sorted(unchanged),
        deleted=deleted,
        rows_before=rows_before,
        rows_after=rows_before + len(new_ids) - len(deleted),
        plan_digest=digest,
        row_digests=row_digests,
    )
    return result, problems, (new_rows, changed_rows)


def _required_for_new(spec: Layer, frame, positions, missing_columns: list[Problem]) -> list[Problem]:
    """The missing required columns, said of the new ids that need them."""
    if not missing_columns:
        return []
    keys = frame[spec.key].tolist()
    ids = [str(keys[i]) for i in positions]
    shown = ", ".join(ids[:5]) + (", ..." if len(ids) > 5 else "")
    note = f" for the {len(ids)} new {spec.name} ({shown}); stored rows would keep their value"
    return [Problem(**{**p.__dict__, "expected": p.expected + note}) for p in missing_columns]


def _made_ids_in_store(spec: Layer, frame, labels, clashes: set[str], file) -> list[Problem]:
    """Ids that --explode made for parts but that the store already holds: refused, never overwritten."""
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
            )
        )
    return problems


def _compatibility_clashes(tx: Transaction, spec: Layer, frame, labels, positions, file) -> list[Problem]:
    """New ids that equal a stored id under Unicode compatibility (only stored ids that are not plain
    ASCII can clash with another id, so the stored ids are read only when a new id is non-ASCII or the
    layer could hold such ids).
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
                )
            )
    return problems


def _references(tx, spec: Layer, frame, labels, columns, key_set, deleted, file) -> list[Problem]:
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


def _dangling(tx, spec: Layer, deleted: set, key_set: set, columns, file) -> list[Problem]:
    """Stored rows of any layer that reference a row the replace deletes."""
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
                    )
                )
    return problems


def _conflict(tx: Transaction, now: ImportResult, shown: str | ImportResult, file: str) -> ImportConflict:
    """The conflict between the plan shown and the plan now: the ids that changed, and who changed them."""
    head = f"{file}: the {now.layer} changed since the import was checked, so nothing was written"
    tail = "Check the import again and confirm the new plan"
    if isinstance(shown, str):
        return ImportConflict(f"{head}. {tail}")
    ids = {k for k in shown.row_digests.keys() | now.row_digests.keys()
           if shown.row_digests.get(k) != now.row_digests.get(k)}
    ids |= set(shown.new) ^ set(now.new)
    ids |= set(shown.deleted) ^ set(now.deleted)
    ids = sorted(ids)
    described = [_who_changed(tx, now.layer, element) for element in ids[:10]]
    more = f", and {len(ids) - 10} more" if len(ids) > 10 else ""
    return ImportConflict(f"{head}: {', '.join(described)}{more} changed in between. {tail}")


def _who_changed(tx: Transaction, layer: str, element: str) -> str:
    """`element`, with who changed it last and when where the store keeps a history (PostGIS)."""
    from sqlalchemy import Connection
    from sqlalchemy.exc import DBAPIError

    connection = getattr(tx, "connection", None)
    if not isinstance(connection, Connection):  # a GeoPackage keeps no history
        return element

    from inventory.history import format_time, last_change

    try:
        with connection.begin_nested():
            change = last_change(connection, layer, element)
    except DBAPIError:
        return element
    if change is None:
        return element
    return f"{element} (by {change.by} at {format_time(change.changed_at)})"
