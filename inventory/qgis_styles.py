"""QGIS layer styles in every GeoPackage the tool writes, so the file opens in QGIS in the app's colours.

QGIS keeps a layer's style inside a GeoPackage in the table `layer_styles` (one row per style; the row with
`useAsDefault` is loaded when the layer is opened). The table and the row are written exactly as QGIS's OGR
provider writes them (`QgsOgrProviderMetadata::saveStyle`, QGIS 3.x: an attributes table with FID `id`,
`f_table_catalog` and `f_table_schema` empty, `f_geometry_column` the layer's geometry column), so QGIS, and
`QgsVectorLayer.loadDefaultStyle`, find them; see also the QGIS GeoPackage styling extension,
https://github.com/pka/qgpkg/blob/master/qgis_geopackage_extension.md.

What a style shows (`STYLES`): routes by status, nodes by kind, sites by connection (the what-if's sites by
their state, the coverage layers by coverage status), the what-if's and the paths' layers as the app draws
them, in the colours of `inventory.palette` with German labels (`inventory.vocabulary`, the words the app shows
too). A later package's layer whose style needs that package's rules gets it from its writer (`rules`):
`trench_cuts` by what the loss of each route's trench does (`coverage.layers.STYLES`). A layer with no rule
gets a plain symbol, so every layer of every file has a default style.

Our row is named `STYLE_NAME`. It is refreshed when the tool writes the file again; a style a user saved
under another name is never touched, and ours becomes the default only where the layer has none.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
import warnings
import xml.etree.ElementTree as ET
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from inventory import palette
from inventory.schema import NODE_KINDS
from inventory.sql_names import quote_name
from inventory.vocabulary import VALUES, words

STYLE_NAME = "GELSEN-NET"
"""`styleName` of the styles this module writes (QGIS allows 30 characters)."""
OWNER = "gelsennet"
QGIS_VERSION = "3.22.16-Białowieża"
"""The QGIS version written into the QML (Debian 12's QGIS, against which the styles are tested)."""
LANG = "de"
LINE_MM, WIDE_LINE_MM, MARKER_MM, OUTLINE_MM = 0.8, 1.6, 3.0, 0.4

LAYER_STYLES_DDL = """CREATE TABLE "layer_styles" (
    "id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    "f_table_catalog" TEXT(256), "f_table_schema" TEXT(256), "f_table_name" TEXT(256),
    "f_geometry_column" TEXT(256), "styleName" TEXT(30), "styleQML" TEXT, "styleSLD" TEXT,
    "useAsDefault" BOOLEAN, "description" TEXT, "owner" TEXT(30), "ui" TEXT(30),
    "update_time" DATETIME DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')))"""
"""The table as GDAL creates it for QGIS's saveStyle (OFSTBoolean is BOOLEAN, OFTDateTime DATETIME)."""


class StyleError(RuntimeError):
    """The styles could not be written (the GeoPackage is not one, or is damaged)."""


class StyleWarning(UserWarning):
    """The styles were not written; the data was."""


@dataclass(frozen=True)
class Symbol:
    """One QGIS symbol.

    `kind` 'line', 'marker' or 'fill'; `colour` RGB(A) 0-255 (a fill's fill); `shape` a QGIS marker name
    (circle, square, diamond, triangle, star); `size_mm` a line's width or a marker's diameter in mm
    (default `LINE_MM`, `MARKER_MM`); `outline` a fill's outline (default its colour).
    """

    kind: str
    colour: Sequence[int]
    shape: str = "circle"
    size_mm: float | None = None
    outline: Sequence[int] | None = None


@dataclass(frozen=True)
class Style:
    """How one layer is drawn.

    One symbol (`field` None), one per category of `field` (`categories`: value → (symbol, label)) or one
    per range of `field` (`ranges`: (lower, upper, symbol, label)).
    """

    field: str | None = None
    categories: dict[str, tuple[Symbol, str]] | None = None
    ranges: list[tuple[float, float, Symbol, str]] | None = None
    single: Symbol | None = None


# --------------------------------------------------------------------------------------------- the rules
def _geometry_kind(geometry_type: str) -> str:
    geometry_type = geometry_type.upper()
    if "POINT" in geometry_type:
        return "marker"
    if "POLYGON" not in geometry_type and ("LINE" in geometry_type or "CURVE" in geometry_type):
        return "line"
    return "fill"


def _symbol(kind: str, colour: Sequence[int], **options) -> Symbol:
    return Symbol(kind, tuple(colour), **options)


def _by(field: str, colours: dict, labels: dict, kind: str, **options) -> Style:
    """Categories of `field` in `colours` (value → RGB), labelled in German from `labels` (value → (de, en))."""
    return Style(field, {value: (_symbol(kind, colour, **options), labels.get(value, (value,))[0])
                         for value, colour in colours.items()})


NODE_SHAPES = {"pop": "star", "cabinet": "square", "closure": "diamond", "chamber": "circle",
               "building_entry": "triangle", "junction": "circle"}
"""Nodes by kind: the app's node colour, one shape per kind; the POP larger and in its own colour."""
WHATIF_STATES = {**{s: palette.WHATIF_COLOURS[s] for s in ("isolated", "detour", "unchanged")},
                 "planned": palette.SITE_COLOURS["planned"],
                 **dict.fromkeys(("unreachable_before", "not_connected", "unattached"), palette.MISSING_COLOUR)}
"""The what-if's site states (`topology.whatif.SITE_STATES`): the app's three, the others grey (the app leaves
them off its map), a planned connection in the app's 'planned'."""
GAP_CLASSES = {c: palette.STATUS_COLOURS[c] for c in ("passed", "near", "gap")}


def _nodes(fields: dict, kind: str, values: Callable) -> Style:
    categories = {}
    for node_kind in NODE_KINDS:
        pop = node_kind == "pop"
        symbol = _symbol(kind, palette.POP_COLOUR if pop else palette.NODE_COLOUR, shape=NODE_SHAPES[node_kind],
                         size_mm=MARKER_MM * (1.6 if pop else 0.6 if node_kind == "junction" else 1))
        categories[node_kind] = (symbol, VALUES["kind"][node_kind][0])
    return Style("kind", categories)


def _sites(fields: dict, kind: str, values: Callable) -> Style:
    if "connection" in fields:
        return _by("connection", palette.SITE_COLOURS, VALUES["connection"], kind)
    if "state" in fields:
        return _by("state", WHATIF_STATES, VALUES["state"], kind)
    return _coverage_status(fields, kind, values)


def _coverage_status(fields: dict, kind: str, values: Callable) -> Style:
    return _by("status", palette.STATUS_COLOURS, VALUES["status"], kind)


def _share(fields: dict, kind: str, values: Callable) -> Style:
    """Districts by their share of schools on gigabit (0-1), five ranges, as the Überblick's choropleth."""
    ranges = []
    for k in range(5):
        lower, upper = k / 5, (k + 1) / 5
        colour = palette.share_colour((lower + upper) / 2)
        ranges.append((lower, upper, _symbol(kind, colour, outline=palette.DISTRICT_BORDER_COLOUR),
                       f"{k * 20}–{(k + 1) * 20} % der Schulen mit Gigabit"))
    return Style("share_schools_gigabit", ranges=ranges)


def _single(colour: Sequence[int], **options) -> Callable:
    def style(fields: dict, kind: str, values: Callable) -> Style:
        return Style(single=_symbol(kind, colour, **options))
    return style


def _area(fill: Sequence[int], outline: Sequence[int]) -> Callable:
    return _single(fill, outline=outline)


Rule = Callable[[dict, str, Callable], Style]
"""A layer's style from its fields (name → declared type), its geometry kind ('line', 'marker', 'fill') and a
function giving a field's (min, max) in the data."""

STYLES: dict[str, Rule] = {
    # the inventory's layers (the store and `gelsennet export`)
    "routes": lambda f, k, v: _by("status", palette.ROUTE_COLOURS, VALUES["status"], k),
    "nodes": _nodes,
    "sites": _sites,
    "site_areas": _area(palette.SITE_AREA_FILL, palette.SITE_AREA_COLOUR),
    "districts": _area(palette.DISTRICT_FILL, palette.DISTRICT_BORDER_COLOUR),
    # what-if (`topology.layers.what_if_layers`)
    "failed_routes": _single(palette.WHATIF_COLOURS["failed"], size_mm=WIDE_LINE_MM),
    "failed_nodes": _single(palette.WHATIF_COLOURS["failed"]),
    "failure_area": _area((0, 0, 0, 0), palette.WHATIF_COLOURS["construction"]),
    # diverse paths (`topology.layers.diverse_path_layers`)
    "diverse_paths": lambda f, k, v: Style("path", {
        "a": (_symbol(k, palette.PATH_COLOURS[0], size_mm=WIDE_LINE_MM), words("legend.path_a", LANG)),
        "b": (_symbol(k, palette.PATH_COLOURS[1], size_mm=WIDE_LINE_MM), words("legend.path_b", LANG))}),
    "shared_trenches": _single(palette.SINGLE_PATH_COLOUR, size_mm=WIDE_LINE_MM),
    # planning and coverage (`coverage.layers`, `gelsennet coverage --export`)
    "expansion": _coverage_status,
    "ring_closures": _single(palette.RING_CLOSURE_COLOUR, size_mm=WIDE_LINE_MM),
    "site_status": _coverage_status,
    "district_kpis": _share,
    "gap_grid": lambda f, k, v: _by("class", {c: [*rgb[:3], 120] for c, rgb in GAP_CLASSES.items()},
                                    VALUES["status"], k),
}
"""Layer name → its `Rule`. The layers of a later package whose style needs that package's rules come with
their writer (`rules` of `add_styles`): `trench_cuts` from `coverage.layers.STYLES`."""
DEFAULT_COLOUR = palette.NODE_COLOUR


def style_for(layer: str, fields: dict[str, str], geometry_type: str,
              values: Callable[[str], tuple] = lambda field: (None, None),
              rules: Mapping[str, Rule] | None = None) -> Style:
    """Return the style of `layer` (a name in `STYLES`, else one plain symbol for its geometry).

    Parameters
    ----------
    layer : str
        Table name in the GeoPackage.
    fields : dict[str, str]
        Its attribute columns (name → declared SQL type).
    geometry_type : str
        Its geometry type as in gpkg_geometry_columns ('LINESTRING', 'POINT', 'MULTIPOLYGON', ...).
    values : callable, optional
        `values(field)` → (min, max) of that column in the layer; used by ranges that follow the data.
        Default: (None, None) for every field.
    rules : mapping, optional
        Layer name → `Rule`, taken before `STYLES` (the styles of a later package's layers).

    Returns
    -------
    Style
        Falls back to one symbol when the rule's field is missing from `fields` (a layer of that name
        written by someone else), so a style never names a field the layer lacks.
    """
    kind = _geometry_kind(geometry_type)
    rule = (rules or {}).get(layer) or STYLES.get(layer)
    style = rule(fields, kind, values) if rule else None
    if style is None or (style.field is not None and style.field not in fields):
        return Style(single=_symbol(kind, DEFAULT_COLOUR))
    return style


# ----------------------------------------------------------------------------------------------- the QML
def _rgba(colour: Sequence[int]) -> str:
    r, g, b, *a = colour
    return f"{r},{g},{b},{a[0] if a else 255}"


def _symbol_properties(symbol: Symbol) -> tuple[str, dict[str, str]]:
    """(QGIS symbol layer class, its properties) as QGIS writes them."""
    if symbol.kind == "line":
        return "SimpleLine", {"line_color": _rgba(symbol.colour), "line_width": str(symbol.size_mm or LINE_MM),
                              "line_width_unit": "MM", "line_style": "solid", "capstyle": "round",
                              "joinstyle": "round"}
    if symbol.kind == "marker":
        return "SimpleMarker", {"name": symbol.shape, "color": _rgba(symbol.colour),
                                "outline_color": "255,255,255,255", "outline_width": "0.2",
                                "outline_width_unit": "MM", "size": str(symbol.size_mm or MARKER_MM),
                                "size_unit": "MM", "outline_style": "solid"}
    outline = symbol.outline or symbol.colour
    return "SimpleFill", {"color": _rgba(symbol.colour), "style": "solid" if len(symbol.colour) < 4 or
                          symbol.colour[3] > 0 else "no", "outline_color": _rgba([*outline[:3], 255]),
                          "outline_width": str(OUTLINE_MM), "outline_width_unit": "MM", "outline_style": "solid"}


def _symbol_element(parent: ET.Element, symbol: Symbol, name: str, tag: str = "symbol") -> None:
    element = ET.SubElement(parent, tag, {"type": symbol.kind, "name": name, "alpha": "1", "clip_to_extent": "1",
                                          "force_rhr": "0"})
    klass, properties = _symbol_properties(symbol)
    layer = ET.SubElement(element, "layer", {"class": klass, "enabled": "1", "locked": "0", "pass": "0"})
    options = ET.SubElement(layer, "Option", {"type": "Map"})  # how QGIS 3.x writes them (and reads first)
    for key, value in properties.items():
        ET.SubElement(options, "Option", {"name": key, "type": "QString", "value": value})
    for key, value in properties.items():  # how QGIS before 3.12 wrote them: older versions read these
        ET.SubElement(layer, "prop", {"k": key, "v": value})


def _number(value: float) -> str:
    return f"{value:.15g}"


def qml(style: Style) -> str:
    """Return the QML document of `style` (a QGIS style file: `<qgis>` with the renderer), as text.

    Parameters
    ----------
    style : Style
        The style: categories, graduated ranges, or a single symbol.

    Returns
    -------
    str
        The QML document.
    """
    root = ET.Element("qgis", {"version": QGIS_VERSION, "styleCategories": "Symbology"})
    if style.categories is not None:
        renderer = ET.SubElement(root, "renderer-v2", {"type": "categorizedSymbol", "attr": style.field,
                                                       "symbollevels": "0", "forceraster": "0",
                                                       "enableorderby": "0"})
        entries = ET.SubElement(renderer, "categories")
        symbols = ET.SubElement(renderer, "symbols")
        for i, (value, (symbol, label)) in enumerate(style.categories.items()):
            ET.SubElement(entries, "category", {"render": "true", "symbol": str(i), "value": value,
                                                "label": label, "type": "string"})
            _symbol_element(symbols, symbol, str(i))
        _symbol_element(renderer, next(iter(style.categories.values()))[0], "0", "source-symbol")
    elif style.ranges is not None:
        renderer = ET.SubElement(root, "renderer-v2", {"type": "graduatedSymbol", "attr": style.field,
                                                       "graduatedMethod": "GraduatedColor", "symbollevels": "0",
                                                       "forceraster": "0", "enableorderby": "0"})
        entries = ET.SubElement(renderer, "ranges")
        symbols = ET.SubElement(renderer, "symbols")
        for i, (lower, upper, symbol, label) in enumerate(style.ranges):
            ET.SubElement(entries, "range", {"render": "true", "symbol": str(i), "lower": _number(lower),
                                             "upper": _number(upper), "label": label})
            _symbol_element(symbols, symbol, str(i))
        ET.SubElement(renderer, "mode", {"name": "manual"})
    else:
        renderer = ET.SubElement(root, "renderer-v2", {"type": "singleSymbol", "symbollevels": "0",
                                                       "forceraster": "0", "enableorderby": "0"})
        symbols = ET.SubElement(renderer, "symbols")
        _symbol_element(symbols, style.single, "0")
    ET.SubElement(root, "layerOpacity").text = "1"
    ET.indent(root)
    return "<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n" + ET.tostring(root, encoding="unicode")


# ------------------------------------------------------------------------------------------- the writing
def _feature_layers(connection: sqlite3.Connection) -> list[tuple[str, str, str]]:
    """(table, geometry column, geometry type) of every feature table in the GeoPackage."""
    try:
        return connection.execute(
            "SELECT c.table_name, g.column_name, g.geometry_type_name FROM gpkg_contents c "
            "JOIN gpkg_geometry_columns g ON g.table_name = c.table_name "
            "WHERE c.data_type = 'features' AND c.table_name IN (SELECT name FROM sqlite_master WHERE type = 'table') "
            "ORDER BY c.table_name"
        ).fetchall()
    except sqlite3.DatabaseError as exc:
        raise StyleError(f"not a GeoPackage: cannot list its layers ({exc})") from exc


def _ensure_table(connection: sqlite3.Connection) -> None:
    """`layer_styles` as QGIS (through GDAL) creates it, registered in gpkg_contents as an attributes table."""
    if connection.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'layer_styles'").fetchone():
        return
    connection.execute(LAYER_STYLES_DDL)
    now = dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
    connection.execute("INSERT INTO gpkg_contents (table_name, data_type, identifier, description, last_change) "
                       "VALUES ('layer_styles', 'attributes', 'layer_styles', '', ?)", (now,))


def write_styles(connection: sqlite3.Connection, rules: Mapping[str, Rule] | None = None) -> int:
    """Write (or refresh) this tool's style of every feature table of the GeoPackage open on `connection`.

    Runs inside the caller's transaction and neither commits nor rolls back: a store writes its styles in the
    same transaction as its rows. Rows whose QML is already current are left as they are, so a write that
    changed nothing else changes nothing here either.

    Parameters
    ----------
    connection : sqlite3.Connection
        An open connection to a GeoPackage, inside a write transaction (e.g. after `BEGIN IMMEDIATE`).
    rules : mapping, optional
        Layer name → `Rule`, taken before `STYLES` (`style_for`): the styles of a later package's layers.

    Returns
    -------
    int
        How many style rows were inserted or changed.

    Raises
    ------
    StyleError
        The file has no GeoPackage tables.

    Warns
    -----
    StyleWarning
        Writing a style failed (e.g. a `layer_styles` table of another layout): the styles are rolled back to
        before this call, the caller's transaction goes on, so the layers land without them.
    """
    layers = _feature_layers(connection)
    if not layers:
        return 0
    connection.execute("SAVEPOINT qgis_styles")
    try:
        changed = _write(connection, layers, rules)
    except sqlite3.Error as exc:  # e.g. a layer_styles table of another make: the data still lands, unstyled
        connection.execute("ROLLBACK TO qgis_styles")
        connection.execute("RELEASE qgis_styles")
        warnings.warn(f"QGIS styles not written ({exc}); the layers are written, without styles", StyleWarning,
                      stacklevel=2)
        return 0
    connection.execute("RELEASE qgis_styles")
    return changed


def _write(connection: sqlite3.Connection, layers: list[tuple[str, str, str]],
           rules: Mapping[str, Rule] | None) -> int:
    _ensure_table(connection)
    changed = 0
    for table, geometry_column, geometry_type in layers:
        fields = {row[1]: str(row[2]).upper() for row in connection.execute(f"PRAGMA table_info({quote_name(table)})")}
        fields.pop(geometry_column, None)

        def values(field: str, table: str = table, fields: dict = fields) -> tuple:
            if field not in fields:
                return (None, None)
            column = quote_name(field)
            return connection.execute(f"SELECT min({column}), max({column}) FROM {quote_name(table)}").fetchone()

        document = qml(style_for(table, fields, geometry_type, values, rules))
        changed += _upsert(connection, table, geometry_column, document)
    return changed


def _upsert(connection: sqlite3.Connection, table: str, geometry_column: str, document: str) -> int:
    where = ("f_table_schema = '' AND f_table_name = ? AND f_geometry_column = ?", (table, geometry_column))
    mine = connection.execute(f"SELECT id, styleQML FROM layer_styles WHERE {where[0]} AND styleName = ?",
                              (*where[1], STYLE_NAME)).fetchone()
    now = dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
    if mine is not None:
        if mine[1] == document:
            return 0
        connection.execute("UPDATE layer_styles SET styleQML = ?, update_time = ? WHERE id = ?",
                           (document, now, mine[0]))
        return 1
    has_default = connection.execute(f"SELECT 1 FROM layer_styles WHERE {where[0]} AND useAsDefault",
                                     where[1]).fetchone()
    connection.execute(
        "INSERT INTO layer_styles (f_table_catalog, f_table_schema, f_table_name, f_geometry_column, styleName, "
        "styleQML, styleSLD, useAsDefault, description, owner, ui, update_time) "
        "VALUES ('', '', ?, ?, ?, ?, '', ?, ?, ?, NULL, ?)",
        (table, geometry_column, STYLE_NAME, document, 0 if has_default else 1,
         "GELSEN-NET: Farben und Legende wie in der App", OWNER, now),
    )
    return 1


def add_styles(path: str | Path, rules: Mapping[str, Rule] | None = None) -> int:
    """Write the styles into the GeoPackage file at `path` in one transaction of its own.

    Uses `write_styles`, with `rules` for the writer's own layers; for files the tool has just written
    with GDAL (the analysis exports).

    Parameters
    ----------
    path : str or pathlib.Path
        An existing GeoPackage file, opened for writing (waits up to 30 s for another writer).
    rules : mapping of str to callable, optional
        Style rules (`Rule`) by layer name, taken before `STYLES`: the writer's own layers.

    Returns
    -------
    int
        How many style rows were inserted or changed.

    Raises
    ------
    StyleError
        When the file has no GeoPackage tables (from `write_styles`).
    sqlite3.Error
        When the file cannot be opened or locked; the transaction is rolled back.
    """
    connection = sqlite3.connect(f"file:{quote(str(path))}?mode=rw", uri=True, isolation_level=None, timeout=30)
    try:
        connection.execute("BEGIN IMMEDIATE")
        try:
            changed = write_styles(connection, rules)
            connection.execute("COMMIT")
        except BaseException:
            connection.execute("ROLLBACK")
            raise
        return changed
    finally:
        connection.close()
