"""The GeoPackage store writes in place, in SQLite transactions: real processes, real files.

Concurrent writers (two, and a stress test of many), an editor holding the file in WAL mode as QGIS
does, a symlinked store, a read-only store written by a user who may not write it, a full disk, two
stores in one folder, and the transaction interface itself (patches, identical rows, the R-tree
spatial index that GDAL's triggers keep, checked against GDAL's own spatial filter).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import pwd
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pytest
import shapely
from factories import X0, Y0, small_inventory
from geopandas.testing import assert_geodataframe_equal
from pandas.testing import assert_frame_equal

from inventory.cli import EXIT_OK, EXIT_USAGE, main
from inventory.frames import conform, sort_by_key
from inventory.schema import CRS, LAYER_ORDER, get_layer
from inventory.stores import GeoPackageStore, StoreError
from inventory.stores.gpkg_geometry import register_functions
from inventory.stores.gpkg_transaction import BULK_ROWS

ROOT = Path(__file__).resolve().parents[1]


def make_store(path: Path) -> GeoPackageStore:
    store = GeoPackageStore(path)
    store.create()
    store.write(small_inventory())
    return store


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def integrity(path: Path) -> list[tuple]:
    with contextlib.closing(sqlite3.connect(path)) as connection:
        return connection.execute("PRAGMA integrity_check").fetchall()


def editor(path: Path) -> sqlite3.Connection:
    """A connection like QGIS's: autocommit off, the GeoPackage trigger functions available."""
    connection = sqlite3.connect(path, timeout=60, isolation_level=None)
    register_functions(connection)
    return connection


def child(code: str, *args: str, **kwargs) -> subprocess.Popen:
    """`python -c CODE ARGS...` in the project, as a separate process."""
    return subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(code), *args],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        **kwargs,
    )


def finish(process: subprocess.Popen, timeout: float = 300) -> tuple[int, str, str]:
    out, err = process.communicate(timeout=timeout)
    return process.returncode, out, err


def node_row(node_id: str, name: str, x: float = 0.0) -> gpd.GeoDataFrame:
    frame = gpd.GeoDataFrame(
        {"node_id": [node_id], "kind": ["junction"], "name": [name], "status": ["planned"], "built_year": [None],
         "source": ["test"]},
        geometry=[shapely.Point(X0 + x, Y0)],
        crs=CRS,
    )
    return conform(frame, get_layer("nodes"))


# --- the transaction interface -------------------------------------------------------------------


def test_transaction_reads_see_its_own_changes_and_match_read(tmp_path: Path) -> None:
    store = make_store(tmp_path / "s.gpkg")
    nodes = store.read("nodes")
    with store.transaction(["nodes", "sites"]) as tx:
        assert tx.keys("nodes") == set(nodes["node_id"])
        assert tx.count("nodes") == len(nodes)
        assert_geodataframe_equal(tx.rows("nodes", ["C2", "POP1", "nope"]), nodes[nodes["node_id"].isin(["C2", "POP1"])]
                                  .reset_index(drop=True))
        sites = tx.rows_where("sites", "handover_node_id", ["C1"])
        assert list(sites["site_id"]) == ["118928"]
        assert tx.present("nodes", "node_id", ["C1", "X9", "POP1"]) == {"C1", "POP1"}
        tx.upsert("nodes", node_row("N-NEW", "neu"), ["node_id", "name", "kind", "status", "geometry"])
        tx.delete("nodes", ["C3"])
        assert tx.keys("nodes") == set(nodes["node_id"]) - {"C3"} | {"N-NEW"}
        assert tx.rows("nodes", ["N-NEW"])["name"].tolist() == ["neu"]
    after = store.read("nodes")
    assert set(after["node_id"]) == set(nodes["node_id"]) - {"C3"} | {"N-NEW"}


def test_rollback_on_error_and_dry_run(tmp_path: Path) -> None:
    store = make_store(tmp_path / "s.gpkg")
    before = digest(store.path)
    with store.transaction(["nodes"], commit=False) as tx:
        tx.delete("nodes", ["C3"])
        assert "C3" not in tx.keys("nodes")
    with pytest.raises(RuntimeError), store.transaction(["nodes"]) as tx:
        tx.delete("nodes", ["C3"])
        raise RuntimeError("the import found a problem")
    assert digest(store.path) == before
    assert "C3" in set(store.read("nodes")["node_id"])


def test_upsert_patches_only_the_given_columns(tmp_path: Path) -> None:
    store = make_store(tmp_path / "s.gpkg")
    before = store.read("sites").set_index("site_id")
    patch = before.loc[["118928"]].reset_index()
    patch.loc[0, "name"] = "Neuer Name"
    patch.loc[0, "pupils"] = 999  # not in the columns: must stay
    new = patch.copy()
    new.loc[0, "site_id"] = "NEW-1"
    with store.transaction(["sites"]) as tx:
        tx.upsert("sites", pd.concat([patch, new], ignore_index=True), ["site_id", "name", "kind", "connection"])
    after = store.read("sites").set_index("site_id")
    assert after.loc["118928", "name"] == "Neuer Name"
    unchanged = [c for c in before.columns if c != "name"]
    pd.testing.assert_series_equal(after.loc["118928", unchanged], before.loc["118928", unchanged])
    fresh = after.loc["NEW-1"]
    assert (fresh["name"], fresh["kind"], fresh["connection"]) == ("Neuer Name", "school", "connected")
    assert fresh[["address", "pupils", "symmetric", "connected_since", "handover_node_id"]].isna().all()
    assert fresh.geometry is None


def test_identical_rows_are_not_written_again(tmp_path: Path) -> None:
    store = make_store(tmp_path / "s.gpkg")
    before = digest(store.path)
    store.write(small_inventory(), mode="upsert")
    store.write(small_inventory(), mode="replace")
    assert digest(store.path) == before, "rewriting identical rows changed the file"
    frames = small_inventory()
    frames["routes"].loc[0, "owner"] = "someone else"
    store.write({"routes": frames["routes"]}, mode="upsert")
    assert digest(store.path) != before


def test_values_are_stored_as_gdal_stores_them(tmp_path: Path) -> None:
    """GDAL (pyogrio) reads what the store wrote exactly as the store reads it, and the raw values are
    GDAL's: DATETIME text, booleans as 0/1, GeoPackage geometry blobs."""
    store = make_store(tmp_path / "s.gpkg")
    for name in LAYER_ORDER:
        spec = get_layer(name)
        by_gdal = sort_by_key(conform(pyogrio.read_dataframe(store.path, layer=name), spec), spec)
        assert_geodataframe_equal(store.read(name), by_gdal)
    with contextlib.closing(sqlite3.connect(store.path)) as connection:
        assert connection.execute("SELECT planned_date FROM routes WHERE route_id = 'R3'").fetchone() == (
            "2027-06-30T00:00:00",
        )
        assert connection.execute("SELECT symmetric, typeof(symmetric) FROM sites WHERE site_id = '118928'").fetchone() \
            == (1, "integer")
        counts = dict(connection.execute("SELECT table_name, feature_count FROM gpkg_ogr_contents"))
        assert counts == {name: len(frame) for name, frame in small_inventory().items()}


def test_the_committed_sample_reads_as_gdal_reads_it() -> None:
    path = ROOT / "data" / "gelsenkirchen.gpkg"
    store = GeoPackageStore(path)
    for name in LAYER_ORDER:
        spec = get_layer(name)
        by_gdal = sort_by_key(conform(pyogrio.read_dataframe(path, layer=name), spec), spec)
        assert_geodataframe_equal(store.read(name), by_gdal)


def rtree_rows(path: Path, layer: str) -> pd.DataFrame:
    with contextlib.closing(sqlite3.connect(path)) as connection:
        return pd.read_sql(f"SELECT id, minx, maxx, miny, maxy FROM rtree_{layer}_geom ORDER BY id", connection)


def fids_and_geometries(path: Path, layer: str) -> tuple[np.ndarray, np.ndarray]:
    frame = pyogrio.read_dataframe(path, layer=layer, fid_as_index=True)
    return frame.index.to_numpy(), frame.geometry.values


def assert_rtree_right(path: Path, layer: str) -> None:
    """One R-tree entry per feature with a geometry, its box around the geometry (float32, rounded
    outwards), and GDAL's spatial filter (R-tree candidates, then an exact test) finds what shapely finds."""
    fids, geoms = fids_and_geometries(path, layer)
    tree = rtree_rows(path, layer).set_index("id")
    assert sorted(tree.index) == sorted(fids.tolist())
    bounds = shapely.bounds(geoms)  # minx, miny, maxx, maxy
    box = tree.loc[fids]
    assert (box["minx"].to_numpy() <= bounds[:, 0]).all() and (box["maxx"].to_numpy() >= bounds[:, 2]).all()
    assert (box["miny"].to_numpy() <= bounds[:, 1]).all() and (box["maxy"].to_numpy() >= bounds[:, 3]).all()
    assert np.allclose(box[["minx", "miny", "maxx", "maxy"]].to_numpy(), bounds[:, [0, 1, 2, 3]], rtol=0, atol=1.0)
    window = (X0 + 100, Y0 + 100, X0 + 900, Y0 + 2500)
    found = pyogrio.read_dataframe(path, layer=layer, bbox=window, fid_as_index=True).index
    expected = fids[shapely.intersects(shapely.box(*window), geoms)]
    assert sorted(found) == sorted(expected)


def test_rtree_follows_bulk_loads_upserts_and_deletes(tmp_path: Path) -> None:
    n = 12_000  # above BULK_ROWS: the R-tree is filled in one pass, then kept by GDAL's triggers
    rng = np.random.default_rng(3)
    start = np.column_stack([X0 + rng.uniform(0, 3000, n), Y0 + rng.uniform(0, 3000, n)])
    routes = gpd.GeoDataFrame(
        {"route_id": [f"R{i:06d}" for i in range(n)], "status": "in_service", "source": "test"},
        geometry=shapely.linestrings(np.stack([start, start + rng.uniform(-50, 50, (n, 2))], axis=1)),
        crs=CRS,
    )
    routes = conform(routes, get_layer("routes"))
    store = GeoPackageStore(tmp_path / "s.gpkg")
    store.create()
    with contextlib.closing(sqlite3.connect(store.path)) as connection:
        first_change = connection.execute("SELECT last_change FROM gpkg_contents WHERE table_name='routes'").fetchone()
    store.write({"routes": routes})
    assert_rtree_right(store.path, "routes")
    moved = routes.iloc[::7].copy()
    moved = moved.set_geometry(shapely.transform(moved.geometry.values, lambda xy: xy + 400.0))
    added = routes.iloc[:300].copy()
    added["route_id"] = "X" + added["route_id"]
    with store.transaction(["routes"]) as tx:
        tx.upsert("routes", pd.concat([moved, added], ignore_index=True), ["route_id", "status", "geometry"])
        tx.delete("routes", routes["route_id"].iloc[1::5])
    assert_rtree_right(store.path, "routes")
    with contextlib.closing(sqlite3.connect(store.path)) as connection:
        count = connection.execute("SELECT feature_count FROM gpkg_ogr_contents WHERE table_name='routes'").fetchone()
        change, *extent = connection.execute(
            "SELECT last_change, min_x, min_y, max_x, max_y FROM gpkg_contents WHERE table_name='routes'"
        ).fetchone()
    final = store.read("routes")
    assert count == (len(final),)
    assert change > first_change[0]
    minx, miny, maxx, maxy = shapely.total_bounds(final.geometry.values)
    assert extent[0] <= minx and extent[1] <= miny and extent[2] >= maxx and extent[3] >= maxy


def rtree_check(path: Path, layer: str) -> str:
    """SQLite's own structural check of an R-tree: node sizes, parent and rowid tables, nested boxes."""
    with contextlib.closing(sqlite3.connect(path)) as connection:
        return connection.execute(f"SELECT rtreecheck('rtree_{layer}_geom')").fetchone()[0]


def rtree_by_id(path: Path, layer: str) -> pd.DataFrame:
    """The R-tree's boxes keyed by route_id (fids may differ between two files)."""
    with contextlib.closing(sqlite3.connect(path)) as connection:
        return pd.read_sql(
            f"SELECT r.route_id, t.minx, t.maxx, t.miny, t.maxy FROM rtree_{layer}_geom t "
            f"JOIN {layer} r ON r.fid = t.id ORDER BY r.route_id",
            connection,
        )


def test_packed_rtree_of_a_bulk_load_equals_the_one_gdals_triggers_write(tmp_path: Path) -> None:
    """The bulk path writes the R-tree's nodes itself (`gpkg_rtree.write_packed`); the oracle is the
    R-tree SQLite builds box by box through GDAL's insert trigger for the same rows."""
    n = BULK_ROWS * 3 + 17  # several leaves and two levels above them, the last nodes part full
    rng = np.random.default_rng(5)
    start = np.column_stack([X0 + rng.uniform(0, 3000, n), Y0 + rng.uniform(0, 3000, n)])
    routes = conform(
        gpd.GeoDataFrame(
            {"route_id": [f"R{i:06d}" for i in range(n)], "status": "in_service", "source": "test"},
            geometry=shapely.linestrings(np.stack([start, start + rng.uniform(-50, 50, (n, 2))], axis=1)),
            crs=CRS,
        ),
        get_layer("routes"),
    )
    packed = GeoPackageStore(tmp_path / "packed.gpkg")
    packed.write({"routes": routes})
    by_trigger = GeoPackageStore(tmp_path / "trigger.gpkg")
    by_trigger.write({"routes": routes.iloc[:1]})  # not empty any more: every further row through the trigger
    by_trigger.write({"routes": routes}, mode="upsert")
    assert rtree_check(packed.path, "routes") == "ok"
    assert rtree_check(by_trigger.path, "routes") == "ok"
    assert_frame_equal(rtree_by_id(packed.path, "routes"), rtree_by_id(by_trigger.path, "routes"), check_exact=True)
    assert_rtree_right(packed.path, "routes")
    with contextlib.closing(sqlite3.connect(packed.path)) as connection:
        (depth,) = connection.execute("SELECT substr(data, 1, 2) FROM rtree_routes_geom_node WHERE nodeno = 1").fetchone()
    assert int.from_bytes(depth, "big") >= 2  # a real tree, not one leaf
    # The packed tree is SQLite's to keep: later changes go through the triggers as usual.
    with packed.transaction(["routes"]) as tx:
        moved = routes.iloc[::3].copy()
        moved = moved.set_geometry(shapely.transform(moved.geometry.values, lambda xy: xy + 250.0))
        tx.upsert("routes", moved, ["route_id", "geometry"])
        tx.delete("routes", routes["route_id"].iloc[1::4])
    assert rtree_check(packed.path, "routes") == "ok"
    assert_rtree_right(packed.path, "routes")


def test_duplicate_ids_written_by_another_program_are_named(tmp_path: Path) -> None:
    store = make_store(tmp_path / "s.gpkg")
    with contextlib.closing(editor(store.path)) as connection:  # another program, without the unique index
        connection.execute("DROP INDEX gelsennet_nodes_node_id_unique")
        connection.execute("INSERT INTO nodes (node_id, kind, status) VALUES ('C1', 'closure', 'planned')")
    before = digest(store.path)
    with pytest.raises(StoreError, match=r"holds node_id values more than once \('C1' \(2 times\)\)"):
        store.write({"nodes": small_inventory()["nodes"]}, mode="upsert")
    assert digest(store.path) == before
    store.write({"sites": small_inventory()["sites"]}, mode="upsert")  # other layers stay writable


# --- concurrent writers --------------------------------------------------------------------------

HOLD = """
    import sys, time
    from pathlib import Path
    from inventory.stores import GeoPackageStore
    from test_gpkg_transactions import node_row
    store, ready, release = GeoPackageStore(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3])
    with store.transaction(["nodes"]) as tx:
        tx.upsert("nodes", node_row("HOLDER", "held"), ["node_id", "kind", "name", "status", "geometry"])
        ready.touch()
        while not release.exists():
            time.sleep(0.01)
    print("committed")
"""

WRITE_ONE = """
    import os, sys
    from pathlib import Path
    from inventory.stores import GeoPackageStore
    import inventory.stores.geopackage as gp
    from test_gpkg_transactions import node_row
    if len(sys.argv) > 3:
        gp.BUSY_TIMEOUT_S = float(sys.argv[3])
    store = GeoPackageStore(sys.argv[1])
    if os.environ.get("STARTED"):
        Path(os.environ["STARTED"]).touch()
    try:
        with store.transaction(["nodes"]) as tx:
            tx.upsert("nodes", node_row(sys.argv[2], "by " + sys.argv[2]), ["node_id", "kind", "name", "status", "geometry"])
    except Exception as exc:
        print(type(exc).__name__, exc)
        sys.exit(2)
    print("committed")
"""


@pytest.fixture(autouse=True)
def helpers_importable(monkeypatch: pytest.MonkeyPatch) -> None:
    """Child processes import `node_row` from this file."""
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([str(Path(__file__).parent), str(ROOT)]))


def wait_for_file(path: Path, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + 120
    while not path.exists():
        assert process.poll() is None, f"the child ended early: {finish(process)}"
        assert time.monotonic() < deadline, "the child never got there"
        time.sleep(0.01)


def test_a_second_writer_waits_for_the_first(tmp_path: Path) -> None:
    store = make_store(tmp_path / "s.gpkg")
    ready, release = tmp_path / "ready", tmp_path / "release"
    holder = child(HOLD, str(store.path), str(ready), str(release))
    wait_for_file(ready, holder)
    started = tmp_path / "started"
    second = child(WRITE_ONE, str(store.path), "SECOND", env={**os.environ, "STARTED": str(started)})
    wait_for_file(started, second)
    with pytest.raises(subprocess.TimeoutExpired):
        second.wait(timeout=1.5)  # it waits while the first holds the store
    release.touch()
    assert finish(holder)[:2] == (0, "committed\n")
    assert finish(second)[:2] == (0, "committed\n")
    assert {"HOLDER", "SECOND"} <= set(store.read("nodes")["node_id"])
    assert integrity(store.path) == [("ok",)]


def test_a_writer_that_waits_too_long_gets_store_busy_and_changes_nothing(tmp_path: Path) -> None:
    store = make_store(tmp_path / "s.gpkg")
    ready, release = tmp_path / "ready", tmp_path / "release"
    holder = child(HOLD, str(store.path), str(ready), str(release))
    wait_for_file(ready, holder)
    code, out, err = finish(child(WRITE_ONE, str(store.path), "SECOND", "0.5"))
    release.touch()
    assert code == 2, err
    assert out.startswith("StoreBusy ") and "store busy, try again; nothing was changed" in out
    assert finish(holder)[0] == 0
    ids = set(store.read("nodes")["node_id"])
    assert "HOLDER" in ids and "SECOND" not in ids


COUNTER = """
    import sys
    from inventory.stores import GeoPackageStore
    from test_gpkg_transactions import node_row
    store, me, rounds = GeoPackageStore(sys.argv[1]), sys.argv[2], int(sys.argv[3])
    for r in range(rounds):
        with store.transaction(["nodes"]) as tx:
            counter = tx.rows("nodes", ["COUNTER"])
            value = int(counter["name"].iloc[0])
            tx.upsert("nodes", node_row("COUNTER", str(value + 1)), ["node_id", "name"])
            tx.upsert("nodes", node_row(f"{me}-{r}", "mine", x=r), ["node_id", "kind", "name", "status", "geometry"])
"""


def test_stress_concurrent_writers_lose_no_update(tmp_path: Path) -> None:
    """N processes, M rounds each, all incrementing one counter (read, add one, write) and adding a
    node of their own: every increment and every node must be there."""
    writers, rounds = 4, 12
    store = make_store(tmp_path / "s.gpkg")
    store.write({"nodes": node_row("COUNTER", "0")}, mode="upsert")
    processes = [child(COUNTER, str(store.path), f"W{i}", str(rounds)) for i in range(writers)]
    results = [finish(p) for p in processes]
    assert [code for code, _, _ in results] == [0] * writers, [err for _, _, err in results]
    nodes = store.read("nodes").set_index("node_id")
    counted = int(nodes.loc["COUNTER", "name"])
    missing = {f"W{i}-{r}" for i in range(writers) for r in range(rounds)} - set(nodes.index)
    lost = writers * rounds - counted + len(missing)
    assert lost == 0, f"{lost} lost updates (counter {counted}, missing nodes {sorted(missing)})"
    assert integrity(store.path) == [("ok",)]


TWO_STORES = """
    import sys
    from inventory.stores import GeoPackageStore
    from test_gpkg_transactions import node_row
    store, me = GeoPackageStore(sys.argv[1]), sys.argv[2]
    for r in range(15):
        store.write({"nodes": node_row(f"{me}-{r}", "x")}, mode="upsert")
"""


def test_two_stores_in_one_folder_do_not_disturb_each_other(tmp_path: Path) -> None:
    paths = [make_store(tmp_path / f"{name}.gpkg").path for name in ("a", "b")]
    results = [finish(p) for p in [child(TWO_STORES, str(path), path.stem) for path in paths]]
    assert [code for code, _, _ in results] == [0, 0], [err for _, _, err in results]
    for path in paths:
        ids = set(GeoPackageStore(path).read("nodes")["node_id"])
        other = "b" if path.stem == "a" else "a"
        assert {f"{path.stem}-{r}" for r in range(15)} <= ids and not any(i.startswith(other + "-") for i in ids)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.gpkg", "b.gpkg"]


# --- QGIS editing in WAL mode --------------------------------------------------------------------


def import_node(path: Path, tmp_path: Path, node_id: str, name: str) -> subprocess.Popen:
    """`gelsennet import nodes one.csv --mode upsert` in a child process."""
    csv = tmp_path / f"{node_id}.csv"
    csv.write_text(f"node_id,kind,name,status,x,y\n{node_id},junction,{name},planned,{X0 + 5},{Y0 + 5}\n",
                   encoding="utf-8")
    code = "import sys; from inventory.cli import main; sys.exit(main(sys.argv[1:]))"
    return child(code, "import", "nodes", str(csv), "--crs", "EPSG:25832", "--mode", "upsert", "--db", str(path))


def test_import_while_an_editor_holds_the_file_in_wal_mode(tmp_path: Path) -> None:
    store = make_store(tmp_path / "s.gpkg")
    qgis = editor(store.path)
    assert qgis.execute("PRAGMA journal_mode=WAL").fetchone() == ("wal",)
    qgis.execute("PRAGMA wal_autocheckpoint=0")
    qgis.execute("UPDATE sites SET address = address || ' (checked in QGIS)' WHERE site_id = '118928'")
    qgis.execute("BEGIN IMMEDIATE")  # the editor is saving: it holds the write lock
    qgis.execute("UPDATE nodes SET name = 'moved in QGIS' WHERE node_id = 'C1'")
    importer = import_node(store.path, tmp_path, "N-IMPORT", "imported")
    with pytest.raises(subprocess.TimeoutExpired):
        importer.wait(timeout=3)  # the import waits for the editor's transaction
    qgis.execute("COMMIT")
    code, out, err = finish(importer)
    assert code == EXIT_OK, err
    nodes = store.read("nodes").set_index("node_id")
    assert nodes.loc["C1", "name"] == "moved in QGIS" and nodes.loc["N-IMPORT", "name"] == "imported"
    assert store.read("sites").set_index("site_id").loc["118928", "address"].endswith("(checked in QGIS)")
    assert qgis.execute("PRAGMA journal_mode").fetchone() == ("wal",), "the store changed the journal mode"
    assert qgis.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    qgis.close()
    assert integrity(store.path) == [("ok",)]
    assert store.read("nodes").set_index("node_id").loc["N-IMPORT", "name"] == "imported"


def test_an_editor_holding_the_file_too_long_gets_a_clear_busy_message(tmp_path: Path) -> None:
    store = make_store(tmp_path / "s.gpkg")
    qgis = editor(store.path)
    qgis.execute("PRAGMA journal_mode=WAL")
    qgis.execute("BEGIN IMMEDIATE")
    qgis.execute("UPDATE nodes SET name = 'unsaved' WHERE node_id = 'C1'")
    code, out, err = finish(child(WRITE_ONE, str(store.path), "LATE", "0.5"))
    qgis.execute("COMMIT")
    qgis.close()
    assert code == 2 and "store busy, try again; nothing was changed" in out
    assert "LATE" not in set(store.read("nodes")["node_id"])
    assert integrity(store.path) == [("ok",)]


# --- files: symlinks, permissions, full disks ----------------------------------------------------


def test_a_symlinked_store_is_written_at_its_target(tmp_path: Path) -> None:
    real = make_store(tmp_path / "shared" / "store.gpkg").path
    real.chmod(0o640)
    link = tmp_path / "project" / "store.gpkg"
    link.parent.mkdir()
    link.symlink_to(real)
    inode = real.stat().st_ino
    code, _, err = finish(import_node(link, tmp_path, "N-LINK", "through the link"))
    assert code == EXIT_OK, err
    assert link.is_symlink() and link.resolve() == real
    assert real.stat().st_ino == inode and oct(real.stat().st_mode & 0o777) == oct(0o640)
    assert "N-LINK" in set(GeoPackageStore(real).read("nodes")["node_id"])
    assert sorted(p.name for p in link.parent.iterdir()) == ["store.gpkg"]


def other_user() -> pwd.struct_passwd | None:
    """An unprivileged account to drop to when the tests run as root."""
    for name in ("nobody", "daemon"):
        with contextlib.suppress(KeyError):
            return pwd.getpwnam(name)
    return None


AS_USER = """
    import os, sys
    from inventory.stores import GeoPackageStore
    from test_gpkg_transactions import node_row
    uid, gid = int(sys.argv[2]), int(sys.argv[3])
    if os.geteuid() == 0:  # drop to the unprivileged user, everything needed already imported
        os.setgroups([]); os.setgid(gid); os.setuid(uid)
    try:
        GeoPackageStore(sys.argv[1]).write({"nodes": node_row("INTRUDER", "x")}, mode="upsert")
    except Exception as exc:
        print(type(exc).__name__, exc)
        sys.exit(2)
    print("written")
"""


@pytest.fixture
def open_folder():
    """A folder every user may enter (pytest's tmp_path is private to root)."""
    folder = Path(tempfile.mkdtemp(prefix="gpkg-perm-"))
    folder.chmod(0o777)
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def run_as_other_user(path: Path) -> tuple[int, str, str]:
    user = other_user()
    if os.geteuid() == 0 and user is None:
        pytest.skip("running as root and no unprivileged account (nobody, daemon) to drop to")
    uid, gid = (user.pw_uid, user.pw_gid) if os.geteuid() == 0 else (os.getuid(), os.getgid())
    return finish(child(AS_USER, str(path), str(uid), str(gid)))


def test_a_read_only_store_is_refused_for_a_user_who_may_not_write_it(open_folder: Path) -> None:
    path = make_store(open_folder / "store.gpkg").path
    user = other_user()
    if os.geteuid() == 0 and user is not None:
        os.chown(path, user.pw_uid, user.pw_gid)
    path.chmod(0o444)
    before, owner = digest(path), path.stat().st_uid
    code, out, err = run_as_other_user(path)
    assert code == 2, (out, err)
    assert out.startswith("StoreError ") and f"{path}: permission denied" in out and "nothing was changed" in out
    assert digest(path) == before
    assert (path.stat().st_mode & 0o777, path.stat().st_uid) == (0o444, owner)
    assert sorted(p.name for p in open_folder.iterdir()) == ["store.gpkg"]


def test_a_write_protected_store_is_refused_even_for_its_owner(tmp_path: Path) -> None:
    store = make_store(tmp_path / "s.gpkg")
    store.path.chmod(0o444)
    before = digest(store.path)
    with pytest.raises(StoreError, match="write-protected"):
        store.write({"nodes": node_row("X", "x")}, mode="upsert")
    assert digest(store.path) == before and store.path.stat().st_mode & 0o777 == 0o444


def test_a_folder_without_room_for_the_journal_gets_a_clear_message(open_folder: Path) -> None:
    """The file is writable for everyone, its folder is not: SQLite cannot create its journal."""
    if os.geteuid() != 0:
        pytest.skip("needs root to make a folder that another user may not write")
    folder = open_folder / "locked"
    folder.mkdir()
    path = make_store(folder / "store.gpkg").path
    path.chmod(0o666)
    folder.chmod(0o755)
    before = digest(path)
    code, out, err = run_as_other_user(path)
    assert code == 2, (out, err)
    assert "SQLite must create its journal file" in out and "nothing was changed" in out
    assert digest(path) == before


@pytest.fixture
def small_disk(tmp_path: Path):
    """A 4 MB tmpfs (root only)."""
    mount = tmp_path / "disk"
    mount.mkdir()
    if os.geteuid() != 0:
        pytest.skip("needs root to mount a small tmpfs for the full-disk test")
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(mount)], capture_output=True, text=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.strip()}")
    yield mount
    subprocess.run(["umount", str(mount)], check=False)


def test_a_full_disk_gives_a_clear_message_and_an_unchanged_store(small_disk: Path, tmp_path: Path, capsys) -> None:
    store = make_store(small_disk / "store.gpkg")
    before, frames = digest(store.path), store.read_all()
    filler = small_disk / "filler"
    # Fill the disk, then give back a little; unbuffered, so closing the file has nothing left to write.
    with open(filler, "wb", buffering=0) as handle, contextlib.suppress(OSError):
        while True:
            handle.write(b"\0" * 65536)
    os.truncate(filler, filler.stat().st_size - 16 * 1024)
    n = 20_000
    big = gpd.GeoDataFrame(
        {"node_id": [f"N{i:06d}" for i in range(n)], "kind": "junction", "status": "planned",
         "name": "a name long enough to need many pages " * 2},
        geometry=shapely.points(np.column_stack([X0 + np.arange(n), np.full(n, Y0)])),
        crs=CRS,
    )
    source = tmp_path / "big.gpkg"
    big.to_file(source, layer="nodes", engine="pyogrio")
    assert main(["import", "nodes", str(source), "--mode", "upsert", "--db", str(store.path)]) == EXIT_USAGE
    message = capsys.readouterr().err
    assert "disk full" in message and "nothing was changed" in message and "Traceback" not in message
    filler.unlink()
    assert digest(store.path) == before
    assert integrity(store.path) == [("ok",)]
    for name in LAYER_ORDER:
        assert_geodataframe_equal(store.read(name), frames[name])
    assert sorted(p.name for p in small_disk.iterdir()) == ["store.gpkg"]
