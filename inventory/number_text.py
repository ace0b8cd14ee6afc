"""Numbers written as text, with a decimal comma (German `1.234,5`) or a decimal point (English `1,234.5`).

`number_readings` gives both readings of a text, `number_convention` the convention a file's own cells
show, and `parse_int`/`parse_float` read a cell as a number, the convention settling text that reads
two ways (`1.000`) and `AmbiguousNumber` raised when nothing does.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np

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
    `1.5` and `1,234.5` only English, `1234` both alike. `nan` and `inf` are no numbers, but an exponent
    beyond the float range reads as infinity (`1e999`); `parse_float` refuses that.

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
