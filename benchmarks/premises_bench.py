"""Premises benchmark: passed / near / gap for many address points, ours side by side with PostGIS and geopandas.

    python -m benchmarks.premises_bench --points 100000 1000000 --segments 100000 [--out benchmarks/PREMISES.md]

One network (`benchmarks.networks.fibre_network`) and, per size, deterministic synthetic address points
clustered around it. Every phase runs in a fresh subprocess (`--phase`, internal) with its own time and
peak resident memory (the helpers of `benchmarks.topology_bench`):

- ours: `coverage.premises.premises_status(points, routes)`;
- PostGIS: in-service routes and points loaded by COPY into a throwaway cluster, a GiST index on the
  routes, ANALYZE (each timed), then three queries, each timed alone: a KNN LATERAL query (distance to
  the nearest route for every point, status by CASE), the same bounded by ST_DWithin(near_m), and the
  status alone from two ST_DWithin EXISTS tests;
- geopandas buffer-and-union: buffer the in-service routes by passed_m and near_m, `union_all` each,
  then a vectorised prepared point-in-polygon test (`shapely.intersects_xy`): the class only.

Answers are compared after the phases of a size; any unexplained disagreement is printed loudly and
makes the exit code 1. See benchmarks/README.md ("Premises benchmark") for what each row measures.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import math
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from benchmarks import topology_bench
from benchmarks.report import _mb, _ok, _ratio, _s
from benchmarks.topology_bench import Meter, PgCluster, _best, _dump, _load, exit_code, run_phase

ROOT = Path(__file__).resolve().parents[1]
PHASES = ("points", "ours", "postgis", "geopandas")
STATUS = ("passed", "near", "gap")
TIE_M = 1e-6  # a point this close to a threshold may be classed either way by a peer
DIST_TOL_M = 1e-6  # distances must agree to this


# ---------------------------------------------------------------------------------------------
# the data


def address_points(routes, n: int, *, seed: int = 20261127) -> np.ndarray:
    """`n` synthetic address points (x, y) around the in-service routes, deterministic for (n, network).

    Like addresses along streets that carry fibre: each point picks an in-service route (weighted by
    length) and a place along it, then moves off in a random direction: 60 % by 3-25 m (the buildings
    on the street), 25 % by 10 m plus an exponential of mean 60 m (side streets, back buildings), and
    15 % are scattered uniformly over the network's extent. Every point lies inside that extent.
    """
    import shapely

    from coverage.gaps import in_service_lines

    rng = np.random.default_rng([seed, n, len(routes)])
    lines = in_service_lines(routes)
    length = shapely.length(lines)
    pick = rng.choice(len(lines), size=n, p=length / length.sum())
    xy = shapely.get_coordinates(shapely.line_interpolate_point(lines[pick], rng.random(n), normalized=True))
    kind = rng.random(n)
    offset = np.where(kind < 0.60, rng.uniform(3, 25, n), 10 + rng.exponential(60, n))
    angle = rng.uniform(0, 2 * np.pi, n)
    xy += np.column_stack([np.cos(angle), np.sin(angle)]) * offset[:, None]
    x0, y0, x1, y1 = shapely.total_bounds(lines)
    scattered = kind >= 0.85
    xy[scattered] = np.column_stack([rng.uniform(x0, x1, scattered.sum()), rng.uniform(y0, y1, scattered.sum())])
    xy[:, 0] = np.clip(xy[:, 0], x0, x1)
    xy[:, 1] = np.clip(xy[:, 1], y0, y1)
    return xy


def _thresholds():
    from coverage.config import load_config

    return load_config().status


# ---------------------------------------------------------------------------------------------
# phases (each runs in its own process)


def phase_generate(args, wd: Path) -> dict:
    from benchmarks.networks import fibre_network

    with Meter() as m:
        t0 = time.perf_counter()
        inv = fibre_network(args.segments)
        seconds = time.perf_counter() - t0
    _dump(wd / "routes.pkl", inv.routes)
    return {
        "total": seconds,
        **m.as_dict(),
        "routes": len(inv.routes),
        "in_service": int((inv.routes["status"] == "in_service").sum()),
    }


def phase_points(args, wd: Path) -> dict:
    routes = _load(wd.parent / "routes.pkl")
    with Meter() as m:
        t0 = time.perf_counter()
        xy = address_points(routes, args.size)
        seconds = time.perf_counter() - t0
    np.save(wd / "points.npy", xy)
    return {"total": seconds, **m.as_dict(), "points": len(xy)}


def phase_ours(args, wd: Path) -> dict:
    import geopandas as gpd
    import shapely

    from coverage.premises import premises_status

    routes = _load(wd.parent / "routes.pkl")
    points = gpd.GeoSeries(shapely.points(np.load(wd / "points.npy")), crs=routes.crs)
    reps, result = [], None
    with Meter() as m:
        for _ in range(args.repeats):
            del result
            t0 = time.perf_counter()
            result = premises_status(points, routes)
            reps.append({"total": time.perf_counter() - t0})
    np.savez(
        wd / "ours.answers.npz",
        distance=result["distance_m"].to_numpy(dtype=float),
        status=result["status"].cat.codes.to_numpy(dtype=np.int8),
    )
    return {**_best(reps), **m.as_dict(), "rows": len(result)}


def _queries(passed_m: float, near_m: float) -> dict[str, str]:
    status = f"CASE WHEN n.d <= {passed_m!r} THEN 'passed' WHEN n.d <= {near_m!r} THEN 'near' ELSE 'gap' END"
    return {
        # distance to the nearest in-service route for every point (true distance: index-assisted KNN)
        "knn": (
            f"SELECT p.id, n.d AS distance_m, {status} AS status FROM points p LEFT JOIN LATERAL "
            "(SELECT ST_Distance(r.geom, p.geom) AS d FROM routes r ORDER BY r.geom <-> p.geom LIMIT 1) n ON true"
        ),
        # the same, searched only within near_m (distance NULL beyond: a gap), as ours' passes are bounded
        "knn_dwithin": (
            f"SELECT p.id, n.d AS distance_m, {status} AS status FROM points p LEFT JOIN LATERAL "
            f"(SELECT ST_Distance(r.geom, p.geom) AS d FROM routes r WHERE ST_DWithin(r.geom, p.geom, {near_m!r}) "
            "ORDER BY r.geom <-> p.geom LIMIT 1) n ON true"
        ),
        # the status alone: is any route within passed_m, else within near_m
        "dwithin_classes": (
            "SELECT p.id, NULL::float8 AS distance_m, CASE "
            f"WHEN EXISTS (SELECT 1 FROM routes r WHERE ST_DWithin(r.geom, p.geom, {passed_m!r})) THEN 'passed' "
            f"WHEN EXISTS (SELECT 1 FROM routes r WHERE ST_DWithin(r.geom, p.geom, {near_m!r})) THEN 'near' "
            "ELSE 'gap' END AS status FROM points p"
        ),
    }


def _copy_geoms(conn, table: str, geoms, srid: int) -> None:
    """COPY (id, geom) rows, the geometry as hex EWKB, in blocks."""
    import shapely

    step = 200_000
    with conn.cursor() as cur, cur.copy(f"COPY {table} (id, geom) FROM STDIN") as copy:
        for s in range(0, len(geoms), step):
            hexes = shapely.to_wkb(shapely.set_srid(geoms[s : s + step], srid), hex=True, include_srid=True)
            copy.write("".join(f"{s + k}\t{h}\n" for k, h in enumerate(hexes.tolist())))


def _fetch(conn, table: str, n: int) -> tuple[np.ndarray, np.ndarray]:
    """(distance, status code) per point id 0..n-1 from a result table (not timed)."""
    import pandas as pd

    buf = io.BytesIO()
    query = f"COPY (SELECT id, distance_m, status FROM {table} ORDER BY id) TO STDOUT"
    with conn.cursor() as cur, cur.copy(query) as copy:
        for block in copy:
            buf.write(block)
    buf.seek(0)
    frame = pd.read_csv(buf, sep="\t", header=None, names=["id", "d", "s"], na_values=["\\N"], keep_default_na=False)
    if len(frame) != n or not np.array_equal(frame["id"].to_numpy(), np.arange(n)):
        raise RuntimeError(f"{table}: {len(frame)} rows for {n} points, or ids missing")
    codes = pd.Categorical(frame["s"], categories=list(STATUS)).codes.astype(np.int8)
    return frame["d"].to_numpy(dtype=float), codes


def phase_postgis(args, wd: Path) -> dict:
    import psycopg
    import shapely

    from benchmarks.peers import _connect_retrying, _is_local_backend, _peak_kb
    from coverage.gaps import in_service_lines

    routes = _load(wd.parent / "routes.pkl")
    xy = np.load(wd / "points.npy")
    t = _thresholds()
    srid = routes.crs.to_epsg()
    url = args.pg_url.replace("postgresql+psycopg://", "postgresql://")
    database = f"premises_bench_{args.size}"
    with psycopg.connect(url, autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {database}")
        admin.execute(f"CREATE DATABASE {database}")
    out: dict = {"queries": {}}
    answers: dict[str, np.ndarray] = {}
    try:
        with psycopg.connect(url.rsplit("/", 1)[0] + "/" + database, autocommit=True) as conn:
            conn.execute("CREATE EXTENSION postgis")
            out["postgres_version"] = conn.execute("SHOW server_version").fetchone()[0]
            out["postgis_version"] = conn.execute("SELECT postgis_lib_version()").fetchone()[0]
            out["postgis_geos"] = conn.execute("SELECT postgis_geos_version()").fetchone()[0]
            out["parallel_workers_per_gather"] = conn.execute("SHOW max_parallel_workers_per_gather").fetchone()[0]
            lines = in_service_lines(routes)
            points = shapely.points(xy)
            del routes
            conn.execute(f"CREATE TABLE routes (id integer PRIMARY KEY, geom geometry(LineString, {srid}) NOT NULL)")
            conn.execute(f"CREATE TABLE points (id integer PRIMARY KEY, geom geometry(Point, {srid}) NOT NULL)")
            t0 = time.perf_counter()
            _copy_geoms(conn, "routes", lines, srid)
            t1 = time.perf_counter()
            _copy_geoms(conn, "points", points, srid)
            t2 = time.perf_counter()
            conn.execute("CREATE INDEX routes_geom ON routes USING gist (geom)")
            t3 = time.perf_counter()
            conn.execute("ANALYZE routes")
            conn.execute("ANALYZE points")
            t4 = time.perf_counter()
            out.update(load_routes_s=t1 - t0, load_points_s=t2 - t1, index_s=t3 - t2, analyze_s=t4 - t3)
            out["routes"], out["points"] = len(lines), len(points)
            del lines, points
            pid = conn.execute("SELECT pg_backend_pid()").fetchone()[0]
            local = _is_local_backend(pid)
            for name, sql in _queries(t.passed_m, t.near_m).items():
                plan = "\n".join(r[0] for r in conn.execute(f"EXPLAIN {sql}").fetchall())
                workers = [int(line.split(":")[1]) for line in plan.splitlines() if "Workers Planned" in line]
                if local:
                    try:
                        with open(f"/proc/{pid}/clear_refs", "w") as f:
                            f.write("5")
                    except OSError:
                        local = False
                t0 = time.perf_counter()
                conn.execute(f"CREATE TABLE res_{name} AS {sql}")
                seconds = time.perf_counter() - t0
                peak = _peak_kb(pid) if local else None
                answers[f"{name}_distance"], answers[f"{name}_status"] = _fetch(conn, f"res_{name}", len(xy))
                out["queries"][name] = {
                    "seconds": seconds,
                    "backend_peak_mb": peak * 1.024 / 1000 if peak is not None else None,
                    "workers_planned": max(workers, default=0),
                    "sql": sql,
                }
    finally:
        with _connect_retrying(psycopg, url) as admin:
            admin.execute(f"DROP DATABASE IF EXISTS {database}")
    np.savez(wd / "postgis.answers.npz", **answers)
    return out


def phase_geopandas(args, wd: Path) -> dict:
    import geopandas
    import shapely

    routes = _load(wd.parent / "routes.pkl")
    xy = np.load(wd / "points.npy")
    x, y = xy[:, 0].copy(), xy[:, 1].copy()
    del xy
    t = _thresholds()
    out: dict = {}
    with Meter() as m:
        t0 = time.perf_counter()
        in_service = routes[routes["status"] == "in_service"].geometry
        unions = {}
        for name, dist in (("passed", t.passed_m), ("near", t.near_m)):
            s = time.perf_counter()
            buffers = in_service.buffer(dist, resolution=args.quad_segs)
            out[f"buffer_{name}"] = time.perf_counter() - s
            s = time.perf_counter()
            unions[name] = buffers.union_all()
            out[f"union_{name}"] = time.perf_counter() - s
            del buffers
        s = time.perf_counter()
        for union in unions.values():
            shapely.prepare(union)
        in_near = shapely.intersects_xy(unions["near"], x, y)
        in_passed = np.zeros(len(x), dtype=bool)
        in_passed[in_near] = shapely.intersects_xy(unions["passed"], x[in_near], y[in_near])  # passed within near
        status = np.where(in_passed, 0, np.where(in_near, 1, 2)).astype(np.int8)
        out["classify"] = time.perf_counter() - s
        out["total"] = time.perf_counter() - t0
    np.savez(wd / "geopandas.answers.npz", status=status)
    return {
        **out,
        **m.as_dict(),
        "union_vertices": {k: int(shapely.get_num_coordinates(u)) for k, u in unions.items()},
        "union_holes": {k: int(shapely.get_num_interior_rings(shapely.get_parts(u)).sum()) for k, u in unions.items()},
        "quad_segs": args.quad_segs,
        "version": geopandas.__version__,
    }


PHASE_FUNCS = {"generate": phase_generate, **{name: globals()[f"phase_{name}"] for name in PHASES}}


# ---------------------------------------------------------------------------------------------
# the orchestrating run


def _child(args, phase: str, size: int, wd: Path, extra: list[str]) -> dict:
    cmd = [sys.executable, "-m", "benchmarks.premises_bench", "--phase", phase, "--size", str(size)]
    cmd += ["--workdir", str(wd), "--segments", str(args.segments), "--repeats", str(args.repeats)]
    cmd += ["--quad-segs", str(args.quad_segs), *extra]
    t0 = time.perf_counter()
    with open(wd / f"{phase}.log", "w") as log:
        try:
            code = subprocess.run(
                cmd, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, timeout=args.phase_timeout
            ).returncode
        except subprocess.TimeoutExpired:
            code = "timeout"
    if code != 0:
        tail = (wd / f"{phase}.log").read_text(errors="replace").strip().splitlines()[-12:]
        return {"error": f"exit {code} after {time.perf_counter() - t0:.0f} s", "log": tail}
    return json.loads((wd / f"{phase}.json").read_text())


def buffer_error_m(distance: float, quad_segs: int) -> float:
    """How far inside the true buffer of `distance` GEOS's polygon may fall or reach out.

    Its arcs are chords with vertices on the circle (sagitta d(1 - cos(pi / 4q))), and GEOS simplifies
    the input line by 1 % of the distance before buffering (its default simplify factor)."""
    return distance * (1 - math.cos(math.pi / (4 * quad_segs))) + 0.01 * distance


def check(wd: Path, res: dict, quad_segs: int) -> tuple[list[str], list[str], dict]:
    """(problems, notes, counts) from the saved answers of one size."""
    problems, notes, counts = [], [], {}
    t = _thresholds()

    def load(name):
        path = wd / f"{name}.answers.npz"
        return dict(np.load(path)) if path.exists() else None

    ours, pg, gp = load("ours"), load("postgis"), load("geopandas")
    if ours is None:
        return ["no answers from ours"], notes, counts
    d, s = ours["distance"], ours["status"]
    counts["status"] = {name: int((s == k).sum()) for k, name in enumerate(STATUS)}
    counts["no_distance"] = int(np.isnan(d).sum())
    tie = (np.abs(d - t.passed_m) <= TIE_M) | (np.abs(d - t.near_m) <= TIE_M)
    counts["ties"] = int(tie.sum())
    notes.append(f"{counts['ties']:,} points lie within {TIE_M:g} m of a threshold (their status may differ)")
    if pg is not None:
        for name, label in (
            ("knn", "PostGIS KNN"),
            ("knn_dwithin", "PostGIS KNN within near_m"),
            ("dwithin_classes", "PostGIS ST_DWithin classes"),
        ):
            if f"{name}_status" not in pg:
                continue
            differ = (pg[f"{name}_status"] != s) & ~tie
            if differ.any():
                k = np.flatnonzero(differ)
                problems.append(f"{label}: status differs for {len(k):,} points, e.g. ids {k[:5].tolist()}")
            else:
                notes.append(f"{label}: the same status for all {len(s):,} points")
            if name == "dwithin_classes":
                continue
            theirs = pg[f"{name}_distance"]
            expect = d if name == "knn" else np.where(d <= t.near_m, d, np.nan)
            both = ~np.isnan(theirs) & ~np.isnan(expect)
            nan_differ = (np.isnan(theirs) != np.isnan(expect)) & ~tie
            diff = np.abs(theirs[both] - expect[both])
            worst = float(diff.max()) if len(diff) else 0.0
            counts[f"{name}_max_distance_diff_m"] = worst
            if nan_differ.any():
                k = np.flatnonzero(nan_differ)
                problems.append(f"{label}: a distance on one side only for {len(k):,} points, e.g. {k[:5].tolist()}")
            if worst > DIST_TOL_M:
                k = np.flatnonzero(both)[diff > DIST_TOL_M]
                problems.append(
                    f"{label}: distance differs by more than {DIST_TOL_M:g} m for {len(k):,} points "
                    f"(at most {worst:.3g} m), e.g. ids {k[:5].tolist()}"
                )
            else:
                notes.append(
                    f"{label}: distances agree for {int(both.sum()):,} points (largest difference {worst:.2g} m)"
                )
    if gp is not None:
        theirs = gp["status"]
        differ = (theirs != s) & ~tie
        # one class apart, across the threshold between those classes, within the buffer's approximation
        threshold = np.where(np.minimum(theirs, s) == 0, t.passed_m, t.near_m)
        error = np.where(np.minimum(theirs, s) == 0, buffer_error_m(t.passed_m, quad_segs),
                         buffer_error_m(t.near_m, quad_segs))
        explained = differ & (np.abs(theirs.astype(int) - s) == 1) & (np.abs(d - threshold) <= error + TIE_M)
        counts["geopandas_explained"] = int(explained.sum())
        counts["geopandas_explained_worse"] = int((explained & (theirs > s)).sum())
        counts["geopandas_explained_max_m"] = float(np.abs(d - threshold)[explained].max()) if explained.any() else 0.0
        unexplained = differ & ~explained
        if unexplained.any():
            k = np.flatnonzero(unexplained)
            problems.append(f"geopandas buffer-and-union: status differs for {len(k):,} points, e.g. {k[:5].tolist()}")
        if explained.any():
            notes.append(
                f"geopandas buffer-and-union: the same status for all points but {counts['geopandas_explained']:,}, "
                f"each within {counts['geopandas_explained_max_m']:.3f} m of a threshold (allowed: the polygonal "
                f"buffer's error, {buffer_error_m(t.passed_m, quad_segs):.3f} m at {t.passed_m:g} m and "
                f"{buffer_error_m(t.near_m, quad_segs):.3f} m at {t.near_m:g} m); "
                f"{counts['geopandas_explained_worse']:,} of them classed worse than the true distance"
            )
        elif not unexplained.any():
            notes.append(f"geopandas buffer-and-union: the same status for all {len(s):,} points")
    return problems, notes, counts


def code_digest() -> str:
    """A short sha256 of the code measured: coverage/premises.py, gaps.py, config.py, defaults.toml."""
    digest = hashlib.sha256()
    for name in ("premises.py", "gaps.py", "config.py", "defaults.toml"):
        path = ROOT / "coverage" / name
        digest.update(name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:12]


def machine(args, argv: list[str]) -> dict:
    import geopandas
    import shapely

    try:
        info = topology_bench.machine_info(args, argv)
    except ImportError:  # the topology peers (the bench extra) are not needed here
        info = {"cpu": "unknown", "cores": None, "memory_gb": None, "kernel": "", "python": sys.version.split()[0]}
    for key in ("networkx", "igraph", "scipy", "topology_digest", "topology_changed"):
        info.pop(key, None)
    info.update(
        numpy=np.__version__,
        geopandas=geopandas.__version__,
        shapely=shapely.__version__,
        geos=shapely.geos_version_string,
        command=shlex.join(["python", "-m", "benchmarks.premises_bench", *argv]),
        digest=code_digest(),
        changed=[],
    )
    return info


def run_all(args, argv: list[str]) -> int:
    info = machine(args, argv)
    base = Path(args.workdir) if args.workdir else Path(tempfile.mkdtemp(prefix="premises-bench-"))
    base.mkdir(parents=True, exist_ok=True)
    out = Path(args.out)
    results: dict = {}
    failed = False
    pg = PgCluster(extension=None)  # PostGIS only
    if args.no_postgis:
        pg.reason = "not run (--no-postgis)"
    else:
        print("starting a throwaway PostgreSQL + PostGIS cluster ...", flush=True)
        pg.start()
        print(f"  {pg.url or pg.reason}", flush=True)
    try:
        print(f"[network] fibre_network({args.segments:,}) ...", end=" ", flush=True)
        network = _child(args, "generate", 0, base, [])
        if "error" in network:
            print(f"FAILED: {network['error']}\n    " + "\n    ".join(network["log"]), flush=True)
            return 1
        print(f"{_s(network['total'])}, {network['in_service']:,} of {network['routes']:,} routes in service")
        info["network"] = network
        for size in args.points:
            wd = base / f"p{size}"
            wd.mkdir(parents=True, exist_ok=True)
            res: dict = {}
            for phase in PHASES:
                extra = []
                if phase == "postgis":
                    if not pg.url:
                        res[phase] = {"status": pg.reason}
                        continue
                    extra = ["--pg-url", pg.url]
                print(f"[{size:,} points] {phase} ...", end=" ", flush=True)
                res[phase] = r = _child(args, phase, size, wd, extra)
                if "error" in r:
                    failed = True
                    print(f"FAILED: {r['error']}\n    " + "\n    ".join(r["log"]), flush=True)
                    if phase == "points":
                        break
                    continue
                if phase == "postgis":
                    shown = ", ".join(f"{k} {_s(q['seconds'])}" for k, q in r["queries"].items())
                    print(f"load {_s(r['load_routes_s'] + r['load_points_s'])}, index {_s(r['index_s'])}; {shown}")
                else:
                    print(f"{_s(r['total'])}, peak {_mb(r['peak_mb'])}", flush=True)
            problems, notes, counts = check(wd, res, args.quad_segs)
            res.update(problems=problems, notes=notes, counts=counts)
            for note in notes:
                print(f"  ok: {note}", flush=True)
            for problem in problems:
                print(f"\n  *** MISMATCH ({size:,} points): {problem} ***\n", flush=True, file=sys.stderr)
            results[size] = res
            now = code_digest()
            if now != info["digest"] and now not in info["changed"]:
                info["changed"].append(now)
                print(f"  WARNING: coverage/ changed during the run (now {now}): results mix code versions")
            out.write_text(render(info, results, args))
            if not args.keep:
                for path in [*wd.glob("*.npy"), *wd.glob("*.npz")]:
                    path.unlink()
    finally:
        pg.stop()
        if not args.keep and not args.workdir:
            shutil.rmtree(base, ignore_errors=True)
    return exit_code(results, failed, out)


# ---------------------------------------------------------------------------------------------
# the results file


def _ok_run(r) -> bool:
    return r is not None and "error" not in r and "status" not in r


def _phase_rows(res: dict, t) -> list[str]:
    rows = []

    def row(name: str, what: str, seconds, peak=None, delta=None) -> None:
        rows.append(f"| {name} | {what} | {_s(seconds)} | {_mb(peak)} | {_mb(delta)} |")

    def failed(name: str, r: dict) -> None:
        rows.append(f"| {name} | | {r.get('error') or r.get('status')} | | |")

    p = res.get("points")
    if _ok_run(p):
        row("address points", "`address_points(routes, n)` (synthetic, deterministic)", p["total"], p["peak_mb"])
    o = res.get("ours")
    if _ok_run(o):
        best = f"best of {o['repeats']}, median {_s(o['median_total'])}" if o["repeats"] > 1 else "one run"
        row(
            "**ours**",
            f"`premises_status(points, routes)`: distance to the nearest in-service route for every point and the "
            f"status; one thread; {best}",
            o["total"],
            o["peak_mb"],
            o["delta_mb"],
        )
    elif o is not None:
        failed("ours", o)
    g = res.get("postgis")
    if _ok_run(g):
        row("PostGIS: load routes", f"COPY of {g['routes']:,} in-service routes (hex EWKB, encoding included)",
            g["load_routes_s"])
        row("PostGIS: load points", f"COPY of {g['points']:,} points", g["load_points_s"])
        row("PostGIS: index", "`CREATE INDEX ... USING gist (geom)` on the routes", g["index_s"])
        row("PostGIS: analyze", "`ANALYZE` both tables", g["analyze_s"])
        what = {
            "knn": "**KNN LATERAL**: `ORDER BY r.geom <-> p.geom LIMIT 1`, `ST_Distance`, status by CASE: every "
            "point's distance and status",
            "knn_dwithin": "KNN LATERAL with `ST_DWithin(r.geom, p.geom, near_m)`: distance only within near_m",
            "dwithin_classes": "`CASE WHEN EXISTS (... ST_DWithin(passed_m)) ... EXISTS (... ST_DWithin(near_m))`: "
            "status only",
        }
        for name, q in g["queries"].items():
            workers = f"{q['workers_planned']} parallel workers planned" if q["workers_planned"] else "no workers"
            row(f"PostGIS: {name}", f"{what[name]}; {workers}", q["seconds"], q["backend_peak_mb"])
    elif g is not None:
        failed("PostGIS", g)
    b = res.get("geopandas")
    if _ok_run(b):
        for name, dist in (("passed", t.passed_m), ("near", t.near_m)):
            row(f"geopandas: buffer {dist:g} m", f"`GeoSeries.buffer({dist:g}, resolution={b['quad_segs']})`",
                b[f"buffer_{name}"])
            row(f"geopandas: union {dist:g} m",
                f"`union_all()`: {b['union_vertices'][name]:,} vertices, {b['union_holes'][name]:,} holes",
                b[f"union_{name}"])
        row("geopandas: classify", "`shapely.prepare` + `shapely.intersects_xy` (near, then passed within near)",
            b["classify"])
        row("**geopandas buffer-and-union**", "all of the above: the class only, no distance", b["total"], b["peak_mb"],
            b["delta_mb"])
    elif b is not None:
        failed("geopandas", b)
    return rows


def _ratios(size: int, res: dict, largest: int) -> tuple[list[str], list[tuple]]:
    rows, targets = [], []
    o, g, b = res.get("ours"), res.get("postgis"), res.get("geopandas")
    if not _ok_run(o):
        return rows, targets
    ours = o["total"]
    if _ok_run(g):
        for name, q in g["queries"].items():
            rows.append(f"| PostGIS `{name}` query / ours | {_s(ours)} | {_s(q['seconds'])} | "
                        f"**{_ratio(q['seconds'] / ours)}** |")
        fastest = min(g["queries"], key=lambda k: g["queries"][k]["seconds"])
        seconds = g["queries"][fastest]["seconds"]
        setup = g["load_routes_s"] + g["load_points_s"] + g["index_s"] + g["analyze_s"]
        rows.append(f"| PostGIS load + index + analyze + `{fastest}` / ours | {_s(ours)} | {_s(setup + seconds)} | "
                    f"{_ratio((setup + seconds) / ours)} |")
        if size == largest:
            targets.append((size, f"faster than PostGIS (its fastest query, `{fastest}`, alone)",
                            f"{_ratio(seconds / ours)} ({_s(ours)} vs {_s(seconds)})", seconds > ours))
    if _ok_run(b):
        rows.append(f"| geopandas buffer-and-union / ours | {_s(ours)} | {_s(b['total'])} | "
                    f"**{_ratio(b['total'] / ours)}** |")
        rows.append(f"| geopandas classification alone (unions already built) / ours | {_s(ours)} | "
                    f"{_s(b['classify'])} | {_ratio(b['classify'] / ours)} |")
        if size == largest:
            targets.append((size, "faster than geopandas buffer-and-union", f"{_ratio(b['total'] / ours)} "
                            f"({_s(ours)} vs {_s(b['total'])})", b["total"] > ours))
    if size == largest:
        same = not res.get("problems") and (_ok_run(g) or _ok_run(b))
        targets.append((size, "same answers", "see Answers", same))
    return rows, targets


def render(info: dict, results: dict, args) -> str:
    t = _thresholds()
    net = info.get("network", {})
    pg = next((r["postgis"] for r in results.values() if _ok_run(r.get("postgis"))), None)
    lines = [
        "# Premises benchmark results",
        "",
        "Generated by `benchmarks/premises_bench.py` (see [`README.md`](README.md#premises-benchmark)). Every number "
        "below, ratios included, comes from this one run.",
        "",
        f"- **Command:** `{info['command']}` (from the repository root, with `.venv/bin/python`)",
        f"- **Date:** {info.get('date', '')}",
        f"- **Machine:** {info['cpu']}, {info['cores']} cores, {info['memory_gb']} GB RAM, Linux {info['kernel']} "
        "(shared and noisy: compare ratios within this run only)",
        f"- **Versions:** Python {info['python']}, numpy {info['numpy']}, pandas {info.get('pandas', '?')}, shapely "
        f"{info['shapely']} (GEOS {info['geos']}), geopandas {info['geopandas']}"
        + (f"; PostgreSQL {pg['postgres_version']}, PostGIS {pg['postgis_version']} (GEOS {pg['postgis_geos']}), "
           f"`max_parallel_workers_per_gather` = {pg['parallel_workers_per_gather']}, other settings default"
           if pg else ""),
    ]
    if info.get("changed"):
        lines.append(f"- **WARNING: `coverage/` changed during this run** ({info['digest']} at the start, then "
                     f"{', '.join(info['changed'])}): the sizes measured mix code versions")
    else:
        lines.append(f"- **Code measured:** sha256 of `coverage/premises.py`, `gaps.py`, `config.py`, `defaults.toml`: "
                     f"{info['digest']} (unchanged during the run)")
    if net:
        lines.append(
            f"- **Network:** `fibre_network({args.segments:,})`: {net['routes']:,} routes, {net['in_service']:,} in "
            f"service (the planned ones are left out everywhere); generated in {_s(net['total'])}"
        )
    lines += [
        f"- **Thresholds** (`coverage/defaults.toml`): passed ≤ {t.passed_m:g} m, near ≤ {t.near_m:g} m, else gap.",
        "- **Time:** wall clock of the named calls or the query alone; inputs already in memory (ours, geopandas) or "
        "loaded and indexed (PostGIS: each query runs as `CREATE TABLE res AS <query>` on the server, so "
        "sending the rows to the client is not included).",
        "- **Peak RSS:** ours and geopandas: the phase's own process, high-water mark reset right before the timed "
        "calls (includes the interpreter and the inputs); Δ is what the phase added. PostGIS: the server backend "
        "running the query (its parallel workers, if any, not included). MB = 10^6 bytes.",
        "",
    ]
    all_targets = []
    largest = max(results) if results else 0
    for size, res in results.items():
        lines += [f"## {size:,} address points", ""]
        counts = res.get("counts", {})
        if "status" in counts:
            c = counts["status"]
            lines += [f"Points by status (ours): {c['passed']:,} passed, {c['near']:,} near, {c['gap']:,} gap.", ""]
        lines += [
            "| phase | what the time includes | time | peak RSS | Δ peak |",
            "| --- | --- | ---: | ---: | ---: |",
            *_phase_rows(res, t),
            "",
        ]
        ratio_rows, targets = _ratios(size, res, largest)
        all_targets += targets
        if ratio_rows:
            lines += [
                "| comparison (same run) | ours | peer | peer / ours |",
                "| --- | ---: | ---: | ---: |",
                *ratio_rows,
                "",
            ]
        lines += ["Answers:", ""]
        lines += [f"- {n}" for n in res.get("notes", [])]
        lines += [f"- **MISMATCH: {p}**" for p in res.get("problems", [])]
        lines.append("")
    if all_targets:
        lines += [
            "## Target (docs/design.md, Performance targets: distance of 1M premises to the network, faster than both)",
            "",
            "| points | target | measured (peer / ours) | |",
            "| ---: | --- | ---: | --- |",
            *[f"| {size:,} | {name} | {measured} | {_ok(met)} |" for size, name, measured, met in all_targets],
            "",
        ]
    if pg:
        lines += ["## The PostGIS queries", ""]
        for name, q in pg["queries"].items():
            lines += [f"`{name}`:", "", "```sql", q["sql"], "```", ""]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    parser = argparse.ArgumentParser(prog="python -m benchmarks.premises_bench", description=__doc__.split("\n")[0])
    parser.add_argument("--points", type=int, nargs="+", default=[100_000, 1_000_000], help="numbers of address points")
    parser.add_argument("--segments", type=int, default=100_000, help="routes in the network")
    parser.add_argument("--out", default=str(ROOT / "benchmarks" / "PREMISES.md"), help="Markdown results file")
    parser.add_argument("--repeats", type=int, default=3, help="repetitions of ours (best is reported)")
    parser.add_argument("--quad-segs", type=int, default=16, help="geopandas buffer resolution (its default: 16)")
    parser.add_argument("--no-postgis", action="store_true", help="skip PostGIS")
    parser.add_argument("--phase-timeout", type=float, default=3600.0, help="seconds before a phase is killed")
    parser.add_argument("--workdir", help="keep intermediate files here (default: a temporary directory)")
    parser.add_argument("--keep", action="store_true", help="keep the points and answers")
    # internal: one phase in a child process
    parser.add_argument("--phase", choices=("generate", *PHASES), help=argparse.SUPPRESS)
    parser.add_argument("--size", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--pg-url", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.phase:
        return run_phase(args, PHASE_FUNCS)
    return run_all(args, argv)


if __name__ == "__main__":
    sys.exit(main())
