"""A store whose every free-text field holds Markdown, HTML and Streamlit markup (the literal-text tests of
the app: tests/test_app_literal_text.py under AppTest, tests/test_browser.py in Chromium)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from factories import small_inventory

from inventory.schema import LAYERS
from inventory.stores import open_store

EVIL_HOST = "evil.example"
HOSTILE = (
    "<h1>EVILH1</h1><script>window.evil=1</script><img src=x onerror=\"window.evil=2\">"
    f" [EVILLINK](http://{EVIL_HOST}/l) ![EVILIMG](http://{EVIL_HOST}/i.png) **EVILBOLD** _EVILEM_"
    f" $x^2$ :red[EVILRED] :material/home: :smile: &amp; <b>EVILB</b> http://{EVIL_HOST}/bare www.{EVIL_HOST}"
    "\n# EVILHEAD\n"
)
"""Put before every free-text value: links, images, emphasis, a heading, HTML tags, a script, an event handler,
LaTeX, Streamlit's colour, icon and emoji directives, an HTML entity, bare URLs."""
ACTIVE = ("<h1", "<script", "<img", "<b>", f"](http://{EVIL_HOST}", "**EVILBOLD", "_EVILEM_", "$x^2$", ":red[",
          ":material/", ":smile:", "&amp;", "http://", f"www.{EVIL_HOST}", "\n# EVILHEAD")
"""Pieces of `HOSTILE` that are markup while unescaped: none may reach an element that renders Markdown."""


def text_fields(layer: str) -> list[str]:
    """The free-text fields of `layer` (text without a fixed list of values): ids, names, addresses, ..."""
    return [f.name for f in LAYERS[layer].fields if f.dtype == "text" and f.choices is None]


def hostile(value):
    return value if value is None or (not isinstance(value, str) and pd.isna(value)) else HOSTILE + str(value)


def hostile_inventory() -> dict:
    """The small test inventory with `HOSTILE` before every free-text value of every layer (ids too, and the
    references to them alike, so the network stays whole)."""
    frames = small_inventory()
    for name, frame in frames.items():
        for field in text_fields(name):
            if field in frame.columns:
                frame[field] = frame[field].map(hostile).astype(object)
    return frames


def write_hostile_store(path: Path) -> Path:
    store = open_store(path)
    try:
        store.write(hostile_inventory())
    finally:
        store.close()
    return path
