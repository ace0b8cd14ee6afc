"""Typed GeoDataFrames for the inventory layers: empty frames, value parsing, canonical dtypes.

In memory every layer is a GeoDataFrame in EPSG:25832 with the schema's columns in
schema order, then `geometry`. Missing values are pandas NA; dtypes are nullable
(`string`, `Int64`, `Float64`, `boolean`, `datetime64[ms]`), so a layer reads back
identically from both stores. Numbers written as text are read by `inventory.number_text`.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from inventory.number_text import parse_float, parse_int
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
    """Return an empty, correctly typed frame of `layer`.

    Parameters
    ----------
    layer : inventory.schema.Layer
        The layer whose fields give the columns.

    Returns
    -------
    geopandas.GeoDataFrame
        No rows; the layer's columns in schema order with their nullable dtypes (`PANDAS_DTYPES`), then an
        empty `geometry` column in EPSG:25832.
    """
    data = {f.name: pd.Series([], dtype=PANDAS_DTYPES[f.dtype]) for f in layer.fields}
    return gpd.GeoDataFrame(data, geometry=gpd.GeoSeries([], crs=CRS), crs=CRS)


class AsWritten(str):
    """Text shown as it is in messages (no quotes added): e.g. a list value as the JSON the user wrote.

    `inventory.problems.Problem` quotes string values with repr(); a value of this type shows
    as itself, so `["pop", "ixp"]` reads like the file and not like Python or numpy.
    """

    def __repr__(self) -> str:
        """Return the text itself, without quotes."""
        return str.__str__(self)


def is_structured(value: Any) -> bool:
    """Tell whether `value` is list-like or an object (JSON arrays and objects as GeoJSON readers return them).

    Parameters
    ----------
    value : object
        A cell as a reader returned it.

    Returns
    -------
    bool
        True for a list, tuple, dict or numpy array.
    """
    return isinstance(value, list | tuple | dict | np.ndarray)


def as_json(value: Any) -> str:
    """Return a list, tuple, array or dict as compact JSON text, as a user would write it (`["pop", "ixp"]`).

    Parameters
    ----------
    value : list, tuple, dict or numpy.ndarray
        The structured value; nested numpy values become plain numbers, dates ISO text.

    Returns
    -------
    str
        JSON text with non-ASCII characters kept as they are.

    Examples
    --------
    >>> as_json(("pop", "ixp")), as_json({"Straße": 1})
    ('["pop", "ixp"]', '{"Straße": 1}')
    """

    def plain(v: Any) -> Any:
        if isinstance(v, np.ndarray):
            return [plain(x) for x in v.tolist()]
        if isinstance(v, list | tuple):
            return [plain(x) for x in v]
        if isinstance(v, dict):
            return {str(k): plain(x) for k, x in v.items()}
        if isinstance(v, np.generic):
            return v.item()
        if isinstance(v, dt.date | dt.datetime | pd.Timestamp):
            return v.isoformat()
        return v

    return json.dumps(plain(value), ensure_ascii=False, default=str)


def shown(value: Any) -> Any:
    """`value` for a Problem: lists and objects as JSON (`AsWritten`), anything else unchanged.

    Parameters
    ----------
    value : object
        A cell as a reader returned it.

    Returns
    -------
    object
        An `AsWritten` JSON text for a structured value, otherwise `value` itself.
    """
    return AsWritten(as_json(value)) if is_structured(value) else value


@dataclass(frozen=True)
class ListChoice:
    """A list value whose elements a value mapping translates to different values.

    For example `["pop", "ixp"]` to pop and closure. `ColumnMapping.apply` leaves it in the frame;
    `check_frame` refuses it.
    """

    written: str
    """The list as JSON, as the user wrote it."""
    candidates: tuple[str, ...]
    """The distinct values its elements map to, in order."""


def is_missing(value: Any) -> bool:
    """Tell whether `value` is missing: None, NaN, NA, NaT, a blank string or an empty list (a JSON `[]`).

    Parameters
    ----------
    value : object
        A cell as a reader returned it.

    Returns
    -------
    bool
        True when the cell holds no value.

    Examples
    --------
    >>> is_missing("  "), is_missing([]), is_missing(0)
    (True, True, False)
    """
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    if is_structured(value):
        return len(value) == 0
    return isinstance(value, str) and not value.strip()


def parse_text(value: Any) -> str:
    """Text of a cell; lists and objects (GeoJSON arrays, nested objects) as JSON, never a numpy repr.

    Parameters
    ----------
    value : object
        A cell that is not missing.

    Returns
    -------
    str
        Whole floats without `.0`, datetimes as ISO text, structured values as JSON, anything else as `str`
        with surrounding blanks stripped.

    Examples
    --------
    >>> parse_text(12.0), parse_text(" Nord "), parse_text(["a", "b"])
    ('12', 'Nord', '["a", "b"]')
    """
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime | pd.Timestamp):
        return value.isoformat()
    if is_structured(value):
        return as_json(value)
    return str(value).strip()


def parse_bool(value: Any) -> bool:
    """`value` as a bool: booleans, 0 and 1, and the words in `_TRUE`/`_FALSE` (English and German).

    Parameters
    ----------
    value : object
        A cell that is not missing; words are compared without case and surrounding blanks.

    Returns
    -------
    bool
        The value.

    Raises
    ------
    ValueError
        For any other value.

    Examples
    --------
    >>> parse_bool("Ja"), parse_bool(0), parse_bool("false")
    (True, False, False)
    """
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
    """`value` as a date (a midnight Timestamp without time zone).

    Takes dates and datetimes, ISO text (`2024-05-01`, a midnight time part allowed) and German text
    (`01.05.2024`). A time-zone-aware value is converted to UTC and its zone dropped.

    Parameters
    ----------
    value : object
        A cell that is not missing: a date, datetime, Timestamp, numpy datetime64 or text.

    Returns
    -------
    pandas.Timestamp
        The date at midnight, without time zone.

    Raises
    ------
    ValueError
        For other text, or for text with a time of day other than midnight.

    Examples
    --------
    >>> parse_date("01.05.2024"), parse_date("2024-05-01T00:00:00Z")
    (Timestamp('2024-05-01 00:00:00'), Timestamp('2024-05-01 00:00:00'))
    """
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


PARSERS: dict[str, Callable[..., Any]] = {
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
    """Already-parsed values (None for missing) as a Series of the field's nullable dtype.

    Parameters
    ----------
    values : list
        The parsed values of one column, one per row, None where missing.
    f : inventory.schema.Field
        The field; its dtype picks the pandas dtype (`PANDAS_DTYPES`).
    index : pandas.Index
        The frame's index, as long as `values`.

    Returns
    -------
    pandas.Series
        The column with `index` and the field's nullable dtype (dates as `datetime64[ms]`).
    """
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

    For data read back from a store, which is already valid. Missing columns are added empty; columns not
    in the schema are dropped.

    Parameters
    ----------
    frame : pandas.DataFrame
        Rows as a store returned them, with a `geometry` column (a GeoDataFrame or a plain frame).
    layer : inventory.schema.Layer
        The layer whose fields give the columns.

    Returns
    -------
    geopandas.GeoDataFrame
        One row per row of `frame` with a fresh 0..n-1 index, the layer's columns in schema order with their
        nullable dtypes, then `geometry` in the frame's CRS (EPSG:25832 when it has none).

    Raises
    ------
    ValueError
        Naming the layer and column when a column does not convert to its dtype.
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
    """Rows ordered by the layer key, for comparisons and deterministic output.

    Parameters
    ----------
    frame : geopandas.GeoDataFrame
        Rows of `layer`.
    layer : inventory.schema.Layer
        The layer; `layer.key` names the key column.

    Returns
    -------
    geopandas.GeoDataFrame
        The rows sorted by key (stable), with a fresh 0..n-1 index.
    """
    return frame.sort_values(layer.key, kind="stable").reset_index(drop=True)
