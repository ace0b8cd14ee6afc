"""Data-quality findings (`inventory.problems.Problem`) in the app's language.

The library words every finding in English (the CLI's language): the English side shows it as it is. The
German side gets a German text per rule and part (found value, expected, fix), with the library's values
(ids, lengths, shares, coordinates) taken from the English text by the rule's pattern and written the German
way. A part whose text does not match its rule's pattern (a rule added or reworded in the library) keeps the
English text, so nothing is lost; `tests/test_app_language.py` checks that every rule of the sample and of the
topology checks has its German text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

import pandas as pd

from app_pages.i18n import DEFAULT_LANGUAGE, column_label, fmt

NUMBER = r"-?\d+(?:\.\d+)?"

# rule → part → (the library's English text as a pattern, the German text with the pattern's groups)
WORDING_DE: dict[str, dict[str, tuple[str, str]]] = {
    "side_by_side_routes": {
        "value": (rf"within (?P<d>{NUMBER}) m of route (?P<route>\S+) along (?P<share>\d+) % of its length",
                  "höchstens {d} m neben Trasse {route}, auf {share} % ihrer Länge"),
        "expected": (rf"routes in different trenches more than (?P<m>{NUMBER}) m apart along most of their length, "
                     r"or one trench_id",
                     "Trassen in verschiedenen Gräben auf dem größten Teil ihrer Länge mehr als {m} m voneinander "
                     "entfernt, oder eine gemeinsame trench_id"),
        "fix": (rf"routes (?P<a>\S+) \(trench (?P<ta>\S+)\) and (?P<b>\S+) \(trench (?P<tb>\S+)\) run within "
                rf"(?P<d>{NUMBER}) m of each other along (?P<share>\d+) % of (?P<c>\S+)'s length "
                rf"\((?P<side>{NUMBER}) of (?P<length>{NUMBER}) m\): possibly one trench; give them one trench_id "
                r"if they lie in one trench",
                "Die Trassen {a} (Graben {ta}) und {b} (Graben {tb}) liegen auf {share} % der Länge von {c} "
                "({side} von {length} m) höchstens {d} m nebeneinander: möglicherweise ein Graben. Liegen sie in "
                "einem Graben, beiden dieselbe trench_id geben."),
    },
    "crossing_without_junction": {
        "value": (rf"a crossing with route (?P<route>\S+) near \((?P<x>{NUMBER}), (?P<y>{NUMBER})\)",
                  "eine Kreuzung mit Trasse {route} bei ({x}; {y})"),
        "expected": (r"a junction node where routes meet, if they do",
                     "ein Verbindungsknoten, wo Trassen sich treffen, falls sie es tun"),
        "fix": (r"for review only: add a node if the cables are spliced there",
                "nur zur Prüfung: einen Knoten anlegen, falls die Kabel dort gespleißt sind"),
    },
    "dangling_end": {
        "value": (rf"a loose end at \((?P<x>{NUMBER}), (?P<y>{NUMBER})\)", "ein loses Ende bei ({x}; {y})"),
        "expected": (r"a route end at a node or another route", "ein Trassenende an einem Knoten oder einer Trasse"),
        "fix": (r"connect it, or add the node it ends at \(e\.g\. a building entry or closure\)",
                "anschließen oder den Knoten anlegen, an dem es endet (z. B. Hauseinführung oder Muffe)"),
    },
    "separate_component": {
        "value": (rf"a separate part of (?P<n>\d+) segments \((?P<km>{NUMBER}) km\) without a POP",
                  "ein eigenes Netzteil aus {n} Abschnitten ({km} km) ohne POP"),
        "expected": (r"every route connected to an in-service POP", "jede Trasse mit einem POP in Betrieb verbunden"),
        "fix": (r"connect it to the network, or add its POP", "mit dem Netz verbinden oder seinen POP anlegen"),
    },
    "near_miss": {
        "value": (rf"an end (?P<d>{NUMBER}) m from it at \((?P<x>{NUMBER}), (?P<y>{NUMBER})\)",
                  "ein Ende {d} m davon entfernt bei ({x}; {y})"),
        "expected": (rf"a route end joined to route (?P<route>\S+) \(within (?P<m>{NUMBER}) m\) or clearly apart",
                     "ein Trassenende an Trasse {route} (höchstens {m} m) oder deutlich entfernt"),
        "fix": (r"move the end onto the other route, or check the gap",
                "das Ende auf die andere Trasse legen oder die Lücke prüfen"),
    },
    "duplicate_segment": {
        "value": (r"the same line as route (?P<route>\S+) \(trenches (?P<ta>\S+) and (?P<tb>\S+)\)",
                  "dieselbe Linie wie Trasse {route} (Gräben {ta} und {tb})"),
        "expected": (r"segments in different trenches apart, or a shared trench_id",
                     "Abschnitte in verschiedenen Gräben getrennt, oder eine gemeinsame trench_id"),
        "fix": (r"give both the same trench_id if they lie in one trench, or delete the duplicate",
                "beiden dieselbe trench_id geben, wenn sie in einem Graben liegen, oder die Doppelung löschen"),
    },
    "overlapping_segments": {
        "value": (rf"(?P<m>{NUMBER}) m shared with route (?P<route>\S+) \(trenches (?P<ta>\S+) and (?P<tb>\S+)\)",
                  "{m} m gemeinsam mit Trasse {route} (Gräben {ta} und {tb})"),
        "expected": (r"segments in different trenches apart, or a shared trench_id",
                     "Abschnitte in verschiedenen Gräben getrennt, oder eine gemeinsame trench_id"),
        "fix": (r"give both the same trench_id if they lie in one trench, or delete the duplicate",
                "beiden dieselbe trench_id geben, wenn sie in einem Graben liegen, oder die Doppelung löschen"),
    },
    "no_pop": {
        "value": (r"none", "keiner"),
        "expected": (r"at least one node of kind pop, in service", "mindestens ein Knoten der Art pop, in Betrieb"),
        "fix": (r"add the POPs: without them nothing is reachable", "die POPs anlegen: ohne sie ist nichts erreichbar"),
    },
    "zero_length": {
        "value": (r"a segment of \(almost\) zero length", "ein Abschnitt (fast) ohne Länge"),
        "expected": (rf"a segment longer than the snap tolerance \((?P<m>{NUMBER}) m\)",
                     "ein Abschnitt, länger als die Fangtoleranz ({m} m)"),
        "fix": (r"delete or redraw it", "löschen oder neu zeichnen"),
    },
    "nodes_merged": {
        "value": (r"the same place as node (?P<node>\S+)", "derselbe Ort wie Knoten {node}"),
        "expected": (r"nodes further apart than the snap tolerance", "Knoten weiter voneinander als die Fangtoleranz"),
        "fix": (r"merge the two nodes or move one", "die beiden Knoten zusammenlegen oder einen verschieben"),
    },
    "self_loop": {
        "value": (r"a segment that returns to its start", "ein Abschnitt, der zu seinem Anfang zurückkehrt"),
        "expected": (r"a segment between two different places", "ein Abschnitt zwischen zwei verschiedenen Orten"),
        "fix": (r"split it at a node or delete it", "an einem Knoten teilen oder löschen"),
    },
    "handover_not_on_network": {
        "expected": (r"a handover node on a route of this scenario", "ein Übergabeknoten an einer Trasse"),
        "fix": (r"connect the node with a route, or correct handover_node_id",
                "den Knoten mit einer Trasse verbinden oder handover_node_id berichtigen"),
    },
    "site_attached_by_distance": {
        "expected": (r"a handover_node_id", "eine handover_node_id"),
        "fix": (rf"attached to the nearest vertex, (?P<m>{NUMBER}) m away; fill in handover_node_id",
                "an den nächsten Netzpunkt angebunden, {m} m entfernt; handover_node_id ausfüllen"),
    },
    "site_unattached": {
        "expected": (rf"a network vertex within (?P<m>{NUMBER}) m or a handover node",
                     "ein Netzpunkt im Umkreis von {m} m oder ein Übergabeknoten"),
        "fix": (r"fill in handover_node_id or draw the drop route",
                "handover_node_id ausfüllen oder die Hausanschlusstrasse zeichnen"),
    },
    "connected_without_bandwidth": {
        "expected": (r"a bandwidth for a connected site", "eine Bandbreite für einen angeschlossenen Standort"),
        "fix": (r"fill in bandwidth_mbps", "bandwidth_mbps ausfüllen"),
    },
    "connected_without_handover": {
        "expected": (r"a handover node for a connected site", "ein Übergabeknoten für einen angeschlossenen Standort"),
        "fix": (r"fill in handover_node_id", "handover_node_id ausfüllen"),
    },
    "planned_without_date": {
        "expected": (r"a planned date for a planned connection", "ein Termin für einen geplanten Anschluss"),
        "fix": (r"fill in planned_date", "planned_date ausfüllen"),
    },
    "required": {
        "expected": (r"a value \((?P<what>.+)\)", "ein Wert ({what})"),
        "fix": (r"fill in the value", "den Wert ausfüllen"),
    },
    "reference": {
        "expected": (r"an existing (?P<field>\S+) of layer '(?P<layer>\S+)'",
                     "eine vorhandene {field} der Ebene {layer}"),
        "fix": (r"import the missing (?P<layer>\S+) first, or correct the reference",
                "erst die fehlenden Einträge der Ebene {layer} importieren oder den Verweis berichtigen"),
    },
    "duplicate_id": {
        "expected": (r"a unique (?P<key>\S+) \(already used by (?P<other>.+)\)",
                     "eine eindeutige {key} (schon vergeben an {other})"),
        "fix": (r"give each record its own id, or remove the duplicate",
                "jedem Eintrag eine eigene ID geben oder die Doppelung entfernen"),
    },
    "fibres_used_le_fibre_count": {
        "expected": (r"fibres_used ≤ fibre_count \((?P<n>\d+)\)", "fibres_used ≤ fibre_count ({n})"),
        "fix": (r"correct fibres_used or fibre_count", "fibres_used oder fibre_count berichtigen"),
    },
    "choice": {
        "expected": (r"one of (?P<choices>.+)", "einer der Werte {choices}"),
        "fix": (r"use one of the allowed values, or map values on import",
                "einen der erlaubten Werte eintragen oder die Werte beim Import zuordnen"),
    },
    "range": {
        "expected": (rf"a value from (?P<low>{NUMBER}) to (?P<high>{NUMBER})", "ein Wert von {low} bis {high}"),
        "fix": (r"correct the value", "den Wert berichtigen"),
    },
    "type": {"fix": (r"correct the value", "den Wert berichtigen")},
    "geometry_missing": {
        "expected": (r"a (?P<type>\S+) geometry", "eine Geometrie vom Typ {type}"),
        "fix": (r"give every record a geometry", "jedem Eintrag eine Geometrie geben"),
    },
    "geometry_invalid": {
        "expected": (r"a valid geometry \(OGC simple features\)", "eine gültige Geometrie (OGC Simple Features)"),
        "fix": (r"repair it \(QGIS: Vector > Geometry Tools > Fix Geometries\)",
                "reparieren (QGIS: Vektor > Geometrie-Werkzeuge > Geometrien reparieren)"),
    },
}
"""German texts of the findings, by rule and part."""
VALUE_DE = {None: "nichts (leer)", "": "nichts (leer)"}
ROW_KEYS_DE = {"route_id": "Trasse", "node_id": "Knoten", "site_id": "Standort", "district_id": "Bezirk",
               "line": "Zeile", "feature": "Objekt", "row": "Zeile"}
"""The words of a finding's row label ('route_id R17', 'line 12') in German."""
_NUMBER_RE = re.compile(NUMBER)
_COORDINATE_GROUPS = ("x", "y")


def _german_number(text: str) -> str:
    """A number the library wrote ('1.3', '1500') as German writes it ('1,3', '1.500'); coordinates without
    thousands separators."""
    decimals = len(text.split(".")[1]) if "." in text else 0
    return fmt(float(text), decimals, "de")


def _worded(rule: str, part: str, text: str) -> str:
    """`text`, the library's English `part` of a finding of `rule`, in German; unchanged without a match."""
    pattern, template = WORDING_DE.get(rule, {}).get(part, (None, None))
    found = re.fullmatch(pattern, text) if pattern else None
    if found is None:
        return text
    values = {}
    for name, value in found.groupdict().items():
        if name in _COORDINATE_GROUPS:
            values[name] = fmt(float(value), len(value.split(".")[1]) if "." in value else 0, "de", grouping=False)
        elif _NUMBER_RE.fullmatch(value or ""):
            values[name] = _german_number(value)
        else:
            values[name] = value
    return template.format(**values)


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
    return _worded(str(problem.get("rule")), part, "" if text is None else str(text))


PROBLEM_COLUMNS = ["severity", "layer", "rule", "row", "field", "value", "expected", "fix"]


def problem_rows(problems: Iterable[Mapping], lang: str = DEFAULT_LANGUAGE) -> pd.DataFrame:
    """The findings as the Datenqualität table shows them in `lang`: severity, layer and rule as codes
    (the table shows them in words), row, field, found value, expected and fix as texts in `lang`."""
    rows = [{"severity": p.get("severity"), "layer": p.get("layer"), "rule": p.get("rule"),
             "row": row_text(p.get("row"), lang), "field": field_text(p.get("field"), lang),
             "value": problem_text(p, "value", lang), "expected": problem_text(p, "expected", lang),
             "fix": problem_text(p, "fix", lang)} for p in problems]
    return pd.DataFrame(rows, columns=PROBLEM_COLUMNS)
