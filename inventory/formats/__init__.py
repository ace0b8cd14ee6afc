"""The registry of file formats: one table from extension and content to reader and writer.

Every part that deals with files asks this table: `gelsennet import` and the app's upload
(`read_file`, `upload_types`), `gelsennet export` (`by_key`, `writable`), the app's format names
(label `format.<key>` in `app_pages/texts/editing.py`). Adding a format means one module with `NAME`, `sniff`,
`read` and/or `write`, one row in `FORMATS` and in the table below (a test compares them), its label, its tests
and its corpus files (README, "Adding a format, an analysis or an app page").

| key          | extensions            | content (first bytes)                   | read | write              |
|--------------|-----------------------|-----------------------------------------|------|--------------------|
| ofds         | .json                 | JSON object starting with "networks"    | yes  | one file, network  |
| ofds-geojson | .geojson, .json       | FeatureCollection with "network" members| yes  | folder of two files|
| geojson      | .geojson, .json       | a JSON object                           | yes  | one file per layer |
| gpkg         | .gpkg                 | SQLite header                           | yes  | one file, all      |
| shp          | .shp                  | Shapefile file code 9994                | yes  | no                 |
| kmz          | .kmz                  | ZIP whose first member is a .kml        | yes  | no                 |
| kml          | .kml                  | XML with a <kml> root                   | yes  | no                 |
| csv          | .csv, .txt, .tsv      | text (no NUL bytes)                     | yes  | one file per layer |

Content decides where an extension is shared (`.json`: OFDS package, OFDS GeoJSON or GeoJSON); a file whose
content is another format's is refused with the extension to rename it to.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd

from inventory.formats import csvtext, geojson, geopackage, kml, ofds, ofds_geojson, shapefile
from inventory.formats.base import RawData, ReadOptions, unreadable

SNIFF_BYTES = 65_536
"""How much of a file's start the content tests see (OFDS GeoJSON: its first feature's "network" member)."""


@dataclass(frozen=True)
class Format:
    """One file format: how to recognise it, read it into a layer and write layers to it."""

    key: str
    """Short name: `gelsennet export --format KEY`, and the app's text `format.<key>`."""
    name: str
    """Its name in messages (English; the app translates `format.<key>`)."""
    extensions: tuple[str, ...]
    """File name endings, lower case with the dot; the first is the one to suggest."""
    sniff: Callable[[bytes, Path], bool]
    """True when the first `SNIFF_BYTES` of the file (and, if needed, the file) are this format's."""
    read: Callable[[Path, str, ReadOptions], RawData] | None = None
    write: Callable[[Mapping[str, gpd.GeoDataFrame], Path], list[Path]] | None = None
    bundle: str = "layer"
    """What one written file holds: 'layer' (one layer per file), 'all' (every layer), 'network' (nodes and
    routes in one file) or 'folder' (nodes and routes, one file each in a folder)."""
    damage: Callable[[Path], tuple[str, str, str, dict] | None] | None = None
    """(expected, found, fix, params) when the file is cut short or lacks a part, checked before reading."""
    crs_in_file: bool = True
    """False when the user must declare the CRS (CSV); the app offers its CRS field then."""
    content_name: str = ""
    """How messages call its content; defaults to `name`."""

    @property
    def content(self) -> str:
        """How messages call the format's content: `content_name`, else `name`."""
        return self.content_name or self.name


FORMATS: tuple[Format, ...] = (
    Format("ofds", ofds.NAME, (".json",), ofds.sniff, ofds.read, ofds.write, bundle="network"),
    Format("ofds-geojson", ofds_geojson.NAME, (".geojson", ".json"), ofds_geojson.sniff, ofds_geojson.read,
           ofds_geojson.write, bundle="folder"),
    Format("geojson", geojson.NAME, (".geojson", ".json"), geojson.sniff, geojson.read, geojson.write),
    Format("gpkg", geopackage.NAME, (".gpkg",), geopackage.sniff, geopackage.read, geopackage.write, bundle="all",
           damage=geopackage.damage),
    Format("shp", shapefile.NAME, (".shp",), shapefile.sniff, shapefile.read, damage=shapefile.damage),
    Format("kmz", kml.KMZ_NAME, (".kmz",), kml.sniff_kmz, kml.read),
    Format("kml", kml.NAME, (".kml",), kml.sniff, kml.read),
    Format("csv", csvtext.NAME, (".csv", ".txt", ".tsv"), csvtext.sniff, csvtext.read, csvtext.write,
           crs_in_file=False, content_name="CSV text"),
)
"""Most specific first: the first format whose `sniff` is true names a file's content."""

_ZIP = b"PK\x03\x04"


def by_key(key: str) -> Format:
    """Return the format called `key` (see `FORMATS`); ValueError naming the known keys.

    Parameters
    ----------
    key : str
        A format key: 'ofds', 'ofds-geojson', 'geojson', 'gpkg', 'shp', 'kmz', 'kml' or 'csv'.

    Returns
    -------
    Format
        The registry's row for that key.

    Raises
    ------
    ValueError
        For an unknown key; the message lists the known ones.

    Examples
    --------
    >>> by_key("gpkg").extensions
    ('.gpkg',)
    """
    for fmt in FORMATS:
        if fmt.key == key:
            return fmt
    raise ValueError(f"unknown format {key!r}; expected one of {', '.join(f.key for f in FORMATS)}")


def claiming(suffix: str) -> list[Format]:
    """Return the formats whose files end in `suffix` (e.g. '.json'), most specific first.

    Parameters
    ----------
    suffix : str
        A file name ending with its dot, in any case ('.json', '.GPKG').

    Returns
    -------
    list of Format
        The formats that claim the ending, in `FORMATS` order; empty for an ending no format has.

    Examples
    --------
    >>> [fmt.key for fmt in claiming(".JSON")]
    ['ofds', 'ofds-geojson', 'geojson']
    """
    return [fmt for fmt in FORMATS if suffix.lower() in fmt.extensions]


def extensions() -> list[str]:
    """Every extension a file to import may have, sorted.

    Returns
    -------
    list of str
        The endings (lower case, with the dot) of every format that has a reader, each once.

    Examples
    --------
    >>> extensions()
    ['.csv', '.geojson', '.gpkg', '.json', '.kml', '.kmz', '.shp', '.tsv', '.txt']
    """
    return sorted({ext for fmt in FORMATS if fmt.read for ext in fmt.extensions})


def writable() -> list[Format]:
    """Return the formats `gelsennet export` writes.

    Returns
    -------
    list of Format
        The formats with a writer, in `FORMATS` order.

    Examples
    --------
    >>> [fmt.key for fmt in writable()]
    ['ofds', 'ofds-geojson', 'geojson', 'gpkg', 'csv']
    """
    return [fmt for fmt in FORMATS if fmt.write]


def upload_types() -> list[str]:
    """Extensions (without the dot) the app's upload takes: every readable format, and a zipped Shapefile.

    A lone `.shp` is left out: its `.shx` and `.dbf` must come with it, so the app takes a Shapefile as `.zip`.

    Returns
    -------
    list of str
        The endings without the dot, as Streamlit's file uploader takes them, `zip` last.

    Examples
    --------
    >>> upload_types()
    ['csv', 'geojson', 'gpkg', 'json', 'kml', 'kmz', 'tsv', 'txt', 'zip']
    """
    return [*(ext.lstrip(".") for ext in extensions() if ext != ".shp"), "zip"]


def head_of(path: Path) -> bytes:
    """Return the first `SNIFF_BYTES` bytes of the file at `path` (fewer for a shorter file); OSError if unreadable.

    Parameters
    ----------
    path : pathlib.Path
        The file.

    Returns
    -------
    bytes
        At most `SNIFF_BYTES` (64 KiB) bytes.

    Raises
    ------
    OSError
        When the file does not exist or cannot be read.
    """
    with open(path, "rb") as handle:
        return handle.read(SNIFF_BYTES)


def content_of(path: Path) -> Format | str:
    """Return the format the file's first bytes show, or a description of something else.

    The formats' `sniff` tests are tried in `FORMATS` order (most specific first); the first that holds wins.

    Parameters
    ----------
    path : pathlib.Path
        The file (only its first `SNIFF_BYTES` bytes are read).

    Returns
    -------
    Format or str
        The format; else 'a ZIP archive (e.g. an Excel workbook or a zipped Shapefile)' or 'binary data'.

    Raises
    ------
    OSError
        When the file cannot be read.
    """
    head = head_of(path)
    for fmt in FORMATS:
        if fmt.sniff(head, path):
            return fmt
    if head[:4] == _ZIP:
        return "a ZIP archive (e.g. an Excel workbook or a zipped Shapefile)"
    return "binary data"


def _found_params(found: Format | str) -> dict[str, str | bool | None]:
    """Return what `content_of` found, as a problem's params: the format's name and extension, or ZIP or binary."""
    if isinstance(found, Format):
        return {"found_format": found.name, "rename_to": found.extensions[0], "found_zip": False, "found_binary": False}
    zip_archive = "ZIP" in found
    return {"found_format": None, "rename_to": None, "found_zip": zip_archive, "found_binary": not zip_archive}


def content_kind(path: Path) -> str:
    """Return what the first bytes of a file say it is, in words: a format's content name or a description.

    Parameters
    ----------
    path : pathlib.Path
        The file (only its first `SNIFF_BYTES` bytes are read).

    Returns
    -------
    str
        `Format.content` of the format `content_of` finds (e.g. 'GeoJSON', 'CSV text'), else its description.

    Raises
    ------
    OSError
        When the file cannot be read.
    """
    found = content_of(path)
    return found.content if isinstance(found, Format) else found


def supported_formats() -> str:
    """Every extension a file to import may have, comma-separated, for messages.

    Returns
    -------
    str
        `extensions()` joined with ', '.

    Examples
    --------
    >>> supported_formats()
    '.csv, .geojson, .gpkg, .json, .kml, .kmz, .shp, .tsv, .txt'
    """
    return ", ".join(extensions())


def read_file(path: str | Path, layer: str, options: ReadOptions | None = None) -> RawData:
    """Read `path` for the target `layer` (used in messages and to pick a source layer).

    The extension names the candidate formats, the content picks one of them (`content_of`);
    a missing, empty, mislabelled or damaged file is one `file` problem naming the fix.

    Parameters
    ----------
    path : str or pathlib.Path
        The file to import.
    layer : str
        The target layer, one of `inventory.schema.LAYER_ORDER`; it names a GeoPackage's or KML's source
        layer unless `options.source_layer` does, and OFDS files are read as nodes or spans by it.
    options : ReadOptions, optional
        The user's --crs, --x/--y/--wkt, --encoding, --source-layer and --force-2d; default: none given.

    Returns
    -------
    RawData
        The frame in EPSG:25832 (metres), one row per feature or CSV record, a label per row ('line 12',
        'feature 3'), and every problem found. Never raises for bad data: a missing, empty, mislabelled or
        damaged file gives no rows and one problem.

    Raises
    ------
    OSError
        When an existing file cannot be opened or read (e.g. no permission): its first bytes are read to
        tell its format.
    """
    options = options or ReadOptions()
    path = Path(path)
    suffix = path.suffix.lower()
    if not path.exists():
        return unreadable(path, layer, "an existing file", "no such file", "check the path",
                          params={"variant": "no_file"})
    if path.is_dir():
        return unreadable(path, layer, "a file, not a folder", "a folder",
                          "name a file in it, e.g. nodes.geojson or spans.geojson of an OFDS pair",
                          params={"variant": "folder"})
    candidates = claiming(suffix)
    if not candidates:
        found = content_of(path)
        hint = f"it holds {found.content}: rename it to {found.extensions[0]}" if isinstance(found, Format) \
            else "convert it"
        return unreadable(
            path,
            layer,
            f"a file ending in one of {supported_formats()}",
            suffix or "no extension",
            f"{hint} (e.g. with ogr2ogr; a spreadsheet: save it as CSV)",
            params={"variant": "extension", "extension": suffix or None, "formats": supported_formats(),
                    **_found_params(found)},
        )
    if path.stat().st_size == 0:
        return unreadable(path, layer, "a non-empty file", "0 bytes", "export the file again",
                          params={"variant": "empty"})
    found = content_of(path)
    if found not in candidates:
        usual = candidates[-1]  # the general format of the extension (GeoJSON for .json)
        if isinstance(found, Format):
            fix, value = f"rename it to {found.extensions[0]}", f"{found.content} content"
        else:
            fix, value = f"convert it to {usual.name}", found
        params = {"variant": "content", "format": usual.name, "extension": suffix, **_found_params(found)}
        return unreadable(path, layer, f"{usual.content} content, as the extension {suffix} says", value, fix,
                          params=params)
    if found.damage is not None:
        damage = found.damage(path)
        if damage is not None:
            expected, value, fix, params = damage
            return unreadable(path, layer, expected, value, fix, params=params)
    return found.read(path, layer, options)
