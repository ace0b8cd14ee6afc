"""Planning results as map layers for QGIS: one styled GeoPackage or CSV files.

The GeoPackage keeps the geometry and carries this package's own styles (`STYLES`); CSV files hold the geometry
as WKT. Both are written by `inventory.layer_files`.

Shared by `gelsennet plan --export`, `gelsennet coverage --export`, `gelsennet compare --gpkg` and the app's
downloads, so all write alike (`gelsennet impact` and `paths --export` write `topology.layers` through
`inventory.layer_files` itself).
"""

from __future__ import annotations

from collections.abc import Callable

import geopandas as gpd
import numpy as np
import pandas as pd
from babel.numbers import format_decimal

from coverage.trench_effects import EFFECT_CLASSES, cut_most_pupils, route_effects, trench_effects
from inventory import layer_files, qgis_styles
from inventory.layer_files import EXPORT_FORMS, GEOMETRY_TYPE, export_paths
from inventory.palette import EFFECT_COLOURS
from inventory.vocabulary import effect_labels

__all__ = ["EXPORT_FORMS", "GEOMETRY_TYPE", "STYLES", "export_paths", "export_tables", "geopackage_bytes",
           "planning_layers", "trench_cut_layer", "trench_cut_style"]


def planning_layers(frames: dict, expansion: pd.DataFrame, rings: pd.DataFrame) -> dict[str, gpd.GeoDataFrame]:
    """Return the planning results as layers: the expansion plan at the sites' points, the ring closures as lines.

    `expansion` (`coverage.expansion.expansion_plan`) is placed at each site's point; `rings`
    (`coverage.ring_closure.ring_closures`) become the new links, with their sites as one text field.

    Parameters
    ----------
    frames : dict of str to geopandas.GeoDataFrame
        The store's layers; `sites` gives the points and the CRS.
    expansion : pandas.DataFrame
        The expansion plan, one row per site (site_id).
    rings : pandas.DataFrame
        The ring closure proposals, with their line geometries.

    Returns
    -------
    dict of str to geopandas.GeoDataFrame
        The layers `expansion` (points) and `ring_closures` (lines), in the CRS of `sites`.
    """
    crs = frames["sites"].crs
    sites = frames["sites"].set_index("site_id").geometry
    return {
        "expansion": gpd.GeoDataFrame(expansion, geometry=sites.loc[expansion["site_id"]].values, crs=crs),
        "ring_closures": gpd.GeoDataFrame(rings.assign(sites=rings["sites"].map(", ".join)), geometry="geometry",
                                          crs=crs),
    }


def trench_cut_layer(routes: gpd.GeoDataFrame, criticality: pd.DataFrame) -> gpd.GeoDataFrame:
    """Every route with what the loss of its trench does: the Netz page's criticality map as a layer.

    Parameters
    ----------
    routes : geopandas.GeoDataFrame
        The routes layer (route_id, trench_id, status, geometry).
    criticality : pandas.DataFrame
        `Analysis.criticality_with_degraded()` of the network of these routes.

    Returns
    -------
    geopandas.GeoDataFrame
        One row per route, in the order of `routes`: route_id, trench_id, status; what the loss of its trench
        cuts off, `cut_sites`, `cut_schools`, `cut_pupils`, `cut_business_parks`, `cut_site_ids`; the sites it
        leaves connected but on one path, `degraded_sites`, `degraded_pupils`, `degraded_site_ids` (0 and ''
        where it does neither, e.g. on a planned or retired route; ids comma-separated); and `effect`, the
        class of `coverage.trench_effects` ('cut_most', 'cut', 'degraded', 'none'), as the Netz map colours
        the route. The GeoPackage writers of this module style it by `effect` (`STYLES`).

    Raises
    ------
    coverage.errors.NotWithDegradedError
        `criticality` is the table without the degraded columns (`Analysis.criticality`).
    """
    effects = trench_effects(criticality)
    layer = routes[["route_id", "trench_id", "status", "geometry"]].copy()
    trench = layer["trench_id"].astype(str)
    trenches = criticality[criticality["element"] == "trench"].set_index("element_id")
    counts = {"cut_sites": "n_sites", "cut_schools": "n_schools", "cut_pupils": "pupils",
              "cut_business_parks": "n_business_parks", "degraded_sites": "n_degraded_sites",
              "degraded_pupils": "degraded_pupils"}
    for name, column in counts.items():
        layer[name] = trench.map(trenches[column]).fillna(0).astype(np.int64)
    for name, column in (("cut_site_ids", "sites"), ("degraded_site_ids", "degraded_sites")):
        ids = {str(t): ", ".join(map(str, sites)) for t, sites in trenches[column].items()}
        layer[name] = [ids.get(t, "") for t in trench]  # '' also where the loss does nothing
    layer["effect"] = route_effects(layer, effects)["effect"].to_numpy()
    return layer


def trench_cut_style(fields: dict, kind: str, values: Callable) -> qgis_styles.Style:
    """Return the QGIS style of `trench_cut_layer`: routes by `effect`, as on the Netz page's criticality map.

    The colours and the German legend words are those of the criticality map (`inventory.palette.EFFECT_COLOURS`,
    `inventory.vocabulary.effect_labels`), worst first; the dark red's label says from how many pupils on
    (`coverage.trench_effects.cut_most_pupils` of the largest `cut_pupils`).

    Parameters
    ----------
    fields : dict
        The layer's fields (name → declared type).
    kind : str
        Its geometry kind ('line').
    values : callable
        `values(field)` → (min, max) of that field in the layer.

    Returns
    -------
    inventory.qgis_styles.Style
        Categories of `effect`; 'cut_most' only where some trench cuts pupils off (as the app's legend).
    """
    most = int(values("cut_pupils")[1] or 0)
    threshold = format_decimal(cut_most_pupils(most), format="#,##0", locale="de_DE") if most > 0 else None
    labels = effect_labels(threshold, qgis_styles.LANG)
    categories = {}
    for effect in reversed(EFFECT_CLASSES):
        if effect in labels:
            width = qgis_styles.LINE_MM if effect == "none" else qgis_styles.WIDE_LINE_MM
            symbol = qgis_styles.Symbol(kind, tuple(EFFECT_COLOURS[effect]), size_mm=width)
            categories[effect] = (symbol, labels[effect])
    return qgis_styles.Style("effect", categories)


STYLES = {"trench_cuts": trench_cut_style}
"""The QGIS styles of this package's layers, which `inventory.qgis_styles` cannot know (`export_tables`)."""


def export_tables(layers: dict, destination: str) -> list[str]:
    """Write `layers` to one GeoPackage (`.gpkg`) or CSV files, styled; return the files written.

    This is `inventory.layer_files.export_tables` with this package's styles (`STYLES`).

    Parameters
    ----------
    layers : dict
        Layer name → table (a GeoDataFrame, EPSG:25832; a DataFrame without geometry, an attribute table,
        only into a `.gpkg`: the CSV writer needs a geometry column and raises AttributeError).
    destination : str
        A `.gpkg` path (one file, every layer); a `.csv` path (one `<stem>_<layer>.csv` beside it per layer);
        or a directory (one `<layer>.csv` per layer). CSV files hold the geometry as WKT.

    Returns
    -------
    list of str
        The paths of the files written.

    Raises
    ------
    ValueError
        Before writing anything, for another suffix than .gpkg or .csv (unless `destination` is an existing
        directory).
    """
    return layer_files.export_tables(layers, destination, STYLES)


def geopackage_bytes(layers: dict) -> bytes:
    """Return layers as the bytes of one GeoPackage file (a download), styled as `export_tables` does.

    Parameters
    ----------
    layers : dict
        Layer name → table (a GeoDataFrame, or a DataFrame for an attribute table).

    Returns
    -------
    bytes
        The GeoPackage file.
    """
    return layer_files.geopackage_bytes(layers, STYLES)
