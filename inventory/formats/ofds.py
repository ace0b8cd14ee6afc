"""OFDS JSON network package (`{"networks": [...]}`, OFDS 0.4): nodes ↔ nodes, spans ↔ routes.

The translation and its extension field are in `inventory.formats.ofds_model`. A package's nodes import
into `nodes` and its spans into `routes` (`gelsennet import nodes net.json`, `... routes net.json`).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from pathlib import Path

import geopandas as gpd

from inventory.formats.base import RawData, ReadOptions, to_storage_crs, unreadable
from inventory.formats.ofds_model import nodes_frame, routes_frame, to_network

NAME = "OFDS JSON"
_PACKAGE = re.compile(rb'^(\xef\xbb\xbf)?\s*\{\s*("links"\s*:\s*\[.*?\]\s*,\s*)?"networks"\s*:\s*\[', re.S)
ELEMENTS = {"nodes": "nodes", "routes": "spans"}
"""Our layer and the OFDS list it is read from."""


def sniff(head: bytes, path: Path | None) -> bool:
    """Tell whether the first bytes are a JSON object whose first member is "networks" (after "links", if any).

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
    >>> sniff(b'{"networks": [{"id": "n1"}]}', None), sniff(b'{"type": "FeatureCollection"}', None)
    (True, False)
    """
    return _PACKAGE.match(head) is not None


def load_networks(path: Path, layer: str, fmt: str) -> tuple[list[dict] | None, RawData | None]:
    """Return the networks of an OFDS package, or the RawData that says why not.

    Parameters
    ----------
    path : pathlib.Path
        The OFDS JSON file (UTF-8, with or without a byte order mark).
    layer : str
        The target layer, for the problem.
    fmt : str
        The format's name for the RawData.

    Returns
    -------
    networks : list of dict or None
        The package's "networks", each an OFDS network object as parsed JSON; None when the file is
        unreadable.
    failure : RawData or None
        No rows and one `file` problem (not UTF-8 JSON, or no list of network objects); None when
        `networks` is given.

    Raises
    ------
    OSError
        When the file cannot be read.
    """
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        return None, unreadable(path, layer, "a JSON file (UTF-8)", str(exc), "export the file again", fmt,
                                params={"variant": "json_unreadable"})
    networks = data.get("networks") if isinstance(data, dict) else None
    if not isinstance(networks, list) or not all(isinstance(n, dict) for n in networks):
        return None, unreadable(path, layer, 'an OFDS package: {"networks": [ {...} ]}', "no list of networks",
                                "export the file again as an OFDS network package", fmt,
                                params={"variant": "ofds_no_networks"})
    return networks, None


def read(path: Path, layer: str, options: ReadOptions) -> RawData:
    """Return the nodes (layer 'nodes') or spans (layer 'routes') of every network in the package `path`.

    Parameters
    ----------
    path : pathlib.Path
        The OFDS JSON network package.
    layer : str
        'nodes' or 'routes' (`ELEMENTS`); another layer gives one `file` problem.
    options : ReadOptions
        Only `force_2d` applies (OFDS coordinates are CRS84 by the standard).

    Returns
    -------
    RawData
        One row per node or span of the layer's fields (`inventory.formats.ofds_model`), geometry in
        EPSG:25832 (metres), labels 'node N (id)' or 'span N (id)'; no rows and one problem for a file
        that is no OFDS package.

    Raises
    ------
    OSError
        When the file cannot be read.
    """
    if layer not in ELEMENTS:
        return unreadable(path, layer, "an import into nodes or routes (OFDS holds nodes and spans)",
                          f"layer {layer}", "import the file into nodes, then into routes", NAME,
                          params={"variant": "ofds_layer", "layer": layer})
    networks, failure = load_networks(path, layer, NAME)
    if failure is not None:
        return failure
    elements = [e for n in networks for e in (n.get(ELEMENTS[layer]) or []) if isinstance(e, dict)]
    frame, labels = (nodes_frame if layer == "nodes" else routes_frame)(elements)
    return RawData(to_storage_crs(frame, options), labels, [], NAME)


def package(frames: Mapping[str, gpd.GeoDataFrame]) -> dict:
    """Return the OFDS package of our nodes and routes.

    Parameters
    ----------
    frames : mapping of str to geopandas.GeoDataFrame
        The layers 'nodes' and 'routes' (others are ignored), typed rows with geometry in EPSG:25832, as a
        store reads them.

    Returns
    -------
    dict
        `{"networks": [network]}` with the one network of `inventory.formats.ofds_model.to_network`, ready
        for `json.dumps`.

    Raises
    ------
    KeyError
        When `frames` lacks 'nodes' or 'routes'.
    """
    return {"networks": [to_network(frames["nodes"], frames["routes"])]}


def write(frames: Mapping[str, gpd.GeoDataFrame], target: Path) -> list[Path]:
    """Nodes and routes as one OFDS network package (UTF-8 JSON) at `target`.

    Parameters
    ----------
    frames : mapping of str to geopandas.GeoDataFrame
        The layers 'nodes' and 'routes' (others are ignored), typed rows with geometry in EPSG:25832, as a
        store reads them.
    target : pathlib.Path
        The `.json` file to write; `inventory.exporter` passes a temporary name.

    Returns
    -------
    list of pathlib.Path
        `[target]`.

    Raises
    ------
    KeyError
        When `frames` lacks 'nodes' or 'routes'.
    OSError
        When the file cannot be written.
    """
    target.write_text(json.dumps(package(frames), ensure_ascii=False, indent=1), encoding="utf-8")
    return [target]
