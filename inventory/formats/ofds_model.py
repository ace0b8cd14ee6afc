"""The Open Fibre Data Standard (OFDS 0.4, https://standard.ofds.info) and our layers: nodes ↔ nodes, spans ↔ routes.

Export (`to_network`) and import (`nodes_frame`, `routes_frame`) share these rules:

- ids: every node, span, organisation and phase gets a UUID, `uuid5(OFDS_NAMESPACE, "<kind>/<our id>")`
  (RFC 4122 name-based), so the same element has the same OFDS id in every export.
- status: in_service ↔ operational, planned ↔ planned, retired ↔ decommissioned (OFDS' proposed and
  underConstruction import as planned, inactive as in_service).
- node kind → `type`: pop → ["pop"], cabinet → ["cabinet"]; the other kinds have no OFDS code (no `type`).
  Importing foreign data: pop, ixp, dataCentre, exchange, cableLanding → pop; cabinet → cabinet; another
  type is kept as found (e.g. "aggregationPoint"), so the import names it as a kind it does not know.
- fibre_count ↔ `fibreCount`; owner ↔ `transmissionMediumOwner` (and `organisations`, role
  transmissionMediumOwner); method aerial ↔ `deployment` ["aboveGround"], the others → ["belowGround"];
  planned_date → `readyForServiceDate`; phases: one per construction year ("Ausbau 2019") and per
  planned year ("Planung 2027"), for information.
- geometry: OFDS coordinates are longitude/latitude (CRS84); ours EPSG:25832 (converted with PROJ).
- The extension `EXTENSION` ("gelsennetInventory") on each node and span carries what OFDS cannot say:
  our id, the exact kind and method, fibres_used, built_year, planned_date, source, and on spans the
  trench (`trenchId`; OFDS has no trench, its issues #192 and #199), and the coordinates as stored
  (`coordinatesEPSG25832`: CRS84 doubles cannot hold every EPSG:25832 double, PROJ's way back differs
  by nanometres), so store → OFDS → store gives nodes and routes back exactly. On import the extension
  wins over the standard fields; its coordinates only where they lie within 1 mm of the OFDS geometry.
"""

from __future__ import annotations

import uuid

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import Transformer

from inventory.frames import is_missing
from inventory.schema import CRS, get_layer

OFDS_NAMESPACE = uuid.UUID("6f1d6a52-2b0c-5b7e-9a51-3c7d0e6e0f17")
"""The namespace of our OFDS ids (fixed; any change gives every element a new OFDS id)."""
EXTENSION = "gelsennetInventory"
SCHEMA_URL = "https://standard.ofds.info/en/0__4__0/network-schema.json"
CRS84 = {"name": "urn:ogc:def:crs:OGC::CRS84", "uri": "http://www.opengis.net/def/crs/OGC/1.3/CRS84"}
NETWORK_NAME = "GELSEN-NET"
STATUS_OUT = {"in_service": "operational", "planned": "planned", "retired": "decommissioned"}
STATUS_IN = {"operational": "in_service", "inactive": "in_service", "planned": "planned", "proposed": "planned",
             "underConstruction": "planned", "decommissioned": "retired"}
KIND_OUT = {"pop": ["pop"], "cabinet": ["cabinet"]}
KIND_IN = {"pop": "pop", "ixp": "pop", "dataCentre": "pop", "exchange": "pop", "cableLanding": "pop",
           "cabinet": "cabinet"}
OWNER_ROLE = "transmissionMediumOwner"
_TO_LONLAT = Transformer.from_crs(CRS, "OGC:CRS84", always_xy=True)
_FROM_LONLAT = Transformer.from_crs("OGC:CRS84", CRS, always_xy=True)
EXACT_COORDINATES = "coordinatesEPSG25832"
"""Extension member: the element's coordinates in EPSG:25832 as stored, [[x, y], ...]."""
EXACT_MATCH_M = 0.001
SNAP_M = 0.5
"""A route end this close to a node starts or ends at it (`topology.network.DEFAULT_SNAP_TOLERANCE_M`)."""


def ofds_id(kind: str, key: str) -> str:
    """Return the stable OFDS id of our element `key` of `kind` ('node', 'span', 'organisation', 'phase', 'network').

    Parameters
    ----------
    kind : str
        The OFDS element kind: 'node', 'span', 'organisation', 'phase' or 'network'.
    key : str
        Our id (node_id, route_id), the owner's or phase's name, or `NETWORK_NAME`.

    Returns
    -------
    str
        The UUID `uuid5(OFDS_NAMESPACE, "<kind>/<key>")` (RFC 4122, name-based) in canonical text form.

    Examples
    --------
    >>> ofds_id("node", "N1")
    'fa166f56-a01a-5354-a616-55af5b69db74'
    """
    return str(uuid.uuid5(OFDS_NAMESPACE, f"{kind}/{key}"))


def _value(v):
    if is_missing(v):
        return None
    if isinstance(v, np.integer):
        return int(v)
    if isinstance(v, np.floating):
        return float(v)
    if isinstance(v, pd.Timestamp):
        return v.date().isoformat()
    if hasattr(v, "isoformat"):
        return v.isoformat()
    return v


def _coords(geom) -> list:
    xy = shapely.get_coordinates(geom)
    lon, lat = _TO_LONLAT.transform(xy[:, 0], xy[:, 1])
    return [[float(a), float(b)] for a, b in zip(np.atleast_1d(lon), np.atleast_1d(lat), strict=True)]


def _exact(geom) -> list | None:
    if geom is None or geom.is_empty:
        return None
    return shapely.get_coordinates(geom).tolist()


def _phase(year, planned: bool, phases: dict) -> dict | None:
    if year is None:
        return None
    name = f"{'Planung' if planned else 'Ausbau'} {int(year)}"
    ref = {"id": ofds_id("phase", name), "name": name}
    phases[ref["id"]] = ref
    return ref


def to_network(nodes: gpd.GeoDataFrame, routes: gpd.GeoDataFrame) -> dict:
    """One OFDS network (a dict ready for JSON) from our nodes and routes (EPSG:25832).

    A span's start and end are the nodes within `SNAP_M` (0.5 m) of its first and last vertex.

    Parameters
    ----------
    nodes : geopandas.GeoDataFrame
        The `nodes` layer: one row per node with its schema columns, Point geometry in EPSG:25832 (metres).
    routes : geopandas.GeoDataFrame
        The `routes` layer: one row per route with its schema columns, LineString geometry in EPSG:25832.

    Returns
    -------
    dict
        An OFDS 0.4 network: "id", "name", "nodes", "spans", "phases", "organisations", "crs" (CRS84) and
        "links"; coordinates in longitude/latitude, each element with the `EXTENSION` member.

    Raises
    ------
    KeyError
        For a status other than in_service, planned or retired (`STATUS_OUT`).
    """
    phases: dict[str, dict] = {}
    organisations: dict[str, dict] = {}
    out_nodes = []
    for row in nodes.itertuples(index=False):
        built = _value(row.built_year)
        node = {"id": ofds_id("node", row.node_id)}
        if _value(row.name) is not None:
            node["name"] = row.name
        node["status"] = STATUS_OUT[row.status]
        if (phase := _phase(built, False, phases)) is not None:
            node["phase"] = phase
        if row.geometry is not None and not row.geometry.is_empty:
            lon, lat = _coords(row.geometry)[0]
            node["location"] = {"type": "Point", "coordinates": [lon, lat]}
        if row.kind in KIND_OUT:
            node["type"] = KIND_OUT[row.kind]
        node[EXTENSION] = {"nodeId": row.node_id, "kind": row.kind, "builtYear": built, "source": _value(row.source),
                           EXACT_COORDINATES: _exact(row.geometry)}
        out_nodes.append(node)
    node_tree = shapely.STRtree(nodes.geometry.values) if len(nodes) else None
    node_ids = [ofds_id("node", k) for k in nodes["node_id"]]
    out_spans = []
    for row in routes.itertuples(index=False):
        span = {"id": ofds_id("span", row.route_id), "status": STATUS_OUT[row.status]}
        planned = _value(row.planned_date)
        built = _value(row.built_year)
        phase = _phase(built, False, phases) if built is not None else \
            _phase(int(planned[:4]) if planned else None, True, phases)
        if phase is not None:
            span["phase"] = phase
        if planned:
            span["readyForServiceDate"] = planned
        if row.geometry is not None and not row.geometry.is_empty:
            ends = (("start", shapely.get_point(row.geometry, 0)), ("end", shapely.get_point(row.geometry, -1)))
            for end, point in ends:
                if node_tree is not None:
                    hit = node_tree.query_nearest(point, max_distance=SNAP_M)
                    if len(hit):
                        span[end] = node_ids[int(hit[0])]
            span["directed"] = False
            span["route"] = {"type": "LineString", "coordinates": _coords(row.geometry)}
        owner = _value(row.owner)
        if owner is not None:
            ref = {"id": ofds_id("organisation", owner), "name": owner}
            organisations[ref["id"]] = {**ref, "roles": [OWNER_ROLE]}
            span["transmissionMediumOwner"] = ref
        span["transmissionMedium"] = ["fibre"]
        if _value(row.method) is not None:
            span["deployment"] = ["aboveGround" if row.method == "aerial" else "belowGround"]
        if _value(row.fibre_count) is not None:
            span["fibreCount"] = int(row.fibre_count)
        span[EXTENSION] = {
            "routeId": row.route_id, "trenchId": _value(row.trench_id), "method": _value(row.method),
            "fibresUsed": _value(row.fibres_used), "builtYear": built, "plannedDate": planned,
            "source": _value(row.source), EXACT_COORDINATES: _exact(row.geometry),
        }
        out_spans.append(span)
    return {
        "id": ofds_id("network", NETWORK_NAME),
        "name": NETWORK_NAME,
        "nodes": out_nodes,
        "spans": out_spans,
        "phases": sorted(phases.values(), key=lambda p: p["name"]),
        "organisations": sorted(organisations.values(), key=lambda o: o["name"]),
        "crs": CRS84,
        "links": [{"rel": "describedby", "href": SCHEMA_URL}],
    }


def _lonlat_geometry(geometry: dict | None, kind: str, exact=None):
    """Return a shapely geometry in EPSG:25832 from an OFDS (GeoJSON) geometry in CRS84; None if missing or unusable.

    `exact`: our export's EPSG:25832 coordinates from the extension (`EXACT_COORDINATES`); used instead of
    the reprojected ones when every vertex lies within `EXACT_MATCH_M` of them (PROJ's round trip
    CRS84 → EPSG:25832 differs by nanometres; a geometry edited in another tool differs by more and wins).
    """
    if not isinstance(geometry, dict) or geometry.get("type") != kind:
        return None
    try:
        coords = np.asarray(geometry.get("coordinates"), dtype=float)
    except (TypeError, ValueError):
        return None
    coords = coords.reshape(1, -1) if kind == "Point" else coords
    if coords.ndim != 2 or coords.shape[1] not in (2, 3) or (kind != "Point" and len(coords) < 2):
        return None
    x, y = _FROM_LONLAT.transform(coords[:, 0], coords[:, 1])
    xy = np.column_stack([np.atleast_1d(x), np.atleast_1d(y)])
    try:
        given = np.asarray(exact, dtype=float) if exact is not None else None
    except (TypeError, ValueError):
        given = None
    if given is not None and given.shape == xy.shape and np.abs(given - xy).max() <= EXACT_MATCH_M:
        xy = given
    return shapely.Point(xy[0]) if kind == "Point" else shapely.LineString(xy)


def _ext(element: dict) -> dict:
    ext = element.get(EXTENSION)
    return ext if isinstance(ext, dict) else {}


def _ref_name(value) -> str | None:
    if isinstance(value, dict):
        return value.get("name") or value.get("id")
    return None


def nodes_frame(nodes: list[dict]) -> tuple[gpd.GeoDataFrame, list[str]]:
    """Our nodes (fields of the `nodes` layer, EPSG:25832) from OFDS nodes; labels 'node N (id)'.

    Parameters
    ----------
    nodes : list of dict
        OFDS node objects as parsed JSON (location in CRS84), with or without the `EXTENSION` member.

    Returns
    -------
    frame : geopandas.GeoDataFrame
        One row per node: the `nodes` layer's columns as untyped objects (the importer validates them) and
        Point geometry in EPSG:25832 (metres), None where the location is missing or unusable.
    labels : list of str
        'node N (OFDS id)', N counted from 1.
    """
    rows, labels = [], []
    for i, node in enumerate(nodes, start=1):
        ext = _ext(node)
        types = node.get("type") if isinstance(node.get("type"), list) else []
        kind = ext.get("kind") or next((KIND_IN[t] for t in types if t in KIND_IN), None)
        if kind is None and types:  # a type we have no kind for: shown as found, so the error names it
            kind = ", ".join(map(str, types))
        rows.append({
            "node_id": ext.get("nodeId") or node.get("id"),
            "kind": kind,
            "name": node.get("name"),
            "status": STATUS_IN.get(node.get("status"), node.get("status")),
            "built_year": ext.get("builtYear"),
            "source": ext.get("source") if ext else "OFDS",
            "geometry": _lonlat_geometry(node.get("location"), "Point", ext.get(EXACT_COORDINATES)),
        })
        labels.append(f"node {i} ({node.get('id')})")
    return _frame(rows, "nodes"), labels


def routes_frame(spans: list[dict]) -> tuple[gpd.GeoDataFrame, list[str]]:
    """Our routes (fields of the `routes` layer, EPSG:25832) from OFDS spans; labels 'span N (id)'.

    Parameters
    ----------
    spans : list of dict
        OFDS span objects as parsed JSON (route in CRS84), with or without the `EXTENSION` member.

    Returns
    -------
    frame : geopandas.GeoDataFrame
        One row per span: the `routes` layer's columns as untyped objects (the importer validates them) and
        LineString geometry in EPSG:25832 (metres), None where the route is missing or unusable.
    labels : list of str
        'span N (OFDS id)', N counted from 1.
    """
    rows, labels = [], []
    for i, span in enumerate(spans, start=1):
        ext = _ext(span)
        status = STATUS_IN.get(span.get("status"), span.get("status"))
        ready = span.get("readyForServiceDate")
        deployment = span.get("deployment") if isinstance(span.get("deployment"), list) else []
        method = ext.get("method") if ext else ("aerial" if deployment == ["aboveGround"] else None)
        owner = _ref_name(span.get("transmissionMediumOwner")) or _ref_name(span.get("physicalInfrastructureProvider"))
        if ext:
            built, planned = ext.get("builtYear"), ext.get("plannedDate")
        else:
            planned = ready if status == "planned" else None
            dated = status == "in_service" and isinstance(ready, str) and ready[:4].isdigit()
            built = int(ready[:4]) if dated else None
        rows.append({
            "route_id": ext.get("routeId") or span.get("id"),
            "trench_id": ext.get("trenchId"),
            "status": status,
            "fibre_count": span.get("fibreCount"),
            "fibres_used": ext.get("fibresUsed"),
            "method": method,
            "built_year": built,
            "planned_date": planned,
            "owner": owner,
            "source": ext.get("source") if ext else "OFDS",
            "geometry": _lonlat_geometry(span.get("route"), "LineString", ext.get(EXACT_COORDINATES)),
        })
        labels.append(f"span {i} ({span.get('id')})")
    return _frame(rows, "routes"), labels


def _frame(rows: list[dict], layer: str) -> gpd.GeoDataFrame:
    columns = get_layer(layer).columns
    table = pd.DataFrame(rows, columns=[*columns, "geometry"]).astype({c: object for c in columns})
    return gpd.GeoDataFrame(table, geometry=gpd.GeoSeries(table.pop("geometry").tolist(), crs=CRS))
