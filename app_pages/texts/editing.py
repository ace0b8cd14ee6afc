"""The Datenqualität and Bearbeiten pages: sign-in, import, edit, and the formats of the registry.

Each entry: key -> (German, English). `app_pages.i18n.LABELS` joins the tables of every page."""

LABELS: dict[str, tuple[str, str]] = {
    # quality
    "q.summary": ("{e} Fehler, {w} Warnungen, {n} Hinweise zur Prüfung",
                  "{e} error(s), {w} warning(s), {n} note(s) for review"),
    "q.clean": ("Keine Probleme gefunden.", "No problems found."),
    "q.map": ("Karte der Befunde mit Ort", "Map of the findings with a location"),
    # editors: sign-in, import, edit
    "page.edit": ("Bearbeiten", "Edit"),
    "auth.title": ("Anmeldung für die Redaktion", "Sign-in for editors"),
    "auth.name": ("Ihr Name (für die Änderungshistorie)", "Your name (for the change history)"),
    "auth.password": ("Passwort der Redaktion", "Editors' password"),
    "auth.login": ("Anmelden", "Sign in"),
    "auth.login_oidc": ("Als Redaktion anmelden", "Sign in as an editor"),
    "auth.logout": ("Abmelden", "Sign out"),
    "auth.signed_in": ("Angemeldet als {who} (Redaktion)", "Signed in as {who} (editor)"),
    "auth.not_editor": ("{who} ist nicht als Redaktion eingetragen.", "{who} is not registered as an editor."),
    "auth.wrong": ("Das Passwort stimmt nicht.", "The password is wrong."),
    "auth.paused": ("Zu viele Fehlversuche. Bitte in {s} Sekunden erneut versuchen.",
                    "Too many failed attempts. Please try again in {s} seconds."),
    "auth.ok": ("Angemeldet.", "Signed in."),
    "edit.target": (
        "Änderungen werden geprüft und ganz oder gar nicht übernommen; in PostGIS protokolliert die Datenbank jede "
        "Änderung mit Zeit und Namen.",
        "Changes are checked and land whole or not at all; in PostGIS the database records every change with "
        "time and name.",
    ),
    "edit.import": ("Datei importieren", "Import a file"),
    "edit.layer": ("Ebene", "Layer"),
    "edit.mode": ("Art", "Mode"),
    "edit.mode.replace": ("ersetzen (die Ebene wird die Datei; Löschungen nur nach Bestätigung)",
                          "replace (the layer becomes the file; deletions only after confirmation)"),
    "edit.mode.upsert": ("ergänzen (neue hinzufügen, vorhandene aktualisieren, nichts löschen)",
                         "upsert (add new, update existing, delete nothing)"),
    "edit.crs": ("Koordinatensystem der Datei (für CSV)", "The file's CRS (for CSV)"),
    "edit.file": ("Datei ({formats}; ein Shapefile als ZIP; höchstens 50 MB)",
                  "File ({formats}; a Shapefile zipped; at most 50 MB)"),
    # the formats of the registry (`inventory.formats.FORMATS`, key `format.<key>`)
    "format.gpkg": ("GeoPackage", "GeoPackage"),
    "format.geojson": ("GeoJSON", "GeoJSON"),
    "format.shp": ("Shapefile", "Shapefile"),
    "format.csv": ("CSV", "CSV"),
    "format.kml": ("KML", "KML"),
    "format.ofds": ("OFDS-JSON", "OFDS JSON"),
    "format.ofds-geojson": ("OFDS-GeoJSON", "OFDS GeoJSON"),
    "format.kmz": ("KMZ", "KMZ"),
    "edit.check": ("Nur prüfen", "Check only"),
    "edit.run": ("Importieren", "Import"),
    "edit.checked": ("Geprüft, keine Fehler: {rows} Zeilen; {new} neu, {changed} geändert, {unchanged} unverändert, "
                     "{deleted} gelöscht; danach {after} Einträge. Noch nichts übernommen.",
                     "Checked, no errors: {rows} rows; {new} new, {changed} changed, {unchanged} unchanged, "
                     "{deleted} deleted; {after} records afterwards. Nothing changed yet."),
    "edit.done": ("Importiert: {rows} Zeilen; {new} neu, {changed} geändert, {unchanged} unverändert, "
                  "{deleted} gelöscht; die Ebene hat jetzt {after} Einträge.",
                  "Imported: {rows} rows; {new} new, {changed} changed, {unchanged} unchanged, {deleted} deleted; "
                  "the layer now has {after} records."),
    "import.changed_fields": ("Geänderte Felder (Anzahl Einträge): ", "Changed fields (number of records): "),
    "import.kept_fields": ("Felder, die die Datei nicht enthält, behalten ihren gespeicherten Wert: ",
                           "Fields the file lacks keep their stored values: "),
    "import.id": ("Kennung", "Id"),
    "import.change": ("Änderung", "Change"),
    "import.fields": ("Felder", "Fields"),
    "import.new": ("neu", "new"),
    "import.changed": ("geändert", "changed"),
    "import.deleted": ("wird gelöscht", "to be deleted"),
    "import.deleted_done": ("gelöscht", "deleted"),
    "import.confirm_warning": ("Ersetzen löscht {n} Einträge der Ebene {layer}, die nicht in der Datei stehen "
                               "(Liste oben). Bitte prüfen und bestätigen.",
                               "Replacing deletes {n} records of the layer {layer} that are not in the file "
                               "(list above). Please check and confirm."),
    "import.confirm_check": ("Ja, diese {n} Einträge löschen", "Yes, delete these {n} records"),
    "import.confirm_run": ("Löschen bestätigen und importieren", "Confirm the deletions and import"),
    "import.unconfirmed": ("Löschungen brauchen eine Bestätigung; nichts wurde geändert.",
                           "Deletions need a confirmation; nothing was changed."),
    "import.conflict": ("Der Bestand hat sich seit der Prüfung geändert (jemand anderes hat geschrieben); nichts "
                        "wurde geändert. Bitte erneut prüfen und bestätigen.",
                        "The store changed since the check (someone else wrote to it); nothing was changed. "
                        "Please check and confirm again."),
    "edit.store_error": ("Der Datenbestand hat die Änderung abgelehnt, nichts wurde geändert: {error}",
                         "The store refused the change, nothing was changed: {error}"),
    "edit.element": ("Einen Eintrag bearbeiten", "Edit one record"),
    "edit.postgis_only": (
        "Einzelne Einträge lassen sich nur in einer PostGIS-Datenbank bearbeiten (dort mit Versionsprüfung und "
        "Historie). Für eine GeoPackage-Datei: die geänderte Ebene importieren.",
        "Single records can be edited only in a PostGIS database (with a version check and history there). "
        "For a GeoPackage file: import the changed layer.",
    ),
    "edit.id": ("Kennung (ID)", "Id"),
    "edit.load": ("Laden", "Load"),
    "edit.version": ("Geladen in Version {version}.", "Loaded at version {version}."),
    "edit.field": ("Feld", "Field"),
    "edit.value": ("Neuer Wert", "New value"),
    "edit.save": ("Speichern", "Save"),
    "edit.saved": ("Gespeichert, jetzt Version {version}.", "Saved, now version {version}."),
    "upload.too_big": ("Die Datei ist {size} MB groß; erlaubt sind höchstens {limit} MB.",
                       "The file is {size} MB; at most {limit} MB are allowed."),
    "upload.type": ("Dateityp „{found}“ wird nicht angenommen; erlaubt: {allowed}.",
                    "File type “{found}” is not accepted; allowed: {allowed}."),
    "upload.empty": ("Die Datei {name} ist leer.", "The file {name} is empty."),
    "upload.content": ("Der Inhalt von {name} passt nicht zur Endung .{suffix} (gefunden: {content}).",
                       "The content of {name} does not match its extension .{suffix} (found: {content})."),
    "upload.shapefiles": ("Das ZIP {name} muss genau ein Shapefile (.shp) enthalten, es enthält {n}.",
                          "The ZIP {name} must hold exactly one Shapefile (.shp); it holds {n}."),
    "upload.unzipped_too_big": ("Das Shapefile im ZIP {name} ist entpackt größer als {limit} MB.",
                                "The Shapefile in the ZIP {name} is larger than {limit} MB unpacked."),
    "upload.zip_members": ("Das ZIP {name} hat mehr als {limit} Einträge; ein Shapefile braucht fünf.",
                           "The ZIP {name} lists more than {limit} entries; a Shapefile needs five."),
    "upload.zip_damaged": ("Das ZIP {name} ist beschädigt ({member}: {error}); bitte neu packen.",
                           "The ZIP {name} is damaged ({member}: {error}); please pack it again."),
}
