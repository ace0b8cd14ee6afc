"""The Netz page: criticality, what-if, diverse paths, expansion, ring closures, plan variants.

Each entry: key -> (German, English). `app_pages.i18n.LABELS` joins the tables of every page."""

LABELS: dict[str, tuple[str, str]] = {
    # network
    "net.criticality": (
        "Trassen nach Kritikalität: wen ein Schnitt der Trasse vom Netz trennt und wem er den zweiten Weg nimmt",
        "Routes by criticality: who a cut of the trench cuts off, and who loses their second path",
    ),
    "net.trench_pick": ("Graben wählen: wen sein Ausfall trifft", "Choose a trench: whom its loss affects"),
    "net.trench_cut": ("Vom Netz getrennt: {n} Standort(e), {p} Schülerinnen und Schüler",
                       "Cut off: {n} site(s), {p} pupils"),
    "net.trench_degraded": (
        "Redundanz verloren – weiter am Netz, aber nur noch über einen Weg: {n} Standort(e), {p} Schülerinnen "
        "und Schüler",
        "Redundancy lost – still connected, but on a single path: {n} site(s), {p} pupils"),
    "net.trench_nothing": ("Der Ausfall dieses Grabens trennt keinen Standort vom Netz und nimmt keinem den "
                           "zweiten Weg.",
                           "The loss of this trench cuts no site off and takes no site's second path."),
    "net.trench_table_help": (
        "Je Graben: wen sein Ausfall vom Netz trennt und wer danach nur noch über einen Weg angebunden ist "
        "(Redundanz verloren). Gräben, deren Ausfall keines von beiden bewirkt, fehlen in der Tabelle.",
        "Per trench: who its loss cuts off, and who is left on a single path afterwards (redundancy lost). "
        "Trenches whose loss does neither are not listed."),
    "net.whatif": ("Was wäre, wenn …?", "What if …?"),
    "net.trenches": ("Ausfallende Trassen (Gräben)", "Failed trenches"),
    "net.segments": ("Ausfallende Abschnitte", "Failed segments"),
    "net.by_segment": ("Auch einzelne Abschnitte wählen", "Also choose single segments"),
    "net.point": ("Baustelle an einem Punkt", "Construction site at a point"),
    "net.crs": ("Koordinaten", "Coordinates"),
    "net.radius": ("Radius (m)", "Radius (m)"),
    "net.isolated": ("Vom Netz getrennt: {n} Standort(e), {p} Schülerinnen und Schüler",
                     "Cut off: {n} site(s), {p} pupils"),
    "net.no_isolated": ("Kein Standort wäre vom Netz getrennt.", "No site would be cut off."),
    "net.nothing": ("Wählen Sie Trassen, Abschnitte oder eine Baustelle.",
                    "Choose trenches, segments or a construction site."),
    "net.one_trench": ("Möglicherweise ein Graben: {n} Trassenpaar(e) in verschiedenen Gräben nebeneinander",
                       "Possibly one trench: {n} pair(s) of routes in different trenches side by side"),
    "net.one_trench_help": (
        "Zwei Trassen mit verschiedener Graben-ID, die auf dem größten Teil ihrer Länge höchstens {m} m "
        "nebeneinander liegen (oder sich decken), liegen vermutlich in einem Graben: ein Bagger trifft beide. "
        "Liegen sie in einem Graben, beiden dieselbe trench_id geben.",
        "Two routes with different trench ids that lie at most {m} m apart along most of their length (or "
        "overlap) probably lie in one trench: one digger hits both. If they do, give both the same trench_id."),
    "net.review": ("Zur Prüfung: {n} Standort(e), deren Ausfallsicherheit auf diesen Paaren ruht",
                   "For review: {n} site(s) whose redundancy rests on these pairs"),
    "net.review_help": (
        "Diese Standorte würde ein Schnitt der genannten Gräben zusammen vom Netz trennen, obwohl keiner "
        "allein es tut: ihre Ausfallsicherheit gilt nur, wenn es wirklich getrennte Gräben sind.",
        "A cut of the trenches named, together, would cut these sites off, though none alone does: their "
        "redundancy holds only if these really are separate trenches."),
    "net.diverse": ("Getrennte Wege für einen Standort", "Diverse paths for a site"),
    "net.export": ("Export für QGIS", "Export for QGIS"),
    "net.pick": ("Auf der Karte Trassen anklicken (weitere mit gedrückter Umschalttaste): unten steht, was ihr "
                 "Ausfall bewirkt.",
                 "Click routes on the map (more with Shift held down): below is what their failure does."),
    "net.picked": ("Auf der Karte gewählte Abschnitte: {routes}", "Segments picked on the map: {routes}"),
    "net.picked_idle": ("Nicht in Betrieb, daher ohne Wirkung: {routes}",
                        "Not in service, so without effect: {routes}"),
    "net.gpkg": ("Netzanalyse als GeoPackage herunterladen", "Download the network analysis as a GeoPackage"),
    "net.gpkg_help": (
        "Drei Ebenen in EPSG:25832: trench_cuts (jede Trasse, mit dem, was ein Schnitt ihres Grabens "
        "abtrennt), expansion (Ausbauplan je Standort) und ring_closures (neue Verbindungen, die Ringe "
        "schließen). Das Netz ist synthetisch.",
        "Three layers in EPSG:25832: trench_cuts (every route, with what a cut of its trench cuts off), "
        "expansion (the plan per site) and ring_closures (new links that close rings). The network is synthetic."),
    "legend.failed": ("ausgefallener Abschnitt", "failed segment"),
    "legend.construction": ("Baustelle", "construction site"),
    "state.isolated": ("vom Netz getrennt", "cut off"),
    "state.detour": ("auf einem Umweg erreichbar", "reached on a detour"),
    "state.unchanged": ("nicht betroffen", "not affected"),
    "state.not_connected": ("nicht angeschlossen", "not connected"),
    "state.planned": ("Anschluss geplant, noch nicht gebaut", "connection planned, not built yet"),
    "net.site": ("Standort", "Site"),
    "net.expansion": ("Ausbauplan (günstigster Anschluss je Standort)",
                      "Expansion plan (cheapest connection per site)"),
    "net.rings": ("Ringschlüsse (neue Verbindungen, geprüft)", "Ring closures (new links, verified)"),
    "net.total": ("Summe: {sites} Standorte, {km} km neue Trasse, {low}–{high} €",
                  "Total: {sites} sites, {km} km new route, {low}–{high} €"),
    "net.ring_set": ("Günstigste Auswahl: {links} Verbindungen, {km} km neue Trasse, {low}–{high} € (Schätzung); "
                     "danach haben {fixed} von {single} Standorten ohne zweiten Weg einen zweiten Weg "
                     "(durch eine neue Analyse mit diesen Verbindungen geprüft).",
                     "Cheapest choice: {links} links, {km} km new route, {low}–{high} € (estimate); afterwards "
                     "{fixed} of {single} sites without a second path have one (checked by a new analysis with "
                     "these links)."),
    "net.ring_rest": ("Ohne Vorschlag bleiben {n} Standorte ohne zweiten Weg (keine kurze Verbindung gefunden): "
                      "{sites}",
                      "{n} sites stay without a second path (no short link found): {sites}"),
    "net.point_outside": ("Der Punkt {x}, {y} liegt außerhalb der Stadt und {m} m von der nächsten Trasse: "
                          "bitte einen Punkt in der Stadt angeben (EPSG:25832 in Metern, oder Länge/Breite).",
                          "The point {x}, {y} lies outside the city, {m} m from the nearest route: give a point in "
                          "the city (EPSG:25832 in metres, or lon/lat)."),
    "net.point_not_finite": ("Der Punkt {x}, {y} ist keine Zahl: bitte Zahlen angeben.",
                             "The point {x}, {y} is not a number: give numbers."),
    "net.point_lat_lon": ("Der Punkt {x}, {y} sieht nach Breite, Länge aus: bitte zuerst die Länge (etwa 7,0), "
                          "dann die Breite (etwa 51,5) angeben.",
                          "The point {x}, {y} looks like latitude, longitude: give the longitude (about 7.0) "
                          "first, then the latitude (about 51.5)."),
    "net.point_swapped": ("Der Punkt {x}, {y} sieht nach vertauschten Werten aus (erst Hochwert, dann Rechtswert): "
                          "bitte x (Rechtswert, etwa 368.000) zuerst angeben.",
                          "The point {x}, {y} looks swapped (northing first): give x (easting, about 368,000) first."),
    "net.point_lonlat": ("Die Werte sind Länge und Breite: als Punkt {x}, {y} (EPSG:25832) verwendet.",
                         "The values are longitude and latitude: used as the point {x}, {y} (EPSG:25832)."),
    "net.nothing_fails": ("An dieser Stelle fällt nichts aus: im Umkreis liegt keine Trasse und kein Knoten. Die "
                          "nächste Trasse, {route}, ist {m} m vom Rand entfernt.",
                          "Nothing fails here: no route or node lies in the circle. The nearest route, {route}, is "
                          "{m} m from its edge."),
    "net.whatif_gpkg": ("Ergebnis als GeoPackage herunterladen", "Download the result as a GeoPackage"),
    "net.pair_gpkg": ("Wege als GeoPackage herunterladen", "Download the paths as a GeoPackage"),
    "link.new": ("neu: {ends}", "new: {ends}"),
    "download_csv": ("Als CSV herunterladen", "Download as CSV"),
    # plan variants (coverage.plan_variants): the Netz page's comparison of the planned routes and the ring closures
    "net.variants": ("Planvarianten im Vergleich mit dem heutigen Netz", "Plan variants compared with today's network"),
    "net.variants_help": (
        "Je Variante gegenüber heute: neu angeschlossene Standorte, Standorte, die einen zweiten Weg bekommen, und "
        "Standorte, für deren Abtrennung danach mehr Grabenschnitte (Baustellen) nötig sind; die neue Trasse in km "
        "und ihre Kosten als Spanne aus der Kostentabelle (Schätzung). Resilienz je {amount} €: (Standorte mit "
        "neuem zweitem Weg + Standorte mit mehr nötigen Grabenschnitten) je {amount} € Trassenkosten, an beiden "
        "Enden der Kostenspanne. Ringschlüsse: die günstigste geprüfte Auswahl.",
        "Per variant against today: sites newly connected, sites that gain a second path, and sites that then take "
        "more trench cuts (construction sites) to cut off; the new route in km and its cost as a range from the "
        "cost table (an estimate). Resilience per {amount} €: (sites with a new second path + sites that take more "
        "trench cuts) per {amount} € of route cost, at both ends of the cost range. Ring closures: the cheapest "
        "verified choice."),
    "net.variants_gpkg": ("Planvarianten als GeoPackage herunterladen (neue Trassen, Standorte vorher und nachher)",
                          "Download the plan variants as a GeoPackage (new routes, sites before and after)"),
}
