"""Tables as the app shows and exports them, in the visitor's language.

`shown_table` is what every `st.dataframe` of the app shows (`app_pages.widgets.table`): headers in words with
their units, codes (status, kind, connection, state, element, method, severity, ...) in words, yes/no, dates
and every number as the language writes it (`app_pages.i18n.cell_text`, Babel's CLDR number format: 2.556,2
in German, 2,556.2 in English).

`csv_bytes` is what the CSV downloads hold: for German Excel a semicolon between fields and a decimal comma,
for English a comma and a decimal point; both UTF-8 with a byte-order mark (Excel reads UTF-8 only with it),
headers and codes in words, numbers at full precision without thousands separators (so a spreadsheet reads
them as numbers), text that would run as a formula neutralised (`inventory.spreadsheet_formulas.neutralise_formulas`).
"""

from __future__ import annotations

import pandas as pd

from app_pages.i18n import DEFAULT_LANGUAGE, cell_text, column_label, date_text
from inventory.spreadsheet_formulas import neutralise_formulas

CSV_DIALECT = {"de": {"sep": ";", "decimal": ","}, "en": {"sep": ",", "decimal": "."}}
"""Field separator and decimal mark of the CSV downloads per language (German Excel: ';' and ',')."""
CSV_ENCODING = "utf-8-sig"  # UTF-8 with a byte-order mark: how Excel recognises UTF-8


def _headers(columns, lang: str) -> list[str]:
    """The columns' headers in `lang`, made unique (two codes with one label get a counter)."""
    headers: list[str] = []
    for column in columns:
        label = column_label(str(column), lang)
        n, unique = 2, label
        while unique in headers:
            unique, n = f"{label} ({n})", n + 1
        headers.append(unique)
    return headers


def _texts(column: str, values: list, lang: str) -> list[str]:
    """`cell_text` of each value, worked out once per distinct value (a layer's table repeats most)."""
    try:
        known = {v: cell_text(column, v, lang) for v in set(values)}
    except TypeError:  # lists and other unhashable cells
        return [cell_text(column, v, lang) for v in values]
    return [known[v] for v in values]


def _numeric(series: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(series.dtype) and not pd.api.types.is_bool_dtype(series.dtype)


def display_frame(table: pd.DataFrame, lang: str = DEFAULT_LANGUAGE) -> pd.DataFrame:
    """`table` without its geometry, every cell that is not a number as the text `cell_text` shows (codes in
    words, yes/no, dates, lists joined), numbers kept as numbers; headers in `lang`."""
    frame = pd.DataFrame(table.drop(columns="geometry", errors="ignore")).copy()
    for column in frame.columns:
        if not _numeric(frame[column]):
            frame[column] = _texts(str(column), frame[column].tolist(), lang)
    frame.columns = _headers(frame.columns, lang)
    return frame


def shown_table(table: pd.DataFrame, lang: str = DEFAULT_LANGUAGE) -> pd.DataFrame:
    """`table` for `st.dataframe` in `lang`: every cell as the text `cell_text` shows (German: 16.573, 2.556,2;
    codes in words; '–' where missing), headers in words with their units.

    Text, not numbers under a display format: the grid's copy, its own CSV and a screen reader pass on a
    cell's value, and a raw 16573.3555 pasted into German Excel becomes sixteen trillion. The price: a click
    on a header sorts numbers as text (the library's tables come sorted by what matters)."""
    codes = [str(c) for c in table.drop(columns="geometry", errors="ignore").columns]
    frame = display_frame(table, lang)
    for code, header in zip(codes, frame.columns, strict=True):
        if _numeric(frame[header]):
            frame[header] = _texts(code, frame[header].tolist(), lang)
    return frame


def number_headers(table: pd.DataFrame, lang: str = DEFAULT_LANGUAGE) -> list[str]:
    """The headers (in `lang`, as `shown_table` names them) of `table`'s numeric columns: shown right-aligned."""
    frame = pd.DataFrame(table.drop(columns="geometry", errors="ignore"))
    headers = _headers(frame.columns, lang)
    return [h for c, h in zip(frame.columns, headers, strict=True) if _numeric(frame[c])]


def _csv_cell(column: str, value, lang: str):
    """A CSV cell: numbers as they are (pandas writes the decimal mark), dates as the language writes them,
    everything else as `cell_text` shows it."""
    if isinstance(value, bool) or not isinstance(value, int | float) or pd.isna(value):
        if isinstance(value, pd.Timestamp):
            return date_text(value, lang)
        return "" if value is None or value is pd.NA or (isinstance(value, float) and pd.isna(value)) \
            else cell_text(column, value, lang)
    return value


def csv_frame(table: pd.DataFrame, lang: str = DEFAULT_LANGUAGE) -> pd.DataFrame:
    """`table` as the CSV download holds it (before writing): headers and codes in `lang`, numbers as numbers,
    formula-like text neutralised."""
    frame = pd.DataFrame(table.drop(columns="geometry", errors="ignore")).copy()
    for column in frame.columns:
        if not _numeric(frame[column]):
            frame[column] = pd.Series([_csv_cell(str(column), v, lang) for v in frame[column].tolist()],
                                      index=frame.index, dtype=object)
    frame.columns = _headers(frame.columns, lang)
    return neutralise_formulas(frame)


def csv_bytes(table: pd.DataFrame, lang: str = DEFAULT_LANGUAGE) -> bytes:
    """`table` as CSV bytes for a spreadsheet in `lang` (see the module's text): German ';' and decimal comma,
    English ',' and decimal point, UTF-8 with a byte-order mark."""
    dialect = CSV_DIALECT.get(lang, CSV_DIALECT[DEFAULT_LANGUAGE])
    text = csv_frame(table, lang).to_csv(index=False, sep=dialect["sep"], decimal=dialect["decimal"])
    return text.encode(CSV_ENCODING)
