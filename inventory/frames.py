"""Typed GeoDataFrames for the inventory layers: empty frames, value parsing, canonical dtypes.

In memory every layer is a GeoDataFrame in EPSG:25832 with the schema's columns in
schema order, then `geometry`. Missing values are pandas NA; dtypes are nullable
(`string`, `Int64`, `Float64`, `boolean`, `datetime64[ms]`), so a layer reads back
identically from both stores.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from inventory.schema import CRS, Field, Layer

PANDAS_DTYPES = {
    "text": "string",
    "int": "Int64",
    "float": "Float64",
    "bool": "boolean",
    "date": "datetime64[ms]",
}

_TRUE = {"true", "t", "yes", "y", "1", "ja", "j", "wahr"}
_FALSE = {"false", "f", "no", "n", "0", "nein", "falsch"}


def empty_frame(layer: Layer) -> gpd.GeoDataFrame:
    """An empty, correctly typed frame of `layer`."""
    data = {f.name: pd.Series([], dtype=PANDAS_DTYPES[f.dtype]) for f in layer.fields}
    return gpd.GeoDataFrame(data, geometry=gpd.GeoSeries([], crs=CRS), crs=CRS)


def is_missing(value: Any) -> bool:
    """True for None, NaN, NA, NaT and blank strings."""
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return isinstance(value, str) and not value.strip()


def parse_text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime | pd.Timestamp):
        return value.isoformat()
    return str(value).strip()


def parse_int(value: Any) -> int:
    if isinstance(value, bool | np.bool_):
        raise ValueError("a yes/no value is not a number")
    if isinstance(value, int | np.integer):
        return int(value)
    if isinstance(value, float | np.floating):
        if not math.isfinite(value) or not float(value).is_integer():
            raise ValueError
        return int(value)
    text = str(value).strip()
    try:
        return int(text)
    except ValueError:
        number = float(text)
        if not math.isfinite(number) or not number.is_integer():
            raise ValueError from None
        return int(number)


def parse_float(value: Any) -> float:
    if isinstance(value, bool | np.bool_):
        raise ValueError("a yes/no value is not a number")
    if isinstance(value, int | float | np.integer | np.floating):
        number = float(value)
    else:
        text = str(value).strip()
        if text.count(",") == 1 and "." not in text:
            text = text.replace(",", ".")  # German decimal comma
        number = float(text)
    if not math.isfinite(number):
        raise ValueError("not a finite number")
    return number


def parse_bool(value: Any) -> bool:
    if isinstance(value, bool | np.bool_):
        return bool(value)
    if isinstance(value, int | float | np.integer | np.floating) and value in (0, 1):
        return bool(value)
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ValueError


def parse_date(value: Any) -> pd.Timestamp:
    if isinstance(value, pd.Timestamp | dt.datetime | dt.date | np.datetime64):
        stamp = pd.Timestamp(value)
    else:
        text = str(value).strip()
        if len(text) == 10 and text[2] == "." and text[5] == ".":  # German DD.MM.YYYY
            stamp = pd.Timestamp(dt.datetime.strptime(text, "%d.%m.%Y"))
        else:
            stamp = pd.Timestamp(dt.date.fromisoformat(text[:10]))
            if len(text) > 10 and not text[10:].strip("T0:. Z"):
                pass  # a midnight time part, as GeoPackage DateTime fields give
            elif len(text) > 10:
                raise ValueError("a date without time was expected")
    if stamp.tz is not None:
        stamp = stamp.tz_convert(None)
    return stamp.normalize()


PARSERS: dict[str, Callable[[Any], Any]] = {
    "text": parse_text,
    "int": parse_int,
    "float": parse_float,
    "bool": parse_bool,
    "date": parse_date,
}

EXPECTED = {
    "text": "text",
    "int": "a whole number",
    "float": "a finite number (decimal point or comma)",
    "bool": "yes/no (true, false, ja, nein, 1, 0)",
    "date": "a date as YYYY-MM-DD or DD.MM.YYYY",
}


def typed_series(values: list[Any], f: Field, index: pd.Index) -> pd.Series:
    """Already-parsed values (None for missing) as a Series of the field's nullable dtype."""
    if f.dtype == "date":
        return pd.Series(pd.to_datetime(pd.Series(values, index=index, dtype=object)), index=index).astype(
            "datetime64[ms]"
        )
    return pd.Series(values, index=index, dtype=object).astype(PANDAS_DTYPES[f.dtype])


def _column(series: pd.Series, dtype: str) -> pd.Series:
    """Vectorised conversion of a stored column to the canonical dtype."""
    if dtype == "text":
        return series.astype(object).where(series.notna(), None).astype("string")
    if dtype == "date":
        return pd.to_datetime(series).astype("datetime64[ms]")
    if dtype == "bool":
        return series.astype(object).where(series.notna(), None).astype("boolean")
    return pd.to_numeric(series).astype(PANDAS_DTYPES[dtype])


def conform(frame: pd.DataFrame, layer: Layer) -> gpd.GeoDataFrame:
    """Return stored `frame` with the layer's columns in schema order and canonical dtypes.

    For data read back from a store, which is already valid; raises ValueError naming the
    column otherwise. Missing columns are added empty; columns not in the schema are dropped.
    """
    geometry = frame.geometry if isinstance(frame, gpd.GeoDataFrame) else frame["geometry"]
    out: dict[str, pd.Series] = {}
    for f in layer.fields:
        if f.name not in frame.columns:
            out[f.name] = pd.Series([pd.NA] * len(frame), index=frame.index, dtype=PANDAS_DTYPES[f.dtype])
            continue
        try:
            out[f.name] = _column(frame[f.name], f.dtype)
        except (TypeError, ValueError) as exc:
            raise ValueError(f"layer {layer.name!r}, column {f.name!r}: {exc}") from exc
    crs = getattr(geometry, "crs", None) or CRS
    result = gpd.GeoDataFrame(out, geometry=gpd.GeoSeries(geometry.values, index=frame.index, crs=crs), crs=crs)
    return result.reset_index(drop=True)


def sort_by_key(frame: gpd.GeoDataFrame, layer: Layer) -> gpd.GeoDataFrame:
    """Rows ordered by the layer key, for comparisons and deterministic output."""
    return frame.sort_values(layer.key, kind="stable").reset_index(drop=True)
