"""The German words of the findings of reading and importing files, and of the planner's candidate routes.

Formats, encodings, column mapping and the import's checks (`inventory.formats`, `inventory.importer` and its
modules, `coverage.plan_variants`): per rule and part a German text, or per `variant` a text, with placeholders
that `app_pages.problem_text` fills from `Problem.params`.
"""

from __future__ import annotations

from app_pages.finding_words import AS_FOUND, Wording

_READ_AGAIN = "die Datei neu exportieren"
_CUT_SHORT = "die Datei ist abgeschnitten: neu kopieren oder exportieren"
_BYTE = "Byte {byte:hex}{char:if: ({char} in {char_encoding})}"
_DBF_BYTES = {"value": _BYTE + " in {text}",
              "fix": "--encoding {suggested} angeben{failing:if: ({failing} Werte haben solche Bytes)}"}
_UNKNOWN_ENCODING = {"value": AS_FOUND, "expected": "eine bekannte Kodierung wie utf-8 oder cp1252",
                     "fix": "--encoding berichtigen"}
_CSV_BYTES = {"value": _BYTE + " an Byteposition {position} der Datei"
                       "{more_lines:if:; {more_lines} weitere Zeile(n) mit solchen Bytes}",
              "expected": "Text in {encoding}"}
_COLUMN_FIELD = "ein Feld der Ebene {layer}"
_UNMAPPED_VALUE = "eine Spalte, die keinem Feld zugeordnet ist ({first_value:if:erster Wert {first_value}}" \
                  "{first_value:unless:in jeder Zeile leer})"
_UNMAPPED_TAIL = "; mit --map {target}={column} zuordnen (oder [columns] {target} = \"{column}\" in einer " \
                 "Zuordnungsdatei) oder die Spalte aus der Datei entfernen; sie wird nicht importiert"
# for a column like no field the library passes its stand-in target FIELD; German writes FELD
_UNMAPPED_TAIL_ANY_FIELD = _UNMAPPED_TAIL.replace("{target}", "FELD")
_REPLACED_VALUE = "{first_value:if:erster Wert {first_value}}{first_value:unless:in jeder Zeile leer})"
_GEOMETRY_FIXES_DE = {"Point": "ein Punkt je Eintrag", "LineString": "eine Linie je Eintrag",
                      "MultiPolygon": "ein Polygon oder Multipolygon"}
_GEOMETRY_AXES_EXPECTED = ("{geographic:if:Länge als x und Breite als y}{geographic:unless:Rechtswert als x und "
                           "Hochwert als y} (mit vertauschten Achsen läge der Ort in NRW)")
_FOUND_XY = "x {x:g}, y {y:g} in {crs}"
_KML_EXPECTED = "Länge,Breite[,Höhe] in Grad, Tupel durch Leerzeichen getrennt (eine Linie: mindestens zwei)"
_KML_FIX = "die Koordinaten in der KML berichtigen (oder die Ortsmarke neu zeichnen)"
_KMZ_EXPECTED = "eine KMZ: ein ZIP-Archiv mit einer KML (doc.kml)"
_OFDS_LAYER_EXPECTED = "einen Import in nodes oder routes (OFDS enthält Knoten und Abschnitte)"

# Rules of reading and importing files (formats, encodings, mapping, import checks) and of the planner's
# candidate routes.
IMPORT_WORDING_DE: dict[str, dict[str, Wording]] = {
    "file": {
        "value": {
            "no_file": "keine solche Datei", "folder": "ein Ordner", "extension": AS_FOUND, "empty": "0 Byte",
            "content": "{found_format:if:Inhalt im Format {found_format}}{found_zip:if:ein ZIP-Archiv (z. B. eine "
                       "Excel-Arbeitsmappe oder ein gezipptes Shapefile)}{found_binary:if:Binärdaten}",
            "truncated": "{bytes} Byte",
            "shapefile_parts": "es fehlt {missing:list}",
            "gpkg_slow": "{view:if:die Ansicht}{view:unless:die Tabelle} '{table}' läuft nach {seconds} s noch",
            "gpkg_value": "{view:if:die Ansicht}{view:unless:die Tabelle} '{table}': {message}",
            "gpkg_unreadable": "{view:if:die Ansicht}{view:unless:die Tabelle} '{table}': "
                               "{message:if:{message}}{message:unless:zu wenig Speicher}",
            "unreadable_file": AS_FOUND, "unreadable_layer": AS_FOUND,
            "no_layer": "{layers:if:Ebenen {layers:list}}{layers:unless:keine Ebenen}",
            "csv_no_header": "{empty:if:keine Zeilen}{empty:unless:eine unlesbare erste Zeile}",
            "csv_too_many_columns": "{columns} Spalten in der Kopfzeile",
            "csv_line_too_long": "{chars} Zeichen",
            "csv_too_many_cells": "mehr als {rows} Zeilen mit {columns} Spalten",
            "csv_malformed": "fehlerhaftes CSV ({message})",
            "csv_open_quote": "die Datei endet innerhalb eines Werts in Anführungszeichen",
            "kmz_no_kml": "ein ZIP ohne .kml-Datei",
            "kmz_too_big": "{member}: {bytes} Byte entpackt",
            "kmz_grows_too_big": "{member}: mehr als {max_bytes} Byte entpackt",
            "kmz_damaged": "ein beschädigtes ZIP ({message})",
            "kml_malformed": AS_FOUND, "kml_no_placemarks": "keine Ortsmarken",
            "json_unreadable": AS_FOUND, "geojson_unreadable": AS_FOUND,
            "ofds_no_networks": "keine Liste von Netzen",
            "ofds_layer": "Ebene {layer}", "ofds_geojson_layer": "Ebene {layer}",
            "ofds_other_kind": "{count} Objekte einer anderen Art",
        },
        "expected": {
            "no_file": "eine vorhandene Datei", "folder": "eine Datei, keinen Ordner",
            "extension": "eine Datei mit einer dieser Endungen: {formats}", "empty": "eine nicht leere Datei",
            "content": "Inhalt im Format {format}, wie die Endung {extension} angibt",
            "truncated": "eine vollständige Datei {part} ({declared_bytes:if:{declared_bytes} Byte}"
                         "{records:if: für {records} Datensätze}{declared_bytes:if: laut Dateikopf}"
                         "{declared_bytes:unless:mindestens 100 Byte})",
            "shapefile_parts": "ein Shapefile mit seiner .shx (Index) und .dbf (Attribute) neben der .shp",
            "gpkg_slow": "Ebenen, die SQLite innerhalb von {seconds} s liest ({whole_file:if:für die ganze Datei}"
                         "{whole_file:unless:für eine Ebene})",
            "gpkg_value": "Ebenen, die SQLite lesen kann (Werte bis {max_mb} MB)",
            "gpkg_unreadable": "Ebenen, die SQLite lesen kann",
            "unreadable_file": "eine lesbare Datei im Format {format}",
            "unreadable_layer": "eine lesbare Ebene im Format {format}",
            "no_layer": "eine Ebene namens '{source_layer}'",
            "csv_no_header": "eine Kopfzeile mit Spaltennamen",
            "csv_too_many_columns": "höchstens {max_columns} Spalten in einer CSV-Datei",
            "csv_line_too_long": "Zeilen mit höchstens {max_chars} Zeichen",
            "csv_too_many_cells": "höchstens {max_cells} Zellen (Zeilen mal Spalten) in einer CSV-Datei",
            "csv_malformed": "wohlgeformtes CSV",
            "csv_open_quote": "ein schließendes Anführungszeichen vor dem Ende der Datei",
            "kmz_no_kml": _KMZ_EXPECTED, "kmz_too_big": _KMZ_EXPECTED, "kmz_grows_too_big": _KMZ_EXPECTED,
            "kmz_damaged": _KMZ_EXPECTED,
            "kml_malformed": "wohlgeformtes KML (XML)", "kml_no_placemarks": "Ortsmarken mit Punkten oder Linien",
            "json_unreadable": "eine JSON-Datei (UTF-8)",
            "ofds_no_networks": 'ein OFDS-Paket: {{"networks": [ {{...}} ]}}',
            "ofds_layer": _OFDS_LAYER_EXPECTED, "ofds_geojson_layer": _OFDS_LAYER_EXPECTED,
            "geojson_unreadable": "eine GeoJSON-FeatureCollection (UTF-8)",
            "ofds_other_kind": "OFDS-Objekte vom Typ {kind} für {layer}",
        },
        "fix": {
            "no_file": "den Pfad prüfen",
            "folder": "eine Datei darin angeben, z. B. nodes.geojson oder spans.geojson eines OFDS-Paars",
            "extension": "{rename_to:if:sie enthält {found_format}: in {rename_to} umbenennen}"
                         "{rename_to:unless:umwandeln} (z. B. mit ogr2ogr; eine Excel- oder "
                         "LibreOffice-Tabelle als CSV speichern)",
            "empty": _READ_AGAIN,
            "content": "{rename_to:if:in {rename_to} umbenennen}{rename_to:unless:in {format} umwandeln}",
            "truncated": _CUT_SHORT,
            "shapefile_parts": "alle Teile des Shapefiles (.shp, .shx, .dbf, .prj, .cpg) zusammen kopieren",
            "gpkg_slow": "eine Ansicht, die nie fertig wird (eine rekursive Abfrage) oder zu viel rechnet, lässt sich "
                         "nicht importieren: durch eine Tabelle mit ihren Zeilen ersetzen",
            "gpkg_value": "die Ansicht oder Spalte durch eine Tabelle mit einfachen Werten ersetzen oder die Ebene neu "
                          "exportieren",
            "gpkg_unreadable": "die Ansicht durch eine Tabelle mit ihren Zeilen ersetzen oder die Ebene neu "
                               "exportieren",
            "unreadable_file": "die Datei ist vielleicht abgeschnitten oder in einem anderen Format: neu exportieren",
            "unreadable_layer": "die Datei ist vielleicht beschädigt: neu exportieren",
            "no_layer": "die richtige Ebene mit --source-layer wählen",
            "csv_no_header": _READ_AGAIN,
            "csv_too_many_columns": "nur die Spalten behalten, die die Ebene braucht (die anderen z. B. in der "
                                    "Tabellenkalkulation löschen), und neu exportieren",
            "csv_line_too_long": "die Datei ist vielleicht beschädigt oder keine Tabelle: neu exportieren",
            "csv_too_many_cells": "die Datei teilen oder als GeoPackage importieren (ohne diese Grenze)",
            "csv_malformed": "Anführungszeichen und Trennzeichen prüfen (eine Zelle ist vielleicht länger als "
                             "1.000.000 Zeichen)",
            "csv_open_quote": "die Datei ist abgeschnitten oder ein Anführungszeichen nicht geschlossen: neu "
                              "exportieren",
            "kmz_no_kml": "die KMZ neu exportieren oder die KML selbst importieren",
            "kmz_too_big": "höchstens {max_bytes} Byte entpackt: die Datei teilen",
            "kmz_grows_too_big": "die Datei teilen",
            "kmz_damaged": "die KMZ neu exportieren (Google Earth: Ort speichern unter, KMZ)",
            "kml_malformed": "die Datei ist beschädigt oder abgeschnitten: neu exportieren",
            "kml_no_placemarks": "die Objekte als Ortsmarken exportieren (Google Earth: Ort speichern unter), nicht "
                                 "nur Stile oder Bilder",
            "json_unreadable": _READ_AGAIN,
            "ofds_no_networks": "die Datei neu als OFDS-Netzpaket exportieren",
            "ofds_layer": "die Datei in nodes importieren, dann in routes",
            "ofds_geojson_layer": "nodes.geojson in nodes importieren und spans.geojson in routes",
            "geojson_unreadable": _READ_AGAIN,
            "ofds_other_kind": "diese Datei in {other_layer} importieren und hier {other_file} importieren",
        },
    },
    "encoding": {
        "value": {
            "unknown": AS_FOUND, "bytes_utf16": _CSV_BYTES["value"], "bytes_cp1252": _CSV_BYTES["value"],
            "bytes_latin1": _CSV_BYTES["value"], "gdal_text": "Byte {byte:hex} in {text}",
            "utf8_file": _BYTE + " an Byteposition {position} der Datei",
            "dbf_bytes_option": _DBF_BYTES["value"], "dbf_bytes_cpg": _DBF_BYTES["value"],
            "dbf_bytes_ldid": _DBF_BYTES["value"], "cpg_unknown": AS_FOUND,
            "cpg_utf8": "UTF-8-Text: {text} würde in {encoding} als {misread} gelesen",
            "dbf_no_guess": "Bytes {bytes}, die sich in keiner bekannten Kodierung lesen lassen",
        },
        "expected": {
            "unknown": _UNKNOWN_ENCODING["expected"], "bytes_utf16": _CSV_BYTES["expected"],
            "bytes_cp1252": _CSV_BYTES["expected"], "bytes_latin1": _CSV_BYTES["expected"],
            "gdal_text": "Text in {encoding}{geopackage:if:, wie für jedes GeoPackage vorgeschrieben}",
            "utf8_file": "UTF-8-Text, wie für GeoJSON vorgeschrieben (RFC 8259)",
            "dbf_bytes_option": "Text in {encoding}, wie mit --encoding angegeben",
            "dbf_bytes_cpg": "Text in {encoding}, wie in {cpg} angegeben",
            "dbf_bytes_ldid": "Text in {encoding}, wie im Kopf der .dbf angegeben (Sprachtreiber {ldid:hex})",
            "cpg_unknown": "eine .cpg, die eine bekannte Kodierung nennt (z. B. UTF-8 oder 1252)",
            "cpg_utf8": "Text in {encoding}, wie in {cpg} angegeben",
            "dbf_no_guess": "eine .cpg neben {shp}, die die Kodierung des Textes nennt",
        },
        "fix": {
            "unknown": _UNKNOWN_ENCODING["fix"],
            "bytes_utf16": "--encoding utf-16 angeben oder die Datei als UTF-8 speichern",
            "bytes_cp1252": "--encoding cp1252 angeben (die Datei sieht nach Windows-Text aus) oder die Datei als "
                            "UTF-8 speichern",
            "bytes_latin1": "--encoding latin-1 angeben oder die Datei als UTF-8 speichern",
            "gdal_text": "--encoding {suggested} angeben oder den Text als UTF-8 schreiben",
            "utf8_file": "die Datei als UTF-8 speichern (z. B. ogr2ogr -f GeoJSON out.geojson {file_name}) oder "
                         "--encoding {suggested} angeben",
            "dbf_bytes_option": _DBF_BYTES["fix"],
            "dbf_bytes_cpg": "--encoding {suggested} angeben (hat Vorrang vor der .cpg) oder {cpg} berichtigen"
                             "{failing:if: ({failing} Werte haben solche Bytes)}",
            "dbf_bytes_ldid": _DBF_BYTES["fix"],
            "cpg_unknown": "--encoding {suggested} angeben (hat Vorrang vor der .cpg) oder {cpg} berichtigen",
            "cpg_utf8": "--encoding utf-8 angeben (hat Vorrang vor der .cpg) oder {cpg} auf UTF-8 berichtigen",
            "dbf_no_guess": "--encoding mit der Kodierung angeben, in der die Datei geschrieben wurde",
        },
    },
    "encoding_guessed": {
        "value": AS_FOUND,
        "expected": "eine .cpg, die die Kodierung des Textes nennt; ohne sie wurde er als {encoding} gelesen, "
                    "{utf8:if:da seine Bytes gültiges UTF-8 sind}{utf8:unless:da seine Bytes so am "
                    "wahrscheinlichsten zu lesen sind}",
        "fix": "liest sich der Text falsch, --encoding angeben (z. B. cp1252 oder cp850); damit dieser Hinweis "
               "entfällt, {cpg} mit dem Inhalt {encoding} anlegen",
    },
    "crs": {
        "value": {
            "unknown": AS_FOUND, "csv_none": "keins",
            "none": "keins (keine .prj und kein Koordinatensystem in der Datei)",
            "declared_differs": AS_FOUND,
            "geojson_declared_degrees": "Länge/Breite in NRW, z. B. x {x:g}, y {y:g} ({row:row})",
            "geojson_not_degrees": "x {x:g}, y {y:g} ({row:row}), keine Gradangaben",
        },
        "expected": {
            "unknown": "ein Koordinatensystem wie EPSG:25832 oder EPSG:4326",
            "csv_none": "ein angegebenes Koordinatensystem für die Koordinaten einer CSV-Datei",
            "none": "ein Koordinatensystem",
            "declared_differs": "das angegebene Koordinatensystem {declared}",
            "geojson_declared_degrees": "Koordinaten im angegebenen Koordinatensystem {declared}",
            "geojson_not_degrees": "Länge/Breite in Grad, wie ein GeoJSON ohne „crs“-Angabe sie hat (RFC 7946)",
        },
        "fix": {
            "unknown": "--crs berichtigen",
            "csv_none": "--crs angeben, z. B. --crs EPSG:25832 für UTM oder --crs EPSG:4326 für Länge/Breite",
            "none": "das Koordinatensystem mit --crs angeben{crs_code:if:: die Koordinaten sehen nach {crs_code} aus, "
                    "also --crs {crs_code}}"
                    "{other_codes:if: (sonst {other_codes:list})}{crs_code:unless:, z. B. --crs EPSG:25832}",
            "declared_differs": "--crs weglassen, um das Koordinatensystem der Datei zu nutzen, oder die Datei "
                                "berichtigen",
            "geojson_declared_degrees": "--crs weglassen: ein GeoJSON ohne „crs“-Angabe hat Länge/Breite (RFC 7946)",
            "geojson_not_degrees": "{crs_code:if:die Koordinaten sehen nach {crs_code} aus: --crs {crs_code} angeben}"
                                   "{other_codes:if: (sonst {other_codes:list})}; oder die Datei mit ihrem "
                                   "Koordinatensystem schreiben",
        },
    },
    "column_missing": {
        "value": {
            "field": "keine solche Spalte; die Datei hat {columns:if:{columns:list}}{columns:unless:keine anderen "
                     "Spalten}",
            "wkt": "Spalten {columns:list}", "xy": "Spalten {columns:list}", "geometry": "Spalten {columns:list}",
        },
        "expected": {
            "field": "eine Spalte '{field}' ({dtype:dtype}){new_ids:if: für die {new_count} neuen Einträge "
                     "({new_ids:list}); gespeicherte Zeilen behalten ihren Wert}",
            "wkt": "eine WKT-Spalte '{wkt}'",
            "xy": "Koordinatenspalten '{x}' und '{y}'",
            "geometry": "eine WKT-Spalte (wkt) oder Koordinatenspalten (x und y)",
        },
        "fix": {
            "field": "die Spalte ergänzen oder ihr eine Spalte zuordnen (--map {field}=IHRE_SPALTE)",
            "wkt": "--wkt berichtigen", "xy": "--x und --y berichtigen",
            "geometry": "sie mit --wkt SPALTE oder --x SPALTE --y SPALTE benennen",
        },
    },
    "columns": {
        "value": "{columns} Spalten",
        "expected": "{header_columns} Spalten wie die Kopfzeile",
        "fix": "die Zeile ist vielleicht abgeschnitten oder hat zusätzliche Trennzeichen; Anführungszeichen prüfen",
    },
    "coordinate": {
        "value": AS_FOUND,
        "expected": "eine endliche Zahl",
        "fix": "beide Koordinaten als Zahlen eintragen (nicht NaN oder unendlich)",
    },
    "mapping": {
        "value": {"target": AS_FOUND, "source": "Spalten {columns:list}"},
        "expected": {"target": "ein Feld der Ebene {layer}: {columns:list}",
                     "source": "eine Spalte {column} in der Datei"},
        "fix": {"target": "den Zielnamen der Zuordnung berichtigen",
                "source": "die Quellspalte der Zuordnung berichtigen"},
    },
    "column_matched": {
        "value": {"case": "Spalte '{column}' (so benannt bis auf Groß-/Kleinschreibung oder Trennzeichen): als "
                          "{target} gelesen",
                  "cut": "Spalte '{column}' (ein auf 10 Zeichen gekürzter Shapefile-Feldname): als {target} "
                         "gelesen"},
        "expected": {"case": _COLUMN_FIELD, "cut": _COLUMN_FIELD},
        "fix": {"case": "nichts nötig; um es in der Zuordnung festzuhalten: --map {target}={column}",
                "cut": "nichts nötig; um es in der Zuordnung festzuhalten: --map {target}={column}"},
    },
    "column_unmapped": {
        "value": {
            "several": _UNMAPPED_VALUE, "several_cut": _UNMAPPED_VALUE, "shared": _UNMAPPED_VALUE,
            "close": _UNMAPPED_VALUE, "unlike": _UNMAPPED_VALUE,
            "replaced_by_set": "eine Spalte, die die Zuordnung durch --set {column}={constant} ersetzt ("
                               + _REPLACED_VALUE,
            "replaced_by_column": "eine Spalte, die die Zuordnung durch {column} = {source} ersetzt ("
                                  + _REPLACED_VALUE,
        },
        "expected": {
            "several": _COLUMN_FIELD, "several_cut": _COLUMN_FIELD, "shared": _COLUMN_FIELD, "close": _COLUMN_FIELD,
            "unlike": _COLUMN_FIELD,
            "replaced_by_set": _COLUMN_FIELD + ", das die Zuordnung nicht anders füllt",
            "replaced_by_column": _COLUMN_FIELD + ", das die Zuordnung nicht anders füllt",
        },
        "fix": {
            "several": "{column} ist bis auf Groß-/Kleinschreibung oder Trennzeichen benannt wie mehrere Felder "
                       "({fields:list}): dem richtigen zuordnen" + _UNMAPPED_TAIL,
            "several_cut": "{column} ist der gekürzte Shapefile-Name mehrerer Felder ({fields:list}): dem richtigen "
                           "zuordnen" + _UNMAPPED_TAIL,
            "shared": "{column} → {target}? Ebenso {others:list}: die richtige zuordnen" + _UNMAPPED_TAIL,
            "close": "{column} → {target}?" + _UNMAPPED_TAIL,
            "unlike": "kein Feld heißt ähnlich wie {column} (Felder der Ebene {layer}: {columns:list})"
                      + _UNMAPPED_TAIL_ANY_FIELD,
            "replaced_by_set": "die Spalte aus der Datei entfernen oder {column} aus der Zuordnung streichen, um "
                               "sie zu importieren",
            "replaced_by_column": "die Spalte aus der Datei entfernen oder {column} aus der Zuordnung streichen, "
                                  "um sie zu importieren",
        },
    },
    "geometry_wkt": {
        "value": AS_FOUND,
        "expected": {None: "Geometrie als WKT, z. B. POINT (368578 5710348)",
                     "edit": "eine Geometrie als WKT in EPSG:25832, z. B. POINT (368000 5710000)"},
        "fix": "das WKT berichtigen",
    },
    "geometry_type": {
        "value": {**dict.fromkeys(_GEOMETRY_FIXES_DE, AS_FOUND),
                  "parts_apart": "ein MultiLineString aus {parts} Teilen, die nicht Ende an Ende anschließen"},
        "expected": {**dict.fromkeys(_GEOMETRY_FIXES_DE, "Geometrietyp {geometry_type}"),
                     "parts_apart": "Geometrietyp LineString (eine Linie je Eintrag)"},
        "fix": {
            **_GEOMETRY_FIXES_DE,
            "parts_apart": "in einen Eintrag je Teil mit eigener ID (z. B. {part_ids:list}) und derselben trench_id "
                           "teilen (QGIS „Mehrteilig zu einteilig“ kopiert die ID, also die Teile umbenennen) oder "
                           "mit --explode importieren",
        },
    },
    "geometry_parts_merged": {
        "value": "ein MultiLineString aus {parts} Teilen, die Ende an Ende anschließen",
        "expected": "Geometrietyp LineString",
        "fix": "nichts nötig: zu einer Linie zusammengefügt; prüfen, falls die Teile getrennte Trassen sein sollten "
               "(dann mit --explode importieren)",
    },
    "geometry_empty": {
        "value": "eine leere Geometrie",
        "expected": "ein nicht leerer {geometry_type}",
        "fix": "den Eintrag entfernen oder seine Geometrie zeichnen",
    },
    "geometry_3d": {
        "value": "3D-Koordinaten (x, y, z)",
        "expected": "2D-Koordinaten (x, y)",
        "fix": "Z-Werte entfernen (mit --force-2d importieren oder in QGIS: „M/Z-Werte entfernen“)",
    },
    "geometry_not_finite": {
        "value": "NaN oder unendliche Koordinaten",
        "expected": "endliche Koordinaten",
        "fix": "die Koordinaten dieses Eintrags berichtigen",
    },
    "geometry_outside_crs_area": {
        "value": "Koordinaten bei ({x:xy}; {y:xy}) in {crs}",
        "expected": "Koordinaten im Gültigkeitsbereich von {crs}",
        "fix": "das angegebene Koordinatensystem prüfen (--crs) und ob x/y oder Länge/Breite vertauscht sind",
    },
    "geometry_outside_nrw": {
        "value": "Koordinaten bei ({x:xy}; {y:xy}) in {crs}",
        "expected": "Koordinaten in Nordrhein-Westfalen (x {min_x:plain} bis {max_x:plain}, y {min_y:plain} bis "
                    "{max_y:plain} in {crs})",
        "fix": "das Koordinatensystem der Datei ist wahrscheinlich falsch: seine Angabe prüfen (--crs, die .prj oder "
               "die „crs“-Angabe des GeoJSON)",
    },
    "geometry_axes_swapped": {
        "value": {None: _FOUND_XY, "csv": _FOUND_XY},
        "expected": {None: _GEOMETRY_AXES_EXPECTED, "csv": _GEOMETRY_AXES_EXPECTED},
        "fix": {None: "x und y in der Datei tauschen (QGIS-Verarbeitungswerkzeuge: „X- und Y-Koordinaten vertauschen“)",
                "csv": "die Koordinatenspalten tauschen (z. B. --x lon --y lat statt --x lat --y lon) oder die "
                       "Werte in der Datei"},
    },
    "geometry_crs_mismatch": {
        "value": {None: _FOUND_XY, "GeoJSON": _FOUND_XY, "Shapefile": _FOUND_XY},
        "expected": {key: "Koordinaten, die im Koordinatensystem der Datei ({crs}) möglich sind"
                     for key in (None, "GeoJSON", "Shapefile")},
        "fix": {
            None: "das Koordinatensystem angeben, in dem die Koordinaten sind, z. B. --crs EPSG:25832 für UTM in "
                  "Metern",
            "GeoJSON": "ein GeoJSON ohne „crs“-Angabe hat Länge/Breite (RFC 7946): die Datei nach EPSG:4326 "
                       "umprojizieren oder mit ihrem Koordinatensystem schreiben",
            "Shapefile": "die .prj nennt das falsche Koordinatensystem: sie berichtigen oder löschen und --crs angeben",
        },
    },
    "kml_coordinates": {
        "value": {None: AS_FOUND, "too_few": "{text} ({positions} Position)",
                  "not_degrees": "{text} (keine gültige Länge,Breite)"},
        "expected": _KML_EXPECTED,
        "fix": _KML_FIX,
    },
    "kml_other_geometry": {
        "value": "{count} Ortsmarke(n) mit {kinds:if:{kinds:list}}{kinds:unless:keiner Geometrie}",
        "expected": "Ortsmarken mit {geometry_type} für {layer}",
        "fix": "sie werden übersprungen: in die passende Ebene importieren",
    },
    "field_too_long": {
        "value": "{chars} Zeichen",
        "expected": "höchstens {max_chars} Zeichen",
        "fix": "den Wert kürzen; vielleicht ist eine ganze Datei oder Liste in einer Zelle gelandet "
               "(Anführungszeichen prüfen)",
    },
    "formula_injection": {
        "value": AS_FOUND,
        "expected": "Text, der nicht wie eine Tabellenformel beginnt (=, @, Tabulator oder +/- mit einer Formel "
                    "dahinter)",
        "fix": "das erste Zeichen entfernen: öffnet man die Datei in Excel oder LibreOffice, wird solcher Text als "
               "Formel ausgeführt",
    },
    "text_control_character": {
        "value": "{code_point} an Stelle {position} von {text}",
        "expected": "Text ohne Steuerzeichen (ESC, BEL, NUL, Tabulator, Zeilenumbrüche, C1-Steuerzeichen, "
                    "Bidi-Steuerzeichen)",
        "fix": {None: "das Zeichen entfernen (es kann die Anzeige des Textes in Terminals und auf Bildschirmen "
                      "verfälschen)",
                "line_break": "das Zeichen entfernen; einen Zeilenumbruch als ', ' schreiben (der Text eines "
                              "Eintrags ist einzeilig)"},
    },
    "id_invisible_character": {
        "value": "{code_point} an Stelle {position} von {text}",
        "expected": "eine ID aus sichtbaren Zeichen (keine Steuerzeichen, keine Zeichen ohne "
                    "Breite, keine Bidi- oder Zeilentrennzeichen; als Leerraum nur Leerzeichen)",
        "fix": "{code_point} aus der ID entfernen",
    },
    "id_compatibility": {
        "value": AS_FOUND,
        "expected": {None: "eine ID aus gewöhnlichen Zeichen (unverändert unter Unicode-NFKC-Normalisierung)",
                     "stored": "eine ID, die sich von der gespeicherten {key} {stored} mehr als in ihrer "
                               "Unicode-Form unterscheidet"},
        "fix": {None: "als {compatible} schreiben (Vollbreiten-Buchstaben, Ligaturen und Ähnliches sehen gleich aus, "
                      "sind es aber nicht)",
                "stored": "die gespeicherte ID {stored} nutzen, um diesen Eintrag zu ändern, oder eine andere ID "
                          "wählen"},
    },
    "list_value": {
        "value": AS_FOUND,
        "expected": "ein einzelner Wert; zugeordnet ergeben die Elemente der Liste {candidates:list}",
        "fix": "einen Wert setzen (--set {field}=WERT gilt für jeden Eintrag) oder die ganze Liste in der "
               "Zuordnungsdatei zuordnen: [values.{field}] '{written}' = \"{first_candidate}\"",
    },
    "number_ambiguous": {
        "value": AS_FOUND,
        "expected": "eine Zahl, die sich nur auf eine Art lesen lässt; {text} ist {comma:plain} mit Dezimalkomma "
                    "(deutsch, '.' trennt Tausender) oder {point:plain} mit Dezimalpunkt (englisch); "
                    "{comma_example:if:die Datei schreibt Zahlen auf beide Arten ({comma_example} hat ein "
                    "Dezimalkomma, {point_example} einen Dezimalpunkt)}{comma_example:unless:keine andere Zahl der "
                    "Datei zeigt, welche Schreibweise sie nutzt}",
        "fix": "ohne Tausendertrennzeichen schreiben: {comma:plain} oder {point:plain}",
    },
    "reference_broken": {
        "value": AS_FOUND,
        "expected": "eine vorhandene {key} der Ebene '{layer}' (der Import würde sie entfernen)",
        "fix": "diesen Eintrag der Ebene {layer} in der Datei behalten, --mode upsert nutzen (das nie löscht) oder "
               "erst die Ebene {referring_layer} ändern",
    },
    "delete_unconfirmed": {
        "value": "{count} Einträge der Ebene {layer} fehlen in der Datei ({ids:list})",
        "expected": "eine Bestätigung, bevor Zeilen gelöscht werden",
        "fix": "die Liste prüfen (--dry-run --json zeigt jede ID), dann mit --yes bestätigen; oder --mode upsert "
               "nutzen, das hinzufügt und ändert, aber nie löscht",
    },
    "parts_exploded": {
        "value": {"parts": "{key} {id}, eine Linie aus {count} Teilen: jetzt {made:list}",
                  "records": "{key} {id}, einer von {count} Einträgen mit dieser ID: jetzt {made:list}"},
        "expected": {"parts": "eine {key} je Linie", "records": "eine {key} je Linie"},
        "fix": {"parts": "nichts nötig; die Teile bleiben im Graben {trench_id}",
                "records": "nichts nötig; die Teile bleiben im Graben {trench_id}"},
    },
    "explode_id_clash": {
        "value": AS_FOUND,
        "expected": {None: "eine neue {key} für diesen Teil, die kein anderer Eintrag der Datei nutzt (genutzt von "
                           "{other:row})",
                     "stored": "eine ID für diesen Teil, die kein gespeicherter Eintrag der Ebene {layer} hat "
                               "(--explode bildet <id>-1, <id>-2, ...)"},
        "fix": {None: "den Eintrag {other:row} umbenennen oder dem mehrteiligen Eintrag eine ID geben, deren Teil-IDs "
                      "noch frei sind",
                "stored": "{key} {id} ist schon gespeichert: der mehrteiligen Linie vor dem Zerlegen eine andere ID "
                          "geben oder sie selbst mit eigenen IDs teilen"},
    },
    "candidate_known": {
        "value": AS_FOUND,
        "expected": "eine route_id, die der Bestand noch nicht hat",
        "fix": "dem Kandidaten eine neue route_id geben (ein Kandidat ist eine zu bauende Trasse)",
    },
    "candidate_empty": {
        "value": "keine Zeilen",
        "expected": "mindestens eine Kandidatentrasse",
        "fix": "die zu vergleichenden Trassen ergänzen oder die Datei weglassen",
    },
}
