"""The words for the library's enumerated codes, in German and English: one home below the app.

The codes are the library's (`inventory.schema`, `inventory.problems`, `topology`, `coverage`); their words
live here, not in `app_pages`, so that what the library writes for people (the QGIS styles of every
GeoPackage, `inventory.qgis_styles`) says what the app says without importing the app (work flows one way,
docs/design.md, "Layers of the code"). `app_pages.i18n` imports them: `VALUES`, `RULES`, `PAIR_KINDS`, and the
`LEGEND` labels join its `LABELS`.

Each entry is (German, English); `words` picks one and fills in its placeholders.
"""

from __future__ import annotations

# Enumerated values of a column (the library's codes) in words; codes not listed are shown as they are.
VALUES: dict[str, dict[str, tuple[str, str]]] = {
    "kind": {
        "school": ("Schule", "school"), "business_park": ("Gewerbegebiet", "business park"),
        "public_building": ("öffentliches Gebäude", "public building"), "other": ("sonstiger Standort", "other site"),
        "pop": ("POP (Hauptverteiler)", "POP"), "cabinet": ("Verteilerschrank", "cabinet"),
        "closure": ("Muffe", "closure"), "chamber": ("Schacht", "chamber"),
        "building_entry": ("Hauseinführung", "building entry"), "junction": ("Abzweig", "junction"),
    },
    "status": {
        "in_service": ("in Betrieb", "in service"), "planned": ("geplant", "planned"),
        "retired": ("stillgelegt", "retired"), "gigabit": ("Gigabit", "gigabit"),
        "connected": ("angeschlossen, unter Gigabit", "connected, below gigabit"),
        "passed": ("Glasfaser vor der Tür", "fibre passes by"), "near": ("Glasfaser in der Nähe", "fibre nearby"),
        "gap": ("keine Glasfaser in der Nähe", "no fibre nearby"),
    },
    "connection": {"connected": ("angeschlossen", "connected"), "planned": ("geplant", "planned"),
                   "none": ("nicht angeschlossen", "not connected")},
    "state": {"isolated": ("vom Netz getrennt", "cut off"), "detour": ("auf einem Umweg erreichbar", "on a detour"),
              "unchanged": ("nicht betroffen", "not affected"),
              "unreachable_before": ("schon vorher nicht erreichbar", "unreachable before"),
              "unattached": ("nicht am Netz", "not attached"),
              "not_connected": ("nicht angeschlossen", "not connected"),
              "planned": ("Anschluss geplant, noch nicht gebaut", "connection planned, not built yet")},
    "element": {"trench": ("Graben", "trench"), "segment": ("Abschnitt", "segment"), "node": ("Netzknoten", "node")},
    "method": {"open_trench": ("offener Graben", "open trench"), "micro_trench": ("Mikrograben", "micro-trench"),
               "drilling": ("Bohrung", "drilling"), "aerial": ("Freileitung", "aerial"),
               "existing_duct": ("vorhandenes Leerrohr", "existing duct")},
    "severity": {"error": ("Fehler", "error"), "warning": ("Warnung", "warning"), "info": ("Hinweis", "note")},
    "layer": {"routes": ("Trassen", "routes"), "nodes": ("Netzknoten", "nodes"), "sites": ("Standorte", "sites"),
              "site_areas": ("Gewerbeflächen", "business-park areas"), "districts": ("Bezirke", "districts")},
    "level": {"city": ("Stadt", "city"), "stadtbezirk": ("Stadtbezirk", "borough (Stadtbezirk)"),
              "stadtteil": ("Stadtteil", "quarter (Stadtteil)")},
    "district_id": {"CITY": ("Stadt", "city")},
    "source": {"synthetic": ("synthetisch", "synthetic")},
}
VALUES["parent_id"] = VALUES["district_id"]


RULES: dict[str, tuple[str, str]] = {
    "side_by_side_routes": ("Trassen in verschiedenen Gräben nebeneinander: möglicherweise ein Graben",
                            "Routes in different trenches side by side: possibly one trench"),
    "duplicate_segment": ("dieselbe Linie in zwei Gräben: möglicherweise ein Graben",
                          "The same line in two trenches: possibly one trench"),
    "overlapping_segments": ("Trassen in verschiedenen Gräben decken sich teilweise: möglicherweise ein Graben",
                             "Routes in different trenches overlap: possibly one trench"),
    "crossing_without_junction": ("Kreuzung ohne Verbindungsknoten (zur Prüfung)",
                                  "Crossing without a junction (for review)"),
    "dangling_end": ("loses Trassenende", "Dangling route end"),
    "separate_component": ("Teilnetz ohne POP", "Part of the network without a POP"),
    "near_miss": ("Trassenende knapp neben einer Trasse", "Route end just short of a route"),
    "no_pop": ("kein POP in Betrieb", "No POP in service"),
    "zero_length": ("Abschnitt ohne Länge", "Segment of zero length"),
    "nodes_merged": ("Knoten am selben Ort", "Nodes at the same place"),
    "self_loop": ("Abschnitt kehrt zum Anfang zurück", "Segment returns to its start"),
    "handover_not_on_network": ("Übergabeknoten ohne Trasse", "Handover node off the network"),
    "site_attached_by_distance": ("Standort nach Abstand angebunden", "Site attached by distance"),
    "site_unattached": ("Standort nicht anzubinden", "Site cannot be attached"),
    "connected_without_bandwidth": ("angeschlossen ohne Bandbreite", "Connected without a bandwidth"),
    "connected_without_handover": ("angeschlossen ohne Übergabeknoten", "Connected without a handover node"),
    "planned_without_date": ("geplant ohne Termin", "Planned without a date"),
    "required": ("Pflichtfeld leer", "Required value missing"), "type": ("falscher Datentyp", "Wrong type"),
    "choice": ("unbekannter Wert", "Value not allowed"), "range": ("Wert außerhalb des Bereichs", "Out of range"),
    "reference": ("Verweis ins Leere", "Broken reference"), "duplicate_id": ("doppelte ID", "Duplicate id"),
    "fibres_used_le_fibre_count": ("mehr Fasern belegt als vorhanden", "More fibres used than present"),
    "field_too_long": ("Text zu lang", "Text too long"),
    "formula_injection": ("Text beginnt wie eine Tabellenformel", "Text starts like a spreadsheet formula"),
    "text_control_character": ("Steuerzeichen im Text", "Control character in text"),
    "id_invisible_character": ("unsichtbares Zeichen in der ID", "Invisible character in an id"),
    "id_compatibility": ("ID mit Sonderformen von Zeichen", "Id with compatibility characters"),
    "geometry_missing": ("Geometrie fehlt", "Geometry missing"),
    "geometry_type": ("falscher Geometrietyp", "Wrong geometry type"),
    "geometry_empty": ("leere Geometrie", "Empty geometry"), "geometry_3d": ("3D-Koordinaten", "3D coordinates"),
    "geometry_not_finite": ("ungültige Koordinaten", "Coordinates not finite"),
    "geometry_invalid": ("ungültige Geometrie", "Invalid geometry"),
    "geometry_outside_crs_area": ("Koordinaten außerhalb des Bezugssystems", "Coordinates outside the CRS area"),
    "geometry_outside_nrw": ("Koordinaten außerhalb von NRW", "Coordinates outside NRW"),
    "geometry_parts_merged": ("Linienteile zusammengefügt", "Line parts merged"),
}
"""Validation rules (`inventory.problems.Problem.rule`) in words; rules not listed show their code."""
VALUES["rule"] = RULES

PAIR_KINDS: dict[str, tuple[str, str]] = {
    "side_by_side": ("nebeneinander", "side by side"),
    "duplicate": ("dieselbe Linie", "the same line"),
    "overlapping": ("teilweise deckungsgleich", "overlapping"),
}
"""The kinds of `topology.parallel.possibly_one_trench` pairs in words."""
VALUES["kind"] = {**VALUES["kind"], **PAIR_KINDS}
VALUES["scenario"] = {"today": ("heute", "today"), "planned": ("geplante Trassen", "planned routes"),
                      "ring": ("Ringschlüsse", "ring closures"),
                      "both": ("geplante Trassen und Ringschlüsse", "planned routes and ring closures")}

LEGEND: dict[str, tuple[str, str]] = {
    # the criticality map: what the loss of a route's trench does
    "legend.cut_most": ("vom Netz getrennt: {n} Schülerinnen und Schüler und mehr",
                        "cut off: {n} pupils or more"),
    "legend.cut": ("vom Netz getrennt", "cut off"),
    "legend.cut_fewer": ("vom Netz getrennt: weniger als {n} Schülerinnen und Schüler",
                         "cut off: fewer than {n} pupils"),
    "legend.degraded": ("Redundanz verloren: Standorte am Netz, aber nur noch über einen Weg",
                        "redundancy lost: sites still connected, but on a single path"),
    "legend.no_effect": ("Ausfall ohne Folgen für Standorte", "failure affects no site"),
    "legend.path_a": ("Weg 1", "Path 1"),
    "legend.path_b": ("Weg 2", "Path 2"),
}
"""Map legend labels that the QGIS styles carry too (keys as in `app_pages.i18n.LABELS`, which includes them)."""


def words(key: str, lang: str = "de", **values) -> str:
    """Return the legend label `key` (`LEGEND`) in `lang` ('de' or 'en'), with `values` filled in.

    Parameters
    ----------
    key : str
        A key of `LEGEND`, e.g. 'legend.cut_most'.
    lang : str
        'en' for English, anything else German.
    **values
        The placeholders of the label, e.g. n='768'.

    Returns
    -------
    str
        The label.

    Raises
    ------
    KeyError
        `key` is not in `LEGEND`, or a placeholder of the label is missing from `values`.
    """
    text = LEGEND[key][1 if lang == "en" else 0]
    return text.format(**values) if values else text


def effect_labels(threshold: str | None, lang: str = "de") -> dict[str, str]:
    """Return the legend labels of the classes of what a trench's loss does.

    The classes are `coverage.trench_effects.EFFECT_CLASSES`, labelled as the Netz page's criticality map and
    the QGIS style of the `trench_cuts` layer show them.

    Parameters
    ----------
    threshold : str or None
        The pupils from which a trench is 'cut_most' (`coverage.trench_effects.cut_most_threshold`), written
        as `lang` writes numbers; None when no trench is 'cut_most' (then 'cut' is plainly "vom Netz
        getrennt" and 'cut_most' has no label).
    lang : str
        'en' for English, anything else German.

    Returns
    -------
    dict[str, str]
        Class → label.
    """
    labels = {"degraded": words("legend.degraded", lang), "none": words("legend.no_effect", lang)}
    if threshold is None:
        return {"cut": words("legend.cut", lang), **labels}
    return {"cut_most": words("legend.cut_most", lang, n=threshold),
            "cut": words("legend.cut_fewer", lang, n=threshold), **labels}
