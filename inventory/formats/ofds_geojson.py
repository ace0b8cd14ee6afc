"""OFDS GeoJSON pair (OFDS 0.4 publication format): nodes.geojson (Points) and spans.geojson (LineStrings).

Each feature's properties are the node's or span's fields with the network's own fields in "network";
a span's "start" and "end" are the node objects. The translation is `inventory.formats.ofds_model`'s.
Written as a folder with the two files; read one file at a time (`import nodes nodes.geojson`,
`import routes spans.geojson`). A user who maps columns himself (--map, --mapping) gets the file's
plain GeoJSON columns instead (`ReadOptions.raw_columns`).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from pathlib import Path

import geopandas as gpd

from inventory.formats import geojson
from inventory.formats.base import RawData, ReadOptions, atomic, to_storage_crs, unreadable
from inventory.formats.ofds_model import nodes_frame, routes_frame, to_network

NAME = "OFDS GeoJSON"
FILES = {"nodes": "nodes.geojson", "routes": "spans.geojson"}
_PAIR = re.compile(rb'"FeatureCollection".*?"network"\s*:\s*\{', re.S)
_GEOMETRY = {"nodes": ("Point", "location"), "routes": ("LineString", "route")}


def sniff(head: bytes, path: Path | None) -> bool:
    """Tell whether the first bytes are a GeoJSON FeatureCollection whose features carry an OFDS "network" object.

    Parameters
    ----------
    head : bytes
        The file's first `inventory.formats.SNIFF_BYTES` (64 KiB) bytes, fewer for a shorter file.
    path : pathlib.Path or None
        The file; not read by this test (the registry passes it to every format's test).

    Returns
    -------
    bool
        True when the bytes are this format's.

    Examples
    --------
    >>> sniff(b'{"type": "FeatureCollection", "features": [{"properties": {"network": {"id": "n1"}}}]}', None)
    True
    """
    return geojson.sniff(head, path) and _PAIR.search(head) is not None


def read(path: Path, layer: str, options: ReadOptions) -> RawData:
    """Return the nodes (layer 'nodes', Point features) or spans (layer 'routes', LineString features) of `path`.

    Features with another geometry type are skipped; a file with only such features is refused with the
    layer to import it into.

    Parameters
    ----------
    path : pathlib.Path
        nodes.geojson or spans.geojson of an OFDS GeoJSON pair.
    layer : str
        'nodes' or 'routes'; another layer gives one `file` problem.
    options : ReadOptions
        `raw_columns` reads the file as plain GeoJSON (`inventory.formats.geojson.read`) with all its
        options; otherwise only `force_2d` applies (OFDS coordinates are CRS84).

    Returns
    -------
    RawData
        One row per node or span of the layer's fields (`inventory.formats.ofds_model`), geometry in
        EPSG:25832 (metres), labels 'node N (id)' or 'span N (id)'; no rows and one problem when the file is
        unreadable or holds only the other kind.

    Raises
    ------
    OSError
        When the file cannot be read.
    """
    if options.raw_columns:
        return geojson.read(path, layer, options)
    if layer not in _GEOMETRY:
        return unreadable(path, layer, "an import into nodes or routes (OFDS holds nodes and spans)",
                          f"layer {layer}", "import nodes.geojson into nodes and spans.geojson into routes", NAME,
                          params={"variant": "ofds_geojson_layer", "layer": layer})
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
        features = data["features"]
    except (UnicodeDecodeError, json.JSONDecodeError, KeyError, TypeError) as exc:
        return unreadable(path, layer, "a GeoJSON FeatureCollection (UTF-8)", str(exc), "export the file again", NAME,
                          params={"variant": "geojson_unreadable"})
    not_features = ([] if isinstance(features, list) else ["features"]) or [
        f"feature {i + 1}" for i, f in enumerate(features)
        if not isinstance(f, dict) or not isinstance(f.get("properties") or {}, dict)]
    if not_features:
        shown = ", ".join(not_features[:5]) + (", ..." if len(not_features) > 5 else "")
        return unreadable(path, layer, "a GeoJSON FeatureCollection (UTF-8)",
                          f"{shown}: not a Feature object with an object of properties", "export the file again",
                          NAME, params={"variant": "geojson_unreadable"})
    kind, member = _GEOMETRY[layer]
    elements, others = [], 0
    for feature in features:
        geometry = feature.get("geometry")
        if isinstance(geometry, dict) and geometry.get("type") != kind:
            others += 1
            continue
        properties = feature.get("properties") or {}
        elements.append({**properties, member: geometry})
    if others and not elements:
        other = "nodes.geojson" if layer == "nodes" else "spans.geojson"
        return unreadable(path, layer, f"OFDS {kind} features for {layer}", f"{others} features of another kind",
                          f"import this file into {'routes' if layer == 'nodes' else 'nodes'}, and {other} here",
                          NAME, params={"variant": "ofds_other_kind", "kind": kind, "count": others, "layer": layer,
                                        "other_layer": "routes" if layer == "nodes" else "nodes", "other_file": other})
    frame, labels = (nodes_frame if layer == "nodes" else routes_frame)(elements)
    return RawData(to_storage_crs(frame, options), labels, [], NAME)


def feature_collections(frames: Mapping[str, gpd.GeoDataFrame]) -> dict[str, dict]:
    """{file name: FeatureCollection} of our nodes and routes, as OFDS publishes a network in GeoJSON.

    Parameters
    ----------
    frames : mapping of str to geopandas.GeoDataFrame
        The layers 'nodes' and 'routes' (others are ignored), typed rows with geometry in EPSG:25832, as a
        store reads them.

    Returns
    -------
    dict of str to dict
        'nodes.geojson' and 'spans.geojson' (`FILES`), each a FeatureCollection (CRS84 coordinates) whose
        features carry the node's or span's fields, "featureType", the expanded phase and end nodes, and
        the network's own fields in "network".

    Raises
    ------
    KeyError
        When `frames` lacks 'nodes' or 'routes'.
    """
    network = to_network(frames["nodes"], frames["routes"])
    meta = {k: v for k, v in network.items() if k not in ("nodes", "spans", "phases", "organisations")}
    nodes_by_id = {n["id"]: n for n in network["nodes"]}
    phases = {p["id"]: p for p in network["phases"]}

    def expand(element: dict) -> dict:
        out = dict(element)
        if "phase" in out:
            out["phase"] = phases.get(out["phase"]["id"], out["phase"])
        return out

    def feature(element: dict, member: str) -> dict:
        properties = {"featureType": "node" if member == "location" else "span"}
        properties |= expand({k: v for k, v in element.items() if k != member})
        for end in ("start", "end"):
            if end in properties:
                properties[end] = expand(nodes_by_id[properties[end]])
        return {"type": "Feature", "geometry": element.get(member), "properties": {**properties, "network": meta}}

    return {
        FILES["nodes"]: {"type": "FeatureCollection", "features": [feature(n, "location") for n in network["nodes"]]},
        FILES["routes"]: {"type": "FeatureCollection", "features": [feature(s, "route") for s in network["spans"]]},
    }


def write(frames: Mapping[str, gpd.GeoDataFrame], folder: Path) -> list[Path]:
    """nodes.geojson and spans.geojson in `folder` (each written under a temporary name, then renamed).

    Parameters
    ----------
    frames : mapping of str to geopandas.GeoDataFrame
        The layers 'nodes' and 'routes' (others are ignored), typed rows with geometry in EPSG:25832, as a
        store reads them.
    folder : pathlib.Path
        An existing directory; files of the same names in it are replaced.

    Returns
    -------
    list of pathlib.Path
        The two files written, nodes first.

    Raises
    ------
    KeyError
        When `frames` lacks 'nodes' or 'routes'.
    OSError
        When a file cannot be written.
    """
    written = []
    for name, collection in feature_collections(frames).items():
        target = folder / name
        atomic(target, lambda tmp, c=collection: tmp.write_text(json.dumps(c, ensure_ascii=False), encoding="utf-8"))
        written.append(target)
    return written
