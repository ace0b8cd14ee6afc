"""GeoPackage write benchmark: the store's in-place SQLite writes beside `ogr2ogr`, in one run.

`python -m benchmarks.gpkg_write_bench [--sizes 100000 1000000] [--repeats 3] [--out benchmarks/GPKG_WRITE.md]`

For each size N (synthetic routes from `benchmarks.networks.fibre_network`, in the inventory schema):

(a) bulk load of N routes into an empty store: `GeoPackageStore.create()` + `GeoPackageStore.write()`
    beside `ogr2ogr -f GPKG OUT.gpkg SOURCE.gpkg routes` loading the same routes from a GeoPackage;
(b) a one-row change in an N-route store: `Transaction.upsert` of one route (all columns, a new owner)
    beside `ogr2ogr -upsert -preserve_fid STORE.gpkg ONE.gpkg routes` (GDAL's GPKG upsert matches the fid).

This measures the store layer only: the importer's reading and validation (inventory.importer) come on
top. Times are wall-clock; each measurement is repeated and the best and the median are reported. After
each run the result is checked (row count, the changed value), so a fast wrong answer cannot win.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import platform
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pyogrio

from benchmarks.networks import fibre_network
from inventory.frames import conform
from inventory.schema import get_layer
from inventory.stores import GeoPackageStore
from inventory.stores.gpkg_geometry import register_functions

ROUTES = get_layer("routes")
TARGET_BULK_RATIO = 1.5
TARGET_ONE_ROW_S = 0.2


def timed(function) -> float:
    start = time.perf_counter()
    function()
    return time.perf_counter() - start


def ogr2ogr(*args: str) -> None:
    subprocess.run(["ogr2ogr", *args], check=True, capture_output=True)


def stored(path: Path, route_id: str) -> tuple[int, str | None]:
    with contextlib.closing(sqlite3.connect(path)) as connection:
        (count,) = connection.execute("SELECT count(*) FROM routes").fetchone()
        (owner,) = connection.execute("SELECT owner FROM routes WHERE route_id = ?", (route_id,)).fetchone()
    return count, owner


def summary(times: list[float]) -> dict:
    return {"best": min(times), "median": statistics.median(times), "runs": len(times)}


def bench_size(n: int, repeats: int, work: Path) -> dict:
    print(f"[{n}] generating routes", flush=True)
    routes = conform(fibre_network(n).routes, ROUTES)
    source = work / "source.gpkg"
    pyogrio.write_dataframe(routes, source, layer="routes", driver="GPKG",
                            layer_options={"GEOMETRY_NAME": "geom", "FID": "fid"})
    result: dict = {"n": n}

    # (a) bulk load into an empty store
    gdal_bulk, ours_bulk = [], []
    for i in range(repeats):
        out = work / f"ogr{i}.gpkg"
        gdal_bulk.append(timed(lambda out=out: ogr2ogr("-f", "GPKG", str(out), str(source), "routes")))
        assert stored(out, routes["route_id"].iloc[0])[0] == n
        print(f"[{n}] ogr2ogr bulk {gdal_bulk[-1]:.2f} s", flush=True)
        store = GeoPackageStore(work / f"ours{i}.gpkg")

        def load(store=store) -> None:
            store.create()
            store.write({"routes": routes})

        ours_bulk.append(timed(load))
        assert store.count("routes") == n
        print(f"[{n}] GeoPackageStore bulk {ours_bulk[-1]:.2f} s", flush=True)
    result["bulk"] = {"ogr2ogr": summary(gdal_bulk), "ours": summary(ours_bulk)}

    # (b) one-row change in an N-route store (the stores loaded above)
    gdal_one, ours_one = [], []
    gdal_store, ours_store = work / "ogr0.gpkg", GeoPackageStore(work / "ours0.gpkg")
    for i in range(max(repeats, 5)):
        position = (i + 1) * n // (max(repeats, 5) + 2)
        row = routes.iloc[[position]].copy()
        route_id = row["route_id"].iloc[0]
        row["owner"] = f"changed {i}"
        one = work / f"one{i}.gpkg"
        where = f"route_id = '{route_id}'"
        ogr2ogr("-preserve_fid", "-f", "GPKG", str(one), str(gdal_store), "routes", "-where", where)
        with contextlib.closing(sqlite3.connect(one)) as connection:
            register_functions(connection)  # GDAL's R-tree triggers call them
            connection.execute("UPDATE routes SET owner = ?", (f"changed {i}",))
            connection.commit()
        gdal_one.append(
            timed(lambda one=one: ogr2ogr("-upsert", "-preserve_fid", str(gdal_store), str(one), "routes"))
        )
        assert stored(gdal_store, route_id) == (n, f"changed {i}")

        def upsert(row=row) -> None:
            with ours_store.transaction(["routes"]) as tx:
                tx.upsert("routes", row, [*ROUTES.columns, "geometry"])

        ours_one.append(timed(upsert))
        assert stored(ours_store.path, route_id) == (n, f"changed {i}")
    result["one_row"] = {"ogr2ogr": summary(gdal_one), "ours": summary(ours_one)}
    print(f"[{n}] one row: ogr2ogr {statistics.median(gdal_one):.3f} s, ours {statistics.median(ours_one):.3f} s",
          flush=True)
    return result


def versions() -> str:
    gdal_cli = subprocess.run(["ogr2ogr", "--version"], capture_output=True, text=True).stdout.strip()
    return (
        f"{gdal_cli} (ogr2ogr); GDAL {pyogrio.__gdal_version_string__} in pyogrio (creates our empty layers); "
        f"SQLite {sqlite3.sqlite_version} (Python sqlite3, our writes); Python {platform.python_version()}"
    )


def report(results: list[dict], command: str) -> str:
    lines = [
        "# GeoPackage write benchmark: the store's in-place SQLite writes beside ogr2ogr",
        "",
        f"- **Command:** `{command}` (from the repository root)",
        f"- **Date:** {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC; **machine:** {platform.machine()}, "
        f"{__import__('os').cpu_count()} cores (shared with other jobs while it ran)",
        f"- **Software:** {versions()}",
        "- **Data:** synthetic routes from `benchmarks/networks.py` (`fibre_network(n).routes`), in the inventory "
        "schema; the ogr2ogr source is the same routes written to a GeoPackage.",
        "- **Scope:** the store layer only (`GeoPackageStore.create` + `write`, `Transaction.upsert`); the "
        "importer's reading and validation come on top. Our store also builds a UNIQUE index on route_id "
        "(ogr2ogr builds none).",
        "",
        "| routes | (a) bulk load: ogr2ogr | ours | ratio (target ≤ 1.5) | (b) one-row change: ogr2ogr -upsert | ours "
        "| target ≤ 0.2 s |",
        "| ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for r in results:
        g, o = r["bulk"]["ogr2ogr"]["median"], r["bulk"]["ours"]["median"]
        g1, o1 = r["one_row"]["ogr2ogr"]["median"], r["one_row"]["ours"]["median"]
        lines.append(
            f"| {r['n']:,} | {g:.2f} s | {o:.2f} s | {o / g:.2f}× {'met' if o / g <= TARGET_BULK_RATIO else 'MISSED'} "
            f"| {g1:.3f} s | {o1:.3f} s | {'met' if o1 <= TARGET_ONE_ROW_S else 'MISSED'} |"
        )
    lines += ["", "Medians of the runs; best times:", ""]
    for r in results:
        lines.append(
            f"- {r['n']:,} routes: bulk ogr2ogr {r['bulk']['ogr2ogr']['best']:.2f} s, ours "
            f"{r['bulk']['ours']['best']:.2f} s ({r['bulk']['ours']['runs']} runs); one row ogr2ogr "
            f"{r['one_row']['ogr2ogr']['best']:.3f} s, ours {r['one_row']['ours']['best']:.3f} s "
            f"({r['one_row']['ours']['runs']} runs)"
        )
    lines += [
        "",
        "Notes:",
        "",
        "- The one-row change costs what the change costs: an indexed lookup of the id, one UPDATE, one "
        "COMMIT (ogr2ogr's figure includes starting the program).",
        "- Where the bulk load misses the target, the gap is the R-tree: our rows go in about as fast as "
        "GDAL's, but SQLite's rtree module inserts the boxes one by one (in Hilbert order, with the per-row "
        "triggers dropped for the load), while GDAL (3.6+) packs the whole tree at once with its own bulk "
        "loader. Writing packed R-tree nodes directly (sort-tile-recursive) would close it; not done yet.",
        "- 1M routes: `--sizes 100000 1000000` (about 4 GB of memory and some minutes).",
    ]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args(argv)
    if shutil.which("ogr2ogr") is None:
        print("ogr2ogr not found: install GDAL's command line tools (Debian: gdal-bin)", file=sys.stderr)
        return 2
    command = "python -m benchmarks.gpkg_write_bench " + " ".join(sys.argv[1:] if argv is None else argv)
    results = []
    for n in args.sizes:
        with tempfile.TemporaryDirectory(prefix=f"gpkg-bench-{n}-") as work:
            results.append(bench_size(n, args.repeats, Path(work)))
        text = report(results, command)
        if args.out:
            args.out.write_text(text, encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
