"""Backup and restore: pg_dump/pg_restore gives back every layer, every version and the history; a
GeoPackage export imported into a fresh database gives back every layer."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from factories import small_inventory
from test_history import assert_frames_equal, changed_inventory, history_rows, versions

from inventory import postgis
from inventory.backup import backup, restore
from inventory.cli import EXIT_OK, main
from inventory.history import BERLIN
from inventory.schema import LAYER_ORDER
from inventory.stores import StoreError, open_store


def with_history(store) -> dict:
    """Fill `store` in two steps, so that the history has inserts, updates and deletes."""
    v1 = small_inventory()
    store.write(v1)
    v2 = changed_inventory(v1)
    store.write(v2)
    return v2


def test_pg_dump_restore_gives_back_layers_versions_and_history(pg_store, pg_other_url, tmp_path):
    expected = with_history(pg_store)
    before_rows = history_rows(pg_store)
    file = backup(pg_store.url, tmp_path / "inventory.dump")
    assert file.stat().st_size > 0
    assert not list(tmp_path.glob(".*partial"))
    restore(file, pg_other_url)
    restored = open_store(pg_other_url)
    try:
        assert restored.revision()[0] == pg_store.revision()[0] == postgis.head_revision()
        assert_frames_equal(restored.read_all(), pg_store.read_all())
        assert_frames_equal(restored.read_all(), expected)
        for layer in LAYER_ORDER:
            assert versions(restored, layer) == versions(pg_store, layer)
        assert history_rows(restored) == before_rows
        # the history keeps working after a restore: a new change is recorded after the old ones
        restored.write({"nodes": small_inventory()["nodes"]}, mode="upsert")
        assert len(history_rows(restored)) > len(before_rows)
    finally:
        restored.close()


def test_as_of_answers_the_same_after_a_restore(pg_store, pg_other_url, tmp_path):
    v1 = small_inventory()
    pg_store.write(v1)
    with pg_store.engine.connect() as connection:
        between = connection.execute(sa.text("SELECT clock_timestamp()")).scalar_one().astimezone(BERLIN)
    pg_store.write(changed_inventory(v1))
    restore(backup(pg_store.url, tmp_path / "inventory.dump"), pg_other_url)
    old = open_store(pg_other_url, as_of=between)
    try:
        assert_frames_equal(old.read_all(), v1)
    finally:
        old.close()


def test_restore_into_a_database_with_an_inventory_fails_and_changes_nothing(pg_store, pg_url, tmp_path):
    with_history(pg_store)
    before = pg_store.read_all()
    rows = history_rows(pg_store)
    file = backup(pg_store.url, tmp_path / "inventory.dump")
    with pytest.raises(StoreError, match="pg_restore failed"):
        restore(file, pg_url)
    assert_frames_equal(pg_store.read_all(), before)
    assert history_rows(pg_store) == rows


def test_restore_of_a_missing_file_says_so(pg_url, tmp_path):
    with pytest.raises(StoreError, match="no such backup file"):
        restore(tmp_path / "nothing.dump", pg_url)


def test_cli_backup_and_restore(pg_store, pg_other_url, tmp_path, capsys):
    with_history(pg_store)
    file = tmp_path / "cli.dump"
    assert main(["db", "backup", str(file), "--db", pg_store.url]) == EXIT_OK
    assert main(["db", "restore", str(file), "--db", pg_other_url]) == EXIT_OK
    restored = open_store(pg_other_url)
    try:
        assert_frames_equal(restored.read_all(), pg_store.read_all())
        assert history_rows(restored) == history_rows(pg_store)
    finally:
        restored.close()


def test_geopackage_export_and_import_give_back_every_layer(pg_store, pg_other_url, tmp_path):
    expected = with_history(pg_store)
    file = tmp_path / "copy.gpkg"
    assert main(["export", str(file), "--db", pg_store.url]) == EXIT_OK
    postgis.upgrade(pg_other_url)
    for layer in LAYER_ORDER:
        assert main(["import", layer, str(file), "--source-layer", layer, "--db", pg_other_url]) == EXIT_OK
    copy = open_store(pg_other_url)
    try:
        assert_frames_equal(copy.read_all(), expected)
    finally:
        copy.close()


def test_pg_dump_gets_the_password_in_its_environment_never_in_its_arguments():
    """The URL handed to pg_dump/pg_restore (visible in the process list) has no password; PGPASSWORD has it."""
    from inventory.backup import _libpq

    plain, env = _libpq("postgresql+psycopg://gis:backup-secret-789@db.example/net")
    assert plain == "postgresql://gis@db.example/net"
    assert env["PGPASSWORD"] == "backup-secret-789"
