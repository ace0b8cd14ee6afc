"""GeoPackage write benchmark: the store's in-place SQLite writes beside `ogr2ogr`, in one run.

`python -m benchmarks.gpkg_write_bench [--sizes 100000 1000000] [--repeats 3] [--out benchmarks/GPKG_WRITE.md]`

For each size N (synthetic routes from `benchmarks.networks.fibre_network`, in the inventory schema):

(a) bulk load of N routes into an empty store: `GeoPackageStore.create()` + `GeoPackageStore.write()`
    beside `ogr2ogr -f GPKG OUT.gpkg SOURCE.gpkg routes` loading the same routes from a GeoPackage;
(b) a one-row change in an N-route store: `Transaction.upsert` of one route (all columns, a new owner)
    beside `ogr2ogr -upsert -preserve_fid STORE.gpkg ONE.gpkg routes` (GDAL's GPKG upsert matches the fid).

Each is measured twice on our side: the store layer alone (as above), and the whole import,
`inventory.importer.import_file(store, "routes", FILE)`: reading the file with pyogrio, mapping,
validation (`check_frame`), the plan inside the write transaction and the write; for (a) FILE is
SOURCE.gpkg and the store does not exist yet, for (b) FILE is ONE.gpkg (the one changed route, as
ogr2ogr gets it) into the N-route store the importer loaded in (a).

Times are wall-clock; each measurement is repeated and the best and the median are reported. After
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
from inventory.importer import import_file
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
    gdal_bulk, ours_bulk, import_bulk = [], [], []
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
        imported = GeoPackageStore(work / f"imported{i}.gpkg")
        import_bulk.append(timed(lambda imported=imported: import_file(imported, "routes", source)))
        assert imported.count("routes") == n
        print(f"[{n}] import_file bulk {import_bulk[-1]:.2f} s", flush=True)
    result["bulk"] = {"ogr2ogr": summary(gdal_bulk), "ours": summary(ours_bulk), "import": summary(import_bulk)}

    # (b) one-row change in an N-route store (the stores loaded above)
    gdal_one, ours_one, import_one = [], [], []
    gdal_store, ours_store = work / "ogr0.gpkg", GeoPackageStore(work / "ours0.gpkg")
    import_store = GeoPackageStore(work / "imported0.gpkg")
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
        outcome: list = []

        def import_one_row(one=one, outcome=outcome) -> None:
            outcome.append(import_file(import_store, "routes", one))

        import_one.append(timed(import_one_row))
        assert stored(import_store.path, route_id) == (n, f"changed {i}")
        assert list(outcome[0].changed) == [route_id] and outcome[0].changed[route_id] == ["owner"]
    result["one_row"] = {"ogr2ogr": summary(gdal_one), "ours": summary(ours_one), "import": summary(import_one)}
    print(f"[{n}] one row: ogr2ogr {statistics.median(gdal_one):.3f} s, ours {statistics.median(ours_one):.3f} s, "
          f"import {statistics.median(import_one):.3f} s", flush=True)
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
        "- **Scope:** two figures on our side. *store*: the store layer alone (`GeoPackageStore.create` + "
        "`write`, `Transaction.upsert`). *import*: the whole `inventory.importer.import_file` (read with pyogrio, "
        "map, validate with `check_frame`, plan inside the write transaction, write), which is what the targets "
        "are about. Our store also builds a UNIQUE index on route_id (ogr2ogr builds none) and the import "
        "validates every value and geometry (ogr2ogr validates nothing).",
        "",
        "| routes | (a) bulk load: ogr2ogr | store | import | import / ogr2ogr (target ≤ 1.5) "
        "| (b) one-row change: ogr2ogr -upsert | store | import | import target ≤ 0.2 s |",
        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for r in results:
        g, o, m = (r["bulk"][k]["median"] for k in ("ogr2ogr", "ours", "import"))
        g1, o1, m1 = (r["one_row"][k]["median"] for k in ("ogr2ogr", "ours", "import"))
        lines.append(
            f"| {r['n']:,} | {g:.2f} s | {o:.2f} s ({o / g:.2f}×) | {m:.2f} s | {m / g:.2f}× "
            f"{'met' if m / g <= TARGET_BULK_RATIO else 'MISSED'} | {g1:.3f} s | {o1:.3f} s | {m1:.3f} s "
            f"| {'met' if m1 <= TARGET_ONE_ROW_S else 'MISSED'} |"
        )
    lines += ["", "Medians of the runs; best times:", ""]
    for r in results:
        lines.append(
            f"- {r['n']:,} routes: bulk ogr2ogr {r['bulk']['ogr2ogr']['best']:.2f} s, store "
            f"{r['bulk']['ours']['best']:.2f} s, import {r['bulk']['import']['best']:.2f} s "
            f"({r['bulk']['ours']['runs']} runs); one row ogr2ogr {r['one_row']['ogr2ogr']['best']:.3f} s, store "
            f"{r['one_row']['ours']['best']:.3f} s, import {r['one_row']['import']['best']:.3f} s "
            f"({r['one_row']['ours']['runs']} runs)"
        )
    lines += NOTES
    return "\n".join(lines) + "\n"


NOTES = [
    "",
    "Notes:",
    "",
    "- The one-row change costs what the change costs: an indexed lookup of the id, one UPDATE, one COMMIT; "
    "the import adds reading the one-row file, its checks and the plan (indexed lookups of the file's ids "
    "and references, the row count). Neither reads the whole layer. ogr2ogr's figure includes starting "
    "the program.",
    "- Bulk load: the R-tree of a load into an empty layer is written as one packed tree "
    "(`inventory/stores/gpkg_rtree.py`, as GDAL 3.6+ does), not box by box through SQLite's rtree module.",
    "- The import's bulk figure includes what ogr2ogr does not do: every value parsed and checked "
    "(`check_frame`: plain values by vectorised or cheap tests, the rest by the per-value rules with their "
    "messages), every geometry checked (shapely's vectorised is_valid, has_z, bounds), the source coordinates "
    "checked against the CRS, duplicate ids, the change report, and the UNIQUE key index.",
    "- The machine is shared with other jobs (2 cores): single runs vary by ±30 %; ogr2ogr is timed in the "
    "same loop, so the ratio is the steadier figure.",
    "- 1M routes: `--sizes 100000 1000000` (about 4 GB of memory and some minutes).",
]


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
