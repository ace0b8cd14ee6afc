"""Showing data: map-ready tables, and text made safe for a terminal.

The tables are in EPSG:4326 for display only; storage stays EPSG:25832.
"""

from __future__ import annotations

import functools
import re
import sys
from collections.abc import Callable
from typing import Any, TextIO

import geopandas as gpd
import pandas as pd
import shapely

DISPLAY_CRS = "EPSG:4326"
DISPLAY_DECIMALS = 6  # 1e-6° is about 0.1 m: enough for a map, and less to send to the browser


def _attributes(frame: gpd.GeoDataFrame) -> pd.DataFrame:
    table = pd.DataFrame(frame.drop(columns=frame.geometry.name))
    for column in table.columns:  # JSON-friendly values for the browser
        if str(table[column].dtype).startswith("datetime64"):
            table[column] = table[column].dt.strftime("%Y-%m-%d")
        table[column] = table[column].astype(object).where(table[column].notna(), None)
    return table


def point_table(frame: gpd.GeoDataFrame) -> pd.DataFrame:
    """Attributes plus `lon`, `lat` of each point.

    Parameters
    ----------
    frame : geopandas.GeoDataFrame
        Points, one row per element, in any CRS (stored layers are EPSG:25832).

    Returns
    -------
    pandas.DataFrame
        One row per point: the attributes with JSON-friendly values (dates as 'YYYY-MM-DD', missing as None),
        plus `lon` and `lat` in degrees (EPSG:4326), rounded to `DISPLAY_DECIMALS`.
    """
    wgs = frame.to_crs(DISPLAY_CRS)
    table = _attributes(wgs)
    table["lon"] = wgs.geometry.x.to_numpy().round(DISPLAY_DECIMALS)
    table["lat"] = wgs.geometry.y.to_numpy().round(DISPLAY_DECIMALS)
    return table


def path_table(frame: gpd.GeoDataFrame) -> pd.DataFrame:
    """Attributes plus `path`: the line's [lon, lat] vertices.

    Parameters
    ----------
    frame : geopandas.GeoDataFrame
        Lines, one row per element, in any CRS (stored layers are EPSG:25832).

    Returns
    -------
    pandas.DataFrame
        One row per line: the attributes with JSON-friendly values, plus `path`, a list of [lon, lat] pairs in
        degrees (EPSG:4326), rounded to `DISPLAY_DECIMALS`.
    """
    wgs = frame.to_crs(DISPLAY_CRS)
    table = _attributes(wgs)
    table["path"] = [shapely.get_coordinates(g).round(DISPLAY_DECIMALS).tolist() for g in wgs.geometry]
    return table


def polygon_table(frame: gpd.GeoDataFrame) -> pd.DataFrame:
    """Attributes plus `polygon`: the exterior ring of every part (one row per part).

    Parameters
    ----------
    frame : geopandas.GeoDataFrame
        Polygons or multipolygons, one row per element, in any CRS (stored layers are EPSG:25832).

    Returns
    -------
    pandas.DataFrame
        One row per polygon part: the element's attributes with JSON-friendly values, plus `polygon`, the
        exterior ring as a list of [lon, lat] pairs in degrees (EPSG:4326); holes are not drawn.
    """
    wgs = frame.to_crs(DISPLAY_CRS).explode(index_parts=False).reset_index(drop=True)
    table = _attributes(wgs)
    table["polygon"] = [shapely.get_coordinates(g.exterior).round(DISPLAY_DECIMALS).tolist() for g in wgs.geometry]
    return table


_TERMINAL_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
"""C0 and C1 controls, DEL, and the bidi embeddings, overrides and isolates."""


def escape_for_terminal(text: str, keep: str = "\n\t") -> str:
    r"""`text` with control characters written out, so a terminal shows them instead of obeying them.

    C0 controls become `\x1b` (ESC), `\x07` (BEL), ...; DEL, C1 controls and bidi controls
    (which reorder what a terminal shows) become `\u007f`, `\u009b`, `\u202e`. The characters
    in `keep` (newline and tab by default) pass unchanged. The \u form is also a valid JSON
    escape, so JSON output stays JSON (json.dumps already escapes the C0 controls itself).

    Parameters
    ----------
    text : str
        The text to show.
    keep : str, default "\n\t"
        The control characters that pass unchanged.

    Returns
    -------
    str
        `text` with every other control character written as an escape.

    Examples
    --------
    >>> escape_for_terminal("red\x1b[31m\n")
    'red\\x1b[31m\n'
    """

    def escape(match: re.Match) -> str:
        ch = match.group()
        if ch in keep:
            return ch
        return f"\\x{ord(ch):02x}" if ord(ch) < 0x20 else f"\\u{ord(ch):04x}"

    return _TERMINAL_UNSAFE.sub(escape, text)


class TerminalSafeStream:
    r"""A text stream that writes through `escape_for_terminal`; everything else is the wrapped stream's.

    Parameters
    ----------
    stream : TextIO
        The stream written to, e.g. sys.stdout.
    keep : str, default "\n\t"
        The control characters written as they are (see `escape_for_terminal`).
    """

    def __init__(self, stream: TextIO, keep: str = "\n\t") -> None:
        """Wrap `stream`."""
        self.stream = stream
        self.keep = keep

    def write(self, text: str) -> int:
        """Write `text` escaped; returns the length of `text` as given (as `TextIO.write` does)."""
        self.stream.write(escape_for_terminal(text, self.keep))
        return len(text)

    def writelines(self, lines) -> None:
        """Write each of `lines` escaped (no newlines are added)."""
        for line in lines:
            self.write(line)

    def __getattr__(self, name: str) -> Any:
        """Return the wrapped stream's attribute `name`."""
        return getattr(self.stream, name)


def terminal_safe_output(func: Callable[..., int]) -> Callable[..., int]:
    """Run `func` (a command's main) with sys.stdout and sys.stderr escaping control characters.

    The choice: always, not only on terminals, since reports piped through `tee`, `cat` or a log
    end up on terminals too, and the tool writes no data files to these streams (JSON stays
    valid, see `escape_for_terminal`). stdout escapes carriage returns too; stderr lets them
    pass, as progress bars (tqdm) redraw their line with them. The streams are restored after.

    Parameters
    ----------
    func : callable
        The command's main, taking any arguments and returning an exit code.

    Returns
    -------
    callable
        A wrapper with `func`'s name and signature that returns `func`'s exit code.
    """

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        stdout, stderr = sys.stdout, sys.stderr
        if not isinstance(stdout, TerminalSafeStream):
            sys.stdout = TerminalSafeStream(stdout)
        if not isinstance(stderr, TerminalSafeStream):
            sys.stderr = TerminalSafeStream(stderr, keep="\n\t\r")
        try:
            return func(*args, **kwargs)
        finally:
            sys.stdout, sys.stderr = stdout, stderr

    return wrapper
