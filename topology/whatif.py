"""What-if: any set of failed segments, nodes, trenches or an area, and what it does to every site.

`locate_point` checks a construction site's coordinates before anything fails: a point outside the
city and far from every route is refused (`PointNotOnNetwork`), and lon/lat given where EPSG:25832
metres are expected is recognised and transformed with a note, so a wrong coordinate never answers
"0 sites cut off".
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np
import pandas as pd
import shapely
from shapely.geometry.base import BaseGeometry

from inventory.cli_format import metres
from inventory.schema import CRS
from topology.errors import InvalidFailureError, PointNotOnNetwork, UnknownElementError
from topology.network import Network
from topology.reachability import core_distances
from topology.redundancy import vertex_label

SITE_STATES = ("isolated", "detour", "unchanged", "unreachable_before", "not_connected", "planned", "unattached")
"""A site's state in a what-if.

A site off the network keeps its attachment (`Network.sites.attach`): not_connected (connection none), planned
(not built in this scenario), unattached (no vertex found).
"""
LONLAT_CRS = "EPSG:4326"
CONSTRUCTION_SITE_RADIUS_M = 50.0
"""The default radius of a construction site (`Failure.around`; `gelsennet impact --radius-m`, the Netz page).

A planning assumption, not a measured value. 50 m around a point covers about 100 m of street, one street
section between two junctions in a city like Gelsenkirchen, where road works dig; a larger circle reaches
into the neighbouring streets and fails trenches no single construction site would touch. Change it per
question (the option and the app field take any positive radius).
"""
DEFAULT_MAX_ROUTE_DISTANCE_M = 1000.0
"""A point further than this (metres) from every route, and outside the city, is refused.

Every point of the sample city lies within 982 m of an in-service route, so 1 km refuses no place in the city.
"""


class LocatedPoint(NamedTuple):
    """A checked point: `x`, `y` in EPSG:25832 metres, and `note` (None, or what was done to the input)."""

    x: float
    y: float
    note: str | None


def _ground(network: Network, districts) -> BaseGeometry | None:
    """Return the city: the union of `districts`, else the network's extent; None when neither exists.

    `districts` is a GeoDataFrame or a geometry; the network's extent is the bounding box of its vertices.
    """
    if districts is not None:
        geometry = districts if isinstance(districts, BaseGeometry) else shapely.union_all(
            np.asarray(districts.geometry.values, dtype=object))
        if not geometry.is_empty:
            return geometry
    if network.n_vertices:
        return shapely.box(*network.vertex_xy.min(axis=0), *network.vertex_xy.max(axis=0))
    return None


def _route_distance_m(network: Network, x: float, y: float) -> float | None:
    if not network.n_edges:
        return None
    point = shapely.Point(x, y)
    nearest = shapely.STRtree(network.edge_geometry).nearest(point)
    return float(shapely.distance(network.edge_geometry[nearest], point))


def nearest_route(network: Network, area: BaseGeometry) -> tuple[float, str]:
    """Find the nearest edge of `network` to `area`: its distance (m) and its route id.

    Returns (inf, "") for a network without edges. This says where the fibre is when a construction site
    touches none.

    Parameters
    ----------
    network : Network
        The network (`build_network`).
    area : shapely geometry
        The area, e.g. a construction site's polygon, in the network's CRS (EPSG:25832, metres).

    Returns
    -------
    tuple of (float, str)
        The distance in metres from `area` to the nearest edge, and that edge's route id.
    """
    if not network.n_edges:
        return float("inf"), ""
    nearest = int(shapely.STRtree(network.edge_geometry).nearest(area))
    return float(shapely.distance(network.edge_geometry[nearest], area)), str(network.edge_route_id[nearest])


def locate_point(network: Network, x: float, y: float, *, districts=None,
                 max_route_distance_m: float = DEFAULT_MAX_ROUTE_DISTANCE_M) -> LocatedPoint:
    """Check that (x, y), meant as EPSG:25832 metres, is a place on `network`.

    A point is on the network when it lies in the city (the union of `districts`; without them, the bounding
    box of the network's vertices) or within `max_route_distance_m` of one of its routes. When it is not,
    but (x, y) read as longitude, latitude (EPSG:4326, both within range) is, the transformed point is
    returned with a note saying so. With neither districts nor routes there is nothing to check against
    and the point is returned as given.

    Parameters
    ----------
    network : Network
        The network (`build_network`).
    x, y : float
        Easting and northing in EPSG:25832 metres (or longitude, latitude in degrees, see above).
    districts : geopandas.GeoDataFrame or shapely geometry, optional
        The city's districts (EPSG:25832); their union is the city.
    max_route_distance_m : float
        Metres from the nearest route within which a point outside the city is still taken
        (`DEFAULT_MAX_ROUTE_DISTANCE_M`, 1 km: every point of the sample city lies within 982 m of a route).

    Returns
    -------
    LocatedPoint
        (x, y) in EPSG:25832 metres and `note`: None, or what was done to the input.

    Raises
    ------
    topology.errors.PointNotOnNetwork
        A ValueError with `reason`: 'not_finite' (NaN or infinite values), 'swapped' (metres given as Y,X),
        'lat_lon' (latitude, longitude given: longitude comes first) or 'outside' (outside the city and
        far from every route); the message names the value, what was expected and the fix, and for
        'swapped' and 'lat_lon' `suggestion` holds the point probably meant (else None).

    Examples
    --------
    `network` is the square ring of `build_network`'s example (four routes in four trenches, a POP at one
    corner, a school 1 m off the opposite corner).

    >>> locate_point(network, 50, 0)
    LocatedPoint(x=50.0, y=0.0, note=None)
    """
    if not (np.isfinite(x) and np.isfinite(y)):
        raise PointNotOnNetwork(f"({x}, {y}): expected two finite numbers, EPSG:25832 metres X,Y; fix: give "
                                "X,Y as numbers", reason="not_finite", value=(x, y))
    ground = _ground(network, districts)
    if ground is None and not network.n_edges:
        return LocatedPoint(float(x), float(y), None)

    def on_network(px: float, py: float) -> tuple[bool, float | None]:
        distance = _route_distance_m(network, px, py)
        inside = ground is not None and shapely.intersects_xy(ground, px, py)
        return bool(inside or (distance is not None and distance <= max_route_distance_m)), distance

    found, distance = on_network(x, y)
    if found:
        return LocatedPoint(float(x), float(y), None)
    if on_network(y, x)[0]:
        raise PointNotOnNetwork(
            f"({x:.10g}, {y:.10g}): expected EPSG:25832 metres X,Y (easting first); these read as Y,X; fix: give "
            f"{y:.10g},{x:.10g}", reason="swapped", value=(x, y), distance_m=distance, suggestion=(float(y), float(x)))
    from pyproj import Transformer

    to_metres = Transformer.from_crs(LONLAT_CRS, CRS, always_xy=True)
    readings = [(lon, lat) for lon, lat in ((x, y), (y, x)) if -180 <= lon <= 180 and -90 <= lat <= 90]
    for lon, lat in readings:
        mx, my = to_metres.transform(lon, lat)
        if not (np.isfinite(mx) and np.isfinite(my)) or not on_network(mx, my)[0]:
            continue
        if (lon, lat) == (x, y):
            return LocatedPoint(float(mx), float(my), (
                f"({x:.10g}, {y:.10g}) is not a place on the network in EPSG:25832 metres but is one as longitude, "
                f"latitude (EPSG:4326): used x={mx:.0f}, y={my:.0f} (EPSG:25832)"))
        raise PointNotOnNetwork(
            f"({x:.10g}, {y:.10g}): expected EPSG:25832 metres X,Y, or longitude,latitude; these read as latitude, "
            f"longitude; fix: give {lon:.10g},{lat:.10g} (longitude first) or {mx:.0f},{my:.0f} in EPSG:25832",
            reason="lat_lon", value=(x, y), suggestion=(float(mx), float(my)))
    where = ""
    if ground is not None:
        x0, y0, x1, y1 = ground.bounds
        where = f"a point in the city (x {x0:.0f}–{x1:.0f}, y {y0:.0f}–{y1:.0f}) or"
    away = f"; it is {metres(distance)} from the nearest route" if distance is not None else ""
    raise PointNotOnNetwork(
        f"({x:.10g}, {y:.10g}): expected {where} within {metres(max_route_distance_m)} of a route, in EPSG:25832 "
        f"metres (or longitude,latitude){away}; fix: check the coordinates and their order (X = easting, "
        "Y = northing)", reason="outside", value=(x, y), distance_m=distance)


@dataclass
class Failure:
    """What fails together. IDs are route ids, node ids (or junction labels) and trench ids."""

    segments: list[str] = field(default_factory=list)
    nodes: list[str] = field(default_factory=list)
    trenches: list[str] = field(default_factory=list)
    area: BaseGeometry | None = None
    """A polygon, or a point buffered by a radius (`Failure.around`).

    Every route crossing it and every node inside it fail.
    """

    @classmethod
    def around(cls, x: float, y: float, radius_m: float, **kwargs) -> Failure:
        """Make a construction site: everything within `radius_m` of the point (x, y) in EPSG:25832 fails.

        Parameters
        ----------
        x, y : float
            The point, EPSG:25832 metres.
        radius_m : float
            The radius of the site, metres (the CLI's and the app's default: `CONSTRUCTION_SITE_RADIUS_M`).
        **kwargs
            Further elements to fail (`segments`, `nodes`, `trenches`).

        Returns
        -------
        Failure
            A failure whose `area` is the disc.

        Raises
        ------
        topology.errors.InvalidFailureError
            For a radius that is not positive.
        """
        if radius_m <= 0:
            raise InvalidFailureError(f"radius_m must be positive, got {radius_m}", name="radius_m", value=radius_m)
        return cls(area=shapely.Point(x, y).buffer(radius_m), **kwargs)


@dataclass
class WhatIf:
    """The outcome of `what_if`: the failed edges and vertices (index arrays) and every site's state."""

    failed_edges: np.ndarray
    failed_vertices: np.ndarray
    sites: pd.DataFrame
    """One row per site: site_id, name, kind, pupils, state, the distances before and after, and more.

    The columns: site_id, name, kind, pupils, state, distance_before_m, distance_after_m, detour_m,
    now_single_homed (redundant before, still reachable, and now one segment, trench or node other than
    a POP and its own handover node cuts it off; `state` stays detour or unchanged for these).
    """

    def isolated(self) -> pd.DataFrame:
        """Return the sites the failure cuts off from the core (state 'isolated')."""
        return self.sites[self.sites["state"] == "isolated"]

    def summary(self) -> dict[str, int]:
        """Count the failed segments and nodes and the sites and pupils cut off, on a detour or now single-homed."""
        isolated, single_homed = self.isolated(), self.now_single_homed()
        return {
            "failed_segments": len(self.failed_edges),
            "failed_nodes": len(self.failed_vertices),
            "isolated_sites": len(isolated),
            "isolated_pupils": int(isolated["pupils"].sum()),
            "sites_on_detour": int((self.sites["state"] == "detour").sum()),
            "sites_now_single_homed": len(single_homed),
            "pupils_now_single_homed": int(single_homed["pupils"].sum()),
        }

    def now_single_homed(self) -> pd.DataFrame:
        """Sites still connected but no longer redundant (see `sites`)."""
        if "now_single_homed" not in self.sites:
            return self.sites.iloc[:0]
        return self.sites[self.sites["now_single_homed"].astype(bool)]


def failed_elements(network: Network, failure: Failure) -> tuple[np.ndarray, np.ndarray]:
    """Return the edge and vertex indices that `failure` takes out; `UnknownElementError` names unknown ids.

    A trench takes out every edge with its trench id (docs/design.md, "Redundancy words": a trench fails with
    all its routes); an area every edge that intersects it and every vertex inside it (an STRtree query).

    Parameters
    ----------
    network : Network
        The network (`topology.network.build_network`).
    failure : Failure
        Route ids (`segments`), node ids or junction labels (`nodes`), trench ids (`trenches`) and an
        optional `area` (a polygon in EPSG:25832).

    Returns
    -------
    edges, vertices : numpy.ndarray of int64
        The failed edge indices, shape (e,), and vertex indices, shape (v,), sorted and distinct.

    Raises
    ------
    topology.errors.UnknownElementError
        When an id of `failure` is not in the network of its scenario (the message lists every unknown id;
        `unknown` holds them by kind).
    topology.errors.InvalidFailureError
        When `failure.area` is invalid or empty (any other valid geometry is taken: a line fails the routes
        it meets).
    """
    unknown: dict[str, list[str]] = {}
    edges = [np.flatnonzero(np.isin(network.edge_route_id, failure.segments))]
    unknown["segment"] = [s for s in failure.segments if s not in set(network.edge_route_id.tolist())]
    edges.append(np.flatnonzero(np.isin(network.edge_trench_id, failure.trenches)))
    unknown["trench"] = [t for t in failure.trenches if t not in set(network.edge_trench_id.tolist())]
    labels = {vertex_label(network, v): v for v in range(network.n_vertices)}
    vertices = [labels[n] for n in failure.nodes if n in labels]
    unknown["node"] = [n for n in failure.nodes if n not in labels]
    if any(unknown.values()):
        named = [f"{kind} {value}" for kind, values in unknown.items() for value in values]
        raise UnknownElementError(
            f"not in the {network.scenario} network: {', '.join(named)}; "
            "check the ids (planned routes count only with --scenario planned)", unknown=unknown)
    if failure.area is not None:
        if not failure.area.is_valid or failure.area.is_empty:
            raise InvalidFailureError("the failure area must be a valid, non-empty polygon", name="area",
                                      value=failure.area)
        hit = shapely.STRtree(network.edge_geometry).query(failure.area, predicate="intersects")
        edges.append(np.asarray(hit, dtype=np.int64))
        inside = shapely.contains_xy(failure.area, network.vertex_xy[:, 0], network.vertex_xy[:, 1])
        vertices += np.flatnonzero(inside).tolist()
    return np.unique(np.concatenate(edges)).astype(np.int64), np.unique(np.asarray(vertices, dtype=np.int64))


def what_if(network: Network, failure: Failure) -> WhatIf:
    """Find the sites `failure` cuts off, and the detour in metres of those that stay connected.

    Distances are shortest paths to the core (every in-service POP) before and after removing the failed
    edges and vertices (Dijkstra, `topology.reachability.core_distances`).

    Parameters
    ----------
    network : Network
        The network (`build_network`).
    failure : Failure
        Route ids (`segments`), node ids or junction labels (`nodes`), trench ids (`trenches`) and an
        optional `area` (a polygon in EPSG:25832, or `Failure.around(x, y, radius_m)`): everything in it
        fails together.

    Returns
    -------
    WhatIf
        `failed_edges`, `failed_vertices` (int arrays of indices into the network), and `sites`: one row
        per site with state ('isolated', 'detour', 'unchanged', 'unreachable_before', 'unattached',
        'not_connected', 'planned'), distance_before_m, distance_after_m, detour_m (NaN without a path)
        and now_single_homed (redundant before, reachable after, but no longer redundant).

    Raises
    ------
    topology.errors.UnknownElementError
        When an id of `failure` is not in the network of its scenario (the message lists every unknown
        id; `values` holds them, `unknown` by kind).
    topology.errors.InvalidFailureError
        When `failure.area` is invalid or empty (any other valid geometry is taken: a line fails the routes
        it meets).

    Examples
    --------
    `network` is the square ring of `build_network`'s example (four routes in four trenches, a POP at one
    corner, a school 1 m off the opposite corner).

    >>> what_if(network, Failure(segments=["r1", "r4"])).summary()["isolated_sites"]
    1
    >>> what_if(network, Failure(segments=["r9"]))  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    topology.errors.UnknownElementError: not in the in_service network: segment r9; check the ids ...
    """
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
            state = site.attach if site.attach in ("not_connected", "planned") else "unattached"
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
    table = pd.DataFrame(rows, columns=columns)
    table["now_single_homed"] = _now_single_homed(network, edges, vertices, table["state"].to_numpy())
    return WhatIf(edges, vertices, table)


def _now_single_homed(network: Network, edges: np.ndarray, vertices: np.ndarray, state: np.ndarray) -> np.ndarray:
    """Tell per site whether it was redundant before the failure and is reachable but no longer redundant after it.

    This takes two cut index builds, O(V + E).
    """
    from topology.degraded import without
    from topology.redundancy import site_redundancy

    if not len(network.sites):
        return np.zeros(0, dtype=bool)
    before = site_redundancy(network)["redundant"].to_numpy(dtype=bool)
    after = site_redundancy(without(network, edges, vertices))["redundant"].to_numpy(dtype=bool)
    return before & ~after & np.isin(state, ["detour", "unchanged"])
