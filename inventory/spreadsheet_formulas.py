"""Text that a spreadsheet would run as a formula: the one home of the rule, for import and for export.

A spreadsheet program opening a CSV evaluates a cell that starts with one of `FORMULA_TRIGGERS` (OWASP, "CSV
injection", https://owasp.org/www-community/attacks/CSV_Injection). Import refuses such text where it is a
formula (`looks_like_formula`); export writes every text cell starting with a trigger with a leading quote
(`neutralise_cell`), which the CSV reader removes again (`unneutralise_cell`), so export and import round-trip.
"""

from __future__ import annotations

import re

import pandas as pd

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
"""A spreadsheet may run a cell starting with one of these as a formula (OWASP "CSV injection")."""
SIGNS = ("+", "-")
"""The triggers that honest text often starts with ("-Nord", "+49 209 ..."): a formula only if one follows."""
FORMULA_START = tuple(c for c in FORMULA_TRIGGERS if c not in SIGNS)
"""Text starting with one of these is a formula whatever follows (`=`, Lotus-style `@`, tab, CR)."""

_TRIGGER_CLASS = "[" + "".join(re.escape(c) for c in FORMULA_TRIGGERS) + "]"
_NEEDS_QUOTE = re.compile(rf"'*{_TRIGGER_CLASS}")
"""A cell the exporter quotes: a trigger first, or quotes followed by a trigger (so the round trip holds)."""
_NEUTRALISED = re.compile(rf"'+{_TRIGGER_CLASS}")
"""A cell as the exporter wrote it: one or more quotes, then a trigger."""
_FORMULA_AFTER_SIGN = re.compile(r"\s*[A-Za-z_][\w.]*\(|.*\||.*\w!\$?[A-Za-z]{1,3}\$?\d", re.DOTALL)
"""After a leading + or -: a function call `NAME(` right away, a DDE pipe `|` or a sheet reference `Sheet!A1`."""


def looks_like_formula(text: str) -> bool:
    """Tell whether a spreadsheet would evaluate `text` as a formula when it opens a CSV.

    Text starting with one of `FORMULA_START` is always a formula. A leading `+` or `-` is common in honest
    text ("-Nord", "+49 209 ...", "- Ost (Altstadt)"), so it counts only when a formula follows: a function
    call right after the sign (`-SUM(1)`, `+HYPERLINK("...")`), or a DDE pipe (`-2+3+cmd|' /C calc'!A0`) or a
    sheet reference (`+Sheet1!A1`) anywhere.

    Values are checked after parsing, which strips surrounding whitespace, so a leading tab or CR can only
    survive in data that other tools wrote to a store. Exports neutralise every cell starting with a trigger
    anyway (`neutralise_formulas`).

    Parameters
    ----------
    text : str
        A text value as parsed from the file.

    Returns
    -------
    bool
        True if the text would run as a formula (OWASP "CSV injection").

    Examples
    --------
    >>> looks_like_formula("=1+1"), looks_like_formula("-Nord"), looks_like_formula("-SUM(A1)")
    (True, False, True)
    """
    if not text:
        return False
    if text.startswith(FORMULA_START):
        return True
    return text[0] in SIGNS and _FORMULA_AFTER_SIGN.match(text, 1) is not None


def neutralise_cell(value):
    """Return `value` with a leading quote if a spreadsheet would read it as a formula; others unchanged.

    A text starting with a trigger gets a leading `'`, so a spreadsheet shows it as text. Text that already
    starts with quotes followed by a trigger gets one more quote, so that `unneutralise_cell`, which removes
    exactly one, gives back the original value.

    Parameters
    ----------
    value : object
        A cell; only strings are changed (numbers and missing values are returned as they are).

    Returns
    -------
    object
        The cell as it is safe to write into a CSV.

    Examples
    --------
    >>> neutralise_cell("=HYPERLINK(1)"), neutralise_cell("'=x"), neutralise_cell(-3)
    ("'=HYPERLINK(1)", "''=x", -3)
    """
    if isinstance(value, str) and _NEEDS_QUOTE.match(value):
        return "'" + value
    return value


def unneutralise_cell(cell: str) -> str:
    """Undo `neutralise_cell`: remove one leading quote before quotes and a trigger.

    Parameters
    ----------
    cell : str
        A cell as read from a CSV.

    Returns
    -------
    str
        The cell as it was before the export neutralised it.

    Examples
    --------
    >>> unneutralise_cell("'=x"), unneutralise_cell("'text")
    ('=x', "'text")
    """
    return cell[1:] if cell[:1] == "'" and _NEUTRALISED.match(cell) else cell


def neutralise_formulas(table: pd.DataFrame) -> pd.DataFrame:
    """Return a copy of `table` whose text cells cannot run as spreadsheet formulas (`neutralise_cell`).

    Only text columns (object or string dtype) are touched, and in them only string cells: numbers stay
    numbers, so a negative value in a numeric column is written as it is. Use it on every table written as CSV
    for people to open, e.g. `neutralise_formulas(table).to_csv(...)`.

    Parameters
    ----------
    table : pandas.DataFrame
        Any table (n rows × m columns).

    Returns
    -------
    pandas.DataFrame
        A copy of the same shape and dtypes.
    """
    out = table.copy()
    for column in out.columns:
        dtype = out[column].dtype
        if pd.api.types.is_object_dtype(dtype) or pd.api.types.is_string_dtype(dtype):
            out[column] = out[column].map(neutralise_cell, na_action="ignore").astype(dtype)
    return out
