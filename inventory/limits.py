"""Limits that keep a hostile or broken input file within bounded time and memory.

Every limit is far above what a real inventory file needs; a file over one is refused with a
message that names the limit. The README's import section lists them.
"""

from __future__ import annotations

MAX_CSV_COLUMNS = 1_000
"""Columns a CSV header may have. Checked on the header, before any row is read: the widest
layer has about 20 fields, and a spreadsheet export with every helper column stays far below
this. (A CSV with a million columns needed 2.6 GB for 10 MB of text.)"""

MAX_CSV_CELLS = 5_000_000
"""Cells (rows times kept columns) a CSV may have: e.g. 500,000 routes of 10 columns. A cell
costs about 150 bytes while the file is read (measured: 400,000 rows of 10 columns took 580 MB
above the program's own), so this keeps the reader of one CSV under about 0.8 GB. Larger
inventories go in as a GeoPackage (no such limit)."""

MAX_CSV_LINE_CHARS = 2_000_000
"""Characters one physical line of a CSV may have (a record is split into cells only after
this check, so no line can turn into millions of cells)."""

LAYER_READ_SECONDS = 10.0
"""Time SQLite may take to read one GeoPackage layer (table or view, every column of every
row) before GDAL opens the file. A view that never ends (a recursive query) or takes longer
(a cross join of large tables) is refused instead of hanging the import. Reading 1,000,000
stored routes takes about 1 s."""

GEOPACKAGE_CHECK_SECONDS = 30.0
"""Time the whole check of a GeoPackage may take: its metadata tables and every layer."""

MAX_SQLITE_VALUE_BYTES = 100_000_000
"""Bytes one value (a geometry, a text) of a GeoPackage may have; a view that computes a
larger one (e.g. `zeroblob(1e9)`, or a `group_concat` over endless rows) is refused. This also
bounds SQLite's memory during the check: SQLite spills sorts and recursive queries to disk."""

MAX_UNZIPPED_BYTES = 200_000_000
"""Bytes the Shapefile parts of an uploaded ZIP may have when unpacked, counted while they are
inflated (the sizes a ZIP's headers state are the sender's word and are checked as well)."""

MAX_ZIP_MEMBERS = 1_000
"""Entries an uploaded ZIP may list (a zipped Shapefile has five; only those are unpacked)."""
