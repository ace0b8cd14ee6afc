"""Optimistic locking: two editors on two real connections; the second gets a conflict, nothing is lost."""

from __future__ import annotations

import threading
import time

import pytest
import sqlalchemy as sa
from factories import small_inventory
from shapely import Point

from inventory.cli import EXIT_DATA, EXIT_USAGE, main
from inventory.editing import ConflictError, ElementNotFound, edit_element, read_element
from inventory.history import element_history
from inventory.problems import DataError
from inventory.stores import GeoPackageStore, PostGISStore, StoreError


@pytest.fixture
def editors(pg_store):
    """Two editors, each with its own engine (own connections) on the same database."""
    pg_store.write(small_inventory())
    alice, bob = PostGISStore(pg_store.url, user="alice"), PostGISStore(pg_store.url, user="bob")
    yield alice, bob
    alice.close()
    bob.close()


def test_the_second_editor_gets_a_conflict_and_nothing_is_lost(editors):
    alice, bob = editors
    row_a, version_a = read_element(alice, "nodes", "C1")
    row_b, version_b = read_element(bob, "nodes", "C1")
    assert version_a == version_b == 1 and row_a["name"] == row_b["name"] == "Muffe 1"

    assert edit_element(alice, "nodes", "C1", {"name": "Muffe 1a"}, version_a) == 2
    with pytest.raises(ConflictError) as conflict:
        edit_element(bob, "nodes", "C1", {"built_year": "2005"}, version_b)
    message = str(conflict.value)
    assert "nodes C1 was changed by alice (database user " in message
    assert "to version 2 after you read version 1" in message
    assert "Reload the element (now version 2) and apply your change again" in message
    assert conflict.value.current_version == 2 and conflict.value.changed_at is not None

    row, version = read_element(bob, "nodes", "C1")
    assert (row["name"], row["built_year"], version) == ("Muffe 1a", 2001, 2), "alice's change stands, bob's not"
    assert edit_element(bob, "nodes", "C1", {"built_year": "2005"}, version) == 3
    row, version = read_element(alice, "nodes", "C1")
    assert (row["name"], row["built_year"], version) == ("Muffe 1a", 2005, 3)
    updates = [c for c in element_history(alice, "C1") if c.action == "update"]
    assert [(c.version, c.app_user, c.changed_fields()) for c in updates] == [
        (2, "alice", {"name": ("Muffe 1", "Muffe 1a")}),
        (3, "bob", {"built_year": (2001, 2005)}),
    ]


def test_an_editor_waiting_on_the_row_lock_gets_the_conflict(editors):
    """Bob passes the version check while alice's change is uncommitted, then waits on her row lock;
    when she commits, his UPDATE finds a new version and writes nothing."""
    alice, bob = editors
    outcome = {}

    def bob_edits():
        try:
            outcome["version"] = edit_element(bob, "nodes", "C2", {"name": "Bob's cabinet"}, 1)
        except ConflictError as exc:
            outcome["conflict"] = exc
        except Exception as exc:  # noqa: BLE001 - reported by the main thread
            outcome["error"] = exc

    with alice.engine.connect() as connection:
        transaction = connection.begin()
        connection.execute(sa.text("SELECT set_config('gelsennet.user', 'alice', true)"))
        assert connection.execute(
            sa.text("UPDATE nodes SET name = 'Alice''s cabinet' WHERE node_id = 'C2' AND version = 1 "
                    "RETURNING version")
        ).scalar_one() == 2
        thread = threading.Thread(target=bob_edits)
        thread.start()
        deadline = time.monotonic() + 30
        with alice.engine.connect() as watcher:
            waiting = sa.text("SELECT count(*) FROM pg_stat_activity "
                              "WHERE datname = current_database() AND wait_event_type = 'Lock'")
            while not watcher.execute(waiting).scalar_one():
                watcher.rollback()  # pg_stat_activity is a snapshot per transaction: take a new one
                assert time.monotonic() < deadline and "error" not in outcome, f"bob never waited: {outcome}"
                time.sleep(0.02)
        transaction.commit()
    thread.join(30)
    assert "conflict" in outcome and "alice" in str(outcome["conflict"])
    row, version = read_element(alice, "nodes", "C2")
    assert (row["name"], version) == ("Alice's cabinet", 2)


def test_two_concurrent_editors_one_wins_each_round(editors):
    alice, bob = editors
    rounds = 6

    def edit(store, n, barrier, results):
        _, version = read_element(store, "routes", "R2")
        barrier.wait()
        try:
            results[store.user] = edit_element(store, "routes", "R2", {"owner": f"{store.user} {n}"}, version)
        except ConflictError as exc:
            results[store.user] = exc

    for n in range(rounds):
        barrier, results = threading.Barrier(2), {}
        threads = [threading.Thread(target=edit, args=(store, n, barrier, results)) for store in (alice, bob)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
        winners = [name for name, result in results.items() if isinstance(result, int)]
        losers = [name for name, result in results.items() if isinstance(result, ConflictError)]
        assert len(winners) == 1 and len(losers) == 1, results
        row, version = read_element(alice, "routes", "R2")
        assert version == n + 2 and row["owner"] == f"{winners[0]} {n}"
    updates = [c for c in element_history(alice, "R2") if c.action == "update"]
    assert [c.version for c in updates] == list(range(2, rounds + 2))


def test_edits_are_checked_and_bound(editors):
    alice, _ = editors
    with pytest.raises(DataError, match="built_year"):
        edit_element(alice, "nodes", "C1", {"built_year": "1800"}, 1)
    with pytest.raises(DataError, match="fibres_used"):
        edit_element(alice, "routes", "R1", {"fibre_count": "6"}, 1)
    with pytest.raises(DataError, match="an existing node_id"):
        edit_element(alice, "sites", "118928", {"handover_node_id": "NOPE"}, 1)
    with pytest.raises(DataError, match="geometry"):
        edit_element(alice, "nodes", "C1", {"geometry": "LINESTRING (0 0, 1 1)"}, 1)
    with pytest.raises(ValueError, match="has no field 'colour'"):
        edit_element(alice, "nodes", "C1", {"colour": "red"}, 1)
    with pytest.raises(ValueError, match="cannot be edited"):
        edit_element(alice, "nodes", "C1", {"node_id": "C9"}, 1)
    with pytest.raises(ElementNotFound, match="nodes has no element 'C9'"):
        edit_element(alice, "nodes", "C9", {"name": "x"}, 1)
    assert read_element(alice, "nodes", "C1")[1] == 1, "nothing was written"

    evil = "x'; DROP TABLE nodes; --"
    assert edit_element(alice, "nodes", "C1", {"name": evil, "geometry": Point(369001, 5710000)}, 1) == 2
    assert read_element(alice, "nodes", "C1")[0]["name"] == evil
    assert edit_element(alice, "nodes", "C1", {"name": evil}, 2) == 2, "no change, no new version"
    assert edit_element(alice, "nodes", "C1", {"name": ""}, 2) == 3
    assert read_element(alice, "nodes", "C1")[0]["name"] is None
    assert len([c for c in element_history(alice, "C1") if c.action == "update"]) == 2


def test_an_element_with_references_can_be_edited(editors):
    """Its unchanged references stand as they are; a changed one must exist."""
    alice, _ = editors
    row, version = read_element(alice, "sites", "118928")
    assert row["handover_node_id"] == "C1"
    assert edit_element(alice, "sites", "118928", {"name": "Neuer Name"}, version) == version + 1
    assert edit_element(alice, "sites", "118928", {"handover_node_id": "C2"}, version + 1) == version + 2
    with pytest.raises(DataError, match="an existing node_id"):
        edit_element(alice, "sites", "118928", {"name": "x", "handover_node_id": "NOPE"}, version + 2)
    row, _ = read_element(alice, "sites", "118928")
    assert (row["name"], row["handover_node_id"]) == ("Neuer Name", "C2")


def test_a_deleted_element_says_so(editors):
    alice, bob = editors
    _, version = read_element(bob, "site_areas", "GE-PARK")
    alice.write({"site_areas": small_inventory()["site_areas"].iloc[0:0]})
    with pytest.raises(ElementNotFound, match=r"site_areas has no element 'GE-PARK' \(deleted by alice"):
        edit_element(bob, "site_areas", "GE-PARK", {"source": "x"}, version)


def test_editing_needs_postgis(tmp_path):
    store = GeoPackageStore(tmp_path / "x.gpkg")
    store.write(small_inventory())
    with pytest.raises(StoreError, match="needs a PostGIS store"):
        edit_element(store, "nodes", "C1", {"name": "x"}, 1)


def test_edit_command(editors, capsys):
    alice, _ = editors
    url = alice.url
    assert main(["edit", "nodes", "C1", "--db", url]) == 0
    out = capsys.readouterr().out
    assert "nodes C1 (version 1)" in out and "--expect-version 1" in out
    assert main(["edit", "nodes", "C1", "--db", url, "--set", "name=Neu", "--expect-version", "1",
                 "--user", "erik"]) == 0
    assert "nodes C1: version 1 → 2" in capsys.readouterr().out
    assert main(["edit", "nodes", "C1", "--db", url, "--set", "name=Alt", "--expect-version", "1"]) == EXIT_DATA
    err = capsys.readouterr().err
    assert "conflict: nodes C1 was changed by erik" in err and "now version 2" in err
    assert read_element(alice, "nodes", "C1")[0]["name"] == "Neu"
    assert main(["edit", "nodes", "C1", "--db", url, "--set", "name=Alt"]) == EXIT_USAGE
    assert "--expect-version N is required" in capsys.readouterr().err
    assert main(["edit", "nodes", "C1", "--db", url, "--set", "built_year=nineteen", "--expect-version", "2"]) \
        == EXIT_DATA
    assert "built_year" in capsys.readouterr().err
    assert main(["edit", "nodes", "NOPE", "--db", url]) == EXIT_DATA
    assert "nodes has no element 'NOPE'" in capsys.readouterr().err
