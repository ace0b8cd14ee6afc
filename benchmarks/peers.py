"""The peers our topology engine is measured against, all working on the same edge arrays.

- `igraph_segment_impact`: the bridge tree in python-igraph (compiled): bridges of the graph with a
  super-source joined to the POPs, 2-edge-connected components, a tree over them, and per bridge the
  vertices and sites it cuts off.
- `NxOracle`: remove-and-recheck in NetworkX (remove an element, search from the super-source again).
- `pgr_bridges`: pgRouting's `pgr_bridges` in a PostgreSQL database.

A `GraphArrays` holds what every peer needs, taken from one `topology.Network`.
"""

from __future__ import annotations

import contextlib
import os
import signal
import threading
import time
from dataclasses import dataclass

import numpy as np
import pandas as pd

SPLITMIX = (np.uint64(0x9E3779B97F4A7C15), np.uint64(0xBF58476D1CE4E5B9), np.uint64(0x94D049BB133111EB))


def site_hashes(n: int) -> np.ndarray:
    """A 64-bit pseudo-random hash per site index (splitmix64): the fingerprint of a set is their sum."""
    with np.errstate(over="ignore"):
        z = np.arange(1, n + 1, dtype=np.uint64) * SPLITMIX[0]
        z = (z ^ (z >> np.uint64(30))) * SPLITMIX[1]
        z = (z ^ (z >> np.uint64(27))) * SPLITMIX[2]
        return z ^ (z >> np.uint64(31))


@dataclass
class GraphArrays:
    """Vertices 0..n_vertices-1, edges (edge_u[j], edge_v[j]) named edge_route_id[j]; sites at vertices."""

    n_vertices: int
    edge_u: np.ndarray
    edge_v: np.ndarray
    edge_route_id: np.ndarray
    edge_trench_id: np.ndarray
    vertex_label: np.ndarray
    pop_vertices: np.ndarray
    site_id: np.ndarray
    site_kind: np.ndarray
    site_pupils: np.ndarray
    site_vertex: np.ndarray

    @classmethod
    def from_network(cls, network) -> GraphArrays:
        from topology.redundancy import vertex_label

        sites = network.sites
        labels = np.array([vertex_label(network, v) for v in range(network.n_vertices)], dtype=object)
        return cls(
            n_vertices=int(network.n_vertices),
            edge_u=np.asarray(network.edge_u, dtype=np.int64),
            edge_v=np.asarray(network.edge_v, dtype=np.int64),
            edge_route_id=np.asarray(network.edge_route_id, dtype=object),
            edge_trench_id=np.asarray(network.edge_trench_id, dtype=object),
            vertex_label=labels,
            pop_vertices=np.asarray(network.pop_vertices, dtype=np.int64),
            site_id=sites["site_id"].to_numpy(dtype=object),
            site_kind=sites["kind"].to_numpy(dtype=object),
            site_pupils=pd.to_numeric(sites["pupils"]).fillna(0).to_numpy(dtype=np.int64),
            site_vertex=sites["vertex"].to_numpy(dtype=np.int64),
        )

    @property
    def n_edges(self) -> int:
        return len(self.edge_u)

    def with_super_source(self) -> tuple[int, np.ndarray, np.ndarray]:
        """(root, a, b): edges 0..E-1 are the network's, E.. join the super-source `root` to each POP."""
        root = self.n_vertices
        a = np.concatenate([self.edge_u, np.full(len(self.pop_vertices), root, dtype=np.int64)])
        b = np.concatenate([self.edge_v, self.pop_vertices])
        return root, a, b


# ---------------------------------------------------------------------------------------------
# answers in a comparable form


def answers_from_table(table: pd.DataFrame, site_index: pd.Index) -> dict[str, np.ndarray]:
    """id, n_vertices, n_sites, pupils and a fingerprint of the set of sites, per impact-table row."""
    hashes = site_hashes(len(site_index))
    lists = table["sites"].tolist()
    lengths = np.fromiter((len(x) for x in lists), dtype=np.int64, count=len(lists))
    flat = [s for x in lists for s in x]
    codes = site_index.get_indexer(flat) if flat else np.zeros(0, dtype=np.int64)
    if (codes < 0).any():
        raise ValueError("an impact table names a site that is not in the network")
    fingerprint = np.zeros(len(lists), dtype=np.uint64)
    np.add.at(fingerprint, np.repeat(np.arange(len(lists)), lengths), hashes[codes])
    return {
        "id": table["element_id"].to_numpy(dtype=object).astype(str),
        "n_vertices": table["n_vertices"].to_numpy(dtype=np.int64),
        "n_sites": table["n_sites"].to_numpy(dtype=np.int64),
        "pupils": table["pupils"].to_numpy(dtype=np.int64),
        "fingerprint": fingerprint,
    }


# ---------------------------------------------------------------------------------------------
# igraph: the bridge tree


def igraph_parallel_edge_check() -> bool:
    """Does igraph's bridges() leave a pair of parallel edges out (as it must)? Path 0-1=2-3, 1=2 doubled."""
    import igraph as ig

    g = ig.Graph(n=4, edges=[(0, 1), (1, 2), (1, 2), (2, 3)])
    return sorted(g.bridges()) == [0, 3]


def igraph_segment_impact(arrays: GraphArrays, *, drop_parallel: bool = False) -> tuple[pd.DataFrame, dict]:
    """Every segment whose loss cuts something off from the POPs, as a table like `segment_impact`.

    Steps (each timed): build the igraph Graph from the edge arrays (with a super-source joined to
    the POPs); `bridges()`; 2-edge-connected components (connected components without the bridges)
    and the bridge tree over them, rooted at the super-source's component, with per-subtree sums
    (vertices, sites, schools, pupils, business parks) accumulated level by level from a BFS; the
    per-bridge site lists from a DFS preorder of the tree (computed level by level, as igraph's own
    `Graph.dfs` is a Python loop). `drop_parallel` removes edges that have a
    parallel twin from the bridges (only needed if igraph got multigraphs wrong).
    """
    import igraph as ig

    times = {}
    t0 = time.perf_counter()
    root, a, b = arrays.with_super_source()
    n = arrays.n_vertices + 1
    g = ig.Graph(n=n)
    g.add_edges(np.column_stack([a, b]))
    t1 = time.perf_counter()
    times["graph"] = t1 - t0

    bridges = np.asarray(g.bridges(), dtype=np.int64)
    if drop_parallel:
        lo, hi = np.minimum(a, b), np.maximum(a, b)
        _, inverse, counts = np.unique(lo * n + hi, return_inverse=True, return_counts=True)
        bridges = bridges[counts[inverse[bridges]] == 1]
    t2 = time.perf_counter()
    times["bridges"] = t2 - t1

    g.delete_edges(bridges.tolist())
    membership = np.asarray(ig.GraphBase.connected_components(g), dtype=np.int64)  # no VertexClustering
    n_comp = int(membership.max()) + 1
    ca, cb = membership[a[bridges]], membership[b[bridges]]
    tree = ig.Graph(n=n_comp)
    tree.add_edges(np.column_stack([ca, cb]))
    r = int(membership[root])
    vids, layers, parents = tree.bfs(r)
    vids = np.asarray(vids, dtype=np.int64)
    parents = np.asarray(parents, dtype=np.int64)
    layers = np.asarray(layers, dtype=np.int64)
    depth = np.full(n_comp, -1, dtype=np.int64)
    depth[vids] = np.repeat(np.arange(len(layers) - 1), np.diff(layers))

    attached = arrays.site_vertex >= 0
    site_comp = membership[arrays.site_vertex[attached]]
    kind = arrays.site_kind[attached]
    weights = np.zeros((n_comp, 6))
    weights[:, 0] = np.bincount(membership[: arrays.n_vertices], minlength=n_comp)  # vertices (no super-source)
    weights[:, 1] = np.bincount(site_comp, minlength=n_comp)
    weights[:, 2] = np.bincount(site_comp, weights=(kind == "school").astype(float), minlength=n_comp)
    weights[:, 3] = np.bincount(site_comp, weights=arrays.site_pupils[attached].astype(float), minlength=n_comp)
    weights[:, 4] = np.bincount(site_comp, weights=(kind == "business_park").astype(float), minlength=n_comp)
    weights[:, 5] = 1.0  # tree nodes in the subtree
    for level in range(len(layers) - 2, 0, -1):
        members = vids[layers[level] : layers[level + 1]]
        np.add.at(weights, parents[members], weights[members])
    # the side of each bridge away from the super-source; bridges outside its component cut off nothing
    reached = (depth[ca] >= 0) & (bridges < arrays.n_edges)
    bridges, ca, cb = bridges[reached], ca[reached], cb[reached]
    child = np.where(depth[ca] > depth[cb], ca, cb)
    cut = weights[child]
    t3 = time.perf_counter()
    times["tree"] = t3 - t2

    # preorder positions of a DFS of the tree, top-down level by level (igraph's Graph.dfs is a Python
    # loop): a child comes right after its parent and the subtrees of its earlier siblings
    size = weights[:, 5].astype(np.int64)
    position = np.full(n_comp, -1, dtype=np.int64)
    position[r] = 0
    for level in range(1, len(layers) - 1):
        members = vids[layers[level] : layers[level + 1]]
        members = members[np.argsort(parents[members], kind="stable")]
        par = parents[members]
        before = np.cumsum(size[members]) - size[members]
        first_of_run = np.flatnonzero(np.r_[True, par[1:] != par[:-1]])
        run = np.cumsum(np.r_[True, par[1:] != par[:-1]]) - 1
        position[members] = position[par] + 1 + before - before[first_of_run][run]
    site_pos = position[site_comp]
    keep = site_pos >= 0
    sort = np.argsort(site_pos[keep], kind="stable")
    sorted_pos = site_pos[keep][sort]
    sorted_ids = arrays.site_id[attached][keep][sort]
    start = position[child]
    stop = start + cut[:, 5].astype(np.int64)
    first, last = np.searchsorted(sorted_pos, start), np.searchsorted(sorted_pos, stop)
    lists: list[list[str]] = [[] for _ in range(len(bridges))]
    for k in np.flatnonzero(last > first).tolist():
        lists[k] = sorted_ids[first[k] : last[k]].tolist()
    table = pd.DataFrame(
        {
            "element": "segment",
            "element_id": arrays.edge_route_id[bridges],
            "sites": lists,
            "n_sites": cut[:, 1].round().astype(np.int64),
            "n_schools": cut[:, 2].round().astype(np.int64),
            "pupils": cut[:, 3].round().astype(np.int64),
            "n_business_parks": cut[:, 4].round().astype(np.int64),
            "n_vertices": cut[:, 0].round().astype(np.int64),
        }
    )
    times["table"] = time.perf_counter() - t3
    return table, times


def igraph_bridges(arrays: GraphArrays) -> tuple[np.ndarray, dict]:
    """Bridge detection only: the Graph from the edge arrays, then bridges() (real edges only)."""
    import igraph as ig

    t0 = time.perf_counter()
    _, a, b = arrays.with_super_source()
    g = ig.Graph(n=arrays.n_vertices + 1)
    g.add_edges(np.column_stack([a, b]))
    t1 = time.perf_counter()
    bridges = np.asarray(g.bridges(), dtype=np.int64)
    t2 = time.perf_counter()
    return bridges[bridges < arrays.n_edges], {"graph": t1 - t0, "bridges": t2 - t1}


# ---------------------------------------------------------------------------------------------
# NetworkX: remove and recheck


class NxOracle:
    """A NetworkX MultiGraph with the super-source; removes elements and searches again."""

    def __init__(self, arrays: GraphArrays) -> None:
        import networkx as nx

        self.nx = nx
        self.arrays = arrays
        root, a, b = arrays.with_super_source()
        self.root = root
        t0 = time.perf_counter()
        graph = nx.MultiGraph()
        graph.add_nodes_from(range(arrays.n_vertices + 1))
        graph.add_edges_from(zip(a.tolist(), b.tolist(), range(len(a)), strict=True))
        self.graph = graph
        self.build_s = time.perf_counter() - t0
        self.base = nx.node_connected_component(graph, root)
        self.a, self.b = a, b
        sites_at: dict[int, list[int]] = {}
        for i, v in enumerate(arrays.site_vertex.tolist()):
            if v >= 0:
                sites_at.setdefault(v, []).append(i)
        self.sites_at = sites_at
        self.hashes = site_hashes(len(arrays.site_id))

    def bridges(self) -> tuple[np.ndarray, float]:
        """nx.bridges (chain decomposition) from the super-source: the real edges that are bridges."""
        t0 = time.perf_counter()
        pairs = list(self.nx.bridges(self.graph, root=self.root))
        seconds = time.perf_counter() - t0
        lo, hi = np.minimum(self.a, self.b), np.maximum(self.a, self.b)
        n = np.int64(self.arrays.n_vertices + 1)
        key = lo * n + hi
        wanted = np.array([min(u, v) * n + max(u, v) for u, v in pairs], dtype=np.int64)
        edges = np.flatnonzero(np.isin(key, wanted))  # a pair with two edges here would be a wrong answer
        return edges[edges < self.arrays.n_edges], seconds

    def _lost(self) -> tuple[int, int, int, np.uint64]:
        """Vertices (and their sites) reachable before but not now: a removed vertex counts itself."""
        comp = self.nx.node_connected_component(self.graph, self.root)
        lost = self.base - comp if len(comp) < len(self.base) else set()
        sites = [s for x in lost for s in self.sites_at.get(x, ())]
        idx = np.asarray(sites, dtype=np.int64)
        with np.errstate(over="ignore"):
            fingerprint = self.hashes[idx].sum(dtype=np.uint64) if len(idx) else np.uint64(0)
        pupils = int(self.arrays.site_pupils[idx].sum()) if len(idx) else 0
        return len(lost), len(sites), pupils, fingerprint

    def remove_edges(self, edges: np.ndarray) -> tuple[tuple, float]:
        """Remove the edges, search from the super-source, put them back: (n_vertices, n_sites, pupils, fp)."""
        t0 = time.perf_counter()
        triples = [(int(self.a[e]), int(self.b[e]), int(e)) for e in edges]
        self.graph.remove_edges_from(triples)
        result = self._lost()
        self.graph.add_edges_from(triples)
        return result, time.perf_counter() - t0

    def remove_vertex(self, vertex: int) -> tuple[tuple, float]:
        """Remove the vertex (it counts as cut off itself), search again, put it back."""
        t0 = time.perf_counter()
        edges = list(self.graph.edges(vertex, keys=True))
        self.graph.remove_node(vertex)
        result = self._lost()
        self.graph.add_node(vertex)
        self.graph.add_edges_from(edges)
        return result, time.perf_counter() - t0


# ---------------------------------------------------------------------------------------------
# pgRouting


def _copy_edges(conn, table: str, ids: np.ndarray, source: np.ndarray, target: np.ndarray) -> None:
    with conn.cursor() as cur, cur.copy(f"COPY {table} (id, source, target, cost, reverse_cost) FROM STDIN") as copy:
        step = 200_000
        for s in range(0, len(ids), step):
            chunk = zip(
                ids[s : s + step].tolist(), source[s : s + step].tolist(), target[s : s + step].tolist(), strict=True
            )
            copy.write("".join(f"{i}\t{u}\t{v}\t1\t1\n" for i, u, v in chunk))


def pgr_parallel_edge_check(conn) -> bool:
    """Does pgr_bridges leave a pair of parallel edges out? Path 1-2=3-4 with 2=3 doubled: bridges 1 and 4."""
    conn.execute("CREATE TEMP TABLE tiny (id bigint, source bigint, target bigint, cost float8, reverse_cost float8)")
    _copy_edges(conn, "tiny", np.array([1, 2, 3, 4]), np.array([1, 2, 2, 3]), np.array([2, 3, 3, 4]))
    rows = conn.execute("SELECT edge FROM pgr_bridges('SELECT id, source, target, cost, reverse_cost FROM tiny')")
    return sorted(r[0] for r in rows.fetchall()) == [1, 4]


def _peak_kb(pid: int) -> int | None:
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


def _is_local_backend(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            return f.read().startswith(b"postgres")
    except OSError:
        return False


def _connect_retrying(psycopg, url: str, seconds: float = 120.0):
    """A connection, waiting while the server restarts (after a backend had to be killed)."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            return psycopg.connect(url, autocommit=True)
        except psycopg.OperationalError:
            if time.monotonic() > deadline:
                raise
            time.sleep(1)


def pgr_bridges(url: str, arrays: GraphArrays, *, database: str, timeout_s: float) -> dict:
    """Load the edges (with the super-source) by COPY and time pgr_bridges; a timeout is reported, not raised.

    pgr_bridges does not look at query cancellation while it computes (statement_timeout and
    pg_cancel_backend have no effect), so after `timeout_s` and a cancel that is ignored for 10 s,
    the backend of the throwaway cluster is killed (SIGKILL; the server then restarts itself).
    """
    import psycopg

    url = url.replace("postgresql+psycopg://", "postgresql://")
    out: dict = {}
    with psycopg.connect(url, autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {database}")
        admin.execute(f"CREATE DATABASE {database}")
    db_url = url.rsplit("/", 1)[0] + "/" + database
    try:
        with psycopg.connect(db_url, autocommit=True) as conn:
            conn.execute("CREATE EXTENSION IF NOT EXISTS pgrouting CASCADE")
            out["pgrouting_version"] = conn.execute("SELECT pgr_version()").fetchone()[0]
            out["postgres_version"] = conn.execute("SHOW server_version").fetchone()[0]
            out["parallel_edge_ok"] = pgr_parallel_edge_check(conn)
            root, a, b = arrays.with_super_source()
            ids = np.arange(1, len(a) + 1)
            t0 = time.perf_counter()
            columns = "id bigint, source bigint, target bigint, cost float8, reverse_cost float8"
            conn.execute(f"CREATE UNLOGGED TABLE edges ({columns})")
            _copy_edges(conn, "edges", ids, a + 1, b + 1)
            conn.execute("ANALYZE edges")
            out["load_s"] = time.perf_counter() - t0
            pid = conn.execute("SELECT pg_backend_pid()").fetchone()[0]
            local = _is_local_backend(pid)
            if local:
                with contextlib.suppress(OSError), open(f"/proc/{pid}/clear_refs", "w") as f:
                    f.write("5")
            done, state = threading.Event(), {"peak_kb": None, "killed": False, "timed_out": False}

            def watchdog() -> None:
                if done.wait(timeout_s):
                    return
                state["timed_out"] = True
                state["peak_kb"] = _peak_kb(pid) if local else None
                with contextlib.suppress(psycopg.Error), psycopg.connect(url, autocommit=True) as other:
                    other.execute("SELECT pg_cancel_backend(%s)", (pid,))
                if done.wait(10) or not local:
                    return
                with contextlib.suppress(OSError):
                    os.kill(pid, signal.SIGKILL)
                    state["killed"] = True

            guard = threading.Thread(target=watchdog, daemon=True)
            guard.start()
            t0 = time.perf_counter()
            try:
                rows = conn.execute(
                    "SELECT edge FROM pgr_bridges('SELECT id, source, target, cost, reverse_cost FROM edges')"
                ).fetchall()
                out["seconds"] = time.perf_counter() - t0
                done.set()
                peak = _peak_kb(pid) if local else None
                edges = np.array(sorted(r[0] for r in rows), dtype=np.int64) - 1
                out["bridges"] = edges[edges < arrays.n_edges]
                out["status"] = "finished"
            except psycopg.Error as exc:
                out["seconds"] = time.perf_counter() - t0
                done.set()
                guard.join()
                if not state["timed_out"]:
                    raise
                peak = state["peak_kb"]
                out["status"] = "timeout"
                out["timeout_s"] = timeout_s
                out["timeout_note"] = (
                    "cancel ignored; backend killed" if state["killed"] else f"cancelled ({type(exc).__name__})"
                )
            out["backend_peak_mb"] = peak * 1.024 / 1000 if peak is not None else None
    finally:
        with _connect_retrying(psycopg, url) as admin:
            admin.execute(f"DROP DATABASE IF EXISTS {database}")
    return out
