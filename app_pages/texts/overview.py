"""The Überblick page and its maps: KPIs, the criticality map, map context and tooltips.

Each entry: key -> (German, English). `app_pages.i18n.LABELS` joins the tables of every page."""

LABELS: dict[str, tuple[str, str]] = {
    # overview
    "kpi.schools_gigabit": ("Schulen mit Gigabit", "Schools on gigabit"),
    "kpi.parks": ("Gewerbegebiete mit Gigabit", "Business parks on gigabit"),
    "kpi.route_km": ("Trassen-km in Betrieb", "Route km in service"),
    "kpi.single_homed": ("Standorte ohne zweiten Weg", "Single-homed sites"),
    "kpi.to_target": ("noch {n} bis zum Ziel", "{n} to go"),
    "kpi.to_target_km": ("noch {n} km zu bauen", "{n} km to build"),
    "kpi.since": ("seit Ende {year}", "since the end of {year}"),
    "kpi.help_since": (
        "Die Veränderung seit Ende {year} folgt aus den Bau- und Anschlussdaten des Bestands (frühere Bandbreiten "
        "und Stilllegungen sind nicht erfasst).",
        "The change since the end of {year} follows from the inventory's build and connection dates (earlier "
        "bandwidths and retirements are not recorded).",
    ),
    "kpi.rings": (
        "Ringschlüsse für die Schulen mit nur einem Weg: {km} km, etwa {low}–{high} € (Schätzung)",
        "Ring closures for the schools with only one path: {km} km, about €{low}–{high} (estimate)",
    ),
    "kpi.rings_remaining": (
        "Danach hätten {n} Schulen noch keinen zweiten Weg (kein Ringschluss erreicht sie).",
        "{n} schools would still have no second path (no ring closure reaches them).",
    ),
    "kpi.rings_none_needed": ("Jede erreichbare Schule hat einen zweiten Weg.",
                              "Every reachable school has a second path."),
    "kpi.help_schools": (
        "{on} von {all} Schulen sind symmetrisch mit mindestens 1 Gbit/s angeschlossen. Ziel: alle Schulen.",
        "{on} of {all} schools are connected at 1 Gbit/s or more, symmetric. Target: every school.",
    ),
    "kpi.help_parks": (
        "{on} von {all} Gewerbegebieten haben Gigabit; {share} ihrer Fläche liegt in Reichweite der Glasfaser. "
        "Ziel: alle Gebiete.",
        "{on} of {all} business parks are on gigabit; {share} of their area is within reach of fibre. "
        "Target: every park.",
    ),
    "kpi.help_km": (
        "Trassenlänge in Betrieb. Der Ausbauplan (günstigster Anschluss je Standort) braucht noch {n} km neue Trasse.",
        "Route length in service. The expansion plan (cheapest connection per site) needs {n} km of new route.",
    ),
    "kpi.help_single": (
        "Erreichbare Standorte, die ein einzelner Schaden (Trasse, Leitung oder Knoten) vom Netz trennt. Ziel: 0.",
        "Reachable sites that a single failure (trench, cable or node) cuts off. Target: 0.",
    ),
    "map.coverage": ("Karte: Trassen und Standorte nach Versorgungsstatus",
                     "Map: routes and sites by coverage status"),
    "districts": ("Bezirke", "Districts"),
    "level": ("Ebene", "Level"),
    "districts.view": ("Kennzahlen", "Figures"),
    "districts.view.summary": ("Kernzahlen", "Key figures"),
    "districts.view.schools": ("Schulen nach Status", "Schools by status"),
    "districts.view.parks_routes": ("Gewerbegebiete und Trassen", "Business parks and routes"),
    "level.stadtbezirk": ("Stadtbezirke", "Boroughs (Stadtbezirk)"),
    "level.stadtteil": ("Stadtteile", "Quarters (Stadtteil)"),
    "choropleth": ("Anteil der Schulen mit Gigabit je Stadtteil", "Share of schools on gigabit per Stadtteil"),
    "trend": ("Entwicklung seit 2016 (ab diesem Jahr: Planung)", "Trend since 2016 (from this year on: plan)"),
    "download_kpis": ("KPI-Tabelle als CSV", "KPI table as CSV"),
    "download_pdf": ("Bericht als PDF (zum Drucken)", "Report as PDF (printable)"),
    "report.subtitle": ("Bericht zum Versorgungsstand vom {date}", "Coverage report of {date}"),
    "report.synthetic": (
        "Hinweis: Das Glasfasernetz in diesen Beispieldaten ist synthetisch; Schulstandorte und Stadtgrenze sind "
        "amtliche Daten (Quellen: data/README.md).",
        "Note: the fibre network in this sample is synthetic; school locations and the city boundary are official "
        "data (sources: data/README.md).",
    ),
    "report.crs": ("Karte in ETRS89 / UTM 32N (EPSG:25832).", "Map in ETRS89 / UTM zone 32N (EPSG:25832)."),
    "report.plan": ("Planung", "Plan"),
    "trend.target": ("Ziel {year}: {share} der Schulen mit Gigabit ({n})",
                     "Target {year}: {share} of schools on gigabit ({n})"),
    "trend.target_short": ("Ziel {year}", "Target {year}"),
    "trend.schools_connected": ("Schulen angeschlossen", "Schools connected"),
    "report.parks_connected": ("Gewerbegebiete angeschlossen", "Business parks connected"),
    "route.in_service": ("Trasse in Betrieb", "Route in service"),
    "route.planned": ("Trasse geplant", "Route planned"),
    "route.retired": ("Trasse stillgelegt", "Route retired"),
    # the criticality map: what the loss of a route's trench does
    "tip.cut": ("vom Netz getrennt: {n} Standort(e), {p} Schüler", "cut off: {n} site(s), {p} pupils"),
    "tip.degraded": ("Redundanz verloren: {n} Standort(e), {p} Schüler",
                     "redundancy lost: {n} site(s), {p} pupils"),
    "choose": ("Bitte wählen", "Choose options"),
    "legend.share_low": ("0 % mit Gigabit", "0 % on gigabit"),
    "legend.share_high": ("100 % mit Gigabit", "100 % on gigabit"),
    "legend.no_schools": ("keine Schulen", "no schools"),
    "legend.error": ("Fehler", "Error"),
    "legend.warning": ("Warnung", "Warning"),
    "legend.note": ("Hinweis", "Note"),
    "legend.path": ("Weg", "Path"),
    "maps.interactive": ("Interaktive Karten", "Interactive maps"),
    "maps.interactive_help": (
        "Karten zum Verschieben und Zoomen, mit Details beim Zeigen auf Trassen und Standorte. Ohne "
        "Grafikkarte brauchen sie 1 bis 2,5 Sekunden mehr pro Seite; ausgeschaltet zeigt jede Karte "
        "ein Bild mit denselben Farben.",
        "Maps to pan and zoom, with details when pointing at routes and sites. Without a graphics card "
        "they take 1 to 2.5 seconds more per page; switched off, every map is a picture in the same colours."),
    "basemap.unknown": (
        "Die Einstellung basemap = „{value}“ ist unbekannt. Erwartet: {choices}, eine Stil-Adresse, die mit "
        "https:// beginnt, oder none. Die Karten erscheinen ohne Hintergrundkarte.",
        "The setting basemap = '{value}' is not known. Expected: {choices}, a style URL starting with "
        "https://, or none. The maps are shown without a basemap."),
    "maps.picture": ("Bild der Karte. Zum Zoomen und für Details: „Interaktive Karten“ in der Seitenleiste.",
                     "A picture of the map. To zoom and for details: 'Interactive maps' in the sidebar."),
    "legend.path_b_apart": ("Weg 2, ohne gemeinsamen Graben mit Weg 1", "Path 2, sharing no trench with path 1"),
    "legend.path_b_shared": ("Weg 2, teilt {m} m Graben mit Weg 1", "Path 2, sharing {m} m of trench with path 1"),
    "legend.node": ("Netzknoten", "Network node"),
    "legend.site_connected": ("Standort angeschlossen", "Site connected"),
    "legend.site_planned": ("Standort geplant", "Site planned"),
    "legend.site_none": ("Standort nicht angeschlossen", "Site not connected"),
    "legend.district": ("Stadtteil", "Quarter"),
    "legend.site_area": ("Gewerbefläche", "Business-park area"),
    # maps: context, proposals, tooltips (numbers with their units)
    "legend.city": ("Stadtgrenze", "City boundary"),
    "legend.border.stadtteil": ("Stadtteilgrenze", "Quarter boundary"),
    "legend.border.stadtbezirk": ("Bezirksgrenze", "Borough boundary"),
    "legend.ring_closure": ("Ringschluss (Vorschlag)", "Ring closure (proposal)"),
    "legend.new_route": ("neue Trasse (Schätzung)", "New route (estimate)"),
    "tip.share": ("{share} der Schulen mit Gigabit ({on} von {all} Schulen)",
                  "{share} of schools on gigabit ({on} of {all} schools)"),
    "tip.radius": ("Radius", "radius"),
    "tip.ring": ("Ringschluss {id}: {m} neue Trasse, {eur}; macht {n} Standort(e) redundant: {sites}",
                 "Ring closure {id}: {m} new route, {eur}; makes {n} site(s) redundant: {sites}"),
    "tip.new_route": ("neue Trasse etwa {m}, {low}–{high} € (Schätzung)",
                      "new route about {m}, {low}–{high} € (estimate)"),
    "tip.at_door": ("Glasfaser an der Tür: nur der Hausanschluss, {low}–{high} € (Schätzung)",
                    "fibre at the door: the building connection only, {low}–{high} € (estimate)"),
}
