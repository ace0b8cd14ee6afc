"""The change history kept by PostGIS itself, and reading the inventory as it was (`--as-of`)."""

from __future__ import annotations

import datetime as dt
import json
import uuid

import pandas as pd
import pytest
import shapely
import sqlalchemy as sa
from factories import small_inventory
from geopandas.testing import assert_geodataframe_equal
from shapely import Point

from inventory import postgis
from inventory.cli import EXIT_DATA, EXIT_USAGE, main
from inventory.engine import make_engine
from inventory.frames import sort_by_key
from inventory.history import BERLIN, element_history, format_time, parse_as_of
from inventory.schema import LAYER_ORDER, LAYERS
from inventory.stores import GeoPackageStore, PostGISStore, StoreError, open_store


def history_rows(store) -> list:
    with store.engine.connect() as connection:
        return connection.execute(
            sa.text("SELECT layer, element_id, action, version, db_user, app_user, before, after, changed_at "
                    "FROM history ORDER BY id")
        ).mappings().all()


def db_now(store) -> dt.datetime:
    with store.engine.connect() as connection:
        return connection.execute(sa.text("SELECT clock_timestamp()")).scalar_one()


def versions(store, layer: str) -> dict:
    key = LAYERS[layer].key
    with store.engine.connect() as connection:
        return dict(connection.execute(sa.text(f"SELECT {key}, version FROM {layer}")).fetchall())


def assert_frames_equal(actual: dict, expected: dict) -> None:
    for name in LAYER_ORDER:
        spec = LAYERS[name]
        assert_geodataframe_equal(sort_by_key(actual[name], spec), sort_by_key(expected[name], spec),
                                  check_less_precise=False)


def changed_inventory(frames: dict) -> dict:
    """v2 of the small inventory: one node renamed and moved, one site changed, the business park gone."""
    v2 = {name: frame.copy() for name, frame in frames.items()}
    nodes = v2["nodes"]
    nodes.loc[nodes["node_id"] == "C1", "name"] = "Muffe 1 (neu)"
    nodes.loc[nodes["node_id"] == "C1", "geometry"] = Point(368000.0 + 1003.0, 5710000.0 + 4.0)
    sites = v2["sites"]
    sites.loc[sites["site_id"] == "118928", "bandwidth_mbps"] = 10000.0
    v2["sites"] = sites[sites["site_id"] != "GE-PARK"].reset_index(drop=True)
    v2["site_areas"] = v2["site_areas"].iloc[0:0]
    return v2


def test_history_records_every_change_with_before_after_and_who(pg_store):
    pg_store.user = "alice"
    frames = small_inventory()
    pg_store.write(frames)
    inserted = history_rows(pg_store)
    assert [r["action"] for r in inserted] == ["insert"] * sum(len(f) for f in frames.values())
    assert {r["app_user"] for r in inserted} == {"alice"}
    with pg_store.engine.connect() as connection:
        me = connection.execute(sa.text("SELECT session_user")).scalar_one()
    assert {r["db_user"] for r in inserted} == {me}
    assert len({r["changed_at"] for r in inserted}) == 1, "one import, one time"

    pg_store.user = "bob"
    pg_store.write(changed_inventory(frames))
    new = history_rows(pg_store)[len(inserted):]
    assert sorted((r["layer"], r["element_id"], r["action"], r["version"]) for r in new) == [
        ("nodes", "C1", "update", 2),
        ("site_areas", "GE-PARK", "delete", 1),
        ("sites", "118928", "update", 2),
        ("sites", "GE-PARK", "delete", 1),
    ]
    assert {r["app_user"] for r in new} == {"bob"}
    node = next(r for r in new if r["element_id"] == "C1")
    assert (node["before"]["name"], node["after"]["name"]) == ("Muffe 1", "Muffe 1 (neu)")
    assert shapely.from_wkb(node["before"]["geom"]) == Point(369000, 5710000)
    assert shapely.from_wkb(node["after"]["geom"]).equals_exact(Point(369003, 5710004), 0)
    assert "version" not in node["after"]
    site = next(r for r in new if r["element_id"] == "118928")
    assert (site["before"]["bandwidth_mbps"], site["after"]["bandwidth_mbps"]) == (1000, 10000)
    park = next(r for r in new if r["layer"] == "sites" and r["element_id"] == "GE-PARK")
    assert park["after"] is None and park["before"]["name"] == "Gewerbepark"
    assert versions(pg_store, "nodes") == {"POP1": 1, "C1": 2, "C2": 1, "C3": 1}


def test_an_identical_reimport_records_nothing_and_keeps_the_versions(pg_store):
    frames = small_inventory()
    pg_store.write(frames)
    pg_store.write({"nodes": frames["nodes"]}, mode="upsert")
    before, data_version = len(history_rows(pg_store)), pg_store.data_version()
    assert data_version > 0
    pg_store.write(frames)  # replace with the same rows
    pg_store.write(frames, mode="upsert")
    assert len(history_rows(pg_store)) == before
    assert pg_store.data_version() == data_version, "a cache key that follows real changes only"
    assert set(versions(pg_store, "routes").values()) == {1}
    with pg_store.engine.begin() as connection:  # an UPDATE that changes nothing, straight in SQL
        connection.execute(sa.text("UPDATE nodes SET name = name, version = 99"))
    assert len(history_rows(pg_store)) == before
    assert set(versions(pg_store, "nodes").values()) == {1}, "the version belongs to the database"


def test_reading_gives_the_schema_fields_only(pg_store):
    frames = small_inventory()
    pg_store.write(frames)
    for name in LAYER_ORDER:
        assert list(pg_store.read(name).columns) == [*LAYERS[name].columns, "geometry"]


def test_as_of_gives_the_inventory_as_it_was(pg_store):
    frames = small_inventory()
    pg_store.write(frames)
    v1 = pg_store.read_all()
    t1 = db_now(pg_store)
    pg_store.write(changed_inventory(frames))
    t2 = db_now(pg_store)
    pg_store.write({"sites": frames["sites"].iloc[[1]]}, mode="upsert")  # the business park is back
    view = pg_store.as_of(t1)
    assert_frames_equal(view.read_all(), v1)
    assert view.counts() == {name: len(frame) for name, frame in v1.items()}
    then = pg_store.as_of(t2).read_all()
    assert then["sites"]["site_id"].tolist() == ["118928"]
    assert then["nodes"].set_index("node_id").loc["C1", "name"] == "Muffe 1 (neu)"
    assert len(pg_store.read("sites")) == 2
    assert versions(pg_store, "sites")["GE-PARK"] == 2, "a re-inserted id continues its numbering"


def test_an_as_of_view_is_read_only(pg_store):
    pg_store.write(small_inventory())
    view = pg_store.as_of(db_now(pg_store))
    with pytest.raises(StoreError, match="read-only view of the past"):
        view.write(small_inventory())
    with pytest.raises(StoreError, match="read-only view of the past"):
        view.create()


def test_as_of_before_the_history_begins_is_a_clear_error(pg_store):
    with pytest.raises(StoreError, match="no recorded history yet"):
        pg_store.as_of(dt.datetime(2020, 1, 1, tzinfo=BERLIN)).read("nodes")
    pg_store.write(small_inventory())
    with pytest.raises(StoreError, match=r"begins at .*; nothing is known of the inventory as of 2020-01-01"):
        pg_store.as_of(dt.datetime(2020, 1, 1, tzinfo=BERLIN)).read("nodes")


def test_parse_as_of():
    now = dt.datetime(2026, 7, 15, 10, 0, tzinfo=dt.UTC)
    assert parse_as_of("2026-07-14", now=now) == dt.datetime(2026, 7, 14, 23, 59, 59, 999999, tzinfo=BERLIN)
    assert parse_as_of("2026-07-14", now=now).utcoffset() == dt.timedelta(hours=2)  # summer time
    assert parse_as_of("01.02.2026", now=now) == dt.datetime(2026, 2, 1, 23, 59, 59, 999999, tzinfo=BERLIN)
    assert parse_as_of("2026-07-14T08:30", now=now) == dt.datetime(2026, 7, 14, 6, 30, tzinfo=dt.UTC)
    assert parse_as_of("2026-07-14T08:30Z", now=now) == dt.datetime(2026, 7, 14, 8, 30, tzinfo=dt.UTC)
    assert parse_as_of("2026-07-15", now=now) > now  # today: the end of today, i.e. everything so far
    with pytest.raises(ValueError, match="in the future"):
        parse_as_of("2026-07-16", now=now)
    with pytest.raises(ValueError, match="in the future"):
        parse_as_of("2026-07-15T13:00", now=now)
    with pytest.raises(ValueError, match="use YYYY-MM-DD"):
        parse_as_of("last tuesday", now=now)


@pytest.mark.parametrize(("value", "message"), [
    ("9999-12-31", "in the future"),
    ("31.12.9999", "in the future"),
    ("9999-12-31T23:59:59.999999", "in the future"),
    ("9999-12-31T23:00-05:00", "in the future"),  # beyond year 9999 in UTC
    ("0001-01-01T00:00+01:00", "lies before 0001-01-01 00:00 UTC"),
    ("0001-01-01T00:10", "lies before 0001-01-01 00:00 UTC"),  # Berlin's local mean time is +00:53
    ("2026-03-29T02:30", r"does not exist in Europe/Berlin.*\+01:00 to \+02:00"),
    ("2026-10-25T02:30", r"happened twice.*2026-10-25T02:30\+02:00 \(the first time\) or 2026-10-25T02:30\+01:00"),
])
def test_parse_as_of_at_the_edges_is_a_clear_error(value, message):
    now = dt.datetime(2027, 1, 1, tzinfo=dt.UTC)
    with pytest.raises(ValueError, match=message):
        parse_as_of(value, now=now)


def test_parse_as_of_next_to_the_edges():
    now = dt.datetime(2027, 1, 1, tzinfo=dt.UTC)
    assert parse_as_of("0001-01-01", now=now).astimezone(dt.UTC).year == 1
    assert parse_as_of("0001-01-01T00:00Z", now=now) == dt.datetime(1, 1, 1, tzinfo=dt.UTC)
    # either side of the clock changes, and the repeated hour with its offset, are fine and exact
    assert parse_as_of("2026-03-29T01:59", now=now) == dt.datetime(2026, 3, 29, 0, 59, tzinfo=dt.UTC)
    assert parse_as_of("2026-03-29T03:00", now=now) == dt.datetime(2026, 3, 29, 1, 0, tzinfo=dt.UTC)
    assert parse_as_of("2026-10-25T02:30+01:00", now=now) == dt.datetime(2026, 10, 25, 1, 30, tzinfo=dt.UTC)
    assert parse_as_of("20261126", now=now) == parse_as_of("2026-11-26", now=now), "a compact date is a date"
    assert format_time(dt.datetime(1, 1, 1, tzinfo=dt.UTC)).startswith("0001-01-01")


@pytest.mark.parametrize("value", ["9999-12-31", "31.12.9999", "0001-01-01T00:00+01:00", "2026-03-29T02:30"])
def test_cli_as_of_at_the_edges_exits_2_without_a_traceback(value, tmp_path, capsys):
    with pytest.raises(SystemExit) as exited:
        main(["db", "current", "--db", str(tmp_path / "x.gpkg"), "--as-of", value])
    assert exited.value.code == EXIT_USAGE
    err = capsys.readouterr().err
    assert "--as-of" in err and value in err and "Traceback" not in err


def test_cli_as_of_reproduces_export_analysis_and_kpis(pg_url, tmp_path, capsys):
    assert main(["db", "upgrade", "--db", pg_url]) == 0
    assert main(["demo", "--db", pg_url]) == 0
    store = open_store(pg_url)
    v1 = store.read_all()
    t1 = db_now(store).isoformat()
    capsys.readouterr()
    results_v1 = {}
    for command in (["analyse"], ["coverage", "--by", "district"], ["plan"]):
        assert main([*command, "--db", pg_url, "--json"]) == 0
        results_v1[command[0]] = json.loads(capsys.readouterr().out)

    # v2: half the routes gone, a new node, the schools on 10 Gbit/s
    routes = v1["routes"]
    sites = v1["sites"].copy()
    sites.loc[sites["kind"] == "school", "bandwidth_mbps"] = 10_000.0
    new_node = v1["nodes"].iloc[[0]].copy()
    new_node["node_id"] = "N-NEW"
    store.write({"routes": routes.iloc[::2], "sites": sites})
    store.write({"nodes": new_node}, mode="upsert")
    for command in (["analyse"], ["coverage", "--by", "district"]):
        assert main([*command, "--db", pg_url, "--json"]) == 0
        assert json.loads(capsys.readouterr().out) != results_v1[command[0]], "v2 must differ to prove anything"

    for command in (["analyse"], ["coverage", "--by", "district"], ["plan"]):
        assert main([*command, "--db", pg_url, "--json", "--as-of", t1]) == 0
        assert json.loads(capsys.readouterr().out) == results_v1[command[0]], command
    out = tmp_path / "v1.gpkg"
    assert main(["export", str(out), "--db", pg_url, "--as-of", t1]) == 0
    assert_frames_equal(GeoPackageStore(out).read_all(), v1)
    capsys.readouterr()
    assert main(["db", "current", "--db", pg_url, "--as-of", t1]) == 0
    assert f"{'routes':<12} {len(routes):>8}" in capsys.readouterr().out
    assert main(["validate", "--db", pg_url, "--as-of", t1, "--json"]) in (0, EXIT_DATA)
    assert json.loads(capsys.readouterr().out)["counts"]["routes"] == len(routes)
    store.close()


def test_history_command_shows_an_elements_changes(pg_store, capsys, monkeypatch):
    monkeypatch.setenv("GELSENNET_USER", "carla")
    store = PostGISStore(pg_store.url)
    frames = small_inventory()
    store.write(frames)
    store.write(changed_inventory(frames))
    store.close()
    assert main(["history", "C1", "--db", pg_store.url]) == 0
    out = capsys.readouterr().out
    assert "nodes C1: 2 change(s)" in out
    assert "insert   v1" in out and "update   v2" in out and "by carla (database user " in out
    assert "name: 'Muffe 1' → 'Muffe 1 (neu)'" in out
    assert "geometry: changed, moved 5.00 m" in out
    assert "0101000020" not in out.lower(), "no hex blobs"

    assert main(["history", "GE-PARK", "--db", pg_store.url, "--json"]) == 0
    changes = json.loads(capsys.readouterr().out)
    assert [(c["layer"], c["action"]) for c in changes] == [
        ("sites", "insert"), ("site_areas", "insert"), ("sites", "delete"), ("site_areas", "delete")]
    assert changes[0]["values"]["name"] == "Gewerbepark" and changes[0]["app_user"] == "carla"
    assert main(["history", "GE-PARK", "--layer", "site_areas", "--db", pg_store.url, "--json"]) == 0
    assert {c["layer"] for c in json.loads(capsys.readouterr().out)} == {"site_areas"}
    assert main(["history", "118928", "--db", pg_store.url, "--json"]) == 0
    update = json.loads(capsys.readouterr().out)[-1]
    assert update["changes"] == {"bandwidth_mbps": {"from": 1000, "to": 10000}}
    assert update["geometry"] == {"changed": False, "moved_m": 0.0}

    assert main(["history", "NO-SUCH-ID", "--db", pg_store.url]) == EXIT_DATA
    assert "nothing is recorded for 'NO-SUCH-ID'" in capsys.readouterr().err


def test_a_geopackage_has_no_history(tmp_path, capsys):
    path = tmp_path / "x.gpkg"
    GeoPackageStore(path).write(small_inventory())
    for argv in (["export", str(tmp_path / "out.gpkg")], ["analyse"], ["coverage"], ["validate"], ["history", "C1"]):
        as_of = [] if argv[0] == "history" else ["--as-of", "2024-01-01"]
        assert main([*argv, "--db", str(path), *as_of]) == EXIT_USAGE, argv
        assert "history is kept only in PostGIS stores" in capsys.readouterr().err, argv
    with pytest.raises(StoreError, match="history is kept only in PostGIS stores"):
        open_store(path, as_of=dt.datetime(2026, 1, 1, tzinfo=BERLIN))
    with pytest.raises(StoreError, match="history is kept only in PostGIS stores"):
        element_history(GeoPackageStore(path), "C1")


def test_writers_need_no_rights_on_the_history_table(pg_store, pg_url):
    """The triggers write the history as its owner: an editor role may change layers, not the history."""
    role = f"gelsennet_test_editor_{uuid.uuid4().hex[:8]}"
    with pg_store.engine.begin() as connection:
        connection.execute(sa.text(f"CREATE ROLE {role} LOGIN"))
        connection.execute(sa.text(f"GRANT SELECT, INSERT, UPDATE, DELETE ON {', '.join(LAYER_ORDER)} TO {role}"))
        connection.execute(sa.text(f"GRANT SELECT ON alembic_version TO {role}"))
    editor = PostGISStore(sa.make_url(pg_url).set(username=role).render_as_string(hide_password=False), user="dora")
    try:
        editor.write(small_inventory())
        with editor.engine.connect() as connection, pytest.raises(sa.exc.ProgrammingError, match="permission denied"):
            connection.execute(sa.text("INSERT INTO history (layer, element_id, action, version) "
                                       "VALUES ('nodes', 'X', 'insert', 1)"))
        assert {(r["db_user"], r["app_user"]) for r in history_rows(pg_store)} == {(role, "dora")}
        with editor.engine.begin() as connection:  # nor can it hang the definer function on a table of its own
            connection.execute(sa.text("CREATE TEMP TABLE forge (node_id text, geom geometry, version int)"))
            with pytest.raises(sa.exc.ProgrammingError, match="permission denied for function history_record"):
                connection.execute(sa.text("CREATE TRIGGER forge AFTER INSERT ON forge FOR EACH ROW "
                                           "EXECUTE FUNCTION history_record('node_id')"))
    finally:
        editor.close()
        with pg_store.engine.begin() as connection:
            connection.execute(sa.text(f"DROP OWNED BY {role}"))
            connection.execute(sa.text(f"DROP ROLE {role}"))


def test_truncate_is_refused(pg_store):
    pg_store.write(small_inventory())
    with pytest.raises(sa.exc.DBAPIError, match="would bypass the change history"), \
            pg_store.engine.begin() as connection:
        connection.execute(sa.text("TRUNCATE site_areas"))
    assert pg_store.count("site_areas") == 1


def test_downgrade_to_0001_and_upgrade_again_keeps_the_data(pg_store, pg_url):
    frames = small_inventory()
    pg_store.write(frames)
    pg_store.write(changed_inventory(frames))
    v2 = pg_store.read_all()
    pg_store.close()
    postgis.downgrade(pg_url, "0001")
    engine = make_engine(pg_url)
    inspector = sa.inspect(engine)
    assert "history" not in inspector.get_table_names()
    assert "version" not in {c["name"] for c in inspector.get_columns("nodes")}
    engine.dispose()
    assert_frames_equal(open_store(pg_url).read_all(), v2)
    postgis.upgrade(pg_url)
    store = open_store(pg_url)
    rows = history_rows(store)
    assert {r["action"] for r in rows} == {"baseline"}
    assert len(rows) == sum(len(f) for f in v2.values())
    assert_frames_equal(store.as_of(db_now(store)).read_all(), v2)
    store.close()


# --- dated at commit (revision 0003) --------------------------------------------------------------------


def name_as_of(url: str, site_id: str, when: dt.datetime, tmp_path) -> str:
    """The site's name in `gelsennet export --as-of WHEN` (a new export file each time)."""
    out = tmp_path / f"as-of-{uuid.uuid4().hex[:8]}.gpkg"
    assert main(["export", str(out), "--layer", "sites", "--as-of", when.isoformat(), "--db", url]) == 0
    sites = GeoPackageStore(out).read("sites").set_index("site_id")
    return sites.loc[site_id, "name"]


def test_a_long_transaction_cannot_change_the_past(pg_store, tmp_path):
    """Two real connections: what `--as-of T` answers before a transaction open at T commits, it answers after."""
    pg_store.write(small_inventory())
    old = pg_store.read("sites").set_index("site_id").loc["118928", "name"]
    long = pg_store.engine.connect()
    try:
        long.execute(sa.text("SELECT 1"))  # the transaction begins well before T
        long.execute(sa.text("UPDATE sites SET name = 'Renamed in a long transaction' WHERE site_id = '118928'"))
        t = db_now(pg_store)  # after the change, before its commit
        before_commit = name_as_of(pg_store.url, "118928", t, tmp_path)
        long.commit()
    finally:
        long.close()
    after_commit = name_as_of(pg_store.url, "118928", t, tmp_path)
    assert before_commit == after_commit == old
    assert name_as_of(pg_store.url, "118928", db_now(pg_store), tmp_path) == "Renamed in a long transaction"
    change = element_history(pg_store, "118928", layer="sites")[-1]
    assert change.changed_at > t, "dated when it became visible"


def test_history_lists_changes_in_commit_order(pg_store, capsys):
    """A begins first and commits second: its change comes second, with a later time and commit number."""
    frames = small_inventory()
    pg_store.write(frames)
    a, b = pg_store.engine.connect(), pg_store.engine.connect()
    try:
        a.execute(sa.text("UPDATE site_areas SET source = 'changed by A' WHERE site_id = 'GE-PARK'"))
        b.execute(sa.text("UPDATE sites SET name = 'changed by B' WHERE site_id = 'GE-PARK'"))
        b.commit()
        between = db_now(pg_store)
        a.execute(sa.text("UPDATE sites SET pupils = 7 WHERE site_id = 'GE-PARK'"))  # waits for nobody: B is done
        a.commit()
    finally:
        a.close()
        b.close()
    changes = element_history(pg_store, "GE-PARK")
    assert [(c.layer, c.action) for c in changes] == [
        ("sites", "insert"), ("site_areas", "insert"), ("sites", "update"), ("site_areas", "update"),
        ("sites", "update")]
    b_change, a_area, a_site = changes[2:]
    assert b_change.after["name"] == "changed by B" and a_area.after["source"] == "changed by A"
    assert a_area.commit_seq == a_site.commit_seq > b_change.commit_seq
    assert a_area.changed_at == a_site.changed_at > between > b_change.changed_at
    assert [c.version for c in changes if c.layer == "sites"] == [1, 2, 3]
    times = [c.changed_at for c in changes]
    assert times == sorted(times), "history times increase in the order listed"
    view = pg_store.as_of(between)  # B's change and nothing of A's
    then = view.read("sites").set_index("site_id").loc["GE-PARK"]
    assert then["name"] == "changed by B" and pd.isna(then["pupils"])
    assert view.read("site_areas").set_index("site_id").loc["GE-PARK", "source"] != "changed by A"
    assert pg_store.read("sites").set_index("site_id").loc["GE-PARK", "pupils"] == 7
    assert main(["history", "GE-PARK", "--db", pg_store.url, "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert [(c["layer"], c["version"], c["commit_seq"]) for c in listed] == [
        (c.layer, c.version, c.commit_seq) for c in changes]


def wait_until_blocked(engine, pid: int, by: int) -> None:
    """Return once backend `pid` waits for a lock held by backend `by` (fails after a generous deadline)."""
    deadline = dt.datetime.now() + dt.timedelta(seconds=60)
    with engine.connect() as connection:
        while by not in connection.execute(sa.text("SELECT pg_blocking_pids(:pid)"), {"pid": pid}).scalar_one():
            assert dt.datetime.now() < deadline, f"backend {pid} never waited for {by}"
            connection.rollback()


def test_settle_waits_for_a_writer_between_its_stamp_and_its_commit(pg_store):
    """A transaction that dates its changes early (SET CONSTRAINTS ALL IMMEDIATE) holds the clock until it
    commits: a reader's settle() waits for that commit, so no as-of read misses a change dated before it."""
    import threading

    from inventory.history import settle

    pg_store.write(small_inventory())
    writer = pg_store.engine.connect()
    reader = pg_store.engine.connect()
    try:
        writer.execute(sa.text("UPDATE nodes SET name = 'early' WHERE node_id = 'C1'"))
        writer.execute(sa.text("SET CONSTRAINTS ALL IMMEDIATE"))  # the stamp fires now, not at commit
        stamped = writer.execute(sa.text(
            "SELECT changed_at FROM history WHERE txid = txid_current()")).scalar_one()
        writer_pid = writer.execute(sa.text("SELECT pg_backend_pid()")).scalar_one()
        reader_pid = reader.execute(sa.text("SELECT pg_backend_pid()")).scalar_one()
        settled: list = []
        thread = threading.Thread(target=lambda: settled.append(settle(reader)))
        thread.start()
        wait_until_blocked(pg_store.engine, reader_pid, writer_pid)
        assert settled == []
        writer.commit()
        thread.join()
        assert settled[0] > stamped
        as_of = pg_store.as_of(stamped).read("nodes").set_index("node_id")
        assert as_of.loc["C1", "name"] == "early", "dated at the stamp, and visible once settle() returned"
        # settle() holds no lock afterwards, though the reader's transaction is still open
        with pg_store.engine.begin() as owner:
            owner.execute(sa.text("SET LOCAL lock_timeout = '30s'"))
            owner.execute(sa.text("SELECT 1 FROM history_clock FOR UPDATE NOWAIT"))
    finally:
        writer.close()
        reader.close()


def test_settle_on_a_schema_before_0003_does_nothing(pg_store):
    from inventory.history import settle

    pg_store.close()
    postgis.downgrade(pg_store.url, "0002")
    store = open_store(pg_store.url)
    try:
        store.write(small_inventory())
        with store.engine.connect() as connection:
            assert settle(connection) is None
        assert [c.action for c in element_history(store, "C1")] == ["insert"]
    finally:
        store.close()


def test_rows_from_before_0003_keep_their_time_and_come_first(pg_store):
    """Upgrading keeps the recorded history as it was; the new rows are dated at commit and listed after."""
    pg_store.close()
    postgis.downgrade(pg_store.url, "0002")
    frames = small_inventory()
    store = open_store(pg_store.url)
    store.write(frames)
    old = history_rows(store)
    store.close()
    postgis.upgrade(pg_store.url)
    store = open_store(pg_store.url)
    try:
        assert [dict(r) for r in history_rows(store)] == [dict(r) for r in old], "the past is not rewritten"
        store.write(changed_inventory(frames))
        changes = element_history(store, "C1")
        assert [(c.action, c.commit_seq is None) for c in changes] == [("insert", True), ("update", False)]
        assert store.as_of(db_now(store)).read("nodes").set_index("node_id").loc["C1", "name"] == "Muffe 1 (neu)"
    finally:
        store.close()
