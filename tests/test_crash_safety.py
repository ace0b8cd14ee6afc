"""Crash safety: an import killed with SIGKILL at any stage leaves the store exactly as before.

The real CLI (`python -m inventory.cli import nodes BIG.gpkg --db STORE`) runs in a child
process against a real store (a GeoPackage file, a PostGIS database), and the test kills
it with SIGKILL at a stage it watches from the outside, with no hooks in the product code:

- `reading`: the child has the input file open (`/proc/PID/fd`);
- `checking`: the child has read the input and closed it again, and checks the rows;
- GeoPackage `write-start`: the store's temporary copy has just appeared in its hidden folder;
- GeoPackage `mid-write`: that copy has grown to about half the size of the new data;
- PostGIS `copy`: `pg_stat_progress_copy` shows the COPY into the staging table part done;
- PostGIS `move`: `pg_stat_activity` shows the child's `INSERT INTO nodes ... SELECT`
  running (the old rows are already deleted inside the transaction).

After the kill the store must be as before: the GeoPackage byte for byte, with no new file
beside it (the dead writer's copy stays in the hidden `.gelsennet-tmp/` folder until the next
write removes it); PostGIS layer for layer, once the server has ended the orphaned backend,
with no locks, staging tables or prepared transactions left. Then the same import, run again,
must succeed, give the new content and leave no temporary file behind.
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
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
from inventory.schema import CRS, LAYER_ORDER
from inventory.stores import GeoPackageStore, PostGISStore
from inventory.stores.geopackage import TMP_DIR

ROOT = Path(__file__).resolve().parents[1]
N_NODES = 20_000
"""Rows in the import file: enough for a write that lasts a good fraction of a second."""
KEPT_IDS = ("POP1", "C1", "C2", "C3")
"""The factory's node ids: its routes and sites refer to them, so the replacing file keeps them."""
WAIT_S = 120.0
"""Longest wait for a kill point (the machine may be busy); a miss fails the test."""
POLL_S = 0.002
TEMP_NAME = re.compile(rf"^{re.escape(TMP_DIR)}/")
"""Where a temporary file must be: in the store's hidden temporary folder, never beside the store."""


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

    def wait_for(self, what: str, condition: Callable[[], object]):
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
            time.sleep(POLL_S)

    def kill(self) -> float:
        """SIGKILL the child; the seconds it ran. Asserts that it was still running and died of the signal."""
        assert self.proc.poll() is None, f"the import already ended (exit code {self.proc.returncode})"
        os.kill(self.proc.pid, signal.SIGKILL)
        code = self.proc.wait(timeout=30)
        assert code == -signal.SIGKILL, f"exit code {code}, expected death by SIGKILL; stderr:\n{self.stderr()}"
        return time.monotonic() - self.started

    def wait_reading(self) -> None:
        self.wait_for("the child opens the input file", lambda: self.source in self.open_files())

    def wait_checking(self, quiet_s: float = 0.25) -> None:
        """The input was read and closed again, and stays closed: the rows are being checked."""
        self.wait_reading()
        closed_since: list[float] = []

        def closed_for_a_while() -> bool:
            if self.source in self.open_files():
                closed_since.clear()
                return False
            if not closed_since:
                closed_since.append(time.monotonic())
            return time.monotonic() - closed_since[0] >= quiet_s

        self.wait_for("the child has read the input and closed it again", closed_for_a_while)


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


def listing(directory: Path) -> dict[str, int]:
    """Files beside the store and in its temporary folder (as `folder/name`), with their sizes."""
    out = {}
    for p in [*directory.iterdir(), *(directory / TMP_DIR).glob("*")]:
        with contextlib.suppress(FileNotFoundError):  # a journal that came and went
            if p.is_file():
                out[str(p.relative_to(directory))] = p.stat().st_size
    return out


@pytest.mark.parametrize("point", ["reading", "checking", "write-start", "mid-write"])
def test_gpkg_import_killed(point: str, big_nodes: BigImport, tmp_path: Path) -> None:
    directory = tmp_path / "store"
    directory.mkdir()
    path = directory / "store.gpkg"
    store = GeoPackageStore(path)
    store.create()
    store.write(small_inventory())
    before_frames = store.read_all()
    before_bytes = path.read_bytes()
    before_listing = listing(directory)
    assert list(before_listing) == ["store.gpkg"]

    def new_files() -> dict[str, int]:
        return {k: v for k, v in listing(directory).items() if k not in before_listing}

    child = Child(str(path), big_nodes.path, tmp_path)
    seen = ""
    if point == "reading":
        child.wait_reading()
        assert not new_files(), "the write started while the input was still being read"
        seen = "while it read the input"
    elif point == "checking":
        child.wait_checking()
        assert not new_files(), "the write started before the rows were checked"
        seen = "while it checked the rows"
    elif point == "write-start":
        first = child.wait_for("a temporary file appears beside the store", new_files)
        seen = f"first new file(s) {first}"
    else:
        target = big_nodes.path.stat().st_size // 2  # the new layer is about as big as the input file

        def half_written():
            grown = {k: v for k, v in new_files().items() if v >= target and not k.endswith("-journal")}
            return grown or None

        grown = child.wait_for(f"a temporary file beside the store grows to {target} bytes", half_written)
        seen = f"temporary file {grown}"
    ran = child.kill()

    # The store is exactly as before.
    assert path.read_bytes() == before_bytes, "the GeoPackage changed"
    assert store.exists()
    leftovers = {k: v for k, v in listing(directory).items() if k != "store.gpkg"}
    if point in ("reading", "checking"):
        assert not leftovers, f"files appeared before any write: {leftovers}"
    else:
        assert leftovers, "the kill came after the write had finished: the kill point was missed"
        for name in leftovers:
            assert TEMP_NAME.match(name), f"{name!r} is left beside the store and is not clearly a temporary file"

    # The rerun succeeds and gives the new content.
    start = time.monotonic()
    rerun(str(path), big_nodes.path)
    rerun_s = time.monotonic() - start
    assert path.read_bytes() != before_bytes
    assert_new_content(store, big_nodes, before_frames)
    final_size = path.stat().st_size
    if point == "mid-write":
        killed_at = max(grown.values())
        assert 0 < killed_at < final_size, f"killed with {killed_at} of {final_size} bytes written: not mid-write"
    after = {k: v for k, v in listing(directory).items() if k != "store.gpkg"}
    assert not after, f"the rerun left files beside the store (the dead writer's copy must go): {after}"
    fate = "none" if not leftovers else f"{sorted(leftovers)}, removed by the rerun"
    report(
        "gpkg",
        point,
        f"killed after {ran:.2f} s {seen}; leftovers {fate}; rerun {rerun_s:.2f} s, store {final_size} bytes",
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
            child.wait_checking()
            assert monitor.others() == [], "the child connected before the rows were checked"
            seen = "while it checked the rows"
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
