"""SQL identifiers written into statement text: the one quoting rule for every place that writes SQL.

The stores (GeoPackage, PostGIS), the editor and the QGIS styles all quote with `quote_name`.

Table and column names cannot be bind parameters, and some field names are reserved words (`symmetric`),
so every name that goes into SQL text is quoted as the SQL standard says (ISO/IEC 9075-2, <delimited
identifier>; PostgreSQL and SQLite follow it): in double quotes, with a double quote inside doubled.
"""

from __future__ import annotations


def quote_name(name: str) -> str:
    """`name` as a delimited SQL identifier.

    Parameters
    ----------
    name : str
        A table or column name, any characters.

    Returns
    -------
    str
        ``"name"``, each ``"`` inside doubled; the database reads it back as exactly `name`, case kept.

    Examples
    --------
    >>> quote_name('symmetric')
    '"symmetric"'
    >>> quote_name('a"b')
    '"a""b"'
    """
    return '"' + name.replace('"', '""') + '"'
