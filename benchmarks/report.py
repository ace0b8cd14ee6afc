"""Markdown rendering of the topology benchmark's results (benchmarks/RESULTS.md)."""

from __future__ import annotations


def _s(x) -> str:
    if x is None:
        return "–"
    if x >= 100:
        return f"{x:,.0f} s"
    if x >= 10:
        return f"{x:.1f} s"
    if x >= 0.1:
        return f"{x:.2f} s"
    return f"{x * 1000:.1f} ms"


def _mb(x) -> str:
    return "–" if x is None else f"{x:,.0f} MB"


def _ratio(x) -> str:
    if x is None:
        return "–"
    return f"{x:,.0f}×" if x >= 100 else f"{x:.2f}×"


def _ok(flag: bool | None) -> str:
    return "–" if flag is None else ("**met**" if flag else "**missed**")


def _phase_rows(res: dict) -> list[str]:
    rows = []

    def row(name: str, what: str, r: dict | None, time_key: str = "total", peak_key: str = "peak_mb") -> None:
        if r is None:
            return
        if "error" in r:
            rows.append(f"| {name} | {what} | failed: {r['error']} | | |")
            return
        delta = _mb(r.get("delta_mb")) if peak_key == "peak_mb" else "–"
        rows.append(f"| {name} | {what} | {_s(r.get(time_key))} | {_mb(r.get(peak_key))} | {delta} |")

    def best(r: dict) -> str:
        return f"best of {r['repeats']}, median {_s(r['median_total'])}" if r.get("repeats", 1) > 1 else "one run"

    g = res.get("generate")
    row("generate", "`benchmarks.networks.fibre_network(n)`: routes, nodes, sites GeoDataFrames", g)
    row("graph build", "`build_network(routes, nodes, sites)`", res.get("build"))
    r = res.get("segment")
    if r and "error" not in r:
        row(
            "**every-segment impact (ours)**",
            f"`build_cut_index` {_s(r['cut_index'])} + `segment_impact` {_s(r['impact'])}; {best(r)}",
            r,
        )
        if "bridges_only" in r:
            b = r["bridges_only"]
            rows.append(
                f"| bridges only (ours) | `build_cut_index` + `segment_cuts`; {best(b)} | {_s(b['total'])} | | |"
            )
    else:
        row("every-segment impact (ours)", "", r)
    r = res.get("igraph")
    if r and "error" not in r:
        row(
            "**every-segment impact (igraph)**",
            f"Graph from the edge arrays {_s(r['graph'])} + `bridges()` {_s(r['bridges'])} + components, bridge "
            f"tree and subtree sums {_s(r['tree'])} + per-bridge site lists and table {_s(r['table'])}; {best(r)}",
            r,
        )
        b = r["bridges_only"]
        rows.append(
            f"| bridges only (igraph) | Graph {_s(b['graph'])} + `bridges()` {_s(b['bridges'])}; {best(b)} "
            f"| {_s(b['total'])} | | |"
        )
    else:
        row("every-segment impact (igraph)", "", r)
    r = res.get("networkx")
    if r and "error" not in r:
        row(
            "**every-segment impact (NetworkX remove-and-recheck), extrapolated**",
            f"MultiGraph from the edge arrays {_s(r['graph'])} + {res['build']['edges']:,} segments × "
            f"{_s(r['per_removal'])} (mean of {r['samples']} sampled removals, "
            f"{_s(r['per_removal_min'])}–{_s(r['per_removal_max'])}); peak is the sampling process",
            r,
            "extrapolated_total",
        )
        rows.append(
            f"| NetworkX `nx.bridges` | bridge set only, MultiGraph build excluded | {_s(r['nx_bridges'])} | | |"
        )
        if r.get("per_trench") is not None:
            total = r["per_trench"] * r["trenches_multi"]
            rows.append(
                f"| NetworkX brute force, trenches, extrapolated | {r['trenches_multi']:,} multi-route trenches × "
                f"{_s(r['per_trench'])} (mean of {r['trench_samples']}) | {_s(total)} | | |"
            )
    else:
        row("NetworkX remove-and-recheck", "", r)
    r = res.get("node")
    if r and "error" not in r:
        row(
            "every-node impact (ours)",
            f"`build_cut_index` {_s(r['cut_index'])} + `node_impact` {_s(r['impact'])}; {best(r)}",
            r,
        )
    else:
        row("every-node impact (ours)", "", r)
    r = res.get("trench")
    if r and "error" not in r:
        row(
            "every-trench impact (ours)",
            f"`build_cut_index` {_s(r['cut_index'])} + `trench_impact` {_s(r['impact'])} "
            f"({r['trenches']:,} trenches, {r['multi_edge_trenches']:,} with several routes); {best(r)}",
            r,
        )
    else:
        row("every-trench impact (ours)", "", r)
    r = res.get("whole")
    if r and "error" not in r:
        row(
            "**whole analysis (ours)**",
            " + ".join(f"`{name}` {_s(seconds)}" for name, seconds in r["steps"].items())
            + " (all `gelsennet analyse --json` computes: the graph build, every step of `analyse`, the "
            "criticality table with the degraded sites)"
            if "steps" in r else
            f"`build_network` {_s(r['build'])} + `build_cut_index` {_s(r['cut_index'])} + `failure_impact` "
            f"{_s(r['failure_impact'])} + `site_redundancy` {_s(r['site_redundancy'])} (index and impact shared)",
            r,
        )
    else:
        row("whole analysis (ours)", "", r)
    rows += _degraded_rows(res)
    r = res.get("pgrouting")
    if r is not None:
        if "error" in r:
            rows.append(f"| pgRouting `pgr_bridges` | | failed: {r['error']} | | |")
        elif "seconds" not in r:
            rows.append(f"| pgRouting `pgr_bridges` | | {r.get('status')} | | |")
        else:
            if r["status"] == "finished":
                shown = _s(r["seconds"])
            else:
                shown = f"**> {_s(r['timeout_s'])}: timed out** ({r['timeout_note']})"
            rows.append(
                f"| pgRouting `pgr_bridges` | query only (edges with the super-source loaded by COPY in "
                f"{_s(r['load_s'])}, not included); peak is the server backend's | {shown} "
                f"| {_mb(r.get('backend_peak_mb'))} | – |"
            )
    return rows


def _degraded_rows(res: dict) -> list[str]:
    """Rows of the degraded phases: ours, and the sampled peers extrapolated."""
    rows = []
    r = res.get("degraded")
    if r is not None:
        if "error" in r:
            rows.append(f"| degraded sites (ours) | | failed: {r['error']} | | |")
        else:
            rows.append(
                f"| **degraded sites, every segment, node and trench (ours)** | `build_cut_index` "
                f"{_s(r['cut_index'])} + `degraded_sites` {_s(r['degraded'])} ({r['elements']:,} elements, "
                f"{r['rows']:,} rows, {r['sites_redundant']:,} redundant sites; its input `site_redundancy` "
                f"{_s(r['site_redundancy'])} not included); best of {r['repeats']}, median {_s(r['median_total'])} "
                f"| {_s(r['total'])} | {_mb(r['peak_mb'])} | {_mb(r['delta_mb'])} |"
            )
    for key, what in (("degraded_naive", "naive oracle: remove the element, `site_redundancy` again"),
                      ("degraded_networkx", "NetworkX: remove the element, `nx.bridges` + biconnected components "
                                            "+ a search per trench that may cut")):
        r = res.get(key)
        if r is None:
            continue
        if "error" in r:
            rows.append(f"| degraded sites ({key}) | | failed: {r['error']} | | |")
            continue
        rows.append(
            f"| degraded sites, {what}, extrapolated | setup {_s(r['setup'])} + {r['elements']:,} elements × "
            f"{_s(r['per_element'])} (mean of {r['samples']} sampled, {_s(r['per_element_min'])}–"
            f"{_s(r['per_element_max'])}); peak is the sampling process | {_s(r['extrapolated_total'])} "
            f"| {_mb(r['peak_mb'])} | {_mb(r['delta_mb'])} |"
        )
    return rows


def _degraded_ratios(size: int, res: dict, rows: list[str], targets: list[tuple]) -> None:
    """Degraded sites against the single-failure table (segment + node + trench phases) and the peers."""
    d = res.get("degraded")
    if d is None or "error" in d:
        return
    single = [res.get(k) for k in ("segment", "node", "trench")]
    if all(r is not None and "error" not in r for r in single):
        table = sum(r["total"] for r in single)
        ratio = d["total"] / table
        met = ratio <= 2 if size == 100_000 else None
        rows.append(
            f"| degraded sites (every segment, node, trench) / single-failure table (segment + node + trench "
            f"phases, each with its `build_cut_index`) | {_s(d['total'])} | {_s(table)} | **{_ratio(ratio)}** "
            f"| ≤ 2× at 100k | {_ok(met)} |"
        )
        if size == 100_000:
            targets.append((size, "degraded sites within 2× of the single-failure table", f"{ratio:.2f}×", met))
    for key, name in (("degraded_naive", "naive oracle"), ("degraded_networkx", "NetworkX")):
        r = res.get(key)
        if r is not None and "error" not in r:
            rows.append(
                f"| degraded sites: {name} (sampled, extrapolated) / ours | {_s(d['total'])} | "
                f"{_s(r['extrapolated_total'])} | **{_ratio(r['extrapolated_total'] / d['total'])} faster** | | |"
            )


def _ratios(size: int, res: dict) -> tuple[list[str], list[tuple]]:
    """Ratio rows, and (size, target, measured, met) tuples for the summary."""
    rows, targets = [], []
    seg, ig, nx_, pg = (res.get(k) for k in ("segment", "igraph", "networkx", "pgrouting"))
    ok = lambda r: r is not None and "error" not in r  # noqa: E731
    if ok(seg) and ok(nx_):
        speedup = nx_["extrapolated_total"] / seg["total"]
        met = speedup >= 1000 if size == 100_000 else None
        rows.append(
            f"| every segment: NetworkX remove-and-recheck (extrapolated) / ours | {_s(seg['total'])} | "
            f"{_s(nx_['extrapolated_total'])} | **{_ratio(speedup)} faster** | ≥ 1000× at 100k | {_ok(met)} |"
        )
        if size == 100_000:
            targets.append((size, "≥ 1000× faster than NetworkX remove-and-recheck", f"{speedup:,.0f}×", met))
    if ok(seg) and ok(ig):
        ratio = seg["total"] / ig["total"]
        rows.append(
            f"| every segment: ours / igraph bridge tree (both from the edge arrays, both build their graph) | "
            f"{_s(seg['total'])} | {_s(ig['total'])} | **{_ratio(ratio)}** | ≤ 5× (goal 3×) | "
            f"{_ok(ratio <= 5)}{' (goal met)' if ratio <= 3 else ''} |"
        )
        targets.append((size, "every segment within 5× of igraph (goal 3×)", f"{ratio:.2f}×", ratio <= 5))
        no_graph = ig["total"] - ig["graph"]
        rows.append(
            f"| every segment: ours (incl. its CSR build) / igraph without building its Graph | {_s(seg['total'])} | "
            f"{_s(no_graph)} | {_ratio(seg['total'] / no_graph)} | | |"
        )
        if "bridges_only" in seg:
            b_ours, b_ig = seg["bridges_only"]["total"], ig["bridges_only"]["total"]
            rows.append(
                f"| bridges only: ours (`build_cut_index` + `segment_cuts`) / igraph (Graph + `bridges()`) | "
                f"{_s(b_ours)} | {_s(b_ig)} | {_ratio(b_ours / b_ig)} | | |"
            )
    if ok(seg) and ok(nx_):
        rows.append(
            f"| bridges: NetworkX `nx.bridges` / ours every-segment impact | {_s(seg['total'])} | "
            f"{_s(nx_['nx_bridges'])} | {_ratio(nx_['nx_bridges'] / seg['total'])} faster | | |"
        )
    if ok(seg) and pg is not None and pg.get("status") == "finished":
        rows.append(
            f"| bridges: pgRouting `pgr_bridges` / ours every-segment impact | {_s(seg['total'])} | "
            f"{_s(pg['seconds'])} | {_ratio(pg['seconds'] / seg['total'])} faster | | |"
        )
    tr = res.get("trench")
    if ok(tr):
        met = tr["impact"] <= 1.0 if size == 100_000 else None
        rows.append(
            f"| every trench: `trench_impact` (cut index {_s(tr['cut_index'])} not included) | {_s(tr['impact'])} "
            f"| | | ≤ 1 s at 100k | {_ok(met)} |"
        )
        if size == 100_000:
            targets.append((size, "every trench as one failure ≤ 1 s", _s(tr["impact"]), met))
            with_index = tr["total"] <= 1.0
            targets.append((size, "… including `build_cut_index`", _s(tr["total"]), with_index))
    _degraded_ratios(size, res, rows, targets)
    b = res.get("build")
    if ok(b) and size >= 1_000_000:
        targets.append((size, "graph build ≤ 60 s", _s(b["total"]), b["total"] <= 60))
        targets.append((size, "graph build ≤ 4 GB peak", _mb(b["peak_mb"]), b["peak_mb"] <= 4000))
    w = res.get("whole")
    if ok(w):
        met_t = w["total"] <= 20 if size >= 1_000_000 else None
        met_m = w["peak_mb"] <= 4000 if size >= 1_000_000 else None
        rows.append(
            f"| whole analysis | {_s(w['total'])}, peak {_mb(w['peak_mb'])} | | | ≤ 20 s and ≤ 4 GB at 1M | "
            f"{_ok(met_t) if met_t is None or met_m is None else _ok(met_t and met_m)} |"
        )
        if size >= 1_000_000:
            targets.append((size, "whole analysis ≤ 20 s", _s(w["total"]), met_t))
            targets.append((size, "whole analysis ≤ 4 GB peak", _mb(w["peak_mb"]), met_m))
    return rows, targets


def render(info: dict, results: dict, args) -> str:
    lines = [
        "# Topology benchmark results",
        "",
        "Generated by `benchmarks/topology_bench.py` (see `benchmarks/README.md`). Every number below, ratios "
        "included, comes from this one run.",
        "",
        f"- **Command:** `{info['command']}` (from the repository root, with `.venv/bin/python`)",
        f"- **Date:** {info['date']}",
        f"- **Machine:** {info['cpu']}, {info['cores']} cores, {info['memory_gb']} GB RAM, Linux {info['kernel']} "
        "(shared and noisy: compare ratios within this run only)",
        f"- **Versions:** Python {info['python']}, numpy {info['numpy']}, scipy {info['scipy']}, pandas "
        f"{info['pandas']}, shapely {info['shapely']}, networkx {info['networkx']}, python-igraph {info['igraph']}",
    ]
    if info.get("topology_changed"):
        lines.append(
            f"- **WARNING: `topology/` changed during this run** (sha256 of its sources {info['topology_digest']} at "
            f"the start, then {', '.join(info['topology_changed'])}): the sizes measured mix code versions"
        )
    else:
        lines.append(
            f"- **Code measured:** `topology/*.py` sha256 {info['topology_digest']} (unchanged during the run)"
        )
    pg = next((r.get("pgrouting") for r in results.values() if r.get("pgrouting", {}).get("pgrouting_version")), None)
    if pg:
        lines.append(f"- **PostgreSQL** {pg['postgres_version']}, **pgRouting** {pg['pgrouting_version']}")
    lines += [
        "- **Time:** wall clock (`time.perf_counter`) of the named calls only; inputs are already in memory.",
        "- **Peak RSS:** the phase's own process (each phase runs in a fresh subprocess): the kernel's high-water "
        "mark is reset (`/proc/self/clear_refs`) right before the timed calls and read (`VmHWM`) after them, so "
        "it includes the interpreter, libraries and the loaded inputs. **Δ** is that peak minus the resident "
        "size just before the timed calls, i.e. what the phase itself added at its peak. MB = 10^6 bytes.",
        "",
    ]
    all_targets = []
    for size, res in results.items():
        lines += [f"## {size:,} segments", ""]
        g, b = res.get("generate", {}), res.get("build", {})
        if "routes" in g and "edges" in b:
            seg = res.get("segment", {})
            bridges = seg.get("rows") if "error" not in seg else None
            share = f" ({bridges / b['edges']:.0%} of the segments)" if bridges else ""
            lines += [
                f"Network: {g['routes']:,} routes ({g['routes_planned']:,} planned, left out of the in-service "
                f"graph), {b['edges']:,} in-service edges, {b['vertices']:,} vertices, {b['pops']} POPs, "
                f"{g['sites']:,} sites ({b['sites_attached']:,} attached, {g['sites_without_handover']:,} of them "
                f"by distance), {b['parallel_edges']:,} edges in parallel bundles, {g['routes_in_shared_trench']:,} "
                f"routes in {g['shared_trenches']:,} shared trenches; bridges: {bridges:,}{share}. "
                f"Findings of `build_network`: {b['findings'] or 'none'}.",
                "",
            ]
        lines += [
            "| phase | what the time includes | time | peak RSS | Δ peak |",
            "| --- | --- | ---: | ---: | ---: |",
            *_phase_rows(res),
            "",
        ]
        ratio_rows, targets = _ratios(size, res)
        all_targets += targets
        lines += [
            "| comparison (same run) | ours | peer | ratio | target | |",
            "| --- | ---: | ---: | ---: | --- | --- |",
            *ratio_rows,
            "",
            "Answers:",
            "",
        ]
        lines += [f"- agree: {n}" for n in res.get("notes", [])]
        lines += [f"- **MISMATCH: {p}**" for p in res.get("problems", [])]
        ig = res.get("igraph", {})
        if "parallel_edge_ok" in ig:
            lines.append(
                "- igraph `bridges()` on a tiny path with one doubled edge: "
                + (
                    "correct (the parallel pair is not a bridge); used as is"
                    if ig["parallel_edge_ok"]
                    else "WRONG (reports a parallel edge as a bridge); parallel edges are filtered out of its bridges"
                )
            )
        pgr = res.get("pgrouting", {})
        if "parallel_edge_ok" in pgr:
            lines.append(
                "- pgRouting `pgr_bridges` on the same tiny path: "
                + ("correct" if pgr["parallel_edge_ok"] else "WRONG (reports a parallel edge as a bridge)")
            )
        lines.append("")
    if all_targets:
        lines += [
            "## Targets (docs/design.md, Performance targets)",
            "",
            "| size | target | measured | |",
            "| ---: | --- | ---: | --- |",
            *[f"| {size:,} | {name} | {measured} | {_ok(met)} |" for size, name, measured, met in all_targets],
            "",
        ]
    return "\n".join(lines)
