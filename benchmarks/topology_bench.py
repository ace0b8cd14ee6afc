"""Topology benchmark: our engine side by side with NetworkX, igraph and pgRouting, in one run.

    python -m benchmarks.topology_bench --sizes 10000 100000 1000000 [--out benchmarks/RESULTS.md]

For each size, a network from `benchmarks.networks` is generated once and every phase runs in a
fresh subprocess (`--phase`, internal), so that the peak resident memory of each phase is its own:
the child resets the kernel's high-water mark (/proc/self/clear_refs) right before the timed section
and reads VmHWM after it. Answers are compared after the phases of a size; any disagreement is
printed loudly and makes the exit code 1. See benchmarks/README.md for what each row measures.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import glob
import hashlib
import json
import os
import pickle
import platform
import resource
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
PHASES = ("generate", "build", "segment", "node", "trench", "whole", "degraded", "degraded_naive", "degraded_networkx",
          "igraph", "networkx", "pgrouting")
MB = 1.024 / 1000  # kB (kibibytes, as /proc reports them) to MB (10^6 bytes)


# ---------------------------------------------------------------------------------------------
# memory and timing inside a phase


def _status_kb(field: str) -> int | None:
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


class Meter:
    """Peak resident memory over a section: VmHWM after resetting it (Linux >= 4.0), else ru_maxrss."""

    def __enter__(self) -> Meter:
        gc.collect()
        self.rss_start = _status_kb("VmRSS")
        try:
            with open("/proc/self/clear_refs", "w") as f:
                f.write("5")
            self.method = "VmHWM after reset"
        except OSError:
            self.method = "ru_maxrss (process lifetime)"
        return self

    def __exit__(self, *exc) -> None:
        peak = _status_kb("VmHWM") if self.method.startswith("VmHWM") else None
        if peak is None:
            peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
            self.method = "ru_maxrss (process lifetime)"
        self.peak_mb = peak * MB
        self.delta_mb = (peak - (self.rss_start or 0)) * MB
        self.start_mb = (self.rss_start or 0) * MB

    def as_dict(self) -> dict:
        return {
            "peak_mb": self.peak_mb,
            "delta_mb": self.delta_mb,
            "start_mb": self.start_mb,
            "mem_method": self.method,
        }


def _dump(path: Path, obj) -> None:
    with open(path, "wb") as f:
        pickle.dump(obj, f, protocol=pickle.HIGHEST_PROTOCOL)


def _load(path: Path):
    with open(path, "rb") as f:
        return pickle.load(f)


def _best(reps: list[dict]) -> dict:
    """The repetition with the smallest total, plus the median total."""
    best = min(reps, key=lambda r: r["total"])
    return {**best, "median_total": float(np.median([r["total"] for r in reps])), "repeats": len(reps)}


# ---------------------------------------------------------------------------------------------
# phases (each runs in its own process)


def phase_generate(args, wd: Path) -> dict:
    from benchmarks.networks import fibre_network

    with Meter() as m:
        t0 = time.perf_counter()
        inv = fibre_network(args.size)
        seconds = time.perf_counter() - t0
    shared = inv.routes["trench_id"].value_counts()
    _dump(wd / "inputs.pkl", (inv.routes, inv.nodes, inv.sites))
    return {
        "total": seconds,
        **m.as_dict(),
        "routes": len(inv.routes),
        "routes_planned": int((inv.routes["status"] == "planned").sum()),
        "routes_in_shared_trench": int(shared[shared > 1].sum()),
        "shared_trenches": int((shared > 1).sum()),
        "nodes": len(inv.nodes),
        "pops": int((inv.nodes["kind"] == "pop").sum()),
        "sites": len(inv.sites),
        "sites_without_handover": int(inv.sites["handover_node_id"].isna().sum()),
    }


def phase_build(args, wd: Path) -> dict:
    from benchmarks.peers import GraphArrays
    from topology.network import build_network

    routes, nodes, sites = _load(wd / "inputs.pkl")
    with Meter() as m:
        t0 = time.perf_counter()
        network = build_network(routes, nodes, sites)
        seconds = time.perf_counter() - t0
    arrays = GraphArrays.from_network(network)
    _dump(wd / "network.pkl", network)
    _dump(wd / "arrays.pkl", arrays)
    pairs = np.minimum(arrays.edge_u, arrays.edge_v) * (arrays.n_vertices + 1) + np.maximum(
        arrays.edge_u, arrays.edge_v
    )
    _, multiplicity = np.unique(pairs, return_counts=True)
    return {
        "total": seconds,
        **m.as_dict(),
        "edges": network.n_edges,
        "vertices": network.n_vertices,
        "pops": len(network.pop_vertices),
        "sites_attached": int((network.sites["vertex"] >= 0).sum()),
        "split_pieces": int((network.edge_id != network.edge_route_id).sum()),
        "duplicate_route_ids": int(len(network.edge_route_id) - len(set(network.edge_route_id.tolist()))),
        "parallel_edges": int(multiplicity[multiplicity > 1].sum()),
        "findings": dict(Counter(f.rule for f in network.findings)),
    }


def _time_cut_index_and(network, repeats: int, name: str, step):
    """Time `build_cut_index` and then `step(index)`, `repeats` times, under one memory meter.

    Returns the per-repetition times (`cut_index`, `name`, `total`, seconds), the meter, and the table the last
    repetition made; the previous repetition's index and table are freed first, so the peak is one of each.
    """
    from topology.cuts import build_cut_index

    reps = []
    table = index = None
    with Meter() as m:
        for _ in range(repeats):
            del table, index
            t0 = time.perf_counter()
            index = build_cut_index(network)
            t1 = time.perf_counter()
            table = step(index)
            t2 = time.perf_counter()
            reps.append({"cut_index": t1 - t0, name: t2 - t1, "total": t2 - t0})
    return reps, m, table


def _ours(args, wd: Path, impact_name: str) -> dict:
    """build_cut_index + one impact function, repeated; answers of the last repetition are saved."""
    import pandas as pd

    from benchmarks.peers import answers_from_table
    from topology import redundancy
    from topology.cuts import build_cut_index

    impact = getattr(redundancy, impact_name)
    network = _load(wd / "network.pkl")
    reps, m, table = _time_cut_index_and(network, args.repeats, "impact", impact)
    out = {**_best(reps), **m.as_dict(), "rows": len(table), "best_impact_only": min(r["impact"] for r in reps)}
    answers = answers_from_table(table, pd.Index(network.sites["site_id"].to_numpy(dtype=object)))
    if impact_name == "segment_impact":
        try:  # bridge detection alone, for the like-for-like comparison with igraph's bridges()
            from topology.cuts import segment_cuts
        except ImportError:
            segment_cuts = None
        if segment_cuts is not None:
            bridge_reps = []
            for _ in range(args.repeats):
                t0 = time.perf_counter()
                cuts = segment_cuts(build_cut_index(network))
                bridge_reps.append({"total": time.perf_counter() - t0})
            out["bridges_only"] = _best(bridge_reps)
            answers["bridges_only"] = np.sort(network.edge_route_id[cuts["edge"].to_numpy()].astype(str))
    _dump(wd / f"{args.phase}.answers.pkl", answers)
    return out


def phase_segment(args, wd: Path) -> dict:
    return _ours(args, wd, "segment_impact")


def phase_node(args, wd: Path) -> dict:
    return _ours(args, wd, "node_impact")


def phase_trench(args, wd: Path) -> dict:
    network = _load(wd / "network.pkl")
    trench = network.edge_trench_id.astype(str)
    _, counts = np.unique(trench, return_counts=True)
    del network
    return {**_ours(args, wd, "trench_impact"), "trenches": len(counts), "multi_edge_trenches": int((counts > 1).sum())}


def phase_whole(args, wd: Path) -> dict:
    """What `gelsennet analyse --json` computes, itemised: `build_network`, every step of
    `topology.analysis.analyse` (timed by analyse itself), and the criticality table with the degraded
    sites joined (`Analysis.criticality_with_degraded`), as the JSON output needs it."""
    from topology.analysis import analyse
    from topology.network import build_network

    routes, nodes, sites = _load(wd / "inputs.pkl")
    steps: dict[str, float] = {}
    with Meter() as m:
        t0 = time.perf_counter()
        network = build_network(routes, nodes, sites)
        steps["build_network"] = time.perf_counter() - t0
        result = analyse(network, timings=steps)
        t1 = time.perf_counter()
        criticality = result.criticality_with_degraded()
        steps["criticality_with_degraded"] = time.perf_counter() - t1
        total = time.perf_counter() - t0
    return {
        "total": total,
        "steps": steps,
        "build": steps["build_network"],
        "cut_index": steps["build_cut_index"],
        "failure_impact": steps["failure_impact"],
        "site_redundancy": steps["site_redundancy"],
        **m.as_dict(),
        "impact_rows": len(result.criticality),
        "criticality_rows": len(criticality),
        "site_rows": len(result.sites),
        "sites_redundant": int(result.sites["redundant"].sum()),
        "possibly_one_trench_pairs": len(result.possibly_one_trench),
    }


def phase_degraded(args, wd: Path) -> dict:
    """Ours: degraded sites for every segment, node and trench (`build_cut_index` + `degraded_sites`, timed);
    `site_redundancy`, its input, is timed apart and not included (it belongs to the whole analysis)."""
    from topology.degraded import degraded_sites
    from topology.redundancy import site_redundancy

    network = _load(wd / "network.pkl")
    t0 = time.perf_counter()
    sites = site_redundancy(network)
    redundancy_s = time.perf_counter() - t0
    reps, m, table = _time_cut_index_and(
        network, args.repeats, "degraded", lambda index: degraded_sites(network, index=index, sites=sites)
    )
    answers = {(k, e): set(s) for k, e, s in zip(table["element"], table["element_id"], table["degraded_sites"],
                                                  strict=True)}
    _dump(wd / "degraded.answers.pkl", answers)
    n_elements = len(set(network.edge_route_id.tolist())) + len(set(network.edge_trench_id.tolist()))
    n_elements += network.n_vertices
    return {**_best(reps), **m.as_dict(), "rows": len(table), "site_redundancy": redundancy_s,
            "sites_redundant": int(sites["redundant"].sum()), "elements": n_elements,
            "degraded_links": int(table["n_degraded_sites"].sum())}


def _degraded_sampled(args, wd: Path, name: str) -> dict:
    """A peer of `phase_degraded` on a sample: k uniform elements and k with degraded sites (ours' rows)."""
    from benchmarks.degraded_peers import NxDegraded, naive_degraded, sample_elements

    network = _load(wd / "network.pkl")
    ours = _load(wd / "degraded.answers.pkl") if (wd / "degraded.answers.pkl").exists() else {}
    rng = np.random.default_rng(args.size + 16)
    sample = sample_elements(network, rng, args.degraded_samples, sorted(ours))
    out: dict = {}
    with Meter() as m:
        t0 = time.perf_counter()
        if name == "naive":
            from topology.redundancy import site_redundancy

            before = site_redundancy(network)["redundant"].to_numpy(dtype=bool)
            check = lambda edges, v: naive_degraded(network, before, edges, v)  # noqa: E731
        else:
            peer = NxDegraded(network)
            check = peer.degraded
        out["setup"] = time.perf_counter() - t0
        answers, seconds = [], []
        deadline = time.perf_counter() + args.degraded_budget
        for kind, element_id, edges, vertex in sample:
            t1 = time.perf_counter()
            answers.append((kind, element_id, check(edges, vertex)))
            seconds.append(time.perf_counter() - t1)
            if len(answers) >= 2 and time.perf_counter() > deadline:
                break
    _dump(wd / f"degraded_{name}.answers.pkl", answers)
    n_elements = len(set(network.edge_route_id.tolist())) + len(set(network.edge_trench_id.tolist()))
    n_elements += network.n_vertices
    per = float(np.mean(seconds))
    return {**out, **m.as_dict(), "samples": len(answers), "per_element": per,
            "per_element_min": float(np.min(seconds)), "per_element_max": float(np.max(seconds)),
            "elements": n_elements, "extrapolated_total": out["setup"] + per * n_elements}


def phase_degraded_naive(args, wd: Path) -> dict:
    return _degraded_sampled(args, wd, "naive")


def phase_degraded_networkx(args, wd: Path) -> dict:
    import networkx

    return {**_degraded_sampled(args, wd, "networkx"), "version": networkx.__version__}


def check_degraded(wd: Path, problems: list[str], notes: list[str]) -> None:
    """Ours' degraded sites against each sampled peer, element by element."""
    path = wd / "degraded.answers.pkl"
    if not path.exists():
        return
    ours = _load(path)
    for name, label in (("naive", "naive oracle (remove, site_redundancy again)"),
                        ("networkx", "NetworkX (remove, bridges + biconnected components + trench search)")):
        peer_path = wd / f"degraded_{name}.answers.pkl"
        if not peer_path.exists():
            continue
        sample = _load(peer_path)
        bad = [(k, e) for k, e, sites in sample if ours.get((k, e), set()) != sites]
        hits = sum(1 for _, _, sites in sample if sites)
        if bad:
            problems.append(f"degraded sites, {label}: {len(bad)} of {len(sample)} sampled elements differ, "
                            f"e.g. {bad[:5]}")
        else:
            notes.append(f"degraded sites, {label}: {len(sample)} sampled elements ({hits} with degraded sites) "
                         "agree with ours")


def phase_igraph(args, wd: Path) -> dict:
    import igraph

    from benchmarks.peers import answers_from_table, igraph_bridges, igraph_parallel_edge_check, igraph_segment_impact

    arrays = _load(wd / "arrays.pkl")
    parallel_ok = igraph_parallel_edge_check()
    reps = []
    table = None
    with Meter() as m:
        for _ in range(args.repeats):
            del table
            t0 = time.perf_counter()
            table, times = igraph_segment_impact(arrays, drop_parallel=not parallel_ok)
            reps.append({**times, "total": time.perf_counter() - t0})
    bridge_reps = []
    for _ in range(args.repeats):
        t0 = time.perf_counter()
        bridges, times = igraph_bridges(arrays)
        bridge_reps.append({**times, "total": time.perf_counter() - t0})
    import pandas as pd

    answers = answers_from_table(table, pd.Index(arrays.site_id))
    answers["bridges_only"] = np.sort(arrays.edge_route_id[bridges].astype(str))
    _dump(wd / "igraph.answers.pkl", answers)
    return {
        **_best(reps),
        **m.as_dict(),
        "rows": len(table),
        "bridges_only": _best(bridge_reps),
        "parallel_edge_ok": parallel_ok,
        "version": igraph.__version__,
    }


def phase_networkx(args, wd: Path) -> dict:
    from benchmarks.peers import NxOracle

    arrays = _load(wd / "arrays.pkl")
    rng = np.random.default_rng(args.size)
    out: dict = {}
    with Meter() as m:
        oracle = NxOracle(arrays)
        out["graph"] = oracle.build_s
        bridges, out["nx_bridges"] = oracle.bridges()
        # remove-and-recheck: a uniform sample of segments, as many as fit the time budget
        perm = rng.permutation(arrays.n_edges)
        samples, seconds = [], []
        deadline = time.perf_counter() + args.nx_budget
        for e in perm[: args.nx_max_samples]:
            result, s = oracle.remove_edges(np.array([e]))
            samples.append((str(arrays.edge_route_id[e]), *result))
            seconds.append(s)
            if len(samples) >= args.nx_min_samples and time.perf_counter() > deadline:
                break
        # brute force per trench (multi-route trenches) and per node, for the checks
        trench = arrays.edge_trench_id.astype(str)
        keys, inverse, counts = np.unique(trench, return_inverse=True, return_counts=True)
        multi = np.flatnonzero(counts > 1)
        chosen = rng.choice(multi, size=min(args.nx_checks, len(multi)), replace=False) if len(multi) else []
        trench_samples, trench_seconds = [], []
        for k in chosen:
            result, s = oracle.remove_edges(np.flatnonzero(inverse == k))
            trench_samples.append((str(keys[k]), *result))
            trench_seconds.append(s)
        vertices = rng.choice(arrays.n_vertices, size=min(args.nx_checks, arrays.n_vertices), replace=False)
        node_samples, node_seconds = [], []
        for v in vertices.tolist():
            result, s = oracle.remove_vertex(v)
            node_samples.append((str(arrays.vertex_label[v]), *result))
            node_seconds.append(s)
    _dump(
        wd / "networkx.answers.pkl",
        {
            "bridges": np.sort(arrays.edge_route_id[bridges].astype(str)),
            "segments": samples,
            "trenches": trench_samples,
            "nodes": node_samples,
        },
    )
    per = float(np.mean(seconds))
    import networkx

    return {
        **out,
        **m.as_dict(),
        "samples": len(samples),
        "per_removal": per,
        "per_removal_min": float(np.min(seconds)),
        "per_removal_max": float(np.max(seconds)),
        "extrapolated_total": out["graph"] + per * arrays.n_edges,
        "trench_samples": len(trench_samples),
        "per_trench": float(np.mean(trench_seconds)) if trench_seconds else None,
        "trenches_multi": len(multi),
        "node_samples": len(node_samples),
        "per_node": float(np.mean(node_seconds)) if node_seconds else None,
        "version": networkx.__version__,
    }


def phase_pgrouting(args, wd: Path) -> dict:
    from benchmarks.peers import pgr_bridges

    arrays = _load(wd / "arrays.pkl")
    out = pgr_bridges(args.pg_url, arrays, database=f"topology_bench_{args.size}", timeout_s=args.pg_timeout)
    bridges = out.pop("bridges", None)
    if bridges is not None:
        _dump(wd / "pgrouting.answers.pkl", {"bridges": np.sort(arrays.edge_route_id[bridges].astype(str))})
    return out


PHASE_FUNCS = {name: globals()[f"phase_{name}"] for name in PHASES}


def run_phase(args, phase_funcs: dict | None = None) -> int:
    """Run one phase in this (child) process and leave its result as <phase>.json in the workdir."""
    wd = Path(args.workdir)
    result = (phase_funcs or PHASE_FUNCS)[args.phase](args, wd)
    (wd / f"{args.phase}.json").write_text(
        json.dumps(result, default=lambda o: o.item() if hasattr(o, "item") else str(o))
    )
    return 0


# ---------------------------------------------------------------------------------------------
# the orchestrating run


def _child(args, phase: str, size: int, wd: Path, extra: list[str]) -> dict:
    cmd = [sys.executable, "-m", "benchmarks.topology_bench", "--phase", phase, "--size", str(size)]
    cmd += ["--workdir", str(wd), "--repeats", str(args.repeats if size < 1_000_000 else max(1, args.repeats_1m))]
    cmd += extra
    t0 = time.perf_counter()
    with open(wd / f"{phase}.log", "w") as log:
        try:
            proc = subprocess.run(cmd, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, timeout=args.phase_timeout)
            code = proc.returncode
        except subprocess.TimeoutExpired:
            code = "timeout"
    wall = time.perf_counter() - t0
    if code != 0:
        tail = (wd / f"{phase}.log").read_text(errors="replace").strip().splitlines()[-12:]
        return {"error": f"exit {code} after {wall:.0f} s", "log": tail}
    return json.loads((wd / f"{phase}.json").read_text())


class PgCluster:
    """A throwaway PostgreSQL cluster from scripts/postgis.sh, if the extension it needs is installed."""

    def __init__(self, extension: str | None = "pgrouting") -> None:
        self.url = self.dir = None
        self.reason = ""
        self.extension = extension  # None: PostGIS alone, which postgis.sh installs itself

    def start(self) -> PgCluster:
        if self.extension and not glob.glob(f"/usr/share/postgresql/*/extension/{self.extension}.control"):
            self.reason = f"not available (no {self.extension} extension installed)"
            return self
        try:
            proc = subprocess.run(
                ["bash", "scripts/postgis.sh", "start"], cwd=ROOT, capture_output=True, text=True, timeout=600
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            self.reason = f"not available ({exc})"
            return self
        values = {}
        for line in proc.stdout.splitlines():
            if "=" in line:
                key, value = line.split("=", 1)
                values[key] = shlex.split(value)[0] if value else ""
        if proc.returncode != 0 or "GELSENNET_TEST_DB_URL" not in values:
            self.reason = "not available (scripts/postgis.sh start failed: " + proc.stderr.strip()[-300:] + ")"
            return self
        self.url, self.dir = values["GELSENNET_TEST_DB_URL"], values.get("GELSENNET_PG_DIR")
        return self

    def stop(self) -> None:
        if self.dir:
            subprocess.run(["bash", "scripts/postgis.sh", "stop", self.dir], cwd=ROOT, capture_output=True, timeout=120)
            self.dir = None


def _compare_rows(name: str, ours: dict, peer: dict, problems: list[str]) -> int:
    """Ours and peer tables row for row (sorted by id): returns the number of rows compared."""
    a, b = np.argsort(ours["id"]), np.argsort(peer["id"])
    ids_a, ids_b = ours["id"][a], peer["id"][b]
    if len(ids_a) != len(ids_b) or not np.array_equal(ids_a, ids_b):
        only_a = sorted(set(ids_a.tolist()) - set(ids_b.tolist()))
        only_b = sorted(set(ids_b.tolist()) - set(ids_a.tolist()))
        problems.append(
            f"{name}: different elements: only ours {len(only_a)} {only_a[:5]}, only peer {len(only_b)} {only_b[:5]}"
        )
        return 0
    for col in ("n_vertices", "n_sites", "pupils", "fingerprint"):
        differ = np.flatnonzero(ours[col][a] != peer[col][b])
        if len(differ):
            problems.append(f"{name}: {col} differs for {len(differ)} elements, e.g. {ids_a[differ[:5]].tolist()}")
    return len(ids_a)


def _compare_samples(name: str, ours: dict, samples: list[tuple], problems: list[str], *, kind: str) -> int:
    """Each sampled element: ours' row (or nothing cut off when ours has no row) must equal the oracle's answer."""
    row = {i: k for k, i in enumerate(ours["id"].tolist())}
    bad = []
    for element, n_vertices, n_sites, pupils, fingerprint in samples:
        if element in row:
            k = row[element]
            expected = (ours["n_vertices"][k], ours["n_sites"][k], ours["pupils"][k], ours["fingerprint"][k])
        else:
            expected = (0, 0, 0, 0)
            if kind == "node" and n_vertices == 1:  # only the node itself, with nothing attached: no row
                expected = (1, 0, 0, 0)
        if tuple(int(x) for x in expected) != (int(n_vertices), int(n_sites), int(pupils), int(fingerprint)):
            bad.append(element)
    if bad:
        problems.append(f"{name}: {len(bad)} of {len(samples)} sampled elements differ, e.g. {bad[:5]}")
    return len(samples)


def check(wd: Path, res: dict) -> tuple[list[str], list[str]]:
    """(problems, notes) from the saved answers of one size."""
    problems, notes = [], []

    def load(name):
        path = wd / f"{name}.answers.pkl"
        return _load(path) if path.exists() else None

    build = res.get("build", {})
    if build.get("split_pieces") or build.get("duplicate_route_ids"):
        problems.append("the network has split or duplicate routes; the per-edge comparisons assume one edge per route")
    seg, ig, nx_, pg = load("segment"), load("igraph"), load("networkx"), load("pgrouting")
    node, trench = load("node"), load("trench")
    if seg is None:
        problems.append("no answers from our segment phase")
        return problems, notes
    ours_bridges = np.sort(seg["id"])
    if "bridges_only" in seg and not np.array_equal(seg["bridges_only"], ours_bridges):
        problems.append("ours: segment_cuts and segment_impact name different bridges")
    if ig is not None:
        n = _compare_rows("igraph vs ours, every segment", seg, ig, problems)
        if n:
            notes.append(f"igraph: the same {n} bridge segments, each with the same vertices, sites and pupils cut off")
        if not np.array_equal(ig["bridges_only"], ours_bridges):
            problems.append("igraph bridges() alone: different bridge set")
    if nx_ is not None:
        if np.array_equal(nx_["bridges"], ours_bridges):
            notes.append(f"NetworkX nx.bridges: the same {len(ours_bridges)} bridges")
        else:
            problems.append(f"NetworkX nx.bridges: {len(nx_['bridges'])} bridges, ours {len(ours_bridges)}")
        k = _compare_samples("NetworkX remove-and-recheck, segments", seg, nx_["segments"], problems, kind="segment")
        hits = sum(1 for s in nx_["segments"] if s[1] > 0)
        notes.append(f"NetworkX remove-and-recheck: {k} sampled segments ({hits} bridges) agree with ours")
        if trench is not None:
            k = _compare_samples("NetworkX brute force, trenches", trench, nx_["trenches"], problems, kind="trench")
            notes.append(f"NetworkX brute force: {k} sampled multi-route trenches agree with ours")
        if node is not None:
            k = _compare_samples("NetworkX brute force, nodes", node, nx_["nodes"], problems, kind="node")
            notes.append(f"NetworkX brute force: {k} sampled nodes agree with ours")
    check_degraded(wd, problems, notes)
    if pg is not None:
        if np.array_equal(pg["bridges"], ours_bridges):
            notes.append(f"pgRouting pgr_bridges: the same {len(ours_bridges)} bridges")
        else:
            only_pg = sorted(set(pg["bridges"].tolist()) - set(ours_bridges.tolist()))
            only_ours = sorted(set(ours_bridges.tolist()) - set(pg["bridges"].tolist()))
            problems.append(
                f"pgRouting pgr_bridges: {len(pg['bridges'])} bridges, ours {len(ours_bridges)}; "
                f"only pgr {len(only_pg)} {only_pg[:5]}, only ours {len(only_ours)} {only_ours[:5]}"
            )
    return problems, notes


def topology_digest() -> str:
    """A short sha256 of topology/*.py: the code version measured (the run cannot rely on git)."""
    digest = hashlib.sha256()
    for path in sorted((ROOT / "topology").glob("*.py")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:12]


def machine_info(args, argv: list[str]) -> dict:
    import igraph
    import networkx
    import pandas
    import scipy
    import shapely

    cpu = "unknown"
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next((line.split(":", 1)[1].strip() for line in f if line.startswith("model name")), cpu)
    except OSError:
        pass
    mem = None
    try:
        with open("/proc/meminfo") as f:
            mem = next(int(line.split()[1]) for line in f if line.startswith("MemTotal"))
    except (OSError, StopIteration):
        pass
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gb": round(mem * MB / 1000, 1) if mem else None,
        "kernel": platform.release(),
        "python": platform.python_version(),
        "numpy": np.__version__,
        "scipy": scipy.__version__,
        "pandas": pandas.__version__,
        "shapely": shapely.__version__,
        "networkx": networkx.__version__,
        "igraph": igraph.__version__,
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "command": shlex.join(["python", "-m", "benchmarks.topology_bench", *argv]),
        "topology_digest": topology_digest(),
        "topology_changed": [],
    }


def run_all(args, argv: list[str]) -> int:
    from benchmarks.report import render

    info = machine_info(args, argv)
    base = Path(args.workdir) if args.workdir else Path(tempfile.mkdtemp(prefix="topology-bench-"))
    base.mkdir(parents=True, exist_ok=True)
    out = Path(args.out)
    results: dict = {}
    failed = False
    pg = PgCluster()
    if not args.no_pgrouting:
        print("starting a throwaway PostgreSQL cluster for pgRouting ...", flush=True)
        pg.start()
        print(f"  {pg.url or pg.reason}", flush=True)
    else:
        pg.reason = "not run (--no-pgrouting)"
    pg_timed_out_at = None
    try:
        for size in args.sizes:
            wd = base / f"n{size}"
            wd.mkdir(parents=True, exist_ok=True)
            res: dict = {}
            for phase in PHASES:
                if args.only and phase not in ("generate", "build", *args.only):
                    continue
                extra = []
                if phase == "networkx":
                    extra = ["--nx-budget", str(args.nx_budget), "--nx-checks", str(args.nx_checks)]
                    extra += [
                        "--nx-min-samples",
                        str(args.nx_min_samples),
                        "--nx-max-samples",
                        str(args.nx_max_samples),
                    ]
                if phase.startswith("degraded_"):
                    extra = ["--degraded-samples", str(args.degraded_samples),
                             "--degraded-budget", str(args.degraded_budget)]
                if phase == "pgrouting":
                    if not pg.url:
                        res[phase] = {"status": pg.reason}
                        continue
                    if pg_timed_out_at is not None:
                        res[phase] = {"status": f"skipped: timed out at {pg_timed_out_at:,} segments already"}
                        continue
                    extra = ["--pg-url", pg.url, "--pg-timeout", str(args.pg_timeout)]
                print(f"[{size:,}] {phase} ...", end=" ", flush=True)
                res[phase] = _child(args, phase, size, wd, extra)
                r = res[phase]
                if "error" in r:
                    failed = True
                    print(f"FAILED: {r['error']}\n    " + "\n    ".join(r["log"]), flush=True)
                    if phase in ("generate", "build"):
                        break
                    continue
                if phase == "pgrouting" and r.get("status") == "timeout":
                    pg_timed_out_at = size
                shown = r.get("total", r.get("seconds", r.get("extrapolated_total")))
                peak = r.get("peak_mb", r.get("backend_peak_mb"))
                print(
                    (f"{shown:.3f} s" if isinstance(shown, float) else "")
                    + (f", peak {peak:,.0f} MB" if isinstance(peak, float) else "")
                    + (f" [{r['status']}]" if "status" in r else ""),
                    flush=True,
                )
            problems, notes = check(wd, res)
            res["problems"], res["notes"] = problems, notes
            for note in notes:
                print(f"  ok: {note}", flush=True)
            for problem in problems:
                print(f"\n  *** MISMATCH ({size:,} segments): {problem} ***\n", flush=True, file=sys.stderr)
            results[size] = res
            now = topology_digest()
            if now != info["topology_digest"] and now not in info["topology_changed"]:
                info["topology_changed"].append(now)
                print(f"  WARNING: topology/ changed during the run (now {now}): results mix code versions", flush=True)
            out.write_text(render(info, results, args))
            if not args.keep:
                for path in wd.glob("*.pkl"):
                    path.unlink()
    finally:
        pg.stop()
        if not args.keep and not args.workdir:
            shutil.rmtree(base, ignore_errors=True)
    return exit_code(results, failed, out)


def exit_code(results: dict, failed: bool, out) -> int:
    """1 when any engines disagreed or a phase failed (said loudly), else 0."""
    print(f"results written to {out}", flush=True)
    mismatched = any(r["problems"] for r in results.values())
    if mismatched:
        print("*** ANSWERS DISAGREE: see the problems above and in the results file ***", file=sys.stderr)
    return 1 if mismatched or failed else 0


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    parser = argparse.ArgumentParser(prog="python -m benchmarks.topology_bench", description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000], help="numbers of segments")
    parser.add_argument("--out", default=str(ROOT / "benchmarks" / "RESULTS.md"), help="Markdown results file")
    parser.add_argument("--repeats", type=int, default=3, help="repetitions of the fast phases (best is reported)")
    parser.add_argument("--repeats-1m", type=int, default=2, help="repetitions at >= 1M segments")
    parser.add_argument("--nx-budget", type=float, default=30.0, help="seconds of NetworkX remove-and-recheck samples")
    parser.add_argument("--nx-min-samples", type=int, default=5)
    parser.add_argument("--nx-max-samples", type=int, default=200)
    parser.add_argument("--nx-checks", type=int, default=10, help="sampled trenches and nodes checked by brute force")
    parser.add_argument("--degraded-samples", type=int, default=10,
                        help="elements drawn uniformly, and as many with degraded sites, for the degraded peers")
    parser.add_argument("--degraded-budget", type=float, default=60.0,
                        help="seconds of sampled elements per degraded peer (at least 2 are run)")
    parser.add_argument("--only", nargs="+", choices=PHASES,
                        help="run only these phases after generate and build (e.g. the degraded ones)")
    parser.add_argument("--pg-timeout", type=float, default=300.0, help="seconds before pgr_bridges is cancelled")
    parser.add_argument("--no-pgrouting", action="store_true", help="skip pgRouting")
    parser.add_argument("--phase-timeout", type=float, default=3600.0, help="seconds before a phase is killed")
    parser.add_argument("--workdir", help="keep intermediate files here (default: a temporary directory)")
    parser.add_argument("--keep", action="store_true", help="keep the pickled networks")
    # internal: one phase in a child process
    parser.add_argument("--phase", choices=PHASES, help=argparse.SUPPRESS)
    parser.add_argument("--size", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--pg-url", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.phase:
        return run_phase(args)
    return run_all(args, argv)


if __name__ == "__main__":
    sys.exit(main())
