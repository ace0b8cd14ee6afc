"""Typed GeoDataFrames for the inventory layers: empty frames, value parsing, canonical dtypes.

In memory every layer is a GeoDataFrame in EPSG:25832 with the schema's columns in
schema order, then `geometry`. Missing values are pandas NA; dtypes are nullable
(`string`, `Int64`, `Float64`, `boolean`, `datetime64[ms]`), so a layer reads back
identically from both stores.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
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


DECIMAL_COMMA = ","
"""German convention: `1.234,5` (a point groups thousands, a comma starts the decimals)."""
DECIMAL_POINT = "."
"""English convention: `1,234.5` (a comma groups thousands, a point starts the decimals)."""


def _number_pattern(decimal: str, group: str) -> re.Pattern:
    d, g = re.escape(decimal), re.escape(group)
    return re.compile(
        rf"""[+-]?(?:
            (?P<grouped>[1-9]\d{{0,2}}(?:{g}\d{{3}})+)(?:{d}(?P<gfrac>\d*))?   # 1.234.567,89
          | (?P<int>\d+)(?:{d}(?P<frac>\d*))?(?P<exp>[eE][+-]?\d+)?     # 1234,5 or 1234 or 1,5e3
          | {d}(?P<only>\d+)(?P<oexp>[eE][+-]?\d+)?                       # ,5
        )""",
        re.VERBOSE,
    )


_NUMBER_TEXT = {DECIMAL_COMMA: _number_pattern(",", "."), DECIMAL_POINT: _number_pattern(".", ",")}


def _read_as(text: str, decimal: str) -> float | None:
    """`text` read with `decimal` as the decimal separator (and the other as thousands groups); None if invalid."""
    match = _NUMBER_TEXT[decimal].fullmatch(text)
    if match is None:
        return None
    group = "." if decimal == "," else ","
    return float(text.replace(group, "").replace(decimal, "."))


@dataclass(frozen=True)
class NumberReadings:
    """What a number written as text means under each convention (None: not a number that way)."""

    text: str
    comma: float | None
    """Read with a decimal comma (German: `1.000` is 1000)."""
    point: float | None
    """Read with a decimal point (English: `1.000` is 1)."""

    @property
    def ambiguous(self) -> bool:
        """True when both conventions read the text as a number, and as different numbers."""
        return self.comma is not None and self.point is not None and self.comma != self.point

    @property
    def evidence(self) -> str | None:
        """The convention this text alone proves (DECIMAL_COMMA or DECIMAL_POINT), if it is valid in only one."""
        if self.comma is not None and self.point is None:
            return DECIMAL_COMMA
        if self.point is not None and self.comma is None:
            return DECIMAL_POINT
        return None


def number_readings(text: str) -> NumberReadings:
    """Both readings of a number written as text (surrounding blanks ignored).

    Digits may be grouped by threes (`1.234.567` or `1,234,567`; the first group 1 to 3 digits,
    not starting with 0); a number may have a sign, decimals and an exponent (`1,5e3`). Under
    the German convention `1.000` is 1000, under the English one it is 1; `1,5` is only German,
    `1.5` and `1,234.5` only English, `1234` both alike. NaN and infinity are no numbers.

    Python's `locale` module is not used: it is process-global (setlocale changes every thread's
    number formatting), the German locale is often not installed, and `locale.atof` does not
    check grouping (it reads `1.2.3` as 123). The grammar here is small and checks it.

    Parameters
    ----------
    text : str
        The number as written in the file.

    Returns
    -------
    NumberReadings
        The stripped text and its value under each convention (None where it is no number that way).

    Examples
    --------
    >>> r = number_readings(" 1.000 ")
    >>> r.comma, r.point, r.ambiguous
    (1000.0, 1.0, True)
    """
    text = text.strip()
    return NumberReadings(text, _read_as(text, DECIMAL_COMMA), _read_as(text, DECIMAL_POINT))


class AmbiguousNumber(ValueError):
    """A number written as text that reads two ways (e.g. `1.000`: 1000 or 1) and no convention decides.

    Parameters
    ----------
    readings : NumberReadings
        The text and its values with a decimal comma and with a decimal point; kept as `readings`.
    """

    def __init__(self, readings: NumberReadings) -> None:
        """Name both readings of the text in the message."""
        super().__init__(f"{readings.text!r} is {readings.comma} with a decimal comma or {readings.point} with a point")
        self.readings = readings


def number_convention(texts: Iterable[Any]) -> tuple[str | None, dict[str, str]]:
    """Return the decimal convention a file's numbers written as text show: (convention, one example per convention).

    The convention is DECIMAL_COMMA when some text is valid only with a decimal comma (`1,5`,
    `1.234.567`, `1.234,5`) and none only with a point, DECIMAL_POINT for the reverse (`1.5`,
    `1,234.5`, `1,234,567`), and None when there is no evidence or evidence both ways. Values
    that are not strings (numbers from GeoJSON, GeoPackage, Shapefile) say nothing.

    Parameters
    ----------
    texts : iterable of object
        The values of a file's number columns; reading stops once both conventions have an example.

    Returns
    -------
    tuple of (str or None, dict of str to str)
        The convention (DECIMAL_COMMA, DECIMAL_POINT or None), and for each convention with evidence the
        first text that proves it.

    Examples
    --------
    >>> number_convention(["12", "1,5", 7.0])
    (',', {',': '1,5'})
    >>> number_convention(["1,5", "2.5"])
    (None, {',': '1,5', '.': '2.5'})
    """
    examples: dict[str, str] = {}
    for value in texts:
        if isinstance(value, str):
            evidence = number_readings(value).evidence
            if evidence is not None and evidence not in examples:
                examples[evidence] = value.strip()
                if len(examples) == 2:
                    break
    return (next(iter(examples)) if len(examples) == 1 else None), examples


def _read_number(value: Any, decimal: str | None) -> float:
    """Return a number from a cell: numbers as they are, text by `number_readings` and the file's convention."""
    if isinstance(value, bool | np.bool_):
        raise ValueError("a yes/no value is not a number")
    if isinstance(value, int | np.integer):
        return value  # type: ignore[return-value]  # exact; parse_int keeps big integers whole
    if isinstance(value, float | np.floating):
        return float(value)
    readings = number_readings(str(value))
    if readings.comma is None and readings.point is None:
        raise ValueError("not a number")
    if readings.ambiguous:
        if decimal == DECIMAL_COMMA:
            return readings.comma  # type: ignore[return-value]
        if decimal == DECIMAL_POINT:
            return readings.point  # type: ignore[return-value]
        raise AmbiguousNumber(readings)
    return readings.comma if readings.comma is not None else readings.point  # type: ignore[return-value]


def parse_int(value: Any, decimal: str | None = None) -> int:
    """Return a whole number.

    Text is read as `number_readings` says; `decimal` settles text that reads two ways. Text of plain digits
    is read exactly, also beyond 2**53.

    Parameters
    ----------
    value : object
        A cell that is not missing: an int, a float or text.
    decimal : str or None, default None
        The file's convention, DECIMAL_COMMA or DECIMAL_POINT; None when unknown.

    Returns
    -------
    int
        The number.

    Raises
    ------
    AmbiguousNumber
        When text reads as two different numbers and `decimal` is None (it is a ValueError).
    ValueError
        When the value is a yes/no value, no number, not finite or not whole.

    Examples
    --------
    >>> parse_int("1.000", DECIMAL_COMMA), parse_int(" 42 "), parse_int(3.0)
    (1000, 42, 3)
    """
    if isinstance(value, str) and re.fullmatch(r"\s*[+-]?\d+\s*", value):
        return int(value)  # exact beyond 2**53
    number = _read_number(value, decimal)
    if isinstance(number, int | np.integer):
        return int(number)
    if not math.isfinite(number) or not float(number).is_integer():
        raise ValueError("not a whole number")
    return int(number)


def parse_float(value: Any, decimal: str | None = None) -> float:
    """Return a finite number.

    Text is read as `number_readings` says; `decimal` settles text that reads two ways.

    Parameters
    ----------
    value : object
        A cell that is not missing: an int, a float or text.
    decimal : str or None, default None
        The file's convention, DECIMAL_COMMA or DECIMAL_POINT; None when unknown.

    Returns
    -------
    float
        The number.

    Raises
    ------
    AmbiguousNumber
        When text reads as two different numbers and `decimal` is None (it is a ValueError).
    ValueError
        When the value is a yes/no value, no number, NaN or infinite.

    Examples
    --------
    >>> parse_float("1,5"), parse_float("1.234,5", DECIMAL_COMMA)
    (1.5, 1234.5)
    """
    number = float(_read_number(value, decimal))
    if not math.isfinite(number):
        raise ValueError("not a finite number")
    return number


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
