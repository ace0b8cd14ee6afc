"""What the language tests (`test_browser.py`, `test_app_language.py`) look for in a page's text: English words
or snake_case codes on the German side, German words on the English side, numbers in the other language's
format (issue 15.6)."""

from __future__ import annotations

import re

SNAKE_CASE = re.compile(r"\b[A-Za-z][A-Za-z0-9]*(?:_[A-Za-z0-9]+)+\b")
ENGLISH_WORDS = ("trench", "trenches", "school", "schools", "connected", "isolated", "near", "nearby", "new",
                 "city", "route", "routes", "site", "sites", "node", "nodes", "pupils", "planned", "retired",
                 "detour", "unchanged", "warning", "expected", "found", "within", "along", "segment", "segments",
                 "cost", "yes", "true", "false", "none", "whole", "total", "share", "building", "entry", "cabinet",
                 "closure", "chamber", "junction", "synthetic", "service", "possibly", "review", "length",
                 "drilling", "the", "of", "and", "with", "at", "is", "are", "from", "level")
"""English words that have no place in the German interface (none of them is also a German word)."""
GERMAN_WORDS = ("und", "der", "die", "das", "mit", "nicht", "Schule", "Schulen", "Trasse", "Trassen", "Graben",
                "Gräben", "angeschlossen", "geplant", "gesamt", "Abschnitt", "Netzknoten", "Standort", "Standorte",
                "Kosten", "Fehler", "Warnung", "Hinweis", "neu", "ja", "nein", "Stadt", "Ebene", "Anschluss")
"""German words that have no place in the English interface (the official terms Stadtbezirk and Stadtteil
may: the English labels name them)."""
COORDINATES = re.compile(r"\(\s*-?\d+(?:[.,]\d+)?\s*[,;]\s*-?\d+(?:[.,]\d+)?\s*\)")
"""A coordinate pair '(362964.6, 5714281.7)': written without thousands separators in either language."""
DATE_DE = re.compile(r"\b\d{2}\.\d{2}\.\d{4}\b")
ENGLISH_NUMBERS = (
    re.compile(r"\d\.\d{1,2}(?!\d)"),  # a decimal point: 0.54 km, 78.2 %
    re.compile(r"\d\.\d{4,}"),  # a raw float: 16573.3555
    re.compile(r"\d{4,}\.\d"),  # thousands without a separator before a decimal point
    re.compile(r"\b\d{1,3}(?:,\d{3})+(?![\d,])"),  # English thousands: 70,604
)
GERMAN_NUMBERS = (
    re.compile(r"\d\.\d{4,}"),  # a raw float: 16573.3555 (neither language writes it so)
    re.compile(r"\d{4,}\.\d"),  # thousands without a separator before a decimal point
    re.compile(r"\d,\d{1,2}(?!\d)"),  # a decimal comma: 78,2 %
    re.compile(r"\b\d{1,3}(?:\.\d{3})+(?![\d.])"),  # German thousands: 2.185
    DATE_DE,  # a German date
)


def technical_names() -> set[str]:
    """Names a data steward types as they are: the inventory's field and layer names."""
    from inventory.schema import LAYERS

    return {f.name for layer in LAYERS.values() for f in layer.fields} | set(LAYERS) | {"trench_cuts", "ring_closures"}


def data_texts(frames: dict | None = None) -> list[str]:
    """The free texts of a store (names, addresses, sources, ...), longest first: data, shown as written in
    either language, taken out of a page's text before it is read for the interface's words. `frames`: the
    store's layers; by default those of the store the app shows."""
    if frames is None:  # the store the app shows
        from app_pages import data

        location = data.configured_location()
        frames = data.load(location, data.store_version(location))
    texts = set()
    for frame in frames.values():
        for column in ("name", "address", "district", "source", "owner", "school_type"):
            if column in frame.columns:
                texts |= {str(v) for v in frame[column].dropna().tolist() if str(v).strip()}
    return sorted(texts, key=len, reverse=True)


def language_findings(text: str, lang: str) -> list[str]:
    """What in `text` (a page's interface text in `lang`) is not in its language's words and formats."""
    found = [f"snake_case: {m}" for m in SNAKE_CASE.findall(text) if m not in technical_names()]
    words = ENGLISH_WORDS if lang == "de" else GERMAN_WORDS
    for word in words:
        for m in re.finditer(rf"(?<![\w-]){re.escape(word)}(?![\w-])", text, flags=re.IGNORECASE if lang == "de" else 0):
            found.append(f"word {word!r}: …{text[max(0, m.start() - 40):m.end() + 40]}…".replace("\n", " "))
    numbers = ENGLISH_NUMBERS if lang == "de" else GERMAN_NUMBERS
    checked = COORDINATES.sub(" ", DATE_DE.sub(" ", text) if lang == "de" else text)
    for pattern in numbers:
        for m in pattern.finditer(checked):
            found.append(f"number {m.group()!r}: …{checked[max(0, m.start() - 40):m.end() + 40]}…".replace("\n", " "))
    return found


