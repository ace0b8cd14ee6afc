"""Data-quality findings (`inventory.problems.Problem`) in the app's language.

The library words every finding in English (the CLI's language): the English side shows it as it is. The
German side words it anew from the finding's code and parameters, never from its English text: each rule
(`Problem.rule`) has a German text per part (found value, expected, fix) in `WORDING_DE`, with placeholders
for the values the library passes in `Problem.params` (ids, metres, shares, coordinates, field names), which
are written the German way (`fmt`). A rule or part without a German text, a `variant` it does not know, or a
finding whose parameters lack a placeholder keeps the English text, so nothing is lost; `missing_wording`
names such gaps and `tests/test_app_language.py` checks that every rule of the sample, of the topology checks
and of the schema rules has none.

A placeholder is `{name}` or `{name:spec}`: without a spec text as it is and a number with the decimals it
has; `.N` a number with N decimals; `plain` a number with the decimals it has and no thousands separator (a
year); `xy` a coordinate (one decimal, no thousands separator); `%` a share 0..1
as whole per cent, rounded down as the library does; `list` values joined by commas; `row` a row label
(`row_text`); `dtype` a data type's expectation (`DTYPE_DE`).
"""

from __future__ import annotations

import math
import string
from collections.abc import Iterable, Mapping

import pandas as pd

from app_pages.i18n import DEFAULT_LANGUAGE, column_label, fmt

AS_FOUND = None
"""A `value` part shown as the data had it (an id, a text as written), not worded."""
Wording = str | Mapping[str | None, str] | None
"""A part's German text: one template; templates by `params["variant"]` (None: no variant); or AS_FOUND."""
_TRENCH_FIX = "beiden dieselbe trench_id geben, wenn sie in einem Graben liegen, oder die Doppelung löschen"
_TRENCH_EXPECTED = "Abschnitte in verschiedenen Gräben getrennt, oder eine gemeinsame trench_id"

# rule → part → German text with placeholders from the finding's params
WORDING_DE: dict[str, dict[str, Wording]] = {
    "side_by_side_routes": {
        "value": "höchstens {distance_m:.1} m neben Trasse {other_route_id}, auf {share:%} % ihrer Länge",
        "expected": "Trassen in verschiedenen Gräben auf dem größten Teil ihrer Länge mehr als {apart_m} m "
                    "voneinander entfernt, oder eine gemeinsame trench_id",
        "fix": "Die Trassen {route_id} (Graben {trench_id}) und {other_route_id} (Graben {other_trench_id}) liegen "
               "auf {share:%} % der Länge von {route_id} ({side_by_side_m:.0} von {length_m:.0} m) höchstens "
               "{distance_m:.1} m nebeneinander: möglicherweise ein Graben. Liegen sie in einem Graben, beiden "
               "dieselbe trench_id geben.",
    },
    "crossing_without_junction": {
        "value": "eine Kreuzung mit Trasse {other_route_id} bei ({x:xy}; {y:xy})",
        "expected": "ein Verbindungsknoten, wo Trassen sich treffen, falls sie es tun",
        "fix": "nur zur Prüfung: einen Knoten anlegen, falls die Kabel dort gespleißt sind",
    },
    "dangling_end": {
        "value": "ein loses Ende bei ({x:xy}; {y:xy})",
        "expected": "ein Trassenende an einem Knoten oder einer Trasse",
        "fix": "anschließen oder den Knoten anlegen, an dem es endet (z. B. Hauseinführung oder Muffe)",
    },
    "separate_component": {
        "value": "ein eigenes Netzteil aus {segments} Abschnitten ({length_km:.2} km) ohne POP",
        "expected": "jede Trasse mit einem POP in Betrieb verbunden",
        "fix": "mit dem Netz verbinden oder seinen POP anlegen",
    },
    "near_miss": {
        "value": "ein Ende {distance_m:.2} m davon entfernt bei ({x:xy}; {y:xy})",
        "expected": "ein Trassenende an Trasse {other_route_id} (höchstens {snap_tolerance_m} m) oder deutlich "
                    "entfernt",
        "fix": "das Ende auf die andere Trasse legen oder die Lücke prüfen",
    },
    "duplicate_segment": {
        "value": "dieselbe Linie wie Trasse {other_route_id} (Gräben {trench_id} und {other_trench_id})",
        "expected": _TRENCH_EXPECTED,
        "fix": _TRENCH_FIX,
    },
    "overlapping_segments": {
        "value": "{shared_m:.1} m gemeinsam mit Trasse {other_route_id} (Gräben {trench_id} und {other_trench_id})",
        "expected": _TRENCH_EXPECTED,
        "fix": _TRENCH_FIX,
    },
    "no_pop": {
        "value": "keiner",
        "expected": "mindestens ein Knoten der Art pop, in Betrieb",
        "fix": "die POPs anlegen: ohne sie ist nichts erreichbar",
    },
    "zero_length": {
        "value": "ein Abschnitt (fast) ohne Länge",
        "expected": "ein Abschnitt, länger als die Fangtoleranz ({snap_tolerance_m} m)",
        "fix": "löschen oder neu zeichnen",
    },
    "nodes_merged": {
        "value": "derselbe Ort wie Knoten {other_node_id}",
        "expected": "Knoten weiter voneinander als die Fangtoleranz",
        "fix": "die beiden Knoten zusammenlegen oder einen verschieben",
    },
    "self_loop": {
        "value": "ein Abschnitt, der zu seinem Anfang zurückkehrt",
        "expected": "ein Abschnitt zwischen zwei verschiedenen Orten",
        "fix": "an einem Knoten teilen oder löschen",
    },
    "handover_not_on_network": {
        "value": AS_FOUND,
        "expected": "ein Übergabeknoten an einer Trasse",
        "fix": "den Knoten mit einer Trasse verbinden oder handover_node_id berichtigen",
    },
    "site_attached_by_distance": {
        "value": AS_FOUND,
        "expected": "eine handover_node_id",
        "fix": "an den nächsten Netzpunkt angebunden, {drop_m:.0} m entfernt; handover_node_id ausfüllen",
    },
    "site_unattached": {
        "value": AS_FOUND,
        "expected": "ein Netzpunkt im Umkreis von {max_drop_m} m oder ein Übergabeknoten",
        "fix": "handover_node_id ausfüllen oder die Hausanschlusstrasse zeichnen",
    },
    "connected_without_bandwidth": {
        "value": AS_FOUND,
        "expected": "eine Bandbreite für einen angeschlossenen Standort",
        "fix": "bandwidth_mbps ausfüllen",
    },
    "connected_without_handover": {
        "value": AS_FOUND,
        "expected": "ein Übergabeknoten für einen angeschlossenen Standort",
        "fix": "handover_node_id ausfüllen",
    },
    "planned_without_date": {
        "value": AS_FOUND,
        "expected": "ein Termin für einen geplanten Anschluss",
        "fix": "planned_date ausfüllen",
    },
    "required": {
        "value": AS_FOUND,
        "expected": {None: "ein Wert ({dtype:dtype})", "choices": "ein Wert (einer der Werte {choices:list})"},
        "fix": "den Wert ausfüllen",
    },
    "reference": {
        "value": AS_FOUND,
        "expected": "eine vorhandene {field} der Ebene {layer}",
        "fix": "erst die fehlenden Einträge der Ebene {layer} importieren oder den Verweis berichtigen",
    },
    "duplicate_id": {
        "value": AS_FOUND,
        "expected": "eine eindeutige {key} (schon vergeben an {other:row})",
        "fix": {
            None: "jedem Eintrag eine eigene ID geben oder die Doppelung entfernen",
            "parts_of_one_line": "offenbar Teile einer Linie (QGIS „Mehrteilig zu einteilig“ kopiert die ID): "
                                 "jedem Teil eine eigene ID geben (z. B. {part_ids:list}) und dieselbe trench_id, "
                                 "oder mit --explode importieren, das genau dies tut",
        },
    },
    "fibres_used_le_fibre_count": {
        "value": AS_FOUND,
        "expected": "fibres_used ≤ fibre_count ({fibre_count})",
        "fix": "fibres_used oder fibre_count berichtigen",
    },
    "choice": {
        "value": AS_FOUND,
        "expected": "einer der Werte {choices:list}",
        "fix": {
            None: "einen der erlaubten Werte eintragen oder die Werte beim Import zuordnen",
            "list": "eine Liste: ihre Elemente mit einer Tabelle [values.{field}] in einer Zuordnungsdatei zuordnen "
                    "(oder die ganze Liste, als '{written}' = \"WERT\"), oder --set {field}=WERT",
        },
    },
    "range": {
        "value": AS_FOUND,
        "expected": "ein Wert von {min:plain} bis {max:plain}",
        "fix": "den Wert berichtigen",
    },
    "type": {"value": AS_FOUND, "expected": "{dtype:dtype}", "fix": "den Wert berichtigen"},
    "geometry_missing": {
        "value": AS_FOUND,
        "expected": "eine Geometrie vom Typ {geometry_type}",
        "fix": "jedem Eintrag eine Geometrie geben",
    },
    "geometry_invalid": {
        "value": AS_FOUND,
        "expected": "eine gültige Geometrie (OGC Simple Features)",
        "fix": "reparieren (QGIS: Vektor > Geometrie-Werkzeuge > Geometrien reparieren)",
    },
}
"""German texts of the findings, by rule and part."""
DTYPE_DE = {
    "text": "Text",
    "int": "eine ganze Zahl",
    "float": "eine endliche Zahl (Dezimalpunkt oder -komma)",
    "bool": "ja/nein (true, false, ja, nein, 1, 0)",
    "date": "ein Datum als JJJJ-MM-TT oder TT.MM.JJJJ",
}
"""What a value of each data type (`inventory.frames.EXPECTED`) must be, in German."""
VALUE_DE = {None: "nichts (leer)", "": "nichts (leer)"}
ROW_KEYS_DE = {"route_id": "Trasse", "node_id": "Knoten", "site_id": "Standort", "district_id": "Bezirk",
               "line": "Zeile", "feature": "Objekt", "row": "Zeile"}
"""The words of a finding's row label ('route_id R17', 'line 12') in German."""
PARTS = ("value", "expected", "fix")


def _number(value, decimals: int | None = None, grouping: bool = True) -> str:
    """A number in German with `decimals` places; without, with the places it has (0.5 → '0,5', 150.0 → '150')."""
    if decimals is None:
        shown = f"{float(value):g}" if isinstance(value, float) else str(value)
        decimals = len(shown.split(".")[1]) if "." in shown and "e" not in shown else 0
    return fmt(value, decimals, "de", grouping=grouping)


class _GermanFormatter(string.Formatter):
    """Fills a German text's placeholders (see the module's docstring for their specs)."""

    def format_field(self, value, format_spec: str) -> str:
        if format_spec == "xy":
            return fmt(value, 1, "de", grouping=False)
        if format_spec == "plain":
            return _number(value, grouping=False)
        if format_spec == "%":
            return fmt(math.floor(float(value) * 100), 0, "de")
        if format_spec == "list":
            return ", ".join(str(v) for v in value)
        if format_spec == "row":
            return row_text(value, "de")
        if format_spec == "dtype":
            return DTYPE_DE[value]
        if format_spec.startswith("."):
            return _number(value, int(format_spec[1:]))
        if format_spec:
            raise ValueError(f"unknown placeholder spec {format_spec!r}")
        if isinstance(value, int | float) and not isinstance(value, bool):
            return _number(value)
        return str(value)


_FORMATTER = _GermanFormatter()


def placeholders(template: str) -> set[str]:
    """The parameter names a German text needs."""
    return {name for _, name, _, _ in _FORMATTER.parse(template) if name}


def _wording(problem: Mapping, part: str) -> tuple[bool, str | None]:
    """Whether the rule words `part` at all, and its German template for this finding (None: AS_FOUND, or no
    template for the finding's variant)."""
    parts = WORDING_DE.get(str(problem.get("rule")), {})
    if part not in parts:
        return False, None
    wording = parts[part]
    if isinstance(wording, Mapping):
        variant = (problem.get("params") or {}).get("variant")
        return variant in wording, wording.get(variant)
    return True, wording


def missing_wording(problem: Mapping) -> list[str]:
    """The parts of a finding (`Problem.to_dict()`) that would stay English on the German side, each with why:
    no German text for its rule, part or variant, or a placeholder its params lack."""
    params = problem.get("params") or {}
    gaps = []
    for part in PARTS:
        known, template = _wording(problem, part)
        if not known:
            gaps.append(f"{part}: no German text for rule {problem.get('rule')!r}"
                        + (f", variant {params.get('variant')!r}" if "variant" in params else ""))
        elif template is not None and (placeholders(template) - set(params)):
            gaps.append(f"{part}: params lack {sorted(placeholders(template) - set(params))}")
    return gaps


def _worded(problem: Mapping, part: str, text: str) -> str:
    """`text`, the library's English `part` of `problem`, in German from its rule and params; as it is where
    the rule has no German text for it (or shows it as found) or the params lack a placeholder."""
    _, template = _wording(problem, part)
    if template is None:
        return text
    try:
        return _FORMATTER.format(template, **(problem.get("params") or {}))
    except (KeyError, IndexError, ValueError, TypeError):
        return text


def row_text(row, lang: str = DEFAULT_LANGUAGE) -> str:
    """A finding's row label ('route_id R17', 'line 12') in `lang`."""
    if row is None or lang == "en":
        return "" if row is None else str(row)
    key, _, rest = str(row).partition(" ")
    return f"{ROW_KEYS_DE[key]} {rest}" if key in ROW_KEYS_DE and rest else str(row)


def field_text(field, lang: str = DEFAULT_LANGUAGE) -> str:
    """A finding's field: its name as typed in the data, with its words in German ('Fasern belegt
    (fibres_used)'); 'Geometrie' for the geometry."""
    if field is None:
        return ""
    if lang == "en":
        return str(field)
    label = column_label(str(field), lang)
    return label if field == "geometry" or label == field else f"{label} ({field})"


def problem_text(problem: Mapping, part: str, lang: str = DEFAULT_LANGUAGE) -> str:
    """One `part` ('value', 'expected' or 'fix') of a finding (`Problem.to_dict()`) in `lang`."""
    text = problem.get(part)
    if lang == "en":
        return "nothing (empty)" if part == "value" and text is None else "" if text is None else str(text)
    if part == "value" and (text is None or text == ""):
        return VALUE_DE[None]
    return _worded(problem, part, "" if text is None else str(text))


PROBLEM_COLUMNS = ["severity", "layer", "rule", "row", "field", "value", "expected", "fix"]


def problem_rows(problems: Iterable[Mapping], lang: str = DEFAULT_LANGUAGE) -> pd.DataFrame:
    """The findings as the Datenqualität table shows them in `lang`: severity, layer and rule as codes
    (the table shows them in words), row, field, found value, expected and fix as texts in `lang`."""
    rows = [{"severity": p.get("severity"), "layer": p.get("layer"), "rule": p.get("rule"),
             "row": row_text(p.get("row"), lang), "field": field_text(p.get("field"), lang),
             "value": problem_text(p, "value", lang), "expected": problem_text(p, "expected", lang),
             "fix": problem_text(p, "fix", lang)} for p in problems]
    return pd.DataFrame(rows, columns=PROBLEM_COLUMNS)
