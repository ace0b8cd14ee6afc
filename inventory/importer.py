"""Import a file into a store: read and check it, then plan and apply its change in one store transaction.

The file is read, mapped and checked on its own (`inventory.import_prepare`), its change planned against
the stored rows inside the store's write transaction (`inventory.import_plan`), and written there.

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
from collections.abc import Callable
from pathlib import Path

from tqdm import tqdm

from inventory.formats.base import ReadOptions
from inventory.frames import empty_frame
from inventory.import_plan import ImportResult, plan_import
from inventory.import_prepare import UNREADABLE, prepare_file
from inventory.mapping import ColumnMapping
from inventory.problems import DataError, Problem
from inventory.schema import get_layer
from inventory.stores.base import Store, StoreError, Transaction, check_mode

DEFAULT_MODE = "upsert"
"""The mode when none is given: it never deletes."""


class ImportConflict(StoreError):
    """The store changed between the plan that was shown and the import; nothing was written."""


class ConfirmationRequired(DataError):
    """A replace would delete rows and nobody confirmed it; nothing was written.

    Parameters
    ----------
    result : ImportResult
        The plan that was not carried out (kept as `result`); its `deleted` ids are named in the message.
    """

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
            params={"count": len(result.deleted), "layer": result.layer,
                    "ids": result.deleted[:10] + (["..."] if len(result.deleted) > 10 else [])},
        )
        super().__init__(
            [problem],
            summary=(
                f"{result.file}: --mode replace would delete {len(result.deleted)} of the "
                f"{result.rows_before} {result.layer}; nothing was changed"
            ),
        )



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
    and written only when no problem is an error; see the module docstring. Whatever it raises, no row was
    written (a store that did not exist may have been created, empty, before the rows were found in error).

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
        A StoreError: the store changed since the plan `expect` names (when `expect` is an `ImportResult`,
        with the ids, and in PostGIS who changed them and when; a bare digest gives no ids).
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
        # A patch: a missing required column matters only for new ids (`plan_import` decides).
        deferred = [p for p in problems if mode == "upsert" and p.rule == "column_missing" and p.row is None
                    and p.field != spec.key and (p.field in spec.columns or p.field == "geometry")]
        problems = [p for p in problems if p not in deferred]
        progress.update()
        exists = store.exists()
        if not exists and not dry_run:
            # Checked against an empty inventory first: a refused import must not leave a new, empty store behind.
            with _empty_store() as tx:
                _, first_problems, _ = plan_import(tx, spec, prepared, mode, str(path), deferred)
            errors = [p for p in problems + first_problems if p.severity == "error"]
            if errors:
                raise DataError(problems + first_problems,
                                summary=f"{path}: {len(errors)} problem(s) found; the store was not created")
            store.create()
        progress.set_postfix_str("comparing with the store")
        # A dry run into a store that does not exist yet is checked against an empty one, creating nothing.
        session = store.transaction([layer], commit=not dry_run) if exists or not dry_run else _empty_store()
        with session as tx:
            result, plan_problems, writes = plan_import(tx, spec, prepared, mode, str(path), deferred)
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
    """Open a read-only `Transaction` over an empty inventory (a dry run into a store not yet created)."""
    yield _EmptyTransaction()


class _EmptyTransaction(Transaction):
    """An inventory with no rows in any layer, which refuses every write."""

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


def _conflict(tx: Transaction, now: ImportResult, shown: str | ImportResult, file: str) -> ImportConflict:
    """Describe the conflict between the plan shown and the plan now: the ids that changed, and who changed them."""
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
    """Name `element`, with who changed it last and when, where the store keeps a history (PostGIS)."""
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
