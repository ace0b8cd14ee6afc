"""The change an import makes to one layer, planned inside the store's write transaction.

`plan_import` compares the file's prepared rows with the stored ones: which ids are new, which stored rows
change (and in which fields), which are unchanged and which a replace deletes, with the problems only the
store can show (`inventory.import_checks`) and a digest of everything the plan read (`expect`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import pandas as pd

from inventory.frames import is_missing
from inventory.import_changes import differences, plan_digest_of, row_digests_of
from inventory.import_checks import (
    compatibility_clashes,
    dangling_references,
    made_ids_in_store,
    references_out_of_file,
    required_for_new,
)
from inventory.import_prepare import Prepared
from inventory.problems import Problem
from inventory.schema import Layer, get_layer
from inventory.stores.base import Transaction
from inventory.validation import ROW_CHECKS


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
    """A digest of the stored rows this plan touches and of its id sets (`inventory.importer.import_file`'s
    `expect`)."""
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
        """Count the rows that change in each field, in schema order."""
        counts: dict[str, int] = {}
        for fields in self.changed.values():
            for name in fields:
                counts[name] = counts.get(name, 0) + 1
        order = [*get_layer(self.layer).columns, "geometry"]
        return {name: counts[name] for name in order if name in counts}

    def kept_fields(self) -> list[str]:
        """Return the fields the file lacks: on existing rows they keep their stored values."""
        return [c for c in [*get_layer(self.layer).columns, "geometry"] if c not in self.columns]

    def summary(self) -> str:
        """Say the plan in one sentence (and the fields kept, where the file lacks some), as the CLI prints it."""
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
        """Return the plan as JSON-ready values (the CLI's `--json`)."""
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


def plan_import(
    tx: Transaction, spec: Layer, prepared: Prepared, mode: str, file: str, missing_columns: list[Problem]
) -> tuple[ImportResult, list[Problem], tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]]:
    """Compare the file's rows with the store inside the import's transaction and plan the change.

    Ids the store lacks are new; a stored row is patched with the fields the file carries and is changed
    when a field differs (`inventory.import_changes.differences`), else unchanged; a replace deletes the
    stored ids the file lacks. The layer's cross-field rules are checked on the patched rows, and the
    checks that need the store on all of them (`inventory.import_checks`). Nothing is written.

    Parameters
    ----------
    tx : Transaction
        The import's write transaction (`Store.transaction`), or a read-only one over an empty store.
    spec : Layer
        The layer imported into.
    prepared : Prepared
        The file read, mapped and checked on its own (`inventory.import_prepare.prepare_file`).
    mode : {'replace', 'upsert'}
        'replace' deletes the stored rows whose id the file lacks; 'upsert' never deletes.
    file : str
        The file's name, for the messages and the result.
    missing_columns : list of Problem
        The file's missing required columns, which matter only when the file has new ids.

    Returns
    -------
    result : ImportResult
        The change (ids new, changed with their fields, unchanged, deleted), the row counts before and
        after, and the plan's digest; its `warnings` and `dry_run` are left for the caller to set.
    problems : list of Problem
        The problems only the store shows (errors and warnings), beside those of `prepared`.
    writes : tuple of geopandas.GeoDataFrame
        The rows to insert (every field) and the stored rows to patch (the fields the file carries,
        values the file does not change kept exactly as stored).
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
    problems += made_ids_in_store(spec, frame, labels, prepared.made_ids & set(stored.index), file)
    if len(new_positions):
        problems += required_for_new(spec, frame, new_positions, missing_columns)
        problems += compatibility_clashes(tx, spec, frame, labels, new_positions, file)

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
    problems += references_out_of_file(tx, spec, frame, labels, columns, key_set, set(deleted), file)
    if deleted:
        problems += dangling_references(tx, spec, set(deleted), key_set, columns, file)

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
