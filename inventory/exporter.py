"""Export layers in any format the registry writes (`inventory.formats.writable`), ready for QGIS and re-import.

GeoPackage takes every layer in one file; GeoJSON and CSV one layer per file (coordinates stay in
EPSG:25832: GeoJSON carries its CRS, CSV a `wkt` column, so nothing is lost to reprojection).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from inventory.formats import Format, by_key, claiming, writable
from inventory.formats.base import atomic
from inventory.schema import LAYER_ORDER, get_layer
from inventory.stores.base import Store

DEFAULT_NAMES = {"all": "inventory", "network": "network"}
"""The file name written into a directory for formats that hold several layers in one file."""


def export_format(destination: Path, file_format: str | None) -> Format:
    """Return the format to write: `file_format` (a registry key) if given, else the one the extension names.

    Parameters
    ----------
    destination : pathlib.Path
        The file or directory to write to; its suffix names the format when `file_format` is None.
    file_format : str or None
        A registry key (`inventory.formats.FORMATS`), e.g. "geojson" or "ofds"; None to go by the suffix.

    Returns
    -------
    inventory.formats.Format
        A format the registry can write.

    Raises
    ------
    ValueError
        When `file_format` is unknown or only read, or the suffix names no format that writes one layer or all.
    """
    if file_format:
        fmt = by_key(file_format)
        if fmt.write is None:
            raise ValueError(f"{fmt.name} is read, not written: export to one of {_keys()}")
        return fmt
    for fmt in claiming(destination.suffix):
        if fmt.write is not None and fmt.bundle in ("layer", "all"):
            return fmt  # .json is plain GeoJSON unless --format ofds says otherwise
    ends = ", ".join(sorted({f.extensions[0] for f in writable() if f.bundle in ("layer", "all")}))
    raise ValueError(
        f"cannot tell the export format of {str(destination)!r}: end the path in {ends}, "
        f"or give --format {'|'.join(f.key for f in writable())}"
    )


def _keys() -> str:
    return ", ".join(f.key for f in writable())


def export_layers(
    store: Store,
    destination: str | Path,
    *,
    layers: Sequence[str] | None = None,
    file_format: str | None = None,
) -> list[Path]:
    """Write `layers` (default: all) of `store` to `destination`; returns the files written.

    A `.gpkg` path receives every layer written; a `.geojson` or `.csv` path one layer; a directory with
    `file_format` one file per layer named after it. `--format ofds` writes nodes and routes as one
    OFDS network package (a `.json` path, or `network.json` in a directory); `ofds-geojson` the two
    OFDS GeoJSON files into the directory. Files are written atomically (a temporary file, then renamed).

    Parameters
    ----------
    store : inventory.stores.base.Store
        The store to read from.
    destination : str or pathlib.Path
        A file or directory; created (with its parents) when missing.
    layers : sequence of str or None, default None
        The layers to write; None for every layer (for the OFDS formats: nodes and routes).
    file_format : str or None, default None
        A registry key; None to go by the suffix of `destination` (see `export_format`).

    Returns
    -------
    list of pathlib.Path
        The files written.

    Raises
    ------
    ValueError
        For an unknown layer or format, or a destination or layer choice that does not fit the format (several
        layers into a one-layer file, OFDS without both nodes and routes, a file where a folder is needed).
    StoreError
        When the store cannot be read.
    """
    destination = Path(destination)
    fmt = export_format(destination, file_format)
    if fmt.bundle in ("network", "folder"):
        names = list(layers) if layers else ["nodes", "routes"]
        if sorted(names) != ["nodes", "routes"]:
            raise ValueError(f"{fmt.name} holds nodes and routes together: leave out --layer")
    else:
        names = list(layers) if layers else list(LAYER_ORDER)
    for name in names:
        get_layer(name)
    frames = {name: store.read(name) for name in names}
    suffix = destination.suffix.lower()
    if fmt.bundle == "folder":
        if suffix in fmt.extensions or destination.is_file():
            raise ValueError(f"{fmt.name} is a folder of files: give a directory, not {destination.name}")
        destination.mkdir(parents=True, exist_ok=True)
        return fmt.write(frames, destination)
    if fmt.bundle in ("all", "network"):
        default = destination / f"{DEFAULT_NAMES[fmt.bundle]}{fmt.extensions[0]}"
        target = destination if suffix in fmt.extensions else default
        targets = {tuple(names): target}
    elif suffix in fmt.extensions:
        if len(names) != 1:
            raise ValueError(
                f"{destination} is one file but {len(names)} layers were asked for: "
                "name one layer with --layer, or give a directory"
            )
        targets = {(names[0],): destination}
    else:
        targets = {(name,): destination / f"{name}{fmt.extensions[0]}" for name in names}
    written = []
    for group, target in targets.items():
        target.parent.mkdir(parents=True, exist_ok=True)
        part = {name: frames[name] for name in group}
        if fmt.bundle == "all":
            written += fmt.write(part, target)  # the GeoPackage store writes atomically itself
        else:
            atomic(target, lambda tmp, p=part: fmt.write(p, tmp))
            written.append(target)
    return written
