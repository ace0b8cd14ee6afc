"""Small hand-made inventories with exact, known contents, and the helpers the tests share.

- `X0, Y0`: the origin the hand-made layers are drawn around (EPSG:25832 metres, central Gelsenkirchen).
- `frame(layer, rows)`: a layer typed and checked as an import would (no problem allowed).
- `snapshot(store)`: the whole store, to compare before and after ("nothing changed").
"""

from __future__ import annotations

import datetime as dt

import geopandas as gpd
from shapely import LineString, MultiPolygon, Point, box

from inventory.schema import CRS, LAYER_ORDER, LAYERS
from inventory.validation import check_frame

X0, Y0 = 368_000.0, 5_710_000.0  # central Gelsenkirchen, EPSG:25832


def frame(layer: str, rows: list[dict]) -> gpd.GeoDataFrame:
    """`rows` (dicts with a shapely `geometry`, EPSG:25832) as `layer`, typed by `check_frame`; an
    AssertionError naming the problems if the rows are not a valid layer."""
    raw = gpd.GeoDataFrame(rows, geometry="geometry", crs=CRS)
    typed, problems = check_frame(raw, LAYERS[layer])
    assert not problems, problems
    return typed


def snapshot(store):
    """A GeoPackage store's file bytes, or a PostGIS store's layers (`read_all`): equal before and after
    exactly when nothing changed (byte for byte, row for row)."""
    from inventory.stores import GeoPackageStore

    if isinstance(store, GeoPackageStore):
        return store.path.read_bytes()
    return store.read_all()


def small_inventory() -> dict[str, gpd.GeoDataFrame]:
    """A POP, two closures on a 1 km square ring, a school, a business park, two districts."""
    p = {name: Point(X0 + dx, Y0 + dy) for name, (dx, dy) in
         {"POP1": (0, 0), "C1": (1000, 0), "C2": (1000, 1000), "C3": (0, 1000)}.items()}
    nodes = frame("nodes", [
        {"node_id": "POP1", "kind": "pop", "name": "POP Altstadt", "status": "in_service", "built_year": 1998,
         "source": "test", "geometry": p["POP1"]},
        {"node_id": "C1", "kind": "closure", "name": "Muffe 1", "status": "in_service", "built_year": 2001,
         "source": "test", "geometry": p["C1"]},
        {"node_id": "C2", "kind": "cabinet", "name": None, "status": "in_service", "built_year": None,
         "source": "test", "geometry": p["C2"]},
        {"node_id": "C3", "kind": "closure", "name": "Muffe 3 – Heßler", "status": "planned", "built_year": None,
         "source": None, "geometry": p["C3"]},
    ])
    ring = [("R1", "POP1", "C1", "T1"), ("R2", "C1", "C2", "T2"), ("R3", "C2", "C3", "T3"), ("R4", "C3", "POP1", "T1")]
    routes = frame("routes", [
        {"route_id": rid, "trench_id": trench, "status": "in_service" if rid != "R3" else "planned",
         "fibre_count": 48, "fibres_used": 12, "method": "open_trench", "built_year": 2001,
         "planned_date": dt.date(2027, 6, 30) if rid == "R3" else None, "owner": "GELSEN-NET",
         "source": "test", "geometry": LineString([p[a], p[b]])}
        for rid, a, b, trench in ring
    ])
    sites = frame("sites", [
        {"site_id": "118928", "kind": "school", "name": "Städt. Gem. Grundschule", "address": "Marschallstr. 13",
         "district": "Bismarck", "connection": "connected", "bandwidth_mbps": 1000.0, "symmetric": True,
         "connected_since": dt.date(2012, 8, 1), "planned_date": None, "handover_node_id": "C1", "pupils": 430,
         "school_type": "Grundschule", "source": "test", "geometry": Point(X0 + 1010, Y0 + 5)},
        {"site_id": "GE-PARK", "kind": "business_park", "name": "Gewerbepark", "address": None, "district": None,
         "connection": "planned", "bandwidth_mbps": None, "symmetric": None, "connected_since": None,
         "planned_date": dt.date(2027, 1, 1), "handover_node_id": None, "pupils": None, "school_type": None,
         "source": "test", "geometry": Point(X0 + 500, Y0 + 500)},
    ])
    site_areas = frame("site_areas", [
        {"site_id": "GE-PARK", "source": "test", "geometry": MultiPolygon([box(X0 + 400, Y0 + 400, X0 + 600, Y0 + 600)])},
    ])
    districts = frame("districts", [
        {"district_id": "SB-MITTE", "name": "Gelsenkirchen-Mitte", "level": "stadtbezirk", "parent_id": None,
         "source": "test", "geometry": MultiPolygon([box(X0 - 100, Y0 - 100, X0 + 1100, Y0 + 1100)])},
        {"district_id": "ST-BISMARCK", "name": "Bismarck", "level": "stadtteil", "parent_id": "SB-MITTE",
         "source": "test", "geometry": MultiPolygon([box(X0 - 100, Y0 - 100, X0 + 500, Y0 + 1100)])},
    ])
    frames = {"nodes": nodes, "routes": routes, "sites": sites, "site_areas": site_areas, "districts": districts}
    assert list(frames) == list(LAYER_ORDER)
    return frames


# --- small route networks (coordinates in metres relative to X0, Y0) ---------------------------------


def at(dx: float, dy: float) -> tuple[float, float]:
    """The point (dx, dy) metres east and north of (X0, Y0)."""
    return (X0 + dx, Y0 + dy)


def nodes_frame(*rows) -> gpd.GeoDataFrame:
    """A typed nodes layer; rows: (node_id, kind, (dx, dy)[, status])."""
    return frame("nodes", [
        {"node_id": nid, "kind": kind, "status": rest[0] if rest else "in_service", "geometry": Point(at(*xy))}
        for nid, kind, xy, *rest in rows
    ])


def routes_frame(*rows) -> gpd.GeoDataFrame:
    """A typed routes layer; rows: (route_id, [(dx, dy), ...][, trench_id[, status]])."""
    return frame("routes", [
        {"route_id": rid, "trench_id": rest[0] if rest else None, "status": rest[1] if len(rest) > 1 else "in_service",
         "geometry": LineString([at(*p) for p in points])}
        for rid, points, *rest in rows
    ])


def sites_frame(*rows) -> gpd.GeoDataFrame:
    """A typed sites layer of connected schools; rows: (site_id, (dx, dy), handover_node_id[, pupils])."""
    return frame("sites", [
        {"site_id": sid, "kind": "school", "name": f"Schule {sid}", "connection": "connected",
         "handover_node_id": handover, "pupils": rest[0] if rest else 100, "geometry": Point(at(*xy))}
        for sid, xy, handover, *rest in rows
    ])
