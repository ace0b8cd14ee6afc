"""ESRI Shapefile (.shp with .shx, .dbf, .prj, .cpg): read through GDAL; not written (use GeoPackage)."""

from __future__ import annotations

from pathlib import Path

from inventory.dbf_encoding import shapefile_encoding
from inventory.formats.base import RawData, ReadOptions
from inventory.formats.ogr import OgrFlavour, read_ogr
from inventory.problems import Problem

NAME = "Shapefile"
MAGIC = b"\x00\x00\x27\x0a"
"""The file code 9994 (big-endian) that starts every .shp and .shx."""


def sniff(head: bytes, path: Path) -> bool:
    """Tell whether the first bytes are a .shp main file's.

    Parameters
    ----------
    head : bytes
        The file's first `inventory.formats.SNIFF_BYTES` (64 KiB) bytes, fewer for a shorter file.
    path : pathlib.Path
        The file; not read by this test (the registry passes it to every format's test).

    Returns
    -------
    bool
        True when the bytes are this format's.

    Examples
    --------
    >>> sniff(MAGIC + bytes(96), Path("routes.shp"))
    True
    """
    return head[:4] == MAGIC


def damage(path: Path) -> tuple[str, str, str, dict] | None:
    """Return (expected, found, fix, params) when a part is missing or cut short; else None.

    The sizes come from the parts' own headers: GDAL would otherwise read a truncated
    Shapefile as records without geometry. The layouts are ESRI's Shapefile Technical Description (file
    length in 16-bit words at bytes 24-27 of the .shp and .shx) and the dBASE header (record count,
    header length, record length).

    Parameters
    ----------
    path : pathlib.Path
        The `.shp` file; its `.shx` and `.dbf` are looked up beside it (`shapefile_part`).

    Returns
    -------
    tuple of (str, str, str, dict) or None
        (expected, found, fix, params) of a `file` problem: the missing parts, or the size in bytes a header gives
        and the part's real size; None when every part is there and whole.

    Raises
    ------
    OSError
        When a part cannot be read.
    """
    parts = {ext: shapefile_part(path, ext) for ext in (".shx", ".dbf")}
    missing = [ext for ext, part in parts.items() if part is None]
    if missing:
        return (
            "a Shapefile with its .shx (index) and .dbf (attributes) next to the .shp",
            "no " + " and no ".join(path.stem + ext for ext in missing),
            "copy every part of the Shapefile (.shp, .shx, .dbf, .prj, .cpg) together",
            {"variant": "shapefile_parts", "missing": [path.stem + ext for ext in missing]},
        )
    for part in (path, parts[".shx"]):
        with open(part, "rb") as handle:
            header = handle.read(100)
        declared = int.from_bytes(header[24:28], "big") * 2 if len(header) >= 28 else 0
        actual = part.stat().st_size
        if len(header) < 100 or actual < declared:
            return (
                f"a complete {part.name} ({declared or 100} bytes, as its header says)",
                f"{actual} bytes",
                "the Shapefile is truncated: copy or export it again",
                {"variant": "truncated", "part": part.name, "declared_bytes": declared or 100, "bytes": actual,
                 "records": None},
            )
    dbf = parts[".dbf"]
    with open(dbf, "rb") as handle:
        header = handle.read(12)
    if len(header) == 12:
        records = int.from_bytes(header[4:8], "little")
        declared = int.from_bytes(header[8:10], "little") + records * int.from_bytes(header[10:12], "little")
        if dbf.stat().st_size < declared:
            return (
                f"a complete {dbf.name} ({declared} bytes for {records} records, as its header says)",
                f"{dbf.stat().st_size} bytes",
                "the Shapefile is truncated: copy or export it again",
                {"variant": "truncated", "part": dbf.name, "declared_bytes": declared, "bytes": dbf.stat().st_size,
                 "records": records},
            )
    return None


def shapefile_part(shp: Path, ext: str) -> Path | None:
    """Return the Shapefile part with extension `ext` next to `shp` (lower or upper case), if there is one.

    Parameters
    ----------
    shp : pathlib.Path
        The `.shp` file.
    ext : str
        The part's extension in lower case with the dot ('.dbf', '.shx', '.cpg', '.prj').

    Returns
    -------
    pathlib.Path or None
        The existing part (the lower-case name tried first); None when neither exists.
    """
    for candidate in (shp.with_suffix(ext), shp.with_suffix(ext.upper())):
        if candidate.exists():
            return candidate
    return None


def _encoding(path: Path, layer: str, options: ReadOptions) -> tuple[str | None, list[Problem]]:
    return shapefile_encoding(path, shapefile_part(path, ".dbf"), shapefile_part(path, ".cpg"), layer, options.encoding)


FLAVOUR = OgrFlavour(NAME, encoding=_encoding)


def read(path: Path, layer: str, options: ReadOptions) -> RawData:
    """Return the Shapefile `path` with its parts, see `inventory.formats.ogr.read_ogr`.

    The text's encoding is `inventory.dbf_encoding.shapefile_encoding`'s (--encoding, the .cpg, the bytes).

    Parameters
    ----------
    path : pathlib.Path
        The `.shp` file (its .shx, .dbf, .prj and .cpg beside it).
    layer : str
        The target layer, one of `inventory.schema.LAYER_ORDER`; named in the problems.
    options : ReadOptions
        The user's --crs (when there is no .prj), --encoding and --force-2d.

    Returns
    -------
    RawData
        One row per record, geometry in EPSG:25832 (metres), labels 'feature N', every problem found.
    """
    return read_ogr(path, layer, options, FLAVOUR)
