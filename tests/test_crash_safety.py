"""Crash safety: an import killed with SIGKILL at any stage leaves the store exactly as before.

The real CLI (`python -m inventory.cli import nodes BIG.gpkg --db STORE`) runs in a child
process against a real store (a GeoPackage file, a PostGIS database), and the test kills
it with SIGKILL at a stage it watches from the outside, with no hooks in the product code:

- `reading`: the child has the input file open (`/proc/PID/fd`);
- `checking`: the child has read the input and closed it again, and checks the rows, before it locks
  or connects to the store (polled without pause, repeated when it passes between two polls);
- GeoPackage `begin`: the child holds SQLite's RESERVED lock on the store (`/proc/locks`): its
  `BEGIN IMMEDIATE` went through;
- GeoPackage `mid-upsert`: the rollback journal beside the store has grown to a quarter of the
  store's size while the child still changes rows (RESERVED held, not yet EXCLUSIVE);
- GeoPackage `commit`: COMMIT has synced the journal (its header now carries SQLite's magic number),
  so the database file is about to be, or being, overwritten;
- GeoPackage `mid-commit`: the store file itself has changed on disk while that journal still exists
  (the file is half overwritten). Both last milliseconds: they are polled without pause, and the
  scenario is repeated from the start if a commit ends between two polls;
- PostGIS `copy`: `pg_stat_progress_copy` shows the COPY into the staging table part done;
- PostGIS `move`: `pg_stat_activity` shows the child's `INSERT INTO nodes ... SELECT`
  running (the old rows are already deleted inside the transaction).

After the kill the store must be as before: the GeoPackage byte for byte once the next reader
has rolled the dead writer's journal back (the only file it may leave beside the store is SQLite's
own `store.gpkg-journal`: a synced, "hot" one is rolled back and deleted by the next reader, one that
was never synced is ignored and removed by the next write), with `PRAGMA integrity_check` ok; PostGIS layer for layer, once the
server has ended the orphaned backend, with no locks, staging tables or prepared transactions left.
Then the same import, run again, must succeed, give the new content and leave no file behind.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import shapely
import sqlalchemy as sa
from factories import X0, Y0, small_inventory
from geopandas.testing import assert_geodataframe_equal
from sqlalchemy.pool import NullPool

from inventory.cli import EXIT_OK, main
from inventory.frames import conform
from inventory.schema import CRS, LAYER_ORDER, get_layer
from inventory.stores import GeoPackageStore, PostGISStore

ROOT = Path(__file__).resolve().parents[1]
N_NODES = 20_000
"""Rows in the import file: enough for a write that lasts a good fraction of a second."""
KEPT_IDS = ("POP1", "C1", "C2", "C3")
"""The factory's node ids: its routes and sites refer to them, so the replacing file keeps them."""
WAIT_S = 120.0
"""Longest wait for a kill point (the machine may be busy); a miss fails the test."""
POLL_S = 0.002


@dataclass(frozen=True)
class BigImport:
    path: Path
    ids: np.ndarray
    """The node ids, sorted."""
    xy: np.ndarray
    """Coordinates in the order of `ids`."""


@pytest.fixture(scope="session")
def big_nodes(tmp_path_factory: pytest.TempPathFactory) -> BigImport:
    """A valid GeoPackage of N_NODES nodes, made once per session."""
    rng = np.random.default_rng(6)
    ids = np.char.add("N", np.char.zfill(np.arange(N_NODES).astype(str), 6)).astype(object)
    ids[: len(KEPT_IDS)] = KEPT_IDS
    kinds = np.array(["pop", "cabinet", "closure", "chamber", "building_entry", "junction"])[
        rng.integers(0, 6, N_NODES)
    ]
    xy = np.column_stack([X0 + rng.uniform(-5000, 5000, N_NODES), Y0 + rng.uniform(-5000, 5000, N_NODES)]).round(3)
    frame = gpd.GeoDataFrame(
        {
            "node_id": ids,
            "kind": kinds,
            "name": np.char.add("Knoten ", ids.astype(str)),
            "status": np.where(rng.random(N_NODES) < 0.9, "in_service", "planned"),
            "built_year": rng.integers(1990, 2025, N_NODES).astype("int32"),
            "source": "crash-safety test",
        },
        geometry=shapely.points(xy),
        crs=CRS,
    )
    path = tmp_path_factory.mktemp("crash") / "big_nodes.gpkg"
    frame.to_file(path, layer="nodes", engine="pyogrio")
    order = np.argsort(ids.astype(str), kind="stable")
    return BigImport(path=path, ids=ids.astype(str)[order], xy=xy[order])


# --- the child ------------------------------------------------------------------------------


class Child:
    """`gelsennet import nodes FILE --db DB` in a child process, watched and killed from outside."""

    def __init__(self, db: str, source: Path, log_dir: Path) -> None:
        self.source = str(source)
        self.stderr_path = log_dir / "child.stderr"
        self.started = time.monotonic()
        with open(self.stderr_path, "wb") as stderr:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "inventory.cli", "import", "nodes", self.source, "--db", db],
                cwd=ROOT,
                stdout=subprocess.DEVNULL,
                stderr=stderr,
            )

    def open_files(self) -> set[str]:
        fd_dir = f"/proc/{self.proc.pid}/fd"
        names = set()
        try:
            fds = os.listdir(fd_dir)
        except OSError:
            return names
        for fd in fds:
            with contextlib.suppress(OSError):  # closed meanwhile
                names.add(os.readlink(f"{fd_dir}/{fd}"))
        return names

    def stderr(self) -> str:
        return self.stderr_path.read_text(errors="replace")[-3000:]

    def wait_for(self, what: str, condition: Callable[[], object], poll_s: float = POLL_S):
        """Poll `condition` until it gives a true value; fail if the child ends first or it takes too long."""
        deadline = time.monotonic() + WAIT_S
        while True:
            if self.proc.poll() is not None:
                pytest.fail(
                    f"the import ended (exit code {self.proc.returncode}) after "
                    f"{time.monotonic() - self.started:.1f} s before the kill point was reached: {what}.\n"
                    f"stderr:\n{self.stderr()}"
                )
            value = condition()
            if value:
                return value
            if time.monotonic() > deadline:
                self.kill()
                pytest.fail(f"the kill point was not reached within {WAIT_S:.0f} s: {what}")
            time.sleep(poll_s)

    def kill(self) -> float:
        """SIGKILL the child; the seconds it ran. Asserts that it was still running and died of the signal."""
        assert self.proc.poll() is None, f"the import already ended (exit code {self.proc.returncode})"
        os.kill(self.proc.pid, signal.SIGKILL)
        code = self.proc.wait(timeout=30)
        assert code == -signal.SIGKILL, f"exit code {code}, expected death by SIGKILL; stderr:\n{self.stderr()}"
        return time.monotonic() - self.started

    def wait_reading(self) -> None:
        self.wait_for("the child opens the input file", lambda: self.source in self.open_files())


def rerun(db: str, source: Path) -> None:
    """The same import again, through the same CLI entry point, to completion."""
    assert main(["import", "nodes", str(source), "--db", db]) == EXIT_OK


def assert_new_content(store, big: BigImport, before: dict[str, gpd.GeoDataFrame]) -> None:
    """The nodes layer is the file's; every other layer is as before."""
    nodes = store.read("nodes")
    assert len(nodes) == N_NODES
    nodes = nodes.sort_values("node_id", kind="stable")
    np.testing.assert_array_equal(nodes["node_id"].to_numpy(dtype=str), big.ids)
    np.testing.assert_allclose(shapely.get_coordinates(nodes.geometry.values), big.xy, rtol=0, atol=1e-6)
    assert set(nodes["source"]) == {"crash-safety test"}
    for name in LAYER_ORDER:
        if name != "nodes":
            assert_geodataframe_equal(store.read(name), before[name])


def report(store: str, point: str, message: str) -> None:
    print(f"\ncrash-safety [{store} {point}] {message}")


# --- GeoPackage -------------------------------------------------------------------------------

PENDING_BYTE = 0x40000000
"""SQLite's lock bytes in the file (os_unix.c): PENDING, RESERVED = PENDING + 1, then the SHARED range.
A writer holds a POSIX write lock on RESERVED from BEGIN IMMEDIATE, and on the SHARED range (EXCLUSIVE)
while COMMIT writes the database file."""
COMMIT_ATTEMPTS = 8
"""The commit of a few MB takes milliseconds and can end between two polls; the scenario is then run again."""
JOURNAL_MAGIC = bytes.fromhex("d9d505f920a163d7")
"""The first bytes of a rollback journal once COMMIT has synced it (pager.c aJournalMagic); before that
they are zero and the journal is not "hot"."""


def sqlite_locks(path: Path, pid: int) -> set[str]:
    """The SQLite locks `pid` holds on `path`, read from /proc/locks: {"reserved", "pending", "exclusive"}."""
    with contextlib.suppress(FileNotFoundError):
        inode = path.stat().st_ino
        held = set()
        for line in Path("/proc/locks").read_text().splitlines():
            parts = line.split()
            if len(parts) < 8 or parts[1] != "POSIX" or parts[3] != "WRITE":  # "->" lines are waiters
                continue
            if int(parts[4]) != pid or int(parts[5].rsplit(":", 1)[1]) != inode:
                continue
            start = int(parts[6])
            held |= {PENDING_BYTE: {"pending"}, PENDING_BYTE + 1: {"reserved"}, PENDING_BYTE + 2: {"exclusive"}}.get(
                start, set()
            )
        return held
    return set()


def listing(directory: Path) -> dict[str, int]:
    """Files in the store's folder, with their sizes."""
    out = {}
    for p in directory.iterdir():
        with contextlib.suppress(FileNotFoundError):  # a journal that came and went
            if p.is_file():
                out[p.name] = p.stat().st_size
    return out


def gpkg_before(directory: Path, big: BigImport) -> GeoPackageStore:
    """The factory inventory plus N_NODES older versions of the import's nodes (other names, moved 1 m), so
    that the import changes every row of a store of some MB and SQLite journals page after page."""
    directory.mkdir()
    store = GeoPackageStore(directory / "store.gpkg")
    store.create()
    store.write(small_inventory())
    old = gpd.read_file(big.path, engine="pyogrio")
    old = old[~old["node_id"].isin(KEPT_IDS)]
    old["name"] = "alt " + old["name"]
    old["built_year"] = old["built_year"].astype("Int64")
    old["source"] = "older version"
    old = old.set_geometry(shapely.transform(old.geometry.values, lambda xy: xy + 1.0))
    old = conform(old, get_layer("nodes"))
    store.write({"nodes": old}, mode="upsert")
    return store


def integrity(path: Path) -> list[tuple]:
    with contextlib.closing(sqlite3.connect(path)) as connection:
        return connection.execute("PRAGMA integrity_check").fetchall()


@dataclass
class GpkgKill:
    store: GeoPackageStore
    before_frames: dict[str, gpd.GeoDataFrame]
    before_bytes: bytes
    ran_s: float
    seen: str


def kill_gpkg_import(point: str, big: BigImport, tmp_path: Path, attempt: int) -> GpkgKill | None:
    """Start the import into a fresh store and kill it at `point`; None when a commit ended unseen."""
    directory = tmp_path / f"store{attempt}"
    store = gpkg_before(directory, big)
    path = store.path
    before_frames = store.read_all()
    before_bytes = path.read_bytes()
    before_stat = path.stat()
    assert list(listing(directory)) == ["store.gpkg"]
    journal = directory / "store.gpkg-journal"

    child = Child(str(path), big.path, tmp_path)

    def locks() -> set[str]:
        return sqlite_locks(path, child.proc.pid)

    seen = ""
    if point == "reading":
        child.wait_reading()
        assert not locks() and not journal.exists(), "the write started while the input was still being read"
        seen = "while it read the input"
    elif point == "checking":
        # The rows are checked after the input is closed and before the write transaction begins
        # (the comparison with the store happens inside it): a window that can be short, so it is
        # watched without pause, and the attempt is repeated when it passed between two polls.
        child.wait_reading()
        state = {"locked": False}

        def checking():
            held = locks()
            if held or journal.exists():
                state["locked"] = True
                return "passed"
            return "checking" if child.source not in child.open_files() else False

        found = child.wait_for("the input is closed and the store not yet locked", checking, poll_s=0)
        if found == "passed":
            if attempt == COMMIT_ATTEMPTS:
                pytest.fail("the checking phase was never seen between the read and the write lock")
            child.proc.kill()  # this attempt is over; the next one watches again
            child.proc.wait(timeout=30)
            return None
        seen = "while it checked the rows (input closed, no lock taken)"
    elif point == "begin":
        child.wait_for("the child holds SQLite's RESERVED lock (BEGIN IMMEDIATE)", lambda: "reserved" in locks())
        seen = f"holding {sorted(locks())}"
    elif point == "mid-upsert":
        target = before_stat.st_size // 4

        def journaling():
            size = journal.stat().st_size if journal.exists() else 0
            held = locks()
            return size >= target and "reserved" in held and "exclusive" not in held and size

        size = child.wait_for(f"the rollback journal grows to {target} bytes before COMMIT", journaling)
        seen = f"journal at {size} bytes, rows still being changed"
    else:  # commit, mid-commit: a window of milliseconds, watched without pause

        def committing():
            try:
                with open(journal, "rb") as handle:
                    synced = handle.read(8) == JOURNAL_MAGIC
            except FileNotFoundError:
                return False
            if point == "commit":
                return synced
            now = path.stat()
            return synced and (now.st_mtime_ns, now.st_size) != (before_stat.st_mtime_ns, before_stat.st_size)

        what = {
            "commit": "COMMIT has synced the journal (its header carries SQLite's magic)",
            "mid-commit": "COMMIT writes the GeoPackage file while its synced journal exists",
        }[point]
        try:
            child.wait_for(what, committing, poll_s=0)
        except pytest.fail.Exception:
            if child.proc.poll() is None or attempt == COMMIT_ATTEMPTS:
                raise
            return None  # the commit ended between two polls
        seen = f"{'in COMMIT' if point == 'commit' else 'with the database file being overwritten'} (attempt {attempt})"
    ran = child.kill()
    return GpkgKill(store, before_frames, before_bytes, ran, seen)


@pytest.mark.parametrize("point", ["reading", "checking", "begin", "mid-upsert", "commit", "mid-commit"])
def test_gpkg_import_killed(point: str, big_nodes: BigImport, tmp_path: Path) -> None:
    for attempt in range(1, COMMIT_ATTEMPTS + 1):
        killed = kill_gpkg_import(point, big_nodes, tmp_path, attempt)
        if killed is not None:
            break
    store, before_frames, before_bytes = killed.store, killed.before_frames, killed.before_bytes
    path = store.path
    directory = path.parent

    # Only SQLite's own rollback journal may remain; the file itself may be half overwritten.
    leftovers = {k: v for k, v in listing(directory).items() if k != "store.gpkg"}
    assert set(leftovers) <= {"store.gpkg-journal"}, f"unexpected files beside the store: {leftovers}"
    if point in ("reading", "checking"):
        assert not leftovers and path.read_bytes() == before_bytes
    if point == "mid-commit":
        assert leftovers and path.read_bytes() != before_bytes, "not killed while the file was being overwritten"
    torn = path.read_bytes() != before_bytes

    # The next reader rolls the dead writer's journal back: the store is exactly as before.
    after = store.read_all()
    for name in LAYER_ORDER:
        assert_geodataframe_equal(after[name], before_frames[name])
    assert path.read_bytes() == before_bytes, "the GeoPackage differs from before the import"
    journal = directory / "store.gpkg-journal"
    if journal.exists():  # left only when it was never synced: SQLite ignores it, the next write removes it
        assert journal.read_bytes()[:1] in (b"", b"\0"), "a hot journal was not rolled back by the next reader"
    assert integrity(path) == [("ok",)]

    # The rerun succeeds and gives the new content.
    start = time.monotonic()
    rerun(str(path), big_nodes.path)
    rerun_s = time.monotonic() - start
    assert_new_content(store, big_nodes, before_frames)
    assert integrity(path) == [("ok",)]
    after_files = {k: v for k, v in listing(directory).items() if k != "store.gpkg"}
    assert not after_files, f"the rerun left files beside the store: {after_files}"
    fate = "none" if not leftovers else f"{sorted(leftovers)}, {'rolled back' if torn else 'ignored'} by the next reader"
    report(
        "gpkg",
        point,
        f"killed after {killed.ran_s:.2f} s {killed.seen}; file torn: {torn}; leftovers {fate}; "
        f"rerun {rerun_s:.2f} s",
    )


# --- PostGIS ----------------------------------------------------------------------------------


class Monitor:
    """A second connection to the test database, to watch the child's backend."""

    def __init__(self, url: str) -> None:
        self.engine = sa.create_engine(url, poolclass=NullPool, isolation_level="AUTOCOMMIT")
        self.connection = self.engine.connect()

    def close(self) -> None:
        self.connection.close()
        self.engine.dispose()

    def rows(self, sql: str) -> list[tuple]:
        return [tuple(r) for r in self.connection.execute(sa.text(sql)).all()]

    def others(self) -> list[tuple]:
        """Client backends in this database other than the monitor's: (pid, state, query)."""
        return self.rows(
            "SELECT pid, state, query FROM pg_stat_activity WHERE datname = current_database() "
            "AND backend_type = 'client backend' AND pid <> pg_backend_pid()"
        )

    def copy_progress(self) -> int | None:
        rows = self.rows(
            "SELECT tuples_processed FROM pg_stat_progress_copy WHERE datname = current_database() "
            "AND pid <> pg_backend_pid()"
        )
        return int(rows[0][0]) if rows else None

    def leftovers(self) -> dict[str, list]:
        """Anything a dead import could leave behind in the server."""
        return {
            "locks": self.rows(
                "SELECT l.pid, l.locktype, l.mode, l.relation::regclass::text FROM pg_locks l "
                "JOIN pg_stat_activity a ON a.pid = l.pid WHERE a.datname = current_database() "
                "AND a.backend_type = 'client backend' AND l.pid <> pg_backend_pid()"
            ),
            "staging tables": self.rows(r"SELECT relname FROM pg_class WHERE relname LIKE '\_stage\_%'"),
            "prepared transactions": self.rows("SELECT gid FROM pg_prepared_xacts WHERE database = current_database()"),
            "open transactions": self.rows(
                "SELECT pid, state FROM pg_stat_activity WHERE datname = current_database() "
                "AND xact_start IS NOT NULL AND pid <> pg_backend_pid() AND backend_type = 'client backend'"
            ),
        }


@pytest.mark.parametrize("point", ["reading", "checking", "copy", "move"])
def test_postgis_import_killed(point: str, big_nodes: BigImport, pg_store: PostGISStore, tmp_path: Path) -> None:
    store = pg_store
    store.write(small_inventory())
    before_frames = store.read_all()
    before_counts = store.counts()
    store.close()  # the child's backend must be the only other one
    monitor = Monitor(store.url)
    try:
        assert monitor.others() == []
        child = Child(store.url, big_nodes.path, tmp_path)
        seen = ""
        if point == "reading":
            child.wait_reading()
            assert monitor.others() == [], "the child connected while still reading the input"
            seen = "while it read the input"
        elif point == "checking":
            # After the input is closed and before the child connects (the comparison with the store
            # runs inside the write transaction): a short window, watched without pause, retried.
            for attempt in range(1, COMMIT_ATTEMPTS + 1):
                child.wait_reading()

                def checking(child=child):
                    if monitor.others():
                        return "passed"
                    return "checking" if child.source not in child.open_files() else False

                if child.wait_for("the input is closed and no connection made", checking, poll_s=0) == "checking":
                    break
                assert attempt < COMMIT_ATTEMPTS, "the checking phase was never seen between the read and the connection"
                child.proc.kill()
                child.proc.wait(timeout=30)
                while monitor.others():
                    time.sleep(0.02)
                child = Child(store.url, big_nodes.path, tmp_path)
            seen = "while it checked the rows (input closed, not yet connected)"
        elif point == "copy":
            fraction = 0.4

            def copying():
                done = monitor.copy_progress()
                return done if done is not None and done >= fraction * N_NODES else None

            done = child.wait_for(f"pg_stat_progress_copy shows {fraction:.0%} of the rows", copying)
            assert 0 < done < N_NODES, f"COPY had {done} of {N_NODES} rows: not mid-copy"
            seen = f"with COPY at {done} of {N_NODES} rows"
        else:

            def moving():
                return [r for r in monitor.others() if r[1] == "active" and r[2].startswith("INSERT INTO nodes")]

            child.wait_for("pg_stat_activity shows the INSERT INTO nodes from the staging table", moving)
            seen = "during INSERT INTO nodes ... SELECT FROM _stage_nodes"
        ran = child.kill()

        # The server notices the dead client and ends its backend, rolling the transaction back.
        start = time.monotonic()
        while monitor.others():
            assert time.monotonic() - start < 60, f"the orphaned backend lives on: {monitor.others()}"
            time.sleep(0.02)
        orphan_s = time.monotonic() - start
        assert monitor.leftovers() == {
            "locks": [],
            "staging tables": [],
            "prepared transactions": [],
            "open transactions": [],
        }
    finally:
        monitor.close()

    # The store is exactly as before.
    assert store.counts() == before_counts
    after = store.read_all()
    for name in LAYER_ORDER:
        assert_geodataframe_equal(after[name], before_frames[name])

    # The rerun succeeds and gives the new content.
    store.close()
    start = time.monotonic()
    rerun(store.url, big_nodes.path)
    rerun_s = time.monotonic() - start
    assert_new_content(store, big_nodes, before_frames)
    report(
        "postgis",
        point,
        f"killed after {ran:.2f} s {seen}; backend gone {orphan_s:.2f} s later; rerun {rerun_s:.2f} s",
    )
