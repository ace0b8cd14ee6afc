"""Backup and restore: pg_dump/pg_restore gives back every layer, every version and the history; a
GeoPackage export imported into a fresh database gives back every layer."""

from __future__ import annotations

import uuid

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


@pytest.fixture
def second_db(pg_admin_url):
    """A second, empty database on the same server (the restore target), dropped afterwards."""
    name = f"gelsennet_test_restore_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(pg_admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    yield sa.engine.make_url(pg_admin_url).set(database=name).render_as_string(hide_password=False)
    with admin.connect() as connection:
        connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def with_history(store) -> dict:
    """Fill `store` in two steps, so that the history has inserts, updates and deletes."""
    v1 = small_inventory()
    store.write(v1)
    v2 = changed_inventory(v1)
    store.write(v2)
    return v2


def test_pg_dump_restore_gives_back_layers_versions_and_history(pg_store, second_db, tmp_path):
    expected = with_history(pg_store)
    before_rows = history_rows(pg_store)
    file = backup(pg_store.url, tmp_path / "inventory.dump")
    assert file.stat().st_size > 0
    assert not list(tmp_path.glob(".*partial"))
    restore(file, second_db)
    restored = open_store(second_db)
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


def test_as_of_answers_the_same_after_a_restore(pg_store, second_db, tmp_path):
    v1 = small_inventory()
    pg_store.write(v1)
    with pg_store.engine.connect() as connection:
        between = connection.execute(sa.text("SELECT clock_timestamp()")).scalar_one().astimezone(BERLIN)
    pg_store.write(changed_inventory(v1))
    restore(backup(pg_store.url, tmp_path / "inventory.dump"), second_db)
    old = open_store(second_db, as_of=between)
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


def test_cli_backup_and_restore(pg_store, second_db, tmp_path, capsys):
    with_history(pg_store)
    file = tmp_path / "cli.dump"
    assert main(["db", "backup", str(file), "--db", pg_store.url]) == EXIT_OK
    assert main(["db", "restore", str(file), "--db", second_db]) == EXIT_OK
    restored = open_store(second_db)
    try:
        assert_frames_equal(restored.read_all(), pg_store.read_all())
        assert history_rows(restored) == history_rows(pg_store)
    finally:
        restored.close()


def test_geopackage_export_and_import_give_back_every_layer(pg_store, second_db, tmp_path):
    expected = with_history(pg_store)
    file = tmp_path / "copy.gpkg"
    assert main(["export", str(file), "--db", pg_store.url]) == EXIT_OK
    postgis.upgrade(second_db)
    for layer in LAYER_ORDER:
        assert main(["import", layer, str(file), "--source-layer", layer, "--db", second_db]) == EXIT_OK
    copy = open_store(second_db)
    try:
        assert_frames_equal(copy.read_all(), expected)
    finally:
        copy.close()
