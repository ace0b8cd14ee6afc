"""The app's texts are split per page or area (`app_pages/texts/`) and joined in `app_pages.i18n`: a key written
in two tables would silently take the later one's words, so no key may be in two of them."""

from __future__ import annotations

import importlib
import pkgutil
from collections import Counter

import app_pages.texts
from app_pages.i18n import COLUMNS, LABELS


def tables() -> dict[str, dict]:
    """Each text module's LABELS (or COLUMNS) table, by module name."""
    found = {}
    for info in pkgutil.iter_modules(app_pages.texts.__path__):
        module = importlib.import_module(f"app_pages.texts.{info.name}")
        found[info.name] = getattr(module, "LABELS", None) or module.COLUMNS
    return found


def test_no_label_key_is_in_two_tables():
    label_tables = {name: table for name, table in tables().items() if name != "columns"}
    count = Counter(key for table in label_tables.values() for key in table)
    assert [key for key, n in count.items() if n > 1] == []


def test_every_table_reaches_the_app():
    for name, table in tables().items():
        joined = COLUMNS if name == "columns" else LABELS
        assert {key: joined[key] for key in table} == table, name
