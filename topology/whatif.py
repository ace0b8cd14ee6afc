"""What-if: any set of failed segments, nodes, trenches or an area, and what it does to every site."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import shapely
from shapely.geometry.base import BaseGeometry

from topology.network import Network
from topology.reachability import core_distances
from topology.redundancy import vertex_label

SITE_STATES = ("isolated", "detour", "unchanged", "unreachable_before", "unattached")


@dataclass
class Failure:
    """What fails together. IDs are route ids, node ids (or junction labels) and trench ids."""

    segments: list[str] = field(default_factory=list)
    nodes: list[str] = field(default_factory=list)
    trenches: list[str] = field(default_factory=list)
    area: BaseGeometry | None = None
    """A polygon, or a point buffered by a radius (`Failure.around`): every route crossing it and
    every node inside it fail."""

    @classmethod
    def around(cls, x: float, y: float, radius_m: float, **kwargs) -> Failure:
        """A construction site: everything within `radius_m` of the point (x, y) in EPSG:25832."""
        if radius_m <= 0:
            raise ValueError(f"radius_m must be positive, got {radius_m}")
        return cls(area=shapely.Point(x, y).buffer(radius_m), **kwargs)


@dataclass
class WhatIf:
    failed_edges: np.ndarray
    failed_vertices: np.ndarray
    sites: pd.DataFrame
    """One row per site: site_id, name, kind, pupils, state, distance_before_m, distance_after_m, detour_m."""

    def isolated(self) -> pd.DataFrame:
        return self.sites[self.sites["state"] == "isolated"]

    def summary(self) -> dict[str, int]:
        isolated = self.isolated()
        return {
            "failed_segments": len(self.failed_edges),
            "failed_nodes": len(self.failed_vertices),
            "isolated_sites": len(isolated),
            "isolated_pupils": int(isolated["pupils"].sum()),
            "sites_on_detour": int((self.sites["state"] == "detour").sum()),
        }


def failed_elements(network: Network, failure: Failure) -> tuple[np.ndarray, np.ndarray]:
    """(edge indices, vertex indices) that `failure` takes out; ValueError names unknown ids."""
    unknown = []
    edges = [np.flatnonzero(np.isin(network.edge_route_id, failure.segments))]
    unknown += [f"segment {s}" for s in failure.segments if s not in set(network.edge_route_id.tolist())]
    edges.append(np.flatnonzero(np.isin(network.edge_trench_id, failure.trenches)))
    unknown += [f"trench {t}" for t in failure.trenches if t not in set(network.edge_trench_id.tolist())]
    labels = {vertex_label(network, v): v for v in range(network.n_vertices)}
    vertices = [labels[n] for n in failure.nodes if n in labels]
    unknown += [f"node {n}" for n in failure.nodes if n not in labels]
    if unknown:
        raise ValueError(
            f"not in the {network.scenario} network: {', '.join(unknown)}; "
            "check the ids (planned routes count only with --scenario planned)"
        )
    if failure.area is not None:
        if not failure.area.is_valid or failure.area.is_empty:
            raise ValueError("the failure area must be a valid, non-empty polygon")
        hit = shapely.STRtree(network.edge_geometry).query(failure.area, predicate="intersects")
        edges.append(np.asarray(hit, dtype=np.int64))
        inside = shapely.contains_xy(failure.area, network.vertex_xy[:, 0], network.vertex_xy[:, 1])
        vertices += np.flatnonzero(inside).tolist()
    return np.unique(np.concatenate(edges)).astype(np.int64), np.unique(np.asarray(vertices, dtype=np.int64))


def what_if(network: Network, failure: Failure) -> WhatIf:
    """Sites cut off by `failure`, and the detour in metres of those that stay connected."""
    edges, vertices = failed_elements(network, failure)
    before, *_ = core_distances(network)
    after, *_ = core_distances(network, failed_edges=edges, failed_vertices=vertices)
    dead = set(vertices.tolist())
    rows = []
    for site in network.sites.itertuples(index=False):
        v = int(site.vertex)
        d0 = float(before[v]) if v >= 0 else np.inf
        d1 = float(after[v]) if v >= 0 and v not in dead else np.inf
        if v < 0:
            state = "unattached"
        elif not np.isfinite(d0):
            state = "unreachable_before"
        elif not np.isfinite(d1):
            state = "isolated"
        elif d1 > d0 + 1e-6:
            state = "detour"
        else:
            state = "unchanged"
        rows.append({
            "site_id": site.site_id, "name": site.name, "kind": site.kind, "pupils": site.pupils, "state": state,
            "distance_before_m": d0 if np.isfinite(d0) else np.nan,
            "distance_after_m": d1 if np.isfinite(d1) else np.nan,
            "detour_m": d1 - d0 if np.isfinite(d0) and np.isfinite(d1) else np.nan,
        })
    columns = ["site_id", "name", "kind", "pupils", "state", "distance_before_m", "distance_after_m", "detour_m"]
    return WhatIf(edges, vertices, pd.DataFrame(rows, columns=columns))
