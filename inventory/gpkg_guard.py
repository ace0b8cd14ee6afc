"""A GeoPackage is an SQLite database, and a database can compute: check it reads in bounded time.

A layer can be a view (GeoPackage allows views in gpkg_contents), and a view can run forever
(a recursive query without end), take hours (a cross join) or build a gigabyte value; a table
can have generated columns that do the same. GDAL cannot be interrupted once it reads, so
before GDAL opens the file, Python's sqlite3 reads every GeoPackage metadata table and every
layer listed in gpkg_contents (every column of every row) with a time limit per layer
(`LAYER_READ_SECONDS`), one for the whole file (`GEOPACKAGE_CHECK_SECONDS`) and a limit on one
value's size (`MAX_SQLITE_VALUE_BYTES`, which also bounds strings a view builds, e.g. with
group_concat). A file that passes is read by GDAL in about the same time (measured: 1.1 s for
1,000,000 routes, where GDAL's read takes 8 s).

Reading never runs triggers (they run on writes), and the file is opened read-only.
"""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path
from urllib.parse import quote

from inventory.limits import (
    GEOPACKAGE_CHECK_SECONDS,
    LAYER_READ_SECONDS,
    MAX_SQLITE_VALUE_BYTES,
)

METADATA_TABLES = (
    "gpkg_spatial_ref_sys",
    "gpkg_contents",
    "gpkg_geometry_columns",
    "gpkg_extensions",
    "gpkg_ogr_contents",
    "gpkg_data_columns",
    "gpkg_data_column_constraints",
    "gpkg_metadata",
    "gpkg_metadata_reference",
    "gpkg_tile_matrix_set",
    "gpkg_tile_matrix",
)
"""Tables GDAL reads when it opens a GeoPackage (besides the layers)."""


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def check_geopackage(path: Path) -> tuple[str, str, str, dict] | None:
    """Return (expected, found, fix, params) when a table or layer of the GeoPackage cannot be read within the limits.

    The file is opened read-only; the metadata tables (`METADATA_TABLES`) and every layer of
    gpkg_contents are read in full, each within `LAYER_READ_SECONDS` (10 s), all within
    `GEOPACKAGE_CHECK_SECONDS` (30 s), no value above `MAX_SQLITE_VALUE_BYTES` (100 MB); the limits and
    their measurements are in `inventory.limits`. The first table or layer that fails is reported.

    Parameters
    ----------
    path : pathlib.Path
        The GeoPackage file.

    Returns
    -------
    tuple of (str, str, str, dict) or None
        The problem as three English phrases, for a data problem's fields: what is expected (e.g.
        "layers that SQLite reads within 10 s (for one layer)"), what was found (naming the table or view),
        and how to fix it; then the problem's `params` (its `variant` and the values its texts name). None
        when every table and layer reads within the limits, and also when SQLite cannot open the file or finds
        it no database or damaged: GDAL's own message says so then.
    """
    try:
        con = sqlite3.connect(f"file:{quote(str(path.resolve()))}?mode=ro", uri=True, timeout=5)
    except sqlite3.Error:
        return None
    try:
        # One value (and so every string a query builds, e.g. group_concat) stays below this size.
        con.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, MAX_SQLITE_VALUE_BYTES)
        return _check(con)
    except sqlite3.DatabaseError:
        return None  # not a database, or damaged: GDAL says so with its own words
    finally:
        con.close()


def _check(con: sqlite3.Connection) -> tuple[str, str, str, dict] | None:
    file_deadline = time.monotonic() + GEOPACKAGE_CHECK_SECONDS
    kinds = dict(con.execute("SELECT name, type FROM sqlite_master WHERE type IN ('table', 'view')").fetchall())
    objects = [name for name in METADATA_TABLES if name in kinds]
    # gpkg_contents is read under the time limit like the rest before its rows are trusted.
    problem = _read_all(con, "gpkg_contents", kinds, file_deadline) if "gpkg_contents" in kinds else None
    if problem:
        return problem
    if "gpkg_contents" in kinds:
        layers = [row[0] for row in con.execute("SELECT table_name FROM gpkg_contents")]
        objects += [name for name in layers if name not in objects]
    for name in objects:
        if name not in kinds or name == "gpkg_contents":
            continue  # a layer listed without a table: GDAL reports it
        problem = _read_all(con, name, kinds, file_deadline)
        if problem:
            return problem
    return None


def _read_all(
    con: sqlite3.Connection, name: str, kinds: dict, file_deadline: float
) -> tuple[str, str, str, dict] | None:
    """Read every column of every row of `name` (a table or view) inside SQLite, under the limits."""
    kind = kinds[name]
    what = f"{'view' if kind == 'view' else 'table'} {name!r}"
    params = {"view": kind == "view", "table": name}
    deadline = min(time.monotonic() + LAYER_READ_SECONDS, file_deadline)

    def progress() -> int:
        return 1 if time.monotonic() > deadline else 0

    con.set_progress_handler(progress, 20_000)
    try:
        columns = [row[1] for row in con.execute(f"PRAGMA table_xinfo({_quoted(name)})")]
        # length() makes SQLite compute each value (views, generated columns) without handing it
        # to Python; for a stored value it reads only the value's header.
        parts = ", ".join(f"sum(length({_quoted(c)}))" for c in columns) or "0"
        for _ in range(20):
            try:
                con.execute(f"SELECT count(*), {parts} FROM {_quoted(name)}").fetchall()
                break
            except sqlite3.OperationalError as exc:
                # A view may call functions GDAL provides (ST_MinX, ...): a stub stands in for each.
                missing = str(exc).removeprefix("no such function: ")
                if missing == str(exc):
                    raise
                con.create_function(missing, -1, lambda *args: None)
    except sqlite3.OperationalError as exc:
        message = str(exc)
        if "interrupted" in message:
            seconds = LAYER_READ_SECONDS if deadline < file_deadline else GEOPACKAGE_CHECK_SECONDS
            scope = "for one layer" if deadline < file_deadline else "for the whole file"
            return (
                f"layers that SQLite reads within {seconds:g} s ({scope})",
                f"the {what} still running after {seconds:g} s",
                "a view that never ends (a recursive query) or computes too much cannot be imported: "
                "replace it with a table of its rows",
                {**params, "variant": "gpkg_slow", "seconds": seconds, "whole_file": deadline >= file_deadline},
            )
        return (
            f"layers that SQLite can read (values up to {MAX_SQLITE_VALUE_BYTES // 1_000_000} MB)",
            f"the {what}: {message}",
            "replace the view or column with a table of plain values, or export the layer again",
            {**params, "variant": "gpkg_value", "max_mb": MAX_SQLITE_VALUE_BYTES // 1_000_000, "message": message},
        )
    except (sqlite3.DatabaseError, MemoryError) as exc:
        return (
            "layers that SQLite can read",
            f"the {what}: {exc or 'out of memory'}",
            "replace the view with a table of its rows, or export the layer again",
            {**params, "variant": "gpkg_unreadable", "message": str(exc) or None},
        )
    finally:
        con.set_progress_handler(None, 0)
    return None
