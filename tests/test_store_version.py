"""The app's caches follow a GeoPackage that QGIS keeps in WAL mode: a commit that sits in the
write-ahead log (not yet in the file itself) still changes the store version."""

from __future__ import annotations

import contextlib
import sqlite3

from factories import small_inventory

from app_pages.data import store_version
from inventory.stores import GeoPackageStore
from inventory.stores.gpkg_geometry import register_functions


def test_a_commit_in_the_write_ahead_log_changes_the_version(tmp_path):
    path = tmp_path / "store.gpkg"
    GeoPackageStore(path).write(small_inventory())
    editor = sqlite3.connect(path)  # an editor like QGIS: WAL mode, and it stays open (no checkpoint)
    with contextlib.closing(editor):
        register_functions(editor)  # the R-tree triggers call them, as QGIS provides them
        assert editor.execute("PRAGMA journal_mode=WAL").fetchone() == ("wal",)
        editor.execute("PRAGMA wal_autocheckpoint=0")
        before = store_version(str(path))
        main_mtime = path.stat().st_mtime_ns
        editor.execute("UPDATE nodes SET name = 'Muffe 1 (QGIS)' WHERE node_id = 'C1'")
        editor.commit()
        assert path.stat().st_mtime_ns == main_mtime, "the commit sits in the WAL, the file is untouched"
        assert store_version(str(path)) != before
        assert GeoPackageStore(path).read("nodes").set_index("node_id").loc["C1", "name"] == "Muffe 1 (QGIS)"
