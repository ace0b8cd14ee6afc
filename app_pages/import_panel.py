"""The editors' file import in the app: check, see the change, confirm deletions, import.

The same library call as `gelsennet import` (`inventory.importer.import_file`) with the same rules:
the default mode adds and updates and never deletes; an update changes only the fields the file
carries; a replace that deletes rows first shows them and needs an explicit confirmation, and the
confirmed import carries the digest of the plan that was shown, so a store changed in between is a
conflict and nothing is written.
"""

from __future__ import annotations

import hashlib
import tempfile
from pathlib import Path

import pandas as pd
import streamlit as st

from app_pages.i18n import fmt, plain, t
from app_pages.problem_text import problem_rows
from app_pages.uploads import UPLOAD_TYPES, UploadRejected, save_upload
from app_pages.widgets import table as show_table
from inventory.formats import FORMATS, Format, content_of
from inventory.formats.base import ReadOptions
from inventory.import_plan import ImportResult
from inventory.importer import DEFAULT_MODE, ConfirmationRequired, ImportConflict, import_file
from inventory.problems import DataError
from inventory.schema import LAYER_ORDER
from inventory.stores import StoreError, open_store
from inventory.stores.base import MODES

PROBLEM_COLUMNS = ["layer", "row", "field", "value", "expected", "fix"]
PLAN_KEY = "import_plan"
"""Session state: the checked replace waiting for its confirmation (upload, options and the plan)."""


def import_panel(target: str, lang: str) -> None:
    """The import form; writes go to the store at `target`."""
    st.subheader(t("edit.import", lang))
    left, right = st.columns(2)
    layer = left.selectbox(t("edit.layer", lang), LAYER_ORDER, format_func=lambda n: t(f"layer.{n}", lang),
                           key="edit_layer")
    mode = right.radio(t("edit.mode", lang), MODES, index=MODES.index(DEFAULT_MODE),
                       format_func=lambda m: t(f"edit.mode.{m}", lang), horizontal=True, key="edit_mode")
    crs = right.text_input(t("edit.crs", lang), value="EPSG:25832", key="edit_crs", max_chars=40)
    names = ", ".join(dict.fromkeys(t(f"format.{f.key}", lang) for f in FORMATS if f.read))
    upload = left.file_uploader(t("edit.file", lang, formats=names), type=list(UPLOAD_TYPES), key="edit_upload")
    check, write = st.columns(2)
    dry_run = check.button(t("edit.check", lang), key="edit_check", disabled=upload is None)
    real = write.button(t("edit.run", lang), key="edit_run", type="primary", disabled=upload is None)
    if upload is None:
        st.session_state.pop(PLAN_KEY, None)
        return
    data = upload.getvalue()
    request = (hashlib.sha256(data).hexdigest(), upload.name, layer, mode, crs.strip())
    pending = st.session_state.get(PLAN_KEY)
    if pending is not None and pending["request"] != request:  # another file or other options: check again
        st.session_state.pop(PLAN_KEY, None)
        pending = None
    if dry_run or real:
        st.session_state.pop(PLAN_KEY, None)
        result = _run(target, upload.name, data, layer, mode, crs, lang, dry_run=True)
        if result is None:
            return
        if real and not result.deleted:
            done = _run(target, upload.name, data, layer, mode, crs, lang, expect=result)
            if done is not None:
                _report(done, lang)
            return
        _report(result, lang)
        if result.deleted:
            st.session_state[PLAN_KEY] = {"request": request, "plan": result, "deleted": len(result.deleted)}
            pending = st.session_state[PLAN_KEY]
    if pending is not None:
        _confirmation(pending, target, upload.name, data, layer, mode, crs, lang)


def _confirmation(pending: dict, target, name, data, layer, mode, crs, lang) -> None:
    """The confirm step of a replace that deletes rows."""
    box = st.container(border=True)
    box.warning(t("import.confirm_warning", lang, n=fmt(pending["deleted"], lang=lang),
                  layer=t(f"layer.{layer}", lang)))
    agreed = box.checkbox(t("import.confirm_check", lang, n=fmt(pending["deleted"], lang=lang)),
                          key="import_confirm_check")
    if box.button(t("import.confirm_run", lang), key="import_confirm", type="primary", disabled=not agreed):
        done = _run(target, name, data, layer, mode, crs, lang, expect=pending["plan"], confirm=True)
        st.session_state.pop(PLAN_KEY, None)
        if done is not None:
            _report(done, lang)


def _run(target, name, data, layer, mode, crs, lang, **kwargs) -> ImportResult | None:
    """One import call (a dry run or the real one); problems are shown, None returned."""
    with tempfile.TemporaryDirectory(prefix="gelsennet-upload-") as folder:
        try:
            path = save_upload(name, data, Path(folder))
            store = open_store(target)
            try:
                # The CRS field is for CSV; other formats carry their own CRS (a GeoJSON without one is
                # longitude/latitude by RFC 7946), and a CRS given for them would contradict it.
                found = content_of(path)
                needs_crs = isinstance(found, Format) and not found.crs_in_file  # a CSV
                declared = crs.strip() or None if needs_crs else None
                return import_file(store, layer, path, mode=mode, options=ReadOptions(crs=declared), **kwargs)
            finally:
                store.close()
        except UploadRejected as exc:
            st.error(t(exc.key, lang, **{k: plain(v) for k, v in exc.values.items()}))
        except ConfirmationRequired:  # only reachable if the confirm step was skipped
            st.error(t("import.unconfirmed", lang))
        except ImportConflict as exc:
            st.error(t("import.conflict", lang))
            st.caption(plain(exc))
        except DataError as exc:
            show_problems(exc, lang)
        except StoreError as exc:
            st.error(t("edit.store_error", lang, error=plain(exc)))
    return None


def show_problems(exc: DataError, lang: str) -> None:
    st.error(plain(str(exc).splitlines()[0]))
    rows = problem_rows([p.to_dict() for p in exc.problems], lang)
    show_table(rows[[*PROBLEM_COLUMNS, "rule"]], lang, "edit_problems")


def _report(result: ImportResult, lang: str) -> None:
    """The change: counts in words, the changed fields, and a table of every id that changes."""
    counts = {"rows": fmt(result.rows_in_file, lang=lang), "new": fmt(len(result.new), lang=lang),
              "changed": fmt(len(result.changed), lang=lang), "unchanged": fmt(len(result.unchanged), lang=lang),
              "deleted": fmt(len(result.deleted), lang=lang), "after": fmt(result.rows_after, lang=lang)}
    st.success(t("edit.checked" if result.dry_run else "edit.done", lang, **counts))
    fields = result.changed_field_counts()
    if fields:
        st.caption(t("import.changed_fields", lang) + ", ".join(f"{name} ({fmt(n, lang=lang)})"
                                                                 for name, n in fields.items()))
    kept = result.kept_fields()
    if kept and (result.changed or result.unchanged):
        st.caption(t("import.kept_fields", lang) + ", ".join(kept))
    rows = ([(k, t("import.new", lang), "") for k in result.new]
            + [(k, t("import.changed", lang), ", ".join(v)) for k, v in result.changed.items()]
            + [(k, t("import.deleted" if result.dry_run else "import.deleted_done", lang), "")
               for k in result.deleted])
    if rows:
        table = pd.DataFrame(rows, columns=[t("import.id", lang), t("import.change", lang), t("import.fields", lang)])
        st.dataframe(table, hide_index=True, key=f"import_changes_{'dry' if result.dry_run else 'done'}")
