"""Export layers to GeoPackage, GeoJSON or CSV (WKT), ready for QGIS and for re-import."""

from __future__ import annotations

import os
import re
import uuid
from collections.abc import Sequence
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio
import shapely

from inventory.schema import LAYER_ORDER, get_layer
from inventory.stores.base import Store
from inventory.stores.geopackage import GeoPackageStore

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
"""A spreadsheet may run a CSV cell starting with one of these as a formula (OWASP "CSV injection")."""
_NEEDS_QUOTE = re.compile(r"'*[=+\-@\t\r]")

FORMATS = {".gpkg": "gpkg", ".geojson": "geojson", ".json": "geojson", ".csv": "csv"}
SUFFIX = {"gpkg": ".gpkg", "geojson": ".geojson", "csv": ".csv"}


def export_layers(
    store: Store,
    destination: str | Path,
    *,
    layers: Sequence[str] | None = None,
    file_format: str | None = None,
) -> list[Path]:
    """Write `layers` (default: all) of `store` to `destination`; returns the files written.

    A `.gpkg` path receives every layer; a `.geojson` or `.csv` path one layer; a
    directory with `file_format` one file per layer named after it. Coordinates stay in
    EPSG:25832 (GeoJSON carries its CRS, CSV a `wkt` column), so nothing is lost to reprojection.
    """
    destination = Path(destination)
    names = list(layers) if layers else list(LAYER_ORDER)
    for name in names:
        get_layer(name)
    fmt = file_format or FORMATS.get(destination.suffix.lower())
    if fmt not in SUFFIX:
        raise ValueError(
            f"cannot tell the export format of {str(destination)!r}: end the path in .gpkg, .geojson or .csv, "
            "or give a directory and --format gpkg|geojson|csv"
        )
    frames = {name: store.read(name) for name in names}
    if fmt == "gpkg":
        target = destination if destination.suffix.lower() == ".gpkg" else destination / "inventory.gpkg"
        GeoPackageStore(target).write(frames)
        return [target]
    if destination.suffix.lower() in (".geojson", ".json", ".csv"):
        if len(names) != 1:
            raise ValueError(
                f"{destination} is one file but {len(names)} layers were asked for: "
                "name one layer with --layer, or give a directory"
            )
        targets = {names[0]: destination}
    else:
        targets = {name: destination / f"{name}{SUFFIX[fmt]}" for name in names}
    written = []
    for name, target in targets.items():
        target.parent.mkdir(parents=True, exist_ok=True)
        write = _write_geojson if fmt == "geojson" else _write_csv
        _atomic(target, lambda tmp, n=name, w=write: w(frames[n], tmp, n))
        written.append(target)
    return written


def _atomic(target: Path, write) -> None:
    tmp = target.with_name(f".{target.stem}.{uuid.uuid4().hex[:8]}.tmp{target.suffix}")
    try:
        write(tmp)
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)


def _write_geojson(frame: gpd.GeoDataFrame, path: Path, name: str) -> None:
    options = {"COORDINATE_PRECISION": "6", "WRITE_NAME": "YES",
               "AUTODETECT_JSON_STRINGS": "NO"}  # a name like "{}" stays text, not a JSON object
    pyogrio.write_dataframe(frame, path, layer=name, driver="GeoJSON", layer_options=options)


def neutralise_cell(value):
    """`value` with a single quote in front if a spreadsheet would read it as a formula; others unchanged.

    A text starting with =, +, -, @, tab or CR gets a leading `'` (OWASP "CSV injection"), so a
    spreadsheet shows it as text. Text that already starts with quotes followed by one of those
    gets one more quote, so that the CSV reader (`inventory.readers`), which removes exactly one
    quote before those characters, gives back the original value: export and import round-trip.
    Anything that is not a string (numbers, missing values) is returned as it is.
    """
    if isinstance(value, str) and _NEEDS_QUOTE.match(value):
        return "'" + value
    return value


def neutralise_formulas(table: pd.DataFrame) -> pd.DataFrame:
    """A copy of `table` whose text cells cannot run as spreadsheet formulas (see `neutralise_cell`).

    Only text columns (object or string dtype) are touched, and in them only string cells: numbers
    stay numbers, so a negative value in a numeric column is written as it is. Use it on every
    table written as CSV for people to open, e.g. `neutralise_formulas(table).to_csv(...)`.
    """
    out = table.copy()
    for column in out.columns:
        dtype = out[column].dtype
        if pd.api.types.is_object_dtype(dtype) or pd.api.types.is_string_dtype(dtype):
            out[column] = out[column].map(neutralise_cell, na_action="ignore").astype(dtype)
    return out


def to_csv_frame(frame: gpd.GeoDataFrame) -> pd.DataFrame:
    """The attribute table with the geometry as WKT (full precision) in a `wkt` column, safe to open in Excel.

    Text cells that a spreadsheet would run as formulas are neutralised (`neutralise_formulas`);
    importing the CSV again removes that quote.
    """
    table = pd.DataFrame(frame.drop(columns=frame.geometry.name))
    for column in table.columns:
        if str(table[column].dtype).startswith("datetime64"):
            table[column] = table[column].dt.strftime("%Y-%m-%d").astype("string")
    table = neutralise_formulas(table)
    table["wkt"] = shapely.to_wkt(frame.geometry.values, rounding_precision=-1)
    return table


def _write_csv(frame: gpd.GeoDataFrame, path: Path, name: str) -> None:
    to_csv_frame(frame).to_csv(path, index=False, encoding="utf-8")
