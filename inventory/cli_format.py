"""Numbers in the command line's one format: English, as every CLI message is.

Thousands are grouped with a comma and the decimal mark is a point (`2,185`, `0.54 km`); euros are
written `€103,208` and a range `€70,604–€103,208`; a share `78 %`. Every number the `analyse`, `impact`, `paths`,
`coverage` and `plan` commands print goes through these functions, so one output never mixes two
conventions (the German `103.208 €` beside an English `0.54 km`). JSON output keeps plain numbers.
The app's German and English tables use `app_pages.i18n.fmt` instead.
"""

from __future__ import annotations

import math

MISSING = "–"
"""What a missing value (None, NaN, pandas NA) prints as."""


def _missing(value) -> bool:
    if value is None:
        return True
    try:
        return bool(value != value) or (isinstance(value, float) and math.isinf(value))  # NaN, pandas NA, inf
    except TypeError:  # pandas NA refuses bool()
        return True


def number(value, decimals: int = 0) -> str:
    """Format `value` with comma thousands and `decimals` places after the point; '–' when missing.

    Parameters
    ----------
    value : float, int or None
        The number; None, NaN, pandas NA and infinity count as missing.
    decimals : int, default 0
        Places after the decimal point.

    Returns
    -------
    str
        The number in the English convention, or `MISSING`.

    Examples
    --------
    >>> number(2185), number(0.541, 2), number(None)
    ('2,185', '0.54', '–')
    """
    if _missing(value):
        return MISSING
    return f"{float(value):,.{decimals}f}"


def count(value) -> str:
    """Return a whole number of things (sites, pupils): '2,185'.

    Parameters
    ----------
    value : int, float or None
        The count; missing values print as `MISSING`.

    Returns
    -------
    str
        The count without decimals.
    """
    return number(value, 0)


def metres(value_m, decimals: int = 0) -> str:
    """Return a length in metres: '1,180 m'.

    Parameters
    ----------
    value_m : float or None
        The length in metres.
    decimals : int, default 0
        Places after the decimal point.

    Returns
    -------
    str
        The number followed by ' m' (`MISSING` followed by ' m' when missing).
    """
    return f"{number(value_m, decimals)} m"


def km(value_km, decimals: int = 2) -> str:
    """Return a length in kilometres: '586.11 km'.

    Parameters
    ----------
    value_km : float or None
        The length in kilometres.
    decimals : int, default 2
        Places after the decimal point.

    Returns
    -------
    str
        The number followed by ' km' (`MISSING` followed by ' km' when missing).
    """
    return f"{number(value_km, decimals)} km"


def euros(value_eur, decimals: int = 0) -> str:
    """Euros with the sign in front, whole by default: '€103,208', (0.94, 1) -> '€0.9'; '–' when missing.

    Parameters
    ----------
    value_eur : float or None
        The amount in euros; a negative amount is written '-€...' unless it rounds to zero.
    decimals : int, default 0
        Places after the decimal point.

    Returns
    -------
    str
        The amount, or `MISSING`.

    Examples
    --------
    >>> euros(103208), euros(0.94, 1), euros(-12.4)
    ('€103,208', '€0.9', '-€12')
    """
    if _missing(value_eur):
        return MISSING
    text = number(abs(float(value_eur)), decimals)
    return f"-€{text}" if float(value_eur) < 0 and float(text.replace(",", "")) != 0 else f"€{text}"


def euro_range(low_eur, high_eur) -> str:
    """Return a cost range: '€70,604–€103,208', or one amount when both ends round to the same euro.

    Parameters
    ----------
    low_eur : float or None
        The low end in euros.
    high_eur : float or None
        The high end in euros.

    Returns
    -------
    str
        Both ends joined by an en dash, or one amount when they print alike.
    """
    low, high = euros(low_eur), euros(high_eur)
    return low if low == high else f"{low}–{high}"


def share(value, decimals: int = 0) -> str:
    """Return a share 0..1 as a percentage, with a space before the sign as SI writes it: 0.782 -> '78 %'.

    Parameters
    ----------
    value : float or None
        The share as a fraction, 0..1.
    decimals : int, default 0
        Places after the decimal point of the percentage.

    Returns
    -------
    str
        The percentage followed by ' %', or `MISSING`.
    """
    return MISSING if _missing(value) else f"{number(100 * float(value), decimals)} %"
