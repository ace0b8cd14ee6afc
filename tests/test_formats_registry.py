"""The format registry (`inventory.formats`): one table from extension and content to reader and writer."""

from __future__ import annotations

import pytest

from app_pages.i18n import LABELS
from app_pages.uploads import UPLOAD_TYPES
from inventory import formats
from inventory.cli import build_parser


def test_every_format_has_a_unique_key_extensions_and_a_name_in_both_languages():
    keys = [fmt.key for fmt in formats.FORMATS]
    assert len(keys) == len(set(keys))
    for fmt in formats.FORMATS:
        assert fmt.extensions and all(ext.startswith(".") and ext == ext.lower() for ext in fmt.extensions)
        assert fmt.read or fmt.write
        de, en = LABELS[f"format.{fmt.key}"]
        assert de and en


def test_the_upload_and_the_cli_take_their_formats_from_the_registry():
    for ext in formats.extensions():
        assert ext == ".shp" or ext.lstrip(".") in UPLOAD_TYPES  # a Shapefile comes zipped
    export = next(a for a in build_parser()._subparsers._group_actions[0].choices["export"]._actions
                  if a.dest == "file_format")
    assert sorted(export.choices) == sorted(f.key for f in formats.writable())


@pytest.mark.parametrize(
    "content, suffix, expected",
    [
        (b'{"type": "FeatureCollection", "features": []}', ".json", "geojson"),
        (b"SQLite format 3\x00" + bytes(100), ".gpkg", "gpkg"),
        (b"id;name\n1;a\n", ".csv", "csv"),
    ],
)
def test_content_names_the_format(tmp_path, content, suffix, expected):
    path = tmp_path / f"file{suffix}"
    path.write_bytes(content)
    found = formats.content_of(path)
    assert isinstance(found, formats.Format) and found.key == expected
    assert found in formats.claiming(suffix)


def test_a_file_whose_content_is_another_format_is_refused_with_the_extension_to_use(tmp_path):
    path = tmp_path / "nodes.csv"
    path.write_bytes(b"SQLite format 3\x00" + bytes(200))
    raw = formats.read_file(path, "nodes")
    (problem,) = raw.problems
    assert problem.value == "GeoPackage content" and problem.fix == "rename it to .gpkg"


def test_the_module_text_table_lists_each_format_as_the_registry_does():
    """The table in `inventory.formats`' docstring: the registry's keys, in its order, with their extensions."""
    rows = [line.split("|")[1:-1] for line in formats.__doc__.splitlines() if line.startswith("| ")]
    table = [(cells[0].strip(), tuple(e.strip() for e in cells[1].split(","))) for cells in rows[1:]]
    assert table == [(fmt.key, fmt.extensions) for fmt in formats.FORMATS]
