"""The German words of the data-quality findings of the topology checks and the schema rules.

Each rule (`inventory.problems.Problem.rule`) has a German text per part (found value, expected, fix) with
placeholders for the values the library passes in `Problem.params`; `app_pages.problem_text` fills them
(its module text says how placeholders are written). The findings of reading and importing files have their
words in `app_pages.import_finding_words`.
"""

from __future__ import annotations

from collections.abc import Mapping

AS_FOUND = None
"""A `value` part shown as the data had it (an id, a text as written), not worded."""
Wording = str | Mapping[str | None, str] | None
"""A part's German text: one template; templates by `params["variant"]` (None: no variant); or AS_FOUND."""
_TRENCH_FIX = "beiden dieselbe trench_id geben, wenn sie in einem Graben liegen, oder die Doppelung löschen"
_TRENCH_EXPECTED = "Abschnitte verschiedener Gräben räumlich getrennt oder eine gemeinsame trench_id"

# rule → part → German text with placeholders from the finding's params
CHECK_WORDING_DE: dict[str, dict[str, Wording]] = {
    "side_by_side_routes": {
        "value": "auf {share:%} % der eigenen Länge höchstens {distance_m:.1} m neben Trasse {other_route_id}",
        "expected": "Trassen in verschiedenen Gräben auf dem größten Teil ihrer Länge mehr als {apart_m} m "
                    "voneinander entfernt oder eine gemeinsame trench_id",
        "fix": "die Trassen {route_id} (Graben {trench_id}) und {other_route_id} (Graben {other_trench_id}) liegen "
               "auf {share:%} % der Länge von {route_id} ({side_by_side_m:.0} von {length_m:.0} m) höchstens "
               "{distance_m:.1} m nebeneinander, möglicherweise in einem Graben; liegen sie in einem Graben, "
               "beiden dieselbe trench_id geben",
    },
    "crossing_without_junction": {
        "value": "eine Kreuzung mit Trasse {other_route_id} bei ({x:xy}; {y:xy})",
        "expected": "ein Verbindungsknoten, wo sich Trassen treffen (falls sie dort verbunden sind)",
        "fix": "nur zur Prüfung: einen Knoten anlegen, falls die Kabel dort gespleißt sind",
    },
    "dangling_end": {
        "value": "ein loses Ende bei ({x:xy}; {y:xy})",
        "expected": "ein Trassenende an einem Knoten oder einer anderen Trasse",
        "fix": "das Ende anschließen oder den Knoten anlegen, an dem es endet (z. B. Hauseinführung oder Muffe)",
    },
    "separate_component": {
        "value": "ein abgetrenntes Teilnetz aus {segments} Abschnitt(en) ({length_km:.2} km) ohne POP",
        "expected": "jede Trasse mit einem POP in Betrieb verbunden",
        "fix": "das Teilnetz mit dem übrigen Netz verbinden oder seinen POP anlegen",
    },
    "near_miss": {
        "value": "ein Ende {distance_m:.2} m von Trasse {other_route_id} entfernt bei ({x:xy}; {y:xy})",
        "expected": "ein Trassenende, das an Trasse {other_route_id} anschließt (Abstand höchstens "
                    "{snap_tolerance_m} m) oder deutlich von ihr entfernt ist",
        "fix": "das Ende auf Trasse {other_route_id} legen oder die Lücke prüfen",
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
        "expected": "mindestens ein Knoten der Art pop, der in Betrieb ist",
        "fix": "die POPs anlegen: ohne sie ist nichts erreichbar",
    },
    "zero_length": {
        "value": "ein Abschnitt (fast) ohne Länge",
        "expected": "ein Abschnitt, der länger ist als die Fangtoleranz ({snap_tolerance_m} m)",
        "fix": "den Abschnitt löschen oder neu zeichnen",
    },
    "nodes_merged": {
        "value": "derselbe Ort wie Knoten {other_node_id}",
        "expected": "Knoten, die weiter als die Fangtoleranz voneinander entfernt sind",
        "fix": "die beiden Knoten zusammenlegen oder einen verschieben",
    },
    "self_loop": {
        "value": "ein Abschnitt, der zu seinem Anfang zurückkehrt",
        "expected": "ein Abschnitt zwischen zwei verschiedenen Orten",
        "fix": "den Abschnitt an einem Knoten teilen oder löschen",
    },
    "handover_not_on_network": {
        "value": AS_FOUND,
        "expected": "ein Übergabeknoten an einer Trasse des geprüften Netzes",
        "fix": "den Knoten mit einer Trasse verbinden oder handover_node_id berichtigen",
    },
    "site_attached_by_distance": {
        "value": AS_FOUND,
        "expected": "eine handover_node_id",
        "fix": "der Standort wurde an den nächsten Netzpunkt angebunden ({drop_m:.0} m entfernt); handover_node_id "
               "ausfüllen",
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
        "fix": "zuerst die fehlenden Einträge der Ebene {layer} importieren oder den Verweis berichtigen",
    },
    "duplicate_id": {
        "value": AS_FOUND,
        "expected": "eine eindeutige {key} (schon vergeben an {other:row})",
        "fix": {
            None: "jedem Eintrag eine eigene ID geben oder die Doppelung entfernen",
            "parts_of_one_line": "offenbar Teile einer Linie (QGIS „Mehrteilig zu einteilig“ kopiert die ID): "
                                 "jedem Teil eine eigene ID geben (z. B. {part_ids:list}) und dieselbe trench_id; "
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
                    "(oder die ganze Liste, als '{written}' = \"WERT\") oder --set {field}=WERT angeben",
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
        "fix": "die Geometrie reparieren (QGIS: Vektor > Geometrie-Werkzeuge > Geometrien reparieren)",
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
               "line": "Zeile", "feature": "Objekt", "row": "Zeile", "placemark": "Ortsmarke", "node": "Knoten",
               "span": "Abschnitt"}
"""The words of a finding's row label ('route_id R17', 'line 12') in German."""
