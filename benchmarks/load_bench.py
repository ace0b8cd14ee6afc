"""Load benchmark: concurrent readers running the analysis against PostGIS while an editor imports.

`python -m benchmarks.load_bench [--readers 20] [--seconds 30] [--out benchmarks/LOAD.md]` starts a
throwaway PostGIS cluster (scripts/postgis.sh), loads the Gelsenkirchen sample, creates the viewer and
editor roles (`inventory.roles`) with one login each, and runs three phases side by side:

1. one reader alone (the floor),
2. `--readers` readers at once,
3. the same readers while an editor imports again and again (upserts changing sites and routes).

A reader is a separate process logged in as the viewer (the app's connection); one iteration reads
every layer, builds the network, runs the redundancy analysis and the district KPIs. The editor's
imports go through `inventory.importer` as the editor login. Afterwards the benchmark checks that no
reader or import failed and that no write was lost: the store equals the editor's last import, every
element's version counts its changes, and the history holds one row per changed element per import.
The exit code is 1 if any check fails.
"""

from __future__ import annotations

import argparse
import datetime as dt
import multiprocessing as mp
import os
import platform
import statistics
import sys
import tempfile
import time
import traceback
from pathlib import Path

import numpy as np
import sqlalchemy as sa
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
DATABASE = "gelsennet_load"
VIEWER, EDITOR = "load_viewer", "load_editor"


# ---------------------------------------------------------------- the reader (a child process)
def reader(url: str, ready, start, stop, results) -> None:
    """Run the analysis in a loop between `start` and `stop`; put (latencies_s, errors) on `results`."""
    from coverage.kpis import district_kpis
    from inventory.stores import open_store
    from topology import build_network
    from topology.analysis import analyse

    store = open_store(url)
    latencies, errors = [], []
    try:
        store.read_all()  # connect and warm the imports before the clock starts
        ready.release()
        start.wait()
        while not stop.is_set():
            begin = time.perf_counter()
            try:
                frames = store.read_all()
                result = analyse(build_network(frames["routes"], frames["nodes"], frames["sites"]))
                district_kpis(frames, redundancy=result.sites)
                latencies.append(time.perf_counter() - begin)
            except Exception:  # noqa: BLE001 - every failure is counted and reported
                errors.append(traceback.format_exc(limit=3))
    except Exception:  # noqa: BLE001
        errors.append(traceback.format_exc(limit=3))
        ready.release()
    finally:
        store.close()
        results.put((latencies, errors))


def run_readers(url: str, n: int, seconds: float, during=None) -> tuple[list[float], list[str], object]:
    """`n` reader processes for `seconds` (while `during()` runs, if given); latencies, errors, its result."""
    context = mp.get_context("spawn")
    ready, start, stop, results = context.Semaphore(0), context.Event(), context.Event(), context.Queue()
    procs = [context.Process(target=reader, args=(url, ready, start, stop, results)) for _ in range(n)]
    for proc in procs:
        proc.start()
    for _ in procs:
        ready.acquire(timeout=300)
    start.set()
    outcome = None
    if during is not None:
        outcome = during(seconds)
    else:
        time.sleep(seconds)
    stop.set()
    latencies, errors = [], []
    for _ in procs:
        lat, err = results.get(timeout=600)
        latencies += lat
        errors += err
    for proc in procs:
        proc.join(timeout=60)
    return latencies, errors, outcome


# ---------------------------------------------------------------- the editor
def editor_imports(url: str, seconds: float) -> dict:
    """Import changed sites and routes (upsert) as the editor until `seconds` have passed."""
    from inventory.importer import import_file
    from inventory.stores import open_store

    store = open_store(url)
    folder = Path(tempfile.mkdtemp(prefix="gelsennet-load-"))
    base = store.read_all()
    latencies, errors, imports = [], [], []
    deadline = time.perf_counter() + seconds
    round_ = 0
    try:
        while time.perf_counter() < deadline:
            round_ += 1
            sites = base["sites"].copy()
            changed_sites = sites.index[round_ % 4::4]  # a quarter of the sites, another quarter each round
            sites.loc[changed_sites, "source"] = f"load benchmark round {round_}"
            routes = base["routes"].copy()
            changed_routes = routes.index[round_ % 10::10]
            routes.loc[changed_routes, "owner"] = f"load benchmark round {round_}"
            for layer, frame, changed in (("sites", sites, changed_sites), ("routes", routes, changed_routes)):
                path = folder / f"{layer}_{round_}.gpkg"
                frame.loc[changed].to_file(path, driver="GPKG", layer=layer)
                begin = time.perf_counter()
                try:
                    import_file(store, layer, path, mode="upsert")
                    latencies.append(time.perf_counter() - begin)
                    imports.append((layer, frame.loc[changed, LAYER_KEYS[layer]].astype(str).tolist()))
                except Exception:  # noqa: BLE001
                    errors.append(traceback.format_exc(limit=3))
                path.unlink()
            base = {**base, "sites": sites, "routes": routes}
    finally:
        store.close()
    return {"latencies": latencies, "errors": errors, "imports": imports, "last": base}


LAYER_KEYS = {"sites": "site_id", "routes": "route_id"}


def lost_writes(admin_url: str, outcome: dict) -> list[str]:
    """What the store lacks of the editor's imports: the final layers, versions and history rows."""
    from inventory.stores import open_store

    problems = []
    store = open_store(admin_url)
    try:
        for layer, key in LAYER_KEYS.items():
            now = store.read(layer).set_index(key).sort_index()
            want = outcome["last"][layer].set_index(key).sort_index()
            for column in ("source", "owner"):
                if column in want.columns and not now[column].equals(want[column]):
                    problems.append(f"{layer}.{column} differs from the editor's last import")
        changes: dict[tuple[str, str], int] = {}
        for layer, ids in outcome["imports"]:
            for element in ids:
                changes[(layer, element)] = changes.get((layer, element), 0) + 1
        engine = sa.create_engine(admin_url)
        with engine.connect() as connection:
            for layer, key in LAYER_KEYS.items():
                versions = dict(connection.execute(sa.text(f"SELECT {key}, version FROM {layer}")).all())
                for element, version in versions.items():
                    if version != 1 + changes.get((layer, element), 0):
                        problems.append(f"{layer} {element}: version {version}, expected "
                                        f"{1 + changes.get((layer, element), 0)}")
                        break
            updates = connection.execute(sa.text(
                "SELECT count(*) FROM history WHERE action = 'update' AND layer IN ('sites', 'routes')")).scalar()
        engine.dispose()
        if updates != sum(changes.values()):
            made = sum(changes.values())
            problems.append(f"history has {updates} updates of sites and routes, the editor made {made}")
    finally:
        store.close()
    return problems


# ---------------------------------------------------------------- set-up and report
def prepare(server_url: str) -> tuple[str, str, str]:
    """A fresh database with the sample and the two logins: (owner URL, viewer URL, editor URL)."""
    from inventory import postgis
    from inventory.roles import add_login, ensure_roles, login_url
    from inventory.sample import build_sample
    from inventory.stores import open_store

    admin = sa.create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)'))
        connection.execute(sa.text(f'CREATE DATABASE "{DATABASE}"'))
    admin.dispose()
    url = make_url(server_url).set(database=DATABASE).render_as_string(hide_password=False)
    postgis.upgrade(url)
    store = open_store(url)
    store.write(build_sample())
    store.close()
    ensure_roles(url)
    add_login(url, VIEWER, "viewer")
    add_login(url, EDITOR, "editor")
    return url, login_url(url, VIEWER), login_url(url, EDITOR)


def stats(values: list[float]) -> dict:
    if not values:
        return {"n": 0, "p50": float("nan"), "p95": float("nan"), "max": float("nan")}
    array = np.asarray(values)
    return {"n": len(values), "p50": float(np.percentile(array, 50)), "p95": float(np.percentile(array, 95)),
            "max": float(array.max())}


def row(label: str, s: dict, errors: int, seconds: float) -> str:
    return (f"| {label} | {s['n']} | {s['n'] / seconds:.2f} | {s['p50']:.2f} s | {s['p95']:.2f} s | "
            f"{s['max']:.2f} s | {errors} |")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.load_bench", description=__doc__.splitlines()[0])
    parser.add_argument("--readers", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=30.0, help="length of each phase (default 30)")
    parser.add_argument("--server", help="maintenance URL of a PostgreSQL server with PostGIS "
                                         "(default: a throwaway cluster from scripts/postgis.sh)")
    parser.add_argument("--out", default=str(ROOT / "benchmarks" / "LOAD.md"))
    args = parser.parse_args(argv)

    from benchmarks.topology_bench import PgCluster

    cluster = None
    server = args.server
    if server is None:
        cluster = PgCluster(extension=None).start()
        if cluster.url is None:
            print(f"PostGIS {cluster.reason}", file=sys.stderr)
            return 1
        server = cluster.url
    try:
        owner, viewer_url, editor_url = prepare(server)
        print("phase 1: one reader", flush=True)
        alone, alone_errors, _ = run_readers(viewer_url, 1, args.seconds)
        print(f"phase 2: {args.readers} readers", flush=True)
        many, many_errors, _ = run_readers(viewer_url, args.readers, args.seconds)
        print(f"phase 3: {args.readers} readers and an editor importing", flush=True)
        loaded, loaded_errors, outcome = run_readers(viewer_url, args.readers, args.seconds,
                                                     during=lambda s: editor_imports(editor_url, s))
        problems = lost_writes(owner, outcome)
    finally:
        if cluster is not None:
            cluster.stop()
    failures = alone_errors + many_errors + loaded_errors + outcome["errors"]
    for failure in failures[:5]:
        print(failure, file=sys.stderr)
    for problem in problems:
        print(f"*** LOST WRITE: {problem}", file=sys.stderr)
    seconds = args.seconds
    lines = [
        "# Load benchmark: concurrent readers and an editor on PostGIS",
        "",
        f"- **Command:** `python -m benchmarks.load_bench --readers {args.readers} --seconds {args.seconds:g}` "
        "(from the repository root)",
        f"- **Date:** {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC; **machine:** {platform.machine()}, "
        f"{os.cpu_count()} cores (shared; readers, editor and PostgreSQL all on it); "
        f"Python {platform.python_version()}",
        "- **Data:** the Gelsenkirchen sample (2,031 routes, 1,255 nodes, 88 sites; SYNTHETIC network) in a "
        "throwaway PostGIS cluster, with the history triggers of revision 0002.",
        "- **Reader:** a process logged in as a member of the viewer role; one iteration = read every layer, "
        "build the network, redundancy analysis, district KPIs. **Editor:** a member of the editor role, upsert "
        "imports of a quarter of the sites and a tenth of the routes, alternately, as fast as it can.",
        "",
        "| phase | iterations | per second | p50 | p95 | max | errors |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
        row("1 reader alone", stats(alone), len(alone_errors), seconds),
        row(f"{args.readers} readers", stats(many), len(many_errors), seconds),
        row(f"{args.readers} readers while the editor imports", stats(loaded), len(loaded_errors), seconds),
        row("the editor's imports (same phase)", stats(outcome["latencies"]), len(outcome["errors"]), seconds),
        "",
        f"- **Lost writes:** {'none' if not problems else '; '.join(problems)} "
        f"({len(outcome['imports'])} imports changing {sum(len(ids) for _, ids in outcome['imports'])} elements: "
        "the store equals the last import, every version counts its changes, the history has one update row "
        "per change).",
        f"- **Errors:** {len(failures)}.",
        "- With more readers than cores the latency grows with the queue: p50 with "
        f"{args.readers} readers is {statistics.median(many) / statistics.median(alone):.1f}× the single reader's "
        f"on {os.cpu_count()} cores." if many and alone else "",
    ]
    Path(args.out).write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines[9:]))
    print(f"results written to {args.out}")
    return 1 if failures or problems else 0


if __name__ == "__main__":
    sys.exit(main())
